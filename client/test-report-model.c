/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report's numbers: days, 7-day averages, weeks, trends, DST day lengths,
 * and values not measured kept apart from 0. */
#include "config.h"

#include <math.h>

#include "report-model.h"

static GDate
date(int y, int m, int d)
{
	GDate g;

	g_date_clear(&g, 1);
	g_date_set_dmy(&g, d, m, y);
	return g;
}

static void
add(ReportModel *m, int day, double hour, ReportKind kind, double left, double right,
    double total, double supplement, ReportMilk milk)
{
	ReportSession s = {0};

	s.kind = kind;
	s.left_ml = left;
	s.right_ml = right;
	s.total_ml = total;
	s.left_min = s.right_min = NAN;
	s.supplement_ml = supplement;
	s.milk = milk;
	s.julian = g_date_get_julian(&m->first) + day;
	s.hour = hour;
	report_model_add_session(m, &s);
}

static void
summary(ReportModel *m, guint day, guint sessions, gboolean overnight)
{
	ReportSummary r = {0};

	r.julian = g_date_get_julian(&m->first) + day;
	r.sessions = sessions;
	r.overnight = overnight;
	g_array_append_val(m->summaries, r);
}

static void
test_weeks(void)
{
	GDate a = date(2026, 3, 2), b = date(2026, 3, 17); /* 16 days: 7 + 7 + 2 */
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	g_autoptr(ReportModel) m = report_model_new(&a, &b, tz);
	const ReportWeek *w;

	/* Week 1: 10 mL each day on 2 sessions (4 + 6); week 2: 20 mL on days 7..13 */
	for (guint d = 0; d < 14; d++) {
		double v = d < 7 ? 10 : 20;

		add(m, d, 3, REPORT_KIND_PUMP, v * 0.4, v * 0.6, v, NAN, 0);
		add(m, d, 15, REPORT_KIND_PUMP, NAN, NAN, NAN, NAN, 0);
		summary(m, d, 2, d % 2 == 0);
	}
	/* Outside the range: fetched with a margin, not counted */
	add(m, -1, 23, REPORT_KIND_PUMP, 50, 50, 100, NAN, 0);
	add(m, 16, 0.5, REPORT_KIND_PUMP, 50, 50, 100, NAN, 0);
	/* Day 14: a supplement of formula and donor milk, nothing expressed */
	add(m, 14, 9, REPORT_KIND_SUPPLEMENT, NAN, NAN, NAN, 30, REPORT_MILK_FORMULA);
	add(m, 14, 10, REPORT_KIND_SUPPLEMENT, NAN, NAN, NAN, 12.5, REPORT_MILK_DONOR);
	report_model_compute(m);

	g_assert_cmpuint(m->days->len, ==, 16);
	g_assert_cmpuint(m->sessions->len, ==, 14 * 2 + 2);
	g_assert_cmpfloat_with_epsilon(m->volume_max_ml, 20, 1e-9);
	g_assert_cmpuint(m->weeks->len, ==, 3);
	w = &g_array_index(m->weeks, ReportWeek, 0);
	g_assert_cmpuint(w->n_days, ==, 7);
	g_assert_cmpuint(w->sessions, ==, 14);
	g_assert_cmpfloat_with_epsilon(w->volume_ml, 70, 1e-9);
	g_assert_cmpfloat_with_epsilon(w->volume_per_day, 10, 1e-9);
	g_assert_cmpuint(w->nights, ==, 4); /* days 0, 2, 4, 6 */
	g_assert_true(isnan(w->trend_ml_per_day));
	w = &g_array_index(m->weeks, ReportWeek, 1);
	g_assert_cmpfloat_with_epsilon(w->volume_per_day, 20, 1e-9);
	g_assert_cmpfloat_with_epsilon(w->trend_ml_per_day, 10, 1e-9);
	g_assert_cmpuint(w->nights, ==, 3);
	w = &g_array_index(m->weeks, ReportWeek, 2);
	g_assert_cmpuint(w->n_days, ==, 2);
	/* Nothing measured in the last week: not 0, and no trend from it */
	g_assert_true(isnan(w->volume_ml));
	g_assert_true(isnan(w->trend_ml_per_day));
	g_assert_cmpfloat_with_epsilon(w->supplement_ml, 42.5, 1e-9);
	g_assert_cmpfloat_with_epsilon(w->supplement_per_day, 21.25, 1e-9);
	{
		const ReportDay *d = &g_array_index(m->days, ReportDay, 14);

		g_assert_cmpfloat_with_epsilon(d->supplement_by_milk[REPORT_MILK_FORMULA], 30, 1e-9);
		g_assert_cmpfloat_with_epsilon(d->supplement_by_milk[REPORT_MILK_DONOR], 12.5, 1e-9);
		g_assert_true(isnan(d->total_ml));
		d = &g_array_index(m->days, ReportDay, 15);
		g_assert_false(d->recorded);
		g_assert_true(isnan(d->supplement_ml));
		d = &g_array_index(m->days, ReportDay, 3);
		g_assert_cmpfloat_with_epsilon(d->sided_left_ml, 4, 1e-9);
		g_assert_cmpfloat_with_epsilon(d->sided_right_ml, 6, 1e-9);
		g_assert_cmpfloat_with_epsilon(d->unsided_ml, 0, 1e-9);
	}
}

static void
test_averages(void)
{
	GDate a = date(2026, 1, 1), b = date(2026, 1, 10);
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	g_autoptr(ReportModel) m = report_model_new(&a, &b, tz);
	const ReportDay *d;

	/* Days 0..9 with volumes 1..10, except day 4: a nursing session not weighed */
	for (guint i = 0; i < 10; i++) {
		if (i == 4)
			add(m, i, 8, REPORT_KIND_NURSING, NAN, NAN, NAN, NAN, 0);
		else
			add(m, i, 8, REPORT_KIND_HAND, NAN, NAN, i + 1, NAN, 0);
	}
	report_model_compute(m);
	d = &g_array_index(m->days, ReportDay, 0);
	g_assert_cmpfloat_with_epsilon(d->avg7_ml, 1, 1e-9);
	g_assert_cmpfloat_with_epsilon(d->unsided_ml, 1, 1e-9);
	d = &g_array_index(m->days, ReportDay, 4);
	g_assert_true(d->recorded);
	g_assert_true(isnan(d->total_ml));
	/* (1 + 2 + 3 + 4) / 4: the unmeasured day is left out, not counted as 0 */
	g_assert_cmpfloat_with_epsilon(d->avg7_ml, 2.5, 1e-9);
	d = &g_array_index(m->days, ReportDay, 9);
	/* days 3..9 without day 4: 4 + 6 + 7 + 8 + 9 + 10 = 44 over 6 */
	g_assert_cmpfloat_with_epsilon(d->avg7_ml, 44.0 / 6, 1e-9);
	/* slope of i + 1 is 1 mL per day, 7 per week, whatever is skipped */
	g_assert_cmpfloat_with_epsilon(m->volume_trend_ml_per_week, 7, 1e-9);
	g_assert_cmpfloat_with_epsilon(m->volume_max_ml, 10, 1e-9);
	g_assert_true(isnan(m->supplement_trend_ml_per_week));
}

static void
test_trend(void)
{
	double y[] = {10, NAN, 14, 16, NAN, 20};
	double a, b;

	b = report_slope(y, G_N_ELEMENTS(y), &a);
	g_assert_cmpfloat_with_epsilon(b, 2, 1e-9);
	g_assert_cmpfloat_with_epsilon(a, 10, 1e-9);
	g_assert_true(isnan(report_slope(y, 1, NULL)));
	{
		double flat[] = {NAN, 5, NAN};

		g_assert_true(isnan(report_slope(flat, 3, &a)));
	}
	/* A falling supplement: 60, 55, ... over 8 days, then days without
	 * supplement count as 0 after the first */
	{
		GDate s = date(2026, 2, 1), e = date(2026, 2, 10);
		g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
		g_autoptr(ReportModel) m = report_model_new(&s, &e, tz);

		for (guint i = 0; i < 8; i++)
			add(m, i + 2, 12, REPORT_KIND_SUPPLEMENT, NAN, NAN, NAN, 60 - 5.0 * i,
			    REPORT_MILK_EXPRESSED);
		report_model_compute(m);
		g_assert_cmpfloat_with_epsilon(m->supplement_trend_ml_per_week, -35, 1e-9);
		g_assert_cmpfloat_with_epsilon(m->supplement_fit_a + m->supplement_fit_b * 2, 60, 1e-9);
	}
}

static void
test_dst(void)
{
	g_autoptr(GTimeZone) berlin = g_time_zone_new_identifier("Europe/Berlin");
	GDate spring = date(2026, 3, 29), autumn = date(2026, 10, 25), plain = date(2026, 3, 28);
	GDate a = date(2026, 3, 26), b = date(2026, 4, 1);

	if (berlin == NULL) {
		g_test_skip("no time zone data for Europe/Berlin (tzdata)");
		return;
	}
	g_assert_cmpfloat(report_day_hours(&spring, berlin), ==, 23);
	g_assert_cmpfloat(report_day_hours(&autumn, berlin), ==, 25);
	g_assert_cmpfloat(report_day_hours(&plain, berlin), ==, 24);
	g_assert_cmpint(report_day_start_us(&spring, berlin), ==, 1774738800LL * G_USEC_PER_SEC);
	{
		g_autoptr(ReportModel) m = report_model_new(&a, &b, berlin);

		report_model_compute(m);
		g_assert_cmpuint(m->days->len, ==, 7);
		g_assert_cmpuint(m->weeks->len, ==, 1);
		g_assert_cmpfloat(g_array_index(m->days, ReportDay, 3).hours, ==, 23);
		g_assert_cmpfloat(g_array_index(m->days, ReportDay, 2).hours, ==, 24);
		g_assert_cmpuint(m->n_recorded, ==, 0);
	}
}

static void
test_plan(void)
{
	GDate a = date(2026, 5, 1), b = date(2026, 5, 28), d;
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	g_autoptr(ReportModel) m = report_model_new(&a, &b, tz);

	m->plan.start_date = g_strdup("2026-04-20");
	report_model_compute(m);
	g_assert_cmpint(m->days_since_start, ==, 38);
	g_assert_false(report_model_weekly(m));
	g_assert_true(report_parse_date("2024-02-29", &d));
	g_assert_false(report_parse_date("2023-02-29", &d));
	g_assert_false(report_parse_date("2024-2-9", &d));
	g_assert_false(report_parse_date("2024-02-09x", &d));
	g_assert_false(report_parse_date(NULL, &d));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/report-model/weeks", test_weeks);
	g_test_add_func("/report-model/averages", test_averages);
	g_test_add_func("/report-model/trend", test_trend);
	g_test_add_func("/report-model/dst", test_dst);
	g_test_add_func("/report-model/plan", test_plan);
	return g_test_run();
}
