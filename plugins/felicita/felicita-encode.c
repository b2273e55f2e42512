/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "felicita-encode.h"

gboolean
felicita_encode(guint8 buf[FELICITA_FRAME_LEN], double grams, gboolean oz, guint8 battery)
{
	double shown = round(fabs(oz ? grams / LACTD_GRAMS_PER_OZ : grams) * 100);
	char digits[8];

	if (!isfinite(shown) || shown > 999999)
		return FALSE;
	g_snprintf(digits, sizeof(digits), "%06u", (guint)shown);
	buf[0] = 0x01;
	buf[1] = 0x02;
	buf[2] = grams < 0 && shown > 0 ? '-' : '+';
	memcpy(buf + 3, digits, 6);
	buf[9] = oz ? 'o' : ' ';
	buf[10] = oz ? 'z' : 'g';
	/* Bytes 11-14 as in Beanconqueror's sample frame. */
	buf[11] = 'S';
	buf[12] = 'O';
	buf[13] = '0';
	buf[14] = '"';
	buf[15] = battery;
	buf[16] = 0x0d;
	buf[17] = 0x0a;
	return TRUE;
}
