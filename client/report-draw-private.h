/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers shared by the page (report-draw.c) and its charts (report-charts.c). */
#pragma once

#include <pango/pangocairo.h>

#include "report-draw.h"

typedef struct {
	double x, y, w, h;
} Box;

typedef enum {
	ALIGN_LEFT,
	ALIGN_CENTER,
	ALIGN_RIGHT,
} Align;

/* Draws text with its top at y; returns its height. width > 0 wraps. */
double report_text(cairo_t *cr, double x, double y, double width, Align align, double size,
		   gboolean bold, const char *text);
double report_text_width(cairo_t *cr, double size, gboolean bold, const char *text);
void report_rgb(cairo_t *cr, guint32 rgb);
/* A chart's title above its plot; returns the plot's box below it. */
Box report_chart_frame(cairo_t *cr, Box box, const char *title, const char *caption);

void report_chart_volume(cairo_t *cr, const ReportModel *m, Box box);
void report_chart_sessions(cairo_t *cr, const ReportModel *m, Box box);
void report_chart_pattern(cairo_t *cr, const ReportModel *m, Box box);
void report_chart_minutes(cairo_t *cr, const ReportModel *m, Box box);
void report_chart_supplement(cairo_t *cr, const ReportModel *m, Box box);
void report_chart_baby(cairo_t *cr, const ReportModel *m, Box box);

#define COLOUR_LEFT	0x2f6690
#define COLOUR_RIGHT	0x81b1d8
#define COLOUR_UNSIDED	0xa99bc9
#define COLOUR_AVERAGE	0xc8581a
#define COLOUR_BAND	0xdcefd8
#define COLOUR_AXIS	0x707070
#define COLOUR_GRID	0xe4e4e4
#define COLOUR_TEXT	0x202020
#define COLOUR_MUTED	0x6a6a6a
#define COLOUR_NIGHT	0x26335f
#define COLOUR_SUPPLEMENT 0xd9a441
