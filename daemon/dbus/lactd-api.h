/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Manager1 at /org/lactd, and the object manager that also holds
 * the org.lactd.Device1 and org.lactd.Session1 objects.
 */
#pragma once

#include <gio/gio.h>
#include <gio/gunixfdlist.h>

#include "lactd-config.h"
#include "lactd-dbus.h"
#include "lactd-store.h"

G_BEGIN_DECLS

typedef struct _LactdApi LactdApi;

/* Decides whether the caller of a data-changing method may do it: TRUE to
 * go on now; FALSE when it took the invocation (refused it, or dispatches
 * it again to the skeleton once allowed: see lactd_auth_authorize()). */
typedef gboolean (*LactdApiAuthorizeFunc)(GDBusInterfaceSkeleton *skeleton,
					  GDBusMethodInvocation *invocation, const char *action_id,
					  gpointer user_data);

LactdApi *lactd_api_new(GDBusConnection *connection, LactdStore *store,
			const LactdConfig *config, GError **error);
void lactd_api_free(LactdApi *api);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdApi, lactd_api_free)

/* The object manager at /org/lactd: export Device1 and Session1 objects here. */
GDBusObjectManagerServer *lactd_api_get_object_manager(LactdApi *api);
LactdManager1 *lactd_api_get_manager(LactdApi *api);
/* StorageState (announced with PropertiesChanged): a write failed for this
 * reason (NULL: none), shown until a write succeeds (lactd_api_storage_ok),
 * beside what the store says is wrong with its file. Both report to the
 * store (lactd_store_write_failed, lactd_store_write_ok), whose health
 * listener sets StorageState, as the services below the bus do. */
void lactd_api_set_storage_degraded(LactdApi *api, const char *reason);
void lactd_api_storage_ok(LactdApi *api);
/* Reads the store's state again (after lactd_store_retry). */
void lactd_api_storage_refresh(LactdApi *api);

/* The store's check after open has answered: StorageState is read again
 * and the write calls held meanwhile are dispatched again. */
void lactd_api_storage_checked(LactdApi *api);
/* A call of Manager1 that changes data, while the store's check after open
 * runs: TRUE when it was taken, to be dispatched again once the check has
 * answered (lactd_api_storage_checked); FALSE to go on now. */
gboolean lactd_api_hold_write(LactdApi *api, GDBusMethodInvocation *invocation);

/* Whether a call of Manager1 that changes data may go on now; FALSE when
 * the check took the invocation (see LactdApiAuthorizeFunc), or when it is
 * held until the store's check has answered (lactd_api_hold_write). */
gboolean lactd_api_authorized(LactdApi *api, GDBusMethodInvocation *invocation,
			      const char *action);
/* Plugs in the authorization check of data-changing methods. */
void lactd_api_set_authorize(LactdApi *api, LactdApiAuthorizeFunc authorize, gpointer user_data);
LactdStore *lactd_api_get_store(LactdApi *api);

/* Replies to @invocation with @error, and reports a failed write
 * (LACTD_ERROR_STORAGE) to StorageState; returns TRUE (handled). */
gboolean lactd_api_reply_error(LactdApi *api, GDBusMethodInvocation *invocation, GError *error);

/* Manager1's handle-* signals a file of the D-Bus layer answers: connected
 * with @user_data (the table ends with a NULL signal), the ids returned for
 * lactd_api_disconnect(). */
typedef struct {
	const char *signal;
	GCallback callback;
} LactdApiHandler;
GArray *lactd_api_connect(LactdApi *api, const LactdApiHandler *handlers, gpointer user_data);
void lactd_api_disconnect(LactdApi *api, GArray *ids);

/* Converts a session to the a{sv} of ListSessions and SessionEnded. */
GVariant *lactd_api_session_to_variant(const LactdSession *session, GArray *samples);
GVariant *lactd_api_weighing_to_variant(const LactdWeighing *weighing);

G_END_DECLS
