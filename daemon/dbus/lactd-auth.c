/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Authorization of data-changing calls through polkit, spoken over D-Bus
 * with GIO (no libpolkit), and the sd_notify(3) protocol, spoken with a
 * GSocket (no libsystemd): both protocols are small and documented as
 * stable, and one code path is the one the tests exercise.
 *
 * polkit's D-Bus interface: org.freedesktop.PolicyKit1.Authority, as in
 * polkit's docs/polkit-1 reference, "org.freedesktop.PolicyKit1.Authority".
 */
#include "config.h"

#include "lactd-auth.h"

#include <gio/gunixsocketaddress.h>
#include <string.h>
#include <unistd.h>

#include "lactd-error.h"

#define POLKIT_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_IFACE "org.freedesktop.PolicyKit1.Authority"

/*
 * One authorization in flight: the steps are bus calls with callbacks, so
 * that the main loop goes on capturing and answering while the bus daemon
 * and polkit think. Each step is bounded by LACTD_AUTH_TIMEOUT_MS.
 */
typedef struct {
	GDBusConnection *connection;
	char *sender;
	char *action_id;
} Check;

static void
check_free(Check *c)
{
	g_object_unref(c->connection);
	g_free(c->sender);
	g_free(c->action_id);
	g_free(c);
}

static void
bus_call(GTask *task, const char *method, GVariant *args, const char *reply,
	 GAsyncReadyCallback callback)
{
	Check *c = g_task_get_task_data(task);

	g_dbus_connection_call(c->connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
			       "org.freedesktop.DBus", method, args, G_VARIANT_TYPE(reply),
			       G_DBUS_CALL_FLAGS_NONE, LACTD_AUTH_TIMEOUT_MS,
			       g_task_get_cancellable(task), callback, task);
}

/* Finishes a bus call; on failure, refuses with why, and returns NULL. */
static GVariant *
step_finish(GTask *task, GAsyncResult *res, const char *what)
{
	Check *c = g_task_get_task_data(task);
	g_autoptr(GError) local_error = NULL;
	GVariant *reply;

	reply = g_dbus_connection_call_finish(c->connection, res, &local_error);
	if (reply != NULL)
		return reply;
	g_dbus_error_strip_remote_error(local_error);
	g_task_return_new_error(task, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
				"Not authorized for %s: %s: %s", c->action_id, what,
				local_error->message);
	g_object_unref(task);
	return NULL;
}

static void
polkit_answered(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = user_data;
	Check *c = g_task_get_task_data(task);
	g_autoptr(GVariant) reply = step_finish(task, res, "polkit could not be asked");
	gboolean authorized = FALSE, challenge = FALSE;

	if (reply == NULL)
		return;
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (authorized)
		g_task_return_boolean(task, TRUE);
	else if (challenge)
		g_task_return_new_error(
		    task, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
		    "Not authorized for %s: polkit requires authentication, which lactd "
		    "does not ask for; run the command as root, or have an administrator "
		    "grant the action with a polkit rule",
		    c->action_id);
	else
		g_task_return_new_error(task, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
					"Not authorized for %s: polkit refused it", c->action_id);
	g_object_unref(task);
}

static void
ask_polkit(GTask *task)
{
	Check *c = g_task_get_task_data(task);
	GVariantBuilder subject_details;

	/* The subject is the caller's unique bus name: polkit resolves it to
	 * the process and user itself, so no PID can be raced or reused. */
	g_variant_builder_init(&subject_details, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&subject_details, "{sv}", "name", g_variant_new_string(c->sender));
	/* Flags 0: no AllowUserInteraction. A method call must not wait for a
	 * password typed somewhere; an "auth_*" default then means no. */
	g_dbus_connection_call(c->connection, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE,
			       "CheckAuthorization",
			       g_variant_new("((sa{sv})sa{ss}us)", "system-bus-name",
					     &subject_details, c->action_id, NULL, (guint32)0, ""),
			       G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE,
			       LACTD_AUTH_TIMEOUT_MS, g_task_get_cancellable(task),
			       polkit_answered, task);
}

static void
activatable_listed(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = user_data;
	Check *c = g_task_get_task_data(task);
	g_autoptr(GVariant) names =
	    step_finish(task, res, "cannot tell whether polkit can be started");
	g_autofree const char **strv = NULL;

	if (names == NULL)
		return;
	g_variant_get(names, "(^a&s)", &strv);
	if (g_strv_contains(strv, POLKIT_NAME)) {
		ask_polkit(task);
		return;
	}
	g_task_return_new_error(task, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
				"Not authorized for %s: only root may do this when polkit is not "
				"installed",
				c->action_id);
	g_object_unref(task);
}

/* polkit counts as present when it runs or the bus can start it: on Debian
 * polkitd is bus-activated, and whether a member of the lactd group may
 * change data must not depend on whether it happened to be running. */
static void
owner_known(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = user_data;
	g_autoptr(GVariant) owned = step_finish(task, res, "cannot tell whether polkit runs");
	gboolean present = FALSE;

	if (owned == NULL)
		return;
	g_variant_get(owned, "(b)", &present);
	if (present)
		ask_polkit(task);
	else
		bus_call(task, "ListActivatableNames", NULL, "(as)", activatable_listed);
}

static void
uid_known(GObject *source, GAsyncResult *res, gpointer user_data)
{
	GTask *task = user_data;
	g_autoptr(GVariant) reply = step_finish(task, res, "the caller's user is unknown");
	guint32 uid;

	if (reply == NULL)
		return;
	g_variant_get(reply, "(u)", &uid);
	/* Root, and the daemon's own user, can open the database directly:
	 * asking them would protect nothing. */
	if (uid == 0 || uid == (guint32)getuid()) {
		g_task_return_boolean(task, TRUE);
		g_object_unref(task);
		return;
	}
	bus_call(task, "NameHasOwner", g_variant_new("(s)", POLKIT_NAME), "(b)", owner_known);
}

void
lactd_auth_check_async(GDBusMethodInvocation *invocation, const char *action_id,
		       GCancellable *cancellable, GAsyncReadyCallback callback, gpointer user_data)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	GTask *task = g_task_new(NULL, cancellable, callback, user_data);
	Check *c;

	g_return_if_fail(action_id != NULL);
	g_task_set_source_tag(task, lactd_auth_check_async);
	/* A peer-to-peer connection has no bus to vouch for the caller. */
	if (sender == NULL) {
		g_task_return_new_error(task, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
					"Not authorized for %s: the caller has no bus name",
					action_id);
		g_object_unref(task);
		return;
	}
	c = g_new0(Check, 1);
	c->connection = g_object_ref(g_dbus_method_invocation_get_connection(invocation));
	c->sender = g_strdup(sender);
	c->action_id = g_strdup(action_id);
	g_task_set_task_data(task, c, (GDestroyNotify)check_free);
	/* The bus daemon knows the caller's uid from the socket's credentials. */
	bus_call(task, "GetConnectionUnixUser", g_variant_new("(s)", sender), "(u)", uid_known);
}

gboolean
lactd_auth_check_finish(GAsyncResult *result, GError **error)
{
	g_return_val_if_fail(g_task_is_valid(result, NULL), FALSE);
	return g_task_propagate_boolean(G_TASK(result), error);
}

/* --- the skeleton hook ----------------------------------------------------- */

/* Set on an invocation once its action was allowed, so that dispatching it
 * again goes straight through. */
#define AUTHORIZED_KEY "lactd-auth-authorized"

typedef struct {
	GDBusInterfaceSkeleton *skeleton;
	GDBusMethodInvocation *invocation;
	char *sender;
} Pending;

static void
authorize_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Pending *p = user_data;
	g_autoptr(GError) error = NULL;
	GDBusMethodInvocation *invocation = p->invocation;

	if (lactd_auth_check_finish(res, &error)) {
		g_object_set_data_full(G_OBJECT(invocation), AUTHORIZED_KEY,
				       g_strdup(g_object_get_data(G_OBJECT(invocation),
								  AUTHORIZED_KEY "-asked")),
				       g_free);
		lactd_dispatch_again(p->skeleton, invocation);
	} else {
		g_message("refused %s from %s: %s",
			  g_dbus_method_invocation_get_method_name(invocation), p->sender,
			  error->message);
		g_dbus_method_invocation_return_gerror(invocation, error);
	}
	g_object_unref(p->skeleton);
	g_free(p->sender);
	g_free(p);
}

gboolean
lactd_auth_authorize(GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation,
		     const char *action_id, gpointer user_data)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	Pending *p;

	if (g_strcmp0(g_object_get_data(G_OBJECT(invocation), AUTHORIZED_KEY), action_id) == 0)
		return TRUE;
	/* How many of these one client can have waiting is bounded with all
	 * its other calls (lactd-limits.h): each waits as an unanswered call. */
	p = g_new0(Pending, 1);
	p->skeleton = g_object_ref(skeleton);
	/* The handler's reference to the invocation is now ours, until the
	 * method is dispatched again or refused. */
	p->invocation = invocation;
	p->sender = g_strdup(sender != NULL ? sender : "");
	g_object_set_data_full(G_OBJECT(invocation), AUTHORIZED_KEY "-asked", g_strdup(action_id),
			       g_free);
	lactd_auth_check_async(invocation, action_id, NULL, authorize_done, p);
	return FALSE;
}

/* --- sd_notify ------------------------------------------------------------- */

/* The keep-alive timer; one per process, as the service manager's watchdog. */
static guint watchdog_id;

gboolean
lactd_sd_notify(const char *state, GError **error)
{
	const char *path = g_getenv("NOTIFY_SOCKET");
	g_autoptr(GSocketAddress) address = NULL;
	g_autoptr(GSocket) socket = NULL;
	gssize sent;

	if (path == NULL || path[0] == '\0')
		return TRUE;
	/* sd_notify(3): a file system path, or "@name" in the abstract namespace. */
	if (path[0] == '@')
		address = g_unix_socket_address_new_with_type(path + 1, -1,
							      G_UNIX_SOCKET_ADDRESS_ABSTRACT);
	else if (path[0] == '/')
		address = g_unix_socket_address_new(path);
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "NOTIFY_SOCKET '%s' is neither a path nor an abstract name", path);
		return FALSE;
	}
	socket = g_socket_new(G_SOCKET_FAMILY_UNIX, G_SOCKET_TYPE_DATAGRAM,
			      G_SOCKET_PROTOCOL_DEFAULT, error);
	if (socket == NULL)
		return FALSE;
	sent = g_socket_send_to(socket, address, state, strlen(state), NULL, error);
	if (sent < 0)
		return FALSE;
	if ((gsize)sent != strlen(state)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "short write to NOTIFY_SOCKET");
		return FALSE;
	}
	return TRUE;
}

static void
notify_or_log(const char *state)
{
	g_autoptr(GError) error = NULL;

	if (!lactd_sd_notify(state, &error))
		g_warning("cannot notify the service manager (%s): %s", state, error->message);
}

static gboolean
watchdog_kick(gpointer user_data)
{
	notify_or_log("WATCHDOG=1");
	return G_SOURCE_CONTINUE;
}

/* The period the service manager wants, or 0: WATCHDOG_PID, when set, must
 * be this process, so that a child does not keep a dead parent alive. */
static guint64
watchdog_usec(void)
{
	const char *usec_str = g_getenv("WATCHDOG_USEC");
	const char *pid_str = g_getenv("WATCHDOG_PID");
	guint64 usec = 0, pid = 0;

	if (usec_str == NULL || !g_ascii_string_to_unsigned(usec_str, 10, 1, G_MAXUINT64, &usec, NULL))
		return 0;
	if (pid_str != NULL && (!g_ascii_string_to_unsigned(pid_str, 10, 1, G_MAXUINT64, &pid, NULL) ||
				pid != (guint64)getpid()))
		return 0;
	return usec;
}

void
lactd_sd_notify_ready(void)
{
	guint64 usec = watchdog_usec();

	notify_or_log("READY=1");
	if (usec == 0 || watchdog_id != 0)
		return;
	/* Half the period, as sd_watchdog_enabled(3) advises. Whole seconds
	 * when long enough, so the wakeup can be coalesced with others. */
	if (usec / 2 >= 2 * G_USEC_PER_SEC)
		watchdog_id = g_timeout_add_seconds((guint)MIN(usec / 2 / G_USEC_PER_SEC, G_MAXUINT),
						    watchdog_kick, NULL);
	else
		watchdog_id = g_timeout_add((guint)MAX(usec / 2 / 1000, 1), watchdog_kick, NULL);
	g_debug("watchdog keep-alive every %" G_GUINT64_FORMAT " ms", usec / 2 / 1000);
}

void
lactd_sd_notify_stopping(void)
{
	g_clear_handle_id(&watchdog_id, g_source_remove);
	notify_or_log("STOPPING=1");
}
