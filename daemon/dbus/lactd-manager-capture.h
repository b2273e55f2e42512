/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1's capture methods (StartCapture, StopCapture, MarkCapture,
 * ListCaptures, GetCapture, GetCapturePage, ImportCapture, DeleteCapture)
 * on the bus, answered by the recorder service.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-recorder.h"

G_BEGIN_DECLS

typedef struct _LactdManagerCapture LactdManagerCapture;

/* Answers the capture methods of @api's Manager1 with @rec; free it before
 * either. */
LactdManagerCapture *lactd_manager_capture_new(LactdApi *api, LactdRecorder *rec);
void lactd_manager_capture_free(LactdManagerCapture *mc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdManagerCapture, lactd_manager_capture_free)

G_END_DECLS
