/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactctl report against the real daemon on a private bus, with data logged
 * through AddSession: a rising 28-day relactation course, a week across the
 * spring DST change, an empty range. The PDF is read back with poppler's
 * tools, the PNG with cairo, the HTML in headless Chromium. Every figure the
 * test looks for is computed here from the fixture, not by the report's code.
 *
 * LACTD_REPORT_KEEP=DIR keeps the files written (for docs/report-example.png).
 */
#include "config.h"

#include <cairo.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

#include "lactd-test.h"

#define COURSE_DAYS 28

typedef struct {
	LactdTestBus *bus;
	LactdTestDaemon *daemon;
	GDBusConnection *c;
	GTimeZone *tz;
	char *dir;
} Fixture;

/* What the test logged, per week, in tenths of mL so sums are exact. */
typedef struct {
	guint days_recorded;
	guint sessions;
	gint64 volume;
	gboolean any_volume;
	gint64 supplement;
	gboolean any_supplement;
	guint nights;
	guint n_days;
} Week;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
	const char *zone = data;

	g_setenv("TZ", zone, TRUE);
	f->tz = g_time_zone_new_identifier(zone);
	g_assert_nonnull(f->tz);
	f->bus = lactd_test_bus_new();
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	f->c = lactd_test_bus_connect(f->bus);
	f->dir = g_strdup(lactd_test_bus_tmpdir(f->bus));
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
	(void)data;
	g_clear_object(&f->c);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
	g_clear_pointer(&f->tz, g_time_zone_unref);
	g_free(f->dir);
	g_unsetenv("TZ");
}

static gint64
local_us(Fixture *f, const GDate *day, double hour)
{
	int minutes = (int)(hour * 60);
	g_autoptr(GDateTime) t = g_date_time_new(f->tz, g_date_get_year(day), g_date_get_month(day),
						 g_date_get_day(day), minutes / 60, minutes % 60, 0);

	g_assert_nonnull(t);
	return g_date_time_to_unix(t) * G_USEC_PER_SEC;
}

/* left and right in tenths of mL, < 0 for not given. */
static void
add_session(Fixture *f, const char *kind, gint64 start, guint minutes, int left, int right,
	    guint side_seconds, int supplement, const char *milk, const char *note)
{
	GVariantBuilder b;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string(kind));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&b, "{sv}", "end",
			      g_variant_new_int64(start + minutes * G_TIME_SPAN_MINUTE));
	if (left >= 0)
		g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(left / 10.0));
	if (right >= 0)
		g_variant_builder_add(&b, "{sv}", "right_ml", g_variant_new_double(right / 10.0));
	if (side_seconds > 0) {
		g_variant_builder_add(&b, "{sv}", "left_seconds", g_variant_new_uint32(side_seconds));
		g_variant_builder_add(&b, "{sv}", "right_seconds", g_variant_new_uint32(side_seconds));
	}
	if (supplement >= 0) {
		g_variant_builder_add(&b, "{sv}", "supplement_ml",
				      g_variant_new_double(supplement / 10.0));
		g_variant_builder_add(&b, "{sv}", "method", g_variant_new_string("bottle"));
		g_variant_builder_add(&b, "{sv}", "milk", g_variant_new_string(milk));
	}
	if (note != NULL)
		g_variant_builder_add(&b, "{sv}", "note", g_variant_new_string(note));
	r = lactd_test_call(f->c, "AddSession", g_variant_new("(a{sv})", &b), "(t)", &error);
	g_assert_no_error(error);
}

static void
set_plan(Fixture *f, const char *start_date, const char *name, gboolean *named)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "start_date", g_variant_new_string(start_date));
	r = lactd_test_call(f->c, "SetPlan", g_variant_new("(a{sv})", &b), "()", &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	/* The name is newer than some daemons: refused there, and the report
	 * then has no name to show. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(name));
	r = lactd_test_call(f->c, "SetPlan", g_variant_new("(a{sv})", &b), "()", &error);
	*named = error == NULL;
}

static char *
date_text(const GDate *d, const char *format)
{
	char buf[64];

	g_assert_cmpuint(g_date_strftime(buf, sizeof buf, format, d), >, 0);
	return g_strdup(buf);
}

static char *
tenths(gint64 v)
{
	return g_strdup_printf("%" G_GINT64_FORMAT ".%d", v / 10, (int)(v % 10));
}

static int
report(Fixture *f, char **out, char **err, ...)
{
	g_autofree char *path = lactd_test_build_path("client", "lactctl", NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	va_list ap;
	const char *a;
	int rc;

	g_ptr_array_add(argv, path);
	g_ptr_array_add(argv, (gpointer) "report");
	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	(void)f;
	rc = lactd_test_run((const char *const *)argv->pdata, out, err);
	if (rc != 0)
		g_test_message("lactctl report: exit %d: %s", rc, *err);
	return rc;
}

static void
keep(const char *file)
{
	const char *dir = g_getenv("LACTD_REPORT_KEEP");
	g_autofree char *base = g_path_get_basename(file);
	g_autofree char *dest = NULL;
	g_autofree char *data = NULL;
	gsize len;

	if (dir == NULL || *dir == '\0')
		return;
	dest = g_build_filename(dir, base, NULL);
	g_assert_true(g_file_get_contents(file, &data, &len, NULL));
	g_assert_true(g_file_set_contents(dest, data, len, NULL));
}

static char *
tool_output(const char *tool, ...)
{
	g_autofree char *path = g_find_program_in_path(tool);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	g_autofree char *err = NULL;
	char *out = NULL;
	va_list ap;
	const char *a;

	if (path == NULL)
		return NULL;
	g_ptr_array_add(argv, path);
	va_start(ap, tool);
	while ((a = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	if (lactd_test_run((const char *const *)argv->pdata, &out, &err) != 0)
		g_error("%s failed: %s", tool, err);
	return out;
}

/* The table row that starts with label has these cells in this order. */
static void
assert_row(const char *text, const char *label, const char *const *cells, guint n)
{
	const char *row = strstr(text, label);
	g_autofree char *line = NULL;
	const char *at;

	if (row == NULL)
		g_error("no row '%s' in:\n%s", label, text);
	line = g_strndup(row, strcspn(row, "\n"));
	at = line + strlen(label);
	for (guint i = 0; i < n; i++) {
		const char *next = strstr(at, cells[i]);

		if (next == NULL)
			g_error("row '%s': no '%s' after '%s'", line, cells[i], at);
		at = next + strlen(cells[i]);
	}
}

static void
check_weeks(const char *text, const GDate *first, const Week *weeks, guint n)
{
	for (guint w = 0; w < n; w++) {
		const Week *k = &weeks[w];
		GDate a = *first, b;
		g_autofree char *da = NULL, *db = NULL, *label = NULL;
		g_autofree char *c_days = g_strdup_printf("%u of %u", k->days_recorded, k->n_days);
		g_autofree char *c_sessions = g_strdup_printf("%u", k->sessions);
		g_autofree char *c_spd = g_strdup_printf("%.1f", (double)k->sessions / k->n_days);
		g_autofree char *c_vol = k->any_volume ? tenths(k->volume) : g_strdup("not measured");
		g_autofree char *c_sup = k->any_supplement ? tenths(k->supplement) : g_strdup("none logged");
		g_autofree char *c_nights = g_strdup_printf("%u of %u", k->nights, k->n_days);
		const char *cells[6];

		g_date_add_days(&a, w * 7);
		b = a;
		g_date_add_days(&b, k->n_days - 1);
		da = date_text(&a, "%d %b");
		db = date_text(&b, "%d %b");
		label = g_strdup_printf("%s - %s", da, db);
		cells[0] = c_days;
		cells[1] = c_sessions;
		cells[2] = c_spd;
		cells[3] = c_vol;
		cells[4] = c_sup;
		cells[5] = c_nights;
		assert_row(text, label, cells, G_N_ELEMENTS(cells));
	}
}

static double
png_check(const char *file, int width, int height)
{
	cairo_surface_t *s = cairo_image_surface_create_from_png(file);
	int w = cairo_image_surface_get_width(s), h = cairo_image_surface_get_height(s);
	int stride = cairo_image_surface_get_stride(s);
	const unsigned char *data;
	double sum = 0, sum2 = 0, n = 0;

	g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
	if (width > 0) {
		g_assert_cmpint(w, ==, width);
		g_assert_cmpint(h, ==, height);
	}
	cairo_surface_flush(s);
	data = cairo_image_surface_get_data(s);
	for (int y = 0; y < h; y++) {
		const guint32 *row = (const guint32 *)(data + y * stride);

		for (int x = 0; x < w; x++) {
			double l = ((row[x] >> 16) & 0xff) * 0.3 + ((row[x] >> 8) & 0xff) * 0.59 +
				   (row[x] & 0xff) * 0.11;

			sum += l;
			sum2 += l * l;
			n++;
		}
	}
	cairo_surface_destroy(s);
	return sum2 / n - (sum / n) * (sum / n);
}

/* Opens the HTML in headless Chromium; fails on a console error or a blank
 * screenshot. FALSE (after g_test_skip) without Chromium. */
static gboolean
chromium_check(Fixture *f, const char *html)
{
	g_autofree char *chromium = g_find_program_in_path("chromium");
	g_autofree char *profile = g_build_filename(f->dir, "chromium-profile", NULL);
	g_autofree char *shot = g_build_filename(f->dir, "screenshot.png", NULL);
	g_autofree char *url = g_filename_to_uri(html, NULL, NULL);
	g_autofree char *profile_arg = g_strdup_printf("--user-data-dir=%s", profile);
	g_autofree char *shot_arg = g_strdup_printf("--screenshot=%s", shot);
	g_autofree char *out = NULL, *err = NULL;
	const char *argv[] = {chromium, "--headless", "--no-sandbox", "--disable-gpu",
			      "--disable-quic", "--no-first-run", "--disable-background-networking",
			      "--disable-component-update", "--disable-sync",
			      "--enable-logging=stderr", "--v=0", "--window-size=1000,1300",
			      profile_arg, shot_arg, url, NULL};
	double variance;

	if (chromium == NULL) {
		g_test_skip("chromium not installed: the HTML was not opened");
		return FALSE;
	}
	g_assert_cmpint(g_mkdir(profile, 0700), ==, 0);
	g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
	if (strstr(err, "Uncaught") != NULL || strstr(err, ":CONSOLE(") != NULL)
		g_error("console error in the report's HTML:\n%s", err);
	g_assert_true(g_file_test(shot, G_FILE_TEST_EXISTS));
	variance = png_check(shot, 0, 0);
	g_test_message("screenshot luminance variance %.1f", variance);
	g_assert_cmpfloat(variance, >, 100);
	/* Printed, the page is the PDF's: one A4 page */
	{
		g_autofree char *printed = g_build_filename(f->dir, "printed.pdf", NULL);
		g_autofree char *print_arg = g_strdup_printf("--print-to-pdf=%s", printed);
		g_autofree char *info = NULL;
		const char *pargv[] = {chromium, "--headless", "--no-sandbox", "--disable-gpu",
				       "--disable-quic", "--no-first-run",
				       "--disable-background-networking",
				       "--disable-component-update", "--disable-sync", profile_arg,
				       print_arg, url, NULL};

		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		g_assert_cmpint(lactd_test_run(pargv, &out, &err), ==, 0);
		info = tool_output("pdfinfo", printed, NULL);
		if (info != NULL) {
			g_assert_nonnull(strstr(info, "Pages:           1\n"));
			g_assert_nonnull(strstr(info, "(A4)"));
		}
	}
	return TRUE;
}

static void
test_course(Fixture *f, gconstpointer data)
{
	g_autoptr(GDateTime) now = NULL;
	GDate today, first, last, start;
	Week weeks[4] = {0};
	gboolean named;
	g_autofree char *since = NULL, *until = NULL, *plan_start = NULL;
	g_autofree char *pdf = NULL, *png = NULL, *html = NULL, *out = NULL, *err = NULL;
	g_autofree char *info = NULL, *text = NULL;
	g_autofree char *range = NULL, *a = NULL, *b = NULL, *plan_day = NULL;

	(void)data;
	now = g_date_time_new_now(f->tz);
	g_date_clear(&today, 1);
	g_date_set_dmy(&today, g_date_time_get_day_of_month(now), g_date_time_get_month(now),
		       g_date_time_get_year(now));
	last = today;
	g_date_subtract_days(&last, 1);
	first = last;
	g_date_subtract_days(&first, COURSE_DAYS - 1);
	start = first;
	g_date_subtract_days(&start, 5);
	plan_start = date_text(&start, "%Y-%m-%d");
	set_plan(f, plan_start, "Alex R.", &named);

	for (guint d = 0; d < COURSE_DAYS; d++) {
		GDate day = first;
		Week *w = &weeks[d / 7];
		guint pumps = 5 + d * 5 / (COURSE_DAYS - 1); /* 5 rising to 10 */
		int v = 3 + d * d / 4;			     /* tenths per session: 0.3 to 18.5 mL */
		guint seconds = (12 + d / 5) * 60;
		gboolean night = d % 6 != 4;

		g_date_add_days(&day, d);
		w->n_days++;
		w->days_recorded++;
		if (night) {
			add_session(f, "pump", local_us(f, &day, 2.5), 30, v * 55 / 100,
				    v - v * 55 / 100, seconds, -1, NULL, NULL);
			w->nights++;
			w->sessions++;
			w->volume += v;
		}
		for (guint k = 0; k < pumps; k++) {
			double hour = 6 + k * 17.0 / pumps;
			const char *note = d == 2 && k == 1 ? "First drops on the right!"
					   : d == 15 && k == 0 ? "Sore left side, shorter session"
							       : NULL;

			/* One session a day with only the left measured. */
			add_session(f, "pump", local_us(f, &day, hour), 25, v * 55 / 100,
				    k == 2 ? -1 : v - v * 55 / 100, seconds, -1, NULL, note);
			w->volume += k == 2 ? v * 55 / 100 : v;
			w->sessions++;
		}
		w->any_volume = TRUE;
		/* At the breast, not test-weighed: counted, no volume. */
		add_session(f, "nursing", local_us(f, &day, 10.25), 20, -1, -1, 600, -1, NULL,
			    d == 20 ? "Latched for 10 minutes, calm" : NULL);
		w->sessions++;
		/* Formula falling, donor milk in the first ten days. */
		for (guint k = 0; k < 4; k++) {
			int ml = 750 - 20 * (int)d;

			add_session(f, "supplement", local_us(f, &day, 7.5 + k * 4), 10, -1, -1, 0, ml,
				    "formula", NULL);
			w->supplement += ml;
		}
		if (d < 10) {
			add_session(f, "supplement", local_us(f, &day, 20.75), 10, -1, -1, 0, 300,
				    "donor", NULL);
			w->supplement += 300;
		}
		w->any_supplement = TRUE;
	}

	since = date_text(&first, "%Y-%m-%d");
	until = date_text(&last, "%Y-%m-%d");
	pdf = g_build_filename(f->dir, "report-course.pdf", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", since, "--until", until, "--paper", "a4",
			       "-o", pdf, NULL),
			==, 0);
	g_assert_nonnull(strstr(out, pdf));
	keep(pdf);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	info = tool_output("pdfinfo", pdf, NULL);
	if (info == NULL) {
		g_test_skip("pdfinfo not installed (poppler-utils): the PDF was not read back");
		return;
	}
	g_assert_nonnull(strstr(info, "Pages:           1\n"));
	g_assert_nonnull(strstr(info, "595.276 x 841.89 pts (A4)"));
	text = tool_output("pdftotext", "-layout", pdf, "-", NULL);
	g_assert_nonnull(text);
	/* The header: whose, when, where, the plan */
	a = date_text(&first, "%a %d %b %Y");
	b = date_text(&last, "%a %d %b %Y");
	range = g_strdup_printf("%s to %s (%u days)", a, b, COURSE_DAYS);
	g_assert_nonnull(strstr(text, range));
	if (named)
		g_assert_nonnull(strstr(text, "Lactation log of Alex R."));
	g_assert_nonnull(strstr(text, "America/Toronto"));
	g_assert_nonnull(strstr(text, "8 to 12 sessions per 24 h"));
	g_assert_nonnull(strstr(text, "15 to 20 minutes per breast"));
	plan_day = g_strdup_printf("started %s, day %d of the plan", plan_start,
				   g_date_days_between(&start, &last));
	g_assert_nonnull(strstr(text, plan_day));
	check_weeks(text, &first, weeks, 4);
	/* The notes, and no advice */
	g_assert_nonnull(strstr(text, "First drops on the right!"));
	g_assert_nonnull(strstr(text, "Latched for 10 minutes, calm"));
	g_assert_nonnull(strstr(text, "No feed was test-weighed"));
	g_clear_pointer(&info, g_free);

	/* Letter, from the option */
	g_assert_cmpint(report(f, &out, &err, "--since", since, "--until", until, "--paper",
			       "letter", "-o", pdf, NULL),
			==, 0);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	info = tool_output("pdfinfo", pdf, NULL);
	g_assert_nonnull(strstr(info, "612 x 792 pts (letter)"));

	/* PNG: A4 at 150 dpi, not blank */
	png = g_build_filename(f->dir, "report-course.png", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", since, "--until", until, "--paper", "a4",
			       "--format", "png", "-o", png, NULL),
			==, 0);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	keep(png);
	if (g_getenv("LACTD_REPORT_KEEP") != NULL) {
		g_autofree char *example = g_build_filename(f->dir, "report-example.png", NULL);

		/* docs/report-example.png: small enough for the README */
		g_assert_cmpint(report(f, &out, &err, "--since", since, "--until", until, "--paper",
				       "a4", "--format", "png", "--dpi", "100", "-o", example, NULL),
				==, 0);
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		keep(example);
	}
	g_assert_cmpfloat(png_check(png, (int)ceil(595.276 * 150 / 72), (int)ceil(841.89 * 150 / 72)),
			  >, 100);

	/* HTML: self-contained, the table as text, opened in Chromium */
	html = g_build_filename(f->dir, "report-course.html", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", since, "--until", until, "--format",
			       "html", "-o", html, NULL),
			==, 0);
	keep(html);
	{
		g_autofree char *doc = NULL;

		g_assert_true(g_file_get_contents(html, &doc, NULL, NULL));
		g_assert_null(strstr(doc, "<script"));
		/* Nothing fetched: only local references (xmlns names are not fetched) */
		g_assert_null(strstr(doc, "href=\"http"));
		g_assert_null(strstr(doc, " src="));
		g_assert_null(strstr(doc, "url(http"));
		g_assert_null(strstr(doc, "@import"));
		g_assert_nonnull(strstr(doc, "<svg"));
		g_assert_nonnull(strstr(doc, "@media print"));
		g_assert_nonnull(strstr(doc, "First drops on the right!</li>"));
		g_assert_nonnull(strstr(doc, "<th scope=\"row\">"));
	}
	chromium_check(f, html);
}

static void
test_dst(Fixture *f, gconstpointer data)
{
	GDate first, last;
	Week week = {0};
	static const double hours[] = {0.5, 1.5, 3.5, 7, 10, 13, 16, 19, 22, 23.5};
	g_autofree char *pdf = NULL, *out = NULL, *err = NULL, *text = NULL;

	(void)data;
	g_date_clear(&first, 1);
	g_date_set_dmy(&first, 26, G_DATE_MARCH, 2026);
	g_date_clear(&last, 1);
	g_date_set_dmy(&last, 1, G_DATE_APRIL, 2026);
	/* Ten sessions a day at the same local times, on the day of 23 hours too:
	 * the first at 00:30 and the last at 23:30 stay on their day. */
	for (guint d = 0; d < 7; d++) {
		GDate day = first;

		g_date_add_days(&day, d);
		for (guint k = 0; k < G_N_ELEMENTS(hours); k++) {
			int v = 100 + d * 10 + k;

			add_session(f, "pump", local_us(f, &day, hours[k]), 20, v / 2, v - v / 2, 900,
				    -1, NULL, NULL);
			week.volume += v;
			week.sessions++;
		}
		week.nights++;
		week.n_days++;
		week.days_recorded++;
	}
	week.any_volume = TRUE;
	pdf = g_build_filename(f->dir, "report-dst.pdf", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", "2026-03-26", "--until", "2026-04-01",
			       "--paper", "a4", "-o", pdf, NULL),
			==, 0);
	keep(pdf);
	text = tool_output("pdftotext", "-layout", pdf, "-", NULL);
	if (text == NULL) {
		g_test_skip("pdftotext not installed (poppler-utils)");
		return;
	}
	g_assert_nonnull(strstr(text, "Europe/Berlin"));
	g_assert_nonnull(strstr(text, "(7 days)"));
	check_weeks(text, &first, &week, 1);

	/* lactctl in another zone than lactd: the days are still lactd's (the
	 * sessions at 00:30 and 01:30 are the day before in UTC) */
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_clear_pointer(&text, g_free);
	g_setenv("TZ", "UTC", TRUE);
	g_assert_cmpint(report(f, &out, &err, "--since", "2026-03-26", "--until", "2026-04-01",
			       "--paper", "a4", "-o", pdf, NULL),
			==, 0);
	g_setenv("TZ", "Europe/Berlin", TRUE);
	text = tool_output("pdftotext", "-layout", pdf, "-", NULL);
	/* times of day in lactd's zone too, which lactctl asks lactd for */
	g_assert_nonnull(strstr(text, "Europe/Berlin"));
	g_assert_null(strstr(text, "this computer's time zone"));
	check_weeks(text, &first, &week, 1);
}

static void
test_empty(Fixture *f, gconstpointer data)
{
	g_autofree char *pdf = NULL, *png = NULL, *out = NULL, *err = NULL, *text = NULL;
	Week week = {.n_days = 7};
	GDate first;

	(void)data;
	pdf = g_build_filename(f->dir, "report-empty.pdf", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", "2025-06-02", "--until", "2025-06-08",
			       "--paper", "letter", "-o", pdf, NULL),
			==, 0);
	keep(pdf);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(report(f, &out, &err, "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "--since"));
	g_assert_nonnull(strstr(out, "--paper"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	/* Usage errors: exit 2, a message, nothing written */
	g_assert_cmpint(report(f, &out, &err, "extra", NULL), ==, 2);
	g_assert_nonnull(strstr(err, "extra"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(report(f, &out, &err, "--since", "2025-06-09", "--until", "2025-06-08", NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(report(f, &out, &err, "--format", "docx", NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(report(f, &out, &err, "--until", "2025-13-01", NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	png = g_build_filename(f->dir, "report-empty.png", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", "2025-06-02", "--until", "2025-06-08",
			       "--paper", "letter", "--format", "png", "-o", png, NULL),
			==, 0);
	g_assert_cmpfloat(png_check(png, (int)ceil(612 * 150 / 72.0), (int)ceil(792 * 150 / 72.0)), >, 10);
	text = tool_output("pdftotext", "-layout", pdf, "-", NULL);
	if (text == NULL) {
		g_test_skip("pdftotext not installed (poppler-utils)");
		return;
	}
	g_assert_nonnull(strstr(text, "Nothing was recorded in this range"));
	g_date_clear(&first, 1);
	g_date_set_dmy(&first, 2, G_DATE_JUNE, 2025);
	check_weeks(text, &first, &week, 1);
	g_assert_nonnull(strstr(text, "no start date set"));
}

/* Nine weeks: folded into weekly bars, and a note a day overflows onto a
 * second page. */
static void
test_long(Fixture *f, gconstpointer data)
{
	GDate first;
	Week weeks[9] = {0};
	g_autofree char *pdf = NULL, *svg = NULL, *out = NULL, *err = NULL, *text = NULL;
	g_autofree char *info = NULL, *doc = NULL;

	(void)data;
	g_date_clear(&first, 1);
	g_date_set_dmy(&first, 6, G_DATE_JANUARY, 2025);
	for (guint d = 0; d < 63; d++) {
		GDate day = first;
		g_autofree char *note = g_strdup_printf("Day %u: a note long enough to take its own "
							"line in the list of notes", d + 1);
		Week *w = &weeks[d / 7];

		g_date_add_days(&day, d);
		add_session(f, "hand", local_us(f, &day, 8), 15, 10 + d, 10 + d, 0, -1, NULL, note);
		w->n_days++;
		w->days_recorded++;
		w->sessions++;
		w->volume += 2 * (10 + d);
		w->any_volume = TRUE;
	}
	pdf = g_build_filename(f->dir, "report-long.pdf", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", "2025-01-06", "--until", "2025-03-09",
			       "--paper", "a4", "-o", pdf, NULL),
			==, 0);
	keep(pdf);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	svg = g_build_filename(f->dir, "report-long.svg", NULL);
	g_assert_cmpint(report(f, &out, &err, "--since", "2025-01-06", "--until", "2025-03-09",
			       "--paper", "a4", "--format", "svg", "-o", svg, NULL),
			==, 0);
	g_assert_true(g_file_get_contents(svg, &doc, NULL, NULL));
	g_assert_true(g_str_has_prefix(doc, "<?xml"));
	g_assert_nonnull(strstr(doc, "<svg"));
	info = tool_output("pdfinfo", pdf, NULL);
	text = tool_output("pdftotext", "-layout", pdf, "-", NULL);
	if (info == NULL || text == NULL) {
		g_test_skip("pdfinfo or pdftotext not installed (poppler-utils)");
		return;
	}
	g_assert_nonnull(strstr(info, "Pages:           2\n"));
	g_assert_nonnull(strstr(text, "mean per day of each week"));
	g_assert_nonnull(strstr(text, "Notes (continued)"));
	g_assert_nonnull(strstr(text, "Day 1: a note"));
	g_assert_nonnull(strstr(text, "Day 63: a note"));
	check_weeks(text, &first, weeks, G_N_ELEMENTS(weeks));
}

int
main(int argc, char **argv)
{
	g_autofree char *supp = NULL;
	g_autofree char *lsan = NULL;

	g_test_init(&argc, &argv, NULL);
	/* lactctl under AddressSanitizer: fontconfig's process-long cache is no leak */
	supp = g_test_build_filename(G_TEST_DIST, "tests", "lsan.supp", NULL);
	lsan = g_strdup_printf("%s%ssuppressions=%s", g_getenv("LSAN_OPTIONS") != NULL ? g_getenv("LSAN_OPTIONS") : "",
			       g_getenv("LSAN_OPTIONS") != NULL ? ":" : "", supp);
	g_setenv("LSAN_OPTIONS", lsan, TRUE);
	g_test_add("/report/course", Fixture, "America/Toronto", fixture_set_up, test_course,
		   fixture_tear_down);
	g_test_add("/report/dst", Fixture, "Europe/Berlin", fixture_set_up, test_dst,
		   fixture_tear_down);
	g_test_add("/report/empty", Fixture, "UTC", fixture_set_up, test_empty, fixture_tear_down);
	g_test_add("/report/long", Fixture, "UTC", fixture_set_up, test_long, fixture_tear_down);
	return g_test_run();
}
