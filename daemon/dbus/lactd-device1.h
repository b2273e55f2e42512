/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Device1: one object per device the devices service announces
 * (its listener), under the object manager of /org/lactd. The writable
 * properties (Side, Role, Enabled) and Forget are checked, authorized and
 * handed to the devices service.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-dbus.h"
#include "lactd-devices.h"

G_BEGIN_DECLS

typedef struct _LactdDeviceObjects LactdDeviceObjects;

/* Shows what the devices announce (lactd_device_objects_listener, with the
 * objects as its data) on @api's object manager. */
LactdDeviceObjects *lactd_device_objects_new(LactdApi *api);
const LactdDevicesListener *lactd_device_objects_listener(void);
/* The service that property writes and Forget reach; until it is set they
 * are answered NotFound. */
void lactd_device_objects_set_devices(LactdDeviceObjects *objects, LactdDevices *devices);
/* Removes the objects still exported. Free it after the devices. */
void lactd_device_objects_free(LactdDeviceObjects *objects);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDeviceObjects, lactd_device_objects_free)

/* The check for property writes and Forget (lactd_auth_authorize in the
 * daemon; none, so allowed, until set). */
void lactd_device1_set_authorize(LactdApiAuthorizeFunc authorize, gpointer user_data);

G_END_DECLS
