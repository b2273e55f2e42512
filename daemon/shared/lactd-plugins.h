/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin host: loads the device plugins, matches a device to one of
 * them, and runs a plugin over one device through the LactdHost helpers.
 *
 * The host knows neither BlueZ nor the capture: what a plugin asks of the
 * device (subscribe, read, write) and what it reports (readings, rejected
 * packets) go through a LactdPluginDeviceOps table that lactd-devices fills
 * in, so the host can be tested on its own.
 */
#pragma once

#include <gio/gio.h>
#include <lactd/plugin.h>

#include "lactd-plugin-match.h"

G_BEGIN_DECLS

typedef struct _LactdPluginHost LactdPluginHost;


/*
 * lactd_plugin_host_new:
 * @plugin_dir: a directory, or several separated by G_SEARCHPATH_SEPARATOR
 *
 * Loads every `*.so` there, in name order. A file that cannot be loaded,
 * lacks a symbol, speaks another ABI version or holds an invalid descriptor
 * is skipped with one log line; so is a second plugin of the same name.
 * A missing directory is logged and skipped; fails only when one exists
 * but cannot be read.
 */
LactdPluginHost *lactd_plugin_host_new(const char *plugin_dir, GError **error);
/* Unloads the plugins; every LactdDevice made from them must be freed first. */
void lactd_plugin_host_free(LactdPluginHost *host);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdPluginHost, lactd_plugin_host_free)

/* Number of loaded plugins. */
guint lactd_plugin_host_count(LactdPluginHost *host);
/* The loaded descriptors, highest priority first; NULL-terminated. */
const LactdPluginDesc *const *lactd_plugin_host_list(LactdPluginHost *host);

/*
 * lactd_plugin_host_match:
 * @service_uuids: (nullable): Device1.UUIDs and the GattService1 UUIDs
 * @manufacturer_ids: (nullable): company ids of its ManufacturerData
 * @service_data_uuids: (nullable): UUIDs of its ServiceData
 * @how: (out) (optional): whether a service or an advertisement matched
 *
 * The most specific plugin that matches by services or advertisements
 * alone (no name, characteristics not checked), or NULL; see
 * lactd_plugin_match_select() for the full match.
 */
const LactdPluginDesc *lactd_plugin_host_match(LactdPluginHost *host,
					       const char *const *service_uuids,
					       const guint16 *manufacturer_ids, gsize n_manufacturer_ids,
					       const char *const *service_data_uuids,
					       LactdPluginMatch *how);

/* What a plugin's device asks of the transport and reports to the capture.
 * Every function gets the user_data given to lactd_plugin_device_new. */
typedef struct {
	/* GATT: FALSE with an error when the characteristic is unknown or the
	 * device not connected. A read's value arrives later through
	 * lactd_plugin_device_value(). */
	gboolean (*subscribe)(gpointer user_data, const char *char_uuid, GError **error);
	gboolean (*read)(gpointer user_data, const char *char_uuid, GError **error);
	/* Starts one write; the transport calls lactd_plugin_device_write_done()
	 * when it completes (unless the device is detached first). */
	gboolean (*write)(gpointer user_data, const char *char_uuid, GBytes *data,
			  gboolean with_response, GError **error);
	/* A reading: TRUE once stored or accepted. */
	gboolean (*reading)(gpointer user_data, const LactdReading *reading, GError **error);
	/* Count one rejected packet (the host has logged it, rate-limited). */
	void (*rejected)(gpointer user_data, const char *reason);
	/* Highest device session id stored for this device. */
	guint32 (*last_record)(gpointer user_data);
} LactdPluginDeviceOps;

/* Creates a plugin's context over one device; nothing runs until attach. */
LactdDevice *lactd_plugin_device_new(const LactdPluginDesc *desc, const char *address,
				     const LactdPluginDeviceOps *ops, gpointer user_data);
/* Detaches if needed and frees. */
void lactd_plugin_device_free(LactdDevice *dev);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDevice, lactd_plugin_device_free)

const LactdPluginDesc *lactd_plugin_device_get_desc(LactdDevice *dev);
gboolean lactd_plugin_device_is_attached(LactdDevice *dev);

/* Zeroes the plugin's state and calls desc->attach; FALSE (detached again)
 * when the plugin gives up on the device. */
gboolean lactd_plugin_device_attach(LactdDevice *dev, GError **error);
/* Calls desc->detach, stops the plugin's timers, drops queued writes and
 * frees the state. Does nothing when not attached. */
void lactd_plugin_device_detach(LactdDevice *dev);

/* Bytes from a characteristic: desc->value, or parse and emit when the
 * plugin has no value callback. Ignored when not attached. */
void lactd_plugin_device_value(LactdDevice *dev, const char *char_uuid, const guint8 *data,
			       gsize len, LactdValueOrigin origin);
/* Advertisement data (manufacturer data when service_uuid is NULL). */
void lactd_plugin_device_advertisement(LactdDevice *dev, guint16 manufacturer_id,
				       const char *service_uuid, const guint8 *data, gsize len);
/* The write started by ops->write completed; the next queued one starts. */
void lactd_plugin_device_write_done(LactdDevice *dev, const GError *error);

/* For tests: writes waiting (the one in flight included), running timers. */
guint lactd_plugin_device_pending_writes(LactdDevice *dev);
guint lactd_plugin_device_timer_count(LactdDevice *dev);

G_END_DECLS
