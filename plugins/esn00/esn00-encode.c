/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "esn00-encode.h"

gboolean
esn00_grams_to_value(guint unit, double grams, gint32 *value)
{
	double one = 0;
	double v;

	/* The grams of one displayed unit, so that encoding is the exact inverse
	 * of the parser's conversion. */
	if (!esn00_value_to_grams(unit, (gint32)esn00_unit_divisor(unit), &one) || one <= 0)
		return FALSE;
	v = round(grams / one * esn00_unit_divisor(unit));
	if (!isfinite(v) || fabs(v) > 0xffff)
		return FALSE;
	*value = (gint32)v;
	return TRUE;
}

gsize
esn00_encode_measurement(guint8 buf[ESN00_MEASUREMENT_LEN], guint unit, double grams,
			 gboolean stable)
{
	guint8 p[5];
	gint32 v;
	guint32 mag;

	if (!esn00_grams_to_value(unit, grams, &v))
		return 0;
	mag = (guint32)ABS(v);
	p[0] = v < 0 ? 1 : 0;
	p[1] = (guint8)(mag >> 8);
	p[2] = (guint8)(mag & 0xff);
	p[3] = (guint8)unit;
	p[4] = stable ? 1 : 0;
	return esn00_build_frame(buf, ESN00_MEASUREMENT_LEN, ESN00_MEASUREMENT, p, sizeof(p));
}

gsize
esn00_encode_state(guint8 buf[8], guint8 type, guint8 value)
{
	return esn00_build_frame(buf, 8, type, &value, 1);
}
