/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The authorization check on a private bus: a service in this process
 * answers a method with lactd_auth_check_async(), and callers are gdbus
 * processes, as root or (when the test runs as root) as nobody. A fake
 * polkit, answering as polkit's Authority.CheckAuthorization does, runs in
 * a thread of its own.
 * Also the sd_notify(3) datagrams, received on a socket of the test.
 */
/* setresuid(), setresgid() */
#define _GNU_SOURCE
#include "config.h"

#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <grp.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lactd-auth.h"
#include "lactd-error.h"
#include "lactd-test.h"

#define NOBODY_UID 65534
#define NOBODY_GID 65534

static const char service_xml[] = "<node>"
				  "  <interface name='org.lactd.Test1'>"
				  "    <method name='Change'>"
				  "      <arg name='action' type='s' direction='in'/>"
				  "    </method>"
				  "  </interface>"
				  "</node>";

static const char polkit_xml[] = "<node>"
				 "  <interface name='org.freedesktop.PolicyKit1.Authority'>"
				 "    <method name='CheckAuthorization'>"
				 "      <arg type='(sa{sv})' direction='in'/>"
				 "      <arg type='s' direction='in'/>"
				 "      <arg type='a{ss}' direction='in'/>"
				 "      <arg type='u' direction='in'/>"
				 "      <arg type='s' direction='in'/>"
				 "      <arg type='(bba{ss})' direction='out'/>"
				 "    </method>"
				 "  </interface>"
				 "</node>";

typedef enum { POLKIT_YES, POLKIT_CHALLENGE, POLKIT_NO, POLKIT_FAIL } PolkitAnswer;

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *service;
	guint service_reg;
	/* the fake polkit, its thread and what it was asked */
	GThread *polkit_thread;
	GMainContext *polkit_context;
	GMainLoop *polkit_loop;
	GMutex lock;
	GCond cond;
	gboolean polkit_up;
	PolkitAnswer answer;
	guint polkit_calls;
	char *subject_kind;
	char *subject_name;
	char *action;
	guint32 flags;
	guint n_details;
} Fixture;

static void
service_checked(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GDBusMethodInvocation *invocation = user_data;
	g_autoptr(GError) error = NULL;

	if (lactd_auth_check_finish(res, &error))
		g_dbus_method_invocation_return_value(invocation, NULL);
	else
		g_dbus_method_invocation_return_gerror(invocation, error);
}

static void
service_method(GDBusConnection *connection, const char *sender, const char *path,
	       const char *iface, const char *method, GVariant *params,
	       GDBusMethodInvocation *invocation, gpointer user_data)
{
	const char *action;

	g_variant_get(params, "(&s)", &action);
	lactd_auth_check_async(invocation, action, NULL, service_checked, invocation);
}

static const GDBusInterfaceVTable service_vtable = {service_method, NULL, NULL, {0}};

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(service_xml, NULL);
	g_autoptr(GError) error = NULL;

	g_mutex_init(&f->lock);
	g_cond_init(&f->cond);
	/* Registers org.lactd.Error.* before the first reply. */
	(void)LACTD_ERROR;
	f->bus = lactd_test_bus_new();
	/* A caller running as nobody must reach the socket in the scratch dir. */
	g_assert_cmpint(chmod(lactd_test_bus_tmpdir(f->bus), 0711), ==, 0);
	f->service = lactd_test_bus_connect(f->bus);
	f->service_reg = g_dbus_connection_register_object(f->service, "/org/lactd/test",
							   node->interfaces[0], &service_vtable,
							   NULL, NULL, &error);
	g_assert_no_error(error);
}

static void
polkit_method(GDBusConnection *connection, const char *sender, const char *path,
	      const char *iface, const char *method, GVariant *params,
	      GDBusMethodInvocation *invocation, gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) subject_details = NULL;
	g_autoptr(GVariant) details = NULL;
	PolkitAnswer answer;

	g_mutex_lock(&f->lock);
	f->polkit_calls++;
	g_clear_pointer(&f->subject_kind, g_free);
	g_clear_pointer(&f->subject_name, g_free);
	g_clear_pointer(&f->action, g_free);
	g_variant_get(params, "((s@a{sv})s@a{ss}u&s)", &f->subject_kind, &subject_details,
		      &f->action, &details, &f->flags, NULL);
	g_variant_lookup(subject_details, "name", "s", &f->subject_name);
	f->n_details = (guint)g_variant_n_children(details);
	answer = f->answer;
	g_mutex_unlock(&f->lock);

	switch (answer) {
	case POLKIT_FAIL:
		g_dbus_method_invocation_return_dbus_error(invocation,
							   "org.freedesktop.PolicyKit1.Error.Failed",
							   "the fake polkit fails on purpose");
		return;
	default:
		g_dbus_method_invocation_return_value(
		    invocation, g_variant_new("((bb@a{ss}))", answer == POLKIT_YES,
					      answer == POLKIT_CHALLENGE,
					      g_variant_new_array(G_VARIANT_TYPE("{ss}"), NULL, 0)));
	}
}

static const GDBusInterfaceVTable polkit_vtable = {polkit_method, NULL, NULL, {0}};

static void
polkit_name_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Fixture *f = user_data;

	g_mutex_lock(&f->lock);
	f->polkit_up = TRUE;
	g_cond_signal(&f->cond);
	g_mutex_unlock(&f->lock);
}

static gpointer
polkit_thread(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml(polkit_xml, NULL);
	g_autoptr(GDBusConnection) connection = NULL;
	g_autoptr(GError) error = NULL;
	guint reg, owner;

	g_main_context_push_thread_default(f->polkit_context);
	connection = lactd_test_bus_connect(f->bus);
	reg = g_dbus_connection_register_object(connection, "/org/freedesktop/PolicyKit1/Authority",
						node->interfaces[0], &polkit_vtable, f, NULL,
						&error);
	g_assert_no_error(error);
	owner = g_bus_own_name_on_connection(connection, "org.freedesktop.PolicyKit1",
					     G_BUS_NAME_OWNER_FLAGS_NONE, polkit_name_acquired, NULL,
					     f, NULL);
	g_main_loop_run(f->polkit_loop);
	g_bus_unown_name(owner);
	g_dbus_connection_unregister_object(connection, reg);
	g_dbus_connection_flush_sync(connection, NULL, NULL);
	g_dbus_connection_close_sync(connection, NULL, NULL);
	g_main_context_pop_thread_default(f->polkit_context);
	return NULL;
}

static void
start_polkit(Fixture *f, PolkitAnswer answer)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	f->answer = answer;
	f->polkit_context = g_main_context_new();
	f->polkit_loop = g_main_loop_new(f->polkit_context, FALSE);
	f->polkit_thread = g_thread_new("fake-polkit", polkit_thread, f);
	g_mutex_lock(&f->lock);
	while (!f->polkit_up)
		if (!g_cond_wait_until(&f->cond, &f->lock, deadline))
			break;
	g_assert_true(f->polkit_up);
	g_mutex_unlock(&f->lock);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	if (f->polkit_thread != NULL) {
		g_main_loop_quit(f->polkit_loop);
		g_thread_join(f->polkit_thread);
		g_main_loop_unref(f->polkit_loop);
		g_main_context_unref(f->polkit_context);
	}
	g_dbus_connection_unregister_object(f->service, f->service_reg);
	g_dbus_connection_close_sync(f->service, NULL, NULL);
	g_object_unref(f->service);
	lactd_test_bus_free(f->bus);
	g_free(f->subject_kind);
	g_free(f->subject_name);
	g_free(f->action);
	g_mutex_clear(&f->lock);
	g_cond_clear(&f->cond);
}

typedef struct {
	gboolean done;
	int status;
} Child;

static void
child_exited(GPid pid, int status, gpointer user_data)
{
	Child *child = user_data;

	child->status = status;
	child->done = TRUE;
	g_spawn_close_pid(pid);
}

static gboolean
child_done(gpointer user_data)
{
	return ((Child *)user_data)->done;
}

static void
become_nobody(gpointer user_data)
{
	/* After fork, before exec: only async-signal-safe calls. Drop the
	 * supplementary groups first, while still allowed to. */
	if (setgroups(0, NULL) != 0 || setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) != 0 ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID) != 0)
		_exit(125);
}

/* Calls Change(action) with gdbus, as nobody or as this process's user,
 * while the main context serves the call. Returns gdbus's exit status;
 * *err receives its error output. */
static int
call_change(Fixture *f, const char *action, gboolean as_nobody, char **err)
{
	g_autofree char *gdbus = g_find_program_in_path("gdbus");
	const char *argv[] = {gdbus, "call", "--address", lactd_test_bus_address(f->bus),
			      "--dest", g_dbus_connection_get_unique_name(f->service),
			      "--object-path", "/org/lactd/test", "--method",
			      "org.lactd.Test1.Change", action, NULL};
	g_autoptr(GError) error = NULL;
	Child child = {0};
	GPid pid;
	int err_fd = -1;
	g_autoptr(GIOChannel) channel = NULL;
	gsize len;

	g_assert_nonnull(gdbus);
	g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
				 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
				 as_nobody ? become_nobody : NULL, NULL, &pid, NULL, NULL, &err_fd,
				 &error);
	g_assert_no_error(error);
	g_child_watch_add(pid, child_exited, &child);
	g_assert_true(lactd_test_wait_for(child_done, &child, 10000));
	channel = g_io_channel_unix_new(err_fd);
	g_io_channel_set_close_on_unref(channel, TRUE);
	g_io_channel_read_to_end(channel, err, &len, &error);
	g_assert_no_error(error);
	g_assert_true(WIFEXITED(child.status));
	g_assert_cmpint(WEXITSTATUS(child.status), !=, 125);
	return WEXITSTATUS(child.status);
}

static gboolean
have_gdbus(void)
{
	g_autofree char *gdbus = g_find_program_in_path("gdbus");

	if (gdbus == NULL)
		g_test_skip("gdbus (Debian: libglib2.0-bin) is not installed");
	return gdbus != NULL;
}

static void
assert_denied(const char *err, const char *action)
{
	g_assert_nonnull(strstr(err, "org.lactd.Error.AccessDenied"));
	g_assert_nonnull(strstr(err, action));
}

/* Without polkit on the bus: root may, anyone else may not. */
static void
test_fallback_self(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;
	int status;

	if (!have_gdbus())
		return;
	status = call_change(f, "org.lactd.delete-data", FALSE, &err);
	if (getuid() == 0) {
		g_assert_cmpint(status, ==, 0);
	} else {
		g_assert_cmpint(status, !=, 0);
		assert_denied(err, "org.lactd.delete-data");
		g_assert_nonnull(strstr(err, "only root"));
	}
}

static void
test_fallback_other_uid(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (getuid() != 0) {
		g_test_skip("switching to another uid needs root");
		return;
	}
	if (!have_gdbus())
		return;
	g_assert_cmpint(call_change(f, "org.lactd.change-data", TRUE, &err), !=, 0);
	assert_denied(err, "org.lactd.change-data");
	g_assert_nonnull(strstr(err, "only root"));
}

/* A caller that is not root: nobody when we are root, else ourselves. */
static int
call_unprivileged(Fixture *f, const char *action, char **err)
{
	return call_change(f, action, getuid() == 0, err);
}

static void
test_polkit_yes(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (!have_gdbus())
		return;
	start_polkit(f, POLKIT_YES);
	g_assert_cmpint(call_unprivileged(f, "org.lactd.change-data", &err), ==, 0);
	g_mutex_lock(&f->lock);
	g_assert_cmpuint(f->polkit_calls, ==, 1);
	g_assert_cmpstr(f->subject_kind, ==, "system-bus-name");
	/* the caller's unique name, not the service's own */
	g_assert_nonnull(f->subject_name);
	g_assert_true(f->subject_name[0] == ':');
	g_assert_cmpstr(f->subject_name, !=, g_dbus_connection_get_unique_name(f->service));
	g_assert_cmpstr(f->action, ==, "org.lactd.change-data");
	g_assert_cmpuint(f->flags, ==, 0);
	g_assert_cmpuint(f->n_details, ==, 0);
	g_mutex_unlock(&f->lock);
}

static void
test_polkit_challenge(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (!have_gdbus())
		return;
	start_polkit(f, POLKIT_CHALLENGE);
	g_assert_cmpint(call_unprivileged(f, "org.lactd.delete-data", &err), !=, 0);
	assert_denied(err, "org.lactd.delete-data");
	g_assert_nonnull(strstr(err, "requires authentication"));
	g_assert_cmpuint(f->polkit_calls, ==, 1);
}

static void
test_polkit_no(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (!have_gdbus())
		return;
	start_polkit(f, POLKIT_NO);
	g_assert_cmpint(call_unprivileged(f, "org.lactd.change-data", &err), !=, 0);
	assert_denied(err, "org.lactd.change-data");
	g_assert_nonnull(strstr(err, "polkit refused"));
}

/* polkit failing to answer refuses: never open on error. */
static void
test_polkit_error(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (!have_gdbus())
		return;
	start_polkit(f, POLKIT_FAIL);
	g_assert_cmpint(call_unprivileged(f, "org.lactd.change-data", &err), !=, 0);
	assert_denied(err, "org.lactd.change-data");
	g_assert_nonnull(strstr(err, "could not be asked"));
	g_assert_nonnull(strstr(err, "fails on purpose"));
}

/* Root is allowed without asking polkit. */
static void
test_polkit_root(Fixture *f, gconstpointer data)
{
	g_autofree char *err = NULL;

	if (getuid() != 0) {
		g_test_skip("a root caller needs the test to run as root");
		return;
	}
	if (!have_gdbus())
		return;
	start_polkit(f, POLKIT_NO);
	g_assert_cmpint(call_change(f, "org.lactd.delete-data", FALSE, &err), ==, 0);
	g_assert_cmpuint(f->polkit_calls, ==, 0);
}

/* --- sd_notify ------------------------------------------------------------- */

typedef struct {
	char *dir;
	GSocket *socket;
} Notify;

static void
notify_setup(Notify *n, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GSocketAddress) address = NULL;
	g_autofree char *path = NULL;
	gboolean abstract = GPOINTER_TO_INT(data);

	n->dir = g_dir_make_tmp("lactd-notify-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(n->dir, "notify", NULL);
	if (abstract) {
		address = g_unix_socket_address_new_with_type(path, -1,
							      G_UNIX_SOCKET_ADDRESS_ABSTRACT);
		g_autofree char *env = g_strconcat("@", path, NULL);
		g_setenv("NOTIFY_SOCKET", env, TRUE);
	} else {
		address = g_unix_socket_address_new(path);
		g_setenv("NOTIFY_SOCKET", path, TRUE);
	}
	n->socket = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
				 G_SOCKET_PROTOCOL_DEFAULT, &error);
	g_assert_no_error(error);
	g_socket_bind(n->socket, address, FALSE, &error);
	g_assert_no_error(error);
	g_unsetenv("WATCHDOG_USEC");
	g_unsetenv("WATCHDOG_PID");
}

static void
notify_teardown(Notify *n, gconstpointer data)
{
	g_autofree char *path = g_build_filename(n->dir, "notify", NULL);

	lactd_sd_notify_stopping();
	g_unsetenv("NOTIFY_SOCKET");
	g_unsetenv("WATCHDOG_USEC");
	g_unsetenv("WATCHDOG_PID");
	g_object_unref(n->socket);
	(void)g_unlink(path);
	g_assert_cmpint(g_rmdir(n->dir), ==, 0);
	g_free(n->dir);
}

/* The next datagram within timeout_ms, iterating the default main context
 * meanwhile (the watchdog timer lives there); NULL if none came. */
static char *
receive(Notify *n, guint timeout_ms)
{
	gint64 deadline = g_get_monotonic_time() + timeout_ms * 1000;
	char buf[256];

	while (g_get_monotonic_time() < deadline) {
		g_autoptr(GError) error = NULL;
		gssize len;

		if (g_socket_condition_timed_wait(n->socket, G_IO_IN, 10000, NULL, NULL)) {
			len = g_socket_receive(n->socket, buf, sizeof(buf) - 1, NULL, &error);
			g_assert_no_error(error);
			return g_strndup(buf, (gsize)len);
		}
		while (g_main_context_iteration(NULL, FALSE))
			;
	}
	return NULL;
}

static void
test_notify_ready(Notify *n, gconstpointer data)
{
	g_autofree char *ready = NULL;
	g_autofree char *none = NULL;
	g_autofree char *stopping = NULL;

	lactd_sd_notify_ready();
	ready = receive(n, 1000);
	g_assert_cmpstr(ready, ==, "READY=1");
	/* no watchdog asked for: nothing more */
	none = receive(n, 100);
	g_assert_null(none);
	lactd_sd_notify_stopping();
	stopping = receive(n, 1000);
	g_assert_cmpstr(stopping, ==, "STOPPING=1");
}

static void
test_notify_watchdog(Notify *n, gconstpointer data)
{
	g_autofree char *pid = g_strdup_printf("%d", (int)getpid());
	g_autofree char *ready = NULL;
	g_autofree char *stopping = NULL;

	g_setenv("WATCHDOG_USEC", "40000", TRUE);
	g_setenv("WATCHDOG_PID", pid, TRUE);
	lactd_sd_notify_ready();
	ready = receive(n, 1000);
	g_assert_cmpstr(ready, ==, "READY=1");
	for (guint i = 0; i < 3; i++) {
		g_autofree char *kick = receive(n, 1000);
		g_assert_cmpstr(kick, ==, "WATCHDOG=1");
	}
	lactd_sd_notify_stopping();
	stopping = receive(n, 1000);
	/* a keep-alive already queued may come first */
	while (g_strcmp0(stopping, "WATCHDOG=1") == 0) {
		g_free(stopping);
		stopping = receive(n, 1000);
	}
	g_assert_cmpstr(stopping, ==, "STOPPING=1");
	/* the timer is gone */
	{
		g_autofree char *late = receive(n, 150);
		g_assert_null(late);
	}
}

/* A watchdog meant for another process (WATCHDOG_PID) is not ours to feed. */
static void
test_notify_watchdog_other_pid(Notify *n, gconstpointer data)
{
	g_autofree char *pid = g_strdup_printf("%d", (int)getpid() + 1);
	g_autofree char *ready = NULL;
	g_autofree char *none = NULL;

	g_setenv("WATCHDOG_USEC", "40000", TRUE);
	g_setenv("WATCHDOG_PID", pid, TRUE);
	lactd_sd_notify_ready();
	ready = receive(n, 1000);
	g_assert_cmpstr(ready, ==, "READY=1");
	none = receive(n, 150);
	g_assert_null(none);
}

static void
test_notify_outside_systemd(void)
{
	g_autoptr(GError) error = NULL;

	g_unsetenv("NOTIFY_SOCKET");
	g_assert_true(lactd_sd_notify("READY=1", &error));
	g_assert_no_error(error);
	g_setenv("NOTIFY_SOCKET", "relative/path", TRUE);
	g_assert_false(lactd_sd_notify("READY=1", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	g_unsetenv("NOTIFY_SOCKET");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/auth/fallback/self", Fixture, NULL, fixture_setup, test_fallback_self,
		   fixture_teardown);
	g_test_add("/auth/fallback/other-uid", Fixture, NULL, fixture_setup,
		   test_fallback_other_uid, fixture_teardown);
	g_test_add("/auth/polkit/yes", Fixture, NULL, fixture_setup, test_polkit_yes,
		   fixture_teardown);
	g_test_add("/auth/polkit/challenge", Fixture, NULL, fixture_setup, test_polkit_challenge,
		   fixture_teardown);
	g_test_add("/auth/polkit/no", Fixture, NULL, fixture_setup, test_polkit_no,
		   fixture_teardown);
	g_test_add("/auth/polkit/error", Fixture, NULL, fixture_setup, test_polkit_error,
		   fixture_teardown);
	g_test_add("/auth/polkit/root", Fixture, NULL, fixture_setup, test_polkit_root,
		   fixture_teardown);
	g_test_add("/auth/notify/ready", Notify, GINT_TO_POINTER(FALSE), notify_setup,
		   test_notify_ready, notify_teardown);
	g_test_add("/auth/notify/abstract", Notify, GINT_TO_POINTER(TRUE), notify_setup,
		   test_notify_ready, notify_teardown);
	g_test_add("/auth/notify/watchdog", Notify, GINT_TO_POINTER(FALSE), notify_setup,
		   test_notify_watchdog, notify_teardown);
	g_test_add("/auth/notify/watchdog-other-pid", Notify, GINT_TO_POINTER(FALSE),
		   notify_setup, test_notify_watchdog_other_pid, notify_teardown);
	g_test_add_func("/auth/notify/outside-systemd", test_notify_outside_systemd);
	return g_test_run();
}
