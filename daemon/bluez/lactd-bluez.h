/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client: follows org.bluez on the system bus (adapters, devices,
 * GATT services and characteristics), keeps the devices it is asked to keep
 * connected (connect, wait for the services, back off and retry), and does
 * the GATT operations a plugin asks for. It decides nothing about which
 * device to capture: lactd-devices does, through lactd_bluez_device_set_wanted().
 */
#pragma once

#include <gio/gio.h>
#include <lactd/plugin.h>

#include "lactd-config.h"
#include "lactd-util.h"

G_BEGIN_DECLS

typedef struct _LactdBluez LactdBluez;
typedef struct _LactdBluezDevice LactdBluezDevice;

/* What the client reports; every callback gets the listener's user_data. */
typedef struct {
	/* A Device1 appeared (also for each device when org.bluez comes back). */
	void (*device_added)(LactdBluezDevice *dev, gpointer user_data);
	/* Name, pairing, UUIDs, advertised ids or GATT services changed. */
	void (*device_changed)(LactdBluezDevice *dev, gpointer user_data);
	/* New advertisement data (never the cached value of a device at start:
	 * it may be hours old). Manufacturer data when service_uuid is NULL. */
	void (*advertisement)(LactdBluezDevice *dev, guint16 manufacturer_id,
			      const char *service_uuid, const guint8 *data, gsize len,
			      gpointer user_data);
	/* A wanted device is connected with its services resolved. */
	void (*device_ready)(LactdBluezDevice *dev, gpointer user_data);
	/* A ready device is not any more (link lost, unwanted, removed, BlueZ gone). */
	void (*device_lost)(LactdBluezDevice *dev, gpointer user_data);
	/* The device is gone; it is freed when this returns. */
	void (*device_removed)(LactdBluezDevice *dev, gpointer user_data);
	/* A notification of a subscribed characteristic, or a read's reply. */
	void (*value)(LactdBluezDevice *dev, const char *char_uuid, const guint8 *data, gsize len,
		      LactdValueOrigin origin, gpointer user_data);
	/* A write started by lactd_bluez_device_write() completed. */
	void (*write_done)(LactdBluezDevice *dev, const GError *error, gpointer user_data);
	/* The link cannot work as things are (a stale bond: "pairing lost: ..."),
	 * or works again (problem NULL). No attempt is made meanwhile. May be NULL. */
	void (*problem)(LactdBluezDevice *dev, const char *problem, gpointer user_data);
} LactdBluezListener;

/* A client of org.bluez on @system_bus that does nothing until started:
 * the bus is known here, and only here, so the services below the D-Bus
 * layer are handed a client rather than a connection. config must outlive
 * the client. */
LactdBluez *lactd_bluez_new(GDBusConnection *system_bus, const LactdConfig *config);
/* Starts watching org.bluez (never auto-starting it) and reporting to
 * @listener, which must outlive the client or its lactd_bluez_stop();
 * the rest happens in the main loop. Once only. */
void lactd_bluez_start(LactdBluez *bluez, const LactdBluezListener *listener, gpointer user_data);
/* Stops watching: reports every ready device lost and every device
 * removed, then reports nothing more. */
void lactd_bluez_stop(LactdBluez *bluez);
/* Between lactd_bluez_start() and lactd_bluez_stop() (FALSE already while
 * the stop reports its removals). */
gboolean lactd_bluez_is_started(LactdBluez *bluez);
/* Stops (if started), then frees. */
void lactd_bluez_free(LactdBluez *bluez);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdBluez, lactd_bluez_free)

/* TRUE while org.bluez is owned and its objects are loaded. */
gboolean lactd_bluez_is_up(LactdBluez *bluez);
/* Keeps LE discovery on on every powered adapter (for broadcasters). */
void lactd_bluez_set_discovery(LactdBluez *bluez, gboolean on);

const char *lactd_bluez_device_get_path(LactdBluezDevice *dev);
/* "AA:BB:CC:DD:EE:FF" */
const char *lactd_bluez_device_get_address(LactdBluezDevice *dev);
/* Name, else Alias, else ""; newly allocated. */
char *lactd_bluez_device_dup_name(LactdBluezDevice *dev);
/* Paired or Bonded. */
gboolean lactd_bluez_device_get_paired(LactdBluezDevice *dev);
/* Device1.UUIDs and the UUIDs of its GATT services. */
GStrv lactd_bluez_device_dup_uuids(LactdBluezDevice *dev);
/* Company ids of its ManufacturerData (guint16). */
GArray *lactd_bluez_device_dup_manufacturer_ids(LactdBluezDevice *dev);
/* UUIDs of its ServiceData. */
GStrv lactd_bluez_device_dup_service_data_uuids(LactdBluezDevice *dev);

void lactd_bluez_device_set_user_data(LactdBluezDevice *dev, gpointer user_data);
gpointer lactd_bluez_device_get_user_data(LactdBluezDevice *dev);

/* Whether the client keeps the device connected. TRUE connects (once the
 * adapter is powered), FALSE leaves ready and disconnects what it connected. */
void lactd_bluez_device_set_wanted(LactdBluezDevice *dev, gboolean wanted);
gboolean lactd_bluez_device_is_ready(LactdBluezDevice *dev);
/* The device is of no use as it is (its plugin gave up): disconnect and
 * try again after the back-off. */
void lactd_bluez_device_give_up(LactdBluezDevice *dev, const char *reason);
/* The same, trying again after @delay_ms whatever the back-off says. */
void lactd_bluez_device_retry_in(LactdBluezDevice *dev, const char *reason, guint delay_ms);
/* Its plugin needs an encrypted link (LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION):
 * while Device1 is neither Paired nor Bonded, a wanted device is not
 * connected and the listener's problem says it must be paired first; it is
 * connected as soon as BlueZ reports it paired. FALSE by default. */
void lactd_bluez_device_set_needs_pairing(LactdBluezDevice *dev, gboolean needs);
gboolean lactd_bluez_device_get_needs_pairing(LactdBluezDevice *dev);

/* GATT on a ready device; FALSE with an error when the characteristic is
 * not there. Failures of the call itself are logged when they come. */
gboolean lactd_bluez_device_subscribe(LactdBluezDevice *dev, const char *char_uuid,
				      GError **error);
gboolean lactd_bluez_device_read(LactdBluezDevice *dev, const char *char_uuid, GError **error);
gboolean lactd_bluez_device_write(LactdBluezDevice *dev, const char *char_uuid, GBytes *data,
				  gboolean with_response, GError **error);

/* A GATT characteristic of a device, as BlueZ lists it. */
typedef LactdGattChar LactdBluezChar;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdBluezChar, lactd_gatt_char_free)

/* The device's characteristics (LactdBluezChar), by object path: the order
 * BlueZ discovered them in. */
GPtrArray *lactd_bluez_device_dup_chars(LactdBluezDevice *dev);
/* Whether lactd_bluez_device_subscribe() was called for it on this link. */
gboolean lactd_bluez_device_is_subscribed(LactdBluezDevice *dev, const char *char_uuid);
/* StopNotify; values of it are no longer delivered. Does nothing when not
 * subscribed. */
void lactd_bluez_device_unsubscribe(LactdBluezDevice *dev, const char *char_uuid);

G_END_DECLS
