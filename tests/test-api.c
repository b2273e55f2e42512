/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Manager1 through a real dbus-daemon and the real lactd: good and
 * bad arguments, errors by name, durability across SIGKILL, a second
 * instance refused, a bad config refused.
 */
#include "config.h"

#include <math.h>
#include <signal.h>

#include "lactctl-list.h"
#include "lactd-test.h"

typedef struct {
	LactdTestBus *bus;
	LactdTestDaemon *daemon;
	GDBusConnection *c;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	f->c = lactd_test_bus_connect(f->bus);
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

static GVariant *
session_dict(const char *kind, gint64 start, gint64 end, double left, double right)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string(kind));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(end));
	g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(left));
	g_variant_builder_add(&b, "{sv}", "right_ml", g_variant_new_double(right));
	return g_variant_builder_end(&b);
}

static guint64
add_session(Fixture *f, GVariant *dict)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    lactd_test_call(f->c, "AddSession", g_variant_new("(@a{sv})", dict), "(t)", &error);
	guint64 id;

	g_assert_no_error(error);
	g_variant_get(reply, "(t)", &id);
	g_assert_cmpuint(id, >, 0);
	return id;
}

static guint
count_sessions(GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    lactd_test_call(c, "ListSessions", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
			    "(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(reply, 0);
	return (guint)g_variant_n_children(list);
}

static GVariant *
get_property(GDBusConnection *c, const char *path, const char *iface, const char *name)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	    c, "org.lactd", path, "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", iface, name), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE, 10000,
	    NULL, &error);
	GVariant *value;

	g_assert_no_error(error);
	g_variant_get(reply, "(v)", &value);
	return value;
}

static void
test_api_add_list_get(Fixture *f, gconstpointer data)
{
	gint64 now = g_get_real_time();
	gint64 start = now - 2 * G_TIME_SPAN_HOUR;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) session = NULL;
	g_autoptr(GVariant) version = get_property(f->c, "/org/lactd", "org.lactd.Manager1", "Version");
	g_autoptr(GVariant) state =
	    get_property(f->c, "/org/lactd", "org.lactd.Manager1", "StorageState");
	guint64 id;
	double total;
	const char *source, *kind;

	g_assert_cmpstr(g_variant_get_string(version, NULL), ==, PACKAGE_VERSION);
	g_assert_cmpstr(g_variant_get_string(state, NULL), ==, "ok");

	id = add_session(f, session_dict("pump", start, start + 20 * G_TIME_SPAN_MINUTE, 62.4, 48.0));
	reply = lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);
	g_assert_no_error(error);
	session = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(session, "total_ml", "d", &total));
	g_assert_cmpfloat_with_epsilon(total, 110.4, 1e-9);
	g_assert_true(g_variant_lookup(session, "source", "&s", &source));
	g_assert_cmpstr(source, ==, "manual");
	g_assert_true(g_variant_lookup(session, "kind", "&s", &kind));
	g_assert_cmpstr(kind, ==, "pump");
	g_assert_nonnull(g_variant_lookup_value(session, "samples", G_VARIANT_TYPE("a(xdd)")));
	g_assert_cmpuint(count_sessions(f->c), ==, 1);

	/* A range that ends before the session holds nothing. */
	{
		g_autoptr(GVariant) r = lactd_test_call(
		    f->c, "ListSessions", g_variant_new("(xx)", (gint64)0, start), "(aa{sv})", &error);
		g_autoptr(GVariant) l = g_variant_get_child_value(r, 0);
		g_assert_cmpuint(g_variant_n_children(l), ==, 0);
	}
	/* The object manager answers at /org/lactd. */
	{
		g_autoptr(GVariant) r = g_dbus_connection_call_sync(
		    f->c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.ObjectManager",
		    "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"),
		    G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
		g_assert_no_error(error);
		g_assert_nonnull(r);
	}
}

typedef struct {
	const char *name;
	const char *dict; /* GVariant text */
	const char *field; /* the message must start with it */
} BadCase;

static void
test_api_invalid_args(Fixture *f, gconstpointer data)
{
	gint64 now = g_get_real_time();
	gint64 s = now - G_TIME_SPAN_HOUR;
	gint64 e = s + 20 * G_TIME_SPAN_MINUTE;
	g_autofree char *se = g_strdup_printf("'start': <int64 %" G_GINT64_FORMAT ">, 'end': <int64 %" G_GINT64_FORMAT ">", s, e);
	g_autofree char *future = g_strdup_printf("'start': <int64 %" G_GINT64_FORMAT ">, 'end': <int64 %" G_GINT64_FORMAT ">", now + G_TIME_SPAN_HOUR, now + 2 * G_TIME_SPAN_HOUR);
	g_autofree char *backwards = g_strdup_printf("'start': <int64 %" G_GINT64_FORMAT ">, 'end': <int64 %" G_GINT64_FORMAT ">", e, s);
	const BadCase cases[] = {
	    {"end before start", "{'kind': <'pump'>, %B}", "end"},
	    {"in the future", "{'kind': <'pump'>, %F}", "start"},
	    {"negative", "{'kind': <'pump'>, %S, 'left_ml': <-1.0>}", "left_ml"},
	    {"nan", "{'kind': <'pump'>, %S, 'right_ml': <nan>}", "right_ml"},
	    {"inf", "{'kind': <'pump'>, %S, 'left_ml': <inf>}", "left_ml"},
	    {"over 1000", "{'kind': <'pump'>, %S, 'left_ml': <1000.1>}", "left_ml"},
	    {"unknown kind", "{'kind': <'bottle'>, %S}", "kind"},
	    {"missing kind", "{%S}", "kind"},
	    {"missing end", "{'kind': <'pump'>, 'start': <int64 1>}", "end"},
	    {"wrong type", "{'kind': <'pump'>, %S, 'left_ml': <int32 5>}", "left_ml"},
	    {"unknown key", "{'kind': <'pump'>, %S, 'colour': <'red'>}", "colour"},
	    {"daemon's key", "{'kind': <'pump'>, %S, 'id': <uint64 5>}", "id"},
	    {"supplement without volume", "{'kind': <'supplement'>, %S}", "supplement_ml"},
	    {"bad method", "{'kind': <'supplement'>, %S, 'supplement_ml': <30.0>, 'method': <'hose'>}", "method"},
	    {"bad milk", "{'kind': <'supplement'>, %S, 'supplement_ml': <30.0>, 'milk': <'cow'>}", "milk"},
	    {"seconds too long", "{'kind': <'pump'>, %S, 'left_seconds': <uint32 100000>}", "left_seconds"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GError) parse_error = NULL;
		g_autoptr(GString) text = g_string_new(cases[i].dict);
		g_autoptr(GVariant) dict = NULL;
		g_autoptr(GVariant) reply = NULL;
		g_autofree char *remote = NULL;

		g_string_replace(text, "%S", se, 0);
		g_string_replace(text, "%F", future, 0);
		g_string_replace(text, "%B", backwards, 0);
		dict = g_variant_parse(G_VARIANT_TYPE_VARDICT, text->str, NULL, NULL, &parse_error);
		g_assert_no_error(parse_error);
		reply = lactd_test_call(f->c, "AddSession", g_variant_new("(@a{sv})", dict), "(t)",
					&error);
		g_assert_null(reply);
		g_assert_nonnull(error);
		remote = g_dbus_error_get_remote_error(error);
		g_test_message("%s: %s", cases[i].name, error->message);
		g_assert_cmpstr(remote, ==, "org.lactd.Error.InvalidArgs");
		g_dbus_error_strip_remote_error(error);
		g_assert_true(g_str_has_prefix(error->message, cases[i].field));
	}
	/* Nothing was stored. */
	g_assert_cmpuint(count_sessions(f->c), ==, 0);

	/* A backwards range. */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) r = lactd_test_call(f->c, "ListSessions",
							g_variant_new("(xx)", (gint64)10, (gint64)5),
							"(aa{sv})", &error);
		g_autofree char *remote = NULL;
		g_assert_null(r);
		g_assert_true(g_dbus_error_is_remote_error(error));
		remote = g_dbus_error_get_remote_error(error);
		g_assert_cmpstr(remote, ==, "org.lactd.Error.InvalidArgs");
	}
}

static void
assert_remote(GError *error, const char *name)
{
	g_autofree char *remote = NULL;

	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, name);
}

static void
test_api_update_delete(Fixture *f, gconstpointer data)
{
	gint64 start = g_get_real_time() - 3 * G_TIME_SPAN_HOUR;
	guint64 id = add_session(f, session_dict("hand", start, start + 15 * G_TIME_SPAN_MINUTE, 5, 6));
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) s = NULL;
	double left;
	const char *note;

	reply = lactd_test_call(f->c, "UpdateSession",
				g_variant_new_parsed("(%t, {'left_ml': <7.5>, 'note': <'after the feed'>})", id),
				"()", &error);
	g_assert_no_error(error);
	g_clear_pointer(&reply, g_variant_unref);
	reply = lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);
	s = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_cmpfloat(left, ==, 7.5);
	g_assert_true(g_variant_lookup(s, "note", "&s", &note));
	g_assert_cmpstr(note, ==, "after the feed");
	g_clear_pointer(&reply, g_variant_unref);

	/* A bad update changes nothing. */
	reply = lactd_test_call(f->c, "UpdateSession",
				g_variant_new_parsed("(%t, {'left_ml': <2000.0>, 'note': <'x'>})", id),
				"()", &error);
	assert_remote(error, "org.lactd.Error.InvalidArgs");
	g_clear_error(&error);
	g_clear_pointer(&s, g_variant_unref);
	reply = lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);
	s = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(s, "note", "&s", &note));
	g_assert_cmpstr(note, ==, "after the feed");
	g_clear_pointer(&reply, g_variant_unref);

	reply = lactd_test_call(f->c, "DeleteSession", g_variant_new("(t)", id), "()", &error);
	g_assert_no_error(error);
	g_clear_pointer(&reply, g_variant_unref);
	reply = lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);
	assert_remote(error, "org.lactd.Error.NotFound");
	g_clear_error(&error);
	reply = lactd_test_call(f->c, "DeleteSession", g_variant_new("(t)", id), "()", &error);
	assert_remote(error, "org.lactd.Error.NotFound");
	g_clear_error(&error);
	reply = lactd_test_call(f->c, "UpdateSession",
				g_variant_new_parsed("(%t, @a{sv} {})", (guint64)424242), "()", &error);
	assert_remote(error, "org.lactd.Error.NotFound");
}

static void
test_api_plan(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = lactd_test_call(f->c, "GetPlan", NULL, "(a{sv})", &error);
	g_autoptr(GVariant) plan = g_variant_get_child_value(reply, 0);
	guint32 min, max;
	const char *start;
	const char *bad[] = {
	    "{'sessions_min': <uint32 13>}",	/* above the max of 12 */
	    "{'minutes_max': <uint32 121>}",	/* over 120 */
	    "{'overnight_end': <'00:00'>}",	/* zero-length window */
	    "{'overnight_start': <'25:00'>}", "{'start_date': <'2026-02-30'>}",
	    "{'sessions_min': <5>}",		/* int32, not uint32 */
	};

	g_assert_true(g_variant_lookup(plan, "sessions_min", "u", &min));
	g_assert_true(g_variant_lookup(plan, "sessions_max", "u", &max));
	g_assert_cmpuint(min, ==, 8);
	g_assert_cmpuint(max, ==, 12);
	g_assert_true(g_variant_lookup(plan, "overnight_start", "&s", &start));
	g_assert_cmpstr(start, ==, "00:00");

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GVariant) dict = g_variant_parse(G_VARIANT_TYPE_VARDICT, bad[i], NULL, NULL, NULL);
		g_autoptr(GVariant) r = NULL;
		g_assert_nonnull(dict);
		r = lactd_test_call(f->c, "SetPlan", g_variant_new("(@a{sv})", dict), "()", &error);
		assert_remote(error, "org.lactd.Error.InvalidArgs");
		g_clear_error(&error);
	}
	g_clear_pointer(&reply, g_variant_unref);
	reply = lactd_test_call(f->c, "SetPlan",
				g_variant_new_parsed("({'sessions_min': <uint32 9>, 'start_date': <'2026-11-01'>, 'overnight_start': <'23:00'>, 'overnight_end': <'05:00'>},)"),
				"()", &error);
	g_assert_no_error(error);
	/* Kept across a restart. */
	{
		g_autofree char *db = g_strdup(lactd_test_daemon_db_path(f->daemon));
		lactd_test_daemon_stop(f->daemon);
		lactd_test_daemon_free(f->daemon);
		f->daemon = lactd_test_daemon_start(f->bus, db, NULL);
	}
	g_clear_pointer(&reply, g_variant_unref);
	g_clear_pointer(&plan, g_variant_unref);
	reply = lactd_test_call(f->c, "GetPlan", NULL, "(a{sv})", &error);
	plan = g_variant_get_child_value(reply, 0);
	g_assert_true(g_variant_lookup(plan, "sessions_min", "u", &min));
	g_assert_cmpuint(min, ==, 9);
	g_assert_true(g_variant_lookup(plan, "overnight_start", "&s", &start));
	g_assert_cmpstr(start, ==, "23:00");
}

static void
test_api_summary(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) days = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) yday = g_date_time_add_days(now, -1);
	g_autoptr(GDateTime) y3 = g_date_time_new_local(g_date_time_get_year(yday),
							g_date_time_get_month(yday),
							g_date_time_get_day_of_month(yday), 3, 0, 0);
	g_autoptr(GDateTime) y14 = g_date_time_add_hours(y3, 11);
	gint64 t3 = g_date_time_to_unix(y3) * G_USEC_PER_SEC;
	gint64 t14 = g_date_time_to_unix(y14) * G_USEC_PER_SEC;
	g_autofree char *day = g_date_time_format(y3, "%Y-%m-%d");
	const char *got_day;
	guint32 sessions, minutes;
	gboolean overnight;
	double total, supplement;

	add_session(f, session_dict("pump", t3, t3 + 20 * G_TIME_SPAN_MINUTE, 20, 25));
	add_session(f, session_dict("nursing", t14, t14 + 15 * G_TIME_SPAN_MINUTE, 0, 0));
	add_session(f, g_variant_new_parsed("{'kind': <'supplement'>, 'start': <%x>, 'end': <%x>, "
					    "'supplement_ml': <30.0>, 'method': <'cup'>, 'milk': <'donor'>}",
					    t14, t14));
	reply = lactd_test_call(f->c, "GetDailySummary",
				g_variant_new("(xx)", t3 - 3 * G_TIME_SPAN_HOUR, t14 + G_TIME_SPAN_HOUR),
				"(aa{sv})", &error);
	g_assert_no_error(error);
	days = g_variant_get_child_value(reply, 0);
	g_assert_cmpuint(g_variant_n_children(days), ==, 1);
	{
		g_autoptr(GVariant) d = g_variant_get_child_value(days, 0);
		g_assert_true(g_variant_lookup(d, "day", "&s", &got_day));
		g_assert_cmpstr(got_day, ==, day);
		g_assert_true(g_variant_lookup(d, "sessions", "u", &sessions));
		g_assert_cmpuint(sessions, ==, 2);
		g_assert_true(g_variant_lookup(d, "minutes", "u", &minutes));
		g_assert_cmpuint(minutes, ==, 35);
		g_assert_true(g_variant_lookup(d, "overnight", "b", &overnight));
		g_assert_true(overnight);
		g_assert_true(g_variant_lookup(d, "total_ml", "d", &total));
		g_assert_cmpfloat(total, ==, 45.0);
		g_assert_true(g_variant_lookup(d, "supplement_ml", "d", &supplement));
		g_assert_cmpfloat(supplement, ==, 30.0);
	}
}

static void
test_api_durable_across_sigkill(Fixture *f, gconstpointer data)
{
	gint64 base = g_get_real_time() - 48 * G_TIME_SPAN_HOUR;
	g_autofree char *db = g_strdup(lactd_test_daemon_db_path(f->daemon));
	guint acked = 0;

	for (guint round = 0; round < 5; round++) {
		guint n = (guint)g_test_rand_int_range(1, 20);
		for (guint i = 0; i < n; i++) {
			gint64 s = base + (gint64)acked * G_TIME_SPAN_MINUTE * 30;
			add_session(f, session_dict("pump", s, s + 10 * G_TIME_SPAN_MINUTE, 1, 1));
			acked++;
		}
		/* Every reply received is a promise: kill -9 right after. */
		lactd_test_daemon_kill(f->daemon);
		lactd_test_daemon_free(f->daemon);
		f->daemon = lactd_test_daemon_start(f->bus, db, NULL);
		g_assert_cmpuint(count_sessions(f->c), ==, acked);
	}
}

static void
test_api_second_instance_refused(Fixture *f, gconstpointer data)
{
	g_autofree char *lactd = lactd_test_build_path("daemon", "lactd", NULL);
	g_autofree char *db = g_build_filename(lactd_test_bus_tmpdir(f->bus), "second.db", NULL);
	g_autofree char *dbarg = g_strdup_printf("--database=%s", db);
	const char *argv[] = {lactd, dbarg, "--config=/dev/null", NULL};
	g_autofree char *out = NULL;
	g_autofree char *err = NULL;
	int status = lactd_test_run(argv, &out, &err);

	g_assert_cmpint(status, ==, 1);
	g_assert_nonnull(strstr(err, "already owned"));
	/* The first one is unharmed. */
	g_assert_cmpuint(count_sessions(f->c), ==, 0);
}

static void
test_api_bad_config(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autofree char *lactd = lactd_test_build_path("daemon", "lactd", NULL);
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(bus), "bad.conf", NULL);
	g_autofree char *confarg = g_strdup_printf("--config=%s", conf);
	g_autofree char *db = g_build_filename(lactd_test_bus_tmpdir(bus), "x.db", NULL);
	g_autofree char *dbarg = g_strdup_printf("--database=%s", db);
	const char *argv[] = {lactd, dbarg, confarg, NULL};
	const char *bad_argv[] = {lactd, "--no-such-option", NULL};
	const struct {
		const char *text;
		const char *expect;
	} cases[] = {
	    {"[Capture]\nIdleGap=600\nthis is not a key\n", ":3"},
	    {"[Capture]\nIdleGap=soon\n", "bad.conf:2: IdleGap=soon"},
	    {"[Weighing]\n\nMilkDensity=7\n", "bad.conf:3: MilkDensity=7"},
	    {"[Capture]\nAllowedAddresses=AA:BB;nope\n", "bad.conf:2: AllowedAddresses"},
	    {"[Capture]\n\nAdapters=hci0;usb-dongle\n",
	     "bad.conf:3: Adapters=: 'usb-dongle' is neither an adapter name"},
	    {"[Capture]\nAdapters=hci\n", "bad.conf:2: Adapters=: 'hci'"},
	    {"[Daemon]\nColour=red\n", "bad.conf:2: unknown key Colour"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *out = NULL;
		g_autofree char *err = NULL;
		g_assert_true(g_file_set_contents(conf, cases[i].text, -1, NULL));
		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 1);
		g_test_message("%s", err);
		g_assert_nonnull(strstr(err, cases[i].expect));
	}
	{
		g_autofree char *out = NULL;
		g_autofree char *err = NULL;
		g_assert_cmpint(lactd_test_run(bad_argv, &out, &err), ==, 2);
		g_assert_nonnull(strstr(err, "--no-such-option"));
	}
}

/* ---- ListSessionsColumns: ListSessions' rows, one array per key ------------------- */

static GVariant *
list_columns(Fixture *f, gint64 from, gint64 to, GError **error)
{
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListSessionsColumns",
						g_variant_new("(xx)", from, to), "(a{sv})", error);

	return r != NULL ? g_variant_get_child_value(r, 0) : NULL;
}

static void
test_api_sessions_columns(Fixture *f, gconstpointer data)
{
	gint64 start = g_get_real_time() - 6 * G_TIME_SPAN_HOUR;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) columns = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) ids = NULL;
	guint64 id_hand;

	add_session(f, session_dict("pump", start, start + 20 * G_TIME_SPAN_MINUTE, 62.4, 48.0));
	id_hand = add_session(
	    f, g_variant_new_parsed("{'kind': <'hand'>, 'start': <%x>, 'end': <%x>, "
				    "'left_ml': <12.3>, 'note': <'only the left'>}",
				    start + G_TIME_SPAN_HOUR, start + G_TIME_SPAN_HOUR + 600000000));
	add_session(f, g_variant_new_parsed("{'kind': <'supplement'>, 'start': <%x>, 'end': <%x>, "
					    "'supplement_ml': <30.0>, 'method': <'cup'>, "
					    "'milk': <'donor'>}",
					    start + 2 * G_TIME_SPAN_HOUR,
					    start + 2 * G_TIME_SPAN_HOUR + 300000000));
	add_session(f, g_variant_new_parsed("{'kind': <'nursing'>, 'start': <%x>, 'end': <%x>}",
					    start + 3 * G_TIME_SPAN_HOUR,
					    start + 3 * G_TIME_SPAN_HOUR + 900000000));

	/* The same rows as ListSessions, in the same order, key by key. */
	reply = lactd_test_call(f->c, "ListSessions", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
				"(aa{sv})", &error);
	g_assert_no_error(error);
	rows = g_variant_get_child_value(reply, 0);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 4);
	columns = list_columns(f, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	ids = g_variant_lookup_value(columns, "id", G_VARIANT_TYPE("at"));
	g_assert_nonnull(ids);
	g_assert_cmpuint(g_variant_n_children(ids), ==, 4);
	/* lactctl reads the columns back into ListSessions' dictionaries,
	 * exactly: the same keys in the same order, absent ones absent. */
	{
		g_autoptr(GVariant) rebuilt = lactctl_columns_to_sessions(columns, &error);

		g_assert_no_error(error);
		g_assert_true(g_variant_equal(rebuilt, rows));
	}
	/* The hand session measured the left side only; the pump both; the
	 * nursing session nothing, so it has no weighed_ml. */
	{
		g_autoptr(GVariant) left = g_variant_lookup_value(columns, "left_measured", G_VARIANT_TYPE("ab"));
		g_autoptr(GVariant) right = g_variant_lookup_value(columns, "right_measured", G_VARIANT_TYPE("ab"));
		g_autoptr(GVariant) weighed = g_variant_lookup_value(columns, "weighed_ml:present", G_VARIANT_TYPE("ab"));
		gsize n;
		const guint8 *l = g_variant_get_fixed_array(left, &n, 1);
		const guint8 *r = g_variant_get_fixed_array(right, &n, 1);
		const guint8 *w = g_variant_get_fixed_array(weighed, &n, 1);
		const guint64 *id = g_variant_get_fixed_array(ids, &n, sizeof(guint64));
		g_assert_cmpuint(id[1], ==, id_hand);
		g_assert_true(l[0] && r[0] && l[1] && !r[1]);
		g_assert_false(w[3]);
	}

	/* An empty range: every column, no rows. */
	{
		g_autoptr(GVariant) empty = list_columns(f, 0, start - 1, &error);
		GVariantIter iter;
		GVariant *column;
		guint n_columns = 0;

		g_assert_no_error(error);
		g_variant_iter_init(&iter, empty);
		while (g_variant_iter_loop(&iter, "{&sv}", NULL, &column)) {
			g_assert_true(g_variant_is_of_type(column, G_VARIANT_TYPE_ARRAY));
			g_assert_cmpuint(g_variant_n_children(column), ==, 0);
			n_columns++;
		}
		g_assert_cmpuint(n_columns, ==, g_variant_n_children(columns));
	}

	/* Bad arguments: a backwards range, and arguments of the wrong type. */
	{
		g_autoptr(GVariant) r = list_columns(f, 10, 5, &error);
		g_assert_null(r);
		assert_remote(error, "org.lactd.Error.InvalidArgs");
		g_clear_error(&error);
		r = lactd_test_call(f->c, "ListSessionsColumns", g_variant_new("(tt)", (guint64)0, (guint64)1),
				    "(a{sv})", &error);
		g_assert_null(r);
		assert_remote(error, "org.freedesktop.DBus.Error.InvalidArgs");
		g_clear_error(&error);
		r = lactd_test_call(f->c, "ListSessionsColumns", g_variant_new("(x)", (gint64)0),
				    "(a{sv})", &error);
		g_assert_null(r);
		assert_remote(error, "org.freedesktop.DBus.Error.InvalidArgs");
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/api/session/add-list-get", test_api_add_list_get);
	ADD("/api/session/invalid-args", test_api_invalid_args);
	ADD("/api/session/update-delete", test_api_update_delete);
	ADD("/api/session/columns", test_api_sessions_columns);
	ADD("/api/plan", test_api_plan);
	ADD("/api/summary", test_api_summary);
	ADD("/api/durability/sigkill", test_api_durable_across_sigkill);
	ADD("/api/daemon/second-instance", test_api_second_instance_refused);
	g_test_add_func("/api/daemon/bad-config", test_api_bad_config);
	return g_test_run();
}
