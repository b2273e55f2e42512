/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The generic half of the field tables (lactd-record.h): a{sv}, tuples,
 * JSON, CSV and SQL column lists, each written once for every record.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-record.h"
#include "lactd-util.h"

#define AT(record, field, type) ((type *)(void *)((guint8 *)(record) + (field)->offset))

static const char *const type_strings[] = {
    [LACTD_FIELD_UINT64] = "t", [LACTD_FIELD_INT64] = "x",  [LACTD_FIELD_UINT32] = "u",
    [LACTD_FIELD_BOOLEAN] = "b", [LACTD_FIELD_DOUBLE] = "d", [LACTD_FIELD_STRING] = "s",
    [LACTD_FIELD_CHARS] = "s",	 [LACTD_FIELD_ENUM] = "s",   [LACTD_FIELD_HHMM] = "s",
    [LACTD_FIELD_STRV] = "as",
};

const GVariantType *
lactd_field_type(const LactdField *field)
{
	return G_VARIANT_TYPE(type_strings[field->type]);
}

static gboolean
is_present(const LactdField *field, gconstpointer record)
{
	if ((field->flags & LACTD_FIELD_NAN_ABSENT) && field->type == LACTD_FIELD_DOUBLE &&
	    !lactd_field_is_derived(field) && isnan(*AT(record, field, const double)))
		return FALSE;
	return field->present == NULL || field->present(record);
}

gboolean
lactd_field_is_derived(const LactdField *field)
{
	return field->compute != NULL || field->derive != NULL;
}

void
lactd_field_derive(const LactdField *field, gconstpointer record, LactdFieldValue *out)
{
	field->derive(record, out);
	if (field->type == LACTD_FIELD_DOUBLE && (field->flags & LACTD_FIELD_ROUND))
		out->d = lactd_round_ml(out->d);
}

static GVariant *
derived_value(const LactdField *field, gconstpointer record)
{
	LactdFieldValue v;

	lactd_field_derive(field, record, &v);
	switch (field->type) {
	case LACTD_FIELD_UINT64:
		return g_variant_new_uint64(v.u64);
	case LACTD_FIELD_INT64:
		return g_variant_new_int64(v.i64);
	case LACTD_FIELD_UINT32:
		return g_variant_new_uint32(v.u32);
	case LACTD_FIELD_BOOLEAN:
		return g_variant_new_boolean(v.b);
	case LACTD_FIELD_DOUBLE:
		return g_variant_new_double(v.d);
	case LACTD_FIELD_STRV:
		return g_variant_new_strv(v.strv.v, v.strv.n);
	default:
		g_return_val_if_reached(NULL);
	}
}

static GVariant *
value_of(const LactdField *field, gconstpointer record)
{
	if (field->derive != NULL)
		return derived_value(field, record);
	if (field->compute != NULL) {
		GVariant *v = field->compute(record);
		if (v != NULL && field->type == LACTD_FIELD_DOUBLE &&
		    (field->flags & LACTD_FIELD_ROUND)) {
			double d = g_variant_get_double(g_variant_ref_sink(v));
			g_variant_unref(v);
			v = g_variant_new_double(lactd_round_ml(d));
		}
		return v;
	}
	switch (field->type) {
	case LACTD_FIELD_UINT64:
		return g_variant_new_uint64(*AT(record, field, const guint64));
	case LACTD_FIELD_INT64:
		return g_variant_new_int64(*AT(record, field, const gint64));
	case LACTD_FIELD_UINT32:
		return g_variant_new_uint32(*AT(record, field, const guint32));
	case LACTD_FIELD_BOOLEAN:
		return g_variant_new_boolean(*AT(record, field, const gboolean));
	case LACTD_FIELD_DOUBLE: {
		double v = *AT(record, field, const double);
		return g_variant_new_double((field->flags & LACTD_FIELD_ROUND) ? lactd_round_ml(v)
									       : v);
	}
	case LACTD_FIELD_STRING: {
		const char *s = *AT(record, field, char *const);
		return g_variant_new_string(s != NULL	       ? s
					    : field->fallback != NULL ? field->fallback
								      : "");
	}
	case LACTD_FIELD_CHARS:
		return g_variant_new_string(AT(record, field, const char));
	case LACTD_FIELD_ENUM: {
		guint v = (guint)*AT(record, field, const int);
		return g_variant_new_string(v < g_strv_length((GStrv)field->values)
						? field->values[v]
						: "unknown");
	}
	case LACTD_FIELD_HHMM: {
		guint m = *AT(record, field, const guint);
		g_autofree char *text = g_strdup_printf("%02u:%02u", m / 60, m % 60);
		return g_variant_new_string(text);
	}
	case LACTD_FIELD_STRV:
		break;
	}
	g_return_val_if_reached(NULL);
}

GVariant *
lactd_field_get(const LactdField *field, gconstpointer record)
{
	if (!is_present(field, record) && !(field->flags & LACTD_FIELD_DBUS_ALWAYS))
		return NULL;
	return value_of(field, record);
}

void
lactd_record_words(const char *const *words, const LactdField *const *said,
		   gconstpointer record, LactdFieldValue *out)
{
	out->strv.n = 0;
	for (guint k = 0; words[2 * k] != NULL; k++) {
		const LactdField *f = said[k];
		gboolean says = is_present(f, record);

		if (says && f->type == LACTD_FIELD_BOOLEAN) {
			LactdFieldValue v;

			if (f->derive != NULL)
				lactd_field_derive(f, record, &v);
			else
				v.b = *AT(record, f, const gboolean);
			says = v.b;
		}
		if (says) {
			g_assert(out->strv.n < G_N_ELEMENTS(out->strv.v));
			out->strv.v[out->strv.n++] = words[2 * k];
		}
	}
}

/* The field whose name at `member` (name, dbus_key, ...) is `value`. */
static const LactdField *
find(const LactdRecord *rec, gsize member, const char *value)
{
	if (value == NULL)
		return NULL;
	for (guint i = 0; i < rec->n_fields; i++) {
		if (g_strcmp0(G_STRUCT_MEMBER(const char *, &rec->fields[i], member), value) == 0)
			return &rec->fields[i];
	}
	return NULL;
}

const LactdField *
lactd_record_field(const LactdRecord *rec, const char *name)
{
	return find(rec, G_STRUCT_OFFSET(LactdField, name), name);
}

const LactdField *
lactd_record_lookup(const LactdRecord *rec, const char *key)
{
	return find(rec, G_STRUCT_OFFSET(LactdField, dbus_key), key);
}

/* Where a STRING field that the struct holds keeps its text, or NULL. */
static char **
owned_string(const LactdField *f, gpointer record)
{
	if (f->type != LACTD_FIELD_STRING || lactd_field_is_derived(f))
		return NULL;
	return AT(record, f, char *);
}

void
lactd_record_clear(const LactdRecord *rec, gpointer record)
{
	for (guint i = 0; i < rec->n_fields; i++) {
		char **text = owned_string(&rec->fields[i], record);
		if (text != NULL)
			g_clear_pointer(text, g_free);
	}
}

void
lactd_record_free(const LactdRecord *rec, gpointer record)
{
	if (record == NULL)
		return;
	lactd_record_clear(rec, record);
	g_free(record);
}

gpointer
lactd_record_copy(const LactdRecord *rec, gconstpointer record, gsize size)
{
	gpointer copy = g_memdup2(record, size);

	for (guint i = 0; i < rec->n_fields; i++) {
		char **text = owned_string(&rec->fields[i], copy);
		if (text != NULL)
			*text = g_strdup(*text);
	}
	return copy;
}

void
lactd_record_add_to_builder(const LactdRecord *rec, gconstpointer record, GVariantBuilder *b)
{
	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];
		GVariant *v;

		if (f->dbus_key == NULL || (v = lactd_field_get(f, record)) == NULL)
			continue;
		g_variant_builder_add(b, "{sv}", f->dbus_key, v);
	}
}

GVariant *
lactd_record_to_variant(const LactdRecord *rec, gconstpointer record)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	lactd_record_add_to_builder(rec, record, &b);
	return g_variant_builder_end(&b);
}

GVariant *
lactd_record_to_tuple(const LactdRecord *rec, gconstpointer record)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_TUPLE);
	for (guint i = 0; i < rec->n_fields; i++)
		g_variant_builder_add_value(&b, value_of(&rec->fields[i], record));
	return g_variant_builder_end(&b);
}

/* "unknown kind 'x' (pump, hand, nursing or supplement)" */
static gboolean
not_one_of(GError **error, const LactdField *f, const char *value)
{
	g_autoptr(GString) list = g_string_new(NULL);
	guint n = g_strv_length((GStrv)f->values);

	for (guint i = 0; i < n; i++) {
		if (i > 0)
			g_string_append(list, i + 1 == n ? " or " : ", ");
		g_string_append(list, f->values[i]);
	}
	return lactd_error_invalid_args(error, "%s: unknown %s '%s' (%s)", f->dbus_key, f->dbus_key,
					value, list->str);
}

static gboolean
set_string(const LactdField *f, gpointer record, const char *value, GError **error)
{
	switch (f->type) {
	case LACTD_FIELD_STRING:
		if (f->values != NULL && !g_strv_contains(f->values, value))
			return not_one_of(error, f, value);
		g_free(*AT(record, f, char *));
		*AT(record, f, char *) = g_strdup(value);
		return TRUE;
	case LACTD_FIELD_CHARS:
		if (strlen(value) >= f->size)
			return lactd_error_invalid_args(error, "%s: too long", f->dbus_key);
		g_strlcpy(AT(record, f, char), value, f->size);
		return TRUE;
	case LACTD_FIELD_ENUM:
		for (guint i = 0; f->values[i] != NULL; i++) {
			if (g_str_equal(f->values[i], value)) {
				*AT(record, f, int) = (int)i;
				return TRUE;
			}
		}
		return not_one_of(error, f, value);
	case LACTD_FIELD_HHMM:
		if (!lactd_parse_hhmm(value, AT(record, f, guint)))
			return lactd_error_invalid_args(error, "%s: expected a local time HH:MM",
							f->dbus_key);
		return TRUE;
	default:
		g_return_val_if_reached(FALSE);
	}
}

static gboolean
set_field(const LactdField *f, gpointer record, GVariant *value, GError **error)
{
	switch (f->type) {
	case LACTD_FIELD_UINT64:
		*AT(record, f, guint64) = g_variant_get_uint64(value);
		return TRUE;
	case LACTD_FIELD_INT64:
		*AT(record, f, gint64) = g_variant_get_int64(value);
		return TRUE;
	case LACTD_FIELD_UINT32:
		*AT(record, f, guint32) = g_variant_get_uint32(value);
		return TRUE;
	case LACTD_FIELD_BOOLEAN:
		*AT(record, f, gboolean) = g_variant_get_boolean(value);
		return TRUE;
	case LACTD_FIELD_DOUBLE:
		*AT(record, f, double) = g_variant_get_double(value);
		return TRUE;
	case LACTD_FIELD_STRV:
		return lactd_error_invalid_args(error, "%s: set by the daemon, not by clients",
						f->dbus_key);
	default:
		return set_string(f, record, g_variant_get_string(value, NULL), error);
	}
}

gboolean
lactd_record_from_variant(const LactdRecord *rec, gpointer record, GVariant *dict,
			  GError **error)
{
	GVariantIter iter;
	const char *key;
	GVariant *value_raw;

	if (!g_variant_is_of_type(dict, G_VARIANT_TYPE_VARDICT)) {
		return lactd_error_invalid_args(error, "%s: expected a dictionary a{sv}",
						rec->name);
	}
	/* iter_next with a scoped reference: an early return must not leak. */
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value_raw)) {
		g_autoptr(GVariant) value = value_raw;
		const LactdField *f = lactd_record_lookup(rec, key);

		if (f == NULL)
			return lactd_error_invalid_args(error, "%s: unknown key", key);
		if (!(f->flags & LACTD_FIELD_SETTABLE))
			return lactd_error_invalid_args(
				error, "%s: set by the daemon, not by clients", key);
		if (!g_variant_is_of_type(value, lactd_field_type(f))) {
			return lactd_error_invalid_args(error, "%s: expected type '%s', got '%s'",
							key, type_strings[f->type],
							g_variant_get_type_string(value));
		}
		if (f->check != NULL && !f->check(record, key, value, error))
			return FALSE;
		if (!set_field(f, record, value, error))
			return FALSE;
	}
	return TRUE;
}

GVariant *
lactd_field_shown(const LactdField *f, gconstpointer record)
{
	g_autoptr(GVariant) v = NULL;

	if (!is_present(f, record))
		return NULL;
	/* A string never set is none; one set to "" is text, if empty. */
	if ((f->flags & LACTD_FIELD_ZERO_NONE) && f->type == LACTD_FIELD_STRING &&
	    !lactd_field_is_derived(f) && *AT(record, f, char *const) == NULL)
		return NULL;
	if ((v = value_of(f, record)) == NULL)
		return NULL;
	g_variant_ref_sink(v);
	if ((f->flags & LACTD_FIELD_ZERO_NONE) &&
	    ((f->type == LACTD_FIELD_UINT64 && g_variant_get_uint64(v) == 0) ||
	     (f->type == LACTD_FIELD_UINT32 && g_variant_get_uint32(v) == 0) ||
	     (f->type == LACTD_FIELD_CHARS && g_variant_get_string(v, NULL)[0] == '\0')))
		return NULL;
	if (f->type == LACTD_FIELD_DOUBLE && !isfinite(g_variant_get_double(v)))
		return NULL;
	return g_steal_pointer(&v);
}

void
lactd_record_add_json_members(const LactdRecord *rec, gconstpointer record, JsonBuilder *b)
{
	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];
		g_autoptr(GVariant) v = NULL;

		if (f->json_key == NULL)
			continue;
		if ((f->flags & LACTD_FIELD_JSON_OMIT) && !is_present(f, record))
			continue;
		v = lactd_field_shown(f, record);
		json_builder_set_member_name(b, f->json_key);
		if (v == NULL) {
			json_builder_add_null_value(b);
		} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) &&
			   !g_utf8_validate(g_variant_get_string(v, NULL), -1, NULL)) {
			/* json-glib needs UTF-8: a stray byte becomes U+FFFD. */
			g_autofree char *valid =
			    g_utf8_make_valid(g_variant_get_string(v, NULL), -1);
			json_builder_add_string_value(b, valid);
		} else {
			json_builder_add_value(b, json_gvariant_serialize(v));
		}
	}
}

JsonNode *
lactd_record_to_json(const LactdRecord *rec, gconstpointer record)
{
	g_autoptr(JsonBuilder) b = json_builder_new();

	json_builder_begin_object(b);
	lactd_record_add_json_members(rec, record, b);
	json_builder_end_object(b);
	return json_builder_get_root(b);
}

GStrv
lactd_record_csv_header(const LactdRecord *rec)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].csv_column != NULL)
			g_ptr_array_add(out, g_strdup(rec->fields[i].csv_column));
	}
	g_ptr_array_add(out, NULL);
	return (GStrv)g_ptr_array_free(out, FALSE);
}

static char *
csv_cell(const LactdField *f, gconstpointer record)
{
	g_autoptr(GVariant) v = lactd_field_shown(f, record);
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (v == NULL)
		return g_strdup("");
	switch (f->type) {
	case LACTD_FIELD_UINT64:
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_variant_get_uint64(v));
	case LACTD_FIELD_INT64:
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(v));
	case LACTD_FIELD_UINT32:
		return g_strdup_printf("%u", g_variant_get_uint32(v));
	case LACTD_FIELD_BOOLEAN:
		return g_strdup(g_variant_get_boolean(v) ? "yes" : "no");
	case LACTD_FIELD_DOUBLE: {
		double d = g_variant_get_double(v);
		if (d == 0)
			d = 0; /* no "-0.0" */
		/* One decimal, whatever the locale. */
		return g_strdup(g_ascii_formatd(buf, sizeof(buf),
						(f->flags & LACTD_FIELD_ROUND) ? "%.1f" : "%g", d));
	}
	case LACTD_FIELD_STRV: {
		g_autofree const char **strv = g_variant_get_strv(v, NULL);
		return g_strjoinv(" ", (GStrv)strv);
	}
	default:
		return g_variant_dup_string(v, NULL);
	}
}

GStrv
lactd_record_csv_row(const LactdRecord *rec, gconstpointer record)
{
	GPtrArray *out = g_ptr_array_new();

	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].csv_column != NULL)
			g_ptr_array_add(out, csv_cell(&rec->fields[i], record));
	}
	g_ptr_array_add(out, NULL);
	return (GStrv)g_ptr_array_free(out, FALSE);
}

gboolean
lactd_record_csv_is_text(const LactdRecord *rec, guint index)
{
	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].csv_column == NULL)
			continue;
		if (index-- == 0)
			return (rec->fields[i].flags & LACTD_FIELD_TEXT) != 0;
	}
	return FALSE;
}

char *
lactd_record_sql_columns(const LactdRecord *rec, guint *n_columns)
{
	g_autoptr(GString) out = g_string_new(NULL);
	guint n = 0;

	for (guint i = 0; i < rec->n_fields; i++) {
		if (rec->fields[i].sql_column == NULL)
			continue;
		if (n++ > 0)
			g_string_append(out, ", ");
		g_string_append(out, rec->fields[i].sql_column);
	}
	if (n_columns != NULL)
		*n_columns = n;
	return g_string_free(g_steal_pointer(&out), FALSE);
}

const LactdField *
lactd_record_sql_field(const LactdRecord *rec, const char *column)
{
	return find(rec, G_STRUCT_OFFSET(LactdField, sql_column), column);
}
