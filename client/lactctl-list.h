/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Bulk queries: a long list of sessions in one columnar reply. */
#pragma once

#include <gio/gio.h>

#include "lactd-dbus.h"

G_BEGIN_DECLS

/*
 * lactctl_list_sessions:
 * @manager: the lactd manager proxy
 * @from: start of the range, inclusive
 * @to: end of the range, exclusive
 * @sessions: (out): the sessions as ListSessions gives them (aa{sv})
 * @error: the daemon's or the bus's error
 *
 * Lists sessions through Manager1.ListSessionsColumns, whose arrays cost
 * nothing per element to send, and gives them back as the dictionaries of
 * ListSessions, so that tables and JSON read them as before. A daemon that
 * does not have the method yet is asked with ListSessions.
 */
gboolean lactctl_list_sessions(LactdManager1 *manager, gint64 from, gint64 to,
			       GVariant **sessions, GError **error);

/* Turns the a{sv} of ListSessionsColumns into ListSessions' aa{sv}; NULL
 * with @error when a column is missing, of the wrong type or too short. */
GVariant *lactctl_columns_to_sessions(GVariant *columns, GError **error);

G_END_DECLS
