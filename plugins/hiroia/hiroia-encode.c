/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hiroia Jimmy status frames, the scale's side (hiroia-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "hiroia-encode.h"

gboolean
hiroia_encode_status(guint8 buf[HIROIA_FRAME_LEN], guint8 mode, gboolean ounces, double grams)
{
	double r = ounces ? round(grams / HIROIA_GRAMS_PER_OUNCE * 1000.0) : round(grams * 10.0);
	guint32 raw;

	if (!isfinite(r) || r > 0x7fffff || r < -0x800000)
		return FALSE;
	raw = (guint32)(gint32)r & 0xffffff;
	memset(buf, 0, HIROIA_FRAME_LEN);
	buf[0] = ounces ? (guint8)(mode + HIROIA_MODE_OUNCES) : mode;
	buf[4] = (guint8)raw;
	buf[5] = (guint8)(raw >> 8);
	buf[6] = (guint8)(raw >> 16);
	return TRUE;
}
