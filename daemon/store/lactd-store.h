/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SQLite store. Every write is committed, with the WAL synced, before
 * the function returns TRUE: a caller may announce it at once.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-model.h"

G_BEGIN_DECLS

typedef struct _LactdStore LactdStore;

/* The schema version this build writes; see lactd-store-migrate.c. */
#define LACTD_STORE_SCHEMA_VERSION 8

/* Opens (creating if needed, mode 0600) and migrates the database. A file
 * SQLite finds damaged is moved aside (PATH.corrupt-TIMESTAMP, never over
 * another) and a new one created, and PATH.set-aside keeps saying so over
 * restarts. A file locked by another process is kept and retried
 * (lactd_store_retry); one that cannot be used at all (or moved aside) is
 * left untouched and an empty read-only store in memory answers instead.
 * *degraded_reason is what is wrong, NULL when nothing; NULL is returned
 * only when not even that could be done. */
LactdStore *lactd_store_open(const char *path, char **degraded_reason, GError **error);
/* Called in the main context once the check started by
 * lactd_store_open_checking() has answered and its answer is applied. */
typedef void (*LactdStoreCheckedFunc)(LactdStore *store, gpointer user_data);
/*
 * As lactd_store_open, but a file that opens at the schema this build
 * writes is checked (PRAGMA quick_check) after this returns, on a read-only
 * connection in a worker thread started by lactd_store_run_check(), so
 * that the caller can answer reads while it runs. Writes are held until the answer: a write reaching the store
 * meanwhile waits for it, and is refused (LACTD_ERROR_STORAGE) if the file
 * turns out damaged; the damaged file is then handled as lactd_store_open
 * does (moved aside, a new one started) before @checked is called. A file
 * that needs a migration is checked before it, as lactd_store_open does.
 * Sessions cut off by the last stop are closed here, or once the check has
 * passed.
 */
LactdStore *lactd_store_open_checking(const char *path, LactdStoreCheckedFunc checked,
				      gpointer user_data, char **degraded_reason,
				      GError **error);
/* Starts the check set up by lactd_store_open_checking() (once the caller
 * has done its own start; a write starts it too). Does nothing when there
 * is none. */
void lactd_store_run_check(LactdStore *store);
/* TRUE while the check after open is to run or runs (writes wait for it). */
gboolean lactd_store_is_checking(LactdStore *store);
/* What is wrong with the file now, for StorageState; NULL when nothing. */
char *lactd_store_get_problem(LactdStore *store);
/* TRUE while another process holds the file's lock. */
gboolean lactd_store_is_locked(LactdStore *store);
/* Checks a locked file again: TRUE once it is no longer locked (whatever
 * was found then: see lactd_store_get_problem), FALSE while it still is. */
gboolean lactd_store_retry(LactdStore *store);
void lactd_store_close(LactdStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdStore, lactd_store_close)

/*
 * The health of writes, beside the file's own problem: a caller whose
 * write failed with LACTD_ERROR_STORAGE reports it (@reason NULL: the
 * failure is over, for instance after lactd_store_retry), and one whose
 * write succeeded says so. The listener (StorageState on the bus) is told
 * of every report of a failure and of the first success after one.
 */
typedef void (*LactdStoreHealthFunc)(LactdStore *store, gpointer user_data);
void lactd_store_set_health_listener(LactdStore *store, LactdStoreHealthFunc changed,
				     gpointer user_data);
void lactd_store_write_failed(LactdStore *store, const char *reason);
void lactd_store_write_ok(LactdStore *store);
/* The last failed write's reason until a write succeeds; NULL when none. */
const char *lactd_store_get_write_failure(LactdStore *store);

/* The schema version of the open database. */
guint lactd_store_schema_version(LactdStore *store);

/* Sessions. add sets session->id, and records (device, device_session) as
 * one of its parts when both are set. */
gboolean lactd_store_add_session(LactdStore *store, LactdSession *session, GError **error);
/* A live session from a device: as add, but when the disk refuses it the
 * session is kept in memory under an id reserved for it, *@kept TRUE, and
 * written with the samples and updates queued under that id once the disk
 * takes writes again. Until then nothing of it is durable: it must not be
 * announced. FALSE (with @error) for any other failure, or when the queue
 * is at its bound. */
gboolean lactd_store_start_session(LactdStore *store, LactdSession *session, gboolean *kept,
				   GError **error);
/* Another device's session joined this one (two single-side units). Fails
 * when that device session already belongs to a session. */
gboolean lactd_store_add_session_part(LactdStore *store, guint64 session_id, const char *device,
				      guint32 device_session, GError **error);
gboolean lactd_store_update_session(LactdStore *store, const LactdSession *session,
				    GError **error);
/* A session closed as interrupted is live again: updated, or, while the
 * disk refuses writes, the update kept in memory (@kept; not durable, not
 * to be announced yet). FALSE for any other failure. */
gboolean lactd_store_resume_session(LactdStore *store, const LactdSession *session,
				    gboolean *kept, GError **error);
gboolean lactd_store_delete_session(LactdStore *store, guint64 id, GError **error);
/* NULL with LACTD_ERROR_NOT_FOUND when there is none. */
LactdSession *lactd_store_get_session(LactdStore *store, guint64 id, GError **error);
/* Sessions overlapping [from, to), by start; elements are LactdSession. */
GPtrArray *lactd_store_list_sessions(LactdStore *store, gint64 from_us, gint64 to_us,
				     GError **error);
/* The same sessions, one at a time, without a copy: @func gets each as a
 * session whose strings belong to the store's cursor, valid during the call
 * only (the bulk listing copies what it needs into its columns). */
typedef void (*LactdStoreSessionFunc)(const LactdSession *session, gpointer data);
gboolean lactd_store_each_session(LactdStore *store, gint64 from_us, gint64 to_us,
				  LactdStoreSessionFunc func, gpointer data, GError **error);
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
/* The same, how many said in the log; FALSE when that failed. */
gboolean lactd_store_close_cut_off(LactdStore *store, GError **error);

/* Samples of a session: appended durably one by one while live, compacted
 * into one blob when the session ends. */
gboolean lactd_store_append_sample(LactdStore *store, guint64 session_id,
				   const LactdSample *sample, GError **error);
/* A live session's new sample and the running totals it brings (@session,
 * whose row it updates), durable together: in one statement when nothing
 * but the totals changed, else in one transaction (lactd-store-totals.c). */
gboolean lactd_store_add_live_sample(LactdStore *store, const LactdSession *session,
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
