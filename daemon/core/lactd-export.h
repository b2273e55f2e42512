/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Export: the log as CSV, JSON or a FHIR R4 Bundle, written to a file
 * descriptor a client passes (docs/exports.md says what each format holds).
 */
#pragma once

#include <gio/gio.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/* Whether `format` is one Export writes: "csv", "csv-weighings", "json",
 * "fhir" or "fhir-transaction". */
gboolean lactd_export_format_valid(const char *format);

/* The document of [from, to) in `format`, whole. A failure of the store is
 * LACTD_ERROR_STORAGE. */
GBytes *lactd_export_build(LactdStore *store, const char *format, gint64 from_us, gint64 to_us,
			   GError **error);

/* Builds the document and writes it to fd, blocking the caller (at most the
 * export deadline, 60 s). A failure to write to fd (a closed pipe, a full
 * disk on the client's side, a reader that stalls) is LACTD_ERROR_WRITE,
 * which is the client's and says nothing about the daemon's storage. fd
 * stays open. */
gboolean lactd_export_write(LactdStore *store, const char *format, gint64 from_us, gint64 to_us,
			    int fd, GError **error);

/* The Export hook (LactdApiHookFunc): user_data is the LactdApi. Builds the
 * document on the main loop, writes it from a worker thread, and replies
 * "()" once it is written and the daemon's copy of the fd closed, or an
 * org.lactd.Error when it failed or the deadline passed. */
/* Checks a format and a range: FALSE with LACTD_ERROR_INVALID_ARGS naming
 * the field. */
gboolean lactd_export_check(const char *format, gint64 from_us, gint64 to_us, GError **error);

/*
 * lactd_export_write_async:
 * @fd: open for writing; the export owns it and closes it
 *
 * Builds the document now, from one read of @store on the calling thread,
 * then writes it to @fd from a worker thread, so that a reader that stalls
 * or trickles delays no one; the whole write has a deadline, after which
 * it fails with LACTD_ERROR_WRITE. @callback runs in the caller's main
 * context when the write has completed or failed (LACTD_ERROR_STORAGE when
 * the store could not be read).
 */
void lactd_export_write_async(LactdStore *store, const char *format, gint64 from_us,
			      gint64 to_us, int fd, GAsyncReadyCallback callback,
			      gpointer user_data);
gboolean lactd_export_write_finish(GAsyncResult *result, GError **error);

G_END_DECLS
