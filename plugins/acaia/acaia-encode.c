/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "acaia-encode.h"

gsize
acaia_encode_event(guint8 *buf, gsize buf_len, guint8 event, const guint8 *data, gsize data_len)
{
	guint8 p[ACAIA_BUF_MAX];

	if (data_len + 2 > sizeof(p) - 5)
		return 0;
	p[0] = (guint8)(data_len + 2);
	p[1] = event;
	for (gsize i = 0; i < data_len; i++)
		p[2 + i] = data[i];
	return acaia_build(buf, buf_len, ACAIA_MSG_EVENT, p, data_len + 2);
}

gsize
acaia_encode_weight(guint8 buf[ACAIA_WEIGHT_FRAME_LEN], double grams, guint decimals)
{
	guint8 d[6];
	double v;
	guint32 u;

	if (decimals < 1 || decimals > 4)
		return 0;
	v = round(fabs(grams) * pow(10, decimals));
	if (!(v <= G_MAXUINT32))
		return 0;
	u = (guint32)v;
	d[0] = u & 0xff;
	d[1] = (u >> 8) & 0xff;
	d[2] = (u >> 16) & 0xff;
	d[3] = u >> 24;
	d[4] = (guint8)decimals;
	d[5] = grams < 0 && u != 0 ? 0x02 : 0x00;
	return acaia_encode_event(buf, ACAIA_WEIGHT_FRAME_LEN, ACAIA_EVENT_WEIGHT, d, sizeof(d));
}

gsize
acaia_encode_status(guint8 buf[ACAIA_STATUS_FRAME_LEN], guint8 battery)
{
	/* length, battery, unit (2: grams), ?, auto-off (x 5 min), ?, beep, ? */
	const guint8 p[] = {8, battery, 2, 0, 1, 0, 1, 0};

	return acaia_build(buf, ACAIA_STATUS_FRAME_LEN, ACAIA_MSG_STATUS, p, sizeof(p));
}
