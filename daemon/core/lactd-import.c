/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lactd-import.h"

#include <string.h>

#include "lactd-error.h"

struct _LactdImport {
	LactdStore *store;
	guint max_events;
	GHashTable *open; /* capture id (guint64 *) -> Open */
	LactdImportClosedFunc closed;
	gpointer closed_data;
};

typedef struct {
	LactdImport *import;
	guint64 id;
	char *sender;
	char *source; /* the capture's own source, set at commit */
	gint64 start_us, end_us;
	guint events;
	guint idle;
} Open;

static void
open_free(Open *o)
{
	g_clear_handle_id(&o->idle, g_source_remove);
	if (o->import->closed != NULL)
		o->import->closed(o->id, o->import->closed_data);
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

void
lactd_import_abandon(LactdImport *import, guint64 id, const char *why)
{
	Open *o = g_hash_table_lookup(import->open, &id);

	if (o != NULL)
		abandon(import, o, why);
}

gboolean
lactd_import_check_info(const LactdRecInfo *info, GError **error)
{
	if (!g_str_has_prefix(info->source, LACTD_IMPORT_SOURCE_PREFIX))
		return TRUE;
	g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "info.source: must not begin with " LACTD_IMPORT_SOURCE_PREFIX);
	return FALSE;
}

gboolean
lactd_import_check_room(LactdImport *import, const char *owner, GError **error)
{
	if (owner != NULL && open_by(import, owner) < LACTD_IMPORT_MAX_PER_CALLER &&
	    g_hash_table_size(import->open) < LACTD_IMPORT_MAX_OPEN)
		return TRUE;
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_LIMIT_EXCEEDED,
		    "%u paged imports are open (%u of this caller; at most %u, %u per caller): "
		    "commit or abort one first",
		    g_hash_table_size(import->open), owner != NULL ? open_by(import, owner) : 0,
		    LACTD_IMPORT_MAX_OPEN, LACTD_IMPORT_MAX_PER_CALLER);
	return FALSE;
}

gboolean
lactd_import_begin(LactdImport *import, const char *owner, LactdRecInfo *info, GPtrArray *chars,
		   guint64 *id, GError **error)
{
	g_autofree char *source = NULL;
	Open *o;

	if (!lactd_import_check_info(info, error) || !lactd_import_check_room(import, owner, error))
		return FALSE;
	/* Marked as unfinished in the store itself, so that an import cut by
	 * kill -9 is recognised and deleted at the next start. */
	source = g_steal_pointer(&info->source);
	info->source = g_strconcat(LACTD_IMPORT_SOURCE_PREFIX, source, NULL);
	if (!lactd_store_begin(import->store, error))
		return FALSE;
	if (!lactd_recstore_add(import->store, info, error))
		goto fail;
	for (guint i = 0; i < chars->len; i++) {
		if (!lactd_recstore_add_char(import->store, info->id, g_ptr_array_index(chars, i),
					     error))
			goto fail;
	}
	if (!lactd_store_commit(import->store, error))
		return FALSE;

	o = g_new0(Open, 1);
	o->import = import;
	o->id = info->id;
	o->sender = g_strdup(owner);
	o->source = g_steal_pointer(&source);
	o->start_us = info->start_us;
	o->end_us = info->end_us;
	touch(o);
	g_hash_table_insert(import->open, g_memdup2(&o->id, sizeof(o->id)), o);
	g_message("capture %" G_GUINT64_FORMAT ": paged import begun by %s", o->id, owner);
	*id = o->id;
	return TRUE;
fail:
	lactd_store_rollback(import->store);
	return FALSE;
}

/* The open import @id of @owner, or NULL with NOT_FOUND. */
static Open *
lookup(LactdImport *import, const char *owner, guint64 id, GError **error)
{
	Open *o = g_hash_table_lookup(import->open, &id);

	if (o == NULL || g_strcmp0(o->sender, owner) != 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "id: %" G_GUINT64_FORMAT " is not an open import of this caller", id);
		return NULL;
	}
	touch(o);
	return o;
}

gboolean
lactd_import_check_page(LactdImport *import, const char *owner, guint64 id, gsize n,
			LactdRecInfo *bounds, GError **error)
{
	Open *o = lookup(import, owner, id, error);

	if (o == NULL)
		return FALSE;
	if (n == 0 || n > LACTD_IMPORT_PAGE_EVENTS) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "events: %" G_GSIZE_FORMAT ", not 1 to %u a page", n,
			    LACTD_IMPORT_PAGE_EVENTS);
		return FALSE;
	}
	if (o->events + n > import->max_events) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "events: %" G_GSIZE_FORMAT " more would make %" G_GSIZE_FORMAT
			    ", more than the %u a capture may hold",
			    n, o->events + n, import->max_events);
		return FALSE;
	}
	bounds->start_us = o->start_us;
	bounds->end_us = o->end_us;
	return TRUE;
}

gboolean
lactd_import_append(LactdImport *import, guint64 id, GPtrArray *events, GError **error)
{
	Open *o = g_hash_table_lookup(import->open, &id);

	if (o == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "id: %" G_GUINT64_FORMAT " is not an open import", id);
		return FALSE;
	}
	if (!lactd_recstore_add_events(import->store, o->id, events, error))
		return FALSE;
	o->events += events->len;
	return TRUE;
}

gboolean
lactd_import_commit(LactdImport *import, const char *owner, guint64 id, GError **error)
{
	Open *o = lookup(import, owner, id, error);

	if (o == NULL || !lactd_recstore_set_source(import->store, o->id, o->source, error))
		return FALSE;
	g_message("capture %" G_GUINT64_FORMAT " imported in pages by %s: %u events from %s", id,
		  o->sender, o->events, o->source);
	g_hash_table_remove(import->open, &id);
	return TRUE;
}

gboolean
lactd_import_abort(LactdImport *import, const char *owner, guint64 id, GError **error)
{
	Open *o = lookup(import, owner, id, error);

	if (o == NULL)
		return FALSE;
	abandon(import, o, "the caller aborted it");
	return TRUE;
}

LactdImport *
lactd_import_new(LactdStore *store, guint max_events)
{
	LactdImport *import = g_new0(LactdImport, 1);

	import->store = store;
	import->max_events = max_events;
	import->open =
	    g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)open_free);
	return import;
}

void
lactd_import_set_closed_func(LactdImport *import, LactdImportClosedFunc closed,
			     gpointer user_data)
{
	import->closed = closed;
	import->closed_data = user_data;
}

void
lactd_import_free(LactdImport *import)
{
	GHashTableIter it;
	Open *o;

	if (import == NULL)
		return;
	import->closed = NULL;
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
