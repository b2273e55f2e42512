/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bulk queries: long lists of sessions and days as columns in a sealed memfd. */
#pragma once

#include <gio/gio.h>

#include "lactd-dbus.h"
#include "lactd-model.h"

G_BEGIN_DECLS

/*
 * lactctl_list_rows:
 * @bus: the connection to lactd
 * @rec: the record type's field table (the columns' keys and types)
 * @fd_method: the bulk method, such as "ListSessionsFd"
 * @method: the method that gives the same rows as aa{sv}, such as
 * "ListSessions", asked when the daemon lacks @fd_method
 * @from: start of the range, inclusive
 * @to: end of the range, exclusive
 * @rows: (out): the rows as @method gives them (aa{sv})
 * @error: the daemon's or the bus's error, or G_IO_ERROR_INVALID_DATA when
 * the reply's content is damaged
 */
gboolean lactctl_list_rows(GDBusConnection *bus, const LactdRecord *rec, const char *fd_method,
			   const char *method, gint64 from, gint64 to, GVariant **rows,
			   GError **error);

/* Sessions through ListSessionsFd (ListSessions for an older daemon). */
gboolean lactctl_list_sessions(LactdManager1 *manager, gint64 from, gint64 to,
			       GVariant **sessions, GError **error);

/* Days through GetDailySummaryFd (GetDailySummary for an older daemon). */
gboolean lactctl_list_days(GDBusConnection *bus, gint64 from, gint64 to, GVariant **days,
			   GError **error);

/* The content of a bulk reply's fd: checked to be sealed against writing
 * and shrinking, mapped and read untrusted; NULL with G_IO_ERROR_INVALID_DATA
 * when it is not a well-formed a{sv}. Its string columns are checked when
 * lactctl_column_strings reads them. */
GVariant *lactctl_columns_read_fd(int fd, GError **error);

/* Turns the columns of @rec (ListSessionsColumns' a{sv}, or the content of
 * a bulk fd) into the aa{sv} of ListSessions or GetDailySummary, with the
 * lists of words that have no column (a session's "measured") made again
 * from their keys' columns; NULL with @error when a column is missing, of
 * the wrong type or of another length. */
GVariant *lactctl_columns_to_rows(const LactdRecord *rec, GVariant *columns, GError **error);
GVariant *lactctl_columns_to_sessions(GVariant *columns, GError **error);

/* The strings of a string column (as), read in place without a GVariant
 * each, and checked as they are read: NULL when the column is not in
 * GVariant's normal form (a damaged reply). Free the array with g_free(),
 * not the strings, which @column holds. */
const char **lactctl_column_strings(GVariant *column, gsize *n);

G_END_DECLS
