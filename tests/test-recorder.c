/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The recorder's cap on the events of one capture, with a real store and
 * Manager1 on a private bus and no BlueZ: a capture resumed from the store
 * is filled with marks (which count as events like any value) until it
 * stops itself; imports are held to the same cap.
 */
#include "config.h"

#include <string.h>

#include "lactd-api.h"
#include "lactd-manager-capture.h"
#include "lactd-config.h"
#include "lactd-recorder.h"
#include "lactd-recstore.h"
#include "lactd-store.h"
#include "lactd-test.h"

#define ADDR "C0:FF:EE:00:00:09"
#define CAP 5

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *server; /* where Manager1 is exported */
	GDBusConnection *client;
	LactdStore *store;
	LactdConfig *config;
	LactdApi *api;
	LactdRecorder *rec;
	LactdManagerCapture *mc; /* its Manager1 methods */
	GPtrArray *changed; /* addresses the recorder told the host of */
} Fixture;

static gboolean
host_lookup(gpointer user_data, const char *address, LactdRecorderDevice *out)
{
	return FALSE;
}

static void
host_changed(gpointer user_data, const char *address)
{
	Fixture *f = user_data;

	g_ptr_array_add(f->changed, g_strdup(address));
}

static const LactdRecorderHost host = {host_lookup, host_changed};

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;

	f->bus = lactd_test_bus_new();
	f->server = lactd_test_bus_connect(f->bus);
	f->client = lactd_test_bus_connect(f->bus);
	path = g_build_filename(lactd_test_bus_tmpdir(f->bus), "recorder.db", NULL);
	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	f->config = lactd_config_new_default();
	f->api = lactd_api_new(f->server, f->store, f->config, &error);
	g_assert_no_error(error);
	f->changed = g_ptr_array_new_with_free_func(g_free);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->mc, lactd_manager_capture_free);
	g_clear_pointer(&f->rec, lactd_recorder_free);
	lactd_api_free(f->api);
	lactd_store_close(f->store);
	lactd_config_free(f->config);
	g_ptr_array_unref(f->changed);
	g_object_unref(f->client);
	g_object_unref(f->server);
	lactd_test_bus_free(f->bus);
}

typedef struct {
	GVariant *reply;
	GError *error;
	gboolean done;
} Call;

static void
call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Call *c = user_data;

	c->reply = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &c->error);
	c->done = TRUE;
}

static gboolean
call_is_done(gpointer user_data)
{
	return ((Call *)user_data)->done;
}

/* A Manager1 call from the client connection; the handler runs in this
 * thread's main context, so the call is asynchronous and waited for. */
static GVariant *
call(Fixture *f, const char *method, GVariant *args, GError **error)
{
	Call c = {0};

	g_dbus_connection_call(f->client, g_dbus_connection_get_unique_name(f->server),
			       "/org/lactd", "org.lactd.Manager1", method, args, NULL,
			       G_DBUS_CALL_FLAGS_NONE, 60000, NULL, call_done, &c);
	g_assert_true(lactd_test_wait_for(call_is_done, &c, 70000));
	if (c.error != NULL)
		g_propagate_error(error, c.error);
	return c.reply;
}

static void
expect_invalid(GError *error, const char *part)
{
	g_autofree char *remote = NULL;

	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.InvalidArgs");
	if (strstr(error->message, part) == NULL)
		g_error("'%s' not in '%s'", part, error->message);
}

/* A capture left running by a previous lactd, with @events marks in it. */
static guint64
running_capture(Fixture *f, const char *address, guint events)
{
	g_autoptr(GError) error = NULL;
	LactdRecInfo info = {
	    .address = (char *)address,
	    .name = (char *)"Counter",
	    .source = (char *)"lactd",
	    .start_us = g_get_real_time(),
	};

	g_assert_true(lactd_recstore_add(f->store, &info, &error));
	g_assert_no_error(error);
	for (guint i = 0; i < events; i++) {
		LactdRecEvent ev = {.time_us = info.start_us + i, .kind = LACTD_REC_MARK,
				    .text = (char *)"earlier"};
		g_assert_true(lactd_recstore_add_event(f->store, info.id, &ev, &error));
		g_assert_no_error(error);
	}
	return info.id;
}

static void
assert_state(Fixture *f, guint64 id, gboolean active, guint32 events)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = call(f, "GetCapture", g_variant_new("(t)", id), &error);
	g_autoptr(GVariant) info = NULL;
	gboolean got_active = !active;
	guint32 got_events = 0;
	gint64 end = -1;

	g_assert_no_error(error);
	info = g_variant_get_child_value(r, 0);
	g_assert_true(g_variant_lookup(info, "active", "b", &got_active));
	g_assert_true(g_variant_lookup(info, "events", "u", &got_events));
	g_assert_true(g_variant_lookup(info, "end", "x", &end));
	g_assert_cmpint(got_active, ==, active);
	g_assert_cmpuint(got_events, ==, events);
	if (active)
		g_assert_cmpint(end, ==, 0);
	else
		g_assert_cmpint(end, >, 0);
}

/* The event that reaches the cap is stored, and the capture stops itself:
 * closed in the store, the device let go, later marks refused. */
static void
test_cap_marks(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	guint64 id = running_capture(f, ADDR, 2);

	f->rec = lactd_recorder_new_full(f->store, &host, f, CAP);
	f->mc = lactd_manager_capture_new(f->api, f->rec);
	assert_state(f, id, TRUE, 2);
	for (guint i = 3; i <= CAP; i++) {
		g_autofree char *text = g_strdup_printf("mark %u", i);
		g_autoptr(GVariant) r = call(f, "MarkCapture", g_variant_new("(ts)", id, text),
					     &error);
		g_assert_no_error(error);
		g_assert_nonnull(r);
		if (i < CAP) {
			assert_state(f, id, TRUE, i);
			g_assert_cmpuint(f->changed->len, ==, 0);
		}
	}
	assert_state(f, id, FALSE, CAP);
	g_assert_cmpuint(f->changed->len, ==, 1);
	g_assert_cmpstr(f->changed->pdata[0], ==, ADDR);
	{
		g_autoptr(GVariant) r = call(f, "MarkCapture", g_variant_new("(ts)", id, "late"),
					     &error);
		g_assert_null(r);
		expect_invalid(error, "not running");
		g_clear_error(&error);
	}
	assert_state(f, id, FALSE, CAP);
	/* The last mark is the one that filled it. */
	{
		g_autoptr(GVariant) r = call(f, "GetCapture", g_variant_new("(t)", id), &error);
		g_autoptr(GVariant) events = g_variant_get_child_value(r, 2);
		const char *text;

		g_variant_get_child(events, CAP - 1, "(x&s&sq@ay&s)", NULL, NULL, NULL, NULL, NULL,
				    &text);
		g_assert_cmpstr(text, ==, "mark 5");
	}
}

/* A capture already full when lactd starts (killed between its last event
 * and its close) is closed at once instead of waiting for its device. */
static void
test_cap_resume_full(Fixture *f, gconstpointer data)
{
	guint64 full = running_capture(f, ADDR, CAP);
	guint64 room = running_capture(f, "C0:FF:EE:00:00:0A", CAP - 1);

	f->rec = lactd_recorder_new_full(f->store, &host, f, CAP);
	f->mc = lactd_manager_capture_new(f->api, f->rec);
	assert_state(f, full, FALSE, CAP);
	assert_state(f, room, TRUE, CAP - 1);
	g_assert_false(lactd_recorder_wants(f->rec, ADDR));
	g_assert_true(lactd_recorder_wants(f->rec, "C0:FF:EE:00:00:0A"));
}

static GVariant *
import_args(guint n)
{
	GVariantBuilder ib, eb;
	const gint64 start = 1700000000000000;

	g_variant_builder_init(&ib, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&ib, "{sv}", "source", g_variant_new_string("test"));
	g_variant_builder_add(&ib, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&ib, "{sv}", "end", g_variant_new_int64(start + n));
	g_variant_builder_init(&eb, G_VARIANT_TYPE("a(xssqays)"));
	for (guint i = 0; i < n; i++)
		g_variant_builder_add(&eb, "(xssq@ays)", start + i, "notify", "", (guint16)0x12,
				      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, "", 0, 1), "");
	return g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))", g_variant_builder_end(&ib),
			     g_variant_new_array(G_VARIANT_TYPE("(ssqs)"), NULL, 0),
			     g_variant_builder_end(&eb));
}

static guint
n_captures(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = call(f, "ListCaptures", NULL, &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	return (guint)g_variant_n_children(list);
}

/* An import holds no more than a recording may. */
static void
test_cap_import(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ok = NULL;
	g_autoptr(GVariant) refused = NULL;
	guint64 id = 0;

	f->rec = lactd_recorder_new_full(f->store, &host, f, CAP);
	f->mc = lactd_manager_capture_new(f->api, f->rec);
	ok = call(f, "ImportCapture", import_args(CAP), &error);
	g_assert_no_error(error);
	g_variant_get(ok, "(t)", &id);
	assert_state(f, id, FALSE, CAP);
	refused = call(f, "ImportCapture", import_args(CAP + 1), &error);
	g_assert_null(refused);
	expect_invalid(error, "events: 6, more than the 5 a capture may hold");
	g_assert_cmpuint(n_captures(f), ==, 1);
}

/* lactd's own cap, as lactd-devices makes the recorder: 200000. */
static void
test_cap_default(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) refused = NULL;

	f->rec = lactd_recorder_new(f->store, &host, f);
	f->mc = lactd_manager_capture_new(f->api, f->rec);
	refused = call(f, "ImportCapture", import_args(LACTD_REC_MAX_EVENTS + 1), &error);
	g_assert_null(refused);
	expect_invalid(error, "events: 200001, more than the 200000 a capture may hold");
	g_assert_cmpuint(n_captures(f), ==, 0);
}

/* Enough 512-byte values to take more than LACTD_REC_MAX_REPLY. */
#define LARGE_EVENTS 33000

/* A capture too large for one reply: GetCapture refuses it, naming
 * GetCapturePage, which hands out all of it in pages. Stored directly: an
 * ImportCapture this size would come near the bus's own limit. */
static void
test_get_too_large(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) chars = g_ptr_array_new();
	g_autoptr(GPtrArray) events =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_event_free);
	LactdRecInfo info = {
	    .address = (char *)ADDR,
	    .name = (char *)"Large",
	    .source = (char *)"test",
	    .start_us = 1700000000000000,
	    .end_us = 1700000000000000 + LARGE_EVENTS,
	};
	guint8 value[LACTD_REC_MAX_VALUE];
	guint64 bytes = 0;
	guint got = 0;

	for (guint i = 0; i < LARGE_EVENTS; i++) {
		LactdRecEvent *e = g_new0(LactdRecEvent, 1);

		memset(value, (int)(i & 0xff), sizeof(value));
		e->time_us = info.start_us + i;
		e->kind = LACTD_REC_NOTIFY;
		e->uuid = g_strdup("8a2f0002-6c61-6374-6400-00000000c0de");
		e->handle = 0x12;
		e->value = g_bytes_new(value, sizeof(value));
		g_ptr_array_add(events, e);
	}
	g_assert_true(lactd_recstore_import(f->store, &info, chars, events, &error));
	g_assert_no_error(error);
	g_assert_true(lactd_recstore_events_bytes(f->store, info.id, &bytes, &error));
	g_assert_cmpuint(bytes, >, LACTD_REC_MAX_REPLY);
	g_assert_cmpuint(bytes, <, 2 * LACTD_REC_MAX_REPLY);
	f->rec = lactd_recorder_new(f->store, &host, f);
	f->mc = lactd_manager_capture_new(f->api, f->rec);

	{
		g_autoptr(GVariant) r = call(f, "GetCapture", g_variant_new("(t)", info.id), &error);

		g_assert_null(r);
		expect_invalid(error, "read them with GetCapturePage");
		g_clear_error(&error);
	}
	while (got < LARGE_EVENTS) {
		g_autoptr(GVariant) r = call(f, "GetCapturePage",
					     g_variant_new("(tuu)", info.id, got, (guint32)G_MAXUINT32),
					     &error);
		g_autoptr(GVariant) page = NULL, first = NULL, rinfo = NULL;
		guint32 total = 0;
		gsize len = 0;
		const guint8 *d;

		g_assert_no_error(error);
		rinfo = g_variant_get_child_value(r, 0);
		g_assert_true(g_variant_lookup(rinfo, "events", "u", &total));
		g_assert_cmpuint(total, ==, LARGE_EVENTS);
		page = g_variant_get_child_value(r, 2);
		g_assert_cmpuint(g_variant_n_children(page), ==,
				 MIN(LACTD_REC_PAGE_EVENTS, LARGE_EVENTS - got));
		/* Each page starts where the last one ended. */
		g_variant_get_child(page, 0, "(x&s&sq@ay&s)", NULL, NULL, NULL, NULL, &first, NULL);
		d = g_variant_get_fixed_array(first, &len, 1);
		g_assert_cmpuint(len, ==, LACTD_REC_MAX_VALUE);
		g_assert_cmpuint(d[0], ==, got & 0xff);
		got += (guint)g_variant_n_children(page);
	}
	g_assert_cmpuint(got, ==, LARGE_EVENTS);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/recorder/cap/marks", test_cap_marks);
	ADD("/recorder/cap/resume-full", test_cap_resume_full);
	ADD("/recorder/cap/import", test_cap_import);
	ADD("/recorder/cap/default", test_cap_default);
	ADD("/recorder/get/too-large", test_get_too_large);
	return g_test_run();
}
