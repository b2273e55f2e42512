/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store's migrations: from every older schema, refusing a newer one, and
 * what the steps that change meaning keep (sides at 3, weighed at 8). */
#include "config.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-store-private.h"
#include "lactd-store.h"
#include "store-fixture.h"

static void
test_store_migrate_from_every_version(Fixture *f, gconstpointer data)
{
	/* Build a database at each older version with the migrations up to
	 * it, then let the store bring it to the current one. */
	for (guint v = 0; v < LACTD_STORE_SCHEMA_VERSION; v++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdStore) store = NULL;
		g_autofree char *degraded = NULL;
		sqlite3 *db = NULL;

		g_unlink(f->path);
		g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
		g_assert_true(lactd_store_migrate(db, v, &error));
		g_assert_no_error(error);
		sqlite3_close(db);

		store = lactd_store_open(f->path, &degraded, &error);
		g_assert_no_error(error);
		g_assert_null(degraded);
		g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
		/* The migrated schema works for every table. */
		{
			g_autoptr(LactdSession) s = make_session(1700000000000000, 20, 10, 20);
			g_assert_true(lactd_store_add_session(store, s, &error));
			g_assert_no_error(error);
			g_assert_true(lactd_store_set_setting(store, "k", "v", &error));
		}
		/* Version 6: no index on live_samples, whose every page costs a
		 * write per captured sample. */
		{
			g_autoptr(sqlite3_stmt) stmt = NULL;

			g_assert_cmpint(sqlite3_prepare_v2(lactd_store_get_db(store),
							   "SELECT count(*) FROM sqlite_master WHERE "
							   "type = 'index' AND tbl_name = 'live_samples'",
							   -1, &stmt, NULL),
					==, SQLITE_OK);
			g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
			g_assert_cmpint(sqlite3_column_int(stmt, 0), ==, 0);
		}
	}
}

/* Version 3 keeps which side was measured: rows from version 2 that said
 * "measured" keep both sides, those that did not keep none; every value
 * stays. And it makes the installation's UUID, once, different for each
 * database. */
static void
test_store_migrate_v3_sides(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *other_path = g_build_filename(f->dir, "other.db", NULL);
	g_autofree char *id = NULL, *again = NULL, *other_id = NULL;
	g_autoptr(GRegex) uuid4 = g_regex_new(
	    "^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", 0, 0, NULL);
	sqlite3 *db = NULL;
	LactdStore *store;
	LactdSession *s;

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	g_assert_true(lactd_store_migrate(db, 2, &error));
	g_assert_no_error(error);
	g_assert_cmpint(sqlite3_exec(db,
				     "INSERT INTO sessions (id, kind, source, start_us, end_us, "
				     "left_ml, right_ml, has_volume) VALUES "
				     "(1, 0, 2, 1000, 2000, 10.5, 0, 1), (2, 2, 2, 3000, 4000, 0, 0, 0)",
				     NULL, NULL, NULL),
			==, SQLITE_OK);
	sqlite3_close(db);

	store = lactd_store_open(f->path, &degraded, &error);
	g_assert_no_error(error);
	s = lactd_store_get_session(store, 1, &error);
	g_assert_no_error(error);
	g_assert_true(s->has_volume && s->left_measured && s->right_measured);
	g_assert_cmpfloat(s->left_ml, ==, 10.5);
	g_assert_cmpuint(lactd_session_sides(s), ==, 3);
	lactd_session_free(s);
	s = lactd_store_get_session(store, 2, &error);
	g_assert_no_error(error);
	g_assert_false(s->has_volume || s->left_measured || s->right_measured);
	g_assert_cmpuint(lactd_session_sides(s), ==, 0);
	/* One side, stored and read back. */
	s->has_volume = TRUE;
	s->right_measured = TRUE;
	s->right_ml = 4;
	g_assert_true(lactd_store_update_session(store, s, &error));
	lactd_session_free(s);
	s = lactd_store_get_session(store, 2, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_session_sides(s), ==, 2);
	lactd_session_free(s);
	id = lactd_store_installation_id(store, &error);
	g_assert_no_error(error);
	g_assert_true(g_regex_match(uuid4, id, 0, NULL));
	lactd_store_close(store);

	/* The same after a reopen; another database has another. */
	store = lactd_store_open(f->path, &degraded, &error);
	again = lactd_store_installation_id(store, &error);
	g_assert_cmpstr(again, ==, id);
	lactd_store_close(store);
	store = lactd_store_open(other_path, &degraded, &error);
	g_assert_no_error(error);
	other_id = lactd_store_installation_id(store, &error);
	g_assert_true(g_regex_match(uuid4, other_id, 0, NULL));
	g_assert_cmpstr(other_id, !=, id);
	lactd_store_close(store);
	g_unlink(other_path);
}

/* Version 8 keeps whether a weighing measured the session's extra_ml.
 * Rows from version 7 were weighed when they have a volume from weighings,
 * a bottle weighing, or a baby weighed twice (an intake of 0 g); not with
 * one baby weighing, or none. */
static void
test_store_migrate_v8_weighed(Fixture *f, gconstpointer data)
{
	static const struct {
		guint64 id;
		gboolean weighed;
	} want[] = {{1, TRUE}, {2, TRUE}, {3, TRUE}, {4, FALSE}, {5, FALSE}, {6, FALSE}};
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	sqlite3 *db = NULL;
	LactdStore *store;

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	g_assert_true(lactd_store_migrate(db, 7, &error));
	g_assert_no_error(error);
	g_assert_cmpint(
	    sqlite3_exec(db,
			 "INSERT INTO sessions (id, kind, source, start_us, end_us, extra_ml) VALUES "
			 "(1, 2, 3, 1000, 2000, 26.0), (2, 2, 0, 3000, 4000, 0),"
			 "(3, 0, 3, 5000, 5000, 0), (4, 2, 0, 6000, 7000, 0),"
			 "(5, 2, 0, 8000, 9000, 0), (6, 0, 0, 9500, 9800, 0);"
			 "INSERT INTO weighings (time_us, grams, stable, role, session) VALUES "
			 "(2900, 4210, 1, 'baby', 2), (4100, 4208, 1, 'baby', 2),"
			 "(5000, 0, 1, 'bottle', 3), (5900, 4300, 1, 'baby', 4),"
			 "(9900, 50, 1, 'bottle', 0);",
			 NULL, NULL, NULL),
	    ==, SQLITE_OK);
	sqlite3_close(db);

	store = lactd_store_open(f->path, &degraded, &error);
	g_assert_no_error(error);
	for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
		g_autoptr(LactdSession) s = lactd_store_get_session(store, want[i].id, &error);
		g_assert_no_error(error);
		g_assert_cmpint(s->weighed, ==, want[i].weighed);
		g_assert_cmpint(lactd_session_weighed(s), ==, want[i].weighed);
	}
	{
		/* Stored and read back as it is set. */
		g_autoptr(LactdSession) s = lactd_store_get_session(store, 5, &error);
		s->weighed = TRUE;
		g_assert_true(lactd_store_update_session(store, s, &error));
		g_assert_no_error(error);
	}
	{
		g_autoptr(LactdSession) s = lactd_store_get_session(store, 5, &error);
		g_assert_true(s->weighed);
		g_assert_cmpfloat(s->extra_ml, ==, 0);
	}
	lactd_store_close(store);
}

static void
test_store_refuses_newer(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	sqlite3 *db = NULL;
	LactdStore *store;

	g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL), ==,
			SQLITE_OK);
	sqlite3_close(db);
	store = lactd_store_open(f->path, &degraded, &error);
	g_assert_null(store);
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_assert_nonnull(strstr(error->message, "newer"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/store/migrate/every-version", test_store_migrate_from_every_version);
	ADD("/store/migrate/refuses-newer", test_store_refuses_newer);
	ADD("/store/migrate/v3-sides", test_store_migrate_v3_sides);
	ADD("/store/migrate/v8-weighed", test_store_migrate_v8_weighed);
	return g_test_run();
}
