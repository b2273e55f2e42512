/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Etekcity ESN00, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "esn00-parse.h"

G_BEGIN_DECLS

/* Grams as the scale displays them in a unit: tenths (g, mL) or hundredths
 * (oz-based) of the unit, signed. FALSE when the unit is unknown or the
 * value does not fit the frame's 16 bits. */
gboolean esn00_grams_to_value(guint unit, double grams, gint32 *value);
/* A measurement frame (ESN00_MEASUREMENT_LEN bytes); 0 if it cannot be
 * shown in that unit. */
gsize esn00_encode_measurement(guint8 buf[ESN00_MEASUREMENT_LEN], guint unit, double grams,
			       gboolean stable);
/* A one-byte state frame (unit, tare, error, item): 8 bytes. */
gsize esn00_encode_state(guint8 buf[8], guint8 type, guint8 value);

G_END_DECLS
