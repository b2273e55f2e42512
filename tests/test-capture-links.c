/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The link tests of capture end to end (links lost and resumed, adapters,
 * what bluetoothd announces or not), a program of their own beside
 * tests/test-capture.c: the capture tests were the longest program of the
 * suite, and `make check -j` runs two programs side by side. Both share
 * capture-fixture.c.
 */
#include "config.h"

#include <string.h>

#include "capture-fixture.h"

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

/* A WSS scale weighing at 5 s and 305 s of its clock, with time stamps;
 * the test adds the last key. */
#define WSS_SCALE_CONF                                                                        \
	"[device scale]\n"                                                                    \
	"adapter=hci0\n"                                                                      \
	"address=C0:FF:EE:00:00:02\n"                                                         \
	"name=Scale\n"                                                                        \
	"paired=true\n"                                                                       \
	"present=true\n"                                                                      \
	"emulator=wss\n"                                                                      \
	"timestamp=true\n"                                                                    \
	"weighings=5:120;305:135\n"

/* Both weighings stored, once each, in order. */
static void
check_two_weighings(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) list = NULL;

	r = lactd_test_call(f->c, "ListWeighings", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
			    "(aa{sv})", &error);
	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	g_assert_cmpuint(g_variant_n_children(list), ==, 2);
	for (guint i = 0; i < 2; i++) {
		g_autoptr(GVariant) w = g_variant_get_child_value(list, i);
		double grams = 0;

		g_assert_true(g_variant_lookup(w, "grams", "d", &grams));
		g_assert_cmpfloat(grams, ==, i == 0 ? 120.0 : 135.0);
	}
	g_assert_cmpuint(f->weighed, ==, 2);
}

/* The second weighing is made while the scale is out of range. bluetoothd
 * enables lactd's kept subscription as soon as the next link is resolved,
 * and the scale sends what it stored at once, before lactd has seen the
 * link ready: lactd holds it until it subscribes again, and stores it. */
static void
test_capture_scale_stored_away(Fixture *f, gconstpointer data)
{
	Count one = {f, 1}, two = {f, 2};

	/* 60x: the second weighing comes 5 s after the first, with the link
	 * gone for 7 s. */
	start_at(f, WSS_SCALE_CONF "\n", NULL, "60");
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(weighed_n, &one, 30000));
	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:02", (guint32)7));
	g_assert_true(lactd_test_wait_for(weighed_n, &two, 60000));
	check_two_weighings(f);
}

/* A WSS scale whose confirmation of a measurement went with the link sends
 * it again once lactd subscribes anew; lactd stores it once. */
static const char resending_scale_conf[] = WSS_SCALE_CONF "resend_last=true\n\n";

static gboolean
log_has(gpointer user_data)
{
	Fixture *f = user_data;
	g_autofree char *log = NULL;

	return g_file_get_contents(lactd_test_daemon_log_path(f->daemon), &log, NULL, NULL) &&
	       strstr(log, "a measurement sent again") != NULL;
}

static void
test_capture_scale_resends(Fixture *f, gconstpointer data)
{
	Count one = {f, 1}, two = {f, 2};

	start_at(f, resending_scale_conf, NULL, "60");
	if (f->daemon == NULL)
		return;
	g_assert_true(lactd_test_wait_for(weighed_n, &one, 30000));
	lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:02", (guint32)1));
	/* Sent again, and known as such, before the second weighing. */
	g_assert_true(lactd_test_wait_for(log_has, f, 30000));
	g_assert_true(lactd_test_wait_for(weighed_n, &two, 30000));
	check_two_weighings(f);
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

/*
 * The pump known through two adapters, paired through one (data: which),
 * and captured through it. When lactd stops, its objects go one by one:
 * the object followed must not hand the device over to the other on the
 * way out, which asked BlueZ to connect the pump just as lactd left (seen
 * in tests/vm, where bluetoothd lists the pump under both central
 * controllers). Both ways round, as which object goes first depends on
 * the order of a hash table.
 */
static void
test_capture_two_adapters_stop(Fixture *f, gconstpointer data)
{
	const char *paired_on = data;
	const char *other = g_str_equal(paired_on, "hci0") ? "hci1" : "hci0";
	g_autoptr(GString) paired = g_string_new(pump_conf);
	g_autoptr(GString) unpaired = g_string_new(pump_conf);
	g_autofree char *paired_adapter = g_strconcat("adapter=", paired_on, NULL);
	g_autofree char *other_adapter = g_strconcat("adapter=", other, NULL);
	g_autofree char *text = NULL;
	guint connects, discoveries;

	g_string_replace(paired, "adapter=hci0", paired_adapter, 0);
	g_string_replace(unpaired, "[device pump]", "[device pump-unpaired]", 0);
	g_string_replace(unpaired, "adapter=hci0", other_adapter, 0);
	g_string_replace(unpaired, "paired=true", "paired=false", 0);
	text = g_strconcat(second_adapter_conf, paired->str, unpaired->str, NULL);
	/* Captured unpaired too, as in tests/vm (no SMP under TCG). */
	start(f, text, "[Capture]\nAllowedAddresses=C0:FF:EE:00:00:01\n");
	if (f->daemon == NULL)
		return;
	wait_elapsed(f, 300);
	connects = lactd_test_fake_calls(f->c, "Connect");
	discoveries = lactd_test_fake_calls(f->c, "StartDiscovery");
	g_assert_cmpuint(connects, >=, 1);
	lactd_test_daemon_stop(f->daemon);
	lactd_test_idle_for(500);
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "Connect"), ==, connects);
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "StartDiscovery"), ==, discoveries);
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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/capture/link-loss", test_capture_link_loss);
	ADD("/capture/interrupted-resumed", test_capture_interrupted_resumed);
	ADD("/capture/scale-stored-away", test_capture_scale_stored_away);
	ADD("/capture/scale-resends", test_capture_scale_resends);
	ADD("/capture/adapter-off-on", test_capture_adapter_off_on);
	ADD("/capture/connected-at-start", test_capture_connected_at_start);
	ADD("/capture/connected-unannounced", test_capture_connected_unannounced);
	ADD("/capture/two-adapters/paired-one-followed", test_capture_two_adapters_paired);
	ADD("/capture/two-adapters/adapters-setting", test_capture_adapters_setting);
	g_test_add("/capture/two-adapters/stop/paired-on-hci0", Fixture, "hci0", setup,
		   test_capture_two_adapters_stop, teardown);
	g_test_add("/capture/two-adapters/stop/paired-on-hci1", Fixture, "hci1", setup,
		   test_capture_two_adapters_stop, teardown);
	return g_test_run();
}
