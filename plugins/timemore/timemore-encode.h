/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timemore Black Mirror, the scale's side: the frames it indicates. */
#pragma once

#include <glib.h>

#include "timemore-parse.h"

G_BEGIN_DECLS

/* A 9-byte weight frame, each weight rounded to 0.1 g. */
void timemore_encode_weight(guint8 buf[TIMEMORE_FRAME_LEN], double dripper_g, double scale_g);

G_END_DECLS
