/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* WeighMaster ECS-02 / MantaBrew frames (weighmaster-parse.h). */
#include "config.h"

#include <string.h>

#include "weighmaster-parse.h"

static const guint8 header[] = {0x01, 0x02, 0x00};

/* A complete frame: a reading in *out (returns 1), nothing (0), or -1. */
static int
frame(const guint8 *f, LactdReading *out, const char **reason)
{
	guint status = f[3];
	guint32 raw = (guint32)f[4] << 16 | (guint32)f[5] << 8 | f[6];
	double grams = raw / 10.0;

	if (status & WEIGHMASTER_CALIBRATING)
		return 0; /* a weight under calibration means nothing */
	if (grams > LACTD_MAX_WEIGHT_G) {
		*reason = "weighmaster: weight out of range";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	out->weight.grams = (status & WEIGHMASTER_NEGATIVE) ? -grams : grams;
	out->weight.stable = (status & WEIGHMASTER_STABLE) != 0;
	return 1;
}

/**
 * weighmaster_parse:
 * Feeds the notification's bytes through the frame buffer: a byte that
 * cannot continue the header drops what was gathered (refused once per
 * notification), and each complete frame is decoded.
 */
int
weighmaster_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		  LactdReading *out, gsize max_out, const char **reason)
{
	WeighmasterParseState local = {0};
	WeighmasterParseState *st = state != NULL ? state : &local;
	const char *refused = NULL;
	gsize n = 0;

	if (g_strcmp0(char_uuid, WEIGHMASTER_NOTIFY) != 0)
		return 0;
	if (len == 0) {
		*reason = "weighmaster: empty notification";
		return -1;
	}
	for (gsize i = 0; i < len; i++) {
		guint8 b = data[i];

		if (st->len < sizeof(header) && b != header[st->len]) {
			if (refused == NULL)
				refused = "weighmaster: bytes outside a frame";
			st->len = 0;
			if (b != header[0])
				continue;
		}
		st->buf[st->len++] = b;
		if (st->len < WEIGHMASTER_FRAME_LEN)
			continue;
		st->len = 0;
		if (n >= max_out) {
			if (refused == NULL)
				refused = "weighmaster: more frames than room for readings";
			continue;
		}
		{
			const char *why = NULL;
			int r = frame(st->buf, &out[n], &why);

			if (r < 0) {
				if (refused == NULL)
					refused = why;
				continue;
			}
			st->frames++;
			n += (gsize)r;
		}
	}
	if (state == NULL && st->len > 0 && refused == NULL)
		refused = "weighmaster: incomplete frame";
	if (refused != NULL) {
		if (n == 0) {
			*reason = refused;
			return -1;
		}
		st->late_reason = refused;
	}
	return (int)n;
}
