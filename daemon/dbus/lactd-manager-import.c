/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1's paged import: the D-Bus side of daemon/core/lactd-import.c
 * (declared in lactd-manager-capture.h).
 */
#include "config.h"

#include "lactd-manager-capture.h"

#include "lactd-error.h"
#include "lactd-recorder.h"

#define CHANGE_ACTION "org.lactd.change-data"

struct _LactdManagerImport {
	LactdApi *api;
	LactdImport *import;
	GArray *handlers;   /* signal ids on the manager */
	GHashTable *watches; /* capture id (guint64 *) -> Watch: its caller on the bus */
};

typedef struct {
	LactdManagerImport *mi;
	guint64 id;
	guint watch;
} Watch;

static void
watch_free(Watch *w)
{
	g_bus_unwatch_name(w->watch);
	g_free(w);
}

static void
sender_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Watch *w = user_data;

	/* Calls closed(), which frees @w. */
	lactd_import_abandon(w->mi->import, w->id, "the caller left the bus");
}

/* The service ended an import, whatever the reason: its caller is no
 * longer followed. */
static void
closed(guint64 id, gpointer user_data)
{
	LactdManagerImport *mi = user_data;

	g_hash_table_remove(mi->watches, &id);
}

static gboolean
handle_begin(LactdManager1 *manager, GDBusMethodInvocation *invocation, GVariant *dict,
	     GVariant *chars_v, LactdManagerImport *mi)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(GPtrArray) chars = NULL;
	guint64 id = 0;
	Watch *w;

	if (!lactd_capture_args_info(dict, info, &error) ||
	    !lactd_import_check_info(info, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	chars = lactd_capture_args_chars(chars_v, &error);
	if (chars == NULL || !lactd_import_check_room(mi->import, sender, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	if (!lactd_api_authorized(mi->api, invocation, CHANGE_ACTION))
		return TRUE;
	if (!lactd_import_begin(mi->import, sender, info, chars, &id, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	w = g_new0(Watch, 1);
	w->mi = mi;
	w->id = id;
	w->watch = g_bus_watch_name_on_connection(g_dbus_method_invocation_get_connection(invocation),
						  sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
						  sender_vanished, w, NULL);
	g_hash_table_insert(mi->watches, g_memdup2(&id, sizeof(id)), w);
	lactd_manager1_complete_import_capture_begin(manager, invocation, id);
	return TRUE;
}

static gboolean
handle_append(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	      GVariant *events_v, LactdManagerImport *mi)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events = NULL;
	LactdRecInfo bounds = {0};

	if (!lactd_import_check_page(mi->import, g_dbus_method_invocation_get_sender(invocation),
				     id, g_variant_n_children(events_v), &bounds, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	events = lactd_capture_args_events(events_v, &bounds, LACTD_IMPORT_PAGE_EVENTS, &error);
	if (events == NULL || !lactd_import_append(mi->import, id, events, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	lactd_manager1_complete_import_capture_append(manager, invocation);
	return TRUE;
}

/* Commit and Abort: the service's step for the caller's import, then the reply. */
static gboolean
finish(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
       LactdManagerImport *mi,
       gboolean (*step)(LactdImport *, const char *, guint64, GError **),
       void (*complete)(LactdManager1 *, GDBusMethodInvocation *))
{
	g_autoptr(GError) error = NULL;

	if (!step(mi->import, g_dbus_method_invocation_get_sender(invocation), id, &error))
		return lactd_api_reply_error(mi->api, invocation, error);
	complete(manager, invocation);
	return TRUE;
}

static gboolean
handle_commit(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	      LactdManagerImport *mi)
{
	return finish(manager, invocation, id, mi, lactd_import_commit,
		      lactd_manager1_complete_import_capture_commit);
}

static gboolean
handle_abort(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	     LactdManagerImport *mi)
{
	return finish(manager, invocation, id, mi, lactd_import_abort,
		      lactd_manager1_complete_import_capture_abort);
}

static const LactdApiHandler handlers[] = {
	{"handle-import-capture-begin", G_CALLBACK(handle_begin)},
	{"handle-import-capture-append", G_CALLBACK(handle_append)},
	{"handle-import-capture-commit", G_CALLBACK(handle_commit)},
	{"handle-import-capture-abort", G_CALLBACK(handle_abort)},
	{NULL, NULL},
};

LactdManagerImport *
lactd_manager_import_new(LactdApi *api, LactdImport *import)
{
	LactdManagerImport *mi = g_new0(LactdManagerImport, 1);

	mi->api = api;
	mi->import = import;
	mi->watches =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)watch_free);
	lactd_import_set_closed_func(import, closed, mi);
	mi->handlers = lactd_api_connect(api, handlers, mi);
	return mi;
}

void
lactd_manager_import_free(LactdManagerImport *mi)
{
	if (mi == NULL)
		return;
	lactd_api_disconnect(mi->api, mi->handlers);
	lactd_import_set_closed_func(mi->import, NULL, NULL);
	g_hash_table_destroy(mi->watches);
	g_free(mi);
}
