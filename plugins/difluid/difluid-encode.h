/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* DiFluid Microbalance, the scale's side: the frames it notifies. */
#pragma once

#include <glib.h>

#include "difluid-parse.h"

G_BEGIN_DECLS

/* Sensor data with the weight in @unit (DIFLUID_UNIT_*: 0.1 g, 0.001 oz,
 * or 0.1 grain for unit 2, as this emulator takes it); returns the frame's
 * length, 0 if the weight does not fit. */
gsize difluid_encode_sensor(guint8 buf[DIFLUID_MAX_FRAME], double grams, guint8 unit,
			    guint32 tick_ms);
/* Device status: idle, the battery percent, not charging. */
gsize difluid_encode_status(guint8 buf[DIFLUID_MAX_FRAME], guint8 battery);

G_END_DECLS
