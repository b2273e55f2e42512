/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The store's SQL for a record, derived from the record's field table
 * (daemon/shared/lactd-record.h): the column lists of SELECT, INSERT and
 * UPDATE, binding a record's values and reading a row back. Adding a field
 * to a stored record is one line in its table plus the migration that adds
 * its column.
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"
#include "lactd-util.h"

#define FIELD_AT(record, field, type) ((type *)(void *)((guint8 *)(record) + (field)->offset))

static char *
insert_sql(const LactdRecord *rec, const char *verb, const char *table)
{
	guint n = 0;
	g_autofree char *columns = lactd_record_sql_columns(rec, &n);
	g_autoptr(GString) sql = g_string_new(NULL);

	g_string_printf(sql, "%s INTO %s (%s) VALUES (", verb, table, columns);
	for (guint i = 1; i <= n; i++)
		g_string_append_printf(sql, i > 1 ? ", ?%u" : "?%u", i);
	g_string_append_c(sql, ')');
	return g_string_free(g_steal_pointer(&sql), FALSE);
}

char *
lactd_store_record_select_sql(const LactdRecord *rec, const char *table, const char *tail)
{
	g_autofree char *columns = lactd_record_sql_columns(rec, NULL);

	return g_strdup_printf("SELECT %s FROM %s %s", columns, table, tail);
}

char *
lactd_store_record_insert_sql(const LactdRecord *rec, const char *table)
{
	return insert_sql(rec, "INSERT", table);
}

char *
lactd_store_record_replace_sql(const LactdRecord *rec, const char *table)
{
	return insert_sql(rec, "INSERT OR REPLACE", table);
}

char *
lactd_store_record_update_sql_keeping(const LactdRecord *rec, const char *table,
				      const char *kept)
{
	g_autoptr(GString) sql = g_string_new(NULL);
	const char *key = NULL;
	guint kept_idx = 0;
	guint idx = 0;
	guint set = 0;

	g_string_printf(sql, "UPDATE %s SET ", table);
	for (guint i = 0; i < rec->n_fields; i++) {
		const char *column = rec->fields[i].sql_column;

		if (column == NULL)
			continue;
		if (idx++ == 0) {
			key = column;
			continue;
		}
		if (kept != NULL && g_str_equal(column, kept)) {
			kept_idx = idx;
			continue;
		}
		g_string_append_printf(sql, set++ > 0 ? ", %s = ?%u" : "%s = ?%u", column, idx);
	}
	g_assert(key != NULL);
	g_assert(kept == NULL || kept_idx != 0);
	g_string_append_printf(sql, " WHERE %s = ?1", key);
	if (kept != NULL)
		g_string_append_printf(sql, " AND %s = ?%u", kept, kept_idx);
	return g_string_free(g_steal_pointer(&sql), FALSE);
}

char *
lactd_store_record_update_sql(const LactdRecord *rec, const char *table)
{
	return lactd_store_record_update_sql_keeping(rec, table, NULL);
}

/* Whether @table.@column refuses NULL: a NULL string is then stored as
 * the field's fallback (or ""), as the schema's defaults say. */
static gboolean
column_not_null(LactdStore *store, const char *table, const char *column)
{
	int not_null = 0;

	if (sqlite3_table_column_metadata(store->db, NULL, table, column, NULL, NULL, &not_null,
					  NULL, NULL) != SQLITE_OK)
		return FALSE;
	return not_null != 0;
}

static int
bind_field(LactdStore *store, sqlite3_stmt *stmt, int idx, const LactdField *f,
	   gconstpointer record, const char *table)
{
	if (f->derive != NULL) {
		LactdFieldValue v;

		lactd_field_derive(f, record, &v);
		if (f->type == LACTD_FIELD_UINT32)
			return sqlite3_bind_int64(stmt, idx, v.u32);
		if (f->type == LACTD_FIELD_DOUBLE)
			return sqlite3_bind_double(stmt, idx, v.d);
		g_assert_not_reached();
	}
	switch (f->type) {
	case LACTD_FIELD_UINT64:
		return sqlite3_bind_int64(stmt, idx, (sqlite3_int64)*FIELD_AT(record, f, guint64));
	case LACTD_FIELD_INT64:
		return sqlite3_bind_int64(stmt, idx, *FIELD_AT(record, f, gint64));
	case LACTD_FIELD_UINT32:
	case LACTD_FIELD_HHMM:
		return sqlite3_bind_int64(stmt, idx, *FIELD_AT(record, f, guint32));
	case LACTD_FIELD_BOOLEAN:
		return sqlite3_bind_int(stmt, idx, *FIELD_AT(record, f, gboolean) ? 1 : 0);
	case LACTD_FIELD_ENUM:
		return sqlite3_bind_int(stmt, idx, *FIELD_AT(record, f, int));
	case LACTD_FIELD_DOUBLE: {
		double v = *FIELD_AT(record, f, double);
		return sqlite3_bind_double(stmt, idx,
					   (f->flags & LACTD_FIELD_ROUND) ? lactd_round_ml(v) : v);
	}
	case LACTD_FIELD_STRING: {
		const char *s = *FIELD_AT(record, f, char *);
		if (s == NULL && column_not_null(store, table, f->sql_column))
			s = f->fallback != NULL ? f->fallback : "";
		return s != NULL ? sqlite3_bind_text(stmt, idx, s, -1, SQLITE_TRANSIENT)
				 : sqlite3_bind_null(stmt, idx);
	}
	case LACTD_FIELD_CHARS:
		return sqlite3_bind_text(stmt, idx, FIELD_AT(record, f, const char), -1,
					 SQLITE_TRANSIENT);
	case LACTD_FIELD_STRV:
	default:
		g_assert_not_reached();
	}
}

gboolean
lactd_store_bind_record(LactdStore *store, sqlite3_stmt *stmt, const LactdRecord *rec,
			gconstpointer record, const char *table, GError **error)
{
	int idx = 0;

	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];
		int rc;

		if (f->sql_column == NULL)
			continue;
		rc = bind_field(store, stmt, ++idx, f, record, table);
		if (rc != SQLITE_OK) {
			g_autofree char *what = g_strdup_printf("binding %s", f->sql_column);
			return lactd_store_sql_fail(store->db, rc, what, error);
		}
	}
	return TRUE;
}

static void
read_record(sqlite3_stmt *stmt, const LactdRecord *rec, gpointer record, gboolean borrow)
{
	int col = 0;

	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];

		if (f->sql_column == NULL)
			continue;
		col++;
		/* A computed column is the caller's to read back. */
		if (lactd_field_is_derived(f))
			continue;
		switch (f->type) {
		case LACTD_FIELD_UINT64:
			*FIELD_AT(record, f, guint64) = (guint64)sqlite3_column_int64(stmt, col - 1);
			break;
		case LACTD_FIELD_INT64:
			*FIELD_AT(record, f, gint64) = sqlite3_column_int64(stmt, col - 1);
			break;
		case LACTD_FIELD_UINT32:
		case LACTD_FIELD_HHMM:
			*FIELD_AT(record, f, guint32) = (guint32)sqlite3_column_int64(stmt, col - 1);
			break;
		case LACTD_FIELD_BOOLEAN:
			*FIELD_AT(record, f, gboolean) = sqlite3_column_int(stmt, col - 1) != 0;
			break;
		case LACTD_FIELD_ENUM:
			*FIELD_AT(record, f, int) = sqlite3_column_int(stmt, col - 1);
			break;
		case LACTD_FIELD_DOUBLE:
			*FIELD_AT(record, f, double) = sqlite3_column_double(stmt, col - 1);
			break;
		case LACTD_FIELD_STRING:
			*FIELD_AT(record, f, char *) =
			    borrow ? (char *)sqlite3_column_text(stmt, col - 1)
				   : lactd_store_column_dup(stmt, col - 1);
			break;
		case LACTD_FIELD_CHARS:
			g_strlcpy(FIELD_AT(record, f, char),
				  (const char *)sqlite3_column_text(stmt, col - 1) ?: "", f->size);
			break;
		case LACTD_FIELD_STRV:
		default:
			g_assert_not_reached();
		}
	}
}

void
lactd_store_read_record(sqlite3_stmt *stmt, const LactdRecord *rec, gpointer record)
{
	read_record(stmt, rec, record, FALSE);
}

void
lactd_store_read_record_borrowed(sqlite3_stmt *stmt, const LactdRecord *rec, gpointer record)
{
	read_record(stmt, rec, record, TRUE);
}

int
lactd_store_record_column(const LactdRecord *rec, const char *column)
{
	int col = 0;

	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].sql_column == NULL)
			continue;
		if (g_str_equal(rec->fields[i].sql_column, column))
			return col;
		col++;
	}
	g_assert_not_reached();
}

gboolean
lactd_store_record_same_columns(const LactdRecord *rec, gconstpointer a, gconstpointer b,
				const char *const *except)
{
	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];
		gboolean same;

		if (f->sql_column == NULL ||
		    (except != NULL && g_strv_contains(except, f->sql_column)))
			continue;
		if (f->derive != NULL) {
			LactdFieldValue va, vb;

			lactd_field_derive(f, a, &va);
			lactd_field_derive(f, b, &vb);
			same = f->type == LACTD_FIELD_DOUBLE ? va.d == vb.d : va.u32 == vb.u32;
		} else {
			switch (f->type) {
			case LACTD_FIELD_UINT64:
			case LACTD_FIELD_INT64:
				same = *FIELD_AT(a, f, gint64) == *FIELD_AT(b, f, gint64);
				break;
			case LACTD_FIELD_UINT32:
			case LACTD_FIELD_HHMM:
				same = *FIELD_AT(a, f, guint32) == *FIELD_AT(b, f, guint32);
				break;
			case LACTD_FIELD_BOOLEAN:
				same = !*FIELD_AT(a, f, gboolean) == !*FIELD_AT(b, f, gboolean);
				break;
			case LACTD_FIELD_ENUM:
				same = *FIELD_AT(a, f, int) == *FIELD_AT(b, f, int);
				break;
			case LACTD_FIELD_DOUBLE:
				same = *FIELD_AT(a, f, double) == *FIELD_AT(b, f, double);
				break;
			case LACTD_FIELD_STRING:
				same = g_strcmp0(*FIELD_AT(a, f, char *), *FIELD_AT(b, f, char *)) == 0;
				break;
			case LACTD_FIELD_CHARS:
				same = strcmp(FIELD_AT(a, f, const char), FIELD_AT(b, f, const char)) == 0;
				break;
			case LACTD_FIELD_STRV:
			default:
				g_assert_not_reached();
			}
		}
		if (!same)
			return FALSE;
	}
	return TRUE;
}
