/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * No script, no link, no font or image from anywhere: the file opens the same
 * on a clinic computer without network and prints as the PDF does. The text
 * beside the picture is for screen readers and copying; the print style
 * keeps only the page.
 */
#include "config.h"

#include <string.h>

#include "report-draw.h"
#include "report-html.h"

static const char style[] =
    "body{font-family:'DejaVu Sans',sans-serif;color:#202020;margin:1.5em auto;max-width:60em}"
    "figure{margin:0}figure svg{display:block;width:100%;height:auto;border:1px solid #ccc}"
    "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}"
    "th,td{padding:0.2em 0.6em;border-bottom:1px solid #ddd;text-align:right}"
    "th:first-child,td:first-child{text-align:left}"
    "@media print{@page{margin:0}html,body{margin:0;padding:0;max-width:none}"
    "figure svg{border:0;width:99.9%}.text{display:none}}";

static void
append_escaped(GString *out, const char *text)
{
	g_autofree char *e = g_markup_escape_text(text, -1);

	g_string_append(out, e);
}

/* "Lactation log", and whose when the plan names someone. */
static void
append_title(GString *out, const ReportModel *m)
{
	g_string_append(out, "Lactation log");
	if (m->plan.name != NULL) {
		g_string_append(out, " of ");
		append_escaped(out, m->plan.name);
	}
}

char *
report_html(const ReportModel *m, const char *svg, double width, double height)
{
	GString *out = g_string_new("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
	g_autofree char *range = report_text_range(m);
	g_autofree char *plan = report_text_plan(m);
	const char *body = strstr(svg, "<svg");
	guint n_notes = 0;

	g_string_append(out, "<title>");
	append_title(out, m);
	g_string_append(out, "</title>\n<style>");
	g_string_append(out, style);
	g_string_append_printf(out, "@media print{@page{size:%.0fpt %.0fpt}}", width, height);
	g_string_append(out, "</style>\n</head>\n<body>\n<figure role=\"img\" aria-label=\"");
	append_escaped(out, "Charts of the log: volume, sessions, 24-hour pattern, minutes per "
			    "breast, supplement, the baby's intake and weight");
	g_string_append(out, "\">\n");
	/* cairo's SVG, without its XML declaration, inline. */
	g_string_append(out, body != NULL ? body : "");
	g_string_append(out, "</figure>\n<div class=\"text\">\n<h1>");
	append_title(out, m);
	g_string_append(out, "</h1>\n<p>");
	append_escaped(out, range);
	g_string_append(out, "</p>\n<p>");
	append_escaped(out, plan);
	g_string_append(out, "</p>\n<p>Times of day: ");
	append_escaped(out, m->tz_label != NULL ? m->tz_label : "local");
	g_string_append(out, m->tz_is_daemon ? "" : " (this computer's time zone)");
	g_string_append(out, "</p>\n<table>\n<caption>Week by week</caption>\n<tr>");
	for (guint c = 0; c < REPORT_WEEK_COLUMNS; c++) {
		g_string_append(out, "<th scope=\"col\">");
		append_escaped(out, report_week_headings[c]);
		g_string_append(out, "</th>");
	}
	g_string_append(out, "</tr>\n");
	for (guint w = 0; w < m->weeks->len; w++) {
		g_auto(GStrv) cells = report_text_week(m, w);

		g_string_append(out, "<tr>");
		for (guint c = 0; c < REPORT_WEEK_COLUMNS; c++) {
			g_string_append(out, c == 0 ? "<th scope=\"row\">" : "<td>");
			append_escaped(out, cells[c]);
			g_string_append(out, c == 0 ? "</th>" : "</td>");
		}
		g_string_append(out, "</tr>\n");
	}
	g_string_append(out, "</table>\n<h2>Notes</h2>\n<ul>\n");
	for (guint i = 0; i < m->sessions->len; i++) {
		g_autofree char *line = report_text_note(m, i);

		if (line == NULL)
			continue;
		g_string_append(out, "<li>");
		append_escaped(out, line);
		g_string_append(out, "</li>\n");
		n_notes++;
	}
	g_string_append(out, "</ul>\n");
	if (n_notes == 0)
		g_string_append(out, "<p>No notes in this range.</p>\n");
	g_string_append(out, "<p>Recorded by lactd. A summary of what was logged; it gives no "
			     "advice.</p>\n</div>\n</body>\n</html>\n");
	return g_string_free(out, FALSE);
}
