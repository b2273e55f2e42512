/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Who may change recorded data, and telling systemd how the daemon is doing.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* How long one question to the bus or to polkit may take before the call
 * is refused: a stuck polkitd must not hold a method call for ever. */
#define LACTD_AUTH_TIMEOUT_MS 5000

/*
 * lactd_auth_check_sync:
 * @invocation: the method call to authorize
 * @action_id: the polkit action, such as "org.lactd.delete-data"
 * @error: set to LACTD_ERROR_ACCESS_DENIED, naming the action, on refusal
 *
 * Decides whether the caller may do @action_id. Root is allowed (it can
 * open the database itself). Anyone else is allowed only if polkit, when it
 * runs or can be activated on the bus, says yes without user interaction;
 * with no polkit on the bus, only root is allowed. Every failure to find
 * out (a bus error, a timeout) refuses.
 *
 * Blocks the calling thread for at most a few bus round trips, each bounded
 * by LACTD_AUTH_TIMEOUT_MS; it makes no call back into the caller's thread.
 *
 * Returns: TRUE when allowed.
 */
gboolean lactd_auth_check_sync(GDBusMethodInvocation *invocation, const char *action_id,
			       GError **error);

/*
 * lactd_auth_authorize:
 *
 * lactd_auth_check_sync() with the signature of LactdApiAuthorizeFunc
 * (lactd-api.h), to pass to lactd_api_set_hooks() and
 * lactd_devices_set_authorize(); @user_data is unused.
 */
gboolean lactd_auth_authorize(GDBusMethodInvocation *invocation, const char *action_id,
			      gpointer user_data, GError **error);

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
