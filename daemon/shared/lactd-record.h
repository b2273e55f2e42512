/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Field tables: each record type describes its fields once, as data (name,
 * type, unit, D-Bus key, JSON key, CSV column, SQL column, where it sits in
 * the struct, and when it is absent). Generic code derives every outside
 * form from the table: the a{sv} of the D-Bus replies and their parsing,
 * JSON, CSV, and the store's column lists.
 *
 * Adding a field to a record is one line in its table (lactd-model.c), for
 * example a session's temperature:
 *
 *	{"temperature", LACTD_FIELD_DOUBLE, "°C", "temperature_c", "temperature_c",
 *	 "temperature_c", "temperature_c", OFF(temperature_c), .present = measured_temp},
 *
 * plus the struct member and the store's migration that adds the column.
 */
#pragma once

#include <gio/gio.h>

/* json-glib's types, so that users of the model need not its flags. */
typedef struct _JsonBuilder JsonBuilder;
typedef struct _JsonNode JsonNode;

G_BEGIN_DECLS

typedef enum {
	LACTD_FIELD_UINT64,  /* guint64, 't' */
	LACTD_FIELD_INT64,   /* gint64, 'x' */
	LACTD_FIELD_UINT32,  /* guint / guint32, 'u' */
	LACTD_FIELD_BOOLEAN, /* gboolean, 'b' */
	LACTD_FIELD_DOUBLE,  /* double, 'd' */
	LACTD_FIELD_STRING,  /* char *, 's'; NULL is the field's `fallback` */
	LACTD_FIELD_CHARS,   /* char[size] inside the struct, 's' */
	LACTD_FIELD_ENUM,    /* an int enum, 's' outside: `values` names each value */
	LACTD_FIELD_HHMM,    /* guint minutes after local midnight, 's' "HH:MM" */
	LACTD_FIELD_STRV,    /* derived only ('as'), from `words` */
} LactdFieldType;

typedef enum {
	LACTD_FIELD_NONE = 0,
	/* Volumes and weights at the API's 0.1 resolution. */
	LACTD_FIELD_ROUND = 1 << 0,
	/* A client may set it (AddSession, UpdateSession, SetPlan). */
	LACTD_FIELD_SETTABLE = 1 << 1,
	/* On D-Bus even when `present` says it was not measured (a session's
	 * left_ml: left_measured says whether it means anything); JSON and CSV
	 * still leave it out. */
	LACTD_FIELD_DBUS_ALWAYS = 1 << 2,
	/* Text a person or a device wrote: CSV guards it against formulas. */
	LACTD_FIELD_TEXT = 1 << 3,
	/* 0, a CHARS "" or a STRING never set (NULL) means "none": null in
	 * JSON, an empty CSV cell (D-Bus keeps the 0 or ""). */
	LACTD_FIELD_ZERO_NONE = 1 << 4,
	/* JSON leaves the member out when absent, instead of null (what only
	 * some kinds of record have, such as a supplement's milk). */
	LACTD_FIELD_JSON_OMIT = 1 << 5,
	/* A DOUBLE that holds NAN was not measured (or cannot be worked out
	 * yet): absent on D-Bus, null in JSON, an empty CSV cell. Never 0. */
	LACTD_FIELD_NAN_ABSENT = 1 << 6,
} LactdFieldFlags;

typedef struct _LactdField LactdField;

/* A derived value in its field's type, without a GVariant: what the bulk
 * columns and the store read for every row. A STRV holds at most four
 * static strings. */
typedef union {
	guint64 u64;
	gint64 i64;
	guint32 u32;
	gboolean b;
	double d;
	struct {
		const char *v[4];
		guint n;
	} strv;
} LactdFieldValue;

struct _LactdField {
	const char *name; /* the struct member it describes */
	LactdFieldType type;
	const char *unit;	/* "mL", "g", "s", "min", "us"; NULL when none */
	const char *dbus_key;	/* NULL: not in the a{sv} */
	const char *json_key;	/* NULL: not in JSON */
	const char *csv_column; /* NULL: not in CSV */
	const char *sql_column; /* NULL: not a column of its own in the store */
	gsize offset;		/* into the struct; unused when `compute` is set */
	gsize size;		/* LACTD_FIELD_CHARS: the array's size */
	LactdFieldFlags flags;
	/* LACTD_FIELD_ENUM: the names, by value; LACTD_FIELD_STRING: the values
	 * a client may set (any when NULL). NULL-terminated. */
	const char *const *values;
	/* LACTD_FIELD_STRING: what NULL stands for (default ""). */
	const char *fallback;
	/* FALSE: not measured or not applicable, so absent (NULL: always). */
	gboolean (*present)(gconstpointer record);
	/* A value derived from others instead of read at `offset` (NULL: none,
	 * as when absent). */
	GVariant *(*compute)(gconstpointer record);
	/* The same for a number, a boolean or a short list, written in the
	 * field's type (a field has `compute` or `derive`, not both). */
	void (*derive)(gconstpointer record, LactdFieldValue *out);
	/* LACTD_FIELD_STRV: what the list says, as pairs of a word and the D-Bus
	 * key that says it, then NULL. A word is listed when its key is in the
	 * record's a{sv} and, for a boolean, TRUE (lactd_record_words). So the
	 * list repeats what other keys say: the columnar replies leave it out,
	 * and a client rebuilding a dictionary lists the words again from
	 * those keys' columns. */
	const char *const *words;
	/* Runs on a client's value before it is stored: range checks, and the
	 * flags that go with it (a side given is a side measured). */
	gboolean (*check)(gpointer record, const char *key, GVariant *value, GError **error);
};

typedef struct {
	const char *name; /* "session", for messages */
	const LactdField *fields;
	guint n_fields;
} LactdRecord;

/* The D-Bus type of a field's value. */
const GVariantType *lactd_field_type(const LactdField *field);
/* The field's value as on D-Bus (a new floating reference), or NULL when it
 * is absent and has no LACTD_FIELD_DBUS_ALWAYS. */
GVariant *lactd_field_get(const LactdField *field, gconstpointer record);
/* The field's value as JSON and CSV show it (a new reference), or NULL when
 * it is absent or means "none" (see LACTD_FIELD_ZERO_NONE). */
GVariant *lactd_field_shown(const LactdField *field, gconstpointer record);
/* Whether the field is derived from others (`compute` or `derive`). */
gboolean lactd_field_is_derived(const LactdField *field);
/* A `derive` field's value, rounded as its flags say. */
void lactd_field_derive(const LactdField *field, gconstpointer record, LactdFieldValue *out);
/* The value of a list of @words (a LACTD_FIELD_STRV's `words`) for
 * @record; @said holds the field of each word's key, looked up once by the
 * caller (a list is derived for every row of a listing or an export). */
void lactd_record_words(const char *const *words, const LactdField *const *said,
			gconstpointer record, LactdFieldValue *out);
/* The field named `name`, or NULL. */
const LactdField *lactd_record_field(const LactdRecord *rec, const char *name);
/* The field whose D-Bus key is `key`, or NULL. */
const LactdField *lactd_record_lookup(const LactdRecord *rec, const char *key);

/* For the tables whose STRING fields own their strings (a session, a
 * weighing, a recording's header), so that a field added to the table is
 * freed and copied with no more lines: frees each STRING field and the
 * record (NULL is nothing to free). */
void lactd_record_free(const LactdRecord *rec, gpointer record);
/* The same for a record inside another struct: frees each STRING field and
 * sets it to NULL, leaving the record itself. */
void lactd_record_clear(const LactdRecord *rec, gpointer record);
/* A copy of the @size bytes of @record with each STRING field copied. */
gpointer lactd_record_copy(const LactdRecord *rec, gconstpointer record, gsize size);

/* Adds each present field to an a{sv} builder (so that a caller may add
 * more, such as a session's samples). */
void lactd_record_add_to_builder(const LactdRecord *rec, gconstpointer record,
				 GVariantBuilder *builder);
/* The a{sv} of a record: a floating reference. */
GVariant *lactd_record_to_variant(const LactdRecord *rec, gconstpointer record);
/* The record's fields in table order as one tuple, such as a sample's (xdd). */
GVariant *lactd_record_to_tuple(const LactdRecord *rec, gconstpointer record);
/* Applies a client's a{sv} to *record: an unknown key, a key the daemon sets
 * or a value of the wrong type is LACTD_ERROR_INVALID_ARGS naming the key.
 * Fields are written as they come; callers work on a copy. */
gboolean lactd_record_from_variant(const LactdRecord *rec, gpointer record, GVariant *dict,
				   GError **error);

/* Adds the record's JSON members to an open object (a value not measured is
 * null, never 0). */
void lactd_record_add_json_members(const LactdRecord *rec, gconstpointer record,
				   JsonBuilder *builder);
/* The record as one JSON object. */
JsonNode *lactd_record_to_json(const LactdRecord *rec, gconstpointer record);

/* CSV: the column names, and one record's cells as text (unquoted; a value
 * not measured is an empty cell). Both NULL-terminated, in the same order. */
GStrv lactd_record_csv_header(const LactdRecord *rec);
GStrv lactd_record_csv_row(const LactdRecord *rec, gconstpointer record);
/* Whether the CSV column at `index` holds text someone wrote. */
gboolean lactd_record_csv_is_text(const LactdRecord *rec, guint index);

/* The store's columns in table order, "id, kind, ...": for SELECT and
 * INSERT. n_columns (may be NULL) is how many. */
char *lactd_record_sql_columns(const LactdRecord *rec, guint *n_columns);
/* The field stored in `column`, or NULL. */
const LactdField *lactd_record_sql_field(const LactdRecord *rec, const char *column);

G_END_DECLS
