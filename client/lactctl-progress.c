/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The words of `lactctl progress`. They are read by a tired parent, often at
 * night: every amount is counted as what was done, never as what is missing
 * from a target; a trend is said plainly either way; nothing here advises.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lactctl-progress.h"

#define BOLD  "\033[1m"
#define GREEN "\033[32m"
#define RESET "\033[0m"

gboolean
lactctl_progress_use_colour(gboolean is_tty, const char *term, const char *no_color)
{
	if (!is_tty || term == NULL || *term == '\0' || g_str_equal(term, "dumb"))
		return FALSE;
	return no_color == NULL || *no_color == '\0';
}

typedef struct {
	GString *out;
	gboolean colour;
} Out;

static void
heading(Out *o, const char *text)
{
	g_string_append_printf(o->out, "\n%s%s%s\n", o->colour ? BOLD : "", text,
			       o->colour ? RESET : "");
}

/* A label and its line; good news may be shown in green, nothing in red. */
static void line(Out *o, const char *label, gboolean good, const char *fmt, ...) G_GNUC_PRINTF(4, 5);

static void
line(Out *o, const char *label, gboolean good, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_string_append_printf(o->out, "  %-15s %s%s%s\n", label, good && o->colour ? GREEN : "",
			       text, good && o->colour ? RESET : "");
}

static double
get_double(GVariant *dict, const char *key)
{
	double v = 0;

	if (dict == NULL || !g_variant_lookup(dict, key, "d", &v) || !isfinite(v))
		return 0;
	return v;
}

/* Whether the daemon gave the figure: one that was not measured is absent
 * (an older daemon gave them all). */
static gboolean
has(GVariant *dict, const char *key)
{
	g_autoptr(GVariant) v = dict != NULL ? g_variant_lookup_value(dict, key, NULL) : NULL;

	return v != NULL;
}

static guint32
get_uint(GVariant *dict, const char *key)
{
	guint32 v = 0;

	if (dict != NULL)
		g_variant_lookup(dict, key, "u", &v);
	return v;
}

/* One decimal, and never "-0.0" for a value that rounds to nothing. */
static char *
ml(double v)
{
	if (fabs(v) < 0.05)
		v = 0;
	return g_strdup_printf("%.1f", v);
}

static void
trend_line(Out *o, gboolean known, double per_week)
{
	g_autofree char *week = ml(fabs(per_week));
	g_autofree char *day = ml(fabs(per_week) / 7);

	/* The trend's words are those of docs/progress.md: a slope over the
	 * last 4 weeks, said as a change per week and per day. */
	if (!known)
		line(o, "Trend:", FALSE, "shown once 7 days have a measured volume");
	else if (fabs(per_week) < 0.05)
		line(o, "Trend:", FALSE, "0 mL/week: level over 4 weeks");
	else if (per_week > 0)
		line(o, "Trend:", TRUE, "+%s mL/week: rising by about %s mL a day over 4 weeks",
		     week, day);
	else
		line(o, "Trend:", FALSE,
		     "-%s mL/week: falling by about %s mL a day over 4 weeks", week, day);
}

char *
lactctl_progress_text(GVariant *progress, GVariant *plan, const char *today, gboolean colour)
{
	Out o = {g_string_new(NULL), colour};
	guint32 n = get_uint(progress, "sessions_24h");
	guint32 smin = get_uint(progress, "sessions_min"), smax = get_uint(progress, "sessions_max");
	guint32 mmin = get_uint(plan, "minutes_min"), mmax = get_uint(plan, "minutes_max");
	guint32 days = get_uint(progress, "days_since_start");
	gboolean overnight = FALSE;
	double minutes = get_double(progress, "minutes_per_breast_7d");
	double today_ml = get_double(progress, "volume_today_ml");
	double avg = get_double(progress, "volume_7d_avg_ml");
	double trend = get_double(progress, "volume_trend_ml_per_week");
	double sup_avg = get_double(progress, "supplement_7d_avg_ml");
	double sup_trend = get_double(progress, "supplement_trend_ml_per_week");
	const char *start = "";
	g_autofree char *today_s = ml(today_ml), *avg_s = ml(avg), *sup_s = ml(sup_avg);
	g_autofree char *sup_week = ml(fabs(sup_trend));
	g_autofree char *min_s = ml(minutes);

	if (progress != NULL)
		g_variant_lookup(progress, "overnight_ok", "b", &overnight);
	if (plan != NULL)
		g_variant_lookup(plan, "start_date", "&s", &start);

	g_string_append_printf(o.out, "%sProgress%s", colour ? BOLD : "", colour ? RESET : "");
	if (*start != '\0' && days > 0)
		g_string_append_printf(o.out, " - %u day%s since your plan started on %s\n", days,
				       days == 1 ? "" : "s", start);
	else if (*start != '\0' && today != NULL && strcmp(start, today) > 0)
		g_string_append_printf(o.out, " - your plan starts on %s\n", start);
	else if (*start != '\0')
		g_string_append_printf(o.out, " - your plan started today\n");
	else
		g_string_append(o.out, "\n");
	if (n == 0 && today_ml == 0 && avg == 0 && sup_avg == 0 && minutes == 0)
		g_string_append(o.out, "Nothing recorded in the last days yet. Every session,\n"
				       "pumped or logged, shows here as soon as it is recorded.\n");

	heading(&o, "Last 24 hours");
	if (n == 0)
		line(&o, "Sessions:", FALSE, "none yet (your plan: %u to %u)", smin, smax);
	else if (n >= smin && n <= smax)
		line(&o, "Sessions:", TRUE, "%u, within your plan of %u to %u", n, smin, smax);
	else if (n > smax)
		line(&o, "Sessions:", FALSE, "%u (your plan: %u to %u)", n, smin, smax);
	else
		line(&o, "Sessions:", FALSE, "%u so far (your plan: %u to %u)", n, smin, smax);
	if (overnight)
		line(&o, "Overnight:", TRUE, "yes, a session in the last overnight window");
	else
		line(&o, "Overnight:", FALSE, "not yet");
	if (minutes == 0)
		line(&o, "Per breast:", FALSE, "no timed sessions in the last 7 days yet");
	else if (mmax != 0 && minutes >= mmin && minutes <= mmax)
		line(&o, "Per breast:", TRUE,
		     "%s min typical over 7 days, within your plan of %u to %u", min_s, mmin, mmax);
	else if (mmax != 0)
		line(&o, "Per breast:", FALSE, "%s min typical over 7 days (your plan: %u to %u)",
		     min_s, mmin, mmax);
	else
		line(&o, "Per breast:", FALSE, "%s min typical over 7 days", min_s);

	heading(&o, "Milk expressed");
	if (progress != NULL && !has(progress, "volume_today_ml"))
		line(&o, "Today so far:", FALSE, "not measured (no session today had a volume)");
	else
		line(&o, "Today so far:", today_ml > 0, "%s mL", today_s);
	/* days_counted_7d 0: no complete day yet, which is not an average of 0.
	 * A daemon without the key counted what it averaged. */
	guint32 counted = 1;
	if (progress != NULL)
		g_variant_lookup(progress, "days_counted_7d", "u", &counted);
	if (counted == 0)
		line(&o, "Daily average:", FALSE, "from tomorrow, after the first whole day");
	else if (progress != NULL && !has(progress, "volume_7d_avg_ml"))
		line(&o, "Daily average:", FALSE, "not measured on any of the last 7 days");
	else
		line(&o, "Daily average:", FALSE, "%s mL a day over the last 7 days", avg_s);
	trend_line(&o, progress == NULL || has(progress, "volume_trend_ml_per_week"), trend);

	heading(&o, "Supplement");
	/* No complete day yet: today's supplement is in no average so far. */
	if (counted == 0 && progress != NULL && !has(progress, "supplement_7d_avg_ml"))
		line(&o, "Daily average:", FALSE, "from tomorrow, after the first whole day");
	else if (sup_avg == 0 && fabs(sup_trend) < 0.05)
		line(&o, "Daily average:", FALSE, "none recorded in the last 7 days");
	else
		line(&o, "Daily average:", FALSE, "%s mL a day over the last 7 days", sup_s);
	if (sup_trend <= -0.05)
		line(&o, "Trend:", TRUE,
		     "-%s mL/week: less supplement week by week. That is progress.", sup_week);
	else if (sup_trend >= 0.05)
		line(&o, "Trend:", FALSE, "+%s mL/week: more supplement week by week", sup_week);
	else if (sup_avg > 0 && has(progress, "supplement_trend_ml_per_week"))
		line(&o, "Trend:", FALSE, "0 mL/week: level over 4 weeks");
	else if (sup_avg > 0)
		line(&o, "Trend:", FALSE, "shown once 7 days are recorded");

	if (*start == '\0')
		g_string_append(o.out, "\nNo plan start date yet: lactctl plan set --start YYYY-MM-DD\n");
	g_string_append(o.out, "\nEvery session and every drop is in the log, and each one counts.\n");
	return g_string_free(o.out, FALSE);
}
