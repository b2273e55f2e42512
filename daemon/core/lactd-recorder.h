/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording a device's GATT traffic for decoding an unknown protocol: the
 * service behind the Manager1 capture methods (StartCapture ...
 * DeleteCapture, answered in daemon/dbus/lactd-manager-capture.c) and the
 * recording itself. lactd-devices tells it when a device is ready or lost
 * and hands it every value and every plugin write; it asks lactd-devices
 * to keep a recorded device connected.
 *
 * A capture that was running when lactd stopped is still running at the
 * next start: it resumes when its device is connected again.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-bluez.h"
#include "lactd-import.h"
#include "lactd-recstore.h"
#include "lactd-store.h"

G_BEGIN_DECLS

typedef struct _LactdRecorder LactdRecorder;

typedef struct {
	LactdBluezDevice *bdev; /* NULL when BlueZ does not know the address */
	const char *plugin;	/* the plugin matching it, NULL when none */
	gboolean plugin_runs;	/* that plugin captures it (paired and enabled) */
} LactdRecorderDevice;

typedef struct {
	/* What the devices know of an address. */
	gboolean (*lookup)(gpointer user_data, const char *address, LactdRecorderDevice *out);
	/* Whether the recorder wants the device changed: apply the policy. */
	void (*changed)(gpointer user_data, const char *address);
} LactdRecorderHost;

/* Loads the running captures. */
LactdRecorder *lactd_recorder_new(LactdStore *store, const LactdRecorderHost *host,
				  gpointer host_data);
/* The same with a capture holding at most @max_events (1 to
 * LACTD_REC_MAX_EVENTS, the cap lactd_recorder_new() sets), so that the cap
 * is tested without recording 200000 values. */
LactdRecorder *lactd_recorder_new_full(LactdStore *store, const LactdRecorderHost *host,
				       gpointer host_data, guint max_events);
void lactd_recorder_free(LactdRecorder *rec);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdRecorder, lactd_recorder_free)

/* The paged import of captures into the same store. */
LactdImport *lactd_recorder_get_import(LactdRecorder *rec);
/* StartCapture, in two steps around the authorization: whether @address
 * (upper case) may be recorded now, then recording it (checked again). */
gboolean lactd_recorder_check_start(LactdRecorder *rec, const char *address, gboolean raw,
				    GError **error);
gboolean lactd_recorder_start(LactdRecorder *rec, const char *address, gboolean raw,
			      const char *who, guint64 *id, GError **error);
/* The running capture @id names, or the only one when @id is 0. */
gboolean lactd_recorder_running(LactdRecorder *rec, guint64 id, guint64 *running_id,
				GError **error);
void lactd_recorder_stop(LactdRecorder *rec, guint64 id);
gboolean lactd_recorder_mark(LactdRecorder *rec, guint64 id, const char *text, GError **error);
gboolean lactd_recorder_is_active(LactdRecorder *rec, guint64 id);
LactdStore *lactd_recorder_get_store(LactdRecorder *rec);
guint lactd_recorder_get_max_events(LactdRecorder *rec);

/* "AA:BB:CC:DD:EE:FF", hexadecimal digits in either case. */
gboolean lactd_recorder_address_valid(const char *address);
/* A capture of the address is running: keep the device connected. */
gboolean lactd_recorder_wants(LactdRecorder *rec, const char *address);
/* The device is connected with its services resolved. Without a plugin
 * running (@plugin_runs FALSE) the recorder reads and subscribes itself. */
void lactd_recorder_ready(LactdRecorder *rec, LactdBluezDevice *bdev, gboolean plugin_runs);
void lactd_recorder_lost(LactdRecorder *rec, LactdBluezDevice *bdev);
/* A value from the device (a notification or a read's reply). */
void lactd_recorder_value(LactdRecorder *rec, LactdBluezDevice *bdev, const char *char_uuid,
			  const guint8 *data, gsize len, LactdValueOrigin origin);
/* A write a plugin sent to the device. */
void lactd_recorder_write(LactdRecorder *rec, LactdBluezDevice *bdev, const char *char_uuid,
			  GBytes *data);

G_END_DECLS
