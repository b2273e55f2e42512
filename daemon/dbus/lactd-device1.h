/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Device1's writable properties (Side, Role, Enabled) and its
 * Forget method: checked, authorized and handed to the devices service.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-dbus.h"

G_BEGIN_DECLS

typedef struct _LactdDevices LactdDevices;

/* A Device1 skeleton for @address whose Properties.Set and Forget reach
 * the devices service; the other properties are set by the service. */
LactdDevice1 *lactd_device1_checked_new(LactdDevices *devices, const char *address);

/* The check for property writes and Forget (lactd_auth_authorize in the
 * daemon; none, so allowed, until set). */
void lactd_device1_set_authorize(LactdApiAuthorizeFunc authorize, gpointer user_data);

G_END_DECLS
