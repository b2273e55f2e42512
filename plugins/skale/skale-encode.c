/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Atomax Skale weight frames, the scale's side (skale-parse.h). */
#include "config.h"

#include <math.h>

#include "skale-encode.h"

gboolean
skale_encode_weight(guint8 buf[SKALE_FRAME_LEN], double grams, int exponent)
{
	double r = round(grams * pow(10.0, -exponent));
	guint32 raw;

	if (!isfinite(r) || r > 0x7fffff || r < -0x800000)
		return FALSE;
	raw = (guint32)(gint32)r & 0xffffff;
	buf[0] = 0x00;
	buf[1] = (guint8)raw;
	buf[2] = (guint8)(raw >> 8);
	buf[3] = (guint8)(raw >> 16);
	buf[4] = (guint8)(gint8)exponent;
	return TRUE;
}
