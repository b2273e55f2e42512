/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Encoding and decoding of a session's samples (formats in lactd-samples.h). */
#include "config.h"

#include <math.h>

#include "lactd-error.h"
#include "lactd-samples.h"

/* A session is at most a day; a sample a millisecond is more than any device sends. */
#define SAMPLES_MAX (24u * 3600u * 1000u)
#define N_SERIES 3

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

/* The integers a sample is kept as: ms, left and right in 0.1 mL. */
static void
to_ints(const LactdSample *s, gint64 v[N_SERIES])
{
	v[0] = s->time_us / 1000;
	v[1] = (gint64)llround(s->left_ml * 10.0);
	v[2] = (gint64)llround(s->right_ml * 10.0);
}

static LactdSample
from_ints(const gint64 v[N_SERIES])
{
	LactdSample s = {
	    .time_us = (gint64)((guint64)v[0] * 1000u),
	    .left_ml = (double)v[1] / 10.0,
	    .right_ml = (double)v[2] / 10.0,
	};
	return s;
}

/* ---- format 1 ------------------------------------------------------------ */

static GBytes *
encode_v1(const LactdSample *samples, gsize n)
{
	g_autoptr(GByteArray) out = g_byte_array_sized_new(1 + n * 4);
	guint8 format = LACTD_SAMPLES_FORMAT_V1;
	gint64 prev[N_SERIES] = {0};

	g_byte_array_append(out, &format, 1);
	for (gsize i = 0; i < n; i++) {
		gint64 v[N_SERIES];

		to_ints(&samples[i], v);
		for (guint k = 0; k < N_SERIES; k++) {
			put_varint(out, v[k] - prev[k]);
			prev[k] = v[k];
		}
	}
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static gboolean
decode_v1(const guint8 *data, gsize len, GArray *samples, GError **error)
{
	gint64 v[N_SERIES] = {0};
	gsize pos = 1;

	while (pos < len) {
		LactdSample s;

		for (guint k = 0; k < N_SERIES; k++) {
			gint64 d;
			if (!get_varint(data, len, &pos, &d) || samples->len >= SAMPLES_MAX) {
				g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
					    "samples: damaged at byte %" G_GSIZE_FORMAT, pos);
				return FALSE;
			}
			/* Unsigned arithmetic: a damaged blob may overflow, never trap. */
			v[k] = (gint64)((guint64)v[k] + (guint64)d);
		}
		s = from_ints(v);
		g_array_append_val(samples, s);
	}
	return TRUE;
}

/* ---- format 2: delta-of-delta, bit packed -------------------------------- */

typedef struct {
	GByteArray *out;
	guint64 acc; /* bits not yet written, right-aligned */
	guint n;     /* how many */
} BitWriter;

static void
put_bits(BitWriter *w, guint64 value, guint bits)
{
	/* In pieces of at most 32 so that acc never overflows. */
	while (bits > 0) {
		guint take = MIN(bits, 32u);
		guint64 piece = (value >> (bits - take)) & ((G_GUINT64_CONSTANT(1) << take) - 1);

		w->acc = (w->acc << take) | piece;
		w->n += take;
		bits -= take;
		while (w->n >= 8) {
			guint8 b = (guint8)(w->acc >> (w->n - 8));
			g_byte_array_append(w->out, &b, 1);
			w->n -= 8;
		}
		w->acc &= (G_GUINT64_CONSTANT(1) << w->n) - 1;
	}
}

static void
put_code(BitWriter *w, gint64 value)
{
	if (value == 0)
		put_bits(w, 0, 1);
	else if (value == 1)
		put_bits(w, 0x2, 2);
	else if (value == -1)
		put_bits(w, 0x6, 3);
	else if (value >= -64 && value <= 63)
		put_bits(w, (0xeu << 7) | ((guint64)value & 0x7f), 11);
	else if (value >= G_MININT16 && value <= G_MAXINT16)
		put_bits(w, (0x1eu << 16) | ((guint64)value & 0xffff), 21);
	else {
		put_bits(w, 0x1f, 5);
		put_bits(w, (guint64)value, 64);
	}
}

static GBytes *
encode_v2(const LactdSample *samples, gsize n)
{
	g_autoptr(GByteArray) out = g_byte_array_sized_new(16 + n);
	BitWriter w = {out, 0, 0};
	guint8 format = LACTD_SAMPLES_FORMAT;
	gint64 prev[N_SERIES] = {0}, delta[N_SERIES] = {0};

	g_byte_array_append(out, &format, 1);
	put_varint(out, (gint64)n);
	for (gsize i = 0; i < n && i < 2; i++) {
		gint64 v[N_SERIES];

		to_ints(&samples[i], v);
		for (guint k = 0; k < N_SERIES; k++) {
			delta[k] = (gint64)((guint64)v[k] - (guint64)prev[k]);
			put_varint(out, delta[k]);
			prev[k] = v[k];
		}
	}
	for (gsize i = 2; i < n; i++) {
		gint64 v[N_SERIES];

		to_ints(&samples[i], v);
		for (guint k = 0; k < N_SERIES; k++) {
			gint64 d = (gint64)((guint64)v[k] - (guint64)prev[k]);
			put_code(&w, k == 0 ? (gint64)((guint64)d - (guint64)delta[k]) : d);
			delta[k] = d;
			prev[k] = v[k];
		}
	}
	if (w.n > 0)
		put_bits(&w, 0, 8 - w.n);
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

typedef struct {
	const guint8 *data;
	gsize len;
	gsize bit; /* next bit, counted from data[0]'s most significant */
} BitReader;

static gboolean
get_bits(BitReader *r, guint bits, guint64 *value)
{
	guint64 v = 0;

	if (bits > (r->len * 8 - r->bit))
		return FALSE;
	for (guint i = 0; i < bits; i++, r->bit++)
		v = (v << 1) | ((r->data[r->bit / 8] >> (7 - r->bit % 8)) & 1);
	*value = v;
	return TRUE;
}

/* Sign-extends the low @bits of @v. */
static gint64
signed_of(guint64 v, guint bits)
{
	guint64 sign = G_GUINT64_CONSTANT(1) << (bits - 1);

	return (gint64)((v ^ sign) - sign);
}

static gboolean
get_code(BitReader *r, gint64 *value)
{
	/* Payload width after 3, 4 leading ones then a zero, or 5 ones. */
	static const guint widths[] = {0, 0, 0, 7, 16, 64};
	guint ones = 0;
	guint64 bit, v;

	while (ones < 5) {
		if (!get_bits(r, 1, &bit))
			return FALSE;
		if (bit == 0)
			break;
		ones++;
	}
	if (ones < 3) {
		static const gint64 small[] = {0, 1, -1};
		*value = small[ones];
		return TRUE;
	}
	if (!get_bits(r, widths[ones], &v))
		return FALSE;
	*value = widths[ones] == 64 ? (gint64)v : signed_of(v, widths[ones]);
	return TRUE;
}

static gboolean
decode_v2(const guint8 *data, gsize len, GArray *samples, GError **error)
{
	gint64 count, v[N_SERIES] = {0}, delta[N_SERIES] = {0};
	gsize pos = 1;
	BitReader r;

	if (!get_varint(data, len, &pos, &count) || count < 0 || count > SAMPLES_MAX)
		goto damaged;
	for (gint64 i = 0; i < count && i < 2; i++) {
		LactdSample s;

		for (guint k = 0; k < N_SERIES; k++) {
			if (!get_varint(data, len, &pos, &delta[k]))
				goto damaged;
			v[k] = (gint64)((guint64)v[k] + (guint64)delta[k]);
		}
		s = from_ints(v);
		g_array_append_val(samples, s);
	}
	r = (BitReader){data + pos, len - pos, 0};
	for (gint64 i = 2; i < count; i++) {
		LactdSample s;

		for (guint k = 0; k < N_SERIES; k++) {
			gint64 code;
			if (!get_code(&r, &code))
				goto damaged;
			/* Time: a delta-of-delta; volumes: a delta. */
			delta[k] = k == 0 ? (gint64)((guint64)delta[k] + (guint64)code) : code;
			v[k] = (gint64)((guint64)v[k] + (guint64)delta[k]);
		}
		s = from_ints(v);
		g_array_append_val(samples, s);
	}
	/* Only the padding may be left. */
	if (r.len * 8 - r.bit >= 8)
		goto damaged;
	return TRUE;
damaged:
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
		    "samples: damaged or truncated (%" G_GSIZE_FORMAT " bytes, format 2)", len);
	return FALSE;
}

/* ---- entry points -------------------------------------------------------- */

GBytes *
lactd_samples_encode_format(const LactdSample *samples, gsize n, guint format)
{
	g_return_val_if_fail(format == LACTD_SAMPLES_FORMAT_V1 || format == LACTD_SAMPLES_FORMAT,
			     NULL);
	return format == LACTD_SAMPLES_FORMAT_V1 ? encode_v1(samples, n) : encode_v2(samples, n);
}

GBytes *
lactd_samples_encode(const LactdSample *samples, gsize n)
{
	return encode_v2(samples, n);
}

gboolean
lactd_samples_decode(const guint8 *data, gsize len, GArray **out, GError **error)
{
	g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	gboolean ok;

	if (len == 0) {
		*out = g_steal_pointer(&samples);
		return TRUE;
	}
	switch (data[0]) {
	case LACTD_SAMPLES_FORMAT_V1:
		ok = decode_v1(data, len, samples, error);
		break;
	case LACTD_SAMPLES_FORMAT:
		ok = decode_v2(data, len, samples, error);
		break;
	default:
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "samples: unknown format %u",
			    data[0]);
		return FALSE;
	}
	if (!ok)
		return FALSE;
	*out = g_steal_pointer(&samples);
	return TRUE;
}
