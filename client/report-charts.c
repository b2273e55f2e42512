/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report's charts. Every drop counts: a small volume still gets a bar
 * that can be seen and its number. A value not measured is not drawn at all
 * (no zero bar), and the chart says so when nothing was.
 */
#include "config.h"

#include <math.h>

#include "report-draw-private.h"

#define MIN_BAR 1.6 /* points: the smallest volume still shows */
#define MIN_DAY 3.0 /* points: the smallest day's bar */

static const guint32 milk_colours[REPORT_N_MILKS] = {0xe0a040, 0xc07090, 0x8c8c8c, 0xc8c8c8};

static double
nice_max(double v)
{
	static const double steps[] = {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8};
	double scale = 1;

	if (!(v > 0))
		return 1;
	for (;;) {
		for (guint i = 0; i < G_N_ELEMENTS(steps); i++)
			if (steps[i] * scale >= v)
				return steps[i] * scale;
		scale *= 10;
	}
}

static double
xday(Box p, guint n, double i)
{
	return p.x + (i + 0.5) * p.w / n;
}

static double
yval(Box p, double max, double v)
{
	return p.y + p.h - v / max * p.h;
}

/* Horizontal grid with labels at 0, max/2, max. */
static void
y_axis(cairo_t *cr, Box p, double max, const char *unit)
{
	cairo_set_line_width(cr, 0.4);
	for (int k = 0; k <= 2; k++) {
		double v = max * k / 2, y = yval(p, max, v);
		g_autofree char *label = g_strdup_printf("%g%s", v, k == 2 ? unit : "");

		report_rgb(cr, k == 0 ? COLOUR_AXIS : COLOUR_GRID);
		cairo_move_to(cr, p.x, y);
		cairo_line_to(cr, p.x + p.w, y);
		cairo_stroke(cr);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, p.x - 2, y - 3.5, 0, ALIGN_RIGHT, 5.5, FALSE, label);
	}
}

/* Day numbers under the plot, every day when there is room, else the
 * first day of each week; the month where it starts or changes. */
static void
x_days(cairo_t *cr, const ReportModel *m, Box p)
{
	guint n = m->days->len, last_month = 0;
	double per_day = p.w / n;
	static const guint steps[] = {7, 14, 28, 56, 91};
	guint every = 1;

	/* A label needs some 13 points, one with its month some 26 */
	if (per_day < 13) {
		every = 182;
		for (guint k = 0; k < G_N_ELEMENTS(steps); k++) {
			if (per_day * steps[k] >= 28) {
				every = steps[k];
				break;
			}
		}
	}

	for (guint i = 0; i < n; i += every) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);
		char buf[32];

		if (g_date_get_month(&d->date) != last_month)
			g_date_strftime(buf, sizeof buf, "%d %b", &d->date);
		else
			g_date_strftime(buf, sizeof buf, "%d", &d->date);
		last_month = g_date_get_month(&d->date);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, xday(p, n, i), p.y + p.h + 1.5, 0, ALIGN_CENTER, 4.8, FALSE, buf);
	}
}

static void
legend(cairo_t *cr, double x, double y, const guint32 *colours, const char *const *labels,
       guint n)
{
	for (guint i = 0; i < n; i++) {
		report_rgb(cr, colours[i]);
		cairo_rectangle(cr, x, y + 1.5, 6, 4.5);
		cairo_fill(cr);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, x + 8, y, 0, ALIGN_LEFT, 5.5, FALSE, labels[i]);
		x += 16 + report_text_width(cr, 5.5, FALSE, labels[i]);
	}
}

static void
nothing(cairo_t *cr, Box p, const char *text)
{
	report_rgb(cr, COLOUR_MUTED);
	report_text(cr, p.x, p.y + p.h / 2 - 4, p.w, ALIGN_CENTER, 6.5, FALSE, text);
}

static char *
ml_label(double v)
{
	return v < 10 ? g_strdup_printf("%.1f", v) : g_strdup_printf("%.0f", v);
}

/* One segment of a stacked bar, at least MIN_BAR high when it is above 0. */
static double
segment(cairo_t *cr, double x, double w, double base, double h, guint32 colour)
{
	if (h <= 0)
		return base;
	report_rgb(cr, colour);
	cairo_rectangle(cr, x, base - h, w, h);
	cairo_fill(cr);
	return base - h;
}

static void
volume_daily(cairo_t *cr, const ReportModel *m, Box p, double max)
{
	guint n = m->days->len;
	double bw = p.w / n * 0.72;
	guint32 j0 = g_date_get_julian(&m->first);
	g_autofree double *base = g_new(double, n);

	for (guint i = 0; i < n; i++)
		base[i] = p.y + p.h;
	/* Stacked by session, oldest at the bottom; left dark, right light. A
	 * day of a few drops is stretched to a bar that can be seen: its number
	 * above it says how much. */
	for (guint k = 0; k < m->sessions->len; k++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, k);
		guint i = s->julian - j0;
		double x, scale = p.h / max, sided, day_ml;

		if (s->julian < j0 || i >= n || s->kind == REPORT_KIND_SUPPLEMENT || isnan(s->total_ml) ||
		    s->total_ml <= 0)
			continue;
		day_ml = g_array_index(m->days, ReportDay, i).total_ml;
		if (day_ml * scale < MIN_DAY)
			scale = MIN_DAY / day_ml;
		x = xday(p, n, i) - bw / 2;
		sided = (isnan(s->left_ml) ? 0 : s->left_ml) + (isnan(s->right_ml) ? 0 : s->right_ml);
		base[i] = segment(cr, x, bw, base[i], isnan(s->left_ml) ? 0 : s->left_ml * scale,
				  COLOUR_LEFT);
		base[i] = segment(cr, x, bw, base[i], isnan(s->right_ml) ? 0 : s->right_ml * scale,
				  COLOUR_RIGHT);
		base[i] = segment(cr, x, bw, base[i], MAX(0, s->total_ml - sided) * scale,
				  COLOUR_UNSIDED);
		/* A hairline between sessions, so each one can be counted. */
		if (scale * s->total_ml >= 1.5) {
			cairo_set_source_rgb(cr, 1, 1, 1);
			cairo_set_line_width(cr, 0.3);
			cairo_move_to(cr, x, base[i]);
			cairo_line_to(cr, x + bw, base[i]);
			cairo_stroke(cr);
		}
	}
	for (guint i = 0; i < n; i++) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);
		g_autofree char *label = NULL;

		if (isnan(d->total_ml)) {
			if (d->recorded) {
				report_rgb(cr, COLOUR_MUTED);
				report_text(cr, xday(p, n, i), p.y + p.h - 8, 0, ALIGN_CENTER, 4, FALSE,
					    "n/m");
			}
			continue;
		}
		label = ml_label(d->total_ml);
		report_rgb(cr, COLOUR_TEXT);
		report_text(cr, xday(p, n, i), base[i] - 7, 0, ALIGN_CENTER,
			    n <= 21 ? 5.5 : 4.5, FALSE, label);
	}
	/* The 7-day average */
	report_rgb(cr, COLOUR_AVERAGE);
	cairo_set_line_width(cr, 1.2);
	for (guint i = 0, pen = 0; i < n; i++) {
		double v = g_array_index(m->days, ReportDay, i).avg7_ml;

		if (isnan(v)) {
			pen = 0;
			continue;
		}
		if (pen++ == 0)
			cairo_move_to(cr, xday(p, n, i), yval(p, max, v));
		else
			cairo_line_to(cr, xday(p, n, i), yval(p, max, v));
	}
	cairo_stroke(cr);
}

/* Long ranges: one bar per week, the mean per day of the days measured. */
static void
volume_weekly(cairo_t *cr, const ReportModel *m, Box p, double max)
{
	guint n = m->days->len;

	for (guint k = 0; k < m->weeks->len; k++) {
		const ReportWeek *w = &g_array_index(m->weeks, ReportWeek, k);
		double left = 0, right = 0, unsided = 0, scale = p.h / max, base = p.y + p.h;
		double x = xday(p, n, w->first) - p.w / n / 2 + 1, bw = w->n_days * p.w / n - 2;
		guint measured = 0;
		g_autofree char *label = NULL;

		for (guint i = w->first; i < w->first + w->n_days; i++) {
			const ReportDay *d = &g_array_index(m->days, ReportDay, i);

			if (isnan(d->total_ml))
				continue;
			left += d->sided_left_ml;
			right += d->sided_right_ml;
			unsided += d->unsided_ml;
			measured++;
		}
		if (measured == 0)
			continue;
		if ((left + right + unsided) / measured * scale < MIN_DAY)
			scale = MIN_DAY / ((left + right + unsided) / measured);
		base = segment(cr, x, bw, base, left / measured * scale, COLOUR_LEFT);
		base = segment(cr, x, bw, base, right / measured * scale, COLOUR_RIGHT);
		base = segment(cr, x, bw, base, unsided / measured * scale, COLOUR_UNSIDED);
		label = ml_label(w->volume_per_day);
		report_rgb(cr, COLOUR_TEXT);
		report_text(cr, x + bw / 2, base - 7, 0, ALIGN_CENTER, 5.5, FALSE, label);
	}
}

void
report_chart_volume(cairo_t *cr, const ReportModel *m, Box box)
{
	static const guint32 colours[] = {COLOUR_LEFT, COLOUR_RIGHT, COLOUR_UNSIDED, COLOUR_AVERAGE};
	static const char *const labels[] = {"left", "right", "both sides together (scale)",
					     "7-day average"};
	gboolean weekly = report_model_weekly(m);
	g_autofree char *caption = NULL;
	double max = nice_max(m->volume_max_ml * 1.12);
	Box p;

	if (isnan(m->volume_trend_ml_per_week))
		caption = g_strdup(weekly ? "mean per day of each week, mL" : "mL per day, one block per session");
	else
		caption = g_strdup_printf("%s; trend over the range: %+.1f mL/day per week",
					  weekly ? "mean per day of each week, mL"
						 : "mL per day, one block per session",
					  m->volume_trend_ml_per_week);
	p = report_chart_frame(cr, box, "Volume expressed", caption);
	p.h -= 8;
	if (weekly) {
		double wmax = 0;

		for (guint k = 0; k < m->weeks->len; k++) {
			double v = g_array_index(m->weeks, ReportWeek, k).volume_per_day;

			if (!isnan(v))
				wmax = MAX(wmax, v);
		}
		max = nice_max(wmax * 1.12);
	}
	y_axis(cr, p, max, " mL");
	if (m->volume_max_ml <= 0)
		nothing(cr, p, "No volume was measured in this range.");
	else if (weekly)
		volume_weekly(cr, m, p, max);
	else
		volume_daily(cr, m, p, max);
	x_days(cr, m, p);
	legend(cr, p.x, box.y + box.h - 7, colours, labels, weekly ? 3 : 4);
}

void
report_chart_sessions(cairo_t *cr, const ReportModel *m, Box box)
{
	guint n = m->days->len, top = m->plan.sessions_max + 3;
	Box p;
	g_autofree char *caption = g_strdup_printf("band: %u to %u; a dot below: a night with a session",
						   m->plan.sessions_min, m->plan.sessions_max);

	for (guint i = 0; i < n; i++)
		top = MAX(top, g_array_index(m->days, ReportDay, i).sessions + 1);
	top += top % 2; /* whole numbers on the axis */
	p = report_chart_frame(cr, box, "Sessions per day", caption);
	p.h -= 8;
	report_rgb(cr, COLOUR_BAND);
	cairo_rectangle(cr, p.x, yval(p, top, m->plan.sessions_max), p.w,
			(double)(m->plan.sessions_max - m->plan.sessions_min) / top * p.h);
	cairo_fill(cr);
	y_axis(cr, p, top, "");
	for (guint i = 0; i < n; i++) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);
		double x = xday(p, n, i), bw = MAX(0.8, p.w / n * 0.55);

		if (!d->recorded)
			continue;
		report_rgb(cr, COLOUR_LEFT);
		cairo_rectangle(cr, x - bw / 2, yval(p, top, d->sessions), bw,
				(double)d->sessions / top * p.h);
		cairo_fill(cr);
		if (n <= 35) {
			g_autofree char *label = g_strdup_printf("%u", d->sessions);

			report_rgb(cr, COLOUR_TEXT);
			report_text(cr, x, yval(p, top, d->sessions) - 6.5, 0, ALIGN_CENTER, 4.5,
				    FALSE, label);
		}
		if (d->overnight) {
			report_rgb(cr, COLOUR_NIGHT);
			cairo_arc(cr, x, p.y + p.h + 4.5, MIN(2.2, p.w / n * 0.35), 0, 2 * G_PI);
			cairo_fill(cr);
		}
	}
	p.h += 8;
	x_days(cr, m, p);
}

void
report_chart_pattern(cairo_t *cr, const ReportModel *m, Box box)
{
	guint n = m->days->len, first = n > 35 ? n - 28 : 0, rows = n - first;
	g_autofree char *caption = g_strdup_printf(
	    "a row per day%s; shaded: overnight %s-%s", first > 0 ? " (last 28)" : "",
	    m->plan.overnight_start != NULL ? m->plan.overnight_start : "00:00",
	    m->plan.overnight_end != NULL ? m->plan.overnight_end : "06:00");
	Box p = report_chart_frame(cr, box, "24-hour pattern", caption);
	guint32 j0 = g_date_get_julian(&m->first) + first;
	double rh, on_s = 0, on_e = 6;
	guint hh, mm;

	p.x += 8;
	p.w -= 8;
	rh = p.h / MAX(rows, 1);
	if (m->plan.overnight_start != NULL && sscanf(m->plan.overnight_start, "%u:%u", &hh, &mm) == 2)
		on_s = hh + mm / 60.0;
	if (m->plan.overnight_end != NULL && sscanf(m->plan.overnight_end, "%u:%u", &hh, &mm) == 2)
		on_e = hh + mm / 60.0;
	report_rgb(cr, 0xe8eaf3);
	if (on_s <= on_e)
		cairo_rectangle(cr, p.x + on_s / 24 * p.w, p.y, (on_e - on_s) / 24 * p.w, p.h);
	else {
		cairo_rectangle(cr, p.x, p.y, on_e / 24 * p.w, p.h);
		cairo_rectangle(cr, p.x + on_s / 24 * p.w, p.y, (24 - on_s) / 24 * p.w, p.h);
	}
	cairo_fill(cr);
	cairo_set_line_width(cr, 0.4);
	for (int h = 0; h <= 24; h += 6) {
		g_autofree char *label = g_strdup_printf("%02d:00", h);

		report_rgb(cr, COLOUR_GRID);
		cairo_move_to(cr, p.x + h / 24.0 * p.w, p.y);
		cairo_line_to(cr, p.x + h / 24.0 * p.w, p.y + p.h);
		cairo_stroke(cr);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, p.x + h / 24.0 * p.w, p.y + p.h + 1.5, 0, ALIGN_CENTER, 5, FALSE,
			    label);
	}
	for (guint r = 0; r < rows; r += rows > 14 ? 7 : 1) {
		char buf[16];

		g_date_strftime(buf, sizeof buf, "%d %b", &g_array_index(m->days, ReportDay, first + r).date);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, p.x - 2, p.y + r * rh + rh / 2 - 3, 0, ALIGN_RIGHT, 4.6, FALSE, buf);
	}
	for (guint k = 0; k < m->sessions->len; k++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, k);
		guint r = s->julian - j0;
		double x = p.x + s->hour / 24 * p.w, y;

		if (s->julian < j0 || r >= rows)
			continue;
		y = p.y + r * rh + rh / 2;
		if (s->kind == REPORT_KIND_SUPPLEMENT) {
			report_rgb(cr, COLOUR_SUPPLEMENT);
			cairo_rectangle(cr, x - 0.6, y - MIN(rh, 4) / 2, 1.2, MIN(rh, 4));
		} else {
			report_rgb(cr, s->kind == REPORT_KIND_NURSING ? COLOUR_AVERAGE : COLOUR_LEFT);
			cairo_arc(cr, x, y, MAX(0.8, MIN(rh * 0.42, 2.2)), 0, 2 * G_PI);
		}
		cairo_fill(cr);
	}
	{
		static const guint32 colours[] = {COLOUR_LEFT, COLOUR_AVERAGE, COLOUR_SUPPLEMENT};
		static const char *const labels[] = {"pump / hand", "at the breast", "supplement"};

		legend(cr, p.x, box.y + box.h - 1, colours, labels, 3);
	}
}

void
report_chart_minutes(cairo_t *cr, const ReportModel *m, Box box)
{
	guint n = m->days->len, top = m->plan.minutes_max + 10;
	double all = report_model_minutes_median(m);
	g_autofree char *caption = NULL;
	gboolean any = FALSE;
	Box p;

	if (isnan(all))
		caption = g_strdup_printf("band: %u to %u", m->plan.minutes_min, m->plan.minutes_max);
	else
		caption = g_strdup_printf("median per day; band %u to %u; range median %.0f",
					  m->plan.minutes_min, m->plan.minutes_max, all);
	for (guint i = 0; i < n; i++) {
		double v = g_array_index(m->days, ReportDay, i).minutes_median;

		if (!isnan(v)) {
			top = MAX(top, (guint)ceil(v) + 2);
			any = TRUE;
		}
	}
	p = report_chart_frame(cr, box, "Minutes per breast", caption);
	report_rgb(cr, COLOUR_BAND);
	cairo_rectangle(cr, p.x, yval(p, top, m->plan.minutes_max), p.w,
			(double)(m->plan.minutes_max - m->plan.minutes_min) / top * p.h);
	cairo_fill(cr);
	y_axis(cr, p, top, " min");
	if (!any) {
		nothing(cr, p, "Minutes per breast were not measured in this range.");
		x_days(cr, m, p);
		return;
	}
	report_rgb(cr, COLOUR_LEFT);
	for (guint i = 0; i < n; i++) {
		double v = g_array_index(m->days, ReportDay, i).minutes_median;

		if (isnan(v))
			continue;
		cairo_arc(cr, xday(p, n, i), yval(p, top, v), MIN(1.8, p.w / n * 0.4), 0, 2 * G_PI);
		cairo_fill(cr);
	}
	x_days(cr, m, p);
}

void
report_chart_supplement(cairo_t *cr, const ReportModel *m, Box box)
{
	static const char *labels[REPORT_N_MILKS];
	guint n = m->days->len;
	double top = 0;
	g_autofree char *caption = NULL;
	Box p;

	for (guint i = 0; i < REPORT_N_MILKS; i++)
		labels[i] = report_milk_label(i);
	for (guint i = 0; i < n; i++) {
		double v = g_array_index(m->days, ReportDay, i).supplement_ml;

		if (!isnan(v))
			top = MAX(top, v);
	}
	if (isnan(m->supplement_trend_ml_per_week))
		caption = g_strdup("mL per day by kind of milk");
	else
		caption = g_strdup_printf("mL per day; dashed: trend %+.1f mL/day per week",
					  m->supplement_trend_ml_per_week);
	p = report_chart_frame(cr, box, "Supplement", caption);
	p.h -= 8;
	if (!(top > 0)) {
		gboolean any = FALSE;

		for (guint i = 0; i < n; i++)
			any |= !isnan(g_array_index(m->days, ReportDay, i).supplement_ml);
		if (!any) {
			nothing(cr, p, "No supplement was logged in this range.");
			p.h += 8;
			x_days(cr, m, p);
			return;
		}
	}
	top = nice_max(top * 1.12);
	y_axis(cr, p, top, " mL");
	for (guint i = 0; i < n; i++) {
		const ReportDay *d = &g_array_index(m->days, ReportDay, i);
		double base = p.y + p.h, bw = p.w / n * 0.7;

		if (isnan(d->supplement_ml))
			continue;
		for (guint k = 0; k < REPORT_N_MILKS; k++)
			base = segment(cr, xday(p, n, i) - bw / 2, bw, base,
				       d->supplement_by_milk[k] / top * p.h, milk_colours[k]);
	}
	if (!isnan(m->supplement_fit_b)) {
		double i0 = 0, i1 = n - 1;

		for (guint i = 0; i < n; i++)
			if (!isnan(g_array_index(m->days, ReportDay, i).supplement_ml)) {
				i0 = i;
				break;
			}
		report_rgb(cr, COLOUR_TEXT);
		cairo_set_line_width(cr, 0.9);
		cairo_set_dash(cr, (double[]){3, 2}, 2, 0);
		cairo_move_to(cr, xday(p, n, i0),
			      yval(p, top, MAX(0, m->supplement_fit_a + m->supplement_fit_b * i0)));
		cairo_line_to(cr, xday(p, n, i1),
			      yval(p, top, MAX(0, m->supplement_fit_a + m->supplement_fit_b * i1)));
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	x_days(cr, m, p);
	legend(cr, p.x, box.y + box.h - 7, milk_colours, labels, 3);
}

void
report_chart_baby(cairo_t *cr, const ReportModel *m, Box box)
{
	guint n = m->days->len;
	double half = (box.w - 18) / 2, top = 0, wmin = G_MAXDOUBLE, wmax = 0;
	Box left = {box.x, box.y, half, box.h}, right = {box.x + half + 18, box.y, half, box.h};
	Box p = report_chart_frame(cr, left, "Intake at the breast", "test-weighing, mL per feed");
	guint32 j0 = g_date_get_julian(&m->first);
	guint feeds = 0;

	for (guint k = 0; k < m->sessions->len; k++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, k);

		if (s->kind == REPORT_KIND_NURSING && !isnan(s->total_ml)) {
			top = MAX(top, s->total_ml);
			feeds++;
		}
	}
	top = nice_max(top * 1.15);
	if (feeds == 0) {
		nothing(cr, p, "No feed was test-weighed in this range.");
		x_days(cr, m, p);
	} else
		y_axis(cr, p, top, " mL");
	for (guint k = 0; k < m->sessions->len; k++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, k);
		double x;

		if (s->kind != REPORT_KIND_NURSING || isnan(s->total_ml) || s->julian < j0 ||
		    s->julian - j0 >= n)
			continue;
		x = p.x + (s->julian - j0 + s->hour / 24) * p.w / n;
		report_rgb(cr, COLOUR_AVERAGE);
		cairo_arc(cr, x, yval(p, top, s->total_ml), 1.8, 0, 2 * G_PI);
		cairo_fill(cr);
		if (feeds <= 30) {
			g_autofree char *label = ml_label(s->total_ml);

			report_rgb(cr, COLOUR_TEXT);
			report_text(cr, x, yval(p, top, s->total_ml) - 8, 0, ALIGN_CENTER, 4.5, FALSE,
				    label);
		}
	}
	if (feeds > 0)
		x_days(cr, m, p);

	p = report_chart_frame(cr, right, "Baby's weight", "g, from the baby scale");
	for (guint k = 0; k < m->weights->len; k++) {
		double g = g_array_index(m->weights, ReportWeight, k).grams;

		wmin = MIN(wmin, g);
		wmax = MAX(wmax, g);
	}
	if (m->weights->len == 0) {
		nothing(cr, p, "No baby weighing in this range.");
		x_days(cr, m, p);
		return;
	}
	/* A weight axis from near the lightest: gains are a few % of the weight. */
	wmin = floor((wmin - 50) / 100) * 100;
	wmax = ceil((wmax + 50) / 100) * 100;
	for (int k = 0; k <= 2; k++) {
		double v = wmin + (wmax - wmin) * k / 2, y = p.y + p.h - (v - wmin) / (wmax - wmin) * p.h;
		g_autofree char *label = g_strdup_printf("%.0f", v);

		report_rgb(cr, k == 0 ? COLOUR_AXIS : COLOUR_GRID);
		cairo_set_line_width(cr, 0.4);
		cairo_move_to(cr, p.x, y);
		cairo_line_to(cr, p.x + p.w, y);
		cairo_stroke(cr);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, p.x - 2, y - 3.5, 0, ALIGN_RIGHT, 5, FALSE, label);
	}
	report_rgb(cr, COLOUR_NIGHT);
	for (guint k = 0; k < m->weights->len; k++) {
		const ReportWeight *w = &g_array_index(m->weights, ReportWeight, k);
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(w->time_us / G_USEC_PER_SEC);
		g_autoptr(GDateTime) local = t != NULL ? g_date_time_to_timezone(t, m->tz) : NULL;
		double hour = local != NULL ? g_date_time_get_hour(local) + g_date_time_get_minute(local) / 60.0 : 12;
		double x = p.x + (w->julian - (double)j0 + hour / 24) * p.w / n;

		if (w->julian < j0 || w->julian - j0 >= n)
			continue;
		cairo_arc(cr, x, p.y + p.h - (w->grams - wmin) / (wmax - wmin) * p.h, 1.5, 0, 2 * G_PI);
		cairo_fill(cr);
	}
	x_days(cr, m, p);
}
