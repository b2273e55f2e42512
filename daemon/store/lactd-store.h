/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SQLite store. Every write is committed, with the WAL synced, before
 * the function returns TRUE: a caller may announce it at once.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LactdStore LactdStore;

/* The schema version this build writes; see lactd-store-migrate.c. */
#define LACTD_STORE_SCHEMA_VERSION 5

typedef enum {
	LACTD_SESSION_PUMP = 0,
	LACTD_SESSION_HAND,
	LACTD_SESSION_NURSING,
	LACTD_SESSION_SUPPLEMENT,
} LactdSessionKind;

typedef enum {
	LACTD_SOURCE_DEVICE = 0,
	LACTD_SOURCE_SCALE,
	LACTD_SOURCE_MANUAL,
} LactdSessionSource;

/* One sample of a session: cumulative volumes at a time. */
typedef struct {
	gint64 time_us;
	double left_ml;
	double right_ml;
} LactdSample;

typedef struct {
	guint64 id;
	LactdSessionKind kind;
	LactdSessionSource source;
	gint64 start_us;
	gint64 end_us; /* == start_us while live and nothing measured yet */
	double left_ml;
	double right_ml;
	gboolean has_volume; /* FALSE: nothing measured (a scale may fill it in) */
	/* Which sides were measured when has_volume: a side not measured has
	 * no volume at all (its left_ml/right_ml is 0 and means nothing).
	 * has_volume with neither set means both. */
	gboolean left_measured;
	gboolean right_measured;
	double extra_ml;     /* measured for both sides together: a bottle on a
			      * scale, or a baby's test-weighing intake */
	guint32 left_seconds;
	guint32 right_seconds;
	char *device;	       /* address, or NULL */
	guint32 device_session; /* the device's own session id, 0 when none */
	gboolean interrupted;
	gboolean live;
	char *note;
	/* supplements */
	double supplement_ml;
	char *method;
	char *milk;
} LactdSession;

void lactd_session_free(LactdSession *session);
/* left + right + what was measured for both together. */
double lactd_session_total_ml(const LactdSession *session);
/* Bit 0: left measured, bit 1: right measured; 0 when nothing was. */
guint lactd_session_sides(const LactdSession *session);
LactdSession *lactd_session_copy(const LactdSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdSession, lactd_session_free)

const char *lactd_session_kind_to_string(LactdSessionKind kind);
gboolean lactd_session_kind_from_string(const char *str, LactdSessionKind *kind);
const char *lactd_session_source_to_string(LactdSessionSource source);

typedef struct {
	guint64 id;
	gint64 time_us;
	double grams;
	gboolean stable;
	char *device;
	char *role;	  /* "bottle" or "baby" */
	guint64 session; /* 0: attributed to none */
} LactdWeighing;

void lactd_weighing_free(LactdWeighing *weighing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdWeighing, lactd_weighing_free)

/* A device's user settings and last known state, kept across restarts. */
typedef struct {
	char *address;
	char *name;
	char *kind;   /* "pump", "scale", "unknown" */
	char *plugin; /* "" when none */
	char *side;   /* "left", "right", "both", "unknown" */
	char *role;   /* "bottle", "baby" */
	gboolean enabled;
	gint64 last_seen_us;
	guint32 rejected_packets;
} LactdDeviceRow;

void lactd_device_row_free(LactdDeviceRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDeviceRow, lactd_device_row_free)

typedef struct {
	char day[11]; /* YYYY-MM-DD, local */
	guint sessions;
	double total_ml;
	double left_ml;
	double right_ml;
	guint minutes;
	gboolean overnight;
	double supplement_ml;
	double weighed_ml; /* intake by test-weighing, part of total_ml */
	gboolean measured; /* some session of the day had a volume measured */
	guint supplements; /* supplement sessions */
} LactdDaySummary;

/* Opens (creating if needed, mode 0600) and migrates the database. A file
 * SQLite finds damaged is moved aside (PATH.corrupt-TIMESTAMP, never over
 * another) and a new one created, and PATH.set-aside keeps saying so over
 * restarts. A file locked by another process is kept and retried
 * (lactd_store_retry); one that cannot be used at all (or moved aside) is
 * left untouched and an empty read-only store in memory answers instead.
 * *degraded_reason is what is wrong, NULL when nothing; NULL is returned
 * only when not even that could be done. */
LactdStore *lactd_store_open(const char *path, char **degraded_reason, GError **error);
/* What is wrong with the file now, for StorageState; NULL when nothing. */
char *lactd_store_get_problem(LactdStore *store);
/* TRUE while another process holds the file's lock. */
gboolean lactd_store_is_locked(LactdStore *store);
/* Checks a locked file again: TRUE once it is no longer locked (whatever
 * was found then: see lactd_store_get_problem), FALSE while it still is. */
gboolean lactd_store_retry(LactdStore *store);
void lactd_store_close(LactdStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdStore, lactd_store_close)

/* The schema version of the open database. */
guint lactd_store_schema_version(LactdStore *store);

/* Sessions. add sets session->id, and records (device, device_session) as
 * one of its parts when both are set. */
gboolean lactd_store_add_session(LactdStore *store, LactdSession *session, GError **error);
/* Another device's session joined this one (two single-side units). Fails
 * when that device session already belongs to a session. */
gboolean lactd_store_add_session_part(LactdStore *store, guint64 session_id, const char *device,
				      guint32 device_session, GError **error);
gboolean lactd_store_update_session(LactdStore *store, const LactdSession *session,
				    GError **error);
gboolean lactd_store_delete_session(LactdStore *store, guint64 id, GError **error);
/* NULL with LACTD_ERROR_NOT_FOUND when there is none. */
LactdSession *lactd_store_get_session(LactdStore *store, guint64 id, GError **error);
/* Sessions overlapping [from, to), by start; elements are LactdSession. */
GPtrArray *lactd_store_list_sessions(LactdStore *store, gint64 from_us, gint64 to_us,
				     GError **error);
/* The session that holds a device's own session id, NULL (no error) when none. */
LactdSession *lactd_store_find_device_session(LactdStore *store, const char *device,
					      guint32 device_session, GError **error);
/* The device session id to ask a device's history for records after: below
 * the oldest ended part still without its record, else the highest ended
 * one; 0 when none. */
guint32 lactd_store_last_device_session(LactdStore *store, const char *device, GError **error);
/* The device's own record of that part is stored (authoritative). */
gboolean lactd_store_set_part_recorded(LactdStore *store, const char *device,
				       guint32 device_session, GError **error);

/* After a restart: every session still marked live was cut off by the stop;
 * keep it, interrupted, with its samples compacted. Returns how many. */
gint lactd_store_close_live_sessions(LactdStore *store, GError **error);

/* Samples of a session: appended durably one by one while live, compacted
 * into one blob when the session ends. */
gboolean lactd_store_append_sample(LactdStore *store, guint64 session_id,
				   const LactdSample *sample, GError **error);
/* Replaces a finished session's samples at once (imports, benchmarks). */
gboolean lactd_store_put_samples(LactdStore *store, guint64 session_id,
				 const LactdSample *samples, gsize n, GError **error);
gboolean lactd_store_compact_samples(LactdStore *store, guint64 session_id, GError **error);
/* Elements are LactdSample, oldest first. */
GArray *lactd_store_get_samples(LactdStore *store, guint64 session_id, GError **error);

/* Weighings. add sets weighing->id. */
gboolean lactd_store_add_weighing(LactdStore *store, LactdWeighing *weighing, GError **error);
gboolean lactd_store_set_weighing_session(LactdStore *store, guint64 weighing_id,
					  guint64 session_id, GError **error);
GPtrArray *lactd_store_list_weighings(LactdStore *store, gint64 from_us, gint64 to_us,
				      GError **error);
/* NULL with LACTD_ERROR_NOT_FOUND when there is none. */
LactdWeighing *lactd_store_get_weighing(LactdStore *store, guint64 id, GError **error);
/* The weighings attributed to a session, oldest first. */
GPtrArray *lactd_store_session_weighings(LactdStore *store, guint64 session_id, GError **error);

/* Devices. get returns NULL (no error) for an unknown address. */
LactdDeviceRow *lactd_store_get_device(LactdStore *store, const char *address, GError **error);
gboolean lactd_store_put_device(LactdStore *store, const LactdDeviceRow *row, GError **error);
gboolean lactd_store_delete_device(LactdStore *store, const char *address, GError **error);
GPtrArray *lactd_store_list_devices(LactdStore *store, GError **error);

/* The installation's identity: a random UUID made once, when the database
 * was created or migrated to version 3. */
char *lactd_store_installation_id(LactdStore *store, GError **error);

/* Key/value settings (the plan). NULL (no error) when unset. */
char *lactd_store_get_setting(LactdStore *store, const char *key, GError **error);
gboolean lactd_store_set_setting(LactdStore *store, const char *key, const char *value,
				 GError **error);

/* Daily totals over local days overlapping [from, to); elements are
 * LactdDaySummary. overnight_start/end_min: the overnight window in minutes
 * after local midnight. */
GArray *lactd_store_daily_summary(LactdStore *store, gint64 from_us, gint64 to_us,
				  guint overnight_start_min, guint overnight_end_min,
				  GError **error);

/* Runs several writes as one durable transaction. */
gboolean lactd_store_begin(LactdStore *store, GError **error);
gboolean lactd_store_commit(LactdStore *store, GError **error);
void lactd_store_rollback(LactdStore *store);

G_END_DECLS
