/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GetProgress's invariants over random histories in several time zones:
 * its figures recomputed by brute force from the stored sessions, and a
 * trend whose slope is 0 for a constant series, kept by an offset and
 * scaled with the volumes. */
#include "config.h"

#include <math.h>

#include "lactd-progress.h"
#include "test-progress.h"

static const char *const zones[] = {"UTC", "America/New_York", "Europe/Berlin",
				    "Australia/Lord_Howe"};

static guint32
julian_local(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(t / G_USEC_PER_SEC);
	g_autoptr(GDate) d = g_date_new_dmy((GDateDay)g_date_time_get_day_of_month(dt),
					    (GDateMonth)g_date_time_get_month(dt),
					    (GDateYear)g_date_time_get_year(dt));

	return g_date_get_julian(d);
}

static guint
minute_local(gint64 t)
{
	g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(t / G_USEC_PER_SEC);

	return (guint)(g_date_time_get_hour(dt) * 60 + g_date_time_get_minute(dt));
}

typedef struct {
	gint64 now;
	guint32 first_day; /* of the history */
} History;

/* GetProgress's figures worked out again from the raw list. */
typedef struct {
	double avg, slope, sup_avg, sup_slope;
	gboolean has_avg, has_slope, has_sup_avg, has_sup_slope, has_today;
} Expected;

/* A random history of whole-second times ending at a random time of 2024:
 * `days` days, each with 0 to 12 sessions; volumes in tenths of mL. */
static History
random_history(LactdStore *store, int days, double scale, double offset, gboolean unmeasured)
{
	g_autoptr(GError) error = NULL;
	History h;
	gint64 base = (gint64)1704067200 * G_USEC_PER_SEC; /* 2024-01-01 UTC */
	gint64 t;

	h.now = base + (gint64)g_test_rand_int_range(0, 365 * 24 * 60) * G_TIME_SPAN_MINUTE;
	t = h.now - (gint64)days * G_TIME_SPAN_DAY;
	h.first_day = G_MAXUINT32;
	g_assert_true(lactd_store_begin(store, &error));
	for (int d = 0; d < days; d++) {
		int n = g_test_rand_int_range(0, 13);
		for (int i = 0; i < n; i++) {
			gint64 start = t + (gint64)d * G_TIME_SPAN_DAY +
				       (gint64)g_test_rand_int_range(0, 86400) * G_USEC_PER_SEC;
			int k = g_test_rand_int_range(0, 10);
			LactdSessionKind kind = k < 6	? LACTD_SESSION_PUMP
						: k < 7 ? LACTD_SESSION_HAND
						: k < 8 ? LACTD_SESSION_NURSING
							: LACTD_SESSION_SUPPLEMENT;
			double l = g_test_rand_int_range(0, 2000) / 10.0 * scale;
			double r = g_test_rand_int_range(0, 2000) / 10.0 * scale;

			if (start > h.now)
				continue;
			/* Feeds at the breast, not weighed: no volume at all. */
			if (unmeasured && kind == LACTD_SESSION_NURSING)
				add_unmeasured(store, kind, start, g_test_rand_int_range(0, 45));
			else
				add(store, kind, start, g_test_rand_int_range(0, 45), l, r, l);
			h.first_day = MIN(h.first_day, julian_local(start));
		}
		/* Adding the same to every day's volume and supplement. */
		if (offset != 0 && t + (gint64)d * G_TIME_SPAN_DAY <= h.now) {
			gint64 start = t + (gint64)d * G_TIME_SPAN_DAY;
			add(store, LACTD_SESSION_PUMP, start, 10, offset, 0, 0);
			add(store, LACTD_SESSION_SUPPLEMENT, start + 1, 10, 0, 0, offset);
			h.first_day = MIN(h.first_day, julian_local(start));
		}
	}
	g_assert_true(lactd_store_commit(store, &error));
	return h;
}

static GPtrArray *
all_sessions(LactdStore *store)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *all = lactd_store_list_sessions(store, G_MININT64, G_MAXINT64, &error);

	g_assert_no_error(error);
	return all;
}

/* Per-day sums straight from the raw list, and the figures from them. */
static void
recompute(LactdStore *store, const LactdPlan *plan, gint64 now, Expected *e)
{
	g_autoptr(GPtrArray) all = all_sessions(store);
	guint32 today = julian_local(now), first = G_MAXUINT32, plan_day = 0;
	double vol[28] = {0}, sup[28] = {0};
	gboolean removal[28] = {0}, measured[28] = {0};
	gboolean removal_today = FALSE, measured_today = FALSE;
	double sx = 0, sy = 0, n = 0, sxx = 0, sxy = 0, sum7 = 0, sup7 = 0, n7 = 0, nv7 = 0;
	double ssx = 0, ssy = 0, sn = 0, ssxx = 0, ssxy = 0;

	if (plan->start_date[0] != '\0') {
		g_autoptr(GDate) d = g_date_new();
		g_date_set_parse(d, plan->start_date);
		g_assert_true(g_date_valid(d));
		plan_day = g_date_get_julian(d);
	}
	for (guint i = 0; i < all->len; i++) {
		const LactdSession *s = g_ptr_array_index(all, i);
		guint32 day;

		if (s->start_us > now)
			continue;
		day = julian_local(s->start_us);
		first = MIN(first, day);
		/* Measured: a side, or a weighing (the test writes none). */
		if (day == today && s->kind != LACTD_SESSION_SUPPLEMENT) {
			removal_today = TRUE;
			measured_today = measured_today || s->has_volume;
		}
		if (day >= today || day + 28 < today)
			continue;
		if (s->kind == LACTD_SESSION_SUPPLEMENT) {
			sup[day + 28 - today] += s->supplement_ml;
		} else {
			vol[day + 28 - today] += s->left_ml + s->right_ml + s->extra_ml;
			removal[day + 28 - today] = TRUE;
			measured[day + 28 - today] |= s->has_volume;
		}
	}
	for (guint i = 0; i < 28; i++) {
		guint32 day = today - 28 + i;
		gboolean known;

		if (day < first || day < plan_day)
			continue;
		/* Supplements count every day; volumes only the days whose
		 * volume is known. */
		ssx += i;
		ssy += sup[i];
		sn++;
		if (i >= 21) {
			sup7 += sup[i];
			n7++;
		}
		known = !removal[i] || measured[i];
		if (!known)
			continue;
		sx += i;
		sy += vol[i];
		n++;
		if (i >= 21) {
			sum7 += vol[i];
			nv7++;
		}
	}
	e->has_avg = nv7 > 0;
	e->avg = nv7 > 0 ? sum7 / nv7 : 0;
	e->has_sup_avg = n7 > 0;
	e->sup_avg = n7 > 0 ? sup7 / n7 : 0;
	e->has_today = !removal_today || measured_today;
	e->has_slope = n >= 7;
	e->has_sup_slope = sn >= 7;
	for (guint i = 0; i < 28; i++) {
		guint32 day = today - 28 + i;
		if (day < first || day < plan_day)
			continue;
		ssxx += (i - ssx / sn) * (i - ssx / sn);
		ssxy += (i - ssx / sn) * (sup[i] - ssy / sn);
		if (removal[i] && !measured[i])
			continue;
		sxx += (i - sx / n) * (i - sx / n);
		sxy += (i - sx / n) * (vol[i] - sy / n);
	}
	e->slope = n >= 7 ? 7 * sxy / sxx : 0;
	e->sup_slope = sn >= 7 ? 7 * ssxy / ssxx : 0;
}

/* A figure and whether it is there; the value only when it is. */
static void
assert_figure(GVariant *p, const char *key, gboolean present, double value)
{
	if (!present) {
		g_assert_false(has(p, key));
		return;
	}
	g_assert_cmpfloat_with_epsilon(get_d(p, key), value, 0.0501);
}

/* The overnight window of a local time by brute force: minute after minute
 * back from now, the first window met that is not the open one. */
static guint32
window_key(const LactdPlan *plan, gint64 t)
{
	guint m = minute_local(t), s = plan->overnight_start, e = plan->overnight_end;
	guint32 day = julian_local(t);

	if (s < e)
		return m >= s && m < e ? day : 0;
	return m >= s ? day : m < e ? day - 1 : 0;
}

static gboolean
brute_overnight(LactdStore *store, const LactdPlan *plan, gint64 now)
{
	g_autoptr(GPtrArray) all = all_sessions(store);
	guint32 current = window_key(plan, now), last = 0;

	for (gint64 t = now; t > now - 3 * G_TIME_SPAN_DAY; t -= G_TIME_SPAN_MINUTE) {
		guint32 k = window_key(plan, t);
		if (k != 0 && k != current) {
			last = k;
			break;
		}
	}
	g_assert_cmpuint(last, !=, 0);
	for (guint i = 0; i < all->len; i++) {
		const LactdSession *s = g_ptr_array_index(all, i);
		guint32 k;

		if (s->kind == LACTD_SESSION_SUPPLEMENT || s->start_us > now)
			continue;
		k = window_key(plan, s->start_us);
		if (k != 0 && (k == current || k == last))
			return TRUE;
	}
	return FALSE;
}

static void
random_plan(LactdPlan *plan, gint64 now)
{
	guint length = (guint)g_test_rand_int_range(90, 12 * 60);

	lactd_plan_init_default(plan);
	/* Windows of 90 minutes or more: a shorter one can fall wholly in a
	 * skipped DST hour, and then there is no such night at all. */
	plan->overnight_start = (guint)g_test_rand_int_range(0, 24 * 60);
	plan->overnight_end = (plan->overnight_start + length) % (24 * 60);
	if (g_test_rand_bit()) {
		gint64 start = now - (gint64)g_test_rand_int_range(-3, 40) * G_TIME_SPAN_DAY;
		g_autoptr(GDateTime) dt = g_date_time_new_from_unix_local(start / G_USEC_PER_SEC);
		g_autofree char *s = g_date_time_format(dt, "%Y-%m-%d");
		g_strlcpy(plan->start_date, s, sizeof(plan->start_date));
	}
}

#define ROUNDS 40

static void
test_random_invariants(Fixture *f, gconstpointer data)
{
	for (guint round = 0; round < ROUNDS; round++) {
		g_autoptr(LactdStore) store = new_store(f);
		g_autoptr(GVariant) p = NULL;
		g_autoptr(GPtrArray) all = NULL;
		History h;
		LactdPlan plan;
		Expected e;
		guint count = 0, in_24h = 0;

		set_tz(zones[round % G_N_ELEMENTS(zones)]);
		h = random_history(store, g_test_rand_int_range(1, 61), 1, 0, TRUE);
		random_plan(&plan, h.now);
		g_test_message("round %u: %s, now %" G_GINT64_FORMAT ", plan %s, night %u-%u",
			       round, zones[round % G_N_ELEMENTS(zones)], h.now, plan.start_date,
			       plan.overnight_start, plan.overnight_end);
		p = progress(store, &plan, h.now);
		recompute(store, &plan, h.now, &e);
		assert_figure(p, "volume_7d_avg_ml", e.has_avg, e.avg);
		assert_figure(p, "supplement_7d_avg_ml", e.has_sup_avg, e.sup_avg);
		assert_figure(p, "volume_trend_ml_per_week", e.has_slope, e.slope);
		assert_figure(p, "supplement_trend_ml_per_week", e.has_sup_slope, e.sup_slope);
		g_assert_cmpint(has(p, "volume_today_ml"), ==, e.has_today);

		all = all_sessions(store);
		for (guint i = 0; i < all->len; i++) {
			const LactdSession *s = g_ptr_array_index(all, i);
			count++;
			if (s->kind != LACTD_SESSION_SUPPLEMENT && s->start_us <= h.now &&
			    s->start_us > h.now - G_TIME_SPAN_DAY)
				in_24h++;
		}
		g_assert_cmpuint(get_u(p, "sessions_24h"), <=, count);
		g_assert_cmpuint(get_u(p, "sessions_24h"), ==, in_24h);

		g_assert_cmpint(get_b(p, "overnight_ok"), ==, brute_overnight(store, &plan, h.now));
		/* And at other times of the same history. */
		for (guint k = 0; k < 6; k++) {
			gint64 t = h.now - (gint64)g_test_rand_int_range(0, 3 * 24 * 60) *
					       G_TIME_SPAN_MINUTE;
			g_autoptr(GVariant) q = progress(store, &plan, t);
			g_assert_cmpint(get_b(q, "overnight_ok"), ==,
					brute_overnight(store, &plan, t));
		}
	}
}

/* Noon, local, of a Julian day. */
static gint64
local_noon(guint32 julian, int hour)
{
	g_autoptr(GDate) d = g_date_new_julian(julian);

	return local_us(g_date_get_year(d), g_date_get_month(d), g_date_get_day(d), hour, 0);
}

/* A constant series has slope 0; adding a constant to each day keeps the
 * slope; multiplying every volume multiplies it. */
static void
test_random_slope(Fixture *f, gconstpointer data)
{
	for (guint round = 0; round < ROUNDS; round++) {
		double k = g_test_rand_int_range(2, 5);
		double c = g_test_rand_int_range(1, 500);
		g_autoptr(LactdStore) s1 = new_store(f);
		g_autoptr(LactdStore) s2 = new_store(f);
		g_autoptr(LactdStore) s3 = new_store(f);
		g_autoptr(LactdStore) s4 = new_store(f);
		g_autoptr(GVariant) p1 = NULL, p2 = NULL, p3 = NULL, p4 = NULL;
		g_autoptr(GPtrArray) all = NULL;
		g_autoptr(GError) error = NULL;
		double base, sup_base;
		guint32 today;
		LactdPlan plan;
		History h;

		set_tz(zones[round % G_N_ELEMENTS(zones)]);
		lactd_plan_init_default(&plan);
		h = random_history(s1, g_test_rand_int_range(10, 61), 1, 0, FALSE);
		today = julian_local(h.now);
		g_test_message("round %u: %s, now %" G_GINT64_FORMAT ", k %g, c %g", round,
			       zones[round % G_N_ELEMENTS(zones)], h.now, k, c);

		/* s2: s1 plus c on every day from the first; s3: s1 times k. */
		all = all_sessions(s1);
		g_assert_true(lactd_store_begin(s2, &error));
		g_assert_true(lactd_store_begin(s3, &error));
		for (guint i = 0; i < all->len; i++) {
			const LactdSession *s = g_ptr_array_index(all, i);
			double minutes = (double)(s->end_us - s->start_us) / G_TIME_SPAN_MINUTE;

			add(s2, s->kind, s->start_us, minutes, s->left_ml, s->right_ml,
			    s->supplement_ml);
			add(s3, s->kind, s->start_us, minutes, s->left_ml * k, s->right_ml * k,
			    s->supplement_ml * k);
		}
		for (guint32 day = h.first_day; day < today; day++) {
			add(s2, LACTD_SESSION_PUMP, local_noon(day, 12), 1, c, 0, 0);
			add(s2, LACTD_SESSION_SUPPLEMENT, local_noon(day, 12), 1, 0, 0, c);
		}
		g_assert_true(lactd_store_commit(s2, &error));
		g_assert_true(lactd_store_commit(s3, &error));
		g_assert_no_error(error);

		p1 = progress(s1, &plan, h.now);
		p2 = progress(s2, &plan, h.now);
		p3 = progress(s3, &plan, h.now);
		if (has(p1, "volume_trend_ml_per_week")) {
			base = get_d(p1, "volume_trend_ml_per_week");
			sup_base = get_d(p1, "supplement_trend_ml_per_week");
			/* Each figure is rounded to 0.1: allow that much. */
			g_assert_cmpfloat_with_epsilon(get_d(p2, "volume_trend_ml_per_week"), base,
						       0.1001);
			g_assert_cmpfloat_with_epsilon(get_d(p2, "supplement_trend_ml_per_week"),
						       sup_base, 0.1001);
			g_assert_cmpfloat_with_epsilon(get_d(p3, "volume_trend_ml_per_week"),
						       k * base, 0.05 * (k + 1) + 1e-6);
			g_assert_cmpfloat_with_epsilon(get_d(p3, "supplement_trend_ml_per_week"),
						       k * sup_base, 0.05 * (k + 1) + 1e-6);
		} else {
			/* Fewer than 7 days from the first session: no trend. */
			g_assert_false(has(p2, "volume_trend_ml_per_week"));
			g_assert_false(has(p3, "supplement_trend_ml_per_week"));
		}

		/* s4: c a day, split over a random number of sessions. */
		g_assert_true(lactd_store_begin(s4, &error));
		for (guint32 day = today - 35; day < today; day++) {
			int split = g_test_rand_int_range(1, 5);
			double part = floor(c / split);
			/* Whole mL, so that the store's rounding keeps each day c. */
			for (int i = 0; i < split; i++)
				add(s4, LACTD_SESSION_PUMP, local_noon(day, 4 * i + 2), 10,
				    i + 1 < split ? part : c - part * (split - 1), 0, 0);
		}
		g_assert_true(lactd_store_commit(s4, &error));
		p4 = progress(s4, &plan, h.now);
		g_assert_cmpfloat(get_d(p4, "volume_trend_ml_per_week"), ==, 0);
		g_assert_cmpfloat_with_epsilon(get_d(p4, "volume_7d_avg_ml"), c, 0.0501);
	}
}

void
add_random_tests(void)
{
	g_test_add("/progress/random/invariants", Fixture, NULL, fixture_setup,
		   test_random_invariants, fixture_teardown);
	g_test_add("/progress/random/slope", Fixture, NULL, fixture_setup, test_random_slope,
		   fixture_teardown);
}
