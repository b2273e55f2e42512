/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Storage faults against the real daemon on a private bus: a damaged
 * database (truncated, overwritten in the middle, a text file, read-only,
 * in a folder lactd cannot write), one locked by another process, two
 * set-asides in a row, and a full disk (a small tmpfs). In every case lactd
 * starts and stays up, StorageState says what is wrong, the file is moved
 * aside byte-identical or left untouched, and nothing acknowledged is lost;
 * a session captured while the disk is full is stored whole once space
 * is back.
 * Each test prints its figure.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "lactd-test.h"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	char *dir; /* the database's folder */
	char *db;
	gboolean mounted; /* a tmpfs on dir, unmounted in any case */
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
	if (f->mounted)
		(void)umount2(f->dir, MNT_DETACH);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
	g_free(f->dir);
	g_free(f->db);
}

static GVariant *
session_dict(guint i)
{
	GVariantBuilder b;
	gint64 start = (gint64)1767225600 * G_USEC_PER_SEC + (gint64)i * 3 * 3600 * G_USEC_PER_SEC;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("pump"));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(start + 20 * 60 * G_USEC_PER_SEC));
	g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(10.0 + i % 50));
	g_variant_builder_add(&b, "{sv}", "right_ml", g_variant_new_double(5.5 + i % 40));
	return g_variant_builder_end(&b);
}

/* AddSession: the id, or 0 with @error set. */
static guint64
add_session(GDBusConnection *c, guint i, const char *note, GError **error)
{
	GVariant *dict = session_dict(i);
	g_autoptr(GVariant) reply = NULL;
	guint64 id = 0;

	if (note != NULL) {
		GVariantDict d;
		g_variant_dict_init(&d, dict);
		g_variant_dict_insert(&d, "note", "s", note);
		dict = g_variant_dict_end(&d);
	}
	reply = lactd_test_call(c, "AddSession", g_variant_new("(@a{sv})", dict), "(t)", error);
	if (reply != NULL)
		g_variant_get(reply, "(t)", &id);
	return id;
}

static guint
count_sessions(GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	return (guint)g_variant_n_children(list);
}

static char *
storage_state(GDBusConnection *c)
{
	g_autoptr(GVariant) v = lactd_test_get_property(c, "org.lactd", "/org/lactd",
							"org.lactd.Manager1", "StorageState");

	g_assert_nonnull(v);
	return g_variant_dup_string(v, NULL);
}

/* A database with n sessions, written by lactd and closed cleanly. */
static void
make_db(Fixture *f, guint n)
{
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(f->bus, f->db, NULL);

	for (guint i = 0; i < n; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, i, "a note long enough to fill a few pages of the "
						      "database file, so that damage lands in data",
					     &error),
				 >, 0);
		g_assert_no_error(error);
	}
	lactd_test_daemon_stop(daemon);
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

/* A small tmpfs on the database's folder; FALSE (the test skipped) when
 * it cannot be mounted. */
static gboolean
mount_small(Fixture *f, const char *options)
{
	if (mount("tmpfs", f->dir, "tmpfs", 0, options) != 0) {
		g_autofree char *why =
		    g_strdup_printf("cannot mount a small tmpfs (%s): needs root", g_strerror(errno));
		g_test_skip(why);
		return FALSE;
	}
	f->mounted = TRUE;
	return TRUE;
}

/* A full disk: the database on a small tmpfs filled up. */
static void
test_full(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GArray) acked = g_array_new(FALSE, FALSE, sizeof(guint64));
	g_autofree char *filler = g_build_filename(f->dir, "filler", NULL);
	g_autofree char *state = NULL;
	g_autofree char *state_after = NULL;
	g_autofree char *note = g_strnfill(1500, 'n');
	struct statvfs vfs;
	guint refused = 0;
	int fd;

	if (!mount_small(f, "size=2m,mode=0700"))
		return;
	daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, i, NULL, &error);
		g_assert_no_error(error);
		g_array_append_val(acked, id);
	}
	/* Leave ~96 KiB: a few dozen more sessions, then full. */
	g_assert_cmpint(statvfs(f->dir, &vfs), ==, 0);
	fd = g_open(filler, O_WRONLY | O_CREAT, 0600);
	g_assert_cmpint(fd, >=, 0);
	{
		gsize left = (gsize)vfs.f_bavail * vfs.f_frsize;
		gsize want = left > 96 * 1024 ? left - 96 * 1024 : 0;
		g_autofree char *zeros = g_malloc0(65536);
		while (want > 0) {
			gssize n = write(fd, zeros, MIN(want, 65536));
			if (n <= 0)
				break;
			want -= (gsize)n;
		}
	}
	close(fd);

	for (guint i = 5; i < 2000 && refused < 3; i++) {
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, i, note, &error);

		if (id != 0) {
			g_array_append_val(acked, id);
			continue;
		}
		g_autofree char *remote = g_dbus_error_get_remote_error(error);
		g_test_message("refused: %s", error->message);
		g_assert_cmpstr(remote, ==, "org.lactd.Error.Storage");
		refused++;
	}
	g_assert_cmpuint(refused, ==, 3);
	state = storage_state(f->c);
	g_test_message("full: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: "));
	/* Still up and answering. */
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);

	/* Space returns: writes succeed, StorageState is ok, nothing lost. */
	g_assert_cmpint(g_unlink(filler), ==, 0);
	{
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, 2500, note, &error);
		g_assert_no_error(error);
		g_array_append_val(acked, id);
	}
	state_after = storage_state(f->c);
	g_assert_cmpstr(state_after, ==, "ok");
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);
	lactd_test_daemon_kill(daemon);
	again = lactd_test_daemon_start(f->bus, f->db, NULL);
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);
	lactd_test_daemon_stop(again);
	g_assert_cmpint(umount(f->dir), ==, 0);
	f->mounted = FALSE;
	printf("# full disk: %u acknowledged, 0 lost, %u writes refused with "
	       "org.lactd.Error.Storage, StorageState ok again without a restart\n",
	       acked->len, refused);
}

/* A pump session captured while the disk is full: every write is refused,
 * StorageState says readings are kept in memory, and once space is back
 * the next write stores the session whole (every sample, the final
 * volumes), with the sessions stored before intact, across a restart. */
#define PUMP "C0:FF:EE:00:00:01"
#define FULL_PUMP_CONF(start_at)                                                                  \
	LACTD_TEST_ADAPTER_CONF LACTD_TEST_OPP_PUMP_CONF(PUMP) "phases=stimulation:60;"           \
							       "expression:540;idle\n"            \
							       "start_at=" start_at "\n"           \
							       "left_ml=71.5\n"                    \
							       "right_ml=60.0\n\n"
/* The pump's session begins 10 s after lactd connects (at 40x): after the
 * disk is full, for /faults/storage/full-start. */
static const char *const full_pump_conf[] = {FULL_PUMP_CONF("1"), FULL_PUMP_CONF("400")};

typedef struct {
	GDBusConnection *c;
	guint sessions; /* the pump's sessions listed */
	guint64 id;	/* the pump's session, 0 until seen */
	gsize samples;	/* its samples when last read */
	double max_step_ml; /* the largest rise of a side between two samples */
	double left, right; /* the last sample's volumes */
	guint after_gap;    /* samples after the longest pause between two */
	gboolean finished;
} FullPump;

/* Finds the pump's session and reads its samples. */
static gboolean
read_pump(FullPump *p)
{
	g_autoptr(GVariant) r = lactd_test_call(p->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", NULL);
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) got = NULL;
	g_autoptr(GVariant) samples = NULL;
	GVariantIter iter;
	GVariant *s;
	gint64 t, prev_t = 0, gap = 0;
	double l, rr, prev_l = 0, prev_r = 0;

	if (r == NULL)
		return FALSE;
	list = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, list);
	p->sessions = 0;
	while ((s = g_variant_iter_next_value(&iter)) != NULL) {
		const char *device = NULL;
		if (g_variant_lookup(s, "device", "&s", &device) && g_str_equal(device, PUMP) &&
		    ++p->sessions == 1)
			g_variant_lookup(s, "id", "t", &p->id);
		g_variant_unref(s);
	}
	if (p->id == 0)
		return FALSE;
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(p->c, "GetSession", g_variant_new("(t)", p->id), "(a{sv})", NULL);
	if (r == NULL)
		return FALSE;
	got = g_variant_get_child_value(r, 0);
	samples = g_variant_lookup_value(got, "samples", G_VARIANT_TYPE("a(xdd)"));
	p->samples = samples != NULL ? g_variant_n_children(samples) : 0;
	p->max_step_ml = 0;
	p->after_gap = 0;
	if (samples == NULL)
		return TRUE;
	g_variant_iter_init(&iter, samples);
	while (g_variant_iter_next(&iter, "(xdd)", &t, &l, &rr)) {
		/* The pump sends a measurement when a side moved 0.5 mL: a
		 * lost one shows as a rise of about twice that. */
		p->max_step_ml = MAX(p->max_step_ml, MAX(l - prev_l, rr - prev_r));
		if (prev_t != 0 && t - prev_t > gap) {
			gap = t - prev_t;
			p->after_gap = 0;
		}
		p->after_gap++;
		prev_t = t;
		prev_l = l;
		prev_r = rr;
		p->left = l;
		p->right = rr;
	}
	return TRUE;
}

static gboolean
pump_under_way(gpointer user_data)
{
	FullPump *p = user_data;

	return read_pump(p) && p->samples >= 30;
}

static gboolean
readings_kept(gpointer user_data)
{
	FullPump *p = user_data;
	g_autofree char *state = storage_state(p->c);

	return p->finished && strstr(state, "kept in memory") != NULL;
}

static void
fill_disk(const char *path)
{
	g_autofree char *zeros = g_malloc0(65536);
	int fd = g_open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	g_assert_cmpint(fd, >=, 0);
	while (write(fd, zeros, 65536) > 0)
		;
	/* The last pieces that a 64 KiB write could not take. */
	while (write(fd, zeros, 512) > 0)
		;
	close(fd);
}

static gboolean
kept_in_memory(gpointer user_data)
{
	g_autofree char *state = storage_state(user_data);

	return strstr(state, "kept in memory") != NULL;
}

/* @data bit 0: the disk is full before the pump's session begins, so that
 * even its start is kept in memory (lactd-store-pending.c); with the
 * queue's bound set to 1 (LACTD_STORE_PENDING_MAX) these variants fail,
 * as every sample after the first kept entry is dropped. Bit 1: while the
 * disk is full the link drops for longer than DisconnectGrace, so the
 * session is closed as interrupted and resumed while still in memory: one
 * session, its record's volumes (the samples during the drop are lost on
 * air, not by lactd). */
static void
test_full_capture(Fixture *f, gconstpointer data)
{
	gboolean late = GPOINTER_TO_INT(data) & 1, drop = GPOINTER_TO_INT(data) & 2;
	g_autoptr(LactdTestFake) fake = NULL;
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autofree char *filler = g_build_filename(f->dir, "filler", NULL);
	g_autofree char *state = NULL;
	FullPump p = {.c = f->c};
	gsize seen_full;
	guint sub;

	if (!mount_small(f, "size=4m,mode=0700"))
		return;
	sub = lactd_test_watch_finished(f->c, &p.finished);
	fake = lactd_test_fake_start(f->bus, full_pump_conf[late], "40");
	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(f->bus, f->db,
					 drop ? "[Capture]\nDisconnectGrace=1\nReconnectMin=100\n" : NULL);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, i, NULL, &error), !=, 0);
		g_assert_no_error(error);
	}
	if (!late)
		g_assert_true(lactd_test_wait_for(pump_under_way, &p, 30000));
	fill_disk(filler);
	/* Late: the session must not have begun before the disk was full. */
	g_assert_true(!late || !read_pump(&p));
	if (drop) {
		g_assert_true(lactd_test_wait_for(kept_in_memory, f->c, 30000));
		lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", PUMP, (guint32)3));
	}
	g_assert_true(lactd_test_wait_for(readings_kept, &p, 60000));
	state = storage_state(f->c);
	g_test_message("full: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: "));
	/* Nothing is shown that is not durable: a session begun while the
	 * disk is full is not listed until it is written. */
	g_assert_true(late ? !read_pump(&p) : read_pump(&p));
	seen_full = p.samples;

	/* Space again: the next write takes what was kept first. */
	g_assert_cmpint(g_unlink(filler), ==, 0);
	{
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, 10, NULL, &error), !=, 0);
		g_assert_no_error(error);
	}
	g_clear_pointer(&state, g_free);
	state = storage_state(f->c);
	g_assert_cmpstr(state, ==, "ok");
	g_assert_true(read_pump(&p));
	g_test_message("%" G_GSIZE_FORMAT " samples while full, %" G_GSIZE_FORMAT
		       " after, largest rise %.1f mL, last %.1f/%.1f mL, %u after the longest pause",
		       seen_full, p.samples, p.max_step_ml, p.left, p.right, p.after_gap);
	g_assert_cmpuint(p.samples, >, seen_full);
	g_assert_cmpuint(p.sessions, ==, 1);
	g_assert_true(drop || p.max_step_ml < 0.75);
	/* Captured again after the drop, while the disk was still full. */
	g_assert_true(!drop || p.after_gap >= 5);
	g_assert_cmpfloat(p.left, ==, 71.5);
	g_assert_cmpfloat(p.right, ==, 60.0);
	lactd_test_daemon_stop(daemon);
	g_clear_pointer(&daemon, lactd_test_daemon_free);

	/* Durable: the same after a restart, with what was stored before. */
	{
		gsize before_restart = p.samples;
		again = lactd_test_daemon_start(f->bus, f->db, NULL);
		g_assert_cmpuint(count_sessions(f->c), ==, 5);
		g_assert_true(read_pump(&p));
		g_assert_cmpuint(p.samples, ==, before_restart);
		lactd_test_daemon_stop(again);
	}
	g_dbus_connection_signal_unsubscribe(f->c, sub);
	g_clear_pointer(&fake, lactd_test_fake_free);
	g_assert_cmpint(umount(f->dir), ==, 0);
	f->mounted = FALSE;
	printf("# full disk during a capture (session begun %s%s): %" G_GSIZE_FORMAT " samples "
	       "stored before the disk filled, %" G_GSIZE_FORMAT " once space was back, 0 lost "
	       "(largest rise %.1f mL), 1 session\n",
	       late ? "after the disk filled" : "before",
	       drop ? ", the link lost 3 s while full" : "", seen_full, p.samples, p.max_step_ml);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/faults/storage/damaged/truncated", test_truncated);
	ADD("/faults/storage/damaged/overwritten", test_scribbled);
	ADD("/faults/storage/damaged/text-file", test_text);
	ADD("/faults/storage/damaged/read-only", test_read_only);
	ADD("/faults/storage/damaged/dir-unwritable", test_dir_unwritable);
	ADD("/faults/storage/damaged/dir-unwritable-damaged", test_dir_unwritable_damaged);
	ADD("/faults/storage/aside-twice", test_aside_twice);
	ADD("/faults/storage/locked", test_locked);
	ADD("/faults/storage/full", test_full);
	g_test_add("/faults/storage/full-capture", Fixture, GINT_TO_POINTER(0), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-start", Fixture, GINT_TO_POINTER(1), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-drop", Fixture, GINT_TO_POINTER(2), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-start-drop", Fixture, GINT_TO_POINTER(3), setup,
		   test_full_capture, teardown);
	return g_test_run();
}
