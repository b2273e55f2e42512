/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Decent Scale, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "decent-parse.h"

G_BEGIN_DECLS

/* Grams in the frame's signed 0.1 g; FALSE if they do not fit. */
gboolean decent_grams_to_raw(double grams, gint16 *raw);
/* A weight frame: 7 bytes (firmware v1.0, v1.1) when ts_ms is negative,
 * else 10 bytes with the timestamp of ts_ms. Returns its length, 0 if the
 * weight does not fit. */
gsize decent_encode_weight(guint8 buf[DECENT_WEIGHT_TS_LEN], double grams, gboolean stable,
			   gint64 ts_ms);
/* The 0x0A reply: weight, battery (percent, or above 100 on USB), firmware. */
gsize decent_encode_led_reply(guint8 buf[DECENT_FRAME_LEN], double grams, guint8 battery,
			      guint8 firmware);

G_END_DECLS
