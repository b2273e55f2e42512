/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client's adapters: which ones lactd may use (Adapters= in the
 * configuration), whether a device's adapter is powered, and LE discovery
 * kept on for devices that only broadcast.
 */
#include "config.h"

#include "lactd-bluez-private.h"

/* Adapters= in the configuration: the others are left to other programs
 * (a second controller acting as a peripheral, say), neither scanned with
 * nor connected through. */
gboolean
lactd_bluez_adapter_used(LactdBluez *bluez, const char *path)
{
	Adapter *a = g_hash_table_lookup(bluez->adapters, path);
	g_autofree char *name = g_path_get_basename(path);
	g_autofree char *address = a != NULL ? lactd_bluez_prop_str(a->proxy, "Address") : NULL;

	return lactd_config_adapter_used(bluez->config, name, address);
}

char *
lactd_bluez_device_adapter_path(GDBusProxy *proxy)
{
	char *path = lactd_bluez_prop_str(proxy, "Adapter");

	return path != NULL ? path : g_path_get_dirname(g_dbus_proxy_get_object_path(proxy));
}

gboolean
lactd_bluez_adapter_powered(LactdBluezDevice *dev)
{
	g_autofree char *path = lactd_bluez_device_adapter_path(dev->proxy);
	Adapter *a = g_hash_table_lookup(dev->bluez->adapters, path);

	return a != NULL && lactd_bluez_prop_bool(a->proxy, "Powered");
}

/* --- discovery, for broadcasters --------------------------------------------------- */

static void
discovery_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	const char *what = user_data;

	if (ret == NULL && !lactd_bluez_is_cancelled(error))
		g_message("%s: %s: %s", g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), what,
			  error->message);
}

void
lactd_bluez_apply_discovery(LactdBluez *bluez, Adapter *a)
{
	gboolean on = bluez->discovery && lactd_bluez_prop_bool(a->proxy, "Powered") &&
		      lactd_bluez_adapter_used(bluez, g_dbus_proxy_get_object_path(a->proxy));
	int timeout = (int)bluez->config->bluez_timeout_ms;

	if (bluez->dropping)
		return;
	if (!lactd_bluez_prop_bool(a->proxy, "Powered"))
		a->discovery_started = FALSE; /* BlueZ ends discovery at power-off */
	if (on == a->discovery_started)
		return;
	a->discovery_started = on;
	if (on) {
		/* Every advertisement, not just the first of each device: a
		 * broadcasting scale changes its data, not its address. */
		g_dbus_proxy_call(a->proxy, "SetDiscoveryFilter",
				  g_variant_new_parsed("({'Transport': <'le'>, 'DuplicateData': <true>},)"),
				  G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout, bluez->cancellable,
				  discovery_cb, (gpointer) "SetDiscoveryFilter");
		g_dbus_proxy_call(a->proxy, "StartDiscovery", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
				  timeout, bluez->cancellable, discovery_cb, (gpointer) "StartDiscovery");
	} else {
		g_dbus_proxy_call(a->proxy, "StopDiscovery", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
				  timeout, bluez->cancellable, discovery_cb, (gpointer) "StopDiscovery");
	}
}

void
lactd_bluez_set_discovery(LactdBluez *bluez, gboolean on)
{
	GHashTableIter it;
	Adapter *a;

	if (bluez->discovery == on)
		return;
	bluez->discovery = on;
	g_hash_table_iter_init(&it, bluez->adapters);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&a))
		lactd_bluez_apply_discovery(bluez, a);
}

void
lactd_bluez_adapter_free(Adapter *a)
{
	g_object_unref(a->proxy);
	g_free(a);
}

void
lactd_bluez_adapter_add(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(proxy);
	Adapter *a = g_new0(Adapter, 1);

	a->proxy = g_object_ref(proxy);
	g_hash_table_replace(bluez->adapters, g_strdup(path), a);
	if (!lactd_bluez_adapter_used(bluez, path))
		g_message("adapter %s not used: Adapters= leaves it out", path);
	lactd_bluez_apply_discovery(bluez, a);
	lactd_bluez_evaluate_all(bluez);
}

void
lactd_bluez_adapter_properties_changed(LactdBluez *bluez, const char *path, GVariant *changed)
{
	Adapter *a = g_hash_table_lookup(bluez->adapters, path);
	static const char *const powered[] = {"Powered", NULL};

	if (a == NULL || !lactd_bluez_changed_any(changed, powered))
		return;
	g_message("adapter %s %s", path,
		  lactd_bluez_prop_bool(a->proxy, "Powered") ? "powered on" : "powered off");
	lactd_bluez_apply_discovery(bluez, a);
	lactd_bluez_evaluate_all(bluez);
}
