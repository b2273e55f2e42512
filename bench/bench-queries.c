/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Builds a synthetic five-year database (12 sessions a day, 20 minutes each,
 * one sample a second per side) and prints:
 *  - database bytes per session;
 *  - ListSessions over one year and GetDailySummary over five years through
 *    D-Bus, against the real daemon on a private bus (median and p99);
 *  - the same queries run directly on the store in this process, so that the
 *    D-Bus and daemon overhead shows as a ratio.
 * Figures only: nothing here passes or fails on time.
 *
 * Usage: bench-queries [--years N] [--repeat N]
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <sys/stat.h>

#include "bench-db.h"
#include "lactd-store.h"
#include "lactd-test.h"

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static void
report(const char *what, GArray *ms)
{
	double median, p99;

	g_array_sort(ms, cmp_double);
	median = g_array_index(ms, double, ms->len / 2);
	p99 = g_array_index(ms, double, MIN(ms->len - 1, (guint)ceil(ms->len * 0.99) - 1));
	g_print("  %-44s median %8.2f ms   p99 %8.2f ms   (%u runs)\n", what, median, p99, ms->len);
}

static double
median_of(GArray *ms)
{
	g_array_sort(ms, cmp_double);
	return g_array_index(ms, double, ms->len / 2);
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
	g_autofree char *db = NULL;
	guint64 n_sessions;
	struct stat st;
	gint64 now = g_get_real_time();
	gint64 t0;
	const struct {
		const char *name;
		const char *method;
		gint64 from;
	} queries[] = {
	    {"ListSessions, one year", "ListSessions", now - 365 * G_TIME_SPAN_DAY},
	    {"GetDailySummary, all years", "GetDailySummary", 0},
	};

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	bus = lactd_test_bus_new();
	db = g_build_filename(lactd_test_bus_tmpdir(bus), "bench.db", NULL);

	g_print("lactd query benchmark: %d years, 12 sessions a day, 1 Hz samples per side\n", years);
	t0 = g_get_monotonic_time();
	bench_db_build(db, (guint)years, &n_sessions);
	g_print("  built %" G_GUINT64_FORMAT " sessions in %.1f s\n", n_sessions,
		(g_get_monotonic_time() - t0) / 1e6);
	g_assert_cmpint(g_stat(db, &st), ==, 0);
	g_print("  database: %.1f MB, %.0f bytes per session (1200 samples a side)\n",
		st.st_size / 1e6, (double)st.st_size / (double)n_sessions);

	daemon = lactd_test_daemon_start(bus, db, NULL);
	c = lactd_test_bus_connect(bus);

	for (guint q = 0; q < G_N_ELEMENTS(queries); q++) {
		g_autoptr(GArray) bus_ms = g_array_new(FALSE, FALSE, sizeof(double));
		g_autoptr(GArray) direct_ms = g_array_new(FALSE, FALSE, sizeof(double));
		g_autofree char *label_bus = g_strdup_printf("%s, D-Bus", queries[q].name);
		g_autofree char *label_direct = g_strdup_printf("%s, store direct", queries[q].name);
		g_autofree char *degraded = NULL;
		g_autoptr(LactdStore) store = lactd_store_open(db, &degraded, &error);
		gsize rows = 0;

		g_assert_no_error(error);
		for (gint i = 0; i < repeat; i++) {
			gint64 a = g_get_monotonic_time();
			g_autoptr(GVariant) r = lactd_test_call(
			    c, queries[q].method, g_variant_new("(xx)", queries[q].from, now),
			    "(aa{sv})", &error);
			double ms = (g_get_monotonic_time() - a) / 1000.0;
			g_autoptr(GVariant) list = NULL;

			g_assert_no_error(error);
			list = g_variant_get_child_value(r, 0);
			rows = g_variant_n_children(list);
			g_array_append_val(bus_ms, ms);
		}
		for (gint i = 0; i < repeat; i++) {
			gint64 a = g_get_monotonic_time();
			double ms;
			if (q == 0) {
				g_autoptr(GPtrArray) l =
				    lactd_store_list_sessions(store, queries[q].from, now, &error);
				g_assert_nonnull(l);
			} else {
				g_autoptr(GArray) d = lactd_store_daily_summary(
				    store, queries[q].from, now, 0, 360, &error);
				g_assert_nonnull(d);
			}
			ms = (g_get_monotonic_time() - a) / 1000.0;
			g_array_append_val(direct_ms, ms);
		}
		g_print("\n  %s: %" G_GSIZE_FORMAT " rows\n", queries[q].name, rows);
		report(label_bus, bus_ms);
		report(label_direct, direct_ms);
		g_print("  %-44s %.2fx\n", "D-Bus and daemon overhead (median ratio)",
			median_of(bus_ms) / median_of(direct_ms));
	}
	lactd_test_daemon_stop(daemon);
	return 0;
}
