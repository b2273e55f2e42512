/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timemore Basic 3 and Dot: frames, CRC and reassembly (tmbasic-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "tmbasic-parse.h"

guint16
tmbasic_crc16(const guint8 *data, gsize len)
{
	guint16 crc = 0xffff;

	for (gsize i = 0; i < len; i++) {
		crc ^= data[i];
		for (guint b = 0; b < 8; b++)
			crc = (crc & 1) ? (guint16)((crc >> 1) ^ 0xa001) : (guint16)(crc >> 1);
	}
	return crc;
}

gsize
tmbasic_build(guint8 buf[TMBASIC_FRAME_MAX], guint8 opcode, guint8 command, const guint8 *data,
	      gsize len)
{
	guint16 crc;

	if (len > TMBASIC_DATA_MAX)
		return 0;
	buf[0] = 0xa5;
	buf[1] = 0x5a;
	buf[2] = opcode;
	buf[3] = command;
	buf[4] = (guint8)(len >> 8);
	buf[5] = (guint8)(len & 0xff);
	if (len > 0)
		memcpy(buf + 6, data, len);
	crc = tmbasic_crc16(buf, 6 + len);
	buf[6 + len] = (guint8)(crc >> 8);
	buf[7 + len] = (guint8)(crc & 0xff);
	return 8 + len;
}

static void
note_reject(TmbasicParseState *st, const char *reason)
{
	if (st->n_rejects < TMBASIC_REJECTS_MAX)
		st->rejects[st->n_rejects++] = reason;
}

/* A complete frame whose CRC was checked: 0 or 1 reading, or -1. */
static int
parse_frame(const guint8 *f, gsize dlen, LactdReading *out, gsize room, const char **reason)
{
	const guint8 *d = f + 6;

	if (f[2] != TMBASIC_OP_REPORT && f[2] != TMBASIC_OP_REPLY) {
		*reason = "timemore-basic: opcode not one the scale sends";
		return -1;
	}
	if (f[3] == TMBASIC_WEIGHT) {
		gint32 raw;
		double grams;

		if (dlen < 8) {
			*reason = "timemore-basic: wrong length: weight data under 8 bytes";
			return -1;
		}
		raw = (gint32)((guint32)d[0] << 24 | (guint32)d[1] << 16 | (guint32)d[2] << 8 | d[3]);
		grams = raw / 10.0;
		if (fabs(grams) > LACTD_MAX_WEIGHT_G) {
			*reason = "timemore-basic: weight out of range";
			return -1;
		}
		if (room < 1) {
			*reason = "timemore-basic: too many frames in one notification";
			return -1;
		}
		memset(out, 0, sizeof(*out));
		out->type = LACTD_READING_WEIGHT;
		out->weight.grams = grams;
		return 1;
	}
	if (f[3] == TMBASIC_BATTERY) {
		if (dlen < 2) {
			*reason = "timemore-basic: wrong length: battery data under 2 bytes";
			return -1;
		}
		if (d[1] > 100) {
			*reason = "timemore-basic: battery out of range";
			return -1;
		}
		if (room < 1) {
			*reason = "timemore-basic: too many frames in one notification";
			return -1;
		}
		memset(out, 0, sizeof(*out));
		out->type = LACTD_READING_BATTERY;
		out->battery.percent = d[1];
		return 1;
	}
	/* Replies to commands and reports lactd has no use for. */
	return 0;
}

static void
resync(TmbasicParseState *st)
{
	for (gsize i = 1; i < st->have; i++) {
		if (st->buf[i] == 0xa5 && (i + 1 == st->have || st->buf[i + 1] == 0x5a)) {
			memmove(st->buf, st->buf + i, st->have - i);
			st->have -= i;
			return;
		}
	}
	st->have = 0;
}

/**
 * tmbasic_parse:
 * Bytes go one by one into the frame under construction, which starts at
 * A5 5A; its length field says where it ends, and the CRC is checked then.
 * After a refused frame the search for A5 5A restarts inside it.
 */
int
tmbasic_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	      LactdReading *out, gsize max_out, const char **reason)
{
	TmbasicParseState local = {0};
	TmbasicParseState *st = state != NULL ? state : &local;
	gboolean junk = FALSE;
	gsize n = 0;

	st->n_rejects = 0;
	if (g_strcmp0(char_uuid, TMBASIC_NOTIFY) != 0)
		return 0;
	if (len == 0 || len > TMBASIC_NOTIFY_MAX) {
		*reason = "timemore-basic: wrong length: notification empty or over 244 bytes";
		note_reject(st, *reason);
		return -1;
	}
	for (gsize i = 0; i < len; i++) {
		guint8 b = data[i];
		gsize dlen;

		if ((st->have == 0 && b != 0xa5) || (st->have == 1 && b != 0x5a)) {
			junk = TRUE;
			st->have = b == 0xa5 ? 1 : 0;
			st->buf[0] = b;
			continue;
		}
		st->buf[st->have++] = b;
		if (st->have < 6)
			continue;
		dlen = (gsize)st->buf[4] << 8 | st->buf[5];
		if (dlen > TMBASIC_DATA_MAX) {
			note_reject(st, "timemore-basic: wrong length: data over 32 bytes");
			resync(st);
			continue;
		}
		if (st->have < 8 + dlen)
			continue;
		if (tmbasic_crc16(st->buf, 6 + dlen) !=
		    (guint16)(st->buf[6 + dlen] << 8 | st->buf[7 + dlen])) {
			note_reject(st, "timemore-basic: bad checksum");
			resync(st);
			continue;
		}
		{
			const char *why = NULL;
			int r = parse_frame(st->buf, dlen, out + n, max_out - n, &why);

			st->have = 0;
			if (r < 0) {
				note_reject(st, why);
				continue;
			}
			n += (gsize)r;
			st->frames++;
		}
	}
	if (junk)
		note_reject(st, "timemore-basic: bytes outside a frame");
	if (n == 0 && st->n_rejects > 0) {
		*reason = st->rejects[0];
		return -1;
	}
	return (int)n;
}
