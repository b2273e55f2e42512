/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bookoo-encode.h"

gsize
bookoo_encode_weight(guint8 buf[BOOKOO_FRAME_LEN], const BookooWeight *w)
{
	double g = round(fabs(w->grams) * 100);
	double f = round(fabs(w->flow_g_s) * 100);
	guint32 gi, fi;

	if (!isfinite(g) || !isfinite(f) || g > 0xffffff || f > 0xffff || w->timer_ms > 0xffffff)
		return 0;
	gi = (guint32)g;
	fi = (guint32)f;
	memset(buf, 0, BOOKOO_FRAME_LEN);
	buf[0] = BOOKOO_PRODUCT;
	buf[1] = BOOKOO_WEIGHT;
	buf[2] = (guint8)(w->timer_ms >> 16);
	buf[3] = (guint8)(w->timer_ms >> 8);
	buf[4] = (guint8)w->timer_ms;
	buf[5] = w->unit;
	buf[6] = w->grams < 0 && gi != 0 ? BOOKOO_MINUS : BOOKOO_PLUS;
	buf[7] = (guint8)(gi >> 16);
	buf[8] = (guint8)(gi >> 8);
	buf[9] = (guint8)gi;
	buf[10] = w->flow_g_s < 0 && fi != 0 ? BOOKOO_MINUS : BOOKOO_PLUS;
	buf[11] = (guint8)(fi >> 8);
	buf[12] = (guint8)fi;
	buf[13] = w->battery;
	buf[14] = (guint8)(w->standby >> 8);
	buf[15] = (guint8)w->standby;
	buf[16] = w->buzzer;
	buf[17] = w->smoothing;
	buf[18] = 0;
	buf[19] = bookoo_xor(buf, 19);
	return BOOKOO_FRAME_LEN;
}
