/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "wss-encode.h"

guint16
wss_weight_field(double grams, gboolean imperial)
{
	double v = imperial ? grams / WSS_LB_GRAMS / 0.01 : grams / 5.0;

	return (guint16)CLAMP(lround(v), 0, 0xfffe);
}

gsize
wss_encode(guint8 buf[15], const WssMeasurement *m)
{
	gsize pos = 3;

	buf[0] = m->flags;
	buf[1] = m->weight & 0xff;
	buf[2] = m->weight >> 8;
	if (m->flags & WSS_FLAG_TIMESTAMP) {
		buf[pos++] = m->year & 0xff;
		buf[pos++] = m->year >> 8;
		buf[pos++] = m->month;
		buf[pos++] = m->day;
		buf[pos++] = m->hours;
		buf[pos++] = m->minutes;
		buf[pos++] = m->seconds;
	}
	if (m->flags & WSS_FLAG_USER)
		buf[pos++] = m->user;
	if (m->flags & WSS_FLAG_BMI) {
		buf[pos++] = m->bmi & 0xff;
		buf[pos++] = m->bmi >> 8;
		buf[pos++] = m->height & 0xff;
		buf[pos++] = m->height >> 8;
	}
	return pos;
}
