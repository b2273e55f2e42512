/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A device whose plugin needs an encrypted link (LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION:
 * a Timemore Dot) and that is allowed by AllowedAddresses but not paired:
 * lactd does not connect it at all, in a loop or once, and Device1.Problem
 * tells the user to pair it first with bluetoothctl. Once BlueZ reports it
 * paired (Device1.Pair, what `bluetoothctl pair` calls), lactd connects it
 * and captures its weighing without a restart, and the Problem goes.
 *
 * The fake BlueZ (needs_encryption=true) drops the Dot's notifications while
 * it is neither Paired nor Bonded, as the scale keeps silent on a link that
 * is not encrypted.
 */
#include "config.h"

#include <string.h>

#include "lactd-test.h"

#define DOT	 "C0:FF:EE:00:05:01"
#define DOT_PATH "/org/lactd/devices/C0_FF_EE_00_05_01"
#define DOT_BLUEZ_PATH "/org/bluez/hci0/dev_C0_FF_EE_00_05_01"

typedef LactdTestRig Fixture;

/* The Dot's Device1 property as a string ("" when absent). */
static char *
dot_string(Fixture *f, const char *property)
{
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.lactd", DOT_PATH, "org.lactd.Device1", property);

	return g_strdup(v != NULL ? g_variant_get_string(v, NULL) : "");
}

static gboolean
dot_connected(Fixture *f)
{
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.lactd", DOT_PATH, "org.lactd.Device1", "Connected");

	return v != NULL && g_variant_get_boolean(v);
}

static gboolean
asks_for_pairing(gpointer user_data)
{
	g_autofree char *problem = dot_string(user_data, "Problem");

	return g_str_has_prefix(problem, "not paired:");
}

static gboolean
captured(gpointer user_data)
{
	Fixture *f = user_data;
	g_autofree char *problem = dot_string(f, "Problem");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GVariant) rows = NULL;

	if (!dot_connected(f) || problem[0] != '\0')
		return FALSE;
	reply = lactd_test_call(f->c, "ListWeighings", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
				"(aa{sv})", &error);
	g_assert_no_error(error);
	rows = g_variant_get_child_value(reply, 0);
	return g_variant_n_children(rows) > 0;
}

static void
test_needs_pairing(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) paired = NULL;
	g_autofree char *plugin = NULL;
	g_autofree char *problem = NULL;
	g_autofree char *log = NULL;

	f->fake = lactd_test_fake_start(f->bus,
					LACTD_TEST_ADAPTER_CONF "[device dot]\nadapter=hci0\n"
								"address=" DOT "\n"
								"paired=false\npresent=true\n"
								"needs_encryption=true\n"
								"name=Timemore Dot\n"
								"emulator=timemore-basic\nmodel=dot\n"
								"weighings=2:120\n",
					"1");
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL,
					    "[Capture]\nAllowedAddresses=" DOT "\n"
					    "ReconnectMin=200\nReconnectMax=1000\n");
	g_assert_nonnull(f->daemon);

	/* Listed with its plugin, not connected, and the user told what to do. */
	g_assert_true(lactd_test_wait_for(asks_for_pairing, f, 20000));
	plugin = dot_string(f, "Plugin");
	g_assert_cmpstr(plugin, ==, "timemore-dot");
	problem = dot_string(f, "Problem");
	g_assert_nonnull(strstr(problem, "bluetoothctl pair " DOT));
	g_assert_false(dot_connected(f));
	/* With the shortest back-off a loop would have tried several times. */
	lactd_test_idle_for(3000);
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "Connect"), ==, 0);
	g_assert_true(asks_for_pairing(f));
	g_assert_true(g_file_get_contents(lactd_test_daemon_log_path(f->daemon), &log, NULL, NULL));
	g_assert_nonnull(strstr(log, "no connection until it is"));

	/* The user pairs it (bluetoothctl pair): lactd goes on by itself. */
	g_dbus_connection_call_sync(f->c, "org.bluez", DOT_BLUEZ_PATH, "org.bluez.Device1", "Pair",
				    NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	g_assert_no_error(error);
	paired = lactd_test_get_property(f->c, "org.bluez", DOT_BLUEZ_PATH, "org.bluez.Device1",
					 "Paired");
	g_assert_true(paired != NULL && g_variant_get_boolean(paired));
	g_assert_true(lactd_test_wait_for(captured, f, 30000));
	g_assert_cmpuint(lactd_test_fake_calls(f->c, "Connect"), >=, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/bluez/needs-pairing", Fixture, NULL, lactd_test_rig_setup,
		   test_needs_pairing, lactd_test_rig_teardown);
	return g_test_run();
}
