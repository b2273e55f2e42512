/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client. Interfaces, methods and properties as documented in
 * BlueZ doc/device-api.txt, doc/adapter-api.txt and doc/gatt-api.txt.
 *
 * This file watches the org.bluez name, reads its objects through an
 * ObjectManager client that never auto-starts it, and sends each object's
 * arrival, departure and property changes to the file that knows its
 * interface: lactd-bluez-adapter.c, lactd-bluez-device.c (devices and
 * their links through lactd-bluez-link.c and lactd-bluez-bond.c) and
 * lactd-bluez-gatt.c.
 *
 * Every call has a bounded timeout and a cancellable: a device's link
 * cancellable is cancelled whenever its link state is left (and when it goes
 * away), the client's when org.bluez goes away. A callback returns at once
 * on G_IO_ERROR_CANCELLED without touching its user data: GTask reports a
 * cancelled operation as cancelled even if its reply came first, so a
 * callback that gets anything else knows its device is still alive.
 *
 * Nothing here runs a timer unless something is to be done: a device that
 * is unwanted, absent or on a powered-off adapter waits for a property or
 * an object to come back.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez-private.h"

gboolean
lactd_bluez_is_up(LactdBluez *bluez)
{
	return bluez->manager != NULL;
}

/* Snapshot, since a listener may change the table while we walk it. */
void
lactd_bluez_evaluate_all(LactdBluez *bluez)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	const char *path;

	g_hash_table_iter_init(&it, bluez->devices);
	while (g_hash_table_iter_next(&it, (gpointer *)&path, NULL))
		g_ptr_array_add(paths, g_strdup(path));
	for (guint i = 0; i < paths->len; i++) {
		LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, paths->pdata[i]);
		if (dev != NULL)
			lactd_bluez_evaluate(dev);
	}
}

static void
gatt_changed(LactdBluez *bluez, LactdBluezDevice *dev)
{
	if (dev == NULL)
		return;
	bluez->listener->device_changed(dev, bluez->user_data);
	/* The listener may have removed nothing, but be safe: look it up again. */
	if (g_hash_table_lookup(bluez->devices, dev->path) == dev)
		lactd_bluez_evaluate(dev);
}

static void
interface_added(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		lactd_bluez_adapter_add(bluez, proxy);
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		lactd_bluez_device_add(bluez, proxy);
	} else if (g_strcmp0(iface, IFACE_SERVICE) == 0) {
		g_autofree char *device_path = lactd_bluez_owner_path(proxy, "Device");

		g_hash_table_replace(bluez->services, g_strdup(path), g_object_ref(proxy));
		gatt_changed(bluez, g_hash_table_lookup(bluez->devices, device_path));
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		g_hash_table_replace(bluez->chars, g_strdup(path), g_object_ref(proxy));
		gatt_changed(bluez, lactd_bluez_char_device(bluez, proxy));
	}
}

static void
interface_removed(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		g_hash_table_remove(bluez->adapters, path);
		lactd_bluez_evaluate_all(bluez);
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		lactd_bluez_device_remove(bluez, path);
	} else if (g_strcmp0(iface, IFACE_SERVICE) == 0) {
		g_hash_table_remove(bluez->services, path);
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		LactdBluezDevice *dev = lactd_bluez_char_device(bluez, proxy);

		if (dev != NULL) {
			g_hash_table_remove(dev->notifying, path);
			lactd_bluez_early_forget(dev, path);
		}
		g_hash_table_remove(bluez->chars, path);
	}
}

static void
on_interface_added(GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
		   gpointer user_data)
{
	interface_added(user_data, G_DBUS_PROXY(iface));
}

static void
on_interface_removed(GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
		     gpointer user_data)
{
	interface_removed(user_data, G_DBUS_PROXY(iface));
}

/* Each interface of an object that came or went, through one of the above. */
static void
each_interface(GDBusObject *object, void (*fn)(LactdBluez *, GDBusProxy *), LactdBluez *bluez)
{
	GList *ifaces = g_dbus_object_get_interfaces(object);

	for (GList *l = ifaces; l != NULL; l = l->next)
		fn(bluez, G_DBUS_PROXY(l->data));
	g_list_free_full(ifaces, g_object_unref);
}

static void
on_object_added(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
	each_interface(object, interface_added, user_data);
}

static void
on_object_removed(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
	each_interface(object, interface_removed, user_data);
}

static void
on_properties_changed(GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
		      GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
		      gpointer user_data)
{
	LactdBluez *bluez = user_data;
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		lactd_bluez_adapter_properties_changed(bluez, path, changed);
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, path);

		if (dev != NULL)
			lactd_bluez_device_properties_changed(dev, changed);
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		lactd_bluez_char_value_changed(bluez, proxy, changed);
	}
}

/* --- org.bluez coming and going ---------------------------------------------------- */

static void
drop_all(LactdBluez *bluez)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	const char *path;

	g_clear_handle_id(&bluez->retry_timer, g_source_remove);
	g_cancellable_cancel(bluez->cancellable);
	g_clear_object(&bluez->cancellable);
	bluez->cancellable = g_cancellable_new();
	if (bluez->manager != NULL) {
		g_signal_handlers_disconnect_by_data(bluez->manager, bluez);
		g_clear_object(&bluez->manager);
	}
	g_hash_table_iter_init(&it, bluez->devices);
	while (g_hash_table_iter_next(&it, (gpointer *)&path, NULL))
		g_ptr_array_add(paths, g_strdup(path));
	/* A device known through two adapters falls back on its other object
	 * when the first goes; that one is going too: nothing may connect or
	 * scan meanwhile (at stop, BlueZ would be asked to connect the pump
	 * just as lactd leaves). */
	bluez->dropping = TRUE;
	for (guint i = 0; i < paths->len; i++)
		lactd_bluez_device_remove(bluez, paths->pdata[i]);
	bluez->dropping = FALSE;
	g_hash_table_remove_all(bluez->chars);
	g_hash_table_remove_all(bluez->services);
	g_hash_table_remove_all(bluez->adapters);
}

static void start_manager(LactdBluez *bluez);

static gboolean
retry_cb(gpointer user_data)
{
	LactdBluez *bluez = user_data;

	bluez->retry_timer = 0;
	start_manager(bluez);
	return G_SOURCE_REMOVE;
}

static gint
compare_object_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(g_dbus_object_get_object_path(G_DBUS_OBJECT(a)),
		      g_dbus_object_get_object_path(G_DBUS_OBJECT(b)));
}

static void
manager_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *manager = g_dbus_object_manager_client_new_finish(res, &error);
	LactdBluez *bluez;
	GList *objects;

	if (manager == NULL && lactd_bluez_is_cancelled(error))
		return;
	bluez = user_data;
	if (manager == NULL) {
		bluez->retry_ms = bluez->retry_ms == 0 ? MAX(bluez->config->reconnect_min_ms, 1u)
						       : MIN(bluez->retry_ms * 2,
							     MAX(bluez->config->reconnect_max_ms, 1u));
		g_message("org.bluez: cannot list its objects: %s; retrying in %u ms", error->message,
			  bluez->retry_ms);
		bluez->retry_timer = g_timeout_add(bluez->retry_ms, retry_cb, bluez);
		return;
	}
	bluez->retry_ms = 0;
	bluez->manager = manager;
	g_signal_connect(manager, "object-added", G_CALLBACK(on_object_added), bluez);
	g_signal_connect(manager, "object-removed", G_CALLBACK(on_object_removed), bluez);
	g_signal_connect(manager, "interface-added", G_CALLBACK(on_interface_added), bluez);
	g_signal_connect(manager, "interface-removed", G_CALLBACK(on_interface_removed), bluez);
	g_signal_connect(manager, "interface-proxy-properties-changed",
			 G_CALLBACK(on_properties_changed), bluez);
	/* Parents first (an adapter before its devices, a device before its
	 * services), as bluetoothd sends them; the client's list is in hash
	 * order. */
	objects = g_list_sort(g_dbus_object_manager_get_objects(manager), compare_object_paths);
	bluez->loading = TRUE;
	for (GList *l = objects; l != NULL; l = l->next)
		on_object_added(manager, l->data, bluez);
	bluez->loading = FALSE;
	g_list_free_full(objects, g_object_unref);
	lactd_bluez_evaluate_all(bluez);
	g_message("org.bluez is up: %u adapter(s), %u device(s)",
		  g_hash_table_size(bluez->adapters), g_hash_table_size(bluez->devices));
}

static void
start_manager(LactdBluez *bluez)
{
	if (bluez->owner == NULL)
		return;
	/* The unique name: a restarted bluetoothd is a new manager, built
	 * afresh when the name reappears. */
	g_dbus_object_manager_client_new(bluez->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
					 bluez->owner, "/", NULL, NULL, NULL, bluez->cancellable,
					 manager_cb, bluez);
}

static void
on_bluez_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	LactdBluez *bluez = user_data;

	if (g_strcmp0(bluez->owner, owner) == 0)
		return;
	drop_all(bluez);
	g_free(bluez->owner);
	bluez->owner = g_strdup(owner);
	g_debug("org.bluez appeared as %s", owner);
	start_manager(bluez);
}

static void
on_bluez_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	LactdBluez *bluez = user_data;

	if (bluez->owner != NULL)
		g_message("org.bluez went away: waiting for it to come back");
	else
		g_message("org.bluez is not running: waiting for it");
	drop_all(bluez);
	g_clear_pointer(&bluez->owner, g_free);
}

LactdBluez *
lactd_bluez_new(GDBusConnection *system_bus, const LactdConfig *config)
{
	LactdBluez *bluez;

	g_return_val_if_fail(G_IS_DBUS_CONNECTION(system_bus), NULL);
	bluez = g_new0(LactdBluez, 1);
	bluez->bus = g_object_ref(system_bus);
	bluez->config = config;
	bluez->cancellable = g_cancellable_new();
	bluez->adapters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)lactd_bluez_adapter_free);
	bluez->devices = g_hash_table_new(g_str_hash, g_str_equal);
	bluez->services = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	bluez->chars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	return bluez;
}

void
lactd_bluez_start(LactdBluez *bluez, const LactdBluezListener *listener, gpointer user_data)
{
	g_return_if_fail(bluez != NULL && listener != NULL);
	g_return_if_fail(bluez->watch_id == 0 && bluez->listener == NULL);

	bluez->listener = listener;
	bluez->user_data = user_data;
	bluez->watch_id = g_bus_watch_name_on_connection(bluez->bus, BLUEZ_NAME,
							 G_BUS_NAME_WATCHER_FLAGS_NONE,
							 on_bluez_appeared, on_bluez_vanished, bluez,
							 NULL);
}

void
lactd_bluez_stop(LactdBluez *bluez)
{
	if (bluez->watch_id == 0)
		return;
	g_bus_unwatch_name(bluez->watch_id);
	bluez->watch_id = 0;
	drop_all(bluez);
	g_clear_pointer(&bluez->owner, g_free);
}

gboolean
lactd_bluez_is_started(LactdBluez *bluez)
{
	return bluez->watch_id != 0;
}

void
lactd_bluez_free(LactdBluez *bluez)
{
	if (bluez == NULL)
		return;
	lactd_bluez_stop(bluez);
	g_cancellable_cancel(bluez->cancellable);
	g_clear_object(&bluez->cancellable);
	g_hash_table_destroy(bluez->devices);
	g_hash_table_destroy(bluez->chars);
	g_hash_table_destroy(bluez->services);
	g_hash_table_destroy(bluez->adapters);
	g_free(bluez->owner);
	g_object_unref(bluez->bus);
	g_free(bluez);
}
