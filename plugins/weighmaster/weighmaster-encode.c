/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "weighmaster-encode.h"

gboolean
weighmaster_encode_weight(guint8 buf[WEIGHMASTER_FRAME_LEN], double grams, gboolean stable)
{
	double v = round(fabs(grams) * 10);
	guint32 raw;

	if (!isfinite(v) || v > 0xffffff)
		return FALSE;
	raw = (guint32)v;
	buf[0] = 0x01;
	buf[1] = 0x02;
	buf[2] = 0x00;
	buf[3] = (guint8)((stable ? WEIGHMASTER_STABLE : 0) |
			  (grams < 0 && raw != 0 ? WEIGHMASTER_NEGATIVE : 0));
	buf[4] = (guint8)(raw >> 16);
	buf[5] = (guint8)(raw >> 8);
	buf[6] = (guint8)raw;
	return TRUE;
}
