/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake bluetoothd for tests and the demo: owns org.bluez on the bus GLib's
 * system bus address names, and serves BlueZ 5.66's D-Bus API
 * (doc/adapter-api.txt, device-api.txt, gatt-api.txt) for adapters and
 * devices whose GATT side is a device emulator (tests/emu/lactd-emu.h).
 * Behaviour follows bluetoothd 5.66's source (src/device.c, src/adapter.c,
 * src/gatt-client.c, gdbus/object.c): which call fails with which error,
 * what is signalled in which order, what outlives a disconnection.
 *
 * Scenario (--config, a key file):
 *   [bluetoothd]      optional: gatt_cache= always (default) | yes | no, as
 *                     main.conf's [GATT] Cache; connect_timeout_ms= (5000)
 *                     how long Connect waits for an absent device;
 *                     disconnect_delay_ms= (2000) how long Disconnect takes
 *                     (bluetoothd's DISCONNECT_TIMER)
 *   [adapter hci0]    address=, name=, powered= (default true)
 *   [device NAME]     adapter= (hci0), address=, address_type= (public),
 *                     name=, paired=, bonded= (paired), trusted=,
 *                     stored= (default true: bluetoothd knows it from an
 *                     earlier connection and exports it at start even
 *                     unpaired; false: it appears only once discovery
 *                     sees it), present= (in range at start, default true),
 *                     connectable= (default true), needs_encryption=
 *                     (default false: true, the device sends nothing
 *                     until the link is encrypted, so no notification
 *                     while it is neither Paired nor Bonded), broadcaster= (scenario
 *                     clock from start; default: no GATT services),
 *                     emulator= and the emulator's own keys. An address
 *                     may be given again on another adapter (the same
 *                     device seen by two controllers): control methods
 *                     taking an address act on its first group.
 * Scenario time runs at --speed times real time from a device's first
 * connection (from the start for broadcasters).
 *
 * Tests steer it through org.lactd.FakeBluez1 (org.lactd.FakeBluez1.xml) at
 * /org/lactd/FakeBluez under the name org.lactd.FakeBluez, which never
 * appears in org.bluez's tree.
 *
 * Usage: fake-bluez --config SCENARIO [--speed N]
 *
 * This file: the org.bluez name and bluetoothd's restarts, method dispatch
 * with FailNext and DelayNext, scenario time and main(); fake-bluez.h says
 * where the rest is.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdlib.h>

#include "fake-bluez.h"

#define TICK_MS 50

/* The interfaces as bluetoothd 5.66 declares them (property order is its
 * tables' order). Acquire* and the experimental properties are left out. */
static const char bluez_xml[] =
    "<node>"
    "<interface name='org.freedesktop.DBus.ObjectManager'>"
    " <method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
    " <signal name='InterfacesAdded'><arg type='o'/><arg type='a{sa{sv}}'/></signal>"
    " <signal name='InterfacesRemoved'><arg type='o'/><arg type='as'/></signal>"
    "</interface>"
    "<interface name='org.bluez.Adapter1'>"
    " <method name='StartDiscovery'/>"
    " <method name='SetDiscoveryFilter'><arg name='properties' type='a{sv}' direction='in'/></method>"
    " <method name='StopDiscovery'/>"
    " <method name='RemoveDevice'><arg name='device' type='o' direction='in'/></method>"
    " <method name='GetDiscoveryFilters'><arg name='filters' type='as' direction='out'/></method>"
    " <property name='Address' type='s' access='read'/>"
    " <property name='AddressType' type='s' access='read'/>"
    " <property name='Name' type='s' access='read'/>"
    " <property name='Alias' type='s' access='readwrite'/>"
    " <property name='Class' type='u' access='read'/>"
    " <property name='Powered' type='b' access='readwrite'/>"
    " <property name='Discoverable' type='b' access='readwrite'/>"
    " <property name='DiscoverableTimeout' type='u' access='readwrite'/>"
    " <property name='Pairable' type='b' access='readwrite'/>"
    " <property name='PairableTimeout' type='u' access='readwrite'/>"
    " <property name='Discovering' type='b' access='read'/>"
    " <property name='UUIDs' type='as' access='read'/>"
    " <property name='Modalias' type='s' access='read'/>"
    " <property name='Roles' type='as' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.Device1'>"
    " <method name='Disconnect'/>"
    " <method name='Connect'/>"
    " <method name='ConnectProfile'><arg name='UUID' type='s' direction='in'/></method>"
    " <method name='DisconnectProfile'><arg name='UUID' type='s' direction='in'/></method>"
    " <method name='Pair'/>"
    " <method name='CancelPairing'/>"
    " <property name='Address' type='s' access='read'/>"
    " <property name='AddressType' type='s' access='read'/>"
    " <property name='Name' type='s' access='read'/>"
    " <property name='Alias' type='s' access='readwrite'/>"
    " <property name='Class' type='u' access='read'/>"
    " <property name='Appearance' type='q' access='read'/>"
    " <property name='Icon' type='s' access='read'/>"
    " <property name='Paired' type='b' access='read'/>"
    " <property name='Bonded' type='b' access='read'/>"
    " <property name='Trusted' type='b' access='readwrite'/>"
    " <property name='Blocked' type='b' access='readwrite'/>"
    " <property name='LegacyPairing' type='b' access='read'/>"
    " <property name='RSSI' type='n' access='read'/>"
    " <property name='Connected' type='b' access='read'/>"
    " <property name='UUIDs' type='as' access='read'/>"
    " <property name='Modalias' type='s' access='read'/>"
    " <property name='Adapter' type='o' access='read'/>"
    " <property name='ManufacturerData' type='a{qv}' access='read'/>"
    " <property name='ServiceData' type='a{sv}' access='read'/>"
    " <property name='TxPower' type='n' access='read'/>"
    " <property name='ServicesResolved' type='b' access='read'/>"
    " <property name='WakeAllowed' type='b' access='readwrite'/>"
    "</interface>"
    "<interface name='org.bluez.GattService1'>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Device' type='o' access='read'/>"
    " <property name='Primary' type='b' access='read'/>"
    " <property name='Includes' type='ao' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.GattCharacteristic1'>"
    " <method name='ReadValue'><arg name='options' type='a{sv}' direction='in'/><arg name='value' type='ay' direction='out'/></method>"
    " <method name='WriteValue'><arg name='value' type='ay' direction='in'/><arg name='options' type='a{sv}' direction='in'/></method>"
    " <method name='StartNotify'/>"
    " <method name='StopNotify'/>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Service' type='o' access='read'/>"
    " <property name='Value' type='ay' access='read'/>"
    " <property name='Notifying' type='b' access='read'/>"
    " <property name='Flags' type='as' access='read'/>"
    " <property name='MTU' type='q' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.GattDescriptor1'>"
    " <method name='ReadValue'><arg name='options' type='a{sv}' direction='in'/><arg name='value' type='ay' direction='out'/></method>"
    " <method name='WriteValue'><arg name='value' type='ay' direction='in'/><arg name='options' type='a{sv}' direction='in'/></method>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Characteristic' type='o' access='read'/>"
    " <property name='Value' type='ay' access='read'/>"
    "</interface>"
    "</node>";

Fake fake;

/* ---- dispatch, FailNext and DelayNext ---------------------------------------------------- */

typedef struct {
	GDBusMethodInvocation *inv;
	FbObj *obj;
	char *method;
	GVariant *params;
} Delayed;

static GPtrArray *delayed; /* Delayed, so a restart can fail them */

static void
dispatch(GDBusMethodInvocation *inv, FbObj *o, const char *method, GVariant *params)
{
	const char *iface = fb_obj_iface(o);

	if (g_str_equal(iface, DEVICE))
		fb_device_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, CHRC))
		fb_chrc_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, DESC))
		fb_desc_method(inv, o->owner, method, params);
	else
		fb_adapter_method(inv, o->owner, method, params);
}

static void
delayed_free(Delayed *x)
{
	g_free(x->method);
	g_variant_unref(x->params);
	g_free(x);
}

static gboolean
delayed_cb(gpointer user_data)
{
	Delayed *x = user_data;

	g_ptr_array_remove(delayed, x);
	if (!x->obj->exported)
		fb_error(x->inv, "org.freedesktop.DBus.Error.UnknownObject", "Object went away");
	else
		dispatch(x->inv, x->obj, x->method, x->params);
	delayed_free(x);
	return G_SOURCE_REMOVE;
}

static void
count_call(const char *method)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(fake.calls, method));

	g_hash_table_insert(fake.calls, g_strdup(method), GUINT_TO_POINTER(n + 1));
}

static void
method_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	    const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	FbObj *o = user_data;
	const char *fail;
	guint ms;

	count_call(method);
	if ((fail = g_hash_table_lookup(fake.fail_next, method)) != NULL) {
		g_autofree char *name = g_strdup(fail);
		g_hash_table_remove(fake.fail_next, method);
		fb_error(inv, name, "Failed on cue");
		return;
	}
	if ((ms = GPOINTER_TO_UINT(g_hash_table_lookup(fake.delay_next, method))) != 0) {
		Delayed *x = g_new0(Delayed, 1);
		g_hash_table_remove(fake.delay_next, method);
		x->inv = inv;
		x->obj = o;
		x->method = g_strdup(method);
		x->params = g_variant_ref(params);
		g_ptr_array_add(delayed, x);
		g_timeout_add(ms, delayed_cb, x);
		return;
	}
	dispatch(inv, o, method, params);
}

static GVariant *
get_property(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *name, GError **error, gpointer user_data)
{
	GVariant *v = fb_obj_get(user_data, name);

	if (v == NULL) {
		/* gdbus: an optional property whose exists() is false. */
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property '%s'",
			    name);
		return NULL;
	}
	return g_variant_ref(v);
}

static gboolean
set_property(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *name, GVariant *value, GError **error, gpointer user_data)
{
	FbObj *o = user_data;

	if (g_str_equal(iface, ADAPTER) && g_str_equal(name, "Powered")) {
		fb_adapter_set_powered(o->owner, g_variant_get_boolean(value));
	} else if (g_str_equal(iface, ADAPTER) && g_str_equal(name, "Discoverable") &&
		   !((Adapter *)o->owner)->powered) {
		g_set_error_literal(error, G_DBUS_ERROR, G_DBUS_ERROR_FAILED, "Not Powered");
		g_dbus_error_set_dbus_error(error, ERR "Failed", "Not Powered", NULL);
		return FALSE;
	} else if (g_str_equal(iface, DEVICE) && g_str_equal(name, "Trusted")) {
		((Device *)o->owner)->trusted = g_variant_get_boolean(value);
		fb_obj_set(o, name, value, FALSE);
	} else if (g_str_equal(iface, DEVICE) && g_str_equal(name, "Blocked")) {
		/* Blocking drops the link (device_block in device.c). */
		if (g_variant_get_boolean(value))
			fb_device_disconnect(o->owner);
		fb_obj_set(o, name, value, FALSE);
	} else if (g_str_equal(iface, DEVICE) && g_str_equal(name, "WakeAllowed")) {
		g_dbus_error_set_dbus_error(error, ERR "NotSupported", "Operation is not supported",
					    NULL);
		return FALSE;
	} else {
		fb_obj_set(o, name, value, FALSE);
	}
	/* bluetoothd's reply follows the change it announces. */
	fb_flush();
	return TRUE;
}

static const GDBusInterfaceVTable vtable = {method_call, get_property, set_property, {0}};

/* ---- the bus name, and bluetoothd going away ------------------------------------------ */

static void
om_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	fb_reply(inv, fb_managed_objects());
}

static const GDBusInterfaceVTable om_vtable = {om_call, NULL, NULL, {0}};

static void
export_all(void)
{
	g_autoptr(GError) error = NULL;

	fb_objects_set_serving(TRUE);
	fake.om_reg = g_dbus_connection_register_object(
	    fake.conn, "/", g_dbus_node_info_lookup_interface(fake.node,
							       "org.freedesktop.DBus.ObjectManager"),
	    &om_vtable, NULL, NULL, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < fake.adapters->len; i++)
		fb_obj_export(((Adapter *)g_ptr_array_index(fake.adapters, i))->obj);
	/* Stored devices come back from storage; others only once seen. */
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (d->paired || d->stored)
			fb_device_know(d);
	}
}

static void
on_bluez_acquired(GDBusConnection *c, const char *name, gpointer user_data)
{
	g_print("fake-bluez: ready\n");
}

static void
on_bluez_lost(GDBusConnection *c, const char *name, gpointer user_data)
{
	if (fake.bluez_owner != 0) {
		g_printerr("fake-bluez: could not own %s\n", name);
		exit(1);
	}
}

static void
own_bluez(void)
{
	export_all();
	fake.bluez_owner = g_bus_own_name_on_connection(fake.conn, "org.bluez",
							G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
							on_bluez_acquired, on_bluez_lost, NULL, NULL);
}

static gboolean
restart_cb(gpointer user_data)
{
	own_bluez();
	return G_SOURCE_REMOVE;
}

/* bluetoothd dies: its name vanishes from the bus, with no signals, and
 * it comes back knowing only what it stored. */
void
fb_restart(guint ms)
{
	fb_flush();
	fb_objects_set_serving(FALSE);
	while (delayed->len > 0) {
		Delayed *x = g_ptr_array_steal_index(delayed, 0);
		g_dbus_method_invocation_return_dbus_error(x->inv, "org.freedesktop.DBus.Error.NoReply",
							   "bluetoothd exited");
		g_source_remove_by_user_data(x);
		delayed_free(x);
	}
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		g_clear_handle_id(&d->connect_timeout, g_source_remove);
		g_clear_handle_id(&d->disconnect_timer, g_source_remove);
		g_clear_handle_id(&d->resolve_source, g_source_remove);
		if (d->connect != NULL)
			g_dbus_method_invocation_return_dbus_error(
			    d->connect, "org.freedesktop.DBus.Error.NoReply", "bluetoothd exited");
		d->connect = NULL;
		while (d->disconnects->len > 0)
			g_dbus_method_invocation_return_dbus_error(
			    g_ptr_array_steal_index(d->disconnects, 0),
			    "org.freedesktop.DBus.Error.NoReply", "bluetoothd exited");
		d->connected = d->resolved = FALSE;
		lactd_emu_set_link(d->emu, FALSE);
		fb_device_drop_gatt(d, TRUE);
		fb_obj_unexport(d->obj, TRUE);
		d->known = FALSE;
		fb_obj_set(d->obj, "Connected", g_variant_new_boolean(FALSE), FALSE);
		fb_obj_set(d->obj, "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
		fb_obj_unset(d->obj, "RSSI");
	}
	for (guint i = 0; i < fake.adapters->len; i++) {
		Adapter *a = g_ptr_array_index(fake.adapters, i);
		g_ptr_array_set_size(a->discoveries, 0);
		fb_obj_set(a->obj, "Discovering", g_variant_new_boolean(FALSE), FALSE);
		fb_obj_unexport(a->obj, TRUE);
	}
	if (fake.om_reg != 0)
		g_dbus_connection_unregister_object(fake.conn, fake.om_reg);
	fake.om_reg = 0;
	g_bus_unown_name(fake.bluez_owner);
	fake.bluez_owner = 0;
	g_timeout_add(MAX(ms, 1), restart_cb, NULL);
}

/* ---- scenario time ------------------------------------------------------------------------ */

static gboolean
tick_cb(gpointer user_data)
{
	gint64 now = g_get_monotonic_time();
	gint64 step_ms = (gint64)((now - fake.last_tick_us) / 1000.0 * fake.speed);
	gboolean active = FALSE;

	fake.last_tick_us = now;
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (!d->started || d->finished_sent)
			continue;
		d->sim_ms += step_ms;
		lactd_emu_advance_to(d->emu, d->sim_ms);
		if (d->emu->klass->finished != NULL && d->emu->klass->finished(d->emu)) {
			d->finished_sent = TRUE;
			fb_emit("/org/lactd/FakeBluez", "org.lactd.FakeBluez1", "ScenarioFinished",
				g_variant_new("(s)", d->address));
		} else {
			active = TRUE;
		}
	}
	if (!active) {
		/* Nothing left to play: no timer at all. */
		fake.tick = 0;
		return G_SOURCE_REMOVE;
	}
	return G_SOURCE_CONTINUE;
}

void
fb_ensure_tick(void)
{
	if (fake.tick != 0)
		return;
	fake.last_tick_us = g_get_monotonic_time();
	fake.tick = g_timeout_add(TICK_MS, tick_cb, NULL);
}

/* ---- start ------------------------------------------------------------------------------- */

static gboolean
on_term(gpointer user_data)
{
	g_main_loop_quit(fake.loop);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	g_autofree char *config = NULL;
	double speed = 1;
	const GOptionEntry entries[] = {
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config, "Scenario key file", "FILE"},
	    {"speed", 's', 0, G_OPTION_ARG_DOUBLE, &speed, "Scenario time per real time", "N"},
	    G_OPTION_ENTRY_NULL,
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- a fake bluetoothd for tests");
	g_autoptr(GError) error = NULL;
	int status = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || config == NULL) {
		g_printerr("fake-bluez: %s\n", error ? error->message : "--config is required");
		return 2;
	}
	if (!(speed > 0 && speed <= 10000)) {
		g_printerr("fake-bluez: --speed: more than 0, at most 10000\n");
		return 2;
	}
	fake.speed = speed;
	fake.node = g_dbus_node_info_new_for_xml(bluez_xml, &error);
	g_assert_no_error(error);
	fake.conn = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (fake.conn == NULL) {
		g_printerr("fake-bluez: %s\n", error->message);
		return 1;
	}
	fb_objects_init(fake.conn, fake.node, &vtable);
	fake.adapters = g_ptr_array_new_with_free_func((GDestroyNotify)fb_adapter_free);
	fake.devices = g_ptr_array_new_with_free_func((GDestroyNotify)fb_device_free);
	fake.fail_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fake.delay_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fake.calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	delayed = g_ptr_array_new();
	fake.loop = g_main_loop_new(NULL, FALSE);
	if (!fb_scenario_load(config, &error)) {
		g_printerr("fake-bluez: %s: %s\n", config, error->message);
		status = 1;
		goto out;
	}
	fb_control_export();
	own_bluez();
	g_unix_signal_add(SIGTERM, on_term, NULL);
	g_unix_signal_add(SIGINT, on_term, NULL);
	g_main_loop_run(fake.loop);
out:
	fb_objects_set_serving(FALSE);
	g_clear_handle_id(&fake.tick, g_source_remove);
	g_ptr_array_unref(fake.devices);
	g_ptr_array_unref(fake.adapters);
	g_ptr_array_unref(delayed);
	g_hash_table_unref(fake.fail_next);
	g_hash_table_unref(fake.delay_next);
	g_hash_table_unref(fake.calls);
	g_key_file_unref(fake.scenario);
	g_dbus_node_info_unref(fake.node);
	g_clear_pointer(&fake.control, g_dbus_node_info_unref);
	g_main_loop_unref(fake.loop);
	g_object_unref(fake.conn);
	return status;
}
