/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * CSV (RFC 4180), for the spreadsheet a consultant opens. Two formats, each
 * one table: "csv" (the sessions) and "csv-weighings" (the scale's
 * weighings). One table per file, because spreadsheets, Python's csv and
 * pandas all read one table per file; a second table after a blank line
 * would be read as more rows of the first.
 *
 * Both start with the same header block: lines whose first cell begins with
 * "#" (whose log, time zone, range, plan, when and by what), then the
 * column names. A spreadsheet shows them as the first rows; pandas skips
 * them with comment="#"; a reader of this CSV skips rows whose first cell
 * starts with "#".
 *
 * Choices for spreadsheets:
 *
 * - The file starts with a UTF-8 byte order mark. Excel reads a CSV without
 *   one in the legacy code page, so a note such as "tétée à 3 h" arrives
 *   garbled; with it Excel and LibreOffice both take UTF-8.
 *
 * - Text a person or a device wrote that a spreadsheet could run as a
 *   formula (see formula_like) is written as a quoted field with a single
 *   quote in front, as OWASP's "CSV Injection" page advises, so it is shown
 *   as text. Numbers are written by lactd itself and never get the quote.
 *
 * - A value that was not measured is an empty cell, never 0.
 */
#include "config.h"

#include <string.h>

#include "lactd-export-private.h"

#define CSV_BOM "\xEF\xBB\xBF"

/* Characters that start a formula in some spreadsheet: the OWASP set, and
 * their full-width forms (U+FF1D =, U+FF0B +, U+FF0D -, U+FF20 @), which
 * some spreadsheets in East Asian locales fold to ASCII. */
static gboolean
starts_formula(const char *p)
{
	gunichar c;

	if (*p != '\0' && strchr("=+-@\t\r\n", *p) != NULL)
		return TRUE;
	c = g_utf8_get_char_validated(p, -1);
	return c == 0xFF1D || c == 0xFF0B || c == 0xFF0D || c == 0xFF20;
}

gboolean
lactd_export_csv_formula_like(const char *value)
{
	const char *p;

	if (value == NULL || value[0] == '\0')
		return FALSE;
	/* Spreadsheets trim leading blanks before they look for a formula. */
	for (p = value; *p == ' ' || *p == '\t'; p++)
		;
	if (starts_formula(p) || starts_formula(value))
		return TRUE;
	/* A spreadsheet in a locale whose separator is ";" splits the
	 * unquoted cell "x;=1+1" into "x" and "=1+1". The field is quoted
	 * whenever it holds a ";", so no reader splits it; a cell after a ";"
	 * that would be a formula makes it formula-like too. */
	for (p = strchr(value, ';'); p != NULL; p = strchr(p + 1, ';')) {
		const char *q = p + 1;
		while (*q == ' ' || *q == '\t')
			q++;
		if (starts_formula(q))
			return TRUE;
	}
	return FALSE;
}

static void
field(GString *out, const char *value, gboolean first, gboolean text)
{
	gboolean guard = text && lactd_export_csv_formula_like(value);

	if (!first)
		g_string_append_c(out, ',');
	if (value == NULL)
		return;
	if (!guard && strpbrk(value, ",;\"\r\n") == NULL) {
		g_string_append(out, value);
		return;
	}
	g_string_append_c(out, '"');
	if (guard)
		g_string_append_c(out, '\'');
	for (const char *p = value; *p != '\0'; p++) {
		if (*p == '"')
			g_string_append_c(out, '"');
		g_string_append_c(out, *p);
	}
	g_string_append_c(out, '"');
}

/* One row of a table's cells; text someone wrote is guarded. */
static void
row(GString *out, const LactdRecord *table, char **cells, gboolean header)
{
	for (guint i = 0; cells[i] != NULL; i++)
		field(out, cells[i], i == 0, !header && lactd_record_csv_is_text(table, i));
	g_string_append(out, "\r\n");
}

static void
header_row(GString *out, const LactdRecord *table)
{
	g_auto(GStrv) names = lactd_record_csv_header(table);

	row(out, table, names, TRUE);
}

static void
record_row(GString *out, const LactdRecord *table, gconstpointer record)
{
	g_auto(GStrv) cells = lactd_record_csv_row(table, record);

	row(out, table, cells, FALSE);
}

static void
meta(GString *out, const char *key, const char *value)
{
	g_autofree char *k = g_strconcat("# ", key, NULL);

	field(out, k, TRUE, FALSE);
	field(out, value, FALSE, TRUE);
	g_string_append(out, "\r\n");
}

static void
header_block(GString *out, const LactdExportData *data, const char *what)
{
	g_autofree char *from = lactd_export_iso_utc(data->from_us);
	g_autofree char *to = lactd_export_iso_utc(data->to_us);
	g_autofree char *plan = lactd_export_plan_text(&data->plan);
	g_autofree char *range = NULL;

	/* An open end (no --until) is said in words, never left blank. */
	if (from != NULL && to != NULL)
		range = g_strdup_printf("%s to %s (end excluded)", from, to);
	else if (from != NULL)
		range = g_strdup_printf("from %s, no end", from);
	else if (to != NULL)
		range = g_strdup_printf("everything before %s", to);
	else
		range = g_strdup("everything");

	g_string_append(out, CSV_BOM);
	meta(out, "lactd export", what);
	meta(out, "name", data->plan.name);
	meta(out, "time zone", data->time_zone);
	meta(out, "range", range);
	meta(out, "plan", plan);
	meta(out, "exported", data->exported_at);
	meta(out, "lactd version", PACKAGE_VERSION);
}

/* One table: the header block, the column names, a row per record. */
static GBytes *
document(const LactdExportData *data, const char *what, const LactdRecord *table,
	 GPtrArray *records)
{
	GString *out = g_string_sized_new(4096 + records->len * 200);

	header_block(out, data, what);
	header_row(out, table);
	for (guint i = 0; i < records->len; i++)
		record_row(out, table, g_ptr_array_index(records, i));
	return g_string_free_to_bytes(out);
}

GBytes *
lactd_export_csv(const LactdExportData *data, GError **error)
{
	g_autoptr(GPtrArray) rows = g_ptr_array_sized_new(data->sessions->len);

	for (guint i = 0; i < data->sessions->len; i++)
		g_ptr_array_add(rows, &g_array_index(data->sessions, LactdExportSession, i));
	return document(data, "sessions", &lactd_export_session_table, rows);
}

GBytes *
lactd_export_csv_weighings(const LactdExportData *data, GError **error)
{
	return document(data, "weighings", &lactd_export_weighing_table, data->weighings);
}
