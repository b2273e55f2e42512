/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Opening the database, and what is done when it cannot be used as it is:
 * a damaged file is moved aside (lactd-store-aside.c), a locked one kept and
 * tried again, one that cannot be used left untouched while an empty
 * read-only store in memory answers. StorageState shows store->problem.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-store-aside.h"
#include "lactd-store.h"
#include "lactd-store-private.h"

typedef LactdStoreHealth DbHealth;
#define DB_OK LACTD_STORE_DB_OK
#define DB_LOCKED LACTD_STORE_DB_LOCKED
#define DB_DAMAGED LACTD_STORE_DB_DAMAGED
#define DB_UNUSABLE LACTD_STORE_DB_UNUSABLE
#define DB_FAILED LACTD_STORE_DB_FAILED

static DbHealth
classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
		return DB_OK;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_LOCKED;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return DB_DAMAGED;
	default:
		return DB_UNUSABLE;
	}
}

DbHealth
lactd_store_check_integrity(sqlite3 *db, char **problem)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &stmt, NULL);
	DbHealth health;

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		const char *res = (const char *)sqlite3_column_text(stmt, 0);
		health = g_strcmp0(res, "ok") == 0 ? DB_OK : DB_DAMAGED;
		if (health != DB_OK) {
			/* The start of the report is enough to name it in a log line. */
			g_autofree char *first = g_strdup(res != NULL ? res : "unknown");
			g_strdelimit(first, "\n", ' ');
			*problem = g_utf8_substring(first, 0, MIN(g_utf8_strlen(first, -1), 120));
		}
	} else {
		health = classify(rc);
		if (health == DB_OK)
			health = DB_UNUSABLE;
		*problem = g_strdup(sqlite3_errmsg(db));
	}
	return health;
}

static sqlite3 *
open_db(const char *path, GError **error)
{
	sqlite3 *db = NULL;
	int rc;
	int fd;

	/* Create the file ourselves so that it is 0600 from its first byte,
	 * whatever the umask. */
	fd = g_open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		int saved = errno;
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "cannot open %s: %s", path,
			    g_strerror(saved));
		return NULL;
	}
	close(fd);

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_extended_result_codes(db, 1);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, 5000);
	if (rc != SQLITE_OK) {
		lactd_store_sql_fail(db, rc, path, error);
		lactd_store_close_db(db);
		return NULL;
	}
	return db;
}

static gboolean
configure_db(sqlite3 *db, GError **error)
{
	/* synchronous=FULL in WAL mode syncs the WAL at every commit: durable
	 * against power loss, not just a crash. */
	return lactd_store_exec(db, "PRAGMA journal_mode=WAL", error) &&
	       lactd_store_exec(db, "PRAGMA synchronous=FULL", error) &&
	       lactd_store_exec(db, "PRAGMA foreign_keys=ON", error) &&
	       lactd_store_exec(db, "PRAGMA secure_delete=ON", error);
}

/* The schema version in the file's header, or the SQLite result code
 * negated. */
static int
schema_version(sqlite3 *db)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return -MAX(rc, 1);
	return sqlite3_column_int(stmt, 0);
}

/* Configured, checked and migrated, or why not. A migration that fails
 * (a newer schema) is a hard error: DB_FAILED with @error set. With
 * @deferred, a file already at this build's schema is only configured, and
 * *deferred says that its check is left to the caller. */
static DbHealth
check_db(sqlite3 *db, char **problem, gboolean *deferred, GError **error)
{
	g_autoptr(GError) local = NULL;
	DbHealth health;
	int version;

	if (!configure_db(db, &local)) {
		health = classify(sqlite3_errcode(db));
		*problem = g_strdup(local->message);
		return health == DB_OK ? DB_UNUSABLE : health;
	}
	/* A migration writes: the file is checked before it, here. */
	if (deferred != NULL) {
		version = schema_version(db);
		if (version < 0) {
			health = classify(-version);
			*problem = g_strdup(sqlite3_errmsg(db));
			return health == DB_OK ? DB_UNUSABLE : health;
		}
		*deferred = (guint)version == LACTD_STORE_SCHEMA_VERSION;
		if (*deferred)
			return DB_OK;
	}
	health = lactd_store_check_integrity(db, problem);
	if (health != DB_OK)
		return health;
	if (!lactd_store_migrate(db, LACTD_STORE_SCHEMA_VERSION, &local)) {
		if (classify(sqlite3_errcode(db)) == DB_LOCKED) {
			*problem = g_strdup(local->message);
			return DB_LOCKED;
		}
		g_propagate_error(error, g_steal_pointer(&local));
		return DB_FAILED;
	}
	return DB_OK;
}

/*
 * When the file cannot be used, lactd still runs and answers, from an empty
 * store in memory that refuses every write (query_only): each write returns
 * org.lactd.Error.Storage, so nothing is acknowledged that would be lost,
 * and StorageState says what is wrong with the file.
 */
static sqlite3 *
open_fallback(GError **error)
{
	sqlite3 *db = NULL;
	int rc = sqlite3_open_v2(":memory:", &db,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_extended_result_codes(db, 1);
	if (rc != SQLITE_OK) {
		lactd_store_sql_fail(db, rc, "opening an empty store in memory", error);
		lactd_store_close_db(db);
		return NULL;
	}
	if (!lactd_store_migrate(db, LACTD_STORE_SCHEMA_VERSION, error) ||
	    !lactd_store_exec(db, "PRAGMA query_only=1", error)) {
		lactd_store_close_db(db);
		return NULL;
	}
	return db;
}

static void
set_problem(LactdStore *store, char *problem)
{
	g_free(store->problem);
	store->problem = problem;
	if (problem != NULL)
		g_message("storage: %s", problem);
}

/* Sets a damaged file aside and starts a new one; FALSE when it could not
 * be moved (then it is left untouched). */
static gboolean
set_aside(LactdStore *store, const char *damage, GError **error)
{
	g_autofree char *marker = lactd_store_aside_marker_path(store->path);
	g_autofree char *aside = NULL;
	g_autoptr(GError) local = NULL;

	aside = lactd_store_aside_move(store->path, &local);
	if (aside == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
			    "database %s is damaged (%s) and could not be moved aside (%s): it is "
			    "left untouched. Move it away by hand, keeping it (it holds the "
			    "history), and restart lactd",
			    store->path, damage, local->message);
		return FALSE;
	}
	g_free(store->set_aside);
	store->set_aside = g_strdup_printf(
	    "database damaged (%s), moved aside to %s; a new one was started. Keep that file "
	    "(it holds the earlier history); delete %s once it is dealt with",
	    damage, aside, marker);
	g_message("database %s is damaged (%s): moved aside to %s, starting a new one", store->path,
		  damage, aside);
	if (!lactd_store_aside_mark(store->path, store->set_aside, &local))
		g_message("could not write %s, the set-aside state is not kept over a restart: %s",
			  marker, local->message);
	return TRUE;
}

/* Opens the file at store->path; on return store->db is usable, or the
 * in-memory fallback with store->problem set, or NULL on a hard error.
 * With @deferred, see check_db. */
static gboolean
open_file_full(LactdStore *store, gboolean *deferred, GError **error)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *problem = NULL;
	DbHealth health;
	sqlite3 *db = open_db(store->path, &local);

	if (db == NULL) {
		set_problem(store, g_strdup_printf("database %s cannot be opened (%s): it is left "
						   "untouched. Make it and its folder writable by "
						   "lactd's user, then restart lactd",
						   store->path, local->message));
		store->db = open_fallback(error);
		return store->db != NULL;
	}
	health = check_db(db, &problem, deferred, error);
	if (health == DB_DAMAGED) {
		lactd_store_close_db(db);
		db = NULL;
		if (!set_aside(store, problem, &local)) {
			set_problem(store, g_strdup(local->message));
			store->db = open_fallback(error);
			return store->db != NULL;
		}
		g_clear_pointer(&problem, g_free);
		db = open_db(store->path, error);
		if (db == NULL)
			return FALSE;
		/* A new file: nothing to check after. */
		if (deferred != NULL)
			*deferred = FALSE;
		health = check_db(db, &problem, NULL, error);
	}
	switch (health) {
	case DB_FAILED:
		lactd_store_close_db(db);
		return FALSE;
	case DB_OK:
		store->db = db;
		set_problem(store, NULL);
		return TRUE;
	case DB_LOCKED:
		/* Healthy as far as anyone knows: kept open, and tried again
		 * (lactd_store_retry) without waiting on the lock meanwhile. */
		if (sqlite3_busy_timeout(db, 0) != SQLITE_OK)
			g_message("database %s: cannot stop waiting on its lock", store->path);
		store->db = db;
		store->locked = TRUE;
		set_problem(store, g_strdup_printf("database locked by another process (%s): %s "
						   "is left as it is; lactd tries again every few "
						   "seconds and stores nothing until then",
						   problem, store->path));
		return TRUE;
	case DB_DAMAGED:
	case DB_UNUSABLE:
	default:
		lactd_store_close_db(db);
		set_problem(store, g_strdup_printf("database %s cannot be used (%s): it is left "
						   "untouched. Fix it (permissions, space, or move "
						   "it away), then restart lactd",
						   store->path, problem));
		store->db = open_fallback(error);
		return store->db != NULL;
	}
}

static gboolean
open_file(LactdStore *store, GError **error)
{
	return open_file_full(store, NULL, error);
}

LactdStore *
lactd_store_open(const char *path, char **degraded_reason, GError **error)
{
	g_autoptr(LactdStore) store = g_new0(LactdStore, 1);

	g_return_val_if_fail(degraded_reason != NULL, NULL);
	*degraded_reason = NULL;
	store->path = g_strdup(path);
	/* Said again at every start until the user removes the marker. */
	store->set_aside = lactd_store_aside_marked(path);
	if (!open_file(store, error))
		return NULL;
	*degraded_reason = lactd_store_get_problem(store);
	return g_steal_pointer(&store);
}

LactdStore *
lactd_store_open_checking(const char *path, LactdStoreCheckedFunc checked, gpointer user_data,
			  char **degraded_reason, GError **error)
{
	g_autoptr(LactdStore) store = g_new0(LactdStore, 1);
	gboolean deferred = FALSE;

	g_return_val_if_fail(degraded_reason != NULL, NULL);
	*degraded_reason = NULL;
	store->path = g_strdup(path);
	store->set_aside = lactd_store_aside_marked(path);
	if (!open_file_full(store, &deferred, error))
		return NULL;
	if (deferred && store->db != NULL && !store->locked)
		lactd_store_check_start(store, checked, user_data);
	else if (!store->locked && !lactd_store_close_cut_off(store, error))
		return NULL;
	*degraded_reason = lactd_store_get_problem(store);
	return g_steal_pointer(&store);
}

void
lactd_store_reopen_unchecked(LactdStore *store, const char *found)
{
	g_autoptr(GError) local = NULL;

	g_return_if_fail(store->depth == 0);
	/* Checked again on the main connection, exactly as at a start
	 * without the deferred check: what it finds decides. */
	g_message("database %s: the check after start found %s; checking it again before "
		  "anything is written",
		  store->path, found);
	lactd_store_forget_statements(store);
	lactd_store_totals_free(store);
	lactd_store_close_db(store->db);
	store->db = NULL;
	if (!open_file(store, &local) && store->db == NULL) {
		set_problem(store, g_strdup_printf("database %s: %s; restart lactd", store->path,
						   local != NULL ? local->message : found));
		store->db = open_fallback(NULL);
	}
	if (store->db != NULL && !store->locked && !lactd_store_close_cut_off(store, &local))
		g_message("closing cut-off sessions: %s", local->message);
}

gboolean
lactd_store_close_cut_off(LactdStore *store, GError **error)
{
	gint n = lactd_store_close_live_sessions(store, error);

	if (n < 0)
		return FALSE;
	if (n > 0)
		g_message("kept %d session(s) cut off by the last stop, marked interrupted", n);
	return TRUE;
}

gboolean
lactd_store_is_locked(LactdStore *store)
{
	return store->locked;
}

gboolean
lactd_store_retry(LactdStore *store)
{
	g_autoptr(GError) local = NULL;
	g_autofree char *problem = NULL;
	DbHealth health;

	if (!store->locked)
		return TRUE;
	g_return_val_if_fail(store->depth == 0, FALSE);
	health = check_db(store->db, &problem, NULL, &local);
	if (health == DB_LOCKED)
		return FALSE;
	if (problem == NULL && local != NULL)
		problem = g_strdup(local->message);
	store->locked = FALSE;
	if (health == DB_OK) {
		if (sqlite3_busy_timeout(store->db, 5000) != SQLITE_OK)
			g_message("database %s: cannot wait on its lock", store->path);
		g_message("database %s is no longer locked", store->path);
		set_problem(store, NULL);
		return TRUE;
	}
	/* Now readable, and not right: handled as at a start. */
	lactd_store_forget_statements(store);
	lactd_store_totals_free(store);
	lactd_store_close_db(store->db);
	store->db = NULL;
	if (!open_file(store, NULL) && store->db == NULL) {
		set_problem(store, g_strdup_printf("database %s: %s; restart lactd", store->path,
						   problem));
		store->db = open_fallback(NULL);
	}
	return TRUE;
}

char *
lactd_store_get_problem(LactdStore *store)
{
	g_autofree char *kept = lactd_store_pending_problem(store);
	const char *parts[] = {store->problem, store->set_aside, kept};
	g_autoptr(GString) out = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(parts); i++) {
		if (parts[i] == NULL)
			continue;
		if (out == NULL)
			out = g_string_new(parts[i]);
		else
			g_string_append_printf(out, "; %s", parts[i]);
	}
	return out != NULL ? g_string_free(g_steal_pointer(&out), FALSE) : NULL;
}

void
lactd_store_close(LactdStore *store)
{
	if (store == NULL)
		return;
	/* A check still running: its answer is dropped, the next start
	 * checks again; the file was not written meanwhile. */
	lactd_store_check_free(store);
	if (store->db != NULL && store->depth == 0) {
		lactd_store_totals_flush(store);
		if (!lactd_store_pending_flush(store, NULL))
			g_message("closing the database: the disk still refuses writes");
	}
	lactd_store_totals_free(store);
	lactd_store_pending_free(store);
	lactd_store_health_clear(store);
	lactd_store_forget_statements(store);
	if (store->db != NULL) {
		g_autoptr(GError) local = NULL;

		/* Folds the WAL back into the file; what is in the WAL is as
		 * durable, so a failure here is only said. */
		if (!lactd_store_exec(store->db, "PRAGMA wal_checkpoint(TRUNCATE)", &local))
			g_message("closing the database: %s", local->message);
		if (sqlite3_close(store->db) != SQLITE_OK)
			g_message("closing the database: %s", sqlite3_errmsg(store->db));
	}
	g_free(store->path);
	g_free(store->problem);
	g_free(store->set_aside);
	g_free(store);
}
