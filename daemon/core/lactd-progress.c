/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GetProgress. Everything is computed from one read of the last 29 local days
 * of sessions; days are local calendar days named by their Julian day number,
 * so that 23- and 25-hour days need no special case.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-progress.h"
#include "lactd-util.h"

/* Complete local days the trend looks at, and the average. */
#define TREND_DAYS 28
#define AVERAGE_DAYS 7
/* A slope from fewer days than this says more about noise than about milk. */
#define MIN_TREND_DAYS 7

/* Julian day number of a "YYYY-MM-DD", 0 when it is not a date. */
static guint32
julian_of(const char *day)
{
	unsigned y, m, d;
	char extra;
	g_autoptr(GDate) date = NULL;

	if (day == NULL || sscanf(day, "%4u-%2u-%2u%c", &y, &m, &d, &extra) != 3)
		return 0;
	if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y))
		return 0;
	date = g_date_new_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y);
	return g_date_get_julian(date);
}

static guint32
local_julian(gint64 time_us)
{
	char day[11];

	lactd_local_day(time_us, day);
	return julian_of(day);
}

/* The overnight window a local time falls in, named by the local day the
 * window opens on (a window across midnight opens the day before); 0 when
 * the time is outside every window. Wall-clock minutes, as the plan is set. */
static guint32
window_of(const LactdPlan *plan, guint32 day, guint minute)
{
	guint s = plan->overnight_start, e = plan->overnight_end;

	if (s < e)
		return minute >= s && minute < e ? day : 0;
	if (minute >= s)
		return day;
	if (minute < e)
		return day - 1;
	return 0;
}

/* Whether any session at all started before t. Sessions are not indexed by
 * "first ever", so look back in ranges that double, each an indexed query. */
static gboolean
has_session_before(LactdStore *store, gint64 t, gboolean *found, GError **error)
{
	gint64 span = G_TIME_SPAN_DAY;
	gint64 end = t;

	for (;;) {
		gint64 start = end > G_MININT64 + span ? end - span : G_MININT64;
		g_autoptr(GPtrArray) list = lactd_store_list_sessions(store, start, end, error);

		if (list == NULL)
			return FALSE;
		if (list->len > 0 || start == G_MININT64) {
			*found = list->len > 0;
			return TRUE;
		}
		end = start;
		if (span < G_MAXINT64 / 4)
			span *= 2;
	}
}

static int
compare_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(GArray *values)
{
	guint n = values->len;

	if (n == 0)
		return NAN; /* no timed session: no figure */
	g_array_sort(values, compare_double);
	if (n % 2 == 1)
		return g_array_index(values, double, n / 2);
	return (g_array_index(values, double, n / 2 - 1) + g_array_index(values, double, n / 2)) / 2;
}

/* Mean of the counted days among the last `days` of the series; NAN when
 * none counted (no average, which is not an average of 0). */
static double
mean_last(const double *series, const gboolean *counted, guint len, guint days)
{
	double sum = 0;
	guint n = 0;

	for (guint i = len - days; i < len; i++) {
		if (!counted[i])
			continue;
		sum += series[i];
		n++;
	}
	return n > 0 ? sum / n : NAN;
}

/* Ordinary least-squares slope of the counted days against their index, per
 * week; NAN with too few days to mean anything. */
static double
weekly_slope(const double *series, const gboolean *counted, guint len)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, mx, my;
	guint n = 0;

	for (guint i = 0; i < len; i++) {
		if (!counted[i])
			continue;
		sx += i;
		sy += series[i];
		n++;
	}
	if (n < MIN_TREND_DAYS)
		return NAN;
	mx = sx / n;
	my = sy / n;
	/* Centred sums: exact for integer-valued series, no cancellation. */
	for (guint i = 0; i < len; i++) {
		if (!counted[i])
			continue;
		sxx += (i - mx) * (i - mx);
		sxy += (i - mx) * (series[i] - my);
	}
	return sxx > 0 ? 7 * sxy / sxx : 0;
}

/* To the API's 0.1 resolution, without a "-0" for a flat series; NAN (not
 * measured, not worked out) stays NAN. */
static double
tidy(double value)
{
	double r = lactd_round_ml(value);

	if (isnan(value))
		return NAN;
	return r == 0 || !isfinite(r) ? 0 : r;
}

GVariant *
lactd_progress_compute(LactdStore *store, const LactdPlan *plan, gint64 now_us, GError **error)
{
	g_autoptr(GPtrArray) sessions = NULL;
	g_autoptr(GArray) minutes = g_array_new(FALSE, FALSE, sizeof(double));
	/* By day: the trend window's TREND_DAYS complete days, then today. */
	double volume[TREND_DAYS + 1] = {0}, supplement[TREND_DAYS + 1] = {0};
	gboolean counted[TREND_DAYS] = {0};
	/* A day's volume is known unless it had milk removal and none of it
	 * was measured (feeds at the breast not weighed, a pump that measures
	 * nothing and no bottle weighed): then it is unknown, not 0. */
	gboolean removal[TREND_DAYS + 1] = {0}, measured[TREND_DAYS + 1] = {0};
	gboolean volume_counted[TREND_DAYS] = {0};
	guint32 today = local_julian(now_us);
	guint32 first_day = today - TREND_DAYS; /* of the trend window */
	guint32 plan_day = julian_of(plan->start_date);
	guint32 earliest = G_MAXUINT32, data_from;
	guint now_minute = lactd_local_minute_of_day(now_us);
	guint32 current_window = window_of(plan, today, now_minute);
	guint32 target_window;
	gboolean current_seen = FALSE, target_seen = FALSE;
	guint sessions_24h = 0;
	/* A little over 29 local days back: days differ from 24 h by at most
	 * an hour or two, and a session read too many is dropped by its day. */
	gint64 from = lactd_local_day_start(now_us) - (TREND_DAYS + 1) * G_TIME_SPAN_DAY;
	gint64 to = now_us < G_MAXINT64 ? now_us + 1 : now_us;
	LactdProgress p = {0};

	/* The window that has fully ended last: while one is open, the one
	 * before it; otherwise the last one to close. */
	if (current_window != 0)
		target_window = current_window - 1;
	else if (plan->overnight_start < plan->overnight_end && now_minute >= plan->overnight_end)
		target_window = today;
	else
		target_window = today - 1;

	sessions = lactd_store_list_sessions(store, from, to, error);
	if (sessions == NULL)
		return NULL;
	for (guint i = 0; i < sessions->len; i++) {
		const LactdSession *s = g_ptr_array_index(sessions, i);
		guint32 day;

		if (s->start_us > now_us)
			continue;
		day = local_julian(s->start_us);
		earliest = MIN(earliest, day);
		if (s->kind == LACTD_SESSION_SUPPLEMENT) {
			if (day >= first_day && day <= today)
				supplement[day - first_day] += s->supplement_ml;
			continue;
		}
		if (day >= first_day && day <= today) {
			volume[day - first_day] += lactd_session_total_ml(s);
			removal[day - first_day] = TRUE;
			if (lactd_session_measured(s))
				measured[day - first_day] = TRUE;
		}
		if (s->start_us > now_us - G_TIME_SPAN_DAY)
			sessions_24h++;
		if (day + 2 >= today) {
			guint32 w = window_of(plan, day, lactd_local_minute_of_day(s->start_us));
			if (w != 0 && w == current_window)
				current_seen = TRUE;
			if (w != 0 && w == target_window)
				target_seen = TRUE;
		}
		/* Per-breast minutes: a live session's are not known yet. */
		if (s->start_us > now_us - 7 * G_TIME_SPAN_DAY && !s->live) {
			if (s->left_seconds != 0 || s->right_seconds != 0) {
				double l = s->left_seconds / 60.0, r = s->right_seconds / 60.0;
				if (s->left_seconds != 0)
					g_array_append_val(minutes, l);
				if (s->right_seconds != 0)
					g_array_append_val(minutes, r);
			} else if (s->end_us > s->start_us) {
				/* Without per-side times both breasts had the whole
				 * session; a session with no duration (a bottle
				 * weighed alone) says nothing about minutes. */
				double d = (double)(s->end_us - s->start_us) / G_TIME_SPAN_MINUTE;
				g_array_append_val(minutes, d);
				g_array_append_val(minutes, d);
			}
		}
	}

	/* Days before the record began are unknown, not zero. */
	if (earliest < first_day) {
		data_from = first_day;
	} else {
		gboolean found = FALSE;
		if (!has_session_before(store, from, &found, error))
			return NULL;
		data_from = found ? first_day : earliest;
	}
	for (guint i = 0; i < TREND_DAYS; i++) {
		guint32 day = first_day + i;
		counted[i] = day >= data_from && (plan_day == 0 || day >= plan_day);
		volume_counted[i] = counted[i] && (!removal[i] || measured[i]);
	}

	p.sessions_24h = sessions_24h;
	p.sessions_min = plan->sessions_min;
	p.sessions_max = plan->sessions_max;
	p.overnight_ok = current_seen || target_seen;
	p.minutes_per_breast_7d = tidy(median(minutes));
	p.volume_today_ml =
	    !removal[TREND_DAYS] || measured[TREND_DAYS] ? tidy(volume[TREND_DAYS]) : NAN;
	p.volume_7d_avg_ml = tidy(mean_last(volume, volume_counted, TREND_DAYS, AVERAGE_DAYS));
	p.volume_trend_ml_per_week = tidy(weekly_slope(volume, volume_counted, TREND_DAYS));
	p.supplement_7d_avg_ml = tidy(mean_last(supplement, counted, TREND_DAYS, AVERAGE_DAYS));
	p.supplement_trend_ml_per_week = tidy(weekly_slope(supplement, counted, TREND_DAYS));
	/* Without it a 0 average could not be told from "no day yet". */
	for (guint i = TREND_DAYS - AVERAGE_DAYS; i < TREND_DAYS; i++)
		p.days_counted_7d += counted[i];
	p.days_since_start = plan_day != 0 && today > plan_day ? today - plan_day : 0;
	return lactd_record_to_variant(&lactd_progress_table, &p);
}
