/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Atomax Skale, the scale's side: the weight frame it notifies. */
#pragma once

#include <glib.h>

#include "lactd-emu.h"
#include "skale-parse.h"

G_BEGIN_DECLS

#define SKALE_FRAME_LEN 5

/* For the emulator's tests: the unit its display shows, "g" or "oz". */
const char *skale_emu_display_unit(LactdEmu *emu);

/* A weight frame for @grams with @exponent (-1 as every Skale sends):
 * FALSE if the mantissa does not fit 24 bits. */
gboolean skale_encode_weight(guint8 buf[SKALE_FRAME_LEN], double grams, int exponent);

G_END_DECLS
