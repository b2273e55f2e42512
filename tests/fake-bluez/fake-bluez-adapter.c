/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake bluetoothd's adapters: the Adapter1 object, discovery sessions,
 * power, and the Adapter1 methods.
 */
#include "config.h"

#include "fake-bluez.h"

Adapter *
fb_find_adapter(const char *name)
{
	for (guint i = 0; i < fake.adapters->len; i++) {
		Adapter *a = g_ptr_array_index(fake.adapters, i);
		if (g_str_equal(a->name, name))
			return a;
	}
	return NULL;
}

gboolean
fb_adapter_discovering(Adapter *a)
{
	return a->discoveries->len > 0;
}

static void
discovery_free(Discovery *x)
{
	if (x->watch != 0)
		g_bus_unwatch_name(x->watch);
	g_free(x->sender);
	g_free(x);
}

/* Discovery stopped: RSSI goes (invalidate_rssi_and_tx_power) and devices
 * only seen on air are removed (discovery_cleanup in adapter.c). */
static void
adapter_discovery_stopped(Adapter *a)
{
	fb_obj_set(a->obj, "Discovering", g_variant_new_boolean(FALSE), FALSE);
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (d->adapter != a || !d->known)
			continue;
		fb_obj_unset(d->obj, "RSSI");
		if (!d->paired && !d->connected && !d->connectable)
			fb_device_forget(d);
	}
}

static void
on_discovery_vanished(GDBusConnection *c, const char *name, gpointer user_data)
{
	Discovery *x = user_data;
	Adapter *a = x->adapter;

	g_ptr_array_remove(a->discoveries, x);
	if (!fb_adapter_discovering(a))
		adapter_discovery_stopped(a);
}

void
fb_adapter_set_powered(Adapter *a, gboolean powered)
{
	if (a->powered == powered)
		return;
	if (!powered) {
		for (guint i = 0; i < fake.devices->len; i++) {
			Device *d = g_ptr_array_index(fake.devices, i);
			if (d->adapter != a)
				continue;
			fb_device_disconnect(d);
			/* Temporary devices do not survive a power cycle. */
			if (d->known && !d->paired)
				fb_device_forget(d);
		}
		if (fb_adapter_discovering(a)) {
			g_ptr_array_set_size(a->discoveries, 0);
			adapter_discovery_stopped(a);
		}
	}
	a->powered = powered;
	fb_obj_set(a->obj, "Powered", g_variant_new_boolean(powered), FALSE);
}

Adapter *
fb_adapter_new(const char *name, const char *address, gboolean powered)
{
	Adapter *a = g_new0(Adapter, 1);
	g_autofree char *path = g_strdup_printf("/org/bluez/%s", name);
	const char *roles[] = {"central", "peripheral", NULL};
	FbObj *o;

	a->name = g_strdup(name);
	a->address = g_strdup(address);
	a->powered = powered;
	a->discoveries = g_ptr_array_new_with_free_func((GDestroyNotify)discovery_free);
	o = a->obj = fb_obj_new(path, ADAPTER, a);
	fb_obj_set(o, "Address", g_variant_new_string(a->address), FALSE);
	fb_obj_set(o, "AddressType", g_variant_new_string("public"), FALSE);
	fb_obj_set(o, "Name", g_variant_new_string("fake-bluez"), FALSE);
	fb_obj_set(o, "Alias", g_variant_new_string("fake-bluez"), FALSE);
	fb_obj_set(o, "Class", g_variant_new_uint32(0), FALSE);
	fb_obj_set(o, "Powered", g_variant_new_boolean(a->powered), FALSE);
	fb_obj_set(o, "Discoverable", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "DiscoverableTimeout", g_variant_new_uint32(180), FALSE);
	fb_obj_set(o, "Pairable", g_variant_new_boolean(TRUE), FALSE);
	fb_obj_set(o, "PairableTimeout", g_variant_new_uint32(0), FALSE);
	fb_obj_set(o, "Discovering", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "UUIDs", g_variant_new_strv(NULL, 0), FALSE);
	fb_obj_set(o, "Modalias", g_variant_new_string("usb:v1D6Bp0246d0542"), FALSE);
	fb_obj_set(o, "Roles", g_variant_new_strv(roles, -1), FALSE);
	g_ptr_array_add(fake.adapters, a);
	return a;
}

void
fb_adapter_method(GDBusMethodInvocation *inv, Adapter *a, const char *method, GVariant *params)
{
	const char *sender = g_dbus_method_invocation_get_sender(inv);
	Discovery *mine = NULL;

	for (guint i = 0; i < a->discoveries->len; i++) {
		Discovery *x = g_ptr_array_index(a->discoveries, i);
		if (g_strcmp0(x->sender, sender) == 0)
			mine = x;
	}
	if (g_str_equal(method, "GetDiscoveryFilters")) {
		const char *f[] = {"UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData",
				   "Discoverable", "Pattern", NULL};
		fb_reply(inv, g_variant_new("(^as)", f));
		return;
	}
	if (g_str_equal(method, "RemoveDevice")) {
		const char *path;
		Device *d = NULL;
		g_variant_get(params, "(&o)", &path);
		for (guint i = 0; i < fake.devices->len; i++) {
			Device *x = g_ptr_array_index(fake.devices, i);
			if (x->known && x->adapter == a && g_str_equal(x->obj->path, path))
				d = x;
		}
		if (d == NULL) {
			fb_error(inv, ERR "DoesNotExist", "Does Not Exist");
			return;
		}
		if (!a->powered) {
			fb_error(inv, ERR "NotReady", "Resource Not Ready");
			return;
		}
		fb_reply(inv, NULL);
		fb_device_forget(d);
		return;
	}
	if (g_str_equal(method, "SetDiscoveryFilter")) {
		/* Filters only narrow what is reported; every fake device
		 * advertises what it is. */
		fb_reply(inv, NULL);
		return;
	}
	if (!a->powered) {
		fb_error(inv, ERR "NotReady", "Resource Not Ready");
		return;
	}
	if (g_str_equal(method, "StartDiscovery")) {
		Discovery *x;
		if (mine != NULL) {
			fb_error(inv, ERR "InProgress", "Operation already in progress");
			return;
		}
		x = g_new0(Discovery, 1);
		x->sender = g_strdup(sender);
		x->adapter = a;
		if (sender != NULL)
			x->watch = g_bus_watch_name_on_connection(fake.conn, sender,
								  G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
								  on_discovery_vanished, x, NULL);
		g_ptr_array_add(a->discoveries, x);
		fb_reply(inv, NULL);
		fb_obj_set(a->obj, "Discovering", g_variant_new_boolean(TRUE), FALSE);
		for (guint i = 0; i < fake.devices->len; i++) {
			Device *d = g_ptr_array_index(fake.devices, i);
			if (d->adapter == a && d->present) {
				fb_device_know(d);
				fb_device_show_advert(d);
			}
		}
	} else if (g_str_equal(method, "StopDiscovery")) {
		if (mine == NULL) {
			fb_error(inv, ERR "Failed", "No discovery started");
			return;
		}
		g_ptr_array_remove(a->discoveries, mine);
		fb_reply(inv, NULL);
		if (!fb_adapter_discovering(a))
			adapter_discovery_stopped(a);
	}
}

void
fb_adapter_free(Adapter *a)
{
	g_ptr_array_unref(a->discoveries);
	fb_obj_unexport(a->obj, TRUE);
	fb_obj_free(a->obj);
	g_free(a->name);
	g_free(a->address);
	g_free(a);
}
