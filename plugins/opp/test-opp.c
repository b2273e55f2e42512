/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile: the parser against vectors built field by field from
 * docs/open-pump-profile.md (the profile publishes no sample packets), every
 * refusal, the encoder round trip, the emulator through a whole scenario, and
 * the plugin module's host procedure against a recording LactdHost.
 */
#include "config.h"

#include <gmodule.h>
#include <string.h>

#include "lactd-emu.h"
#include "opp-encode.h"
#include "opp-parse.h"

static int
parse1(OppParseState *st, const char *uuid, const guint8 *d, gsize len, LactdReading *out,
       gsize max, const char **reason)
{
	return opp_parse(st, uuid, d, len, out, max, reason);
}

static void
test_parse_vectors(void)
{
	OppParseState st = {0};
	LactdReading r[8];
	const char *reason = NULL;
	/* flags 0x003f: both channels, volume, suction, records, clock; max suction 9 */
	const guint8 feature[] = {0x3f, 0x00, 0x09};
	/* expression, session 0x01020304, 75 s, suction 4, battery 87 % */
	const guint8 status[] = {0x02, 0x04, 0x03, 0x02, 0x01, 0x4b, 0x00, 0x04, 0x57};
	/* session 7, sequence 3, 300 s, left 62.4 mL (624), right absent */
	const guint8 measurement[] = {0x07, 0, 0, 0, 0x03, 0x00, 0x2c, 0x01, 0x70, 0x02, 0xff, 0xff};
	/* record 9, start 1767220736, 1200 s, left 62.4, right 48.0, ended by user */
	const guint8 record[] = {0x09, 0, 0, 0, 0x00, 0xa6, 0x55, 0x69, 0xb0, 0x04,
				 0x70, 0x02, 0xe0, 0x01, 0x01, 0x00, 0x00};
	int n;

	n = parse1(&st, OPP_FEATURE, feature, sizeof(feature), r, 8, &reason);
	g_assert_cmpint(n, ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_FEATURES);
	g_assert_cmpuint(r[0].features.channels, ==, LACTD_CHANNEL_LEFT | LACTD_CHANNEL_RIGHT);
	g_assert_cmpuint(r[0].features.max_suction, ==, 9);
	g_assert_true(r[0].features.has_clock);

	n = parse1(&st, OPP_STATUS, status, sizeof(status), r, 8, &reason);
	g_assert_cmpint(n, ==, 3);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_PHASE);
	g_assert_cmpint(r[0].phase.phase, ==, LACTD_PHASE_EXPRESSION);
	g_assert_cmpuint(r[0].phase.device_session, ==, 0x01020304);
	g_assert_cmpuint(r[0].phase.elapsed_s, ==, 75);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_SUCTION);
	g_assert_cmpuint(r[1].suction.level, ==, 4);
	g_assert_cmpint(r[2].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(r[2].battery.percent, ==, 87);

	n = parse1(&st, OPP_MEASUREMENT, measurement, sizeof(measurement), r, 8, &reason);
	g_assert_cmpint(n, ==, 1);
	g_assert_cmpuint(r[0].volume.device_session, ==, 7);
	g_assert_cmpuint(r[0].volume.sequence, ==, 3);
	g_assert_cmpuint(r[0].volume.elapsed_s, ==, 300);
	g_assert_cmpuint(r[0].volume.channels, ==, LACTD_CHANNEL_LEFT);
	g_assert_cmpfloat(r[0].volume.left_ml, ==, 62.4);

	n = parse1(&st, OPP_RECORD, record, sizeof(record), r, 8, &reason);
	g_assert_cmpint(n, ==, 1);
	g_assert_cmpuint(r[0].record.device_session, ==, 9);
	g_assert_cmpint(r[0].record.start_us, ==, (gint64)1767220736 * G_USEC_PER_SEC);
	g_assert_cmpuint(r[0].record.duration_s, ==, 1200);
	g_assert_cmpfloat(r[0].record.left_ml, ==, 62.4);
	g_assert_cmpfloat(r[0].record.right_ml, ==, 48.0);
	g_assert_cmpuint(r[0].record.flags, ==, LACTD_RECORD_ENDED_BY_USER);

	/* A characteristic the parser does not know: nothing, no refusal. */
	g_assert_cmpint(parse1(&st, LACTD_UUID16("2a19"), feature, 1, r, 8, &reason), ==, 0);
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
	    {"feature reserved bit", OPP_FEATURE, {0x7f, 0, 9}, 3},
	    {"feature no channel", OPP_FEATURE, {0x3c, 0, 9}, 3},
	    {"feature suction without flag", OPP_FEATURE, {0x07, 0, 9}, 3},
	    {"status long", OPP_STATUS, {0}, 10},
	    {"status state 4", OPP_STATUS, {4, 1, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status idle with session", OPP_STATUS, {0, 1, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status active without session", OPP_STATUS, {1, 0, 0, 0, 0, 0, 0, 0, 50}, 9},
	    {"status suction above max", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 10, 50}, 9},
	    {"status battery 101", OPP_STATUS, {1, 1, 0, 0, 0, 0, 0, 1, 101}, 9},
	    {"measurement session 0", OPP_MEASUREMENT, {0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0}, 12},
	    {"measurement no channel", OPP_MEASUREMENT, {1, 0, 0, 0, 1, 0, 1, 0, 0xff, 0xff, 0xff, 0xff}, 12},
	    {"measurement over 1000 mL", OPP_MEASUREMENT, {1, 0, 0, 0, 1, 0, 1, 0, 0x11, 0x27, 0, 0}, 12},
	    {"measurement short", OPP_MEASUREMENT, {1, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1}, 11},
	    {"record short", OPP_RECORD, {1}, 15},
	    {"record session 0", OPP_RECORD, {0}, 17},
	    {"record reserved flag", OPP_RECORD, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0}, 17},
	    {"record reserved byte", OPP_RECORD, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 1}, 17},
	    {"record over 1000 mL", OPP_RECORD, {1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x11, 0x27, 0, 0, 0, 0, 0}, 17},
	};
	const guint8 feature[] = {0x3f, 0x00, 0x09};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		OppParseState st = {0};
		LactdReading r[8];
		const char *reason = NULL;

		/* The pump's features are known, as after the first read. */
		g_assert_cmpint(opp_parse(&st, OPP_FEATURE, feature, 3, r, 8, &reason), ==, 1);
		g_test_message("%s", bad[i].name);
		g_assert_cmpint(opp_parse(&st, bad[i].uuid, bad[i].data, bad[i].len, r, 8, &reason),
				==, -1);
		g_assert_nonnull(reason);
	}
}

static void
test_parse_decrease(void)
{
	OppParseState st = {0};
	LactdReading r[2];
	const char *reason = NULL;
	guint8 m[OPP_MEASUREMENT_LEN];

	opp_encode_measurement(m, 5, 0, 10, 100, 80);
	g_assert_cmpint(opp_parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, 2, &reason), ==, 1);
	opp_encode_measurement(m, 5, 1, 11, 99, 90);
	g_assert_cmpint(opp_parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, 2, &reason), ==, -1);
	g_assert_nonnull(strstr(reason, "decreased"));
	/* The refused value did not become the baseline. */
	opp_encode_measurement(m, 5, 2, 12, 100, 85);
	g_assert_cmpint(opp_parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, 2, &reason), ==, 1);
	/* A new session starts from zero again. */
	opp_encode_measurement(m, 6, 0, 1, 1, 1);
	g_assert_cmpint(opp_parse(&st, OPP_MEASUREMENT, m, sizeof(m), r, 2, &reason), ==, 1);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 500; i++) {
		OppParseState st = {0};
		LactdReading r[4];
		const char *reason = NULL;
		guint8 buf[OPP_RECORD_LEN];
		OppRecord rec = {
		    .id = g_test_rand_int_range(1, G_MAXINT32),
		    .start = (guint32)g_test_rand_int(),
		    .duration = (guint16)g_test_rand_int_range(0, 65536),
		    .left = (guint16)g_test_rand_int_range(0, 10001),
		    .right = g_test_rand_bit() ? OPP_NO_CHANNEL : (guint16)g_test_rand_int_range(0, 10001),
		    .flags = (guint8)g_test_rand_int_range(0, 8),
		};
		guint16 elapsed = (guint16)g_test_rand_int_range(0, 65536);
		guint8 suction = (guint8)g_test_rand_int_range(0, 10);

		opp_encode_record(buf, &rec);
		g_assert_cmpint(opp_parse(&st, OPP_RECORD, buf, OPP_RECORD_LEN, r, 4, &reason), ==, 1);
		g_assert_cmpuint(r[0].record.device_session, ==, rec.id);
		g_assert_cmpint(r[0].record.start_us, ==, (gint64)rec.start * G_USEC_PER_SEC);
		g_assert_cmpuint(r[0].record.duration_s, ==, rec.duration);
		g_assert_cmpfloat(r[0].record.left_ml, ==, rec.left / 10.0);
		g_assert_cmpuint(r[0].record.channels & LACTD_CHANNEL_RIGHT, ==,
				 rec.right == OPP_NO_CHANNEL ? 0 : LACTD_CHANNEL_RIGHT);

		opp_encode_status(buf, 1, rec.id, elapsed, suction, 255);
		g_assert_cmpint(opp_parse(&st, OPP_STATUS, buf, OPP_STATUS_LEN, r, 4, &reason), ==, 2);
		g_assert_cmpuint(r[0].phase.elapsed_s, ==, elapsed);
		g_assert_cmpuint(r[1].suction.level, ==, suction);
	}
}

/* ---- the emulator -------------------------------------------------------- */

typedef struct {
	GPtrArray *uuids;
	GPtrArray *values;
} Sent;

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = user_data;

	g_ptr_array_add(s->uuids, g_strdup(uuid));
	g_ptr_array_add(s->values, g_bytes_new(data, len));
}

static LactdEmu *
make_emu(const char *scenario, Sent *sent)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[device pump]\nemulator=opp\n%s", scenario);
	LactdEmu *emu;
	const char *subs[] = {OPP_STATUS, OPP_MEASUREMENT, OPP_RECORD, OPP_CONTROL};

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, &error));
	emu = lactd_emu_new(kf, "device pump", &error);
	g_assert_no_error(error);
	sent->uuids = g_ptr_array_new_with_free_func(g_free);
	sent->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	emu->notify = collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	for (guint i = 0; i < G_N_ELEMENTS(subs); i++)
		lactd_emu_set_subscribed(emu, subs[i], TRUE);
	return emu;
}

static void
sent_clear(Sent *s)
{
	g_ptr_array_unref(s->uuids);
	g_ptr_array_unref(s->values);
}

static void
test_emulator_session(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu("phases=stimulation:120;expression:1080;idle\n"
					   "left_ml=62.4\nright_ml=48.0\nstart_at=1\n",
					   &sent);
	OppParseState st = {0};
	double last_l = 0, last_r = 0;
	guint measurements = 0, records = 0;
	gboolean saw_expression = FALSE;

	lactd_emu_advance_to(emu, 1300 * 1000);
	g_assert_true(emu->klass->finished(emu));
	for (guint i = 0; i < sent.uuids->len; i++) {
		const char *uuid = g_ptr_array_index(sent.uuids, i);
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent.values, i), &len);
		LactdReading r[4];
		const char *reason = NULL;
		int n = opp_parse(&st, uuid, d, len, r, 4, &reason);

		g_assert_cmpint(n, >=, 0);
		if (n > 0 && r[0].type == LACTD_READING_VOLUME) {
			g_assert_cmpfloat(r[0].volume.left_ml, >=, last_l);
			g_assert_cmpfloat(r[0].volume.right_ml, >=, last_r);
			last_l = r[0].volume.left_ml;
			last_r = r[0].volume.right_ml;
			measurements++;
		} else if (n > 0 && r[0].type == LACTD_READING_PHASE &&
			   r[0].phase.phase == LACTD_PHASE_EXPRESSION) {
			saw_expression = TRUE;
		} else if (n > 0 && r[0].type == LACTD_READING_RECORD) {
			g_assert_cmpfloat(r[0].record.left_ml, ==, 62.4);
			g_assert_cmpfloat(r[0].record.right_ml, ==, 48.0);
			g_assert_cmpuint(r[0].record.duration_s, ==, 1200);
			records++;
		}
	}
	g_assert_true(saw_expression);
	g_assert_cmpfloat(last_l, ==, 62.4);
	g_assert_cmpfloat(last_r, ==, 48.0);
	/* At least one notification each 0.5 mL on the larger side. */
	g_assert_cmpuint(measurements, >=, 100);
	g_assert_cmpuint(records, ==, 1);
	sent_clear(&sent);
}

static void
test_emulator_control_point(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu("history=3:1767000000:1100:50.5:40:1;"
					   "4:1767010000:1000:20:25:1;5:0:900:10:12:3\n"
					   "start_at=86000\n",
					   &sent);
	g_autoptr(GError) error = NULL;
	guint8 req[5];
	OppResponse resp;
	const char *reason = NULL;
	const guint8 *d;
	gsize len;

	opp_build_request(req, OPP_OP_SET_TIME, 1767100000);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 5, &error));
	opp_build_request(req, OPP_OP_REQUEST_RECORDS, 3);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 5, &error));
	/* set time answered, then the count, then the two newer records */
	g_assert_cmpuint(sent.uuids->len, ==, 4);
	d = g_bytes_get_data(g_ptr_array_index(sent.values, 1), &len);
	g_assert_true(opp_parse_response(d, len, &resp, &reason));
	g_assert_cmpuint(resp.request, ==, OPP_OP_REQUEST_RECORDS);
	g_assert_cmpuint(resp.count, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(sent.uuids, 2), ==, OPP_RECORD);
	opp_build_request(req, OPP_OP_DELETE_RECORDS, 4);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 5, &error));
	/* Only record 5 is left on the pump. */
	opp_build_request(req, OPP_OP_REQUEST_RECORDS, 0);
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 5, &error));
	d = g_bytes_get_data(g_ptr_array_index(sent.values, sent.uuids->len - 2), &len);
	g_assert_true(opp_parse_response(d, len, &resp, &reason));
	g_assert_cmpuint(resp.count, ==, 1);
	/* Unknown opcode, bad length. */
	req[0] = 0x09;
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 5, &error));
	d = g_bytes_get_data(g_ptr_array_index(sent.values, sent.uuids->len - 1), &len);
	g_assert_true(opp_parse_response(d, len, &resp, &reason));
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_NOT_SUPPORTED);
	req[0] = OPP_OP_SET_TIME;
	g_assert_true(emu->klass->write(emu, OPP_CONTROL, req, 3, &error));
	d = g_bytes_get_data(g_ptr_array_index(sent.values, sent.uuids->len - 1), &len);
	g_assert_true(opp_parse_response(d, len, &resp, &reason));
	g_assert_cmpuint(resp.result, ==, OPP_RESULT_INVALID);
	sent_clear(&sent);
}

static void
test_emulator_link_loss(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu("left_ml=30\nright_ml=30\n", &sent);
	guint before;

	lactd_emu_advance_to(emu, 400 * 1000);
	before = sent.uuids->len;
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_advance_to(emu, 600 * 1000);
	/* Nothing goes out on a dead link; the session goes on. */
	g_assert_cmpuint(sent.uuids->len, ==, before);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, OPP_MEASUREMENT, TRUE);
	lactd_emu_set_subscribed(emu, OPP_RECORD, TRUE);
	lactd_emu_advance_to(emu, 1300 * 1000);
	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent.uuids->len, >, before);
	sent_clear(&sent);
}

static void
test_emulator_bad_scenario(void)
{
	const char *bad[] = {"colour=red\n", "channels=both\n", "left_ml=2000\n",
			     "phases=pumping:10\n", "history=1:2:3\n", "suction=12\n"};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf("[d]\nemulator=opp\n%s", bad[i]);
		g_autoptr(LactdEmu) emu = NULL;

		g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
		emu = lactd_emu_new(kf, "d", &error);
		g_assert_null(emu);
		g_assert_nonnull(error);
	}
}

/* ---- the plugin's host procedure ------------------------------------------ */

typedef struct {
	GPtrArray *log; /* "read UUID", "subscribe UUID", "write UUID HEX" */
	guint emits;
	guint records;
	gint fail_record; /* the nth record's emit fails (1-based), 0: none */
	guint8 state[256];
	guint32 last;
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
	return 0;
}
static int
h_read(LactdDevice *dev, const char *uuid)
{
	g_ptr_array_add(host_data.log, g_strdup_printf("read %s", uuid));
	return 0;
}
static int
h_write(LactdDevice *dev, const char *uuid, const uint8_t *data, size_t len, bool resp)
{
	g_autofree char *hex = NULL;
	GString *s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	hex = g_string_free(s, FALSE);
	g_ptr_array_add(host_data.log, g_strdup_printf("write %s %s", uuid, hex));
	return 0;
}
static int
h_emit(LactdDevice *dev, const LactdReading *r)
{
	host_data.emits++;
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
	g_ptr_array_add(host_data.log, g_strdup_printf("reject %s", reason));
}
static uint32_t
h_last(LactdDevice *dev)
{
	return host_data.last;
}
static int64_t
h_now(LactdDevice *dev)
{
	return (int64_t)1767100000 * G_USEC_PER_SEC;
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
    .last_record = h_last,
    .now_us = h_now,
    .log = h_log,
};

static const LactdPluginDesc *
load_plugin(GModule **module)
{
	g_autofree char *path = g_test_build_filename(G_TEST_BUILT, "plugins", "opp", ".libs",
						      "opp.so", NULL);
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *desc = NULL;

	*module = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_assert_nonnull(*module);
	g_assert_true(g_module_symbol(*module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(*module, "lactd_plugin_desc", (gpointer *)&desc));
	/* Nothing else is exported. */
	{
		gpointer other = NULL;
		g_assert_false(g_module_symbol(*module, "opp_parse", &other));
	}
	g_assert_cmpstr((*desc)->name, ==, "opp");
	g_assert_cmpuint((*desc)->state_size, <=, sizeof(host_data.state));
	return *desc;
}

static void
deliver(const LactdPluginDesc *desc, const char *uuid, const guint8 *d, gsize len)
{
	desc->value(NULL, &host, uuid, d, len, LACTD_VALUE_NOTIFY);
}

static guint
count_prefix(const char *prefix)
{
	guint n = 0;

	for (guint i = 0; i < host_data.log->len; i++)
		n += g_str_has_prefix(g_ptr_array_index(host_data.log, i), prefix);
	return n;
}

static void
run_sync(const LactdPluginDesc *desc, gint fail_record, guint *deletes)
{
	guint8 buf[OPP_RECORD_LEN];
	guint8 resp[5];
	gsize n;

	memset(&host_data, 0, sizeof(host_data));
	host_data.log = g_ptr_array_new_with_free_func(g_free);
	host_data.last = 2;
	host_data.fail_record = fail_record;
	g_assert_cmpint(desc->attach(NULL, &host), ==, 0);
	/* The host procedure's order: feature read, four subscriptions, set
	 * time, request records from the last one stored. */
	g_assert_cmpstr(g_ptr_array_index(host_data.log, 0), ==, "read " OPP_FEATURE);
	g_assert_cmpstr(g_ptr_array_index(host_data.log, 1), ==, "subscribe " OPP_STATUS);
	g_assert_cmpstr(g_ptr_array_index(host_data.log, 4), ==, "subscribe " OPP_CONTROL);
	g_assert_cmpstr(g_ptr_array_index(host_data.log, 5), ==, "write " OPP_CONTROL " 0160ce5369");
	g_assert_cmpstr(g_ptr_array_index(host_data.log, 6), ==, "write " OPP_CONTROL " 0202000000");

	n = opp_encode_response(resp, OPP_OP_SET_TIME, OPP_RESULT_SUCCESS, 0);
	deliver(desc, OPP_CONTROL, resp, n);
	n = opp_encode_response(resp, OPP_OP_REQUEST_RECORDS, OPP_RESULT_SUCCESS, 3);
	deliver(desc, OPP_CONTROL, resp, n);
	for (guint32 id = 3; id <= 5; id++) {
		OppRecord r = {.id = id, .start = 1767000000 + id, .duration = 600, .left = 100,
			       .right = 90, .flags = 1};
		opp_encode_record(buf, &r);
		/* No delete while records are still arriving. */
		g_assert_cmpuint(count_prefix("write " OPP_CONTROL " 03"), ==, 0);
		deliver(desc, OPP_RECORD, buf, sizeof(buf));
	}
	*deletes = count_prefix("write " OPP_CONTROL " 03");
}

static void
test_plugin_host_procedure(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc = load_plugin(&module);
	guint deletes;

	run_sync(desc, 0, &deletes);
	g_assert_cmpuint(deletes, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(host_data.log, host_data.log->len - 1), ==,
			"write " OPP_CONTROL " 0305000000");
	g_ptr_array_unref(host_data.log);

	/* One record not stored: nothing is deleted. */
	run_sync(desc, 2, &deletes);
	g_assert_cmpuint(deletes, ==, 0);
	g_ptr_array_unref(host_data.log);

	/* Garbage is refused through the host, never emitted. */
	run_sync(desc, 0, &deletes);
	{
		guint before = host_data.emits;
		const guint8 junk[] = {9, 9, 9};
		deliver(desc, OPP_STATUS, junk, sizeof(junk));
		deliver(desc, OPP_CONTROL, junk, sizeof(junk));
		g_assert_cmpuint(host_data.emits, ==, before);
		g_assert_cmpuint(count_prefix("reject"), ==, 2);
	}
	g_ptr_array_unref(host_data.log);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/opp/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/opp/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/opp/parse/decrease", test_parse_decrease);
	g_test_add_func("/plugin/opp/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/opp/emulator/session", test_emulator_session);
	g_test_add_func("/plugin/opp/emulator/control-point", test_emulator_control_point);
	g_test_add_func("/plugin/opp/emulator/link-loss", test_emulator_link_loss);
	g_test_add_func("/plugin/opp/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/opp/module/host-procedure", test_plugin_host_procedure);
	return g_test_run();
}
