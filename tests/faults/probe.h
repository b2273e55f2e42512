/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For the slow-peer fault tests: a client that asks GetPlan every 50 ms
 * from the default main context and keeps the worst reply time, so a test
 * shows whether the daemon's main loop stalled while something slow ran.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A stall longer than this fails a fault test (docs/reliability.md). */
#define LACTD_PROBE_STALL_US (1 * G_USEC_PER_SEC)

typedef struct _LactdProbe LactdProbe;

/* Starts pinging org.lactd on @connection; one call at a time, so a call
 * that does not come back shows as a growing latency, never as a queue. */
LactdProbe *lactd_probe_start(GDBusConnection *connection);
/* Stops pinging; the call in flight, if any, is cancelled. */
void lactd_probe_stop(LactdProbe *probe);
/* The worst time from a call to its reply so far, in microseconds,
 * counting a call still in flight by how long it has waited. */
gint64 lactd_probe_worst_us(LactdProbe *probe);
/* Replies received and calls that failed. */
guint lactd_probe_replies(LactdProbe *probe);
guint lactd_probe_failures(LactdProbe *probe);
void lactd_probe_free(LactdProbe *probe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdProbe, lactd_probe_free)

G_END_DECLS
