/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report's numbers. Days are the daemon's local days: each session
 * carries the day the daemon counted it on, and the daily summaries are the
 * daemon's own; this file only lays them on the calendar and derives the
 * averages, weeks and trends the page draws.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report-model.h"

#define WEEKLY_AFTER_DAYS 35

static void
session_clear(gpointer data)
{
	ReportSession *s = data;

	g_clear_pointer(&s->note, g_free);
}

ReportModel *
report_model_new(const GDate *first, const GDate *last, GTimeZone *tz)
{
	ReportModel *m = g_new0(ReportModel, 1);

	m->first = *first;
	m->last = *last;
	m->tz = g_time_zone_ref(tz);
	m->tz_is_daemon = FALSE;
	m->plan.sessions_min = 8;
	m->plan.sessions_max = 12;
	m->plan.minutes_min = 15;
	m->plan.minutes_max = 20;
	m->sessions = g_array_new(FALSE, TRUE, sizeof(ReportSession));
	g_array_set_clear_func(m->sessions, session_clear);
	m->summaries = g_array_new(FALSE, TRUE, sizeof(ReportSummary));
	m->weights = g_array_new(FALSE, TRUE, sizeof(ReportWeight));
	m->days = g_array_new(FALSE, TRUE, sizeof(ReportDay));
	m->weeks = g_array_new(FALSE, TRUE, sizeof(ReportWeek));
	m->days_since_start = -1;
	return m;
}

void
report_model_free(ReportModel *m)
{
	if (m == NULL)
		return;
	g_time_zone_unref(m->tz);
	g_free(m->tz_label);
	g_free(m->plan.overnight_start);
	g_free(m->plan.overnight_end);
	g_free(m->plan.start_date);
	g_free(m->plan.name);
	g_array_unref(m->sessions);
	g_array_unref(m->summaries);
	g_array_unref(m->weights);
	g_array_unref(m->days);
	g_array_unref(m->weeks);
	g_free(m);
}

void
report_model_add_session(ReportModel *m, const ReportSession *s)
{
	ReportSession copy = *s;

	copy.note = g_strdup(s->note);
	g_array_append_val(m->sessions, copy);
}

gint64
report_day_start_us(const GDate *date, GTimeZone *tz)
{
	g_autoptr(GDateTime) dt = g_date_time_new(tz, g_date_get_year(date), g_date_get_month(date),
						  g_date_get_day(date), 0, 0, 0);

	/* A zone whose DST starts at midnight has no 00:00: GLib moves it. */
	return dt != NULL ? g_date_time_to_unix(dt) * G_USEC_PER_SEC : 0;
}

double
report_day_hours(const GDate *date, GTimeZone *tz)
{
	GDate next = *date;

	g_date_add_days(&next, 1);
	return (double)(report_day_start_us(&next, tz) - report_day_start_us(date, tz)) /
	       G_TIME_SPAN_HOUR;
}

double
report_slope(const double *y, guint n, double *intercept)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, k = 0;
	double b;

	for (guint i = 0; i < n; i++) {
		if (isnan(y[i]))
			continue;
		sx += i;
		sy += y[i];
		sxx += (double)i * i;
		sxy += i * y[i];
		k++;
	}
	if (k < 2 || k * sxx - sx * sx == 0) {
		if (intercept != NULL)
			*intercept = NAN;
		return NAN;
	}
	b = (k * sxy - sx * sy) / (k * sxx - sx * sx);
	if (intercept != NULL)
		*intercept = (sy - b * sx) / k;
	return b;
}

static const char *const milk_names[REPORT_N_MILKS] = {"expressed", "donor", "formula", "other"};

gboolean
report_milk_from_string(const char *text, ReportMilk *milk)
{
	for (guint i = 0; i < REPORT_MILK_OTHER; i++) {
		if (g_strcmp0(text, milk_names[i]) == 0) {
			*milk = i;
			return TRUE;
		}
	}
	*milk = REPORT_MILK_OTHER;
	return FALSE;
}

const char *
report_milk_label(ReportMilk milk)
{
	static const char *const labels[REPORT_N_MILKS] = {"expressed milk", "donor milk",
							  "formula", "other / not said"};

	return milk < REPORT_N_MILKS ? labels[milk] : labels[REPORT_MILK_OTHER];
}

gboolean
report_parse_date(const char *text, GDate *date)
{
	unsigned y, mo, d;
	char end;

	g_date_clear(date, 1);
	if (text == NULL || strlen(text) != 10 || sscanf(text, "%4u-%2u-%2u%c", &y, &mo, &d, &end) != 3 ||
	    !g_date_valid_dmy(d, mo, y))
		return FALSE;
	g_date_set_dmy(date, d, mo, y);
	return TRUE;
}

gboolean
report_model_weekly(const ReportModel *m)
{
	return m->days->len > WEEKLY_AFTER_DAYS;
}

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double
median(GArray *values)
{
	guint n = values->len;

	if (n == 0)
		return NAN;
	g_array_sort(values, cmp_double);
	if (n % 2 == 1)
		return g_array_index(values, double, n / 2);
	return (g_array_index(values, double, n / 2 - 1) + g_array_index(values, double, n / 2)) / 2;
}

static gboolean
is_milk_removal(ReportKind kind)
{
	return kind == REPORT_KIND_PUMP || kind == REPORT_KIND_HAND || kind == REPORT_KIND_NURSING;
}

static void
add_minutes(GArray *into, const ReportSession *s)
{
	if (!is_milk_removal(s->kind))
		return;
	if (!isnan(s->left_min))
		g_array_append_val(into, s->left_min);
	if (!isnan(s->right_min))
		g_array_append_val(into, s->right_min);
}

double
report_model_minutes_median(const ReportModel *m)
{
	g_autoptr(GArray) all = g_array_new(FALSE, FALSE, sizeof(double));

	for (guint i = 0; i < m->sessions->len; i++)
		add_minutes(all, &g_array_index(m->sessions, ReportSession, i));
	return median(all);
}

/* The day of the range with that Julian day number, marked as one with
 * something recorded; NULL outside the range. */
static ReportDay *
recorded_day(ReportModel *m, guint32 julian)
{
	guint32 j0 = g_date_get_julian(&m->first);
	ReportDay *d;

	if (julian < j0 || julian - j0 >= m->days->len)
		return NULL;
	d = &g_array_index(m->days, ReportDay, julian - j0);
	d->recorded = TRUE;
	return d;
}

static void
fill_days(ReportModel *m)
{
	guint n = g_date_days_between(&m->first, &m->last) + 1;
	g_autoptr(GPtrArray) minutes = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);

	g_array_set_size(m->days, 0);
	for (guint i = 0; i < n; i++) {
		ReportDay d = {0};

		d.date = m->first;
		g_date_add_days(&d.date, i);
		d.total_ml = NAN;
		d.supplement_ml = NAN;
		d.minutes_median = NAN;
		d.avg7_ml = NAN;
		d.hours = report_day_hours(&d.date, m->tz);
		g_array_append_val(m->days, d);
		g_ptr_array_add(minutes, g_array_new(FALSE, FALSE, sizeof(double)));
	}
	for (guint i = 0; i < m->summaries->len; i++) {
		const ReportSummary *r = &g_array_index(m->summaries, ReportSummary, i);
		ReportDay *d = recorded_day(m, r->julian);

		if (d == NULL)
			continue;
		d->sessions = r->sessions;
		d->overnight = r->overnight;
	}
	for (guint i = 0; i < m->sessions->len; i++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, i);
		ReportDay *d = recorded_day(m, s->julian);

		if (d == NULL)
			continue;
		if (s->kind == REPORT_KIND_SUPPLEMENT) {
			if (!isnan(s->supplement_ml)) {
				d->supplement_ml = (isnan(d->supplement_ml) ? 0 : d->supplement_ml) +
						   s->supplement_ml;
				d->supplement_by_milk[s->milk] += s->supplement_ml;
			}
			continue;
		}
		add_minutes(g_ptr_array_index(minutes, s->julian - g_date_get_julian(&m->first)), s);
		if (!is_milk_removal(s->kind) || isnan(s->total_ml))
			continue;
		if (isnan(d->total_ml))
			d->total_ml = 0;
		d->total_ml += s->total_ml;
		if (!isnan(s->left_ml) || !isnan(s->right_ml)) {
			d->sided_left_ml += isnan(s->left_ml) ? 0 : s->left_ml;
			d->sided_right_ml += isnan(s->right_ml) ? 0 : s->right_ml;
			/* What a scale added to a session with sides measured too */
			d->unsided_ml += MAX(0, s->total_ml - (isnan(s->left_ml) ? 0 : s->left_ml) -
							(isnan(s->right_ml) ? 0 : s->right_ml));
		} else {
			d->unsided_ml += s->total_ml;
		}
	}
	for (guint i = 0; i < n; i++) {
		ReportDay *d = &g_array_index(m->days, ReportDay, i);

		d->minutes_median = median(g_ptr_array_index(minutes, i));
		if (!isnan(d->total_ml))
			m->volume_max_ml = MAX(m->volume_max_ml, d->total_ml);
		if (d->recorded)
			m->n_recorded++;
	}
}

/* The mean of the last 7 days' volumes, over the days that had one. */
static void
fill_averages(ReportModel *m)
{
	for (guint i = 0; i < m->days->len; i++) {
		ReportDay *d = &g_array_index(m->days, ReportDay, i);
		double sum = 0;
		guint k = 0;

		for (guint j = i >= 6 ? i - 6 : 0; j <= i; j++) {
			const ReportDay *e = &g_array_index(m->days, ReportDay, j);

			if (!isnan(e->total_ml)) {
				sum += e->total_ml;
				k++;
			}
		}
		d->avg7_ml = k > 0 ? sum / k : NAN;
	}
}

static void
fill_weeks(ReportModel *m)
{
	double prev = NAN;

	g_array_set_size(m->weeks, 0);
	for (guint first = 0; first < m->days->len; first += 7) {
		ReportWeek w = {0};
		guint with_volume = 0;

		w.first = first;
		w.n_days = MIN(7, m->days->len - first);
		w.volume_ml = NAN;
		for (guint i = first; i < first + w.n_days; i++) {
			const ReportDay *d = &g_array_index(m->days, ReportDay, i);

			w.days_recorded += d->recorded;
			w.sessions += d->sessions;
			w.nights += d->overnight;
			if (!isnan(d->total_ml)) {
				w.volume_ml = (isnan(w.volume_ml) ? 0 : w.volume_ml) + d->total_ml;
				with_volume++;
			}
			if (!isnan(d->supplement_ml))
				w.supplement_ml += d->supplement_ml;
		}
		w.sessions_per_day = (double)w.sessions / w.n_days;
		w.volume_per_day = with_volume > 0 ? w.volume_ml / with_volume : NAN;
		w.supplement_per_day = w.supplement_ml / w.n_days;
		w.trend_ml_per_day = w.volume_per_day - prev;
		prev = w.volume_per_day;
		g_array_append_val(m->weeks, w);
	}
}

static void
fill_trends(ReportModel *m)
{
	guint n = m->days->len;
	g_autofree double *vol = g_new(double, n);
	g_autofree double *sup = g_new(double, n);
	guint first_sup = n, k_vol = 0, k_sup = 0;

	for (guint i = 0; i < n; i++) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);

		vol[i] = d->total_ml;
		k_vol += !isnan(vol[i]);
		if (!isnan(d->supplement_ml) && first_sup == n)
			first_sup = i;
	}
	/* A day without a supplement after the first one counts as 0: less
	 * supplement is what the trend is about. */
	for (guint i = 0; i < n; i++) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);

		sup[i] = i < first_sup ? NAN : (isnan(d->supplement_ml) ? 0 : d->supplement_ml);
		k_sup += !isnan(sup[i]);
	}
	m->volume_trend_ml_per_week = k_vol >= 7 ? 7 * report_slope(vol, n, NULL) : NAN;
	m->supplement_fit_b = report_slope(sup, n, &m->supplement_fit_a);
	m->supplement_trend_ml_per_week = k_sup >= 7 ? 7 * m->supplement_fit_b : NAN;
}

/* Rows fetched with a margin (lactd's zone may not be this computer's) that
 * lactd counts on days outside the range are not part of the report. */
static void
drop_outside(ReportModel *m)
{
	guint32 j0 = g_date_get_julian(&m->first), j1 = g_date_get_julian(&m->last);

	for (guint i = m->sessions->len; i-- > 0;) {
		guint32 j = g_array_index(m->sessions, ReportSession, i).julian;

		if (j < j0 || j > j1)
			g_array_remove_index(m->sessions, i);
	}
	for (guint i = m->weights->len; i-- > 0;) {
		guint32 j = g_array_index(m->weights, ReportWeight, i).julian;

		if (j < j0 || j > j1)
			g_array_remove_index(m->weights, i);
	}
}

void
report_model_compute(ReportModel *m)
{
	drop_outside(m);
	m->n_recorded = 0;
	m->volume_max_ml = 0;
	fill_days(m);
	fill_averages(m);
	fill_weeks(m);
	fill_trends(m);
	m->days_since_start = -1;
	if (m->plan.start_date != NULL && *m->plan.start_date != '\0') {
		GDate start;

		if (report_parse_date(m->plan.start_date, &start))
			m->days_since_start = g_date_days_between(&start, &m->last);
	}
}
