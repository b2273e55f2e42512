/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Etekcity ESN00: framing, checksum and measurement parsing (esn00-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "esn00-parse.h"

static const guint8 header[ESN00_HEADER_LEN] = {0xfe, 0xef, 0xc0, 0xa2};

/**
 * esn00_checksum:
 * The low byte of the sum of everything after the header.
 */
guint8
esn00_checksum(const guint8 *frame, gsize len_without_checksum)
{
	guint8 sum = 0;

	for (gsize i = ESN00_HEADER_LEN; i < len_without_checksum; i++)
		sum = (guint8)(sum + frame[i]);
	return sum;
}

/**
 * esn00_build_frame:
 * Frames a payload as the scale and its app do; used for commands and by
 * the emulator's encoder.
 */
gsize
esn00_build_frame(guint8 *buf, gsize buf_len, guint8 type, const guint8 *payload,
		  gsize payload_len)
{
	gsize n = ESN00_FRAME_OVERHEAD + payload_len;

	if (payload_len > 255 || buf_len < n)
		return 0;
	memcpy(buf, header, ESN00_HEADER_LEN);
	buf[4] = type;
	buf[5] = (guint8)payload_len;
	if (payload_len > 0)
		memcpy(buf + 6, payload, payload_len);
	buf[n - 1] = esn00_checksum(buf, n - 1);
	return n;
}

/**
 * esn00_frame_check:
 * Refuses anything that is not one whole, well-framed frame.
 */
gboolean
esn00_frame_check(const guint8 *data, gsize len, guint8 *type, const guint8 **payload,
		  gsize *payload_len, const char **reason)
{
	if (len < ESN00_FRAME_OVERHEAD) {
		*reason = "esn00: frame too short";
		return FALSE;
	}
	if (memcmp(data, header, ESN00_HEADER_LEN) != 0) {
		*reason = "esn00: frame does not start with FE EF C0 A2";
		return FALSE;
	}
	if ((gsize)data[5] + ESN00_FRAME_OVERHEAD != len) {
		*reason = "esn00: frame length does not match its length byte";
		return FALSE;
	}
	if (esn00_checksum(data, len - 1) != data[len - 1]) {
		*reason = "esn00: bad checksum";
		return FALSE;
	}
	*type = data[4];
	*payload = data + 6;
	*payload_len = data[5];
	return TRUE;
}

guint
esn00_unit_divisor(guint unit)
{
	switch (unit) {
	case ESN00_UNIT_G:
	case ESN00_UNIT_ML_WATER:
	case ESN00_UNIT_ML_MILK:
		return 10;
	default:
		return 100;
	}
}

/**
 * esn00_value_to_grams:
 * Undoes the scale's display conversion with the factors it uses
 * (esn00-parse.h says where each comes from).
 */
gboolean
esn00_value_to_grams(guint unit, gint32 value, double *grams)
{
	double shown = (double)value / esn00_unit_divisor(unit);

	switch (unit) {
	case ESN00_UNIT_G:
		*grams = shown;
		return TRUE;
	case ESN00_UNIT_LB_OZ:
	case ESN00_UNIT_OZ:
		*grams = shown * ESN00_G_PER_OZ;
		return TRUE;
	case ESN00_UNIT_ML_WATER:
		*grams = shown * ESN00_WATER_G_PER_ML;
		return TRUE;
	case ESN00_UNIT_ML_MILK:
		*grams = shown * ESN00_MILK_G_PER_ML;
		return TRUE;
	case ESN00_UNIT_FLOZ_WATER:
		*grams = shown * ESN00_ML_PER_FLOZ * ESN00_WATER_G_PER_ML;
		return TRUE;
	case ESN00_UNIT_FLOZ_MILK:
		*grams = shown * ESN00_ML_PER_FLOZ * ESN00_MILK_G_PER_ML;
		return TRUE;
	default:
		return FALSE;
	}
}

gboolean
esn00_grams_in_range(double grams)
{
	return isfinite(grams) && fabs(grams) <= LACTD_MAX_WEIGHT_G;
}

static int
parse_measurement(const guint8 *p, gsize plen, LactdReading *out, gsize max_out,
		  const char **reason)
{
	gint32 value;
	double grams;

	if (plen != 5) {
		*reason = "esn00: measurement payload is not 5 bytes";
		return -1;
	}
	if (p[0] > 1) {
		*reason = "esn00: reserved sign value";
		return -1;
	}
	if (p[4] > 1) {
		*reason = "esn00: reserved settled value";
		return -1;
	}
	value = (gint32)(p[1] << 8 | p[2]);
	if (p[0] == 1)
		value = -value;
	if (!esn00_value_to_grams(p[3], value, &grams)) {
		*reason = "esn00: unknown unit code";
		return -1;
	}
	/* Unreachable through 16 bits today; kept so that a wider field or a new
	 * unit cannot smuggle in an absurd weight. */
	if (!esn00_grams_in_range(grams)) {
		*reason = "esn00: weight out of range";
		return -1;
	}
	if (max_out < 1) {
		*reason = "esn00: no room for the reading";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = p[4] == 1;
	return 1;
}

static gboolean
check_flag(const guint8 *p, gsize plen, const char **reason)
{
	if (plen != 1) {
		*reason = "esn00: state payload is not 1 byte";
		return FALSE;
	}
	if (p[0] > 1) {
		*reason = "esn00: reserved state value";
		return FALSE;
	}
	return TRUE;
}

/**
 * esn00_parse:
 * A frame from the notify characteristic: a weight reading from a
 * measurement, nothing (0) from the scale's other known frames, -1 for
 * anything malformed or unknown. Other characteristics give nothing.
 */
int
esn00_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	    LactdReading *out, gsize max_out, const char **reason)
{
	Esn00ParseState *st = state;
	const guint8 *p;
	gsize plen;
	guint8 type;

	if (g_strcmp0(char_uuid, ESN00_NOTIFY) != 0)
		return 0;
	if (!esn00_frame_check(data, len, &type, &p, &plen, reason))
		return -1;
	if (st != NULL)
		st->frames++;
	switch (type) {
	case ESN00_MEASUREMENT:
		return parse_measurement(p, plen, out, max_out, reason);
	case ESN00_UNIT_STATE:
		if (plen != 1 || p[0] > ESN00_UNIT_MAX) {
			*reason = "esn00: unknown unit code";
			return -1;
		}
		return 0;
	case ESN00_TARE_STATE:
	case ESN00_ERROR_STATE:
	case ESN00_ITEM_STATE:
		return check_flag(p, plen, reason) ? 0 : -1;
	case ESN00_AUTO_OFF_STATE:
		if (plen != 2) {
			*reason = "esn00: auto-off payload is not 2 bytes";
			return -1;
		}
		return 0;
	case 0xd2:
	case 0xd4:
	case 0xe1:
	case 0xe2:
	case 0xe3:
		/* Seen from the scale, meaning unknown (metekcity's
		 * "unresearched" list): well framed, so no refusal. */
		return 0;
	default:
		*reason = "esn00: unknown frame type";
		return -1;
	}
}
