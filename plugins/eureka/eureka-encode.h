/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Eureka Precisa, the scale's side: the status frames it notifies. */
#pragma once

#include <glib.h>

#include "eureka-parse.h"

G_BEGIN_DECLS

/* An 11-byte status frame of value (in the unit shown, 0.1 steps); FALSE
 * if it does not fit in 16 bits. */
gboolean eureka_encode_status(guint8 buf[EUREKA_FRAME_LEN], double value, gboolean timer_running,
			      guint16 timer);

G_END_DECLS
