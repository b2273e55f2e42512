/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "blackcoffee-encode.h"

gboolean
blackcoffee_encode_weight(guint8 buf[BLACKCOFFEE_EMU_LEN], double grams, gboolean stable)
{
	double v = round(fabs(grams) * 1000);
	guint32 mg;

	if (!isfinite(v) || v > 0x0fffffff)
		return FALSE;
	mg = (guint32)v;
	memset(buf, 0, BLACKCOFFEE_EMU_LEN);
	buf[2] = (guint8)((grams < 0 && mg != 0 ? BLACKCOFFEE_NEGATIVE : 0) |
			  (stable ? BLACKCOFFEE_STILL : 0));
	buf[3] = (guint8)(mg >> 24);
	buf[4] = (guint8)(mg >> 16);
	buf[5] = (guint8)(mg >> 8);
	buf[6] = (guint8)mg;
	return TRUE;
}
