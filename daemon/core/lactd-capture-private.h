/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture's own state, shared by its files: lactd-capture.c (pump sessions)
 * and lactd-capture-weight.c (scale weighings).
 */
#pragma once

#include "lactd-capture.h"
#include "lactd-settle.h"

typedef struct _Live Live;

/* One device as capture knows it. */
typedef struct {
	LactdCapture *capture;
	char *address;
	char *device_path;
	char *side; /* "left", "right", "both", "unknown": as of the last reading */
	/* its part in a live session, if any */
	Live *live;
	guint32 device_session;
	gint64 start_us; /* this device's session start */
	guint32 last_elapsed_s;
	guint grace_source;
	LactdSettle settle; /* scales: when a weight is a weighing */
	/* A scale that repeats nothing while the weight holds: the hold is
	 * judged once more when it has lasted long enough. */
	guint settle_source;
	double pending_g;
	char *pending_role;
	double pending_resolution_g;
	/* A scale that names its measurements: the last one stored, to know
	 * it when it is sent again (weight.measurement_id, 0: none). */
	guint64 last_measurement_id;
	double last_measurement_g;
} Dev;

/* A live session: one or two devices' sessions. */
struct _Live {
	LactdCapture *capture;
	LactdSession *session;
	gboolean announced; /* the listener knows it as started */
	LactdCaptureLive values; /* what a client sees move */
	GPtrArray *members; /* Dev, not owned */
	guint idle_source;
	gint64 last_reading_us; /* monotonic: when the idle gap started */
};

struct _LactdCapture {
	LactdStore *store;
	const LactdConfig *config;
	const LactdCaptureListener *listener;
	gpointer listener_data;
	GHashTable *devices; /* address -> Dev */
	GPtrArray *lives;    /* Live, owned */
};

/* A scale's weight reading: a weighing once it has settled. */
gboolean lactd_capture_take_weight(Dev *dev, const LactdCaptureDevice *device,
				   const LactdReading *r, gint64 now_us, GError **error);
