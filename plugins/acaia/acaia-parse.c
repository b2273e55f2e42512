/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Acaia: framing, reassembly and decoding (acaia-parse.h says where from). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "acaia-parse.h"

#define H1 0xef
#define H2 0xdd

/**
 * acaia_checksum:
 * The two checksum bytes of a payload.
 */
void
acaia_checksum(const guint8 *payload, gsize len, guint8 *ck1, guint8 *ck2)
{
	guint8 a = 0, b = 0;

	for (gsize i = 0; i < len; i++) {
		if (i % 2 == 0)
			a = (guint8)(a + payload[i]);
		else
			b = (guint8)(b + payload[i]);
	}
	*ck1 = a;
	*ck2 = b;
}

/**
 * acaia_build:
 * Frames a payload; used for the host's commands and by the emulator.
 */
gsize
acaia_build(guint8 *buf, gsize buf_len, guint8 type, const guint8 *payload, gsize len)
{
	if (buf_len < len + 5)
		return 0;
	buf[0] = H1;
	buf[1] = H2;
	buf[2] = type;
	if (len > 0)
		memcpy(buf + 3, payload, len);
	acaia_checksum(buf + 3, len, &buf[len + 3], &buf[len + 4]);
	return len + 5;
}

gsize
acaia_build_identify(guint8 buf[20], gboolean newer)
{
	/* pyacaia: fifteen '-' for the older scales, "012345678901234" for
	 * the Pyxis-style ones (also what de1app sends). */
	guint8 id[15];

	for (guint i = 0; i < sizeof(id); i++)
		id[i] = newer ? (guint8)('0' + i % 10) : '-';
	return acaia_build(buf, 20, ACAIA_MSG_IDENTIFY, id, sizeof(id));
}

gsize
acaia_build_notification_request(guint8 buf[14])
{
	/* Its own length, then event/argument pairs: weight 1, battery 2,
	 * timer 5, key 3, setting 4 (pyacaia encodeNotificationRequest). */
	const guint8 p[] = {9, 0, 1, 1, 2, 2, 5, 3, 4};

	return acaia_build(buf, 14, ACAIA_MSG_EVENT, p, sizeof(p));
}

gsize
acaia_build_heartbeat(guint8 buf[7])
{
	const guint8 p[] = {2, 0};

	return acaia_build(buf, 7, ACAIA_MSG_HEARTBEAT, p, sizeof(p));
}

/**
 * acaia_check_command:
 * One frame as the host writes it: header, type, payload, good checksums.
 */
gboolean
acaia_check_command(const guint8 *data, gsize len, guint8 *type, const guint8 **payload,
		    gsize *payload_len, const char **reason)
{
	guint8 ck1, ck2;

	if (len < 5) {
		*reason = "acaia: command too short";
		return FALSE;
	}
	if (data[0] != H1 || data[1] != H2) {
		*reason = "acaia: command does not start with EF DD";
		return FALSE;
	}
	acaia_checksum(data + 3, len - 5, &ck1, &ck2);
	if (ck1 != data[len - 2] || ck2 != data[len - 1]) {
		*reason = "acaia: bad checksum";
		return FALSE;
	}
	*type = data[2];
	*payload = data + 3;
	*payload_len = len - 5;
	return TRUE;
}

static int
take_weight(AcaiaParseState *st, const guint8 *d, LactdReading *out, const char **reason)
{
	guint32 value = (guint32)d[0] | (guint32)d[1] << 8 | (guint32)d[2] << 16 |
			(guint32)d[3] << 24;
	double grams;

	if (d[4] < 1 || d[4] > 4) {
		*reason = "acaia: weight decimals not 1 to 4";
		return -1;
	}
	grams = value / pow(10, d[4]);
	if (d[5] & 0x02)
		grams = -grams;
	if (!(fabs(grams) <= LACTD_MAX_WEIGHT_G)) {
		*reason = "acaia: weight out of range";
		return -1;
	}
	if (st->have_weight && st->last_grams == grams)
		st->same_count = MIN(st->same_count + 1, ACAIA_STABLE_COUNT);
	else
		st->same_count = 1;
	st->have_weight = TRUE;
	st->last_grams = grams;
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = grams;
	out->weight.stable = st->same_count >= ACAIA_STABLE_COUNT;
	return 1;
}

static int
decode(AcaiaParseState *st, guint8 type, const guint8 *p, gsize len, LactdReading *out,
       const char **reason)
{
	switch (type) {
	case ACAIA_MSG_EVENT:
		if (len < 2) {
			*reason = "acaia: event without a type";
			return -1;
		}
		switch (p[1]) {
		case ACAIA_EVENT_WEIGHT:
			if (len < 2 + 6) {
				*reason = "acaia: weight event too short";
				return -1;
			}
			return take_weight(st, p + 2, out, reason);
		case ACAIA_EVENT_ACK:
			/* The heartbeat's acknowledgement may carry the weight
			 * (Beanconqueror decoder.ts). */
			if (len >= 2 + 9 && p[4] == ACAIA_EVENT_WEIGHT)
				return take_weight(st, p + 5, out, reason);
			return 0;
		case ACAIA_EVENT_BATTERY:
		case ACAIA_EVENT_TIMER:
		case ACAIA_EVENT_KEY:
			return 0;
		default:
			*reason = "acaia: unknown event type";
			return -1;
		}
	case ACAIA_MSG_STATUS:
		if (len < 3) {
			*reason = "acaia: status too short";
			return -1;
		}
		if ((p[1] & 0x7f) > 100) {
			*reason = "acaia: battery over 100 %";
			return -1;
		}
		memset(out, 0, sizeof(*out));
		out->type = LACTD_READING_BATTERY;
		out->battery.percent = p[1] & 0x7f;
		return 1;
	case ACAIA_MSG_INFO:
		return 0;
	default:
		*reason = "acaia: unknown message type";
		return -1;
	}
}

static void
drop(AcaiaParseState *st, gsize n)
{
	memmove(st->buf, st->buf + n, st->buf_len - n);
	st->buf_len -= n;
}

/* One frame from the front of the buffer: 2 when more bytes are needed,
 * else what decode() says (-1 refused, 0 or 1 readings). */
static int
extract(AcaiaParseState *st, LactdReading *out, const char **reason)
{
	gsize i = 0;
	gsize total;
	guint8 ck1, ck2;
	int n;

	while (i < st->buf_len &&
	       !(st->buf[i] == H1 && (i + 1 == st->buf_len || st->buf[i + 1] == H2)))
		i++;
	if (i > 0) {
		st->discarded += i;
		drop(st, i);
		*reason = "acaia: bytes outside a frame discarded";
		return -1;
	}
	if (st->buf_len < 4)
		return 2;
	total = (gsize)st->buf[3] + 5;
	if (st->buf[3] == 0 || total > ACAIA_BUF_MAX) {
		*reason = st->buf[3] == 0 ? "acaia: frame length 0" : "acaia: frame too long";
		st->discarded += 2;
		drop(st, 2);
		return -1;
	}
	if (st->buf_len < total)
		return 2;
	acaia_checksum(st->buf + 3, total - 5, &ck1, &ck2);
	if (ck1 != st->buf[total - 2] || ck2 != st->buf[total - 1]) {
		/* Resynchronise on the next header rather than trust the length. */
		*reason = "acaia: bad checksum";
		st->discarded += 2;
		drop(st, 2);
		return -1;
	}
	n = decode(st, st->buf[2], st->buf + 3, total - 5, out, reason);
	drop(st, total);
	if (n >= 0)
		st->frames++;
	return n;
}

static void
note_refusal(AcaiaParseState *st, const char *reason)
{
	st->refused++;
	st->call_reasons[MIN(st->call_refused, ACAIA_REASONS_MAX - 1)] = reason;
	st->call_refused++;
}

/**
 * acaia_parse:
 * Appends a notification to the reassembly buffer and decodes every whole
 * frame in it.
 */
int
acaia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	    LactdReading *out, gsize max_out, const char **reason)
{
	AcaiaParseState *st = state;
	const char *first = NULL;
	gsize pos = 0;
	gsize n = 0;

	st->call_refused = 0;
	if (g_strcmp0(char_uuid, ACAIA_OLD_CHAR) != 0 && g_strcmp0(char_uuid, ACAIA_NEW_NOTIFY) != 0)
		return 0;
	for (;;) {
		gsize take = MIN(len - pos, ACAIA_BUF_MAX - st->buf_len);
		int r;

		if (take > 0)
			memcpy(st->buf + st->buf_len, data + pos, take);
		st->buf_len += take;
		pos += take;
		while (n < max_out && (r = extract(st, &out[n], reason)) != 2) {
			if (r < 0) {
				note_refusal(st, *reason);
				if (first == NULL)
					first = *reason;
			} else {
				n += (gsize)r;
			}
		}
		if (pos >= len)
			break;
		if (n >= max_out) {
			/* No room for what the rest would give: dropped, and said so. */
			const char *why = "acaia: no room for the readings; bytes discarded";

			st->discarded += len - pos;
			note_refusal(st, why);
			if (first == NULL)
				first = why;
			break;
		}
	}
	if (n == 0 && first != NULL) {
		*reason = first;
		return -1;
	}
	return (int)n;
}
