/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the store (lactd-store.c and the modules that keep their own
 * tables, such as lactd-recstore.c) and for its tests. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

gboolean lactd_store_migrate(sqlite3 *db, guint target, GError **error);

typedef struct _LactdStore LactdStore;
/* Shared by lactd-store.c and lactd-store-open.c. */
struct _LactdStore {
	sqlite3 *db;
	char *path;
	guint depth;	  /* nesting of lactd_store_begin */
	gboolean locked;  /* the file is held by another process: retried */
	char *problem;	  /* what is wrong with the file, for StorageState */
	char *set_aside;  /* the marker's reason: a damaged file was set aside */
};

/* sqlite3_exec, any result but SQLITE_OK an error naming @sql. */
gboolean lactd_store_exec(sqlite3 *db, const char *sql, GError **error);
/* The connection, for tests that simulate a full disk (max_page_count). */
sqlite3 *lactd_store_get_db(LactdStore *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

/* Sets a LACTD_ERROR_STORAGE error naming @what and SQLite's message;
 * returns FALSE. */
gboolean lactd_store_sql_fail(sqlite3 *db, int rc, const char *what, GError **error);
/* A persistent prepared statement, or NULL with @error set. */
sqlite3_stmt *lactd_store_prepare(LactdStore *store, const char *sql, GError **error);
/* Steps a statement that returns no rows to SQLITE_DONE; any other result
 * is an error naming @what. */
gboolean lactd_store_step_done(LactdStore *store, sqlite3_stmt *stmt, const char *what,
			       GError **error);
void lactd_store_bind_text_or_null(sqlite3_stmt *stmt, int idx, const char *text);
/* The column's text as a new string, NULL for SQL NULL. */
char *lactd_store_column_dup(sqlite3_stmt *stmt, int col);

G_END_DECLS
