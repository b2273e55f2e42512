/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weighings in the store: every stable (or not) weight a scale reported,
 * and the session it was attributed to (0: none). */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

#define WEIGHING_COLUMNS "id, time_us, grams, stable, device, role, session"

gboolean
lactd_store_add_weighing(LactdStore *store, LactdWeighing *weighing, GError **error)
{
	if (!lactd_store_run(store,
			     "INSERT INTO weighings (time_us, grams, stable, device, role, session) "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     "adding a weighing", error, "xdisst", weighing->time_us, weighing->grams,
			     weighing->stable, weighing->device != NULL ? weighing->device : "",
			     weighing->role != NULL ? weighing->role : "bottle", weighing->session))
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

/* The rows of @sql, bound with @types. */
static GPtrArray *
weighings_query(LactdStore *store, const char *sql, GError **error, const char *types, ...)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_weighing_free);
	va_list ap;
	gboolean ok;
	int rc;

	if (stmt == NULL)
		return NULL;
	va_start(ap, types);
	ok = lactd_store_bind_va(store, stmt, error, types, ap);
	va_end(ap);
	if (!ok)
		return NULL;
	while ((rc = lactd_store_step(store, stmt, "reading weighings", error)) == SQLITE_ROW)
		g_ptr_array_add(out, weighing_from_row(stmt));
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

GPtrArray *
lactd_store_list_weighings(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	return weighings_query(store,
			       "SELECT " WEIGHING_COLUMNS " FROM weighings "
			       "WHERE time_us >= ?1 AND time_us < ?2 ORDER BY time_us, id",
			       error, "xx", from_us, to_us);
}

GPtrArray *
lactd_store_session_weighings(LactdStore *store, guint64 session_id, GError **error)
{
	return weighings_query(
	    store, "SELECT " WEIGHING_COLUMNS " FROM weighings WHERE session = ?1 ORDER BY time_us, id",
	    error, "t", session_id);
}

LactdWeighing *
lactd_store_get_weighing(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(GPtrArray) one = weighings_query(
	    store, "SELECT " WEIGHING_COLUMNS " FROM weighings WHERE id = ?1", error, "t", id);

	if (one == NULL)
		return NULL;
	if (one->len == 0) {
		lactd_store_not_found(error, "weighing", id);
		return NULL;
	}
	return g_ptr_array_steal_index(one, 0);
}
