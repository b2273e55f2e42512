/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hiroia Jimmy: the host side's pure parser.
 *
 * Sources: Beanconqueror (graphefruit/Beanconqueror,
 * src/classes/devices/jimmyScale.ts: the service and characteristics, the
 * name test, the mode byte, the weight bytes and their sign, the unit
 * toggle and tare commands) and the Decenza app
 * (src/ble/scales/hiroiascale.cpp: the same weight bytes read as a signed
 * 24-bit value, frames of at least 7 bytes, and no keep-alive needed).
 *
 *   service 06c31822-8682-4744-9211-febc93e3bece; ...1824 notify (status),
 *   ...1823 write (commands, two bytes each).
 *
 *   Status, at least 7 bytes: byte 0 the mode, bytes 4-6 the weight as a
 *   signed 24-bit little-endian value. A mode above 8 means the scale
 *   shows ounces and the value is in thousandths of an ounce (the mode is
 *   then the mode number plus 8); otherwise it is in tenths of a gram.
 *   Modes 1 to 6 are documented (scale only, timer, pour-over, three
 *   espresso modes); a mode byte above 16 is taken for a garbled frame.
 *   Bytes 1-3 hold the timer, which lactd does not read. There is no
 *   stability flag (LACTD_PLUGIN_FLAG_HOST_STABILITY) and no checksum.
 *
 *   Commands: 0B 00 toggles grams and ounces, 04 00 the mode, 05 00 the
 *   timer, 07 00 tares. The unit can only be toggled, so lactd converts
 *   ounces to grams and toggles the unit once per connection when a frame
 *   says ounces (hiroia.c); it never tares.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define HIROIA_SERVICE "06c31822-8682-4744-9211-febc93e3bece"
#define HIROIA_WRITE   "06c31823-8682-4744-9211-febc93e3bece"
#define HIROIA_NOTIFY  "06c31824-8682-4744-9211-febc93e3bece"

#define HIROIA_FRAME_MIN   7
#define HIROIA_MODE_OUNCES 8 /* a mode byte above this: ounces */
#define HIROIA_MODE_MAX	   16

#define HIROIA_CMD_MODE	 0x04
#define HIROIA_CMD_TIMER 0x05
#define HIROIA_CMD_TARE	 0x07
#define HIROIA_CMD_UNIT	 0x0b

#define HIROIA_GRAMS_PER_OUNCE 28.349523125

/* Per-device state the parser keeps (the plugin reads it). */
typedef struct {
	gboolean ounces;    /* the last good frame was in ounces */
	gboolean unit_sent; /* the plugin toggled the unit on this connection */
} HiroiaParseState;

/* The descriptor's parse(): one weight in grams (not stable: the host
 * decides) per status frame, -1 with a reason for one refused; other
 * characteristics give nothing. */
int hiroia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		 LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
