/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the files of the devices service share: the devices and one entry
 * per device address (lactd-devices.c, lactd-devices-settings.c,
 * lactd-devices-info.c).
 */
#pragma once

#include "lactd-bluez.h"
#include "lactd-devices.h"
#include "lactd-recorder.h"

G_BEGIN_DECLS

typedef struct _Entry Entry;

struct _LactdDevices {
	LactdStore *store;
	const LactdDevicesListener *listener;
	gpointer listener_data;
	LactdCapture *capture;
	LactdPluginHost *plugins;
	const LactdConfig *config;
	GHashTable *entries; /* address -> Entry */
	/* address -> const LactdPluginDesc *: the plugin that last attached
	 * to it since lactd started. A device that comes back with services
	 * that no longer fit it is retried, backing off, before it is left
	 * alone. */
	GHashTable *captured;
	LactdBluez *bluez; /* main's; started once the store may be written */
	LactdRecorder *recorder;
};

struct _Entry {
	LactdDevices *devices;
	LactdDeviceInfo info; /* what Device1 shows; address and object path too */
	LactdBluezDevice *bdev; /* the BlueZ device it follows */
	GPtrArray *others;	/* the same address on another adapter */
	const LactdPluginDesc *desc;
	LactdPluginMatch how;
	LactdDevice *pdev; /* the plugin over this device, while desc is set */
	gboolean side_user_set;
	gboolean link_reported; /* capture was told the link is up */
	/* No plugin fits or the plugin could not attach: left alone until
	 * something changes (Device1.Problem says why). */
	gboolean blocked;
	/* Tries since services came back that no longer fit the plugin that
	 * captured the device before (LactdDevices.captured). */
	guint incomplete_tries;
	/* LastSeen as Device1 last showed it (lactd_devices_set_last_seen). */
	gint64 last_seen_shown_us;
};

/* How often LastSeen is shown at most while packets keep coming. */
#define LACTD_DEVICES_LAST_SEEN_STEP_US (5 * G_USEC_PER_SEC)

gboolean lactd_devices_side_valid(const char *side);
gboolean lactd_devices_role_valid(const char *role);
/* The entry as the store keeps it. */
LactdDeviceRow *lactd_devices_entry_row(Entry *e);
/* Applies the capture policy to the entry after a change. */
void lactd_devices_update(Entry *e);
/* Sets a field of the entry's info and announces it when it changed. */
void lactd_devices_set_str(Entry *e, LactdDeviceField field, const char *value);
void lactd_devices_set_bool(Entry *e, LactdDeviceField field, gboolean value);
void lactd_devices_set_rejected(Entry *e, guint32 n);
void lactd_devices_set_battery(Entry *e, guint8 percent);
void lactd_devices_set_last_seen(Entry *e, gint64 when_us);
/* Shows LastSeen as it is now, if that is not what Device1 shows. */
void lactd_devices_show_last_seen(Entry *e);
/* Leaves the device alone, with @problem on Device1.Problem
 * (lactd-devices-retry.c). */
void lactd_devices_block(Entry *e, const char *problem);
/* The plugin that last attached to the device since lactd started, or NULL. */
const LactdPluginDesc *lactd_devices_captured_with(Entry *e);
/* For a device captured before whose services no longer fit (@what says
 * how): disconnects and tries again later, TRUE; FALSE when the tries are
 * spent or it was never captured, and the caller leaves it alone. */
gboolean lactd_devices_retry_incomplete(Entry *e, const char *what);
/* Frees the info's strings. */
void lactd_devices_info_clear(LactdDeviceInfo *info);

G_END_DECLS
