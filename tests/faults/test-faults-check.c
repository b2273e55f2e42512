/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes sent while lactd checks its database after start (PRAGMA
 * quick_check in a worker thread, daemon/store/lactd-store-check.c), on the
 * real daemon on a private bus. LACTD_TEST_CHECK_DELAY_MS (test-only)
 * makes the check wait before it runs, so that the calls land in that
 * window every time; the daemon's log says how many calls it held.
 *  - a healthy file: the write is held, then stored, and is there after a
 *    restart;
 *  - a file damaged where only the check sees it: the write is never
 *    acknowledged and then dropped. It is stored in the new database, or
 *    refused with org.lactd.Error.Storage; the damaged file is moved aside
 *    byte-identical, so that nothing was written to it.
 * Each test prints its figure.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "lactd-test.h"

/* Long enough for a test's calls to arrive inside the window, even with
 * the machine loaded; not a figure that anything is timed against. */
#define CHECK_DELAY_MS 3000

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	char *dir;
	char *db;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->dir = g_build_filename(lactd_test_bus_tmpdir(f->bus), "state", NULL);
	g_assert_cmpint(g_mkdir(f->dir, 0700), ==, 0);
	f->db = g_build_filename(f->dir, "lactd.db", NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
	g_free(f->dir);
	g_free(f->db);
}

static guint64
add_session(GDBusConnection *c, guint i, const char *note, GError **error)
{
	gint64 start = (gint64)1767225600 * G_USEC_PER_SEC + (gint64)i * 3 * 3600 * G_USEC_PER_SEC;
	GVariantBuilder b;
	g_autoptr(GVariant) reply = NULL;
	guint64 id = 0;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("pump"));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(start + 20 * 60 * G_USEC_PER_SEC));
	g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(10.0 + i % 50));
	g_variant_builder_add(&b, "{sv}", "right_ml", g_variant_new_double(5.5 + i % 40));
	g_variant_builder_add(&b, "{sv}", "note", g_variant_new_string(note));
	reply = lactd_test_call(c, "AddSession", g_variant_new("(@a{sv})", g_variant_builder_end(&b)),
				"(t)", error);
	if (reply != NULL)
		g_variant_get(reply, "(t)", &id);
	return id;
}

/* How many stored sessions carry @note. */
static guint
count_notes(GDBusConnection *c, const char *note)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;
	guint n = 0;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		const char *text = NULL;

		if (g_variant_lookup(s, "note", "&s", &text) && g_str_equal(text, note))
			n++;
	}
	return n;
}

static char *
storage_state(GDBusConnection *c)
{
	g_autoptr(GVariant) v = lactd_test_get_property(c, "org.lactd", "/org/lactd",
							"org.lactd.Manager1", "StorageState");

	g_assert_nonnull(v);
	return g_variant_dup_string(v, NULL);
}

static gboolean
checked(gpointer user_data)
{
	g_autofree char *state = storage_state(user_data);

	return !g_str_has_prefix(state, "checking");
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

static gboolean
log_has(LactdTestDaemon *daemon, const char *text)
{
	g_autoptr(GBytes) log = file_bytes(lactd_test_daemon_log_path(daemon));

	return g_strstr_len(g_bytes_get_data(log, NULL), (gssize)g_bytes_get_size(log), text) !=
	       NULL;
}

/* A database with n sessions, written by lactd and closed cleanly. */
static void
make_db(Fixture *f, guint n)
{
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(f->bus, f->db, NULL);

	for (guint i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, i, "a note long enough to fill a few pages of "
						      "the database file, so that damage lands in "
						      "data and not in the schema",
					     &error),
				 >, 0);
		g_assert_no_error(error);
	}
	lactd_test_daemon_stop(daemon);
}

/* Overwrites the last leaf page of the sessions table: the header and the
 * schema stay readable, so lactd opens the file and only the check finds
 * the damage. */
static void
damage_data_page(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	gint64 page = 0, size = 0;
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
	sqlite3_finalize(st);
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

/* The set-aside path named in a StorageState. */
static char *
aside_path(const char *state)
{
	const char *p = strstr(state, "moved aside to ");
	const char *end;

	g_assert_nonnull(p);
	p += strlen("moved aside to ");
	end = strchr(p, ';');
	g_assert_nonnull(end);
	return g_strndup(p, (gsize)(end - p));
}

/* Starts lactd with the check slowed, and asserts that it runs. */
static LactdTestDaemon *
start_checking(Fixture *f)
{
	LactdTestDaemon *daemon;
	g_autofree char *state = NULL;

	daemon = lactd_test_daemon_start_checking(f->bus, f->db, NULL, CHECK_DELAY_MS);
	state = storage_state(f->c);
	g_test_message("while checking: %s", state);
	g_assert_true(g_str_has_prefix(state, "checking"));
	return daemon;
}

static void
test_healthy(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	guint64 id;

	make_db(f, 10);
	daemon = start_checking(f);
	/* Reads are answered while the check runs. */
	g_assert_cmpuint(count_notes(f->c, "sent while checking"), ==, 0);
	id = add_session(f->c, 20, "sent while checking", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(id, >, 0);
	g_assert_true(log_has(daemon, "1 write call(s) held meanwhile go on"));
	state = storage_state(f->c);
	g_assert_cmpstr(state, ==, "ok");
	g_assert_cmpuint(count_notes(f->c, "sent while checking"), ==, 1);
	lactd_test_daemon_stop(daemon);

	again = lactd_test_daemon_start(f->bus, f->db, NULL);
	g_assert_cmpuint(count_notes(f->c, "sent while checking"), ==, 1);
	lactd_test_daemon_stop(again);
	printf("# write during the check of a healthy file: held, stored (id %" G_GUINT64_FORMAT
	       "), still there after a restart\n",
	       id);
}

static void
test_damaged(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) damaged = NULL;
	g_autoptr(GBytes) kept = NULL;
	g_autofree char *state = NULL;
	g_autofree char *aside = NULL;
	guint64 id;
	guint stored;

	make_db(f, 40);
	damage_data_page(f->db);
	damaged = file_bytes(f->db);
	daemon = start_checking(f);
	id = add_session(f->c, 50, "sent while checking", &error);
	g_assert_true(lactd_test_wait_for(checked, f->c, 60000));
	state = storage_state(f->c);
	g_test_message("after the check: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: database damaged"));
	aside = aside_path(state);
	kept = file_bytes(aside);
	/* Nothing was written to the damaged file. */
	g_assert_true(g_bytes_equal(kept, damaged));
	g_assert_true(log_has(daemon, aside));
	stored = count_notes(f->c, "sent while checking");
	if (id > 0) {
		/* Acknowledged: then it is in the new database. */
		g_assert_no_error(error);
		g_assert_cmpuint(stored, ==, 1);
	} else {
		g_autofree char *remote = g_dbus_error_get_remote_error(error);

		g_assert_cmpstr(remote, ==, "org.lactd.Error.Storage");
		g_assert_cmpuint(stored, ==, 0);
	}
	lactd_test_daemon_stop(daemon);

	again = lactd_test_daemon_start(f->bus, f->db, NULL);
	g_assert_cmpuint(count_notes(f->c, "sent while checking"), ==, stored);
	lactd_test_daemon_stop(again);
	printf("# write during the check of a damaged file: %s; damaged file moved aside "
	       "byte-identical (%zu bytes)\n",
	       id > 0 ? "stored in the new database" : "refused with org.lactd.Error.Storage",
	       g_bytes_get_size(damaged));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/faults/storage/check/healthy-write", test_healthy);
	ADD("/faults/storage/check/damaged-write", test_damaged);
	return g_test_run();
}
