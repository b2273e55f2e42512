/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Etekcity ESN00 Smart Nutrition Scale: the host side's pure parser.
 *
 * Protocol as reverse-engineered in the public project hertzg/metekcity
 * (research/protocol/notes.txt, packages/esn00-packet: README.md,
 * checksum.ts, parsePacket.ts, payloads/__tests__/measurements/samples.ts)
 * and AdnanAliShabir/ETEKCITY-Smart-Nutrition-Scale-ESN00 (README.md, the
 * GATT table):
 *
 *   service 0x1910; 0x2c12 notify/indicate (frames from the scale),
 *   0x2c11 write (commands), 0x2c10 read.
 *
 *   frame: FE EF C0 A2 | type | length | payload[length] | checksum
 *   checksum: the low byte of the sum of type, length and payload (the
 *   header is not summed).
 *
 *   type 0xD0 measurement, length 5: sign (0 positive, 1 negative),
 *   magnitude u16 big-endian, unit code, settled (0 moving, 1 stable).
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define ESN00_SERVICE LACTD_UUID16("1910")
#define ESN00_READ    LACTD_UUID16("2c10")
#define ESN00_WRITE   LACTD_UUID16("2c11")
#define ESN00_NOTIFY  LACTD_UUID16("2c12")

#define ESN00_HEADER_LEN 4
/* header, type, length, checksum */
#define ESN00_FRAME_OVERHEAD 7
#define ESN00_MEASUREMENT_LEN (ESN00_FRAME_OVERHEAD + 5)
#define ESN00_FRAME_MAX (ESN00_FRAME_OVERHEAD + 255)

/* Frame types (hertzg/metekcity packages/esn00-packet/README.md). */
#define ESN00_CMD_SET_UNIT	0xc0
#define ESN00_CMD_SET_TARE	0xc1
#define ESN00_CMD_SET_AUTO_OFF	0xc4
#define ESN00_MEASUREMENT	0xd0
#define ESN00_UNIT_STATE	0xd1
#define ESN00_TARE_STATE	0xd3
#define ESN00_AUTO_OFF_STATE	0xd5
#define ESN00_ERROR_STATE	0xe0
#define ESN00_ITEM_STATE	0xe4

/* Unit codes the scale displays. */
typedef enum {
	ESN00_UNIT_G = 0,
	ESN00_UNIT_LB_OZ = 1,
	ESN00_UNIT_ML_WATER = 2,
	ESN00_UNIT_FLOZ_WATER = 3,
	ESN00_UNIT_ML_MILK = 4,
	ESN00_UNIT_FLOZ_MILK = 5,
	ESN00_UNIT_OZ = 6,
} Esn00Unit;

#define ESN00_UNIT_MAX ESN00_UNIT_OZ

/* Conversions. The ounce and pound are exact by definition; lb:oz frames
 * carry the total in ounces (2 lb 6.1 oz is 3810), so 453.59237 g/lb is
 * 16 x the ounce below. */
#define ESN00_G_PER_OZ 28.349523125
#define ESN00_G_PER_LB 453.59237
/*
 * Fluid ounces: the scale's own figures are those of the imperial fluid
 * ounce, 28.4130625 mL, not the US one (29.5735295625 mL). In the samples
 * of hertzg/metekcity notes.txt, 449 g of water reads 15.8 fl oz and
 * 1079 g reads 38.0 (449 / 28.41 = 15.80, 1079 / 28.41 = 37.98; with the US
 * ounce they would read 15.2 and 36.5), and -161 g reads -5.7 fl oz
 * (US: -5.4). The test /plugin/esn00/parse/vectors holds these.
 */
#define ESN00_ML_PER_FLOZ    28.4130625
#define ESN00_ML_PER_US_FLOZ 29.5735295625
/*
 * Densities the scale uses to show a weight as a volume. The source states
 * none; its samples give them: water 1.00 g/mL (449 g shows 449 mL, 1079 g
 * shows 1079 mL) and milk 1.03 g/mL (449 g shows 436.0 mL of milk,
 * 1079 g shows 1048.0: 449 / 436 = 1.0298, 1079 / 1048 = 1.0296). The
 * frames carry only the displayed value, no grams alongside.
 */
#define ESN00_WATER_G_PER_ML 1.0
#define ESN00_MILK_G_PER_ML  1.03

/* What the plugin keeps per device; the parser itself needs nothing. */
typedef struct {
	guint frames;
} Esn00ParseState;

/* The descriptor's parse(): one weight reading per measurement frame,
 * nothing from the scale's other (valid) state frames. */
int esn00_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		LactdReading *out, gsize max_out, const char **reason);

/* Checks the framing (header, length, checksum); on success the type and
 * payload of the frame. */
gboolean esn00_frame_check(const guint8 *data, gsize len, guint8 *type, const guint8 **payload,
			   gsize *payload_len, const char **reason);

/* The low byte of the sum of type, length and payload. */
guint8 esn00_checksum(const guint8 *frame, gsize len_without_checksum);

/* One frame: header, type, length, payload, checksum. Returns its length,
 * or 0 if buf (of size buf_len) is too small. */
gsize esn00_build_frame(guint8 *buf, gsize buf_len, guint8 type, const guint8 *payload,
			gsize payload_len);

/* A displayed value (in tenths for g and mL, hundredths for oz-based
 * units) in grams; FALSE for an unknown unit code. */
gboolean esn00_value_to_grams(guint unit, gint32 value, double *grams);

/* A weight the parser accepts: finite and within LACTD_MAX_WEIGHT_G. */
gboolean esn00_grams_in_range(double grams);

/* Scale of the value a unit is sent in (10 or 100 per unit). */
guint esn00_unit_divisor(guint unit);

G_END_DECLS
