/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile tests. The profile publishes no sample packets, so the
 * vectors below were built from docs/open-pump-profile.md field by field
 * (little-endian, offsets as the profile lists them; version 1.1: the
 * Session Record is 15 bytes, and bytes past the fields are ignored). Then:
 * every refusal, encoder
 * to parser round trips, the emulated pump through whole scenarios and its
 * Control Point, and the plugin module itself, loaded with GModule and
 * driven by a recording LactdHost, alone and wired to the emulator.
 */
#include "config.h"

#include <gmodule.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "opp-encode.h"
#include "opp-parse.h"

/* Flags 0x003f: both channels, volume, suction, records, clock; level 9. */
static const guint8 feature_full[] = {0x3f, 0x00, 0x09};

static int
parse(OppParseState *st, const char *uuid, const guint8 *d, gsize len, LactdReading *out,
      const char **reason)
{
	return opp_parse(st, uuid, d, len, out, LACTD_READINGS_MAX, reason);
}

/* ---- the parser ---------------------------------------------------------- */

static void
test_parse_feature(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	/* A single-side unit: right (bit1), volume (bit2), records (bit4); no
	 * suction reporting, so the highest level is 0; no clock. */
	const guint8 single[] = {0x16, 0x00, 0x00};

	g_assert_cmpint(parse(&st, OPP_FEATURE, feature_full, 3, r, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_FEATURES);
	g_assert_cmpuint(r[0].features.channels, ==, LACTD_CHANNEL_LEFT | LACTD_CHANNEL_RIGHT);
	g_assert_true(r[0].features.measures_volume);
	g_assert_cmpuint(r[0].features.max_suction, ==, 9);
	g_assert_true(r[0].features.stores_records);
	g_assert_true(r[0].features.has_clock);

	g_assert_cmpint(parse(&st, OPP_FEATURE, single, 3, r, &reason), ==, 1);
	/* The channel bit passes through; the host decides the side. */
	g_assert_cmpuint(r[0].features.channels, ==, LACTD_CHANNEL_RIGHT);
	g_assert_true(r[0].features.measures_volume);
	g_assert_cmpuint(r[0].features.max_suction, ==, 0);
	g_assert_true(r[0].features.stores_records);
	g_assert_false(r[0].features.has_clock);
}

static void
test_parse_status(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	/* expression, session 0x01020304, 75 s, suction 4, battery 87 % */
	const guint8 status[] = {0x02, 0x04, 0x03, 0x02, 0x01, 0x4b, 0x00, 0x04, 0x57};
	/* idle, session 0, 0 s, suction 0, battery 255: unknown */
	const guint8 idle[] = {0x00, 0, 0, 0, 0, 0, 0, 0, 0xff};
	/* paused, session 9, 600 s, suction 200 before the features are known,
	 * battery 100 */
	const guint8 paused[] = {0x03, 0x09, 0, 0, 0, 0x58, 0x02, 200, 100};

	g_assert_cmpint(parse(&st, OPP_STATUS, paused, 9, r, &reason), ==, 3);
	g_assert_cmpint(r[0].phase.phase, ==, LACTD_PHASE_PAUSED);
	g_assert_cmpuint(r[0].phase.elapsed_s, ==, 600);
	g_assert_cmpuint(r[1].suction.level, ==, 200);
	g_assert_cmpuint(r[2].battery.percent, ==, 100);

	g_assert_cmpint(parse(&st, OPP_FEATURE, feature_full, 3, r, &reason), ==, 1);
	g_assert_cmpint(parse(&st, OPP_STATUS, status, 9, r, &reason), ==, 3);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_PHASE);
	g_assert_cmpint(r[0].phase.phase, ==, LACTD_PHASE_EXPRESSION);
	g_assert_cmpuint(r[0].phase.device_session, ==, 0x01020304);
	g_assert_cmpuint(r[0].phase.elapsed_s, ==, 75);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_SUCTION);
	g_assert_cmpuint(r[1].suction.level, ==, 4);
	g_assert_cmpuint(r[1].suction.max_level, ==, 9);
	g_assert_cmpint(r[2].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(r[2].battery.percent, ==, 87);

	/* Battery unknown: no battery reading at all. */
	g_assert_cmpint(parse(&st, OPP_STATUS, idle, 9, r, &reason), ==, 2);
	g_assert_cmpint(r[0].phase.phase, ==, LACTD_PHASE_IDLE);
	g_assert_cmpuint(r[0].phase.device_session, ==, 0);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_SUCTION);
}

static void
test_parse_measurement(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	/* session 7, sequence 3, 300 s, left 62.4 mL (624), right absent */
	const guint8 left_only[] = {0x07, 0, 0, 0, 0x03, 0x00, 0x2c, 0x01, 0x70, 0x02, 0xff, 0xff};
	/* session 7, sequence 4, 301 s, left 1000.0 mL (10000), right absent */
	const guint8 full[] = {0x07, 0, 0, 0, 0x04, 0x00, 0x2d, 0x01, 0x10, 0x27, 0xff, 0xff};
	/* session 8, sequence 0xffff, 2 s, left 0.1, right 48.0 (480) */
	const guint8 both[] = {0x08, 0, 0, 0, 0xff, 0xff, 0x02, 0x00, 0x01, 0x00, 0xe0, 0x01};

	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, left_only, 12, r, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_VOLUME);
	g_assert_cmpuint(r[0].volume.device_session, ==, 7);
	g_assert_cmpuint(r[0].volume.sequence, ==, 3);
	g_assert_cmpuint(r[0].volume.elapsed_s, ==, 300);
	g_assert_cmpuint(r[0].volume.channels, ==, LACTD_CHANNEL_LEFT);
	g_assert_cmpfloat(r[0].volume.left_ml, ==, 62.4);

	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, full, 12, r, &reason), ==, 1);
	g_assert_cmpfloat(r[0].volume.left_ml, ==, 1000.0);

	/* A new session starts a new baseline: lower volumes are fine. */
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, both, 12, r, &reason), ==, 1);
	g_assert_cmpuint(r[0].volume.sequence, ==, 0xffff);
	g_assert_cmpuint(r[0].volume.channels, ==, LACTD_CHANNEL_LEFT | LACTD_CHANNEL_RIGHT);
	g_assert_cmpfloat(r[0].volume.left_ml, ==, 0.1);
	g_assert_cmpfloat(r[0].volume.right_ml, ==, 48.0);
}

static void
test_parse_record(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	/* record 9, start 1767220736 (0x6955a600), 1200 s, left 62.4,
	 * right 48.0, ended by the user: the 15 bytes of profile 1.1 */
	const guint8 record[] = {0x09, 0, 0, 0, 0x00, 0xa6, 0x55, 0x69, 0xb0, 0x04,
				 0x70, 0x02, 0xe0, 0x01, 0x01};
	/* The same as version 1's 17 bytes, and with two bytes a later
	 * version might append: ignored, whatever they hold. */
	const guint8 record17[] = {0x09, 0, 0, 0, 0x00, 0xa6, 0x55, 0x69, 0xb0, 0x04,
				   0x70, 0x02, 0xe0, 0x01, 0x01, 0x00, 0x00};
	const guint8 record_appended[] = {0x09, 0, 0, 0, 0x00, 0xa6, 0x55, 0x69, 0xb0, 0x04,
					  0x70, 0x02, 0xe0, 0x01, 0x01, 0xaa, 0x55};
	/* record 10, start unknown (0), 60 s, left absent, right 10.0,
	 * interrupted and start estimated; 12 hours exactly is the limit */
	const guint8 unknown_start[] = {0x0a, 0, 0, 0, 0, 0, 0, 0, 0x3c, 0x00,
					0xff, 0xff, 0x64, 0x00, 0x06};
	const guint8 twelve_hours[] = {0x0b, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0xa8,
				       0, 0, 0, 0, 0x00};

	const guint8 *records[] = {record, record17, record_appended};
	const gsize lens[] = {sizeof(record), sizeof(record17), sizeof(record_appended)};

	g_assert_cmpuint(sizeof(record), ==, 15);
	for (guint i = 0; i < G_N_ELEMENTS(records); i++) {
		g_test_message("record of %zu bytes", lens[i]);
		g_assert_cmpint(parse(&st, OPP_RECORD, records[i], lens[i], r, &reason), ==, 1);
		g_assert_cmpint(r[0].type, ==, LACTD_READING_RECORD);
		g_assert_cmpuint(r[0].record.device_session, ==, 9);
		g_assert_cmpint(r[0].record.start_us, ==, (gint64)1767220736 * G_USEC_PER_SEC);
		g_assert_cmpuint(r[0].record.duration_s, ==, 1200);
		g_assert_cmpuint(r[0].record.channels, ==, LACTD_CHANNEL_LEFT | LACTD_CHANNEL_RIGHT);
		g_assert_cmpfloat(r[0].record.left_ml, ==, 62.4);
		g_assert_cmpfloat(r[0].record.right_ml, ==, 48.0);
		g_assert_cmpuint(r[0].record.flags, ==, LACTD_RECORD_ENDED_BY_USER);
	}
	/* 14 bytes: the flags are missing. */
	reason = NULL;
	g_assert_cmpint(parse(&st, OPP_RECORD, record, 14, r, &reason), ==, -1);
	g_assert_cmpstr(reason, ==, "Session Record: shorter than 15 bytes");

	g_assert_cmpint(parse(&st, OPP_RECORD, unknown_start, 15, r, &reason), ==, 1);
	g_assert_cmpint(r[0].record.start_us, ==, 0);
	g_assert_cmpuint(r[0].record.duration_s, ==, 60);
	g_assert_cmpuint(r[0].record.channels, ==, LACTD_CHANNEL_RIGHT);
	g_assert_cmpfloat(r[0].record.right_ml, ==, 10.0);
	g_assert_cmpuint(r[0].record.flags, ==,
			 LACTD_RECORD_INTERRUPTED | LACTD_RECORD_START_ESTIMATED);

	g_assert_cmpint(parse(&st, OPP_RECORD, twelve_hours, 15, r, &reason), ==, 1);
	g_assert_cmpuint(r[0].record.duration_s, ==, 43200);
}

static void
test_parse_response(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	OppResponse resp;
	const char *reason = NULL;
	const guint8 set_time_ok[] = {0x80, 0x01, 0x00};
	const guint8 count3[] = {0x80, 0x02, 0x00, 0x03, 0x00};
	const guint8 count_big[] = {0x80, 0x02, 0x00, 0x34, 0x12};
	const guint8 records_unsupported[] = {0x80, 0x02, 0x01};
	const guint8 delete_failed[] = {0x80, 0x03, 0x03};

	g_assert_true(opp_parse_response(set_time_ok, 3, &resp, &reason));
	g_assert_cmpuint(resp.request, ==, OPP_OP_SET_TIME);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_SUCCESS);
	g_assert_false(resp.has_count);
	g_assert_true(opp_parse_response(count3, 5, &resp, &reason));
	g_assert_true(resp.has_count);
	g_assert_cmpuint(resp.count, ==, 3);
	g_assert_true(opp_parse_response(count_big, 5, &resp, &reason));
	g_assert_cmpuint(resp.count, ==, 0x1234);
	/* An error carries no response data, even for Request Records. */
	g_assert_true(opp_parse_response(records_unsupported, 3, &resp, &reason));
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);
	g_assert_false(resp.has_count);
	g_assert_true(opp_parse_response(delete_failed, 3, &resp, &reason));
	g_assert_cmpuint(resp.request, ==, OPP_OP_DELETE_RECORDS);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_FAILED);

	/* The descriptor's parse gives no reading for the Control Point. */
	g_assert_cmpint(parse(&st, OPP_CONTROL, count3, 5, r, &reason), ==, 0);
	/* Nor for a characteristic it does not know. */
	g_assert_cmpint(parse(&st, LACTD_UUID16("2a19"), count3, 1, r, &reason), ==, 0);
}

static void
test_build_requests(void)
{
	guint8 buf[5];
	const guint8 set_time[] = {0x01, 0x60, 0xce, 0x53, 0x69}; /* 1767100000 */
	const guint8 request[] = {0x02, 0x04, 0x03, 0x02, 0x01};
	const guint8 delete_[] = {0x03, 0xff, 0xff, 0xff, 0xff};

	opp_build_request(buf, OPP_OP_SET_TIME, 1767100000);
	g_assert_cmpmem(buf, 5, set_time, 5);
	opp_build_request(buf, OPP_OP_REQUEST_RECORDS, 0x01020304);
	g_assert_cmpmem(buf, 5, request, 5);
	opp_build_request(buf, OPP_OP_DELETE_RECORDS, G_MAXUINT32);
	g_assert_cmpmem(buf, 5, delete_, 5);
}

typedef struct {
	const char *name;
	const char *uuid;
	guint8 data[20];
	gsize len;
} Bad;

static void
test_parse_refusals(void)
{
	const Bad bad[] = {
	    {"feature short", OPP_FEATURE, {0x3f, 0}, 2},
	    {"feature empty", OPP_FEATURE, {0}, 0},
	    {"feature reserved bit 6", OPP_FEATURE, {0x7f, 0, 9}, 3},
	    {"feature reserved bit 15", OPP_FEATURE, {0x3f, 0x80, 9}, 3},
	    {"feature no channel", OPP_FEATURE, {0x3c, 0, 9}, 3},
	    {"feature level without the suction flag", OPP_FEATURE, {0x07, 0, 9}, 3},
	    {"status short", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 1}, 8},
	    {"status state 4", OPP_STATUS, {4, 1, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status state 255", OPP_STATUS, {0xff, 1, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status idle with a session", OPP_STATUS, {0, 1, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status active without a session", OPP_STATUS, {1, 0, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status suction above the highest", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 10, 50}, 9},
	    {"status battery 101", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 1, 101}, 9},
	    {"status battery 254", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 1, 254}, 9},
	    {"measurement short", OPP_MEASUREMENT, {1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1}, 11},
	    {"measurement session 0", OPP_MEASUREMENT, {0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0}, 12},
	    {"measurement no channel", OPP_MEASUREMENT,
	     {1, 0, 0, 0, 1, 0, 1, 0, 0xff, 0xff, 0xff, 0xff}, 12},
	    {"measurement left over 1000 mL", OPP_MEASUREMENT,
	     {1, 0, 0, 0, 1, 0, 1, 0, 0x11, 0x27, 0, 0}, 12},
	    {"measurement right over 1000 mL", OPP_MEASUREMENT,
	     {1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0x11, 0x27}, 12},
	    {"measurement 0xfffe", OPP_MEASUREMENT, {1, 0, 0, 0, 1, 0, 1, 0, 0xfe, 0xff, 0, 0}, 12},
	    {"record short (14 bytes: no flags)", OPP_RECORD, {1}, 14},
	    {"record session 0", OPP_RECORD, {0}, 15},
	    {"record reserved flag bit 3", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08}, 15},
	    {"record reserved flag bit 7", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x81}, 15},
	    {"record duration over 12 hours", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0xc1, 0xa8, 0, 0, 0, 0, 0}, 15},
	    {"record duration 0xffff", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0, 0}, 15},
	    {"record left over 1000 mL", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x27, 0, 0, 0}, 15},
	    {"record right over 1000 mL", OPP_RECORD,
	     {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x27, 0}, 15},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		OppParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		/* The pump's features are known, as after the first read. */
		g_assert_cmpint(parse(&st, OPP_FEATURE, feature_full, 3, r, &reason), ==, 1);
		g_test_message("%s", bad[i].name);
		reason = NULL;
		g_assert_cmpint(parse(&st, bad[i].uuid, bad[i].data, bad[i].len, r, &reason), ==,
				-1);
		g_assert_nonnull(reason);
	}
}

/* Profile 1.1: a host ignores bytes past the defined fields of any value. */
static void
test_parse_longer_values(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	const guint8 feature[] = {0x3f, 0, 9, 0xee};
	const guint8 status[] = {2, 7, 0, 0, 0, 30, 0, 3, 80, 0xee, 0xee};
	const guint8 measurement[] = {7, 0, 0, 0, 1, 0, 30, 0, 25, 0, 20, 0, 0xee};

	g_assert_cmpint(parse(&st, OPP_FEATURE, feature, sizeof(feature), r, &reason), ==, 1);
	g_assert_cmpint(parse(&st, OPP_STATUS, status, sizeof(status), r, &reason), >=, 1);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, measurement, sizeof(measurement), r, &reason),
			==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_VOLUME);
	g_assert_cmpfloat(r[0].volume.left_ml, ==, 2.5);
	g_assert_cmpfloat(r[0].volume.right_ml, ==, 2.0);
}

static void
test_parse_refusals_suction(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	/* Left, volume; no suction flag, so the highest level is 0. */
	const guint8 no_suction[] = {0x05, 0x00, 0x00};
	const guint8 level0[] = {1, 1, 0, 0, 0, 0, 0, 0, 50};
	const guint8 level1[] = {1, 1, 0, 0, 0, 0, 0, 1, 50};
	const guint8 level9[] = {1, 1, 0, 0, 0, 0, 0, 9, 50};

	g_assert_cmpint(parse(&st, OPP_FEATURE, no_suction, 3, r, &reason), ==, 1);
	/* A pump that reports no suction gives no suction reading. */
	g_assert_cmpint(parse(&st, OPP_STATUS, level0, 9, r, &reason), ==, 2);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpint(parse(&st, OPP_STATUS, level1, 9, r, &reason), ==, -1);
	g_assert_nonnull(strstr(reason, "suction"));
	/* The highest level itself is fine. */
	g_assert_cmpint(parse(&st, OPP_FEATURE, feature_full, 3, r, &reason), ==, 1);
	g_assert_cmpint(parse(&st, OPP_STATUS, level9, 9, r, &reason), ==, 3);
	g_assert_cmpuint(r[1].suction.level, ==, 9);
}

static void
test_parse_refusals_response(void)
{
	const struct {
		guint8 data[8];
		gsize len;
	} bad[] = {
	    {{0}, 0},
	    {{0x80, 0x01}, 2},
	    {{0x01, 0x01, 0x00}, 3},		   /* a request, not a response */
	    {{0x80, 0x01, 0x04}, 3},		   /* result 4 */
	    {{0x80, 0x01, 0x00, 0x00}, 4},	   /* data after Set Time */
	    {{0x80, 0x03, 0x00, 0x01, 0x00}, 5},   /* data after Delete Records */
	    {{0x80, 0x02, 0x00}, 3},		   /* no count */
	    {{0x80, 0x02, 0x00, 0x03}, 4},	   /* half a count */
	    {{0x80, 0x02, 0x00, 0x03, 0x00, 0}, 6}, /* too much */
	    {{0x80, 0x02, 0x02, 0x03, 0x00}, 5},   /* data after an error */
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		OppResponse resp;
		const char *reason = NULL;

		g_test_message("response %u", i);
		g_assert_false(opp_parse_response(bad[i].data, bad[i].len, &resp, &reason));
		g_assert_nonnull(reason);
	}
}

static void
test_parse_decrease(void)
{
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	guint8 m[OPP_MEASUREMENT_LEN];

	opp_encode_measurement(m, 5, 0, 10, 100, 80);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, 1);
	opp_encode_measurement(m, 5, 1, 11, 99, 90);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, -1);
	g_assert_nonnull(strstr(reason, "decreased"));
	opp_encode_measurement(m, 5, 1, 11, 100, 79);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, -1);
	g_assert_nonnull(strstr(reason, "decreased"));
	/* The refused values did not become the baseline; equal is fine. */
	opp_encode_measurement(m, 5, 2, 12, 100, 80);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, 1);
	opp_encode_measurement(m, 5, 3, 13, 100, 85);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, 1);
	/* A new session starts from zero again... */
	opp_encode_measurement(m, 6, 0, 1, 1, 1);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, 1);
	/* ...and is then held to its own values. */
	opp_encode_measurement(m, 6, 1, 2, 0, 1);
	g_assert_cmpint(parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, &reason), ==, -1);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 1000; i++) {
		OppParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		guint8 buf[OPP_RECORD_LEN];
		guint16 flags = (guint16)(g_test_rand_int_range(1, 4) | /* some channel */
					  (g_test_rand_int_range(0, 16) << 2));
		guint8 max_suction = (flags & OPP_FEAT_SUCTION) ? g_test_rand_int_range(0, 256) : 0;
		OppRecord rec = {
		    .id = (guint32)g_test_rand_int_range(1, G_MAXINT32),
		    .start = (guint32)g_test_rand_int(),
		    .duration = (guint16)g_test_rand_int_range(0, OPP_MAX_DURATION_S + 1),
		    .left = g_test_rand_bit() ? OPP_NO_CHANNEL : (guint16)g_test_rand_int_range(0, 10001),
		    .right = (guint16)g_test_rand_int_range(0, 10001),
		    .flags = (guint8)g_test_rand_int_range(0, 8),
		};
		guint16 elapsed = (guint16)g_test_rand_int_range(0, 65536);
		guint16 seq = (guint16)g_test_rand_int_range(0, 65536);
		guint8 state = (guint8)g_test_rand_int_range(1, 4);
		guint8 suction = max_suction ? (guint8)g_test_rand_int_range(0, max_suction + 1) : 0;
		guint8 battery = g_test_rand_bit() ? 255 : (guint8)g_test_rand_int_range(0, 101);
		guint8 req, result, resp_buf[5];
		guint32 value;
		OppResponse resp;
		gsize n;

		opp_encode_feature(buf, flags, max_suction);
		g_assert_cmpint(parse(&st, OPP_FEATURE, buf, OPP_FEATURE_LEN, r, &reason), ==, 1);
		g_assert_cmpuint(r[0].features.channels, ==, flags & 3);
		g_assert_cmpuint(r[0].features.max_suction, ==, max_suction);
		g_assert_cmpint(r[0].features.measures_volume, ==, !!(flags & OPP_FEAT_VOLUME));
		g_assert_cmpint(r[0].features.stores_records, ==, !!(flags & OPP_FEAT_RECORDS));
		g_assert_cmpint(r[0].features.has_clock, ==, !!(flags & OPP_FEAT_CLOCK));

		opp_encode_status(buf, state, rec.id, elapsed, suction, battery);
		n = (gsize)parse(&st, OPP_STATUS, buf, OPP_STATUS_LEN, r, &reason);
		g_assert_cmpuint(n, ==, 1 + !!(flags & OPP_FEAT_SUCTION) + (battery != 255));
		g_assert_cmpint(r[0].phase.phase, ==, state);
		g_assert_cmpuint(r[0].phase.device_session, ==, rec.id);
		g_assert_cmpuint(r[0].phase.elapsed_s, ==, elapsed);
		if (flags & OPP_FEAT_SUCTION)
			g_assert_cmpuint(r[1].suction.level, ==, suction);
		if (battery != 255)
			g_assert_cmpuint(r[n - 1].battery.percent, ==, battery);

		opp_encode_measurement(buf, rec.id, seq, elapsed, rec.left, rec.right);
		g_assert_cmpint(parse(&st, OPP_MEASUREMENT, buf, OPP_MEASUREMENT_LEN, r, &reason),
				==, 1);
		g_assert_cmpuint(r[0].volume.sequence, ==, seq);
		g_assert_cmpuint(r[0].volume.channels & LACTD_CHANNEL_LEFT, ==,
				 rec.left == OPP_NO_CHANNEL ? 0 : LACTD_CHANNEL_LEFT);
		if (rec.left != OPP_NO_CHANNEL)
			g_assert_cmpfloat(r[0].volume.left_ml, ==, rec.left / 10.0);
		g_assert_cmpfloat(r[0].volume.right_ml, ==, rec.right / 10.0);

		opp_encode_record(buf, &rec);
		g_assert_cmpint(parse(&st, OPP_RECORD, buf, OPP_RECORD_LEN, r, &reason), ==, 1);
		g_assert_cmpuint(r[0].record.device_session, ==, rec.id);
		g_assert_cmpint(r[0].record.start_us, ==, (gint64)rec.start * G_USEC_PER_SEC);
		g_assert_cmpuint(r[0].record.duration_s, ==, rec.duration);
		g_assert_cmpfloat(r[0].record.right_ml, ==, rec.right / 10.0);
		g_assert_cmpuint(r[0].record.channels, ==,
				 LACTD_CHANNEL_RIGHT |
				     (rec.left == OPP_NO_CHANNEL ? 0 : LACTD_CHANNEL_LEFT));
		g_assert_cmpuint(r[0].record.flags, ==, rec.flags);

		req = (guint8)g_test_rand_int_range(1, 4);
		result = (guint8)g_test_rand_int_range(0, 4);
		n = opp_encode_response(resp_buf, req, result, seq);
		g_assert_true(opp_parse_response(resp_buf, n, &resp, &reason));
		g_assert_cmpuint(resp.request, ==, req);
		g_assert_cmpuint(resp.result, ==, result);
		g_assert_cmpint(resp.has_count, ==, req == OPP_OP_REQUEST_RECORDS && result == 0);
		if (resp.has_count)
			g_assert_cmpuint(resp.count, ==, seq);

		opp_build_request(resp_buf, req, rec.start);
		g_assert_cmpuint(opp_decode_request(resp_buf, 5, &result, &value), ==, 0);
		g_assert_cmpuint(result, ==, req);
		g_assert_cmpuint(value, ==, rec.start);
	}
}

static void
test_decode_request(void)
{
	const guint8 ok[] = {0x03, 0x05, 0, 0, 0};
	const guint8 unknown[] = {0x04, 0x05, 0, 0, 0};
	const guint8 zero[] = {0x00};
	const guint8 response[] = {0x80, 0x01, 0x00};
	const guint8 short_[] = {0x01, 0x05, 0};
	const guint8 long_[] = {0x02, 0x05, 0, 0, 0, 0};
	guint8 opcode;
	guint32 value;

	g_assert_cmpuint(opp_decode_request(ok, 5, &opcode, &value), ==, OPP_RESULT_SUCCESS);
	g_assert_cmpuint(opcode, ==, OPP_OP_DELETE_RECORDS);
	g_assert_cmpuint(value, ==, 5);
	g_assert_cmpuint(opp_decode_request(unknown, 5, &opcode, &value), ==,
			 OPP_RESULT_NOT_SUPPORTED);
	g_assert_cmpuint(opcode, ==, 0x04);
	g_assert_cmpuint(opp_decode_request(zero, 1, &opcode, &value), ==,
			 OPP_RESULT_NOT_SUPPORTED);
	g_assert_cmpuint(opp_decode_request(zero, 0, &opcode, &value), ==,
			 OPP_RESULT_NOT_SUPPORTED);
	g_assert_cmpuint(opp_decode_request(response, 3, &opcode, &value), ==,
			 OPP_RESULT_NOT_SUPPORTED);
	g_assert_cmpuint(opp_decode_request(short_, 3, &opcode, &value), ==, OPP_RESULT_INVALID);
	g_assert_cmpuint(opcode, ==, OPP_OP_SET_TIME);
	g_assert_cmpuint(opp_decode_request(long_, 6, &opcode, &value), ==, OPP_RESULT_INVALID);
}

/* ---- the emulator -------------------------------------------------------- */

typedef struct {
	char *uuid;
	GBytes *value;
	gint64 sim_ms;
} Sent;

static void
sent_free(gpointer p)
{
	Sent *s = p;

	g_free(s->uuid);
	g_bytes_unref(s->value);
	g_free(s);
}

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = g_new0(Sent, 1);

	s->uuid = g_strdup(uuid);
	s->value = g_bytes_new(data, len);
	s->sim_ms = emu->sim_ms;
	g_ptr_array_add(user_data, s);
}

static const char *const opp_notifying[] = {OPP_STATUS, OPP_MEASUREMENT, OPP_RECORD,
					    OPP_CONTROL};

static LactdEmu *
make_emu_full(const char *scenario, GPtrArray *sent, gboolean connect)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[device pump]\nemulator=opp\n%s", scenario);
	LactdEmu *emu;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, &error));
	emu = lactd_emu_new(kf, "device pump", &error);
	g_assert_no_error(error);
	g_assert_nonnull(emu);
	emu->notify = collect;
	emu->user_data = sent;
	if (connect) {
		lactd_emu_set_link(emu, TRUE);
		for (guint i = 0; i < G_N_ELEMENTS(opp_notifying); i++)
			lactd_emu_set_subscribed(emu, opp_notifying[i], TRUE);
	}
	return emu;
}

static LactdEmu *
make_emu(const char *scenario, GPtrArray *sent)
{
	return make_emu_full(scenario, sent, TRUE);
}

static const guint8 *
sent_data(GPtrArray *sent, guint i, gsize *len)
{
	return g_bytes_get_data(((Sent *)g_ptr_array_index(sent, i))->value, len);
}

static const char *
sent_uuid(GPtrArray *sent, guint i)
{
	return ((Sent *)g_ptr_array_index(sent, i))->uuid;
}

static void
advance_in_steps(LactdEmu *emu, gint64 to_ms)
{
	for (gint64 t = emu->sim_ms + 250; t <= to_ms; t += 250)
		lactd_emu_advance_to(emu, t);
}

static void
test_emulator_session(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) emu = make_emu("phases=stimulation:120;expression:1080;idle\n"
					   "left_ml=62.4\nright_ml=48.0\nstart_at=1\n",
					   sent);
	OppParseState st = {0};
	double last_l = 0, last_r = 0;
	guint measurements = 0, records = 0, statuses = 0;
	gint64 last_measure_ms = -1000, last_status_ms = -1, session_end_ms = -1;
	guint32 session = 0;
	gint next_seq = 0;
	gboolean saw_stimulation = FALSE, saw_expression = FALSE;
	GBytes *feature;

	g_assert_false(emu->klass->finished(emu));
	advance_in_steps(emu, 1300 * 1000);
	g_assert_true(emu->klass->finished(emu));
	for (guint i = 0; i < sent->len; i++) {
		const Sent *s = g_ptr_array_index(sent, i);
		gsize len;
		const guint8 *d = g_bytes_get_data(s->value, &len);
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n = parse(&st, s->uuid, d, len, r, &reason);

		g_assert_cmpint(n, >, 0);
		if (r[0].type == LACTD_READING_VOLUME) {
			g_assert_cmpuint(r[0].volume.device_session, ==, 1);
			/* Sequence +1 a notification; at most 4 a second. */
			g_assert_cmpint(r[0].volume.sequence, ==, next_seq++);
			g_assert_cmpint(s->sim_ms - last_measure_ms, >=, 250);
			/* A notification means a side moved 0.5 mL, except the
			 * final values sent as the session ends. */
			if (measurements > 0 && session_end_ms < 0 && s->sim_ms != 1201000)
				g_assert_true(r[0].volume.left_ml - last_l >= 0.5 - 1e-9 ||
					      r[0].volume.right_ml - last_r >= 0.5 - 1e-9);
			g_assert_cmpfloat(r[0].volume.left_ml, >=, last_l);
			g_assert_cmpfloat(r[0].volume.right_ml, >=, last_r);
			last_l = r[0].volume.left_ml;
			last_r = r[0].volume.right_ml;
			last_measure_ms = s->sim_ms;
			measurements++;
		} else if (r[0].type == LACTD_READING_PHASE) {
			if (r[0].phase.phase != LACTD_PHASE_IDLE) {
				g_assert_cmpuint(r[0].phase.device_session, ==, 1);
				/* At least every 10 s while not idle. */
				if (last_status_ms >= 0)
					g_assert_cmpint(s->sim_ms - last_status_ms, <=, 10000);
				session = r[0].phase.device_session;
			} else {
				session_end_ms = s->sim_ms;
			}
			saw_stimulation |= r[0].phase.phase == LACTD_PHASE_STIMULATION;
			saw_expression |= r[0].phase.phase == LACTD_PHASE_EXPRESSION;
			/* Stimulation brings no milk. */
			if (r[0].phase.phase == LACTD_PHASE_STIMULATION)
				g_assert_cmpuint(measurements, ==, 0);
			g_assert_cmpint(r[1].type, ==, LACTD_READING_SUCTION);
			g_assert_cmpuint(r[1].suction.level, ==,
					 r[0].phase.phase == LACTD_PHASE_IDLE ? 0 : 5);
			g_assert_cmpuint(r[2].battery.percent, ==, 80);
			last_status_ms = s->sim_ms;
			statuses++;
		} else {
			g_assert_cmpint(r[0].type, ==, LACTD_READING_RECORD);
			g_assert_cmpuint(r[0].record.device_session, ==, session);
			g_assert_cmpfloat(r[0].record.left_ml, ==, 62.4);
			g_assert_cmpfloat(r[0].record.right_ml, ==, 48.0);
			g_assert_cmpuint(r[0].record.duration_s, ==, 1200);
			/* Its clock was never set. */
			g_assert_cmpint(r[0].record.start_us, ==, 0);
			g_assert_cmpuint(r[0].record.flags, ==, LACTD_RECORD_ENDED_BY_USER);
			/* Sent unasked, after the idle status. */
			g_assert_cmpint(session_end_ms, ==, s->sim_ms);
			records++;
		}
	}
	g_assert_true(saw_stimulation);
	g_assert_true(saw_expression);
	g_assert_cmpint(session_end_ms, ==, 1201000);
	g_assert_cmpfloat(last_l, ==, 62.4);
	g_assert_cmpfloat(last_r, ==, 48.0);
	/* The first value, then steps of at least 0.5 mL on the larger side
	 * (62.4 / 0.5 = 124 at most), then the final values: at most 126. The
	 * curve's 250 ms ticks give fewer steps where it rises fast. */
	g_assert_cmpuint(measurements, >=, 60);
	g_assert_cmpuint(measurements, <=, 126);
	/* 1200 s at one status each 10 s at least, plus the changes. */
	g_assert_cmpuint(statuses, >=, 120);
	g_assert_cmpuint(records, ==, 1);

	/* Reads give the current values. */
	feature = emu->klass->read(emu, OPP_FEATURE, NULL);
	g_assert_cmpmem(g_bytes_get_data(feature, NULL), g_bytes_get_size(feature), feature_full,
			3);
	g_bytes_unref(feature);
}

static void
test_emulator_deterministic(void)
{
	const char *scenario = "left_ml=30.3\nright_ml=12\nrepeat=2\ngap=30\n"
			       "phases=stimulation:60;expression:300;paused:20;expression:200;idle\n";
	g_autoptr(GPtrArray) a = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(GPtrArray) b = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) ea = make_emu(scenario, a);
	g_autoptr(LactdEmu) eb = make_emu(scenario, b);
	OppParseState st = {0};
	guint records = 0;

	lactd_emu_advance_to(ea, 2000 * 1000);
	advance_in_steps(eb, 2000 * 1000);
	g_assert_true(ea->klass->finished(ea));
	g_assert_cmpuint(a->len, ==, b->len);
	for (guint i = 0; i < a->len; i++) {
		gsize la, lb;
		const guint8 *da = sent_data(a, i, &la);
		const guint8 *db = sent_data(b, i, &lb);
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		g_assert_cmpstr(sent_uuid(a, i), ==, sent_uuid(b, i));
		g_assert_cmpmem(da, la, db, lb);
		g_assert_cmpint(parse(&st, sent_uuid(a, i), da, la, r, &reason), >, 0);
		if (r[0].type == LACTD_READING_RECORD) {
			/* Two sessions, ids 1 and 2, each with the final volumes. */
			g_assert_cmpuint(r[0].record.device_session, ==, ++records);
			g_assert_cmpfloat(r[0].record.left_ml, ==, 30.3);
			g_assert_cmpfloat(r[0].record.right_ml, ==, 12.0);
			g_assert_cmpuint(r[0].record.duration_s, ==, 580);
		}
	}
	g_assert_cmpuint(records, ==, 2);
}

static guint
count_uuid(GPtrArray *sent, const char *uuid)
{
	guint n = 0;

	for (guint i = 0; i < sent->len; i++)
		n += g_str_equal(sent_uuid(sent, i), uuid);
	return n;
}

static void
last_response(GPtrArray *sent, guint back, OppResponse *resp)
{
	const char *reason = NULL;
	gsize len;
	const guint8 *d = sent_data(sent, sent->len - 1 - back, &len);

	g_assert_cmpstr(sent_uuid(sent, sent->len - 1 - back), ==, OPP_CONTROL);
	g_assert_true(opp_parse_response(d, len, resp, &reason));
}

static void
write_request(LactdEmu *emu, guint8 opcode, guint32 value)
{
	g_autoptr(GError) error = NULL;
	guint8 req[5];

	opp_build_request(req, opcode, value);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, sizeof(req), &error));
	g_assert_no_error(error);
}

static void
test_emulator_control_point(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) emu = make_emu("history=3:1767000000:1100:50.5:40:1;"
					   "4:1767010000:1000:20:25:1;5:0:900:10:12:6\n"
					   "left_ml=10\nright_ml=10\nphases=expression:60;idle\n"
					   "start_at=100\n",
					   sent);
	g_autoptr(GError) error = NULL;
	OppParseState st = {0};
	OppResponse resp;
	const guint8 junk[] = {0x09, 1, 2, 3, 4};
	const guint8 empty[] = {0};

	write_request(emu, OPP_OP_SET_TIME, 1767100000);
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.request, ==, OPP_OP_SET_TIME);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_SUCCESS);

	/* All three stored records: the count, then each in id order. */
	write_request(emu, OPP_OP_REQUEST_RECORDS, 0);
	g_assert_cmpuint(sent->len, ==, 5);
	last_response(sent, 3, &resp);
	g_assert_cmpuint(resp.request, ==, OPP_OP_REQUEST_RECORDS);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_SUCCESS);
	g_assert_cmpuint(resp.count, ==, 3);
	for (guint i = 2; i < 5; i++) {
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		gsize len;
		const guint8 *d = sent_data(sent, i, &len);

		g_assert_cmpstr(sent_uuid(sent, i), ==, OPP_RECORD);
		g_assert_cmpint(parse(&st, OPP_RECORD, d, len, r, &reason), ==, 1);
		g_assert_cmpuint(r[0].record.device_session, ==, i + 1);
		if (i == 2) {
			g_assert_cmpint(r[0].record.start_us, ==, (gint64)1767000000 * G_USEC_PER_SEC);
			g_assert_cmpuint(r[0].record.duration_s, ==, 1100);
			g_assert_cmpfloat(r[0].record.left_ml, ==, 50.5);
			g_assert_cmpfloat(r[0].record.right_ml, ==, 40.0);
		} else if (i == 4) {
			g_assert_cmpint(r[0].record.start_us, ==, 0);
			g_assert_cmpuint(r[0].record.flags, ==,
					 LACTD_RECORD_INTERRUPTED | LACTD_RECORD_START_ESTIMATED);
		}
	}
	/* Newer than 4: only 5. */
	write_request(emu, OPP_OP_REQUEST_RECORDS, 4);
	last_response(sent, 1, &resp);
	g_assert_cmpuint(resp.count, ==, 1);

	/* Delete up to and including 4: only 5 is left. */
	write_request(emu, OPP_OP_DELETE_RECORDS, 4);
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.request, ==, OPP_OP_DELETE_RECORDS);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_SUCCESS);
	write_request(emu, OPP_OP_REQUEST_RECORDS, 0);
	last_response(sent, 1, &resp);
	g_assert_cmpuint(resp.count, ==, 1);
	write_request(emu, OPP_OP_DELETE_RECORDS, 5);
	write_request(emu, OPP_OP_REQUEST_RECORDS, 0);
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.count, ==, 0);

	/* The live session is id 6, after the history, with the clock set at
	 * sim 0 to 1767100000: it starts at 100 s. */
	lactd_emu_advance_to(emu, 200 * 1000);
	/* 3 + 1 + 1 records asked for, and the live one's unasked. */
	g_assert_cmpuint(count_uuid(sent, OPP_RECORD), ==, 6);
	write_request(emu, OPP_OP_REQUEST_RECORDS, 5);
	last_response(sent, 1, &resp);
	g_assert_cmpuint(resp.count, ==, 1);
	{
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		gsize len;
		const guint8 *d = sent_data(sent, sent->len - 1, &len);

		g_assert_cmpint(parse(&st, OPP_RECORD, d, len, r, &reason), ==, 1);
		g_assert_cmpuint(r[0].record.device_session, ==, 6);
		g_assert_cmpint(r[0].record.start_us, ==, (gint64)1767100100 * G_USEC_PER_SEC);
		g_assert_cmpuint(r[0].record.duration_s, ==, 60);
	}

	/* An opcode the profile does not define; a bad length; an empty write. */
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, junk, 5, &error));
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.request, ==, 0x09);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, junk, 3, &error));
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, empty, 0, &error));
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);
	{
		const guint8 bad_len[] = {OPP_OP_DELETE_RECORDS, 1, 0};

		g_assert_true(emu->klass->write(emu, OPP_CONTROL, bad_len, 3, &error));
		last_response(sent, 0, &resp);
		g_assert_cmpuint(resp.request, ==, OPP_OP_DELETE_RECORDS);
		g_assert_cmpuint(resp.result, ==, OPP_RESULT_INVALID);
	}
	/* Other characteristics are not writable. */
	g_assert_false(emu->klass->write(emu, OPP_STATUS, junk, 1, &error));
	g_assert_nonnull(error);
}

static void
test_emulator_no_clock_single_side(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) emu = make_emu("clock=false\nchannels=left\nmax_suction=0\n"
					   "left_ml=20\nright_ml=20\nbattery=255\n"
					   "phases=expression:100;idle\nfirst_session_id=41\n",
					   sent);
	g_autoptr(GBytes) feature = emu->klass->read(emu, OPP_FEATURE, NULL);
	OppParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	OppResponse resp;
	double last = 0;
	gboolean record = FALSE;

	g_assert_nonnull(feature);
	g_assert_cmpint(parse(&st, OPP_FEATURE, g_bytes_get_data(feature, NULL),
			      g_bytes_get_size(feature), r, &reason),
			==, 1);
	g_assert_cmpuint(r[0].features.channels, ==, LACTD_CHANNEL_LEFT);
	g_assert_false(r[0].features.has_clock);
	g_assert_cmpuint(r[0].features.max_suction, ==, 0);

	write_request(emu, OPP_OP_SET_TIME, 1767100000);
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);

	advance_in_steps(emu, 200 * 1000);
	for (guint i = 1; i < sent->len; i++) {
		gsize len;
		const guint8 *d = sent_data(sent, i, &len);
		int n = parse(&st, sent_uuid(sent, i), d, len, r, &reason);

		g_assert_cmpint(n, >, 0);
		if (r[0].type == LACTD_READING_PHASE) {
			/* No suction reported, battery unknown: the phase only. */
			g_assert_cmpint(n, ==, 1);
		} else if (r[0].type == LACTD_READING_VOLUME) {
			g_assert_cmpuint(r[0].volume.device_session, ==, 41);
			g_assert_cmpuint(r[0].volume.channels, ==, LACTD_CHANNEL_LEFT);
			last = r[0].volume.left_ml;
		} else {
			g_assert_cmpuint(r[0].record.device_session, ==, 41);
			g_assert_cmpuint(r[0].record.channels, ==, LACTD_CHANNEL_LEFT);
			g_assert_cmpint(r[0].record.start_us, ==, 0);
			g_assert_cmpfloat(r[0].record.left_ml, ==, 20.0);
			record = TRUE;
		}
	}
	g_assert_cmpfloat(last, ==, 20.0);
	g_assert_true(record);
}

static void
test_emulator_link_loss(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) emu = make_emu("left_ml=30\nright_ml=30\n", sent);
	OppParseState st = {0};
	guint before, records = 0;
	double last_l = 0;

	lactd_emu_advance_to(emu, 400 * 1000);
	before = sent->len;
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_advance_to(emu, 600 * 1000);
	/* Nothing goes out on a dead link; the session goes on. */
	g_assert_cmpuint(sent->len, ==, before);
	g_assert_false(emu->klass->finished(emu));
	lactd_emu_set_link(emu, TRUE);
	/* Until the central subscribes again, still nothing. */
	lactd_emu_advance_to(emu, 610 * 1000);
	g_assert_cmpuint(sent->len, ==, before);
	for (guint i = 0; i < G_N_ELEMENTS(opp_notifying); i++)
		lactd_emu_set_subscribed(emu, opp_notifying[i], TRUE);
	/* Subscribing mid-session brings the status and volumes at once. */
	g_assert_cmpuint(sent->len, ==, before + 2);
	g_assert_cmpstr(sent_uuid(sent, before), ==, OPP_STATUS);
	g_assert_cmpstr(sent_uuid(sent, before + 1), ==, OPP_MEASUREMENT);
	lactd_emu_advance_to(emu, 1300 * 1000);
	g_assert_true(emu->klass->finished(emu));
	for (guint i = 0; i < sent->len; i++) {
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		gsize len;
		const guint8 *d = sent_data(sent, i, &len);

		g_assert_cmpint(parse(&st, sent_uuid(sent, i), d, len, r, &reason), >, 0);
		if (r[0].type == LACTD_READING_VOLUME) {
			g_assert_cmpfloat(r[0].volume.left_ml, >=, last_l);
			last_l = r[0].volume.left_ml;
		} else if (r[0].type == LACTD_READING_RECORD) {
			g_assert_cmpfloat(r[0].record.left_ml, ==, 30.0);
			g_assert_cmpuint(r[0].record.duration_s, ==, 1200);
			records++;
		}
	}
	g_assert_cmpfloat(last_l, ==, 30.0);
	g_assert_cmpuint(records, ==, 1);
}

static void
test_emulator_end_while_away(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autoptr(LactdEmu) emu = make_emu("left_ml=30\nright_ml=30\nphases=expression:100;idle\n",
					   sent);
	OppResponse resp;

	lactd_emu_advance_to(emu, 50 * 1000);
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_advance_to(emu, 300 * 1000);
	g_assert_true(emu->klass->finished(emu));
	lactd_emu_set_link(emu, TRUE);
	for (guint i = 0; i < G_N_ELEMENTS(opp_notifying); i++)
		lactd_emu_set_subscribed(emu, opp_notifying[i], TRUE);
	/* Not indicated while away: kept for the host to ask. */
	g_assert_cmpuint(count_uuid(sent, OPP_RECORD), ==, 0);
	write_request(emu, OPP_OP_REQUEST_RECORDS, 0);
	last_response(sent, 1, &resp);
	g_assert_cmpuint(resp.count, ==, 1);
	g_assert_cmpuint(count_uuid(sent, OPP_RECORD), ==, 1);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {
	    "colour=red",
	    "channels=both",
	    "left_ml=2000",
	    "right_ml=-1",
	    "phases=pumping:10",
	    "phases=stimulation:abc",
	    "phases=expression",
	    "phases=expression:40000;paused:40000",
	    "history=1:2:3",
	    "history=0:2:3:4:5:0",
	    "history=1:2:3:4:5:8",
	    "history=1:2:x:4:5:0",
	    "history=1:2:3:4:5000:0",
	    "history=2:2:3:4:5:0;1:2:3:4:5:0",
	    "history=3:2:3:4:5:0\nfirst_session_id=3",
	    "suction=12",
	    "battery=150",
	    "clock=maybe",
	    "repeat=0",
	    "max_suction=300",
	};

	lactd_test_emu_refuses("opp", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module ------------------------------------------------------ */

typedef struct {
	gboolean is_read;
	char *uuid;
	GBytes *data;
} Op;

static void
op_free(gpointer p)
{
	Op *op = p;

	g_free(op->uuid);
	if (op->data != NULL)
		g_bytes_unref(op->data);
	g_free(op);
}

/* The recording host: one device (dev is NULL), everything it is asked to do
 * logged as text, reads and writes queued as a real host queues them. */
typedef struct {
	const LactdPluginDesc *desc;
	GPtrArray *log;	    /* "read UUID", "subscribe UUID", "write UUID HEX", "reject", "log" */
	GArray *readings;   /* every LactdReading emitted */
	GPtrArray *pending; /* Op: reads and writes not yet carried out */
	guint records;
	gint fail_record;   /* the nth record's emit fails (1-based), 0: none */
	guint8 state[256];
	guint32 last;
	LactdEmu *emu;	    /* when set, reads and writes go to the emulated pump */
} Host;

static Host host_data;

static const char *
h_address(LactdDevice *dev)
{
	return "C0:FF:EE:00:00:01";
}

static void *
h_state(LactdDevice *dev)
{
	return host_data.state;
}

static int
h_subscribe(LactdDevice *dev, const char *uuid)
{
	g_ptr_array_add(host_data.log, g_strdup_printf("subscribe %s", uuid));
	if (host_data.emu != NULL)
		lactd_emu_set_subscribed(host_data.emu, uuid, TRUE);
	return 0;
}

static int
h_read(LactdDevice *dev, const char *uuid)
{
	Op *op = g_new0(Op, 1);

	g_ptr_array_add(host_data.log, g_strdup_printf("read %s", uuid));
	op->is_read = TRUE;
	op->uuid = g_strdup(uuid);
	g_ptr_array_add(host_data.pending, op);
	return 0;
}

static int
h_write(LactdDevice *dev, const char *uuid, const uint8_t *data, size_t len, bool resp)
{
	Op *op = g_new0(Op, 1);
	GString *s = g_string_new(NULL);

	g_assert_true(resp); /* the Control Point is written with response */
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	g_ptr_array_add(host_data.log, g_strdup_printf("write %s %s", uuid, s->str));
	g_string_free(s, TRUE);
	op->uuid = g_strdup(uuid);
	op->data = g_bytes_new(data, len);
	g_ptr_array_add(host_data.pending, op);
	return 0;
}

static int
h_emit(LactdDevice *dev, const LactdReading *r)
{
	g_array_append_val(host_data.readings, *r);
	if (r->type == LACTD_READING_RECORD) {
		host_data.records++;
		if ((gint)host_data.records == host_data.fail_record)
			return -1;
	}
	return 0;
}

static void
h_reject(LactdDevice *dev, const char *reason)
{
	g_assert_nonnull(reason);
	g_ptr_array_add(host_data.log, g_strdup_printf("reject %s", reason));
}

static uint32_t
h_timer_start(LactdDevice *dev, uint32_t interval_ms)
{
	g_assert_not_reached(); /* the profile needs no heartbeat */
	return 1;
}

static void
h_timer_stop(LactdDevice *dev, uint32_t timer_id)
{
	g_assert_not_reached();
}

static uint32_t
h_last(LactdDevice *dev)
{
	return host_data.last;
}

static int64_t
h_now(LactdDevice *dev)
{
	return (int64_t)1767100000 * G_USEC_PER_SEC + 999999;
}

static void
h_log(LactdDevice *dev, LactdLogLevel level, const char *msg)
{
	g_ptr_array_add(host_data.log, g_strdup_printf("log %s", msg));
}

static const LactdHost host = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .address = h_address,
    .state = h_state,
    .subscribe = h_subscribe,
    .read = h_read,
    .write = h_write,
    .emit = h_emit,
    .reject = h_reject,
    .timer_start = h_timer_start,
    .timer_stop = h_timer_stop,
    .last_record = h_last,
    .now_us = h_now,
    .log = h_log,
};

/* An emulated pump's notifications go straight to the plugin. */
static void
emu_to_plugin(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	host_data.desc->value(NULL, &host, uuid, data, len, LACTD_VALUE_NOTIFY);
}

/* Carries out the queued reads and writes, one at a time, in order. */
static void
run_pending(void)
{
	while (host_data.pending->len > 0) {
		Op *op = g_ptr_array_steal_index(host_data.pending, 0);

		if (op->is_read) {
			g_autoptr(GBytes) v = host_data.emu->klass->read(host_data.emu, op->uuid,
									 NULL);
			g_assert_nonnull(v);
			host_data.desc->value(NULL, &host, op->uuid, g_bytes_get_data(v, NULL),
					      g_bytes_get_size(v), LACTD_VALUE_READ);
		} else {
			g_autoptr(GError) error = NULL;
			gsize len;
			const guint8 *d = g_bytes_get_data(op->data, &len);

			g_assert_true(host_data.emu->klass->write(host_data.emu, op->uuid, d, len,
								  &error));
		}
		op_free(op);
	}
}

static GModule *plugin_module;

static const LactdPluginDesc *
load_plugin(void)
{
	g_autofree char *path = NULL;
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *desc = NULL;
	gpointer other = NULL;

	if (plugin_module != NULL)
		goto loaded;
	path = g_test_build_filename(G_TEST_BUILT, "plugins", "opp", ".libs", "opp.so", NULL);
	plugin_module = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (plugin_module == NULL)
		g_error("%s: %s (run with G_TEST_BUILDDIR at the top of the build tree)", path,
			g_module_error());
loaded:
	g_assert_true(g_module_symbol(plugin_module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(plugin_module, "lactd_plugin_desc", (gpointer *)&desc));
	/* Nothing else is exported. */
	g_assert_false(g_module_symbol(plugin_module, "opp_parse", &other));
	g_assert_false(g_module_symbol(plugin_module, "opp_parse_response", &other));
	return *desc;
}

static void
host_reset(guint32 last, gint fail_record)
{
	memset(&host_data, 0, sizeof(host_data));
	host_data.desc = load_plugin();
	host_data.log = g_ptr_array_new_with_free_func(g_free);
	host_data.readings = g_array_new(FALSE, FALSE, sizeof(LactdReading));
	host_data.pending = g_ptr_array_new_with_free_func(op_free);
	host_data.last = last;
	host_data.fail_record = fail_record;
}

static void
host_clear(void)
{
	if (host_data.desc->detach != NULL)
		host_data.desc->detach(NULL, &host);
	g_ptr_array_unref(host_data.log);
	g_array_unref(host_data.readings);
	g_ptr_array_unref(host_data.pending);
}

static void
deliver(const char *uuid, const guint8 *d, gsize len)
{
	host_data.desc->value(NULL, &host, uuid, d, len, LACTD_VALUE_NOTIFY);
}

static void
deliver_response(guint8 request, guint8 result, guint16 count)
{
	guint8 buf[5];
	gsize n = opp_encode_response(buf, request, result, count);

	deliver(OPP_CONTROL, buf, n);
}

static void
deliver_record(guint32 id)
{
	guint8 buf[OPP_RECORD_LEN];
	OppRecord r = {.id = id, .start = 1767000000 + id, .duration = 600, .left = 100,
		       .right = 90, .flags = 1};

	opp_encode_record(buf, &r);
	deliver(OPP_RECORD, buf, sizeof(buf));
}

static void
deliver_status(guint8 state, guint32 session)
{
	guint8 buf[OPP_STATUS_LEN];

	opp_encode_status(buf, state, session, 30, state ? 3 : 0, 90);
	deliver(OPP_STATUS, buf, sizeof(buf));
}

static guint
count_prefix(const char *prefix)
{
	guint n = 0;

	for (guint i = 0; i < host_data.log->len; i++)
		n += g_str_has_prefix(g_ptr_array_index(host_data.log, i), prefix);
	return n;
}

static const char *
log_last(void)
{
	return g_ptr_array_index(host_data.log, host_data.log->len - 1);
}

#define DELETE_PREFIX "write " OPP_CONTROL " 03"

static void
test_module_symbols(void)
{
	const LactdPluginDesc *desc = load_plugin();
	g_autofree void *state = NULL;
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	g_assert_cmpuint(desc->abi_version, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_cmpstr(desc->name, ==, "opp");
	g_assert_cmpint(desc->kind, ==, LACTD_KIND_PUMP);
	g_assert_cmpstr(desc->service_uuids[0], ==, "df840001-84b3-444b-a8f5-c3bc3142a562");
	g_assert_null(desc->service_uuids[1]);
	g_assert_nonnull(desc->attach);
	g_assert_nonnull(desc->value);
	g_assert_nonnull(desc->parse);
	g_assert_cmpuint(desc->state_size, >=, sizeof(OppParseState));
	g_assert_cmpuint(desc->state_size, <=, sizeof(host_data.state));

	/* The descriptor's parse over zeroed per-device state, as the host
	 * and the replay tool call it. */
	state = g_malloc0(desc->state_size);
	g_assert_cmpint(desc->parse(state, OPP_FEATURE, feature_full, 3, r, LACTD_READINGS_MAX,
				    &reason),
			==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_FEATURES);
	g_assert_cmpint(desc->parse(state, OPP_FEATURE, feature_full, 2, r, LACTD_READINGS_MAX,
				    &reason),
			==, -1);
	g_assert_nonnull(reason);
}

static void
test_module_host_procedure(void)
{
	const char *expected[] = {
	    "read " OPP_FEATURE,
	    "subscribe " OPP_STATUS,
	    "subscribe " OPP_MEASUREMENT,
	    "subscribe " OPP_RECORD,
	    "subscribe " OPP_CONTROL,
	    /* Set Time: 1767100000.999999 s, whole seconds */
	    "write " OPP_CONTROL " 0160ce5369",
	    /* Request Records after the highest id stored, 0x01020304 */
	    "write " OPP_CONTROL " 0204030201",
	};

	host_reset(0x01020304, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	g_assert_cmpuint(host_data.log->len, ==, G_N_ELEMENTS(expected));
	for (guint i = 0; i < G_N_ELEMENTS(expected); i++)
		g_assert_cmpstr(g_ptr_array_index(host_data.log, i), ==, expected[i]);
	/* The feature value read back becomes a FEATURES reading. */
	host_data.desc->value(NULL, &host, OPP_FEATURE, feature_full, 3, LACTD_VALUE_READ);
	g_assert_cmpuint(host_data.readings->len, ==, 1);
	g_assert_cmpint(g_array_index(host_data.readings, LactdReading, 0).type, ==,
			LACTD_READING_FEATURES);
	host_clear();
}

static void
test_module_sync_deletes(void)
{
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_SET_TIME, OPP_RESULT_SUCCESS, 0);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 3);
	for (guint32 id = 3; id <= 5; id++) {
		/* No delete while announced records are still to come. */
		g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
		deliver_record(id);
		g_assert_cmpuint(host_data.records, ==, id - 2);
	}
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 1);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0305000000");
	deliver_response(OPP_OP_DELETE_RECORDS, OPP_RESULT_SUCCESS, 0);

	/* Later, a live session ends and its record comes unasked: stored,
	 * then deleted on its own. */
	deliver_status(LACTD_PHASE_EXPRESSION, 6);
	deliver_status(0, 0);
	deliver_record(6);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 2);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0306000000");
	g_assert_cmpuint(count_prefix("reject"), ==, 0);
	host_clear();

	/* Nothing announced: nothing to delete, and unasked records are
	 * deleted from then on. */
	host_reset(9, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 0);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	deliver_record(10);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 030a000000");
	host_clear();
}

static void
test_module_sync_emit_fails(void)
{
	for (gint fail = 1; fail <= 3; fail++) {
		host_reset(2, fail);
		g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
		deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 3);
		for (guint32 id = 3; id <= 5; id++)
			deliver_record(id);
		/* Every record was offered to the host; none is deleted. */
		g_assert_cmpuint(host_data.records, ==, 3);
		g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
		g_assert_cmpuint(count_prefix("log "), ==, 1);
		/* Nor any later, on this connection. */
		deliver_record(6);
		g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
		host_clear();
	}

	/* A record the parser refuses counts as not stored. */
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 2);
	deliver_record(3);
	{
		const guint8 bad[OPP_RECORD_LEN] = {4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xf0};

		deliver(OPP_RECORD, bad, sizeof(bad));
	}
	g_assert_cmpuint(count_prefix("reject"), ==, 1);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	host_clear();

	/* An unasked record whose emit fails is not deleted, and from then
	 * on neither is any other. */
	host_reset(0, 1);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 0);
	deliver_record(1);
	deliver_record(2);
	g_assert_cmpuint(host_data.records, ==, 2);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	host_clear();
}

static void
test_module_unasked_during_sync(void)
{
	/* Before the Request Records answer: stored, kept on the pump, since
	 * older records may not have been sent yet. */
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_status(LACTD_PHASE_EXPRESSION, 7);
	deliver_record(7);
	g_assert_cmpuint(host_data.records, ==, 1);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	/* The answer counts it among the stored ones: it comes again. */
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 2);
	deliver_record(3);
	/* Record 7 is the live session's, not one of the two announced. */
	deliver_record(7);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	host_clear();

	/* The live session ends in the middle of a sync: the pump's answer
	 * announced 3 and 4 only, and 8 arrives between them. Counting 8 would
	 * delete 4 before it is stored. */
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_status(LACTD_PHASE_EXPRESSION, 8);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 2);
	deliver_record(3);
	deliver_status(0, 0);
	deliver_record(8);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	deliver_record(4);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 1);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0304000000");
	host_clear();
}

static void
test_module_control_point_errors(void)
{
	const guint8 junk[] = {0x80, 0x02, 0x09};
	const guint8 not_response[] = {0x02, 0x00, 0x00, 0x00, 0x00};

	/* Set Time refused (a pump without a clock): logged, the sync goes on. */
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_SET_TIME, OPP_RESULT_NOT_SUPPORTED, 0);
	g_assert_cmpuint(count_prefix("log "), ==, 1);
	g_assert_nonnull(strstr(log_last(), "0x01"));
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 1);
	deliver_record(3);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0303000000");
	/* Delete Records failing is logged too; nothing else happens. */
	deliver_response(OPP_OP_DELETE_RECORDS, OPP_RESULT_FAILED, 0);
	g_assert_cmpuint(count_prefix("log "), ==, 2);
	/* Garbage on the Control Point is refused through the host. */
	deliver(OPP_CONTROL, junk, sizeof(junk));
	deliver(OPP_CONTROL, not_response, sizeof(not_response));
	g_assert_cmpuint(count_prefix("reject"), ==, 2);
	/* A second count on the same connection cannot be trusted. */
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 1);
	g_assert_cmpuint(count_prefix("reject"), ==, 3);
	deliver_record(4);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 1);
	host_clear();

	/* Request Records refused: records that come unasked are stored but
	 * never deleted, since older ones may not have been sent. */
	host_reset(2, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	deliver_response(OPP_OP_REQUEST_RECORDS, OPP_RESULT_FAILED, 0);
	g_assert_cmpuint(count_prefix("log "), ==, 1);
	deliver_record(5);
	g_assert_cmpuint(host_data.records, ==, 1);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 0);
	host_clear();
}

static void
test_module_live_values(void)
{
	const guint8 bad_status[] = {9, 9, 9};
	guint8 m[OPP_MEASUREMENT_LEN];
	guint n;

	host_reset(0, 0);
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	host_data.desc->value(NULL, &host, OPP_FEATURE, feature_full, 3, LACTD_VALUE_READ);
	deliver_status(LACTD_PHASE_EXPRESSION, 4);
	/* features, then phase, suction and battery */
	g_assert_cmpuint(host_data.readings->len, ==, 4);
	opp_encode_measurement(m, 4, 0, 10, 50, 40);
	deliver(OPP_MEASUREMENT, m, sizeof(m));
	opp_encode_measurement(m, 4, 1, 11, 49, 45);
	deliver(OPP_MEASUREMENT, m, sizeof(m));
	deliver(OPP_STATUS, bad_status, sizeof(bad_status));
	n = host_data.readings->len;
	g_assert_cmpuint(n, ==, 5);
	g_assert_cmpfloat(g_array_index(host_data.readings, LactdReading, 4).volume.left_ml, ==,
			  5.0);
	g_assert_cmpuint(count_prefix("reject"), ==, 2);
	host_clear();
}

/* The plugin and the emulated pump together, through the queued host. */
static void
test_module_with_emulator(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	double last_l = 0, last_r = 0;
	guint records = 0;
	OppResponse resp;

	host_reset(0, 0);
	host_data.emu = make_emu_full("history=1:1767000000:1100:50.5:40:1;2:1767010000:1000:20:25:1;"
				      "3:0:900:10:12:6\nleft_ml=62.4\nright_ml=48.0\nstart_at=60\n",
				      sent, FALSE);
	lactd_emu_set_link(host_data.emu, TRUE);
	host_data.emu->notify = emu_to_plugin;
	g_assert_cmpint(host_data.desc->attach(NULL, &host), ==, 0);
	run_pending();
	/* The three stored records came, then the plugin deleted up to 3. */
	g_assert_cmpuint(host_data.records, ==, 3);
	g_assert_cmpuint(count_prefix(DELETE_PREFIX), ==, 1);
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0303000000");
	g_assert_cmpuint(count_prefix("reject"), ==, 0);
	g_assert_cmpuint(count_prefix("log "), ==, 0);

	/* The live session, id 4, to its end. */
	for (gint64 t = 250; t <= 1400 * 1000; t += 250) {
		lactd_emu_advance_to(host_data.emu, t);
		run_pending();
	}
	g_assert_true(host_data.emu->klass->finished(host_data.emu));
	g_assert_cmpuint(count_prefix("reject"), ==, 0);
	for (guint i = 0; i < host_data.readings->len; i++) {
		const LactdReading *r = &g_array_index(host_data.readings, LactdReading, i);

		if (r->type == LACTD_READING_VOLUME) {
			g_assert_cmpfloat(r->volume.left_ml, >=, last_l);
			g_assert_cmpfloat(r->volume.right_ml, >=, last_r);
			last_l = r->volume.left_ml;
			last_r = r->volume.right_ml;
		} else if (r->type == LACTD_READING_RECORD && r->record.device_session == 4) {
			/* Started 60 s after the pump's clock was set. */
			g_assert_cmpint(r->record.start_us, ==, (gint64)1767100060 * G_USEC_PER_SEC);
			g_assert_cmpuint(r->record.duration_s, ==, 1200);
			g_assert_cmpfloat(r->record.left_ml, ==, 62.4);
			g_assert_cmpfloat(r->record.right_ml, ==, 48.0);
		}
		records += r->type == LACTD_READING_RECORD;
	}
	g_assert_cmpfloat(last_l, ==, 62.4);
	g_assert_cmpfloat(last_r, ==, 48.0);
	g_assert_cmpuint(records, ==, 4);
	/* The unasked record was deleted in turn: the pump holds nothing. */
	g_assert_cmpstr(log_last(), ==, "write " OPP_CONTROL " 0304000000");
	host_data.emu->notify = collect;
	host_data.emu->user_data = sent;
	write_request(host_data.emu, OPP_OP_REQUEST_RECORDS, 0);
	last_response(sent, 0, &resp);
	g_assert_cmpuint(resp.count, ==, 0);

	lactd_emu_free(host_data.emu);
	host_clear();
}

int
main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/opp/parse/feature", test_parse_feature);
	g_test_add_func("/plugin/opp/parse/status", test_parse_status);
	g_test_add_func("/plugin/opp/parse/measurement", test_parse_measurement);
	g_test_add_func("/plugin/opp/parse/record", test_parse_record);
	g_test_add_func("/plugin/opp/parse/response", test_parse_response);
	g_test_add_func("/plugin/opp/parse/requests", test_build_requests);
	g_test_add_func("/plugin/opp/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/opp/parse/longer-values", test_parse_longer_values);
	g_test_add_func("/plugin/opp/parse/refusals-suction", test_parse_refusals_suction);
	g_test_add_func("/plugin/opp/parse/refusals-response", test_parse_refusals_response);
	g_test_add_func("/plugin/opp/parse/decrease", test_parse_decrease);
	g_test_add_func("/plugin/opp/encode/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/opp/encode/decode-request", test_decode_request);
	g_test_add_func("/plugin/opp/emulator/session", test_emulator_session);
	g_test_add_func("/plugin/opp/emulator/deterministic", test_emulator_deterministic);
	g_test_add_func("/plugin/opp/emulator/control-point", test_emulator_control_point);
	g_test_add_func("/plugin/opp/emulator/no-clock-single-side",
			test_emulator_no_clock_single_side);
	g_test_add_func("/plugin/opp/emulator/link-loss", test_emulator_link_loss);
	g_test_add_func("/plugin/opp/emulator/end-while-away", test_emulator_end_while_away);
	g_test_add_func("/plugin/opp/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/opp/module/symbols", test_module_symbols);
	g_test_add_func("/plugin/opp/module/host-procedure", test_module_host_procedure);
	g_test_add_func("/plugin/opp/module/sync-deletes", test_module_sync_deletes);
	g_test_add_func("/plugin/opp/module/sync-emit-fails", test_module_sync_emit_fails);
	g_test_add_func("/plugin/opp/module/unasked-during-sync", test_module_unasked_during_sync);
	g_test_add_func("/plugin/opp/module/control-point-errors",
			test_module_control_point_errors);
	g_test_add_func("/plugin/opp/module/live-values", test_module_live_values);
	g_test_add_func("/plugin/opp/module/with-emulator", test_module_with_emulator);
	ret = g_test_run();
	if (plugin_module != NULL)
		g_module_close(plugin_module);
	return ret;
}
