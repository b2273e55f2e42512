/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Session1: one object per live session, under /org/lactd/sessions,
 * with Manager1's SessionStarted, SessionEnded and WeightMeasured signals,
 * all made from what the capture service announces.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-capture.h"

G_BEGIN_DECLS

typedef struct _LactdSessionObjects LactdSessionObjects;

/* Listens to capture (lactd_session_objects_listener) and shows it on the
 * bus through @api's object manager and Manager1. */
LactdSessionObjects *lactd_session_objects_new(LactdApi *api);
/* Removes the objects still exported. Free it after the capture. */
void lactd_session_objects_free(LactdSessionObjects *objects);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdSessionObjects, lactd_session_objects_free)

/* The listener to give lactd_capture_new() with the objects as its data. */
const LactdCaptureListener *lactd_session_objects_listener(void);

G_END_DECLS
