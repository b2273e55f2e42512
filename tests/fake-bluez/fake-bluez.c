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
 */
#include "config.h"

#include <gio/gio.h>
#include <errno.h>
#include <glib-unix.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fake-bluez/fake-bluez-control.h" /* generated, in the build tree */
#include "fake-bluez-objects.h"
#include "lactd-emu.h"

#define TICK_MS 50
#define ADAPTER "org.bluez.Adapter1"
#define DEVICE "org.bluez.Device1"
#define SERVICE "org.bluez.GattService1"
#define CHRC "org.bluez.GattCharacteristic1"
#define DESC "org.bluez.GattDescriptor1"
#define CCC_UUID "00002902-0000-1000-8000-00805f9b34fb"
#define ERR "org.bluez.Error."

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

typedef enum { CACHE_ALWAYS, CACHE_YES, CACHE_NO } GattCache;

typedef struct _Device Device;
typedef struct _Adapter Adapter;

/* A client's StartNotify; it outlives disconnections (gatt-client.c keeps
 * notify_clients and re-registers them on reconnection). */
typedef struct {
	char *sender;
	guint watch;
	gboolean registered; /* the CCC is written on the current link */
	gpointer chrc;
} Session;

typedef struct {
	FbObj *obj;
	FbObj *desc; /* the CCC, for notify/indicate */
	Device *device;
	char *uuid;
	char **flags;
	GPtrArray *sessions; /* Session */
	gboolean notifying;
	gboolean emu_on; /* the emulator was told of a subscription */
} Chrc;

/* A client's StartDiscovery, stopped when it leaves the bus. */
typedef struct {
	char *sender;
	guint watch;
	Adapter *adapter;
} Discovery;

struct _Adapter {
	FbObj *obj;
	char *name;
	char *address;
	gboolean powered;
	GPtrArray *discoveries; /* Discovery */
};

struct _Device {
	FbObj *obj;
	Adapter *adapter;
	char *address;
	char *address_type;
	char *name;
	LactdEmu *emu;
	gboolean paired, bonded, trusted;
	gboolean present, connectable, broadcaster;
	gboolean needs_encryption; /* silent unless paired or bonded */
	gboolean stored; /* in bluetoothd's storage: exported from the start */
	gboolean known;	 /* bluetoothd has a device object for it */
	gboolean connected;
	gboolean resolved; /* ServicesResolved */
	gboolean never_resolve;
	gboolean connected_unannounced; /* ConnectedUnannounced */
	char *hide_uuid;		/* HideCharacteristic: left out of */
	guint hide_discoveries;		/* that many more discoveries */
	gboolean gatt_partial;		/* the database exported lacks it */
	gboolean stale_bond;		/* StaleBond: Connect fails, keys do not match */
	gboolean started; /* scenario clock running */
	gboolean finished_sent;
	gint64 sim_ms;
	GPtrArray *gatt;   /* FbObj: services, characteristics, descriptors */
	GHashTable *chrcs; /* uuid -> Chrc, while the GATT objects exist */
	GDBusMethodInvocation *connect; /* a Connect waiting for the device */
	GPtrArray *disconnects;		/* Disconnect calls waiting for the link */
	guint connect_timeout, disconnect_timer, resolve_source, back_source;
	GVariant *mfr_data; /* last advertising data seen on air, a{qv} */
	GVariant *svc_data; /* a{sv} */
};

typedef struct {
	GDBusConnection *conn;
	GDBusNodeInfo *node, *control;
	GKeyFile *scenario;
	double speed;
	GattCache cache;
	guint connect_timeout_ms, disconnect_delay_ms;
	GPtrArray *adapters; /* Adapter */
	GPtrArray *devices;  /* Device */
	guint om_reg;
	guint bluez_owner;
	guint tick;
	gint64 last_tick_us;
	GHashTable *fail_next;	/* method -> error name */
	GHashTable *delay_next; /* method -> ms */
	GHashTable *calls;	/* method -> count */
	guint notifications;
	GMainLoop *loop;
} Fake;

static Fake fake;

static void device_disconnect(Device *d);
static void ensure_tick(void);
static void device_forget(Device *d);

/* ---- helpers ---------------------------------------------------------------------- */

static GVariant *
bytes_variant(const guint8 *data, gsize len)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
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

static gboolean
cache_enabled(Device *d)
{
	return fake.cache == CACHE_ALWAYS || (fake.cache == CACHE_YES && d->paired);
}

static gboolean
adapter_discovering(Adapter *a)
{
	return a->discoveries->len > 0;
}

static gboolean
has_flag(Chrc *c, const char *flag)
{
	return g_strv_contains((const char *const *)c->flags, flag);
}

/* ---- GATT objects ------------------------------------------------------------------ */

static void
session_free(Session *s)
{
	if (s->watch != 0)
		g_bus_unwatch_name(s->watch);
	g_free(s->sender);
	g_free(s);
}

static void
chrc_update_notifying(Chrc *c)
{
	gboolean any = FALSE;

	for (guint i = 0; i < c->sessions->len; i++)
		any |= ((Session *)g_ptr_array_index(c->sessions, i))->registered;
	/* bluetoothd only clears Notifying when the last session stops; a
	 * lost link leaves it set (update_notifying in gatt-client.c). */
	if (any && !c->notifying) {
		c->notifying = TRUE;
		fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(TRUE), FALSE);
	} else if (c->sessions->len == 0 && c->notifying) {
		c->notifying = FALSE;
		fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(FALSE), FALSE);
	}
	if (c->device->connected && any != c->emu_on) {
		c->emu_on = any;
		lactd_emu_set_subscribed(c->device->emu, c->uuid, any);
	}
}

static void
chrc_free(Chrc *c)
{
	g_ptr_array_unref(c->sessions);
	g_strfreev(c->flags);
	g_free(c->uuid);
	g_free(c);
}

/* The client that started notifications left the bus: its session ends
 * (notify_client_disconnect in gatt-client.c). */
static void
on_session_vanished(GDBusConnection *c, const char *name, gpointer user_data)
{
	Session *s = user_data;
	Chrc *chrc = s->chrc;

	g_ptr_array_remove(chrc->sessions, s);
	chrc_update_notifying(chrc);
}

/* The GATT database appears as bluetoothd's gatt-client exports it:
 * serviceXXXX, charYYYY (declaration handle) and descZZZZ by handle, each
 * characteristic taking a declaration and a value handle, plus a CCC
 * descriptor when it can notify or indicate. */
static void
device_export_gatt(Device *d)
{
	guint16 handle = 0x000a;
	g_autoptr(GVariant) mtu = g_variant_ref_sink(g_variant_new_uint16(247));

	d->gatt = g_ptr_array_new_with_free_func((GDestroyNotify)fb_obj_free);
	d->chrcs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)chrc_free);
	for (const LactdEmuService *s = lactd_emu_services(d->emu); s->uuid != NULL; s++) {
		g_autofree char *spath = g_strdup_printf("%s/service%04x", d->obj->path, handle);
		FbObj *so = fb_obj_new(spath, SERVICE, NULL);

		fb_obj_set(so, "UUID", g_variant_new_string(s->uuid), FALSE);
		fb_obj_set(so, "Device", g_variant_new_object_path(d->obj->path), FALSE);
		fb_obj_set(so, "Primary", g_variant_new_boolean(TRUE), FALSE);
		fb_obj_set(so, "Includes", g_variant_new_objv(NULL, 0), FALSE);
		g_ptr_array_add(d->gatt, so);
		fb_obj_export(so);
		handle++;
		for (const LactdEmuChar *ch = s->chars; ch->uuid != NULL; ch++) {
			g_autofree char *cpath = g_strdup_printf("%s/char%04x", spath, handle);
			Chrc *c;

			if (d->hide_discoveries > 0 && g_strcmp0(ch->uuid, d->hide_uuid) == 0) {
				d->gatt_partial = TRUE;
				handle += 3;
				continue;
			}
			c = g_new0(Chrc, 1);

			c->obj = fb_obj_new(cpath, CHRC, c);
			c->device = d;
			c->uuid = g_strdup(ch->uuid);
			c->flags = g_strsplit(ch->flags, ",", -1);
			c->sessions = g_ptr_array_new_with_free_func((GDestroyNotify)session_free);
			fb_obj_set(c->obj, "UUID", g_variant_new_string(ch->uuid), FALSE);
			fb_obj_set(c->obj, "Service", g_variant_new_object_path(spath), FALSE);
			if (has_flag(c, "notify") || has_flag(c, "indicate"))
				fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(FALSE), FALSE);
			fb_obj_set(c->obj, "Flags",
				   g_variant_new_strv((const char *const *)c->flags, -1), FALSE);
			fb_obj_set(c->obj, "MTU", mtu, FALSE);
			g_ptr_array_add(d->gatt, c->obj);
			g_hash_table_insert(d->chrcs, c->uuid, c);
			fb_obj_export(c->obj);
			handle += 2;
			if (has_flag(c, "notify") || has_flag(c, "indicate")) {
				g_autofree char *dpath = g_strdup_printf("%s/desc%04x", cpath, handle);
				c->desc = fb_obj_new(dpath, DESC, c);
				fb_obj_set(c->desc, "UUID", g_variant_new_string(CCC_UUID), FALSE);
				fb_obj_set(c->desc, "Characteristic", g_variant_new_object_path(cpath),
					   FALSE);
				g_ptr_array_add(d->gatt, c->desc);
				fb_obj_export(c->desc);
				handle++;
			}
		}
	}
	if (d->hide_discoveries > 0)
		d->hide_discoveries--;
}

static void
device_drop_gatt(Device *d, gboolean quiet)
{
	if (d->gatt == NULL)
		return;
	/* Children go before parents, as unregister_service removes them. */
	for (guint i = d->gatt->len; i > 0; i--)
		fb_obj_unexport(g_ptr_array_index(d->gatt, i - 1), quiet);
	if (d->connected) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			if (((Chrc *)v)->emu_on)
				lactd_emu_set_subscribed(d->emu, ((Chrc *)v)->uuid, FALSE);
		}
	}
	g_clear_pointer(&d->chrcs, g_hash_table_unref);
	g_clear_pointer(&d->gatt, g_ptr_array_unref);
	d->gatt_partial = FALSE;
}

/* A notification from the device: a PropertiesChanged of Value every time,
 * even with the same bytes (notify_cb in gatt-client.c flushes it). */
static void
deliver_notification(Device *d, const char *uuid, const guint8 *data, gsize len)
{
	Chrc *c = d->chrcs != NULL ? g_hash_table_lookup(d->chrcs, uuid) : NULL;
	gboolean registered = FALSE;

	if (c == NULL || !d->connected)
		return;
	for (guint i = 0; i < c->sessions->len; i++)
		registered |= ((Session *)g_ptr_array_index(c->sessions, i))->registered;
	/* An unpaired link is not encrypted: such a device keeps silent. */
	if (!registered || (d->needs_encryption && !d->paired && !d->bonded))
		return;
	fake.notifications++;
	fb_obj_set(c->obj, "Value", bytes_variant(data, len), TRUE);
}

static void
on_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	deliver_notification(user_data, uuid, data, len);
}

/* Advertising data: bluetoothd updates ManufacturerData/ServiceData of a
 * device from what discovery receives, so only while discovering. */
static void
device_show_advert(Device *d)
{
	if (!d->present || !d->adapter->powered || !adapter_discovering(d->adapter) || !d->known)
		return;
	fb_obj_set(d->obj, "RSSI", g_variant_new_int16(-52), FALSE);
	if (d->mfr_data != NULL)
		fb_obj_set(d->obj, "ManufacturerData", d->mfr_data, FALSE);
	if (d->svc_data != NULL)
		fb_obj_set(d->obj, "ServiceData", d->svc_data, FALSE);
}

static GVariant *
one_entry_dict(const char *type, GVariant *key, const guint8 *data, gsize len)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE(type));
	g_variant_builder_add_value(
	    &b, g_variant_new_dict_entry(key, g_variant_new_variant(bytes_variant(data, len))));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
on_advertise(LactdEmu *emu, guint16 manufacturer_id, const char *service_uuid,
	     const guint8 *data, gsize len, gpointer user_data)
{
	Device *d = user_data;

	if (service_uuid == NULL) {
		g_clear_pointer(&d->mfr_data, g_variant_unref);
		d->mfr_data =
		    one_entry_dict("a{qv}", g_variant_new_uint16(manufacturer_id), data, len);
	} else {
		g_clear_pointer(&d->svc_data, g_variant_unref);
		d->svc_data = one_entry_dict("a{sv}", g_variant_new_string(service_uuid), data, len);
	}
	device_show_advert(d);
}

/* ---- devices --------------------------------------------------------------------- */

static FbObj *
device_obj_new(Device *d)
{
	g_autofree char *upper = g_ascii_strup(d->address, -1);
	g_autofree char *path = NULL;
	FbObj *o;
	GVariantBuilder uuids;
	const char *name = d->name != NULL ? d->name : d->emu->klass->default_name;

	g_strdelimit(upper, ":", '_');
	path = g_strdup_printf("%s/dev_%s", d->adapter->obj->path, upper);
	o = fb_obj_new(path, DEVICE, d);
	g_variant_builder_init(&uuids, G_VARIANT_TYPE("as"));
	for (const LactdEmuService *s = lactd_emu_services(d->emu); s->uuid != NULL; s++)
		g_variant_builder_add(&uuids, "s", s->uuid);
	fb_obj_set(o, "Address", g_variant_new_string(d->address), FALSE);
	fb_obj_set(o, "AddressType", g_variant_new_string(d->address_type), FALSE);
	if (name != NULL)
		fb_obj_set(o, "Name", g_variant_new_string(name), FALSE);
	fb_obj_set(o, "Alias", g_variant_new_string(name != NULL ? name : d->address), FALSE);
	fb_obj_set(o, "Paired", g_variant_new_boolean(d->paired), FALSE);
	fb_obj_set(o, "Bonded", g_variant_new_boolean(d->bonded), FALSE);
	fb_obj_set(o, "Trusted", g_variant_new_boolean(d->trusted), FALSE);
	fb_obj_set(o, "Blocked", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "LegacyPairing", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "Connected", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "UUIDs", g_variant_builder_end(&uuids), FALSE);
	fb_obj_set(o, "Adapter", g_variant_new_object_path(d->adapter->obj->path), FALSE);
	fb_obj_set(o, "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
	return o;
}

/* bluetoothd learns of a device (storage at start, or discovery). */
static void
device_know(Device *d)
{
	if (d->known)
		return;
	d->known = TRUE;
	fb_obj_export(d->obj);
}

static void
reply_disconnects(Device *d)
{
	while (d->disconnects->len > 0) {
		GDBusMethodInvocation *inv = g_ptr_array_steal_index(d->disconnects, 0);
		fb_reply(inv, NULL);
	}
}

/* The link is gone (device_remove_connection in device.c): ServicesResolved
 * false, waiting Disconnect calls answered, then Connected false; GATT
 * objects stay when the cache keeps them. */
static void
device_disconnect(Device *d)
{
	g_clear_handle_id(&d->disconnect_timer, g_source_remove);
	g_clear_handle_id(&d->resolve_source, g_source_remove);
	if (d->connect != NULL) {
		fb_error(d->connect, ERR "Failed", "le-connection-abort-by-local");
		d->connect = NULL;
		g_clear_handle_id(&d->connect_timeout, g_source_remove);
	}
	if (!d->connected)
		return;
	d->connected = FALSE;
	lactd_emu_set_link(d->emu, FALSE);
	if (d->resolved) {
		d->resolved = FALSE;
		fb_obj_set(d->obj, "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
	}
	reply_disconnects(d);
	fb_obj_set(d->obj, "Connected", g_variant_new_boolean(FALSE), FALSE);
	if (d->chrcs != NULL) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			Chrc *c = v;
			for (guint i = 0; i < c->sessions->len; i++)
				((Session *)g_ptr_array_index(c->sessions, i))->registered = FALSE;
			c->emu_on = FALSE; /* the emulator dropped it with the link */
		}
		/* MTU exists only with a link (characteristic_mtu_exists). */
		for (guint i = 0; i < d->gatt->len; i++) {
			FbObj *o = g_ptr_array_index(d->gatt, i);
			if (g_str_equal(fb_obj_iface(o), CHRC))
				fb_obj_unset(o, "MTU");
		}
	}
	if (!cache_enabled(d) || d->gatt_partial)
		device_drop_gatt(d, FALSE);
}

/* Service discovery ended: export the database the first time, re-enable
 * the notify sessions kept from before, then ServicesResolved. */
static gboolean
resolve_cb(gpointer user_data)
{
	Device *d = user_data;

	d->resolve_source = 0;
	if (!d->connected || d->never_resolve)
		return G_SOURCE_REMOVE;
	if (d->gatt == NULL) {
		device_export_gatt(d);
	} else {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			Chrc *c = v;
			fb_obj_set(c->obj, "MTU", g_variant_new_uint16(247), FALSE);
			for (guint i = 0; i < c->sessions->len; i++)
				((Session *)g_ptr_array_index(c->sessions, i))->registered = TRUE;
			chrc_update_notifying(c);
		}
	}
	d->resolved = TRUE;
	fb_obj_set(d->obj, "ServicesResolved", g_variant_new_boolean(TRUE), FALSE);
	return G_SOURCE_REMOVE;
}

/* The link is up (att_connect_cb): Connected, the Connect reply, then
 * service discovery. */
static void
device_link_up(Device *d)
{
	g_clear_handle_id(&d->connect_timeout, g_source_remove);
	d->connected = TRUE;
	if (d->connected_unannounced)
		fb_obj_set_unannounced(d->obj, "Connected", g_variant_new_boolean(TRUE));
	else
		fb_obj_set(d->obj, "Connected", g_variant_new_boolean(TRUE), FALSE);
	if (d->connect != NULL) {
		fb_reply(d->connect, NULL);
		d->connect = NULL;
	}
	lactd_emu_set_link(d->emu, TRUE);
	if (!d->started) {
		d->started = TRUE;
		ensure_tick();
	}
	d->resolve_source = g_timeout_add(20, resolve_cb, d);
}

static gboolean
connect_timeout_cb(gpointer user_data)
{
	Device *d = user_data;

	d->connect_timeout = 0;
	if (d->connect != NULL) {
		fb_error(d->connect, ERR "Failed", "le-connection-abort-by-local");
		d->connect = NULL;
	}
	return G_SOURCE_REMOVE;
}

/* The device is in range again: a waiting Connect completes. */
static void
device_set_present(Device *d, gboolean present)
{
	d->present = present;
	if (!present) {
		device_disconnect(d);
		if (d->known)
			fb_obj_unset(d->obj, "RSSI");
		return;
	}
	device_show_advert(d);
	if (d->connect != NULL && d->connectable && d->adapter->powered)
		device_link_up(d);
}

static gboolean
disconnect_timer_cb(gpointer user_data)
{
	Device *d = user_data;

	d->disconnect_timer = 0;
	device_disconnect(d);
	return G_SOURCE_REMOVE;
}

/* bluetoothd forgets the device: RemoveDevice, or a temporary device when
 * the adapter goes off. */
static void
device_forget(Device *d)
{
	device_disconnect(d);
	device_drop_gatt(d, FALSE);
	fb_obj_unexport(d->obj, FALSE);
	d->known = FALSE;
	d->stored = FALSE; /* removal deletes its storage too */
	if (d->paired) {
		d->paired = d->bonded = FALSE;
		fb_obj_set(d->obj, "Paired", g_variant_new_boolean(FALSE), FALSE);
		fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(FALSE), FALSE);
	}
	fb_obj_unset(d->obj, "RSSI");
}

/* ---- adapters ------------------------------------------------------------------------ */

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
			device_forget(d);
	}
}

static void
on_discovery_vanished(GDBusConnection *c, const char *name, gpointer user_data)
{
	Discovery *x = user_data;
	Adapter *a = x->adapter;

	g_ptr_array_remove(a->discoveries, x);
	if (!adapter_discovering(a))
		adapter_discovery_stopped(a);
}

static void
adapter_set_powered(Adapter *a, gboolean powered)
{
	if (a->powered == powered)
		return;
	if (!powered) {
		for (guint i = 0; i < fake.devices->len; i++) {
			Device *d = g_ptr_array_index(fake.devices, i);
			if (d->adapter != a)
				continue;
			device_disconnect(d);
			/* Temporary devices do not survive a power cycle. */
			if (d->known && !d->paired)
				device_forget(d);
		}
		if (adapter_discovering(a)) {
			g_ptr_array_set_size(a->discoveries, 0);
			adapter_discovery_stopped(a);
		}
	}
	a->powered = powered;
	fb_obj_set(a->obj, "Powered", g_variant_new_boolean(powered), FALSE);
}

static Adapter *
adapter_new(const char *name, const char *address, gboolean powered)
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

/* ---- methods ----------------------------------------------------------------------- */

static void
device_method(GDBusMethodInvocation *inv, Device *d, const char *method, GVariant *params)
{
	if (g_str_equal(method, "Connect")) {
		if (d->stale_bond && !d->connected) {
			/* The device forgot the bond; bluetoothd still has its
			 * keys and fails the link with the kernel's status text. */
			fb_error(inv, ERR "Failed", "PIN or Key Missing");
		} else if (d->connected) {
			fb_reply(inv, NULL);
		} else if (d->connect != NULL) {
			/* device_connect_le: -EALREADY */
			fb_error(inv, ERR "Failed", g_strerror(EALREADY));
		} else if (!d->adapter->powered) {
			/* bt_io_connect fails at once without a powered controller */
			fb_error(inv, ERR "Failed", g_strerror(EIO));
		} else {
			d->connect = inv;
			if (d->present && d->connectable)
				device_link_up(d);
			else
				d->connect_timeout =
				    g_timeout_add(fake.connect_timeout_ms, connect_timeout_cb, d);
		}
	} else if (g_str_equal(method, "Disconnect")) {
		if (!d->connected && d->connect == NULL) {
			fb_reply(inv, NULL);
			return;
		}
		if (d->connect != NULL && !d->connected) {
			device_disconnect(d); /* cancels the attempt */
			fb_reply(inv, NULL);
			return;
		}
		g_ptr_array_add(d->disconnects, inv);
		if (d->disconnect_timer == 0)
			d->disconnect_timer =
			    g_timeout_add(fake.disconnect_delay_ms, disconnect_timer_cb, d);
	} else if (g_str_equal(method, "Pair")) {
		if (d->paired) {
			fb_error(inv, ERR "AlreadyExists", "Already Exists");
		} else if (!d->present || !d->connectable || !d->adapter->powered) {
			fb_error(inv, ERR "ConnectionAttemptFailed", "Page Timeout");
		} else {
			d->paired = d->bonded = TRUE;
			fb_obj_set(d->obj, "Paired", g_variant_new_boolean(TRUE), FALSE);
			fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(TRUE), FALSE);
			fb_reply(inv, NULL);
		}
	} else if (g_str_equal(method, "CancelPairing")) {
		fb_error(inv, ERR "DoesNotExist", "Does Not Exist");
	} else {
		/* ConnectProfile/DisconnectProfile: no BR/EDR profiles here. */
		fb_error(inv, ERR "NotAvailable", "Operation currently not available");
	}
}

/* Parses ReadValue/WriteValue options as parse_options in gatt-client.c. */
static gboolean
parse_options(GVariant *options, guint16 *offset, const char **type)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, options);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		if (g_ascii_strcasecmp(key, "offset") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_UINT16))
				return FALSE;
			*offset = g_variant_get_uint16(value);
		}
		if (type != NULL && g_ascii_strcasecmp(key, "type") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				return FALSE;
			*type = g_variant_get_string(value, NULL);
		}
	}
	return TRUE;
}

/* An emulator's refusal as the ATT error bluetoothd maps to D-Bus
 * (create_gatt_dbus_error in gatt-client.c). */
static void
att_error(GDBusMethodInvocation *inv, const GError *error, gboolean read)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		fb_error(inv, ERR "NotPermitted", read ? "Read not permitted" : "Write not permitted");
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
		fb_error(inv, ERR "InvalidArguments", "Invalid Length");
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
	else
		fb_error(inv, ERR "Failed", "Operation failed with ATT error: 0x0e");
}

static void
chrc_start_notify(GDBusMethodInvocation *inv, Chrc *c)
{
	const char *sender = g_dbus_method_invocation_get_sender(inv);
	Session *s;

	if (c->device->disconnect_timer != 0) {
		fb_error(inv, ERR "NotConnected", "Not Connected");
		return;
	}
	if (!has_flag(c, "notify") && !has_flag(c, "indicate")) {
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
		return;
	}
	for (guint i = 0; i < c->sessions->len; i++) {
		s = g_ptr_array_index(c->sessions, i);
		if (g_strcmp0(s->sender, sender) == 0) {
			/* One session a client: fine when active, else pending. */
			if (s->registered)
				fb_reply(inv, NULL);
			else
				fb_error(inv, ERR "InProgress", "In Progress");
			return;
		}
	}
	s = g_new0(Session, 1);
	s->sender = g_strdup(sender);
	s->chrc = c;
	s->registered = c->device->connected && c->device->resolved;
	g_ptr_array_add(c->sessions, s);
	if (sender != NULL)
		s->watch = g_bus_watch_name_on_connection(fake.conn, sender,
							  G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
							  on_session_vanished, s, NULL);
	/* Disconnected, it succeeds and waits for the next link. */
	chrc_update_notifying(c);
	fb_reply(inv, NULL);
}

static void
chrc_stop_notify(GDBusMethodInvocation *inv, Chrc *c)
{
	const char *sender = g_dbus_method_invocation_get_sender(inv);

	for (guint i = 0; i < c->sessions->len; i++) {
		Session *s = g_ptr_array_index(c->sessions, i);
		if (g_strcmp0(s->sender, sender) == 0) {
			g_ptr_array_remove_index(c->sessions, i);
			chrc_update_notifying(c);
			fb_reply(inv, NULL);
			return;
		}
	}
	fb_error(inv, ERR "Failed", "No notify session started");
}

static void
chrc_write(GDBusMethodInvocation *inv, Chrc *c, GVariant *params)
{
	Device *d = c->device;
	g_autoptr(GVariant) bytes = g_variant_get_child_value(params, 0);
	g_autoptr(GVariant) options = g_variant_get_child_value(params, 1);
	g_autoptr(GError) error = NULL;
	const char *type = NULL;
	guint16 offset = 0;
	gsize len;
	const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);
	gboolean request, command;

	if (!parse_options(options, &offset, &type)) {
		fb_error(inv, ERR "InvalidArguments", "Invalid arguments in method call");
		return;
	}
	/* The procedure bluetoothd picks: a request when asked or when the
	 * characteristic has "write", else a command when asked or allowed. */
	request = type != NULL ? g_ascii_strcasecmp(type, "request") == 0 : has_flag(c, "write");
	command = !request && offset == 0 &&
		  (type != NULL ? g_ascii_strcasecmp(type, "command") == 0
				: has_flag(c, "write-without-response"));
	if (!request && !command) {
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
		return;
	}
	if (d->emu->klass->write == NULL) {
		fb_error(inv, ERR "NotPermitted", "Write not permitted");
		return;
	}
	if (command) {
		/* No response on air: the call returns before the device acts,
		 * and a refusal is never heard of. */
		fb_reply(inv, NULL);
		if (!d->emu->klass->write(d->emu, c->uuid, data, len, &error))
			g_message("write command to %s dropped: %s", c->uuid, error->message);
		return;
	}
	if (offset != 0 || !d->emu->klass->write(d->emu, c->uuid, data, len, &error)) {
		if (error == NULL)
			g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "offset");
		att_error(inv, error, FALSE);
		return;
	}
	fb_reply(inv, NULL);
}

static void
chrc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params)
{
	Device *d = c->device;

	if (g_str_equal(method, "StartNotify")) {
		chrc_start_notify(inv, c);
		return;
	}
	if (g_str_equal(method, "StopNotify")) {
		chrc_stop_notify(inv, c);
		return;
	}
	/* gatt-client.c: no bt_gatt_client without a link. */
	if (!d->connected) {
		fb_error(inv, ERR "Failed", "Not connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		g_autoptr(GVariant) options = g_variant_get_child_value(params, 0);
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) value = NULL;
		guint16 offset = 0;
		gsize len;
		const guint8 *data;

		if (!parse_options(options, &offset, NULL)) {
			fb_error(inv, ERR "InvalidArguments", "Invalid arguments in method call");
			return;
		}
		if (!has_flag(c, "read")) {
			fb_error(inv, ERR "NotPermitted", "Read not permitted");
			return;
		}
		value = d->emu->klass->read != NULL ? d->emu->klass->read(d->emu, c->uuid, &error)
						    : NULL;
		if (value == NULL) {
			if (error == NULL)
				g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
						    "no read");
			att_error(inv, error, TRUE);
			return;
		}
		data = g_bytes_get_data(value, &len);
		if (offset > len) {
			fb_error(inv, ERR "InvalidArguments", "Invalid offset");
			return;
		}
		/* The read value is stored and announced before the reply
		 * (chrc_read_cb: write_characteristic_cb flushes Value). */
		fb_obj_set(c->obj, "Value", bytes_variant(data + offset, len - offset), TRUE);
		fb_reply(inv, g_variant_new("(@ay)", bytes_variant(data + offset, len - offset)));
	} else if (g_str_equal(method, "WriteValue")) {
		chrc_write(inv, c, params);
	}
}

static void
desc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params)
{
	if (!c->device->connected) {
		fb_error(inv, ERR "Failed", "Not connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		guint8 ccc[2] = {c->notifying ? (has_flag(c, "notify") ? 1 : 2) : 0, 0};
		fb_obj_set(c->desc, "Value", bytes_variant(ccc, 2), FALSE);
		fb_reply(inv, g_variant_new("(@ay)", bytes_variant(ccc, 2)));
	} else {
		/* bluetoothd refuses CCC writes from D-Bus: use StartNotify. */
		fb_error(inv, ERR "NotPermitted", "Write not permitted");
	}
}

static void
adapter_method(GDBusMethodInvocation *inv, Adapter *a, const char *method, GVariant *params)
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
		device_forget(d);
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
				device_know(d);
				device_show_advert(d);
			}
		}
	} else if (g_str_equal(method, "StopDiscovery")) {
		if (mine == NULL) {
			fb_error(inv, ERR "Failed", "No discovery started");
			return;
		}
		g_ptr_array_remove(a->discoveries, mine);
		fb_reply(inv, NULL);
		if (!adapter_discovering(a))
			adapter_discovery_stopped(a);
	}
}

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
		device_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, CHRC))
		chrc_method(inv, o->owner, method, params);
	else if (g_str_equal(iface, DESC))
		desc_method(inv, o->owner, method, params);
	else
		adapter_method(inv, o->owner, method, params);
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
		adapter_set_powered(o->owner, g_variant_get_boolean(value));
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
			device_disconnect(o->owner);
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
			device_know(d);
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
static void
restart(guint ms)
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
		device_drop_gatt(d, TRUE);
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

/* ---- control interface -------------------------------------------------------------------- */

static gboolean
back_in_range_cb(gpointer user_data)
{
	Device *d = user_data;

	d->back_source = 0;
	device_set_present(d, TRUE);
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
		device_set_present(d, FALSE);
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
	} else if (g_str_equal(method, "AddAdapter")) {
		const char *address;
		Adapter *a;
		g_variant_get(params, "(&s&s)", &s, &address);
		if (find_adapter(s) != NULL || !g_dbus_is_member_name(s) ||
		    !g_str_has_prefix(s, "hci")) {
			g_dbus_method_invocation_return_error(inv, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS,
							      "bad or existing adapter %s", s);
			return;
		}
		a = adapter_new(s, address, TRUE);
		fb_obj_export(a->obj);
	} else if (g_str_equal(method, "RemoveDevice")) {
		device_forget(d);
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
		device_set_present(d, on);
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
		deliver_notification(d, uuid, data, len);
	} else if (g_str_equal(method, "GetStats")) {
		fb_reply(inv, stats());
		return;
	}
	fb_reply(inv, NULL);
}

static const GDBusInterfaceVTable control_vtable = {control_call, NULL, NULL, {0}};

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

static void
ensure_tick(void)
{
	if (fake.tick != 0)
		return;
	fake.last_tick_us = g_get_monotonic_time();
	fake.tick = g_timeout_add(TICK_MS, tick_cb, NULL);
}

/* ---- start ------------------------------------------------------------------------------- */

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
	d->adapter = find_adapter(adapter != NULL ? adapter : "hci0");
	if (d->adapter == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s]: no adapter %s",
			    group, adapter ? adapter : "hci0");
		return FALSE;
	}
	d->emu = lactd_emu_new(emu_kf, group, error);
	if (d->emu == NULL)
		return FALSE;
	d->emu->notify = on_notify;
	d->emu->advertise = on_advertise;
	d->emu->user_data = d;
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
	d->obj = device_obj_new(d);
	if (d->broadcaster) {
		d->started = TRUE;
		ensure_tick();
	}
	return TRUE;
}

static gboolean
load(const char *path, GError **error)
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
		adapter_new(groups[i] + 8, address != NULL ? address : "00:1A:7D:DA:71:13", powered);
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

static gboolean
on_term(gpointer user_data)
{
	g_main_loop_quit(fake.loop);
	return G_SOURCE_REMOVE;
}

static void
device_free(Device *d)
{
	g_clear_handle_id(&d->connect_timeout, g_source_remove);
	g_clear_handle_id(&d->disconnect_timer, g_source_remove);
	g_clear_handle_id(&d->resolve_source, g_source_remove);
	g_clear_handle_id(&d->back_source, g_source_remove);
	if (d->gatt != NULL)
		device_drop_gatt(d, TRUE);
	if (d->obj != NULL) {
		fb_obj_unexport(d->obj, TRUE);
		fb_obj_free(d->obj);
	}
	g_clear_pointer(&d->emu, lactd_emu_free);
	g_clear_pointer(&d->mfr_data, g_variant_unref);
	g_clear_pointer(&d->svc_data, g_variant_unref);
	g_ptr_array_unref(d->disconnects);
	g_free(d->address);
	g_free(d->hide_uuid);
	g_free(d->address_type);
	g_free(d->name);
	g_free(d);
}

static void
adapter_free(Adapter *a)
{
	g_ptr_array_unref(a->discoveries);
	fb_obj_unexport(a->obj, TRUE);
	fb_obj_free(a->obj);
	g_free(a->name);
	g_free(a->address);
	g_free(a);
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
	fake.control = g_dbus_node_info_new_for_xml(fake_bluez_control_xml, &error);
	g_assert_no_error(error);
	fake.conn = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (fake.conn == NULL) {
		g_printerr("fake-bluez: %s\n", error->message);
		return 1;
	}
	fb_objects_init(fake.conn, fake.node, &vtable);
	fake.adapters = g_ptr_array_new_with_free_func((GDestroyNotify)adapter_free);
	fake.devices = g_ptr_array_new_with_free_func((GDestroyNotify)device_free);
	fake.fail_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
	fake.delay_next = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	fake.calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	delayed = g_ptr_array_new();
	fake.loop = g_main_loop_new(NULL, FALSE);
	if (!load(config, &error)) {
		g_printerr("fake-bluez: %s: %s\n", config, error->message);
		status = 1;
		goto out;
	}
	g_dbus_connection_register_object(fake.conn, "/org/lactd/FakeBluez",
					  g_dbus_node_info_lookup_interface(fake.control,
									    "org.lactd.FakeBluez1"),
					  &control_vtable, NULL, NULL, &error);
	g_assert_no_error(error);
	g_bus_own_name_on_connection(fake.conn, "org.lactd.FakeBluez", G_BUS_NAME_OWNER_FLAGS_NONE,
				     NULL, NULL, NULL, NULL);
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
	g_dbus_node_info_unref(fake.control);
	g_main_loop_unref(fake.loop);
	g_object_unref(fake.conn);
	return status;
}
