/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recordings in the store: tables captures, capture_chars and
 * capture_events (migration 1 -> 2 in lactd-store.c). Every write here is
 * its own transaction unless the caller holds one (lactd_store_begin).
 */
#include "config.h"

#include <sqlite3.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-recstore.h"
#include "lactd-store-private.h"

static const char *const kinds[] = {LACTD_REC_NOTIFY, LACTD_REC_INDICATE, LACTD_REC_READ,
				    LACTD_REC_WRITE, LACTD_REC_MARK};

const char *
lactd_rec_kind_intern(const char *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kinds); i++) {
		if (g_strcmp0(kind, kinds[i]) == 0)
			return kinds[i];
	}
	return NULL;
}

void
lactd_rec_char_free(LactdRecChar *chr)
{
	if (chr == NULL)
		return;
	g_free(chr->uuid);
	g_free(chr->flags);
	g_free(chr->service_uuid);
	g_free(chr);
}

void
lactd_rec_event_free(LactdRecEvent *event)
{
	if (event == NULL)
		return;
	g_free(event->uuid);
	g_clear_pointer(&event->value, g_bytes_unref);
	g_free(event->text);
	g_free(event);
}

gboolean
lactd_recstore_add(LactdStore *store, LactdRecInfo *info, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "INSERT INTO captures (address, name, source, start_us, end_us, raw) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
		    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_text(stmt, 1, info->address != NULL ? info->address : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, info->name != NULL ? info->name : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, info->source != NULL ? info->source : "lactd", -1,
			  SQLITE_TRANSIENT);
	sqlite3_bind_int64(stmt, 4, info->start_us);
	sqlite3_bind_int64(stmt, 5, info->end_us);
	sqlite3_bind_int(stmt, 6, info->raw);
	if (!lactd_store_step_done(store, stmt, "adding a recording", error))
		return FALSE;
	info->id = (guint64)sqlite3_last_insert_rowid(lactd_store_get_db(store));
	return TRUE;
}

gboolean
lactd_recstore_add_char(LactdStore *store, guint64 id, const LactdRecChar *chr, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "INSERT INTO capture_chars (capture, seq, uuid, flags, handle, service_uuid) "
		    "VALUES (?1, (SELECT COUNT(*) FROM capture_chars WHERE capture = ?1), "
		    "?2, ?3, ?4, ?5)",
		    error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	sqlite3_bind_text(stmt, 2, chr->uuid, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 3, chr->flags != NULL ? chr->flags : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_int(stmt, 4, chr->handle);
	lactd_store_bind_text_or_null(stmt, 5, chr->service_uuid);
	return lactd_store_step_done(store, stmt, "adding a recorded characteristic", error);
}

gboolean
lactd_recstore_add_event(LactdStore *store, guint64 id, const LactdRecEvent *event,
			 GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	gsize len = 0;
	gconstpointer data = event->value != NULL ? g_bytes_get_data(event->value, &len) : NULL;

	if (len > LACTD_REC_MAX_VALUE) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "value: %" G_GSIZE_FORMAT " bytes, more than the %u an attribute holds",
			    len, LACTD_REC_MAX_VALUE);
		return FALSE;
	}
	if (event->text != NULL && strlen(event->text) > LACTD_REC_MAX_TEXT) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "text: longer than %u bytes", LACTD_REC_MAX_TEXT);
		return FALSE;
	}
	stmt = lactd_store_prepare(store,
		       "INSERT INTO capture_events (capture, time_us, kind, uuid, handle, value, "
		       "text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
		       error);
	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(stmt, 2, event->time_us);
	sqlite3_bind_text(stmt, 3, event->kind, -1, SQLITE_STATIC);
	lactd_store_bind_text_or_null(stmt, 4, event->uuid);
	sqlite3_bind_int(stmt, 5, event->handle);
	if (event->value != NULL)
		sqlite3_bind_blob(stmt, 6, len > 0 ? data : "", (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(stmt, 6);
	lactd_store_bind_text_or_null(stmt, 7, event->text);
	return lactd_store_step_done(store, stmt, "adding a recorded event", error);
}

gboolean
lactd_recstore_finish(LactdStore *store, guint64 id, gint64 end_us, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "UPDATE captures SET end_us = ?2 WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(stmt, 2, end_us);
	if (!lactd_store_step_done(store, stmt, "closing a recording", error))
		return FALSE;
	if (sqlite3_changes(lactd_store_get_db(store)) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no capture with id %" G_GUINT64_FORMAT, id);
		return FALSE;
	}
	return TRUE;
}

#define INFO_COLUMNS                                                                      \
	"id, address, name, source, start_us, end_us, raw, "                              \
	"(SELECT COUNT(*) FROM capture_events e WHERE e.capture = captures.id)"

static LactdRecInfo *
info_from_row(sqlite3_stmt *stmt)
{
	LactdRecInfo *info = g_new0(LactdRecInfo, 1);

	info->id = (guint64)sqlite3_column_int64(stmt, 0);
	info->address = lactd_store_column_dup(stmt, 1);
	info->name = lactd_store_column_dup(stmt, 2);
	info->source = lactd_store_column_dup(stmt, 3);
	info->start_us = sqlite3_column_int64(stmt, 4);
	info->end_us = sqlite3_column_int64(stmt, 5);
	info->raw = sqlite3_column_int(stmt, 6) != 0;
	info->events = (guint)sqlite3_column_int64(stmt, 7);
	return info;
}

LactdRecInfo *
lactd_recstore_get(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " INFO_COLUMNS " FROM captures WHERE id = ?1", error);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		return info_from_row(stmt);
	if (rc == SQLITE_DONE)
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no capture with id %" G_GUINT64_FORMAT, id);
	else
		lactd_store_sql_fail(lactd_store_get_db(store), rc, "reading a recording", error);
	return NULL;
}

GPtrArray *
lactd_recstore_list(LactdStore *store, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "SELECT " INFO_COLUMNS " FROM captures ORDER BY id", error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_info_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		g_ptr_array_add(out, info_from_row(stmt));
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(lactd_store_get_db(store), rc, "listing recordings", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

GPtrArray *
lactd_recstore_chars(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT uuid, flags, handle, service_uuid FROM capture_chars "
		    "WHERE capture = ?1 ORDER BY seq",
		    error);
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_char_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		LactdRecChar *c = g_new0(LactdRecChar, 1);

		c->uuid = lactd_store_column_dup(stmt, 0);
		c->flags = lactd_store_column_dup(stmt, 1);
		c->handle = (guint16)sqlite3_column_int(stmt, 2);
		c->service_uuid = lactd_store_column_dup(stmt, 3);
		g_ptr_array_add(out, c);
	}
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(lactd_store_get_db(store), rc, "reading recorded characteristics", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

GPtrArray *
lactd_recstore_events(LactdStore *store, guint64 id, GError **error)
{
	return lactd_recstore_events_range(store, id, 0, G_MAXUINT, error);
}

GPtrArray *
lactd_recstore_events_range(LactdStore *store, guint64 id, guint first, guint max,
			    GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT time_us, kind, uuid, handle, value, text FROM capture_events "
		    "WHERE capture = ?1 ORDER BY time_us, rowid LIMIT ?2 OFFSET ?3",
		    error);
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_event_free);
	int rc;

	if (stmt == NULL)
		return NULL;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	sqlite3_bind_int64(stmt, 2, (sqlite3_int64)max);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)first);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		LactdRecEvent *e = g_new0(LactdRecEvent, 1);
		const char *kind = (const char *)sqlite3_column_text(stmt, 1);

		e->time_us = sqlite3_column_int64(stmt, 0);
		/* Written by this module only; an unknown name would be a
		 * damaged row, shown as a mark rather than dropped. */
		e->kind = lactd_rec_kind_intern(kind);
		if (e->kind == NULL)
			e->kind = LACTD_REC_MARK;
		e->uuid = lactd_store_column_dup(stmt, 2);
		e->handle = (guint16)sqlite3_column_int(stmt, 3);
		if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
			e->value = g_bytes_new(sqlite3_column_blob(stmt, 4),
					       (gsize)sqlite3_column_bytes(stmt, 4));
		e->text = lactd_store_column_dup(stmt, 5);
		g_ptr_array_add(out, e);
	}
	if (rc != SQLITE_DONE) {
		lactd_store_sql_fail(lactd_store_get_db(store), rc, "reading recorded events", error);
		return NULL;
	}
	return g_steal_pointer(&out);
}

gboolean
lactd_recstore_events_bytes(LactdStore *store, guint64 id, guint64 *bytes, GError **error)
{
	/* Bytes, not characters: length() of a text counts characters. */
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store,
		    "SELECT COUNT(*), TOTAL(length(CAST(kind AS BLOB)) + "
		    "IFNULL(length(CAST(uuid AS BLOB)), 0) + IFNULL(length(value), 0) + "
		    "IFNULL(length(CAST(text AS BLOB)), 0)) "
		    "FROM capture_events WHERE capture = ?1",
		    error);
	int rc;

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW) {
		lactd_store_sql_fail(lactd_store_get_db(store), rc, "sizing recorded events", error);
		return FALSE;
	}
	/* Each event's fixed part: see LACTD_REC_EVENT_OVERHEAD. */
	*bytes = (guint64)sqlite3_column_double(stmt, 1) +
		 (guint64)sqlite3_column_int64(stmt, 0) * LACTD_REC_EVENT_OVERHEAD;
	return TRUE;
}

gboolean
lactd_recstore_import(LactdStore *store, LactdRecInfo *info, GPtrArray *chars, GPtrArray *events,
		      GError **error)
{
	if (events->len > LACTD_REC_MAX_EVENTS) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "events: %u, more than the %u a capture may hold", events->len,
			    LACTD_REC_MAX_EVENTS);
		return FALSE;
	}
	if (!lactd_store_begin(store, error))
		return FALSE;
	if (!lactd_recstore_add(store, info, error))
		goto fail;
	for (guint i = 0; i < chars->len; i++) {
		if (!lactd_recstore_add_char(store, info->id, g_ptr_array_index(chars, i), error))
			goto fail;
	}
	for (guint i = 0; i < events->len; i++) {
		if (!lactd_recstore_add_event(store, info->id, g_ptr_array_index(events, i), error))
			goto fail;
	}
	if (!lactd_store_commit(store, error))
		goto fail_committed;
	return TRUE;
fail:
	lactd_store_rollback(store);
fail_committed:
	info->id = 0;
	return FALSE;
}

gboolean
lactd_recstore_add_events(LactdStore *store, guint64 id, GPtrArray *events, GError **error)
{
	if (!lactd_store_begin(store, error))
		return FALSE;
	for (guint i = 0; i < events->len; i++) {
		if (!lactd_recstore_add_event(store, id, g_ptr_array_index(events, i), error)) {
			lactd_store_rollback(store);
			return FALSE;
		}
	}
	return lactd_store_commit(store, error);
}

gboolean
lactd_recstore_set_source(LactdStore *store, guint64 id, const char *source, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt =
	    lactd_store_prepare(store, "UPDATE captures SET source = ?2 WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	sqlite3_bind_text(stmt, 2, source, -1, SQLITE_TRANSIENT);
	if (!lactd_store_step_done(store, stmt, "naming a recording's source", error))
		return FALSE;
	if (sqlite3_changes(lactd_store_get_db(store)) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no capture with id %" G_GUINT64_FORMAT, id);
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_recstore_delete(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = lactd_store_prepare(store, "DELETE FROM captures WHERE id = ?1", error);

	if (stmt == NULL)
		return FALSE;
	sqlite3_bind_int64(stmt, 1, (sqlite3_int64)id);
	if (!lactd_store_step_done(store, stmt, "deleting a recording", error))
		return FALSE;
	if (sqlite3_changes(lactd_store_get_db(store)) == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "no capture with id %" G_GUINT64_FORMAT, id);
		return FALSE;
	}
	return TRUE;
}
