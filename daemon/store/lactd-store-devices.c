/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Devices in the store: a device's user settings and last known state,
 * kept across restarts. */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

#define DEVICE_COLUMNS "address, name, kind, plugin, side, role, enabled, last_seen, rejected"

static gpointer
device_from_row(sqlite3_stmt *stmt)
{
	LactdDeviceRow *row = g_new0(LactdDeviceRow, 1);

	row->address = lactd_store_column_dup(stmt, 0);
	row->name = lactd_store_column_dup(stmt, 1);
	row->kind = lactd_store_column_dup(stmt, 2);
	row->plugin = lactd_store_column_dup(stmt, 3);
	row->side = lactd_store_column_dup(stmt, 4);
	row->role = lactd_store_column_dup(stmt, 5);
	row->enabled = sqlite3_column_int(stmt, 6) != 0;
	row->last_seen_us = sqlite3_column_int64(stmt, 7);
	row->rejected_packets = (guint32)sqlite3_column_int64(stmt, 8);
	return row;
}

LactdDeviceRow *
lactd_store_get_device(LactdStore *store, const char *address, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store, "SELECT " DEVICE_COLUMNS " FROM devices WHERE address = ?1", error, "s", address);

	if (stmt == NULL || lactd_store_step(store, stmt, "reading a device", error) != SQLITE_ROW)
		return NULL;
	return device_from_row(stmt);
}

gboolean
lactd_store_put_device(LactdStore *store, const LactdDeviceRow *row, GError **error)
{
	return lactd_store_run(store,
			       "INSERT OR REPLACE INTO devices (" DEVICE_COLUMNS ") "
			       "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			       "writing a device", error, "ssssssixu", row->address,
			       row->name != NULL ? row->name : "",
			       row->kind != NULL ? row->kind : "unknown",
			       row->plugin != NULL ? row->plugin : "",
			       row->side != NULL ? row->side : "unknown",
			       row->role != NULL ? row->role : "bottle", row->enabled,
			       row->last_seen_us, (guint)row->rejected_packets);
}

gboolean
lactd_store_delete_device(LactdStore *store, const char *address, GError **error)
{
	return lactd_store_run(store, "DELETE FROM devices WHERE address = ?1", "deleting a device",
			       error, "s", address);
}

GPtrArray *
lactd_store_list_devices(LactdStore *store, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(
	    store, "SELECT " DEVICE_COLUMNS " FROM devices ORDER BY address", error);

	return lactd_store_rows(store, stmt, "listing devices", device_from_row,
				(GDestroyNotify)lactd_device_row_free, error);
}
