/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decent Scale and Half Decent Scale: the host side's pure parser and the
 * commands the host writes.
 *
 * Sources: Decent's own API pages (decentespresso.com/decentscale_api and
 * its "Programmers guide to the Half Decent Scale"), and Decent's open
 * firmware for the Half Decent Scale, decentespresso/openscale (ble.h: the
 * GATT table, the frames it notifies and the commands it takes;
 * docs/AI_PROTOCOL_NOTES.md: the 03 0A reply's layout). The changing-weight
 * frame type 0xCA beside the stable 0xCE is Decent's API page's, as
 * summarised in Tyler Swensen's "Decent Scale Bluetooth Protocol
 * Documentation".
 *
 *   service 0xFFF0; 0xFFF4 read/notify (frames from the scale), 0x36F5
 *   write (commands).
 *
 *   Every frame: 03 (the model byte) | type | data | XOR of all bytes
 *   before it (10-byte weight frames also with the XOR Decent's examples
 *   show, without the timestamp). Commands and most frames are 7 bytes.
 *
 *   Weight, type 0xCE (stable) or 0xCA (changing): a signed 16-bit
 *   big-endian weight in 0.1 g at bytes 2-3. Firmware v1.0 and v1.1 send 7
 *   bytes (bytes 4-5 unused); v1.2 and later 10 bytes, with a timestamp
 *   (minutes, seconds, sub-second) at bytes 4-6 and bytes 7-8 unused.
 *   The Half Decent Scale's firmware sends 0xCE for every weight, settled
 *   or not, so a weight is only called stable here once DECENT_STABLE_COUNT
 *   stable frames in a row carried the same value.
 *
 *   Other frames from the scale: 0xAA button (byte 2 the button, 1 or 2;
 *   byte 3 the press: 0 release, 1 short, 2 long); 0x0A the reply to LED
 *   on and to the heartbeat (weight at bytes 2-3, battery at byte 4: a
 *   percent, above 100 when on USB power; firmware at byte 5); the Half
 *   Decent Scale's 0x21 gyro, 0x22 battery voltage and 0x2A power-off
 *   notices.
 *
 *   Commands: LED on 03 0A 01 01 00 01 08 (the last data byte 01 keeps the
 *   heartbeat requirement, 00 switches it off), tare 03 0F 00 00 00 01 0D,
 *   heartbeat 03 0A 03 FF FF 00 0A, which a Half Decent Scale needs at
 *   least every 5 s or it drops the link. The scale sends no weight until
 *   some command has been written.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define DECENT_SERVICE LACTD_UUID16("fff0")
#define DECENT_NOTIFY  LACTD_UUID16("fff4")
#define DECENT_WRITE   LACTD_UUID16("36f5")

#define DECENT_MODEL 0x03
#define DECENT_FRAME_LEN 7
#define DECENT_WEIGHT_TS_LEN 10

#define DECENT_WEIGHT_STABLE   0xce
#define DECENT_WEIGHT_CHANGING 0xca
#define DECENT_BUTTON	       0xaa
#define DECENT_LED	       0x0a
#define DECENT_TIMER	       0x0b
#define DECENT_TARE	       0x0f
#define DECENT_GYRO	       0x21
#define DECENT_VOLTAGE	       0x22
#define DECENT_POWER_OFF       0x2a

/* Identical stable frames in a row before a weight counts as settled: the
 * scale sends ten a second, so 0.3 s without movement. */
#define DECENT_STABLE_COUNT 3
/* Decent asks for a heartbeat at least every 5 s; every 2 s leaves room
 * for a write delayed by the radio. */
#define DECENT_HEARTBEAT_MS 2000
#define DECENT_HEARTBEAT_TIMEOUT_MS 5000

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint64 frames;	  /* good frames */
	gboolean have_last;
	gint16 last_raw;  /* the last weight, in 0.1 g */
	guint same;	  /* stable frames in a row with that value */
} DecentParseState;

/* The descriptor's parse(): a weight reading per weight frame, a battery
 * reading from the 0x0A reply on battery, nothing from the other frames,
 * -1 for anything malformed or unknown. Other characteristics give
 * nothing. */
int decent_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		 LactdReading *out, gsize max_out, const char **reason);

/* XOR of the first len bytes. */
guint8 decent_xor(const guint8 *data, gsize len);

/* A 7-byte frame: the model byte, type, four data bytes, the XOR. */
void decent_build(guint8 buf[DECENT_FRAME_LEN], guint8 type, guint8 d0, guint8 d1, guint8 d2,
		  guint8 d3);

/* Commands. heartbeat: whether the scale should require the heartbeat. */
void decent_build_led_on(guint8 buf[DECENT_FRAME_LEN], gboolean heartbeat);
void decent_build_tare(guint8 buf[DECENT_FRAME_LEN], gboolean heartbeat);
void decent_build_heartbeat(guint8 buf[DECENT_FRAME_LEN]);

/* Whether a write is the heartbeat command. */
gboolean decent_is_heartbeat(const guint8 *data, gsize len);

/* A weight the parser accepts: finite and within LACTD_MAX_WEIGHT_G. */
gboolean decent_grams_in_range(double grams);

G_END_DECLS
