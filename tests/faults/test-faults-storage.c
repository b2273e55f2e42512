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
 *
 * This file: the fixture, the helpers the cases share, and main(); the
 * cases are in test-faults-storage-damaged.c and test-faults-storage-full.c.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <sys/mount.h>

#include "test-faults-storage.h"

void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->dir = g_build_filename(lactd_test_bus_tmpdir(f->bus), "state", NULL);
	g_assert_cmpint(g_mkdir(f->dir, 0700), ==, 0);
	f->db = g_build_filename(f->dir, "lactd.db", NULL);
}

void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->c);
	if (f->mounted)
		(void)umount2(f->dir, MNT_DETACH);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
	g_free(f->dir);
	g_free(f->db);
}

GVariant *
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
guint64
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

guint
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

char *
storage_state(GDBusConnection *c)
{
	g_autoptr(GVariant) v = lactd_test_get_property(c, "org.lactd", "/org/lactd",
							"org.lactd.Manager1", "StorageState");

	g_assert_nonnull(v);
	return g_variant_dup_string(v, NULL);
}

/* A database with n sessions, written by lactd and closed cleanly. */
void
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

GBytes *
file_bytes(const char *path)
{
	g_autoptr(GError) error = NULL;
	char *data = NULL;
	gsize len = 0;

	g_file_get_contents(path, &data, &len, &error);
	g_assert_no_error(error);
	return g_bytes_new_take(data, len);
}

gboolean
log_has(LactdTestDaemon *daemon, const char *text)
{
	g_autoptr(GBytes) log = file_bytes(lactd_test_daemon_log_path(daemon));

	return g_strstr_len(g_bytes_get_data(log, NULL), (gssize)g_bytes_get_size(log), text) !=
	       NULL;
}

/* The set-aside path named in a StorageState. */
char *
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

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add_damaged_tests();
	add_full_tests();
	return g_test_run();
}
