/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sessions in the store: the sessions table, and session_parts (which
 * device sessions a session holds: one, or two single-side units pumping
 * together; a device's own session id is unique).
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"
#include "lactd-util.h"

/* The sessions table's columns are the session table's SQL fields
 * (daemon/shared/lactd-model.c), "id" first; "sides" is computed from the
 * measured flags on the way in and read back into them here. */
#define session_select(tail) lactd_store_record_select_sql(&lactd_session_table, "sessions", tail)

static gboolean
bind_session(LactdStore *store, sqlite3_stmt *stmt, const LactdSession *s, GError **error)
{
	if (!lactd_store_bind_record(store, stmt, &lactd_session_table, s, "sessions", error))
		return FALSE;
	/* id 0: a new row, whose id SQLite chooses. */
	if (s->id == 0 && sqlite3_bind_null(stmt, 1) != SQLITE_OK)
		return lactd_store_sql_fail(store->db, SQLITE_ERROR, "binding id", error);
	return TRUE;
}

/* The measured sides, stored as one "sides" column, read back into the
 * session's flags. */
static void
read_sides(sqlite3_stmt *stmt, LactdSession *s)
{
	static gsize sides_column = 0; /* its index + 1, found once */
	int sides;

	if (g_once_init_enter(&sides_column))
		g_once_init_leave(&sides_column,
				  (gsize)lactd_store_record_column(&lactd_session_table, "sides") + 1);
	sides = sqlite3_column_int(stmt, (int)sides_column - 1);
	s->left_measured = (sides & 1) != 0;
	s->right_measured = (sides & 2) != 0;
}

static gpointer
session_from_row(sqlite3_stmt *stmt)
{
	LactdSession *s = g_new0(LactdSession, 1);

	lactd_store_read_record(stmt, &lactd_session_table, s);
	read_sides(stmt, s);
	return s;
}

/* One session from a query, NULL (no error) when it found none. */
static LactdSession *
session_query_one(LactdStore *store, LactdStoreStmt *stmt, const char *what, GError **error)
{
	int rc = lactd_store_step(store, stmt, what, error);

	return rc == SQLITE_ROW ? session_from_row(stmt) : NULL;
}

gboolean
lactd_store_write_new_session(LactdStore *store, const LactdSession *session, guint64 *id,
			      GError **error)
{
	g_autofree char *sql = lactd_store_record_insert_sql(&lactd_session_table, "sessions");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);
	guint64 row;

	if (stmt == NULL || !bind_session(store, stmt, session, error) ||
	    !lactd_store_step_done(store, stmt, "adding a session", error))
		return FALSE;
	row = (guint64)sqlite3_last_insert_rowid(store->db);
	if (session->device != NULL && session->device_session != 0 &&
	    !lactd_store_add_session_part(store, row, session->device, session->device_session,
					  error))
		return FALSE;
	if (id != NULL)
		*id = row;
	return TRUE;
}

/* The id past every session written, deleted (AUTOINCREMENT never gives
 * one again) or reserved by the queue. */
static gboolean
next_session_id(LactdStore *store, guint64 *id, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store,
	    "SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'sessions'), 0), "
	    "           COALESCE((SELECT MAX(id) FROM sessions), 0))",
	    error, "");

	if (stmt == NULL || lactd_store_step(store, stmt, "reading the last session id", error) !=
				SQLITE_ROW)
		return FALSE;
	*id = MAX((guint64)sqlite3_column_int64(stmt, 0), lactd_store_pending_reserved(store)) + 1;
	return TRUE;
}

/* Adds @session as a new row with @id (0: SQLite chooses); *@refused says
 * whether a failure was the disk's (full, I/O). */
static gboolean
insert_session(LactdStore *store, LactdSession *session, guint64 id, gboolean *refused,
	       GError **error)
{
	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;
	LactdSession row = *session;

	*refused = FALSE;
	row.id = id;
	if (!lactd_store_tx_begin(&tx, store, error) ||
	    !lactd_store_write_new_session(store, &row, &session->id, error)) {
		*refused = lactd_store_disk_failed(store);
		return FALSE;
	}
	if (!lactd_store_tx_commit(&tx, error)) {
		*refused = lactd_store_pending_refused(store);
		session->id = 0;
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_store_add_session(LactdStore *store, LactdSession *session, GError **error)
{
	gboolean refused;
	guint64 id = 0;

	/* Past the ids that the queue holds, which SQLite does not know. */
	(void)lactd_store_pending_flush(store, NULL);
	if (lactd_store_pending_reserved(store) != 0 && !next_session_id(store, &id, error))
		return FALSE;
	return insert_session(store, session, id, &refused, error);
}

gboolean
lactd_store_start_session(LactdStore *store, LactdSession *session, gboolean *kept,
			  GError **error)
{
	g_autoptr(GError) local = NULL;
	gboolean refused = FALSE;
	guint64 id = 0;

	*kept = FALSE;
	(void)lactd_store_pending_flush(store, NULL);
	if (lactd_store_pending_reserved(store) != 0 && !next_session_id(store, &id, error))
		return FALSE;
	if (insert_session(store, session, id, &refused, &local))
		return TRUE;
	/* Not the disk (or inside a caller's transaction, which its own end
	 * decides on): the failure is the caller's. */
	if (!refused || store->depth > 0 || (id == 0 && !next_session_id(store, &id, NULL))) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	session->id = id;
	if (!lactd_store_pending_start(store, session)) {
		session->id = 0;
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_message("storage: session %" G_GUINT64_FORMAT " is kept in memory until the disk takes "
		  "writes again (%s)",
		  id, local->message);
	*kept = TRUE;
	return TRUE;
}

gboolean
lactd_store_add_session_part(LactdStore *store, guint64 session_id, const char *device,
			     guint32 device_session, GError **error)
{
	return lactd_store_run(
	    store, "INSERT INTO session_parts (session, device, device_session) VALUES (?1, ?2, ?3)",
	    "adding a session part", error, "tsu", session_id, device, (guint)device_session);
}

/* The two UPDATEs of a session, made once: a session's SQL depends only on
 * its field table. */
static const char *
update_sql(gboolean same_start)
{
	static gsize once = 0;
	static char *sql[2];

	if (g_once_init_enter(&once)) {
		sql[0] = lactd_store_record_update_sql(&lactd_session_table, "sessions");
		sql[1] = lactd_store_record_update_sql_keeping(&lactd_session_table, "sessions",
							       "start_us");
		g_once_init_leave(&once, 1);
	}
	return sql[same_start ? 1 : 0];
}

static gboolean
update_row(LactdStore *store, const LactdSession *session, gboolean same_start,
	   GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, update_sql(same_start), error);

	return stmt != NULL && bind_session(store, stmt, session, error) &&
	       lactd_store_step_done(store, stmt, "updating a session", error);
}

gboolean
lactd_store_write_session(LactdStore *store, const LactdSession *session, GError **error)
{
	/* Most updates keep the start: then sessions_by_start is left alone,
	 * which is one page fewer to write and sync. Otherwise the whole row
	 * is written. Samples holding older totals lose them first. */
	if (!lactd_store_totals_clear_samples(store, session->id, error) ||
	    !update_row(store, session, TRUE, error))
		return FALSE;
	if (lactd_store_changes(store) == 0 && !update_row(store, session, FALSE, error))
		return FALSE;
	if (lactd_store_changes(store) == 0)
		return lactd_store_not_found(error, "session", session->id);
	lactd_store_totals_row_written(store, session);
	return TRUE;
}

gboolean
lactd_store_update_session(LactdStore *store, const LactdSession *session, GError **error)
{
	gboolean ok;

	(void)lactd_store_pending_flush(store, NULL);
	if (lactd_store_pending_holds(store, session->id))
		return lactd_store_pending_keep(store, session->id, NULL, session, error);
	ok = lactd_store_write_session(store, session, error);
	lactd_store_pending_record(store, session->id, NULL, session, !ok);
	return ok;
}

gboolean
lactd_store_resume_session(LactdStore *store, const LactdSession *session, gboolean *kept,
			   GError **error)
{
	g_autoptr(GError) local = NULL;

	*kept = FALSE;
	if (lactd_store_update_session(store, session, &local))
		return TRUE;
	if (!lactd_store_pending_has(store, session->id)) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	g_message("storage: session %" G_GUINT64_FORMAT " resumed in memory until the disk takes "
		  "writes again (%s)",
		  session->id, local->message);
	*kept = TRUE;
	return TRUE;
}

gboolean
lactd_store_delete_session(LactdStore *store, guint64 id, GError **error)
{
	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;

	if (!lactd_store_tx_begin(&tx, store, error) ||
	    !lactd_store_run(store, "DELETE FROM sessions WHERE id = ?1", "deleting a session",
			     error, "t", id))
		return FALSE;
	if (lactd_store_changes(store) == 0)
		return lactd_store_not_found(error, "session", id);
	/* Weighings are measurements in their own right: keep them, unattributed. */
	if (!lactd_store_run(store, "UPDATE weighings SET session = 0 WHERE session = ?1",
			     "deleting a session", error, "t", id))
		return FALSE;
	return lactd_store_tx_commit(&tx, error);
}

LactdSession *
lactd_store_get_session(LactdStore *store, guint64 id, GError **error)
{
	g_autofree char *sql = session_select("WHERE id = ?1");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "t", id);
	g_autoptr(GError) local = NULL;
	LactdSession *s;

	if (stmt == NULL)
		return NULL;
	s = session_query_one(store, stmt, "reading a session", &local);
	if (s == NULL && local == NULL)
		lactd_store_not_found(&local, "session", id);
	if (local != NULL)
		g_propagate_error(error, g_steal_pointer(&local));
	return s;
}

/* The sessions that overlap [from, to), oldest first. Sessions are at most
 * LACTD_MAX_SESSION_US long, which bounds the index range to scan for ones
 * that started before `from` and overlap it. */
static LactdStoreStmt *
query_sessions(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	g_autofree char *sql = session_select(
	    "WHERE start_us >= ?3 AND start_us < ?2 AND (end_us > ?1 OR start_us >= ?1) "
	    "ORDER BY start_us, id");
	gint64 scan_from =
	    from_us > G_MININT64 + LACTD_MAX_SESSION_US ? from_us - LACTD_MAX_SESSION_US : G_MININT64;

	return lactd_store_query(store, sql, error, "xxx", from_us, to_us, scan_from);
}

GPtrArray *
lactd_store_list_sessions(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = query_sessions(store, from_us, to_us, error);

	return lactd_store_rows(store, stmt, "listing sessions", session_from_row,
				(GDestroyNotify)lactd_session_free, error);
}

gboolean
lactd_store_each_session(LactdStore *store, gint64 from_us, gint64 to_us,
			 LactdStoreSessionFunc func, gpointer data, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = query_sessions(store, from_us, to_us, error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	while ((rc = lactd_store_step(store, stmt, "listing sessions", error)) == SQLITE_ROW) {
		LactdSession s = {0};

		lactd_store_read_record_borrowed(stmt, &lactd_session_table, &s);
		read_sides(stmt, &s);
		func(&s, data);
	}
	return rc == SQLITE_DONE;
}

LactdSession *
lactd_store_find_device_session(LactdStore *store, const char *device, guint32 device_session,
				GError **error)
{
	g_autofree char *sql = session_select(
	    "WHERE id = (SELECT session FROM session_parts WHERE device = ?1 AND device_session = ?2)");
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_query(store, sql, error, "su", device, (guint)device_session);
	g_autoptr(GError) local = NULL;
	LactdSession *found;

	if (stmt == NULL)
		return NULL;
	found = session_query_one(store, stmt, "finding a device session", &local);
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return NULL;
	}
	/* Begun while the disk was full and ended (the link lost) before it
	 * was written: the queue has it, and it is resumed, not begun twice. */
	return found != NULL ? found
			     : lactd_store_pending_find_device_session(store, device, device_session);
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
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store,
	    "SELECT (SELECT MIN(p.device_session) - 1 FROM session_parts p "
	    "        JOIN sessions s ON s.id = p.session "
	    "        WHERE p.device = ?1 AND s.live = 0 AND p.has_record = 0), "
	    "       (SELECT MAX(p.device_session) FROM session_parts p "
	    "        JOIN sessions s ON s.id = p.session WHERE p.device = ?1 AND s.live = 0)",
	    error, "s", device);

	if (stmt == NULL || lactd_store_step(store, stmt, "reading the last device session", error) != SQLITE_ROW)
		return 0;
	return (guint32)sqlite3_column_int64(stmt, sqlite3_column_type(stmt, 0) != SQLITE_NULL ? 0 : 1);
}

gboolean
lactd_store_set_part_recorded(LactdStore *store, const char *device, guint32 device_session,
			      GError **error)
{
	return lactd_store_run(
	    store, "UPDATE session_parts SET has_record = 1 WHERE device = ?1 AND device_session = ?2",
	    "marking a part recorded", error, "su", device, (guint)device_session);
}

gint
lactd_store_close_live_sessions(LactdStore *store, GError **error)
{
	g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(guint64));

	{
		g_autoptr(LactdStoreStmt) stmt =
		    lactd_store_stmt(store, "SELECT id FROM sessions WHERE live = 1", error);
		int rc;

		if (stmt == NULL)
			return -1;
		while ((rc = lactd_store_step(store, stmt, "listing live sessions", error)) ==
		       SQLITE_ROW) {
			guint64 id = (guint64)sqlite3_column_int64(stmt, 0);
			g_array_append_val(ids, id);
		}
		if (rc != SQLITE_DONE)
			return -1;
	}
	for (guint i = 0; i < ids->len; i++) {
		guint64 id = g_array_index(ids, guint64, i);
		g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;

		/* Totals that the row had not yet, from its last sample. */
		if (!lactd_store_tx_begin(&tx, store, error) ||
		    !lactd_store_totals_rebuild(store, id, error) ||
		    !lactd_store_run(store,
				     "UPDATE sessions SET live = 0, interrupted = 1 WHERE id = ?1",
				     "closing a live session", error, "t", id) ||
		    !lactd_store_compact_samples(store, id, error) ||
		    !lactd_store_tx_commit(&tx, error))
			return -1;
	}
	return (gint)ids->len;
}
