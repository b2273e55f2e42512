/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weighings in the store: every stable (or not) weight a scale reported,
 * and the session it was attributed to (0: none). */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

/* The weighings table's columns are the weighing table's SQL fields
 * (daemon/shared/lactd-model.c), "id" first. */

gboolean
lactd_store_add_weighing(LactdStore *store, LactdWeighing *weighing, GError **error)
{
	g_autofree char *sql = lactd_store_record_insert_sql(&lactd_weighing_table, "weighings");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);
	LactdWeighing row = *weighing;

	row.id = 0;
	if (stmt == NULL ||
	    !lactd_store_bind_record(store, stmt, &lactd_weighing_table, &row, "weighings", error) ||
	    sqlite3_bind_null(stmt, 1) != SQLITE_OK ||
	    !lactd_store_step_done(store, stmt, "adding a weighing", error))
		return FALSE;
	weighing->id = (guint64)sqlite3_last_insert_rowid(store->db);
	return TRUE;
}

gboolean
lactd_store_set_weighing_session(LactdStore *store, guint64 weighing_id, guint64 session_id,
				 GError **error)
{
	if (!lactd_store_run(store, "UPDATE weighings SET session = ?2 WHERE id = ?1",
			     "attributing a weighing", error, "tt", weighing_id, session_id))
		return FALSE;
	if (lactd_store_changes(store) == 0)
		return lactd_store_not_found(error, "weighing", weighing_id);
	return TRUE;
}

static gpointer
weighing_from_row(sqlite3_stmt *stmt)
{
	LactdWeighing *w = g_new0(LactdWeighing, 1);

	lactd_store_read_record(stmt, &lactd_weighing_table, w);
	return w;
}

#define weighing_select(tail) \
	lactd_store_record_select_sql(&lactd_weighing_table, "weighings", tail)

#define WEIGHING_ROWS(stmt)                                                                   \
	lactd_store_rows(store, stmt, "reading weighings", weighing_from_row,                 \
			 (GDestroyNotify)lactd_weighing_free, error)

GPtrArray *
lactd_store_list_weighings(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	g_autofree char *sql = weighing_select("WHERE time_us >= ?1 AND time_us < ?2 "
					       "ORDER BY time_us, id");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "xx", from_us, to_us);

	return WEIGHING_ROWS(stmt);
}

GPtrArray *
lactd_store_session_weighings(LactdStore *store, guint64 session_id, GError **error)
{
	g_autofree char *sql = weighing_select("WHERE session = ?1 ORDER BY time_us, id");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "t", session_id);

	return WEIGHING_ROWS(stmt);
}

LactdWeighing *
lactd_store_get_weighing(LactdStore *store, guint64 id, GError **error)
{
	g_autofree char *sql = weighing_select("WHERE id = ?1");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "t", id);

	return lactd_store_row_by_id(store, stmt, "reading a weighing", weighing_from_row,
				     "weighing", id, error);
}
