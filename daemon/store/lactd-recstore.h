/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recordings of a device's GATT traffic in the store (schema version 2):
 * what `lactctl capture` starts, lists, shows, exports and imports. Each
 * event is committed when it is added, so a recording survives kill -9 up
 * to its last value.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-store.h"
#include "lactd-util.h"

G_BEGIN_DECLS

/* Limits on what one recording may hold; more is refused, never truncated. */
#define LACTD_REC_MAX_EVENTS 200000
#define LACTD_REC_MAX_VALUE 512 /* bytes: the largest ATT attribute value */
#define LACTD_REC_MAX_CHARS 1024
#define LACTD_REC_MAX_TEXT 256 /* bytes of a mark's text, a name, a source */

/* Reading a recording over D-Bus. The system bus refuses a message over
 * 32 MiB (dbus-daemon's max_message_size), which 200000 events of up to 512
 * bytes exceed: GetCapture answers up to LACTD_REC_MAX_REPLY bytes of
 * events (half the bus limit, leaving room for the rest of the message),
 * GetCapturePage LACTD_REC_PAGE_EVENTS events a call (at most about 6 MiB). */
#define LACTD_REC_MAX_REPLY (16u * 1024 * 1024)
#define LACTD_REC_PAGE_EVENTS 10000
/* Bytes an event (xssqays) takes on the wire beyond its strings and value:
 * padding to 8 (7), time (8), three string lengths and terminators (15),
 * the value's length (4), handle (2), alignment between them (up to 6). */
#define LACTD_REC_EVENT_OVERHEAD 48

/* Event kinds, by the names of the capture file format (daemon/shared/lactd-capfile.h). */
#define LACTD_REC_NOTIFY "notify"
#define LACTD_REC_INDICATE "indicate"
#define LACTD_REC_READ "read"
#define LACTD_REC_WRITE "write"
#define LACTD_REC_MARK "mark"

/* LactdRecInfo, a recording's header, and its field table are in lactd-model.h. */

/* A recorded characteristic: the same as BlueZ lists it. */
typedef LactdGattChar LactdRecChar;

typedef struct {
	gint64 time_us;
	const char *kind; /* one of LACTD_REC_*; static */
	char *uuid;	  /* NULL for marks */
	guint16 handle;
	GBytes *value; /* NULL for marks */
	char *text;    /* marks only */
} LactdRecEvent;

void lactd_rec_event_free(LactdRecEvent *event);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdRecChar, lactd_gatt_char_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdRecEvent, lactd_rec_event_free)

/* The static name of a kind, or NULL when @kind is none of them. */
const char *lactd_rec_kind_intern(const char *kind);

/* A new recording; sets info->id. */
gboolean lactd_recstore_add(LactdStore *store, LactdRecInfo *info, GError **error);
gboolean lactd_recstore_add_char(LactdStore *store, guint64 id, const LactdRecChar *chr,
				 GError **error);
/* Refuses a value over LACTD_REC_MAX_VALUE and a text over LACTD_REC_MAX_TEXT
 * (LACTD_ERROR_INVALID_ARGS); the caller keeps the count against the cap. */
gboolean lactd_recstore_add_event(LactdStore *store, guint64 id, const LactdRecEvent *event,
				  GError **error);
/* Closes a running recording at end_us. */
gboolean lactd_recstore_finish(LactdStore *store, guint64 id, gint64 end_us, GError **error);
/* NULL with LACTD_ERROR_NOT_FOUND when there is none. */
LactdRecInfo *lactd_recstore_get(LactdStore *store, guint64 id, GError **error);
/* Every recording, by id; elements are LactdRecInfo. */
GPtrArray *lactd_recstore_list(LactdStore *store, GError **error);
/* Elements are LactdRecChar in the order added / LactdRecEvent by time. */
GPtrArray *lactd_recstore_chars(LactdStore *store, guint64 id, GError **error);
GPtrArray *lactd_recstore_events(LactdStore *store, guint64 id, GError **error);
/* At most @max events from the @first (0-based, in time order); fewer or
 * none past the end. */
GPtrArray *lactd_recstore_events_range(LactdStore *store, guint64 id, guint first, guint max,
				       GError **error);
/* An upper bound of the bytes the events of a recording take in a D-Bus
 * message (LACTD_REC_EVENT_OVERHEAD an event plus its strings and value),
 * without reading them. */
gboolean lactd_recstore_events_bytes(LactdStore *store, guint64 id, guint64 *bytes,
				     GError **error);
/* Stores a whole recording (an import) in one transaction; sets info->id. */
gboolean lactd_recstore_import(LactdStore *store, LactdRecInfo *info, GPtrArray *chars,
			       GPtrArray *events, GError **error);
/* Adds events (LactdRecEvent) to a recording in one transaction: all or none. */
gboolean lactd_recstore_add_events(LactdStore *store, guint64 id, GPtrArray *events,
				   GError **error);
/* Changes a recording's source (the paged import's "importing:" mark). */
gboolean lactd_recstore_set_source(LactdStore *store, guint64 id, const char *source,
				   GError **error);
gboolean lactd_recstore_delete(LactdStore *store, guint64 id, GError **error);

G_END_DECLS
