/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Timemore Basic 3 and Dot, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "tmbasic-parse.h"

G_BEGIN_DECLS

/* A weight frame (flow and time zero); 0 if the weight does not fit. */
gsize tmbasic_encode_weight(guint8 buf[TMBASIC_FRAME_MAX], double grams);
gsize tmbasic_encode_battery(guint8 buf[TMBASIC_FRAME_MAX], guint8 percent);

G_END_DECLS
