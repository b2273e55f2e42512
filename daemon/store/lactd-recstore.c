/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recordings in the store: tables captures, capture_chars and
 * capture_events (migration 1 -> 2 in lactd-store-migrate.c). Every write here is
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
	if (!lactd_store_run(store,
			     "INSERT INTO captures (address, name, source, start_us, end_us, raw) "
			     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
			     "adding a recording", error, "sssxxi",
			     info->address != NULL ? info->address : "",
			     info->name != NULL ? info->name : "",
			     info->source != NULL ? info->source : "lactd", info->start_us,
			     info->end_us, info->raw))
		return FALSE;
	info->id = (guint64)sqlite3_last_insert_rowid(lactd_store_get_db(store));
	return TRUE;
}

gboolean
lactd_recstore_add_char(LactdStore *store, guint64 id, const LactdRecChar *chr, GError **error)
{
	return lactd_store_run(
	    store,
	    "INSERT INTO capture_chars (capture, seq, uuid, flags, handle, service_uuid) "
	    "VALUES (?1, (SELECT COUNT(*) FROM capture_chars WHERE capture = ?1), ?2, ?3, ?4, ?5)",
	    "adding a recorded characteristic", error, "tssis", id, chr->uuid,
	    chr->flags != NULL ? chr->flags : "", (int)chr->handle, chr->service_uuid);
}

gboolean
lactd_recstore_add_event(LactdStore *store, guint64 id, const LactdRecEvent *event,
			 GError **error)
{
	gsize len = event->value != NULL ? g_bytes_get_size(event->value) : 0;

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
	return lactd_store_run(store,
			       "INSERT INTO capture_events (capture, time_us, kind, uuid, handle, "
			       "value, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			       "adding a recorded event", error, "txssiBs", id, event->time_us,
			       event->kind, event->uuid, (int)event->handle, event->value,
			       event->text);
}

gboolean
lactd_recstore_finish(LactdStore *store, guint64 id, gint64 end_us, GError **error)
{
	if (!lactd_store_run(store, "UPDATE captures SET end_us = ?2 WHERE id = ?1",
			     "closing a recording", error, "tx", id, end_us))
		return FALSE;
	return lactd_store_changes(store) > 0 || lactd_store_not_found(error, "capture", id);
}

/* The columns of the capture table (lactd-model.c), in its order, then
 * the count of events, which is no column of its own. */
#define INFO_COLUMNS                                                                      \
	"id, address, name, source, start_us, end_us, raw, "                              \
	"(SELECT COUNT(*) FROM capture_events e WHERE e.capture = captures.id)"
#define INFO_EVENTS_COLUMN 7

static gpointer
info_from_row(sqlite3_stmt *stmt)
{
	LactdRecInfo *info = g_new0(LactdRecInfo, 1);

	lactd_store_read_record(stmt, &lactd_capture_table, info);
	info->events = (guint)sqlite3_column_int64(stmt, INFO_EVENTS_COLUMN);
	return info;
}

LactdRecInfo *
lactd_recstore_get(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store, "SELECT " INFO_COLUMNS " FROM captures WHERE id = ?1", error, "t", id);

	return lactd_store_row_by_id(store, stmt, "reading a recording", info_from_row, "capture",
				     id, error);
}

GPtrArray *
lactd_recstore_list(LactdStore *store, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_stmt(store, "SELECT " INFO_COLUMNS " FROM captures ORDER BY id", error);

	return lactd_store_rows(store, stmt, "listing recordings", info_from_row,
				(GDestroyNotify)lactd_rec_info_free, error);
}

static gpointer
char_from_row(sqlite3_stmt *stmt)
{
	LactdRecChar *c = g_new0(LactdRecChar, 1);

	c->uuid = lactd_store_column_dup(stmt, 0);
	c->flags = lactd_store_column_dup(stmt, 1);
	c->handle = (guint16)sqlite3_column_int(stmt, 2);
	c->service_uuid = lactd_store_column_dup(stmt, 3);
	return c;
}

GPtrArray *
lactd_recstore_chars(LactdStore *store, guint64 id, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_query(store,
			      "SELECT uuid, flags, handle, service_uuid FROM capture_chars "
			      "WHERE capture = ?1 ORDER BY seq",
			      error, "t", id);

	return lactd_store_rows(store, stmt, "reading recorded characteristics", char_from_row,
				(GDestroyNotify)lactd_gatt_char_free, error);
}

GPtrArray *
lactd_recstore_events(LactdStore *store, guint64 id, GError **error)
{
	return lactd_recstore_events_range(store, id, 0, G_MAXUINT, error);
}

static gpointer
event_from_row(sqlite3_stmt *stmt)
{
	LactdRecEvent *e = g_new0(LactdRecEvent, 1);
	const char *kind = (const char *)sqlite3_column_text(stmt, 1);

	e->time_us = sqlite3_column_int64(stmt, 0);
	/* Written by this module only; an unknown name would be a damaged
	 * row, shown as a mark rather than dropped. */
	e->kind = lactd_rec_kind_intern(kind);
	if (e->kind == NULL)
		e->kind = LACTD_REC_MARK;
	e->uuid = lactd_store_column_dup(stmt, 2);
	e->handle = (guint16)sqlite3_column_int(stmt, 3);
	if (sqlite3_column_type(stmt, 4) != SQLITE_NULL)
		e->value = g_bytes_new(sqlite3_column_blob(stmt, 4),
				       (gsize)sqlite3_column_bytes(stmt, 4));
	e->text = lactd_store_column_dup(stmt, 5);
	return e;
}

GPtrArray *
lactd_recstore_events_range(LactdStore *store, guint64 id, guint first, guint max,
			    GError **error)
{
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_query(store,
			      "SELECT time_us, kind, uuid, handle, value, text FROM capture_events "
			      "WHERE capture = ?1 ORDER BY time_us, rowid LIMIT ?2 OFFSET ?3",
			      error, "tuu", id, max, first);

	return lactd_store_rows(store, stmt, "reading recorded events", event_from_row,
				(GDestroyNotify)lactd_rec_event_free, error);
}

gboolean
lactd_recstore_events_bytes(LactdStore *store, guint64 id, guint64 *bytes, GError **error)
{
	/* Bytes, not characters: length() of a text counts characters. */
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_query(store,
			      "SELECT COUNT(*), TOTAL(length(CAST(kind AS BLOB)) + "
			      "IFNULL(length(CAST(uuid AS BLOB)), 0) + IFNULL(length(value), 0) + "
			      "IFNULL(length(CAST(text AS BLOB)), 0)) "
			      "FROM capture_events WHERE capture = ?1",
			      error, "t", id);

	if (stmt == NULL || lactd_store_step(store, stmt, "sizing recorded events", error) != SQLITE_ROW)
		return FALSE;
	/* Each event's fixed part: see LACTD_REC_EVENT_OVERHEAD. */
	*bytes = (guint64)sqlite3_column_double(stmt, 1) +
		 (guint64)sqlite3_column_int64(stmt, 0) * LACTD_REC_EVENT_OVERHEAD;
	return TRUE;
}

static gboolean
import_all(LactdStore *store, LactdRecInfo *info, GPtrArray *chars, GPtrArray *events,
	   GError **error)
{
	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;

	if (!lactd_store_tx_begin(&tx, store, error) || !lactd_recstore_add(store, info, error))
		return FALSE;
	for (guint i = 0; i < chars->len; i++) {
		if (!lactd_recstore_add_char(store, info->id, g_ptr_array_index(chars, i), error))
			return FALSE;
	}
	for (guint i = 0; i < events->len; i++) {
		if (!lactd_recstore_add_event(store, info->id, g_ptr_array_index(events, i), error))
			return FALSE;
	}
	return lactd_store_tx_commit(&tx, error);
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
	if (!import_all(store, info, chars, events, error)) {
		info->id = 0;
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_recstore_add_events(LactdStore *store, guint64 id, GPtrArray *events, GError **error)
{
	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;

	if (!lactd_store_tx_begin(&tx, store, error))
		return FALSE;
	for (guint i = 0; i < events->len; i++) {
		if (!lactd_recstore_add_event(store, id, g_ptr_array_index(events, i), error))
			return FALSE;
	}
	return lactd_store_tx_commit(&tx, error);
}

gboolean
lactd_recstore_set_source(LactdStore *store, guint64 id, const char *source, GError **error)
{
	if (!lactd_store_run(store, "UPDATE captures SET source = ?2 WHERE id = ?1",
			     "naming a recording's source", error, "ts", id, source))
		return FALSE;
	return lactd_store_changes(store) > 0 || lactd_store_not_found(error, "capture", id);
}

gboolean
lactd_recstore_delete(LactdStore *store, guint64 id, GError **error)
{
	if (!lactd_store_run(store, "DELETE FROM captures WHERE id = ?1", "deleting a recording",
			     error, "t", id))
		return FALSE;
	return lactd_store_changes(store) > 0 || lactd_store_not_found(error, "capture", id);
}
