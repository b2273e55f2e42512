/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Felicita: frame reassembly and checks (felicita-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "felicita-parse.h"

guint
felicita_battery_percent(guint8 raw)
{
	if (raw <= FELICITA_BATTERY_MIN)
		return 0;
	if (raw >= FELICITA_BATTERY_MAX)
		return 100;
	return (guint)lround((raw - FELICITA_BATTERY_MIN) * 100.0 /
			     (FELICITA_BATTERY_MAX - FELICITA_BATTERY_MIN));
}

static void
note_reject(FelicitaParseState *st, const char *reason)
{
	if (st->n_rejects < FELICITA_REJECTS_MAX)
		st->rejects[st->n_rejects++] = reason;
}

/* One complete frame: 0, 2 readings, or -1 with *reason. */
static int
parse_frame(FelicitaParseState *st, const guint8 *f, LactdReading *out, gsize room,
	    const char **reason)
{
	guint32 digits = 0;
	double grams;
	gboolean oz;

	if (f[16] != 0x0d || f[17] != 0x0a) {
		*reason = "felicita: wrong length: frame does not end with 0D 0A at byte 16";
		return -1;
	}
	if (f[2] != '+' && f[2] != '-') {
		*reason = "felicita: sign is neither + nor -";
		return -1;
	}
	for (guint i = 3; i < 9; i++) {
		if (!g_ascii_isdigit(f[i])) {
			*reason = "felicita: weight is not six ASCII digits";
			return -1;
		}
		digits = digits * 10 + (guint32)(f[i] - '0');
	}
	if (f[9] == ' ' && f[10] == 'g')
		oz = FALSE;
	else if (f[9] == 'o' && f[10] == 'z')
		oz = TRUE;
	else {
		*reason = "felicita: unknown unit";
		return -1;
	}
	grams = digits / 100.0 * (oz ? LACTD_GRAMS_PER_OZ : 1.0);
	if (f[2] == '-')
		grams = -grams;
	if (!(fabs(grams) <= LACTD_MAX_WEIGHT_G)) {
		*reason = "felicita: weight out of range";
		return -1;
	}
	if (room < 2) {
		*reason = "felicita: too many frames in one notification";
		return -1;
	}
	st->oz = oz;
	memset(out, 0, 2 * sizeof(*out));
	out[0].type = LACTD_READING_WEIGHT;
	/* Hundredths of an ounce are not a whole number of 0.01 g. */
	out[0].weight.grams = oz ? round(grams * 100) / 100 : grams;
	out[0].weight.stable = FALSE;
	out[1].type = LACTD_READING_BATTERY;
	out[1].battery.percent = felicita_battery_percent(f[15]);
	return 2;
}

/* After a bad frame, start again at the next 01 02 inside it, if any. */
static void
resync(FelicitaParseState *st)
{
	for (gsize i = 1; i + 1 < st->have; i++) {
		if (st->buf[i] == 0x01 && st->buf[i + 1] == 0x02) {
			memmove(st->buf, st->buf + i, st->have - i);
			st->have -= i;
			return;
		}
	}
	st->have = st->have > 0 && st->buf[st->have - 1] == 0x01 ? 1 : 0;
	if (st->have == 1)
		st->buf[0] = 0x01;
}

/**
 * felicita_parse:
 * Bytes are taken one by one into the frame under construction: a frame
 * starts at 01 02 and is checked when its 18th byte has come, so a frame
 * split over notifications is put back together and several frames in one
 * notification are each parsed. Bytes outside a frame are refused once
 * per notification.
 */
int
felicita_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	       LactdReading *out, gsize max_out, const char **reason)
{
	FelicitaParseState local = {0};
	FelicitaParseState *st = state != NULL ? state : &local;
	gboolean junk = FALSE;
	gsize n = 0;

	st->n_rejects = 0;
	if (g_strcmp0(char_uuid, FELICITA_CHAR) != 0)
		return 0;
	if (len == 0 || len > FELICITA_NOTIFY_MAX) {
		*reason = "felicita: wrong length: notification empty or over 64 bytes";
		note_reject(st, *reason);
		return -1;
	}
	for (gsize i = 0; i < len; i++) {
		guint8 b = data[i];

		if ((st->have == 0 && b != 0x01) || (st->have == 1 && b != 0x02)) {
			junk = TRUE;
			st->have = b == 0x01 ? 1 : 0;
			st->buf[0] = b;
			continue;
		}
		st->buf[st->have++] = b;
		if (st->have < FELICITA_FRAME_LEN)
			continue;
		{
			const char *why = NULL;
			int r = parse_frame(st, st->buf, out + n, max_out - n, &why);

			if (r < 0) {
				note_reject(st, why);
				resync(st);
				continue;
			}
			n += (gsize)r;
			st->frames++;
			st->have = 0;
		}
	}
	if (junk)
		note_reject(st, "felicita: bytes outside a frame");
	if (n == 0 && st->n_rejects > 0) {
		*reason = st->rejects[0];
		return -1;
	}
	return (int)n;
}
