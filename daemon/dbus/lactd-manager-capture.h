/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1's capture methods (StartCapture, StopCapture, MarkCapture,
 * ListCaptures, GetCapture, GetCapturePage, ImportCapture, DeleteCapture)
 * on the bus, answered by the recorder service.
 */
#pragma once

#include "lactd-api.h"
#include "lactd-import.h"
#include "lactd-recorder.h"

G_BEGIN_DECLS

typedef struct _LactdManagerCapture LactdManagerCapture;

/* Answers the capture methods of @api's Manager1 with @rec; free it before
 * either. */
LactdManagerCapture *lactd_manager_capture_new(LactdApi *api, LactdRecorder *rec);
void lactd_manager_capture_free(LactdManagerCapture *mc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdManagerCapture, lactd_manager_capture_free)

/*
 * The paged import (ImportCaptureBegin, Append, Commit, Abort), made by
 * lactd_manager_capture_new() in lactd-manager-import.c: parses the
 * arguments, asks polkit before an import begins, calls the import service
 * (daemon/core/lactd-import.c) and builds the reply. An import whose
 * caller leaves the bus is abandoned.
 */
/* ImportCapture's arguments, shared with the paged import (in
 * lactd-capture-args.c): InvalidArgs naming the field for anything out of
 * bounds. */
gboolean lactd_capture_args_info(GVariant *dict, LactdRecInfo *info, GError **error);
/* Elements are LactdRecChar; NULL with @error. */
GPtrArray *lactd_capture_args_chars(GVariant *array, GError **error);
/* Elements are LactdRecEvent; at most @max_events; NULL with @error. */
GPtrArray *lactd_capture_args_events(GVariant *array, const LactdRecInfo *info, guint max_events,
				     GError **error);

typedef struct _LactdManagerImport LactdManagerImport;
LactdManagerImport *lactd_manager_import_new(LactdApi *api, LactdImport *import);
void lactd_manager_import_free(LactdManagerImport *mi);

G_END_DECLS
