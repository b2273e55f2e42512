/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The compact form a finished session's samples are kept in: one blob per
 * session. Times are kept to the millisecond, volumes to 0.1 mL (the
 * resolution every pump and the D-Bus API have), as integers.
 *
 * Format 1 (schema 4 and older): the byte 0x01, then per sample three
 * zigzag LEB128 varints: time since the previous sample in ms (since the
 * epoch for the first), and the change of left and right in 0.1 mL. About
 * 4 bytes a sample. Still read; written only for tests and benchmarks.
 *
 * Format 2 (schema 5): the byte 0x02, the number of samples (varint), the
 * first two samples as in format 1, then a bit stream, sample by sample, of
 * one code for each of time, left and right. As in the Gorilla paper
 * (Pelkonen et al., VLDB 2015), the time is coded as its delta-of-delta: a
 * notification a second makes that 0, one bit. Cumulative volumes are coded
 * as their delta: they rise by 0 or 0.1 mL a second, at random, so their
 * delta is the small number and a delta-of-delta would double it.
 * Codes, most significant bit first:
 *   0                   0
 *   10                  +1
 *   110                 -1
 *   1110  + 7 bits      -64 .. 63, two's complement
 *   11110 + 16 bits     -32768 .. 32767
 *   11111 + 64 bits     any value
 * The stream is padded with zero bits to a whole byte.
 */
#pragma once

#include <glib.h>

#include "lactd-store.h"

G_BEGIN_DECLS

#define LACTD_SAMPLES_FORMAT_V1 1
#define LACTD_SAMPLES_FORMAT 2

/* Encodes samples (LactdSample, oldest first) in the current format. */
GBytes *lactd_samples_encode(const LactdSample *samples, gsize n);
/* The same in a given format (LACTD_SAMPLES_FORMAT_V1 or _FORMAT). */
GBytes *lactd_samples_encode_format(const LactdSample *samples, gsize n, guint format);
/* Decodes a blob of any known format; FALSE with an error for a damaged or
 * truncated one, without touching *out. */
gboolean lactd_samples_decode(const guint8 *data, gsize len, GArray **out,
			      GError **error);

G_END_DECLS
