/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Blackcoffee.io frames (blackcoffee-parse.h). */
#include "config.h"

#include <string.h>

#include "blackcoffee-parse.h"

int
blackcoffee_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		  LactdReading *out, gsize max_out, const char **reason)
{
	BlackcoffeeParseState *st = state;
	guint32 mg;
	double grams;

	if (g_strcmp0(char_uuid, BLACKCOFFEE_NOTIFY) != 0)
		return 0;
	if (len < BLACKCOFFEE_MIN_LEN) {
		*reason = "blackcoffee: frame shorter than 15 bytes";
		return -1;
	}
	mg = (guint32)(data[3] & 0x0f) << 24 | (guint32)data[4] << 16 | (guint32)data[5] << 8 |
	     data[6];
	grams = mg / 1000.0;
	if (grams > LACTD_MAX_WEIGHT_G) {
		*reason = "blackcoffee: weight out of range";
		return -1;
	}
	if (max_out < 1) {
		*reason = "blackcoffee: no room for the reading";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = (data[2] & BLACKCOFFEE_NEGATIVE) ? -grams : grams;
	out->weight.stable = (data[2] & 0x0f) == BLACKCOFFEE_STILL;
	if (st != NULL)
		st->frames++;
	return 1;
}
