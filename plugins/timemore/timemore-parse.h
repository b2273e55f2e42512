/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timemore Black Mirror family (Basic, Basic+, Nano, Mini): the host
 * side's pure parser.
 *
 * Sources: the GaggiMate ESP32 scale library
 * (gaggimate/esp-arduino-ble-scales src/scales/timemore.cpp: the frame
 * layout with its annotated example, the notification request and the
 * two-second heartbeat, the command characteristic), Beanconqueror
 * (src/classes/devices/timemoreScale.ts: the name, the SIG service and
 * characteristic it reuses, the tare and timer commands) and the Decenza
 * app (src/ble/scales/scalefactory.cpp: the name pattern).
 *
 *   service 0x181D (the SIG Weight Scale service); 0x2A9D (the SIG Weight
 *   Measurement characteristic) indicates Timemore's own frames and takes
 *   the heartbeat; 553f4e49-bf21-4468-9c6c-0e4fb5b17697 takes commands.
 *
 *   Weight frame, 9 bytes: 0x10 | dripper weight, signed 32-bit little
 *   endian in 0.1 g | scale weight, the same. 0x10 sets bit 4 of what
 *   would be the SIG flags, a reserved bit: the SIG Weight Scale plugin
 *   (wss) refuses these frames, and this plugin wins the match by name.
 *   The scale weight (bytes 5-8) is the reading; the scale sends no
 *   stability flag (LACTD_PLUGIN_FLAG_HOST_STABILITY) and always grams.
 *
 *   Host to scale: 02 00 on 0x2A9D asks for weight frames, 00 on 0x2A9D
 *   every 2 s keeps them coming; on the command characteristic 00 tares
 *   and 08, 09, 0A start, stop and reset the timer.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define TIMEMORE_SERVICE LACTD_UUID16("181d")
#define TIMEMORE_WEIGHT	 LACTD_UUID16("2a9d")
#define TIMEMORE_COMMAND "553f4e49-bf21-4468-9c6c-0e4fb5b17697"

#define TIMEMORE_FRAME_WEIGHT 0x10
#define TIMEMORE_FRAME_LEN    9
#define TIMEMORE_HEARTBEAT_MS 2000

#define TIMEMORE_CMD_TARE 0x00

/* The weights of a frame, in grams. */
typedef struct {
	double dripper_g;
	double scale_g;
} TimemoreFrame;

/* FALSE with *reason when the frame is malformed or out of range. */
gboolean timemore_decode(const guint8 *data, gsize len, TimemoreFrame *f, const char **reason);
/* One WEIGHT reading (not stable: the host decides) per frame. */
int timemore_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		   LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
