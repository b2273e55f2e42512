/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store's samples: format 2 and its damage, the migration of format 1
 * blobs from every older schema, and live readings kept while the disk is
 * full. */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-samples.h"
#include "lactd-store-private.h"
#include "lactd-store.h"

#include "store-fixture.h"

static void
test_store_samples_damaged(void)
{
	const LactdSample x[] = {{1000, 1.5, 2.5}, {2000000, 3.5, 4.5}};
	g_autoptr(GBytes) blob = lactd_samples_encode(x, G_N_ELEMENTS(x));
	gsize len;
	const guint8 *data = g_bytes_get_data(blob, &len);
	g_autoptr(GArray) out = NULL;
	g_autoptr(GError) error = NULL;
	guint8 bad_format[] = {0x7f, 0x00};
	guint8 endless[] = {0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

	g_assert_true(lactd_samples_decode(data, len, &out, &error));
	g_assert_cmpuint(out->len, ==, 2);
	g_clear_pointer(&out, g_array_unref);
	/* Every truncation either decodes fewer whole samples or fails cleanly. */
	for (gsize cut = 1; cut < len; cut++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(GArray) o = NULL;
		if (lactd_samples_decode(data, cut, &o, &e))
			g_assert_cmpuint(o->len, <, 2);
		else
			g_assert_error(e, LACTD_ERROR, LACTD_ERROR_STORAGE);
	}
	g_assert_false(lactd_samples_decode(bad_format, sizeof(bad_format), &out, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_clear_error(&error);
	g_assert_false(lactd_samples_decode(endless, sizeof(endless), &out, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
}

/* Format 2 round-trips every kind of step, from the 1-bit code to raw
 * 64-bit values, and refuses every truncation. */
static void
test_store_samples_format2(void)
{
	g_autoptr(GArray) in = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	g_autoptr(GArray) out = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) blob = NULL;
	g_autoptr(GBytes) v1 = NULL;
	const gint64 steps[] = {0, 1, -1, 63, -64, 2047, -2048, 40000, -40000, G_GINT64_CONSTANT(1) << 40};
	gint64 t = G_GINT64_CONSTANT(1700000000000000);
	double l = 0, r = 1000;
	gsize len;
	const guint8 *data;

	for (guint i = 0; i < 400; i++) {
		gint64 step = steps[i % G_N_ELEMENTS(steps)];
		LactdSample x;

		t += G_USEC_PER_SEC + (i % 7 == 0 ? step * 1000 : 0);
		l += (i % 3 == 0) ? 0.1 : 0;
		r += (double)(step % 100000) / 10.0;
		x = (LactdSample){t, round(l * 10) / 10, round(r * 10) / 10};
		g_array_append_val(in, x);
	}
	blob = lactd_samples_encode((LactdSample *)(void *)in->data, in->len);
	v1 = lactd_samples_encode_format((LactdSample *)(void *)in->data, in->len,
					 LACTD_SAMPLES_FORMAT_V1);
	data = g_bytes_get_data(blob, &len);
	g_assert_cmpuint(data[0], ==, LACTD_SAMPLES_FORMAT);
	g_assert_cmpuint(len, <, g_bytes_get_size(v1));
	g_assert_true(lactd_samples_decode(data, len, &out, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(out->len, ==, in->len);
	for (guint i = 0; i < in->len; i++) {
		LactdSample *a = &g_array_index(in, LactdSample, i);
		LactdSample *b = &g_array_index(out, LactdSample, i);
		g_assert_cmpint(b->time_us, ==, a->time_us);
		g_assert_cmpfloat_with_epsilon(b->left_ml, a->left_ml, 1e-9);
		g_assert_cmpfloat_with_epsilon(b->right_ml, a->right_ml, 1e-9);
	}
	for (gsize cut = 1; cut < len; cut++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(GArray) o = NULL;
		g_assert_false(lactd_samples_decode(data, cut, &o, &e));
		g_assert_error(e, LACTD_ERROR, LACTD_ERROR_STORAGE);
	}
}

/* Samples written in format 1 (in sessions.samples) at every schema version
 * before 5 are rewritten in format 2 by the migration to version 5, and
 * read back the same. From version 5 on they live in session_samples. */
static void
test_store_migrate_samples(Fixture *f, gconstpointer data)
{
	const LactdSample x[] = {{1700000001000000, 0.1, 0}, {1700000002000000, 0.2, 0.1},
				 {1700000003000000, 0.2, 0.3}, {1700000004000000, 0.4, 0.3}};

	for (guint v = 1; v < 5; v++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdStore) store = NULL;
		g_autoptr(GBytes) old = lactd_samples_encode_format(x, G_N_ELEMENTS(x),
								     LACTD_SAMPLES_FORMAT_V1);
		g_autoptr(GArray) got = NULL;
		g_autofree char *degraded = NULL;
		sqlite3 *db = NULL;
		sqlite3_stmt *stmt = NULL;

		g_unlink(f->path);
		g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
		g_assert_true(lactd_store_migrate(db, v, &error));
		g_assert_cmpint(sqlite3_prepare_v2(db,
						   "INSERT INTO sessions (id, kind, source, start_us, "
						   "end_us, samples) VALUES (1, 0, 0, 1, 2, ?1)",
						   -1, &stmt, NULL),
				==, SQLITE_OK);
		g_assert_cmpint(sqlite3_bind_blob(stmt, 1, g_bytes_get_data(old, NULL),
						  (int)g_bytes_get_size(old), SQLITE_STATIC),
				==, SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_DONE);
		sqlite3_finalize(stmt);
		sqlite3_close(db);

		store = lactd_store_open(f->path, &degraded, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
		g_assert_cmpint(sqlite3_prepare_v2(lactd_store_get_db(store),
						   "SELECT hex(substr(samples, 1, 1)) FROM session_samples",
						   -1, &stmt, NULL),
				==, SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
		g_assert_cmpstr((const char *)sqlite3_column_text(stmt, 0), ==, "02");
		sqlite3_finalize(stmt);
		got = lactd_store_get_samples(store, 1, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(got->len, ==, G_N_ELEMENTS(x));
		for (guint i = 0; i < got->len; i++) {
			LactdSample *s = &g_array_index(got, LactdSample, i);
			g_assert_cmpint(s->time_us, ==, x[i].time_us);
			g_assert_cmpfloat_with_epsilon(s->left_ml, x[i].left_ml, 1e-9);
			g_assert_cmpfloat_with_epsilon(s->right_ml, x[i].right_ml, 1e-9);
		}
	}
}

static void
set_max_pages(sqlite3 *db, int extra)
{
	sqlite3_stmt *stmt = NULL;
	g_autofree char *limit = NULL;

	g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	limit = g_strdup_printf("PRAGMA max_page_count = %d",
				extra < 0 ? 1000000 : sqlite3_column_int(stmt, 0) + extra);
	sqlite3_finalize(stmt);
	g_assert_cmpint(sqlite3_exec(db, limit, NULL, NULL, NULL), ==, SQLITE_OK);
}

/* One capture step as lactd-capture.c does it: the sample and the running
 * totals it brings, durable together. */
static gboolean
capture_step(LactdStore *store, LactdSession *s, guint i, GError **error)
{
	LactdSample x = {s->start_us + (gint64)(i + 1) * G_USEC_PER_SEC, i / 10 / 10.0,
			 i / 7 / 10.0};

	s->left_ml = x.left_ml;
	s->right_ml = x.right_ml;
	s->left_seconds = i + 1;
	s->right_seconds = i / 2;
	s->end_us = x.time_us;
	return lactd_store_add_live_sample(store, s, &x, error);
}

/* A live session goes on while the disk is full: every failing step
 * reports its failure, the problem says readings are kept, and once there
 * is room again the next write stores them all, in order, with nothing
 * stored before lost; what is still kept at close is written then. */
static void
test_store_full_live(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	LactdStore *store = open_store(f);
	sqlite3 *db = lactd_store_get_db(store);
	g_autoptr(LactdSession) s = make_session(1700000000000000, 0, 0, 0);
	g_autoptr(LactdSession) before = make_session(1690000000000000, 20, 5, 6);
	g_autoptr(LactdSession) got = NULL;
	g_autoptr(GArray) samples = NULL;
	g_autofree char *problem = NULL;
	guint failed = 0, n = 600;

	s->live = TRUE;
	g_assert_true(lactd_store_add_session(store, before, &error));
	g_assert_true(lactd_store_add_session(store, s, &error));
	for (guint i = 0; i < 20; i++)
		g_assert_true(capture_step(store, s, i, &error));
	set_max_pages(db, 0);
	for (guint i = 20; i < n; i++) {
		if (!capture_step(store, s, i, &error)) {
			g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
			g_clear_error(&error);
			failed++;
		}
	}
	g_test_message("%u of %u steps refused by the full disk", failed, n - 20);
	g_assert_cmpuint(failed, >, 0);
	g_assert_cmpuint(lactd_store_pending_count(store), >, 0);
	problem = lactd_store_get_problem(store);
	g_assert_nonnull(strstr(problem, "kept in memory"));

	/* Room again: the next write takes the queue first. */
	set_max_pages(db, -1);
	g_assert_true(capture_step(store, s, n, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_store_pending_count(store), ==, 0);
	g_clear_pointer(&problem, g_free);
	problem = lactd_store_get_problem(store);
	g_assert_null(problem);
	samples = lactd_store_get_samples(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(samples->len, ==, n + 1);
	for (guint i = 0; i <= n; i++)
		g_assert_cmpint(g_array_index(samples, LactdSample, i).time_us, ==,
				s->start_us + (gint64)(i + 1) * G_USEC_PER_SEC);
	got = lactd_store_get_session(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpfloat(got->left_ml, ==, s->left_ml);
	g_assert_cmpint(got->end_us, ==, s->end_us);
	g_clear_pointer(&got, lactd_session_free);
	got = lactd_store_get_session(store, before->id, &error);
	g_assert_no_error(error);
	g_assert_cmpfloat(got->left_ml, ==, 5);
	g_clear_pointer(&got, lactd_session_free);
	g_clear_pointer(&samples, g_array_unref);

	/* Full again, then closed once there is room: written at close. */
	set_max_pages(db, 0);
	for (guint i = n + 1; i < n + 200; i++) {
		if (!capture_step(store, s, i, &error))
			g_clear_error(&error);
	}
	g_clear_error(&error);
	/* The session ends (as live_end does) while the disk is still full. */
	s->live = FALSE;
	if (!lactd_store_update_session(store, s, &error)) {
		/* Refused, or written in place on a page it already had. */
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
		g_clear_error(&error);
	}
	g_assert_cmpuint(lactd_store_pending_count(store), >, 0);
	set_max_pages(db, -1);
	lactd_store_close(store);
	store = open_store(f);
	samples = lactd_store_get_samples(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(samples->len, ==, n + 200);
	got = lactd_store_get_session(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpint(got->end_us, ==, s->end_us);
	g_assert_false(got->live);
	lactd_store_close(store);
}

static gint64
count_rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *stmt = NULL;
	gint64 n;

	g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

/* What kill -9 would leave now: the file and its WAL as they are, copied
 * aside and opened by a new store, which closes the sessions left live as
 * the next start does. */
static LactdStore *
open_killed_copy(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *copy = g_build_filename(f->dir, "killed.db", NULL);
	g_autofree char *degraded = NULL;
	const char *suffix[] = {"", "-wal"};
	LactdStore *store;

	for (guint i = 0; i < G_N_ELEMENTS(suffix); i++) {
		g_autofree char *from = g_strconcat(f->path, suffix[i], NULL);
		g_autofree char *to = g_strconcat(copy, suffix[i], NULL);
		g_autofree char *data = NULL;
		gsize len;

		g_assert_true(g_file_get_contents(from, &data, &len, &error));
		g_assert_true(g_file_set_contents(to, data, (gssize)len, &error));
	}
	store = lactd_store_open(copy, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);
	g_assert_cmpint(lactd_store_close_live_sessions(store, &error), ==, 1);
	g_assert_no_error(error);
	g_assert_cmpint(count_rows(lactd_store_get_db(store), "SELECT count(*) FROM live_samples"),
			==, 0);
	return store;
}

static void
assert_totals(LactdStore *store, const LactdSession *want)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) got = lactd_store_get_session(store, want->id, &error);

	g_assert_no_error(error);
	g_assert_cmpfloat(got->left_ml, ==, want->left_ml);
	g_assert_cmpfloat(got->right_ml, ==, want->right_ml);
	g_assert_cmpuint(got->left_seconds, ==, want->left_seconds);
	g_assert_cmpuint(got->right_seconds, ==, want->right_seconds);
	g_assert_cmpint(got->end_us, ==, want->end_us);
	g_assert_cmpstr(got->note, ==, want->note);
}

/* A kill now keeps @s's totals: the copy's session, closed as
 * interrupted, has them. */
static void
assert_kill_keeps(Fixture *f, LactdSession *s)
{
	LactdStore *killed = open_killed_copy(f);

	s->live = FALSE;
	s->interrupted = TRUE;
	assert_totals(killed, s);
	lactd_store_close(killed);
	s->live = TRUE;
	s->interrupted = FALSE;
}

/* A live session's running totals ride in its samples' rows (one row
 * written per sample, not two): the session's row catches up before any
 * read, and after a kill it is rebuilt from the last sample, never from
 * one older than a whole write of the row. */
static void
test_store_totals_kill(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	LactdStore *store = open_store(f);
	sqlite3 *db = lactd_store_get_db(store);
	g_autoptr(LactdSession) s = make_session(1700000000000000, 0, 0, 0);
	guint i;

	s->live = TRUE;
	g_assert_true(lactd_store_add_session(store, s, &error));
	for (i = 0; i < 30; i++)
		g_assert_true(capture_step(store, s, i, &error));
	/* Seen from outside the store, the row is behind its samples... */
	g_assert_cmpint(count_rows(db, "SELECT count(*) FROM live_samples WHERE end_us IS NOT "
				       "NULL"),
			>, 0);
	g_assert_cmpint(count_rows(db, "SELECT end_us FROM sessions"), <, s->end_us);

	/* ...which a kill now does not lose. */
	assert_kill_keeps(f, s);

	/* A read through the store sees the newest totals, and so does the
	 * file from then on. */
	assert_totals(store, s);
	g_assert_cmpint(count_rows(db, "SELECT end_us FROM sessions"), ==, s->end_us);

	/* A whole write of the row (here a record's figures, lower than the
	 * live ones, and a note) is newer than every sample before it: a kill
	 * keeps it. */
	for (; i < 40; i++)
		g_assert_true(capture_step(store, s, i, &error));
	s->left_ml = 0.5;
	s->right_ml = 0.2;
	s->left_seconds = 7;
	g_free(s->note);
	s->note = g_strdup("from the pump's history");
	g_assert_true(lactd_store_update_session(store, s, &error));
	assert_kill_keeps(f, s);

	/* A whole write rolled back leaves the row as it was: the next sample
	 * writes the row whole again, its new note with it. */
	g_free(s->note);
	s->note = g_strdup("rolled back");
	g_assert_true(lactd_store_begin(store, &error));
	g_assert_true(lactd_store_update_session(store, s, &error));
	lactd_store_rollback(store);
	g_assert_true(capture_step(store, s, i++, &error));
	assert_kill_keeps(f, s);

	/* At close, the row is written. */
	for (; i < 60; i++)
		g_assert_true(capture_step(store, s, i, &error));
	lactd_store_close(store);
	store = open_store(f);
	assert_totals(store, s);
	lactd_store_close(store);
}

/* A device's session that starts while the disk is full: kept under a
 * reserved id, not readable until written; its samples and updates queue
 * behind it; the next write that can succeed stores it first, ended and
 * compacted; a client's session added then gets the next id. A start
 * still kept when the store closes on a full disk is lost and its id was
 * never on disk. */
static void
test_store_full_start(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	LactdStore *store = open_store(f);
	sqlite3 *db = lactd_store_get_db(store);
	g_autoptr(LactdSession) before = make_session(1690000000000000, 20, 5, 6);
	g_autoptr(LactdSession) s = make_session(1700000000000000, 0, 0, 0);
	g_autoptr(LactdSession) client = make_session(1710000000000000, 10, 1, 2);
	g_autoptr(LactdSession) late = make_session(1720000000000000, 0, 0, 0);
	g_autoptr(LactdSession) got = NULL;
	g_autoptr(GArray) samples = NULL;
	gboolean kept = FALSE;
	guint n = 50;

	g_assert_true(lactd_store_add_session(store, before, &error));
	/* Rows that need pages of their own, which a full file has not (a
	 * small one may fit in a page the file has). */
	g_free(s->note);
	s->note = g_strnfill(10000, 's');
	g_free(client->note);
	client->note = g_strnfill(10000, 'c');
	g_free(late->note);
	late->note = g_strnfill(10000, 'l');
	s->live = TRUE;
	s->device = g_strdup("AA:BB:CC:DD:EE:FF");
	s->device_session = 5;
	set_max_pages(db, 0);
	g_assert_true(lactd_store_start_session(store, s, &kept, &error));
	g_assert_no_error(error);
	g_assert_true(kept);
	g_assert_cmpuint(s->id, ==, before->id + 1);
	g_assert_null(lactd_store_get_session(store, s->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	for (guint i = 0; i < n; i++) {
		g_assert_false(capture_step(store, s, i, &error));
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
		g_clear_error(&error);
	}
	/* A client's write still fails: it can try again. */
	g_assert_false(lactd_store_add_session(store, client, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_clear_error(&error);
	/* The session ends while the disk is full (as live_end does). */
	s->live = FALSE;
	g_assert_false(lactd_store_update_session(store, s, &error));
	g_clear_error(&error);
	g_assert_false(lactd_store_compact_samples(store, s->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_clear_error(&error);
	g_assert_cmpuint(lactd_store_pending_count(store), ==, n + 1);

	/* Room again: the kept session goes first, the client's after it. */
	set_max_pages(db, -1);
	g_assert_true(lactd_store_add_session(store, client, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(client->id, ==, s->id + 1);
	g_assert_cmpuint(lactd_store_pending_count(store), ==, 0);
	got = lactd_store_find_device_session(store, s->device, 5, &error);
	g_assert_no_error(error);
	g_assert_nonnull(got);
	g_assert_cmpuint(got->id, ==, s->id);
	g_assert_false(got->live);
	g_assert_cmpfloat(got->left_ml, ==, s->left_ml);
	g_assert_cmpint(got->end_us, ==, s->end_us);
	samples = lactd_store_get_samples(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(samples->len, ==, n);
	for (guint i = 0; i < n; i++)
		g_assert_cmpint(g_array_index(samples, LactdSample, i).time_us, ==,
				s->start_us + (gint64)(i + 1) * G_USEC_PER_SEC);
	g_assert_cmpint(count_rows(db, "SELECT count(*) FROM live_samples"), ==, 0);

	/* Full again, and closed while still full: the start is lost. */
	late->live = TRUE;
	set_max_pages(db, 0);
	g_assert_true(lactd_store_start_session(store, late, &kept, &error));
	g_assert_true(kept);
	g_assert_cmpuint(late->id, ==, client->id + 1);
	lactd_store_close(store);
	store = open_store(f);
	g_clear_pointer(&got, lactd_session_free);
	got = lactd_store_get_session(store, late->id, &error);
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_cmpint(count_rows(lactd_store_get_db(store), "SELECT count(*) FROM sessions"), ==, 3);
	lactd_store_close(store);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/store/samples/damaged", test_store_samples_damaged);
	g_test_add_func("/store/samples/format2", test_store_samples_format2);
	ADD("/store/migrate/samples-v5", test_store_migrate_samples);
	ADD("/store/durability/full-live", test_store_full_live);
	ADD("/store/durability/full-start", test_store_full_start);
	ADD("/store/durability/totals-kill", test_store_totals_kill);
	return g_test_run();
}
