/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The report as one self-contained HTML file: the drawn page inlined as SVG,
 * and its header, weekly table and notes as real text. */
#pragma once

#include "report-model.h"

G_BEGIN_DECLS

/* svg: the page(s) as one SVG document, one under the other; width and
 * height: one page's size in points. */
char *report_html(const ReportModel *model, const char *svg, double width, double height);

G_END_DECLS
