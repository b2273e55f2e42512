/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A slow and a hung polkit: the real daemon, the fake BlueZ with a pump in
 * a live session, and a fake polkit (in a thread of this test) that answers
 * CheckAuthorization after 3 s, or never. A guarded call from a user who
 * is not root (gdbus as nobody) waits for polkit; meanwhile the pump's
 * notifications must still be captured (Session1 moves) and GetPlan must be
 * answered, probed every 50 ms. A hung polkit must give a clear
 * org.lactd.Error.AccessDenied within the daemon's bound.
 *
 * "Meanwhile" is the window in which the fake polkit holds the question
 * (asked, not yet answered): the pump's notifications that arrive in it
 * must move Session1, and what Session1 announced in it must be in the
 * store (ListSessions) afterwards.
 */
/* setresuid(), setresgid() */
#define _GNU_SOURCE
#include "config.h"

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lactd-test.h"
#include "probe.h"

#define NOBODY_UID 65534
#define NOBODY_GID 65534
#define POLKIT_DELAY_MS 3000
/* The daemon's LACTD_AUTH_TIMEOUT_MS, plus slack for a loaded machine. */
#define HUNG_BOUND_US (8 * G_USEC_PER_SEC)

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

static const char pump_conf[] = LACTD_TEST_ADAPTER_CONF "[device pump]\n"
							"adapter=hci0\n"
							"address=C0:FF:EE:00:00:01\n"
							"name=Open Pump\n"
							"paired=true\n"
							"present=true\n"
							"emulator=opp\n"
							"channels=left,right\n"
							"phases=stimulation:120;expression:1080;idle\n"
							"start_at=2\n"
							"left_ml=62.4\n"
							"right_ml=48.0\n\n";

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint sub;
	guint session_changes; /* Session1 PropertiesChanged seen */
	guint window_changes;  /* ... while polkit held the question */
	double window_left_ml; /* the highest LeftMl announced then */
	/* the fake polkit */
	gboolean hung;
	GThread *thread;
	GMainContext *context;
	GMainLoop *loop;
	GMutex lock;
	GCond cond;
	gboolean up;
	guint asked;
	gboolean answered;
	GPtrArray *held; /* invocations a hung polkit never answers */
} Fixture;

static gboolean
answer_no(gpointer user_data)
{
	GDBusMethodInvocation *invocation = user_data;
	Fixture *f = g_object_get_data(G_OBJECT(invocation), "fixture");

	g_mutex_lock(&f->lock);
	f->answered = TRUE;
	g_mutex_unlock(&f->lock);
	g_dbus_method_invocation_return_value(
	    invocation, g_variant_new("((bb@a{ss}))", FALSE, FALSE,
				      g_variant_new_array(G_VARIANT_TYPE("{ss}"), NULL, 0)));
	return G_SOURCE_REMOVE;
}

static void
polkit_method(GDBusConnection *connection, const char *sender, const char *path,
	      const char *iface, const char *method, GVariant *params,
	      GDBusMethodInvocation *invocation, gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GSource) source = NULL;

	g_mutex_lock(&f->lock);
	f->asked++;
	g_mutex_unlock(&f->lock);
	if (f->hung) {
		g_ptr_array_add(f->held, invocation);
		return;
	}
	g_object_set_data(G_OBJECT(invocation), "fixture", f);
	/* Thinks for 3 s on its own main context, as a busy polkitd would. */
	source = g_timeout_source_new(POLKIT_DELAY_MS);
	g_source_set_callback(source, answer_no, invocation, NULL);
	g_source_attach(source, f->context);
}

static const GDBusInterfaceVTable polkit_vtable = {polkit_method, NULL, NULL, {0}};

static void
polkit_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Fixture *f = user_data;

	g_mutex_lock(&f->lock);
	f->up = TRUE;
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

	g_main_context_push_thread_default(f->context);
	connection = lactd_test_bus_connect(f->bus);
	reg = g_dbus_connection_register_object(connection, "/org/freedesktop/PolicyKit1/Authority",
						node->interfaces[0], &polkit_vtable, f, NULL,
						&error);
	g_assert_no_error(error);
	owner = g_bus_own_name_on_connection(connection, "org.freedesktop.PolicyKit1",
					     G_BUS_NAME_OWNER_FLAGS_NONE, polkit_acquired, NULL, f,
					     NULL);
	g_main_loop_run(f->loop);
	g_ptr_array_set_size(f->held, 0);
	g_bus_unown_name(owner);
	g_dbus_connection_unregister_object(connection, reg);
	g_dbus_connection_flush_sync(connection, NULL, NULL);
	g_dbus_connection_close_sync(connection, NULL, NULL);
	g_main_context_pop_thread_default(f->context);
	return NULL;
}

static void
on_changed(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	   const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;
	const char *changed_iface = NULL;

	g_variant_get_child(params, 0, "&s", &changed_iface);
	if (g_strcmp0(changed_iface, "org.lactd.Session1") == 0) {
		g_autoptr(GVariant) changed = g_variant_get_child_value(params, 1);
		gboolean in_window;
		double left;

		f->session_changes++;
		g_mutex_lock(&f->lock);
		in_window = f->asked > 0 && !f->answered;
		g_mutex_unlock(&f->lock);
		if (!in_window)
			return;
		f->window_changes++;
		if (g_variant_lookup(changed, "LeftMl", "d", &left))
			f->window_left_ml = MAX(f->window_left_ml, left);
	}
}

/* The highest left volume of the sessions in the store. */
static double
stored_left_ml(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    lactd_test_call(f->c, "ListSessions", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
			    "(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;
	double best = 0;

	g_assert_no_error(error);
	list = g_variant_get_child_value(reply, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		double left = 0;
		if (g_variant_lookup(s, "left_ml", "d", &left))
			best = MAX(best, left);
	}
	return best;
}

static gboolean
session_moving(gpointer user_data)
{
	return ((Fixture *)user_data)->session_changes >= 2;
}

static void
setup(Fixture *f, gconstpointer data)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

	g_mutex_init(&f->lock);
	g_cond_init(&f->cond);
	f->hung = GPOINTER_TO_INT(data);
	/* Each held invocation is the fake's to drop when its loop ends. */
	f->held = g_ptr_array_new_with_free_func(g_object_unref);
	f->bus = lactd_test_bus_new();
	/* gdbus running as nobody must reach the bus socket. */
	g_assert_cmpint(chmod(lactd_test_bus_tmpdir(f->bus), 0711), ==, 0);
	f->c = lactd_test_bus_connect(f->bus);
	f->sub = g_dbus_connection_signal_subscribe(
	    f->c, NULL, "org.freedesktop.DBus.Properties", "PropertiesChanged", NULL, NULL,
	    G_DBUS_SIGNAL_FLAGS_NONE, on_changed, f, NULL);
	f->context = g_main_context_new();
	f->loop = g_main_loop_new(f->context, FALSE);
	f->thread = g_thread_new("fake-polkit", polkit_thread, f);
	g_mutex_lock(&f->lock);
	while (!f->up)
		if (!g_cond_wait_until(&f->cond, &f->lock, deadline))
			break;
	g_assert_true(f->up);
	g_mutex_unlock(&f->lock);
	f->fake = lactd_test_fake_start(f->bus, pump_conf, "60");
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->fake, lactd_test_fake_free);
	g_main_loop_quit(f->loop);
	g_thread_join(f->thread);
	g_main_loop_unref(f->loop);
	g_main_context_unref(f->context);
	g_ptr_array_unref(f->held);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
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
	/* After fork, before exec: only async-signal-safe calls. */
	if (setgroups(0, NULL) != 0 || setresgid(NOBODY_GID, NOBODY_GID, NOBODY_GID) != 0 ||
	    setresuid(NOBODY_UID, NOBODY_UID, NOBODY_UID) != 0)
		_exit(125);
}

static void
test_polkit(Fixture *f, gconstpointer data)
{
	g_autofree char *gdbus = g_find_program_in_path("gdbus");
	const char *argv[] = {gdbus,	      "call",
			      "--address",    lactd_test_bus_address(f->bus),
			      "--dest",	      "org.lactd",
			      "--object-path", "/org/lactd",
			      "--method",     "org.lactd.Manager1.DeleteSession",
			      "4242",	      NULL};
	g_autoptr(LactdProbe) probe = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(GIOChannel) channel = NULL;
	g_autofree char *err = NULL;
	Child child = {0};
	guint changes_before;
	gint64 t0, waited;
	int err_fd = -1;
	GPid pid;

	if (f->daemon == NULL)
		return;
	if (gdbus == NULL) {
		g_test_skip("gdbus (Debian: libglib2.0-bin) is not installed");
		return;
	}
	if (getuid() != 0) {
		g_test_skip("needs root, to call as another user than the daemon's");
		return;
	}
	/* The pump is in a live session: its values move. */
	g_assert_true(lactd_test_wait_for(session_moving, f, 30000));

	probe = lactd_probe_start(f->c);
	t0 = g_get_monotonic_time();
	g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
				 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL,
				 become_nobody, NULL, &pid, NULL, NULL, &err_fd, &error);
	g_assert_no_error(error);
	g_child_watch_add(pid, child_exited, &child);
	/* polkit is asked; from then on the daemon waits for it. */
	changes_before = f->session_changes;
	g_assert_true(lactd_test_wait_for(child_done, &child, 20000));
	waited = g_get_monotonic_time() - t0;
	lactd_probe_stop(probe);

	channel = g_io_channel_unix_new(err_fd);
	g_io_channel_set_close_on_unref(channel, TRUE);
	g_io_channel_read_to_end(channel, &err, NULL, &error);
	g_assert_no_error(error);
	g_test_message("polkit %s: the call took %.2f s; meanwhile %u Session1 changes "
		       "(%u while polkit held the question, up to %.1f mL left), "
		       "%u GetPlan replies, worst GetPlan %.1f ms",
		       f->hung ? "hung" : "answering after 3 s", waited / 1e6,
		       f->session_changes - changes_before, f->window_changes, f->window_left_ml,
		       lactd_probe_replies(probe), lactd_probe_worst_us(probe) / 1e3);
	g_assert_true(WIFEXITED(child.status));
	g_assert_cmpint(WEXITSTATUS(child.status), !=, 125);
	g_assert_cmpint(WEXITSTATUS(child.status), !=, 0);
	g_assert_nonnull(strstr(err, "org.lactd.Error.AccessDenied"));
	g_assert_cmpuint(f->asked, ==, 1);
	if (f->hung) {
		g_assert_nonnull(strstr(err, "polkit could not be asked"));
		g_assert_cmpint(waited, <, HUNG_BOUND_US);
	} else {
		g_assert_cmpint(waited, >=, POLKIT_DELAY_MS * 1000);
		g_assert_nonnull(strstr(err, "polkit refused it"));
	}
	/* Meanwhile the pump's notifications were captured and queries answered. */
	g_assert_cmpuint(f->session_changes - changes_before, >=, 2);
	/* ... while polkit held the question, and stored before announced. */
	g_assert_cmpuint(f->window_changes, >=, 2);
	g_assert_cmpfloat(f->window_left_ml, >, 0);
	g_assert_cmpfloat(stored_left_ml(f), >=, f->window_left_ml);
	g_assert_cmpuint(lactd_probe_failures(probe), ==, 0);
	g_assert_cmpuint(lactd_probe_replies(probe), >=, 10);
	g_assert_cmpint(lactd_probe_worst_us(probe), <, LACTD_PROBE_STALL_US);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/faults/polkit/slow", Fixture, GINT_TO_POINTER(FALSE), setup, test_polkit,
		   teardown);
	g_test_add("/faults/polkit/hung", Fixture, GINT_TO_POINTER(TRUE), setup, test_polkit,
		   teardown);
	return g_test_run();
}
