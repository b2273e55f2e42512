/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Per-device capture state: live sessions, history records, weighings.
 * Fed by the plugin host with normalised readings; writes to the store and
 * announces on D-Bus only what is stored.
 */
#pragma once

#include <gio/gio.h>
#include <lactd/plugin.h>

#include "lactd-config.h"
#include "lactd-store.h"

G_BEGIN_DECLS

typedef struct _LactdApi LactdApi;
typedef struct _LactdCapture LactdCapture;

/* What capture needs to know of the device a reading came from. */
typedef struct {
	const char *address;
	const char *plugin;
	LactdKind kind;
	const char *side; /* "left", "right", "both", "unknown" */
	const char *role; /* "bottle", "baby" */
	const char *object_path; /* its org.lactd.Device1 object */
	/* Scales: the plugin's LACTD_PLUGIN_FLAG_HOST_STABILITY and
	 * weight_resolution_g (lactd-settle.h). */
	gboolean host_stability;
	double weight_resolution_g;
} LactdCaptureDevice;

LactdCapture *lactd_capture_new(LactdStore *store, LactdApi *api, const LactdConfig *config);
void lactd_capture_free(LactdCapture *capture);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdCapture, lactd_capture_free)

/* Takes one reading. TRUE once what it carries is durably stored (records,
 * samples, weighings) or accepted (phase, suction, battery); FALSE with an
 * error when refused (out of range, a volume that decreases) or not stored. */
gboolean lactd_capture_reading(LactdCapture *capture, const LactdCaptureDevice *device,
			       const LactdReading *reading, GError **error);
/* The device's link came up or went down (a session may be interrupted). */
void lactd_capture_link_changed(LactdCapture *capture, const LactdCaptureDevice *device,
				gboolean connected);
/* Highest device session id stored for a device (Open Pump Profile record sync). */
guint32 lactd_capture_last_record(LactdCapture *capture, const char *address);

G_END_DECLS
