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
#include "lactd-reply-memory.h"
#include "lactd-session-columns.h"
#include "lactd-util.h"

#define AT(record, field, type) ((type *)(void *)((guint8 *)(record) + (field)->offset))

/* A growing byte buffer: appended to inline, a call to grow only when
 * full. A year of sessions is some 175,000 values; a function call each
 * (g_array_append_vals) was a third of building the columns. Its memory is
 * taken from, and given back to, the buffers kept between replies
 * (lactd-reply-memory.c). */
typedef struct {
	guint8 *data;
	gsize len, cap;
	gconstpointer tag; /* which column's buffer, for the kept ones */
} Buf;

static void
buf_reserve(Buf *b, gsize more)
{
	gsize cap = MAX(b->cap * 2, 256);

	while (cap < b->len + more)
		cap *= 2;
	if (b->data == NULL) {
		b->data = lactd_reply_memory_take(b->tag, cap, &b->cap);
		return;
	}
	b->data = g_realloc(b->data, cap);
	b->cap = cap;
}

/* Room for @n bytes at the end of @b, counted in: the caller writes them. */
static inline guint8 *
buf_add(Buf *b, gsize n)
{
	guint8 *p;

	if (G_UNLIKELY(b->len + n > b->cap))
		buf_reserve(b, n);
	p = b->data + b->len;
	b->len += n;
	return p;
}

static inline void
buf_byte(Buf *b, guint8 v)
{
	*buf_add(b, 1) = v;
}

static void
buf_clear(Buf *b)
{
	lactd_reply_memory_give(b->tag, g_steal_pointer(&b->data), b->cap);
	b->len = b->cap = 0;
}

/* How a column takes a record's value, chosen once from its field. */
typedef enum {
	OP_COPY,     /* a number in its column's width, read at its offset */
	OP_BOOLEAN,  /* a gboolean as one byte */
	OP_DOUBLE,   /* a double, rounded where the field says so */
	OP_STRING,   /* a char *, or its fallback */
	OP_CHARS,    /* a char array */
	OP_ENUM,     /* an int, as its name */
	OP_DERIVED,  /* lactd_field_derive, without a GVariant */
	OP_VARIANT,  /* lactd_field_get: computed fields and rare types */
} Op;

typedef struct {
	const LactdField *field;
	Op op;
	gsize size;	 /* the element's size, or 0 for strings */
	gboolean sent_always; /* a derived value is sent even when unmeasured */
	/* Fixed-size elements end to end; or, for strings ("as"), each row's
	 * string with its NUL, end to end, and in `ends` where each ends
	 * (gsize each). Copied, so that a record need not outlive its row. */
	Buf values;
	Buf ends;
	gboolean has_present;
	Buf present; /* one byte a record, when has_present */
	guint n_names; /* OP_ENUM: how many names */
} Column;

struct _LactdColumns {
	const LactdRecord *rec;
	Column *cols;
	guint n_cols;
};

gboolean
lactd_columns_has(const LactdField *f)
{
	return f->dbus_key != NULL && f->words == NULL;
}

gboolean
lactd_columns_may_be_absent(const LactdField *f)
{
	return f->compute != NULL || (f->flags & LACTD_FIELD_NAN_ABSENT) ||
	       (f->present != NULL && !(f->flags & LACTD_FIELD_DBUS_ALWAYS));
}

static Op
column_op(const LactdField *f)
{
	if (f->derive != NULL)
		return OP_DERIVED;
	if (f->compute != NULL || f->type == LACTD_FIELD_HHMM)
		return OP_VARIANT;
	switch (f->type) {
	case LACTD_FIELD_UINT64:
	case LACTD_FIELD_INT64:
	case LACTD_FIELD_UINT32:
		return OP_COPY;
	case LACTD_FIELD_BOOLEAN:
		return OP_BOOLEAN;
	case LACTD_FIELD_DOUBLE:
		return OP_DOUBLE;
	case LACTD_FIELD_STRING:
		return OP_STRING;
	case LACTD_FIELD_CHARS:
		return OP_CHARS;
	case LACTD_FIELD_ENUM:
		return OP_ENUM;
	default:
		return OP_VARIANT;
	}
}

static void
column_init(Column *c, const LactdField *f, guint n)
{
	c->field = f;
	c->op = column_op(f);
	c->size = lactd_columns_element_size(f->type);
	c->sent_always = f->present == NULL || (f->flags & LACTD_FIELD_DBUS_ALWAYS);
	c->has_present = lactd_columns_may_be_absent(f);
	/* Three buffers of this field's column, told apart from every other
	 * column's by addresses inside its field. */
	c->values.tag = (const guint8 *)f;
	c->ends.tag = (const guint8 *)f + 1;
	c->present.tag = (const guint8 *)f + 2;
	/* Never a NULL buffer, even for no rows: GBytes and GVariant take it. */
	buf_reserve(&c->values, n * (c->size > 0 ? c->size : 8));
	if (c->size == 0)
		buf_reserve(&c->ends, n * sizeof(gsize));
	if (c->has_present)
		buf_reserve(&c->present, n);
	if (f->type == LACTD_FIELD_ENUM)
		c->n_names = g_strv_length((GStrv)f->values);
}

/* The row's string is complete in `values`. */
static inline void
blob_end(Column *c)
{
	gsize end = c->values.len;

	memcpy(buf_add(&c->ends, sizeof(gsize)), &end, sizeof(gsize));
}

static inline void
text_append(Column *c, const char *text)
{
	gsize n = strlen(text) + 1;

	memcpy(buf_add(&c->values, n), text, n);
	blob_end(c);
}

/* A number or a boolean appended to its column: the union's first bytes
 * are the value, in the column's width (a GVariant boolean is one byte). */
static inline void
append_value(Column *c, LactdFieldType type, const LactdFieldValue *v)
{
	if (type == LACTD_FIELD_BOOLEAN)
		buf_byte(&c->values, v->b ? 1 : 0);
	else
		memcpy(buf_add(&c->values, c->size), v, c->size);
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
 * need no alignment ("as"): the elements end to end, then where each
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

/* Writes the framing offsets of the @n elements ending at @ends, whose
 * bytes end at @body in @out, after them, in @width bytes each. */
static void
put_frames(guint8 *out, gsize body, const gsize *ends, gsize n, gsize width)
{
	for (gsize i = 0; i < n; i++)
		for (gsize b = 0; b < width; b++)
			out[body + i * width + b] = (guint8)(ends[i] >> (8 * b));
}

/* The general way, through the field's D-Bus value: computed fields and
 * rare types. */
static void
append_variant(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;
	g_autoptr(GVariant) v = lactd_field_get(f, record);

	if (v != NULL)
		g_variant_ref_sink(v);
	if (c->has_present)
		buf_byte(&c->present, v != NULL);
	if (c->size > 0)
		append_fixed(c, f->type, v);
	else
		text_append(c, v != NULL ? g_variant_get_string(v, NULL) : "");
}

/* A derived field, in its type without a GVariant: the five derived fields
 * of a session are most of the work of its columns. */
static void
append_derived(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;
	/* As in the a{sv}: a value not measured is still sent where the
	 * field says so (a session's total_ml). */
	gboolean sent = c->sent_always || f->present(record);
	LactdFieldValue v = {0};

	if (c->has_present)
		buf_byte(&c->present, sent);
	if (sent)
		lactd_field_derive(f, record, &v);
	append_value(c, f->type, &v);
}

/* A stored field, read at its offset as lactd-record.c's a{sv} does,
 * without a GVariant. */
static inline void
append(Column *c, gconstpointer record)
{
	const LactdField *f = c->field;

	switch (c->op) {
	case OP_DERIVED:
		append_derived(c, record);
		return;
	case OP_VARIANT:
		append_variant(c, record);
		return;
	default:
		break;
	}
	if (c->has_present) {
		gboolean present = f->present == NULL || f->present(record);

		buf_byte(&c->present, present);
		if (!present) {
			if (c->size > 0)
				memset(buf_add(&c->values, c->size), 0, c->size);
			else
				text_append(c, "");
			return;
		}
	}
	switch (c->op) {
	case OP_COPY:
		memcpy(buf_add(&c->values, c->size), AT(record, f, const guint8), c->size);
		break;
	case OP_BOOLEAN:
		buf_byte(&c->values, *AT(record, f, const gboolean) ? 1 : 0);
		break;
	case OP_DOUBLE: {
		double d = *AT(record, f, const double);
		if (f->flags & LACTD_FIELD_ROUND)
			d = lactd_round_ml(d);
		memcpy(buf_add(&c->values, sizeof(d)), &d, sizeof(d));
		break;
	}
	case OP_STRING: {
		const char *s = *AT(record, f, char *const);
		text_append(c, s != NULL ? s : f->fallback != NULL ? f->fallback : "");
		break;
	}
	case OP_CHARS:
		text_append(c, AT(record, f, const char));
		break;
	case OP_ENUM: {
		guint v = (guint)*AT(record, f, const int);
		text_append(c, v < c->n_names ? f->values[v] : "unknown");
		break;
	}
	default:
		g_assert_not_reached();
	}
}

/* A column's buffer, held by its GVariant until the reply is done. */
static void
give_back(gpointer data)
{
	Buf *b = data;

	buf_clear(b);
	g_free(b);
}

/* A buffer's bytes as a GVariant of @type, taken without a copy; the
 * buffer is given back when the GVariant is freed. */
static GVariant *
take_variant(const GVariantType *type, Buf *b)
{
	Buf *held = g_memdup2(b, sizeof(*b));
	g_autoptr(GBytes) bytes = g_bytes_new_with_free_func(held->data, held->len, give_back, held);

	b->data = NULL;
	b->len = b->cap = 0;
	return g_variant_new_from_bytes(type, bytes, TRUE);
}

/* The column's strings as one "as": the strings as they are, then where
 * each ends (see lactd_columns_frame_width), appended in place. */
static GVariant *
strings_variant(Column *c)
{
	gsize body = c->values.len, n = c->ends.len / sizeof(gsize), total;
	gsize width = lactd_columns_frame_width(body, n, &total);

	buf_add(&c->values, total - body);
	put_frames(c->values.data, body, (const gsize *)(void *)c->ends.data, n, width);
	buf_clear(&c->ends);
	return take_variant(G_VARIANT_TYPE_STRING_ARRAY, &c->values);
}

/* The column's GVariants added to @b; its buffers are taken by them. */
static void
column_finish(Column *c, GVariantBuilder *b)
{
	const LactdField *f = c->field;

	if (c->size > 0) {
		g_autoptr(GVariantType) type = g_variant_type_new_array(lactd_field_type(f));
		g_variant_builder_add(b, "{sv}", f->dbus_key, take_variant(type, &c->values));
	} else {
		g_variant_builder_add(b, "{sv}", f->dbus_key, strings_variant(c));
	}
	if (c->has_present) {
		g_autofree char *key = g_strconcat(f->dbus_key, LACTD_COLUMNS_PRESENT_SUFFIX, NULL);
		g_variant_builder_add(b, "{sv}", key,
				      take_variant(G_VARIANT_TYPE("ab"), &c->present));
	}
}

static void
column_clear(Column *c)
{
	buf_clear(&c->values);
	buf_clear(&c->ends);
	buf_clear(&c->present);
}

LactdColumns *
lactd_columns_begin(const LactdRecord *rec, guint n_hint)
{
	LactdColumns *cols = g_new0(LactdColumns, 1);

	cols->rec = rec;
	cols->cols = g_new0(Column, rec->n_fields);
	for (guint i = 0; i < rec->n_fields; i++) {
		if (lactd_columns_has(&rec->fields[i]))
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
