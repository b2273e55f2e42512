/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "decent-encode.h"

gboolean
decent_grams_to_raw(double grams, gint16 *raw)
{
	double v = round(grams * 10);

	if (!isfinite(v) || v < G_MININT16 || v > G_MAXINT16)
		return FALSE;
	*raw = (gint16)v;
	return TRUE;
}

gsize
decent_encode_weight(guint8 buf[DECENT_WEIGHT_TS_LEN], double grams, gboolean stable,
		     gint64 ts_ms)
{
	gint16 raw;
	guint16 u;
	gsize n;

	if (!decent_grams_to_raw(grams, &raw))
		return 0;
	u = (guint16)raw;
	buf[0] = DECENT_MODEL;
	buf[1] = stable ? DECENT_WEIGHT_STABLE : DECENT_WEIGHT_CHANGING;
	buf[2] = (guint8)(u >> 8);
	buf[3] = (guint8)(u & 0xff);
	if (ts_ms < 0) {
		buf[4] = 0;
		buf[5] = 0;
		n = DECENT_FRAME_LEN;
	} else {
		/* Minutes, seconds, hundredths since the scale's timer start. */
		buf[4] = (guint8)((ts_ms / 60000) % 256);
		buf[5] = (guint8)((ts_ms / 1000) % 60);
		buf[6] = (guint8)((ts_ms % 1000) / 10);
		buf[7] = 0;
		buf[8] = 0;
		n = DECENT_WEIGHT_TS_LEN;
	}
	buf[n - 1] = decent_xor(buf, n - 1);
	return n;
}

gsize
decent_encode_led_reply(guint8 buf[DECENT_FRAME_LEN], double grams, guint8 battery,
			guint8 firmware)
{
	gint16 raw;

	if (!decent_grams_to_raw(grams, &raw))
		return 0;
	decent_build(buf, DECENT_LED, (guint8)((guint16)raw >> 8), (guint8)((guint16)raw & 0xff),
		     battery, firmware);
	return DECENT_FRAME_LEN;
}
