/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Export: the log as CSV, JSON or a FHIR R4 Bundle, written to a file
 * descriptor a client passes (docs/progress.md, "Exports", says what each
 * format holds).
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/* Whether `format` is one Export writes: "csv", "json" or "fhir". */
gboolean lactd_export_format_valid(const char *format);

/* Writes the sessions (and weighings, for json) overlapping [from, to) to fd
 * in `format`. A failure of the store is LACTD_ERROR_STORAGE; a failure to
 * write to fd (a closed pipe, a full disk on the client's side, a reader that
 * stalls) is a G_IO_ERROR, which is the client's and says nothing about the
 * daemon's storage. fd stays open. */
gboolean lactd_export_write(LactdStore *store, const char *format, gint64 from_us, gint64 to_us,
			    int fd, GError **error);

/* The Export hook (LactdApiHookFunc): user_data is the LactdApi. Replies
 * "()" once the export is written and the daemon's copy of the fd closed. */
void lactd_export_handle(GDBusMethodInvocation *invocation, GUnixFDList *fds, gpointer user_data);

G_END_DECLS
