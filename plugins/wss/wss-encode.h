/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weight Scale Service, the scale's side. */
#pragma once

#include "wss-parse.h"

G_BEGIN_DECLS

/* Encodes a Weight Measurement; returns its length (at most 15). */
gsize wss_encode(guint8 buf[15], const WssMeasurement *m);
/* The weight field for grams in the measurement's units, rounded to its resolution. */
guint16 wss_weight_field(double grams, gboolean imperial);

G_END_DECLS
