/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DiFluid Microbalance: the host side's pure parser and the commands the
 * host writes.
 *
 * Source: DiFluid's own protocol document, DiFluid/difluid-sdk-demo
 * docs/protocolMicrobalance.md (version 1.0.0, firmware 3.0.0 and later),
 * with the GATT table as Beanconqueror (graphefruit/Beanconqueror,
 * src/classes/devices/difluidMicrobalance.ts) uses it.
 *
 *   service 0x00EE; 0x00AA01 notify and write (frames both ways).
 *
 *   Every frame: DF DF | func | cmd | data length | data | sum of all the
 *   bytes before it, modulo 256. A command and its reply have the same
 *   func and cmd.
 *
 *   func 3 cmd 0, 13 data bytes: sensor data. Weight, signed 32 bits big
 *   endian, in 0.1 g when the unit byte (data 12) is 0, in 0.001 oz when it
 *   is 1; unit 2 ("gering", 0.1 of a unit the document does not define)
 *   is refused rather than guessed. Flow rate (0.1 g/s, 16 bits), timer
 *   (s, 16 bits), device tick (32 bits) follow. The scale sends these by
 *   itself once "auto send" is on (func 1 cmd 0, data 01). No stable flag:
 *   lactd decides stability (LACTD_PLUGIN_FLAG_HOST_STABILITY).
 *   func 3 cmd 5, 8 data bytes: device status; data 1 the battery percent.
 *   func 1: settings replies; func 0: device information; func 3 cmds 1-4:
 *   button replies. None of them carries a reading.
 *
 *   Document example: DF DF 03 00 0D 00 00 02 F8 00 00 00 00 00 0A 27 B0
 *   00 A9 is 76.0 g.
 *
 *   Commands lactd writes: unit grams DF DF 01 04 01 00 C4, auto send on
 *   DF DF 01 00 01 01 C1, device status DF DF 03 05 00 C6. No keep-alive is
 *   documented.
 *
 *   A notification may end inside a frame or carry several: the parser
 *   keeps the partial frame and splits packed ones, resynchronising on
 *   DF DF.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define DIFLUID_SERVICE LACTD_UUID16("00ee")
#define DIFLUID_CHAR	LACTD_UUID16("aa01")

#define DIFLUID_MAGIC	    0xdf
#define DIFLUID_HEAD_LEN    5 /* DF DF func cmd len */
#define DIFLUID_MAX_DATA    32
#define DIFLUID_MAX_FRAME   (DIFLUID_HEAD_LEN + DIFLUID_MAX_DATA + 1)
#define DIFLUID_SENSOR_DATA 13
#define DIFLUID_STATUS_DATA 8

#define DIFLUID_FUNC_INFO     0
#define DIFLUID_FUNC_SETTINGS 1
#define DIFLUID_FUNC_DATA     3
#define DIFLUID_CMD_SENSOR    0
#define DIFLUID_CMD_STATUS    5
#define DIFLUID_SET_AUTO_SEND 0
#define DIFLUID_SET_UNIT      4

#define DIFLUID_UNIT_GRAM  0
#define DIFLUID_UNIT_OUNCE 1
#define DIFLUID_UNIT_OTHER 2

#define DIFLUID_GRAMS_PER_OUNCE 28.349523125

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint8 buf[DIFLUID_MAX_FRAME]; /* a frame not yet complete */
	gsize len;
	guint64 frames;		 /* good frames */
	guint64 other_unit;	 /* weight frames not in grams */
	const char *late_reason; /* a refusal in a notification that also gave readings */
} DifluidParseState;

/* The descriptor's parse(): a weight reading per sensor-data frame (in
 * grams, whatever the scale's unit), a battery reading per status frame;
 * -1 with a reason when nothing came out and something was refused. A
 * refusal after readings of the same notification is left in
 * state->late_reason for the plugin to count. */
int difluid_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		  LactdReading *out, gsize max_out, const char **reason);

/* Sum of the first len bytes, modulo 256. */
guint8 difluid_sum(const guint8 *data, gsize len);

/* A frame with its checksum; returns its length. */
gsize difluid_build(guint8 buf[DIFLUID_MAX_FRAME], guint8 func, guint8 cmd, const guint8 *data,
		    guint8 data_len);

/* Commands: returns the length written to buf. */
gsize difluid_build_unit_grams(guint8 buf[DIFLUID_MAX_FRAME]);
gsize difluid_build_auto_send(guint8 buf[DIFLUID_MAX_FRAME], gboolean on);
gsize difluid_build_status_request(guint8 buf[DIFLUID_MAX_FRAME]);

G_END_DECLS
