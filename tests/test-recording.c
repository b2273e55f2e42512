/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording a device's GATT traffic end to end: the fake BlueZ with the
 * counter emulator (a service no plugin claims) and an Open Pump Profile
 * pump, the real lactd, a real dbus-daemon and SQLite file.
 */
#include "config.h"

#include <string.h>

#include "lactd-test.h"

#define SPEED "60"
#define COUNTER_ADDR "C0:FF:EE:00:00:09"
#define PUMP_ADDR "C0:FF:EE:00:00:01"
#define COUNTER_UUID "8a2f0002-6c61-6374-6400-00000000c0de"
#define INDICATOR_ADDR "C0:FF:EE:00:00:0B"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint ended;
	guint sub;
} Fixture;

static const char devices_conf[] = LACTD_TEST_ADAPTER_CONF
				   "[device counter]\n"
				   "adapter=hci0\n"
				   "address=" COUNTER_ADDR "\n"
				   "name=Counter\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=counter\n"
				   "interval_ms=1000\n\n"
				   "[device stranger]\n"
				   "adapter=hci0\n"
				   "address=C0:FF:EE:00:00:0A\n"
				   "name=Stranger\n"
				   "paired=false\n"
				   "present=true\n"
				   "emulator=counter\n\n"
				   "[device indicator]\n"
				   "adapter=hci0\n"
				   "address=" INDICATOR_ADDR "\n"
				   "name=Indicator\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=counter\n"
				   "indicate=true\n"
				   "interval_ms=1000\n\n"
				   "[device pump]\n"
				   "adapter=hci0\n"
				   "address=" PUMP_ADDR "\n"
				   "name=Open Pump\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=opp\n"
				   "channels=left,right\n"
				   "phases=stimulation:60;expression:240;idle\n"
				   "start_at=2\n"
				   "left_ml=30.0\n"
				   "right_ml=20.0\n\n";

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded"))
		f->ended++;
}

static gboolean
start(Fixture *f)
{
	f->fake = lactd_test_fake_start(f->bus, devices_conf, SPEED);
	if (f->fake == NULL)
		return FALSE;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	return TRUE;
}

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->sub = g_dbus_connection_signal_subscribe(f->c, NULL, "org.lactd.Manager1", NULL,
						    "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
						    on_signal, f, NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->fake, lactd_test_fake_free);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

/* lactd's object for the counter device appears once it has seen BlueZ's. */
static gboolean
device_known(Fixture *f)
{
	return lactd_test_wait_property(f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_09",
					"org.lactd.Device1", "Address", 20000);
}

static guint64
start_capture(Fixture *f, const char *address, gboolean raw, GError **error)
{
	g_autoptr(GVariant) r = lactd_test_call(f->c, "StartCapture",
						g_variant_new("(sb)", address, raw), "(t)", error);
	guint64 id = 0;

	if (r != NULL)
		g_variant_get(r, "(t)", &id);
	return id;
}

static GVariant *
capture_info(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListCaptures", NULL, "(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(list, i);
		guint64 got = 0;

		g_variant_lookup(d, "id", "t", &got);
		if (got == id)
			return g_steal_pointer(&d);
	}
	return NULL;
}

typedef struct {
	Fixture *f;
	guint64 id;
	guint32 events;
} Want;

static gboolean
has_events(gpointer user_data)
{
	Want *w = user_data;
	g_autoptr(GVariant) info = capture_info(w->f, w->id);
	guint32 n = 0;

	return info != NULL && g_variant_lookup(info, "events", "u", &n) && n >= w->events;
}

/* Events of a capture, and how many of a kind with a UUID. */
static GVariant *
get_capture(Fixture *f, guint64 id, GVariant **chars, GVariant **events)
{
	g_autoptr(GError) error = NULL;
	GVariant *r = lactd_test_call(f->c, "GetCapture", g_variant_new("(t)", id),
				      "(a{sv}a(ssqs)a(xssqays))", &error);

	g_assert_no_error(error);
	*chars = g_variant_get_child_value(r, 1);
	*events = g_variant_get_child_value(r, 2);
	return r;
}

static guint
count_kind(GVariant *events, const char *kind, const char *uuid)
{
	guint n = 0;

	for (gsize i = 0; i < g_variant_n_children(events); i++) {
		const char *k, *u;
		g_variant_get_child(events, i, "(x&s&sq@ay&s)", NULL, &k, &u, NULL, NULL, NULL);
		if (g_str_equal(k, kind) && (uuid == NULL || g_str_equal(u, uuid)))
			n++;
	}
	return n;
}

static void
assert_contains(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		g_error("'%s' not in:\n%s", part, text);
}

static void
expect_error(GError *error, const char *name, const char *part)
{
	g_autofree char *remote = NULL;

	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, name);
	if (part != NULL && strstr(error->message, part) == NULL)
		g_error("'%s' not in '%s'", part, error->message);
}

static void
test_counter(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	g_autoptr(GVariant) info = NULL;
	g_autoptr(GVariant) imported = NULL;
	g_autoptr(GVariant) ichars = NULL;
	g_autoptr(GVariant) ievents = NULL;
	g_autoptr(GVariant) r2 = NULL;
	guint64 id, id2 = 0;
	Want w;
	gboolean active = TRUE;
	gint64 end = 0;
	guint marks = 0;

	if (!start(f))
		return;
	g_assert_true(device_known(f));

	id = start_capture(f, COUNTER_ADDR, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(id, >, 0);
	/* A second one of the same device is refused. */
	start_capture(f, COUNTER_ADDR, FALSE, &error);
	expect_error(error, "org.lactd.Error.InvalidArgs", "already");
	g_clear_error(&error);

	/* The read of the counter, the read of the label, and notifications. */
	w = (Want){f, id, 6};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "MarkCapture", g_variant_new("(ts)", (guint64)0, "left shows 40 mL"),
			    NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	/* Stopped: nothing more arrives. */
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	expect_error(error, "org.lactd.Error.InvalidArgs", "not running");
	g_clear_error(&error);

	info = capture_info(f, id);
	g_assert_nonnull(info);
	g_assert_true(g_variant_lookup(info, "active", "b", &active));
	g_assert_false(active);
	g_assert_true(g_variant_lookup(info, "end", "x", &end));
	g_assert_cmpint(end, >, 0);

	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	/* The counter emulator's three characteristics, with flags and service. */
	g_assert_cmpuint(g_variant_n_children(chars), ==, 3);
	{
		const char *uuid, *flags, *svc;
		guint16 handle;
		g_variant_get_child(chars, 0, "(&s&sq&s)", &uuid, &flags, &handle, &svc);
		g_assert_cmpstr(uuid, ==, COUNTER_UUID);
		g_assert_cmpstr(flags, ==, "read,notify");
		g_assert_cmpuint(handle, >, 0);
		g_assert_cmpstr(svc, ==, "8a2f0001-6c61-6374-6400-00000000c0de");
	}
	g_assert_cmpuint(count_kind(events, "read", COUNTER_UUID), ==, 1);
	g_assert_cmpuint(count_kind(events, "read", "8a2f0004-6c61-6374-6400-00000000c0de"), ==, 1);
	g_assert_cmpuint(count_kind(events, "notify", COUNTER_UUID), >=, 3);
	marks = count_kind(events, "mark", NULL);
	g_assert_cmpuint(marks, ==, 1);
	/* The counter counts up by one from notification to notification. */
	{
		guint32 last = 0;
		for (gsize i = 0; i < g_variant_n_children(events); i++) {
			const char *k, *u;
			g_autoptr(GVariant) v = NULL;
			gsize len = 0;
			const guint8 *b;
			guint32 x;

			g_variant_get_child(events, i, "(x&s&sq@ay&s)", NULL, &k, &u, NULL, &v, NULL);
			if (!g_str_equal(k, "notify") || !g_str_equal(u, COUNTER_UUID))
				continue;
			b = g_variant_get_fixed_array(v, &len, 1);
			g_assert_cmpuint(len, ==, 4);
			x = (guint32)b[0] | (guint32)b[1] << 8 | (guint32)b[2] << 16 |
			    (guint32)b[3] << 24;
			if (last != 0)
				g_assert_cmpuint(x, ==, last + 1);
			last = x;
		}
	}

	/* Imported back, it reads the same. */
	{
		g_autoptr(GVariant) rinfo = g_variant_get_child_value(r, 0);
		GVariantBuilder b;
		const char *s;
		gint64 x;

		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_lookup(rinfo, "address", "&s", &s);
		g_variant_builder_add(&b, "{sv}", "address", g_variant_new_string(s));
		g_variant_lookup(rinfo, "name", "&s", &s);
		g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(s));
		g_variant_builder_add(&b, "{sv}", "source", g_variant_new_string("test"));
		g_variant_lookup(rinfo, "start", "x", &x);
		g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(x));
		g_variant_lookup(rinfo, "end", "x", &x);
		g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(x));
		imported = lactd_test_call(f->c, "ImportCapture",
					   g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))",
							 g_variant_builder_end(&b), chars, events),
					   "(t)", &error);
		g_assert_no_error(error);
		g_variant_get(imported, "(t)", &id2);
		g_assert_cmpuint(id2, !=, id);
	}
	r2 = get_capture(f, id2, &ichars, &ievents);
	g_assert_true(g_variant_equal(chars, ichars));
	g_assert_true(g_variant_equal(events, ievents));

	/* lactctl lists both, in JSON too. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		const char *argv[] = {lactctl, "capture", "list", NULL};
		const char *jargv[] = {lactctl, "capture", "list", "--json", NULL};
		const char *bad[] = {lactctl, "capture", "stop", "nonsense", NULL};
		g_autofree char *out = NULL, *err = NULL, *jout = NULL, *jerr = NULL;
		g_autofree char *bout = NULL, *berr = NULL;

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, COUNTER_ADDR));
		g_assert_nonnull(strstr(out, "test"));
		g_assert_cmpint(lactd_test_run(jargv, &jout, &jerr), ==, 0);
		g_assert_nonnull(strstr(jout, "\"address\": \"" COUNTER_ADDR "\"") != NULL
				     ? jout
				     : strstr(jout, "\"address\":\"" COUNTER_ADDR "\""));
		g_assert_cmpint(lactd_test_run(bad, &bout, &berr), ==, 2);
	}

	/* lactctl shows it with its mark and summary, exports it as a capture
	 * file, and imports that file back as an equal capture; a damaged file
	 * is refused with its line named, and a btsnoop log is read too. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *id_s = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_autofree char *file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							 "counter.lactdcap", NULL);
		g_autofree char *bad_file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							     "bad.lactdcap", NULL);
		g_autofree char *snoop = g_test_build_filename(G_TEST_DIST, "client",
							       "fuzzing-btsnoop", "session-h4",
							       NULL);
		const char *show[] = {lactctl, "capture", "show", id_s, NULL};
		const char *export[] = {lactctl, "capture", "export", id_s, file, NULL};
		const char *import[] = {lactctl, "capture", "import", file, NULL};
		const char *import_bad[] = {lactctl, "capture", "import", bad_file, NULL};
		const char *import_snoop[] = {lactctl, "capture", "import", snoop, NULL};
		g_autofree char *out = NULL, *err = NULL, *text = NULL, *bad = NULL;
		g_autoptr(GVariant) lchars = NULL, levents = NULL, lr = NULL, list = NULL;
		guint64 id3 = 0;
		const char *p;

		g_assert_cmpint(lactd_test_run(show, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, COUNTER_UUID));
		g_assert_nonnull(strstr(out, "left shows 40 mL"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(export, &out, &err), ==, 0);
		g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
		g_assert_true(g_str_has_prefix(text, "lactd-capture 1"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(import, &out, &err), ==, 0);
		p = strstr(out, "as capture ");
		g_assert_nonnull(p);
		id3 = g_ascii_strtoull(p + strlen("as capture "), NULL, 10);
		g_assert_cmpuint(id3, >, id);
		lr = get_capture(f, id3, &lchars, &levents);
		g_assert_true(g_variant_equal(chars, lchars));
		g_assert_true(g_variant_equal(events, levents));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		/* The third line damaged: refused, naming it, nothing stored. */
		{
			g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
			g_free(lines[2]);
			lines[2] = g_strdup("this is not a capture line");
			bad = g_strjoinv("\n", lines);
		}
		g_assert_true(g_file_set_contents(bad_file, bad, -1, NULL));
		g_assert_cmpint(lactd_test_run(import_bad, &out, &err), !=, 0);
		g_assert_nonnull(strstr(err, "line 3"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		{
			g_autoptr(GVariant) lc = lactd_test_call(f->c, "ListCaptures", NULL,
								 "(aa{sv})", &error);
			g_assert_no_error(error);
			list = g_variant_get_child_value(lc, 0);
			g_assert_cmpuint(g_variant_n_children(list), ==, 3); /* id, id2, id3 */
		}

		g_assert_cmpint(lactd_test_run(import_snoop, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, "as capture "));
		g_clear_pointer(&r, g_variant_unref);
		r = lactd_test_call(f->c, "DeleteCapture", g_variant_new("(t)", id3), NULL, &error);
		g_assert_no_error(error);
	}

	/* Deleted, it is gone; a running one cannot be. */
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "DeleteCapture", g_variant_new("(t)", id2), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "GetCapture", g_variant_new("(t)", id2), NULL, &error);
	expect_error(error, "org.lactd.Error.NotFound", NULL);
	g_clear_error(&error);
}

static void
test_bad_args(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *method;
		const char *args;
		const char *error;
		const char *part;
	} cases[] = {
	    {"StartCapture", "('nonsense', false)", "InvalidArgs", "address"},
	    {"StartCapture", "('C0:FF:EE:00:00:99', false)", "NotFound", "address"},
	    {"StartCapture", "('C0:FF:EE:00:00:0A', false)", "InvalidArgs", "not paired"},
	    {"StartCapture", "('" PUMP_ADDR "', false)", "InvalidArgs", "opp"},
	    {"StopCapture", "(@t 0,)", "InvalidArgs", "id"},
	    {"StopCapture", "(@t 77,)", "InvalidArgs", "id"},
	    {"MarkCapture", "(@t 0, '')", "InvalidArgs", "text"},
	    {"MarkCapture", "(@t 0, 'x')", "InvalidArgs", "id"},
	    {"GetCapture", "(@t 77,)", "NotFound", NULL},
	    {"DeleteCapture", "(@t 77,)", "NotFound", NULL},
	    {"ImportCapture", "({'bogus': <1>}, @a(ssqs) [], @a(xssqays) [])", "InvalidArgs",
	     "info.bogus"},
	    {"ImportCapture", "({'source': <1>}, @a(ssqs) [], @a(xssqays) [])", "InvalidArgs",
	     "info.source"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 5>}, @a(ssqs) [], "
			      "@a(xssqays) [])",
	     "InvalidArgs", "info.end"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>, 'address': "
			      "<'zz'>}, @a(ssqs) [], @a(xssqays) [])",
	     "InvalidArgs", "info.address"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "[('180f', '', @q 0, '')], @a(xssqays) [])",
	     "InvalidArgs", "characteristics[0].uuid"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'shout', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].kind"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 30, 'notify', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].time"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'mark', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].text"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'notify', '', @q 0, @ay [], 'hi')])",
	     "InvalidArgs", "events[0].text"},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autofree char *big = NULL;
	GString *s;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GVariant) args = g_variant_parse(NULL, cases[i].args, NULL, NULL, &error);
		g_autofree char *name = g_strconcat("org.lactd.Error.", cases[i].error, NULL);

		g_assert_no_error(error);
		r = lactd_test_call(f->c, cases[i].method, g_steal_pointer(&args), NULL, &error);
		g_assert_null(r);
		expect_error(error, name, cases[i].part);
		g_clear_error(&error);
	}
	/* A value longer than an attribute can be. */
	s = g_string_new("({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, @a(ssqs) [], "
			 "[(@x 12, 'notify', '', @q 0, @ay [");
	for (guint i = 0; i < 513; i++)
		g_string_append(s, i == 0 ? "0" : ",0");
	g_string_append(s, "], '')])");
	big = g_string_free(s, FALSE);
	{
		g_autoptr(GVariant) args = g_variant_parse(NULL, big, NULL, NULL, &error);
		g_assert_no_error(error);
		r = lactd_test_call(f->c, "ImportCapture", g_steal_pointer(&args), NULL, &error);
		expect_error(error, "org.lactd.Error.InvalidArgs", "events[0].value");
		g_clear_error(&error);
	}
	/* Nothing was stored by any of them. */
	r = lactd_test_call(f->c, "ListCaptures", NULL, "(aa{sv})", &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) list = g_variant_get_child_value(r, 0);
		g_assert_cmpuint(g_variant_n_children(list), ==, 0);
	}
}

typedef struct {
	Fixture *f;
	guint n;
} Count;

static gboolean
ended_n(gpointer user_data)
{
	Count *c = user_data;
	return c->f->ended >= c->n;
}

/* The pump's plugin keeps capturing its session while the recording taps
 * what the plugin reads, receives and writes. */
static void
test_raw_pump(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	g_autoptr(GVariant) sessions = NULL;
	Count c = {f, 1};
	guint64 id;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	id = start_capture(f, PUMP_ADDR, TRUE, &error);
	g_assert_no_error(error);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 60000));
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	g_assert_cmpuint(g_variant_n_children(chars), >, 0);
	g_assert_cmpuint(count_kind(events, "notify", NULL) + count_kind(events, "indicate", NULL),
			 >, 0);
	/* The session was captured as usual, with its volumes. */
	sessions = lactd_test_call(f->c, "ListSessions",
				   g_variant_new("(xx)", (gint64)0, G_MAXINT64), "(aa{sv})", &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) list = g_variant_get_child_value(sessions, 0);
		g_autoptr(GVariant) s = NULL;
		double total = 0;

		g_assert_cmpuint(g_variant_n_children(list), ==, 1);
		s = g_variant_get_child_value(list, 0);
		g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
		g_assert_cmpfloat_with_epsilon(total, 50.0, 0.05);
	}
}

/* A characteristic that indicates (and does not notify) is recorded as
 * indications, and shown as such. */
static void
test_indicate(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	guint64 id;
	Want w;

	if (!start(f))
		return;
	g_assert_true(lactd_test_wait_property(f->c, "org.lactd",
					       "/org/lactd/devices/C0_FF_EE_00_00_0B",
					       "org.lactd.Device1", "Address", 20000));
	id = start_capture(f, INDICATOR_ADDR, FALSE, &error);
	g_assert_no_error(error);
	w = (Want){f, id, 5};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	{
		const char *uuid, *flags;
		g_variant_get_child(chars, 0, "(&s&sq&s)", &uuid, &flags, NULL, NULL);
		g_assert_cmpstr(uuid, ==, COUNTER_UUID);
		g_assert_cmpstr(flags, ==, "read,indicate");
	}
	g_assert_cmpuint(count_kind(events, "indicate", COUNTER_UUID), >=, 2);
	g_assert_cmpuint(count_kind(events, "notify", COUNTER_UUID), ==, 0);
	g_assert_cmpuint(count_kind(events, "read", COUNTER_UUID), ==, 1);
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		const char *argv[] = {lactctl, "capture", "show", ids, NULL};
		g_autofree char *out = NULL, *err = NULL;
		g_autofree char *want = g_strdup_printf(
		    ": 0 notify, %u indicate, 1 read, 0 write",
		    count_kind(events, "indicate", COUNTER_UUID));

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		assert_contains(out, "indicate 0x");
		assert_contains(out, want);
	}
}

#define PAGE 10000	/* what GetCapturePage returns at most */
#define BIG_EVENTS 25000 /* two full pages and a half */

/* ImportCapture's arguments for a capture of @n events: a notifying and a
 * written characteristic, values counting up, a mark every 1000. */
static GVariant *
big_capture_args(guint n)
{
	GVariantBuilder ib, cb, eb;
	const gint64 start = 1700000000000000;

	g_variant_builder_init(&ib, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&ib, "{sv}", "address", g_variant_new_string(COUNTER_ADDR));
	g_variant_builder_add(&ib, "{sv}", "name", g_variant_new_string("Big"));
	g_variant_builder_add(&ib, "{sv}", "source", g_variant_new_string("test"));
	g_variant_builder_add(&ib, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&ib, "{sv}", "end", g_variant_new_int64(start + n * 1000));
	g_variant_builder_init(&cb, G_VARIANT_TYPE("a(ssqs)"));
	g_variant_builder_add(&cb, "(ssqs)", COUNTER_UUID, "read,notify", (guint16)0x12, "");
	g_variant_builder_add(&cb, "(ssqs)", "8a2f0003-6c61-6374-6400-00000000c0de", "write",
			      (guint16)0x15, "");
	g_variant_builder_init(&eb, G_VARIANT_TYPE("a(xssqays)"));
	for (guint i = 0; i < n; i++) {
		guint8 v[4] = {i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0x5a};
		g_autofree char *text = g_strdup_printf("mark %u", i);
		gboolean mark = i % 1000 == 999;
		gboolean write = i % 7 == 3;

		g_variant_builder_add(
		    &eb, "(xssq@ays)", start + (gint64)i * 1000,
		    mark ? "mark" : write ? "write" : "notify",
		    mark ? "" : write ? "8a2f0003-6c61-6374-6400-00000000c0de" : COUNTER_UUID,
		    (guint16)(mark ? 0 : write ? 0x15 : 0x12),
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, v, mark ? 0 : 1 + i % 4, 1),
		    mark ? text : "");
	}
	return g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))", g_variant_builder_end(&ib),
			     g_variant_builder_end(&cb), g_variant_builder_end(&eb));
}

static GVariant *
get_page(Fixture *f, guint64 id, guint first, guint max, guint32 *total, GError **error)
{
	g_autoptr(GVariant) r = lactd_test_call(f->c, "GetCapturePage",
						g_variant_new("(tuu)", id, first, max),
						"(a{sv}a(ssqs)a(xssqays))", error);
	g_autoptr(GVariant) info = NULL;

	if (r == NULL)
		return NULL;
	info = g_variant_get_child_value(r, 0);
	g_assert_true(g_variant_lookup(info, "events", "u", total));
	return g_variant_get_child_value(r, 2);
}

/* A capture of more events than one page: GetCapturePage hands it out a
 * page at a time, the pages together are GetCapture's events, and lactctl
 * exports it whole (reading pages) into a file that imports back equal. */
static void
test_pages(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) imported = NULL;
	g_autoptr(GVariant) whole = NULL, chars = NULL, events = NULL;
	GVariantBuilder joined;
	g_autoptr(GVariant) joined_v = NULL;
	guint64 id = 0, id2 = 0;
	guint32 total = 0;

	if (!start(f))
		return;
	/* An import this size takes a while under valgrind. */
	imported = g_dbus_connection_call_sync(f->c, "org.lactd", "/org/lactd",
					       "org.lactd.Manager1", "ImportCapture",
					       big_capture_args(BIG_EVENTS), G_VARIANT_TYPE("(t)"),
					       G_DBUS_CALL_FLAGS_NONE, 300000, NULL, &error);
	g_assert_no_error(error);
	g_variant_get(imported, "(t)", &id);
	whole = get_capture(f, id, &chars, &events);
	g_assert_cmpuint(g_variant_n_children(events), ==, BIG_EVENTS);

	g_variant_builder_init(&joined, G_VARIANT_TYPE("a(xssqays)"));
	for (guint first = 0; first < BIG_EVENTS; first += PAGE) {
		g_autoptr(GVariant) page = get_page(f, id, first, PAGE, &total, &error);

		g_assert_no_error(error);
		g_assert_cmpuint(total, ==, BIG_EVENTS);
		g_assert_cmpuint(g_variant_n_children(page), ==, MIN(PAGE, BIG_EVENTS - first));
		for (gsize i = 0; i < g_variant_n_children(page); i++) {
			g_autoptr(GVariant) ev = g_variant_get_child_value(page, i);
			g_variant_builder_add_value(&joined, ev);
		}
	}
	joined_v = g_variant_ref_sink(g_variant_builder_end(&joined));
	g_assert_true(g_variant_equal(joined_v, events));

	/* More than a page asked: a page given. Past the end: none. */
	{
		g_autoptr(GVariant) page = get_page(f, id, 5, 3 * PAGE, &total, &error);
		g_autoptr(GVariant) ev = NULL, want = NULL;

		g_assert_no_error(error);
		g_assert_cmpuint(g_variant_n_children(page), ==, PAGE);
		ev = g_variant_get_child_value(page, 0);
		want = g_variant_get_child_value(events, 5);
		g_assert_true(g_variant_equal(ev, want));
	}
	{
		g_autoptr(GVariant) page = get_page(f, id, BIG_EVENTS, 10, &total, &error);

		g_assert_no_error(error);
		g_assert_cmpuint(g_variant_n_children(page), ==, 0);
	}
	{
		g_autoptr(GVariant) page = get_page(f, id, 0, 0, &total, &error);

		g_assert_null(page);
		expect_error(error, "org.lactd.Error.InvalidArgs", "max");
		g_clear_error(&error);
	}
	{
		g_autoptr(GVariant) page = get_page(f, id + 100, 0, 10, &total, &error);

		g_assert_null(page);
		expect_error(error, "org.lactd.Error.NotFound", NULL);
		g_clear_error(&error);
	}

	/* lactctl export reads the pages; the file holds every event, and
	 * imports back as the same capture. show counts them all. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *id_s = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_autofree char *file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							 "big.lactdcap", NULL);
		const char *export[] = {lactctl, "capture", "export", id_s, file, NULL};
		const char *import[] = {lactctl, "capture", "import", file, NULL};
		const char *show[] = {lactctl, "capture", "show", id_s, NULL};
		g_autofree char *out = NULL, *err = NULL, *text = NULL;
		g_autoptr(GVariant) r2 = NULL, chars2 = NULL, events2 = NULL;
		const char *p;

		g_assert_cmpint(lactd_test_run(export, &out, &err), ==, 0);
		g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
		assert_contains(text, "events=25000\n");
		assert_contains(text, "mark 24999");
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(import, &out, &err), ==, 0);
		p = strstr(out, "as capture ");
		g_assert_nonnull(p);
		id2 = g_ascii_strtoull(p + strlen("as capture "), NULL, 10);
		g_assert_cmpuint(id2, >, id);
		r2 = get_capture(f, id2, &chars2, &events2);
		g_assert_true(g_variant_equal(chars, chars2));
		g_assert_true(g_variant_equal(events, events2));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(show, &out, &err), ==, 0);
		assert_contains(out, ", 25000 events\n");
		assert_contains(out, "---- mark \"mark 24999\"");
	}
}

/* A capture running when lactd stops goes on after it starts again. */
static void
test_restart(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) info = NULL;
	g_autofree char *db = NULL;
	guint32 before = 0;
	gboolean active = FALSE;
	guint64 id;
	Want w;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	id = start_capture(f, COUNTER_ADDR, FALSE, &error);
	g_assert_no_error(error);
	w = (Want){f, id, 4};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	db = g_strdup(lactd_test_daemon_db_path(f->daemon));
	lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);

	f->daemon = lactd_test_daemon_start(f->bus, db, NULL);
	info = capture_info(f, id);
	g_assert_nonnull(info);
	g_assert_true(g_variant_lookup(info, "active", "b", &active));
	g_assert_true(active);
	g_assert_true(g_variant_lookup(info, "events", "u", &before));
	g_assert_cmpuint(before, >=, 4);
	/* The device comes back: reads and notifications are recorded again. */
	w = (Want){f, id, before + 3};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	{
		g_autoptr(GVariant) r = lactd_test_call(f->c, "StopCapture",
							g_variant_new("(t)", (guint64)0), NULL,
							&error);
		g_assert_no_error(error);
		g_assert_nonnull(r);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/recording/counter", test_counter);
	ADD("/recording/bad-args", test_bad_args);
	ADD("/recording/raw-pump", test_raw_pump);
	ADD("/recording/indicate", test_indicate);
	ADD("/recording/pages", test_pages);
	ADD("/recording/restart", test_restart);
	return g_test_run();
}
