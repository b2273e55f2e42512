/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture costs, printed beside a floor measured in the same run:
 *  - the daemon's CPU time per notification, with the fake BlueZ sending
 *    Open Pump Profile notifications as fast as its scenario allows, through
 *    the real bus into the real database; the floor is a bare GDBus signal
 *    subscriber in this process doing the same durable SQLite insert for each
 *    of the same notifications;
 *  - the daemon's wakeups over a quiet period with devices paired but
 *    switched off (out of range): the target is zero.
 * Figures only: nothing here passes or fails on time.
 *
 * Usage: bench-capture [--sessions N] [--quiet-seconds N]
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lactd-test.h"

typedef struct {
	sqlite3 *db;
	sqlite3_stmt *insert;
	guint received;
} Floor;

static void
die_with_parent(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static double
process_cpu_s(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/stat", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) fields = NULL;
	const char *after;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	/* Fields after the command name, which may hold spaces. */
	after = strrchr(text, ')');
	fields = g_strsplit(after + 2, " ", -1);
	return (g_ascii_strtod(fields[11], NULL) + g_ascii_strtod(fields[12], NULL)) /
	       sysconf(_SC_CLK_TCK);
}

static guint64
process_switches(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", pid);
	g_autofree char *text = NULL;
	g_auto(GStrv) lines = NULL;
	guint64 total = 0;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return 0;
	lines = g_strsplit(text, "\n", -1);
	for (guint i = 0; lines[i] != NULL; i++) {
		if (g_str_has_prefix(lines[i], "voluntary_ctxt_switches:") ||
		    g_str_has_prefix(lines[i], "nonvoluntary_ctxt_switches:"))
			total += g_ascii_strtoull(strchr(lines[i], ':') + 1, NULL, 10);
	}
	return total;
}

/* Bytes the process had the kernel write to storage (or -1). */
static double
process_disk_bytes(const char *pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%s/io", pid);
	g_autofree char *text = NULL;
	const char *at;

	if (!g_file_get_contents(path, &text, NULL, NULL) ||
	    (at = strstr(text, "\nwrite_bytes:")) == NULL)
		return -1;
	return g_ascii_strtod(at + strlen("\nwrite_bytes:"), NULL);
}

static double
self_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
	       ru.ru_stime.tv_usec / 1e6;
}

/* The floor: what any capture must do per notification at least. */
static void
on_value(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	 const char *name, GVariant *params, gpointer user_data)
{
	Floor *f = user_data;
	const char *changed_iface;
	g_autoptr(GVariant) props = NULL;
	g_autoptr(GVariant) value = NULL;
	gsize len;
	const guint8 *data;

	g_variant_get(params, "(&s@a{sv}@as)", &changed_iface, &props, NULL);
	if (!g_str_equal(changed_iface, "org.bluez.GattCharacteristic1"))
		return;
	value = g_variant_lookup_value(props, "Value", G_VARIANT_TYPE_BYTESTRING);
	if (value == NULL)
		return;
	data = g_variant_get_fixed_array(value, &len, 1);
	sqlite3_bind_int64(f->insert, 1, g_get_real_time());
	sqlite3_bind_blob(f->insert, 2, data, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(f->insert) != SQLITE_DONE)
		g_error("floor insert: %s", sqlite3_errmsg(f->db));
	sqlite3_reset(f->insert);
	f->received++;
}

static guint32
fake_notifications(GDBusConnection *c)
{
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1", "GetStats",
	    NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, NULL);
	g_autoptr(GVariant) d = NULL;
	guint32 n = 0;

	if (r == NULL)
		return 0;
	d = g_variant_get_child_value(r, 0);
	g_variant_lookup(d, "notifications", "u", &n);
	return n;
}

typedef struct {
	GDBusConnection *c;
	guint want;
	guint *ended;
} Wait;

static void
on_ended(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	 const char *name, GVariant *params, gpointer user_data)
{
	(*(guint *)user_data)++;
}

static gboolean
all_ended(gpointer user_data)
{
	Wait *w = user_data;
	return *w->ended >= w->want;
}

static GPid
spawn_fake(LactdTestBus *bus, const char *conf_text, const char *speed)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *fake = lactd_test_build_path("tests", "fake-bluez", "fake-bluez", NULL);
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(bus), "bench.conf", NULL);
	const char *argv[] = {fake, "--config", conf, "--speed", speed, NULL};
	GPid pid;
	int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	g_assert_true(g_file_set_contents(conf, conf_text, -1, NULL));
	g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
			       die_with_parent, NULL, &pid, -1, null_fd, null_fd, &error);
	close(null_fd);
	g_assert_no_error(error);
	return pid;
}

static void
stop(GPid pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
	g_spawn_close_pid(pid);
}

int
main(int argc, char **argv)
{
	gint sessions = 10, quiet = 60;
	const GOptionEntry entries[] = {
	    {"sessions", 0, 0, G_OPTION_ARG_INT, &sessions, "Pump sessions to play (default 10)", "N"},
	    {"quiet-seconds", 0, 0, G_OPTION_ARG_INT, &quiet, "Quiet period (default 60)", "N"},
	    {NULL},
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("- lactd capture benchmark");
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestBus) bus = NULL;
	g_autoptr(GDBusConnection) c = NULL;
	g_autofree char *conf = NULL;
	g_autofree char *floor_db = NULL;
	Floor fl = {0};
	guint ended = 0;
	Wait w;
	GPid fake;
	double d0, d1, f0, f1, dw0, dw1, fw0, fw1;
	guint32 n;

	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("%s\n", error->message);
		return 2;
	}
	bus = lactd_test_bus_new();
	c = lactd_test_bus_connect(bus);

	/* The floor's database: the same durability as the daemon's. */
	floor_db = g_build_filename(lactd_test_bus_tmpdir(bus), "floor.db", NULL);
	g_assert_cmpint(sqlite3_open(floor_db, &fl.db), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_exec(fl.db,
				     "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
				     "CREATE TABLE v (t INTEGER, value BLOB);",
				     NULL, NULL, NULL),
			==, SQLITE_OK);
	g_assert_cmpint(sqlite3_prepare_v2(fl.db, "INSERT INTO v VALUES (?1, ?2)", -1, &fl.insert,
					   NULL),
			==, SQLITE_OK);
	g_dbus_connection_signal_subscribe(c, "org.bluez", "org.freedesktop.DBus.Properties",
					   "PropertiesChanged", NULL, NULL, G_DBUS_SIGNAL_FLAGS_NONE,
					   on_value, &fl, NULL);
	g_dbus_connection_signal_subscribe(c, NULL, "org.lactd.Manager1", "SessionEnded",
					   "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE, on_ended,
					   &ended, NULL);

	conf = g_strdup_printf("[adapter hci0]\naddress=00:1A:7D:DA:71:13\n\n"
			       "[device pump]\naddress=C0:FF:EE:00:00:01\npaired=true\n"
			       "emulator=opp\nphases=stimulation:60;expression:1140;idle\n"
			       "left_ml=300\nright_ml=280\nrepeat=%d\ngap=60\n",
			       sessions);
	fake = spawn_fake(bus, conf, "400");
	g_assert_true(lactd_test_wait_name(c, "org.bluez", TRUE, 20000));
	{
		g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
		GPid pid = lactd_test_daemon_pid(daemon);

		g_autofree char *pid_text = g_strdup_printf("%d", pid);

		d0 = process_cpu_s(pid);
		f0 = self_cpu_s();
		dw0 = process_disk_bytes(pid_text);
		fw0 = process_disk_bytes("self");
		w = (Wait){c, (guint)sessions, &ended};
		g_assert_true(lactd_test_wait_for(all_ended, &w, 600000));
		/* Let the last signals reach the floor too. */
		lactd_test_wait_for(all_ended, &w, 200);
		d1 = process_cpu_s(pid);
		f1 = self_cpu_s();
		dw1 = process_disk_bytes(pid_text);
		fw1 = process_disk_bytes("self");
		n = fake_notifications(c);
		g_print("lactd capture benchmark: %d Open Pump Profile sessions at 400x\n", sessions);
		g_print("  notifications sent by the fake:        %u (floor received %u)\n", n,
			fl.received);
		g_print("  lactd CPU per notification:            %.1f us\n", (d1 - d0) * 1e6 / n);
		g_print("  floor CPU per notification:            %.1f us (signal + durable insert)\n",
			(f1 - f0) * 1e6 / MAX(fl.received, 1));
		g_print("  ratio:                                 %.2fx (target: <= 1.2x)\n",
			((d1 - d0) / n) / ((f1 - f0) / MAX(fl.received, 1)));
		/* What a small board's SD card takes: the WAL's pages, synced. */
		if (dw0 >= 0 && fw0 >= 0)
			g_print("  written to disk per notification:      lactd %.0f bytes, floor %.0f "
				"bytes\n",
				(dw1 - dw0) / n, (fw1 - fw0) / MAX(fl.received, 1));
		lactd_test_daemon_stop(daemon);
	}
	stop(fake);

	/* Quiet: a paired pump and scale, both switched off. */
	g_free(conf);
	conf = g_strdup("[adapter hci0]\naddress=00:1A:7D:DA:71:13\n\n"
			"[device pump]\naddress=C0:FF:EE:00:00:01\npaired=true\npresent=false\n"
			"emulator=opp\n\n"
			"[device scale]\naddress=C0:FF:EE:00:00:02\npaired=true\npresent=false\n"
			"emulator=wss\n");
	fake = spawn_fake(bus, conf, "1");
	lactd_test_wait_name(c, "org.bluez", TRUE, 20000);
	{
		g_autoptr(LactdTestDaemon) daemon =
		    lactd_test_daemon_start(bus, NULL, "[Capture]\nReconnectMax=300000\n");
		GPid pid = lactd_test_daemon_pid(daemon);
		guint64 s0, s1, settled;

		/* Let its first attempts end: BlueZ holds a Connect to an absent
		 * device for a few seconds before it fails. */
		g_usleep(15 * G_USEC_PER_SEC);
		s0 = process_switches(pid);
		g_usleep((gulong)quiet * G_USEC_PER_SEC);
		s1 = process_switches(pid);
		settled = s1 - s0;
		g_print("\n  quiet, devices paired and off: %" G_GUINT64_FORMAT
			" wakeups (context switches) in %d s; the target is 0\n",
			settled, quiet);
		lactd_test_daemon_stop(daemon);
	}
	stop(fake);
	sqlite3_finalize(fl.insert);
	sqlite3_close(fl.db);
	return 0;
}
