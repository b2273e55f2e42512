/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GetProgress: hand-checked days, overnight windows, medians and trends, the
 * same across DST changes, and invariants over random histories (in
 * test-progress-random.c). */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <time.h>

#include "lactd-progress.h"
#include "test-progress.h"

/* A time zone and a day around which a case runs: the DST changes. */
typedef struct {
	const char *tz;
	int year, month, day;
} Where;

void
set_tz(const char *tz)
{
	g_setenv("TZ", tz, TRUE);
	tzset();
}

LactdStore *
new_store(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *name = g_strdup_printf("lactd-%u.db", f->n_stores++);
	g_autofree char *path = g_build_filename(f->dir, name, NULL);
	LactdStore *store = lactd_store_open(path, &degraded, &error);

	g_assert_no_error(error);
	g_assert_nonnull(store);
	g_assert_null(degraded);
	return store;
}

void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("lactd-progress-XXXXXX", &error);
	g_assert_no_error(error);
	f->store = new_store(f);
	set_tz(data != NULL ? ((const Where *)data)->tz : "UTC");
}

void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	g_clear_pointer(&f->store, lactd_store_close);
	dir = g_dir_open(f->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	set_tz("UTC");
}

/* Local wall-clock time to UTC microseconds (GLib moves a time in a DST gap
 * forward, as a clock would). */
gint64
local_us(int y, int mo, int d, int h, int mi)
{
	g_autoptr(GDateTime) dt = g_date_time_new_local(y, mo, d, h, mi, 0);

	g_assert_nonnull(dt);
	return g_date_time_to_unix(dt) * G_USEC_PER_SEC;
}

/* The local time `days` days after y-mo-d at h:mi. */
static gint64
local_day_us(const Where *w, int days, int h, int mi)
{
	g_autoptr(GDate) date = g_date_new_dmy((GDateDay)w->day, (GDateMonth)w->month,
					      (GDateYear)w->year);

	if (days >= 0)
		g_date_add_days(date, (guint)days);
	else
		g_date_subtract_days(date, (guint)-days);
	return local_us(g_date_get_year(date), g_date_get_month(date), g_date_get_day(date), h, mi);
}

void
add(LactdStore *store, LactdSessionKind kind, gint64 start, double minutes, double left,
    double right, double supplement)
{
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
	g_autoptr(GError) error = NULL;

	s->kind = kind;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = start;
	s->end_us = start + (gint64)(minutes * G_TIME_SPAN_MINUTE);
	s->left_ml = left;
	s->right_ml = right;
	s->has_volume = kind != LACTD_SESSION_SUPPLEMENT;
	s->supplement_ml = supplement;
	if (kind == LACTD_SESSION_SUPPLEMENT) {
		s->method = g_strdup("bottle");
		s->milk = g_strdup("donor");
	}
	g_assert_true(lactd_store_add_session(store, s, &error));
	g_assert_no_error(error);
}

void
add_unmeasured(LactdStore *store, LactdSessionKind kind, gint64 start, double minutes)
{
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
	g_autoptr(GError) error = NULL;

	s->kind = kind;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = start;
	s->end_us = start + (gint64)(minutes * G_TIME_SPAN_MINUTE);
	g_assert_true(lactd_store_add_session(store, s, &error));
	g_assert_no_error(error);
}

GVariant *
progress(LactdStore *store, const LactdPlan *plan, gint64 now)
{
	g_autoptr(GError) error = NULL;
	GVariant *p = lactd_progress_compute(store, plan, now, &error);

	g_assert_no_error(error);
	g_assert_nonnull(p);
	return g_variant_ref_sink(p);
}

guint
get_u(GVariant *p, const char *key)
{
	guint32 v = 0;

	g_assert_true(g_variant_lookup(p, key, "u", &v));
	return v;
}

double
get_d(GVariant *p, const char *key)
{
	double v = NAN;

	g_assert_true(g_variant_lookup(p, key, "d", &v));
	return v;
}

gboolean
has(GVariant *p, const char *key)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(p, key, NULL);

	return v != NULL;
}

gboolean
get_b(GVariant *p, const char *key)
{
	gboolean v = FALSE;

	g_assert_true(g_variant_lookup(p, key, "b", &v));
	return v;
}

/* ---- hand-checked cases ------------------------------------------------------------------ */

static const Where utc_day = {"UTC", 2024, 5, 14};

/* A day of 10 sessions, one of them overnight, and a supplement. */
static void
test_day(Fixture *f, gconstpointer data)
{
	const Where *w = data != NULL ? data : &utc_day;
	g_autoptr(GVariant) p = NULL;
	LactdPlan plan;
	static const int hours[] = {7, 9, 11, 13, 15, 17, 19, 21, 23};

	lactd_plan_init_default(&plan);
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, 0, 3, 30), 15, 30, 30, 0);
	for (guint i = 0; i < G_N_ELEMENTS(hours); i++)
		add(f->store, i == 3 ? LACTD_SESSION_NURSING : LACTD_SESSION_PUMP,
		    local_day_us(w, 0, hours[i], 0), 15, 30, 30, 0);
	add(f->store, LACTD_SESSION_SUPPLEMENT, local_day_us(w, 0, 12, 0), 10, 0, 0, 40);

	p = progress(f->store, &plan, local_day_us(w, 0, 23, 59));
	g_assert_cmpuint(get_u(p, "sessions_24h"), ==, 10);
	g_assert_cmpuint(get_u(p, "sessions_min"), ==, 8);
	g_assert_cmpuint(get_u(p, "sessions_max"), ==, 12);
	g_assert_true(get_b(p, "overnight_ok"));
	g_assert_cmpfloat(get_d(p, "volume_today_ml"), ==, 600);
	g_assert_cmpfloat(get_d(p, "minutes_per_breast_7d"), ==, 15);
	/* Today is not a complete day: no averages yet, and no 0 for them. */
	g_assert_false(has(p, "volume_7d_avg_ml"));
	g_assert_false(has(p, "supplement_7d_avg_ml"));
	g_assert_cmpuint(get_u(p, "days_counted_7d"), ==, 0);
	g_assert_cmpuint(get_u(p, "days_since_start"), ==, 0);
	g_clear_pointer(&p, g_variant_unref);

	/* Next night, before anything: the last complete night had one. */
	p = progress(f->store, &plan, local_day_us(w, 1, 0, 30));
	g_assert_true(get_b(p, "overnight_ok"));
	g_assert_cmpfloat(get_d(p, "volume_today_ml"), ==, 0);
	/* One complete day (yesterday): its total is the average. */
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 600);
	g_assert_cmpfloat(get_d(p, "supplement_7d_avg_ml"), ==, 40);
	g_clear_pointer(&p, g_variant_unref);

	/* That night is over with no session. */
	p = progress(f->store, &plan, local_day_us(w, 1, 7, 0));
	g_assert_false(get_b(p, "overnight_ok"));
	g_assert_cmpuint(get_u(p, "sessions_24h"), ==, 8); /* 07:00 is gone (24 h ago or more) */
	g_clear_pointer(&p, g_variant_unref);

	/* During a night, a session in it already counts. */
	add(f->store, LACTD_SESSION_HAND, local_day_us(w, 1, 4, 0), 10, 5, 5, 0);
	p = progress(f->store, &plan, local_day_us(w, 1, 4, 30));
	g_assert_true(get_b(p, "overnight_ok"));
	g_assert_cmpfloat(get_d(p, "volume_today_ml"), ==, 10);
}

/* The 24 hours are (now - 24 h, now]: the edges, in UTC where 24 h is a day. */
static void
test_24h_edges(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) p = NULL;
	gint64 now = local_us(2024, 5, 14, 12, 0);
	LactdPlan plan;

	lactd_plan_init_default(&plan);
	add(f->store, LACTD_SESSION_PUMP, now - G_TIME_SPAN_DAY, 10, 1, 1, 0);
	add(f->store, LACTD_SESSION_PUMP, now - G_TIME_SPAN_DAY + 1, 10, 1, 1, 0);
	add(f->store, LACTD_SESSION_PUMP, now, 10, 1, 1, 0);
	add(f->store, LACTD_SESSION_PUMP, now + 1, 10, 1, 1, 0);
	add(f->store, LACTD_SESSION_SUPPLEMENT, now - 1, 10, 0, 0, 30);
	p = progress(f->store, &plan, now);
	g_assert_cmpuint(get_u(p, "sessions_24h"), ==, 2);
}

/* A window across midnight, 23:00 to 05:00. */
static void
test_overnight_midnight(Fixture *f, gconstpointer data)
{
	const Where *w = data != NULL ? data : &utc_day;
	LactdPlan plan;
	struct {
		int day, h, m;
		gboolean ok;
	} checks[] = {
	    {0, 22, 0, FALSE}, /* the night before day 0 had nothing */
	    {0, 23, 45, TRUE}, /* open, and already has one */
	    {1, 4, 0, TRUE},
	    {1, 6, 0, TRUE},   /* closed with one */
	    {1, 23, 30, TRUE}, /* the next one is open and empty: the last closed had one */
	    {2, 5, 30, FALSE}, /* that one closed empty: 05:00 is not in it */
	    {3, 1, 0, FALSE},  /* open, empty so far, and the last one was empty */
	    {3, 5, 0, TRUE},   /* 04:59 was still in the night of day 2 */
	    {3, 12, 0, TRUE},
	    {4, 12, 0, FALSE},
	};

	lactd_plan_init_default(&plan);
	plan.overnight_start = 23 * 60;
	plan.overnight_end = 5 * 60;
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, 0, 23, 30), 20, 10, 10, 0);
	add(f->store, LACTD_SESSION_NURSING, local_day_us(w, 3, 4, 59), 20, 0, 0, 0);
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, 2, 5, 0), 20, 10, 10, 0);
	/* A supplement at night is not a milk removal. */
	add(f->store, LACTD_SESSION_SUPPLEMENT, local_day_us(w, 1, 23, 45), 10, 0, 0, 60);
	for (guint i = 0; i < G_N_ELEMENTS(checks); i++) {
		g_autoptr(GVariant) p =
		    progress(f->store, &plan, local_day_us(w, checks[i].day, checks[i].h, checks[i].m));
		g_test_message("check %u: day %d %02d:%02d", i, checks[i].day, checks[i].h,
			       checks[i].m);
		g_assert_cmpint(get_b(p, "overnight_ok"), ==, checks[i].ok);
	}
}

static void
test_median(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) p = NULL;
	gint64 now = local_us(2024, 5, 14, 12, 0);
	LactdPlan plan;
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
	g_autoptr(GError) error = NULL;

	lactd_plan_init_default(&plan);
	p = progress(f->store, &plan, now);
	/* No timed session: no figure, not 0 minutes. */
	g_assert_false(has(p, "minutes_per_breast_7d"));
	g_clear_pointer(&p, g_variant_unref);

	/* Per-side times: 10 and 15 minutes, then the right only: 20. */
	s->kind = LACTD_SESSION_NURSING;
	s->start_us = now - 3 * G_TIME_SPAN_HOUR;
	s->end_us = s->start_us + 40 * G_TIME_SPAN_MINUTE;
	s->left_seconds = 600;
	s->right_seconds = 900;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	s->start_us = now - 2 * G_TIME_SPAN_HOUR;
	s->left_seconds = 0;
	s->right_seconds = 1200;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	g_assert_no_error(error);
	/* Without: 12 minutes for each breast. */
	add(f->store, LACTD_SESSION_PUMP, now - G_TIME_SPAN_HOUR, 12, 10, 10, 0);
	/* Not counted: a supplement, a session 8 days ago, one with no duration. */
	add(f->store, LACTD_SESSION_SUPPLEMENT, now - G_TIME_SPAN_HOUR, 60, 0, 0, 50);
	add(f->store, LACTD_SESSION_PUMP, now - 8 * G_TIME_SPAN_DAY, 90, 10, 10, 0);
	add(f->store, LACTD_SESSION_PUMP, now - 4 * G_TIME_SPAN_HOUR, 0, 10, 10, 0);
	/* 10 12 12 15 20 */
	p = progress(f->store, &plan, now);
	g_assert_cmpfloat(get_d(p, "minutes_per_breast_7d"), ==, 12);
	g_clear_pointer(&p, g_variant_unref);

	/* 10 12 12 15 20 30 30 -> 15; then one more, 17.5 min: median of 8 values */
	add(f->store, LACTD_SESSION_HAND, now - 6 * G_TIME_SPAN_DAY, 30, 1, 1, 0);
	p = progress(f->store, &plan, now);
	g_assert_cmpfloat(get_d(p, "minutes_per_breast_7d"), ==, 15);
	g_clear_pointer(&p, g_variant_unref);
	s->start_us = now - 30 * G_TIME_SPAN_MINUTE;
	s->left_seconds = 1050;
	s->right_seconds = 0;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	p = progress(f->store, &plan, now);
	/* 10 12 12 15 17.5 20 30 30 -> (15 + 17.5) / 2 */
	g_assert_cmpfloat(get_d(p, "minutes_per_breast_7d"), ==, 16.3);
}

static const Where utc_trend = {"UTC", 2024, 6, 1};

/* Volume rising 8 mL a day over 40 days, supplement falling 5 mL a day:
 * the slopes are exactly 56 and -35 a week. */
static void
test_trend(Fixture *f, gconstpointer data)
{
	const Where *w = data != NULL ? data : &utc_trend;
	g_autoptr(GVariant) p = NULL;
	g_autoptr(GError) error = NULL;
	LactdPlan plan;

	lactd_plan_init_default(&plan);
	g_assert_true(lactd_store_begin(f->store, &error));
	for (int day = -40; day < 0; day++) {
		double v = 400 + 8 * (day + 40);
		double sup = 400 - 5 * (day + 40);
		/* Three sessions, one across the DST hour, and a supplement. */
		add(f->store, LACTD_SESSION_PUMP, local_day_us(w, day, 1, 30), 20, v / 4, v / 4, 0);
		add(f->store, LACTD_SESSION_PUMP, local_day_us(w, day, 9, 0), 20, v / 8, v / 8, 0);
		add(f->store, LACTD_SESSION_HAND, local_day_us(w, day, 23, 30), 20, v / 4, 0, 0);
		add(f->store, LACTD_SESSION_SUPPLEMENT, local_day_us(w, day, 12, 0), 10, 0, 0, sup);
	}
	g_assert_true(lactd_store_commit(f->store, &error));
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, 0, 8, 0), 20, 20.5, 20, 0);

	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_cmpfloat(get_d(p, "volume_trend_ml_per_week"), ==, 56);
	g_assert_cmpfloat(get_d(p, "supplement_trend_ml_per_week"), ==, -35);
	/* Days -7..-1 are 664..712. */
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 688);
	/* 235..205 */
	g_assert_cmpfloat(get_d(p, "supplement_7d_avg_ml"), ==, 220);
	g_assert_cmpfloat(get_d(p, "volume_today_ml"), ==, 40.5);
	g_clear_pointer(&p, g_variant_unref);

	/* With the plan starting 5 days ago, there are too few days for a trend. */
	{
		g_autoptr(GDate) d = g_date_new_dmy((GDateDay)w->day, (GDateMonth)w->month,
						    (GDateYear)w->year);
		g_date_subtract_days(d, 5);
		g_date_strftime(plan.start_date, sizeof(plan.start_date), "%Y-%m-%d", d);
	}
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_false(has(p, "volume_trend_ml_per_week"));
	g_assert_false(has(p, "supplement_trend_ml_per_week"));
	/* The five days -5..-1: 680..712 */
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 696);
	g_assert_cmpuint(get_u(p, "days_since_start"), ==, 5);
	g_clear_pointer(&p, g_variant_unref);

	/* Starting 10 days ago: the slope from those 10 days is the same. */
	{
		g_autoptr(GDate) d = g_date_new_dmy((GDateDay)w->day, (GDateMonth)w->month,
						    (GDateYear)w->year);
		g_date_subtract_days(d, 10);
		g_date_strftime(plan.start_date, sizeof(plan.start_date), "%Y-%m-%d", d);
	}
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_cmpfloat(get_d(p, "volume_trend_ml_per_week"), ==, 56);
	g_assert_cmpuint(get_u(p, "days_since_start"), ==, 10);
	g_clear_pointer(&p, g_variant_unref);

	/* A start date in the future counts no day. */
	g_strlcpy(plan.start_date, "2999-01-01", sizeof(plan.start_date));
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_cmpuint(get_u(p, "days_since_start"), ==, 0);
	g_assert_false(has(p, "volume_7d_avg_ml"));
	g_assert_false(has(p, "volume_trend_ml_per_week"));
}

/* Days before the first session are not zeros; empty days after it are. */
static void
test_first_session(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) p = NULL;
	const Where *w = &utc_trend;
	LactdPlan plan;

	lactd_plan_init_default(&plan);
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, -3, 9, 0), 20, 30, 30, 0);
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, -1, 9, 0), 20, 60, 60, 0);
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	/* Days -3, -2 (nothing), -1: (60 + 0 + 120) / 3 */
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 60);
	g_clear_pointer(&p, g_variant_unref);

	/* A session long before (a year) makes every day of the week count. */
	add(f->store, LACTD_SESSION_SUPPLEMENT, local_day_us(w, -400, 9, 0), 20, 0, 0, 10);
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 25.7); /* 180 / 7 */
}

/* A day whose milk removal nobody measured (feeds at the breast, not
 * weighed) has an unknown volume: it is left out of the volume figures, not
 * counted as 0, while its supplement still counts; a day with nothing at
 * all is still 0. A parent who only nurses sees no volume figure at all. */
static void
test_unmeasured(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) p = NULL;
	const Where *w = &utc_trend;
	LactdPlan plan;

	lactd_plan_init_default(&plan);
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, -3, 9, 0), 20, 50, 50, 0);
	for (int h = 6; h < 18; h += 4)
		add_unmeasured(f->store, LACTD_SESSION_NURSING, local_day_us(w, -2, h, 0), 20);
	add(f->store, LACTD_SESSION_SUPPLEMENT, local_day_us(w, -2, 12, 0), 10, 0, 0, 60);
	add_unmeasured(f->store, LACTD_SESSION_NURSING, local_day_us(w, 0, 7, 0), 25);

	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	/* Days -3 (100) and -1 (nothing: 0); -2 is unknown. */
	g_assert_cmpfloat(get_d(p, "volume_7d_avg_ml"), ==, 50);
	/* Supplement over -3, -2, -1. */
	g_assert_cmpfloat(get_d(p, "supplement_7d_avg_ml"), ==, 20);
	g_assert_cmpuint(get_u(p, "days_counted_7d"), ==, 3);
	/* Today's feed was not measured: no volume for today, not 0. */
	g_assert_false(has(p, "volume_today_ml"));
	/* Its minutes are known all the same. */
	g_assert_cmpfloat(get_d(p, "minutes_per_breast_7d"), ==, 20);
	g_clear_pointer(&p, g_variant_unref);

	/* One measured session today: today's volume is what was measured. */
	add(f->store, LACTD_SESSION_PUMP, local_day_us(w, 0, 9, 0), 15, 12.5, 0, 0);
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_cmpfloat(get_d(p, "volume_today_ml"), ==, 12.5);
	g_clear_pointer(&p, g_variant_unref);
}

/* Only feeds at the breast, none weighed, for weeks: no volume figure. */
static void
test_unmeasured_only(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) p = NULL;
	const Where *w = &utc_trend;
	LactdPlan plan;

	lactd_plan_init_default(&plan);
	for (int d = -20; d <= 0; d++)
		add_unmeasured(f->store, LACTD_SESSION_NURSING, local_day_us(w, d, 8, 0), 15);
	p = progress(f->store, &plan, local_day_us(w, 0, 10, 0));
	g_assert_false(has(p, "volume_today_ml"));
	g_assert_false(has(p, "volume_7d_avg_ml"));
	g_assert_false(has(p, "volume_trend_ml_per_week"));
	/* Supplement: none given on 7 counted days is 0, and level. */
	g_assert_cmpfloat(get_d(p, "supplement_7d_avg_ml"), ==, 0);
	g_assert_cmpfloat(get_d(p, "supplement_trend_ml_per_week"), ==, 0);
	g_assert_cmpuint(get_u(p, "days_counted_7d"), ==, 7);
	g_assert_cmpuint(get_u(p, "sessions_24h"), ==, 1);
}

/* ---- the same across DST changes -------------------------------------------------------- */

static const Where dst_days[] = {
    {"America/New_York", 2024, 3, 10},	 /* 02:00 -> 03:00 */
    {"America/New_York", 2024, 11, 3},	 /* 02:00 -> 01:00 */
    {"Europe/Berlin", 2024, 3, 31},	 /* 02:00 -> 03:00 */
    {"Europe/Berlin", 2024, 10, 27},	 /* 03:00 -> 02:00 */
    {"Australia/Lord_Howe", 2024, 4, 7},  /* 02:00 -> 01:30 */
    {"Australia/Lord_Howe", 2024, 10, 6}, /* 02:00 -> 02:30 */
};

/* The trend cases end a few days after the change, so it lies inside. */
static Where dst_trend_days[G_N_ELEMENTS(dst_days)];

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	set_tz("UTC");

	g_test_add("/progress/day", Fixture, NULL, fixture_setup, test_day, fixture_teardown);
	g_test_add("/progress/24h-edges", Fixture, NULL, fixture_setup, test_24h_edges,
		   fixture_teardown);
	g_test_add("/progress/overnight/midnight", Fixture, NULL, fixture_setup,
		   test_overnight_midnight, fixture_teardown);
	g_test_add("/progress/median", Fixture, NULL, fixture_setup, test_median, fixture_teardown);
	g_test_add("/progress/trend", Fixture, NULL, fixture_setup, test_trend, fixture_teardown);
	g_test_add("/progress/unmeasured", Fixture, NULL, fixture_setup, test_unmeasured,
		   fixture_teardown);
	g_test_add("/progress/unmeasured-only", Fixture, NULL, fixture_setup,
		   test_unmeasured_only, fixture_teardown);
	g_test_add("/progress/first-session", Fixture, NULL, fixture_setup, test_first_session,
		   fixture_teardown);
	for (guint i = 0; i < G_N_ELEMENTS(dst_days); i++) {
		const Where *w = &dst_days[i];
		g_autofree char *base = g_strdup_printf("/progress/dst/%s/%04d-%02d-%02d", w->tz,
							w->year, w->month, w->day);
		g_autofree char *day = g_strconcat(base, "/day", NULL);
		g_autofree char *night = g_strconcat(base, "/overnight-midnight", NULL);
		g_autofree char *trend = g_strconcat(base, "/trend", NULL);
		g_autoptr(GDate) d = g_date_new_dmy((GDateDay)w->day, (GDateMonth)w->month,
						    (GDateYear)w->year);

		g_date_add_days(d, 5);
		dst_trend_days[i] = (Where){w->tz, g_date_get_year(d), g_date_get_month(d),
					    g_date_get_day(d)};
		g_test_add(day, Fixture, w, fixture_setup, test_day, fixture_teardown);
		g_test_add(night, Fixture, w, fixture_setup, test_overnight_midnight,
			   fixture_teardown);
		g_test_add(trend, Fixture, &dst_trend_days[i], fixture_setup, test_trend,
			   fixture_teardown);
	}
	add_random_tests();
	return g_test_run();
}
