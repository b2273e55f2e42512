/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The paged import of a capture (ImportCaptureBegin, Append, Commit,
 * Abort): a capture of the documented maximum in messages far below the
 * bus limit, stored a page at a time, so that neither memory nor the main
 * loop has to hold all of it. Open imports are bounded per caller. The
 * service takes parsed values and the caller's name; the D-Bus side
 * (daemon/dbus/lactd-manager-import.c) answers the methods.
 */
#pragma once

#include <glib.h>

#include "lactd-recstore.h"
#include "lactd-store.h"

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

/* Told whenever the open import @id ends (committed, aborted or abandoned). */
typedef void (*LactdImportClosedFunc)(guint64 id, gpointer user_data);

/* Imports into @store captures of at most @max_events events. */
LactdImport *lactd_import_new(LactdStore *store, guint max_events);
/* Deletes the imports still open: they are all or nothing. */
void lactd_import_free(LactdImport *import);
void lactd_import_set_closed_func(LactdImport *import, LactdImportClosedFunc closed,
				  gpointer user_data);

/* ImportCaptureBegin in steps around the authorization: @info's source is
 * one a caller may give; @owner (the caller) may open one more import;
 * then the capture and its characteristics stored, its id in @id. */
gboolean lactd_import_check_info(const LactdRecInfo *info, GError **error);
gboolean lactd_import_check_room(LactdImport *import, const char *owner, GError **error);
gboolean lactd_import_begin(LactdImport *import, const char *owner, LactdRecInfo *info,
			    GPtrArray *chars, guint64 *id, GError **error);
/* Before a page of @n events is parsed: the open import @id of @owner,
 * with room for them; @bounds gets the capture's start and end. */
gboolean lactd_import_check_page(LactdImport *import, const char *owner, guint64 id, gsize n,
				 LactdRecInfo *bounds, GError **error);
/* Stores a page of LactdRecEvent checked by lactd_import_check_page(). */
gboolean lactd_import_append(LactdImport *import, guint64 id, GPtrArray *events,
			     GError **error);
gboolean lactd_import_commit(LactdImport *import, const char *owner, guint64 id,
			     GError **error);
gboolean lactd_import_abort(LactdImport *import, const char *owner, guint64 id, GError **error);
/* Ends @id without committing it, for @why (its caller left). */
void lactd_import_abandon(LactdImport *import, guint64 id, const char *why);

/* At start: when @info is an import that lactd stopped before it was
 * committed, deletes it and returns TRUE. */
gboolean lactd_import_forget_unfinished(LactdStore *store, const LactdRecInfo *info);

G_END_DECLS
