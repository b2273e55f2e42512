/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recordings in the store: migration to schema version 2 with data in the
 * older file, round trips, limits, import in one transaction, delete.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-recstore.h"
#include "lactd-store-private.h"
#include "lactd-store.h"

typedef struct {
	char *dir;
	char *path;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("lactd-recstore-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "lactd.db", NULL);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	const char *suffixes[] = {"", "-wal", "-shm"};

	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree char *p = g_strconcat(f->path, suffixes[i], NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->path);
	g_free(f->dir);
}

static LactdStore *
open_store(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	LactdStore *store = lactd_store_open(f->path, &degraded, &error);

	g_assert_no_error(error);
	g_assert_null(degraded);
	return store;
}

static LactdRecEvent *
event(gint64 t, const char *kind, const char *uuid, const char *hex, const char *text)
{
	LactdRecEvent *e = g_new0(LactdRecEvent, 1);

	e->time_us = t;
	e->kind = lactd_rec_kind_intern(kind);
	g_assert_nonnull(e->kind);
	e->uuid = g_strdup(uuid);
	e->handle = uuid != NULL ? 0x0b : 0;
	if (hex != NULL) {
		gsize n = strlen(hex) / 2;
		guint8 *buf = g_malloc(n + 1);

		for (gsize i = 0; i < n; i++)
			buf[i] = (guint8)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
					  g_ascii_xdigit_value(hex[2 * i + 1]));
		e->value = g_bytes_new_take(buf, n);
	}
	e->text = g_strdup(text);
	return e;
}

#define UUID_A "0000fff1-0000-1000-8000-00805f9b34fb"
#define SVC_A "0000fff0-0000-1000-8000-00805f9b34fb"

/* A file at each older version, holding data, is brought to version 2 in
 * place; what it held is kept and the new tables work. */
static void
test_migrate(Fixture *f, gconstpointer data)
{
	for (guint v = 0; v < 2; v++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdStore) store = NULL;
		g_autoptr(GPtrArray) list = NULL;
		g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
		g_autofree char *value = NULL;
		sqlite3 *db = NULL;

		g_unlink(f->path);
		g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
		g_assert_true(lactd_store_migrate(db, v, &error));
		g_assert_no_error(error);
		if (v == 1)
			g_assert_cmpint(sqlite3_exec(db,
						     "INSERT INTO settings (key, value) "
						     "VALUES ('kept', 'yes')",
						     NULL, NULL, NULL),
					==, SQLITE_OK);
		sqlite3_close(db);

		store = open_store(f);
		g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
		value = lactd_store_get_setting(store, "kept", &error);
		g_assert_no_error(error);
		g_assert_cmpstr(value, ==, v == 1 ? "yes" : NULL);
		list = lactd_recstore_list(store, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(list->len, ==, 0);
		info->address = g_strdup("C0:FF:EE:00:00:09");
		info->start_us = 1;
		g_assert_true(lactd_recstore_add(store, info, &error));
		g_assert_no_error(error);
		g_assert_cmpuint(info->id, ==, 1);
	}
}

/* A failing migration leaves the whole older version: nothing half-made. */
static void
test_migrate_atomic(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	sqlite3 *db = NULL;
	LactdStore *store;

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	g_assert_true(lactd_store_migrate(db, 1, &error));
	/* A table in the way of the migration's second CREATE. */
	g_assert_cmpint(sqlite3_exec(db, "CREATE TABLE capture_chars (x)", NULL, NULL, NULL), ==,
			SQLITE_OK);
	sqlite3_close(db);
	store = lactd_store_open(f->path, &degraded, &error);
	g_assert_null(store);
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_assert_nonnull(strstr(error->message, "version 2"));

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	{
		sqlite3_stmt *stmt = NULL;
		g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL), ==,
				SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
		g_assert_cmpint(sqlite3_column_int(stmt, 0), ==, 1);
		sqlite3_finalize(stmt);
		/* The first CREATE of the migration was rolled back too. */
		g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT id FROM captures", -1, &stmt, NULL),
				!=, SQLITE_OK);
		sqlite3_finalize(stmt);
	}
	sqlite3_close(db);
}

static void
test_roundtrip(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(LactdRecInfo) got = NULL;
	g_autoptr(GPtrArray) chars = NULL;
	g_autoptr(GPtrArray) events = NULL;
	g_autoptr(GPtrArray) list = NULL;
	LactdRecChar chr = {.uuid = (char *)UUID_A, .flags = (char *)"read,notify", .handle = 0x0b,
			    .service_uuid = (char *)SVC_A};
	LactdRecChar chr2 = {.uuid = (char *)UUID_A, .flags = (char *)"", .handle = 0, NULL};
	g_autoptr(LactdRecEvent) e1 = event(100, "notify", UUID_A, "01000000", NULL);
	g_autoptr(LactdRecEvent) e2 = event(50, "read", UUID_A, "", NULL);
	g_autoptr(LactdRecEvent) e3 = event(150, "mark", NULL, NULL, "left shows 40 mL");
	LactdRecEvent *e;

	info->address = g_strdup("C0:FF:EE:00:00:09");
	info->name = g_strdup("Counter");
	info->source = g_strdup("lactd");
	info->start_us = 10;
	info->raw = TRUE;
	g_assert_true(lactd_recstore_add(store, info, &error));
	g_assert_no_error(error);
	g_assert_true(lactd_recstore_add_char(store, info->id, &chr, &error));
	g_assert_true(lactd_recstore_add_char(store, info->id, &chr2, &error));
	g_assert_true(lactd_recstore_add_event(store, info->id, e1, &error));
	g_assert_true(lactd_recstore_add_event(store, info->id, e2, &error));
	g_assert_true(lactd_recstore_add_event(store, info->id, e3, &error));
	g_assert_no_error(error);

	got = lactd_recstore_get(store, info->id, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(got->address, ==, "C0:FF:EE:00:00:09");
	g_assert_cmpstr(got->name, ==, "Counter");
	g_assert_cmpint(got->end_us, ==, 0);
	g_assert_true(got->raw);
	g_assert_cmpuint(got->events, ==, 3);

	chars = lactd_recstore_chars(store, info->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(chars->len, ==, 2);
	g_assert_cmpstr(((LactdRecChar *)chars->pdata[0])->flags, ==, "read,notify");
	g_assert_cmpuint(((LactdRecChar *)chars->pdata[0])->handle, ==, 0x0b);
	g_assert_cmpstr(((LactdRecChar *)chars->pdata[0])->service_uuid, ==, SVC_A);
	g_assert_null(((LactdRecChar *)chars->pdata[1])->service_uuid);

	events = lactd_recstore_events(store, info->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(events->len, ==, 3);
	/* By time, whatever the order they were added in. */
	e = events->pdata[0];
	g_assert_cmpint(e->time_us, ==, 50);
	g_assert_cmpstr(e->kind, ==, "read");
	g_assert_nonnull(e->value);
	g_assert_cmpuint(g_bytes_get_size(e->value), ==, 0);
	e = events->pdata[1];
	g_assert_cmpstr(e->kind, ==, "notify");
	g_assert_cmpuint(g_bytes_get_size(e->value), ==, 4);
	g_assert_cmpint(((const guint8 *)g_bytes_get_data(e->value, NULL))[0], ==, 1);
	e = events->pdata[2];
	g_assert_cmpstr(e->kind, ==, "mark");
	g_assert_null(e->value);
	g_assert_null(e->uuid);
	g_assert_cmpstr(e->text, ==, "left shows 40 mL");

	g_assert_true(lactd_recstore_finish(store, info->id, 200, &error));
	g_assert_no_error(error);
	list = lactd_recstore_list(store, &error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpint(((LactdRecInfo *)list->pdata[0])->end_us, ==, 200);

	/* Delete takes its characteristics and events with it. */
	g_assert_true(lactd_recstore_delete(store, info->id, &error));
	g_assert_no_error(error);
	g_assert_false(lactd_recstore_delete(store, info->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_clear_pointer(&events, g_ptr_array_unref);
	events = lactd_recstore_events(store, info->id, &error);
	g_assert_cmpuint(events->len, ==, 0);
	g_assert_null(lactd_recstore_get(store, info->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(lactd_recstore_finish(store, 999, 1, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
}

static void
test_limits(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(LactdRecEvent) big = event(1, "notify", UUID_A, NULL, NULL);
	g_autoptr(LactdRecEvent) max = event(1, "notify", UUID_A, NULL, NULL);
	g_autoptr(LactdRecEvent) mark = event(1, "mark", NULL, NULL, NULL);
	g_autoptr(LactdRecInfo) got = NULL;

	g_assert_true(lactd_recstore_add(store, info, &error));
	big->value = g_bytes_new_take(g_malloc0(LACTD_REC_MAX_VALUE + 1), LACTD_REC_MAX_VALUE + 1);
	max->value = g_bytes_new_take(g_malloc0(LACTD_REC_MAX_VALUE), LACTD_REC_MAX_VALUE);
	g_assert_false(lactd_recstore_add_event(store, info->id, big, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	g_assert_true(lactd_recstore_add_event(store, info->id, max, &error));
	g_assert_no_error(error);
	mark->text = g_strnfill(LACTD_REC_MAX_TEXT + 1, 'x');
	g_assert_false(lactd_recstore_add_event(store, info->id, mark, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	got = lactd_recstore_get(store, info->id, &error);
	g_assert_cmpuint(got->events, ==, 1);
}

/* An import with one bad event stores nothing at all. */
static void
test_import_atomic(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(GPtrArray) chars = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_gatt_char_free);
	g_autoptr(GPtrArray) events =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_event_free);
	g_autoptr(GPtrArray) list = NULL;
	LactdRecChar *c = g_new0(LactdRecChar, 1);
	LactdRecEvent *bad;

	c->uuid = g_strdup(UUID_A);
	g_ptr_array_add(chars, c);
	for (guint i = 0; i < 100; i++)
		g_ptr_array_add(events, event(i, "notify", UUID_A, "0102", NULL));
	bad = event(100, "notify", UUID_A, NULL, NULL);
	bad->value = g_bytes_new_take(g_malloc0(LACTD_REC_MAX_VALUE + 1), LACTD_REC_MAX_VALUE + 1);
	g_ptr_array_add(events, bad);
	info->source = g_strdup("btsnoop-h4");
	g_assert_false(lactd_recstore_import(store, info, chars, events, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	list = lactd_recstore_list(store, &error);
	g_assert_cmpuint(list->len, ==, 0);

	g_ptr_array_remove_index(events, events->len - 1);
	g_assert_true(lactd_recstore_import(store, info, chars, events, &error));
	g_assert_no_error(error);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = lactd_recstore_list(store, &error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpuint(((LactdRecInfo *)list->pdata[0])->events, ==, 100);
	g_assert_cmpstr(((LactdRecInfo *)list->pdata[0])->source, ==, "btsnoop-h4");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/recstore/migrate/v0-v1", test_migrate);
	ADD("/recstore/migrate/atomic", test_migrate_atomic);
	ADD("/recstore/roundtrip", test_roundtrip);
	ADD("/recstore/limits", test_limits);
	ADD("/recstore/import-atomic", test_import_atomic);
	return g_test_run();
}
