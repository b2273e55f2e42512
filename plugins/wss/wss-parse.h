/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bluetooth SIG Weight Scale Service (0x181D): Weight Measurement (0x2A9D)
 * and Weight Scale Feature (0x2A9E), as the Weight Scale Service 1.0 and the
 * GATT Specification Supplement define their fields.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define WSS_SERVICE	LACTD_UUID16("181d")
#define WSS_MEASUREMENT LACTD_UUID16("2a9d")
#define WSS_FEATURE	LACTD_UUID16("2a9e")

/* Weight Measurement flags */
#define WSS_FLAG_IMPERIAL  (1u << 0)
#define WSS_FLAG_TIMESTAMP (1u << 1)
#define WSS_FLAG_USER	   (1u << 2)
#define WSS_FLAG_BMI	   (1u << 3)
#define WSS_FLAG_RESERVED  0xf0u

#define WSS_UNSUCCESSFUL 0xffffu
#define WSS_LB_GRAMS	 453.59237

typedef struct {
	guint8 flags;
	guint16 weight; /* 0.005 kg or 0.01 lb */
	guint16 year;
	guint8 month, day, hours, minutes, seconds;
	guint8 user;
	guint16 bmi;	/* 0.1 kg/m2 */
	guint16 height; /* 0.001 m or 0.1 in */
} WssMeasurement;

/* Decodes a Weight Measurement; FALSE with *reason when it is malformed. */
gboolean wss_decode(const guint8 *data, gsize len, WssMeasurement *m, const char **reason);
/* The descriptor's parse(): a WEIGHT reading (stable: a Weight Measurement is
 * the scale's final value), or none for "measurement unsuccessful". */
int wss_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	      LactdReading *out, gsize max_out, const char **reason);
/* What names a measurement that carries a whole time stamp (with its user),
 * 0 for one that does not: a scale sends a measurement again, the same,
 * when its indication was not confirmed. */
guint64 wss_measurement_id(const WssMeasurement *m);
/* Grams of a measurement. */
double wss_grams(const WssMeasurement *m);

G_END_DECLS
