/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The compact form a finished session's samples are kept in: one blob per
 * session. A 20-minute session at 1 Hz per side is 1200 samples; as rows it
 * would take ~40 kB, as deltas a few bytes each.
 *
 * Format, version 1: the byte 0x01, then per sample three varints (LEB128 of
 * the zigzag value): time since the previous sample in milliseconds (since
 * the epoch for the first, so the blob does not depend on the session's start,
 * which a device's record may still correct), and the change in left and right volume in
 * 0.1 mL. Times are kept to the millisecond, volumes to 0.1 mL.
 */
#pragma once

#include <glib.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/* Encodes samples (LactdSample, oldest first). */
GBytes *lactd_samples_encode(const LactdSample *samples, gsize n);
/* Decodes a blob; FALSE with an error for a damaged or truncated one, without
 * touching *out. */
gboolean lactd_samples_decode(const guint8 *data, gsize len, GArray **out,
			      GError **error);

G_END_DECLS
