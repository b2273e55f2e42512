/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client's device objects: cached properties of org.bluez
 * objects, a device's accessors, devices coming and going, and what a
 * Device1 PropertiesChanged means (advertisements, pairing, the link).
 *
 * Objects are kept per interface in path tables and tied together by their
 * properties when needed (GattCharacteristic1.Service, GattService1.Device),
 * so they may appear in any order.
 */
#include "config.h"

#include "lactd-bluez-private.h"

/* --- properties ------------------------------------------------------------------ */

gboolean
lactd_bluez_prop_bool(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	return v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
	       g_variant_get_boolean(v);
}

char *
lactd_bluez_prop_str(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	if (v == NULL || !(g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
			   g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)))
		return NULL;
	return g_variant_dup_string(v, NULL);
}

/* The object a GATT object belongs to: its property, else its parent path. */
char *
lactd_bluez_owner_path(GDBusProxy *proxy, const char *prop)
{
	char *path = lactd_bluez_prop_str(proxy, prop);

	if (path == NULL)
		path = g_path_get_dirname(g_dbus_proxy_get_object_path(proxy));
	return path;
}

LactdBluezDevice *
lactd_bluez_char_device(LactdBluez *bluez, GDBusProxy *chr)
{
	g_autofree char *service_path = lactd_bluez_owner_path(chr, "Service");
	GDBusProxy *service = g_hash_table_lookup(bluez->services, service_path);
	g_autofree char *device_path = NULL;

	if (service == NULL)
		return NULL;
	device_path = lactd_bluez_owner_path(service, "Device");
	return g_hash_table_lookup(bluez->devices, device_path);
}

static gboolean
service_of(LactdBluezDevice *dev, GDBusProxy *service)
{
	g_autofree char *device_path = lactd_bluez_owner_path(service, "Device");

	return g_strcmp0(device_path, dev->path) == 0;
}

GDBusProxy *
lactd_bluez_find_char(LactdBluezDevice *dev, const char *uuid)
{
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		g_autofree char *chr_uuid = lactd_bluez_prop_str(chr, "UUID");

		if (chr_uuid != NULL && g_ascii_strcasecmp(chr_uuid, uuid) == 0 &&
		    lactd_bluez_char_device(dev->bluez, chr) == dev)
			return chr;
	}
	return NULL;
}

gboolean
lactd_bluez_has_chars(LactdBluezDevice *dev)
{
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		if (lactd_bluez_char_device(dev->bluez, chr) == dev)
			return TRUE;
	}
	return FALSE;
}

/* --- accessors --------------------------------------------------------------------- */

const char *
lactd_bluez_device_get_path(LactdBluezDevice *dev)
{
	return dev->path;
}

const char *
lactd_bluez_device_get_address(LactdBluezDevice *dev)
{
	return dev->address;
}

char *
lactd_bluez_device_dup_name(LactdBluezDevice *dev)
{
	char *name = lactd_bluez_prop_str(dev->proxy, "Name");

	if (name == NULL)
		name = lactd_bluez_prop_str(dev->proxy, "Alias");
	return name != NULL ? name : g_strdup("");
}

gboolean
lactd_bluez_device_get_paired(LactdBluezDevice *dev)
{
	return lactd_bluez_prop_bool(dev->proxy, "Paired") || lactd_bluez_prop_bool(dev->proxy, "Bonded");
}

GStrv
lactd_bluez_device_dup_uuids(LactdBluezDevice *dev)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "UUIDs");
	GHashTableIter it;
	GDBusProxy *service;

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const char **uuids = g_variant_get_strv(v, NULL);
		g_strv_builder_addv(b, uuids);
	}
	g_hash_table_iter_init(&it, dev->bluez->services);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&service)) {
		if (service_of(dev, service)) {
			g_autofree char *uuid = lactd_bluez_prop_str(service, "UUID");
			if (uuid != NULL)
				g_strv_builder_add(b, uuid);
		}
	}
	return g_strv_builder_end(b);
}

GArray *
lactd_bluez_device_dup_manufacturer_ids(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "ManufacturerData");
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint16));

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE("a{qv}"))) {
		GVariantIter it;
		guint16 id;
		g_autoptr(GVariant) data = NULL;

		g_variant_iter_init(&it, v);
		while (g_variant_iter_next(&it, "{qv}", &id, &data)) {
			g_array_append_val(ids, id);
			g_clear_pointer(&data, g_variant_unref);
		}
	}
	return ids;
}

GStrv
lactd_bluez_device_dup_service_data_uuids(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "ServiceData");
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE("a{sv}"))) {
		GVariantIter it;
		const char *uuid;
		g_autoptr(GVariant) data = NULL;

		g_variant_iter_init(&it, v);
		while (g_variant_iter_next(&it, "{&sv}", &uuid, &data)) {
			g_strv_builder_add(b, uuid);
			g_clear_pointer(&data, g_variant_unref);
		}
	}
	return g_strv_builder_end(b);
}

void
lactd_bluez_device_set_user_data(LactdBluezDevice *dev, gpointer user_data)
{
	dev->user_data = user_data;
}

gpointer
lactd_bluez_device_get_user_data(LactdBluezDevice *dev)
{
	return dev->user_data;
}

/*
 * Whether the link is up. bluetoothd 5.66 marks an LE link connected
 * without announcing Connected when the ATT channel comes up before the
 * kernel's Device Connected event (src/device.c, att_connect_cb); the
 * event is then dropped as "already connected", and Connected stays false
 * in PropertiesChanged while the link is up. The VM test met it on every
 * reconnection after a bluetoothd restart. ServicesResolved is set only on
 * a connected link and reset when it goes, so it stands for Connected.
 */
gboolean
lactd_bluez_link_up(LactdBluezDevice *dev)
{
	return lactd_bluez_prop_bool(dev->proxy, "Connected") || lactd_bluez_prop_bool(dev->proxy, "ServicesResolved");
}

/* BlueZ keeps RSSI while it sees the device advertise, and drops it when not. */
gboolean
lactd_bluez_has_rssi(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "RSSI");

	return v != NULL;
}

/* --- devices coming and going ------------------------------------------------------ */

static void
device_free(LactdBluezDevice *dev)
{
	g_clear_handle_id(&dev->timer, g_source_remove);
	g_cancellable_cancel(dev->link_cancellable);
	g_object_unref(dev->link_cancellable);
	g_hash_table_destroy(dev->notifying);
	lactd_bluez_early_forget(dev, NULL);
	g_hash_table_destroy(dev->resumed);
	g_object_unref(dev->proxy);
	g_free(dev->address);
	g_free(dev->path);
	g_free(dev);
}

void
lactd_bluez_device_add(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(proxy);
	g_autofree char *address = lactd_bluez_prop_str(proxy, "Address");
	g_autofree char *adapter = lactd_bluez_device_adapter_path(proxy);
	LactdBluezDevice *dev;

	if (g_hash_table_contains(bluez->devices, path))
		return;
	if (address == NULL) {
		g_message("%s: device without an address, ignored", path);
		return;
	}
	if (!lactd_bluez_adapter_used(bluez, adapter)) {
		g_debug("%s: on %s, which Adapters= leaves out", address, adapter);
		return;
	}
	dev = g_new0(LactdBluezDevice, 1);
	dev->bluez = bluez;
	dev->path = g_strdup(path);
	dev->address = g_ascii_strup(address, -1);
	dev->proxy = g_object_ref(proxy);
	dev->link_cancellable = g_cancellable_new();
	dev->notifying = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	dev->resumed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_queue_init(&dev->early);
	g_hash_table_insert(bluez->devices, dev->path, dev);
	g_debug("%s: device %s", dev->address, path);
	bluez->listener->device_added(dev, bluez->user_data);
}

void
lactd_bluez_device_remove(LactdBluez *bluez, const char *path)
{
	LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, path);

	if (dev == NULL)
		return;
	g_debug("%s: device gone", dev->address);
	lactd_bluez_leave_ready(dev);
	lactd_bluez_new_epoch(dev);
	dev->wanted = FALSE;
	bluez->listener->device_removed(dev, bluez->user_data);
	g_hash_table_steal(bluez->devices, path);
	device_free(dev);
}

/* Hands each entry of a ManufacturerData (a{qv}) or ServiceData (a{sv})
 * dictionary to the listener, while the device is still there. */
static void
advertised_dict(LactdBluezDevice *dev, const char *path, GVariant *dict)
{
	LactdBluez *bluez = dev->bluez;
	gboolean by_uuid = g_variant_is_of_type(dict, G_VARIANT_TYPE("a{sv}"));

	for (gsize i = 0; i < g_variant_n_children(dict); i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
		g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
		g_autoptr(GVariant) boxed = g_variant_get_child_value(entry, 1);
		g_autoptr(GVariant) v = g_variant_get_variant(boxed);
		gsize len = 0;
		const guint8 *data;

		if (!g_variant_is_of_type(v, G_VARIANT_TYPE_BYTESTRING) ||
		    g_hash_table_lookup(bluez->devices, path) != dev)
			continue;
		data = g_variant_get_fixed_array(v, &len, 1);
		bluez->listener->advertisement(dev, by_uuid ? 0 : g_variant_get_uint16(key),
					       by_uuid ? g_variant_get_string(key, NULL) : NULL, data,
					       len, bluez->user_data);
	}
}

static void
advertised(LactdBluezDevice *dev, GVariant *changed)
{
	g_autoptr(GVariant) mfr = g_variant_lookup_value(changed, "ManufacturerData",
							 G_VARIANT_TYPE("a{qv}"));
	g_autoptr(GVariant) svc = g_variant_lookup_value(changed, "ServiceData", G_VARIANT_TYPE("a{sv}"));
	/* A listener may remove the device: keep its path to look it up. */
	g_autofree char *path = g_strdup(dev->path);

	if (mfr != NULL)
		advertised_dict(dev, path, mfr);
	if (svc != NULL)
		advertised_dict(dev, path, svc);
}

gboolean
lactd_bluez_changed_any(GVariant *changed, const char *const *names)
{
	for (guint i = 0; names[i] != NULL; i++) {
		g_autoptr(GVariant) v = g_variant_lookup_value(changed, names[i], NULL);
		if (v != NULL)
			return TRUE;
	}
	return FALSE;
}

void
lactd_bluez_device_properties_changed(LactdBluezDevice *dev, GVariant *changed)
{
	LactdBluez *bluez = dev->bluez;
	static const char *const info[] = {"Name",  "Alias", "Paired",	 "Bonded",
					   "UUIDs", "ManufacturerData", "ServiceData", NULL};
	static const char *const link[] = {"Connected", "ServicesResolved", "RSSI", NULL};
	g_autofree char *path = g_strdup(dev->path);

	/* Each step may end in the device's removal: look it up again after. */
	lactd_bluez_pairing_changed(dev, changed);
	if (g_hash_table_lookup(bluez->devices, path) != dev)
		return;
	if (lactd_bluez_changed_any(changed, info)) {
		bluez->listener->device_changed(dev, bluez->user_data);
		if (g_hash_table_lookup(bluez->devices, path) != dev)
			return;
	}
	advertised(dev, changed);
	if (g_hash_table_lookup(bluez->devices, path) == dev &&
	    lactd_bluez_changed_any(changed, link))
		lactd_bluez_evaluate(dev);
}
