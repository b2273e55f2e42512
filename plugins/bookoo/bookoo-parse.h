/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bookoo Themis scales (Themis Mini, Themis Ultra): the host side's pure
 * parser and the commands the host may write.
 *
 * Source: Bookoo's published protocol, BooKooCode/OpenSource on GitHub
 * (bookoo_mini_scale/protocols.md and bookoo_ultra_scale/protocols.md, the
 * "Transmission protocol" of each Themis). Where it leaves a value open,
 * Tyler Swensen's sniffed "Bookoo Mini Scale Bluetooth Protocol
 * Documentation" fills it in (a 00 sign byte on positive weights).
 *
 *   service 0x0FFE; 0xFF11 notify (frames from the scale), 0xFF12 write
 *   (commands).
 *
 *   Frames from the scale, 20 bytes: 03 (product number) | type |
 *   17 data bytes | XOR of the 19 bytes before it.
 *   Type 0x0B, weight: timer milliseconds (u24 big-endian), unit (Ultra:
 *   01 gram, 02 ounce; the weight is grams whatever it shows), weight sign
 *   ('+' or '-'), weight x 100 (u24), flow sign, flow rate x 100 (u16),
 *   battery percent, standby time (u16), buzzer level, flow smoothing
 *   (0/1), 00.
 *   Type 0x0F, powder weight, and 0x0D, automatic-mode event (Ultra
 *   firmware V3.2.4 and later).
 *
 *   Commands, 6 bytes: 03 0A | command | two data bytes | XOR; 01 tare,
 *   04/05/06 timer start/stop/reset, 07 tare and start.
 *
 * The frame has no settled flag: a weight is called stable once
 * BOOKOO_STABLE_COUNT frames in a row carried the same value.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define BOOKOO_SERVICE LACTD_UUID16("0ffe")
#define BOOKOO_NOTIFY  LACTD_UUID16("ff11")
#define BOOKOO_WRITE   LACTD_UUID16("ff12")

#define BOOKOO_PRODUCT	 0x03
#define BOOKOO_FRAME_LEN 20
#define BOOKOO_CMD_LEN	 6

#define BOOKOO_WEIGHT 0x0b
#define BOOKOO_POWDER 0x0f
#define BOOKOO_EVENT  0x0d
#define BOOKOO_COMMAND 0x0a

#define BOOKOO_CMD_TARE		  0x01
#define BOOKOO_CMD_TIMER_START	  0x04
#define BOOKOO_CMD_TIMER_STOP	  0x05
#define BOOKOO_CMD_TIMER_RESET	  0x06
#define BOOKOO_CMD_TARE_AND_START 0x07

#define BOOKOO_PLUS  0x2b /* '+' */
#define BOOKOO_MINUS 0x2d /* '-' */

/* Identical weights in a row before one counts as settled. */
#define BOOKOO_STABLE_COUNT 5

/* One weight frame, decoded. */
typedef struct {
	guint32 timer_ms;
	guint8 unit;
	double grams;
	double flow_g_s;
	guint8 battery;
	guint16 standby;
	guint8 buzzer;
	guint8 smoothing;
} BookooWeight;

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint64 frames; /* good frames */
	gboolean have_last;
	gint32 last_raw; /* the last weight, signed, in 0.01 g */
	guint same;	 /* frames in a row with that value */
} BookooParseState;

/* The descriptor's parse(): from a weight frame a weight reading and a
 * battery reading; nothing from the other known frames; -1 for anything
 * malformed or unknown. Other characteristics give nothing. */
int bookoo_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		 LactdReading *out, gsize max_out, const char **reason);

/* Checks and decodes a weight frame (no settling, no state). */
gboolean bookoo_decode_weight(const guint8 *data, gsize len, BookooWeight *w,
			      const char **reason);

guint8 bookoo_xor(const guint8 *data, gsize len);

/* A command: 03 0A cmd d1 d2 XOR. */
void bookoo_build_command(guint8 buf[BOOKOO_CMD_LEN], guint8 cmd, guint8 d1, guint8 d2);

/* A weight the parser accepts: finite and within LACTD_MAX_WEIGHT_G. */
gboolean bookoo_grams_in_range(double grams);

G_END_DECLS
