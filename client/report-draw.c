/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The page: header, the charts in the order a consultant asks (volume,
 * sessions, the 24-hour pattern, minutes per breast, supplement, the baby),
 * the weekly table and the notes. The notes that do not fit go on a second
 * page.
 */
#include "config.h"

#include <math.h>

#include "report-draw-private.h"

#define MARGIN	   34.0
#define GAP	   9.0
#define NOTE_SIZE  6.5
#define NOTE_LINE  8.6
#define TABLE_LINE 10.0
#define NOTES_MIN  72.0
/* A longer table (long ranges) opens the second page. */
#define TABLE_WEEKS_FIRST_PAGE 10

void
report_rgb(cairo_t *cr, guint32 rgb)
{
	cairo_set_source_rgb(cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
			     (rgb & 0xff) / 255.0);
}

static PangoLayout *
layout_new(cairo_t *cr, double size, gboolean bold, const char *text)
{
	PangoLayout *layout = pango_cairo_create_layout(cr);
	g_autoptr(PangoFontDescription) font = pango_font_description_from_string("DejaVu Sans");

	/* Points are user units: the same page at any resolution. */
	pango_cairo_context_set_resolution(pango_layout_get_context(layout), 72);
	pango_font_description_set_size(font, (int)(size * PANGO_SCALE));
	if (bold)
		pango_font_description_set_weight(font, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(layout, font);
	pango_layout_context_changed(layout);
	pango_layout_set_text(layout, text, -1);
	return layout;
}

double
report_text_width(cairo_t *cr, double size, gboolean bold, const char *text)
{
	g_autoptr(PangoLayout) layout = layout_new(cr, size, bold, text);
	int w, h;

	pango_layout_get_size(layout, &w, &h);
	return (double)w / PANGO_SCALE;
}

double
report_text(cairo_t *cr, double x, double y, double width, Align align, double size,
	    gboolean bold, const char *text)
{
	g_autoptr(PangoLayout) layout = layout_new(cr, size, bold, text);
	int w, h;

	if (width > 0) {
		pango_layout_set_width(layout, (int)(width * PANGO_SCALE));
		pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
	}
	pango_layout_get_size(layout, &w, &h);
	if (width <= 0 && align == ALIGN_CENTER)
		x -= (double)w / PANGO_SCALE / 2;
	else if (width <= 0 && align == ALIGN_RIGHT)
		x -= (double)w / PANGO_SCALE;
	else if (width > 0)
		pango_layout_set_alignment(layout, align == ALIGN_CENTER  ? PANGO_ALIGN_CENTER
						   : align == ALIGN_RIGHT ? PANGO_ALIGN_RIGHT
									  : PANGO_ALIGN_LEFT);
	cairo_move_to(cr, x, y);
	pango_cairo_show_layout(cr, layout);
	/* No current point left behind for the next arc to draw a line from. */
	cairo_new_path(cr);
	return (double)h / PANGO_SCALE;
}

Box
report_chart_frame(cairo_t *cr, Box box, const char *title, const char *caption)
{
	double h;
	Box plot;

	report_rgb(cr, COLOUR_TEXT);
	h = report_text(cr, box.x, box.y, 0, ALIGN_LEFT, 8, TRUE, title);
	if (caption != NULL) {
		double tw = report_text_width(cr, 8, TRUE, title);

		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, box.x + tw + 6, box.y + 1.5, box.w - tw - 6, ALIGN_LEFT, 6, FALSE,
			    caption);
	}
	/* Room on the left for the axis labels, below for the days. */
	plot.x = box.x + 24;
	plot.y = box.y + h + 4;
	plot.w = box.w - 26;
	plot.h = box.h - h - 4 - 11;
	return plot;
}

static double
header(cairo_t *cr, const ReportModel *m, double width)
{
	g_autofree char *range = report_text_range(m);
	g_autofree char *plan = report_text_plan(m);
	g_autofree char *title = NULL;
	g_autofree char *zone = NULL;
	double y = MARGIN;

	if (m->plan.name != NULL && *m->plan.name != '\0')
		title = g_strdup_printf("Lactation log of %s", m->plan.name);
	else
		title = g_strdup("Lactation log");
	report_rgb(cr, COLOUR_TEXT);
	y += report_text(cr, MARGIN, y, 0, ALIGN_LEFT, 14, TRUE, title);
	y += report_text(cr, MARGIN, y + 1, 0, ALIGN_LEFT, 9, FALSE, range) + 2;
	report_rgb(cr, COLOUR_MUTED);
	if (m->tz_is_daemon)
		zone = g_strdup_printf("Days and times of day: %s (lactd's time zone)", m->tz_label);
	else
		zone = g_strdup_printf("Days are lactd's local days; times of day are in this "
				       "computer's time zone, %s (lactd does not publish its own)",
				       m->tz_label);
	y += report_text(cr, MARGIN, y, width - 2 * MARGIN, ALIGN_LEFT, 6.5, FALSE, zone);
	y += report_text(cr, MARGIN, y, width - 2 * MARGIN, ALIGN_LEFT, 6.5, FALSE, plan);
	y += report_text(cr, MARGIN, y, width - 2 * MARGIN, ALIGN_LEFT, 6.5, FALSE,
			 "Recorded by lactd. A summary of what was logged; it gives no advice.");
	cairo_set_line_width(cr, 0.6);
	report_rgb(cr, COLOUR_AXIS);
	cairo_move_to(cr, MARGIN, y + 3);
	cairo_line_to(cr, width - MARGIN, y + 3);
	cairo_stroke(cr);
	return y + 3 + GAP;
}

static double
table_height(const ReportModel *m)
{
	return 14 + 2 * TABLE_LINE + m->weeks->len * TABLE_LINE + 4;
}

static void
weekly_table(cairo_t *cr, const ReportModel *m, Box box)
{
	/* Column widths as fractions of the table's width. */
	static const double frac[REPORT_WEEK_COLUMNS] = {0.14, 0.08, 0.08, 0.07, 0.11,
							 0.09, 0.12, 0.07, 0.11, 0.13};
	double x, y = box.y;

	report_rgb(cr, COLOUR_TEXT);
	y += report_text(cr, box.x, y, 0, ALIGN_LEFT, 8, TRUE, "Week by week") + 2;
	x = box.x;
	for (guint c = 0; c < REPORT_WEEK_COLUMNS; c++) {
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, x, y, frac[c] * box.w - 3, c == 0 ? ALIGN_LEFT : ALIGN_RIGHT, 6,
			    TRUE, report_week_headings[c]);
		x += frac[c] * box.w;
	}
	y += 2 * TABLE_LINE;
	report_rgb(cr, COLOUR_AXIS);
	cairo_set_line_width(cr, 0.4);
	cairo_move_to(cr, box.x, y - 1);
	cairo_line_to(cr, box.x + box.w, y - 1);
	cairo_stroke(cr);
	for (guint wk = 0; wk < m->weeks->len; wk++) {
		g_auto(GStrv) cells = report_text_week(m, wk);

		if (wk % 2 == 1) {
			report_rgb(cr, 0xf3f5f8);
			cairo_rectangle(cr, box.x, y, box.w, TABLE_LINE);
			cairo_fill(cr);
		}
		x = box.x;
		for (guint c = 0; c < REPORT_WEEK_COLUMNS; c++) {
			report_rgb(cr, COLOUR_TEXT);
			report_text(cr, x, y + 1, frac[c] * box.w - 3,
				    c == 0 ? ALIGN_LEFT : ALIGN_RIGHT, 6.5, FALSE, cells[c]);
			x += frac[c] * box.w;
		}
		y += TABLE_LINE;
	}
}

static GPtrArray *
notes(const ReportModel *m)
{
	GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < m->sessions->len; i++) {
		char *line = report_text_note(m, i);

		if (line != NULL)
			g_ptr_array_add(lines, line);
	}
	return lines;
}

/* Draws notes from index first while they fit; returns the next one. */
static guint
draw_notes(cairo_t *cr, GPtrArray *lines, guint first, Box box, gboolean continued)
{
	double y = box.y;
	guint i;

	report_rgb(cr, COLOUR_TEXT);
	y += report_text(cr, box.x, y, 0, ALIGN_LEFT, 8, TRUE,
			 continued ? "Notes (continued)" : "Notes") + 2;
	if (lines->len == 0) {
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, box.x, y, box.w, ALIGN_LEFT, NOTE_SIZE, FALSE,
			    "No notes in this range.");
		return 0;
	}
	for (i = first; i < lines->len; i++) {
		if (y + NOTE_LINE > box.y + box.h)
			break;
		report_rgb(cr, COLOUR_TEXT);
		y += MAX(NOTE_LINE, report_text(cr, box.x, y, box.w, ALIGN_LEFT, NOTE_SIZE, FALSE,
						g_ptr_array_index(lines, i)));
	}
	return i;
}

typedef struct {
	Box volume, sessions, pattern, minutes, supplement, baby, table, notes;
	gboolean empty;
	gboolean table_first_page; /* else it opens the second page */
	double message_y;
} Layout;

static void
layout_page(cairo_t *cr, const ReportModel *m, double width, double height, Layout *l)
{
	double y = header(cr, m, width);
	double w = width - 2 * MARGIN, half = (w - GAP * 2) / 2;

	l->empty = m->n_recorded == 0 && m->weights->len == 0;
	l->table_first_page = m->weeks->len <= TABLE_WEEKS_FIRST_PAGE;
	if (l->empty) {
		l->message_y = y;
		y += 40;
	} else {
		/* The charts share what the table and a few notes leave. */
		double room = height - MARGIN - y - (l->table_first_page ? table_height(m) : 14) -
			      5 * GAP - NOTES_MIN;
		double f = CLAMP(room / (150 + 118 + 78 + 74), 0.8, 1.3);

		l->volume = (Box){MARGIN, y, w, 150 * f};
		y += l->volume.h + GAP;
		l->sessions = (Box){MARGIN, y, half, 118 * f};
		l->pattern = (Box){MARGIN + half + 2 * GAP, y, half, 118 * f};
		y += l->sessions.h + GAP;
		l->minutes = (Box){MARGIN, y, half, 78 * f};
		l->supplement = (Box){MARGIN + half + 2 * GAP, y, half, 78 * f};
		y += l->minutes.h + GAP;
		l->baby = (Box){MARGIN, y, w, 74 * f};
		y += l->baby.h + GAP;
	}
	l->table = (Box){MARGIN, y, w, l->table_first_page ? table_height(m) : 14};
	y += l->table.h + GAP;
	l->notes = (Box){MARGIN, y, w, height - MARGIN - y};
}

guint
report_draw_n_pages(const ReportModel *m, double width, double height)
{
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
	cairo_t *cr = cairo_create(s);
	g_autoptr(GPtrArray) lines = notes(m);
	Layout l;
	guint next;

	layout_page(cr, m, width, height, &l);
	next = draw_notes(cr, lines, 0, l.notes, FALSE);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
	return !l.table_first_page || (lines->len > 0 && next < lines->len) ? 2 : 1;
}

static void
footer(cairo_t *cr, double width, double height, guint page, guint n_pages)
{
	g_autofree char *text = g_strdup_printf("Page %u of %u", page + 1, n_pages);

	report_rgb(cr, COLOUR_MUTED);
	report_text(cr, width - MARGIN, height - MARGIN + 8, 0, ALIGN_RIGHT, 6, FALSE, text);
}

void
report_draw_page(cairo_t *cr, const ReportModel *m, double width, double height, guint page)
{
	g_autoptr(GPtrArray) lines = notes(m);
	guint n_pages = report_draw_n_pages(m, width, height);
	Layout l;

	cairo_save(cr);
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	if (page == 0) {
		layout_page(cr, m, width, height, &l);
		if (l.empty) {
			g_autofree char *range = report_text_range(m);
			g_autofree char *msg =
			    g_strdup_printf("Nothing was recorded in this range (%s).", range);

			report_rgb(cr, COLOUR_TEXT);
			report_text(cr, MARGIN, l.message_y + 8, width - 2 * MARGIN, ALIGN_LEFT,
				    11, TRUE, msg);
		} else {
			report_chart_volume(cr, m, l.volume);
			report_chart_sessions(cr, m, l.sessions);
			report_chart_pattern(cr, m, l.pattern);
			report_chart_minutes(cr, m, l.minutes);
			report_chart_supplement(cr, m, l.supplement);
			report_chart_baby(cr, m, l.baby);
		}
		if (l.table_first_page)
			weekly_table(cr, m, l.table);
		else {
			report_rgb(cr, COLOUR_TEXT);
			report_text(cr, MARGIN, l.table.y, 0, ALIGN_LEFT, 8, TRUE,
				    "Week by week: on page 2");
		}
		draw_notes(cr, lines, 0, l.notes, FALSE);
	} else {
		/* The second page carries on with the notes that did not fit on
		 * the first, found by laying the first out again off the page. */
		cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1, 1);
		cairo_t *probe = cairo_create(s);
		g_autofree char *range = report_text_range(m);
		g_autofree char *title = g_strdup_printf(
		    "Lactation log%s%s, %s", m->plan.name != NULL ? " of " : "",
		    m->plan.name != NULL ? m->plan.name : "", range);
		guint next;
		Box rest = {MARGIN, MARGIN + 16, width - 2 * MARGIN, height - 2 * MARGIN - 34};

		layout_page(probe, m, width, height, &l);
		next = draw_notes(probe, lines, 0, l.notes, FALSE);
		cairo_destroy(probe);
		cairo_surface_destroy(s);
		report_rgb(cr, COLOUR_MUTED);
		report_text(cr, MARGIN, MARGIN, width - 2 * MARGIN, ALIGN_LEFT, 7, FALSE, title);
		if (!l.table_first_page) {
			double th = table_height(m);

			weekly_table(cr, m, (Box){MARGIN, rest.y, rest.w, th});
			rest.y += th + GAP;
			rest.h -= th + GAP;
		}
		if (next < lines->len)
			next = draw_notes(cr, lines, next, rest, TRUE);
		if (next < lines->len) {
			g_autofree char *more = g_strdup_printf(
			    "%u more notes: lactctl sessions lists them all.", lines->len - next);

			report_rgb(cr, COLOUR_MUTED);
			report_text(cr, MARGIN, height - MARGIN - 4, 0, ALIGN_LEFT, NOTE_SIZE, TRUE,
				    more);
		}
	}
	footer(cr, width, height, page, n_pages);
	cairo_restore(cr);
}
