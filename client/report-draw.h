/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The consultant's page drawn with cairo and pango from a ReportModel. The
 * same code draws into a PDF, an image or an SVG surface; sizes are in points
 * (1/72 inch), a caller scales the cairo_t for pixels.
 */
#pragma once

#include <cairo.h>

#include "report-model.h"

G_BEGIN_DECLS

#define REPORT_A4_WIDTH	     595.276
#define REPORT_A4_HEIGHT     841.89
#define REPORT_LETTER_WIDTH  612.0
#define REPORT_LETTER_HEIGHT 792.0

/* How many pages the model needs on this paper (1, or 2 when the notes overflow). */
guint report_draw_n_pages(const ReportModel *model, double width, double height);
/* Draws one page (0-based) on a white background. */
void report_draw_page(cairo_t *cr, const ReportModel *model, double width, double height,
		      guint page);

/* Text both the page and the HTML show, so that they always agree. */
char *report_text_range(const ReportModel *model);
char *report_text_plan(const ReportModel *model);
/* A weekly table row's cells: week, days logged, sessions, per day, volume,
 * per day, supplement, per day, nights, trend. Free with g_strfreev. */
#define REPORT_WEEK_COLUMNS 10
extern const char *const report_week_headings[REPORT_WEEK_COLUMNS];
char **report_text_week(const ReportModel *model, guint week);
/* A session's note line ("Mon 3 Mar 06:10 pump: text"), NULL without a note. */
char *report_text_note(const ReportModel *model, guint session);

G_END_DECLS
