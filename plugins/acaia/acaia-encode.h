/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Acaia, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "acaia-parse.h"

G_BEGIN_DECLS

#define ACAIA_WEIGHT_FRAME_LEN 13
#define ACAIA_STATUS_FRAME_LEN 13

/* A weight event with that many decimals (1 to 4); 0 if the value does not
 * fit. */
gsize acaia_encode_weight(guint8 buf[ACAIA_WEIGHT_FRAME_LEN], double grams, guint decimals);
/* A status message: battery percent, display in grams, auto-off, beep. */
gsize acaia_encode_status(guint8 buf[ACAIA_STATUS_FRAME_LEN], guint8 battery);
/* Any event: its length byte, type and data. */
gsize acaia_encode_event(guint8 *buf, gsize buf_len, guint8 event, const guint8 *data,
			 gsize data_len);

G_END_DECLS
