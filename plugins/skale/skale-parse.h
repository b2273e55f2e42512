/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Atomax Skale 2: the host side's pure parser.
 *
 * Sources: Beanconqueror (graphefruit/Beanconqueror,
 * src/classes/devices/skale.ts: the service and characteristics, the name
 * test, the weight at bytes 1-2 in tenths of a gram, the LED, display and
 * grams commands sent on connection), the Decenza app
 * (src/ble/scales/skalescaleprotocol.h: the frame as the Atomax SDK reads
 * it, a signed 24-bit mantissa and an exponent, after decentespresso/decaid
 * issue 712), and pyDE1 (the command codes, grams 03 and ounces 02).
 *
 *   service 0xFF08; 0xEF81 notify (weight), 0xEF80 write (one-byte
 *   commands), 0xEF82 notify (buttons, not used).
 *
 *   Weight frame, at least 5 bytes: byte 0 flags (undescribed), bytes 1-3
 *   a signed 24-bit little-endian mantissa, byte 4 a signed exponent:
 *   grams = mantissa x 10^exponent. Every Skale seen sends exponent -1
 *   (0xFF), which is why the older readers take bytes 1-2 as tenths of a
 *   gram; the exponent is honoured here, within -4 to +2 (anything else is
 *   taken for a garbled frame). pyDE1 reads a second value after byte 4,
 *   so longer frames are accepted and the rest ignored. No stability flag
 *   (LACTD_PLUGIN_FLAG_HOST_STABILITY), no checksum.
 *
 *   Commands: ED display on, EE off, EC show the current weight, 03 grams,
 *   02 ounces, 10 tare. lactd writes ED, EC and 03 on connection, so that
 *   the display shows grams; no source says that the weight frame changes
 *   with the display's unit, so a frame is always grams. No tare.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define SKALE_SERVICE LACTD_UUID16("ff08")
#define SKALE_WRITE   LACTD_UUID16("ef80")
#define SKALE_NOTIFY  LACTD_UUID16("ef81")
#define SKALE_BUTTON  LACTD_UUID16("ef82")

#define SKALE_FRAME_MIN 5
#define SKALE_EXP_MIN	(-4)
#define SKALE_EXP_MAX	2

#define SKALE_CMD_OUNCES     0x02
#define SKALE_CMD_GRAMS	     0x03
#define SKALE_CMD_TARE	     0x10
#define SKALE_CMD_WEIGHT     0xec
#define SKALE_CMD_DISPLAY_ON 0xed
#define SKALE_CMD_DISPLAY_OFF 0xee

/* The descriptor's parse(): one weight (not stable: the host decides) per
 * weight frame, -1 with a reason for one refused; other characteristics
 * give nothing. */
int skale_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
