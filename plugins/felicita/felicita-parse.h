/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Felicita Arc, Parallel and Incline: the host side's pure parser.
 *
 * Sources: Beanconqueror (graphefruit/Beanconqueror,
 * src/classes/devices/felicitaScale.ts, felicita/constants.ts and
 * felicita/felicita-readme.md, which gives a sample frame) and the Decenza
 * app (Kulitorum/Decenza, src/ble/scales/felicitascale.cpp: the header
 * bytes, the sign and the battery formula of de1app).
 *
 *   service 0xFFE0; 0xFFE1 notify (frames) and write (one-byte commands).
 *
 *   Frame, 18 bytes:
 *     0-1   01 02
 *     2     sign, '+' or '-'
 *     3-8   six ASCII digits, the displayed value in hundredths
 *     9-10  unit, " g" or "oz"
 *     11-14 not documented
 *     15    battery, 129 (empty) to 158 (full)
 *     16-17 0D 0A
 *   Commands: 0x54 'T' tare, 0x55 'U' toggles g/oz, 0x44 precision, 0x52,
 *   0x53, 0x43 timer. There is no "grams" command, only the toggle.
 *
 * The scale sends no stable flag: the host computes stability
 * (LACTD_PLUGIN_FLAG_HOST_STABILITY). In oz the six digits are read as
 * hundredths of an ounce, as both sources read them, and converted.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define FELICITA_SERVICE LACTD_UUID16("ffe0")
#define FELICITA_CHAR	 LACTD_UUID16("ffe1")

#define FELICITA_FRAME_LEN   18
#define FELICITA_NOTIFY_MAX  64 /* longest notification taken (3 frames and a part) */
#define FELICITA_BATTERY_MIN 129
#define FELICITA_BATTERY_MAX 158
#define FELICITA_CMD_TARE    0x54
#define FELICITA_CMD_UNIT    0x55
#define FELICITA_REJECTS_MAX 4
#define LACTD_GRAMS_PER_OZ   28.349523125

/* Per-device state: the part of a frame not yet complete, and the frames
 * refused by the last call (a notification may carry good and bad ones). */
typedef struct {
	guint8 buf[FELICITA_FRAME_LEN];
	gsize have;
	guint64 frames;
	gboolean oz; /* the last good frame was in ounces */
	guint n_rejects;
	const char *rejects[FELICITA_REJECTS_MAX];
} FelicitaParseState;

/* The descriptor's parse(): bytes from FFE1, reassembled or split into
 * frames; a weight (grams) and a battery reading per good frame. Returns
 * the readings, or -1 with the first refusal's reason when the call
 * refused frames and produced none; every refusal of the call is listed in
 * state->rejects. Other characteristics give nothing. */
int felicita_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		   LactdReading *out, gsize max_out, const char **reason);

/* Battery byte to percent, clamped to 0..100. */
guint felicita_battery_percent(guint8 raw);

G_END_DECLS
