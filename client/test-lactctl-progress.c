/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The words of `lactctl progress` for the states a parent meets. */
#include "config.h"

#include <string.h>

#include "lactctl-progress.h"

/* Words that measure a parent against a target or tell them what to do.
 * None may appear, in any state. */
static const char *const shaming[] = {"only", "fail", "behind", "short", "missed", "should",
				      "must", "not enough", "too few sessions", "too little",
				      "low", "poor", "bad", "worse", "drop in", NULL};

typedef struct {
	guint32 sessions_24h;
	gboolean overnight;
	double minutes, today, avg, trend, sup_avg, sup_trend;
	guint32 days;
	const char *start;
	/* Keys the daemon leaves out: figures nobody measured. */
	const char *absent;
	/* days_counted_7d 0: the log began today. */
	gboolean first_day;
} State;

static void
add_double(GVariantBuilder *b, const State *s, const char *key, double v)
{
	g_auto(GStrv) absent = g_strsplit(s->absent != NULL ? s->absent : "", " ", -1);

	if (!g_strv_contains((const char *const *)absent, key))
		g_variant_builder_add(b, "{sv}", key, g_variant_new_double(v));
}

static GVariant *
progress_of(const State *s)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "sessions_24h", g_variant_new_uint32(s->sessions_24h));
	g_variant_builder_add(&b, "{sv}", "sessions_min", g_variant_new_uint32(8));
	g_variant_builder_add(&b, "{sv}", "sessions_max", g_variant_new_uint32(12));
	g_variant_builder_add(&b, "{sv}", "overnight_ok", g_variant_new_boolean(s->overnight));
	add_double(&b, s, "minutes_per_breast_7d", s->minutes);
	add_double(&b, s, "volume_today_ml", s->today);
	add_double(&b, s, "volume_7d_avg_ml", s->avg);
	add_double(&b, s, "volume_trend_ml_per_week", s->trend);
	add_double(&b, s, "supplement_7d_avg_ml", s->sup_avg);
	add_double(&b, s, "supplement_trend_ml_per_week", s->sup_trend);
	g_variant_builder_add(&b, "{sv}", "days_since_start", g_variant_new_uint32(s->days));
	if (s->first_day)
		g_variant_builder_add(&b, "{sv}", "days_counted_7d", g_variant_new_uint32(0));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static GVariant *
plan_of(const State *s)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "sessions_min", g_variant_new_uint32(8));
	g_variant_builder_add(&b, "{sv}", "sessions_max", g_variant_new_uint32(12));
	g_variant_builder_add(&b, "{sv}", "minutes_min", g_variant_new_uint32(15));
	g_variant_builder_add(&b, "{sv}", "minutes_max", g_variant_new_uint32(20));
	g_variant_builder_add(&b, "{sv}", "overnight_start", g_variant_new_string("00:00"));
	g_variant_builder_add(&b, "{sv}", "overnight_end", g_variant_new_string("06:00"));
	g_variant_builder_add(&b, "{sv}", "start_date", g_variant_new_string(s->start));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

/* The text without colour, after checking that no shaming word is in it,
 * with or without colour, and that colour means escapes and none means none. */
static char *
render(const State *s)
{
	g_autoptr(GVariant) p = progress_of(s);
	g_autoptr(GVariant) plan = plan_of(s);
	g_autofree char *coloured = lactctl_progress_text(p, plan, "2026-03-10", TRUE);
	char *plain = lactctl_progress_text(p, plan, "2026-03-10", FALSE);
	g_autofree char *lower = g_ascii_strdown(plain, -1);

	if (g_test_verbose())
		g_printerr("%s\n", plain);
	for (guint i = 0; shaming[i] != NULL; i++) {
		if (strstr(lower, shaming[i]) != NULL)
			g_error("'%s' in:\n%s", shaming[i], plain);
	}
	g_assert_null(strchr(plain, '\033'));
	g_assert_nonnull(strchr(coloured, '\033'));
	/* Never red (31) or any background: colour marks good news only. */
	g_assert_null(strstr(coloured, "\033[31m"));
	g_assert_null(strstr(coloured, "\033[4"));
	/* Every line fits a plain 80-column terminal over ssh. */
	{
		g_auto(GStrv) lines = g_strsplit(plain, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++)
			g_assert_cmpuint(g_utf8_strlen(lines[i], -1), <=, 80);
	}
	return plain;
}

static void
test_no_data(void)
{
	const State s = {.start = ""};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "Nothing recorded in the last days yet"));
	g_assert_nonnull(strstr(t, "Sessions:       none yet (your plan: 8 to 12)"));
	g_assert_nonnull(strstr(t, "Overnight:      not yet"));
	g_assert_nonnull(strstr(t, "no timed sessions in the last 7 days yet"));
	g_assert_nonnull(strstr(t, "Today so far:   0.0 mL"));
	g_assert_nonnull(strstr(t, "none recorded in the last 7 days"));
	g_assert_nonnull(strstr(t, "No plan start date yet: lactctl plan set --start"));
	g_assert_null(strstr(t, "-0.0"));
}

static void
test_good_day(void)
{
	const State s = {10, TRUE, 17.5, 420.5, 512.25, 35.0, 0, 0, 14, "2026-02-24", NULL, FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "Progress - 14 days since your plan started on 2026-02-24"));
	g_assert_nonnull(strstr(t, "Sessions:       10, within your plan of 8 to 12"));
	g_assert_nonnull(strstr(t, "Overnight:      yes"));
	g_assert_nonnull(strstr(t, "17.5 min typical over 7 days, within your plan of 15 to 20"));
	g_assert_nonnull(strstr(t, "Today so far:   420.5 mL"));
	g_assert_true(strstr(t, "512.2 mL a day over the last 7 days") != NULL ||
		      strstr(t, "512.3 mL a day over the last 7 days") != NULL);
	/* docs/progress.md: +35 mL/week is about 5 mL a day. */
	g_assert_nonnull(strstr(t, "+35.0 mL/week: rising by about 5.0 mL a day"));
	g_assert_null(strstr(t, "Nothing recorded"));
	g_assert_null(strstr(t, "No plan start date"));
}

static void
test_early_day(void)
{
	/* Three sessions so far: said as three sessions, not as five to go. */
	const State s = {3,    FALSE, 12.0,	    95.0,	  300.0,
			 0,    0,     0,	    0,		  "2026-03-10",
			 "volume_trend_ml_per_week supplement_trend_ml_per_week", FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "Progress - your plan started today"));
	g_assert_nonnull(strstr(t, "Sessions:       3 so far (your plan: 8 to 12)"));
	g_assert_null(strstr(t, " 5 "));
	g_assert_nonnull(strstr(t, "12.0 min typical over 7 days (your plan: 15 to 20)"));
	/* Under 7 days: no trend yet, which is not a level one. */
	g_assert_nonnull(strstr(t, "Trend:          shown once 7 days have a measured volume"));
	g_assert_null(strstr(t, "0 mL/week"));
}

/* The log began today, with a supplement: neither average exists yet, and
 * the supplement given today is not "none". */
static void
test_first_day(void)
{
	const State s = {.sessions_24h = 4,
			 .overnight = TRUE,
			 .minutes = 19.0,
			 .today = 215.9,
			 .start = "2026-03-10",
			 .absent = "volume_7d_avg_ml volume_trend_ml_per_week supplement_7d_avg_ml "
				   "supplement_trend_ml_per_week",
			 .first_day = TRUE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "Today so far:   215.9 mL"));
	g_assert_nonnull(strstr(t, "Supplement\n  Daily average:  from tomorrow, after the first "
				   "whole day"));
	g_assert_null(strstr(t, "none recorded"));
	g_assert_null(strstr(t, "0.0 mL a day"));
}

/* Feeds at the breast, none weighed: the sessions and minutes are there,
 * the volumes were not measured and say so; no 0.0 mL anywhere. */
static void
test_nursing_only(void)
{
	const State s = {9,
			 TRUE,
			 16.0,
			 0,
			 0,
			 0,
			 0,
			 0,
			 20,
			 "2026-02-18",
			 "volume_today_ml volume_7d_avg_ml volume_trend_ml_per_week", FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "Sessions:       9, within your plan of 8 to 12"));
	g_assert_nonnull(strstr(t, "16.0 min typical over 7 days"));
	g_assert_nonnull(strstr(t, "Today so far:   not measured (no session today had a volume)"));
	g_assert_nonnull(strstr(t, "Daily average:  not measured on any of the last 7 days"));
	g_assert_nonnull(strstr(t, "Trend:          shown once 7 days have a measured volume"));
	g_assert_null(strstr(t, "0.0 mL"));
	g_assert_null(strstr(t, "Nothing recorded"));
}

static void
test_falling_trend(void)
{
	const State s = {13, TRUE, 22.0, 250.0, 380.0, -21.0, 0, 0, 30, "2026-02-08", NULL, FALSE};
	g_autofree char *t = render(&s);

	/* Said plainly, the same shape of words as a rise. */
	g_assert_nonnull(strstr(t, "-21.0 mL/week: falling by about 3.0 mL a day over 4 weeks"));
	g_assert_nonnull(strstr(t, "Sessions:       13 (your plan: 8 to 12)"));
	g_assert_nonnull(strstr(t, "22.0 min typical over 7 days (your plan: 15 to 20)"));
}

static void
test_supplement_going_down(void)
{
	const State s = {9, TRUE, 16.0, 200.0, 310.0, 14.0, 120.0, -28.0, 21, "2026-02-17", NULL, FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "120.0 mL a day over the last 7 days"));
	g_assert_nonnull(strstr(t, "21 days since your plan started on 2026-02-17"));
	g_assert_nonnull(strstr(t, "-28.0 mL/week: less supplement week by week. That is progress."));
}

static void
test_supplement_going_up(void)
{
	const State s = {8, FALSE, 15.0, 100.0, 150.0, 0, 200.0, 14.0, 3, "2026-03-07", NULL, FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "3 days since your plan started"));
	g_assert_nonnull(strstr(t, "+14.0 mL/week: more supplement week by week"));
	g_assert_null(strstr(t, "That is progress"));
}

static void
test_plan_in_future(void)
{
	const State s = {1, FALSE, 0, 10.0, 0, 0, 0, 0, 0, "2026-04-01", NULL, FALSE};
	g_autofree char *t = render(&s);

	g_assert_nonnull(strstr(t, "your plan starts on 2026-04-01"));
	g_assert_nonnull(strstr(t, "Sessions:       1 so far"));
}

static void
test_colour_choice(void)
{
	g_assert_true(lactctl_progress_use_colour(TRUE, "xterm-256color", NULL));
	g_assert_true(lactctl_progress_use_colour(TRUE, "xterm", ""));
	g_assert_false(lactctl_progress_use_colour(FALSE, "xterm", NULL));
	g_assert_false(lactctl_progress_use_colour(TRUE, "dumb", NULL));
	g_assert_false(lactctl_progress_use_colour(TRUE, NULL, NULL));
	g_assert_false(lactctl_progress_use_colour(TRUE, "", NULL));
	g_assert_false(lactctl_progress_use_colour(TRUE, "xterm", "1"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lactctl/progress/no-data", test_no_data);
	g_test_add_func("/lactctl/progress/good-day", test_good_day);
	g_test_add_func("/lactctl/progress/early-day", test_early_day);
	g_test_add_func("/lactctl/progress/nursing-only", test_nursing_only);
	g_test_add_func("/lactctl/progress/first-day", test_first_day);
	g_test_add_func("/lactctl/progress/falling-trend", test_falling_trend);
	g_test_add_func("/lactctl/progress/supplement-going-down", test_supplement_going_down);
	g_test_add_func("/lactctl/progress/supplement-going-up", test_supplement_going_up);
	g_test_add_func("/lactctl/progress/plan-in-future", test_plan_in_future);
	g_test_add_func("/lactctl/progress/colour-choice", test_colour_choice);
	return g_test_run();
}
