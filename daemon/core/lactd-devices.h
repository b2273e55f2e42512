/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The devices: what lactd knows of each BlueZ device (announced to a
 * listener, which daemon/dbus/lactd-device1.c turns into org.lactd.Device1
 * objects), the policy of which devices are captured, and the glue from
 * BlueZ through the plugins to the capture.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-bluez.h"
#include "lactd-capture.h"
#include "lactd-config.h"
#include "lactd-plugins.h"
#include "lactd-recorder.h"
#include "lactd-store.h"

G_BEGIN_DECLS

typedef struct _LactdDevices LactdDevices;

/* What is known of one device, as Device1 shows it: its fields are
 * lactd_device_info_table's, keyed by Device1's property names. */
typedef struct {
	char *address;
	char *object_path; /* where Device1 is: lactd_devices_object_path() */
	char *name;
	char *kind;	   /* pump, scale or unknown */
	char *plugin;	   /* the plugin matching it, or empty */
	char *side;	   /* left, right, both or unknown */
	char *role;	   /* bottle or baby */
	char *problem;	   /* why it is not captured, or empty */
	gboolean enabled;
	gboolean connected;
	guint32 battery; /* percent; 255 when not known */
	gint64 last_seen_us;
	guint32 rejected_packets;
} LactdDeviceInfo;

/* A field of a LactdDeviceInfo that changes: its index in
 * lactd_device_info_table. */
typedef enum {
	LACTD_DEVICE_NAME,
	LACTD_DEVICE_KIND,
	LACTD_DEVICE_PLUGIN,
	LACTD_DEVICE_SIDE,
	LACTD_DEVICE_ROLE,
	LACTD_DEVICE_PROBLEM,
	LACTD_DEVICE_ENABLED,
	LACTD_DEVICE_CONNECTED,
	LACTD_DEVICE_BATTERY,
	LACTD_DEVICE_LAST_SEEN,
	LACTD_DEVICE_REJECTED,
} LactdDeviceField;

/* A LactdDeviceInfo's fields, in the order of LactdDeviceField, then those
 * set once (its address and object path). */
extern const LactdRecord lactd_device_info_table;

/* How the devices announce: a device appeared (with all it is known to
 * be), some of its fields changed (already stored when they are
 * settings), it went. The info is the service's; copy what is kept. */
typedef struct {
	void (*added)(const LactdDeviceInfo *info, gpointer user_data);
	/* @fields: bit 1 << i for each LactdDeviceField i that changed. */
	void (*changed)(const LactdDeviceInfo *info, guint fields, gpointer user_data);
	void (*removed)(const LactdDeviceInfo *info, gpointer user_data);
} LactdDevicesListener;

/*
 * lactd_devices_new:
 *
 * Starts @bluez, a client main made and keeps (once the store's check after
 * open has answered, see lactd_devices_store_checked); devices are
 * announced to @listener as they appear, and paired (or allowed) devices
 * that a plugin matches are captured. Everything passed in must outlive the
 * result. Work happens in the main loop.
 */
LactdDevices *lactd_devices_new(LactdBluez *bluez, LactdStore *store,
				LactdCapture *capture, LactdPluginHost *plugins,
				const LactdConfig *config, const LactdDevicesListener *listener,
				gpointer listener_data, GError **error);
/* Starts following BlueZ if lactd_devices_new() waited for the store's
 * check after open (lactd_store_is_checking); call it once it answered. */
void lactd_devices_store_checked(LactdDevices *devices);
/* Detaches every plugin, announces every device removed and stops
 * following BlueZ; call it before freeing the capture, the listener or the
 * store. */
void lactd_devices_free(LactdDevices *devices);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDevices, lactd_devices_free)

/* "AA:BB:CC:DD:EE:FF" -> "/org/lactd/devices/AA_BB_CC_DD_EE_FF" */
char *lactd_devices_object_path(const char *address);
/* Device1's writable properties: whether @value may be written to @prop
 * (Side, Role or Enabled); then storing and applying it for @address, said
 * in the log to be done by @who. NOT_FOUND when the device is gone. */
gboolean lactd_devices_check_setting(const char *prop, GVariant *value, GError **error);
gboolean lactd_devices_apply_setting(LactdDevices *devices, const char *address, const char *prop,
				     GVariant *value, const char *who, GError **error);
/* Device1.Forget: its settings are deleted and capture stops. */
gboolean lactd_devices_forget(LactdDevices *devices, const char *address, const char *who,
			      GError **error);
/* The recorder of raw captures that the devices feed. */
LactdRecorder *lactd_devices_get_recorder(LactdDevices *devices);

G_END_DECLS
