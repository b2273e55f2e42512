/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Devices in the store: a device's user settings and last known state,
 * kept across restarts. The devices table's columns are the device table's
 * SQL fields (daemon/shared/lactd-model.c), "address" first. */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

static gpointer
device_from_row(sqlite3_stmt *stmt)
{
	LactdDeviceRow *row = g_new0(LactdDeviceRow, 1);

	lactd_store_read_record(stmt, &lactd_device_table, row);
	return row;
}

#define device_select(tail) lactd_store_record_select_sql(&lactd_device_table, "devices", tail)

LactdDeviceRow *
lactd_store_get_device(LactdStore *store, const char *address, GError **error)
{
	g_autofree char *sql = device_select("WHERE address = ?1");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(store, sql, error, "s", address);

	if (stmt == NULL || lactd_store_step(store, stmt, "reading a device", error) != SQLITE_ROW)
		return NULL;
	return device_from_row(stmt);
}

gboolean
lactd_store_put_device(LactdStore *store, const LactdDeviceRow *row, GError **error)
{
	g_autofree char *sql = lactd_store_record_replace_sql(&lactd_device_table, "devices");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);

	return stmt != NULL &&
	       lactd_store_bind_record(store, stmt, &lactd_device_table, row, "devices", error) &&
	       lactd_store_step_done(store, stmt, "writing a device", error);
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
	g_autofree char *sql = device_select("ORDER BY address");
	g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, error);

	return lactd_store_rows(store, stmt, "listing devices", device_from_row,
				(GDestroyNotify)lactd_device_row_free, error);
}
