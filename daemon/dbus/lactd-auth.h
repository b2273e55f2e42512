/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may change recorded data, and telling systemd how the daemon is doing.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Runs a method call that a handler took (waiting for polkit, or for the
 * store's check after start) through @skeleton's handler again, from the
 * start, so that it checks its arguments and state as they are now. The
 * handler takes the reference to @invocation, as at the first dispatch. */
static inline void
lactd_dispatch_again(GDBusInterfaceSkeleton *skeleton, GDBusMethodInvocation *invocation)
{
	GDBusInterfaceVTable *vtable = g_dbus_interface_skeleton_get_vtable(skeleton);

	vtable->method_call(g_dbus_method_invocation_get_connection(invocation),
			    g_dbus_method_invocation_get_sender(invocation),
			    g_dbus_method_invocation_get_object_path(invocation),
			    g_dbus_method_invocation_get_interface_name(invocation),
			    g_dbus_method_invocation_get_method_name(invocation),
			    g_dbus_method_invocation_get_parameters(invocation), invocation, skeleton);
}

/* How long one question to the bus or to polkit may take before the call
 * is refused: a stuck polkitd must not hold a method call for ever. */
#define LACTD_AUTH_TIMEOUT_MS 5000

/*
 * lactd_auth_check_async:
 * @invocation: the method call to authorize
 * @action_id: the polkit action, such as "org.lactd.delete-data"
 *
 * Decides whether the caller may do @action_id, without blocking: the
 * questions to the bus and to polkit are asynchronous, each bounded by
 * LACTD_AUTH_TIMEOUT_MS. Root is allowed (it can open the database itself).
 * Anyone else is allowed only if polkit, when it runs or can be activated
 * on the bus, says yes without user interaction; with no polkit on the bus,
 * only root is allowed. Every failure to find out (a bus error, a timeout)
 * refuses. @callback runs in the thread-default main context of the caller.
 */
void lactd_auth_check_async(GDBusMethodInvocation *invocation, const char *action_id,
			    GCancellable *cancellable, GAsyncReadyCallback callback,
			    gpointer user_data);
/* Returns TRUE when allowed, else FALSE with LACTD_ERROR_ACCESS_DENIED
 * naming the action and why. */
gboolean lactd_auth_check_finish(GAsyncResult *result, GError **error);

/*
 * lactd_auth_authorize:
 * @skeleton: the interface skeleton that received @invocation
 * @invocation: the call of a guarded method, from the handler
 * @action_id: the polkit action
 * @user_data: unused
 *
 * The LactdApiAuthorizeFunc (lactd-api.h) of the daemon. Returns TRUE when
 * the handler may go on now: the call was already allowed. Otherwise takes
 * the invocation over and returns FALSE; the handler must then return at
 * once without replying. The check runs asynchronously; once allowed, the
 * method is dispatched again to @skeleton, whose handler then gets TRUE;
 * a refusal is replied with org.lactd.Error.AccessDenied.
 */
gboolean lactd_auth_authorize(GDBusInterfaceSkeleton *skeleton,
			      GDBusMethodInvocation *invocation, const char *action_id,
			      gpointer user_data);

/*
 * lactd_sd_notify_ready:
 *
 * Tells the service manager that lactd is ready (READY=1), and, when the
 * unit asks for a watchdog (WatchdogSec=, so WATCHDOG_USEC is set for this
 * process), starts sending WATCHDOG=1 every half period from the default
 * main context, so that a hung main loop gets the daemon restarted. Call it
 * once org.lactd is owned. Does nothing outside systemd (no NOTIFY_SOCKET).
 */
void lactd_sd_notify_ready(void);

/*
 * lactd_sd_notify_stopping:
 *
 * Tells the service manager that lactd is stopping (STOPPING=1) and stops
 * the watchdog keep-alive. Call it when the main loop is left.
 */
void lactd_sd_notify_stopping(void);

/* Sends one notification such as "STATUS=..." to $NOTIFY_SOCKET (sd_notify(3)
 * protocol); FALSE with @error when there is a socket and sending fails,
 * TRUE when sent or when not run by systemd. */
gboolean lactd_sd_notify(const char *state, GError **error);

G_END_DECLS
