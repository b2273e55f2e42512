/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile tests: the plugin module, loaded with GModule and driven
 * by a recording LactdHost, alone and wired to the emulated pump.
 */
#include "config.h"

#include <string.h>

#include "test-opp.h"

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

GModule *plugin_module;

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

void
add_module_tests(void)
{
	g_test_add_func("/plugin/opp/module/symbols", test_module_symbols);
	g_test_add_func("/plugin/opp/module/host-procedure", test_module_host_procedure);
	g_test_add_func("/plugin/opp/module/sync-deletes", test_module_sync_deletes);
	g_test_add_func("/plugin/opp/module/sync-emit-fails", test_module_sync_emit_fails);
	g_test_add_func("/plugin/opp/module/unasked-during-sync", test_module_unasked_during_sync);
	g_test_add_func("/plugin/opp/module/control-point-errors",
			test_module_control_point_errors);
	g_test_add_func("/plugin/opp/module/live-values", test_module_live_values);
	g_test_add_func("/plugin/opp/module/with-emulator", test_module_with_emulator);
}
