/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export tests: CSV, read back with an RFC 4180 reader: quoting, shape,
 * the weighings' file, the range, the byte order mark, and cells that a
 * spreadsheet would take for formulas. */
#include "config.h"

#include <string.h>

#include "lactd-export-private.h"
#include "lactd-export.h"
#include "test-export.h"

#define CSV_COLUMNS 25

/* ---- CSV ------------------------------------------------------------------------------ */

/* An RFC 4180 reader: rows of fields; fails the test on a bare CR or LF, or
 * on text after a closing quote. Like spreadsheets, it takes the UTF-8 byte
 * order mark the export starts with, and requires it. */
static GPtrArray *
parse_csv(const char *p)
{
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	GPtrArray *row = g_ptr_array_new_with_free_func(g_free);
	GString *field = g_string_new(NULL);

	g_assert_true(g_str_has_prefix(p, "\xEF\xBB\xBF"));
	p += 3;
	while (*p != '\0') {
		if (*p == '"') {
			for (p++;; p++) {
				g_assert_true(*p != '\0');
				if (*p == '"' && p[1] == '"') {
					g_string_append_c(field, '"');
					p++;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					g_string_append_c(field, *p);
				}
			}
			g_assert_true(*p == ',' || *p == '\r');
		}
		while (*p != ',' && *p != '\r' && *p != '\0') {
			g_assert_true(*p != '\n' && *p != '"');
			g_string_append_c(field, *p++);
		}
		g_ptr_array_add(row, g_string_free(g_steal_pointer(&field), FALSE));
		field = g_string_new(NULL);
		if (*p == ',') {
			p++;
			continue;
		}
		g_assert_cmpint(*p, ==, '\r');
		g_assert_cmpint(p[1], ==, '\n');
		p += 2;
		g_ptr_array_add(rows, row);
		row = g_ptr_array_new_with_free_func(g_free);
	}
	g_assert_cmpuint(row->len, ==, 0); /* the last row ends with CRLF too */
	g_ptr_array_unref(row);
	g_string_free(field, TRUE);
	return rows;
}

static const char *
cell(GPtrArray *rows, guint row, guint column)
{
	return g_ptr_array_index((GPtrArray *)g_ptr_array_index(rows, row), column);
}

/* The rows of the table, without the header block's "#" rows. */
static GPtrArray *
csv_table(const char *csv, GPtrArray **meta)
{
	GPtrArray *all = parse_csv(csv);
	GPtrArray *rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);

	if (meta != NULL)
		*meta = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
	for (guint i = 0; i < all->len; i++) {
		GPtrArray *row = g_ptr_array_index(all, i);
		const char *first = g_ptr_array_index(row, 0);
		if (first[0] == '#') {
			/* Comments come first, before the column names. */
			g_assert_cmpuint(rows->len, ==, 0);
			if (meta != NULL)
				g_ptr_array_add(*meta, g_ptr_array_ref(row));
			continue;
		}
		g_ptr_array_add(rows, g_ptr_array_ref(row));
	}
	g_ptr_array_unref(all);
	for (guint i = 1; i < rows->len; i++)
		g_assert_cmpuint(((GPtrArray *)g_ptr_array_index(rows, i))->len, ==,
				 ((GPtrArray *)g_ptr_array_index(rows, 0))->len);
	return rows;
}

static guint
col(GPtrArray *rows, const char *name)
{
	GPtrArray *header = g_ptr_array_index(rows, 0);

	for (guint i = 0; i < header->len; i++)
		if (g_str_equal(g_ptr_array_index(header, i), name))
			return i;
	g_error("no column %s", name);
}

static const char *
val(GPtrArray *rows, guint row, const char *name)
{
	return cell(rows, row, col(rows, name));
}

static const char *
meta_value(GPtrArray *meta, const char *key)
{
	for (guint i = 0; i < meta->len; i++) {
		GPtrArray *row = g_ptr_array_index(meta, i);
		if (g_str_equal(g_ptr_array_index(row, 0), key))
			return g_ptr_array_index(row, 1);
	}
	return NULL;
}

static void
test_csv(Fixture *f, gconstpointer data)
{
	g_autofree char *csv = export(f, "csv");
	g_autoptr(GPtrArray) meta = NULL;
	g_autoptr(GPtrArray) rows = csv_table(csv, &meta);

	g_assert_cmpuint(rows->len, ==, f->n_sessions + 1);
	g_assert_cmpuint(((GPtrArray *)g_ptr_array_index(rows, 0))->len, ==, CSV_COLUMNS);
	/* The header block: whose data, the time zone, the plan. */
	g_assert_cmpstr(meta_value(meta, "# name"), ==, NAME);
	g_assert_cmpstr(meta_value(meta, "# time zone"), ==, "Europe/Berlin");
	g_assert_nonnull(strstr(meta_value(meta, "# plan"), "8-12 sessions per 24 h"));
	g_assert_cmpstr(meta_value(meta, "# lactd export"), ==, "sessions");
	/* 10:00 UTC is 12:00 in Berlin in May; dates and times apart. */
	g_assert_cmpstr(val(rows, 1, "date_local"), ==, "2024-05-14");
	g_assert_cmpstr(val(rows, 1, "start_time_local"), ==, "12:00:00");
	g_assert_cmpstr(val(rows, 1, "end_time_local"), ==, "12:17:30");
	g_assert_cmpstr(val(rows, 1, "end_date_local"), ==, "2024-05-14");
	g_assert_cmpstr(val(rows, 1, "utc_offset"), ==, "+02:00");
	g_assert_cmpstr(val(rows, 1, "start_utc"), ==, "2024-05-14T10:00:00Z");
	g_assert_cmpstr(val(rows, 1, "end_utc"), ==, "2024-05-14T10:17:30Z");
	g_assert_cmpstr(val(rows, 1, "duration_min"), ==, "17.5");
	g_assert_cmpstr(val(rows, 1, "kind"), ==, "pump");
	g_assert_cmpstr(val(rows, 1, "left_ml"), ==, "42.5");
	g_assert_cmpstr(val(rows, 1, "right_ml"), ==, "38.0");
	g_assert_cmpstr(val(rows, 1, "bottle_ml"), ==, "");
	g_assert_cmpstr(val(rows, 1, "total_ml"), ==, "80.5");
	g_assert_cmpstr(val(rows, 1, "intake_ml"), ==, "");
	g_assert_cmpstr(val(rows, 1, "left_min"), ==, "10.0");
	g_assert_cmpstr(val(rows, 1, "right_min"), ==, "");
	g_assert_cmpstr(val(rows, 1, "note"), ==, NOTE);
	/* The note is quoted, its quotes doubled. */
	g_assert_nonnull(strstr(csv, "\"comma, \"\"quoted\"\"\r\nnew line"));
	/* Nursing without a measured volume: empty cells, not 0. */
	g_assert_cmpstr(val(rows, 3, "kind"), ==, "nursing");
	g_assert_cmpstr(val(rows, 3, "left_ml"), ==, "");
	g_assert_cmpstr(val(rows, 3, "right_ml"), ==, "");
	g_assert_cmpstr(val(rows, 3, "total_ml"), ==, "");
	g_assert_cmpstr(val(rows, 4, "supplement_ml"), ==, "60.0");
	g_assert_cmpstr(val(rows, 4, "method"), ==, "bottle");
	g_assert_cmpstr(val(rows, 4, "note"), ==, "after, \"nursing\"");
	/* Only the left side measured: the right is empty. */
	g_assert_cmpstr(val(rows, 5, "left_ml"), ==, "10.0");
	g_assert_cmpstr(val(rows, 5, "right_ml"), ==, "");
	g_assert_cmpstr(val(rows, 5, "total_ml"), ==, "10.0");
	/* A test-weighed feed: its intake and method, no breast volumes. */
	g_assert_cmpstr(val(rows, 6, "kind"), ==, "nursing");
	g_assert_cmpstr(val(rows, 6, "left_ml"), ==, "");
	g_assert_cmpstr(val(rows, 6, "right_ml"), ==, "");
	g_assert_cmpstr(val(rows, 6, "total_ml"), ==, "");
	g_assert_cmpstr(val(rows, 6, "intake_ml"), ==, "45.0");
	g_assert_cmpstr(val(rows, 6, "intake_method"), ==, "test-weighing");
	/* A bottle weighed on the scale: both sides together. */
	g_assert_cmpstr(val(rows, 7, "left_ml"), ==, "");
	g_assert_cmpstr(val(rows, 7, "bottle_ml"), ==, "119.9");
	g_assert_cmpstr(val(rows, 7, "total_ml"), ==, "119.9");
}

static void
test_csv_weighings(Fixture *f, gconstpointer data)
{
	g_autofree char *csv = export(f, "csv-weighings");
	g_autoptr(GPtrArray) meta = NULL;
	g_autoptr(GPtrArray) rows = csv_table(csv, &meta);

	g_assert_cmpstr(meta_value(meta, "# lactd export"), ==, "weighings");
	g_assert_cmpstr(meta_value(meta, "# name"), ==, NAME);
	g_assert_cmpuint(rows->len, ==, 1 + 4);
	g_assert_cmpstr(val(rows, 1, "grams"), ==, "123.5");
	g_assert_cmpstr(val(rows, 1, "role"), ==, "bottle");
	g_assert_cmpstr(val(rows, 1, "time_local"), ==, "13:00:00");
	g_assert_cmpstr(val(rows, 1, "session"), ==, "");
	g_assert_cmpstr(val(rows, 2, "role"), ==, "baby");
	g_assert_cmpstr(val(rows, 2, "grams"), ==, "3500.0");
	g_assert_cmpstr(val(rows, 3, "grams"), ==, "3545.0");
	g_assert_cmpstr(val(rows, 3, "session"), ==, val(rows, 2, "session"));
}

/* The range in the header says what was asked for; an open end (lactctl
 * export without --until) is said in words, not left blank. */
static void
test_csv_range(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) open_end =
	    lactd_export_build(f->store, "csv", T0 - G_TIME_SPAN_HOUR, G_MAXINT64, &error);
	g_autofree char *csv = export(f, "csv");
	g_autofree char *open_csv = NULL;
	g_autoptr(GPtrArray) meta = NULL;
	g_autoptr(GPtrArray) open_meta = NULL;
	g_autoptr(GPtrArray) rows = csv_table(csv, &meta);
	g_autoptr(GPtrArray) open_rows = NULL;

	g_assert_no_error(error);
	open_csv = g_strndup(g_bytes_get_data(open_end, NULL), g_bytes_get_size(open_end));
	open_rows = csv_table(open_csv, &open_meta);
	g_assert_cmpstr(meta_value(meta, "# range"), ==,
			"2024-05-14T09:00:00Z to 2024-05-15T10:00:00Z (end excluded)");
	g_assert_cmpstr(meta_value(open_meta, "# range"), ==, "from 2024-05-14T09:00:00Z, no end");
	/* Nothing in range is left out when the end is open. */
	g_assert_cmpuint(open_rows->len, >=, rows->len);
}

/* The byte order mark is there once, first, so spreadsheets read the notes
 * as UTF-8; the rest of the file is plain RFC 4180. */
static void
test_csv_bom(Fixture *f, gconstpointer data)
{
	g_autofree char *csv = export(f, "csv");
	g_autofree char *json = export(f, "json");

	g_assert_true(g_str_has_prefix(csv, "\xEF\xBB\xBF" "# lactd export,sessions\r\n"));
	g_assert_null(strstr(csv + 3, "\xEF\xBB\xBF"));
	/* The note's non-ASCII text arrives as the same UTF-8 bytes. */
	g_assert_nonnull(strstr(csv, "ünïcode ✓"));
	/* JSON (RFC 8259 section 8.1) must not have one. */
	g_assert_false(g_str_has_prefix(json, "\xEF\xBB\xBF"));
}

/* OWASP's CSV injection advice, and what it misses: text that a spreadsheet
 * would run as a formula gets a leading single quote, inside a quoted field;
 * numbers and text that only contains those characters later are left
 * alone. */
static void
test_csv_formula(Fixture *f, gconstpointer data)
{
	const struct {
		const char *note;
		const char *cell;
	} cases[] = {
	    {"=HYPERLINK(\"http://x.invalid\",\"click\")", "'=HYPERLINK(\"http://x.invalid\",\"click\")"},
	    {"+1+2", "'+1+2"},
	    {"-5 mL from yesterday", "'-5 mL from yesterday"},
	    {"@SUM(A1:A9)", "'@SUM(A1:A9)"},
	    {"\tcmd", "'\tcmd"},
	    {"\r=1", "'\r=1"},
	    /* Spreadsheets trim leading blanks before looking for a formula. */
	    {" =1+1", "' =1+1"},
	    {"  \t+cmd", "'  \t+cmd"},
	    /* Split at the ";" by a semicolon-separator locale. */
	    {"x;=1+1", "'x;=1+1"},
	    {"x; @SUM(A1)", "'x; @SUM(A1)"},
	    /* Full-width = + - @ (U+FF1D, U+FF0B, U+FF0D, U+FF20). */
	    {"\xEF\xBC\x9D" "1+1", "'\xEF\xBC\x9D" "1+1"},
	    {"\xEF\xBC\x8B" "1", "'\xEF\xBC\x8B" "1"},
	    {"\xEF\xBC\x8D" "1", "'\xEF\xBC\x8D" "1"},
	    {"\xEF\xBC\xA0" "SUM(A1)", "'\xEF\xBC\xA0" "SUM(A1)"},
	    {" \xEF\xBC\x9D" "1", "' \xEF\xBC\x9D" "1"},
	    /* Harmless: kept as written. */
	    {"a = b + c - d @ e", "a = b + c - d @ e"},
	    {"x; y", "x; y"},
	    {"'already quoted", "'already quoted"},
	    {"tétée ＝ ok", "tétée ＝ ok"},
	    {"", ""},
	};
	g_autofree char *csv = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	guint first = f->n_sessions + 1;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		add(f, LACTD_SESSION_PUMP, T0 + 10 * G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE,
		    cases[i].note, TRUE);
	csv = export(f, "csv");
	rows = csv_table(csv, NULL);
	g_assert_cmpuint(rows->len, ==, f->n_sessions + 1);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_cmpstr(val(rows, first + i, "note"), ==, cases[i].cell);
		/* Numbers stay numbers. */
		g_assert_cmpstr(val(rows, first + i, "left_ml"), ==, "42.5");
		g_assert_cmpstr(val(rows, first + i, "total_ml"), ==, "80.5");
	}
	/* A guarded field is always quoted, so the quote is in the field. */
	g_assert_nonnull(strstr(csv, ",\"'+1+2\","));
	/* A ";" is always inside quotes, so no reader splits the field. */
	g_assert_nonnull(strstr(csv, ",\"x; y\","));
	/* Nothing that starts a formula is left at the start of a text cell. */
	for (guint r = 1; r < rows->len; r++) {
		const char *v = val(rows, r, "note");
		g_assert_false(v[0] != '\'' && lactd_export_csv_formula_like(v));
	}
}

void
add_csv_tests(void)
{
	g_test_add("/export/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
	g_test_add("/export/csv/weighings", Fixture, NULL, fixture_setup, test_csv_weighings,
		   fixture_teardown);
	g_test_add("/export/csv/range", Fixture, NULL, fixture_setup, test_csv_range,
		   fixture_teardown);
	g_test_add("/export/csv/bom", Fixture, NULL, fixture_setup, test_csv_bom, fixture_teardown);
	g_test_add("/export/csv/formula", Fixture, NULL, fixture_setup, test_csv_formula,
		   fixture_teardown);
}
