/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1.Export on the bus: the file descriptor, the bounds on exports
 * being written (all clients together and each client), the reply.
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "lactd-api.h"

G_BEGIN_DECLS

/* Exports being written at once, by all clients together: each holds a
 * thread of GLib's pool for up to the export deadline. */
#define LACTD_EXPORTS_MAX 4
/* ... and by one client, so that no client takes them all. */
#define LACTD_EXPORTS_MAX_PER_CALLER 2

/*
 * lactd_manager_export:
 * @index: the index of the fd in @fds, as the call gave it
 *
 * Answers one Export call whose arguments are parsed: checks them, takes
 * the fd, refuses an export over either bound (the global one with
 * org.lactd.Error.Write, the per-client one with
 * org.lactd.Error.LimitExceeded), and replies once the export service has
 * written it or failed.
 */
void lactd_manager_export(LactdApi *api, GDBusMethodInvocation *invocation, GUnixFDList *fds,
			  const char *format, gint64 from, gint64 to, gint32 index);

/* Exports refused by the per-client bound so far, for the log and tests. */
guint64 lactd_manager_export_refused(void);

G_END_DECLS
