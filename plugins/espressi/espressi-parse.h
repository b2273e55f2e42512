/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * EspressiScale: the host side's pure parser.
 *
 * Source: Beanconqueror (graphefruit/Beanconqueror),
 * src/classes/devices/espressiScale.ts. The scale speaks the Decent
 * Scale's frame format (plugins/decent/decent-parse.h) on the Decent
 * Scale's GATT table, so only its advertised name ("EspressiScale...",
 * which Beanconqueror matches at the start, ignoring case) tells it apart.
 *
 *   service 0xFFF0; 0xFFF4 notify (frames from the scale), 0x36F5 write
 *   (commands: tare 03 0F FD nn 00 01 xor, timer 03 0B nn 00 00 00 xor;
 *   lactd writes none of them).
 *
 *   Every frame is 7 bytes: 03 | type | four data bytes | XOR of the six
 *   bytes before it. Type 0xCE is a stable weight, 0xCA a changing one: a
 *   signed 16-bit big-endian weight in 0.1 g at bytes 2-3. Type 0xAA is a
 *   button (byte 2: 01 tare, 02 timer). Any other type is refused.
 *
 *   The fixed first byte and the checksum resynchronise a stream: the
 *   parser keeps a frame split across notifications until its 7 bytes are
 *   in, splits notifications that carry several, and refuses bytes before
 *   a frame start. No unit setting and no keep-alive are documented; the
 *   scale reports grams.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define ESPRESSI_SERVICE LACTD_UUID16("fff0")
#define ESPRESSI_NOTIFY	 LACTD_UUID16("fff4")
#define ESPRESSI_WRITE	 LACTD_UUID16("36f5")

#define ESPRESSI_FRAME_LEN 7
#define ESPRESSI_HEADER	   0x03

#define ESPRESSI_WEIGHT_STABLE	 0xce
#define ESPRESSI_WEIGHT_CHANGING 0xca
#define ESPRESSI_BUTTON		 0xaa

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint8 buf[ESPRESSI_FRAME_LEN]; /* a frame not yet complete */
	gsize len;
	guint64 frames;		 /* good frames */
	const char *late_reason; /* a refusal in a notification that also gave readings */
} EspressiParseState;

/* The descriptor's parse(): a weight reading per complete weight frame;
 * -1 with a reason when nothing came out and something was refused. A
 * refusal after readings of the same notification is left in
 * state->late_reason for the plugin to count. */
int espressi_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		   LactdReading *out, gsize max_out, const char **reason);

/* XOR of the first len bytes. */
guint8 espressi_xor(const guint8 *data, gsize len);

G_END_DECLS
