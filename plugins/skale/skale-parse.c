/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Atomax Skale weight frames (skale-parse.h). */
#include "config.h"

#include <string.h>

#include "skale-parse.h"

int
skale_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	    LactdReading *out, gsize max_out, const char **reason)
{
	gint32 mantissa;
	int exponent;
	double grams;

	if (g_strcmp0(char_uuid, SKALE_NOTIFY) != 0)
		return 0;
	if (len < SKALE_FRAME_MIN) {
		*reason = "skale: frame shorter than 5 bytes";
		return -1;
	}
	exponent = (gint8)data[4];
	if (exponent < SKALE_EXP_MIN || exponent > SKALE_EXP_MAX) {
		*reason = "skale: exponent out of range";
		return -1;
	}
	mantissa = (gint32)((guint32)data[1] | (guint32)data[2] << 8 | (guint32)data[3] << 16);
	if (mantissa & 0x800000)
		mantissa -= 0x1000000;
	/* Divide by a power of ten rather than multiply by its inverse: 0.1 is
	 * not exact, 10 is. */
	grams = mantissa;
	for (int e = exponent; e < 0; e++)
		grams /= 10.0;
	for (int e = exponent; e > 0; e--)
		grams *= 10.0;
	if (grams > LACTD_MAX_WEIGHT_G || grams < -LACTD_MAX_WEIGHT_G) {
		*reason = "skale: weight over 30 kg";
		return -1;
	}
	if (max_out < 1)
		return 0;
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = FALSE;
	return 1;
}
