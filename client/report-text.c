/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report's words and figures, shared by the drawn page and the HTML so
 * that both say the same. A value not measured is said so, never written 0;
 * nothing here advises.
 */
#include "config.h"

#include <math.h>

#include "report-draw.h"

const char *const report_week_headings[REPORT_WEEK_COLUMNS] = {
    "Week",	   "Days logged",	"Sessions",	    "per day",		    "Volume mL",
    "per day", "Supplement mL", "per day", "Nights with overnight", "Volume per day vs week before"};

static char *
date_text(const GDate *d, const char *format)
{
	char buf[64];

	if (g_date_strftime(buf, sizeof buf, format, d) == 0)
		return g_strdup("?");
	return g_strdup(buf);
}

char *
report_text_range(const ReportModel *m)
{
	g_autofree char *a = date_text(&m->first, "%a %d %b %Y");
	g_autofree char *b = date_text(&m->last, "%a %d %b %Y");

	return g_strdup_printf("%s to %s (%u days)", a, b, g_date_days_between(&m->first, &m->last) + 1);
}

char *
report_text_plan(const ReportModel *m)
{
	const ReportPlan *p = &m->plan;
	GString *s = g_string_new(NULL);

	g_string_append_printf(s, "Plan: %u to %u sessions per 24 h, one overnight (%s to %s), "
			       "%u to %u minutes per breast",
			       p->sessions_min, p->sessions_max,
			       p->overnight_start != NULL ? p->overnight_start : "00:00",
			       p->overnight_end != NULL ? p->overnight_end : "06:00", p->minutes_min,
			       p->minutes_max);
	if (m->days_since_start >= 0)
		g_string_append_printf(s, "; started %s, day %d of the plan on the last day",
				       p->start_date, m->days_since_start);
	else
		g_string_append(s, "; no start date set");
	return g_string_free(s, FALSE);
}

static char *
ml_text(double v)
{
	return isnan(v) ? g_strdup("not measured") : g_strdup_printf("%.1f", v);
}

char **
report_text_week(const ReportModel *m, guint week)
{
	const ReportWeek *w = &g_array_index(m->weeks, ReportWeek, week);
	const ReportDay *a = &g_array_index(m->days, ReportDay, w->first);
	const ReportDay *b = &g_array_index(m->days, ReportDay, w->first + w->n_days - 1);
	char **cells = g_new0(char *, REPORT_WEEK_COLUMNS + 1);
	g_autofree char *da = date_text(&a->date, "%d %b");
	g_autofree char *db = date_text(&b->date, "%d %b");
	gboolean any_supplement = FALSE;

	for (guint i = w->first; i < w->first + w->n_days; i++)
		any_supplement |= !isnan(g_array_index(m->days, ReportDay, i).supplement_ml);
	cells[0] = g_strdup_printf("%s - %s", da, db);
	cells[1] = g_strdup_printf("%u of %u", w->days_recorded, w->n_days);
	cells[2] = g_strdup_printf("%u", w->sessions);
	cells[3] = g_strdup_printf("%.1f", w->sessions_per_day);
	cells[4] = ml_text(w->volume_ml);
	/* "not measured" once per row is enough */
	cells[5] = isnan(w->volume_per_day) ? g_strdup("-") : ml_text(w->volume_per_day);
	cells[6] = any_supplement ? g_strdup_printf("%.1f", w->supplement_ml) : g_strdup("none logged");
	cells[7] = any_supplement ? g_strdup_printf("%.1f", w->supplement_per_day) : g_strdup("-");
	cells[8] = g_strdup_printf("%u of %u", w->nights, w->n_days);
	if (isnan(w->trend_ml_per_day))
		cells[9] = g_strdup(week == 0 ? "first week" : "-");
	else
		cells[9] = g_strdup_printf("%+.1f mL", w->trend_ml_per_day);
	return cells;
}

static const char *
kind_text(ReportKind kind)
{
	static const char *const names[] = {"pump", "hand", "nursing", "supplement", "session"};

	return names[MIN((guint)kind, G_N_ELEMENTS(names) - 1)];
}

char *
report_text_note(const ReportModel *m, guint i)
{
	const ReportSession *s = &g_array_index(m->sessions, ReportSession, i);
	GDate d;
	g_autofree char *day = NULL;
	int minutes = (int)floor(s->hour * 60 + 0.5);
	g_autofree char *note = NULL;

	if (s->note == NULL || *s->note == '\0')
		return NULL;
	g_date_clear(&d, 1);
	g_date_set_julian(&d, s->julian);
	day = date_text(&d, "%a %d %b");
	/* One line each: a note's own line breaks would break the list. */
	note = g_strdelimit(g_strdup(s->note), "\r\n\t", ' ');
	return g_strdup_printf("%s %02d:%02d %s: %s", day, (minutes / 60) % 24, minutes % 60,
			       kind_text(s->kind), note);
}
