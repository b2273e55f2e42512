/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varia AKU frames, the scale's side (varia-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "varia-encode.h"

gsize
varia_encode_frame(guint8 *buf, guint8 type, const guint8 *data, guint8 n)
{
	buf[0] = VARIA_HEADER;
	buf[1] = type;
	buf[2] = n;
	if (n > 0)
		memcpy(buf + 3, data, n);
	buf[3 + n] = varia_xor(buf + 1, 2 + (gsize)n);
	return 4 + (gsize)n;
}

gsize
varia_encode_weight(guint8 *buf, double grams)
{
	double r = round(fabs(grams) * 100.0);
	guint32 raw;
	guint8 d[3];

	if (!isfinite(r) || r > VARIA_MAX_RAW)
		return 0;
	raw = (guint32)r;
	d[0] = (guint8)((raw >> 16) & 0x0f) | (grams < 0 && raw != 0 ? VARIA_SIGN_BIT : 0);
	d[1] = (guint8)(raw >> 8);
	d[2] = (guint8)raw;
	return varia_encode_frame(buf, VARIA_WEIGHT, d, 3);
}

gsize
varia_encode_battery(guint8 *buf, guint8 percent)
{
	return varia_encode_frame(buf, VARIA_BATTERY, &percent, 1);
}
