/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A fake bluetoothd for tests and the demo: owns org.bluez on the bus GLib's
 * system bus address names, and serves BlueZ 5.66's D-Bus API
 * (doc/adapter-api.txt, device-api.txt, gatt-api.txt) for adapters and
 * devices whose GATT side is a device emulator (tests/emu/lactd-emu.h).
 *
 * Like bluetoothd it registers every object itself and implements the
 * ObjectManager at "/" and PropertiesChanged by hand, so that signal order
 * and repeated identical notifications behave as bluetoothd's do: a
 * notification is a PropertiesChanged of Value every time, even with the
 * same bytes.
 *
 * Tests steer it through org.lactd.FakeBluez1 at /org/lactd/FakeBluez under
 * the name org.lactd.FakeBluez, which never appears in org.bluez's tree.
 *
 * Usage: fake-bluez --config SCENARIO [--speed N]
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>

#include "lactd-emu.h"

#define TICK_MS 50

static const char bluez_xml[] =
    "<node>"
    "<interface name='org.freedesktop.DBus.ObjectManager'>"
    " <method name='GetManagedObjects'><arg type='a{oa{sa{sv}}}' direction='out'/></method>"
    " <signal name='InterfacesAdded'><arg type='o'/><arg type='a{sa{sv}}'/></signal>"
    " <signal name='InterfacesRemoved'><arg type='o'/><arg type='as'/></signal>"
    "</interface>"
    "<interface name='org.bluez.Adapter1'>"
    " <method name='StartDiscovery'/>"
    " <method name='StopDiscovery'/>"
    " <method name='RemoveDevice'><arg type='o' direction='in'/></method>"
    " <method name='SetDiscoveryFilter'><arg type='a{sv}' direction='in'/></method>"
    " <method name='GetDiscoveryFilters'><arg type='as' direction='out'/></method>"
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
    " <method name='Connect'/>"
    " <method name='Disconnect'/>"
    " <method name='ConnectProfile'><arg type='s' direction='in'/></method>"
    " <method name='DisconnectProfile'><arg type='s' direction='in'/></method>"
    " <method name='Pair'/>"
    " <method name='CancelPairing'/>"
    " <property name='Address' type='s' access='read'/>"
    " <property name='AddressType' type='s' access='read'/>"
    " <property name='Name' type='s' access='read'/>"
    " <property name='Alias' type='s' access='readwrite'/>"
    " <property name='Appearance' type='q' access='read'/>"
    " <property name='UUIDs' type='as' access='read'/>"
    " <property name='Paired' type='b' access='read'/>"
    " <property name='Bonded' type='b' access='read'/>"
    " <property name='Connected' type='b' access='read'/>"
    " <property name='Trusted' type='b' access='readwrite'/>"
    " <property name='Blocked' type='b' access='readwrite'/>"
    " <property name='WakeAllowed' type='b' access='readwrite'/>"
    " <property name='LegacyPairing' type='b' access='read'/>"
    " <property name='RSSI' type='n' access='read'/>"
    " <property name='Adapter' type='o' access='read'/>"
    " <property name='ManufacturerData' type='a{qv}' access='read'/>"
    " <property name='ServiceData' type='a{sv}' access='read'/>"
    " <property name='ServicesResolved' type='b' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.GattService1'>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Primary' type='b' access='read'/>"
    " <property name='Device' type='o' access='read'/>"
    " <property name='Includes' type='ao' access='read'/>"
    " <property name='Handle' type='q' access='read'/>"
    "</interface>"
    "<interface name='org.bluez.GattCharacteristic1'>"
    " <method name='ReadValue'><arg type='a{sv}' direction='in'/><arg type='ay' direction='out'/></method>"
    " <method name='WriteValue'><arg type='ay' direction='in'/><arg type='a{sv}' direction='in'/></method>"
    " <method name='StartNotify'/>"
    " <method name='StopNotify'/>"
    " <property name='UUID' type='s' access='read'/>"
    " <property name='Service' type='o' access='read'/>"
    " <property name='Value' type='ay' access='read'/>"
    " <property name='Notifying' type='b' access='read'/>"
    " <property name='Flags' type='as' access='read'/>"
    " <property name='Handle' type='q' access='read'/>"
    " <property name='MTU' type='q' access='read'/>"
    "</interface>"
    "<interface name='org.lactd.FakeBluez1'>"
    " <method name='DropLink'><arg name='address' type='s' direction='in'/><arg name='seconds' type='u' direction='in'/></method>"
    " <method name='Restart'><arg name='ms' type='u' direction='in'/></method>"
    " <method name='SetPowered'><arg name='adapter' type='s' direction='in'/><arg name='powered' type='b' direction='in'/></method>"
    " <method name='RemoveDevice'><arg name='address' type='s' direction='in'/></method>"
    " <method name='SetPresent'><arg name='address' type='s' direction='in'/><arg name='present' type='b' direction='in'/></method>"
    " <method name='FailNext'><arg name='method' type='s' direction='in'/><arg name='error' type='s' direction='in'/></method>"
    " <method name='DelayNext'><arg name='method' type='s' direction='in'/><arg name='ms' type='u' direction='in'/></method>"
    " <method name='NeverResolve'><arg name='address' type='s' direction='in'/><arg name='never' type='b' direction='in'/></method>"
    " <method name='SendRaw'><arg name='address' type='s' direction='in'/><arg name='uuid' type='s' direction='in'/><arg name='value' type='ay' direction='in'/></method>"
    " <method name='GetStats'><arg name='stats' type='a{sv}' direction='out'/></method>"
    " <signal name='ScenarioFinished'><arg name='address' type='s'/></signal>"
    "</interface>"
    "</node>";

typedef struct _Obj Obj;
typedef struct _Device Device;
typedef struct _Adapter Adapter;

/* One exported interface of one object: its properties and registration. */
typedef struct {
	GDBusInterfaceInfo *info;
	GHashTable *props; /* name -> GVariant */
	guint reg_id;
} Iface;

struct _Obj {
	char *path;
	GPtrArray *ifaces; /* Iface; order as bluetoothd adds them */
	gpointer owner;	   /* Adapter, Device or Chrc */
};

typedef struct {
	Obj *obj;
	Device *device;
	char *uuid;
	GHashTable *notifying; /* sender -> TRUE */
} Chrc;

struct _Adapter {
	Obj *obj;
	char *name;
	char *address;
	gboolean powered;
};

struct _Device {
	Obj *obj;
	Adapter *adapter;
	char *address;
	char *name;
	LactdEmu *emu;
	gboolean paired, bonded, trusted;
	gboolean present;
	gboolean connected;
	gboolean never_resolve;
	gboolean started; /* scenario clock running */
	gboolean finished_sent;
	gint64 sim_ms;
	GPtrArray *gatt; /* Obj of services and characteristics while connected */
	GHashTable *chrcs; /* uuid -> Chrc, while connected */
	guint back_source;
};

typedef struct {
	GDBusConnection *conn;
	GDBusNodeInfo *node;
	GKeyFile *scenario;
	double speed;
	GPtrArray *adapters; /* Adapter */
	GPtrArray *devices;  /* Device */
	GHashTable *objects; /* path -> Obj */
	guint om_reg;
	guint bluez_owner;
	gboolean serving; /* org.bluez is ours */
	guint tick;
	gint64 last_tick_us;
	GHashTable *fail_next;	/* method -> error name */
	GHashTable *delay_next; /* method -> ms */
	GHashTable *calls;	/* method -> count */
	guint notifications;
	GMainLoop *loop;
} Fake;

static Fake fake;

static void device_disconnect(Device *d, gboolean link_lost);
static void ensure_tick(void);

/* ---- objects, properties, signals ------------------------------------------ */

static GDBusInterfaceInfo *
iface_info(const char *name)
{
	return g_dbus_node_info_lookup_interface(fake.node, name);
}

static GVariant *
iface_props(Iface *i)
{
	GVariantBuilder b;
	GHashTableIter it;
	gpointer k, v;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_hash_table_iter_init(&it, i->props);
	while (g_hash_table_iter_next(&it, &k, &v))
		g_variant_builder_add(&b, "{sv}", (const char *)k, (GVariant *)v);
	return g_variant_builder_end(&b);
}

static GVariant *
obj_ifaces(Obj *o)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sa{sv}}"));
	for (guint i = 0; i < o->ifaces->len; i++) {
		Iface *f = g_ptr_array_index(o->ifaces, i);
		g_variant_builder_add(&b, "{s@a{sv}}", f->info->name, iface_props(f));
	}
	/* bluetoothd lists the standard interfaces too. */
	g_variant_builder_add(&b, "{s@a{sv}}", "org.freedesktop.DBus.Introspectable",
			      g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
	g_variant_builder_add(&b, "{s@a{sv}}", "org.freedesktop.DBus.Properties",
			      g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0));
	return g_variant_builder_end(&b);
}

static Iface *
obj_iface(Obj *o, const char *name)
{
	for (guint i = 0; i < o->ifaces->len; i++) {
		Iface *f = g_ptr_array_index(o->ifaces, i);
		if (g_str_equal(f->info->name, name))
			return f;
	}
	return NULL;
}

/* Sets a property; announces it with PropertiesChanged when exported and
 * when it changed, or always for `always` (a notification's Value). */
static void
obj_set(Obj *o, const char *iface, const char *name, GVariant *value, gboolean always)
{
	Iface *f = obj_iface(o, iface);
	GVariant *old;
	gboolean changed;
	g_autoptr(GVariant) sunk = g_variant_ref_sink(value);

	g_assert(f != NULL);
	old = g_hash_table_lookup(f->props, name);
	changed = old == NULL || !g_variant_equal(old, sunk);
	g_hash_table_insert(f->props, g_strdup(name), g_variant_ref(sunk));
	if ((changed || always) && f->reg_id != 0 && fake.serving) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", name, sunk);
		g_dbus_connection_emit_signal(fake.conn, NULL, o->path,
					      "org.freedesktop.DBus.Properties",
					      "PropertiesChanged",
					      g_variant_new("(sa{sv}as)", iface, &b, NULL), NULL);
	}
}

/* Removes an optional property, announced as invalidated (bluetoothd drops
 * RSSI when it no longer sees a device). */
static void
obj_unset(Obj *o, const char *iface, const char *name)
{
	Iface *f = obj_iface(o, iface);
	const char *names[] = {name, NULL};

	if (!g_hash_table_remove(f->props, name) || f->reg_id == 0 || !fake.serving)
		return;
	g_dbus_connection_emit_signal(fake.conn, NULL, o->path, "org.freedesktop.DBus.Properties",
				      "PropertiesChanged",
				      g_variant_new("(s@a{sv}^as)", iface,
						    g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0),
						    names),
				      NULL);
}

static void method_call(GDBusConnection *c, const char *sender, const char *path,
			const char *iface, const char *method, GVariant *params,
			GDBusMethodInvocation *inv, gpointer user_data);
static GVariant *get_property(GDBusConnection *c, const char *sender, const char *path,
			      const char *iface, const char *name, GError **error,
			      gpointer user_data);
static gboolean set_property(GDBusConnection *c, const char *sender, const char *path,
			     const char *iface, const char *name, GVariant *value, GError **error,
			     gpointer user_data);

static const GDBusInterfaceVTable vtable = {method_call, get_property, set_property, {0}};

static Obj *
obj_new(const char *path, gpointer owner)
{
	Obj *o = g_new0(Obj, 1);

	o->path = g_strdup(path);
	o->owner = owner;
	o->ifaces = g_ptr_array_new();
	return o;
}

static Iface *
obj_add_iface(Obj *o, const char *name)
{
	Iface *f = g_new0(Iface, 1);

	f->info = iface_info(name);
	f->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_variant_unref);
	g_ptr_array_add(o->ifaces, f);
	return f;
}

/* Registers every interface of an object and announces it. */
static void
obj_export(Obj *o)
{
	if (!fake.serving || g_hash_table_contains(fake.objects, o->path))
		return;
	for (guint i = 0; i < o->ifaces->len; i++) {
		Iface *f = g_ptr_array_index(o->ifaces, i);
		g_autoptr(GError) error = NULL;
		f->reg_id = g_dbus_connection_register_object(fake.conn, o->path, f->info, &vtable, o,
							      NULL, &error);
		g_assert_no_error(error);
	}
	g_hash_table_insert(fake.objects, o->path, o);
	g_dbus_connection_emit_signal(fake.conn, NULL, "/", "org.freedesktop.DBus.ObjectManager",
				      "InterfacesAdded",
				      g_variant_new("(o@a{sa{sv}})", o->path, obj_ifaces(o)), NULL);
}

static void
obj_unexport(Obj *o)
{
	GVariantBuilder names;

	if (!g_hash_table_contains(fake.objects, o->path))
		return;
	g_variant_builder_init(&names, G_VARIANT_TYPE("as"));
	for (guint i = 0; i < o->ifaces->len; i++) {
		Iface *f = g_ptr_array_index(o->ifaces, i);
		if (f->reg_id != 0)
			g_dbus_connection_unregister_object(fake.conn, f->reg_id);
		f->reg_id = 0;
		g_variant_builder_add(&names, "s", f->info->name);
	}
	g_variant_builder_add(&names, "s", "org.freedesktop.DBus.Introspectable");
	g_variant_builder_add(&names, "s", "org.freedesktop.DBus.Properties");
	g_hash_table_remove(fake.objects, o->path);
	if (fake.serving)
		g_dbus_connection_emit_signal(fake.conn, NULL, "/",
					      "org.freedesktop.DBus.ObjectManager",
					      "InterfacesRemoved",
					      g_variant_new("(oas)", o->path, &names), NULL);
}

static void
obj_free(Obj *o)
{
	if (o == NULL)
		return;
	obj_unexport(o);
	for (guint i = 0; i < o->ifaces->len; i++) {
		Iface *f = g_ptr_array_index(o->ifaces, i);
		g_hash_table_unref(f->props);
		g_free(f);
	}
	g_ptr_array_unref(o->ifaces);
	g_free(o->path);
	g_free(o);
}

static GVariant *
get_property(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *name, GError **error, gpointer user_data)
{
	Iface *f = obj_iface(user_data, iface);
	GVariant *v = f != NULL ? g_hash_table_lookup(f->props, name) : NULL;

	if (v == NULL) {
		/* bluetoothd: an optional property that is not set does not exist. */
		g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS, "No such property '%s'",
			    name);
		return NULL;
	}
	return g_variant_ref(v);
}

/* ---- adapters and devices ---------------------------------------------------- */

static char *
device_path(Adapter *a, const char *address)
{
	g_autofree char *under = g_strdup(address);

	g_strdelimit(under, ":", '_');
	return g_strdup_printf("%s/dev_%s", a->obj->path, under);
}

static void
count_call(const char *method)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(fake.calls, method));

	g_hash_table_insert(fake.calls, g_strdup(method), GUINT_TO_POINTER(n + 1));
}

static Device *
find_device(const char *address)
{
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (g_ascii_strcasecmp(d->address, address) == 0)
			return d;
	}
	return NULL;
}

static Adapter *
find_adapter(const char *name)
{
	for (guint i = 0; i < fake.adapters->len; i++) {
		Adapter *a = g_ptr_array_index(fake.adapters, i);
		if (g_str_equal(a->name, name))
			return a;
	}
	return NULL;
}

static void
on_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Device *d = user_data;
	Chrc *c = d->chrcs != NULL ? g_hash_table_lookup(d->chrcs, uuid) : NULL;

	if (c == NULL || g_hash_table_size(c->notifying) == 0)
		return;
	fake.notifications++;
	obj_set(c->obj, "org.bluez.GattCharacteristic1", "Value",
		g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1), TRUE);
}

/* The GATT database appears as bluetoothd's gatt-client exports it:
 * serviceXXXX and charYYYY by attribute handle. */
static void
device_export_gatt(Device *d)
{
	guint16 handle = 0x000a;

	d->gatt = g_ptr_array_new_with_free_func((GDestroyNotify)obj_free);
	d->chrcs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, NULL);
	for (const LactdEmuService *s = d->emu->klass->services; s->uuid != NULL; s++) {
		g_autofree char *spath = g_strdup_printf("%s/service%04x", d->obj->path, handle);
		Obj *so = obj_new(spath, NULL);
		Iface *f = obj_add_iface(so, "org.bluez.GattService1");

		g_hash_table_insert(f->props, g_strdup("UUID"), g_variant_ref_sink(g_variant_new_string(s->uuid)));
		g_hash_table_insert(f->props, g_strdup("Device"), g_variant_ref_sink(g_variant_new_object_path(d->obj->path)));
		g_hash_table_insert(f->props, g_strdup("Primary"), g_variant_ref_sink(g_variant_new_boolean(TRUE)));
		g_hash_table_insert(f->props, g_strdup("Includes"), g_variant_ref_sink(g_variant_new_objv(NULL, 0)));
		g_hash_table_insert(f->props, g_strdup("Handle"), g_variant_ref_sink(g_variant_new_uint16(handle)));
		g_ptr_array_add(d->gatt, so);
		obj_export(so);
		handle++;
		for (const LactdEmuChar *ch = s->chars; ch->uuid != NULL; ch++) {
			g_autofree char *cpath = g_strdup_printf("%s/char%04x", spath, handle);
			Chrc *c = g_new0(Chrc, 1);
			Obj *co = obj_new(cpath, c);
			Iface *cf = obj_add_iface(co, "org.bluez.GattCharacteristic1");
			g_auto(GStrv) flags = g_strsplit(ch->flags, ",", -1);

			c->obj = co;
			c->device = d;
			c->uuid = g_strdup(ch->uuid);
			c->notifying = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
			g_hash_table_insert(cf->props, g_strdup("UUID"), g_variant_ref_sink(g_variant_new_string(ch->uuid)));
			g_hash_table_insert(cf->props, g_strdup("Service"), g_variant_ref_sink(g_variant_new_object_path(spath)));
			g_hash_table_insert(cf->props, g_strdup("Value"), g_variant_ref_sink(g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, NULL, 0, 1)));
			g_hash_table_insert(cf->props, g_strdup("Notifying"), g_variant_ref_sink(g_variant_new_boolean(FALSE)));
			g_hash_table_insert(cf->props, g_strdup("Flags"), g_variant_ref_sink(g_variant_new_strv((const char *const *)flags, -1)));
			g_hash_table_insert(cf->props, g_strdup("Handle"), g_variant_ref_sink(g_variant_new_uint16(handle + 1)));
			g_hash_table_insert(cf->props, g_strdup("MTU"), g_variant_ref_sink(g_variant_new_uint16(247)));
			g_ptr_array_add(d->gatt, co);
			g_hash_table_insert(d->chrcs, c->uuid, c);
			obj_export(co);
			/* declaration, value, and a CCC descriptor for notify/indicate */
			handle += strstr(ch->flags, "notify") || strstr(ch->flags, "indicate") ? 3 : 2;
		}
	}
}

static void
chrc_free(Chrc *c)
{
	g_hash_table_unref(c->notifying);
	g_free(c->uuid);
	g_free(c);
}

static void
device_drop_gatt(Device *d)
{
	GHashTableIter it;
	gpointer v;

	if (d->gatt == NULL)
		return;
	/* Children go before parents, as bluetoothd removes them. */
	for (guint i = d->gatt->len; i > 0; i--)
		obj_unexport(g_ptr_array_index(d->gatt, i - 1));
	g_hash_table_iter_init(&it, d->chrcs);
	while (g_hash_table_iter_next(&it, NULL, &v))
		chrc_free(v);
	g_clear_pointer(&d->chrcs, g_hash_table_unref);
	g_clear_pointer(&d->gatt, g_ptr_array_unref);
}

static void
device_disconnect(Device *d, gboolean link_lost)
{
	if (!d->connected)
		return;
	d->connected = FALSE;
	lactd_emu_set_link(d->emu, FALSE);
	obj_set(d->obj, "org.bluez.Device1", "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
	device_drop_gatt(d);
	obj_set(d->obj, "org.bluez.Device1", "Connected", g_variant_new_boolean(FALSE), FALSE);
}

static gboolean
resolve_cb(gpointer user_data)
{
	Device *d = user_data;

	if (!d->connected || d->never_resolve || d->gatt != NULL)
		return G_SOURCE_REMOVE;
	device_export_gatt(d);
	obj_set(d->obj, "org.bluez.Device1", "ServicesResolved", g_variant_new_boolean(TRUE), FALSE);
	return G_SOURCE_REMOVE;
}

static void
device_connect(Device *d)
{
	d->connected = TRUE;
	obj_set(d->obj, "org.bluez.Device1", "Connected", g_variant_new_boolean(TRUE), FALSE);
	lactd_emu_set_link(d->emu, TRUE);
	if (!d->started) {
		d->started = TRUE;
		ensure_tick();
	}
	/* Service discovery takes a moment after the link is up. */
	g_timeout_add(20, resolve_cb, d);
}

static Obj *
device_obj_new(Device *d)
{
	g_autofree char *path = device_path(d->adapter, d->address);
	Obj *o = obj_new(path, d);
	Iface *f = obj_add_iface(o, "org.bluez.Device1");
	GVariantBuilder uuids;
	const char *name = NULL;

	g_variant_builder_init(&uuids, G_VARIANT_TYPE("as"));
	for (const LactdEmuService *s = d->emu->klass->services; s->uuid != NULL; s++)
		g_variant_builder_add(&uuids, "s", s->uuid);
	name = d->name;
#define P(k, v) g_hash_table_insert(f->props, g_strdup(k), g_variant_ref_sink(v))
	P("Address", g_variant_new_string(d->address));
	P("AddressType", g_variant_new_string("public"));
	P("Name", g_variant_new_string(name != NULL ? name : d->emu->klass->default_name));
	P("Alias", g_variant_new_string(name != NULL ? name : d->emu->klass->default_name));
	P("Paired", g_variant_new_boolean(d->paired));
	P("Bonded", g_variant_new_boolean(d->bonded));
	P("Trusted", g_variant_new_boolean(d->trusted));
	P("Blocked", g_variant_new_boolean(FALSE));
	P("LegacyPairing", g_variant_new_boolean(FALSE));
	P("Connected", g_variant_new_boolean(FALSE));
	P("ServicesResolved", g_variant_new_boolean(FALSE));
	P("UUIDs", g_variant_builder_end(&uuids));
	P("Adapter", g_variant_new_object_path(d->adapter->obj->path));
	if (d->present)
		P("RSSI", g_variant_new_int16(-52));
#undef P
	return o;
}

static void
adapter_set_powered(Adapter *a, gboolean powered)
{
	a->powered = powered;
	if (!powered) {
		for (guint i = 0; i < fake.devices->len; i++) {
			Device *d = g_ptr_array_index(fake.devices, i);
			if (d->adapter == a)
				device_disconnect(d, TRUE);
		}
	}
	obj_set(a->obj, "org.bluez.Adapter1", "Powered", g_variant_new_boolean(powered), FALSE);
}

static Obj *
adapter_obj_new(Adapter *a)
{
	g_autofree char *path = g_strdup_printf("/org/bluez/%s", a->name);
	Obj *o = obj_new(path, a);
	Iface *f = obj_add_iface(o, "org.bluez.Adapter1");
	const char *roles[] = {"central", "peripheral", NULL};

#define P(k, v) g_hash_table_insert(f->props, g_strdup(k), g_variant_ref_sink(v))
	P("Address", g_variant_new_string(a->address));
	P("AddressType", g_variant_new_string("public"));
	P("Name", g_variant_new_string("fake-bluez"));
	P("Alias", g_variant_new_string("fake-bluez"));
	P("Class", g_variant_new_uint32(0));
	P("Powered", g_variant_new_boolean(a->powered));
	P("Discoverable", g_variant_new_boolean(FALSE));
	P("DiscoverableTimeout", g_variant_new_uint32(180));
	P("Pairable", g_variant_new_boolean(TRUE));
	P("PairableTimeout", g_variant_new_uint32(0));
	P("Discovering", g_variant_new_boolean(FALSE));
	P("UUIDs", g_variant_new_strv(NULL, 0));
	P("Modalias", g_variant_new_string("usb:v1D6Bp0246d0542"));
	P("Roles", g_variant_new_strv(roles, -1));
#undef P
	return o;
}

/* ---- methods -------------------------------------------------------------------- */

static gboolean
bluez_error(GDBusMethodInvocation *inv, const char *name, const char *message)
{
	g_dbus_method_invocation_return_dbus_error(inv, name, message);
	return TRUE;
}

typedef struct {
	GDBusMethodInvocation *inv;
	Obj *obj;
	char *iface;
	char *method;
	GVariant *params;
} Delayed;

static void dispatch(GDBusMethodInvocation *inv, Obj *o, const char *iface, const char *method,
		     GVariant *params);

static gboolean
delayed_cb(gpointer user_data)
{
	Delayed *x = user_data;

	/* The object may have gone meanwhile: answer as bluetoothd would. */
	if (g_hash_table_lookup(fake.objects, x->obj->path) != x->obj)
		bluez_error(x->inv, "org.bluez.Error.Failed", "Object went away");
	else
		dispatch(x->inv, x->obj, x->iface, x->method, x->params);
	g_free(x->iface);
	g_free(x->method);
	g_variant_unref(x->params);
	g_free(x);
	return G_SOURCE_REMOVE;
}

static void
device_method(GDBusMethodInvocation *inv, Device *d, const char *method, GVariant *params)
{
	if (g_str_equal(method, "Connect")) {
		if (!d->adapter->powered)
			bluez_error(inv, "org.bluez.Error.NotReady", "Resource Not Ready");
		else if (!d->present)
			bluez_error(inv, "org.bluez.Error.Failed", "le-connection-abort-by-local");
		else {
			if (!d->connected)
				device_connect(d);
			g_dbus_method_invocation_return_value(inv, NULL);
		}
	} else if (g_str_equal(method, "Disconnect")) {
		device_disconnect(d, FALSE);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (g_str_equal(method, "Pair")) {
		if (d->paired)
			bluez_error(inv, "org.bluez.Error.AlreadyExists", "Already Paired");
		else {
			d->paired = d->bonded = TRUE;
			obj_set(d->obj, "org.bluez.Device1", "Paired", g_variant_new_boolean(TRUE), FALSE);
			obj_set(d->obj, "org.bluez.Device1", "Bonded", g_variant_new_boolean(TRUE), FALSE);
			g_dbus_method_invocation_return_value(inv, NULL);
		}
	} else if (g_str_equal(method, "CancelPairing")) {
		bluez_error(inv, "org.bluez.Error.DoesNotExist", "Does Not Exist");
	} else {
		bluez_error(inv, "org.bluez.Error.NotSupported", "Not Supported");
	}
}

static void
chrc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params)
{
	Device *d = c->device;
	const char *sender = g_dbus_method_invocation_get_sender(inv);
	g_autoptr(GError) error = NULL;

	if (!d->connected) {
		bluez_error(inv, "org.bluez.Error.NotConnected", "Not Connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		g_autoptr(GBytes) value = d->emu->klass->read != NULL
					      ? d->emu->klass->read(d->emu, c->uuid, &error)
					      : NULL;
		if (value == NULL) {
			bluez_error(inv, "org.bluez.Error.NotPermitted", "Read not permitted");
			return;
		}
		obj_set(c->obj, "org.bluez.GattCharacteristic1", "Value",
			g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, g_bytes_get_data(value, NULL),
						  g_bytes_get_size(value), 1),
			FALSE);
		g_dbus_method_invocation_return_value(
		    inv, g_variant_new("(@ay)", g_variant_new_fixed_array(
						    G_VARIANT_TYPE_BYTE, g_bytes_get_data(value, NULL),
						    g_bytes_get_size(value), 1)));
	} else if (g_str_equal(method, "WriteValue")) {
		g_autoptr(GVariant) bytes = g_variant_get_child_value(params, 0);
		gsize len;
		const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);
		/* Reply first: a device answers a write before it indicates the result. */
		if (d->emu->klass->write == NULL) {
			bluez_error(inv, "org.bluez.Error.NotPermitted", "Write not permitted");
			return;
		}
		g_dbus_method_invocation_return_value(inv, NULL);
		if (!d->emu->klass->write(d->emu, c->uuid, data, len, &error))
			g_message("write to %s refused: %s", c->uuid, error->message);
	} else if (g_str_equal(method, "StartNotify")) {
		if (g_hash_table_contains(c->notifying, sender)) {
			bluez_error(inv, "org.bluez.Error.InProgress", "In Progress");
			return;
		}
		g_hash_table_add(c->notifying, g_strdup(sender));
		obj_set(c->obj, "org.bluez.GattCharacteristic1", "Notifying",
			g_variant_new_boolean(TRUE), FALSE);
		g_dbus_method_invocation_return_value(inv, NULL);
		lactd_emu_set_subscribed(d->emu, c->uuid, TRUE);
	} else if (g_str_equal(method, "StopNotify")) {
		if (!g_hash_table_remove(c->notifying, sender)) {
			bluez_error(inv, "org.bluez.Error.Failed", "No notify session started");
			return;
		}
		if (g_hash_table_size(c->notifying) == 0) {
			obj_set(c->obj, "org.bluez.GattCharacteristic1", "Notifying",
				g_variant_new_boolean(FALSE), FALSE);
			lactd_emu_set_subscribed(d->emu, c->uuid, FALSE);
		}
		g_dbus_method_invocation_return_value(inv, NULL);
	}
}

static void
adapter_method(GDBusMethodInvocation *inv, Adapter *a, const char *method, GVariant *params)
{
	if (!a->powered && !g_str_equal(method, "RemoveDevice")) {
		bluez_error(inv, "org.bluez.Error.NotReady", "Resource Not Ready");
		return;
	}
	if (g_str_equal(method, "StartDiscovery")) {
		obj_set(a->obj, "org.bluez.Adapter1", "Discovering", g_variant_new_boolean(TRUE), FALSE);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (g_str_equal(method, "StopDiscovery")) {
		obj_set(a->obj, "org.bluez.Adapter1", "Discovering", g_variant_new_boolean(FALSE), FALSE);
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (g_str_equal(method, "SetDiscoveryFilter")) {
		g_dbus_method_invocation_return_value(inv, NULL);
	} else if (g_str_equal(method, "GetDiscoveryFilters")) {
		const char *f[] = {"UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", NULL};
		g_dbus_method_invocation_return_value(inv, g_variant_new("(^as)", f));
	} else if (g_str_equal(method, "RemoveDevice")) {
		const char *path;
		Obj *o;
		g_variant_get(params, "(&o)", &path);
		o = g_hash_table_lookup(fake.objects, path);
		if (o == NULL || o->owner == NULL || g_ptr_array_find(fake.devices, o->owner, NULL) == FALSE) {
			bluez_error(inv, "org.bluez.Error.DoesNotExist", "Does Not Exist");
			return;
		}
		{
			Device *d = o->owner;
			device_disconnect(d, FALSE);
			obj_unexport(d->obj);
			d->paired = d->bonded = FALSE;
		}
		g_dbus_method_invocation_return_value(inv, NULL);
	}
}

static GVariant *
managed_objects(void)
{
	GVariantBuilder b;
	GHashTableIter it;
	gpointer v;

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
	g_hash_table_iter_init(&it, fake.objects);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_variant_builder_add(&b, "{o@a{sa{sv}}}", ((Obj *)v)->path, obj_ifaces(v));
	return g_variant_new("(@a{oa{sa{sv}}})", g_variant_builder_end(&b));
}

static void
dispatch(GDBusMethodInvocation *inv, Obj *o, const char *iface, const char *method,
	 GVariant *params)
{
	if (g_str_equal(iface, "org.bluez.Device1"))
		device_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, "org.bluez.GattCharacteristic1"))
		chrc_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, "org.bluez.Adapter1"))
		adapter_method(inv, o->owner, method, params);
	else
		bluez_error(inv, "org.bluez.Error.NotSupported", "Not Supported");
}

static void
method_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	    const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	Obj *o = user_data;
	const char *fail;
	guint delay;

	count_call(method);
	if ((fail = g_hash_table_lookup(fake.fail_next, method)) != NULL) {
		g_autofree char *name = g_strdup(fail);
		g_hash_table_remove(fake.fail_next, method);
		bluez_error(inv, name, "Failed on cue");
		return;
	}
	if ((delay = GPOINTER_TO_UINT(g_hash_table_lookup(fake.delay_next, method))) != 0) {
		Delayed *x = g_new0(Delayed, 1);
		g_hash_table_remove(fake.delay_next, method);
		x->inv = inv;
		x->obj = o;
		x->iface = g_strdup(iface);
		x->method = g_strdup(method);
		x->params = g_variant_ref(params);
		g_timeout_add(delay, delayed_cb, x);
		return;
	}
	dispatch(inv, o, iface, method, params);
}

static gboolean
set_property(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *name, GVariant *value, GError **error, gpointer user_data)
{
	Obj *o = user_data;

	if (g_str_equal(iface, "org.bluez.Adapter1") && g_str_equal(name, "Powered")) {
		adapter_set_powered(o->owner, g_variant_get_boolean(value));
		return TRUE;
	}
	if (g_str_equal(iface, "org.bluez.Device1") && g_str_equal(name, "Trusted")) {
		((Device *)o->owner)->trusted = g_variant_get_boolean(value);
		obj_set(o, iface, name, g_variant_ref(value), FALSE);
		return TRUE;
	}
	if (obj_iface(o, iface) != NULL && g_hash_table_contains(obj_iface(o, iface)->props, name)) {
		obj_set(o, iface, name, g_variant_ref(value), FALSE);
		return TRUE;
	}
	g_set_error(error, G_DBUS_ERROR, G_DBUS_ERROR_PROPERTY_READ_ONLY,
		    "Property '%s' is not writable", name);
	return FALSE;
}

/* ---- the bus name, and bluetoothd going away ------------------------------------ */

static void
om_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	g_dbus_method_invocation_return_value(inv, managed_objects());
}

static const GDBusInterfaceVTable om_vtable = {om_call, NULL, NULL, {0}};

static void
export_all(void)
{
	g_autoptr(GError) error = NULL;

	fake.serving = TRUE;
	fake.om_reg = g_dbus_connection_register_object(
	    fake.conn, "/", iface_info("org.freedesktop.DBus.ObjectManager"), &om_vtable, NULL,
	    NULL, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < fake.adapters->len; i++)
		obj_export(((Adapter *)g_ptr_array_index(fake.adapters, i))->obj);
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (d->paired || d->present)
			obj_export(d->obj);
	}
}

static void
unexport_all(void)
{
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		device_disconnect(d, TRUE);
		obj_unexport(d->obj);
	}
	for (guint i = 0; i < fake.adapters->len; i++)
		obj_unexport(((Adapter *)g_ptr_array_index(fake.adapters, i))->obj);
	if (fake.om_reg != 0)
		g_dbus_connection_unregister_object(fake.conn, fake.om_reg);
	fake.om_reg = 0;
	fake.serving = FALSE;
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

/* bluetoothd exits: its name vanishes from the bus, with no signals. */
static void
restart(guint ms)
{
	guint owner = fake.bluez_owner;

	fake.bluez_owner = 0;
	fake.serving = FALSE; /* no InterfacesRemoved: a dead process sends nothing */
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		d->connected = FALSE;
		lactd_emu_set_link(d->emu, FALSE);
		device_drop_gatt(d);
		g_hash_table_insert(((Iface *)g_ptr_array_index(d->obj->ifaces, 0))->props,
				    g_strdup("Connected"), g_variant_ref_sink(g_variant_new_boolean(FALSE)));
		g_hash_table_insert(((Iface *)g_ptr_array_index(d->obj->ifaces, 0))->props,
				    g_strdup("ServicesResolved"),
				    g_variant_ref_sink(g_variant_new_boolean(FALSE)));
	}
	unexport_all();
	g_bus_unown_name(owner);
	g_timeout_add(MAX(ms, 1), restart_cb, NULL);
}

static gboolean
back_in_range_cb(gpointer user_data)
{
	Device *d = user_data;

	d->back_source = 0;
	d->present = TRUE;
	obj_set(d->obj, "org.bluez.Device1", "RSSI", g_variant_new_int16(-55), FALSE);
	return G_SOURCE_REMOVE;
}

static void
control_call(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	     const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	const char *s;
	Device *d = NULL;

	if ((g_str_equal(method, "DropLink") || g_str_equal(method, "RemoveDevice") ||
	     g_str_equal(method, "SetPresent") || g_str_equal(method, "NeverResolve") ||
	     g_str_equal(method, "SendRaw"))) {
		g_variant_get_child(params, 0, "&s", &s);
		d = find_device(s);
		if (d == NULL) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "no device %s", s);
			return;
		}
	}
	if (g_str_equal(method, "DropLink")) {
		guint32 seconds;
		g_variant_get(params, "(&su)", &s, &seconds);
		d->present = FALSE;
		device_disconnect(d, TRUE);
		obj_unset(d->obj, "org.bluez.Device1", "RSSI");
		g_clear_handle_id(&d->back_source, g_source_remove);
		d->back_source = g_timeout_add((guint)(seconds * 1000 / fake.speed) + 1,
					       back_in_range_cb, d);
	} else if (g_str_equal(method, "Restart")) {
		guint32 ms;
		g_variant_get(params, "(u)", &ms);
		restart(ms);
	} else if (g_str_equal(method, "SetPowered")) {
		gboolean on;
		Adapter *a;
		g_variant_get(params, "(&sb)", &s, &on);
		a = find_adapter(s);
		if (a == NULL) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "no adapter %s", s);
			return;
		}
		adapter_set_powered(a, on);
	} else if (g_str_equal(method, "RemoveDevice")) {
		device_disconnect(d, TRUE);
		obj_unexport(d->obj);
		d->paired = d->bonded = FALSE;
	} else if (g_str_equal(method, "SetPresent")) {
		gboolean on;
		g_variant_get(params, "(&sb)", &s, &on);
		d->present = on;
		if (!on) {
			device_disconnect(d, TRUE);
			obj_unset(d->obj, "org.bluez.Device1", "RSSI");
		} else {
			obj_set(d->obj, "org.bluez.Device1", "RSSI", g_variant_new_int16(-55), FALSE);
		}
	} else if (g_str_equal(method, "NeverResolve")) {
		g_variant_get(params, "(&sb)", &s, &d->never_resolve);
	} else if (g_str_equal(method, "FailNext")) {
		const char *m, *e;
		g_variant_get(params, "(&s&s)", &m, &e);
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
		on_notify(d->emu, uuid, data, len, d);
	} else if (g_str_equal(method, "GetStats")) {
		GVariantBuilder b, calls;
		GHashTableIter it;
		gpointer k, v;
		g_variant_builder_init(&calls, G_VARIANT_TYPE("a{su}"));
		g_hash_table_iter_init(&it, fake.calls);
		while (g_hash_table_iter_next(&it, &k, &v))
			g_variant_builder_add(&calls, "{su}", (const char *)k, GPOINTER_TO_UINT(v));
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "calls", g_variant_builder_end(&calls));
		g_variant_builder_add(&b, "{sv}", "notifications",
				      g_variant_new_uint32(fake.notifications));
		g_dbus_method_invocation_return_value(inv, g_variant_new("(@a{sv})",
									 g_variant_builder_end(&b)));
		return;
	}
	g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable control_vtable = {control_call, NULL, NULL, {0}};

/* ---- scenario time ----------------------------------------------------------------- */

static gboolean
tick_cb(gpointer user_data)
{
	gint64 now = g_get_monotonic_time();
	gint64 step_ms = (gint64)((now - fake.last_tick_us) / 1000.0 * fake.speed);
	gboolean active = FALSE;

	fake.last_tick_us = now;
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (!d->started)
			continue;
		d->sim_ms += step_ms;
		lactd_emu_advance_to(d->emu, d->sim_ms);
		if (d->emu->klass->finished != NULL && d->emu->klass->finished(d->emu)) {
			if (!d->finished_sent) {
				d->finished_sent = TRUE;
				g_dbus_connection_emit_signal(fake.conn, NULL, "/org/lactd/FakeBluez",
							      "org.lactd.FakeBluez1",
							      "ScenarioFinished",
							      g_variant_new("(s)", d->address), NULL);
			}
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

static void
ensure_tick(void)
{
	if (fake.tick != 0)
		return;
	fake.last_tick_us = g_get_monotonic_time();
	fake.tick = g_timeout_add(TICK_MS, tick_cb, NULL);
}

/* ---- start ------------------------------------------------------------------------- */

static const char *const own_keys[] = {"adapter", "address", "name", "paired", "bonded",
				       "trusted", "present", NULL};

static gboolean
load(const char *path, GError **error)
{
	g_auto(GStrv) groups = NULL;

	fake.scenario = g_key_file_new();
	if (!g_key_file_load_from_file(fake.scenario, path, G_KEY_FILE_NONE, error))
		return FALSE;
	groups = g_key_file_get_groups(fake.scenario, NULL);
	for (guint i = 0; groups[i] != NULL; i++) {
		if (g_str_has_prefix(groups[i], "adapter ")) {
			Adapter *a = g_new0(Adapter, 1);
			a->name = g_strdup(groups[i] + 8);
			a->address = g_key_file_get_string(fake.scenario, groups[i], "address", NULL);
			if (a->address == NULL)
				a->address = g_strdup("00:1A:7D:DA:71:13");
			a->powered = !g_key_file_has_key(fake.scenario, groups[i], "powered", NULL) ||
				     g_key_file_get_boolean(fake.scenario, groups[i], "powered", NULL);
			a->obj = adapter_obj_new(a);
			g_ptr_array_add(fake.adapters, a);
		}
	}
	for (guint i = 0; groups[i] != NULL; i++) {
		g_autoptr(GKeyFile) emu_kf = g_key_file_new();
		g_auto(GStrv) keys = NULL;
		g_autofree char *adapter = NULL;
		g_autofree char *name = NULL;
		Device *d;

		if (!g_str_has_prefix(groups[i], "device "))
			continue;
		d = g_new0(Device, 1);
		/* The emulator sees its own keys only. */
		keys = g_key_file_get_keys(fake.scenario, groups[i], NULL, NULL);
		for (guint k = 0; keys[k] != NULL; k++) {
			g_autofree char *v = g_key_file_get_value(fake.scenario, groups[i], keys[k], NULL);
			if (!g_strv_contains(own_keys, keys[k]) || g_str_equal(keys[k], "name"))
				g_key_file_set_value(emu_kf, groups[i], keys[k], v);
		}
		d->emu = lactd_emu_new(emu_kf, groups[i], error);
		if (d->emu == NULL)
			return FALSE;
		d->emu->notify = on_notify;
		d->emu->user_data = d;
		adapter = g_key_file_get_string(fake.scenario, groups[i], "adapter", NULL);
		d->adapter = find_adapter(adapter != NULL ? adapter : "hci0");
		if (d->adapter == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s]: no adapter %s", groups[i], adapter ? adapter : "hci0");
			return FALSE;
		}
		d->address = g_key_file_get_string(fake.scenario, groups[i], "address", error);
		if (d->address == NULL)
			return FALSE;
		d->paired = g_key_file_get_boolean(fake.scenario, groups[i], "paired", NULL);
		d->bonded = d->paired && (!g_key_file_has_key(fake.scenario, groups[i], "bonded", NULL) ||
					  g_key_file_get_boolean(fake.scenario, groups[i], "bonded", NULL));
		d->trusted = g_key_file_get_boolean(fake.scenario, groups[i], "trusted", NULL);
		d->present = !g_key_file_has_key(fake.scenario, groups[i], "present", NULL) ||
			     g_key_file_get_boolean(fake.scenario, groups[i], "present", NULL);
		name = g_key_file_get_string(fake.scenario, groups[i], "name", NULL);
		d->name = g_steal_pointer(&name);
		d->obj = device_obj_new(d);
		g_ptr_array_add(fake.devices, d);
	}
	return TRUE;
}

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
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- a fake bluetoothd for tests");
	g_autoptr(GError) error = NULL;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error) || config == NULL) {
		g_printerr("fake-bluez: %s\n", error ? error->message : "--config is required");
		return 2;
	}
	fake.speed = speed > 0 ? speed : 1;
	fake.node = g_dbus_node_info_new_for_xml(bluez_xml, &error);
	g_assert_no_error(error);
	fake.conn = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (fake.conn == NULL) {
		g_printerr("fake-bluez: %s\n", error->message);
		return 1;
	}
	fake.adapters = g_ptr_array_new();
	fake.devices = g_ptr_array_new();
	fake.objects = g_hash_table_new(g_str_hash, g_str_equal);
	fake.fail_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fake.delay_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fake.calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (!load(config, &error)) {
		g_printerr("fake-bluez: %s: %s\n", config, error->message);
		return 1;
	}
	g_dbus_connection_register_object(fake.conn, "/org/lactd/FakeBluez",
					  iface_info("org.lactd.FakeBluez1"), &control_vtable, NULL,
					  NULL, &error);
	g_assert_no_error(error);
	g_bus_own_name_on_connection(fake.conn, "org.lactd.FakeBluez", G_BUS_NAME_OWNER_FLAGS_NONE,
				     NULL, NULL, NULL, NULL);
	own_bluez();
	fake.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_term, NULL);
	g_unix_signal_add(SIGINT, on_term, NULL);
	g_main_loop_run(fake.loop);
	return 0;
}
