/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Felicita, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "felicita-parse.h"

G_BEGIN_DECLS

/* An 18-byte frame showing grams (in ounces if oz), with the battery byte.
 * FALSE if the value does not fit six digits. */
gboolean felicita_encode(guint8 buf[FELICITA_FRAME_LEN], double grams, gboolean oz,
			 guint8 battery);

G_END_DECLS
