/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Varia AKU, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "varia-parse.h"

G_BEGIN_DECLS

#define VARIA_FRAME_MAX 6

/* FA type n data XOR into buf (at least 4 + n bytes); returns the length. */
gsize varia_encode_frame(guint8 *buf, guint8 type, const guint8 *data, guint8 n);
/* A weight frame (7 bytes), rounded to 0.01 g; 0 if it does not fit. */
gsize varia_encode_weight(guint8 *buf, double grams);
/* A battery frame (5 bytes). */
gsize varia_encode_battery(guint8 *buf, guint8 percent);

G_END_DECLS
