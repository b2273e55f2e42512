/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Key/value settings (the plan) and the installation's identity (meta). */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

/* The text of the first column of @sql's one row bound to @key; NULL (no
 * error) when there is none. */
static char *
query_text(LactdStore *store, const char *sql, const char *key, const char *what,
	   GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "s", key);

	if (stmt == NULL || lactd_store_step(store, stmt, what, error) != SQLITE_ROW)
		return NULL;
	return lactd_store_column_dup(stmt, 0);
}

char *
lactd_store_installation_id(LactdStore *store, GError **error)
{
	g_autoptr(GError) local = NULL;
	char *id = query_text(store, "SELECT value FROM meta WHERE key = ?1", "installation_id",
			      "reading the installation id", &local);

	if (id == NULL && local == NULL)
		g_set_error_literal(&local, LACTD_ERROR, LACTD_ERROR_STORAGE,
				    "the database has no installation id");
	if (local != NULL)
		g_propagate_error(error, g_steal_pointer(&local));
	return id;
}

char *
lactd_store_get_setting(LactdStore *store, const char *key, GError **error)
{
	return query_text(store, "SELECT value FROM settings WHERE key = ?1", key,
			  "reading a setting", error);
}

gboolean
lactd_store_set_setting(LactdStore *store, const char *key, const char *value, GError **error)
{
	return lactd_store_run(store, "INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)",
			       "writing a setting", error, "ss", key, value);
}
