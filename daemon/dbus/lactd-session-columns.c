/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records as columns: the replies of ListSessionsColumns, ListSessionsFd and
 * GetDailySummaryFd. The columns come from the record's field table, one per
 * D-Bus key, so a field added to the table is a column here too. Numbers go
 * into plain C arrays, which become one fixed-size GVariant array each
 * without a copy; strings become one "as" each. No dictionary and no variant
 * per record: that per-element cost is what makes a year of ListSessions
 * slow.
 */
#include "config.h"

#include <string.h>

#include "lactd-error.h"
#include "lactd-session-columns.h"
#include "lactd-util.h"

#define AT(record, field, type) ((type *)(void *)((guint8 *)(record) + (field)->offset))

typedef struct {
	const LactdField *field;
	GArray *values;	 /* fixed-size elements, or NULL */
	/* Strings ("as") or lists ("aas"): each row's string with its NUL, or
	 * its serialised "as", end to end in `blobs`, and where each ends.
	 * Copied, so that a record need not outlive its row. */
	GByteArray *blobs;
	GArray *ends;
	GArray *present; /* one byte a record, or NULL when always present */
	guint n_names;	 /* LACTD_FIELD_ENUM: how many names */
} Column;

struct _LactdColumns {
	const LactdRecord *rec;
	Column *cols;
	guint n_cols;
};

gboolean
lactd_columns_may_be_absent(const LactdField *f)
{
	return lactd_field_is_derived(f) ||
	       (f->present != NULL && !(f->flags & LACTD_FIELD_DBUS_ALWAYS));
}

static void
column_init(Column *c, const LactdField *f, guint n)
{
	gsize size = lactd_columns_element_size(f->type);

	c->field = f;
	if (size > 0) {
		c->values = g_array_sized_new(FALSE, TRUE, (guint)size, n);
	} else {
		c->blobs = g_byte_array_sized_new(n * 8);
		c->ends = g_array_sized_new(FALSE, FALSE, sizeof(gsize), n);
	}
	if (lactd_columns_may_be_absent(f))
		c->present = g_array_sized_new(FALSE, FALSE, 1, n);
	if (f->type == LACTD_FIELD_ENUM)
		c->n_names = g_strv_length((GStrv)f->values);
}

/* The row's string or list is complete in `blobs`. */
static void
blob_end(Column *c)
{
	gsize end = c->blobs->len;

	g_array_append_val(c->ends, end);
}

static void
text_append(Column *c, const char *text)
{
	g_byte_array_append(c->blobs, (const guint8 *)text, (guint)strlen(text) + 1);
	blob_end(c);
}

/* A number or a boolean appended to its column: the union's first bytes
 * are the value, in the column's width (a GVariant boolean is one byte). */
static void
append_value(Column *c, LactdFieldType type, const LactdFieldValue *v)
{
	if (type == LACTD_FIELD_BOOLEAN) {
		guint8 b = v->b ? 1 : 0;
		g_array_append_val(c->values, b);
	} else {
		g_array_append_vals(c->values, v, 1);
	}
}

/* The same from a D-Bus value (NULL: the placeholder 0 or FALSE). */
static void
append_fixed(Column *c, LactdFieldType type, GVariant *v)
{
	LactdFieldValue x = {0};

	if (v != NULL) {
		switch (type) {
		case LACTD_FIELD_UINT64:
			x.u64 = g_variant_get_uint64(v);
			break;
		case LACTD_FIELD_INT64:
			x.i64 = g_variant_get_int64(v);
			break;
		case LACTD_FIELD_DOUBLE:
			x.d = g_variant_get_double(v);
			break;
		case LACTD_FIELD_UINT32:
			x.u32 = g_variant_get_uint32(v);
			break;
		default:
			x.b = g_variant_get_boolean(v);
		}
	}
	append_value(c, type, &x);
}

/*
 * GVariant's serialised form of an array of variable-size elements that
 * need no alignment ("as", "aas"): the elements end to end, then where each
 * one ends, little-endian, in the smallest width that addresses the whole
 * (GVariant's own rule). Written here in one pass, because GVariant would
 * make and serialise one instance per string. lactd_columns_frame_width
 * gives the width and the whole size for @body bytes of @n elements.
 */
gsize
lactd_columns_frame_width(gsize body, gsize n, gsize *total)
{
	if (body + n <= G_MAXUINT8)
		*total = body + n;
	else if (body + 2 * n <= G_MAXUINT16)
		*total = body + 2 * n;
	else if (body + 4 * n <= G_MAXUINT32)
		*total = body + 4 * n;
	else
		*total = body + 8 * n;
	return *total > G_MAXUINT32 ? 8 : *total > G_MAXUINT16 ? 4 : *total > G_MAXUINT8 ? 2 : *total > 0;
}

/* Appends to @out the array of the @n elements in @data. */
static void
blobs_append(GByteArray *out, guint n, const guint8 *const *data, const gsize *sizes)
{
	gsize body = 0, total, width, at = 0, base = out->len;
	guint8 *p;

	for (guint i = 0; i < n; i++)
		body += sizes[i];
	width = lactd_columns_frame_width(body, n, &total);
	g_byte_array_set_size(out, (guint)(base + total));
	p = out->data + base;
	for (guint i = 0; i < n; i++) {
		if (sizes[i] > 0) /* an empty list has no bytes, maybe no pointer */
			memcpy(p + at, data[i], sizes[i]);
		at += sizes[i];
		for (gsize b = 0; b < width; b++)
			p[body + i * width + b] = (guint8)(at >> (8 * b));
	}
}

/* One row's list ("as") appended to its column. */
static void
list_append(Column *c, const char *const *v, guint n)
{
	gsize sizes[G_N_ELEMENTS(((LactdFieldValue *)NULL)->strv.v)];

	g_assert(n <= G_N_ELEMENTS(sizes));
	for (guint i = 0; i < n; i++)
		sizes[i] = strlen(v[i]) + 1;
	blobs_append(c->blobs, n, (const guint8 *const *)v, sizes);
	blob_end(c);
}

/* The general way, through the field's D-Bus value: derived fields and
 * rare types. */
static void
append_variant(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;
	g_autoptr(GVariant) v = lactd_field_get(f, record);

	if (v != NULL)
		g_variant_ref_sink(v);
	if (c->present != NULL) {
		guint8 present = v != NULL;
		g_array_append_val(c->present, present);
	}
	if (c->values != NULL) {
		append_fixed(c, f->type, v);
	} else if (f->type == LACTD_FIELD_STRV) {
		if (v != NULL)
			g_byte_array_append(c->blobs, g_variant_get_data(v),
					    (guint)g_variant_get_size(v));
		blob_end(c);
	} else {
		text_append(c, v != NULL ? g_variant_get_string(v, NULL) : "");
	}
}

/* A derived field, in its type without a GVariant: the five derived fields
 * of a session are most of the work of its columns. */
static void
append_derived(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;
	/* As in the a{sv}: a value not measured is still sent where the
	 * field says so (a session's total_ml). */
	gboolean sent = f->present == NULL || (f->flags & LACTD_FIELD_DBUS_ALWAYS) ||
			f->present(record);
	LactdFieldValue v = {0};

	if (c->present != NULL) {
		guint8 p = sent;
		g_array_append_val(c->present, p);
	}
	if (sent)
		lactd_field_derive(f, record, &v);
	if (f->type == LACTD_FIELD_STRV)
		list_append(c, v.strv.v, v.strv.n);
	else
		append_value(c, f->type, &v);
}

/* The fast way for a stored field: read at its offset, as lactd-record.c's
 * a{sv} does, without a GVariant. */
static void
append(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;
	gboolean present;

	if (f->derive != NULL) {
		append_derived(c, record);
		return;
	}
	if (f->compute != NULL || f->type == LACTD_FIELD_HHMM || f->type == LACTD_FIELD_STRV) {
		append_variant(c, record);
		return;
	}
	present = f->present == NULL || f->present(record);
	if (c->present != NULL) {
		guint8 p = present;
		g_array_append_val(c->present, p);
	}
	if (c->present != NULL && !present) {
		if (c->values != NULL)
			append_fixed(c, f->type, NULL);
		else
			text_append(c, "");
		return;
	}
	switch (f->type) {
	case LACTD_FIELD_UINT64:
	case LACTD_FIELD_INT64:
	case LACTD_FIELD_UINT32:
		g_array_append_vals(c->values, AT(record, f, const guint8), 1);
		break;
	case LACTD_FIELD_BOOLEAN: {
		guint8 b = *AT(record, f, const gboolean) ? 1 : 0;
		g_array_append_val(c->values, b);
		break;
	}
	case LACTD_FIELD_DOUBLE: {
		double d = *AT(record, f, const double);
		if (f->flags & LACTD_FIELD_ROUND)
			d = lactd_round_ml(d);
		g_array_append_val(c->values, d);
		break;
	}
	case LACTD_FIELD_STRING: {
		const char *s = *AT(record, f, char *const);
		text_append(c, s != NULL ? s : f->fallback != NULL ? f->fallback : "");
		break;
	}
	case LACTD_FIELD_CHARS:
		text_append(c, AT(record, f, const char));
		break;
	case LACTD_FIELD_ENUM: {
		guint v = (guint)*AT(record, f, const int);
		text_append(c, v < c->n_names ? f->values[v] : "unknown");
		break;
	}
	default:
		g_assert_not_reached();
	}
}

/* A column's bytes as a GVariant of @type, taking them without a copy. */
static GVariant *
take_variant(const GVariantType *type, guint8 *data, gsize size)
{
	g_autoptr(GBytes) bytes = g_bytes_new_take(data, size);

	return g_variant_new_from_bytes(type, bytes, TRUE);
}

static GVariant *
array_variant(const GVariantType *type, GArray *values)
{
	gsize size = (gsize)values->len * g_array_get_element_size(values);

	return take_variant(type, (guint8 *)g_array_free(values, FALSE), size);
}

/* The column's strings or lists as one "as" or "aas": the blobs as they
 * are, then where each ends (see lactd_columns_frame_width), appended in place. */
static GVariant *
blobs_variant(const GVariantType *type, GByteArray *blobs, GArray *ends)
{
	gsize body = blobs->len, n = ends->len, total, width = lactd_columns_frame_width(body, n, &total);
	guint8 *out;

	g_byte_array_set_size(blobs, (guint)total);
	out = blobs->data;
	for (gsize i = 0; i < n; i++) {
		gsize at = g_array_index(ends, gsize, i);
		for (gsize b = 0; b < width; b++)
			out[body + i * width + b] = (guint8)(at >> (8 * b));
	}
	g_array_unref(ends);
	return take_variant(type, g_byte_array_free(blobs, FALSE), total);
}

/* The column's GVariants added to @b; its arrays are taken by them. */
static void
column_finish(Column *c, GVariantBuilder *b)
{
	const LactdField *f = c->field;

	if (c->values != NULL) {
		g_autoptr(GVariantType) type = g_variant_type_new_array(lactd_field_type(f));
		g_variant_builder_add(b, "{sv}", f->dbus_key,
				      array_variant(type, g_steal_pointer(&c->values)));
	} else {
		g_variant_builder_add(b, "{sv}", f->dbus_key,
				      blobs_variant(f->type == LACTD_FIELD_STRV
							? G_VARIANT_TYPE("aas")
							: G_VARIANT_TYPE_STRING_ARRAY,
						    g_steal_pointer(&c->blobs),
						    g_steal_pointer(&c->ends)));
	}
	if (c->present != NULL) {
		g_autofree char *key = g_strconcat(f->dbus_key, LACTD_COLUMNS_PRESENT_SUFFIX, NULL);
		g_variant_builder_add(b, "{sv}", key,
				      array_variant(G_VARIANT_TYPE("ab"),
						    g_steal_pointer(&c->present)));
	}
}

static void
column_clear(Column *c)
{
	g_clear_pointer(&c->values, g_array_unref);
	g_clear_pointer(&c->blobs, g_byte_array_unref);
	g_clear_pointer(&c->ends, g_array_unref);
	g_clear_pointer(&c->present, g_array_unref);
}

LactdColumns *
lactd_columns_begin(const LactdRecord *rec, guint n_hint)
{
	LactdColumns *cols = g_new0(LactdColumns, 1);

	cols->rec = rec;
	cols->cols = g_new0(Column, rec->n_fields);
	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].dbus_key != NULL)
			column_init(&cols->cols[cols->n_cols++], &rec->fields[i], n_hint);
	}
	return cols;
}

void
lactd_columns_add(LactdColumns *cols, gconstpointer record)
{
	for (guint i = 0; i < cols->n_cols; i++)
		append(&cols->cols[i], record);
}

GVariant *
lactd_columns_end(LactdColumns *cols)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < cols->n_cols; i++)
		column_finish(&cols->cols[i], &b);
	g_free(cols->cols);
	g_free(cols);
	return g_variant_builder_end(&b);
}

void
lactd_columns_free(LactdColumns *cols)
{
	if (cols == NULL)
		return;
	for (guint i = 0; i < cols->n_cols; i++)
		column_clear(&cols->cols[i]);
	g_free(cols->cols);
	g_free(cols);
}

GVariant *
lactd_columns_new(const LactdRecord *rec, const gconstpointer *records, guint n)
{
	LactdColumns *cols = lactd_columns_begin(rec, n);

	for (guint r = 0; r < n; r++)
		lactd_columns_add(cols, records[r]);
	return lactd_columns_end(cols);
}

GVariant *
lactd_session_columns_new(GPtrArray *sessions)
{
	return lactd_columns_new(&lactd_session_table, (const gconstpointer *)sessions->pdata,
				 sessions->len);
}

GVariant *
lactd_day_columns_new(GArray *days)
{
	g_autofree gconstpointer *rows = g_new(gconstpointer, days->len + 1);

	for (guint i = 0; i < days->len; i++)
		rows[i] = &g_array_index(days, LactdDaySummary, i);
	return lactd_columns_new(&lactd_day_table, rows, days->len);
}
