/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Blackcoffee.io, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "blackcoffee-parse.h"

G_BEGIN_DECLS

/* The frame this emulator sends: 20 bytes (a full default-MTU
 * notification; the sources only say at least 15), everything lactd does
 * not read zero. */
#define BLACKCOFFEE_EMU_LEN 20

/* A weight frame; FALSE if the weight does not fit 28 bits of mg. */
gboolean blackcoffee_encode_weight(guint8 buf[BLACKCOFFEE_EMU_LEN], double grams,
				   gboolean stable);

G_END_DECLS
