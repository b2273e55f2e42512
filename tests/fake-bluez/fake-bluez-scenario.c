/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake bluetoothd's scenario: the key file given with --config (its
 * groups and keys are described in fake-bluez.c) read into adapters and
 * devices.
 */
#include "config.h"

#include <string.h>

#include "fake-bluez.h"

/* Keys of a [device] group that are the fake's; "name" goes to the
 * emulator too. */
static const char *const own_keys[] = {"adapter", "address", "address_type", "name", "paired",
				       "bonded", "trusted", "stored", "present", "connectable",
				       "broadcaster", "needs_encryption", NULL};

static gboolean
get_bool(GKeyFile *kf, const char *group, const char *key, gboolean def, GError **error)
{
	g_autoptr(GError) local = NULL;
	gboolean v;

	if (!g_key_file_has_key(kf, group, key, NULL))
		return def;
	v = g_key_file_get_boolean(kf, group, key, &local);
	if (local != NULL)
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "[%s] %s: ", group, key);
	return v;
}

static gboolean
load_device(const char *group, GError **error)
{
	GKeyFile *kf = fake.scenario;
	g_autoptr(GKeyFile) emu_kf = g_key_file_new();
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *adapter = g_key_file_get_string(kf, group, "adapter", NULL);
	g_autofree char *address = g_key_file_get_string(kf, group, "address", NULL);
	g_autofree char *type = g_key_file_get_string(kf, group, "address_type", NULL);
	g_autoptr(GError) local = NULL;
	Device *d;

	/* The emulator sees its own keys only. */
	for (guint k = 0; keys[k] != NULL; k++) {
		g_autofree char *v = g_key_file_get_value(kf, group, keys[k], NULL);
		if (!g_strv_contains(own_keys, keys[k]) || g_str_equal(keys[k], "name"))
			g_key_file_set_value(emu_kf, group, keys[k], v);
	}
	if (address == NULL || strlen(address) != 17) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] address: XX:XX:XX:XX:XX:XX required", group);
		return FALSE;
	}
	if (type != NULL && !g_str_equal(type, "public") && !g_str_equal(type, "random")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] address_type: public or random", group);
		return FALSE;
	}
	/* bluetoothd keeps one object per adapter that knows an address: the
	 * same device seen by two controllers is two groups here, with the
	 * control methods acting on the first. */
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *o = g_ptr_array_index(fake.devices, i);
		if (g_ascii_strcasecmp(o->address, address) == 0 &&
		    g_str_equal(o->adapter->name, adapter != NULL ? adapter : "hci0")) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] address %s used twice on %s", group, address,
				    o->adapter->name);
			return FALSE;
		}
	}
	d = g_new0(Device, 1);
	g_ptr_array_add(fake.devices, d);
	d->disconnects = g_ptr_array_new();
	d->address = g_ascii_strup(address, -1);
	d->address_type = g_strdup(type != NULL ? type : "public");
	d->adapter = fb_find_adapter(adapter != NULL ? adapter : "hci0");
	if (d->adapter == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s]: no adapter %s",
			    group, adapter ? adapter : "hci0");
		return FALSE;
	}
	d->emu = lactd_emu_new(emu_kf, group, error);
	if (d->emu == NULL)
		return FALSE;
	fb_device_listen(d);
	d->paired = get_bool(kf, group, "paired", FALSE, &local);
	d->bonded = get_bool(kf, group, "bonded", d->paired, &local);
	d->trusted = get_bool(kf, group, "trusted", FALSE, &local);
	d->stored = get_bool(kf, group, "stored", TRUE, &local);
	d->present = get_bool(kf, group, "present", TRUE, &local);
	d->connectable = get_bool(kf, group, "connectable", TRUE, &local);
	d->needs_encryption = get_bool(kf, group, "needs_encryption", FALSE, &local);
	d->broadcaster = get_bool(kf, group, "broadcaster",
				  lactd_emu_services(d->emu)[0].uuid == NULL,
				  &local);
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	d->name = g_key_file_get_string(kf, group, "name", NULL);
	d->obj = fb_device_obj_new(d);
	if (d->broadcaster) {
		d->started = TRUE;
		fb_ensure_tick();
	}
	return TRUE;
}

gboolean
fb_scenario_load(const char *path, GError **error)
{
	g_auto(GStrv) groups = NULL;
	g_autofree char *cache = NULL;

	fake.scenario = g_key_file_new();
	if (!g_key_file_load_from_file(fake.scenario, path, G_KEY_FILE_NONE, error))
		return FALSE;
	{
		/* Emulators take relative file names (a replayed capture)
		 * from the scenario's folder. */
		g_autofree char *dir = g_path_get_dirname(path);
		lactd_emu_set_scenario_dir(dir);
	}
	cache = g_key_file_get_string(fake.scenario, "bluetoothd", "gatt_cache", NULL);
	if (cache == NULL || g_str_equal(cache, "always"))
		fake.cache = CACHE_ALWAYS;
	else if (g_str_equal(cache, "yes"))
		fake.cache = CACHE_YES;
	else if (g_str_equal(cache, "no"))
		fake.cache = CACHE_NO;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[bluetoothd] gatt_cache: always, yes or no");
		return FALSE;
	}
	fake.connect_timeout_ms = 5000;
	fake.disconnect_delay_ms = 2000;
	if (g_key_file_has_key(fake.scenario, "bluetoothd", "connect_timeout_ms", NULL))
		fake.connect_timeout_ms = (guint)CLAMP(
		    g_key_file_get_int64(fake.scenario, "bluetoothd", "connect_timeout_ms", NULL), 1,
		    600000);
	if (g_key_file_has_key(fake.scenario, "bluetoothd", "disconnect_delay_ms", NULL))
		fake.disconnect_delay_ms = (guint)CLAMP(
		    g_key_file_get_int64(fake.scenario, "bluetoothd", "disconnect_delay_ms", NULL), 1,
		    600000);
	groups = g_key_file_get_groups(fake.scenario, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		g_autofree char *address = NULL;
		g_autoptr(GError) local = NULL;
		gboolean powered;

		if (!g_str_has_prefix(groups[i], "adapter "))
			continue;
		address = g_key_file_get_string(fake.scenario, groups[i], "address", NULL);
		powered = get_bool(fake.scenario, groups[i], "powered", TRUE, &local);
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
		fb_adapter_new(groups[i] + 8, address != NULL ? address : "00:1A:7D:DA:71:13", powered);
	}
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "device ") && !load_device(groups[i], error))
			return FALSE;
		if (!g_str_has_prefix(groups[i], "device ") &&
		    !g_str_has_prefix(groups[i], "adapter ") && !g_str_equal(groups[i], "bluetoothd")) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s]: not a group of the fake BlueZ", groups[i]);
			return FALSE;
		}
	}
	return TRUE;
}
