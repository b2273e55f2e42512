/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A device emulator (tests/emu/lactd-emu.h) as a real BLE peripheral: its
 * GATT database becomes a GATT application registered with bluetoothd's
 * org.bluez.GattManager1 on one adapter, advertised through
 * org.bluez.LEAdvertisingManager1, following BlueZ 5.66's doc/gatt-api.txt
 * and doc/advertising-api.txt (the server side: bluetoothd calls ReadValue,
 * WriteValue, StartNotify and StopNotify on our objects, and a notification
 * or indication is a PropertiesChanged signal on a characteristic's Value).
 *
 *   lactd-peripheral --config SCENARIO --device NAME --adapter hci1 [--speed N]
 *
 * serves the scenario's [device NAME] group (the fake BlueZ's format: its
 * own keys adapter=, address=, paired=... are ignored here, the rest goes
 * to the emulator). Scenario time starts when the central first enables a
 * notification (Battery Level's aside) and runs at N times real time.
 * SIGUSR1 takes the device out of range (advertisement withdrawn, link
 * dropped from the peripheral's side) while the emulator keeps running;
 * SIGUSR2 brings it back. When bluetoothd restarts, the application and
 * advertisement are registered again.
 *
 *   lactd-peripheral --pair ADDRESS --adapter hci0
 *
 * is the central's side of pairing (doc/agent-api.txt, device-api.txt): a
 * NoInputNoOutput default agent that accepts Just Works, discovery until
 * ADDRESS is seen, Device1.Pair, Trusted=true, then a disconnect.
 *
 * This file: the emulator's link and clock, registration with bluetoothd,
 * and main(); lactd-peripheral.h says where the rest is.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>

#include "lactd-peripheral.h"

#define TICK_MS 50

static const char app_xml[] =
    "<node>"
    "<interface name='org.freedesktop.DBus.ObjectManager'>"
    " <method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
    "</interface>"
    "<interface name='org.bluez.GattService1'>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Primary' type='b' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.GattCharacteristic1'>"
    " <method name='ReadValue'><arg type='a{sv}' direction='in'/><arg type='ay' direction='out'/></method>"
    " <method name='WriteValue'><arg type='ay' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    " <method name='StartNotify'/>"
    " <method name='StopNotify'/>"
    " <method name='Confirm'/>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Service' type='o' access='read'/>"
    " <property name='Flags' type='as' access='read'/>"
    " <property name='Value' type='ay' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.LEAdvertisement1'>"
    " <method name='Release'/>"
    " <property name='Type' type='s' access='read'/>"
    " <property name='ServiceUUIDs' type='as' access='read'/>"
    " <property name='Discoverable' type='b' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.Agent1'>"
    " <method name='Release'/>"
    " <method name='RequestPinCode'><arg type='o' direction='in'/><arg type='s' direction='out'/></method>"
    " <method name='DisplayPinCode'><arg type='o' direction='in'/><arg type='s' direction='in'/></method>"
    " <method name='RequestPasskey'><arg type='o' direction='in'/><arg type='u' direction='out'/></method>"
    " <method name='DisplayPasskey'><arg type='o' direction='in'/><arg type='u' direction='in'/><arg type='q' direction='in'/></method>"
    " <method name='RequestConfirmation'><arg type='o' direction='in'/><arg type='u' direction='in'/></method>"
    " <method name='RequestAuthorization'><arg type='o' direction='in'/></method>"
    " <method name='AuthorizeService'><arg type='o' direction='in'/><arg type='s' direction='in'/></method>"
    " <method name='Cancel'/>"
    "</interface>"
    "</node>";

Peripheral P;

void
say(const char *fmt, ...)
{
	g_autofree char *text = NULL;
	va_list ap;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_print("peripheral[%s]: %s\n", P.adapter, text);
}

/* ---- the emulator's side ----------------------------------------------------------------- */

/* The link as the emulator sees it: a central connected and the device in
 * range. Subscriptions are bluetoothd's: for a bonded central it keeps the
 * Client Characteristic Configuration across reconnections and does not
 * call StartNotify again, so they are given back to the emulator with the
 * link. */
static void
sync_link(void)
{
	gboolean up = !P.away && g_hash_table_size(P.connected) > 0;

	if (up == P.emu->connected)
		return;
	say("link %s", up ? "up" : "down");
	lactd_emu_set_link(P.emu, up);
	if (!up)
		return;
	for (guint i = 0; i < P.chrcs->len; i++) {
		Chrc *c = g_ptr_array_index(P.chrcs, i);
		if (c->notifying)
			lactd_emu_set_subscribed(P.emu, c->uuid, TRUE);
	}
}

static gboolean
tick_cb(gpointer user_data)
{
	gint64 now = g_get_monotonic_time();

	if (P.clock_on) {
		P.sim_ms += (gint64)((now - P.last_tick_us) / 1000.0 * P.speed);
		lactd_emu_advance_to(P.emu, P.sim_ms);
	}
	P.last_tick_us = now;
	return G_SOURCE_CONTINUE;
}

/* ---- registration with bluetoothd ------------------------------------------------------- */

static void
registered_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	const char *what = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_finish(P.bus, res, &error);

	if (r == NULL)
		say("%s refused: %s", what, error->message);
	else
		say("%s registered", what);
}

static void
advertise(gboolean on)
{
	if (on)
		g_dbus_connection_call(P.bus, "org.bluez", P.adapter_path,
				       "org.bluez.LEAdvertisingManager1", "RegisterAdvertisement",
				       g_variant_new("(oa{sv})", ADV_PATH, NULL), NULL,
				       G_DBUS_CALL_FLAGS_NONE, 25000, NULL, registered_cb,
				       (gpointer) "advertisement");
	else
		g_dbus_connection_call(P.bus, "org.bluez", P.adapter_path,
				       "org.bluez.LEAdvertisingManager1", "UnregisterAdvertisement",
				       g_variant_new("(o)", ADV_PATH), NULL,
				       G_DBUS_CALL_FLAGS_NONE, 25000, NULL, registered_cb,
				       (gpointer) "advertisement withdrawal");
}

static void
set_powered(void)
{
	g_dbus_connection_call(P.bus, "org.bluez", P.adapter_path,
			       "org.freedesktop.DBus.Properties", "Set",
			       g_variant_new("(ssv)", "org.bluez.Adapter1", "Powered",
					     g_variant_new_boolean(TRUE)),
			       NULL, G_DBUS_CALL_FLAGS_NONE, 25000, NULL, NULL, NULL);
}

static void
register_all(void)
{
	set_powered();
	g_dbus_connection_call(P.bus, "org.bluez", P.adapter_path, "org.bluez.GattManager1",
			       "RegisterApplication", g_variant_new("(oa{sv})", ROOT, NULL), NULL,
			       G_DBUS_CALL_FLAGS_NONE, 25000, NULL, registered_cb,
			       (gpointer) "application");
	if (!P.away)
		advertise(TRUE);
}

static gboolean adapter_poll(gpointer user_data);

/* bluetoothd owns its name before it has read the controllers: the
 * adapter's managers come a moment later. */
static void
introspected_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GVariant) r = g_dbus_connection_call_finish(P.bus, res, NULL);
	const char *xml = NULL;

	if (r != NULL)
		g_variant_get(r, "(&s)", &xml);
	if (xml != NULL && strstr(xml, "org.bluez.GattManager1") != NULL &&
	    strstr(xml, "org.bluez.LEAdvertisingManager1") != NULL) {
		register_all();
		return;
	}
	if (P.bluez_up)
		g_timeout_add(300, adapter_poll, NULL);
}

static gboolean
adapter_poll(gpointer user_data)
{
	g_dbus_connection_call(P.bus, "org.bluez", P.adapter_path,
			       "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
			       G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, 25000, NULL,
			       introspected_cb, NULL);
	return G_SOURCE_REMOVE;
}

static void
bluez_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	say("bluetoothd is %s", owner);
	P.bluez_up = TRUE;
	adapter_poll(NULL);
}

static void
bluez_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	say("bluetoothd is gone");
	P.bluez_up = FALSE;
	g_hash_table_remove_all(P.connected);
	sync_link();
}

/* Connected devices on our adapter: the emulator's link. */
static void
set_connected(const char *path, gboolean connected)
{
	g_autofree char *prefix = g_strdup_printf("%s/dev_", P.adapter_path);

	if (!g_str_has_prefix(path, prefix) ||
	    connected == g_hash_table_contains(P.connected, path))
		return;
	say("%s %s", path + strlen(prefix), connected ? "connected" : "disconnected");
	if (connected)
		g_hash_table_add(P.connected, g_strdup(path));
	else
		g_hash_table_remove(P.connected, path);
	sync_link();
}

/* A central that connects first makes the device object, already
 * Connected: no PropertiesChanged tells it. */
static void
on_interfaces_added(GDBusConnection *bus, const char *sender, const char *path,
		    const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
	const char *object;
	g_autoptr(GVariant) ifaces = NULL;
	g_autoptr(GVariant) props = NULL;
	gboolean connected = FALSE;

	if (g_str_equal(signal, "InterfacesRemoved")) {
		g_variant_get(params, "(&o@as)", &object, NULL);
		set_connected(object, FALSE);
		return;
	}
	g_variant_get(params, "(&o@a{sa{sv}})", &object, &ifaces);
	props = g_variant_lookup_value(ifaces, "org.bluez.Device1", G_VARIANT_TYPE_VARDICT);
	if (props != NULL && g_variant_lookup(props, "Connected", "b", &connected) && connected)
		set_connected(object, TRUE);
}

static void
on_properties_changed(GDBusConnection *bus, const char *sender, const char *path,
		      const char *iface, const char *signal, GVariant *params, gpointer user_data)
{
	const char *changed_iface;
	g_autoptr(GVariant) changed = NULL;
	g_autofree char *prefix = g_strdup_printf("%s/dev_", P.adapter_path);
	gboolean connected;

	if (!g_str_has_prefix(path, prefix))
		return;
	g_variant_get(params, "(&s@a{sv}@as)", &changed_iface, &changed, NULL);
	if (!g_str_equal(changed_iface, "org.bluez.Device1") ||
	    !g_variant_lookup(changed, "Connected", "b", &connected))
		return;
	set_connected(path, connected);
}

/* SIGUSR1: out of range. The advertisement goes and every link is dropped
 * from this side, as when the device walks away. */
static gboolean
on_away(gpointer user_data)
{
	GHashTableIter it;
	const char *path;

	if (P.away)
		return G_SOURCE_CONTINUE;
	say("going out of range");
	P.away = TRUE;
	advertise(FALSE);
	g_hash_table_iter_init(&it, P.connected);
	while (g_hash_table_iter_next(&it, (gpointer *)&path, NULL))
		g_dbus_connection_call(P.bus, "org.bluez", path, "org.bluez.Device1", "Disconnect",
				       NULL, NULL, G_DBUS_CALL_FLAGS_NONE, 25000, NULL, NULL, NULL);
	sync_link();
	return G_SOURCE_CONTINUE;
}

static gboolean
on_back(gpointer user_data)
{
	if (!P.away)
		return G_SOURCE_CONTINUE;
	say("back in range");
	P.away = FALSE;
	advertise(TRUE);
	sync_link();
	return G_SOURCE_CONTINUE;
}

static gboolean
on_term(gpointer user_data)
{
	g_main_loop_quit(P.loop);
	return G_SOURCE_REMOVE;
}

static int
serve(const char *config, const char *device)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GKeyFile) emu_kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *group = g_strdup_printf("device %s", device);
	g_auto(GStrv) keys = NULL;
	/* The fake BlueZ's own keys (tests/fake-bluez/fake-bluez.c), not the
	 * emulator's; here the adapter and pairing are real. */
	static const char *const transport_keys[] = {
	    "adapter", "address", "address_type", "paired", "bonded", "trusted",
	    "stored",  "present", "connectable",  "broadcaster", NULL};

	if (!g_key_file_load_from_file(kf, config, G_KEY_FILE_NONE, &error)) {
		g_printerr("lactd-peripheral: %s: %s\n", config, error->message);
		return 1;
	}
	keys = g_key_file_get_keys(kf, group, NULL, &error);
	if (keys == NULL) {
		g_printerr("lactd-peripheral: %s: %s\n", config, error->message);
		return 1;
	}
	for (guint k = 0; keys[k] != NULL; k++) {
		g_autofree char *v = g_key_file_get_value(kf, group, keys[k], NULL);
		if (!g_strv_contains(transport_keys, keys[k]))
			g_key_file_set_value(emu_kf, group, keys[k], v);
	}
	P.emu = lactd_emu_new(emu_kf, group, &error);
	if (P.emu == NULL) {
		g_printerr("lactd-peripheral: %s\n", error->message);
		return 1;
	}
	if (lactd_emu_services(P.emu)[0].uuid == NULL) {
		g_printerr("lactd-peripheral: [%s] has no GATT service\n", group);
		return 1;
	}
	P.emu->notify = on_notify;
	P.emu->advertise = on_advertise;
	build_application();
	g_dbus_connection_signal_subscribe(P.bus, "org.bluez", "org.freedesktop.DBus.Properties",
					   "PropertiesChanged", NULL, NULL,
					   G_DBUS_SIGNAL_FLAGS_NONE, on_properties_changed, NULL,
					   NULL);
	g_dbus_connection_signal_subscribe(P.bus, "org.bluez", "org.freedesktop.DBus.ObjectManager",
					   NULL, "/", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
					   on_interfaces_added, NULL, NULL);
	g_bus_watch_name_on_connection(P.bus, "org.bluez", G_BUS_NAME_WATCHER_FLAGS_NONE,
				       bluez_appeared, bluez_vanished, NULL, NULL);
	g_unix_signal_add(SIGUSR1, on_away, NULL);
	g_unix_signal_add(SIGUSR2, on_back, NULL);
	g_timeout_add(TICK_MS, tick_cb, NULL);
	g_main_loop_run(P.loop);
	lactd_emu_free(P.emu);
	return 0;
}

int
main(int argc, char **argv)
{
	g_autoptr(GOptionContext) ctx = g_option_context_new("- an emulated BLE peripheral");
	g_autoptr(GError) error = NULL;
	g_autofree char *config = NULL;
	g_autofree char *device = NULL;
	g_autofree char *adapter = NULL;
	double speed = 1;
	int status;
	GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "Scenario file", "FILE"},
	    {"device", 'd', 0, G_OPTION_ARG_STRING, &device, "Its [device NAME] group", "NAME"},
	    {"adapter", 'a', 0, G_OPTION_ARG_STRING, &adapter, "Adapter (hci1)", "HCI"},
	    {"speed", 's', 0, G_OPTION_ARG_DOUBLE, &speed, "Scenario time per real time", "N"},
	    {"pair", 'p', 0, G_OPTION_ARG_STRING, &P.pair_address,
	     "Pair the adapter with this address instead", "ADDRESS"},
	    {NULL, 0, 0, 0, NULL, NULL, NULL},
	};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("lactd-peripheral: %s\n", error->message);
		return 1;
	}
	if (!(speed > 0 && speed <= 10000)) {
		g_printerr("lactd-peripheral: --speed: more than 0, at most 10000\n");
		return 1;
	}
	if (P.pair_address == NULL && (config == NULL || device == NULL)) {
		g_printerr("lactd-peripheral: --config and --device, or --pair\n");
		return 1;
	}
	P.adapter = g_strdup(adapter != NULL ? adapter : "hci1");
	P.adapter_path = g_strdup_printf("/org/bluez/%s", P.adapter);
	P.speed = speed;
	P.services = g_ptr_array_new();
	P.chrcs = g_ptr_array_new();
	P.connected = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	P.loop = g_main_loop_new(NULL, FALSE);
	P.info = g_dbus_node_info_new_for_xml(app_xml, &error);
	g_assert_no_error(error);
	P.bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (P.bus == NULL) {
		g_printerr("lactd-peripheral: system bus: %s\n", error->message);
		return 1;
	}
	g_unix_signal_add(SIGTERM, on_term, NULL);
	g_unix_signal_add(SIGINT, on_term, NULL);
	if (P.pair_address != NULL)
		status = run_pair();
	else
		status = serve(config, device);
	g_main_loop_unref(P.loop);
	g_dbus_node_info_unref(P.info);
	g_object_unref(P.bus);
	return status;
}
