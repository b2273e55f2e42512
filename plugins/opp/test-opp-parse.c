/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile tests: the parser, field by field and refusal by
 * refusal, and the encoder's round trips through it.
 */
#include "config.h"

#include "test-opp.h"

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

void
add_parse_tests(void)
{
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
}
