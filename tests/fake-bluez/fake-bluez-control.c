/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake's control interface, org.lactd.FakeBluez1: what tests do to the
 * fake bluetoothd and its devices beyond BlueZ's API.
 */
#include "config.h"

#include "tests/fake-bluez/fake-bluez-control.h" /* generated, in the build tree */
#include "fake-bluez.h"

static gboolean
back_in_range_cb(gpointer user_data)
{
	Device *d = user_data;

	d->back_source = 0;
	fb_device_set_present(d, TRUE);
	return G_SOURCE_REMOVE;
}

static GVariant *
stats(void)
{
	GVariantBuilder b, calls;
	GHashTableIter it;
	gpointer k, v;

	g_variant_builder_init(&calls, G_VARIANT_TYPE("a{su}"));
	g_hash_table_iter_init(&it, fake.calls);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_variant_builder_add(&calls, "{su}", (const char *)k, GPOINTER_TO_UINT(v));
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "calls", g_variant_builder_end(&calls));
	g_variant_builder_add(&b, "{sv}", "notifications", g_variant_new_uint32(fake.notifications));
	return g_variant_new("(@a{sv})", g_variant_builder_end(&b));
}

static void
control_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	const char *s = NULL;
	Device *d = NULL;

	if (g_str_equal(method, "DropLink") || g_str_equal(method, "RemoveDevice") ||
	    g_str_equal(method, "SetPresent") || g_str_equal(method, "NeverResolve") ||
	    g_str_equal(method, "ConnectedUnannounced") || g_str_equal(method, "StaleBond") ||
	    g_str_equal(method, "SendRaw") || g_str_equal(method, "HideCharacteristic")) {
		g_variant_get_child(params, 0, "&s", &s);
		d = fb_find_device(s);
		if (d == NULL) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "no device %s", s);
			return;
		}
	}
	if (g_str_equal(method, "DropLink")) {
		guint32 seconds;
		g_variant_get(params, "(&su)", &s, &seconds);
		fb_device_set_present(d, FALSE);
		g_clear_handle_id(&d->back_source, g_source_remove);
		d->back_source = g_timeout_add_seconds_full(G_PRIORITY_DEFAULT, seconds,
							    back_in_range_cb, d, NULL);
	} else if (g_str_equal(method, "Restart")) {
		guint32 ms;
		g_variant_get(params, "(u)", &ms);
		if (fake.bluez_owner == 0) {
			g_dbus_method_invocation_return_dbus_error(
			    inv, "org.freedesktop.DBus.Error.Failed", "already restarting");
			return;
		}
		fb_restart(ms);
	} else if (g_str_equal(method, "SetPowered")) {
		gboolean on;
		Adapter *a;
		g_variant_get(params, "(&sb)", &s, &on);
		a = fb_find_adapter(s);
		if (a == NULL) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "no adapter %s", s);
			return;
		}
		fb_adapter_set_powered(a, on);
	} else if (g_str_equal(method, "AddAdapter")) {
		const char *address;
		Adapter *a;
		g_variant_get(params, "(&s&s)", &s, &address);
		if (fb_find_adapter(s) != NULL || !g_dbus_is_member_name(s) ||
		    !g_str_has_prefix(s, "hci")) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "bad or existing adapter %s", s);
			return;
		}
		a = fb_adapter_new(s, address, TRUE);
		fb_obj_export(a->obj);
	} else if (g_str_equal(method, "RemoveDevice")) {
		fb_device_forget(d);
	} else if (g_str_equal(method, "StaleBond")) {
		gboolean stale;
		g_variant_get(params, "(&sb)", &s, &stale);
		if (d->stale_bond && !stale && d->paired) {
			/* Paired again: bluetoothctl remove, then pair. */
			fb_obj_set(d->obj, "Paired", g_variant_new_boolean(FALSE), TRUE);
			fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(FALSE), TRUE);
			fb_obj_set(d->obj, "Paired", g_variant_new_boolean(TRUE), TRUE);
			fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(TRUE), TRUE);
		}
		d->stale_bond = stale;
	} else if (g_str_equal(method, "SetPresent")) {
		gboolean on;
		g_variant_get(params, "(&sb)", &s, &on);
		fb_device_set_present(d, on);
	} else if (g_str_equal(method, "NeverResolve")) {
		g_variant_get(params, "(&sb)", &s, &d->never_resolve);
	} else if (g_str_equal(method, "HideCharacteristic")) {
		const char *uuid;
		g_variant_get(params, "(&s&su)", &s, &uuid, &d->hide_discoveries);
		g_free(d->hide_uuid);
		d->hide_uuid = g_strdup(uuid);
	} else if (g_str_equal(method, "ConnectedUnannounced")) {
		g_variant_get(params, "(&sb)", &s, &d->connected_unannounced);
	} else if (g_str_equal(method, "FailNext")) {
		const char *m, *e;
		g_variant_get(params, "(&s&s)", &m, &e);
		if (!g_dbus_is_interface_name(e)) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "not an error name: %s", e);
			return;
		}
		g_hash_table_insert(fake.fail_next, g_strdup(m), g_strdup(e));
	} else if (g_str_equal(method, "DelayNext")) {
		const char *m;
		guint32 ms;
		g_variant_get(params, "(&su)", &m, &ms);
		g_hash_table_insert(fake.delay_next, g_strdup(m), GUINT_TO_POINTER(ms));
	} else if (g_str_equal(method, "SendRaw")) {
		g_autoptr(GVariant) bytes = g_variant_get_child_value(params, 2);
		const char *uuid;
		gsize len;
		const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);
		g_variant_get_child(params, 1, "&s", &uuid);
		fb_deliver_notification(d, uuid, data, len);
	} else if (g_str_equal(method, "GetStats")) {
		fb_reply(inv, stats());
		return;
	}
	fb_reply(inv, NULL);
}

static const GDBusInterfaceVTable control_vtable = {control_call, NULL, NULL, {0}};

/* Puts the control interface on the bus under its own name. */
void
fb_control_export(void)
{
	g_autoptr(GError) error = NULL;

	fake.control = g_dbus_node_info_new_for_xml(fake_bluez_control_xml, &error);
	g_assert_no_error(error);
	g_dbus_connection_register_object(fake.conn, "/org/lactd/FakeBluez",
					  g_dbus_node_info_lookup_interface(fake.control,
									    "org.lactd.FakeBluez1"),
					  &control_vtable, NULL, NULL, &error);
	g_assert_no_error(error);
	g_bus_own_name_on_connection(fake.conn, "org.lactd.FakeBluez", G_BUS_NAME_OWNER_FLAGS_NONE,
				     NULL, NULL, NULL, NULL);
}
