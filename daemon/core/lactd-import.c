/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lactd-import.h"

#include <string.h>

#include "lactd-error.h"

#define CHANGE_ACTION "org.lactd.change-data"

struct _LactdImport {
	LactdRecorder *rec;
	LactdStore *store;
	LactdApi *api;
	guint max_events;
	GHashTable *open; /* capture id (guint64 *) -> Open */
	GArray *handlers; /* signal ids on the manager */
};

typedef struct {
	LactdImport *import;
	guint64 id;
	char *sender;
	char *source; /* the capture's own source, set at commit */
	gint64 start_us, end_us;
	guint events;
	guint watch;
	guint idle;
} Open;

static void
open_free(Open *o)
{
	if (o->watch != 0)
		g_bus_unwatch_name(o->watch);
	g_clear_handle_id(&o->idle, g_source_remove);
	g_free(o->sender);
	g_free(o->source);
	g_free(o);
}

/* Ends an import without committing it: all of it or nothing. */
static void
abandon(LactdImport *import, Open *o, const char *why)
{
	g_autoptr(GError) error = NULL;
	guint64 id = o->id;

	if (!lactd_recstore_delete(import->store, id, &error))
		g_message("capture %" G_GUINT64_FORMAT ": unfinished import not deleted: %s", id,
			  error->message);
	g_message("capture %" G_GUINT64_FORMAT ": import by %s abandoned after %u events: %s",
		  id, o->sender, o->events, why);
	g_hash_table_remove(import->open, &id);
}

static void
sender_vanished(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Open *o = user_data;

	abandon(o->import, o, "the caller left the bus");
}

static gboolean
idle_expired(gpointer user_data)
{
	Open *o = user_data;

	o->idle = 0;
	abandon(o->import, o, "no call for " G_STRINGIFY(LACTD_IMPORT_IDLE_SECONDS) " s");
	return G_SOURCE_REMOVE;
}

static void
touch(Open *o)
{
	g_clear_handle_id(&o->idle, g_source_remove);
	o->idle = g_timeout_add_seconds(LACTD_IMPORT_IDLE_SECONDS, idle_expired, o);
}

static guint
open_by(LactdImport *import, const char *sender)
{
	GHashTableIter it;
	Open *o;
	guint n = 0;

	g_hash_table_iter_init(&it, import->open);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&o))
		n += g_strcmp0(o->sender, sender) == 0;
	return n;
}

static gboolean
reply_error(LactdImport *import, GDBusMethodInvocation *invocation, GError *error)
{
	if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
		lactd_api_set_storage_degraded(import->api, error->message);
	g_dbus_method_invocation_return_gerror(invocation, error);
	return TRUE;
}

static gboolean
handle_begin(LactdManager1 *manager, GDBusMethodInvocation *invocation, GVariant *dict,
	     GVariant *chars_v, LactdImport *import)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(GPtrArray) chars = NULL;
	g_autofree char *source = NULL;
	Open *o;

	if (!lactd_recorder_parse_info(dict, info, &error))
		return reply_error(import, invocation, error);
	if (g_str_has_prefix(info->source, LACTD_IMPORT_SOURCE_PREFIX)) {
		g_dbus_method_invocation_return_error_literal(
		    invocation, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
		    "info.source: must not begin with " LACTD_IMPORT_SOURCE_PREFIX);
		return TRUE;
	}
	chars = lactd_recorder_parse_chars(chars_v, &error);
	if (chars == NULL)
		return reply_error(import, invocation, error);
	if (sender == NULL || open_by(import, sender) >= LACTD_IMPORT_MAX_PER_CALLER ||
	    g_hash_table_size(import->open) >= LACTD_IMPORT_MAX_OPEN) {
		g_dbus_method_invocation_return_error(
		    invocation, LACTD_ERROR, LACTD_ERROR_LIMIT_EXCEEDED,
		    "%u paged imports are open (%u of this caller; at most %u, %u per caller): "
		    "commit or abort one first",
		    g_hash_table_size(import->open), sender != NULL ? open_by(import, sender) : 0,
		    LACTD_IMPORT_MAX_OPEN, LACTD_IMPORT_MAX_PER_CALLER);
		return TRUE;
	}
	if (!lactd_recorder_authorized(import->rec, invocation, CHANGE_ACTION))
		return TRUE;

	/* Marked as unfinished in the store itself, so that an import cut by
	 * kill -9 is recognised and deleted at the next start. */
	source = g_steal_pointer(&info->source);
	info->source = g_strconcat(LACTD_IMPORT_SOURCE_PREFIX, source, NULL);
	if (!lactd_store_begin(import->store, &error))
		return reply_error(import, invocation, error);
	if (!lactd_recstore_add(import->store, info, &error))
		goto fail;
	for (guint i = 0; i < chars->len; i++) {
		if (!lactd_recstore_add_char(import->store, info->id, g_ptr_array_index(chars, i),
					     &error))
			goto fail;
	}
	if (!lactd_store_commit(import->store, &error))
		return reply_error(import, invocation, error);

	o = g_new0(Open, 1);
	o->import = import;
	o->id = info->id;
	o->sender = g_strdup(sender);
	o->source = g_steal_pointer(&source);
	o->start_us = info->start_us;
	o->end_us = info->end_us;
	o->watch = g_bus_watch_name_on_connection(g_dbus_method_invocation_get_connection(invocation),
						  sender, G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
						  sender_vanished, o, NULL);
	touch(o);
	g_hash_table_insert(import->open, g_memdup2(&o->id, sizeof(o->id)), o);
	g_message("capture %" G_GUINT64_FORMAT ": paged import begun by %s", o->id, sender);
	lactd_manager1_complete_import_capture_begin(manager, invocation, o->id);
	return TRUE;
fail:
	lactd_store_rollback(import->store);
	return reply_error(import, invocation, error);
}

/* The open import @id of the caller, or NULL after replying NotFound. */
static Open *
lookup(LactdImport *import, GDBusMethodInvocation *invocation, guint64 id)
{
	Open *o = g_hash_table_lookup(import->open, &id);

	if (o == NULL ||
	    g_strcmp0(o->sender, g_dbus_method_invocation_get_sender(invocation)) != 0) {
		g_dbus_method_invocation_return_error(
		    invocation, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
		    "id: %" G_GUINT64_FORMAT " is not an open import of this caller", id);
		return NULL;
	}
	touch(o);
	return o;
}

static gboolean
handle_append(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	      GVariant *events_v, LactdImport *import)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) events = NULL;
	LactdRecInfo bounds = {0};
	gsize n = g_variant_n_children(events_v);
	Open *o = lookup(import, invocation, id);

	if (o == NULL)
		return TRUE;
	if (n == 0 || n > LACTD_IMPORT_PAGE_EVENTS) {
		g_dbus_method_invocation_return_error(
		    invocation, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
		    "events: %" G_GSIZE_FORMAT ", not 1 to %u a page", n, LACTD_IMPORT_PAGE_EVENTS);
		return TRUE;
	}
	if (o->events + n > import->max_events) {
		g_dbus_method_invocation_return_error(
		    invocation, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
		    "events: %" G_GSIZE_FORMAT " more would make %" G_GSIZE_FORMAT
		    ", more than the %u a capture may hold",
		    n, o->events + n, import->max_events);
		return TRUE;
	}
	bounds.start_us = o->start_us;
	bounds.end_us = o->end_us;
	events = lactd_recorder_parse_events(events_v, &bounds, LACTD_IMPORT_PAGE_EVENTS, &error);
	if (events == NULL)
		return reply_error(import, invocation, error);
	if (!lactd_recstore_add_events(import->store, o->id, events, &error))
		return reply_error(import, invocation, error);
	o->events += events->len;
	lactd_manager1_complete_import_capture_append(manager, invocation);
	return TRUE;
}

static gboolean
handle_commit(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	      LactdImport *import)
{
	g_autoptr(GError) error = NULL;
	Open *o = lookup(import, invocation, id);

	if (o == NULL)
		return TRUE;
	if (!lactd_recstore_set_source(import->store, o->id, o->source, &error))
		return reply_error(import, invocation, error);
	g_message("capture %" G_GUINT64_FORMAT " imported in pages by %s: %u events from %s", id,
		  o->sender, o->events, o->source);
	g_hash_table_remove(import->open, &id);
	lactd_manager1_complete_import_capture_commit(manager, invocation);
	return TRUE;
}

static gboolean
handle_abort(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	     LactdImport *import)
{
	Open *o = lookup(import, invocation, id);

	if (o == NULL)
		return TRUE;
	abandon(import, o, "the caller aborted it");
	lactd_manager1_complete_import_capture_abort(manager, invocation);
	return TRUE;
}

LactdImport *
lactd_import_new(LactdRecorder *rec, LactdStore *store, LactdApi *api, guint max_events)
{
	LactdImport *import = g_new0(LactdImport, 1);
	LactdManager1 *manager = lactd_api_get_manager(api);
	gulong id;

	import->rec = rec;
	import->store = store;
	import->api = api;
	import->max_events = max_events;
	import->open =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)open_free);
	import->handlers = g_array_new(FALSE, FALSE, sizeof(gulong));
#define CONNECT(sig, fn)                                                                        \
	id = g_signal_connect(manager, sig, G_CALLBACK(fn), import);                            \
	g_array_append_val(import->handlers, id)
	CONNECT("handle-import-capture-begin", handle_begin);
	CONNECT("handle-import-capture-append", handle_append);
	CONNECT("handle-import-capture-commit", handle_commit);
	CONNECT("handle-import-capture-abort", handle_abort);
#undef CONNECT
	return import;
}

void
lactd_import_free(LactdImport *import)
{
	LactdManager1 *manager;
	GHashTableIter it;
	Open *o;

	if (import == NULL)
		return;
	manager = lactd_api_get_manager(import->api);
	for (guint i = 0; i < import->handlers->len; i++)
		g_signal_handler_disconnect(manager, g_array_index(import->handlers, gulong, i));
	g_array_unref(import->handlers);
	g_hash_table_iter_init(&it, import->open);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&o)) {
		g_autoptr(GError) error = NULL;

		if (!lactd_recstore_delete(import->store, o->id, &error))
			g_message("capture %" G_GUINT64_FORMAT ": unfinished import not deleted: %s",
				  o->id, error->message);
	}
	g_hash_table_destroy(import->open);
	g_free(import);
}

gboolean
lactd_import_forget_unfinished(LactdStore *store, const LactdRecInfo *info)
{
	g_autoptr(GError) error = NULL;

	if (!g_str_has_prefix(info->source, LACTD_IMPORT_SOURCE_PREFIX))
		return FALSE;
	if (lactd_recstore_delete(store, info->id, &error))
		g_message("capture %" G_GUINT64_FORMAT ": deleted an import that lactd stopped "
			  "before it was committed (%u events)",
			  info->id, info->events);
	else
		g_message("capture %" G_GUINT64_FORMAT ": unfinished import not deleted: %s",
			  info->id, error->message);
	return TRUE;
}
