/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Acaia scales (Pearl, Lunar, Pyxis, Cinco...): the host side's pure parser
 * and the commands the host writes.
 *
 * Sources, all public reverse engineering: lucapinello/pyacaia
 * (pyacaia/__init__.py: framing, checksum, identify, notification request,
 * heartbeat, weight decoding, both generations' UUIDs),
 * graphefruit/Beanconqueror (src/classes/devices/acaia: decoder.ts for the
 * status message and its battery byte, constants.ts for the UUIDs),
 * decentespresso/de1app (de1plus/bluetooth.tcl: a 32-bit weight and the
 * identify and notification request bytes with their checksums written
 * out: 0B 30..34 9A 6D, 0C 09 00 01 01 02 02 01 03 04 11 06).
 *
 * Two generations:
 *   older: service 0x1820, one characteristic 0x2a80 for notify and write;
 *   newer: service 49535343-fe7d-..., write 49535343-8841-...,
 *          notify 49535343-1e4d-... (a Microchip transparent UART service).
 *
 * Frame: EF DD | type | payload | ck1 ck2, where ck1 is the sum of the
 * payload's even-indexed bytes and ck2 of its odd-indexed bytes, each mod
 * 256. In what the scale sends, payload[0] is the payload's own length
 * (counting itself), so a frame is payload[0] + 5 bytes.
 *
 * From the scale: type 0x0C event (payload[1] the event type: 5 weight,
 * 6 battery, 7 timer, 8 key, 11 acknowledgement), 0x08 status (payload[1]
 * battery percent in its low 7 bits, payload[2] display unit), 0x07 info.
 * Weight event data: value u32 little-endian, then the number of decimals
 * (1 to 4), then flags with bit 1 set for a negative value. The value is
 * grams whatever the display shows (every source reads it so).
 *
 * No source documents a settled flag in the weight event, so the parser
 * calls a weight stable once ACAIA_STABLE_COUNT events in a row carried the
 * same value (the scale sends several a second).
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define ACAIA_OLD_SERVICE LACTD_UUID16("1820")
#define ACAIA_OLD_CHAR	  LACTD_UUID16("2a80")
#define ACAIA_NEW_SERVICE "49535343-fe7d-4ae5-8fa9-9fafd205e455"
#define ACAIA_NEW_WRITE	  "49535343-8841-43f4-a8d4-ecbe34729bb3"
#define ACAIA_NEW_NOTIFY  "49535343-1e4d-4bd9-ba61-23c647249616"

#define ACAIA_MSG_HEARTBEAT 0x00
#define ACAIA_MSG_TARE	    0x04
#define ACAIA_MSG_INFO	    0x07
#define ACAIA_MSG_STATUS    0x08
#define ACAIA_MSG_IDENTIFY  0x0b
#define ACAIA_MSG_EVENT	    0x0c

#define ACAIA_EVENT_WEIGHT  5
#define ACAIA_EVENT_BATTERY 6
#define ACAIA_EVENT_TIMER   7
#define ACAIA_EVENT_KEY	    8
#define ACAIA_EVENT_ACK	    11

/* Longest frame kept for reassembly; longer ones are refused. */
#define ACAIA_BUF_MAX 64
#define ACAIA_STABLE_COUNT 5
#define ACAIA_REASONS_MAX 8
/* Heartbeats: pyacaia sends one every 5 s, Beanconqueror every 1 s. */
#define ACAIA_HEARTBEAT_MS 2000

/* Per-device state the parser keeps between notifications. */
typedef struct {
	guint8 buf[ACAIA_BUF_MAX];
	gsize buf_len;
	guint64 frames;	   /* good frames */
	guint64 refused;   /* frames refused */
	guint64 discarded; /* bytes dropped: outside any frame, or beyond the buffer */
	/* Why each frame of the last call was refused, in order (the last slot
	 * repeats when more were); call_refused counts them all. */
	const char *call_reasons[ACAIA_REASONS_MAX];
	guint call_refused;
	gboolean have_weight;
	double last_grams;
	guint same_count;
} AcaiaParseState;

/* The descriptor's parse(): bytes of a notification, reassembled across
 * notifications; one weight reading per weight event, a battery reading
 * per status message. Returns -1 only when this call refused something and
 * produced no reading; st->refused counts every refused frame. */
int acaia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		LactdReading *out, gsize max_out, const char **reason);

/* Sums of the even- and odd-indexed bytes, each mod 256. */
void acaia_checksum(const guint8 *payload, gsize len, guint8 *ck1, guint8 *ck2);
/* A frame: header, type, payload, checksums. Returns its length, 0 if buf is
 * too small. */
gsize acaia_build(guint8 *buf, gsize buf_len, guint8 type, const guint8 *payload, gsize len);
/* The host's handshake and heartbeat (pyacaia encodeId, encodeNotificationRequest,
 * encodeHeartbeat); the newer scales take a different identify payload. */
gsize acaia_build_identify(guint8 buf[20], gboolean newer);
gsize acaia_build_notification_request(guint8 buf[14]);
gsize acaia_build_heartbeat(guint8 buf[7]);
/* Checks one frame the host wrote (one write is one whole frame). */
gboolean acaia_check_command(const guint8 *data, gsize len, guint8 *type, const guint8 **payload,
			     gsize *payload_len, const char **reason);

G_END_DECLS
