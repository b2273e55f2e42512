/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timemore Basic 3 and Dot: the host side's pure parser and commands.
 *
 * Sources: Beanconqueror (graphefruit/Beanconqueror,
 * src/classes/devices/timemoreBasicScale.ts and timemoreDotScale.ts: the
 * frame, its CRC, the weight and battery frames, the commands and that
 * they are written without response).
 *
 *   service 0xFFF0; 0xFFF1 notify (frames), 0xFFF2 write without response
 *   (commands).
 *
 *   Frame: A5 5A | opcode | command | data length (16 bits, big-endian) |
 *   data | CRC-16 (the Modbus/IBM reflected CRC: polynomial 0xA001
 *   reflected, initial 0xFFFF) over every byte before it, big-endian.
 *   From the scale, opcode 01 or 02:
 *     command 01: weight, flow, time; data 8 bytes or more, the weight a
 *                 signed 32-bit big-endian count of 0.1 g at data 0-3;
 *     command 05: battery; data 2 bytes or more, percent at data 1.
 *   To the scale, opcode 03: 06 [00] sets grams, 08 [01 00] the standard
 *   mode, 0D tares, 02 [n] the timer.
 *
 * The scale sends no stable flag (LACTD_PLUGIN_FLAG_HOST_STABILITY); the
 * Dot sends nothing until the link is encrypted
 * (LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION).
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define TMBASIC_SERVICE LACTD_UUID16("fff0")
#define TMBASIC_NOTIFY	LACTD_UUID16("fff1")
#define TMBASIC_WRITE	LACTD_UUID16("fff2")

#define TMBASIC_DATA_MAX    32 /* longest data taken; the scale's are 8 at most */
#define TMBASIC_FRAME_MAX   (8 + TMBASIC_DATA_MAX)
#define TMBASIC_NOTIFY_MAX  244
#define TMBASIC_REJECTS_MAX 4

#define TMBASIC_OP_REPORT  0x01
#define TMBASIC_OP_REPLY   0x02
#define TMBASIC_OP_COMMAND 0x03
#define TMBASIC_WEIGHT	   0x01
#define TMBASIC_BATTERY	   0x05
#define TMBASIC_SET_UNIT   0x06
#define TMBASIC_SET_MODE   0x08
#define TMBASIC_TARE	   0x0d

typedef struct {
	guint8 buf[TMBASIC_FRAME_MAX];
	gsize have;
	guint64 frames;
	guint n_rejects;
	const char *rejects[TMBASIC_REJECTS_MAX];
} TmbasicParseState;

/* The descriptor's parse(): bytes from FFF1, reassembled or split into
 * frames; a weight (grams) per weight frame, a battery reading per battery
 * frame. Returns the readings, or -1 with the first refusal's reason when
 * the call refused frames and produced none; every refusal of the call is
 * in state->rejects. Other characteristics give nothing. */
int tmbasic_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		  LactdReading *out, gsize max_out, const char **reason);

guint16 tmbasic_crc16(const guint8 *data, gsize len);

/* A frame; returns its length, 0 if data is over TMBASIC_DATA_MAX. */
gsize tmbasic_build(guint8 buf[TMBASIC_FRAME_MAX], guint8 opcode, guint8 command,
		    const guint8 *data, gsize len);

G_END_DECLS
