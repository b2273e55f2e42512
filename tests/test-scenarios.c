/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Scenarios of a parent's days, end to end: the fake BlueZ with emulated
 * pumps and scales, the real lactd and plugins on a private bus, a real
 * SQLite file, answers read back over D-Bus (and through lactctl for local
 * days).
 *
 * About time. lactd has no test clock: it stamps what arrives live with the
 * real time, and a pump's Session Record with the pump's own clock, which
 * lactd sets on connecting and then trusts (docs/open-pump-profile.md: a
 * record is authoritative). So a day, or a night months ago, is given the
 * honest way a real pump gives it: as records already stored on the pump
 * (the emulator's history=, with the start times the pump's clock wrote),
 * fetched by lactd when it connects. Sessions pumped live run at the fake's
 * --speed; their own record then carries the pump's accelerated clock, so
 * a 5-minute session ends up to a few minutes after the wall clock. Scale
 * weighings carry no usable time (the SIG Weight Measurement has no zone),
 * so lactd stamps them on receipt; the nursing session around two of them
 * is logged with the same compression as the scale's scenario.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lactd-test.h"

#define SPEED "60"
#define PUMP "C0:FF:EE:00:00:01"
#define PUMP2 "C0:FF:EE:00:00:03"
#define SCALE "C0:FF:EE:00:00:02"
#define SCALE_PATH "/org/lactd/devices/C0_FF_EE_00_00_02"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint ended;
	guint weighed;
	guint sub;
	char *old_tz;
} Fixture;

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded"))
		f->ended++;
	else if (g_str_equal(name, "WeightMeasured"))
		f->weighed++;
}

static void
setup(Fixture *f, gconstpointer data)
{
	f->old_tz = g_strdup(g_getenv("TZ"));
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
	if (f->old_tz != NULL)
		g_setenv("TZ", f->old_tz, TRUE);
	else
		g_unsetenv("TZ");
	g_free(f->old_tz);
}

/* The daemon (and lactctl run from here) in that zone, then the fake
 * BlueZ with these devices, then lactd. */
static gboolean
start(Fixture *f, const char *tz, const char *devices, const char *lactd_conf)
{
	g_autofree char *text = g_strconcat(LACTD_TEST_ADAPTER_CONF, devices, NULL);

	g_setenv("TZ", tz, TRUE);
	f->fake = lactd_test_fake_start(f->bus, text, SPEED);
	if (f->fake == NULL)
		return FALSE;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, lactd_conf);
	return TRUE;
}

static GVariant *
call(Fixture *f, const char *method, GVariant *args, const char *reply_type)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, method, args, reply_type, &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

static GVariant *
list_sessions(Fixture *f)
{
	return call(f, "ListSessions", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
		    "(aa{sv})");
}

static GVariant *
list_weighings(Fixture *f)
{
	return call(f, "ListWeighings", g_variant_new("(xx)", (gint64)0, G_MAXINT64), "(aa{sv})");
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

static gboolean
weighed_n(gpointer user_data)
{
	Count *c = user_data;
	return c->f->weighed >= c->n;
}

/* The live sessions' Session1 properties, as lactd exports them. */
static GPtrArray *
live_sessions(Fixture *f)
{
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)g_variant_unref);
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.ObjectManager",
	    "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE,
	    5000, NULL, NULL);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *ifaces;

	if (r == NULL)
		return out;
	objects = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		GVariant *props =
		    g_variant_lookup_value(ifaces, "org.lactd.Session1", G_VARIANT_TYPE_VARDICT);
		if (props != NULL)
			g_ptr_array_add(out, props);
	}
	return out;
}

/* n sessions stored, none of them live. */
static gboolean
settled_n(gpointer user_data)
{
	Count *c = user_data;
	g_autoptr(GVariant) list = list_sessions(c->f);
	g_autoptr(GPtrArray) live = NULL;

	if (g_variant_n_children(list) != c->n)
		return FALSE;
	live = live_sessions(c->f);
	return live->len == 0;
}

static void
wait_settled(Fixture *f, guint n)
{
	Count c = {f, n};

	g_assert_true(lactd_test_wait_for(settled_n, &c, 30000));
}

/* A pump's history record "id:start:duration:left:right:flags". */
static void
add_record(GString *history, guint id, gint64 start_s, guint duration_s, double left,
	   double right)
{
	if (history->len > 0)
		g_string_append_c(history, ';');
	g_string_append_printf(history, "%u:%" G_GINT64_FORMAT ":%u:%.1f:%.1f:0", id, start_s,
			       duration_s, left, right);
}

/* ---- (a) a day of 10 sessions, one overnight ------------------------------------------ */

static char *
clock_of(GDateTime *t)
{
	return g_date_time_format(t, "%H:%M");
}

static void
test_day_of_ten(Fixture *f, gconstpointer data)
{
	/* Nine sessions earlier in the last 24 h are on the pump already; the
	 * tenth is pumped now. Hours before now: */
	const double ago_h[] = {23, 20.5, 18, 15, 12.5, 10, 7, 3.5, 1.5};
	const guint overnight = 7; /* the one at 3.5 h ago */
	gint64 now_s = g_get_real_time() / G_USEC_PER_SEC;
	g_autoptr(GDateTime) now = g_date_time_new_from_unix_utc(now_s);
	g_autoptr(GDateTime) w_start = g_date_time_add_hours(now, -5);
	g_autoptr(GDateTime) w_end = g_date_time_add_hours(now, -2);
	g_autofree char *ws = clock_of(w_start), *we = clock_of(w_end);
	g_autoptr(GString) history = g_string_new(NULL);
	g_autoptr(GString) conf = g_string_new(NULL);
	g_autoptr(GVariant) progress = NULL;
	g_autoptr(GVariant) days = NULL;
	g_autofree char *overnight_day = NULL;
	guint32 n24 = 0;
	gboolean ok = FALSE;
	guint marked = 0;
	Count c = {f, 1};

	for (guint i = 0; i < G_N_ELEMENTS(ago_h); i++)
		add_record(history, i + 1, now_s - (gint64)(ago_h[i] * 3600), 1200, 30 + i, 28 + i);
	{
		g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
		    now_s - (gint64)(ago_h[overnight] * 3600));
		overnight_day = g_date_time_format(t, "%Y-%m-%d");
	}
	g_string_append_printf(conf,
			       "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\n"
			       "paired=true\npresent=true\nemulator=opp\nchannels=left,right\n"
			       "phases=stimulation:60;expression:240;idle\nstart_at=2\n"
			       "left_ml=40.0\nright_ml=36.5\nhistory=%s\n\n",
			       history->str);
	/* UTC, so that no clock change can fall inside the plan's window. */
	if (!start(f, "UTC", conf->str, NULL))
		return;
	/* The plan's overnight window, put around the session 3.5 h ago (the
	 * parent's night, whatever the hour the test runs at). */
	{
		GVariantBuilder b;
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) r = NULL;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "overnight_start", g_variant_new_string(ws));
		g_variant_builder_add(&b, "{sv}", "overnight_end", g_variant_new_string(we));
		r = lactd_test_call(f->c, "SetPlan", g_variant_new("(@a{sv})", g_variant_builder_end(&b)),
				    NULL, &error);
		g_assert_no_error(error);
	}
	/* The live one: about 5 s at 60x. */
	g_assert_true(lactd_test_wait_for(ended_n, &c, 30000));
	wait_settled(f, 10);

	progress = call(f, "GetProgress", NULL, "(a{sv})");
	g_assert_true(g_variant_lookup(progress, "sessions_24h", "u", &n24));
	g_assert_true(g_variant_lookup(progress, "overnight_ok", "b", &ok));
	g_assert_cmpuint(n24, ==, 10);
	g_assert_true(ok);

	days = call(f, "GetDailySummary",
		    g_variant_new("(xx)", (now_s - 2 * 86400) * G_USEC_PER_SEC, G_MAXINT64),
		    "(aa{sv})");
	for (gsize i = 0; i < g_variant_n_children(days); i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(days, i);
		const char *day;
		gboolean night = FALSE;
		g_assert_true(g_variant_lookup(d, "day", "&s", &day));
		g_assert_true(g_variant_lookup(d, "overnight", "b", &night));
		if (night) {
			marked++;
			g_assert_cmpstr(day, ==, overnight_day);
		}
	}
	g_assert_cmpuint(marked, ==, 1);
}

/* ---- (b) two single-side wearables ---------------------------------------------------- */

static void
test_two_wearables(Fixture *f, gconstpointer data)
{
	static const char devices[] =
	    "[device left]\nadapter=hci0\naddress=" PUMP "\nname=Wearable L\npaired=true\n"
	    "present=true\nemulator=opp\nchannels=left\n"
	    "phases=stimulation:60;expression:300;idle\nstart_at=2\nleft_ml=31.5\n\n"
	    "[device right]\nadapter=hci0\naddress=" PUMP2 "\nname=Wearable R\npaired=true\n"
	    "present=true\nemulator=opp\nchannels=right\n"
	    "phases=stimulation:60;expression:240;idle\nstart_at=40\nright_ml=27.0\n\n";
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	double left = 0, right = 0;
	guint32 ls = 0, rs = 0;

	if (!start(f, "UTC", devices, NULL))
		return;
	wait_settled(f, 1);
	/* Wait for both records: each closes its own side. */
	for (guint i = 0; i < 100 && (ls != 360 || rs != 300); i++) {
		g_clear_pointer(&list, g_variant_unref);
		g_clear_pointer(&s, g_variant_unref);
		g_usleep(100000);
		list = list_sessions(f);
		g_assert_cmpuint(g_variant_n_children(list), ==, 1);
		s = g_variant_get_child_value(list, 0);
		g_variant_lookup(s, "left_seconds", "u", &ls);
		g_variant_lookup(s, "right_seconds", "u", &rs);
	}
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_true(g_variant_lookup(s, "right_ml", "d", &right));
	g_assert_cmpfloat(left, ==, 31.5);
	g_assert_cmpfloat(right, ==, 27.0);
	g_assert_cmpuint(ls, ==, 360);
	g_assert_cmpuint(rs, ==, 300);
}

/* ---- (c) the record after live values ------------------------------------------------- */

typedef struct {
	Fixture *f;
	double left;
} LiveLeft;

static gboolean
live_left_above(gpointer user_data)
{
	LiveLeft *l = user_data;
	g_autoptr(GPtrArray) live = live_sessions(l->f);
	double left = 0;

	if (live->len != 1 || !g_variant_lookup(g_ptr_array_index(live, 0), "LeftMl", "d", &left) ||
	    left <= l->left)
		return FALSE;
	l->left = left;
	return TRUE;
}

static void
test_record_after_live(Fixture *f, gconstpointer data)
{
	static const char devices[] =
	    "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\npaired=true\n"
	    "present=true\nemulator=opp\nchannels=left,right\n"
	    "phases=stimulation:60;expression:540;idle\nstart_at=2\nleft_ml=50.0\nright_ml=44.0\n\n";
	LiveLeft l = {f, 1.0};
	Count c = {f, 1};
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	double left, right;
	gint64 st, en;
	gboolean interrupted;

	/* A long grace: the session stays open while the pump is away. */
	if (!start(f, "UTC", devices,
		   "[Capture]\nDisconnectGrace=3600\nReconnectMin=200\nReconnectMax=1000\n"))
		return;
	/* Some milk seen live, then the link goes for 10 s: 600 s of the
	 * pump's time, so the pump finishes without lactd. */
	g_assert_true(lactd_test_wait_for(live_left_above, &l, 30000));
	g_assert_cmpfloat(l.left, <, 50.0);
	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", PUMP, (guint32)10));
	g_assert_true(lactd_test_wait_for(ended_n, &c, 30000));
	wait_settled(f, 1);
	/* The pump's record replaced the live values of the same session. */
	list = list_sessions(f);
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_true(g_variant_lookup(s, "right_ml", "d", &right));
	g_assert_true(g_variant_lookup(s, "start", "x", &st));
	g_assert_true(g_variant_lookup(s, "end", "x", &en));
	g_assert_true(g_variant_lookup(s, "interrupted", "b", &interrupted));
	g_assert_cmpfloat(left, ==, 50.0);
	g_assert_cmpfloat(right, ==, 44.0);
	g_assert_cmpint(en - st, ==, 600 * G_USEC_PER_SEC);
	g_assert_false(interrupted);
}

/* ---- (d) a bottle weighed after a pump session without volume ------------------------- */

static const char scale_absent[] = "[device scale]\nadapter=hci0\naddress=" SCALE
				   "\nname=Scale\npaired=true\npresent=false\nemulator=wss\n";

static guint64
log_session(Fixture *f, const char *kind, gint64 start_us, gint64 end_us)
{
	GVariantBuilder b;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	guint64 id = 0;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string(kind));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start_us));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(end_us));
	r = lactd_test_call(f->c, "AddSession", g_variant_new("(@a{sv})", g_variant_builder_end(&b)),
			    "(t)", &error);
	g_assert_no_error(error);
	g_variant_get(r, "(t)", &id);
	return id;
}

static void
test_bottle_attributed(Fixture *f, gconstpointer data)
{
	g_autofree char *devices = g_strconcat(scale_absent, "weighings=5:125\n\n", NULL);
	gint64 now = g_get_real_time();
	Count w = {f, 1};
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) weighings = NULL;
	g_autoptr(GVariant) wv = NULL;
	guint64 id, sid = 0, wsid = 0;
	double total = 0;

	if (!start(f, "UTC", devices, NULL))
		return;
	/* A manual pump (no sensor) logged as it ended, 5 minutes ago. */
	id = log_session(f, "pump", now - 25 * G_TIME_SPAN_MINUTE, now - 5 * G_TIME_SPAN_MINUTE);
	g_assert_true(lactd_test_wait_property(f->c, "org.lactd", SCALE_PATH, "org.lactd.Device1",
					       "Address", 20000));
	/* Then the bottle goes on the scale. */
	lactd_test_fake_call(f->c, "SetPresent", g_variant_new("(sb)", SCALE, TRUE));
	g_assert_true(lactd_test_wait_for(weighed_n, &w, 30000));
	list = list_sessions(f);
	/* No session of its own for the bottle: it belongs to the pump's. */
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &sid));
	g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
	g_assert_cmpuint(sid, ==, id);
	/* 125 g / 1.03 g/mL */
	g_assert_cmpfloat(total, ==, 121.4);
	weighings = list_weighings(f);
	g_assert_cmpuint(g_variant_n_children(weighings), ==, 1);
	wv = g_variant_get_child_value(weighings, 0);
	g_assert_true(g_variant_lookup(wv, "session", "t", &wsid));
	g_assert_cmpuint(wsid, ==, id);
}

/* ---- (e) a baby weighed before and after a feed --------------------------------------- */

/* The scale's two weighings of the baby, and what the feed measured. */
typedef struct {
	const char *weighings;
	double took_ml;
} TestWeigh;

static const TestWeigh took_45 = {"weighings=5:3500;305:3545\n\n", 45.0};
/* A baby who took nothing: measured, 0 mL, not "not measured". */
static const TestWeigh took_nothing = {"weighings=5:3500;305:3500\n\n", 0.0};

static void
test_baby_test_weigh(Fixture *f, gconstpointer data)
{
	const TestWeigh *tw = data;
	/* 300 s of the scale's time between the weighings: 5 s at 60x. */
	g_autofree char *devices = g_strconcat(scale_absent, tw->weighings, NULL);
	Count w1 = {f, 1}, w2 = {f, 2};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) weighings = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	g_autofree const char **measured = NULL;
	gint64 pre_time = 0;
	guint64 id, sid = 0;
	double total = -1, weighed = -1;
	const char *kind;

	if (!start(f, "UTC", devices, NULL))
		return;
	g_assert_true(lactd_test_wait_property(f->c, "org.lactd", SCALE_PATH, "org.lactd.Device1",
					       "Address", 20000));
	r = g_dbus_connection_call_sync(
	    f->c, "org.lactd", SCALE_PATH, "org.freedesktop.DBus.Properties", "Set",
	    g_variant_new("(ssv)", "org.lactd.Device1", "Role", g_variant_new_string("baby")), NULL,
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	g_assert_no_error(error);
	lactd_test_fake_call(f->c, "SetPresent", g_variant_new("(sb)", SCALE, TRUE));
	g_assert_true(lactd_test_wait_for(weighed_n, &w1, 30000));
	weighings = list_weighings(f);
	g_assert_cmpuint(g_variant_n_children(weighings), ==, 1);
	{
		g_autoptr(GVariant) pre = g_variant_get_child_value(weighings, 0);
		g_assert_true(g_variant_lookup(pre, "time", "x", &pre_time));
	}
	/* The feed, logged when it ends, before the baby is weighed again. */
	g_usleep(2 * G_USEC_PER_SEC);
	id = log_session(f, "nursing", pre_time + 200000, g_get_real_time() - 100000);
	g_assert_true(lactd_test_wait_for(weighed_n, &w2, 30000));
	list = list_sessions(f);
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &sid));
	g_assert_true(g_variant_lookup(s, "kind", "&s", &kind));
	g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
	g_assert_cmpuint(sid, ==, id);
	g_assert_cmpstr(kind, ==, "nursing");
	/* 45 g gained: 45 mL taken; none gained: 0 mL, weighed all the same. */
	g_assert_cmpfloat(total, ==, tw->took_ml);
	g_assert_true(g_variant_lookup(s, "weighed_ml", "d", &weighed));
	g_assert_cmpfloat(weighed, ==, tw->took_ml);
	g_assert_true(g_variant_lookup(s, "measured", "^a&s", &measured));
	g_assert_cmpuint(g_strv_length((GStrv)measured), ==, 1);
	g_assert_cmpstr(measured[0], ==, "weighed");
	g_clear_pointer(&weighings, g_variant_unref);
	weighings = list_weighings(f);
	g_assert_cmpuint(g_variant_n_children(weighings), ==, 2);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GVariant) x = g_variant_get_child_value(weighings, i);
		guint64 ws = 0;
		g_assert_true(g_variant_lookup(x, "session", "t", &ws));
		g_assert_cmpuint(ws, ==, id);
	}
	/* lactctl lists the scale with its role, in a table and in JSON. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		const char *argv[] = {lactctl, "device", "list", NULL};
		const char *jargv[] = {lactctl, "device", "list", "--json", NULL};
		g_autofree char *out = NULL, *err = NULL, *jout = NULL, *jerr = NULL;
		g_auto(GStrv) lines = NULL;
		gboolean seen = FALSE;

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		lines = g_strsplit(out, "\n", -1);
		g_assert_nonnull(strstr(lines[0], "ROLE"));
		for (guint i = 1; lines[i] != NULL; i++)
			if (strstr(lines[i], SCALE) != NULL && strstr(lines[i], " baby ") != NULL)
				seen = TRUE;
		g_assert_true(seen);
		g_assert_cmpint(lactd_test_run(jargv, &jout, &jerr), ==, 0);
		g_assert_nonnull(strstr(jout, "\"Role\":\"baby\""));
	}
	/* Health data stays out of the journal at the default level: the
	 * weights and the intake only in debug lines. */
	{
		g_autofree char *log = NULL;
		g_auto(GStrv) lines = NULL;
		/* A line's time of day (08:31:45.012) is not a weight. */
		g_autoptr(GRegex) clock = g_regex_new("[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]+", 0, 0, NULL);
		gboolean event = FALSE;

		g_assert_true(g_file_get_contents(lactd_test_daemon_log_path(f->daemon), &log, NULL,
						  NULL));
		lines = g_strsplit(log, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autofree char *text = NULL;

			if (strstr(lines[i], "DEBUG") != NULL)
				continue;
			text = g_regex_replace_literal(clock, lines[i], -1, 0, "", 0, NULL);
			g_assert_null(strstr(text, "3545"));
			g_assert_null(strstr(text, "3500"));
			g_assert_null(strstr(text, "45.0"));
			g_assert_null(strstr(text, " mL"));
			if (strstr(text, "weighing") != NULL)
				event = TRUE;
		}
		g_assert_true(event);
	}
}

/* ---- (f) local midnight and clock changes --------------------------------------------- */

typedef struct {
	const char *tz;
	/* local start of a 20-minute session across midnight, and of one
	 * across the clock change, "YYYY-MM-DD HH:MM" */
	const char *midnight;
	const char *dst;
	/* the local day after each, on which neither may land */
	const char *midnight_next;
	const char *dst_next;
} Zone;

static const Zone zones[] = {
    /* 2025-03-09 02:00 EST: clocks go to 03:00 EDT (US rules). */
    {"America/New_York", "2025-03-07 23:50", "2025-03-09 01:50", "2025-03-08", "2025-03-10"},
    /* 2025-03-30 02:00 CET: clocks go to 03:00 CEST (EU rules). */
    {"Europe/Berlin", "2025-03-28 23:50", "2025-03-30 01:50", "2025-03-29", "2025-03-31"},
    /* 2025-10-05 02:00 +10:30: clocks go to 02:30 +11:00, a half-hour change. */
    {"Australia/Lord_Howe", "2025-10-03 23:50", "2025-10-05 01:50", "2025-10-04", "2025-10-06"},
};

static gint64
local_s(GTimeZone *tz, const char *text)
{
	int y, mo, d, h, mi;
	g_autoptr(GDateTime) t = NULL;

	g_assert_cmpint(sscanf(text, "%d-%d-%d %d:%d", &y, &mo, &d, &h, &mi), ==, 5);
	t = g_date_time_new(tz, y, mo, d, h, mi, 0);
	g_assert_nonnull(t);
	return g_date_time_to_unix(t);
}

static void
test_local_days(Fixture *f, gconstpointer data)
{
	const Zone *z = data;
	g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(z->tz);
	gint64 mid = local_s(tz, z->midnight), dst = local_s(tz, z->dst);
	g_autoptr(GString) history = g_string_new(NULL);
	g_autofree char *devices = NULL;
	g_autoptr(GVariant) days = NULL;
	g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
	g_autofree char *out = NULL, *err = NULL;
	g_autofree char *since = NULL, *until = NULL;
	char mid_day[11], dst_day[11];

	g_assert_nonnull(tz);
	g_assert_cmpstr(g_time_zone_get_identifier(tz), ==, z->tz);
	/* The DST session: 20 minutes of real time, across the change. */
	{
		g_autoptr(GDateTime) a = g_date_time_new_from_unix_utc(dst);
		g_autoptr(GDateTime) at = g_date_time_to_timezone(a, tz);
		g_autoptr(GDateTime) bt = g_date_time_add_minutes(at, 20);
		g_assert_cmpint(g_date_time_get_utc_offset(at), !=, g_date_time_get_utc_offset(bt));
	}
	g_strlcpy(mid_day, z->midnight, sizeof(mid_day));
	g_strlcpy(dst_day, z->dst, sizeof(dst_day));
	add_record(history, 1, mid, 1200, 41.0, 39.5);
	add_record(history, 2, dst, 1200, 33.0, 30.5);
	/* The pump's own next session is a day away: only the records count. */
	devices = g_strdup_printf("[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\n"
				  "paired=true\npresent=true\nemulator=opp\nstart_at=86400\n"
				  "history=%s\n\n",
				  history->str);
	if (!start(f, z->tz, devices, NULL))
		return;
	wait_settled(f, 2);

	/* The daemon's local days: each session on the day it started. */
	days = call(f, "GetDailySummary",
		    g_variant_new("(xx)", (mid - 3 * 86400) * G_USEC_PER_SEC,
				  (dst + 3 * 86400) * G_USEC_PER_SEC),
		    "(aa{sv})");
	{
		guint found = 0;
		for (gsize i = 0; i < g_variant_n_children(days); i++) {
			g_autoptr(GVariant) d = g_variant_get_child_value(days, i);
			const char *day;
			guint32 n = 0;
			double total = 0;
			g_assert_true(g_variant_lookup(d, "day", "&s", &day));
			g_variant_lookup(d, "sessions", "u", &n);
			g_variant_lookup(d, "total_ml", "d", &total);
			g_assert_cmpstr(day, !=, z->midnight_next);
			g_assert_cmpstr(day, !=, z->dst_next);
			if (n == 0)
				continue;
			g_assert_cmpuint(n, ==, 1);
			if (g_str_equal(day, mid_day)) {
				g_assert_cmpfloat(total, ==, 80.5);
				found++;
			} else {
				g_assert_cmpstr(day, ==, dst_day);
				g_assert_cmpfloat(total, ==, 63.5);
				found++;
			}
		}
		g_assert_cmpuint(found, ==, 2);
	}

	/* lactctl in the same zone shows the clock the parent saw, and a
	 * session of 20 minutes across the change. */
	since = g_strdup_printf("%s", mid_day);
	until = g_strdup_printf("%s", z->dst_next);
	{
		const char *argv[] = {lactctl, "sessions", "--since", since, "--until", until, NULL};
		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
	}
	g_assert_nonnull(strstr(out, z->midnight));
	g_assert_nonnull(strstr(out, z->dst));
	{
		g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
		guint twenty = 0;
		for (guint i = 0; lines[i] != NULL; i++) {
			/* MIN, then KIND */
			if (strstr(lines[i], " 20  pump") != NULL)
				twenty++;
		}
		g_assert_cmpuint(twenty, ==, 2);
	}
}

/* ---- lactctl watch in a plain terminal ------------------------------------------------- */

static void
on_watch_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	char **out = user_data;
	g_autoptr(GError) error = NULL;

	g_subprocess_communicate_utf8_finish(G_SUBPROCESS(source), res, out, NULL, &error);
	g_assert_no_error(error);
	if (*out == NULL)
		*out = g_strdup("");
}

static gboolean
have_text(gpointer user_data)
{
	return *(char **)user_data != NULL;
}

/* Over ssh into a dumb terminal or a log: a few lines (one per phase), no
 * CR redrawing, no escape codes, the same line never twice in a row, and
 * the end. */
static void
test_watch_plain(Fixture *f, gconstpointer data)
{
	static const char devices[] =
	    "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\npaired=true\n"
	    "present=true\nemulator=opp\nchannels=left,right\n"
	    "phases=stimulation:60;expression:240;idle\nstart_at=20\nleft_ml=20.0\nright_ml=18.0\n\n";
	g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
	g_autoptr(GSubprocessLauncher) launcher = NULL;
	g_autoptr(GSubprocess) proc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *out = NULL;
	g_auto(GStrv) lines = NULL;
	guint values = 0;

	if (!start(f, "UTC", devices, NULL))
		return;
	launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
	g_subprocess_launcher_setenv(launcher, "TERM", "dumb", TRUE);
	proc = g_subprocess_launcher_spawn(launcher, &error, lactctl, "watch", NULL);
	g_assert_no_error(error);
	g_subprocess_communicate_utf8_async(proc, NULL, NULL, on_watch_done, &out);
	if (!lactd_test_wait_for(have_text, &out, 30000)) {
		g_subprocess_force_exit(proc);
		g_assert_true(lactd_test_wait_for(have_text, &out, 5000));
		g_assert_not_reached();
	}
	g_assert_true(g_subprocess_wait_check(proc, NULL, &error));
	g_assert_no_error(error);
	g_assert_null(strchr(out, '\r'));
	lines = g_strsplit(out, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (strstr(lines[i], " mL  right ") != NULL) {
			values++;
			if (i > 0)
				g_assert_cmpstr(lines[i], !=, lines[i - 1]);
		}
	}
	/* stimulation and expression: one line each, not one a notification */
	g_assert_cmpuint(values, >=, 2);
	g_assert_cmpuint(values, <=, 4);
	g_assert_null(strchr(out, '\033'));
	g_assert_nonnull(strstr(out, " live on Open Pump ("));
	g_assert_nonnull(strstr(out, "ended: left 20.0 mL, right 18.0 mL, 38.0 mL in all"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/scenario/day-of-ten", test_day_of_ten);
	ADD("/scenario/two-wearables", test_two_wearables);
	ADD("/scenario/record-after-live", test_record_after_live);
	ADD("/scenario/bottle-attributed", test_bottle_attributed);
	g_test_add("/scenario/baby-test-weigh", Fixture, &took_45, setup, test_baby_test_weigh,
		   teardown);
	g_test_add("/scenario/baby-took-nothing", Fixture, &took_nothing, setup,
		   test_baby_test_weigh, teardown);
	ADD("/scenario/watch-plain", test_watch_plain);
	for (guint i = 0; i < G_N_ELEMENTS(zones); i++) {
		g_autofree char *path = g_strdup_printf("/scenario/local-days/%s", zones[i].tz);
		g_test_add(path, Fixture, &zones[i], setup, test_local_days, teardown);
	}
	return g_test_run();
}
