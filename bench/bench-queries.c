/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builds a synthetic five-year database (12 sessions a day, 20 minutes each,
 * one sample a second per side) and prints, each beside its baseline from
 * the same run:
 *  - bytes per session with the samples in format 1 (schema 4, as written
 *    before) and in format 2 (schema 5), each file vacuumed;
 *  - the time the migration 4 -> 5 of that database takes;
 *  - ListSessions over one year as (a) a raw sqlite3 SELECT of the same
 *    rows, (b) the store call in this process, (c) the real daemon's
 *    D-Bus method on a private bus;
 *  - GetDailySummary over five years, directly and through D-Bus.
 * Figures only: nothing here passes or fails on time.
 *
 * Usage: bench-queries [--years N] [--repeat N]
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "bench-db.h"
#include "lactd-samples.h"
#include "lactd-store.h"
#include "lactd-test.h"
#include "lactd-util.h"

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
median_of(GArray *ms)
{
	g_array_sort(ms, cmp_double);
	return g_array_index(ms, double, ms->len / 2);
}

static void
report(const char *what, GArray *ms)
{
	double median, p99;

	g_array_sort(ms, cmp_double);
	median = g_array_index(ms, double, ms->len / 2);
	p99 = g_array_index(ms, double, MIN(ms->len - 1, (guint)ceil(ms->len * 0.99) - 1));
	g_print("  %-46s median %8.2f ms   p99 %8.2f ms   (%u runs)\n", what, median, p99, ms->len);
}

static void
ratio(const char *what, GArray *a, GArray *b)
{
	g_print("  %-46s %.2fx\n", what, median_of(a) / median_of(b));
}

static void
exec_or_die(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		g_error("%s: %s", sql, msg);
}

/* Moves the samples of the database at @path back into the sessions rows,
 * in format 1, and marks it schema 4: what lactd before schema 5 wrote. */
static void
downgrade_to_v4(const char *path)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *sel = NULL, *put = NULL;

	g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
	exec_or_die(db, "BEGIN");
	g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT session, samples FROM session_samples", -1,
					   &sel, NULL),
			==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(db, "UPDATE sessions SET samples = ?2 WHERE id = ?1", -1,
					   &put, NULL),
			==, SQLITE_OK);
	while (sqlite3_step(sel) == SQLITE_ROW) {
		g_autoptr(GArray) samples = NULL;
		g_autoptr(GBytes) v1 = NULL;
		g_autoptr(GError) error = NULL;

		g_assert_true(lactd_samples_decode(sqlite3_column_blob(sel, 1),
						   (gsize)sqlite3_column_bytes(sel, 1), &samples,
						   &error));
		v1 = lactd_samples_encode_format((LactdSample *)(void *)samples->data, samples->len,
						 LACTD_SAMPLES_FORMAT_V1);
		sqlite3_bind_int64(put, 1, sqlite3_column_int64(sel, 0));
		sqlite3_bind_blob(put, 2, g_bytes_get_data(v1, NULL), (int)g_bytes_get_size(v1),
				  SQLITE_STATIC);
		g_assert_cmpint(sqlite3_step(put), ==, SQLITE_DONE);
		sqlite3_reset(put);
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(put);
	exec_or_die(db, "DROP TABLE session_samples");
	exec_or_die(db, "PRAGMA user_version = 4");
	exec_or_die(db, "COMMIT");
	exec_or_die(db, "VACUUM");
	sqlite3_close(db);
}

static double
bytes_per_session(const char *path, guint64 n_sessions)
{
	struct stat st;

	g_assert_cmpint(g_stat(path, &st), ==, 0);
	return (double)st.st_size / (double)n_sessions;
}

static void
copy_file(const char *from, const char *to)
{
	g_autoptr(GFile) a = g_file_new_for_path(from);
	g_autoptr(GFile) b = g_file_new_for_path(to);
	g_autoptr(GError) error = NULL;

	g_assert_true(g_file_copy(a, b, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &error));
}

/* (a) the rows of ListSessions read with plain sqlite3: the same SELECT
 * over the same index, each column read into a local; no structs. */
static double
raw_list(sqlite3 *db, sqlite3_stmt *stmt, gint64 from, gint64 to)
{
	gint64 a = g_get_monotonic_time();
	volatile double sink = 0;
	guint rows = 0;

	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, to);
	sqlite3_bind_int64(stmt, 3, from - LACTD_MAX_SESSION_US);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(stmt); c++) {
			switch (sqlite3_column_type(stmt, c)) {
			case SQLITE_TEXT:
				sink += (double)sqlite3_column_bytes(stmt, c);
				(void)sqlite3_column_text(stmt, c);
				break;
			case SQLITE_FLOAT:
				sink += sqlite3_column_double(stmt, c);
				break;
			default:
				sink += (double)sqlite3_column_int64(stmt, c);
			}
		}
		rows++;
	}
	sqlite3_reset(stmt);
	(void)sink;
	(void)db;
	g_assert_cmpuint(rows, >, 0);
	return (g_get_monotonic_time() - a) / 1000.0;
}

static double
bus_call(GDBusConnection *c, const char *method, gint64 from, gint64 to, gsize *rows)
{
	g_autoptr(GError) error = NULL;
	gint64 a = g_get_monotonic_time();
	g_autoptr(GVariant) r =
	    lactd_test_call(c, method, g_variant_new("(xx)", from, to), "(aa{sv})", &error);
	double ms = (g_get_monotonic_time() - a) / 1000.0;
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	*rows = g_variant_n_children(list);
	return ms;
}

/* ---- ListSessionsColumns (the bulk method) beside ListSessions and the store ---- */

/* Times @repeat calls of @method over [from, now) into @ms; returns the
 * reply's number of sessions (its "id" column for the columnar reply). */
static gsize
time_list(GDBusConnection *c, const char *method, gint64 from, gint64 now, gint repeat,
	  GArray *ms)
{
	gboolean columns = g_str_equal(method, "ListSessionsColumns");
	gsize rows = 0;

	for (gint i = 0; i < repeat; i++) {
		g_autoptr(GError) error = NULL;
		gint64 a = g_get_monotonic_time();
		g_autoptr(GVariant) r = lactd_test_call(c, method, g_variant_new("(xx)", from, now),
							columns ? "(a{sv})" : "(aa{sv})", &error);
		double t = (g_get_monotonic_time() - a) / 1000.0;
		g_autoptr(GVariant) body = NULL;
		g_autoptr(GVariant) ids = NULL;

		g_assert_no_error(error);
		body = g_variant_get_child_value(r, 0);
		ids = columns ? g_variant_lookup_value(body, "id", G_VARIANT_TYPE("at"))
			      : g_variant_ref(body);
		rows = g_variant_n_children(ids);
		g_array_append_val(ms, t);
	}
	return rows;
}

/* One year of sessions three ways in the same run: ListSessionsColumns and
 * ListSessions through the daemon, and the store call in this process. */
static void
bench_list_sessions_columns(GDBusConnection *c, const char *db, gint64 now, gint repeat)
{
	gint64 from = now - 365 * G_TIME_SPAN_DAY;
	g_autoptr(GArray) columns_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) dicts_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) direct_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autoptr(LactdStore) store = lactd_store_open(db, &degraded, &error);
	gsize rows;

	g_assert_no_error(error);
	rows = time_list(c, "ListSessionsColumns", from, now, repeat, columns_ms);
	g_assert_cmpuint(time_list(c, "ListSessions", from, now, repeat, dicts_ms), ==, rows);
	for (gint i = 0; i < repeat; i++) {
		gint64 a = g_get_monotonic_time();
		g_autoptr(GPtrArray) l = lactd_store_list_sessions(store, from, now, &error);
		double ms = (g_get_monotonic_time() - a) / 1000.0;

		g_assert_nonnull(l);
		g_array_append_val(direct_ms, ms);
	}
	g_print("\n  ListSessionsColumns, one year: %" G_GSIZE_FORMAT " rows\n", rows);
	report("ListSessionsColumns, D-Bus", columns_ms);
	report("ListSessions, D-Bus (same run)", dicts_ms);
	report("store direct (baseline)", direct_ms);
	g_print("  %-44s %.2fx\n", "ListSessionsColumns / store (median ratio)",
		median_of(columns_ms) / median_of(direct_ms));
	g_print("  %-44s %.2fx\n", "ListSessions / store (median ratio)",
		median_of(dicts_ms) / median_of(direct_ms));
}

int
main(int argc, char **argv)
{
	gint years = 5, repeat = 50;
	const GOptionEntry entries[] = {
	    {"years", 0, 0, G_OPTION_ARG_INT, &years, "Years of history (default 5)", "N"},
	    {"repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Calls per query (default 50)", "N"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- lactd query benchmark");
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestBus) bus = NULL;
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GDBusConnection) c = NULL;
	g_autoptr(LactdStore) store = NULL;
	g_autofree char *db = NULL, *v4 = NULL, *migrated = NULL, *degraded = NULL;
	g_autofree char *vacuum = NULL;
	guint64 n_sessions;
	double before, after, migrate_ms;
	gint64 now = g_get_real_time();
	gint64 year_ago = now - 365 * G_TIME_SPAN_DAY;
	gint64 t0;
	sqlite3 *raw = NULL;
	sqlite3_stmt *raw_stmt = NULL;
	gsize rows = 0;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	bus = lactd_test_bus_new();
	db = g_build_filename(lactd_test_bus_tmpdir(bus), "bench.db", NULL);
	v4 = g_build_filename(lactd_test_bus_tmpdir(bus), "bench-v4.db", NULL);
	migrated = g_build_filename(lactd_test_bus_tmpdir(bus), "bench-migrated.db", NULL);

	g_print("lactd query benchmark: %d years, 12 sessions a day, 1 Hz samples per side\n", years);
	t0 = g_get_monotonic_time();
	bench_db_build(v4, (guint)years, &n_sessions);
	g_print("  built %" G_GUINT64_FORMAT " sessions in %.1f s\n", n_sessions,
		(g_get_monotonic_time() - t0) / 1e6);

	/* Size and migration: the same sessions at schema 4, migrated. */
	downgrade_to_v4(v4);
	before = bytes_per_session(v4, n_sessions);
	copy_file(v4, migrated);
	t0 = g_get_monotonic_time();
	store = lactd_store_open(migrated, &degraded, &error);
	migrate_ms = (g_get_monotonic_time() - t0) / 1000.0;
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
	g_clear_pointer(&store, lactd_store_close);
	g_assert_cmpint(sqlite3_open(migrated, &raw), ==, SQLITE_OK);
	vacuum = g_strdup_printf("VACUUM INTO '%s'", db);
	exec_or_die(raw, vacuum);
	sqlite3_close(raw);
	raw = NULL;
	after = bytes_per_session(db, n_sessions);
	g_print("\n  Bytes per 20-minute session, 1200 samples a side, file vacuumed:\n");
	g_print("  %-46s %8.0f bytes\n", "schema 4 (samples format 1), baseline", before);
	g_print("  %-46s %8.0f bytes\n", "schema 5 (samples format 2)", after);
	g_print("  %-46s %.2fx smaller\n", "ratio", before / after);
	g_print("  %-46s %8.0f ms (%" G_GUINT64_FORMAT " sessions, one transaction)\n",
		"migration 4 -> 5 of that database", migrate_ms, n_sessions);

	daemon = lactd_test_daemon_start(bus, db, NULL);
	c = lactd_test_bus_connect(bus);
	store = lactd_store_open(db, &degraded, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(raw,
					   "SELECT id, kind, source, start_us, end_us, left_ml, "
					   "right_ml, has_volume, left_s, right_s, device, "
					   "device_session, interrupted, live, note, supplement_ml, "
					   "method, milk, extra_ml, sides FROM sessions "
					   "WHERE start_us >= ?3 AND start_us < ?2 AND "
					   "(end_us > ?1 OR start_us >= ?1) ORDER BY start_us, id",
					   -1, &raw_stmt, NULL),
			==, SQLITE_OK);

	{
		g_autoptr(GArray) raw_ms = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) store_ms = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) bus_ms = g_array_new(FALSE, FALSE, sizeof(double));

		for (gint i = 0; i < repeat; i++) {
			double ms = raw_list(raw, raw_stmt, year_ago, now);
			gint64 a;
			g_array_append_val(raw_ms, ms);
			a = g_get_monotonic_time();
			{
				g_autoptr(GPtrArray) l =
				    lactd_store_list_sessions(store, year_ago, now, &error);
				g_assert_nonnull(l);
			}
			ms = (g_get_monotonic_time() - a) / 1000.0;
			g_array_append_val(store_ms, ms);
			ms = bus_call(c, "ListSessions", year_ago, now, &rows);
			g_array_append_val(bus_ms, ms);
		}
		g_print("\n  ListSessions, one year: %" G_GSIZE_FORMAT " rows\n", rows);
		report("(a) raw sqlite3 SELECT, baseline", raw_ms);
		report("(b) store call in process", store_ms);
		report("(c) D-Bus ListSessions (aa{sv})", bus_ms);
		ratio("(b) / (a), target <= 2", store_ms, raw_ms);
		ratio("(c) / (b)", bus_ms, store_ms);
		/* ---- (d) the bulk columnar ListSessions: added by its own
		 * change, printed here beside (a)-(c) from the same run. ---- */
	}

	{
		g_autoptr(GArray) direct_ms = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) bus_ms = g_array_new(FALSE, FALSE, sizeof(double));

		for (gint i = 0; i < repeat; i++) {
			gint64 a = g_get_monotonic_time();
			double ms;
			{
				g_autoptr(GArray) d =
				    lactd_store_daily_summary(store, 0, now, 0, 360, &error);
				g_assert_nonnull(d);
			}
			ms = (g_get_monotonic_time() - a) / 1000.0;
			g_array_append_val(direct_ms, ms);
			ms = bus_call(c, "GetDailySummary", 0, now, &rows);
			g_array_append_val(bus_ms, ms);
		}
		g_print("\n  GetDailySummary, all years: %" G_GSIZE_FORMAT " days\n", rows);
		report("store call in process, baseline", direct_ms);
		report("D-Bus GetDailySummary", bus_ms);
		ratio("D-Bus / direct, target <= 1.2", bus_ms, direct_ms);
	}
	sqlite3_finalize(raw_stmt);
	sqlite3_close(raw);
	bench_list_sessions_columns(c, db, now, repeat);
	lactd_test_daemon_stop(daemon);
	return 0;
}
