/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Storage faults: a damaged database (truncated, overwritten in the middle,
 * a text file) moved aside, one lactd cannot use (read-only, in a folder it
 * cannot write), two set-asides in a row, and a database locked by another
 * process.
 */
#include "config.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "test-faults-storage.h"

typedef void (*DamageFunc)(const char *path);

static void
damage_truncate(const char *path)
{
	struct stat st;

	g_assert_cmpint(g_stat(path, &st), ==, 0);
	g_assert_cmpint(truncate(path, st.st_size / 2 + 100), ==, 0);
}

static void
damage_scribble(const char *path)
{
	struct stat st;
	int fd = g_open(path, O_WRONLY, 0);
	g_autofree guint8 *junk = NULL;
	gsize len;

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(fstat(fd, &st), ==, 0);
	/* Everything after the first page, up to the last one. */
	len = (gsize)st.st_size - 8192;
	junk = g_malloc(len);
	for (gsize i = 0; i < len; i++)
		junk[i] = (guint8)(0x5a ^ (i * 31));
	g_assert_cmpint(pwrite(fd, junk, len, 4096), ==, (gssize)len);
	close(fd);
}

static void
damage_text(const char *path)
{
	g_autoptr(GError) error = NULL;

	g_file_set_contents(path, "this is not a database\nbut notes someone kept\n", -1, &error);
	g_assert_no_error(error);
}

/* Damaged: moved aside byte-identical, a new database serves, the log says
 * where the file is, and StorageState keeps saying so after a restart until
 * the marker is removed. */
static void
check_set_aside(Fixture *f, const char *what, guint sessions, DamageFunc damage)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(LactdTestDaemon) cleared = NULL;
	g_autoptr(GBytes) damaged = NULL;
	g_autoptr(GBytes) kept = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	g_autofree char *state2 = NULL;
	g_autofree char *state3 = NULL;
	g_autofree char *aside = NULL;
	g_autofree char *marker = g_strconcat(f->db, ".set-aside", NULL);

	if (sessions > 0)
		make_db(f, sessions);
	damage(f->db);
	damaged = file_bytes(f->db);

	daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
	state = storage_state(f->c);
	g_test_message("%s: %s", what, state);
	g_assert_true(g_str_has_prefix(state, "degraded: database damaged"));
	aside = aside_path(state);
	kept = file_bytes(aside);
	g_assert_true(g_bytes_equal(kept, damaged));
	g_assert_true(log_has(daemon, aside));
	/* A new database answers and stores. */
	g_assert_cmpuint(count_sessions(f->c), ==, 0);
	g_assert_cmpuint(add_session(f->c, 1, NULL, &error), >, 0);
	g_assert_no_error(error);
	lactd_test_daemon_stop(daemon);

	/* After a restart, the user is still told. */
	again = lactd_test_daemon_start(f->bus, f->db, NULL);
	state2 = storage_state(f->c);
	g_assert_true(g_str_has_prefix(state2, "degraded: "));
	g_assert_nonnull(strstr(state2, aside));
	g_assert_cmpuint(count_sessions(f->c), ==, 1);
	lactd_test_daemon_stop(again);

	/* The user has dealt with it and removed the marker. */
	g_assert_cmpint(g_unlink(marker), ==, 0);
	cleared = lactd_test_daemon_start(f->bus, f->db, NULL);
	state3 = storage_state(f->c);
	g_assert_cmpstr(state3, ==, "ok");
	lactd_test_daemon_stop(cleared);
	g_assert_true(g_file_test(aside, G_FILE_TEST_EXISTS));
	printf("# damaged database, %s: lactd up, moved aside byte-identical (%zu bytes), "
	       "still reported after a restart\n",
	       what, g_bytes_get_size(damaged));
}

static void
test_truncated(Fixture *f, gconstpointer data)
{
	check_set_aside(f, "truncated", 40, damage_truncate);
}

static void
test_scribbled(Fixture *f, gconstpointer data)
{
	check_set_aside(f, "overwritten in the middle", 40, damage_scribble);
}

static void
test_text(Fixture *f, gconstpointer data)
{
	check_set_aside(f, "a text file", 0, damage_text);
}

/* Makes a path unchangeable even for root (chattr +i), or by mode for
 * others; FALSE after g_test_skip when it cannot. */
static gboolean
freeze(const char *path, gboolean freeze_it, gboolean is_dir)
{
	if (getuid() == 0) {
		g_autofree char *chattr = g_find_program_in_path("chattr");
		const char *argv[] = {chattr, freeze_it ? "+i" : "-i", path, NULL};
		g_autofree char *out = NULL;
		g_autofree char *err = NULL;

		if (chattr == NULL || lactd_test_run(argv, &out, &err) != 0) {
			if (freeze_it)
				g_test_skip("running as root, and chattr +i failed (file system "
					    "without the immutable flag, or no chattr): root "
					    "bypasses file modes");
			return FALSE;
		}
		return TRUE;
	}
	return g_chmod(path, freeze_it ? (is_dir ? 0500 : 0400) : (is_dir ? 0700 : 0600)) == 0;
}

/* Read-only file, or an unwritable folder: not damage. Left untouched,
 * lactd up, writes refused with org.lactd.Error.Storage, StorageState says
 * what is wrong. */
static void
check_unusable(Fixture *f, const char *what, const char *frozen, gboolean is_dir,
	       DamageFunc damage, const char *expect)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GBytes) before = NULL;
	g_autoptr(GBytes) after = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	g_autofree char *state2 = NULL;
	g_autofree char *remote = NULL;
	guint64 id;
	gboolean logged;

	make_db(f, 10);
	if (damage != NULL)
		damage(f->db);
	before = file_bytes(f->db);
	if (!freeze(frozen, TRUE, is_dir))
		return;
	daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
	state = storage_state(f->c);
	id = add_session(f->c, 99, NULL, &error);
	logged = log_has(daemon, f->db);
	lactd_test_daemon_stop(daemon);
	g_assert_true(freeze(frozen, FALSE, is_dir));

	g_test_message("%s: %s", what, state);
	g_assert_true(g_str_has_prefix(state, "degraded: "));
	g_assert_nonnull(strstr(state, expect));
	g_assert_nonnull(strstr(state, "left untouched"));
	g_assert_null(strstr(state, "moved aside to"));
	g_assert_cmpuint(id, ==, 0);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.Storage");
	g_assert_true(logged);
	after = file_bytes(f->db);
	g_assert_true(g_bytes_equal(before, after));

	/* Fixed by the user: everything is there again. */
	if (damage == NULL) {
		again = lactd_test_daemon_start(f->bus, f->db, NULL);
		state2 = storage_state(f->c);
		g_assert_cmpstr(state2, ==, "ok");
		g_assert_cmpuint(count_sessions(f->c), ==, 10);
		lactd_test_daemon_stop(again);
	}
	printf("# damaged database, %s: lactd up, file left untouched, writes refused with "
	       "org.lactd.Error.Storage\n",
	       what);
}

static void
test_read_only(Fixture *f, gconstpointer data)
{
	check_unusable(f, "read-only file", f->db, FALSE, NULL, "cannot be opened");
}

static void
test_dir_unwritable(Fixture *f, gconstpointer data)
{
	check_unusable(f, "unwritable folder", f->dir, TRUE, NULL, "cannot be used");
}

static void
test_dir_unwritable_damaged(Fixture *f, gconstpointer data)
{
	check_unusable(f, "damaged in an unwritable folder", f->dir, TRUE, damage_text,
		       "could not be moved aside");
}

/* Two set-asides within the same second: both kept, under two names. */
static void
test_aside_twice(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;
	guint found = 0;
	const char *texts[] = {"first damaged file\n", "second damaged file\n"};

	for (guint i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdTestDaemon) daemon = NULL;

		g_file_set_contents(f->db, texts[i], -1, &error);
		g_assert_no_error(error);
		daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
		lactd_test_daemon_stop(daemon);
	}
	dir = g_dir_open(f->dir, 0, NULL);
	g_assert_nonnull(dir);
	while ((name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *path = g_build_filename(f->dir, name, NULL);
		g_autofree char *text = NULL;

		if (strstr(name, ".corrupt-") == NULL || g_str_has_suffix(name, "-wal") ||
		    g_str_has_suffix(name, "-shm"))
			continue;
		g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
		g_assert_true(g_str_equal(text, texts[0]) || g_str_equal(text, texts[1]));
		found |= g_str_equal(text, texts[0]) ? 1 : 2;
	}
	g_assert_cmpuint(found, ==, 3);
	printf("# two set-asides in a row: 2 files kept, 0 overwritten\n");
}

/* Another process holds the database's lock: lactd does not take the file
 * for damaged, says it is locked, refuses writes, and serves it whole once
 * the lock goes. */
typedef struct {
	GDBusConnection *c;
} Conn;

static gboolean
state_ok(gpointer user_data)
{
	g_autofree char *state = storage_state(((Conn *)user_data)->c);
	return g_str_equal(state, "ok");
}

static void
test_locked(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *state = NULL;
	g_autofree char *remote = NULL;
	g_autoptr(GDir) dir = NULL;
	const char *name;
	sqlite3 *other = NULL;
	Conn conn = {f->c};
	gint64 t0;

	make_db(f, 12);
	/* The other process: this one, through its own connection. */
	g_assert_cmpint(sqlite3_open(f->db, &other), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(other,
				     "PRAGMA locking_mode=EXCLUSIVE; BEGIN EXCLUSIVE; "
				     "SELECT count(*) FROM sessions;",
				     NULL, NULL, NULL),
			==, SQLITE_OK);

	daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
	state = storage_state(f->c);
	g_test_message("locked: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: database locked by another process"));
	g_assert_cmpuint(add_session(f->c, 50, NULL, &error), ==, 0);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, "org.lactd.Error.Storage");

	/* The lock goes: within a few seconds lactd serves the file whole. */
	t0 = g_get_monotonic_time();
	g_assert_cmpint(sqlite3_exec(other, "COMMIT", NULL, NULL, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_close(other), ==, SQLITE_OK);
	g_assert_true(lactd_test_wait_for(state_ok, &conn, 20000));
	g_assert_cmpuint(count_sessions(f->c), ==, 12);
	g_clear_error(&error);
	g_assert_cmpuint(add_session(f->c, 51, NULL, &error), >, 0);
	g_assert_no_error(error);
	lactd_test_daemon_stop(daemon);

	dir = g_dir_open(f->dir, 0, NULL);
	while ((name = g_dir_read_name(dir)) != NULL)
		g_assert_null(strstr(name, ".corrupt-"));
	printf("# database locked by another process: not moved aside, 12 of 12 sessions "
	       "served %.1f s after the lock went\n",
	       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
}

void
add_damaged_tests(void)
{
	ADD("/faults/storage/damaged/truncated", test_truncated);
	ADD("/faults/storage/damaged/overwritten", test_scribbled);
	ADD("/faults/storage/damaged/text-file", test_text);
	ADD("/faults/storage/damaged/read-only", test_read_only);
	ADD("/faults/storage/damaged/dir-unwritable", test_dir_unwritable);
	ADD("/faults/storage/damaged/dir-unwritable-damaged", test_dir_unwritable_damaged);
	ADD("/faults/storage/aside-twice", test_aside_twice);
	ADD("/faults/storage/locked", test_locked);
}
