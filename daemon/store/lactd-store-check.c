/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The integrity check after open. PRAGMA quick_check reads every page of
 * the file (about 50 ms on five years of data), so that lactd would answer
 * nothing for that long at every start. Instead, the file is opened and
 * answers reads at once, while the check runs in a worker thread on a
 * read-only connection of its own (WAL: the two do not block each other).
 *
 * The worker starts when the caller says (lactd_store_run_check: lactd
 * does once its bus name is owned, so that the check does not compete
 * with the rest of the start for the CPU), or at the first write.
 *
 * Nothing is written to the file before the check has passed:
 *  - the main connection is PRAGMA query_only until then, so that no
 *    write can reach the file whatever the path;
 *  - a write that reaches the store meanwhile (lactd_store_stmt() of a
 *    statement that writes, lactd_store_begin()) first waits for the
 *    answer: on a pass it goes on, on damage it is refused with
 *    LACTD_ERROR_STORAGE (never acknowledged, then dropped);
 *  - the D-Bus layer holds the Manager1 write calls without blocking the
 *    main loop and dispatches them again once the answer is applied
 *    (lactd-api.c), so that they land in the file that passed, or in the
 *    new one that replaced a damaged file.
 * A file found damaged is handled as at a start with the check at open
 * (lactd_store_reopen_unchecked): checked again on the main connection,
 * moved aside, a new one started, the marker written, StorageState set.
 *
 * LACTD_TEST_CHECK_DELAY_MS, for tests only: the worker waits that long
 * before it checks, so that a test can send calls while the check runs.
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store.h"
#include "lactd-store-private.h"

/* Shared by the store and the worker: the answer under the lock. */
struct _LactdStoreCheck {
	GMutex lock;
	GCond cond;
	char *path;
	guint delay_ms;
	gboolean done; /* the worker has answered (under lock) */
	LactdStoreHealth health;
	char *problem;
	LactdStore *store; /* NULL once the store is closed */
	gboolean launched; /* the worker was started; set in the main thread */
	gboolean applied;  /* a pass let writes go on; set in the main thread */
	LactdStoreCheckedFunc func;
	gpointer user_data;
	gint64 started_us;
};

static void
check_clear(gpointer data)
{
	LactdStoreCheck *c = data;

	g_mutex_clear(&c->lock);
	g_cond_clear(&c->cond);
	g_free(c->path);
	g_free(c->problem);
}

static void
check_release(gpointer data)
{
	g_rc_box_release_full(data, check_clear);
}

static guint
test_delay_ms(void)
{
	const char *text = g_getenv("LACTD_TEST_CHECK_DELAY_MS");
	guint64 ms = 0;

	if (text == NULL || !g_ascii_string_to_unsigned(text, 10, 0, 600000, &ms, NULL))
		return 0;
	return (guint)ms;
}

static void
check_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	LactdStoreCheck *c = task_data;
	LactdStoreHealth health;
	g_autofree char *problem = NULL;
	sqlite3 *db = NULL;
	int rc;

	if (c->delay_ms > 0)
		g_usleep((gulong)c->delay_ms * 1000);
	rc = sqlite3_open_v2(c->path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_busy_timeout(db, 5000);
	if (rc == SQLITE_OK) {
		health = lactd_store_check_integrity(db, &problem);
	} else {
		/* Not the check's verdict: the main connection decides. */
		health = LACTD_STORE_DB_UNUSABLE;
		problem = g_strdup_printf("the check could not open it: %s",
					  db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
	}
	if (db != NULL)
		lactd_store_close_db(db);
	g_mutex_lock(&c->lock);
	c->health = health;
	c->problem = g_steal_pointer(&problem);
	c->done = TRUE;
	g_cond_broadcast(&c->cond);
	g_mutex_unlock(&c->lock);
	g_task_return_boolean(task, TRUE);
}

static void
wait_done(LactdStoreCheck *c)
{
	g_mutex_lock(&c->lock);
	while (!c->done)
		g_cond_wait(&c->cond, &c->lock);
	g_mutex_unlock(&c->lock);
}

/* The file passed: writes may go to it. FALSE when the connection would
 * not leave query_only (then writes keep failing, with that error). */
static gboolean
apply_pass(LactdStore *store, GError **error)
{
	LactdStoreCheck *c = store->check;

	if (c->applied)
		return TRUE;
	if (!lactd_store_exec(store->db, "PRAGMA query_only=0", error))
		return FALSE;
	c->applied = TRUE;
	g_debug("database %s checked in %" G_GINT64_FORMAT " ms", store->path,
		(g_get_monotonic_time() - c->started_us) / 1000);
	return lactd_store_close_cut_off(store, error);
}

static void
check_answered(GObject *source, GAsyncResult *res, gpointer user_data)
{
	LactdStoreCheck *c = g_task_get_task_data(G_TASK(res));
	LactdStore *store = c->store;
	g_autoptr(GError) local = NULL;

	if (store == NULL)
		return;
	if (c->health == LACTD_STORE_DB_OK && !apply_pass(store, &local))
		g_message("database %s: %s", store->path, local->message);
	/* The answer is applied: the store no longer waits on it. */
	c->store = NULL;
	store->check = NULL;
	if (c->health != LACTD_STORE_DB_OK)
		lactd_store_reopen_unchecked(store, c->problem);
	if (c->func != NULL)
		c->func(store, c->user_data);
	check_release(c);
}

void
lactd_store_check_start(LactdStore *store, LactdStoreCheckedFunc func, gpointer user_data)
{
	g_autoptr(GError) local = NULL;
	LactdStoreCheck *c;

	g_return_if_fail(store->check == NULL);
	/* The net under every write path: SQLite itself refuses writes. */
	if (!lactd_store_exec(store->db, "PRAGMA query_only=1", &local)) {
		g_message("database %s: %s; checked before going on", store->path,
			  local->message);
		lactd_store_reopen_unchecked(store, local->message);
		if (func != NULL)
			func(store, user_data);
		return;
	}
	c = g_rc_box_new0(LactdStoreCheck);
	g_mutex_init(&c->lock);
	g_cond_init(&c->cond);
	c->path = g_strdup(store->path);
	c->delay_ms = test_delay_ms();
	c->store = store;
	c->func = func;
	c->user_data = user_data;
	store->check = c;
}

/* Starts the worker, once. */
static void
launch(LactdStoreCheck *c)
{
	GTask *task;

	if (c->launched)
		return;
	c->launched = TRUE;
	c->started_us = g_get_monotonic_time();
	/* One reference for the store, one for the worker's task. */
	task = g_task_new(NULL, NULL, check_answered, NULL);
	g_task_set_source_tag(task, lactd_store_run_check);
	g_task_set_task_data(task, g_rc_box_acquire(c), check_release);
	g_task_run_in_thread(task, check_thread);
	g_object_unref(task);
}

void
lactd_store_run_check(LactdStore *store)
{
	if (store->check != NULL)
		launch(store->check);
}

gboolean
lactd_store_is_checking(LactdStore *store)
{
	return store->check != NULL && !store->check->applied;
}

gboolean
lactd_store_check_wait(LactdStore *store, GError **error)
{
	LactdStoreCheck *c = store->check;

	if (c == NULL || c->applied)
		return TRUE;
	/* A write before the caller started it: the check starts now. */
	launch(c);
	wait_done(c);
	if (c->health == LACTD_STORE_DB_OK)
		return apply_pass(store, error);
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
		    "database %s: the check after start found %s; nothing was written, and the "
		    "file is being dealt with (see StorageState): try again",
		    store->path, c->problem);
	return FALSE;
}

void
lactd_store_check_free(LactdStore *store)
{
	LactdStoreCheck *c = g_steal_pointer(&store->check);

	if (c == NULL)
		return;
	if (c->launched)
		wait_done(c);
	c->store = NULL;
	check_release(c);
}
