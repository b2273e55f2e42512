/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DiFluid Microbalance frames and commands (difluid-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "difluid-parse.h"

guint8
difluid_sum(const guint8 *data, gsize len)
{
	guint8 s = 0;

	for (gsize i = 0; i < len; i++)
		s = (guint8)(s + data[i]);
	return s;
}

gsize
difluid_build(guint8 buf[DIFLUID_MAX_FRAME], guint8 func, guint8 cmd, const guint8 *data,
	      guint8 data_len)
{
	g_assert(data_len <= DIFLUID_MAX_DATA);
	buf[0] = DIFLUID_MAGIC;
	buf[1] = DIFLUID_MAGIC;
	buf[2] = func;
	buf[3] = cmd;
	buf[4] = data_len;
	if (data_len > 0)
		memcpy(buf + DIFLUID_HEAD_LEN, data, data_len);
	buf[DIFLUID_HEAD_LEN + data_len] = difluid_sum(buf, DIFLUID_HEAD_LEN + data_len);
	return DIFLUID_HEAD_LEN + data_len + 1u;
}

gsize
difluid_build_unit_grams(guint8 buf[DIFLUID_MAX_FRAME])
{
	const guint8 d = DIFLUID_UNIT_GRAM;

	return difluid_build(buf, DIFLUID_FUNC_SETTINGS, DIFLUID_SET_UNIT, &d, 1);
}

gsize
difluid_build_auto_send(guint8 buf[DIFLUID_MAX_FRAME], gboolean on)
{
	const guint8 d = on ? 1 : 0;

	return difluid_build(buf, DIFLUID_FUNC_SETTINGS, DIFLUID_SET_AUTO_SEND, &d, 1);
}

gsize
difluid_build_status_request(guint8 buf[DIFLUID_MAX_FRAME])
{
	return difluid_build(buf, DIFLUID_FUNC_DATA, DIFLUID_CMD_STATUS, NULL, 0);
}

static int
sensor(DifluidParseState *st, const guint8 *d, LactdReading *out, const char **reason)
{
	gint32 raw = (gint32)((guint32)d[0] << 24 | (guint32)d[1] << 16 | (guint32)d[2] << 8 | d[3]);
	double grams;

	switch (d[12]) {
	case DIFLUID_UNIT_GRAM:
		grams = raw / 10.0;
		break;
	case DIFLUID_UNIT_OUNCE:
		grams = raw / 1000.0 * DIFLUID_GRAMS_PER_OUNCE;
		break;
	case DIFLUID_UNIT_OTHER:
		/* The document names it "gering" and gives no conversion: a
		 * weight that cannot be converted surely is not stored. */
		st->other_unit++;
		*reason = "difluid: weight in unit 2, whose conversion is not documented";
		return -1;
	default:
		*reason = "difluid: unknown weight unit";
		return -1;
	}
	if (!(fabs(grams) <= LACTD_MAX_WEIGHT_G)) {
		*reason = "difluid: weight out of range";
		return -1;
	}
	if (d[12] != DIFLUID_UNIT_GRAM)
		st->other_unit++;
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = FALSE; /* the host decides */
	return 1;
}

/* A complete frame: a reading in *out (returns 1), nothing (0), or -1. */
static int
frame(DifluidParseState *st, const guint8 *f, gsize len, LactdReading *out, const char **reason)
{
	guint8 func = f[2], cmd = f[3], dlen = f[4];
	const guint8 *d = f + DIFLUID_HEAD_LEN;

	if (difluid_sum(f, len - 1) != f[len - 1]) {
		*reason = "difluid: bad checksum";
		return -1;
	}
	switch (func) {
	case DIFLUID_FUNC_INFO:
	case DIFLUID_FUNC_SETTINGS:
		return 0;
	case DIFLUID_FUNC_DATA:
		if (cmd == DIFLUID_CMD_SENSOR) {
			if (dlen != DIFLUID_SENSOR_DATA) {
				*reason = "difluid: sensor data is not 13 bytes";
				return -1;
			}
			return sensor(st, d, out, reason);
		}
		if (cmd == DIFLUID_CMD_STATUS) {
			if (dlen != DIFLUID_STATUS_DATA) {
				*reason = "difluid: device status is not 8 bytes";
				return -1;
			}
			if (d[1] > 100) {
				*reason = "difluid: battery over 100 %";
				return -1;
			}
			memset(out, 0, sizeof(*out));
			out->type = LACTD_READING_BATTERY;
			out->battery.percent = d[1];
			return 1;
		}
		if (cmd >= 1 && cmd <= 4)
			return 0; /* button replies */
		*reason = "difluid: unknown data command";
		return -1;
	default:
		*reason = "difluid: unknown function";
		return -1;
	}
}

/**
 * difluid_parse:
 * Feeds the notification's bytes through the frame buffer: bytes that do
 * not start a frame are refused (once per notification), a frame is
 * complete once its length byte's data and checksum are in.
 */
int
difluid_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	      LactdReading *out, gsize max_out, const char **reason)
{
	DifluidParseState local = {0};
	DifluidParseState *st = state != NULL ? state : &local;
	const char *refused = NULL;
	gsize n = 0;

	if (g_strcmp0(char_uuid, DIFLUID_CHAR) != 0)
		return 0;
	if (len == 0) {
		*reason = "difluid: empty notification";
		return -1;
	}
	for (gsize i = 0; i < len; i++) {
		guint8 b = data[i];
		const char *why = NULL;
		gsize want;
		int r;

		if (st->len < 2 && b != DIFLUID_MAGIC) {
			if (refused == NULL)
				refused = "difluid: bytes outside a frame";
			st->len = 0;
			continue;
		}
		st->buf[st->len++] = b;
		if (st->len < DIFLUID_HEAD_LEN)
			continue;
		if (st->buf[4] > DIFLUID_MAX_DATA) {
			if (refused == NULL)
				refused = "difluid: data length over 32";
			st->len = 0;
			continue;
		}
		want = DIFLUID_HEAD_LEN + st->buf[4] + 1u;
		if (st->len < want)
			continue;
		st->len = 0;
		if (n >= max_out) {
			if (refused == NULL)
				refused = "difluid: more frames than room for readings";
			continue;
		}
		r = frame(st, st->buf, want, &out[n], &why);
		if (r < 0) {
			if (refused == NULL)
				refused = why;
			continue;
		}
		st->frames++;
		n += (gsize)r;
	}
	if (state == NULL && st->len > 0 && refused == NULL)
		refused = "difluid: incomplete frame";
	if (refused != NULL) {
		if (n == 0) {
			*reason = refused;
			return -1;
		}
		st->late_reason = refused;
	}
	return (int)n;
}
