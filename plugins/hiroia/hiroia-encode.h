/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Hiroia Jimmy, the scale's side: the status frame it notifies. */
#pragma once

#include <glib.h>

#include "hiroia-parse.h"

G_BEGIN_DECLS

#define HIROIA_FRAME_LEN 7

/* A status frame in @mode (1 to 6) for @grams, in ounces when @ounces
 * (the mode byte then is mode + 8): 0.1 g or 0.001 oz steps. FALSE if the
 * weight does not fit 24 bits. */
gboolean hiroia_encode_status(guint8 buf[HIROIA_FRAME_LEN], guint8 mode, gboolean ounces,
			      double grams);

G_END_DECLS
