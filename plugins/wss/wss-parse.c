/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Field layout from the Bluetooth SIG's Weight Scale Service 1.0 and the
 * GATT Specification Supplement (Weight Measurement, Weight Scale Feature,
 * Date Time): little-endian, a flags byte, then the weight and the optional
 * fields in the order of their flags.
 */
#include "config.h"

#include <string.h>

#include "wss-parse.h"

double
wss_grams(const WssMeasurement *m)
{
	if (m->flags & WSS_FLAG_IMPERIAL)
		return m->weight * 0.01 * WSS_LB_GRAMS;
	return m->weight * 5.0; /* 0.005 kg */
}

guint64
wss_measurement_id(const WssMeasurement *m)
{
	/* Only a whole date and time names a measurement: a scale without a
	 * clock sends none, or zeros ("unknown"). */
	if (!(m->flags & WSS_FLAG_TIMESTAMP) || m->year == 0 || m->month == 0 || m->day == 0)
		return 0;
	return (guint64)m->user << 56 | (guint64)m->year << 40 | (guint64)m->month << 32 |
	       (guint64)m->day << 24 | (guint64)m->hours << 16 | (guint64)m->minutes << 8 |
	       m->seconds;
}

gboolean
wss_decode(const guint8 *d, gsize len, WssMeasurement *m, const char **reason)
{
	gsize want = 3, pos = 3;

	memset(m, 0, sizeof(*m));
	if (len < 3) {
		*reason = "Weight Measurement: shorter than flags and weight";
		return FALSE;
	}
	m->flags = d[0];
	if (m->flags & WSS_FLAG_RESERVED) {
		*reason = "Weight Measurement: reserved flag bits set";
		return FALSE;
	}
	want += (m->flags & WSS_FLAG_TIMESTAMP) ? 7 : 0;
	want += (m->flags & WSS_FLAG_USER) ? 1 : 0;
	want += (m->flags & WSS_FLAG_BMI) ? 4 : 0;
	if (len != want) {
		*reason = "Weight Measurement: length does not match its flags";
		return FALSE;
	}
	m->weight = (guint16)(d[1] | d[2] << 8);
	if (m->flags & WSS_FLAG_TIMESTAMP) {
		m->year = (guint16)(d[pos] | d[pos + 1] << 8);
		m->month = d[pos + 2];
		m->day = d[pos + 3];
		m->hours = d[pos + 4];
		m->minutes = d[pos + 5];
		m->seconds = d[pos + 6];
		pos += 7;
		/* Date Time: year 1582..9999 or 0 (unknown), month and day 0 (unknown) or in range. */
		if ((m->year != 0 && (m->year < 1582 || m->year > 9999)) || m->month > 12 ||
		    m->day > 31 || m->hours > 23 || m->minutes > 59 || m->seconds > 59) {
			*reason = "Weight Measurement: time stamp out of range";
			return FALSE;
		}
	}
	if (m->flags & WSS_FLAG_USER)
		m->user = d[pos++];
	if (m->flags & WSS_FLAG_BMI) {
		m->bmi = (guint16)(d[pos] | d[pos + 1] << 8);
		m->height = (guint16)(d[pos + 2] | d[pos + 3] << 8);
	}
	return TRUE;
}

int
wss_parse(void *state, const char *char_uuid, const guint8 *data, gsize len, LactdReading *out,
	  gsize max_out, const char **reason)
{
	WssMeasurement m;
	double grams;

	if (g_strcmp0(char_uuid, WSS_FEATURE) == 0) {
		if (len != 4) {
			*reason = "Weight Scale Feature: expected 4 bytes";
			return -1;
		}
		if (data[1] & 0xfc || data[2] || data[3]) {
			*reason = "Weight Scale Feature: reserved bits set";
			return -1;
		}
		/* GATT Specification Supplement, Weight Scale Feature: weight
		 * resolution (bits 3-6) 0 to 7 and height resolution (bits 7-9)
		 * 0 to 3 are defined; the rest is reserved for future use. */
		if (((data[0] >> 3) & 0x0f) > 7) {
			*reason = "Weight Scale Feature: reserved weight resolution";
			return -1;
		}
		if (((data[0] >> 7 | data[1] << 1) & 0x07) > 3) {
			*reason = "Weight Scale Feature: reserved height resolution";
			return -1;
		}
		return 0;
	}
	if (g_strcmp0(char_uuid, WSS_MEASUREMENT) != 0)
		return 0;
	if (!wss_decode(data, len, &m, reason))
		return -1;
	if (m.weight == WSS_UNSUCCESSFUL)
		return 0; /* the scale could not weigh: nothing to record */
	grams = wss_grams(&m);
	if (grams > LACTD_MAX_WEIGHT_G) {
		*reason = "Weight Measurement: over 30 kg";
		return -1;
	}
	if (max_out < 1) {
		*reason = "Weight Measurement: no room for the reading";
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->type = LACTD_READING_WEIGHT;
	/* The Date Time has no time zone: lactd stamps the time of receipt,
	 * and the time stamp serves only to know a measurement sent again. */
	out->time_us = 0;
	out->weight.grams = grams;
	out->weight.stable = TRUE;
	out->weight.measurement_id = wss_measurement_id(&m);
	return 1;
}
