/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Long runs through the fake BlueZ, faster than real time.
 *
 * /faults/soak: a pump pumping 12 sessions a simulated day and a scale
 * weighing a bottle after each, the pump's link dropped every simulated
 * hour. The fake's clock runs at 7200x (a simulated day is 12 s); the
 * daemon's RSS and open fds (/proc/PID/status, /proc/PID/fd) are sampled at
 * the end of every simulated day and must not grow after the first one
 * beyond a small tolerance (SOAK_RSS_TOLERANCE_KB, SOAK_FD_TOLERANCE):
 * allocator noise and SQLite's page cache filling. 2 days by default, a
 * week with LACTD_FAULTS_LONG=1. Every session the pump made must be
 * stored in the end (the pump's history sync brings what a drop cut).
 *
 * /faults/bluez/restarts: bluetoothd (the fake) killed and restarted 10
 * times during a capture, after a session was stored: lactd reconnects
 * every time, the stored session stays as it was, and there is never more
 * than one Device1 and one Session1 object, none after the session ends.
 */
#include "config.h"

#include <string.h>

#include "lactd-test.h"
#include "sanitizer.h"

#define PUMP "C0:FF:EE:00:00:01"
#define PUMP_PATH "/org/lactd/devices/C0_FF_EE_00_00_01"
#define SCALE "C0:FF:EE:00:00:02"
#define SPEED 7200
#define DAY_S 86400
#define PER_DAY 12
#define SOAK_RSS_TOLERANCE_KB 2048
#define SOAK_FD_TOLERANCE 2

static const char lactd_conf[] = "[Capture]\nReconnectMin=100\nReconnectMax=1000\n"
				 "DisconnectGrace=1\n";

/* A /proc/PID/status field in kB, or -1. */
static gint64
proc_status_kb(GPid pid, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	p = strstr(text, field);
	return p != NULL ? g_ascii_strtoll(p + strlen(field) + 1, NULL, 10) : -1;
}

static guint
open_fds(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/fd", (int)pid);
	g_autoptr(GDir) dir = g_dir_open(path, 0, NULL);
	guint n = 0;

	g_assert_nonnull(dir);
	while (g_dir_read_name(dir) != NULL)
		n++;
	return n;
}

static GVariant *
list_sessions(GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

static guint
device_sessions(GDBusConnection *c)
{
	g_autoptr(GVariant) list = list_sessions(c);
	guint n = 0;

	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		const char *source = NULL;

		if (g_variant_lookup(s, "source", "&s", &source) && g_str_equal(source, "device"))
			n++;
	}
	return n;
}

typedef struct {
	GDBusConnection *c;
	guint want;
} Want;

static gboolean
all_stored(gpointer user_data)
{
	Want *w = user_data;

	return device_sessions(w->c) >= w->want;
}

/* Objects of lactd holding that interface. */
static guint
objects_with(GDBusConnection *c, const char *iface)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.ObjectManager", "GetManagedObjects",
	    NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	GVariant *ifaces;
	guint n = 0;

	g_assert_no_error(error);
	objects = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", NULL, &ifaces))
		n += g_variant_lookup_value(ifaces, iface, NULL) != NULL
			 ? (g_variant_unref(g_variant_lookup_value(ifaces, iface, NULL)), 1)
			 : 0;
	return n;
}

static gboolean
pump_connected(gpointer user_data)
{
	g_autoptr(GVariant) v = lactd_test_get_property(user_data, "org.lactd", PUMP_PATH,
							"org.lactd.Device1", "Connected");

	return v != NULL && g_variant_get_boolean(v);
}

static gboolean
no_problem(gpointer user_data)
{
	g_autoptr(GVariant) v = lactd_test_get_property(user_data, "org.lactd", PUMP_PATH,
							"org.lactd.Device1", "Problem");

	return v != NULL && g_str_equal(g_variant_get_string(v, NULL), "");
}

#define OPP_MEASUREMENT_UUID "df840004-84b3-444b-a8f5-c3bc3142a562"

/* The daemon's log has said `want` times that it gives up on a link whose
 * services no longer fit the plugin that captured it, to try again. */
typedef struct {
	const char *log_path;
	guint want;
} Retries;

static gboolean
retried(gpointer user_data)
{
	Retries *r = user_data;
	g_autofree char *log = NULL;
	g_auto(GStrv) lines = NULL;
	guint n = 0;

	if (!g_file_get_contents(r->log_path, &log, NULL, NULL))
		return FALSE;
	lines = g_strsplit(log, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++)
		n += strstr(lines[i], "giving up on this link") != NULL &&
		     strstr(lines[i], "although plugin opp captured it before") != NULL;
	g_assert_cmpuint(n, <=, r->want);
	return n == r->want;
}

static gboolean
session_live(gpointer user_data)
{
	return objects_with(user_data, "org.lactd.Session1") == 1;
}

static gboolean
session_over(gpointer user_data)
{
	return objects_with(user_data, "org.lactd.Session1") == 0;
}

static void
test_soak(void)
{
	gboolean lng = g_strcmp0(g_getenv("LACTD_FAULTS_LONG"), "1") == 0;
	guint days = lng ? 7 : 2;
	g_autoptr(GString) conf = g_string_new(LACTD_TEST_ADAPTER_CONF);
	g_autoptr(GString) weighings = g_string_new(NULL);
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = NULL;
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GString) figures = g_string_new(NULL);
	gint64 t0, rss0 = 0, rss_max = 0;
	guint fds0 = 0, fds_max = 0, drops = 0;
	Want want = {c, days * PER_DAY};
	GPid pid;

	/* A session every 2 simulated hours: 5 min of pumping, then a gap. */
	for (guint i = 0; i < days * PER_DAY; i++)
		g_string_append_printf(weighings, "%s%u:%.1f", i == 0 ? "" : ";",
				       10 + i * (DAY_S / PER_DAY) + 400, 60.0 + i % 7);
	g_string_append_printf(conf,
			       "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\n"
			       "paired=true\npresent=true\nemulator=opp\nchannels=left,right\n"
			       "phases=stimulation:60;expression:240;idle\nstart_at=10\n"
			       "left_ml=40.0\nright_ml=35.5\nrepeat=%u\ngap=%u\n\n"
			       "[device scale]\nadapter=hci0\naddress=" SCALE "\nname=Scale\n"
			       "paired=true\npresent=true\nemulator=wss\nweighings=%s\n\n",
			       days * PER_DAY, DAY_S / PER_DAY - 300, weighings->str);
	fake = lactd_test_fake_start(bus, conf->str, G_STRINGIFY(SPEED));
	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(bus, NULL, lactd_conf);
	pid = lactd_test_daemon_pid(daemon);
	g_assert_true(lactd_test_wait_for(pump_connected, c, 20000));

	t0 = g_get_monotonic_time();
	for (guint hour = 1; hour <= days * 24; hour++) {
		gint64 due = t0 + (gint64)hour * 3600 * G_USEC_PER_SEC / SPEED;

		/* The simulated hour passes, the main context serving. */
		while (g_get_monotonic_time() < due)
			g_main_context_iteration(NULL, FALSE) ||
			    (g_usleep(MIN(10000, MAX(due - g_get_monotonic_time(), 0))), TRUE);
		/* The link drops for a moment (out of range, back at once). */
		lactd_test_fake_call(c, "DropLink", g_variant_new("(su)", PUMP, (guint32)0));
		drops++;
		if (hour % 24 == 0) {
			gint64 rss = proc_status_kb(pid, "VmRSS:");
			guint fds = open_fds(pid);

			g_string_append_printf(figures, " day %u: %.1f MiB %u fds;", hour / 24,
					       rss / 1024.0, fds);
			if (hour == 24) {
				rss0 = rss;
				fds0 = fds;
			} else {
				rss_max = MAX(rss_max, rss);
				fds_max = MAX(fds_max, fds);
			}
		}
	}
	/* The last sessions and records settle; then every one is stored. */
	lactd_test_wait_for(all_stored, &want, 60000);
	g_test_message("soak of %u simulated days (%.1f s, %u link drops): %u of %u pump "
		       "sessions stored; daemon:%s",
		       days, (g_get_monotonic_time() - t0) / 1e6, drops, device_sessions(c),
		       days * PER_DAY, figures->str);
	g_assert_cmpuint(device_sessions(c), ==, days * PER_DAY);
	if (!LACTD_FAULTS_ASAN)
		g_assert_cmpint(rss_max, <=, rss0 + SOAK_RSS_TOLERANCE_KB);
	g_assert_cmpuint(fds_max, <=, fds0 + SOAK_FD_TOLERANCE);
	lactd_test_daemon_stop(daemon);
}

static void
test_bluez_restarts(void)
{
	static const char conf[] = LACTD_TEST_ADAPTER_CONF
	    "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\n"
	    "paired=true\npresent=true\nemulator=opp\nchannels=left,right\n"
	    "phases=stimulation:120;expression:1080;idle\nstart_at=2\n"
	    "left_ml=62.4\nright_ml=48.0\n\n";
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = lactd_test_fake_start(bus, conf, "60");
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GVariant) before = NULL;
	g_autoptr(GVariant) after = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) added = NULL;
	GVariantBuilder b;
	Want want = {c, 1};
	Retries retries = {NULL, 0};
	gint64 now = g_get_real_time();

	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(bus, NULL, lactd_conf);
	retries.log_path = lactd_test_daemon_log_path(daemon);
	/* A stored record from before. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("hand"));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(now - G_GINT64_CONSTANT(7200) * G_USEC_PER_SEC));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(now - G_GINT64_CONSTANT(6600) * G_USEC_PER_SEC));
	g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(21.5));
	added = lactd_test_call(c, "AddSession", g_variant_new("(@a{sv})", g_variant_builder_end(&b)),
				"(t)", &error);
	g_assert_no_error(error);
	before = list_sessions(c);

	g_assert_true(lactd_test_wait_for(session_live, c, 30000));
	for (guint i = 0; i < 10; i++) {
		/* Twice, the pump's services come back without the live
		 * measurement for two discoveries (its GATT server set up again,
		 * as tests/vm shows): lactd retries instead of giving up. */
		if (i == 3 || i == 6) {
			retries.want += 2;
			lactd_test_fake_call(c, "HideCharacteristic",
					     g_variant_new("(ssu)", PUMP, OPP_MEASUREMENT_UUID,
							   (guint32)2));
		}
		lactd_test_fake_call(c, "Restart", g_variant_new("(u)", (guint32)200));
		/* Reconnected every time, with no stale object beside the live ones. */
		g_assert_true(lactd_test_wait_name(c, "org.bluez", TRUE, 10000));
		g_assert_true(lactd_test_wait_for(retried, &retries, 20000));
		g_assert_true(lactd_test_wait_for(pump_connected, c, 20000));
		g_assert_true(lactd_test_wait_for(no_problem, c, 20000));
		g_assert_cmpuint(objects_with(c, "org.lactd.Device1"), ==, 1);
		g_assert_cmpuint(objects_with(c, "org.lactd.Session1"), <=, 1);
	}
	/* The session ends (20 min at 60x); the record from before is as it was. */
	g_assert_true(lactd_test_wait_for(session_over, c, 120000));
	g_assert_true(lactd_test_wait_for(all_stored, &want, 10000));
	after = list_sessions(c);
	g_assert_cmpuint(g_variant_n_children(after), ==, 2);
	{
		g_autoptr(GVariant) a0 = g_variant_get_child_value(after, 0);
		g_autoptr(GVariant) b0 = g_variant_get_child_value(before, 0);

		g_assert_true(g_variant_equal(a0, b0));
	}
	g_assert_cmpuint(objects_with(c, "org.lactd.Session1"), ==, 0);
	g_assert_cmpuint(objects_with(c, "org.lactd.Device1"), ==, 1);
	/* The pump's session is whole: its own record's volumes. */
	{
		g_autoptr(GVariant) pumped = g_variant_get_child_value(after, 1);
		double left = 0, right = 0;

		g_assert_true(g_variant_lookup(pumped, "left_ml", "d", &left));
		g_assert_true(g_variant_lookup(pumped, "right_ml", "d", &right));
		g_assert_cmpfloat(left, ==, 62.4);
		g_assert_cmpfloat(right, ==, 48.0);
	}
	g_test_message("10 BlueZ restarts during a capture: reconnected 10 times, %" G_GSIZE_FORMAT
		       " sessions stored, no stale object",
		       g_variant_n_children(after));
	lactd_test_daemon_stop(daemon);
}

static gboolean
left_alone(gpointer user_data)
{
	g_autoptr(GVariant) v = lactd_test_get_property(user_data, "org.lactd", PUMP_PATH,
							"org.lactd.Device1", "Problem");

	return v != NULL && strstr(g_variant_get_string(v, NULL), "could not attach") != NULL &&
	       strstr(g_variant_get_string(v, NULL), "trying again") == NULL;
}

/* The retries of a device whose services stay incomplete are bounded: after
 * INCOMPLETE_TRIES (8) the device is left alone, with the reason on
 * Device1.Problem, and no more Connect calls follow. */
static void
test_bluez_incomplete_bounded(void)
{
	static const char conf[] = LACTD_TEST_ADAPTER_CONF
	    "[bluetoothd]\ndisconnect_delay_ms=50\n\n"
	    "[device pump]\nadapter=hci0\naddress=" PUMP "\nname=Open Pump\n"
	    "paired=true\npresent=true\nemulator=opp\n\n";
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = lactd_test_fake_start(bus, conf, "1");
	g_autoptr(LactdTestDaemon) daemon = NULL;
	Retries retries = {NULL, 8};
	guint connects;

	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(bus, NULL, lactd_conf);
	retries.log_path = lactd_test_daemon_log_path(daemon);
	g_assert_true(lactd_test_wait_for(pump_connected, c, 20000));
	lactd_test_fake_call(c, "HideCharacteristic",
			     g_variant_new("(ssu)", PUMP, OPP_MEASUREMENT_UUID, (guint32)1000));
	lactd_test_fake_call(c, "Restart", g_variant_new("(u)", (guint32)200));
	g_assert_true(lactd_test_wait_for(retried, &retries, 60000));
	g_assert_true(lactd_test_wait_for(left_alone, c, 20000));
	connects = lactd_test_fake_calls(c, "Connect");
	lactd_test_idle_for(3000);
	g_assert_cmpuint(lactd_test_fake_calls(c, "Connect"), ==, connects);
	g_assert_false(pump_connected(c));
	g_test_message("services that stay incomplete: %u tries, then left alone, %u Connect "
		       "calls in all",
		       retries.want, connects);
	lactd_test_daemon_stop(daemon);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/soak", test_soak);
	g_test_add_func("/faults/bluez/restarts", test_bluez_restarts);
	g_test_add_func("/faults/bluez/incomplete-bounded", test_bluez_incomplete_bounded);
	return g_test_run();
}
