/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* EspressiScale, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "espressi-parse.h"

G_BEGIN_DECLS

/* A weight frame; FALSE if the weight does not fit 16 signed bits of 0.1 g. */
gboolean espressi_encode_weight(guint8 buf[ESPRESSI_FRAME_LEN], double grams, gboolean stable);
/* A button frame: 1 tare, 2 timer. */
void espressi_encode_button(guint8 buf[ESPRESSI_FRAME_LEN], guint8 button);

G_END_DECLS
