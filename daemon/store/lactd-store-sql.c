/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store's use of SQLite in one place: every result checked and turned
 * into a GError (LACTD_ERROR_STORAGE with SQLite's message), statements
 * prepared once and kept, and the transaction guard.
 */
#include "config.h"

#include <stdarg.h>

#include "lactd-error.h"
#include "lactd-store-private.h"

gboolean
lactd_store_sql_fail(sqlite3 *db, int rc, const char *what, GError **error)
{
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s: %s (%s)", what,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc), sqlite3_errstr(rc));
	return FALSE;
}

gboolean
lactd_store_not_found(GError **error, const char *what, guint64 id)
{
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND, "no %s with id %" G_GUINT64_FORMAT,
		    what, id);
	return FALSE;
}

gboolean
lactd_store_exec(sqlite3 *db, const char *sql, GError **error)
{
	int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK)
		return lactd_store_sql_fail(db, rc, sql, error);
	return TRUE;
}

static void
finalize_kept(gpointer stmt)
{
	/* Only the last step's error, already reported, can come back here. */
	(void)sqlite3_finalize(stmt);
}

LactdStoreStmt *
lactd_store_stmt(LactdStore *store, const char *sql, GError **error)
{
	sqlite3_stmt *stmt;
	int rc;

	/* Running totals newer than their rows go first, so that no statement
	 * sees them older (lactd-store-totals.c). */
	if (G_UNLIKELY(store->totals_dirty > 0))
		lactd_store_totals_flush(store);
	if (store->stmts == NULL)
		store->stmts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						     finalize_kept);
	stmt = g_hash_table_lookup(store->stmts, sql);
	if (stmt != NULL) {
		/* Held further up the stack: a second use would reset it
		 * under its holder. */
		g_return_val_if_fail(!sqlite3_stmt_busy(stmt), NULL);
	} else {
		rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt,
					NULL);
		if (rc != SQLITE_OK) {
			lactd_store_sql_fail(store->db, rc, "prepare", error);
			sqlite3_finalize(stmt);
			return NULL;
		}
		g_hash_table_insert(store->stmts, g_strdup(sql), stmt);
	}
	/* A write waits for the check after open (lactd-store-check.c). */
	if (!sqlite3_stmt_readonly(stmt) && !lactd_store_check_wait(store, error))
		return NULL;
	return stmt;
}

void
lactd_store_stmt_release(LactdStoreStmt *stmt)
{
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

void
lactd_store_forget_statements(LactdStore *store)
{
	g_clear_pointer(&store->stmts, g_hash_table_unref);
}

static gboolean
bind_va(LactdStore *store, sqlite3_stmt *stmt, GError **error, const char *types, va_list ap)
{
	for (int i = 0; types[i] != '\0'; i++) {
		int idx = i + 1;
		int rc;

		switch (types[i]) {
		case 'x':
			rc = sqlite3_bind_int64(stmt, idx, va_arg(ap, gint64));
			break;
		case 't':
			rc = sqlite3_bind_int64(stmt, idx, (sqlite3_int64)va_arg(ap, guint64));
			break;
		case 'i':
			rc = sqlite3_bind_int(stmt, idx, va_arg(ap, int));
			break;
		case 'u':
			rc = sqlite3_bind_int64(stmt, idx, va_arg(ap, guint));
			break;
		case 'd':
			rc = sqlite3_bind_double(stmt, idx, va_arg(ap, double));
			break;
		case 's': {
			const char *text = va_arg(ap, const char *);
			rc = text != NULL ? sqlite3_bind_text(stmt, idx, text, -1, SQLITE_TRANSIENT)
					  : sqlite3_bind_null(stmt, idx);
			break;
		}
		case 'B': {
			GBytes *blob = va_arg(ap, GBytes *);
			gsize len = 0;
			gconstpointer data = blob != NULL ? g_bytes_get_data(blob, &len) : NULL;

			/* An empty value is an empty blob, not NULL. */
			rc = blob != NULL ? sqlite3_bind_blob64(stmt, idx, len > 0 ? data : "", len,
								SQLITE_TRANSIENT)
					  : sqlite3_bind_null(stmt, idx);
			break;
		}
		default:
			g_assert_not_reached();
		}
		if (rc != SQLITE_OK) {
			g_autofree char *what = g_strdup_printf("binding ?%d", idx);
			return lactd_store_sql_fail(store->db, rc, what, error);
		}
	}
	return TRUE;
}

int
lactd_store_step(LactdStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	lactd_store_sql_fail(store->db, rc, what, error);
	return SQLITE_ERROR;
}

gboolean
lactd_store_step_done(LactdStore *store, sqlite3_stmt *stmt, const char *what, GError **error)
{
	int rc = sqlite3_step(stmt);

	if (rc != SQLITE_DONE)
		return lactd_store_sql_fail(store->db, rc, what, error);
	return TRUE;
}

static LactdStoreStmt *
query_va(LactdStore *store, const char *sql, GError **error, const char *types, va_list ap)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);

	if (stmt == NULL || !bind_va(store, stmt, error, types, ap))
		return NULL;
	return g_steal_pointer(&stmt);
}

LactdStoreStmt *
lactd_store_query(LactdStore *store, const char *sql, GError **error, const char *types, ...)
{
	va_list ap;
	LactdStoreStmt *stmt;

	va_start(ap, types);
	stmt = query_va(store, sql, error, types, ap);
	va_end(ap);
	return stmt;
}

gboolean
lactd_store_run(LactdStore *store, const char *sql, const char *what, GError **error,
		const char *types, ...)
{
	g_autoptr(LactdStoreStmt) stmt = NULL;
	va_list ap;

	va_start(ap, types);
	stmt = query_va(store, sql, error, types, ap);
	va_end(ap);
	return stmt != NULL && lactd_store_step_done(store, stmt, what, error);
}

GPtrArray *
lactd_store_rows(LactdStore *store, LactdStoreStmt *stmt, const char *what,
		 gpointer (*from_row)(sqlite3_stmt *stmt), GDestroyNotify free_func,
		 GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func(free_func);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = lactd_store_step(store, stmt, what, error)) == SQLITE_ROW)
		g_ptr_array_add(out, from_row(stmt));
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

gpointer
lactd_store_row_by_id(LactdStore *store, LactdStoreStmt *stmt, const char *what,
		      gpointer (*from_row)(sqlite3_stmt *stmt), const char *kind, guint64 id,
		      GError **error)
{
	int rc;

	if (stmt == NULL)
		return NULL;
	rc = lactd_store_step(store, stmt, what, error);
	if (rc == SQLITE_ROW)
		return from_row(stmt);
	if (rc == SQLITE_DONE)
		lactd_store_not_found(error, kind, id);
	return NULL;
}

guint
lactd_store_changes(LactdStore *store)
{
	return (guint)sqlite3_changes(store->db);
}

char *
lactd_store_column_dup(sqlite3_stmt *stmt, int col)
{
	const unsigned char *text = sqlite3_column_text(stmt, col);

	return text != NULL ? g_strdup((const char *)text) : NULL;
}

sqlite3 *
lactd_store_get_db(LactdStore *store)
{
	return store->db;
}

/* ---- transactions -------------------------------------------------------- */

gboolean
lactd_store_begin(LactdStore *store, GError **error)
{
	if (store->depth > 0) {
		store->depth++;
		return TRUE;
	}
	if (!lactd_store_check_wait(store, error))
		return FALSE;
	/* What the disk refused earlier goes first, if it can now; the
	 * running totals before that, as they are older. */
	lactd_store_totals_flush(store);
	(void)lactd_store_pending_flush(store, NULL);
	store->depth = 1;
	/* Kept prepared, as every statement: one per sample otherwise parsed
	 * again each time. */
	if (!lactd_store_run(store, "BEGIN IMMEDIATE", "BEGIN IMMEDIATE", error, "")) {
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
	if (!lactd_store_run(store, "COMMIT", "COMMIT", error, "")) {
		/* Whatever ROLLBACK says, the transaction is over: a failed
		 * COMMIT was already reported. */
		lactd_store_pending_tx_end(store, FALSE);
		lactd_store_totals_tx_end(store, FALSE);
		lactd_store_rollback_db(store->db);
		return FALSE;
	}
	lactd_store_pending_tx_end(store, TRUE);
	lactd_store_totals_tx_end(store, TRUE);
	return TRUE;
}

void
lactd_store_rollback_db(sqlite3 *db)
{
	int rc = sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);

	/* SQLite may have rolled back already (SQLITE_FULL, I/O): then there
	 * is no transaction left, and that is what was wanted. */
	if (rc != SQLITE_OK && sqlite3_get_autocommit(db) == 0)
		g_message("rollback failed: %s", sqlite3_errmsg(db));
}

void
lactd_store_close_db(sqlite3 *db)
{
	int rc = sqlite3_close(db);

	if (rc != SQLITE_OK)
		g_message("closing the database: %s", sqlite3_errstr(rc));
}

void
lactd_store_rollback(LactdStore *store)
{
	if (store->depth == 0)
		return;
	store->depth = 0;
	lactd_store_pending_tx_end(store, FALSE);
	lactd_store_totals_tx_end(store, FALSE);
	lactd_store_rollback_db(store->db);
}

gboolean
lactd_store_tx_begin(LactdStoreTx *tx, LactdStore *store, GError **error)
{
	g_return_val_if_fail(tx->store == NULL, FALSE);
	if (!lactd_store_begin(store, error))
		return FALSE;
	tx->store = store;
	return TRUE;
}

gboolean
lactd_store_tx_commit(LactdStoreTx *tx, GError **error)
{
	LactdStore *store = g_steal_pointer(&tx->store);

	g_return_val_if_fail(store != NULL, FALSE);
	return lactd_store_commit(store, error);
}

void
lactd_store_tx_clear(LactdStoreTx *tx)
{
	if (tx->store != NULL)
		lactd_store_rollback(g_steal_pointer(&tx->store));
}
