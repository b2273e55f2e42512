/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varia AKU frames (the protocol and its sources: varia-parse.h). */
#include "config.h"

#include <string.h>

#include "varia-parse.h"

guint8
varia_xor(const guint8 *data, gsize len)
{
	guint8 x = 0;

	for (gsize i = 0; i < len; i++)
		x ^= data[i];
	return x;
}

/* The data length each known type must carry; 0 for an unknown type. */
static guint
expected_len(guint8 type)
{
	switch (type) {
	case VARIA_WEIGHT:
		return 3;
	case VARIA_TIMER:
		return 2;
	case VARIA_BATTERY:
	case VARIA_TARE:
	case VARIA_TIMER_START:
	case VARIA_TIMER_STOP:
	case VARIA_TIMER_RESET:
		return 1;
	default:
		return 0;
	}
}

int
varia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	    LactdReading *out, gsize max_out, const char **reason)
{
	gboolean have_weight = FALSE, have_battery = FALSE;
	double grams = 0;
	guint battery = 0;
	gsize pos = 0;
	int n = 0;

	if (g_strcmp0(char_uuid, VARIA_NOTIFY) != 0) {
		*reason = "varia: not the weight characteristic";
		return -1;
	}
	if (len == 0) {
		*reason = "varia: empty notification";
		return -1;
	}
	while (pos < len) {
		const guint8 *f = data + pos;
		gsize left = len - pos;
		guint want;

		if (f[0] != VARIA_HEADER) {
			*reason = "varia: frame does not start with FA";
			return -1;
		}
		if (left < 4) {
			*reason = "varia: frame cut short";
			return -1;
		}
		want = expected_len(f[1]);
		if (want == 0) {
			*reason = "varia: unknown frame type";
			return -1;
		}
		if (f[2] != want) {
			*reason = "varia: wrong data length for the frame type";
			return -1;
		}
		if (left < 4 + (gsize)want) {
			*reason = "varia: frame cut short";
			return -1;
		}
		if (varia_xor(f + 1, 2 + want) != f[3 + want]) {
			*reason = "varia: bad checksum";
			return -1;
		}
		if (f[1] == VARIA_WEIGHT) {
			guint32 raw = (guint32)(f[3] & 0x0f) << 16 | (guint32)f[4] << 8 | f[5];

			if ((f[3] & 0xe0) != 0) {
				*reason = "varia: reserved bits set in the weight";
				return -1;
			}
			grams = (f[3] & VARIA_SIGN_BIT ? -1.0 : 1.0) * raw / 100.0;
			if (grams > LACTD_MAX_WEIGHT_G || grams < -LACTD_MAX_WEIGHT_G) {
				*reason = "varia: weight over 30 kg";
				return -1;
			}
			have_weight = TRUE;
		} else if (f[1] == VARIA_BATTERY) {
			if (f[3] > 100) {
				*reason = "varia: battery over 100 %";
				return -1;
			}
			battery = f[3];
			have_battery = TRUE;
		}
		pos += 4 + want;
	}
	if (have_weight && (gsize)n < max_out) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].type = LACTD_READING_WEIGHT;
		out[n].weight.grams = grams;
		out[n].weight.stable = FALSE;
		n++;
	}
	if (have_battery && (gsize)n < max_out) {
		memset(&out[n], 0, sizeof(out[n]));
		out[n].type = LACTD_READING_BATTERY;
		out[n].battery.percent = battery;
		n++;
	}
	return n;
}
