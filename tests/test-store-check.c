/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The check after open (lactd_store_open_checking, lactd-store-check.c) on
 * real files: reads are answered while it runs; a write waits for its
 * answer and goes on when the file passed, or is refused (and the file
 * left byte for byte as it was) when it is damaged; the damaged file is
 * then moved aside and a new one answers; a file that needs a migration is
 * checked before it; sessions cut off by the last stop are closed only
 * once the file has passed.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-store.h"
#include "lactd-store-private.h"

#define T0 G_GINT64_CONSTANT(1767225600000000)

typedef struct {
	char *dir;
	char *db;
	guint checked; /* calls of the checked callback */
	gboolean timed_out;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("lactd-store-check-XXXXXX", &error);
	g_assert_no_error(error);
	f->db = g_build_filename(f->dir, "lactd.db", NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = g_dir_open(f->dir, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->db);
}

static void
on_checked(LactdStore *store, gpointer user_data)
{
	((Fixture *)user_data)->checked++;
}

static gboolean
on_timeout(gpointer user_data)
{
	((Fixture *)user_data)->timed_out = TRUE;
	return G_SOURCE_REMOVE;
}

/* Runs the main context until the checked callback has been called. */
static void
wait_checked(Fixture *f)
{
	guint id = g_timeout_add_seconds(30, on_timeout, f);

	while (f->checked == 0 && !f->timed_out)
		g_main_context_iteration(NULL, TRUE);
	g_assert_false(f->timed_out);
	g_source_remove(id);
	g_assert_cmpuint(f->checked, ==, 1);
}

/* n finished sessions with notes that fill pages, and one left live (as a
 * stop would leave it) when @live. */
static void
make_db(Fixture *f, guint n, gboolean live)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autoptr(LactdStore) store = lactd_store_open(f->db, &degraded, &error);

	g_assert_no_error(error);
	g_assert_null(degraded);
	for (guint i = 0; i < n + (live ? 1 : 0); i++) {
		g_autoptr(LactdSession) s = g_new0(LactdSession, 1);

		s->kind = LACTD_SESSION_PUMP;
		s->source = LACTD_SOURCE_MANUAL;
		s->start_us = T0 + (gint64)i * G_TIME_SPAN_HOUR;
		s->end_us = s->start_us + 20 * G_TIME_SPAN_MINUTE;
		s->live = i == n;
		s->note = g_strdup("a note long enough to fill a few pages of the file, so that "
				   "damage lands in data and not in the schema");
		g_assert_true(lactd_store_add_session(store, s, &error));
		g_assert_no_error(error);
	}
}

static guint
count_sessions(LactdStore *store)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) all = lactd_store_list_sessions(store, 0, G_MAXINT64, &error);

	g_assert_no_error(error);
	return all->len;
}

static GBytes *
file_bytes(const char *path)
{
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents(path, &data, &len, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, len);
}

/* Overwrites the last leaf page of the sessions table, leaving the header
 * and the schema readable: only the check finds it. */
static void
damage_data_page(const char *path)
{
	sqlite3 *db = NULL;
	g_autoptr(sqlite3_stmt) st = NULL;
	gint64 page, size;
	guint8 junk[4096];
	int fd;

	g_assert_cmpint(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db,
					   "SELECT max(pageno), (SELECT page_size FROM "
					   "pragma_page_size) FROM dbstat WHERE name = 'sessions' "
					   "AND pagetype = 'leaf'",
					   -1, &st, NULL),
			==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(st), ==, SQLITE_ROW);
	page = sqlite3_column_int64(st, 0);
	size = sqlite3_column_int64(st, 1);
	g_clear_pointer(&st, sqlite3_finalize);
	g_assert_cmpint(sqlite3_close(db), ==, SQLITE_OK);
	g_assert_cmpint(page, >, 2);
	g_assert_cmpint(size, ==, (gint64)sizeof(junk));
	for (gsize i = 0; i < sizeof(junk); i++)
		junk[i] = (guint8)(0xa5 ^ (i * 13));
	fd = g_open(path, O_WRONLY, 0);
	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(pwrite(fd, junk, sizeof(junk), (off_t)((page - 1) * size)), ==,
			(gssize)sizeof(junk));
	close(fd);
}

static void
test_healthy(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *value = NULL;
	g_autoptr(LactdStore) store = NULL;
	g_autoptr(LactdSession) cut = NULL;

	make_db(f, 30, TRUE);
	store = lactd_store_open_checking(f->db, on_checked, f, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);
	g_assert_true(lactd_store_is_checking(store));
	/* Reads while it runs; the cut-off session is not closed yet. */
	g_assert_cmpuint(count_sessions(store), ==, 31);
	cut = lactd_store_get_session(store, 31, &error);
	g_assert_no_error(error);
	g_assert_true(cut->live);
	g_clear_pointer(&cut, lactd_session_free);

	/* A write waits for the answer, then goes on. */
	g_assert_true(lactd_store_set_setting(store, "probe", "written", &error));
	g_assert_no_error(error);
	g_assert_false(lactd_store_is_checking(store));
	cut = lactd_store_get_session(store, 31, &error);
	g_assert_no_error(error);
	g_assert_false(cut->live);
	g_assert_true(cut->interrupted);
	wait_checked(f);
	g_assert_null(lactd_store_get_problem(store));
	value = lactd_store_get_setting(store, "probe", &error);
	g_assert_cmpstr(value, ==, "written");
}

static void
test_damaged(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *problem = NULL;
	g_autoptr(LactdStore) store = NULL;
	g_autoptr(GBytes) damaged = NULL;
	g_autoptr(GBytes) after = NULL;
	g_autoptr(GDir) dir = NULL;
	const char *name;
	guint asides = 0;

	make_db(f, 120, FALSE);
	damage_data_page(f->db);
	damaged = file_bytes(f->db);
	store = lactd_store_open_checking(f->db, on_checked, f, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);
	g_assert_true(lactd_store_is_checking(store));

	/* The write is refused, and nothing reached the file. */
	g_assert_false(lactd_store_set_setting(store, "probe", "written", &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_test_message("refused: %s", error->message);
	g_clear_error(&error);
	after = file_bytes(f->db);
	g_assert_true(g_bytes_equal(after, damaged));

	/* Then, as at a start: moved aside byte-identical, a new file. */
	wait_checked(f);
	problem = lactd_store_get_problem(store);
	g_assert_nonnull(problem);
	g_assert_nonnull(strstr(problem, "moved aside to"));
	g_assert_cmpuint(count_sessions(store), ==, 0);
	g_assert_true(lactd_store_set_setting(store, "probe", "written", &error));
	g_assert_no_error(error);
	dir = g_dir_open(f->dir, 0, NULL);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_autoptr(GBytes) kept = NULL;

		if (strstr(name, ".corrupt-") == NULL || g_str_has_suffix(name, "-wal") ||
		    g_str_has_suffix(name, "-shm"))
			continue;
		kept = file_bytes(p);
		g_assert_true(g_bytes_equal(kept, damaged));
		asides++;
	}
	g_assert_cmpuint(asides, ==, 1);
}

/* A file at an older schema is checked before its migration, at open:
 * nothing is left to check after. */
static void
test_migration(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *src = g_test_build_filename(G_TEST_DIST, "tests", "data", "store-v4.db", NULL);
	g_autofree char *bytes = NULL;
	g_autoptr(LactdStore) store = NULL;
	gsize len;

	g_assert_true(g_file_get_contents(src, &bytes, &len, &error));
	g_assert_true(g_file_set_contents_full(f->db, bytes, (gssize)len, G_FILE_SET_CONTENTS_NONE,
					       0600, &error));
	store = lactd_store_open_checking(f->db, on_checked, f, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);
	g_assert_false(lactd_store_is_checking(store));
	g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
	g_assert_true(lactd_store_set_setting(store, "probe", "written", &error));
	g_assert_no_error(error);
	g_assert_cmpuint(f->checked, ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/store/check/healthy-write-waits", test_healthy);
	ADD("/store/check/damaged-write-refused", test_damaged);
	ADD("/store/check/migration-checked-first", test_migration);
	return g_test_run();
}
