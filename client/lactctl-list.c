/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sessions listed in bulk: Manager1.ListSessionsColumns returns one typed
 * array per key, which the bus carries without a cost per session; this
 * file turns them back into the dictionaries every command reads.
 */
#include "config.h"

#include "lactctl-list.h"

enum { MEASURED_LEFT = 1, MEASURED_RIGHT = 2, MEASURED_WEIGHED = 4 };

typedef struct {
	const char *key;
	GVariant *value;
	gconstpointer data; /* fixed-size elements, or NULL for strings */
	const char **strv;
} Column;

enum {
	C_ID, C_KIND, C_SOURCE, C_START, C_END, C_LEFT, C_RIGHT, C_TOTAL, C_WEIGHED, C_MEASURED,
	C_LEFT_S, C_RIGHT_S, C_DEVICE, C_INTERRUPTED, C_NOTE, C_SUPPL, C_METHOD, C_MILK, C_N
};

/* Each column's key, type and element size (0: strings). */
static const struct {
	const char *key, *type;
	gsize size;
} column_keys[C_N] = {
    [C_ID] = {"id", "at", 8},
    [C_KIND] = {"kind", "as", 0},
    [C_SOURCE] = {"source", "as", 0},
    [C_START] = {"start", "ax", 8},
    [C_END] = {"end", "ax", 8},
    [C_LEFT] = {"left_ml", "ad", 8},
    [C_RIGHT] = {"right_ml", "ad", 8},
    [C_TOTAL] = {"total_ml", "ad", 8},
    [C_WEIGHED] = {"weighed_ml", "ad", 8},
    [C_MEASURED] = {"measured", "ay", 1},
    [C_LEFT_S] = {"left_seconds", "au", 4},
    [C_RIGHT_S] = {"right_seconds", "au", 4},
    [C_DEVICE] = {"device", "as", 0},
    [C_INTERRUPTED] = {"interrupted", "ab", 1},
    [C_NOTE] = {"note", "as", 0},
    [C_SUPPL] = {"supplement_ml", "ad", 8},
    [C_METHOD] = {"method", "as", 0},
    [C_MILK] = {"milk", "as", 0},
};

static void
columns_clear(Column *c)
{
	for (guint i = 0; i < C_N; i++) {
		g_free(c[i].strv);
		g_clear_pointer(&c[i].value, g_variant_unref);
	}
}

static gboolean
columns_read(GVariant *columns, Column *c, gsize *n_rows, GError **error)
{
	for (guint i = 0; i < C_N; i++) {
		gsize n = 0;

		c[i].key = column_keys[i].key;
		c[i].value = g_variant_lookup_value(columns, c[i].key, G_VARIANT_TYPE(column_keys[i].type));
		if (c[i].value == NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "lactd's reply has no column %s of type %s", c[i].key,
				    column_keys[i].type);
			return FALSE;
		}
		if (column_keys[i].size == 0)
			c[i].strv = g_variant_get_strv(c[i].value, &n);
		else
			c[i].data = g_variant_get_fixed_array(c[i].value, &n, column_keys[i].size);
		if (i == 0)
			*n_rows = n;
		else if (n != *n_rows) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "lactd's column %s has %" G_GSIZE_FORMAT " rows, not %" G_GSIZE_FORMAT,
				    c[i].key, n, *n_rows);
			return FALSE;
		}
	}
	return TRUE;
}

#define AT(col, type, row) (((const type *)c[col].data)[row])

static void
put(GVariantBuilder *b, const char *key, GVariant *value)
{
	g_variant_builder_add(b, "{sv}", key, value);
}

/* One row as ListSessions has it (lactd's session_build). */
static void
row_build(GVariantBuilder *b, const Column *c, gsize i)
{
	guint8 measured = AT(C_MEASURED, guint8, i);
	const char *names[4];
	guint n = 0;

	put(b, "id", g_variant_new_uint64(AT(C_ID, guint64, i)));
	put(b, "kind", g_variant_new_string(c[C_KIND].strv[i]));
	put(b, "source", g_variant_new_string(c[C_SOURCE].strv[i]));
	put(b, "start", g_variant_new_int64(AT(C_START, gint64, i)));
	put(b, "end", g_variant_new_int64(AT(C_END, gint64, i)));
	put(b, "left_ml", g_variant_new_double(AT(C_LEFT, double, i)));
	put(b, "right_ml", g_variant_new_double(AT(C_RIGHT, double, i)));
	put(b, "total_ml", g_variant_new_double(AT(C_TOTAL, double, i)));
	if (measured & MEASURED_WEIGHED)
		put(b, "weighed_ml", g_variant_new_double(AT(C_WEIGHED, double, i)));
	put(b, "left_measured", g_variant_new_boolean((measured & MEASURED_LEFT) != 0));
	put(b, "right_measured", g_variant_new_boolean((measured & MEASURED_RIGHT) != 0));
	if (measured & MEASURED_LEFT)
		names[n++] = "left";
	if (measured & MEASURED_RIGHT)
		names[n++] = "right";
	if (measured & MEASURED_WEIGHED)
		names[n++] = "weighed";
	put(b, "measured", g_variant_new_strv(names, n));
	put(b, "left_seconds", g_variant_new_uint32(AT(C_LEFT_S, guint32, i)));
	put(b, "right_seconds", g_variant_new_uint32(AT(C_RIGHT_S, guint32, i)));
	put(b, "device", g_variant_new_string(c[C_DEVICE].strv[i]));
	put(b, "interrupted", g_variant_new_boolean(AT(C_INTERRUPTED, guint8, i) != 0));
	put(b, "note", g_variant_new_string(c[C_NOTE].strv[i]));
	/* The supplement columns are placeholders for other kinds. */
	if (g_str_equal(c[C_KIND].strv[i], "supplement")) {
		put(b, "supplement_ml", g_variant_new_double(AT(C_SUPPL, double, i)));
		put(b, "method", g_variant_new_string(c[C_METHOD].strv[i]));
		put(b, "milk", g_variant_new_string(c[C_MILK].strv[i]));
	}
}

GVariant *
lactctl_columns_to_sessions(GVariant *columns, GError **error)
{
	Column c[C_N] = {0};
	GVariantBuilder b;
	gsize n = 0;

	if (!columns_read(columns, c, &n, error)) {
		columns_clear(c);
		return NULL;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (gsize i = 0; i < n; i++) {
		g_variant_builder_open(&b, G_VARIANT_TYPE_VARDICT);
		row_build(&b, c, i);
		g_variant_builder_close(&b);
	}
	columns_clear(c);
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

gboolean
lactctl_list_sessions(LactdManager1 *manager, gint64 from, gint64 to, GVariant **sessions,
		      GError **error)
{
	g_autoptr(GVariant) columns = NULL;
	g_autoptr(GError) local_error = NULL;

	if (!lactd_manager1_call_list_sessions_columns_sync(manager, from, to, &columns, NULL,
							     &local_error)) {
		/* A daemon from before the bulk method. */
		if (g_error_matches(local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD))
			return lactd_manager1_call_list_sessions_sync(manager, from, to, sessions,
								      NULL, error);
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	*sessions = lactctl_columns_to_sessions(columns, error);
	return *sessions != NULL;
}
