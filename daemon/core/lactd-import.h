/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The paged import of a capture (ImportCaptureBegin, Append, Commit,
 * Abort): a capture of the documented maximum in messages far below the
 * bus limit, stored a page at a time, so that neither memory nor the main
 * loop has to hold all of it. Open imports are bounded per caller.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-api.h"
#include "lactd-recorder.h"
#include "lactd-recstore.h"

G_BEGIN_DECLS

/* Events one ImportCaptureAppend may carry: about 1.1 MiB at 512 bytes a
 * value, stored in one transaction short enough not to stall the main loop
 * (docs/reliability.md has the measured worst). */
#define LACTD_IMPORT_PAGE_EVENTS 2000
/* Open paged imports: per caller, and in all. */
#define LACTD_IMPORT_MAX_PER_CALLER 2
#define LACTD_IMPORT_MAX_OPEN 8
/* An open import with no call for this long is abandoned. */
#define LACTD_IMPORT_IDLE_SECONDS 300
/* The source an unfinished import carries in the store. */
#define LACTD_IMPORT_SOURCE_PREFIX "importing:"

typedef struct _LactdImport LactdImport;

/* Answers the paged import methods of Manager1 for @rec. */
LactdImport *lactd_import_new(LactdRecorder *rec, LactdStore *store, LactdApi *api,
			      guint max_events);
/* Deletes the imports still open: they are all or nothing. */
void lactd_import_free(LactdImport *import);

/* At start: when @info is an import that lactd stopped before it was
 * committed, deletes it and returns TRUE. */
gboolean lactd_import_forget_unfinished(LactdStore *store, const LactdRecInfo *info);

G_END_DECLS
