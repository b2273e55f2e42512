/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Start-up and idle memory of the daemon, printed beside a floor measured
 * in the same run, on a private dbus-daemon:
 *  - start to bus-ready: from spawning lactd on a database of five years
 *    (written through the store API, bench-db.c) until org.lactd is owned
 *    and Manager1 answers a Properties.Get of Version;
 *  - idle RSS of lactd with every built plugin loaded, on a year of data
 *    (and on the five years); then its RSS after five ListSessionsFd of the
 *    whole history, and again once the buffers kept for the next reply are
 *    freed (lactd-reply-memory.c);
 * the floor being this program run again as a bare GDBus name owner
 * (--floor DB): it opens the same SQLite file, reads its schema, owns
 * org.lactd and answers the same Properties.Get, and is timed the same way.
 * Runs alternate between the two so that load from elsewhere hits both.
 * Figures only: nothing here passes or fails on time.
 *
 * Also printed: the start to the database check after start answered
 * (StorageState no longer "checking"; writes wait until then), and with
 * --baseline LACTD another lactd build (the one before a change) timed in
 * the same run, alternating with the others.
 *
 * Usage: bench-startup [--years N] [--runs N] [--baseline LACTD]
 */
#include "config.h"

#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include <gio/gunixfdlist.h>

#include "bench-db.h"
#include "lactd-reply-memory.h"
#include "lactd-test.h"

#define IDLE_SETTLE_MS 2000

/* How many timed starts of each (--runs). */
static int bench_runs = 10;

/* ---- the floor: a bare GDBus name owner with the database open ---------- */

static const char floor_xml[] = "<node><interface name='org.lactd.Manager1'>"
				"<property name='Version' type='s' access='read'/>"
				"</interface></node>";

static GVariant *
floor_get_property(GDBusConnection *connection, const char *sender, const char *path,
		   const char *iface, const char *property, GError **error, gpointer user_data)
{
	return g_variant_new_string(PACKAGE_VERSION);
}

static gboolean
floor_quit(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

static int
floor_main(const char *db_path)
{
	static const GDBusInterfaceVTable vtable = {NULL, floor_get_property, NULL, {0}};
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(floor_xml, &error);
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	g_assert_no_error(error);
	/* Open and read: sqlite3_open alone touches no page. */
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_master", -1, &st, NULL) !=
		SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
		g_printerr("floor: %s: %s\n", db_path, sqlite3_errmsg(db));
		return 1;
	}
	sqlite3_finalize(st);
	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	g_assert_no_error(error);
	g_dbus_connection_register_object(bus, "/org/lactd", node->interfaces[0], &vtable, NULL,
					  NULL, &error);
	g_assert_no_error(error);
	g_bus_own_name_on_connection(bus, "org.lactd", G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE, NULL,
				     NULL, NULL, NULL);
	g_unix_signal_add(SIGTERM, floor_quit, loop);
	g_main_loop_run(loop);
	sqlite3_close(db);
	return 0;
}

/* ---- one timed start ------------------------------------------------------ */

/* Another lactd build timed in the same run, such as the one before a
 * change (--baseline). */
static char *baseline_lactd;

typedef struct {
	double ready_ms;   /* spawn to Manager1's answer */
	double checked_ms; /* spawn to StorageState no longer "checking" */
	double rss_mib;	   /* after IDLE_SETTLE_MS idle, or < 0 when not read */
	double queried_mib; /* lactd: after five whole-history ListSessionsFd */
	double given_back_mib; /* and LACTD_REPLY_MEMORY_KEEP_S + 1 s later */
} Start;

static void
die_with_parent(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
on_owner_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
		 const char *signal, GVariant *params, gpointer user_data)
{
	const char *name, *old, *new;

	g_variant_get(params, "(&s&s&s)", &name, &old, &new);
	if (g_str_equal(name, "org.lactd") && new[0] != '\0')
		*(gboolean *)user_data = TRUE;
}

static double
rss_mib(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL) ||
	    (p = strstr(text, "VmRSS:")) == NULL)
		return -1;
	return g_ascii_strtod(p + strlen("VmRSS:"), NULL) / 1024.0;
}

/* The whole history as ListSessionsFd, five times, each reply's fd
 * closed: what a chart being scrolled asks. */
static void
query_history(GDBusConnection *c)
{
	for (int i = 0; i < 5; i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(GUnixFDList) fds = NULL;
		g_autoptr(GVariant) reply = g_dbus_connection_call_with_unix_fd_list_sync(
		    c, "org.lactd", "/org/lactd", "org.lactd.Manager1", "ListSessionsFd",
		    g_variant_new("(xx)", (gint64)0, G_MAXINT64), G_VARIANT_TYPE("(h)"),
		    G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, &fds, NULL, &error);
		g_assert_no_error(error);
	}
}

/* Spawns argv, waits for org.lactd and Manager1's answer, optionally lets
 * it idle and reads its RSS (for lactd, @query: also after queries, and
 * once their buffers are freed), then stops it with SIGTERM. */
static Start
timed_start(GDBusConnection *c, const char *const *argv, const char *log_path, gboolean read_rss,
	    gboolean query)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = NULL;
	gboolean owned = FALSE;
	Start r = {0, 0, -1, -1, -1};
	GPid pid;
	int log_fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	guint sub;
	gint64 t0;
	int status;

	g_assert_cmpint(log_fd, >=, 0);
	sub = g_dbus_connection_signal_subscribe(c, "org.freedesktop.DBus", "org.freedesktop.DBus",
						 "NameOwnerChanged", "/org/freedesktop/DBus",
						 "org.lactd", G_DBUS_SIGNAL_FLAGS_NONE,
						 on_owner_changed, &owned, NULL);
	/* The match rule is in place before the process exists. */
	g_dbus_connection_flush_sync(c, NULL, NULL);
	lactd_test_wait_name(c, "org.lactd", FALSE, 1000);

	t0 = g_get_monotonic_time();
	g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
			       die_with_parent, NULL, &pid, -1, log_fd, log_fd, &error);
	close(log_fd);
	g_assert_no_error(error);
	while (!owned)
		g_main_context_iteration(NULL, TRUE);
	reply = g_dbus_connection_call_sync(c, "org.lactd", "/org/lactd",
					    "org.freedesktop.DBus.Properties", "Get",
					    g_variant_new("(ss)", "org.lactd.Manager1", "Version"),
					    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START,
					    10000, NULL, &error);
	g_assert_no_error(error);
	r.ready_ms = (g_get_monotonic_time() - t0) / 1000.0;
	g_dbus_connection_signal_unsubscribe(c, sub);
	/* The database check after start (lactd-store-check.c): asked again
	 * until it has answered; the floor and older builds answer at once. */
	for (;;) {
		g_autoptr(GVariant) state = g_dbus_connection_call_sync(
		    c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.Properties", "Get",
		    g_variant_new("(ss)", "org.lactd.Manager1", "StorageState"),
		    G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, NULL);
		g_autoptr(GVariant) v = NULL;

		if (state != NULL)
			g_variant_get(state, "(v)", &v);
		if (v == NULL || !g_str_has_prefix(g_variant_get_string(v, NULL), "checking"))
			break;
		g_usleep(500);
	}
	r.checked_ms = (g_get_monotonic_time() - t0) / 1000.0;

	if (read_rss) {
		lactd_test_idle_for(IDLE_SETTLE_MS);
		r.rss_mib = rss_mib(pid);
	}
	if (read_rss && query) {
		query_history(c);
		r.queried_mib = rss_mib(pid);
		lactd_test_idle_for((LACTD_REPLY_MEMORY_KEEP_S + 1) * 1000);
		r.given_back_mib = rss_mib(pid);
	}
	kill(pid, SIGTERM);
	g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
	g_spawn_close_pid(pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		g_autofree char *log = NULL;

		g_file_get_contents(log_path, &log, NULL, NULL);
		g_error("%s exited with status %d:\n%s", argv[0], status, log != NULL ? log : "");
	}
	return r;
}

/* ---- the comparison --------------------------------------------------------- */

static int
cmp_double(gconstpointer a, gconstpointer b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double
median(GArray *values)
{
	g_array_sort(values, cmp_double);
	return g_array_index(values, double, values->len / 2);
}

static guint
count_plugins(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;
	guint n = 0;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL)
		n += g_str_has_suffix(name, ".so");
	return n;
}

/* Starts lactd and the floor `runs` times each on db (after one start of
 * each that warms the page cache and is not counted) and prints the
 * medians; the last start of each also idles and reads its RSS. */
static void
compare(GDBusConnection *c, LactdTestBus *bus, const char *self, const char *db,
	const char *label)
{
	const char *tmp = lactd_test_bus_tmpdir(bus);
	g_autofree char *lactd = lactd_test_build_path("daemon", "lactd", NULL);
	g_autofree char *plugins = lactd_test_plugin_dir(tmp);
	g_autofree char *conf = g_build_filename(tmp, "bench.conf", NULL);
	g_autofree char *db_arg = g_strdup_printf("--database=%s", db);
	g_autofree char *conf_arg = g_strdup_printf("--config=%s", conf);
	g_autofree char *plugin_arg = g_strdup_printf("--plugin-dir=%s", plugins);
	g_autofree char *log = g_build_filename(tmp, "started.log", NULL);
	const char *daemon_argv[] = {lactd, db_arg, conf_arg, plugin_arg, NULL};
	const char *floor_argv[] = {self, "--floor", db, NULL};
	const char *base_argv[] = {baseline_lactd, db_arg, conf_arg, plugin_arg, NULL};
	g_autoptr(GArray) daemon_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) checked_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) base_ms = g_array_new(FALSE, FALSE, sizeof(double));
	g_autoptr(GArray) floor_ms = g_array_new(FALSE, FALSE, sizeof(double));
	Start d = {0, 0, -1, -1, -1}, f = d, b = d;

	g_assert_true(g_file_set_contents(conf, "", 0, NULL));
	timed_start(c, daemon_argv, log, FALSE, FALSE);
	timed_start(c, floor_argv, log, FALSE, FALSE);
	if (baseline_lactd != NULL)
		timed_start(c, base_argv, log, FALSE, FALSE);
	for (int i = 0; i < bench_runs; i++) {
		gboolean last = i == bench_runs - 1;

		d = timed_start(c, daemon_argv, log, last, TRUE);
		f = timed_start(c, floor_argv, log, last, FALSE);
		g_array_append_val(daemon_ms, d.ready_ms);
		g_array_append_val(checked_ms, d.checked_ms);
		g_array_append_val(floor_ms, f.ready_ms);
		if (baseline_lactd != NULL) {
			b = timed_start(c, base_argv, log, last, TRUE);
			g_array_append_val(base_ms, b.ready_ms);
		}
	}
	g_print("\n  %s, %u plugins in the plugin directory (%d starts each, medians):\n", label,
		count_plugins(plugins), bench_runs);
	g_print("  %-44s %8.1f ms\n", "lactd, start to Manager1 answering", median(daemon_ms));
	g_print("  %-44s %8.1f ms\n", "lactd, start to its database check answered",
		median(checked_ms));
	if (baseline_lactd != NULL)
		g_print("  %-44s %8.1f ms\n", "baseline lactd, start to Manager1 answering",
			median(base_ms));
	g_print("  %-44s %8.1f ms\n", "floor (GDBus name owner, SQLite open)", median(floor_ms));
	g_print("  %-44s %8.2fx   (target: lactd <= 50 ms)\n", "ratio",
		median(daemon_ms) / median(floor_ms));
	if (baseline_lactd != NULL)
		g_print("  %-44s %8.2fx\n", "baseline ratio", median(base_ms) / median(floor_ms));
	g_print("  %-44s %8.1f MiB\n", "lactd idle RSS", d.rss_mib);
	if (baseline_lactd != NULL)
		g_print("  %-44s %8.1f MiB\n", "baseline lactd idle RSS", b.rss_mib);
	g_print("  %-44s %8.1f MiB\n", "floor idle RSS", f.rss_mib);
	g_print("  %-44s %8.2fx\n", "ratio", d.rss_mib / f.rss_mib);
	g_print("  %-44s %8.1f MiB\n", "lactd RSS after 5 ListSessionsFd, all", d.queried_mib);
	g_print("  %-44s %8.1f MiB\n", "  and once their buffers are freed", d.given_back_mib);
	if (baseline_lactd != NULL) {
		g_print("  %-44s %8.1f MiB\n", "baseline, after the same queries", b.queried_mib);
		g_print("  %-44s %8.1f MiB\n", "  and as long after", b.given_back_mib);
	}
}

/* Builds the two databases, then compares lactd and the floor on each. */
static void
run(const char *self, guint years)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autofree char *db1 = g_build_filename(lactd_test_bus_tmpdir(bus), "one-year.db", NULL);
	g_autofree char *dbn = g_build_filename(lactd_test_bus_tmpdir(bus), "years.db", NULL);
	g_autofree char *label = g_strdup_printf("%u years", years);
	guint64 n1, nn;

	g_print("lactd start-up benchmark: a private dbus-daemon, 12 sessions a day with 1 Hz "
		"samples\n");
	bench_db_build(db1, 1, &n1);
	bench_db_build(dbn, years, &nn);
	g_print("  databases: one year (%" G_GUINT64_FORMAT " sessions), %u years (%" G_GUINT64_FORMAT
		" sessions)\n",
		n1, years, nn);
	compare(c, bus, self, dbn, label);
	compare(c, bus, self, db1, "one year");
}

int
main(int argc, char **argv)
{
	gint years = 5;
	g_autofree char *floor_db = NULL;
	const GOptionEntry entries[] = {
	    {"years", 0, 0, G_OPTION_ARG_INT, &years, "Years of history (default 5)", "N"},
	    {"runs", 0, 0, G_OPTION_ARG_INT, &bench_runs, "Starts of each (default 10)", "N"},
	    {"baseline", 0, 0, G_OPTION_ARG_FILENAME, &baseline_lactd,
	     "Also time this lactd build, alternating with the others (before a change)",
	     "LACTD"},
	    {"floor", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &floor_db,
	     "Be the floor on this database", "DB"},
	    {NULL},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- lactd start-up benchmark");
	g_autoptr(GError) error = NULL;
	g_autofree char *self = NULL;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error) || years < 1 || bench_runs < 1) {
		g_printerr("bench-startup: %s\n",
			   error != NULL ? error->message : "--years and --runs: at least 1");
		return 2;
	}
	if (floor_db != NULL)
		return floor_main(floor_db);
	self = g_file_read_link("/proc/self/exe", &error);
	g_assert_no_error(error);
	run(self, (guint)years);
	return 0;
}
