/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Eureka Precisa (and the Solo Barista, the same protocol): the host
 * side's pure parser and the commands the host writes.
 *
 * Sources: Beanconqueror (src/classes/devices/eurekaPrecisaScale.ts: the
 * advertised name CFS-9002, the service and characteristics, the weight
 * bytes, the commands and the unit command's codes), the GaggiMate ESP32
 * scale library (gaggimate/esp-arduino-ble-scales src/scales/eureka.cpp:
 * 11-byte frames, the sign byte) and the Decenza app
 * (src/ble/scales/eurekaprecisascale.cpp: the frame header and fields as
 * de1app reads them, the grams command sent on connection, FFF2 taking
 * only writes without response; scalefactory.cpp: the name patterns).
 *
 *   service 0xFFF0; 0xFFF1 notify (status frames), 0xFFF2 write without
 *   response (commands).
 *
 *   Status frame: AA 09 41 | timer running | timer, 16-bit little endian
 *   | sign (1: negative) | weight, 16-bit little endian in 0.1 units |
 *   two bytes the sources leave undescribed (the GaggiMate library reads
 *   11 bytes, de1app the first 9).
 *
 *   The scale can be set to show grams, ounces or millilitres, and the
 *   status frame says nothing of the unit in any source. So lactd sets
 *   grams on every connection, before it enables notifications: the
 *   command AA 03 36 00 (01 ounces, 02 millilitres), as Decenza does. A
 *   frame is therefore always grams. The scale sends no stability flag
 *   (LACTD_PLUGIN_FLAG_HOST_STABILITY).
 *
 *   Other commands: AA 02 31 31 tare, AA 02 33 33 / 34 34 / 35 35 timer
 *   start, stop, reset, AA 02 32 32 power off.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define EUREKA_SERVICE LACTD_UUID16("fff0")
#define EUREKA_NOTIFY  LACTD_UUID16("fff1")
#define EUREKA_WRITE   LACTD_UUID16("fff2")

#define EUREKA_HEADER	 0xaa
#define EUREKA_STATUS_LEN 0x09
#define EUREKA_STATUS	 0x41
#define EUREKA_FRAME_MIN 9
#define EUREKA_FRAME_LEN 11

#define EUREKA_CMD_TARE	      0x31
#define EUREKA_CMD_UNIT	      0x36
#define EUREKA_UNIT_GRAMS     0x00
#define EUREKA_UNIT_OUNCES    0x01
#define EUREKA_UNIT_MILLILITRES 0x02

typedef struct {
	gboolean timer_running;
	guint16 timer;
	double value; /* grams once the unit command was taken */
} EurekaStatus;

/* FALSE with *reason when the frame is malformed. */
gboolean eureka_decode(const guint8 *data, gsize len, EurekaStatus *st, const char **reason);
/* One WEIGHT reading (not stable: the host decides) per status frame. */
int eureka_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
		 LactdReading *out, gsize max_out, const char **reason);
/* The unit command: AA 03 36 unit. */
void eureka_build_unit(guint8 cmd[4], guint8 unit);

G_END_DECLS
