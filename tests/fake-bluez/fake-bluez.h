/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake bluetoothd's private header: its adapters, devices and GATT
 * objects, the state they share, and what each of its files calls of the
 * others (fake-bluez.c: the bus name, dispatch and scenario time;
 * fake-bluez-adapter.c, -device.c, -gatt.c: the objects and their methods;
 * fake-bluez-control.c: org.lactd.FakeBluez1; fake-bluez-scenario.c: --config).
 */
#pragma once

#include <gio/gio.h>

#include "fake-bluez-objects.h"
#include "lactd-emu.h"

G_BEGIN_DECLS

#define ADAPTER "org.bluez.Adapter1"
#define DEVICE "org.bluez.Device1"
#define SERVICE "org.bluez.GattService1"
#define CHRC "org.bluez.GattCharacteristic1"
#define DESC "org.bluez.GattDescriptor1"
#define CCC_UUID "00002902-0000-1000-8000-00805f9b34fb"
#define ERR "org.bluez.Error."

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
extern Fake fake;

/* fake-bluez.c */
void fb_ensure_tick(void);
/* bluetoothd dies and comes back after ms. */
void fb_restart(guint ms);

/* fake-bluez-adapter.c */
Adapter *fb_find_adapter(const char *name);
gboolean fb_adapter_discovering(Adapter *a);
void fb_adapter_set_powered(Adapter *a, gboolean powered);
Adapter *fb_adapter_new(const char *name, const char *address, gboolean powered);
void fb_adapter_method(GDBusMethodInvocation *inv, Adapter *a, const char *method,
		       GVariant *params);
void fb_adapter_free(Adapter *a);

/* fake-bluez-device.c */
Device *fb_find_device(const char *address);
void fb_device_show_advert(Device *d);
void fb_device_listen(Device *d);
FbObj *fb_device_obj_new(Device *d);
void fb_device_know(Device *d);
void fb_device_disconnect(Device *d);
void fb_device_set_present(Device *d, gboolean present);
void fb_device_forget(Device *d);
void fb_device_method(GDBusMethodInvocation *inv, Device *d, const char *method,
		      GVariant *params);
void fb_device_free(Device *d);

/* fake-bluez-gatt.c */
GVariant *fb_bytes_variant(const guint8 *data, gsize len);
void fb_chrc_update_notifying(Chrc *c);
void fb_device_export_gatt(Device *d);
/* quiet: no InterfacesRemoved (bluetoothd died). */
void fb_device_drop_gatt(Device *d, gboolean quiet);
void fb_deliver_notification(Device *d, const char *uuid, const guint8 *data, gsize len);
void fb_chrc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params);
void fb_desc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params);

/* fake-bluez-control.c */
void fb_control_export(void);

/* fake-bluez-scenario.c */
gboolean fb_scenario_load(const char *path, GError **error);

G_END_DECLS
