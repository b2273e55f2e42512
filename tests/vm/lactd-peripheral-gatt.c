/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactd-peripheral's GATT application: the emulator's services and
 * characteristics as objects bluetoothd calls (doc/gatt-api.txt, the server
 * side), its notifications as PropertiesChanged of Value, and the
 * advertisement object.
 */
#include "config.h"

#include "lactd-peripheral.h"

#define BATTERY_LEVEL_UUID "00002a19-0000-1000-8000-00805f9b34fb"

static Chrc *
chrc_by_uuid(const char *uuid)
{
	for (guint i = 0; i < P.chrcs->len; i++) {
		Chrc *c = g_ptr_array_index(P.chrcs, i);
		if (g_str_equal(c->uuid, uuid))
			return c;
	}
	return NULL;
}

static Chrc *
chrc_by_path(const char *path)
{
	for (guint i = 0; i < P.chrcs->len; i++) {
		Chrc *c = g_ptr_array_index(P.chrcs, i);
		if (g_str_equal(c->path, path))
			return c;
	}
	return NULL;
}

static GVariant *
bytes_variant(GBytes *b)
{
	gsize len = 0;
	const guint8 *data = b != NULL ? g_bytes_get_data(b, &len) : NULL;

	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

void
on_notify(LactdEmu *emu, const char *char_uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Chrc *c = chrc_by_uuid(char_uuid);
	GVariantBuilder changed;

	if (c == NULL || !c->notifying)
		return;
	g_clear_pointer(&c->value, g_bytes_unref);
	c->value = g_bytes_new(data, len);
	/* doc/gatt-api.txt: a server application notifies by changing Value. */
	g_variant_builder_init(&changed, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&changed, "{sv}", "Value", bytes_variant(c->value));
	g_dbus_connection_emit_signal(P.bus, NULL, c->path, "org.freedesktop.DBus.Properties",
				      "PropertiesChanged",
				      g_variant_new("(sa{sv}as)", "org.bluez.GattCharacteristic1",
						    &changed, NULL),
				      NULL);
}

void
on_advertise(LactdEmu *emu, guint16 manufacturer_id, const char *service_uuid, const guint8 *data,
	     gsize len, gpointer user_data)
{
	/* Broadcasters are not served by this program: their data would go
	 * into the advertisement; the VM scenario has none. */
}

/* ---- the GATT application ------------------------------------------------------------ */

static void
reply_error(GDBusMethodInvocation *inv, const GError *error)
{
	/* The error names gatt-database.c turns into ATT errors. */
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.NotPermitted",
							   error->message);
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
		g_dbus_method_invocation_return_dbus_error(
		    inv, "org.bluez.Error.InvalidValueLength", error->message);
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.NotSupported",
							   error->message);
	else
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.Failed",
							   error->message);
}

static void
start_clock(void)
{
	if (P.clock_on)
		return;
	P.clock_on = TRUE;
	P.last_tick_us = g_get_monotonic_time();
	say("scenario clock started at speed %g", P.speed);
}

static void
chrc_call(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
	  const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	Chrc *c = chrc_by_path(path);
	g_autoptr(GError) error = NULL;

	if (c == NULL) {
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.Failed",
							   "no such characteristic");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		g_autoptr(GBytes) b = NULL;
		guint16 offset = 0;
		g_autoptr(GVariant) opts = g_variant_get_child_value(params, 0);
		gsize len;
		const guint8 *data;

		g_variant_lookup(opts, "offset", "q", &offset);
		b = P.emu->klass->read != NULL ? P.emu->klass->read(P.emu, c->uuid, &error) : NULL;
		if (b == NULL) {
			if (error == NULL)
				g_set_error(&error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
					    "not readable");
			reply_error(inv, error);
			return;
		}
		data = g_bytes_get_data(b, &len);
		if (offset > len) {
			g_dbus_method_invocation_return_dbus_error(
			    inv, "org.bluez.Error.InvalidOffset", "offset past the value");
			return;
		}
		g_dbus_method_invocation_return_value(
		    inv, g_variant_new("(@ay)", g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
									   data + offset,
									   len - offset, 1)));
	} else if (g_str_equal(method, "WriteValue")) {
		g_autoptr(GVariant) v = g_variant_get_child_value(params, 0);
		gsize len;
		const guint8 *data = g_variant_get_fixed_array(v, &len, 1);

		if (P.emu->klass->write == NULL ||
		    !P.emu->klass->write(P.emu, c->uuid, data, len, &error)) {
			if (error == NULL)
				g_set_error(&error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
					    "not writable");
			reply_error(inv, error);
			return;
		}
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (g_str_equal(method, "StartNotify")) {
		say("StartNotify %s", c->uuid);
		c->notifying = TRUE;
		/* bluetoothd's own battery profile subscribes to Battery Level
		 * as soon as it connects, long before lactd does anything: the
		 * scenario starts with the device's first other subscription. */
		if (!g_str_equal(c->uuid, BATTERY_LEVEL_UUID))
			start_clock();
		g_dbus_method_invocation_return_value(inv, NULL);
		if (P.emu->connected)
			lactd_emu_set_subscribed(P.emu, c->uuid, TRUE);
	} else if (g_str_equal(method, "StopNotify")) {
		say("StopNotify %s", c->uuid);
		c->notifying = FALSE;
		g_dbus_method_invocation_return_value(inv, NULL);
		if (P.emu->connected)
			lactd_emu_set_subscribed(P.emu, c->uuid, FALSE);
	} else {
		/* Confirm: an indication was acknowledged; nothing to do. */
		g_dbus_method_invocation_return_value(inv, NULL);
	}
}

static GVariant *
service_props(Service *s)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "UUID", g_variant_new_string(s->uuid));
	g_variant_builder_add(&b, "{sv}", "Primary", g_variant_new_boolean(TRUE));
	return g_variant_builder_end(&b);
}

static GVariant *
chrc_props(Chrc *c)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "UUID", g_variant_new_string(c->uuid));
	g_variant_builder_add(&b, "{sv}", "Service", g_variant_new_object_path(c->service_path));
	g_variant_builder_add(&b, "{sv}", "Flags",
			      g_variant_new_strv((const char *const *)c->flags, -1));
	return g_variant_builder_end(&b);
}

static GVariant *
get_property(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
	     const char *name, GError **error, gpointer user_data)
{
	if (g_str_equal(iface, "org.bluez.LEAdvertisement1")) {
		if (g_str_equal(name, "Type"))
			return g_variant_new_string("peripheral");
		if (g_str_equal(name, "Discoverable"))
			return g_variant_new_boolean(TRUE);
		if (g_str_equal(name, "ServiceUUIDs")) {
			/* The first service only: a 128-bit UUID and the flags
			 * already take 21 of the 31 bytes. */
			Service *s = g_ptr_array_index(P.services, 0);
			const char *uuids[] = {s->uuid, NULL};
			return g_variant_new_strv(uuids, -1);
		}
	} else if (g_str_equal(iface, "org.bluez.GattService1")) {
		for (guint i = 0; i < P.services->len; i++) {
			Service *s = g_ptr_array_index(P.services, i);
			if (g_str_equal(s->path, path)) {
				g_autoptr(GVariant) props = g_variant_ref_sink(service_props(s));
				return g_variant_lookup_value(props, name, NULL);
			}
		}
	} else if (g_str_equal(iface, "org.bluez.GattCharacteristic1")) {
		Chrc *c = chrc_by_path(path);
		if (c != NULL && g_str_equal(name, "Value"))
			return bytes_variant(c->value);
		if (c != NULL) {
			g_autoptr(GVariant) props = g_variant_ref_sink(chrc_props(c));
			return g_variant_lookup_value(props, name, NULL);
		}
	}
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_PROPERTY, "%s", name);
	return NULL;
}

static void
root_call(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
	  const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
	for (guint i = 0; i < P.services->len; i++) {
		Service *s = g_ptr_array_index(P.services, i);
		g_variant_builder_open(&b, G_VARIANT_TYPE("{oa{sa{sv}}}"));
		g_variant_builder_add(&b, "o", s->path);
		g_variant_builder_open(&b, G_VARIANT_TYPE("a{sa{sv}}"));
		g_variant_builder_add(&b, "{s@a{sv}}", "org.bluez.GattService1", service_props(s));
		g_variant_builder_close(&b);
		g_variant_builder_close(&b);
	}
	for (guint i = 0; i < P.chrcs->len; i++) {
		Chrc *c = g_ptr_array_index(P.chrcs, i);
		g_variant_builder_open(&b, G_VARIANT_TYPE("{oa{sa{sv}}}"));
		g_variant_builder_add(&b, "o", c->path);
		g_variant_builder_open(&b, G_VARIANT_TYPE("a{sa{sv}}"));
		g_variant_builder_add(&b, "{s@a{sv}}", "org.bluez.GattCharacteristic1",
				      chrc_props(c));
		g_variant_builder_close(&b);
		g_variant_builder_close(&b);
	}
	g_dbus_method_invocation_return_value(inv, g_variant_new("(a{oa{sa{sv}}})", &b));
}

static void
adv_call(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
	 const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	/* Release: bluetoothd dropped the advertisement (adapter gone). */
	say("advertisement released");
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable root_vtable = {root_call, NULL, NULL, {0}};
static const GDBusInterfaceVTable chrc_vtable = {chrc_call, get_property, NULL, {0}};
static const GDBusInterfaceVTable prop_vtable = {NULL, get_property, NULL, {0}};
static const GDBusInterfaceVTable adv_vtable = {adv_call, get_property, NULL, {0}};

void
export(const char *path, const char *iface, const GDBusInterfaceVTable *vtable)
{
	g_autoptr(GError) error = NULL;

	if (g_dbus_connection_register_object(P.bus, path,
					      g_dbus_node_info_lookup_interface(P.info, iface),
					      vtable, NULL, NULL, &error) == 0)
		g_error("export %s: %s", path, error->message);
}

void
build_application(void)
{
	const LactdEmuService *svc = lactd_emu_services(P.emu);

	export(ROOT, "org.freedesktop.DBus.ObjectManager", &root_vtable);
	export(ADV_PATH, "org.bluez.LEAdvertisement1", &adv_vtable);
	for (guint i = 0; svc[i].uuid != NULL; i++) {
		Service *s = g_new0(Service, 1);

		s->path = g_strdup_printf(ROOT "/service%u", i);
		s->uuid = g_strdup(svc[i].uuid);
		g_ptr_array_add(P.services, s);
		export(s->path, "org.bluez.GattService1", &prop_vtable);
		for (guint j = 0; svc[i].chars[j].uuid != NULL; j++) {
			Chrc *c = g_new0(Chrc, 1);

			c->path = g_strdup_printf("%s/char%u", s->path, j);
			c->uuid = g_strdup(svc[i].chars[j].uuid);
			c->service_path = g_strdup(s->path);
			c->flags = g_strsplit(svc[i].chars[j].flags, ",", -1);
			g_ptr_array_add(P.chrcs, c);
			export(c->path, "org.bluez.GattCharacteristic1", &chrc_vtable);
		}
	}
}
