/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture end to end: the fake BlueZ with emulated devices, the real lactd
 * with its real plugins, a real dbus-daemon, a real SQLite file. Scenarios
 * run faster than real time (the fake's --speed).
 *
 * The link cases (links lost and resumed, adapters, what bluetoothd
 * announces or not) are a program of their own, tests/test-capture-links.c;
 * both share capture-fixture.c.
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "capture-fixture.h"

static GVariant *
device_property(Fixture *f, const char *name)
{
	return lactd_test_get_property(f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_01",
				       "org.lactd.Device1", name);
}

/* Device1 shows what the service knows, each property in its type. */
static void
check_pump_device(Fixture *f)
{
	const struct {
		const char *name;
		const char *text; /* the value as g_variant_print shows it */
	} expect[] = {
	    {"Address", "'C0:FF:EE:00:00:01'"},
	    {"Name", "'Open Pump'"},
	    {"Kind", "'pump'"},
	    {"Plugin", "'opp'"},
	    {"Side", "'unknown'"}, /* a two-side unit is on no one side */
	    {"Role", "'bottle'"},
	    {"Problem", "''"},
	    {"Enabled", "true"},
	    {"Connected", "true"},
	    {"Battery", "byte 0x50"}, /* the emulator's 80 % */
	    {"RejectedPackets", "uint32 0"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(expect); i++) {
		g_autoptr(GVariant) v = device_property(f, expect[i].name);
		g_autofree char *text = NULL;

		g_assert_nonnull(v);
		text = g_variant_print(v, TRUE);
		g_assert_cmpstr(text, ==, expect[i].text);
	}
	{
		g_autoptr(GVariant) seen = device_property(f, "LastSeen");
		g_assert_cmpint(g_variant_get_int64(seen), >, 0);
	}
}

static void
test_capture_pump_session(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};

	start(f, pump_conf, NULL);
	if (g_test_failed() || f->daemon == NULL)
		return;
	/* 20 minutes at 240x: about 5 s. */
	g_assert_true(lactd_test_wait_for(ended_n, &c, 90000));
	check_pump_session(f);
	check_pump_device(f);
}

static void
test_capture_weighing(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) w = NULL;
	double grams;

	start(f, scale_conf, NULL);
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(weighed_n, &c, 60000));
	r = lactd_test_call(f->c, "ListWeighings", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
			    "(aa{sv})", &error);
	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	w = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(w, "grams", "d", &grams));
	/* The SI resolution is 0.005 kg: 118.5 g reaches lactd as 120 g. */
	g_assert_cmpfloat(fabs(grams - 118.5), <=, 2.5);
}

static void
test_capture_bluez_restarts(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};

	/* At 60x: each restart (200 ms, then lactd reconnects, slowly under
	 * valgrind) is over before the next minute of the pump's time. */
	start_at(f, pump_conf, NULL, "60");
	if (f->daemon == NULL)
		return;
	for (guint i = 0; i < 10; i++) {
		/* bluetoothd goes away and comes back every minute of the session. */
		wait_elapsed(f, 130 + i * 60);
		lactd_test_fake_call(f->c, "Restart", g_variant_new("(u)", (guint32)200));
		/* lactd may still be working through the notifications of before
		 * (under valgrind on a busy machine, over a pump minute behind):
		 * the next restart comes only once this one is over. */
		g_assert_true(lactd_test_wait_name(f->c, "org.bluez", TRUE, 5000));
	}
	g_assert_true(lactd_test_wait_for(ended_n, &c, 180000));
	check_pump_session(f);
}

static void
test_capture_unpaired_ignored(Fixture *f, gconstpointer data)
{
	g_autofree char *conf = g_strdup(pump_conf);
	g_autoptr(GString) text = g_string_new(conf);

	g_string_replace(text, "paired=true", "paired=false", 0);
	start(f, text->str, NULL);
	if (f->daemon == NULL)
		return;
	/* Listed as a device, never connected, nothing recorded. */
	g_assert_true(lactd_test_wait_for(device_listed, f, 20000));
	{
		g_autoptr(GVariant) list = list_sessions(f);
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) stats = g_dbus_connection_call_sync(
		    f->c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1",
		    "GetStats", NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
		    &error);
		g_autoptr(GVariant) dict = NULL;
		g_autoptr(GVariant) calls = NULL;
		guint32 connects = 0;

		g_assert_no_error(error);
		dict = g_variant_get_child_value(stats, 0);
		calls = g_variant_lookup_value(dict, "calls", G_VARIANT_TYPE("a{su}"));
		g_variant_lookup(calls, "Connect", "u", &connects);
		g_assert_cmpuint(connects, ==, 0);
		g_assert_cmpuint(g_variant_n_children(list), ==, 0);
	}
}

static guint32
rejected_packets(Fixture *f, const char *path)
{
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.lactd", path, "org.lactd.Device1", "RejectedPackets");

	return v != NULL ? g_variant_get_uint32(v) : 0;
}

typedef struct {
	Fixture *f;
	guint32 n;
} Rejected;

static gboolean
rejected_at_least(gpointer user_data)
{
	Rejected *r = user_data;
	return rejected_packets(r->f, "/org/lactd/devices/C0_FF_EE_00_00_01") >= r->n;
}

static void
test_capture_garbage(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};
	Rejected rej = {f, 5};
	const guint8 junk[][12] = {
	    {0xff},					      /* short */
	    {9, 1, 0, 0, 0, 0, 0, 0, 50},		      /* state 9 */
	    {0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0},	      /* measurement of session 0 */
	    {1, 0, 0, 0, 1, 0, 1, 0, 0xff, 0xff, 0xff, 0xff}, /* no channel */
	    {1, 0, 0, 0, 1, 0, 1, 0, 0x11, 0x27, 0, 0},	      /* over 1000 mL */
	};
	const gsize lens[] = {1, 9, 12, 12, 12};
	const char *uuids[] = {"df840003-84b3-444b-a8f5-c3bc3142a562",
			       "df840003-84b3-444b-a8f5-c3bc3142a562",
			       "df840004-84b3-444b-a8f5-c3bc3142a562",
			       "df840004-84b3-444b-a8f5-c3bc3142a562",
			       "df840004-84b3-444b-a8f5-c3bc3142a562"};

	start(f, pump_conf, NULL);
	if (f->daemon == NULL)
		return;
	wait_elapsed(f, 60);
	for (guint i = 0; i < G_N_ELEMENTS(junk); i++)
		lactd_test_fake_call(f->c, "SendRaw",
			  g_variant_new("(ss@ay)", "C0:FF:EE:00:00:01", uuids[i],
					g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, junk[i], lens[i], 1)));
	/* Counted, and the session goes on unharmed to its exact end. */
	g_assert_true(lactd_test_wait_for(rejected_at_least, &rej, 20000));
	g_assert_true(lactd_test_wait_for(ended_n, &c, 90000));
	check_pump_session(f);
	g_assert_cmpuint(rejected_packets(f, "/org/lactd/devices/C0_FF_EE_00_00_01"), ==, 5);
}

static void
test_capture_three_devices(Fixture *f, gconstpointer data)
{
	Count c = {f, 2};
	Count w = {f, 1};
	g_autoptr(GString) second = g_string_new(pump_conf);
	g_autofree char *devices = NULL;
	g_autoptr(GVariant) list = NULL;

	g_string_replace(second, "[device pump]", "[device pump2]", 0);
	g_string_replace(second, "C0:FF:EE:00:00:01", "C0:FF:EE:00:00:03", 0);
	g_string_replace(second, "left_ml=62.4", "left_ml=20.5", 0);
	g_string_replace(second, "right_ml=48.0", "right_ml=31.0", 0);
	devices = g_strconcat(pump_conf, second->str, scale_conf, NULL);
	start(f, devices, NULL);
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(ended_n, &c, 120000));
	g_assert_true(lactd_test_wait_for(weighed_n, &w, 60000));
	/* Two pump sessions; the bottle weighed while both pumps measured their
	 * own volume is a session of its own, from the scale. */
	list = list_sessions(f);
	g_assert_cmpuint(g_variant_n_children(list), ==, 3);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		const char *device, *source;
		double left, total;
		g_assert_true(g_variant_lookup(s, "device", "&s", &device));
		g_assert_true(g_variant_lookup(s, "source", "&s", &source));
		g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
		g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
		if (g_str_equal(source, "scale")) {
			g_assert_cmpstr(device, ==, "C0:FF:EE:00:00:02");
			g_assert_cmpfloat(total, ==, 116.5); /* 120 g / 1.03 g/mL */
		} else {
			g_assert_cmpfloat(left, ==,
					  g_str_equal(device, "C0:FF:EE:00:00:01") ? 62.4 : 20.5);
		}
	}
}

static void
set_enabled(Fixture *f, gboolean enabled)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_01",
	    "org.freedesktop.DBus.Properties", "Set",
	    g_variant_new("(ssv)", "org.lactd.Device1", "Enabled", g_variant_new_boolean(enabled)),
	    NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
}

static gboolean
pump_disconnected(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.bluez", "/org/bluez/hci0/dev_C0_FF_EE_00_00_01",
	    "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", "org.bluez.Device1", "Connected"), G_VARIANT_TYPE("(v)"),
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	g_autoptr(GVariant) v = NULL;

	if (r == NULL)
		return FALSE;
	g_variant_get(r, "(v)", &v);
	return !g_variant_get_boolean(v);
}

/* Enabled=false lets go of the device; true takes it back, and the
 * session the pump kept running is resumed, not duplicated. */
static void
test_capture_disable_enable(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};

	start(f, pump_conf, "[Capture]\nDisconnectGrace=3600\n");
	if (f->daemon == NULL)
		return;
	wait_elapsed(f, 200);
	set_enabled(f, FALSE);
	g_assert_true(lactd_test_wait_for(pump_disconnected, f, 20000));
	set_enabled(f, TRUE);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 120000));
	check_pump_session(f);
}

/* A recorded pump played back by the fake BlueZ (the replay emulator)
 * into the real daemon: what the recording holds is what gets stored,
 * so a plugin written from a recording can be run whole against it. */
static gboolean
recording_stored(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", NULL);
	g_autoptr(GVariant) list = NULL;
	gboolean seen_record = FALSE, seen_session = FALSE;

	if (r == NULL)
		return FALSE;
	list = g_variant_get_child_value(r, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		double left = 0, right = 0;

		g_variant_lookup(s, "left_ml", "d", &left);
		g_variant_lookup(s, "right_ml", "d", &right);
		seen_record |= left == 60.5 && right == 55.0;
		seen_session |= left == 42.5 && right == 38.0;
	}
	return seen_record && seen_session && f->ended >= 1;
}

static void
test_capture_replayed_recording(Fixture *f, gconstpointer data)
{
	g_autofree char *recording = g_test_build_filename(G_TEST_DIST, "plugins", "opp",
							   "recordings", "opp-session.lactdcap",
							   NULL);
	g_autofree char *conf = g_strdup_printf("[device pump]\n"
						"adapter=hci0\n"
						"address=C0:FF:EE:00:00:01\n"
						"name=OPP Pump\n"
						"paired=true\n"
						"present=true\n"
						"emulator=replay\n"
						"capture=%s\n\n",
						recording);
	g_autoptr(GVariant) list = NULL;

	start(f, conf, NULL);
	if (f->daemon == NULL)
		return;
	/* The recording's history record 7, and its live session 8, which
	 * its own record closes with the pump's figures: two sessions, no
	 * duplicate. */
	g_assert_true(lactd_test_wait_for(recording_stored, f, 60000));
	list = list_sessions(f);
	g_assert_cmpuint(g_variant_n_children(list), ==, 2);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		const char *source;

		g_assert_true(g_variant_lookup(s, "source", "&s", &source));
		g_assert_cmpstr(source, ==, "device");
	}
}

/* ---- Device1.LastSeen: at most every 5 s while packets come, exact at link down ---- */

typedef struct {
	guint changes;	       /* PropertiesChanged with LastSeen */
	gint64 last_seen;      /* its last value */
	gboolean disconnected; /* Connected went false */
	gint64 last_volume_at; /* when the test saw Session1's last change */
} SeenWatch;

static void
on_props(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	 const char *name, GVariant *params, gpointer user_data)
{
	SeenWatch *w = user_data;
	const char *changed_iface;
	g_autoptr(GVariant) changed = NULL;
	gint64 seen;
	gboolean connected;

	g_variant_get(params, "(&s@a{sv}@as)", &changed_iface, &changed, NULL);
	if (g_str_equal(changed_iface, "org.lactd.Session1") && !w->disconnected) {
		w->last_volume_at = g_get_real_time();
	} else if (g_str_equal(changed_iface, "org.lactd.Device1")) {
		if (g_variant_lookup(changed, "LastSeen", "x", &seen)) {
			w->changes++;
			w->last_seen = seen;
		}
		if (g_variant_lookup(changed, "Connected", "b", &connected) && !connected)
			w->disconnected = TRUE;
	}
}

typedef struct {
	SeenWatch *w;
	guint changes;
	gint64 until;
} SeenWait;

static gboolean
seen_ready(gpointer user_data)
{
	SeenWait *sw = user_data;

	return sw->w->changes >= sw->changes && g_get_real_time() >= sw->until;
}

static gboolean
seen_disconnected(gpointer user_data)
{
	return ((SeenWatch *)user_data)->disconnected;
}

static void
test_capture_last_seen(Fixture *f, gconstpointer data)
{
	SeenWatch w = {0};
	SeenWait sw = {&w, 2, 0};
	gint64 began = g_get_real_time(), dropped;
	gint64 second_shown;
	guint sub, during;

	/* Any sender: lactd's name has no owner yet. */
	sub = g_dbus_connection_signal_subscribe(f->c, NULL, "org.freedesktop.DBus.Properties",
						 "PropertiesChanged", NULL, NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_props, &w, NULL);
	/* At 60x: the pump's 20 minutes take 20 s, a notification every
	 * 17 ms of real time. */
	start_at(f, pump_conf, NULL, "60");
	if (f->daemon == NULL) {
		g_dbus_connection_signal_unsubscribe(f->c, sub);
		return;
	}
	/* The first packet's LastSeen, then the next one 5 s later, then 2 s
	 * more of packets that only the link's end will show. */
	g_assert_true(lactd_test_wait_for(seen_ready, &sw, 60000));
	second_shown = w.last_seen;
	/* Meanwhile lactctl status shows the live session and its pump, each
	 * with the properties its interface names. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		const char *argv[] = {lactctl, "status", "--json", NULL};
		g_autofree char *out = NULL, *err = NULL;

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		g_assert_nonnull(strstr(
		    out, "\"live_sessions\":[{\"Device\":\"/org/lactd/devices/C0_FF_EE_00_00_01\""));
		g_assert_nonnull(strstr(out, "\"Phase\":\"expression\""));
		g_assert_nonnull(strstr(out, "\"Address\":\"C0:FF:EE:00:00:01\""));
		g_assert_null(strstr(out, "\"devices\":[]"));
	}
	sw.changes = w.changes;
	sw.until = g_get_real_time() + 2 * G_USEC_PER_SEC;
	g_assert_true(lactd_test_wait_for(seen_ready, &sw, 60000));
	during = w.changes;
	dropped = g_get_real_time();
	g_test_message("LastSeen shown %u times in %.1f s of packets", during,
		       (dropped - began) / 1e6);
	/* One change every 5 s, not one per packet (about 60 a second). */
	g_assert_cmpuint(during, <=, (guint)((dropped - began) / (5 * G_USEC_PER_SEC)) + 3);

	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:01",
							       (guint32)30));
	g_assert_true(lactd_test_wait_for(seen_disconnected, &w, 30000));
	/* The link's end shows the last packet's time: after the volume the
	 * test saw last, within the time a signal takes, and after the value
	 * shown 2 s before. */
	g_test_message("last LastSeen %.3f s before the last Session1 change was seen",
		       (w.last_volume_at - w.last_seen) / 1e6);
	g_assert_cmpint(w.last_seen, >, second_shown);
	g_assert_cmpint(w.last_seen, >=, w.last_volume_at - G_USEC_PER_SEC);
	g_dbus_connection_signal_unsubscribe(f->c, sub);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/capture/pump-session", test_capture_pump_session);
	ADD("/capture/last-seen", test_capture_last_seen);
	ADD("/capture/weighing", test_capture_weighing);
	ADD("/capture/bluez-restarts", test_capture_bluez_restarts);
	ADD("/capture/unpaired-ignored", test_capture_unpaired_ignored);
	ADD("/capture/garbage", test_capture_garbage);
	ADD("/capture/three-devices", test_capture_three_devices);
	ADD("/capture/disable-enable", test_capture_disable_enable);
	ADD("/capture/replayed-recording", test_capture_replayed_recording);
	return g_test_run();
}
