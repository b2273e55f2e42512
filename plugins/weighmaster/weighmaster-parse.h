/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * WeighMaster ECS-02 and MantaBrew scales: the host side's pure parser.
 *
 * Source: Beanconqueror (graphefruit/Beanconqueror),
 * src/classes/devices/weighMasterScale.ts, whose header comment documents
 * the GATT table and the frame with two examples.
 *
 *   service 0xFFF0 (the Decent Scale's and the Varia's too: the device
 *   name tells them apart); 0xFFF4 notify (frames from the scale), 0xFFF1
 *   write-without-response (commands: tare 02, buzzer 05 00, timer
 *   52 0B nn 00 00 00 00; lactd writes none of them).
 *
 *   Every frame is 7 bytes: 01 02 00 | status | weight (24 bits, big
 *   endian, unsigned, 0.1 g). Status bit 7: stable; bit 4: negative;
 *   bit 3: calibration in progress; bit 2: calibration succeeded. The
 *   frame has no checksum, so the fixed header is all that resynchronises
 *   a stream: bytes before a header are refused, and the parser keeps a
 *   frame split across notifications until its 7 bytes are in, and splits
 *   notifications that carry several frames.
 *
 *   Examples (Beanconqueror): 01 02 00 80 00 03 E8 is +100.0 g stable,
 *   01 02 00 90 00 03 E8 is -100.0 g stable.
 *
 *   The scale has no unit setting documented and reports grams; it needs
 *   no keep-alive.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define WEIGHMASTER_SERVICE LACTD_UUID16("fff0")
#define WEIGHMASTER_NOTIFY  LACTD_UUID16("fff4")
#define WEIGHMASTER_WRITE   LACTD_UUID16("fff1")

#define WEIGHMASTER_FRAME_LEN 7

#define WEIGHMASTER_STABLE	(1u << 7)
#define WEIGHMASTER_NEGATIVE	(1u << 4)
#define WEIGHMASTER_CALIBRATING (1u << 3)
#define WEIGHMASTER_CAL_DONE	(1u << 2)

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint8 buf[WEIGHMASTER_FRAME_LEN]; /* a frame not yet complete */
	gsize len;
	guint64 frames;		 /* good frames */
	const char *late_reason; /* a refusal in a notification that also gave readings */
} WeighmasterParseState;

/* The descriptor's parse(): a weight reading per complete weight frame
 * (none while the scale calibrates); -1 with a reason when nothing came
 * out and something was refused. A refusal after readings of the same
 * notification is left in state->late_reason for the plugin to count.
 * Other characteristics give nothing. */
int weighmaster_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		      LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
