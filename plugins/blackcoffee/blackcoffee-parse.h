/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Blackcoffee.io scale: the host side's pure parser.
 *
 * Sources: Beanconqueror (graphefruit/Beanconqueror),
 * src/classes/devices/blackcoffeeScale.ts, for the GATT table, the names
 * and the layout; the Decent app REA (reaprime,
 * lib/src/models/device/impl/blackcoffee) reads the same bytes.
 *
 *   service 0xFFB0; 0xFFB2 notify (frames from the scale). The scale takes
 *   no documented command: no tare, no unit, no keep-alive, and it reports
 *   grams.
 *
 *   A frame is one notification of at least 15 bytes (Beanconqueror
 *   refuses shorter ones as malformed). Byte 2: bit 7 set means negative;
 *   its low nibble 1 means the weight is still (stable). The weight is the
 *   28 bits of byte 3's low nibble and bytes 4-6, big endian, in
 *   milligrams. Bytes 0-1 and from 7 on carry nothing lactd reads.
 *
 *   Neither source documents a frame start, a length field or a checksum
 *   (both were read again for this: Beanconqueror takes a notification of
 *   15 bytes or more, REA one of 7 or more, each as one frame), so a
 *   notification cannot be split into several frames nor joined with the
 *   next: each notification is taken as one frame, and one shorter than 15
 *   bytes is refused. A test shows both cases refused and counted.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define BLACKCOFFEE_SERVICE LACTD_UUID16("ffb0")
#define BLACKCOFFEE_NOTIFY  LACTD_UUID16("ffb2")

#define BLACKCOFFEE_MIN_LEN 15
#define BLACKCOFFEE_NEGATIVE 0x80
#define BLACKCOFFEE_STILL    0x01

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint64 frames; /* good frames */
} BlackcoffeeParseState;

/* The descriptor's parse(): a weight reading per notification, -1 with a
 * reason for one refused. Other characteristics give nothing. */
int blackcoffee_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		      LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
