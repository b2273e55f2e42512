/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builds a synthetic five-year database (12 sessions a day, 20 minutes each,
 * one sample a second per side) and prints, each beside its baseline from
 * the same run:
 *  - bytes per session with the samples in format 1 (schema 4, as written
 *    before) and in format 2 (schema 5), each file vacuumed;
 *  - the time the migration from 4 to today's schema of that database takes;
 *  - ListSessions over one year as (a) a raw sqlite3 SELECT of the same
 *    rows, (b) the store call in this process, and through the real daemon
 *    on a private bus (c) ListSessions, (d) ListSessionsColumns, (e)
 *    ListSessionsFd with its columns read, (f) ListSessionsFd rebuilt into
 *    ListSessions' aa{sv} as lactctl does; each path reads every value of
 *    every row (numbers summed, strings hashed), so none skips work;
 *  - GetDailySummary over five years: the store call, GetDailySummary and
 *    GetDailySummaryFd, read the same way.
 * Figures only: nothing here passes or fails on time.
 *
 * Usage: bench-queries [--years N] [--repeat N]
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sqlite3.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench-db.h"
#include "lactctl-list.h"
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

	if (ms->len == 0)
		return; /* a path --bulk-only skips */
	g_array_sort(ms, cmp_double);
	median = g_array_index(ms, double, ms->len / 2);
	p99 = g_array_index(ms, double, MIN(ms->len - 1, (guint)ceil(ms->len * 0.99) - 1));
	g_print("  %-46s median %8.2f ms   p99 %8.2f ms   (%u runs)\n", what, median, p99, ms->len);
}

static void
ratio(const char *what, GArray *a, GArray *b)
{
	if (a->len > 0 && b->len > 0)
		g_print("  %-46s %.2fx\n", what, median_of(a) / median_of(b));
}

/* Where every path puts what it read, so that none is optimised away. */
static volatile double sink;

static GArray *
ms_array(void)
{
	return g_array_new(FALSE, FALSE, sizeof(double));
}

static void
add_ms(GArray *a, double ms)
{
	g_array_append_val(a, ms);
}

/* --bulk-only: only the store calls and the bulk fd methods' columns, for
 * profiling those paths without the slow ones around them. */
static gboolean bulk_only;

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
	/* Schemas 6 to 8 undone too: live_samples and sessions as they were at 4. */
	exec_or_die(db, "ALTER TABLE sessions DROP COLUMN weighed");
	exec_or_die(db, "ALTER TABLE live_samples DROP COLUMN left_s");
	exec_or_die(db, "ALTER TABLE live_samples DROP COLUMN right_s");
	exec_or_die(db, "ALTER TABLE live_samples DROP COLUMN end_us");
	exec_or_die(db, "CREATE INDEX live_samples_by_session ON live_samples(session, time_us)");
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
	double sum = 0;
	guint rows = 0;

	sqlite3_bind_int64(stmt, 1, from);
	sqlite3_bind_int64(stmt, 2, to);
	sqlite3_bind_int64(stmt, 3, from - LACTD_MAX_SESSION_US);
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		for (int c = 0; c < sqlite3_column_count(stmt); c++) {
			switch (sqlite3_column_type(stmt, c)) {
			case SQLITE_TEXT:
				sum += (double)g_str_hash((const char *)sqlite3_column_text(stmt, c));
				break;
			case SQLITE_FLOAT:
				sum += sqlite3_column_double(stmt, c);
				break;
			default:
				sum += (double)sqlite3_column_int64(stmt, c);
			}
		}
		rows++;
	}
	sqlite3_reset(stmt);
	sink += sum;
	(void)db;
	g_assert_cmpuint(rows, >, 0);
	return (g_get_monotonic_time() - a) / 1000.0;
}

/* ---- every path touches every value of every row ---------------------------------- */

static guint64
hash_text(const char *s)
{
	return s != NULL ? g_str_hash(s) : 0;
}

/* Sums the numbers and hashes the strings of any value: a reply's rows or
 * columns, so that no path skips what it was not asked to read. */
static double
touch(GVariant *v)
{
	const GVariantType *t = g_variant_get_type(v);
	double sum = 0;

	if (g_variant_type_is_array(t) && g_variant_type_is_basic(g_variant_type_element(t)) &&
	    strchr("bytuxd", g_variant_type_peek_string(t)[1]) != NULL) {
		char c = g_variant_type_peek_string(t)[1];
		gsize n, size = c == 'b' || c == 'y' ? 1 : c == 'u' ? 4 : 8;
		gconstpointer data = g_variant_get_fixed_array(v, &n, size);

		for (gsize i = 0; i < n; i++) {
			switch (c) {
			case 'b':
			case 'y':
				sum += ((const guint8 *)data)[i];
				break;
			case 'u':
				sum += ((const guint32 *)data)[i];
				break;
			case 't':
				sum += (double)((const guint64 *)data)[i];
				break;
			case 'x':
				sum += (double)((const gint64 *)data)[i];
				break;
			default:
				sum += ((const double *)data)[i];
			}
		}
		return sum;
	}
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
		gsize n;
		g_autofree const char **strv = lactctl_column_strings(v, &n);

		g_assert_nonnull(strv);

		for (gsize i = 0; i < n; i++)
			sum += (double)hash_text(strv[i]);
		return sum;
	}
	if (g_variant_is_container(v)) {
		GVariantIter iter;
		GVariant *child;

		g_variant_iter_init(&iter, v);
		while ((child = g_variant_iter_next_value(&iter)) != NULL) {
			sum += touch(child);
			g_variant_unref(child);
		}
		return sum;
	}
	switch (g_variant_classify(v)) {
	case G_VARIANT_CLASS_STRING:
		return (double)hash_text(g_variant_get_string(v, NULL));
	case G_VARIANT_CLASS_DOUBLE:
		return g_variant_get_double(v);
	case G_VARIANT_CLASS_INT64:
		return (double)g_variant_get_int64(v);
	case G_VARIANT_CLASS_UINT64:
		return (double)g_variant_get_uint64(v);
	case G_VARIANT_CLASS_UINT32:
		return g_variant_get_uint32(v);
	case G_VARIANT_CLASS_BOOLEAN:
		return g_variant_get_boolean(v);
	default:
		return 1;
	}
}

static double
touch_sessions(GPtrArray *l)
{
	double sum = 0;

	for (guint i = 0; i < l->len; i++) {
		const LactdSession *s = g_ptr_array_index(l, i);
		sum += (double)s->id + s->kind + s->source + (double)s->start_us + (double)s->end_us +
		       s->left_ml + s->right_ml + s->has_volume + s->left_measured +
		       s->right_measured + s->extra_ml + s->left_seconds + s->right_seconds +
		       s->device_session + s->interrupted + s->live + s->supplement_ml;
		sum += (double)(hash_text(s->device) + hash_text(s->note) + hash_text(s->method) +
				hash_text(s->milk));
	}
	return sum;
}

static double
touch_days(GArray *d)
{
	double sum = 0;

	for (guint i = 0; i < d->len; i++) {
		const LactdDaySummary *x = &g_array_index(d, LactdDaySummary, i);
		sum += (double)hash_text(x->day) + x->sessions + x->total_ml + x->left_ml +
		       x->right_ml + x->minutes + x->overnight + x->supplement_ml + x->weighed_ml +
		       x->measured + x->supplements;
	}
	return sum;
}

/* A method returning rows (aa{sv}) or columns (a{sv}), read whole. */
static double
time_call(GDBusConnection *c, const char *method, const char *type, gint64 from, gint64 to,
	  gsize *rows)
{
	g_autoptr(GError) error = NULL;
	gint64 a = g_get_monotonic_time();
	g_autoptr(GVariant) r =
	    lactd_test_call(c, method, g_variant_new("(xx)", from, to), type, &error);
	g_autoptr(GVariant) body = NULL;
	double ms;

	g_assert_no_error(error);
	body = g_variant_get_child_value(r, 0);
	sink += touch(body);
	ms = (g_get_monotonic_time() - a) / 1000.0;
	if (g_variant_is_of_type(body, G_VARIANT_TYPE("aa{sv}"))) {
		*rows = g_variant_n_children(body);
	} else {
		g_autoptr(GVariant) first = g_variant_get_child_value(body, 0);
		g_autoptr(GVariant) col = g_variant_get_child_value(first, 1);
		g_autoptr(GVariant) inner = g_variant_get_variant(col);
		*rows = g_variant_n_children(inner);
	}
	return ms;
}

/* A bulk fd method: the call, the fd read as lactctl reads it (sealed,
 * mapped, untrusted, checked), every column touched; with @rebuild, also
 * turned into aa{sv} as lactctl's commands do. */
static double
time_fd(GDBusConnection *c, const LactdRecord *rec, const char *method, gint64 from, gint64 to,
	gboolean rebuild, gsize *rows, GArray *call_ms)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	gint64 a = g_get_monotonic_time();
	g_autoptr(GVariant) r = g_dbus_connection_call_with_unix_fd_list_sync(
	    c, "org.lactd", "/org/lactd", "org.lactd.Manager1", method,
	    g_variant_new("(xx)", from, to), G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL,
	    &fds, NULL, &error);
	g_autoptr(GVariant) columns = NULL;
	double ms;
	int fd;

	g_assert_no_error(error);
	if (call_ms != NULL)
		add_ms(call_ms, (g_get_monotonic_time() - a) / 1000.0);
	fd = g_unix_fd_list_get(fds, 0, &error);
	g_assert_cmpint(fd, >=, 0);
	columns = lactctl_columns_read_fd(fd, &error);
	close(fd);
	g_assert_no_error(error);
	if (rebuild) {
		g_autoptr(GVariant) list = lactctl_columns_to_rows(rec, columns, &error);
		g_assert_no_error(error);
		sink += touch(list);
		*rows = g_variant_n_children(list);
	} else {
		sink += touch(columns);
		*rows = 0;
	}
	ms = (g_get_monotonic_time() - a) / 1000.0;
	return ms;
}

/* ListSessions over a year, every path in the same loop, each beside the
 * store call. */
static void
bench_list(GDBusConnection *c, LactdStore *store, sqlite3 *raw, sqlite3_stmt *raw_stmt,
	   gint64 from, gint64 to, gint repeat)
{
	g_autoptr(GArray) raw_ms = ms_array(), store_ms = ms_array(), dicts_ms = ms_array();
	g_autoptr(GArray) cols_ms = ms_array(), fd_ms = ms_array(), fd_rows_ms = ms_array();
	g_autoptr(GArray) fd_call_ms = ms_array();
	g_autoptr(GError) error = NULL;
	gsize rows = 0, n = 0;

	for (gint i = 0; i < repeat; i++) {
		gint64 a;

		add_ms(raw_ms, raw_list(raw, raw_stmt, from, to));
		a = g_get_monotonic_time();
		{
			g_autoptr(GPtrArray) l = lactd_store_list_sessions(store, from, to, &error);
			g_assert_nonnull(l);
			sink += touch_sessions(l);
			rows = l->len;
		}
		add_ms(store_ms, (g_get_monotonic_time() - a) / 1000.0);
		add_ms(fd_ms, time_fd(c, &lactd_session_table, "ListSessionsFd", from, to, FALSE, &n, fd_call_ms));
		if (bulk_only)
			continue;
		add_ms(dicts_ms, time_call(c, "ListSessions", "(aa{sv})", from, to, &n));
		g_assert_cmpuint(n, ==, rows);
		add_ms(cols_ms, time_call(c, "ListSessionsColumns", "(a{sv})", from, to, &n));
		g_assert_cmpuint(n, ==, rows);
		add_ms(fd_rows_ms,
		       time_fd(c, &lactd_session_table, "ListSessionsFd", from, to, TRUE, &n, NULL));
		g_assert_cmpuint(n, ==, rows);
	}
	g_print("\n  ListSessions, one year: %" G_GSIZE_FORMAT " rows, every value read\n", rows);
	report("(a) raw sqlite3 SELECT", raw_ms);
	report("(b) store call in process, baseline", store_ms);
	report("(c) ListSessions (aa{sv})", dicts_ms);
	report("(d) ListSessionsColumns (a{sv} of arrays)", cols_ms);
	report("(e) ListSessionsFd, columns read", fd_ms);
	report("    of which the call, until the fd is here", fd_call_ms);
	report("(f) ListSessionsFd, rebuilt as aa{sv}", fd_rows_ms);
	ratio("(b) / (a), target <= 2", store_ms, raw_ms);
	ratio("(c) / (b)", dicts_ms, store_ms);
	ratio("(d) / (b)", cols_ms, store_ms);
	ratio("(e) / (b), target <= 2", fd_ms, store_ms);
	ratio("(f) / (b)", fd_rows_ms, store_ms);
}

/* GetDailySummary over all years, the same way. */
static void
bench_days(GDBusConnection *c, LactdStore *store, gint64 to, gint repeat)
{
	g_autoptr(GArray) direct_ms = ms_array(), bus_ms = ms_array(), fd_ms = ms_array();
	g_autoptr(GArray) fd_rows_ms = ms_array(), fd_call_ms = ms_array();
	g_autoptr(GError) error = NULL;
	gsize rows = 0, n = 0;

	for (gint i = 0; i < repeat; i++) {
		gint64 a = g_get_monotonic_time();
		{
			g_autoptr(GArray) d = lactd_store_daily_summary(store, 0, to, 0, 360, &error);
			g_assert_nonnull(d);
			sink += touch_days(d);
			rows = d->len;
		}
		add_ms(direct_ms, (g_get_monotonic_time() - a) / 1000.0);
		add_ms(fd_ms, time_fd(c, &lactd_day_table, "GetDailySummaryFd", 0, to, FALSE, &n, fd_call_ms));
		if (bulk_only)
			continue;
		add_ms(bus_ms, time_call(c, "GetDailySummary", "(aa{sv})", 0, to, &n));
		g_assert_cmpuint(n, ==, rows);
		add_ms(fd_rows_ms, time_fd(c, &lactd_day_table, "GetDailySummaryFd", 0, to, TRUE, &n, NULL));
		g_assert_cmpuint(n, ==, rows);
	}
	g_print("\n  GetDailySummary, all years: %" G_GSIZE_FORMAT " days, every value read\n", rows);
	report("store call in process, baseline", direct_ms);
	report("GetDailySummary (aa{sv})", bus_ms);
	report("GetDailySummaryFd, columns read", fd_ms);
	report("    of which the call, until the fd is here", fd_call_ms);
	report("GetDailySummaryFd, rebuilt as aa{sv}", fd_rows_ms);
	ratio("GetDailySummary / direct", bus_ms, direct_ms);
	ratio("GetDailySummaryFd / direct, target <= 1.2", fd_ms, direct_ms);
	ratio("GetDailySummaryFd rebuilt / direct", fd_rows_ms, direct_ms);
}

int
main(int argc, char **argv)
{
	gint years = 5, repeat = 50;
	const GOptionEntry entries[] = {
	    {"years", 0, 0, G_OPTION_ARG_INT, &years, "Years of history (default 5)", "N"},
	    {"repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Calls per query (default 50)", "N"},
	    {"bulk-only", 0, 0, G_OPTION_ARG_NONE, &bulk_only,
	     "Time only the store calls and the bulk fd methods", NULL},
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
	{
		g_autofree char *label = g_strdup_printf("migration 4 -> %u of that database",
							 LACTD_STORE_SCHEMA_VERSION);
		g_print("  %-46s %8.0f ms (%" G_GUINT64_FORMAT " sessions, a transaction a "
			"step)\n",
			label, migrate_ms, n_sessions);
	}

	daemon = lactd_test_daemon_start(bus, db, NULL);
	c = lactd_test_bus_connect(bus);
	store = lactd_store_open(db, &degraded, &error);
	g_assert_no_error(error);
	g_assert_cmpint(sqlite3_open_v2(db, &raw, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(raw,
					   "SELECT id, kind, source, start_us, end_us, left_ml, "
					   "right_ml, has_volume, left_s, right_s, device, "
					   "device_session, interrupted, live, note, supplement_ml, "
					   "method, milk, extra_ml, sides, weighed FROM sessions "
					   "WHERE start_us >= ?3 AND start_us < ?2 AND "
					   "(end_us > ?1 OR start_us >= ?1) ORDER BY start_us, id",
					   -1, &raw_stmt, NULL),
			==, SQLITE_OK);

	bench_list(c, store, raw, raw_stmt, year_ago, now, repeat);
	bench_days(c, store, now, repeat);
	sqlite3_finalize(raw_stmt);
	sqlite3_close(raw);
	lactd_test_daemon_stop(daemon);
	return 0;
}
