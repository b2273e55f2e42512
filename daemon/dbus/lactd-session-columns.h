/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Records as columns: the replies of Manager1.ListSessionsColumns,
 * ListSessionsFd and GetDailySummaryFd, one typed array per D-Bus key of the
 * record's field table, which D-Bus marshals (or a sealed memfd carries)
 * without a cost per element.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-model.h"

G_BEGIN_DECLS

/* The key of a field's presence column: "weighed_ml:present" (ab). */
#define LACTD_COLUMNS_PRESENT_SUFFIX ":present"

/* The size of one element of a field's column when it is a fixed-size array
 * (a GVariant boolean is one byte), or 0 for strings. */
static inline gsize
lactd_columns_element_size(LactdFieldType type)
{
	switch (type) {
	case LACTD_FIELD_UINT64:
	case LACTD_FIELD_INT64:
	case LACTD_FIELD_DOUBLE:
		return 8;
	case LACTD_FIELD_UINT32:
		return 4;
	case LACTD_FIELD_BOOLEAN:
		return 1;
	default:
		return 0;
	}
}

/* Whether a field has a column: every D-Bus key but a list of words,
 * which the columns of its words' keys say already (LactdField.words). */
gboolean lactd_columns_has(const LactdField *field);

/* Whether a field may be left out of a record's a{sv}, so that its columns
 * carry a presence column beside it. */
gboolean lactd_columns_may_be_absent(const LactdField *field);

/*
 * lactd_columns_new:
 * @rec: the record type's field table
 * @records: the rows, in their order
 * @n: how many
 *
 * Returns: (transfer floating): an a{sv} with, for each field that has a D-Bus
 * key, one array of @n elements of its D-Bus type under that key (a
 * placeholder 0, FALSE, "" or [] where the record leaves the key out), and
 * for each field that may be absent an "ab" under key + ":present".
 */
GVariant *lactd_columns_new(const LactdRecord *rec, const gconstpointer *records, guint n);

/* The same, a record at a time, for rows that do not outlive the call (a
 * store's cursor): each value is copied. lactd_columns_end frees @cols;
 * lactd_columns_free drops it unfinished. */
typedef struct _LactdColumns LactdColumns;
LactdColumns *lactd_columns_begin(const LactdRecord *rec, guint n_hint);
void lactd_columns_add(LactdColumns *cols, gconstpointer record);
GVariant *lactd_columns_end(LactdColumns *cols);
void lactd_columns_free(LactdColumns *cols);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdColumns, lactd_columns_free)

/* Sessions (LactdSession *) as columns. */
GVariant *lactd_session_columns_new(GPtrArray *sessions);
/* Days (LactdDaySummary) as columns. */
GVariant *lactd_day_columns_new(GArray *days);

/* GVariant's framing offsets for @n variable-size elements in @body bytes:
 * their width in bytes, and in @total the whole size with them (the
 * smallest width that addresses the whole, GVariant's own rule). */
gsize lactd_columns_frame_width(gsize body, gsize n, gsize *total);

/* Writes @columns (an a{sv}, its floating reference is taken), serialised
 * little-endian, into a new memfd sealed against writing, shrinking and
 * growing; returns the fd at offset 0, or -1 with @error. The bytes are
 * those of g_variant_get_data(), but written from the columns as they are,
 * without serialising the whole into one more buffer first. */
int lactd_columns_to_memfd(GVariant *columns, GError **error);

/* Answers @invocation with @columns (floating reference taken) in a sealed
 * memfd, its one fd; FALSE with @error (nothing answered) when the memfd
 * cannot be made. */
gboolean lactd_columns_reply_fd(GDBusMethodInvocation *invocation, GVariant *columns,
				GError **error);

G_END_DECLS
