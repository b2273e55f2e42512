/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Inside the store (daemon/store/) and for its tests: the connection, the
 * statement cache, the checked SQLite helpers and the transaction guard. */
#pragma once

#include <glib.h>
#include <sqlite3.h>
#include <stdarg.h>

#include "lactd-record.h"
#include "lactd-store.h"

G_BEGIN_DECLS

gboolean lactd_store_migrate(sqlite3 *db, guint target, GError **error);

typedef struct _LactdStorePending LactdStorePending;
typedef struct _LactdStoreCheck LactdStoreCheck;

/* What opening or checking found: only a file SQLite calls damaged is
 * moved aside. A lock, a permission or an I/O error says nothing about the
 * data in it. */
typedef enum {
	LACTD_STORE_DB_OK,
	LACTD_STORE_DB_LOCKED,	 /* another process holds it (SQLITE_BUSY, SQLITE_LOCKED) */
	LACTD_STORE_DB_DAMAGED,	 /* quick_check failed, or SQLITE_CORRUPT, SQLITE_NOTADB */
	LACTD_STORE_DB_UNUSABLE, /* anything else: read-only, unwritable folder, I/O */
	LACTD_STORE_DB_FAILED,	 /* not to be touched by this lactd (a newer schema) */
} LactdStoreHealth;

/* PRAGMA quick_check on @db: what it found, and when not OK, *problem
 * says what (the start of SQLite's report). Safe on any connection, in any
 * thread that owns it. */
LactdStoreHealth lactd_store_check_integrity(sqlite3 *db, char **problem);

struct _LactdStore {
	sqlite3 *db;
	char *path;
	guint depth;	      /* nesting of lactd_store_begin */
	gboolean locked;      /* the file is held by another process: retried */
	char *problem;	      /* what is wrong with the file, for StorageState */
	char *set_aside;      /* the marker's reason: a damaged file was set aside */
	GHashTable *stmts;    /* SQL text -> sqlite3_stmt, prepared once */
	LactdStorePending *pending; /* writes kept while the disk refuses them */
	char *write_failure;	    /* the last refused write, until one succeeds */
	LactdStoreHealthFunc health_changed; /* lactd-store-health.c */
	gpointer health_data;
	LactdStoreCheck *check;	    /* the check after open (lactd-store-check.c) */
	/* Live sessions' running totals (lactd-store-totals.c): id -> what is
	 * known of its row; how many are newer than the file's row; set while
	 * the totals' own statements run. */
	GHashTable *totals;
	guint totals_dirty;
	gboolean totals_busy;
};

/* Frees what lactd-store-health.c keeps (at close). */
void lactd_store_health_clear(LactdStore *store);

/* ROLLBACK after a failure; said only if a transaction is still open. */
void lactd_store_rollback_db(sqlite3 *db);
/* sqlite3_close, a failure said in the log. */
void lactd_store_close_db(sqlite3 *db);
/* sqlite3_exec, any result but SQLITE_OK an error naming @sql. */
gboolean lactd_store_exec(sqlite3 *db, const char *sql, GError **error);
/* The connection, for tests that simulate a full disk (max_page_count). */
sqlite3 *lactd_store_get_db(LactdStore *store);

/* For statements not kept (migrations, checks at open). */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(sqlite3_stmt, sqlite3_finalize)

/* Sets a LACTD_ERROR_STORAGE error naming @what and SQLite's message;
 * returns FALSE. */
gboolean lactd_store_sql_fail(sqlite3 *db, int rc, const char *what, GError **error);
/* Sets LACTD_ERROR_NOT_FOUND "no @what with id @id"; returns FALSE. */
gboolean lactd_store_not_found(GError **error, const char *what, guint64 id);

/*
 * A kept statement: prepared the first time @sql is asked for, then reused
 * until the store closes. Hold it with g_autoptr(LactdStoreStmt): leaving
 * the scope resets it and clears its bindings (the reset's result repeats
 * the last step's, which was already turned into an error), so that no
 * read stays open. NULL with @error set when it cannot be prepared.
 */
typedef sqlite3_stmt LactdStoreStmt;
LactdStoreStmt *lactd_store_stmt(LactdStore *store, const char *sql, GError **error);
void lactd_store_stmt_release(LactdStoreStmt *stmt);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdStoreStmt, lactd_store_stmt_release)
/* Finalizes every kept statement (before the connection is closed). */
void lactd_store_forget_statements(LactdStore *store);

/* Steps: SQLITE_ROW or SQLITE_DONE, else an error naming @what and
 * SQLITE_ERROR. */
int lactd_store_step(LactdStore *store, sqlite3_stmt *stmt, const char *what, GError **error);
/* Steps a statement that returns no rows to SQLITE_DONE; any other result
 * is an error naming @what. */
gboolean lactd_store_step_done(LactdStore *store, sqlite3_stmt *stmt, const char *what,
			       GError **error);
/*
 * The kept statement for @sql, bound from ?1 on with one value per
 * character of @types, each result checked: 'x' gint64, 't' guint64, 'i'
 * int (gboolean, an enum), 'u' guint, 'd' double, 's' const char * (NULL
 * binds SQL NULL), 'B' GBytes * (NULL binds SQL NULL); texts and blobs are
 * copied. NULL with @error set when it cannot be prepared or bound.
 */
LactdStoreStmt *lactd_store_query(LactdStore *store, const char *sql, GError **error,
				  const char *types, ...);
/* Steps @stmt (NULL: an error is already set) to its end, each row made by
 * @from_row; NULL with @error set on a failed step. */
GPtrArray *lactd_store_rows(LactdStore *store, LactdStoreStmt *stmt, const char *what,
			    gpointer (*from_row)(sqlite3_stmt *stmt), GDestroyNotify free_func,
			    GError **error);
/* Steps @stmt (NULL: an error is already set) to its one row, made by
 * @from_row; NULL with @error set on a failed step, or with
 * LACTD_ERROR_NOT_FOUND "no @kind with id @id" when there is no row. */
gpointer lactd_store_row_by_id(LactdStore *store, LactdStoreStmt *stmt, const char *what,
			       gpointer (*from_row)(sqlite3_stmt *stmt), const char *kind,
			       guint64 id, GError **error);
/* The kept statement for @sql, bound as lactd_store_query and stepped to
 * SQLITE_DONE: one write. */
gboolean lactd_store_run(LactdStore *store, const char *sql, const char *what, GError **error,
			 const char *types, ...);
/* Rows changed by the last write. */
guint lactd_store_changes(LactdStore *store);
/* The column's text as a new string, NULL for SQL NULL. */
char *lactd_store_column_dup(sqlite3_stmt *stmt, int col);

/*
 * The transaction guard: lactd_store_tx_begin, then lactd_store_tx_commit
 * on success; a guard left without commit (any early return) rolls back.
 * Nests like lactd_store_begin.
 *
 *	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;
 *	if (!lactd_store_tx_begin(&tx, store, error))
 *		return FALSE;
 *	...
 *	return lactd_store_tx_commit(&tx, error);
 */
typedef struct {
	LactdStore *store; /* NULL once committed or rolled back */
} LactdStoreTx;
#define LACTD_STORE_TX_INIT {NULL}
gboolean lactd_store_tx_begin(LactdStoreTx *tx, LactdStore *store, GError **error);
gboolean lactd_store_tx_commit(LactdStoreTx *tx, GError **error);
void lactd_store_tx_clear(LactdStoreTx *tx);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LactdStoreTx, lactd_store_tx_clear)

/* SQL derived from a record's field table (lactd-store-record.c): the
 * columns are the fields with an SQL column, in table order, the first
 * being the key. */
char *lactd_store_record_insert_sql(const LactdRecord *rec, const char *table);
/* "SELECT c1, c2, ... FROM table @tail". */
char *lactd_store_record_select_sql(const LactdRecord *rec, const char *table, const char *tail);
/* "INSERT OR REPLACE INTO table (...) VALUES (?1, ...)": a row put whole. */
char *lactd_store_record_replace_sql(const LactdRecord *rec, const char *table);
/* "UPDATE table SET c2 = ?2, ... WHERE c1 = ?1". */
char *lactd_store_record_update_sql(const LactdRecord *rec, const char *table);
/* The same without "@kept = ?N" in the SET list but with "AND @kept = ?N"
 * in the WHERE clause: it changes no row whose @kept differs. SQLite
 * rewrites an index of every column in a SET list, changed or not; leaving
 * an indexed column out spares a page write per update. */
char *lactd_store_record_update_sql_keeping(const LactdRecord *rec, const char *table,
					    const char *kept);
/* Binds every column from ?1 on; a NULL string in a NOT NULL column binds
 * the field's fallback. */
gboolean lactd_store_bind_record(LactdStore *store, sqlite3_stmt *stmt, const LactdRecord *rec,
				 gconstpointer record, const char *table, GError **error);
/* Reads a row of lactd_record_sql_columns() into @record (computed
 * columns are left to the caller). */
void lactd_store_read_record(sqlite3_stmt *stmt, const LactdRecord *rec, gpointer record);
/* The same with its strings borrowed from the row: valid until the next
 * step of @stmt, never to be freed. */
void lactd_store_read_record_borrowed(sqlite3_stmt *stmt, const LactdRecord *rec,
				      gpointer record);
/* TRUE when @a and @b would write the same value to every column of the
 * record's table but those named in @except (NULL-terminated, or NULL). */
gboolean lactd_store_record_same_columns(const LactdRecord *rec, gconstpointer a,
					 gconstpointer b, const char *const *except);
/* The 0-based index of @column in the record's column list. */
int lactd_store_record_column(const LactdRecord *rec, const char *column);

/* The check after open (lactd-store-check.c). Sets it up on @store, whose
 * connection is then query_only until the answer is applied; the worker
 * starts with lactd_store_run_check() or at the first write. */
void lactd_store_check_start(LactdStore *store, LactdStoreCheckedFunc func, gpointer user_data);
/* Before a write: waits for a running check's answer. TRUE when the file
 * passed (the write may go on), FALSE with a LACTD_ERROR_STORAGE error when
 * it did not (the file is dealt with from the main loop, not under a
 * caller that may hold statements). */
gboolean lactd_store_check_wait(LactdStore *store, GError **error);
/* Waits for the worker and drops its answer (closing the store). */
void lactd_store_check_free(LactdStore *store);
/* The check found the file not usable as it is: the connection is closed
 * and the file opened again as at a start without a deferred check (moved
 * aside when damaged, retried when locked; lactd-store-open.c). */
void lactd_store_reopen_unchecked(LactdStore *store, const char *found);

/* Live sessions' running totals kept in their samples (lactd-store-totals.c). */
/* Writes the totals that are newer than their rows, outside a transaction
 * and unless the totals' own statements are running; a failure is said and
 * the totals stay in their samples. */
void lactd_store_totals_flush(LactdStore *store);
/* Before a whole write of @session_id's row: clears the totals its samples
 * hold, which would be older than the row. */
gboolean lactd_store_totals_clear_samples(LactdStore *store, guint64 session_id,
					  GError **error);
/* After a whole write of @session's row, durable now or at the commit. */
void lactd_store_totals_row_written(LactdStore *store, const LactdSession *session);
/* The end of a transaction, from lactd_store_commit and _rollback and the
 * queue's flush. */
void lactd_store_totals_tx_end(LactdStore *store, gboolean committed);
/* After a kill: @session_id's row takes the totals of its last sample
 * holding any, when there is one. */
gboolean lactd_store_totals_rebuild(LactdStore *store, guint64 session_id, GError **error);
/* Forgets them all (at close, or when the file is opened again). */
void lactd_store_totals_free(LactdStore *store);

/* Writes kept in memory while the disk refuses them (lactd-store-pending.c). */
#define LACTD_STORE_PENDING_MAX 100000u
/* TRUE when the connection's last error is SQLITE_FULL or an I/O error. */
gboolean lactd_store_disk_failed(LactdStore *store);
/* After a sample append (@sample) or a session update (@session) that
 * @failed or not: keeps what must not be lost if the disk refuses it. */
void lactd_store_pending_record(LactdStore *store, guint64 session_id, const LactdSample *sample,
				const LactdSession *session, gboolean failed);
/* TRUE when @session_id's row is a queued INSERT, not written yet: its
 * writes must go to the queue (lactd_store_pending_keep). */
gboolean lactd_store_pending_holds(LactdStore *store, guint64 session_id);
/* Queues a sample (@sample) or an update (@session) of a held session;
 * returns FALSE with a LACTD_ERROR_STORAGE error, as nothing is durable. */
gboolean lactd_store_pending_keep(LactdStore *store, guint64 session_id, const LactdSample *sample,
				  const LactdSession *session, GError **error);
/* Queues the INSERT of @session under its reserved id (outside a
 * transaction); FALSE when the queue is at its bound. */
gboolean lactd_store_pending_start(LactdStore *store, const LactdSession *session);
/* The queue holds a write of that session. */
gboolean lactd_store_pending_has(LactdStore *store, guint64 session_id);
/* A copy of the newest state of a session begun while the disk was full
 * (its row not written yet) for that device session, or NULL. */
LactdSession *lactd_store_pending_find_device_session(LactdStore *store, const char *device,
						      guint32 device_session);
/* The highest id a queued INSERT holds, 0 when none. */
guint64 lactd_store_pending_reserved(LactdStore *store);
/* TRUE when the last transaction that failed did so for the disk. */
gboolean lactd_store_pending_refused(LactdStore *store);
/* The outer transaction ended: what it held is queued if it failed. */
void lactd_store_pending_tx_end(LactdStore *store, gboolean committed);
/* Writes the queue in one transaction; FALSE (queue kept) when it cannot. */
gboolean lactd_store_pending_flush(LactdStore *store, GError **error);
guint lactd_store_pending_count(LactdStore *store);
/* For the store's problem: what is kept, NULL when nothing. */
char *lactd_store_pending_problem(LactdStore *store);
/* Tries a last flush's result is said; frees the queue. */
void lactd_store_pending_free(LactdStore *store);
/* The raw writes, without the queue: for the queue's replay. */
gboolean lactd_store_write_sample(LactdStore *store, guint64 session_id,
				  const LactdSample *sample, GError **error);
gboolean lactd_store_write_session(LactdStore *store, const LactdSession *session,
				   GError **error);
/* INSERT of @session with its id (0: SQLite chooses; *@id is the row's)
 * and its part, no transaction of its own. */
gboolean lactd_store_write_new_session(LactdStore *store, const LactdSession *session,
				       guint64 *id, GError **error);
/* Compaction without a transaction of its own (the caller's holds it). */
gboolean lactd_store_move_samples(LactdStore *store, guint64 session_id, GError **error);

G_END_DECLS
