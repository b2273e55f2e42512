/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lactd-test.h"

struct _LactdTestBus {
	char *tmpdir;
	char *address;
	GPid pid;
};

struct _LactdTestDaemon {
	LactdTestBus *bus;
	char *db_path;
	char *log_path;
	char *config_path;
	char *plugin_dir;
	GPid pid;
	gboolean exited;
	int status;
};

static const char bus_config[] =
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>system</type>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow user=\"*\"/>\n"
    "    <allow own=\"*\"/>\n"
    "    <allow send_type=\"method_call\"/>\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "  </policy>\n"
    "</busconfig>\n";

/* Children die with the test: an aborted test leaves no bus or daemon. */
static void
die_with_parent(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
rm_rf(const char *path)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	if (!g_file_test(path, G_FILE_TEST_IS_DIR) || g_file_test(path, G_FILE_TEST_IS_SYMLINK)) {
		(void)g_unlink(path);
		return;
	}
	dir = g_dir_open(path, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *child = g_build_filename(path, name, NULL);
		rm_rf(child);
	}
	(void)g_rmdir(path);
}

char *
lactd_test_build_path(const char *first, ...)
{
	const char *builddir = g_getenv("LACTD_BUILDDIR");
	g_autoptr(GPtrArray) parts = g_ptr_array_new();
	va_list ap;
	const char *p;

	g_ptr_array_add(parts, (gpointer)(builddir != NULL ? builddir : "."));
	va_start(ap, first);
	for (p = first; p != NULL; p = va_arg(ap, const char *))
		g_ptr_array_add(parts, (gpointer)p);
	va_end(ap);
	g_ptr_array_add(parts, NULL);
	return g_build_filenamev((char **)parts->pdata);
}

LactdTestBus *
lactd_test_bus_new(void)
{
	g_autoptr(GError) error = NULL;
	LactdTestBus *bus = g_new0(LactdTestBus, 1);
	g_autofree char *conf = NULL;
	g_autofree char *conf_path = NULL;
	const char *dbus_daemon = g_getenv("DBUS_DAEMON");
	int out_fd = -1;
	const char *argv[] = {dbus_daemon != NULL ? dbus_daemon : "dbus-daemon", NULL,
			      "--nofork", "--print-address", NULL};
	g_autofree char *config_arg = NULL;
	GString *line = g_string_new(NULL);
	char c;

	bus->tmpdir = g_dir_make_tmp("lactd-test-XXXXXX", &error);
	g_assert_no_error(error);
	conf = g_strdup_printf(bus_config, bus->tmpdir);
	conf_path = g_build_filename(bus->tmpdir, "bus.conf", NULL);
	g_file_set_contents(conf_path, conf, -1, &error);
	g_assert_no_error(error);
	config_arg = g_strdup_printf("--config-file=%s", conf_path);
	argv[1] = config_arg;
	g_spawn_async_with_pipes(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, die_with_parent, NULL,
				 &bus->pid, NULL, &out_fd, NULL, &error);
	g_assert_no_error(error);
	/* The address is the first line it prints. */
	while (read(out_fd, &c, 1) == 1 && c != '\n')
		g_string_append_c(line, c);
	close(out_fd);
	bus->address = g_string_free(line, FALSE);
	g_assert_true(g_str_has_prefix(bus->address, "unix:"));
	g_setenv("DBUS_SYSTEM_BUS_ADDRESS", bus->address, TRUE);
	return bus;
}

void
lactd_test_bus_free(LactdTestBus *bus)
{
	if (bus == NULL)
		return;
	if (bus->pid > 0) {
		kill(bus->pid, SIGTERM);
		waitpid(bus->pid, NULL, 0);
		g_spawn_close_pid(bus->pid);
	}
	rm_rf(bus->tmpdir);
	g_free(bus->tmpdir);
	g_free(bus->address);
	g_free(bus);
}

const char *
lactd_test_bus_address(LactdTestBus *bus)
{
	return bus->address;
}

const char *
lactd_test_bus_tmpdir(LactdTestBus *bus)
{
	return bus->tmpdir;
}

GDBusConnection *
lactd_test_bus_connect(LactdTestBus *bus)
{
	g_autoptr(GError) error = NULL;
	GDBusConnection *c = g_dbus_connection_new_for_address_sync(
	    bus->address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);

	g_assert_no_error(error);
	g_dbus_connection_set_exit_on_close(c, FALSE);
	return c;
}

gboolean
lactd_test_wait_for(gboolean (*cond)(gpointer), gpointer user_data, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

	/* A bounded poll, as upower's assertEventually: conditions may depend
	 * on other processes as well as on this main context. */
	while (!cond(user_data)) {
		if (g_get_monotonic_time() > deadline)
			return cond(user_data);
		while (g_main_context_iteration(NULL, FALSE))
			;
		g_usleep(5000);
	}
	return TRUE;
}

typedef struct {
	GDBusConnection *connection;
	const char *name;
	gboolean owned;
} NameWait;

static gboolean
name_state(gpointer user_data)
{
	NameWait *w = user_data;
	g_autoptr(GVariant) reply = g_dbus_connection_call_sync(
	    w->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
	    "NameHasOwner", g_variant_new("(s)", w->name), G_VARIANT_TYPE("(b)"),
	    G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
	gboolean has = FALSE;

	if (reply != NULL)
		g_variant_get(reply, "(b)", &has);
	return has == w->owned;
}

gboolean
lactd_test_wait_name(GDBusConnection *connection, const char *name, gboolean owned,
		     guint timeout_ms)
{
	NameWait w = {connection, name, owned};

	return lactd_test_wait_for(name_state, &w, timeout_ms);
}

char *
lactd_test_plugin_dir(const char *tmpdir)
{
	g_autofree char *plugins = lactd_test_build_path("plugins", NULL);
	char *out = g_build_filename(tmpdir, "plugins", NULL);
	g_autoptr(GDir) dir = g_dir_open(plugins, 0, NULL);
	const char *name;

	g_mkdir_with_parents(out, 0700);
	/* Every module of every plugin folder: a folder may build more than
	 * one (timemore-basic builds the Dot's too). */
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *libs = g_build_filename(plugins, name, ".libs", NULL);
		g_autoptr(GDir) modules = g_dir_open(libs, 0, NULL);
		const char *file;

		while (modules != NULL && (file = g_dir_read_name(modules)) != NULL) {
			g_autofree char *target = NULL;
			g_autofree char *link = NULL;

			if (!g_str_has_suffix(file, ".so"))
				continue;
			target = g_build_filename(libs, file, NULL);
			link = g_build_filename(out, file, NULL);
			/* Made once per scratch directory; later daemons reuse it. */
			if (symlink(target, link) != 0)
				g_assert_cmpint(errno, ==, EEXIST);
		}
	}
	return out;
}

static void
print_log(LactdTestDaemon *daemon)
{
	g_autofree char *log = NULL;

	if (g_file_get_contents(daemon->log_path, &log, NULL, NULL))
		g_printerr("---- lactd log (%s) ----\n%s---- end of lactd log ----\n",
			   daemon->log_path, log);
}

static gboolean
daemon_gone(gpointer user_data)
{
	LactdTestDaemon *daemon = user_data;
	int status;
	pid_t r;

	if (daemon->exited)
		return TRUE;
	r = waitpid(daemon->pid, &status, WNOHANG);
	if (r == daemon->pid) {
		daemon->exited = TRUE;
		daemon->status = status;
	}
	return daemon->exited;
}

/* StorageState no longer says that the check after open runs. */
static gboolean
storage_checked(gpointer user_data)
{
	g_autoptr(GVariant) v = lactd_test_get_property(user_data, "org.lactd", "/org/lactd",
							"org.lactd.Manager1", "StorageState");

	return v != NULL && !g_str_has_prefix(g_variant_get_string(v, NULL), "checking");
}

LactdTestDaemon *
lactd_test_daemon_start(LactdTestBus *bus, const char *db_path, const char *config_text)
{
	LactdTestDaemon *daemon = lactd_test_daemon_start_checking(bus, db_path, config_text, 0);
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);

	if (!lactd_test_wait_for(storage_checked, c, 60000)) {
		print_log(daemon);
		g_error("lactd's database check did not answer");
	}
	return daemon;
}

LactdTestDaemon *
lactd_test_daemon_start_checking(LactdTestBus *bus, const char *db_path, const char *config_text,
				 guint check_delay_ms)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GDBusConnection) c = NULL;
	g_auto(GStrv) envp = g_get_environ();
	const char *wrapper = g_getenv("LACTD_TEST_WRAPPER");
	LactdTestDaemon *daemon = g_new0(LactdTestDaemon, 1);
	static guint counter = 0;
	int log_fd;
	guint n = counter++;

	daemon->bus = bus;
	daemon->db_path = db_path != NULL
			      ? g_strdup(db_path)
			      : g_strdup_printf("%s/lactd-%u.db", bus->tmpdir, n);
	daemon->log_path = g_strdup_printf("%s/lactd-%u.log", bus->tmpdir, n);
	daemon->config_path = g_strdup_printf("%s/lactd-%u.conf", bus->tmpdir, n);
	g_file_set_contents(daemon->config_path, config_text != NULL ? config_text : "", -1,
			    &error);
	g_assert_no_error(error);
	daemon->plugin_dir = lactd_test_plugin_dir(bus->tmpdir);

	if (wrapper != NULL && wrapper[0] != '\0') {
		g_auto(GStrv) words = NULL;
		g_shell_parse_argv(wrapper, NULL, &words, &error);
		g_assert_no_error(error);
		for (guint i = 0; words[i] != NULL; i++)
			g_ptr_array_add(argv, g_strdup(words[i]));
	}
	g_ptr_array_add(argv, lactd_test_build_path("daemon", "lactd", NULL));
	g_ptr_array_add(argv, g_strdup_printf("--database=%s", daemon->db_path));
	g_ptr_array_add(argv, g_strdup_printf("--config=%s", daemon->config_path));
	g_ptr_array_add(argv, g_strdup_printf("--plugin-dir=%s", daemon->plugin_dir));
	g_ptr_array_add(argv, g_strdup("--verbose"));
	g_ptr_array_add(argv, NULL);

	/* Criticals stay fatal in the daemon; a warning is logged, not fatal,
	 * as bad input from a device is expected to be. */
	envp = g_environ_setenv(envp, "G_DEBUG", "fatal-criticals", TRUE);
	envp = g_environ_setenv(envp, "DBUS_SYSTEM_BUS_ADDRESS", bus->address, TRUE);
	if (check_delay_ms > 0) {
		g_autofree char *ms = g_strdup_printf("%u", check_delay_ms);
		envp = g_environ_setenv(envp, "LACTD_TEST_CHECK_DELAY_MS", ms, TRUE);
	}
	log_fd = g_open(daemon->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	g_assert_cmpint(log_fd, >=, 0);
	g_spawn_async_with_fds(NULL, (char **)argv->pdata, envp,
			       G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_SEARCH_PATH, die_with_parent, NULL, &daemon->pid, -1, log_fd, log_fd, &error);
	close(log_fd);
	g_assert_no_error(error);

	c = lactd_test_bus_connect(bus);
	/* valgrind is slow to start: a generous bound, never a fixed sleep. */
	if (!lactd_test_wait_name(c, "org.lactd", TRUE, 60000)) {
		print_log(daemon);
		g_error("lactd did not appear on the bus");
	}
	return daemon;
}

void
lactd_test_daemon_stop(LactdTestDaemon *daemon)
{
	if (daemon->exited)
		return;
	kill(daemon->pid, SIGTERM);
	if (!lactd_test_wait_for(daemon_gone, daemon, 60000)) {
		print_log(daemon);
		kill(daemon->pid, SIGKILL);
		g_error("lactd did not stop on SIGTERM");
	}
	if (!WIFEXITED(daemon->status) || WEXITSTATUS(daemon->status) != 0) {
		print_log(daemon);
		g_error("lactd exited with status %d (signal %d)",
			WIFEXITED(daemon->status) ? WEXITSTATUS(daemon->status) : -1,
			WIFSIGNALED(daemon->status) ? WTERMSIG(daemon->status) : 0);
	}
}

void
lactd_test_daemon_kill(LactdTestDaemon *daemon)
{
	if (daemon->exited)
		return;
	kill(daemon->pid, SIGKILL);
	g_assert_true(lactd_test_wait_for(daemon_gone, daemon, 10000));
}

void
lactd_test_daemon_free(LactdTestDaemon *daemon)
{
	if (daemon == NULL)
		return;
	if (!daemon->exited) {
		kill(daemon->pid, SIGKILL);
		waitpid(daemon->pid, NULL, 0);
	}
	if (g_test_initialized() && g_test_failed())
		print_log(daemon);
	g_spawn_close_pid(daemon->pid);
	g_free(daemon->db_path);
	g_free(daemon->log_path);
	g_free(daemon->config_path);
	g_free(daemon->plugin_dir);
	g_free(daemon);
}

const char *
lactd_test_daemon_db_path(LactdTestDaemon *daemon)
{
	return daemon->db_path;
}

const char *
lactd_test_daemon_log_path(LactdTestDaemon *daemon)
{
	return daemon->log_path;
}

GPid
lactd_test_daemon_pid(LactdTestDaemon *daemon)
{
	return daemon->pid;
}

GVariant *
lactd_test_call(GDBusConnection *connection, const char *method, GVariant *args,
		const char *reply_type, GError **error)
{
	return g_dbus_connection_call_sync(connection, "org.lactd", "/org/lactd",
					   "org.lactd.Manager1", method, args,
					   reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
					   G_DBUS_CALL_FLAGS_NO_AUTO_START, 30000, NULL, error);
}

int
lactd_test_run(const char *const *argv, char **out, char **err)
{
	g_autoptr(GError) error = NULL;
	int status = -1;

	g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err, &status,
		     &error);
	g_assert_no_error(error);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* --- the fake BlueZ ------------------------------------------------------ */

struct _LactdTestFake {
	GPid pid;
	char *log_path;
};

static void
fake_die_with_parent(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

LactdTestFake *
lactd_test_fake_start(LactdTestBus *bus, const char *config_text, const char *speed)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) c = NULL;
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(bus), "fake.conf", NULL);
	g_autofree char *fake = lactd_test_build_path("tests", "fake-bluez", "fake-bluez", NULL);
	const char *argv[] = {fake, "--config", conf, "--speed", speed, NULL};
	LactdTestFake *f;
	int log_fd;

	if (!g_file_test(fake, G_FILE_TEST_IS_EXECUTABLE)) {
		g_test_skip("the fake BlueZ is not built");
		return NULL;
	}
	g_assert_true(g_file_set_contents(conf, config_text, -1, NULL));
	f = g_new0(LactdTestFake, 1);
	f->log_path = g_build_filename(lactd_test_bus_tmpdir(bus), "fake.log", NULL);
	log_fd = open(f->log_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	g_assert_cmpint(log_fd, >=, 0);
	g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD,
			       fake_die_with_parent, NULL, &f->pid, -1, log_fd, log_fd, &error);
	close(log_fd);
	g_assert_no_error(error);
	c = lactd_test_bus_connect(bus);
	if (!lactd_test_wait_name(c, "org.bluez", TRUE, 20000)) {
		g_autofree char *log = NULL;
		if (g_file_get_contents(f->log_path, &log, NULL, NULL))
			g_printerr("---- fake-bluez log ----\n%s---- end ----\n", log);
		g_error("the fake BlueZ did not come up on the bus in 20 s");
	}
	return f;
}

void
lactd_test_fake_free(LactdTestFake *f)
{
	if (f == NULL)
		return;
	if (g_test_failed()) {
		g_autofree char *log = NULL;
		if (g_file_get_contents(f->log_path, &log, NULL, NULL))
			g_printerr("---- fake-bluez log ----\n%s---- end ----\n", log);
	}
	kill(f->pid, SIGTERM);
	waitpid(f->pid, NULL, 0);
	g_spawn_close_pid(f->pid);
	g_free(f->log_path);
	g_free(f);
}

void
lactd_test_fake_call(GDBusConnection *connection, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    connection, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1",
	    method, args, NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
}

guint
lactd_test_fake_calls(GDBusConnection *connection, const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    connection, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1",
	    "GetStats", NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
	g_autoptr(GVariant) stats = NULL;
	g_autoptr(GVariant) calls = NULL;
	guint32 n = 0;

	g_assert_no_error(error);
	stats = g_variant_get_child_value(r, 0);
	calls = g_variant_lookup_value(stats, "calls", G_VARIANT_TYPE("a{su}"));
	if (calls != NULL && !g_variant_lookup(calls, method, "u", &n))
		n = 0;
	return n;
}

void
lactd_test_idle_for(guint ms)
{
	gint64 until = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < until) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(10000);
	}
}

void
lactd_test_rig_setup(LactdTestRig *rig, gconstpointer data)
{
	rig->bus = lactd_test_bus_new();
	rig->c = lactd_test_bus_connect(rig->bus);
}

void
lactd_test_rig_teardown(LactdTestRig *rig, gconstpointer data)
{
	if (rig->daemon != NULL)
		lactd_test_daemon_stop(rig->daemon);
	g_clear_pointer(&rig->daemon, lactd_test_daemon_free);
	g_clear_pointer(&rig->fake, lactd_test_fake_free);
	g_clear_object(&rig->c);
	g_clear_pointer(&rig->bus, lactd_test_bus_free);
}

GVariant *
lactd_test_get_property(GDBusConnection *connection, const char *name, const char *path,
			const char *iface, const char *property)
{
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    connection, name, path, "org.freedesktop.DBus.Properties", "Get",
	    g_variant_new("(ss)", iface, property), G_VARIANT_TYPE("(v)"), G_DBUS_CALL_FLAGS_NONE,
	    5000, NULL, NULL);
	GVariant *v = NULL;

	if (r != NULL)
		g_variant_get(r, "(v)", &v);
	return v;
}

typedef struct {
	GDBusConnection *connection;
	const char *name, *path, *iface, *property;
} PropertyWait;

static gboolean
property_readable(gpointer user_data)
{
	PropertyWait *w = user_data;
	g_autoptr(GVariant) v =
	    lactd_test_get_property(w->connection, w->name, w->path, w->iface, w->property);

	return v != NULL;
}

gboolean
lactd_test_wait_property(GDBusConnection *connection, const char *name, const char *path,
			 const char *iface, const char *property, guint timeout_ms)
{
	PropertyWait w = {connection, name, path, iface, property};

	return lactd_test_wait_for(property_readable, &w, timeout_ms);
}

static void
on_scenario_finished(GDBusConnection *c, const char *sender, const char *path,
		     const char *iface, const char *name, GVariant *params, gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
}

guint
lactd_test_watch_finished(GDBusConnection *connection, gboolean *finished)
{
	return g_dbus_connection_signal_subscribe(connection, NULL, "org.lactd.FakeBluez1",
						  "ScenarioFinished", NULL, NULL,
						  G_DBUS_SIGNAL_FLAGS_NONE, on_scenario_finished,
						  finished, NULL);
}
