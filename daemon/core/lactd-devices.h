/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The devices: one org.lactd.Device1 object per BlueZ device, the policy of
 * which devices are captured, and the glue from BlueZ through the plugins
 * to the capture.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-api.h"
#include "lactd-capture.h"
#include "lactd-config.h"
#include "lactd-plugins.h"
#include "lactd-recorder.h"
#include "lactd-store.h"

G_BEGIN_DECLS

typedef struct _LactdDevices LactdDevices;

/*
 * lactd_devices_new:
 *
 * Starts following org.bluez on @system_bus (once the store's check after
 * open has answered, see lactd_devices_store_checked); devices are exported on
 * lactd_api_get_object_manager(@api) as they appear, and paired (or
 * allowed) devices that a plugin matches are captured. Everything passed
 * in must outlive the result. Work happens in the main loop.
 */
LactdDevices *lactd_devices_new(GDBusConnection *system_bus, LactdStore *store, LactdApi *api,
				LactdCapture *capture, LactdPluginHost *plugins,
				const LactdConfig *config, GError **error);
/* Starts following BlueZ if lactd_devices_new() waited for the store's
 * check after open (lactd_store_is_checking); call it once it answered. */
void lactd_devices_store_checked(LactdDevices *devices);
/* Detaches every plugin, unexports the objects and stops following BlueZ;
 * call it before freeing the capture, the API or the store. */
void lactd_devices_free(LactdDevices *devices);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDevices, lactd_devices_free)

/* The check for writes of Side, Role, Enabled and for Forget (action
 * "org.lactd.change-data"); without one, every caller the bus policy lets
 * through is allowed. */
void lactd_devices_set_authorize(LactdDevices *devices, LactdApiAuthorizeFunc authorize,
				 gpointer user_data);

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
