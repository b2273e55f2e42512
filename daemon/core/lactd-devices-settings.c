/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A device's settings (Side, Role, Enabled) and Forget: checked, stored
 * before they are applied, then applied to the device's capture. What
 * Device1 writes and calls (daemon/dbus/lactd-device1.c) ends here.
 */
#include "config.h"

#include "lactd-devices-private.h"
#include "lactd-error.h"

gboolean
lactd_devices_check_setting(const char *prop, GVariant *value, GError **error)
{
	if (g_strcmp0(prop, "Side") == 0 || g_strcmp0(prop, "Role") == 0) {
		const char *s = g_variant_is_of_type(value, G_VARIANT_TYPE_STRING)
				    ? g_variant_get_string(value, NULL)
				    : NULL;
		gboolean side = prop[0] == 'S';

		if (side ? lactd_devices_side_valid(s) : lactd_devices_role_valid(s))
			return TRUE;
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    side ? "Side must be left, right, both or unknown"
					 : "Role must be bottle or baby");
		return FALSE;
	}
	if (g_strcmp0(prop, "Enabled") == 0) {
		if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
			return TRUE;
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "Enabled is a boolean");
		return FALSE;
	}
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "property %s is not writable",
		    prop);
	return FALSE;
}

static Entry *
entry_for(LactdDevices *devices, const char *address, GError **error)
{
	Entry *e = g_hash_table_lookup(devices->entries, address);

	if (e == NULL)
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND, "the device is gone");
	return e;
}

gboolean
lactd_devices_apply_setting(LactdDevices *devices, const char *address, const char *prop,
			    GVariant *value, const char *who, GError **error)
{
	Entry *e = entry_for(devices, address, error);
	g_autoptr(LactdDeviceRow) row = NULL;
	g_autoptr(GError) local = NULL;
	gboolean was_enabled;

	if (e == NULL || !lactd_devices_check_setting(prop, value, error))
		return FALSE;
	was_enabled = e->info.enabled;
	row = lactd_devices_entry_row(e);
	if (g_strcmp0(prop, "Side") == 0) {
		g_free(row->side);
		row->side = g_variant_dup_string(value, NULL);
	} else if (g_strcmp0(prop, "Role") == 0) {
		g_free(row->role);
		row->role = g_variant_dup_string(value, NULL);
	} else {
		row->enabled = g_variant_get_boolean(value);
	}
	/* Stored first: a setting the client saw accepted survives a restart. */
	if (!lactd_store_put_device(devices->store, row, &local)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s", local->message);
		return FALSE;
	}
	if (g_strcmp0(prop, "Side") == 0) {
		e->side_user_set = TRUE;
		lactd_devices_set_str(e, LACTD_DEVICE_SIDE, row->side);
	} else if (g_strcmp0(prop, "Role") == 0) {
		lactd_devices_set_str(e, LACTD_DEVICE_ROLE, row->role);
	} else {
		lactd_devices_set_bool(e, LACTD_DEVICE_ENABLED, row->enabled);
		/* The user's way to say "try again". */
		e->blocked = FALSE;
		e->incomplete_tries = 0;
		lactd_devices_set_str(e, LACTD_DEVICE_PROBLEM, "");
	}
	g_message("%s: %s set to %s by %s", e->info.address, prop,
		  g_strcmp0(prop, "Enabled") == 0 ? (row->enabled ? "true" : "false")
		  : g_strcmp0(prop, "Side") == 0  ? row->side
						  : row->role,
		  who);
	if (was_enabled != e->info.enabled || g_strcmp0(prop, "Enabled") == 0)
		lactd_devices_update(e);
	return TRUE;
}

gboolean
lactd_devices_forget(LactdDevices *devices, const char *address, const char *who, GError **error)
{
	Entry *e = entry_for(devices, address, error);
	g_autoptr(GError) local = NULL;

	if (e == NULL)
		return FALSE;
	if (!lactd_store_delete_device(devices->store, e->info.address, &local)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s", local->message);
		return FALSE;
	}
	g_message("%s: forgotten by %s", e->info.address, who);
	/* Capture stops until the user enables it again (or pairs it anew and
	 * restarts): forgetting a device must not reconnect it at once. */
	e->side_user_set = FALSE;
	lactd_devices_set_str(e, LACTD_DEVICE_SIDE, "unknown");
	lactd_devices_set_str(e, LACTD_DEVICE_ROLE, "bottle");
	lactd_devices_set_bool(e, LACTD_DEVICE_ENABLED, FALSE);
	lactd_devices_set_rejected(e, 0);
	lactd_devices_update(e);
	/* Leaving the link saves the device's state: drop that row too. */
	if (!lactd_store_delete_device(devices->store, e->info.address, &local)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s", local->message);
		return FALSE;
	}
	return TRUE;
}
