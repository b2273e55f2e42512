/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "tmbasic-encode.h"

gsize
tmbasic_encode_weight(guint8 buf[TMBASIC_FRAME_MAX], double grams)
{
	double v = round(grams * 10);
	guint8 d[8] = {0};
	guint32 u;

	if (!isfinite(v) || v < G_MININT32 || v > G_MAXINT32)
		return 0;
	u = (guint32)(gint32)v;
	d[0] = (guint8)(u >> 24);
	d[1] = (guint8)(u >> 16);
	d[2] = (guint8)(u >> 8);
	d[3] = (guint8)u;
	return tmbasic_build(buf, TMBASIC_OP_REPORT, TMBASIC_WEIGHT, d, sizeof(d));
}

gsize
tmbasic_encode_battery(guint8 buf[TMBASIC_FRAME_MAX], guint8 percent)
{
	const guint8 d[2] = {0x00, percent};

	return tmbasic_build(buf, TMBASIC_OP_REPORT, TMBASIC_BATTERY, d, sizeof(d));
}
