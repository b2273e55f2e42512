/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "espressi-encode.h"

gboolean
espressi_encode_weight(guint8 buf[ESPRESSI_FRAME_LEN], double grams, gboolean stable)
{
	double v = round(grams * 10);
	guint16 u;

	if (!isfinite(v) || v < G_MININT16 || v > G_MAXINT16)
		return FALSE;
	u = (guint16)(gint16)v;
	buf[0] = ESPRESSI_HEADER;
	buf[1] = stable ? ESPRESSI_WEIGHT_STABLE : ESPRESSI_WEIGHT_CHANGING;
	buf[2] = (guint8)(u >> 8);
	buf[3] = (guint8)u;
	buf[4] = 0;
	buf[5] = 0;
	buf[6] = espressi_xor(buf, 6);
	return TRUE;
}

void
espressi_encode_button(guint8 buf[ESPRESSI_FRAME_LEN], guint8 button)
{
	memset(buf, 0, ESPRESSI_FRAME_LEN);
	buf[0] = ESPRESSI_HEADER;
	buf[1] = ESPRESSI_BUTTON;
	buf[2] = button;
	buf[3] = 0x01; /* a short press, as the Decent Scale reports one */
	buf[6] = espressi_xor(buf, 6);
}
