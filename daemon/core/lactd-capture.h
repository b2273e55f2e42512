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

typedef struct _LactdCapture LactdCapture;

/* What a client sees move in a live session. */
typedef struct {
	guint64 id;
	double left_ml, right_ml;
	LactdPhase phase;
	guint suction;
	guint32 elapsed_s;
} LactdCaptureLive;

typedef enum {
	LACTD_CAPTURE_LIVE_VOLUME,
	LACTD_CAPTURE_LIVE_PHASE,
	LACTD_CAPTURE_LIVE_SUCTION,
	LACTD_CAPTURE_LIVE_ELAPSED,
} LactdCaptureLiveField;

/*
 * What capture announces, each after it is stored: the layer above (the
 * D-Bus objects and signals) listens. Any callback may be NULL.
 */
typedef struct {
	/* A live session began; @device_path is its device's object, or NULL. */
	void (*session_started)(gpointer data, const LactdSession *session,
				const char *device_path);
	/* @what moved in @live. */
	void (*session_changed)(gpointer data, const LactdCaptureLive *live,
				LactdCaptureLiveField what);
	/* A live session ended, as stored. */
	void (*session_ended)(gpointer data, const LactdSession *session);
	/* A scale's stable weight was stored. */
	void (*weight_measured)(gpointer data, const LactdWeighing *weighing);
	/* A write failed for @reason, or (NULL) a write succeeded again. */
	void (*storage_changed)(gpointer data, const char *reason);
} LactdCaptureListener;

/* What capture needs to know of the device a reading came from. */
typedef struct {
	const char *address;
	const char *plugin;
	LactdKind kind;
	const char *side; /* "left", "right", "both", "unknown" */
	const char *role; /* "bottle", "baby" */
	const char *object_path; /* its org.lactd.Device1 object */
	/* Scales: the plugin's LACTD_PLUGIN_FLAG_HOST_STABILITY and
	 * weight_resolution_g (lactd-settle.h), and its
	 * LACTD_PLUGIN_FLAG_MEASUREMENTS (each stable reading is a weighing). */
	gboolean host_stability;
	double weight_resolution_g;
	gboolean measurements;
} LactdCaptureDevice;

/* @listener (may be NULL) must outlive the capture. */
LactdCapture *lactd_capture_new(LactdStore *store, const LactdConfig *config,
				const LactdCaptureListener *listener, gpointer listener_data);
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
