/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EspressiScale frames (espressi-parse.h). */
#include "config.h"

#include <string.h>

#include "espressi-parse.h"

guint8
espressi_xor(const guint8 *data, gsize len)
{
	guint8 x = 0;

	for (gsize i = 0; i < len; i++)
		x ^= data[i];
	return x;
}

/* A complete frame: a reading in *out (returns 1), nothing (0), or -1. */
static int
frame(const guint8 *f, LactdReading *out, const char **reason)
{
	if (espressi_xor(f, ESPRESSI_FRAME_LEN - 1) != f[ESPRESSI_FRAME_LEN - 1]) {
		*reason = "espressi: bad checksum";
		return -1;
	}
	switch (f[1]) {
	case ESPRESSI_WEIGHT_STABLE:
	case ESPRESSI_WEIGHT_CHANGING:
		/* 16 bits of 0.1 g stay far below LACTD_MAX_WEIGHT_G. */
		memset(out, 0, sizeof(*out));
		out->type = LACTD_READING_WEIGHT;
		out->weight.grams = (gint16)(guint16)(f[2] << 8 | f[3]) / 10.0;
		out->weight.stable = f[1] == ESPRESSI_WEIGHT_STABLE;
		return 1;
	case ESPRESSI_BUTTON:
		if (f[2] < 1 || f[2] > 2) {
			*reason = "espressi: reserved button value";
			return -1;
		}
		return 0;
	default:
		*reason = "espressi: unknown frame type";
		return -1;
	}
}

/**
 * espressi_parse:
 * Feeds the notification's bytes through the frame buffer: bytes before a
 * frame start are refused (once per notification), and each complete
 * frame is checked and decoded.
 */
int
espressi_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	       LactdReading *out, gsize max_out, const char **reason)
{
	EspressiParseState local = {0};
	EspressiParseState *st = state != NULL ? state : &local;
	const char *refused = NULL;
	gsize n = 0;

	if (g_strcmp0(char_uuid, ESPRESSI_NOTIFY) != 0)
		return 0;
	if (len == 0) {
		*reason = "espressi: empty notification";
		return -1;
	}
	for (gsize i = 0; i < len; i++) {
		const char *why = NULL;
		int r;

		if (st->len == 0 && data[i] != ESPRESSI_HEADER) {
			if (refused == NULL)
				refused = "espressi: bytes outside a frame";
			continue;
		}
		st->buf[st->len++] = data[i];
		if (st->len < ESPRESSI_FRAME_LEN)
			continue;
		st->len = 0;
		if (n >= max_out) {
			if (refused == NULL)
				refused = "espressi: more frames than room for readings";
			continue;
		}
		r = frame(st->buf, &out[n], &why);
		if (r < 0) {
			if (refused == NULL)
				refused = why;
			continue;
		}
		st->frames++;
		n += (gsize)r;
	}
	if (state == NULL && st->len > 0 && refused == NULL)
		refused = "espressi: incomplete frame";
	if (refused != NULL) {
		if (n == 0) {
			*reason = refused;
			return -1;
		}
		st->late_reason = refused;
	}
	return (int)n;
}
