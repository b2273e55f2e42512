/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The SQLite store.
 *
 * WAL mode with synchronous=FULL: every commit syncs the WAL, so a write that
 * returned TRUE survives kill -9 and a power cut. Each public write is one
 * transaction unless the caller wraps several in lactd_store_begin/commit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-samples.h"
#include "lactd-store.h"
#include "lactd-store-private.h"
#include "lactd-util.h"



/* Migrations: entry N takes the schema from version N to N + 1, in one
 * transaction. Never edit a shipped entry; append a new one. */
static const char *const migrations[] = {
	/* 0 -> 1 */
	"CREATE TABLE devices ("
	"  address TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL DEFAULT 'unknown',"
	"  plugin TEXT NOT NULL DEFAULT '',"
	"  side TEXT NOT NULL DEFAULT 'unknown',"
	"  role TEXT NOT NULL DEFAULT 'bottle',"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  rejected INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind INTEGER NOT NULL,"
	"  source INTEGER NOT NULL,"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER NOT NULL,"
	"  left_ml REAL NOT NULL DEFAULT 0,"
	"  right_ml REAL NOT NULL DEFAULT 0,"
	"  has_volume INTEGER NOT NULL DEFAULT 0,"
	"  left_s INTEGER NOT NULL DEFAULT 0,"
	"  right_s INTEGER NOT NULL DEFAULT 0,"
	"  device TEXT,"
	"  device_session INTEGER NOT NULL DEFAULT 0,"
	"  interrupted INTEGER NOT NULL DEFAULT 0,"
	"  live INTEGER NOT NULL DEFAULT 0,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  supplement_ml REAL NOT NULL DEFAULT 0,"
	"  method TEXT,"
	"  milk TEXT,"
	"  samples BLOB,"
	"  extra_ml REAL NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_by_start ON sessions(start_us);"
	/* Which device sessions a session holds: one, or two single-side
	 * units pumping together. A device's own session id is unique. */
	"CREATE TABLE session_parts ("
	"  session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  device TEXT NOT NULL,"
	"  device_session INTEGER NOT NULL,"
	"  UNIQUE (device, device_session));"
	"CREATE INDEX session_parts_by_session ON session_parts(session);"
	/* Samples of live sessions, one durable row each; compacted into
	 * sessions.samples when the session ends. */
	"CREATE TABLE live_samples ("
	"  session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  time_us INTEGER NOT NULL,"
	"  left_ml REAL NOT NULL,"
	"  right_ml REAL NOT NULL);"
	"CREATE INDEX live_samples_by_session ON live_samples(session, time_us);"
	"CREATE TABLE weighings ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time_us INTEGER NOT NULL,"
	"  grams REAL NOT NULL,"
	"  stable INTEGER NOT NULL,"
	"  device TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT 'bottle',"
	"  session INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX weighings_by_time ON weighings(time_us);"
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL);",
	/* 1 -> 2: recordings of a device's GATT traffic (lactd-recstore.c).
	 * end_us is 0 while the recording runs. */
	"CREATE TABLE captures ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT 'lactd',"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER NOT NULL DEFAULT 0,"
	"  raw INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE capture_chars ("
	"  capture INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  uuid TEXT NOT NULL,"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  handle INTEGER NOT NULL DEFAULT 0,"
	"  service_uuid TEXT,"
	"  PRIMARY KEY (capture, seq));"
	"CREATE TABLE capture_events ("
	"  capture INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,"
	"  time_us INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  uuid TEXT,"
	"  handle INTEGER NOT NULL DEFAULT 0,"
	"  value BLOB,"
	"  text TEXT);"
	"CREATE INDEX capture_events_by_capture ON capture_events(capture, time_us);",
	/* 2 -> 3: which side was measured (bit 0 left, bit 1 right), since
	 * has_volume alone cannot tell "right not measured" from "right 0 mL".
	 * Rows from before said only "measured": both sides, as they were
	 * shown. And the installation's identity (a random version 4 UUID,
	 * made once here), from which exports derive their identifiers so
	 * that two installations never give the same one. */
	"ALTER TABLE sessions ADD COLUMN sides INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sessions SET sides = 3 WHERE has_volume != 0;"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('installation_id',"
	"  lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"
	"  substr(lower(hex(randomblob(2))), 2) || '-' ||"
	"  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) ||"
	"  '-' || lower(hex(randomblob(6))));",
	/* 3 -> 4: whether the device's own record of a part is stored. A part
	 * captured live and cut off (lactd stopped, link lost) has none yet;
	 * its record is still to be asked for. Parts of sessions that ended
	 * normally before this version are taken as complete. */
	"ALTER TABLE session_parts ADD COLUMN has_record INTEGER NOT NULL DEFAULT 0;"
	"UPDATE session_parts SET has_record = 1 WHERE session IN "
	"  (SELECT id FROM sessions WHERE live = 0 AND interrupted = 0);",
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == LACTD_STORE_SCHEMA_VERSION);

#define SESSION_COLUMNS                                                                     \
	"id, kind, source, start_us, end_us, left_ml, right_ml, has_volume, left_s, right_s, " \
	"device, device_session, interrupted, live, note, supplement_ml, method, milk, extra_ml, " \
	"sides"

gboolean
lactd_store_sql_fail(sqlite3 *db, int rc, const char *what, GError **error)
{
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s: %s (%s)", what,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc), sqlite3_errstr(rc));
	return FALSE;
}

static gboolean
exec(sqlite3 *db, const char *sql, GError **error)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return lactd_store_sql_fail(db, rc, sql, error);
	return TRUE;
}

gboolean
lactd_store_exec(sqlite3 *db, const char *sql, GError **error)
{
	return exec(db, sql, error);
}

sqlite3_stmt *
lactd_store_prepare(LactdStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt = NULL;
	int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);

	if (rc != SQLITE_OK) {
		lactd_store_sql_fail(store->db, rc, "prepare", error);
		return NULL;
	}
	return stmt;
}

gboolean
lactd_store_step_done(LactdStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		return lactd_store_sql_fail(store->db, rc, what, error);
	return TRUE;
}

void
lactd_store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *text)
{
	if (text != NULL)
		sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, idx);
}

char *
lactd_store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text != NULL ? g_strdup((const char *)text) : NULL;
}

gboolean
lactd_store_begin(LactdStore *store, GError **error)
{
	if (store->depth++ > 0)
		return TRUE;
	if (!exec(store->db, "BEGIN IMMEDIATE", error)) {
		store->depth = 0;
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_store_commit(LactdStore *store, GError **error)
{
	g_return_val_if_fail(store->depth > 0, FALSE);
	if (--store->depth > 0)
		return TRUE;
	if (!exec(store->db, "COMMIT", error)) {
		sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
		return FALSE;
	}
	return TRUE;
}

void
lactd_store_rollback(LactdStore *store)
{
	if (store->depth == 0)
		return;
	store->depth = 0;
	sqlite3_exec(store->db, "ROLLBACK", NULL, NULL, NULL);
}

sqlite3 *
lactd_store_get_db(LactdStore *store)
{
	return store->db;
}

guint
lactd_store_schema_version(LactdStore *store)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(store, "PRAGMA user_version", NULL);

	if (stmt == NULL || sqlite3_step(stmt) != SQLITE_ROW)
		return 0;
	return (guint)sqlite3_column_int(stmt, 0);
}

/* Applies migrations from the file's version up to target, each in its own
 * transaction with the version bump, so a crash leaves a whole version. */
gboolean
lactd_store_migrate(sqlite3 *db, guint target, GError **error)
{
	for (;;) {
		sqlite3_stmt *stmt = NULL;
		int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);
		guint version;
		g_autofree char *bump = NULL;

		if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
			sqlite3_finalize(stmt);
			return lactd_store_sql_fail(db, rc, "reading the schema version", error);
		}
		version = (guint)sqlite3_column_int(stmt, 0);
		sqlite3_finalize(stmt);
		if (version == target)
			return TRUE;
		if (version > target) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
				    "the database has schema version %u, newer than this lactd "
				    "(%u): refusing to touch it",
				    version, target);
			return FALSE;
		}
		bump = g_strdup_printf("PRAGMA user_version = %u", version + 1);
		if (!exec(db, "BEGIN IMMEDIATE", error))
			return FALSE;
		if (!exec(db, migrations[version], error) || !exec(db, bump, error)) {
			sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
			g_prefix_error(error, "migrating the schema to version %u: ", version + 1);
			return FALSE;
		}
		if (!exec(db, "COMMIT", error))
			return FALSE;
	}
}

/* ---- sessions ------------------------------------------------------------ */

static void
bind_session(sqlite3_stmt *stmt, const LactdSession *s)
{
	sqlite3_bind_int(stmt, 2, s->kind);
	sqlite3_bind_int(stmt, 3, s->source);
	sqlite3_bind_int64(stmt, 4, s->start_us);
	sqlite3_bind_int64(stmt, 5, s->end_us);
	sqlite3_bind_double(stmt, 6, lactd_round_ml(s->left_ml));
	sqlite3_bind_double(stmt, 7, lactd_round_ml(s->right_ml));
	sqlite3_bind_int(stmt, 8, s->has_volume);
	sqlite3_bind_int64(stmt, 9, s->left_seconds);
	sqlite3_bind_int64(stmt, 10, s->right_seconds);
	lactd_store_bind_text_or_null(stmt, 11, s->device);
	sqlite3_bind_int64(stmt, 12, s->device_session);
	sqlite3_bind_int(stmt, 13, s->interrupted);
	sqlite3_bind_int(stmt, 14, s->live);
	sqlite3_bind_text(stmt, 15, s->note != NULL ? s->note : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_double(stmt, 16, lactd_round_ml(s->supplement_ml));
	lactd_store_bind_text_or_null(stmt, 17, s->method);
	lactd_store_bind_text_or_null(stmt, 18, s->milk);
	sqlite3_bind_double(stmt, 19, lactd_round_ml(s->extra_ml));
	sqlite3_bind_int(stmt, 20, lactd_session_sides(s));
}

static LactdSession *
session_from_row(sqlite3_stmt *stmt)
{
	LactdSession *s = g_new0(LactdSession, 1);

	s->id = (guint64)sqlite3_column_int64(stmt, 0);
	s->kind = (LactdSessionKind)sqlite3_column_int(stmt, 1);
	s->source = (LactdSessionSource)sqlite3_column_int(stmt, 2);
	s->start_us = sqlite3_column_int64(stmt, 3);
	s->end_us = sqlite3_column_int64(stmt, 4);
	s->left_ml = sqlite3_column_double(stmt, 5);
	s->right_ml = sqlite3_column_double(stmt, 6);
	s->has_volume = sqlite3_column_int(stmt, 7) != 0;
	s->left_seconds = (guint32)sqlite3_column_int64(stmt, 8);
	s->right_seconds = (guint32)sqlite3_column_int64(stmt, 9);
	s->device = lactd_store_column_dup(stmt, 10);
	s->device_session = (guint32)sqlite3_column_int64(stmt, 11);
	s->interrupted = sqlite3_column_int(stmt, 12) != 0;
	s->live = sqlite3_column_int(stmt, 13) != 0;
	s->note = lactd_store_column_dup(stmt, 14);
	s->supplement_ml = sqlite3_column_double(stmt, 15);
	s->method = lactd_store_column_dup(stmt, 16);
	s->milk = lactd_store_column_dup(stmt, 17);
	s->extra_ml = sqlite3_column_double(stmt, 18);
	s->left_measured = (sqlite3_column_int(stmt, 19) & 1) != 0;
	s->right_measured = (sqlite3_column_int(stmt, 19) & 2) != 0;
	return s;
}

gboolean
lactd_store_add_session(LactdStore *store, LactdSession *session, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "INSERT INTO sessions (" SESSION_COLUMNS ") VALUES "
		    "(NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
		    "?17, ?18, ?19, ?20)",
		    error);

	if (stmt == NULL || !lactd_store_begin(store, error))
		return FALSE;
	bind_session(stmt, session);
	if (!lactd_store_step_done(store, stmt, "write", error))
		goto fail;
	session->id = (guint64)sqlite3_last_insert_rowid(store->db);
	if (session->device != NULL && session->device_session != 0 &&
	    !lactd_store_add_session_part(store, session->id, session->device,
					  session->device_session, error))
		goto fail;
	return lactd_store_commit(store, error);
fail:
	lactd_store_rollback(store);
	return FALSE;
}

gboolean
lactd_store_add_session_part(LactdStore *store, guint64 session_id, const char *device,
			     guint32 device_session, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store, "INSERT INTO session_parts (session, device, device_session) VALUES (?1, ?2, ?3)",
	    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session_id);
	sqlite3_bind_text(stmt, 2, device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 3, device_session);
	return lactd_store_step_done(store, stmt, "write", error);
}

gboolean
lactd_store_update_session(LactdStore *store, const LactdSession *session, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "UPDATE sessions SET kind = ?2, source = ?3, start_us = ?4, end_us = ?5, "
		    "left_ml = ?6, right_ml = ?7, has_volume = ?8, left_s = ?9, right_s = ?10, "
		    "device = ?11, device_session = ?12, interrupted = ?13, live = ?14, "
		    "note = ?15, supplement_ml = ?16, method = ?17, milk = ?18, extra_ml = ?19, sides = ?20 "
		    "WHERE id = ?1",
		    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session->id);
	bind_session(stmt, session);
	if (!lactd_store_step_done(store, stmt, "write", error))
		return FALSE;
	if (sqlite3_changes(store->db) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no session with id %" G_GUINT64_FORMAT, session->id);
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_store_delete_session(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) del = NULL;
	g_autoptr(sqlite3_stmt) unlink_w = NULL;

	if (!lactd_store_begin(store, error))
		return FALSE;
	del = lactd_store_prepare(store, "DELETE FROM sessions WHERE id = ?1", error);
	if (del == NULL)
		goto fail;
	sqlite3_bind_int64(del, 1, (sqlite3_int64)id);
	if (!lactd_store_step_done(store, del, "write", error))
		goto fail;
	if (sqlite3_changes(store->db) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no session with id %" G_GUINT64_FORMAT, id);
		goto fail;
	}
	/* Weighings are measurements in their own right: keep them, unattributed. */
	unlink_w = lactd_store_prepare(store, "UPDATE weighings SET session = 0 WHERE session = ?1", error);
	if (unlink_w == NULL)
		goto fail;
	sqlite3_bind_int64(unlink_w, 1, (sqlite3_int64)id);
	if (!lactd_store_step_done(store, unlink_w, "write", error))
		goto fail;
	return lactd_store_commit(store, error);
fail:
	lactd_store_rollback(store);
	return FALSE;
}

LactdSession *
lactd_store_get_session(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return session_from_row(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no session with id %" G_GUINT64_FORMAT, id);
		return NULL;
	}
	lactd_store_sql_fail(store->db, rc, "reading a session", error);
	return NULL;
}

GPtrArray *
lactd_store_list_sessions(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	/* Sessions are at most LACTD_MAX_SESSION_US long, which bounds the index
	 * range to scan for ones that started before `from` and overlap it. */
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT " SESSION_COLUMNS " FROM sessions "
		    "WHERE start_us >= ?3 AND start_us < ?2 AND (end_us > ?1 OR start_us >= ?1) "
		    "ORDER BY start_us, id",
		    error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_session_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, from_us);
	sqlite3_bind_int64(stmt, 2, to_us);
	sqlite3_bind_int64(stmt, 3,
			   from_us > G_MININT64 + LACTD_MAX_SESSION_US ? from_us - LACTD_MAX_SESSION_US
								       : G_MININT64);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(out, session_from_row(stmt));
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "listing sessions", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

LactdSession *
lactd_store_find_device_session(LactdStore *store, const char *device, guint32 device_session,
				GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT " SESSION_COLUMNS " FROM sessions WHERE id = "
		    "(SELECT session FROM session_parts WHERE device = ?1 AND device_session = ?2)",
		    error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, device_session);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return session_from_row(stmt);
	if (rc != SQLITE_DONE)
		lactd_store_sql_fail(store->db, rc, "finding a device session", error);
	return NULL;
}

/*
 * The id to ask a device's history for records after: just below the oldest
 * ended part whose record is not stored yet (the pump may still hold it, and
 * it is authoritative over the partial capture), else the highest ended one.
 * Asking from a lower id only makes the pump send again records stored
 * already, which are deduplicated; asking from a higher one would skip
 * records for ever, and Delete Records would then erase them.
 */
guint32
lactd_store_last_device_session(LactdStore *store, const char *device, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store,
	    "SELECT (SELECT MIN(p.device_session) - 1 FROM session_parts p "
	    "        JOIN sessions s ON s.id = p.session "
	    "        WHERE p.device = ?1 AND s.live = 0 AND p.has_record = 0), "
	    "       (SELECT MAX(p.device_session) FROM session_parts p "
	    "        JOIN sessions s ON s.id = p.session WHERE p.device = ?1 AND s.live = 0)",
	    error);
	int rc;

	if (stmt == NULL)
		return 0;
	sqlite3_bind_text(stmt, 1, device, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return (guint32)sqlite3_column_int64(stmt,
						     sqlite3_column_type(stmt, 0) != SQLITE_NULL ? 0 : 1);
	lactd_store_sql_fail(store->db, rc, "reading the last device session", error);
	return 0;
}

gboolean
lactd_store_set_part_recorded(LactdStore *store, const char *device, guint32 device_session,
			      GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store,
	    "UPDATE session_parts SET has_record = 1 WHERE device = ?1 AND device_session = ?2",
	    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 2, device_session);
	return lactd_store_step_done(store, stmt, "write", error);
}

gint
lactd_store_close_live_sessions(LactdStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(store, "SELECT id FROM sessions WHERE live = 1", error);
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint64));
	int rc;

	if (stmt == NULL)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		guint64 id = (guint64)sqlite3_column_int64(stmt, 0);
		g_array_append_val(ids, id);
	}
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "listing live sessions", error);
		return -1;
	}
	for (guint i = 0; i < ids->len; i++) {
		guint64 id = g_array_index(ids, guint64, i);
		g_autoptr(sqlite3_stmt) upd = lactd_store_prepare(
		    store, "UPDATE sessions SET live = 0, interrupted = 1 WHERE id = ?1", error);

		if (upd == NULL || !lactd_store_begin(store, error))
			return -1;
		sqlite3_bind_int64(upd, 1, (sqlite3_int64)id);
		if (!lactd_store_step_done(store, upd, "write", error) ||
		    !lactd_store_compact_samples(store, id, error)) {
			lactd_store_rollback(store);
			return -1;
		}
		if (!lactd_store_commit(store, error))
			return -1;
	}
	return (gint)ids->len;
}

/* ---- samples ------------------------------------------------------------- */

gboolean
lactd_store_append_sample(LactdStore *store, guint64 session_id, const LactdSample *sample,
			  GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store, "INSERT INTO live_samples (session, time_us, left_ml, right_ml) VALUES (?1, ?2, ?3, ?4)",
	    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session_id);
	sqlite3_bind_int64(stmt, 2, sample->time_us);
	sqlite3_bind_double(stmt, 3, lactd_round_ml(sample->left_ml));
	sqlite3_bind_double(stmt, 4, lactd_round_ml(sample->right_ml));
	return lactd_store_step_done(store, stmt, "write", error);
}

static GArray *
live_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store,
	    "SELECT time_us, left_ml, right_ml FROM live_samples WHERE session = ?1 ORDER BY time_us, rowid",
	    error);
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session_id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		LactdSample s = {
		    .time_us = sqlite3_column_int64(stmt, 0),
		    .left_ml = sqlite3_column_double(stmt, 1),
		    .right_ml = sqlite3_column_double(stmt, 2),
		};
		g_array_append_val(out, s);
	}
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "reading samples", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

static gboolean
blob_samples(LactdStore *store, guint64 session_id, GArray **out, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT samples FROM sessions WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session_id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_DONE) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no session with id %" G_GUINT64_FORMAT, session_id);
		return FALSE;
	}
	if (rc != SQLITE_ROW)
		return lactd_store_sql_fail(store->db, rc, "reading samples", error);
	return lactd_samples_decode(sqlite3_column_blob(stmt, 0),
				    (gsize)sqlite3_column_bytes(stmt, 0), out, error);
}

GArray *
lactd_store_get_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(GArray) out = NULL;
	g_autoptr(GArray) live = NULL;

	if (!blob_samples(store, session_id, &out, error))
		return NULL;
	live = live_samples(store, session_id, error);
	if (live == NULL)
		return NULL;
	g_array_append_vals(out, live->data, live->len);
	return g_steal_pointer(&out);
}

gboolean
lactd_store_put_samples(LactdStore *store, guint64 session_id, const LactdSample *samples,
			gsize n, GError **error)
{
	g_autoptr(GBytes) blob = lactd_samples_encode(samples, n);
	g_autoptr(sqlite3_stmt) put =
	    lactd_store_prepare(store, "UPDATE sessions SET samples = ?2 WHERE id = ?1", error);

	if (put == NULL)
		return FALSE;
	sqlite3_bind_int64(put, 1, (sqlite3_int64)session_id);
	sqlite3_bind_blob(put, 2, g_bytes_get_data(blob, NULL), (int)g_bytes_get_size(blob),
			  SQLITE_TRANSIENT);
	if (!lactd_store_step_done(store, put, "write", error))
		return FALSE;
	if (sqlite3_changes(store->db) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no session with id %" G_GUINT64_FORMAT, session_id);
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_store_compact_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(GArray) all = NULL;
	g_autoptr(sqlite3_stmt) del = NULL;

	if (!lactd_store_begin(store, error))
		return FALSE;
	all = lactd_store_get_samples(store, session_id, error);
	if (all == NULL)
		goto fail;
	if (!lactd_store_put_samples(store, session_id, (const LactdSample *)(void *)all->data,
				     all->len, error))
		goto fail;
	del = lactd_store_prepare(store, "DELETE FROM live_samples WHERE session = ?1", error);
	if (del == NULL)
		goto fail;
	sqlite3_bind_int64(del, 1, (sqlite3_int64)session_id);
	if (!lactd_store_step_done(store, del, "write", error))
		goto fail;
	return lactd_store_commit(store, error);
fail:
	lactd_store_rollback(store);
	return FALSE;
}

/* ---- weighings ----------------------------------------------------------- */

gboolean
lactd_store_add_weighing(LactdStore *store, LactdWeighing *weighing, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "INSERT INTO weighings (time_us, grams, stable, device, role, session) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, weighing->time_us);
	sqlite3_bind_double(stmt, 2, weighing->grams);
	sqlite3_bind_int(stmt, 3, weighing->stable);
	sqlite3_bind_text(stmt, 4, weighing->device != NULL ? weighing->device : "", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, weighing->role != NULL ? weighing->role : "bottle", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 6, (sqlite3_int64)weighing->session);
	if (!lactd_store_step_done(store, stmt, "write", error))
		return FALSE;
	weighing->id = (guint64)sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

gboolean
lactd_store_set_weighing_session(LactdStore *store, guint64 weighing_id, guint64 session_id,
				 GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "UPDATE weighings SET session = ?2 WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)weighing_id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)session_id);
	if (!lactd_store_step_done(store, stmt, "write", error))
		return FALSE;
	if (sqlite3_changes(store->db) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no weighing with id %" G_GUINT64_FORMAT, weighing_id);
		return FALSE;
	}
	return TRUE;
}

#define WEIGHING_COLUMNS "id, time_us, grams, stable, device, role, session"

static LactdWeighing *
weighing_from_row(sqlite3_stmt *stmt)
{
	LactdWeighing *w = g_new0(LactdWeighing, 1);

	w->id = (guint64)sqlite3_column_int64(stmt, 0);
	w->time_us = sqlite3_column_int64(stmt, 1);
	w->grams = sqlite3_column_double(stmt, 2);
	w->stable = sqlite3_column_int(stmt, 3) != 0;
	w->device = lactd_store_column_dup(stmt, 4);
	w->role = lactd_store_column_dup(stmt, 5);
	w->session = (guint64)sqlite3_column_int64(stmt, 6);
	return w;
}

static GPtrArray *
weighings_from(LactdStore *store, sqlite3_stmt *stmt, GError **error)
{
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_weighing_free);
	int rc;

	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(out, weighing_from_row(stmt));
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "listing weighings", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

GPtrArray *
lactd_store_list_weighings(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT " WEIGHING_COLUMNS " FROM weighings "
		    "WHERE time_us >= ?1 AND time_us < ?2 ORDER BY time_us, id",
		    error);

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, from_us);
	sqlite3_bind_int64(stmt, 2, to_us);
	return weighings_from(store, stmt, error);
}

GPtrArray *
lactd_store_session_weighings(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store, "SELECT " WEIGHING_COLUMNS " FROM weighings WHERE session = ?1 ORDER BY time_us, id",
	    error);

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)session_id);
	return weighings_from(store, stmt, error);
}

LactdWeighing *
lactd_store_get_weighing(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " WEIGHING_COLUMNS " FROM weighings WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return weighing_from_row(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no weighing with id %" G_GUINT64_FORMAT, id);
	else
		lactd_store_sql_fail(store->db, rc, "reading a weighing", error);
	return NULL;
}

/* ---- devices ------------------------------------------------------------- */

static LactdDeviceRow *
device_from_row(sqlite3_stmt *stmt)
{
	LactdDeviceRow *row = g_new0(LactdDeviceRow, 1);

	row->address = lactd_store_column_dup(stmt, 0);
	row->name = lactd_store_column_dup(stmt, 1);
	row->kind = lactd_store_column_dup(stmt, 2);
	row->plugin = lactd_store_column_dup(stmt, 3);
	row->side = lactd_store_column_dup(stmt, 4);
	row->role = lactd_store_column_dup(stmt, 5);
	row->enabled = sqlite3_column_int(stmt, 6) != 0;
	row->last_seen_us = sqlite3_column_int64(stmt, 7);
	row->rejected_packets = (guint32)sqlite3_column_int64(stmt, 8);
	return row;
}

#define DEVICE_COLUMNS "address, name, kind, plugin, side, role, enabled, last_seen, rejected"

LactdDeviceRow *
lactd_store_get_device(LactdStore *store, const char *address, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " DEVICE_COLUMNS " FROM devices WHERE address = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, address, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return device_from_row(stmt);
	if (rc != SQLITE_DONE)
		lactd_store_sql_fail(store->db, rc, "reading a device", error);
	return NULL;
}

gboolean
lactd_store_put_device(LactdStore *store, const LactdDeviceRow *row, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "INSERT OR REPLACE INTO devices (" DEVICE_COLUMNS ") "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, row->address, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, row->name != NULL ? row->name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, row->kind != NULL ? row->kind : "unknown", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 4, row->plugin != NULL ? row->plugin : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 5, row->side != NULL ? row->side : "unknown", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 6, row->role != NULL ? row->role : "bottle", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 7, row->enabled);
	sqlite3_bind_int64(stmt, 8, row->last_seen_us);
	sqlite3_bind_int64(stmt, 9, row->rejected_packets);
	return lactd_store_step_done(store, stmt, "write", error);
}

gboolean
lactd_store_delete_device(LactdStore *store, const char *address, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(store, "DELETE FROM devices WHERE address = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, address, -1, SQLITE_TRANSIENT);
	return lactd_store_step_done(store, stmt, "write", error);
}

GPtrArray *
lactd_store_list_devices(LactdStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY address", error);
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_device_row_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(out, device_from_row(stmt));
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "listing devices", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

/* ---- settings ------------------------------------------------------------ */

char *
lactd_store_installation_id(LactdStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(
	    store, "SELECT value FROM meta WHERE key = 'installation_id'", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return lactd_store_column_dup(stmt, 0);
	if (rc != SQLITE_DONE)
		lactd_store_sql_fail(store->db, rc, "reading the installation id", error);
	else
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
				    "the database has no installation id");
	return NULL;
}

char *
lactd_store_get_setting(LactdStore *store, const char *key, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT value FROM settings WHERE key = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return lactd_store_column_dup(stmt, 0);
	if (rc != SQLITE_DONE)
		lactd_store_sql_fail(store->db, rc, "reading a setting", error);
	return NULL;
}

gboolean
lactd_store_set_setting(LactdStore *store, const char *key, const char *value, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, value, -1, SQLITE_TRANSIENT);
	return lactd_store_step_done(store, stmt, "write", error);
}

/* ---- summaries ----------------------------------------------------------- */

static gboolean
in_window(guint minute, guint start, guint end)
{
	if (start < end)
		return minute >= start && minute < end;
	/* A window across midnight, such as 22:00 to 04:00. */
	return minute >= start || minute < end;
}

GArray *
lactd_store_daily_summary(LactdStore *store, gint64 from_us, gint64 to_us,
			  guint overnight_start_min, guint overnight_end_min, GError **error)
{
	/* Only the columns a summary needs: over years of history, reading
	 * whole sessions (notes and all) costs more than the sums. */
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT kind, start_us, end_us, left_ml, right_ml, extra_ml, supplement_ml, "
		    "has_volume FROM sessions WHERE start_us >= ?1 AND start_us < ?2 "
		    "ORDER BY start_us",
		    error);
	g_autoptr(GArray) days = g_array_new(FALSE, TRUE, sizeof(LactdDaySummary));
	gint64 day_start = 0, day_end = 0;
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, from_us);
	sqlite3_bind_int64(stmt, 2, to_us);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		LactdSessionKind kind = (LactdSessionKind)sqlite3_column_int(stmt, 0);
		gint64 start = sqlite3_column_int64(stmt, 1);
		gint64 end = sqlite3_column_int64(stmt, 2);
		double left = sqlite3_column_double(stmt, 3);
		double right = sqlite3_column_double(stmt, 4);
		double extra = sqlite3_column_double(stmt, 5);
		LactdDaySummary *day;
		guint minute;

		/* A session counts for the local day it started on. Sessions come
		 * by start time: find each local day's bounds once, not once a
		 * session (time zone lookups dominate otherwise). */
		if (days->len == 0 || start >= day_end) {
			LactdDaySummary fresh = {0};
			day_start = lactd_local_day_start(start);
			day_end = lactd_local_next_day_start(start);
			lactd_local_day(start, fresh.day);
			g_array_append_val(days, fresh);
		}
		day = &g_array_index(days, LactdDaySummary, days->len - 1);
		if (kind == LACTD_SESSION_SUPPLEMENT) {
			day->supplement_ml += sqlite3_column_double(stmt, 6);
			day->supplements++;
			continue;
		}
		if (sqlite3_column_int(stmt, 7) != 0 || extra > 0)
			day->measured = TRUE;
		/* Wall-clock minutes equal elapsed ones except on a DST day. */
		minute = day_end - day_start == 24 * G_TIME_SPAN_HOUR
			     ? (guint)((start - day_start) / G_TIME_SPAN_MINUTE)
			     : lactd_local_minute_of_day(start);
		day->sessions++;
		day->left_ml += left;
		day->right_ml += right;
		day->total_ml += left + right + extra;
		day->weighed_ml += extra;
		day->minutes += (guint)((MAX(end, start) - start) / G_TIME_SPAN_MINUTE);
		if (in_window(minute, overnight_start_min, overnight_end_min))
			day->overnight = TRUE;
	}
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(store->db, rc, "summing days", error);
		return NULL;
	}
	for (guint i = 0; i < days->len; i++) {
		LactdDaySummary *day = &g_array_index(days, LactdDaySummary, i);
		day->left_ml = lactd_round_ml(day->left_ml);
		day->right_ml = lactd_round_ml(day->right_ml);
		day->total_ml = lactd_round_ml(day->total_ml);
		day->supplement_ml = lactd_round_ml(day->supplement_ml);
		day->weighed_ml = lactd_round_ml(day->weighed_ml);
	}
	return g_steal_pointer(&days);
}
