/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile tests: the emulated pump through whole scenarios, its
 * Control Point and its refusals, and the collecting of its notifications
 * that the module tests share.
 */
#include "config.h"

#include "test-opp.h"

typedef struct {
	char *uuid;
	GBytes *value;
	gint64 sim_ms;
} Sent;

void
sent_free(gpointer p)
{
	Sent *s = p;

	g_free(s->uuid);
	g_bytes_unref(s->value);
	g_free(s);
}

void
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

LactdEmu *
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

void
last_response(GPtrArray *sent, guint back, OppResponse *resp)
{
	const char *reason = NULL;
	gsize len;
	const guint8 *d = sent_data(sent, sent->len - 1 - back, &len);

	g_assert_cmpstr(sent_uuid(sent, sent->len - 1 - back), ==, OPP_CONTROL);
	g_assert_true(opp_parse_response(d, len, resp, &reason));
}

void
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

void
add_emulator_tests(void)
{
	g_test_add_func("/plugin/opp/emulator/session", test_emulator_session);
	g_test_add_func("/plugin/opp/emulator/deterministic", test_emulator_deterministic);
	g_test_add_func("/plugin/opp/emulator/control-point", test_emulator_control_point);
	g_test_add_func("/plugin/opp/emulator/no-clock-single-side",
			test_emulator_no_clock_single_side);
	g_test_add_func("/plugin/opp/emulator/link-loss", test_emulator_link_loss);
	g_test_add_func("/plugin/opp/emulator/end-while-away", test_emulator_end_while_away);
	g_test_add_func("/plugin/opp/emulator/bad-scenario", test_emulator_bad_scenario);
}
