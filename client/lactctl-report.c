/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactctl report: fetches a date range from lactd over D-Bus only (so it
 * works against any running lactd), lays it into a ReportModel and writes the
 * page through the one drawing code as PDF, PNG, SVG or a self-contained
 * HTML file.
 */
#include "config.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <langinfo.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lactctl-list.h"
#include "lactctl-report.h"
#include "lactctl-util.h"
#include "report-draw.h"
#include "report-html.h"

#define CALL_TIMEOUT_MS 25000
#define MAX_DAYS	400
#define PNG_DPI		150
#define ZONE_MARGIN_US	(14 * G_TIME_SPAN_HOUR)

static GVariant *
call(GDBusConnection *bus, const char *method, GVariant *args, const char *type, GError **error)
{
	return g_dbus_connection_call_sync(bus, "org.lactd", "/org/lactd", "org.lactd.Manager1",
					   method, args, G_VARIANT_TYPE(type),
					   G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, error);
}

/* The rows (aa{sv}) a Manager1 method gives for [from, to); NULL on error. */
static GVariant *
list_rows(GDBusConnection *bus, const char *method, gint64 from, gint64 to, GError **error)
{
	g_autoptr(GVariant) reply =
	    call(bus, method, g_variant_new("(xx)", from, to), "(aa{sv})", error);

	return reply != NULL ? g_variant_get_child_value(reply, 0) : NULL;
}

/* A volume or time the daemon sent; absent or 0 reads as not measured, as
 * ListSessions sends 0 for a side nothing measured. */
static double
measured(GVariant *dict, const char *key, gboolean is_uint)
{
	double d;
	guint32 u;

	if (is_uint)
		return g_variant_lookup(dict, key, "u", &u) && u > 0 ? u : NAN;
	return g_variant_lookup(dict, key, "d", &d) && isfinite(d) && d > 0 ? d : NAN;
}

/* A volume: lactd lists in "measured" which ones are measurements, so a
 * real 0 mL stays 0 and a placeholder becomes not measured. */
static double
volume(GVariant *dict, const char *key, const char *what)
{
	g_autofree const char **list = NULL;
	double d;

	if (!g_variant_lookup(dict, key, "d", &d) || !isfinite(d))
		return NAN;
	if (!g_variant_lookup(dict, "measured", "^a&s", &list))
		return d > 0 ? d : NAN;
	if (what == NULL)
		return list[0] != NULL ? d : NAN;
	return g_strv_contains(list, what) ? d : NAN;
}

static guint32
local_julian(gint64 us, GTimeZone *tz, double *hour)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
	g_autoptr(GDateTime) t = utc != NULL ? g_date_time_to_timezone(utc, tz) : NULL;
	GDate d;

	if (t == NULL)
		return 0;
	if (hour != NULL)
		*hour = g_date_time_get_hour(t) + g_date_time_get_minute(t) / 60.0 +
			g_date_time_get_second(t) / 3600.0;
	g_date_clear(&d, 1);
	g_date_set_dmy(&d, g_date_time_get_day_of_month(t), g_date_time_get_month(t),
		       g_date_time_get_year(t));
	return g_date_get_julian(&d);
}

static void
add_session(ReportModel *m, GVariant *dict)
{
	ReportSession s = {0};
	const char *kind = "", *milk = NULL, *note = NULL;
	gint64 start = 0;

	g_variant_lookup(dict, "kind", "&s", &kind);
	g_variant_lookup(dict, "start", "x", &start);
	g_variant_lookup(dict, "end", "x", &s.end_us);
	g_variant_lookup(dict, "milk", "&s", &milk);
	g_variant_lookup(dict, "note", "&s", &note);
	s.start_us = start;
	s.kind = g_str_equal(kind, "pump")	   ? REPORT_KIND_PUMP
		 : g_str_equal(kind, "hand")	   ? REPORT_KIND_HAND
		 : g_str_equal(kind, "nursing")	   ? REPORT_KIND_NURSING
		 : g_str_equal(kind, "supplement") ? REPORT_KIND_SUPPLEMENT
						   : REPORT_KIND_OTHER;
	s.left_ml = volume(dict, "left_ml", "left");
	s.right_ml = volume(dict, "right_ml", "right");
	s.total_ml = volume(dict, "total_ml", NULL);
	s.left_min = measured(dict, "left_seconds", TRUE) / 60;
	s.right_min = measured(dict, "right_seconds", TRUE) / 60;
	s.supplement_ml = measured(dict, "supplement_ml", FALSE);
	report_milk_from_string(milk, &s.milk);
	s.note = (char *)note;
	s.julian = local_julian(start, m->tz, &s.hour);
	report_model_add_session(m, &s);
}

static gboolean
is_milk_removal(ReportKind k)
{
	return k == REPORT_KIND_PUMP || k == REPORT_KIND_HAND || k == REPORT_KIND_NURSING;
}

/*
 * Days are the daemon's: where this computer's days disagree with the
 * daemon's counts (another time zone), ask the daemon which day each session
 * is on.
 */
static gboolean
align_days(GDBusConnection *bus, ReportModel *m, GError **error)
{
	g_autoptr(GHashTable) counts = g_hash_table_new(NULL, NULL);
	gboolean agree = TRUE;

	for (guint i = 0; i < m->sessions->len; i++) {
		const ReportSession *s = &g_array_index(m->sessions, ReportSession, i);
		gpointer key = GUINT_TO_POINTER(s->julian);

		if (is_milk_removal(s->kind))
			g_hash_table_insert(counts, key,
					    GUINT_TO_POINTER(GPOINTER_TO_UINT(g_hash_table_lookup(counts, key)) + 1));
	}
	for (guint i = 0; i < m->summaries->len && agree; i++) {
		const ReportSummary *r = &g_array_index(m->summaries, ReportSummary, i);

		agree = GPOINTER_TO_UINT(g_hash_table_lookup(counts, GUINT_TO_POINTER(r->julian))) ==
			r->sessions;
	}
	if (agree)
		return TRUE;
	for (guint i = 0; i < m->sessions->len; i++) {
		ReportSession *s = &g_array_index(m->sessions, ReportSession, i);
		g_autoptr(GVariant) days = NULL, day = NULL;
		const char *text = NULL;
		GDate d;

		if (!lactctl_list_days(bus, s->start_us, s->start_us + 1, &days, error))
			return FALSE;
		if (g_variant_n_children(days) == 0)
			continue;
		day = g_variant_get_child_value(days, 0);
		if (g_variant_lookup(day, "day", "&s", &text) && report_parse_date(text, &d))
			s->julian = g_date_get_julian(&d);
	}
	return TRUE;
}

static gboolean
fetch(GDBusConnection *bus, ReportModel *m, GError **error)
{
	gint64 from, to;
	GDate after = m->last;
	g_autoptr(GVariant) plan = NULL, sessions = NULL, summary = NULL, weighings = NULL;

	/* lactd's days may be in another zone than this computer's: fetch 14
	 * hours (the widest UTC offset) more on each side, and keep what lactd
	 * counts on the range's days. */
	g_date_add_days(&after, 1);
	from = report_day_start_us(&m->first, m->tz) - ZONE_MARGIN_US;
	to = report_day_start_us(&after, m->tz) + ZONE_MARGIN_US;
	if ((plan = call(bus, "GetPlan", NULL, "(a{sv})", error)) == NULL)
		return FALSE;
	{
		g_autoptr(GVariant) p = g_variant_get_child_value(plan, 0);
		const char *start = NULL, *name = NULL, *on_s = NULL, *on_e = NULL;

		g_variant_lookup(p, "sessions_min", "u", &m->plan.sessions_min);
		g_variant_lookup(p, "sessions_max", "u", &m->plan.sessions_max);
		g_variant_lookup(p, "minutes_min", "u", &m->plan.minutes_min);
		g_variant_lookup(p, "minutes_max", "u", &m->plan.minutes_max);
		if (g_variant_lookup(p, "overnight_start", "&s", &on_s))
			m->plan.overnight_start = g_strdup(on_s);
		if (g_variant_lookup(p, "overnight_end", "&s", &on_e))
			m->plan.overnight_end = g_strdup(on_e);
		if (g_variant_lookup(p, "start_date", "&s", &start) && *start != '\0')
			m->plan.start_date = g_strdup(start);
		/* Newer daemons only: whose log it is. */
		if (g_variant_lookup(p, "name", "&s", &name) && *name != '\0')
			m->plan.name = g_strdup(name);
	}
	if (!lactctl_list_rows(bus, &lactd_session_table, "ListSessionsFd", "ListSessions", from, to,
			       &sessions, error))
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children(sessions); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(sessions, i);
		gint64 start = 0;

		/* Overlapping the range is not enough: a session counts for its start. */
		if (g_variant_lookup(row, "start", "x", &start) && start >= from)
			add_session(m, row);
	}
	if (!lactctl_list_days(bus, from, to, &summary, error))
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children(summary); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(summary, i);
		ReportSummary r = {0};
		const char *day = NULL;
		GDate d;

		if (g_variant_lookup(row, "day", "&s", &day) && report_parse_date(day, &d)) {
			r.julian = g_date_get_julian(&d);
			g_variant_lookup(row, "sessions", "u", &r.sessions);
			g_variant_lookup(row, "overnight", "b", &r.overnight);
			g_array_append_val(m->summaries, r);
		}
	}
	if (!align_days(bus, m, error))
		return FALSE;
	if ((weighings = list_rows(bus, "ListWeighings", from, to, error)) == NULL)
		return FALSE;
	for (gsize i = 0; i < g_variant_n_children(weighings); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(weighings, i);
		ReportWeight w = {0};
		const char *role = "";
		gboolean stable = TRUE;

		g_variant_lookup(row, "role", "&s", &role);
		g_variant_lookup(row, "stable", "b", &stable);
		if (g_str_equal(role, "baby") && stable && g_variant_lookup(row, "time", "x", &w.time_us) &&
		    g_variant_lookup(row, "grams", "d", &w.grams) && isfinite(w.grams) && w.grams > 0) {
			w.julian = local_julian(w.time_us, m->tz, NULL);
			g_array_append_val(m->weights, w);
		}
	}
	return TRUE;
}

/* Paper from the locale: glibc knows LC_PAPER's size; otherwise the US and
 * Canada use letter and the rest of the world A4. */
static gboolean
locale_is_letter(void)
{
#ifdef _NL_PAPER_WIDTH
	union {
		const char *string;
		unsigned int word;
	} width;

	width.string = nl_langinfo(_NL_PAPER_WIDTH);
	if (width.word == 216)
		return TRUE;
	if (width.word == 210)
		return FALSE;
#endif
	{
		const char *vars[] = {"LC_ALL", "LC_PAPER", "LANG"};

		for (guint i = 0; i < G_N_ELEMENTS(vars); i++) {
			const char *v = g_getenv(vars[i]);

			if (v != NULL && *v != '\0')
				return strstr(v, "_US") != NULL || strstr(v, "_CA") != NULL;
		}
	}
	return FALSE;
}

static cairo_status_t
to_bytes(void *closure, const unsigned char *data, unsigned int length)
{
	g_byte_array_append(closure, data, length);
	return CAIRO_STATUS_SUCCESS;
}

/* All pages, one under the other, on one surface (SVG, PNG). */
static void
draw_stacked(cairo_surface_t *surface, const ReportModel *m, double w, double h, double scale,
	     guint pages)
{
	cairo_t *cr = cairo_create(surface);

	cairo_scale(cr, scale, scale);
	for (guint p = 0; p < pages; p++) {
		cairo_save(cr);
		cairo_translate(cr, 0, p * h);
		report_draw_page(cr, m, w, h, p);
		cairo_restore(cr);
	}
	cairo_destroy(cr);
}

static gboolean
render(const ReportModel *m, const char *format, double w, double h, double dpi, GByteArray *out,
       GError **error)
{
	guint pages = report_draw_n_pages(m, w, h);
	cairo_surface_t *surface;
	cairo_status_t status;

	if (g_str_equal(format, "pdf")) {
		cairo_t *cr;

		surface = cairo_pdf_surface_create_for_stream(to_bytes, out, w, h);
		cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "Lactation log");
		cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "lactctl report");
		cr = cairo_create(surface);
		for (guint p = 0; p < pages; p++) {
			report_draw_page(cr, m, w, h, p);
			cairo_show_page(cr);
		}
		cairo_destroy(cr);
	} else if (g_str_equal(format, "png")) {
		double s = dpi / 72;

		surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(w * s - 1e-6),
						     (int)ceil(h * s - 1e-6) * pages);
		draw_stacked(surface, m, w, h, s, pages);
		status = cairo_surface_write_to_png_stream(surface, to_bytes, out);
		if (status != CAIRO_STATUS_SUCCESS) {
			cairo_surface_destroy(surface);
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "PNG: %s",
				    cairo_status_to_string(status));
			return FALSE;
		}
	} else {
		g_autoptr(GByteArray) svg = g_byte_array_new();

		surface = cairo_svg_surface_create_for_stream(to_bytes, g_str_equal(format, "svg") ? out : svg,
							      w, h * pages);
		cairo_svg_surface_set_document_unit(surface, CAIRO_SVG_UNIT_PT);
		draw_stacked(surface, m, w, h, 1, pages);
		cairo_surface_finish(surface);
		if (g_str_equal(format, "html")) {
			g_autofree char *html = NULL;

			g_byte_array_append(svg, (const guint8 *)"", 1);
			html = report_html(m, (const char *)svg->data, w, h);
			g_byte_array_append(out, (const guint8 *)html, strlen(html));
		}
	}
	cairo_surface_finish(surface);
	status = cairo_surface_status(surface);
	cairo_surface_destroy(surface);
	if (status != CAIRO_STATUS_SUCCESS) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", format,
			    cairo_status_to_string(status));
		return FALSE;
	}
	return TRUE;
}

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
usage(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_printerr("lactctl report: %s\nTry 'lactctl report --help'.\n", msg);
	return 2;
}

int
lactctl_report_main(GDBusConnection *bus, int argc, char **argv)
{
	g_autofree char *since = NULL, *until = NULL, *format = NULL, *paper = NULL, *output = NULL;
	int dpi = PNG_DPI;
	GOptionEntry entries[] = {
	    {"since", 0, 0, G_OPTION_ARG_STRING, &since, "First day (default: 27 days before --until)", "YYYY-MM-DD"},
	    {"until", 0, 0, G_OPTION_ARG_STRING, &until, "Last day, included (default: today)", "YYYY-MM-DD"},
	    {"format", 0, 0, G_OPTION_ARG_STRING, &format, "pdf (default), html, png or svg", "FORMAT"},
	    {"paper", 0, 0, G_OPTION_ARG_STRING, &paper, "a4 or letter (default: from the locale)", "PAPER"},
	    {"dpi", 0, 0, G_OPTION_ARG_INT, &dpi, "Resolution of a PNG (default 150)", "DPI"},
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "File to write, - for standard output", "FILE"},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_auto(GStrv) args = g_new0(char *, argc + 1);
	/* lactd's zone (lactctl adopted it when connecting): its days, its clock. */
	g_autoptr(GTimeZone) tz = lactctl_time_zone();
	g_autoptr(GDateTime) now = g_date_time_new_now(tz);
	g_autoptr(ReportModel) m = NULL;
	g_autoptr(GByteArray) out = g_byte_array_new();
	GDate first, last;
	gboolean letter;

	for (int i = 0; i < argc; i++)
		args[i] = g_strdup(argv[i]);
	g_option_context_set_summary(oc, "Writes the consultant's report of a date range: one page "
					 "(two for long ranges) of charts, the weekly table and the "
					 "notes, from lactd's data.");
	g_option_context_add_main_entries(oc, entries, NULL);
	g_option_context_set_help_enabled(oc, TRUE);
	/* "Usage: lactctl report [OPTION…]", as every lactctl command. */
	g_set_prgname("lactctl report");
	if (!g_option_context_parse_strv(oc, &args, &error))
		return usage("%s", error->message);
	if (g_strv_length(args) > 1)
		return usage("unexpected argument '%s'", args[1]);
	if (format == NULL)
		format = g_strdup("pdf");
	if (!g_str_equal(format, "pdf") && !g_str_equal(format, "html") && !g_str_equal(format, "png") &&
	    !g_str_equal(format, "svg"))
		return usage("unknown format '%s' (pdf, html, png or svg)", format);
	if (dpi < 50 || dpi > 600)
		return usage("--dpi %d: from 50 to 600", dpi);
	if (paper != NULL && !g_str_equal(paper, "a4") && !g_str_equal(paper, "letter"))
		return usage("unknown paper '%s' (a4 or letter)", paper);
	letter = paper != NULL ? g_str_equal(paper, "letter") : locale_is_letter();
	if (until != NULL) {
		if (!report_parse_date(until, &last))
			return usage("--until: '%s' is not a date (YYYY-MM-DD)", until);
	} else {
		g_date_clear(&last, 1);
		g_date_set_dmy(&last, g_date_time_get_day_of_month(now), g_date_time_get_month(now),
			       g_date_time_get_year(now));
	}
	if (since != NULL) {
		if (!report_parse_date(since, &first))
			return usage("--since: '%s' is not a date (YYYY-MM-DD)", since);
	} else {
		first = last;
		g_date_subtract_days(&first, 27);
	}
	if (g_date_compare(&first, &last) > 0)
		return usage("--since %s is after --until", since != NULL ? since : "");
	if (g_date_days_between(&first, &last) >= MAX_DAYS)
		return usage("a report covers at most %d days", MAX_DAYS);
	if (output == NULL) {
		char day[16];

		g_date_strftime(day, sizeof day, "%Y-%m-%d", &last);
		output = g_strdup_printf("lactd-report-%s.%s", day, format);
	}

	m = report_model_new(&first, &last, tz);
	m->tz_label = g_strdup(g_time_zone_get_identifier(tz));
	m->tz_is_daemon = lactctl_time_zone_is_daemon();
	if (!fetch(bus, m, &error)) {
		g_dbus_error_strip_remote_error(error);
		g_printerr("lactctl: %s\n", error->message);
		return 1;
	}
	report_model_compute(m);
	if (!render(m, format, letter ? REPORT_LETTER_WIDTH : REPORT_A4_WIDTH,
		    letter ? REPORT_LETTER_HEIGHT : REPORT_A4_HEIGHT, dpi, out, &error)) {
		g_printerr("lactctl: %s\n", error->message);
		return 1;
	}
	if (g_str_equal(output, "-")) {
		if (fwrite(out->data, 1, out->len, stdout) != out->len || fflush(stdout) != 0) {
			g_printerr("lactctl: writing to standard output failed\n");
			return 1;
		}
		return 0;
	}
	if (!g_file_set_contents(output, (const char *)out->data, out->len, &error)) {
		g_printerr("lactctl: %s\n", error->message);
		return 1;
	}
	g_print("Wrote %s (%s, %s)\n", output, format, letter ? "letter" : "A4");
	return 0;
}
