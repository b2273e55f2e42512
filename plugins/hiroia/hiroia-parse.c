/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hiroia Jimmy status frames (hiroia-parse.h). */
#include "config.h"

#include <string.h>

#include "hiroia-parse.h"

int
hiroia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	     LactdReading *out, gsize max_out, const char **reason)
{
	HiroiaParseState *st = state;
	gint32 raw;
	gboolean ounces;
	double grams;

	if (g_strcmp0(char_uuid, HIROIA_NOTIFY) != 0)
		return 0;
	if (len < HIROIA_FRAME_MIN) {
		*reason = "hiroia: frame shorter than 7 bytes";
		return -1;
	}
	if (data[0] > HIROIA_MODE_MAX) {
		*reason = "hiroia: unknown mode";
		return -1;
	}
	/* Bytes 4-6, signed 24-bit little endian: sign-extend bit 23. */
	raw = (gint32)((guint32)data[4] | (guint32)data[5] << 8 | (guint32)data[6] << 16);
	if (raw & 0x800000)
		raw -= 0x1000000;
	ounces = data[0] > HIROIA_MODE_OUNCES;
	grams = ounces ? raw / 1000.0 * HIROIA_GRAMS_PER_OUNCE : raw / 10.0;
	if (grams > LACTD_MAX_WEIGHT_G || grams < -LACTD_MAX_WEIGHT_G) {
		*reason = "hiroia: weight over 30 kg";
		return -1;
	}
	if (max_out < 1)
		return 0;
	if (st != NULL)
		st->ounces = ounces;
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = FALSE;
	return 1;
}
