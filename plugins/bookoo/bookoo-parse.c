/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bookoo Themis: frames, checksum and commands (bookoo-parse.h). */
#include "config.h"

#include <math.h>
#include <string.h>

#include "bookoo-parse.h"

guint8
bookoo_xor(const guint8 *data, gsize len)
{
	guint8 x = 0;

	for (gsize i = 0; i < len; i++)
		x ^= data[i];
	return x;
}

void
bookoo_build_command(guint8 buf[BOOKOO_CMD_LEN], guint8 cmd, guint8 d1, guint8 d2)
{
	buf[0] = BOOKOO_PRODUCT;
	buf[1] = BOOKOO_COMMAND;
	buf[2] = cmd;
	buf[3] = d1;
	buf[4] = d2;
	buf[5] = bookoo_xor(buf, 5);
}

gboolean
bookoo_grams_in_range(double grams)
{
	return isfinite(grams) && fabs(grams) <= LACTD_MAX_WEIGHT_G;
}

static guint32
u24(const guint8 *p)
{
	return (guint32)p[0] << 16 | (guint32)p[1] << 8 | p[2];
}

/* '+', '-', or the 00 seen on positive weights in sniffed frames. */
static gboolean
sign_of(guint8 b, int *sign)
{
	if (b == BOOKOO_PLUS || b == 0x00)
		*sign = 1;
	else if (b == BOOKOO_MINUS)
		*sign = -1;
	else
		return FALSE;
	return TRUE;
}

static gboolean
check_frame(const guint8 *data, gsize len, const char **reason)
{
	if (len != BOOKOO_FRAME_LEN) {
		*reason = "bookoo: frame is not 20 bytes";
		return FALSE;
	}
	if (data[0] != BOOKOO_PRODUCT) {
		*reason = "bookoo: frame does not start with the product number 03";
		return FALSE;
	}
	if (bookoo_xor(data, len - 1) != data[len - 1]) {
		*reason = "bookoo: bad checksum";
		return FALSE;
	}
	return TRUE;
}

/**
 * bookoo_decode_weight:
 * A whole weight frame, every field range-checked.
 */
gboolean
bookoo_decode_weight(const guint8 *data, gsize len, BookooWeight *w, const char **reason)
{
	int wsign, fsign;

	if (!check_frame(data, len, reason))
		return FALSE;
	if (data[1] != BOOKOO_WEIGHT) {
		*reason = "bookoo: not a weight frame";
		return FALSE;
	}
	/* 00 in frames from the Mini, whose document names no unit codes. */
	if (data[5] > 2) {
		*reason = "bookoo: unknown unit code";
		return FALSE;
	}
	if (!sign_of(data[6], &wsign) || !sign_of(data[10], &fsign)) {
		*reason = "bookoo: reserved sign value";
		return FALSE;
	}
	if (data[13] > 100) {
		*reason = "bookoo: battery over 100 %";
		return FALSE;
	}
	if (data[17] > 1) {
		*reason = "bookoo: reserved flow smoothing value";
		return FALSE;
	}
	if (data[18] != 0) {
		*reason = "bookoo: reserved byte not zero";
		return FALSE;
	}
	w->timer_ms = u24(data + 2);
	w->unit = data[5];
	w->grams = wsign * (u24(data + 7) / 100.0);
	w->flow_g_s = fsign * ((data[11] << 8 | data[12]) / 100.0);
	w->battery = data[13];
	w->standby = (guint16)(data[14] << 8 | data[15]);
	w->buzzer = data[16];
	w->smoothing = data[17];
	/* 24 bits of 0.01 g reach 167 kg. */
	if (!bookoo_grams_in_range(w->grams)) {
		*reason = "bookoo: weight over 30 kg";
		return FALSE;
	}
	return TRUE;
}

/**
 * bookoo_parse:
 * One frame from FF11.
 */
int
bookoo_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	     LactdReading *out, gsize max_out, const char **reason)
{
	BookooParseState *st = state;
	BookooWeight w;
	gint32 raw;
	gboolean stable;

	if (g_strcmp0(char_uuid, BOOKOO_NOTIFY) != 0)
		return 0;
	if (!check_frame(data, len, reason))
		return -1;
	switch (data[1]) {
	case BOOKOO_WEIGHT:
		break;
	case BOOKOO_POWDER:
		if (!sign_of(data[2], &(int){0})) {
			*reason = "bookoo: reserved sign value";
			return -1;
		}
		if (st != NULL)
			st->frames++;
		return 0;
	case BOOKOO_EVENT:
		if (data[2] > 4) {
			*reason = "bookoo: unknown automatic-mode event";
			return -1;
		}
		if (st != NULL)
			st->frames++;
		return 0;
	default:
		*reason = "bookoo: unknown frame type";
		return -1;
	}
	if (!bookoo_decode_weight(data, len, &w, reason))
		return -1;
	if (max_out < 2) {
		*reason = "bookoo: no room for the readings";
		return -1;
	}
	raw = (gint32)lround(w.grams * 100);
	if (st != NULL) {
		if (st->have_last && st->last_raw == raw)
			st->same = MIN(st->same + 1, BOOKOO_STABLE_COUNT);
		else
			st->same = 1;
		st->have_last = TRUE;
		st->last_raw = raw;
		st->frames++;
		stable = st->same >= BOOKOO_STABLE_COUNT;
	} else {
		stable = FALSE;
	}
	memset(out, 0, 2 * sizeof(*out));
	out[0].type = LACTD_READING_WEIGHT;
	out[0].weight.grams = w.grams;
	out[0].weight.stable = stable;
	out[1].type = LACTD_READING_BATTERY;
	out[1].battery.percent = w.battery;
	return 2;
}
