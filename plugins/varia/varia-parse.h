/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Varia AKU, AKU Mini and AKU Pro: the host side's pure parser.
 *
 * Sources: Beanconqueror (src/classes/devices/variaAku.ts: the service,
 * the characteristics, the weight's sign bit and its 0.01 g unit, the
 * tare and timer commands, written without response), the GaggiMate ESP32
 * scale library (lucianHymer/esp-arduino-ble-scales src/scales/varia.cpp
 * and varia.h: the frame types, their lengths, the XOR check and several
 * frames in one notification), and the Decenza app
 * (src/ble/scales/variaakuscale.cpp: the name patterns).
 *
 *   service 0xFFF0; 0xFFF1 notify (frames from the scale), 0xFFF2 write
 *   without response (commands).
 *
 *   Every frame: FA | type | n | n bytes of data | XOR of type, n and the
 *   data. One notification may carry several frames back to back.
 *
 *   Weight, type 0x01, n 3: w1 w2 w3; bit 4 of w1 is the sign, its low
 *   nibble and w2, w3 a 20-bit big-endian weight in 0.01 g. The scale sends
 *   no stability flag: lactd decides (LACTD_PLUGIN_FLAG_HOST_STABILITY).
 *   Battery, type 0x85, n 1: percent. Timer, type 0x87, n 2: seconds,
 *   big-endian. Timer started/stopped/reset (0x88, 0x89, 0x8A) and tare
 *   (0x82) echoes, n 1.
 *
 *   Commands: FA 82 01 01 XOR tares; lactd sends none (a bottle may
 *   already stand on the scale), and the scale streams weights once
 *   notifications are on. The AKU always reports grams.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define VARIA_SERVICE LACTD_UUID16("fff0")
#define VARIA_NOTIFY  LACTD_UUID16("fff1")
#define VARIA_WRITE   LACTD_UUID16("fff2")

#define VARIA_HEADER	  0xfa
#define VARIA_WEIGHT	  0x01
#define VARIA_TARE	  0x82
#define VARIA_BATTERY	  0x85
#define VARIA_TIMER	  0x87
#define VARIA_TIMER_START 0x88
#define VARIA_TIMER_STOP  0x89
#define VARIA_TIMER_RESET 0x8a

#define VARIA_SIGN_BIT	  0x10
#define VARIA_MAX_RAW	  0xfffff

/* The check byte: XOR of @len bytes. */
guint8 varia_xor(const guint8 *data, gsize len);

/*
 * varia_parse:
 * Splits a notification into frames and checks each. Readings: the last
 * weight of the notification (not stable: the host decides) and the
 * battery when one came. A notification with any bad frame is refused
 * whole: what follows a bad frame cannot be found again.
 */
int varia_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		LactdReading *out, gsize max_out, const char **reason);

G_END_DECLS
