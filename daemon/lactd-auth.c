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

static GVariant *
bus_call(GDBusConnection *connection, const char *method, GVariant *args, const char *reply,
	 GError **error)
{
	return g_dbus_connection_call_sync(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					   "org.freedesktop.DBus", method, args, G_VARIANT_TYPE(reply),
					   G_DBUS_CALL_FLAGS_NONE, LACTD_AUTH_TIMEOUT_MS, NULL, error);
}

/* polkit counts as present when it runs or the bus can start it: on Debian
 * polkitd is bus-activated, and whether a member of the lactd group may
 * change data must not depend on whether it happened to be running. */
static gboolean
polkit_present(GDBusConnection *connection, gboolean *present, GError **error)
{
	g_autoptr(GVariant) owned = NULL;
	g_autoptr(GVariant) names = NULL;
	g_autofree const char **strv = NULL;

	owned = bus_call(connection, "NameHasOwner", g_variant_new("(s)", POLKIT_NAME), "(b)", error);
	if (owned == NULL)
		return FALSE;
	g_variant_get(owned, "(b)", present);
	if (*present)
		return TRUE;
	names = bus_call(connection, "ListActivatableNames", NULL, "(as)", error);
	if (names == NULL)
		return FALSE;
	g_variant_get(names, "(^a&s)", &strv);
	*present = g_strv_contains(strv, POLKIT_NAME);
	return TRUE;
}

static gboolean
ask_polkit(GDBusConnection *connection, const char *sender, const char *action_id, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GVariant) reply = NULL;
	GVariantBuilder subject_details;
	gboolean authorized = FALSE, challenge = FALSE;

	/* The subject is the caller's unique bus name: polkit resolves it to
	 * the process and user itself, so no PID can be raced or reused. */
	g_variant_builder_init(&subject_details, G_VARIANT_TYPE("a{sv}"));
	g_variant_builder_add(&subject_details, "{sv}", "name", g_variant_new_string(sender));
	/* Flags 0: no AllowUserInteraction. A method call must not wait for a
	 * password typed somewhere; an "auth_*" default then means no. */
	reply = g_dbus_connection_call_sync(
	    connection, POLKIT_NAME, POLKIT_PATH, POLKIT_IFACE, "CheckAuthorization",
	    g_variant_new("((sa{sv})sa{ss}us)", "system-bus-name", &subject_details, action_id, NULL,
			  (guint32)0, ""),
	    G_VARIANT_TYPE("((bba{ss}))"), G_DBUS_CALL_FLAGS_NONE, LACTD_AUTH_TIMEOUT_MS, NULL,
	    &local_error);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(local_error);
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: polkit could not be asked: %s", action_id,
			    local_error->message);
		return FALSE;
	}
	g_variant_get(reply, "((bb@a{ss}))", &authorized, &challenge, NULL);
	if (authorized)
		return TRUE;
	if (challenge)
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: polkit requires authentication, which lactd "
			    "does not ask for; run the command as root, or have an administrator "
			    "grant the action with a polkit rule",
			    action_id);
	else
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: polkit refused it", action_id);
	return FALSE;
}

gboolean
lactd_auth_check_sync(GDBusMethodInvocation *invocation, const char *action_id, GError **error)
{
	GDBusConnection *connection = g_dbus_method_invocation_get_connection(invocation);
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GVariant) reply = NULL;
	gboolean present = FALSE;
	guint32 uid;

	g_return_val_if_fail(action_id != NULL, FALSE);

	/* A peer-to-peer connection has no bus to vouch for the caller. */
	if (sender == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: the caller has no bus name", action_id);
		return FALSE;
	}
	/* The bus daemon knows the caller's uid from the socket's credentials. */
	reply = bus_call(connection, "GetConnectionUnixUser", g_variant_new("(s)", sender), "(u)",
			 &local_error);
	if (reply == NULL) {
		g_dbus_error_strip_remote_error(local_error);
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: the caller's user is unknown: %s", action_id,
			    local_error->message);
		return FALSE;
	}
	g_variant_get(reply, "(u)", &uid);
	/* Root, and the daemon's own user, can open the database directly:
	 * asking them would protect nothing. */
	if (uid == 0 || uid == (guint32)getuid())
		return TRUE;

	if (!polkit_present(connection, &present, &local_error)) {
		g_dbus_error_strip_remote_error(local_error);
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
			    "Not authorized for %s: cannot tell whether polkit runs: %s", action_id,
			    local_error->message);
		return FALSE;
	}
	if (present)
		return ask_polkit(connection, sender, action_id, error);

	g_set_error(error, LACTD_ERROR, LACTD_ERROR_ACCESS_DENIED,
		    "Not authorized for %s: only root may do this when polkit is not installed",
		    action_id);
	return FALSE;
}

gboolean
lactd_auth_authorize(GDBusMethodInvocation *invocation, const char *action_id, gpointer user_data,
		     GError **error)
{
	return lactd_auth_check_sync(invocation, action_id, error);
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
