/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "difluid-encode.h"

#define GRAMS_PER_GRAIN 0.06479891

gsize
difluid_encode_sensor(guint8 buf[DIFLUID_MAX_FRAME], double grams, guint8 unit, guint32 tick_ms)
{
	guint8 d[DIFLUID_SENSOR_DATA] = {0};
	double v;
	guint32 u;

	if (unit == DIFLUID_UNIT_GRAM)
		v = round(grams * 10);
	else if (unit == DIFLUID_UNIT_OUNCE)
		v = round(grams / DIFLUID_GRAMS_PER_OUNCE * 1000);
	else
		v = round(grams / GRAMS_PER_GRAIN * 10);
	if (!isfinite(v) || v < G_MININT32 || v > G_MAXINT32)
		return 0;
	u = (guint32)(gint32)v;
	d[0] = (guint8)(u >> 24);
	d[1] = (guint8)(u >> 16);
	d[2] = (guint8)(u >> 8);
	d[3] = (guint8)u;
	d[8] = (guint8)(tick_ms >> 24);
	d[9] = (guint8)(tick_ms >> 16);
	d[10] = (guint8)(tick_ms >> 8);
	d[11] = (guint8)tick_ms;
	d[12] = unit;
	return difluid_build(buf, DIFLUID_FUNC_DATA, DIFLUID_CMD_SENSOR, d, sizeof(d));
}

gsize
difluid_encode_status(guint8 buf[DIFLUID_MAX_FRAME], guint8 battery)
{
	const guint8 d[DIFLUID_STATUS_DATA] = {5, battery, 0, 0, 0, 0, 0, 0};

	return difluid_build(buf, DIFLUID_FUNC_DATA, DIFLUID_CMD_STATUS, d, sizeof(d));
}
