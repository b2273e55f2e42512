/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lactd-error.h"
#include "lactd-samples.h"

#define SAMPLES_FORMAT 1
/* A session is at most a day; a sample a millisecond is more than any device sends. */
#define SAMPLES_MAX (24u * 3600u * 1000u)

static void
put_varint(GByteArray *out, gint64 value)
{
	guint64 z = ((guint64)value << 1) ^ (guint64)(value >> 63);

	do {
		guint8 b = z & 0x7f;
		z >>= 7;
		if (z != 0)
			b |= 0x80;
		g_byte_array_append(out, &b, 1);
	} while (z != 0);
}

static gboolean
get_varint(const guint8 *data, gsize len, gsize *pos, gint64 *value)
{
	guint64 z = 0;

	for (guint shift = 0; shift < 64; shift += 7) {
		guint8 b;

		if (*pos >= len)
			return FALSE;
		b = data[(*pos)++];
		z |= (guint64)(b & 0x7f) << shift;
		if ((b & 0x80) == 0) {
			*value = (gint64)(z >> 1) ^ -(gint64)(z & 1);
			return TRUE;
		}
	}
	return FALSE;
}

static gint64
to_dl(double ml)
{
	return (gint64)llround(ml * 10.0);
}

GBytes *
lactd_samples_encode(const LactdSample *samples, gsize n)
{
	g_autoptr(GByteArray) out = g_byte_array_sized_new(1 + n * 4);
	guint8 format = SAMPLES_FORMAT;
	gint64 prev_ms = 0, prev_l = 0, prev_r = 0;

	g_byte_array_append(out, &format, 1);
	for (gsize i = 0; i < n; i++) {
		gint64 ms = samples[i].time_us / 1000;
		gint64 l = to_dl(samples[i].left_ml);
		gint64 r = to_dl(samples[i].right_ml);

		put_varint(out, ms - prev_ms);
		put_varint(out, l - prev_l);
		put_varint(out, r - prev_r);
		prev_ms = ms;
		prev_l = l;
		prev_r = r;
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

gboolean
lactd_samples_decode(const guint8 *data, gsize len, GArray **out, GError **error)
{
	g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	gint64 ms = 0, l = 0, r = 0;
	gsize pos = 1;

	if (len == 0) {
		*out = g_steal_pointer(&samples);
		return TRUE;
	}
	if (data[0] != SAMPLES_FORMAT) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
			    "samples: unknown format %u", data[0]);
		return FALSE;
	}
	while (pos < len) {
		gint64 dt, dl, dr;
		LactdSample s;

		if (!get_varint(data, len, &pos, &dt) || !get_varint(data, len, &pos, &dl) ||
		    !get_varint(data, len, &pos, &dr) || samples->len >= SAMPLES_MAX) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
				    "samples: damaged at byte %" G_GSIZE_FORMAT, pos);
			return FALSE;
		}
		/* Unsigned arithmetic: a damaged blob may overflow, never trap. */
		ms = (gint64)((guint64)ms + (guint64)dt);
		l = (gint64)((guint64)l + (guint64)dl);
		r = (gint64)((guint64)r + (guint64)dr);
		s.time_us = (gint64)((guint64)ms * 1000u);
		s.left_ml = (double)l / 10.0;
		s.right_ml = (double)r / 10.0;
		g_array_append_val(samples, s);
	}
	*out = g_steal_pointer(&samples);
	return TRUE;
}
