/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records listed in bulk: Manager1.ListSessionsFd and GetDailySummaryFd pass
 * a sealed memfd holding one typed array per key (ListSessionsColumns sends
 * the same arrays in the reply), which costs nothing per record on the bus;
 * this file reads them, untrusted, and turns them back into the
 * dictionaries every command reads. The columns are those of the record's
 * field table, the table lactd builds them from.
 */
#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lactctl-list.h"
#include "lactd-session-columns.h"

typedef struct Column Column;

struct Column {
	const LactdField *field;
	GVariant *value;
	gconstpointer data;    /* fixed-size elements, or NULL */
	const char **strv;     /* strings, or NULL */
	const guint8 *present; /* NULL: always present */
	/* A list of words (LactdField.words) has no column of its own: for
	 * each word, the column of the key that says it. */
	const Column *said[4];
	guint n_said;
};

static void
column_clear(Column *c)
{
	g_free(c->strv);
	g_clear_pointer(&c->value, g_variant_unref);
}

static gboolean
damaged(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
damaged(GError **error, const char *format, ...)
{
	va_list ap;
	g_autofree char *text = NULL;

	va_start(ap, format);
	text = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "lactd's bulk reply: %s", text);
	return FALSE;
}

static gsize
read_le(const guint8 *p, gsize width)
{
	gsize v = 0;

	for (gsize b = 0; b < width; b++)
		v |= (gsize)p[b] << (8 * b);
	return v;
}

/*
 * GVariant's framing of an array of variable-size elements that need no
 * alignment ("as"): the elements end to end, then a table of where
 * each ends, little-endian, in the width the whole size calls for. Checked
 * as GVariant's normal form is: the table inside the data, every end after
 * the one before and the last one where the table starts.
 */
static gboolean
framing(const guint8 *data, gsize size, gsize *table, gsize *count, gsize *width)
{
	*table = *count = *width = 0;
	if (size == 0)
		return TRUE;
	*width = size > G_MAXUINT32 ? 8 : size > G_MAXUINT16 ? 4 : size > G_MAXUINT8 ? 2 : 1;
	*table = read_le(data + size - *width, *width);
	if (*table > size - *width || (size - *table) % *width != 0)
		return FALSE;
	*count = (size - *table) / *width;
	return *count > 0 || *table == 0;
}

/* A string of @len bytes then its NUL: UTF-8 with no NUL inside. Most are
 * ASCII, checked in one loop without GLib's decoder. */
static gboolean
text_ok(const guint8 *p, gsize len)
{
	gsize i = 0;

	while (i < len && p[i] != 0 && p[i] < 0x80)
		i++;
	return p[len] == '\0' && (i == len || g_utf8_validate_len((const char *)p, len, NULL));
}

/* The strings of an "as" in @data: @out gets each (may be NULL to check
 * only). FALSE when it is not in normal form. */
static gboolean
strings_check(const guint8 *data, gsize size, const char **out, gsize *n)
{
	gsize table, count, width, start = 0;

	if (!framing(data, size, &table, &count, &width))
		return FALSE;
	for (gsize i = 0; i < count; i++) {
		gsize end = read_le(data + table + i * width, width);
		if (end <= start || end > table || !text_ok(data + start, end - start - 1))
			return FALSE;
		if (out != NULL)
			out[i] = (const char *)data + start;
		start = end;
	}
	*n = count;
	return start == table;
}

const char **
lactctl_column_strings(GVariant *column, gsize *n)
{
	gsize size = g_variant_get_size(column), table, count, width;
	const guint8 *data = g_variant_get_data(column);
	const char **out;

	*n = 0;
	if (!g_variant_is_of_type(column, G_VARIANT_TYPE_STRING_ARRAY) ||
	    !framing(data, size, &table, &count, &width))
		return NULL;
	out = g_new(const char *, count + 1);
	if (!strings_check(data, size, out, n)) {
		g_free(out);
		*n = 0;
		return NULL;
	}
	out[count] = NULL;
	return out;
}

/* One column of @columns and its presence column, checked to hold @n rows
 * (the first column read sets @n). */
static gboolean
column_read(GVariant *columns, const LactdField *f, Column *c, gsize *n, gboolean first,
	    GError **error)
{
	g_autoptr(GVariantType) type = g_variant_type_new_array(lactd_field_type(f));
	g_autofree char *present_key = g_strconcat(f->dbus_key, LACTD_COLUMNS_PRESENT_SUFFIX, NULL);
	g_autoptr(GVariant) present = NULL;
	gsize size = lactd_columns_element_size(f->type), len = 0;

	c->field = f;
	if (f->words != NULL)
		return TRUE; /* made from other columns: words_find */
	c->value = g_variant_lookup_value(columns, f->dbus_key, type);
	if (c->value == NULL) {
		g_autofree char *t = g_variant_type_dup_string(type);
		return damaged(error, "no column %s of type %s", f->dbus_key, t);
	}
	if (size == 0) {
		c->strv = lactctl_column_strings(c->value, &len);
		if (c->strv == NULL)
			return damaged(error, "column %s: strings not well-formed", f->dbus_key);
	} else
		c->data = g_variant_get_fixed_array(c->value, &len, size);
	if (first)
		*n = len;
	if (len != *n)
		return damaged(error, "column %s has %" G_GSIZE_FORMAT " rows, not %" G_GSIZE_FORMAT,
			       f->dbus_key, len, *n);
	present = g_variant_lookup_value(columns, present_key, G_VARIANT_TYPE("ab"));
	if (present != NULL) {
		c->present = g_variant_get_fixed_array(present, &len, 1);
		if (len != *n)
			return damaged(error, "column %s has %" G_GSIZE_FORMAT " rows, not %" G_GSIZE_FORMAT,
				       present_key, len, *n);
		/* Kept alive by @columns, which holds it. */
	}
	return TRUE;
}

/* Whether the key of @c says its word in row @i: as lactd_record_words,
 * the key is there and, for a boolean, TRUE. */
static gboolean
says(const Column *c, gsize i)
{
	if (c->present != NULL && !c->present[i])
		return FALSE;
	return c->field->type != LACTD_FIELD_BOOLEAN || ((const guint8 *)c->data)[i] != 0;
}

static GVariant *
words_cell(const Column *c, gsize i)
{
	const char *v[G_N_ELEMENTS(c->said)];
	guint n = 0;

	for (guint k = 0; k < c->n_said; k++) {
		if (says(c->said[k], i))
			v[n++] = c->field->words[2 * k];
	}
	return g_variant_new_strv(v, n);
}

/* The columns of the keys that say each word of a list of words. */
static gboolean
words_find(Column *list, const Column *cols, guint n_cols, GError **error)
{
	const char *const *words = list->field->words;

	for (guint k = 0; words[2 * k] != NULL; k++) {
		const char *key = words[2 * k + 1];
		const Column *found = NULL;

		for (guint j = 0; j < n_cols && found == NULL; j++) {
			if (cols[j].value != NULL && g_str_equal(cols[j].field->dbus_key, key))
				found = &cols[j];
		}
		if (found == NULL)
			return damaged(error, "no column %s, which %s needs", key,
				       list->field->dbus_key);
		g_assert(k < G_N_ELEMENTS(list->said)); /* the model's table, not the reply */
		list->said[list->n_said++] = found;
	}
	return TRUE;
}

static GVariant *
cell(const Column *c, gsize i)
{
	switch (c->field->type) {
	case LACTD_FIELD_UINT64:
		return g_variant_new_uint64(((const guint64 *)c->data)[i]);
	case LACTD_FIELD_INT64:
		return g_variant_new_int64(((const gint64 *)c->data)[i]);
	case LACTD_FIELD_UINT32:
		return g_variant_new_uint32(((const guint32 *)c->data)[i]);
	case LACTD_FIELD_BOOLEAN:
		return g_variant_new_boolean(((const guint8 *)c->data)[i] != 0);
	case LACTD_FIELD_DOUBLE:
		return g_variant_new_double(((const double *)c->data)[i]);
	case LACTD_FIELD_STRV:
		return words_cell(c, i);
	default:
		return g_variant_new_string(c->strv[i]);
	}
}

GVariant *
lactctl_columns_to_rows(const LactdRecord *rec, GVariant *columns, GError **error)
{
	g_autofree Column *c = g_new0(Column, rec->n_fields);
	guint n_cols = 0;
	gsize n = 0;
	gboolean ok = TRUE;
	GVariantBuilder b;

	if (!g_variant_is_of_type(columns, G_VARIANT_TYPE_VARDICT)) {
		damaged(error, "not an a{sv} of columns");
		return NULL;
	}
	for (guint i = 0; ok && i < rec->n_fields; i++) {
		if (rec->fields[i].dbus_key != NULL) {
			ok = column_read(columns, &rec->fields[i], &c[n_cols], &n, n_cols == 0, error);
			n_cols++;
		}
	}
	for (guint i = 0; ok && i < n_cols; i++) {
		if (c[i].field->words != NULL)
			ok = words_find(&c[i], c, n_cols, error);
	}
	if (!ok) {
		for (guint i = 0; i < n_cols; i++)
			column_clear(&c[i]);
		return NULL;
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (gsize r = 0; r < n; r++) {
		g_variant_builder_open(&b, G_VARIANT_TYPE_VARDICT);
		for (guint i = 0; i < n_cols; i++) {
			if (c[i].present == NULL || c[i].present[r]) {
				g_autoptr(GVariant) v = g_variant_ref_sink(cell(&c[i], r));
				g_variant_builder_add(&b, "{sv}", c[i].field->dbus_key, v);
			}
		}
		g_variant_builder_close(&b);
	}
	for (guint i = 0; i < n_cols; i++)
		column_clear(&c[i]);
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

GVariant *
lactctl_columns_to_sessions(GVariant *columns, GError **error)
{
	return lactctl_columns_to_rows(&lactd_session_table, columns, error);
}

/*
 * Whether a column of numbers or booleans is in normal form, checked on
 * its bytes: GVariant's own check calls itself once per element (87,000
 * calls for a year of sessions). Any bytes are a normal number; only the
 * size must be a whole number of elements, and a boolean must be 0 or 1.
 * FALSE for a type this does not know, which GVariant then checks.
 */
static gboolean
fixed_array_normal(GVariant *value, gboolean *normal)
{
	const char *type = g_variant_get_type_string(value);
	gsize size = g_variant_get_size(value), width;
	const guint8 *data;

	if (type[0] != 'a' || type[1] == '\0' || type[2] != '\0' ||
	    strchr("bxtdu", type[1]) == NULL)
		return FALSE;
	width = type[1] == 'b' ? 1 : type[1] == 'u' ? 4 : 8;
	*normal = size % width == 0;
	if (*normal && type[1] == 'b') {
		data = g_variant_get_data(value);
		for (gsize i = 0; i < size && *normal; i++)
			*normal = data[i] <= 1;
	}
	return TRUE;
}

/*
 * Whether the content is well-formed: every key, and every column in
 * GVariant's normal form. The string columns (most of the bytes: 26,000
 * strings in a year of sessions) are checked when they are read
 * (lactctl_column_strings), in one pass, instead of here by GVariant, which
 * makes an instance of each string to check it; the number columns by
 * fixed_array_normal.
 */
static gboolean
content_check(GVariant *v)
{
	gsize n = g_variant_n_children(v);

	if (g_variant_get_size(v) > 0 && n == 0)
		return FALSE;
	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) entry = g_variant_get_child_value(v, i);
		g_autoptr(GVariant) key = g_variant_get_child_value(entry, 0);
		g_autoptr(GVariant) boxed = g_variant_get_child_value(entry, 1);
		g_autoptr(GVariant) value = NULL;
		gboolean normal = FALSE;

		if (!g_variant_is_normal_form(key) || g_variant_get_size(boxed) == 0)
			return FALSE;
		value = g_variant_get_variant(boxed);
		if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING_ARRAY))
			continue;
		if (fixed_array_normal(value, &normal) ? !normal : !g_variant_is_normal_form(value))
			return FALSE;
	}
	return TRUE;
}

/* Larger than any reply lactd makes (a year of sessions is about 0.5 MiB),
 * so that a hostile fd cannot make the client map without bound. */
#define COLUMNS_MAX_BYTES (256 * 1024 * 1024)

typedef struct {
	void *map;
	gsize size;
} Mapping;

static void
mapping_free(gpointer data)
{
	Mapping *m = data;

	munmap(m->map, m->size);
	g_free(m);
}

/* The fd's @size bytes, mapped read-only with their pages entered at once
 * (MAP_POPULATE: one call instead of a fault per page as they are read). */
static GBytes *
map_fd(int fd, gsize size, GError **error)
{
	Mapping *m;
	void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);

	if (map == MAP_FAILED) {
		int e = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "mapping the reply: %s",
			    g_strerror(e));
		return NULL;
	}
	m = g_new(Mapping, 1);
	m->map = map;
	m->size = size;
	return g_bytes_new_with_free_func(map, size, mapping_free, m);
}

GVariant *
lactctl_columns_read_fd(int fd, GError **error)
{
	const int needed = F_SEAL_WRITE | F_SEAL_SHRINK;
	int seals = fcntl(fd, F_GET_SEALS);
	struct stat st;
	g_autoptr(GBytes) bytes = NULL;
	g_autoptr(GVariant) v = NULL;

	/* Unsealed, its content could change or shrink while mapped (SIGBUS). */
	if (seals < 0 || (seals & needed) != needed) {
		damaged(error, "the fd is not a memfd sealed against writing and shrinking");
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > COLUMNS_MAX_BYTES) {
		damaged(error, "the fd is not a file of at most %d bytes", COLUMNS_MAX_BYTES);
		return NULL;
	}
	if (st.st_size == 0) {
		bytes = g_bytes_new(NULL, 0);
	} else {
		bytes = map_fd(fd, (gsize)st.st_size, error);
		if (bytes == NULL)
			return NULL;
	}
	/* Untrusted: GVariant checks every offset it follows. */
	v = g_variant_ref_sink(g_variant_new_from_bytes(G_VARIANT_TYPE_VARDICT, bytes, FALSE));
	if (!content_check(v)) {
		damaged(error, "the content is not a well-formed a{sv} (truncated or damaged)");
		return NULL;
	}
	return g_steal_pointer(&v);
}

/* The columns of a bulk method's reply fd; NULL with @error. */
static GVariant *
call_columns_fd(GDBusConnection *bus, const char *method, gint64 from, gint64 to,
		GError **error)
{
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) reply = NULL;
	gint32 handle = -1;
	int fd;
	GVariant *columns;

	reply = g_dbus_connection_call_with_unix_fd_list_sync(
	    bus, "org.lactd", "/org/lactd", "org.lactd.Manager1", method,
	    g_variant_new("(xx)", from, to), G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, -1,
	    NULL, &fds, NULL, error);
	if (reply == NULL)
		return NULL;
	g_variant_get(reply, "(h)", &handle);
	if (fds == NULL || handle < 0 || handle >= g_unix_fd_list_get_length(fds)) {
		damaged(error, "%s passed no fd", method);
		return NULL;
	}
	fd = g_unix_fd_list_get(fds, handle, error);
	if (fd < 0)
		return NULL;
	columns = lactctl_columns_read_fd(fd, error);
	close(fd);
	return columns;
}

gboolean
lactctl_list_rows(GDBusConnection *bus, const LactdRecord *rec, const char *fd_method,
		  const char *method, gint64 from, gint64 to, GVariant **rows, GError **error)
{
	g_autoptr(GError) local_error = NULL;
	g_autoptr(GVariant) columns = call_columns_fd(bus, fd_method, from, to, &local_error);
	g_autoptr(GVariant) reply = NULL;

	if (columns != NULL) {
		*rows = lactctl_columns_to_rows(rec, columns, error);
		return *rows != NULL;
	}
	/* A daemon from before the bulk method: ask the way it knows. */
	if (!g_error_matches(local_error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)) {
		g_propagate_error(error, g_steal_pointer(&local_error));
		return FALSE;
	}
	reply = g_dbus_connection_call_sync(bus, "org.lactd", "/org/lactd", "org.lactd.Manager1",
					    method, g_variant_new("(xx)", from, to),
					    G_VARIANT_TYPE("(aa{sv})"), G_DBUS_CALL_FLAGS_NONE, -1,
					    NULL, error);
	if (reply == NULL)
		return FALSE;
	*rows = g_variant_get_child_value(reply, 0);
	return TRUE;
}

gboolean
lactctl_list_sessions(LactdManager1 *manager, gint64 from, gint64 to, GVariant **sessions,
		      GError **error)
{
	return lactctl_list_rows(g_dbus_proxy_get_connection(G_DBUS_PROXY(manager)),
				 &lactd_session_table, "ListSessionsFd", "ListSessions", from, to,
				 sessions, error);
}

gboolean
lactctl_list_days(GDBusConnection *bus, gint64 from, gint64 to, GVariant **days,
		  GError **error)
{
	return lactctl_list_rows(bus, &lactd_day_table, "GetDailySummaryFd", "GetDailySummary",
				 from, to, days, error);
}
