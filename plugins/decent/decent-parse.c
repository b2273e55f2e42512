/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decent Scale: frames, checksum and commands (decent-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "decent-parse.h"

guint8
decent_xor(const guint8 *data, gsize len)
{
	guint8 x = 0;

	for (gsize i = 0; i < len; i++)
		x ^= data[i];
	return x;
}

void
decent_build(guint8 buf[DECENT_FRAME_LEN], guint8 type, guint8 d0, guint8 d1, guint8 d2,
	     guint8 d3)
{
	buf[0] = DECENT_MODEL;
	buf[1] = type;
	buf[2] = d0;
	buf[3] = d1;
	buf[4] = d2;
	buf[5] = d3;
	buf[6] = decent_xor(buf, 6);
}

/**
 * decent_build_led_on:
 * Weight LED on, grams. The scale needs a write before it weighs at all,
 * and this one is harmless; its last data byte says whether the Half
 * Decent Scale should go on requiring the heartbeat.
 */
void
decent_build_led_on(guint8 buf[DECENT_FRAME_LEN], gboolean heartbeat)
{
	decent_build(buf, DECENT_LED, 0x01, 0x01, 0x00, heartbeat ? 0x01 : 0x00);
}

void
decent_build_tare(guint8 buf[DECENT_FRAME_LEN], gboolean heartbeat)
{
	decent_build(buf, DECENT_TARE, 0x00, 0x00, 0x00, heartbeat ? 0x01 : 0x00);
}

void
decent_build_heartbeat(guint8 buf[DECENT_FRAME_LEN])
{
	decent_build(buf, DECENT_LED, 0x03, 0xff, 0xff, 0x00);
}

gboolean
decent_is_heartbeat(const guint8 *data, gsize len)
{
	guint8 hb[DECENT_FRAME_LEN];

	decent_build_heartbeat(hb);
	return len == sizeof(hb) && memcmp(data, hb, sizeof(hb)) == 0;
}

gboolean
decent_grams_in_range(double grams)
{
	return isfinite(grams) && fabs(grams) <= LACTD_MAX_WEIGHT_G;
}

/*
 * Decent's API page gives five 10-byte weight frames whose checksums are
 * those of the same weight's 7-byte frame: the XOR leaves the timestamp
 * (bytes 4-6) out, where openscale's notes say every checksum covers all
 * the bytes before it. Both are taken; anything else is refused.
 */
static gboolean
legacy_ts_checksum(const guint8 *data, gsize len)
{
	return len == DECENT_WEIGHT_TS_LEN &&
	       (guint8)(decent_xor(data, 4) ^ data[7] ^ data[8]) == data[9];
}

static int
parse_weight(DecentParseState *st, const guint8 *data, gsize len, LactdReading *out,
	     gsize max_out, const char **reason)
{
	gint16 raw = (gint16)(guint16)(data[2] << 8 | data[3]);
	gboolean said_stable = data[1] == DECENT_WEIGHT_STABLE;
	double grams = raw / 10.0;
	gboolean stable;

	if (len == DECENT_WEIGHT_TS_LEN && data[5] > 59) {
		*reason = "decent: timestamp seconds over 59";
		return -1;
	}
	/* Unreachable through 16 bits of 0.1 g; kept so that a wider field
	 * cannot smuggle in an absurd weight. */
	if (!decent_grams_in_range(grams)) {
		*reason = "decent: weight out of range";
		return -1;
	}
	if (max_out < 1) {
		*reason = "decent: no room for the reading";
		return -1;
	}
	if (st != NULL) {
		if (said_stable && st->have_last && st->last_raw == raw)
			st->same = MIN(st->same + 1, DECENT_STABLE_COUNT);
		else
			st->same = said_stable ? 1 : 0;
		st->have_last = TRUE;
		st->last_raw = raw;
		stable = st->same >= DECENT_STABLE_COUNT;
	} else {
		stable = said_stable;
	}
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = stable;
	return 1;
}

/**
 * decent_parse:
 * One frame from FFF4. Each frame is checked whole: length for its type,
 * model byte, XOR, then the values its type defines.
 */
int
decent_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	     LactdReading *out, gsize max_out, const char **reason)
{
	DecentParseState *st = state;

	if (g_strcmp0(char_uuid, DECENT_NOTIFY) != 0)
		return 0;
	if (len != DECENT_FRAME_LEN && len != DECENT_WEIGHT_TS_LEN) {
		*reason = "decent: frame is neither 7 nor 10 bytes";
		return -1;
	}
	if (data[0] != DECENT_MODEL) {
		*reason = "decent: frame does not start with the model byte 03";
		return -1;
	}
	if (decent_xor(data, len - 1) != data[len - 1] && !legacy_ts_checksum(data, len)) {
		*reason = "decent: bad checksum";
		return -1;
	}
	if (len == DECENT_WEIGHT_TS_LEN && data[1] != DECENT_WEIGHT_STABLE &&
	    data[1] != DECENT_WEIGHT_CHANGING) {
		*reason = "decent: only weight frames are 10 bytes";
		return -1;
	}
	switch (data[1]) {
	case DECENT_WEIGHT_STABLE:
	case DECENT_WEIGHT_CHANGING: {
		int n = parse_weight(st, data, len, out, max_out, reason);
		if (n > 0 && st != NULL)
			st->frames++;
		return n;
	}
	case DECENT_BUTTON:
		if (data[2] < 1 || data[2] > 2 || data[3] > 2) {
			*reason = "decent: reserved button value";
			return -1;
		}
		break;
	case DECENT_LED:
		/* Battery above 100: on USB power, no battery reading. */
		if (data[4] <= 100) {
			if (max_out < 1) {
				*reason = "decent: no room for the reading";
				return -1;
			}
			memset(out, 0, sizeof(*out));
			out->type = LACTD_READING_BATTERY;
			out->battery.percent = data[4];
			if (st != NULL)
				st->frames++;
			return 1;
		}
		break;
	case DECENT_GYRO:
	case DECENT_VOLTAGE:
	case DECENT_POWER_OFF:
		break;
	default:
		*reason = "decent: unknown frame type";
		return -1;
	}
	if (st != NULL)
		st->frames++;
	return 0;
}
