/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A bound on the method calls one client may have waiting in the daemon.
 * GDBus reads every incoming message at once and queues it for the main
 * loop, so a client that sends calls faster than they are answered (and
 * never reads the replies) would make the daemon's queue, and its memory,
 * grow without bound, and put every other client behind it. A connection
 * filter counts each client's calls from arrival to reply and refuses the
 * ones over the bound with org.lactd.Error.LimitExceeded, before they are
 * queued.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Calls one client may have between arrival and reply (docs/service.md). */
#define LACTD_LIMITS_MAX_CALLS_PER_CALLER 8
/* Of those, listings over more than LACTD_LIMITS_LONG_RANGE_DAYS (ListSessions,
 * ListSessionsColumns, ListSessionsFd, ListWeighings, GetDailySummary,
 * GetDailySummaryFd), whose cost grows with the range. */
#define LACTD_LIMITS_MAX_LONG_PER_CALLER 1
#define LACTD_LIMITS_LONG_RANGE_DAYS	 31

/* Installs the filter on @connection, for as long as it lives; returns its
 * id for g_dbus_connection_remove_filter(). @max_calls 0 takes the default. */
guint lactd_limits_install(GDBusConnection *connection, guint max_calls);

/* Calls refused so far, for the log and the tests. */
guint64 lactd_limits_refused(void);

G_END_DECLS
