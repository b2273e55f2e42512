/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake BlueZ's control interface, org.lactd.FakeBluez1, seen from a
 * client: links dropped, bluetoothd restarted, the adapter powered off,
 * devices removed, calls failed or delayed on cue, raw notifications and
 * statistics; and scenarios it refuses.
 */
#include "config.h"

#include <string.h>

#include "test-emu.h"
#include "test-fake-bluez.h"

static gboolean
connect_succeeds(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) r = call(f, DEV, "org.bluez.Device1", "Connect", NULL, NULL);

	return r != NULL;
}

static void
test_drop_link(Fixture *f, gconstpointer data)
{
	connect_resolved(f);
	control_ok(f, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:10", 1));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.Failed",
		   "le-connection-abort-by-local");
	/* Back in range after a second. */
	g_assert_true(lactd_test_wait_for(connect_succeeds, f, WAIT_MS));
}

typedef struct {
	Fixture *f;
	gboolean owned;
} NameWait;

static void
test_restart(Fixture *f, gconstpointer data)
{
	guint from;
	g_autoptr(GVariant) connected = NULL;

	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "Restart", g_variant_new("(u)", 300));
	g_assert_true(lactd_test_wait_name(f->c, "org.bluez", FALSE, WAIT_MS));
	g_assert_true(lactd_test_wait_name(f->c, "org.bluez", TRUE, WAIT_MS));
	/* A dead daemon says nothing. */
	g_assert_cmpuint(count_signals(f, from, "InterfacesRemoved", NULL, NULL), ==, 0);
	g_assert_cmpuint(count_signals(f, from, "PropertiesChanged", DEV, NULL), ==, 0);
	connected = prop(f, DEV, "org.bluez.Device1", "Connected");
	g_assert_nonnull(connected);
	g_assert_false(g_variant_get_boolean(connected));
	g_assert_false(has_object(f, SVC));
	connect_resolved(f);
	g_assert_true(has_object(f, SVC));
}

static void
test_powered(Fixture *f, gconstpointer data)
{
	guint from;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;

	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "SetPowered", g_variant_new("(sb)", "hci0", FALSE));
	wait_signal(f, from, "PropertiesChanged", DEV, "Connected", FALSE);
	wait_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Powered", FALSE);
	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StartDiscovery", NULL,
		   "org.bluez.Error.NotReady", "Resource Not Ready");
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.Failed", NULL);
	/* Powered back on as a client does it. */
	r = call(f, "/org/bluez/hci0", "org.freedesktop.DBus.Properties", "Set",
		 g_variant_new("(ssv)", "org.bluez.Adapter1", "Powered", g_variant_new_boolean(TRUE)),
		 &error);
	g_assert_no_error(error);
	g_assert_cmpint(find_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Powered", TRUE),
			>=, 0);
	connect_resolved(f);
}

static void
test_remove(Fixture *f, gconstpointer data)
{
	guint from;

	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "RemoveDevice",
		   g_variant_new("(o)", "/org/bluez/hci0/dev_00_00_00_00_00_00"),
		   "org.bluez.Error.DoesNotExist", "Does Not Exist");
	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "RemoveDevice", g_variant_new("(s)", "C0:FF:EE:00:00:10"));
	wait_signal(f, from, "InterfacesRemoved", DEV, NULL, -1);
	g_assert_cmpint(find_signal(f, from, "InterfacesRemoved", COUNTER, NULL, -1), <,
			find_signal(f, from, "InterfacesRemoved", DEV, NULL, -1));
	g_assert_false(has_object(f, DEV));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL,
		   "org.freedesktop.DBus.Error.UnknownMethod", NULL);
}

static void
test_fail_delay(Fixture *f, gconstpointer data)
{
	gint64 t0;

	control_ok(f, "FailNext", g_variant_new("(ss)", "Connect", "org.bluez.Error.InProgress"));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.InProgress", NULL);
	connect_resolved(f);
	control_ok(f, "DelayNext", g_variant_new("(su)", "ReadValue", 300));
	t0 = g_get_monotonic_time();
	call_ok(f, LABEL, "org.bluez.GattCharacteristic1", "ReadValue",
		g_variant_new("(@a{sv})", no_options()));
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 300 * 1000);
}

static void
test_never_resolve(Fixture *f, gconstpointer data)
{
	Wanted w = {f, 0, "PropertiesChanged", DEV, "ServicesResolved", TRUE};

	control_ok(f, "NeverResolve", g_variant_new("(sb)", "C0:FF:EE:00:00:10", TRUE));
	w.from = f->signals->len;
	call_ok(f, DEV, "org.bluez.Device1", "Connect", NULL);
	wait_signal(f, w.from, "PropertiesChanged", DEV, "Connected", TRUE);
	/* Discovery takes 20 ms normally: half a second is never. */
	g_assert_false(lactd_test_wait_for(signal_arrived, &w, 500));
	g_assert_false(has_object(f, SVC));
}

static void
test_raw_stats_finished(Fixture *f, gconstpointer data)
{
	const guint8 junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00};
	g_autoptr(GVariant) stats = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(GVariant) calls = NULL;
	guint32 n = 0, connects = 0;
	guint from;
	int i;

	connect_resolved(f);
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	from = f->signals->len;
	control_ok(f, "SendRaw", g_variant_new("(ss@ay)", "C0:FF:EE:00:00:10", TEST_EMU_COUNTER,
					       bytes(junk, sizeof(junk))));
	i = wait_signal(f, from, "PropertiesChanged", COUNTER, "Value", -1);
	{
		Signal *s = g_ptr_array_index(f->signals, i);
		g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
		g_autoptr(GVariant) v = g_variant_lookup_value(changed, "Value", NULL);
		gsize len;
		const guint8 *b = g_variant_get_fixed_array(v, &len, 1);
		g_assert_cmpmem(b, len, junk, sizeof(junk));
	}
	/* count=3: finished after the third counter notification. */
	wait_signal(f, 0, "ScenarioFinished", "/org/lactd/FakeBluez", NULL, -1);
	stats = control(f, "GetStats", NULL);
	dict = g_variant_get_child_value(stats, 0);
	g_assert_true(g_variant_lookup(dict, "notifications", "u", &n));
	g_assert_cmpuint(n, >=, 4);
	calls = g_variant_lookup_value(dict, "calls", G_VARIANT_TYPE("a{su}"));
	g_assert_true(g_variant_lookup(calls, "Connect", "u", &connects));
	g_assert_cmpuint(connects, ==, 1);
}

static void
test_bad_config(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(bus), "bad.conf", NULL);
	g_autofree char *fake = lactd_test_build_path("tests", "fake-bluez", "fake-bluez", NULL);
	const char *argv[] = {fake, "--config", conf, NULL};
	const char *speed[] = {fake, "--config", conf, "--speed", "0", NULL};
	g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

	g_assert_true(g_file_set_contents(conf,
					  "[adapter hci0]\n[device d]\naddress=C0:FF:EE:00:00:10\n"
					  "emulator=counter\nflavour=mint\n",
					  -1, NULL));
	g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 1);
	g_assert_nonnull(strstr(err, "flavour"));
	g_assert_cmpint(lactd_test_run(speed, &out2, &err2), ==, 2);
	g_assert_nonnull(strstr(err2, "--speed"));
}

void
add_control_tests(void)
{
	ADD("control/drop-link", test_drop_link, NULL);
	ADD("control/restart", test_restart, NULL);
	ADD("control/powered", test_powered, NULL);
	ADD("control/remove", test_remove, NULL);
	ADD("control/fail-delay", test_fail_delay, NULL);
	ADD("control/never-resolve", test_never_resolve, NULL);
	ADD("control/raw-stats-finished", test_raw_stats_finished, "finish");
	g_test_add_func("/fake-bluez/config/errors", test_bad_config);
}
