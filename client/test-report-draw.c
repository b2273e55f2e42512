/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The report's drawing without a daemon, for what the D-Bus fixtures cannot
 * log by hand: test-weighed feeds, baby weights, volumes a scale measured for
 * both sides together; and the edges: one day, a year, nothing at all.
 * LACTD_REPORT_KEEP=DIR keeps the pictures.
 */
#include "config.h"

#include <math.h>

#include "report-draw.h"

/* A day written YYYY-MM-DD, read as the report reads lactd's days. */
static GDate
day(const char *iso)
{
	GDate g;

	g_assert_true(report_parse_date(iso, &g));
	return g;
}

static void
add(ReportModel *m, guint day, double hour, ReportKind kind, double left, double right,
    double total)
{
	ReportSession s = {0};

	s.kind = kind;
	s.left_ml = left;
	s.right_ml = right;
	s.total_ml = total;
	s.left_min = s.right_min = kind == REPORT_KIND_NURSING ? 12 : NAN;
	s.supplement_ml = NAN;
	s.julian = g_date_get_julian(&m->first) + day;
	s.hour = hour;
	report_model_add_session(m, &s);
}

/* Draws every page on an A4 image; returns the variance of the luminance
 * inside the box (points) of the first page. */
static double
draw(const ReportModel *m, const char *name, double bx, double by, double bw, double bh)
{
	const double scale = 1.0;
	int w = (int)ceil(REPORT_A4_WIDTH * scale), h = (int)ceil(REPORT_A4_HEIGHT * scale);
	guint pages = report_draw_n_pages(m, REPORT_A4_WIDTH, REPORT_A4_HEIGHT);
	double sum = 0, sum2 = 0, n = 0;
	const char *keep = g_getenv("LACTD_REPORT_KEEP");

	for (guint p = 0; p < pages; p++) {
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
		cairo_t *cr = cairo_create(s);
		const guint8 *data;
		int stride = cairo_image_surface_get_stride(s);

		cairo_scale(cr, scale, scale);
		report_draw_page(cr, m, REPORT_A4_WIDTH, REPORT_A4_HEIGHT, p);
		g_assert_cmpint(cairo_status(cr), ==, CAIRO_STATUS_SUCCESS);
		cairo_destroy(cr);
		cairo_surface_flush(s);
		if (keep != NULL && *keep != '\0') {
			g_autofree char *file = g_strdup_printf("%s/draw-%s-%u.png", keep, name, p);

			cairo_surface_write_to_png(s, file);
		}
		data = cairo_image_surface_get_data(s);
		for (int y = (int)(by * scale); p == 0 && y < (int)((by + bh) * scale) && y < h; y++)
			for (int x = (int)(bx * scale); x < (int)((bx + bw) * scale) && x < w; x++) {
				guint32 px = ((const guint32 *)(data + y * stride))[x];
				double l = ((px >> 16) & 0xff) * 0.3 + ((px >> 8) & 0xff) * 0.59 +
					   (px & 0xff) * 0.11;

				sum += l;
				sum2 += l * l;
				n++;
			}
		cairo_surface_destroy(s);
	}
	return n > 0 ? sum2 / n - (sum / n) * (sum / n) : 0;
}

static void
test_baby(void)
{
	GDate a = day("2026-05-04"), b = day("2026-05-17");
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	g_autoptr(ReportModel) m = report_model_new(&a, &b, tz);
	g_autoptr(ReportModel) none = report_model_new(&a, &b, tz);
	double with, without;

	for (guint d = 0; d < 14; d++) {
		ReportWeight w = {0};

		/* A bottle on a scale: both sides together */
		add(m, d, 7, REPORT_KIND_PUMP, NAN, NAN, 20 + d);
		add(m, d, 12, REPORT_KIND_PUMP, 5, 6, 11);
		/* Test-weighed feeds: 8 to 34 mL */
		add(m, d, 9, REPORT_KIND_NURSING, NAN, NAN, 8 + 2 * d);
		add(m, d, 15, REPORT_KIND_NURSING, NAN, NAN, NAN);
		w.julian = g_date_get_julian(&a) + d;
		w.time_us = report_day_start_us(&a, tz) + (gint64)d * G_TIME_SPAN_DAY +
			    9 * G_TIME_SPAN_HOUR;
		w.grams = 3400 + 25 * d;
		g_array_append_val(m->weights, w);
	}
	m->tz_label = g_strdup("UTC");
	report_model_compute(m);
	none->tz_label = g_strdup("UTC");
	report_model_compute(none);
	g_assert_cmpuint(report_draw_n_pages(m, REPORT_A4_WIDTH, REPORT_A4_HEIGHT), ==, 1);
	/* The lower half of the page, where the baby's charts are */
	with = draw(m, "baby", 30, 500, 540, 120);
	without = draw(none, "none", 30, 500, 540, 120);
	g_test_message("luminance variance with the baby's data %.1f, without %.1f", with, without);
	g_assert_cmpfloat(with, >, without);
}

static void
test_edges(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_utc();
	GDate one = day("2026-02-01"), year_end = day("2027-01-31");
	g_autoptr(ReportModel) day = report_model_new(&one, &one, tz);
	g_autoptr(ReportModel) year = report_model_new(&one, &year_end, tz);

	/* One day of 2 mL: a bar that can be seen */
	add(day, 0, 5, REPORT_KIND_HAND, 1, 1, 2);
	day->tz_label = g_strdup("UTC");
	report_model_compute(day);
	g_assert_cmpfloat(draw(day, "day", 60, 150, 500, 150), >, 10);

	/* A year: weekly bars, two pages of notes at most */
	for (guint d = 0; d < 365; d += 2) {
		ReportSession s = {0};

		s.kind = REPORT_KIND_PUMP;
		s.left_ml = s.right_ml = NAN;
		s.total_ml = 10 + d / 10.0;
		s.left_min = s.right_min = 15;
		s.supplement_ml = NAN;
		s.julian = g_date_get_julian(&one) + d;
		s.hour = 3;
		s.note = (char *)"a note on every other day";
		report_model_add_session(year, &s);
	}
	year->tz_label = g_strdup("UTC");
	report_model_compute(year);
	g_assert_true(report_model_weekly(year));
	g_assert_cmpuint(year->weeks->len, ==, 53);
	g_assert_cmpuint(report_draw_n_pages(year, REPORT_A4_WIDTH, REPORT_A4_HEIGHT), ==, 2);
	g_assert_cmpfloat(draw(year, "year", 60, 150, 500, 150), >, 10);
}

/* Under AddressSanitizer: fontconfig's configuration and font cache live as
 * long as the process, by design (tests/lsan.supp says the same for lactctl). */
const char *__lsan_default_suppressions(void);

__attribute__((used)) const char *
__lsan_default_suppressions(void)
{
	return "leak:libfontconfig.so\n";
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/report-draw/baby", test_baby);
	g_test_add_func("/report-draw/edges", test_edges);
	return g_test_run();
}
