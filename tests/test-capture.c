/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture end to end: the fake BlueZ with emulated devices, the real lactd
 * with its real plugins, a real dbus-daemon, a real SQLite file. Scenarios
 * run faster than real time (the fake's --speed).
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "lactd-test.h"

/* tests/test-capture-links.c builds this file with the link tests only. */
#ifndef LACTD_CAPTURE_LINKS
#define LACTD_CAPTURE_LINKS 0
#endif

/* The pump's clock at 240x: its 20-minute session takes 5 s. */
#define SPEED "240"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint ended;
	guint weighed;
	GVariant *last_ended;
	guint sub;
} Fixture;

static const char pump_conf[] = "[device pump]\n"
				"adapter=hci0\n"
				"address=C0:FF:EE:00:00:01\n"
				"name=Open Pump\n"
				"paired=true\n"
				"present=true\n"
				"emulator=opp\n"
				"channels=left,right\n"
				"phases=stimulation:120;expression:1080;idle\n"
				"start_at=2\n"
				"left_ml=62.4\n"
				"right_ml=48.0\n\n";

static const char scale_conf[] = "[device scale]\n"
				 "adapter=hci0\n"
				 "address=C0:FF:EE:00:00:02\n"
				 "name=Scale\n"
				 "paired=true\n"
				 "present=true\n"
				 "emulator=wss\n"
				 "weighings=30:118.5\n\n";

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded")) {
		f->ended++;
		g_clear_pointer(&f->last_ended, g_variant_unref);
		f->last_ended = g_variant_get_child_value(params, 1);
	} else if (g_str_equal(name, "WeightMeasured")) {
		f->weighed++;
	}
}

static void
start_at(Fixture *f, const char *devices, const char *lactd_conf, const char *speed)
{
	g_autofree char *text = g_strconcat(LACTD_TEST_ADAPTER_CONF, devices, NULL);

	f->fake = lactd_test_fake_start(f->bus, text, speed);
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, lactd_conf);
}

static void
start(Fixture *f, const char *devices, const char *lactd_conf)
{
	start_at(f, devices, lactd_conf, SPEED);
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
	g_clear_pointer(&f->last_ended, g_variant_unref);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

/* Calls a control method of the fake BlueZ. */
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

typedef struct {
	Fixture *f;
	guint32 elapsed;
} Progress;

/* A live session whose pump clock has reached the given second. */
static gboolean
live_elapsed(gpointer user_data)
{
	Progress *p = user_data;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    p->f->c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.ObjectManager",
	    "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE,
	    5000, NULL, NULL);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *ifaces;

	if (r == NULL)
		return FALSE;
	objects = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		g_autoptr(GVariant) props =
		    g_variant_lookup_value(ifaces, "org.lactd.Session1", G_VARIANT_TYPE_VARDICT);
		guint32 elapsed = 0;
		if (props != NULL && g_variant_lookup(props, "Elapsed", "u", &elapsed) &&
		    elapsed >= p->elapsed) {
			g_variant_unref(ifaces);
			return TRUE;
		}
	}
	return FALSE;
}

static void
wait_elapsed(Fixture *f, guint32 seconds)
{
	Progress p = {f, seconds};

	g_assert_true(lactd_test_wait_for(live_elapsed, &p, 120000));
}

static GVariant *
list_sessions(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

static GVariant *
get_session(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r =
	    lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

/* The session as the emulator produced it: exact volumes, samples that
 * only rise, no time twice, a length of 20 minutes by the pump's clock. */
static void
check_pump_session(Fixture *f)
{
	g_autoptr(GVariant) list = list_sessions(f);
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) full = NULL;
	g_autoptr(GVariant) samples = NULL;
	guint64 id;
	double left, right;
	gint64 start, end, prev_t = G_MININT64;
	double prev_l = -1, prev_r = -1;
	const char *source;
	gboolean interrupted;

	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &id));
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_true(g_variant_lookup(s, "right_ml", "d", &right));
	g_assert_true(g_variant_lookup(s, "start", "x", &start));
	g_assert_true(g_variant_lookup(s, "end", "x", &end));
	g_assert_true(g_variant_lookup(s, "source", "&s", &source));
	g_assert_true(g_variant_lookup(s, "interrupted", "b", &interrupted));
	g_assert_cmpfloat(left, ==, 62.4);
	g_assert_cmpfloat(right, ==, 48.0);
	g_assert_cmpstr(source, ==, "device");
	g_assert_false(interrupted);
	g_assert_cmpint(end - start, ==, 1200 * G_USEC_PER_SEC);

	full = get_session(f, id);
	samples = g_variant_lookup_value(full, "samples", G_VARIANT_TYPE("a(xdd)"));
	/* A curve from the live notifications (about 50 at 240x when the
	 * link stays up, fewer across a restart or a disable). */
	g_assert_cmpuint(g_variant_n_children(samples), >, 25);
	for (gsize i = 0; i < g_variant_n_children(samples); i++) {
		gint64 t;
		double l, r;
		g_variant_get_child(samples, i, "(xdd)", &t, &l, &r);
		g_assert_cmpint(t, >, prev_t);
		g_assert_cmpfloat(l, >=, prev_l);
		g_assert_cmpfloat(r, >=, prev_r);
		prev_t = t;
		prev_l = l;
		prev_r = r;
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
test_capture_link_loss(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};

	start(f, pump_conf, NULL);
	if (f->daemon == NULL)
		return;
	/* At minute 7 by the pump's clock, the link goes for 1 s (4 min of its time). */
	wait_elapsed(f, 7 * 60);
	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:01", (guint32)1));
	g_assert_true(lactd_test_wait_for(ended_n, &c, 120000));
	check_pump_session(f);
}

/* The link goes for longer than the grace period: the session is kept,
 * marked interrupted, and resumed, not duplicated, when the same device
 * session comes back; it ends whole, with the pump's figures. */
static gboolean
one_session_interrupted(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) list = list_sessions(f);
	gboolean interrupted = FALSE;

	if (g_variant_n_children(list) != 1)
		return FALSE;
	{
		g_autoptr(GVariant) s = g_variant_get_child_value(list, 0);
		g_variant_lookup(s, "interrupted", "b", &interrupted);
	}
	return interrupted;
}

static gboolean
session_whole(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) list = list_sessions(f);
	gboolean interrupted = TRUE;
	double left = 0;
	gint64 start = 0, end = 0;

	if (g_variant_n_children(list) != 1)
		return FALSE;
	{
		g_autoptr(GVariant) s = g_variant_get_child_value(list, 0);
		g_variant_lookup(s, "interrupted", "b", &interrupted);
		g_variant_lookup(s, "left_ml", "d", &left);
		g_variant_lookup(s, "start", "x", &start);
		g_variant_lookup(s, "end", "x", &end);
	}
	/* The live end can come before the pump's session record, whose
	 * times are exact: on a loaded machine the live clock drifts. */
	return !interrupted && left == 62.4 && f->ended >= 1 &&
	       end - start == 1200 * G_USEC_PER_SEC;
}

static void
test_capture_interrupted_resumed(Fixture *f, gconstpointer data)
{
	start(f, pump_conf, "[Capture]\nDisconnectGrace=1\n");
	if (f->daemon == NULL)
		return;
	/* At minute 7 by the pump's clock, the link goes for 2 s (8 min of
	 * the pump's time at 240x, so the session is still running when it
	 * comes back), past the 1 s grace. */
	wait_elapsed(f, 7 * 60);
	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:01", (guint32)2));
	g_assert_true(lactd_test_wait_for(one_session_interrupted, f, 5000));
	g_assert_true(lactd_test_wait_for(session_whole, f, 120000));
	check_pump_session(f);
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

static gboolean
device_listed(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_01",
				    "org.lactd.Device1", "Address");

	return v != NULL;
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
test_capture_adapter_off_on(Fixture *f, gconstpointer data)
{
	Count c = {f, 1};

	start(f, pump_conf, "[Capture]\nReconnectMin=200\nReconnectMax=2000\n");
	if (f->daemon == NULL)
		return;
	wait_elapsed(f, 300);
	lactd_test_fake_call(f->c, "SetPowered", g_variant_new("(sb)", "hci0", FALSE));
	lactd_test_fake_call(f->c, "SetPowered", g_variant_new("(sb)", "hci0", TRUE));
	g_assert_true(lactd_test_wait_for(ended_n, &c, 120000));
	check_pump_session(f);
}

/* The pump's address on a second controller: a USB dongle beside the
 * machine's own. */
static const char second_adapter_conf[] = "[adapter hci1]\n"
					  "address=00:1A:7D:DA:71:14\n"
					  "name=dongle\n"
					  "powered=true\n\n";

static void
bluez_call(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(f->c, "org.bluez", path, iface, method,
							    args, NULL, G_DBUS_CALL_FLAGS_NONE,
							    10000, NULL, &error);

	g_assert_no_error(error);
}

/*
 * The pump is known unpaired under a second adapter (hci1) when lactd
 * starts, so lactd's Device1 follows that object. The user then pairs it
 * through hci0, as `bluetoothctl scan on; pair` does: lactd must move to
 * the paired object and capture through it.
 */
static void
test_capture_two_adapters_paired(Fixture *f, gconstpointer data)
{
	g_autoptr(GString) on_hci1 = g_string_new(pump_conf);
	g_autoptr(GString) on_hci0 = g_string_new(pump_conf);
	g_autofree char *text = NULL;
	Count c = {f, 1};

	g_string_replace(on_hci1, "adapter=hci0", "adapter=hci1", 0);
	g_string_replace(on_hci1, "paired=true", "paired=false", 0);
	g_string_replace(on_hci0, "[device pump]", "[device pump-hci0]", 0);
	g_string_replace(on_hci0, "paired=true", "paired=false\nstored=false", 0);
	text = g_strconcat(second_adapter_conf, on_hci1->str, on_hci0->str, NULL);
	start(f, text, NULL);
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(device_listed, f, 20000));
	bluez_call(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StartDiscovery", NULL);
	g_assert_true(lactd_test_wait_property(f->c, "org.bluez",
					       "/org/bluez/hci0/dev_C0_FF_EE_00_00_01",
					       "org.bluez.Device1", "Address", 10000));
	bluez_call(f, "/org/bluez/hci0/dev_C0_FF_EE_00_00_01", "org.bluez.Device1", "Pair", NULL);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 90000));
	check_pump_session(f);
}

/*
 * Adapters=hci0 leaves hci1 to other programs: a pump paired there is not
 * listed or connected, while the scale on hci0 is captured.
 */
static void
test_capture_adapters_setting(Fixture *f, gconstpointer data)
{
	g_autoptr(GString) pump = g_string_new(pump_conf);
	g_autofree char *text = NULL;
	g_autoptr(GVariant) list = NULL;
	Count c = {f, 1};

	g_string_replace(pump, "adapter=hci0", "adapter=hci1", 0);
	text = g_strconcat(second_adapter_conf, pump->str, scale_conf, NULL);
	start(f, text, "[Capture]\nAdapters=hci0\n");
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(weighed_n, &c, 60000));
	/* The pump's session would have started 2 s after its connection. */
	g_assert_false(device_listed(f));
	/* The weighing may be a session of its own; none is the pump's. */
	list = list_sessions(f);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		const char *device = "";
		g_variant_lookup(s, "device", "&s", &device);
		g_assert_cmpstr(device, !=, "C0:FF:EE:00:00:01");
	}
}

static gboolean
pump_resolved(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.bluez", "/org/bluez/hci0/dev_C0_FF_EE_00_00_01",
				    "org.bluez.Device1", "ServicesResolved");

	return v != NULL && g_variant_get_boolean(v);
}

/*
 * The pump is connected with its services resolved before lactd starts
 * (lactd restarted, or another program connected it). lactd must read
 * bluetoothd's whole tree before it uses the device: starting the plugin
 * on the first characteristic it had seen made it refuse the device and
 * drop the link.
 */
static void
test_capture_connected_at_start(Fixture *f, gconstpointer data)
{
	g_autofree char *text = g_strconcat(LACTD_TEST_ADAPTER_CONF, pump_conf, NULL);
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	Count c = {f, 1};
	double left = 0, right = 0;

	f->fake = lactd_test_fake_start(f->bus, text, SPEED);
	if (f->fake == NULL)
		return;
	bluez_call(f, "/org/bluez/hci0/dev_C0_FF_EE_00_00_01", "org.bluez.Device1", "Connect",
		   NULL);
	g_assert_true(lactd_test_wait_for(pump_resolved, f, 10000));
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 90000));
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "Disconnect"), ==, 0);
	list = list_sessions(f);
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_true(g_variant_lookup(s, "right_ml", "d", &right));
	g_assert_cmpfloat(left, ==, 62.4);
	g_assert_cmpfloat(right, ==, 48.0);
}

/*
 * bluetoothd 5.66 can bring a link up without ever announcing Connected
 * (tests/vm met it after a bluetoothd restart); ServicesResolved is then
 * the only sign. lactd must capture anyway.
 */
static void
test_capture_connected_unannounced(Fixture *f, gconstpointer data)
{
	g_autofree char *text = g_strconcat(LACTD_TEST_ADAPTER_CONF, pump_conf, NULL);
	Count c = {f, 1};

	f->fake = lactd_test_fake_start(f->bus, text, SPEED);
	if (f->fake == NULL)
		return;
	lactd_test_fake_call(f->c, "ConnectedUnannounced",
			     g_variant_new("(sb)", "C0:FF:EE:00:00:01", TRUE));
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 90000));
	check_pump_session(f);
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "Disconnect"), ==, 0);
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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
/* Which program a test is in: 0 tests/test-capture, 1 tests/test-capture-links. */
#define ADD(path, fn, links)                                                                      \
	if ((links) == LACTD_CAPTURE_LINKS)                                                        \
	g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/capture/pump-session", test_capture_pump_session, 0);
	ADD("/capture/weighing", test_capture_weighing, 0);
	ADD("/capture/link-loss", test_capture_link_loss, 1);
	ADD("/capture/interrupted-resumed", test_capture_interrupted_resumed, 1);
	ADD("/capture/bluez-restarts", test_capture_bluez_restarts, 0);
	ADD("/capture/unpaired-ignored", test_capture_unpaired_ignored, 0);
	ADD("/capture/garbage", test_capture_garbage, 0);
	ADD("/capture/three-devices", test_capture_three_devices, 0);
	ADD("/capture/adapter-off-on", test_capture_adapter_off_on, 1);
	ADD("/capture/connected-at-start", test_capture_connected_at_start, 1);
	ADD("/capture/connected-unannounced", test_capture_connected_unannounced, 1);
	ADD("/capture/two-adapters/paired-one-followed", test_capture_two_adapters_paired, 1);
	ADD("/capture/two-adapters/adapters-setting", test_capture_adapters_setting, 1);
	ADD("/capture/disable-enable", test_capture_disable_enable, 0);
	ADD("/capture/replayed-recording", test_capture_replayed_recording, 0);
	return g_test_run();
}
