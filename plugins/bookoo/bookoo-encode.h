/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bookoo Themis, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "bookoo-parse.h"

G_BEGIN_DECLS

/* A weight frame from its fields (signs from the values' signs); 0 when a
 * value does not fit its field. */
gsize bookoo_encode_weight(guint8 buf[BOOKOO_FRAME_LEN], const BookooWeight *w);

G_END_DECLS
