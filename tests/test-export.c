/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export: CSV quoting and shape, JSON and FHIR read back, what was not
 * measured left out, refusals, and write errors on the client's fd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "lactd-error.h"
#include "lactd-export-private.h"
#include "lactd-export.h"
#include "lactd-plan.h"
#include "lactd-store.h"

#define NOTE "comma, \"quoted\"\r\nnew line; ünïcode ✓ tab\there \\ \x01 end"
#define CSV_COLUMNS 25
#define NAME "Anna Müller, \"Mama\""
#define BABY_SCALE "AA:BB:CC:DD:EE:01"
#define T0 ((gint64)1715680800 * G_USEC_PER_SEC) /* 2024-05-14 10:00 UTC */

typedef struct {
	char *dir;
	LactdStore *store;
	guint n_sessions;
} Fixture;

static void
add(Fixture *f, LactdSessionKind kind, gint64 start, const char *note, gboolean volume)
{
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
	g_autoptr(GError) error = NULL;

	s->kind = kind;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = start;
	s->end_us = start + 17 * G_TIME_SPAN_MINUTE + 30 * G_USEC_PER_SEC;
	s->has_volume = volume;
	s->left_measured = s->right_measured = volume;
	s->left_ml = volume ? 42.5 : 0;
	s->right_ml = volume ? 38 : 0;
	s->left_seconds = 600;
	s->note = g_strdup(note);
	if (kind == LACTD_SESSION_SUPPLEMENT) {
		s->supplement_ml = 60;
		s->method = g_strdup("bottle");
		s->milk = g_strdup("donor");
	}
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	g_assert_no_error(error);
	f->n_sessions++;
	if (kind == LACTD_SESSION_PUMP) {
		LactdSample samples[] = {{start, 0, 0}, {start + 60000000, 10.5, 9}, {start + 120000000, 42.5, 38}};
		g_assert_true(lactd_store_put_samples(f->store, s->id, samples, G_N_ELEMENTS(samples), &error));
		g_assert_no_error(error);
	}
}

static guint64
add_session(Fixture *f, LactdSession *s)
{
	g_autoptr(GError) error = NULL;

	s->source = LACTD_SOURCE_MANUAL;
	s->end_us = s->start_us + 17 * G_TIME_SPAN_MINUTE + 30 * G_USEC_PER_SEC;
	s->left_seconds = 600;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	g_assert_no_error(error);
	f->n_sessions++;
	return s->id;
}

static void
add_weighing(Fixture *f, gint64 t, double grams, const char *role, guint64 session)
{
	g_autoptr(GError) error = NULL;
	LactdWeighing w = {.time_us = t, .grams = grams, .stable = TRUE,
			   .device = (char *)(g_str_equal(role, "baby") ? BABY_SCALE
									: "AA:BB:CC:DD:EE:FF"),
			   .role = (char *)role};

	g_assert_true(lactd_store_add_weighing(f->store, &w, &error));
	g_assert_no_error(error);
	if (session != 0)
		g_assert_true(lactd_store_set_weighing_session(f->store, w.id, session, &error));
	g_assert_no_error(error);
}

/* Volumes measured in part: `log pump --left 10`, a test-weighed feed of
 * 45 mL, a bottle of 123.5 g weighed for a pump that measured nothing. */
static void
add_special(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	LactdSession left = {.kind = LACTD_SESSION_PUMP, .start_us = T0 + 390 * G_TIME_SPAN_MINUTE,
			     .has_volume = TRUE, .left_measured = TRUE, .left_ml = 10};
	LactdSession feed = {.kind = LACTD_SESSION_NURSING, .start_us = T0 + 8 * G_TIME_SPAN_HOUR,
			     .extra_ml = 45};
	LactdSession bottle = {.kind = LACTD_SESSION_PUMP, .start_us = T0 + 9 * G_TIME_SPAN_HOUR,
			       .extra_ml = 119.9};
	LactdPlan plan;
	GVariantBuilder b;

	add_session(f, &left);
	add_session(f, &feed);
	add_weighing(f, feed.start_us - G_TIME_SPAN_MINUTE, 3500, "baby", feed.id);
	add_weighing(f, feed.end_us + G_TIME_SPAN_MINUTE, 3545, "baby", feed.id);
	add_session(f, &bottle);
	add_weighing(f, bottle.end_us + G_TIME_SPAN_MINUTE, 123.5, "bottle", bottle.id);
	g_assert_true(lactd_plan_load(f->store, &plan, &error));
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(NAME));
	{
		g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_builder_end(&b));
		g_assert_true(lactd_plan_apply(&plan, v, &error));
	}
	g_assert_true(lactd_plan_save(f->store, &plan, &error));
	g_assert_no_error(error);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;
	LactdWeighing w = {.time_us = T0 + G_TIME_SPAN_HOUR, .grams = 123.45, .stable = TRUE,
			   .device = (char *)"AA:BB:CC:DD:EE:FF", .role = (char *)"bottle"};

	f->dir = g_dir_make_tmp("lactd-export-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(f->dir, "lactd.db", NULL);
	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);

	add(f, LACTD_SESSION_PUMP, T0, NOTE, TRUE);
	add(f, LACTD_SESSION_HAND, T0 + 3 * G_TIME_SPAN_HOUR, "", TRUE);
	add(f, LACTD_SESSION_NURSING, T0 + 5 * G_TIME_SPAN_HOUR, "plain", FALSE);
	add(f, LACTD_SESSION_SUPPLEMENT, T0 + 6 * G_TIME_SPAN_HOUR, "after, \"nursing\"", FALSE);
	add_special(f);
	/* Outside the exported range. */
	add(f, LACTD_SESSION_PUMP, T0 + 3 * G_TIME_SPAN_DAY, "later", TRUE);
	f->n_sessions--;
	g_assert_true(lactd_store_add_weighing(f->store, &w, &error));
	g_assert_no_error(error);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	g_clear_pointer(&f->store, lactd_store_close);
	dir = g_dir_open(f->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

/* The export of [T0 - 1 h, T0 + 1 day) read back from a file. */
static char *
export(Fixture *f, const char *format)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "export.out", NULL);
	char *contents = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	g_assert_cmpint(fd, >=, 0);
	g_assert_true(lactd_export_write(f->store, format, T0 - G_TIME_SPAN_HOUR,
					 T0 + G_TIME_SPAN_DAY, fd, &error));
	g_assert_no_error(error);
	g_assert_cmpint(close(fd), ==, 0);
	g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_utf8_validate(contents, -1, NULL));
	return contents;
}

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

/* ---- a JSON checker (RFC 8259), recursive descent --------------------------------------- */

typedef struct {
	const char *p;
	guint depth;
} Json;

static gboolean json_value(Json *j);

static void
json_ws(Json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static gboolean
json_lit(Json *j, const char *lit)
{
	gsize n = strlen(lit);

	if (strncmp(j->p, lit, n) != 0)
		return FALSE;
	j->p += n;
	return TRUE;
}

static gboolean
json_str(Json *j)
{
	if (*j->p != '"')
		return FALSE;
	for (j->p++; *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			return FALSE;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!g_ascii_isxdigit(j->p[i]))
						return FALSE;
				j->p += 4;
			} else if (strchr("\"\\/bfnrt", *j->p) == NULL || *j->p == '\0') {
				return FALSE;
			}
		}
	}
	j->p++;
	return TRUE;
}

static gboolean
json_num(Json *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (g_ascii_isdigit(*j->p))
			j->p++;
	else
		return FALSE;
	if (*j->p == '.') {
		j->p++;
		if (!g_ascii_isdigit(*j->p))
			return FALSE;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!g_ascii_isdigit(*j->p))
			return FALSE;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	return TRUE;
}

static gboolean
json_container(Json *j, char close, gboolean object)
{
	if (++j->depth > 64)
		return FALSE;
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return TRUE;
	}
	for (;;) {
		if (object) {
			json_ws(j);
			if (!json_str(j))
				return FALSE;
			json_ws(j);
			if (*j->p++ != ':')
				return FALSE;
		}
		if (!json_value(j))
			return FALSE;
		json_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != close)
			return FALSE;
		j->p++;
		j->depth--;
		return TRUE;
	}
}

static gboolean
json_value(Json *j)
{
	json_ws(j);
	switch (*j->p) {
	case '{':
		return json_container(j, '}', TRUE);
	case '[':
		return json_container(j, ']', FALSE);
	case '"':
		return json_str(j);
	case 't':
		return json_lit(j, "true");
	case 'f':
		return json_lit(j, "false");
	case 'n':
		return json_lit(j, "null");
	default:
		return json_num(j);
	}
}

static gboolean
json_valid(const char *text)
{
	Json j = {text, 0};

	if (!json_value(&j))
		return FALSE;
	json_ws(&j);
	return *j.p == '\0';
}

static void
test_json_checker(void)
{
	/* The checker itself must refuse what is not JSON. */
	g_assert_true(json_valid("{\"a\":[1,-2.5e3,true,null,\"x\\u00e9\\n\"]}"));
	g_assert_false(json_valid("{\"a\":1,}"));
	g_assert_false(json_valid("{\"a\" 1}"));
	g_assert_false(json_valid("[01]"));
	g_assert_false(json_valid("[1.]"));
	g_assert_false(json_valid("[NaN]"));
	g_assert_false(json_valid("[\"a\nb\"]"));
	g_assert_false(json_valid("[\"\\x\"]"));
	g_assert_false(json_valid("[1] 2"));
	g_assert_false(json_valid("{\"a\":1"));
}

static JsonNode *
parse_json(const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(json_valid(text));
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	return json_node_copy(json_parser_get_root(parser));
}

static JsonObject *
array_object(JsonArray *a, guint i)
{
	return json_array_get_object_element(a, i);
}

static void
test_json(Fixture *f, gconstpointer data)
{
	g_autofree char *json = export(f, "json");
	g_autoptr(JsonNode) root = parse_json(json);
	JsonObject *o = json_node_get_object(root);
	JsonArray *sessions = json_object_get_array_member(o, "sessions");
	JsonObject *s;

	g_assert_cmpstr(json_object_get_string_member(o, "lactd_version"), ==, PACKAGE_VERSION);
	g_assert_cmpint(json_object_get_int_member(o, "format_version"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, NAME);
	g_assert_cmpstr(json_object_get_string_member(o, "time_zone"), ==, "Europe/Berlin");
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(o, "plan"),
						   "sessions_min"), ==, 8);
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(o, "range"),
						      "from"), ==, "2024-05-14T09:00:00Z");
	g_assert_cmpuint(json_array_get_length(sessions), ==, f->n_sessions);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "weighings")), ==, 4);
	s = array_object(sessions, 0);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "left_ml"), 42.5, 1e-9);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "right_ml"), 38, 1e-9);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "total_ml"), 80.5, 1e-9);
	g_assert_cmpstr(json_object_get_string_member(s, "note"), ==, NOTE);
	g_assert_cmpstr(json_object_get_string_member(s, "end_local"), ==,
			"2024-05-14T12:17:30+02:00");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(s, "samples")), ==, 3);
	/* Not measured: null, never 0. */
	s = array_object(sessions, 2);
	g_assert_true(json_object_get_null_member(s, "left_ml"));
	g_assert_true(json_object_get_null_member(s, "total_ml"));
	g_assert_true(json_object_get_null_member(s, "intake_ml"));
	s = array_object(sessions, 4);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "left_ml"), 10, 1e-9);
	g_assert_true(json_object_get_null_member(s, "right_ml"));
	s = array_object(sessions, 5);
	g_assert_true(json_object_get_null_member(s, "left_ml"));
	g_assert_true(json_object_get_null_member(s, "right_ml"));
	g_assert_true(json_object_get_null_member(s, "total_ml"));
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "intake_ml"), 45, 1e-9);
	g_assert_cmpstr(json_object_get_string_member(s, "intake_method"), ==, "test-weighing");
	g_assert_null(strstr(json, "nan"));
	g_assert_null(strstr(json, "later"));
}

/* The resources of a Bundle by type, and checks common to both kinds. */
static guint
count_type(JsonArray *entries, const char *type)
{
	guint n = 0;

	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *r = json_object_get_object_member(array_object(entries, i), "resource");
		if (g_str_equal(json_object_get_string_member(r, "resourceType"), type))
			n++;
	}
	return n;
}

/* The component codes of an Observation, joined by spaces. */
static char *
component_codes(JsonObject *r)
{
	GString *out = g_string_new(NULL);
	JsonArray *c = json_object_get_array_member(r, "component");

	for (guint i = 0; i < json_array_get_length(c); i++) {
		JsonObject *code = json_object_get_object_member(array_object(c, i), "code");
		JsonObject *coding = array_object(json_object_get_array_member(code, "coding"), 0);
		g_string_append_printf(out, "%s%s", i > 0 ? " " : "",
				       json_object_get_string_member(coding, "code"));
	}
	return g_string_free(out, FALSE);
}

static JsonObject *
observation_at(JsonArray *entries, guint n)
{
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *r = json_object_get_object_member(array_object(entries, i), "resource");
		if (g_str_equal(json_object_get_string_member(r, "resourceType"), "Observation") &&
		    n-- == 0)
			return r;
	}
	g_assert_not_reached();
}

static void
test_fhir(Fixture *f, gconstpointer data)
{
	g_autofree char *fhir = export(f, "fhir");
	g_autoptr(JsonNode) root = parse_json(fhir);
	JsonObject *o = json_node_get_object(root);
	JsonArray *entries = json_object_get_array_member(o, "entry");
	g_autoptr(GHashTable) urls = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *c0 = NULL, *c2 = NULL, *c4 = NULL, *c5 = NULL, *c6 = NULL;
	JsonObject *patient = NULL, *device = NULL;

	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "collection");
	/* The sessions, and the two stable baby weighings as body weights. */
	g_assert_cmpuint(count_type(entries, "Observation"), ==, f->n_sessions + 2);
	g_assert_cmpuint(count_type(entries, "Patient"), ==, 2);
	g_assert_cmpuint(count_type(entries, "Device"), ==, 1);
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *e = array_object(entries, i);
		JsonObject *r = json_object_get_object_member(e, "resource");
		const char *url = json_object_get_string_member(e, "fullUrl");
		JsonObject *ident = array_object(json_object_get_array_member(r, "identifier"), 0);
		const char *type = json_object_get_string_member(r, "resourceType");

		g_assert_true(g_str_has_prefix(url, "urn:uuid:"));
		g_assert_cmpuint(strlen(url), ==, 9 + 36);
		g_assert_cmpint(url[9 + 14], ==, '5'); /* version 5 */
		g_assert_true(g_hash_table_add(urls, (gpointer)url));
		g_assert_cmpstr(json_object_get_string_member(ident, "system"), ==,
				"urn:ietf:rfc:3986");
		g_assert_cmpstr(json_object_get_string_member(ident, "value"), ==, url);
		g_assert_false(json_object_has_member(e, "request"));
		if (g_str_equal(type, "Patient") && patient == NULL)
			patient = r;
		if (g_str_equal(type, "Device"))
			device = r;
		if (g_str_equal(type, "Observation")) {
			g_assert_true(json_object_has_member(r, "category"));
			g_assert_true(g_str_has_prefix(
			    json_object_get_string_member(
				json_object_get_object_member(r, "subject"), "reference"),
			    "urn:uuid:"));
		}
	}
	g_assert_nonnull(patient);
	g_assert_cmpstr(json_object_get_string_member(
			    array_object(json_object_get_array_member(patient, "name"), 0), "text"),
			==, NAME);
	g_assert_nonnull(device);
	g_assert_cmpstr(json_object_get_string_member(
			    array_object(json_object_get_array_member(device, "identifier"), 1),
			    "value"),
			==, BABY_SCALE);
	c0 = component_codes(observation_at(entries, 0));
	g_assert_cmpstr(c0, ==,
			"left-breast-volume right-breast-volume expressed-volume "
			"left-breast-duration interrupted");
	/* Nursing without a measurement: no volume at all. */
	c2 = component_codes(observation_at(entries, 2));
	g_assert_cmpstr(c2, ==, "left-breast-duration interrupted");
	c4 = component_codes(observation_at(entries, 4));
	g_assert_cmpstr(c4, ==, "left-breast-volume expressed-volume left-breast-duration interrupted");
	c5 = component_codes(observation_at(entries, 5));
	g_assert_cmpstr(c5, ==, "test-weighed-intake left-breast-duration interrupted");
	g_assert_true(json_object_has_member(observation_at(entries, 5), "method"));
	c6 = component_codes(observation_at(entries, 6));
	g_assert_cmpstr(c6, ==, "bottle-volume expressed-volume left-breast-duration interrupted");
	/* Body weight, LOINC 29463-7, in g, of the infant. */
	g_assert_nonnull(strstr(fhir, "\"system\":\"http://loinc.org\",\"code\":\"29463-7\""));
	g_assert_nonnull(strstr(fhir, "\"code\":\"vital-signs\""));
	g_assert_nonnull(strstr(fhir, "\"value\":3545.0,\"unit\":\"g\""));
	g_assert_nonnull(strstr(fhir, "\"effectivePeriod\":{\"start\":\"2024-05-14T10:00:00Z\","
				      "\"end\":\"2024-05-14T10:17:30Z\"}"));
}

/* Every code of lactd's CodeSystem that the export uses is published in
 * docs/fhir-codesystem.json. */
static void
test_fhir_codesystem(Fixture *f, gconstpointer data)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "docs", "fhir-codesystem.json",
						       NULL);
	g_autofree char *fhir = export(f, "fhir");
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GRegex) re = g_regex_new(
	    "\"system\":\"https://lactd.org/fhir/CodeSystem/lactd\",\"code\":\"([a-z-]+)\"", 0,
	    0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	JsonObject *cs;
	JsonArray *concepts;
	guint used = 0;

	g_assert_true(json_parser_load_from_file(parser, path, &error));
	g_assert_no_error(error);
	cs = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(cs, "url"), ==,
			"https://lactd.org/fhir/CodeSystem/lactd");
	concepts = json_object_get_array_member(cs, "concept");
	for (guint i = 0; i < json_array_get_length(concepts); i++)
		g_hash_table_add(codes, g_strdup(json_object_get_string_member(
					    array_object(concepts, i), "code")));
	g_assert_cmpint(json_object_get_int_member(cs, "count"), ==, g_hash_table_size(codes));
	for (g_regex_match(re, fhir, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
		g_autofree char *code = g_match_info_fetch(m, 1);
		if (!g_hash_table_contains(codes, code))
			g_error("code %s is not in docs/fhir-codesystem.json", code);
		used++;
	}
	g_assert_cmpuint(used, >, 20);
}

/* A transaction a FHIR server takes: every entry is a conditional create
 * on its identifier, so posting it twice creates nothing the second time. */
static void
test_fhir_transaction(Fixture *f, gconstpointer data)
{
	g_autofree char *fhir = export(f, "fhir-transaction");
	g_autofree char *collection = export(f, "fhir");
	g_autoptr(JsonNode) root = parse_json(fhir);
	g_autoptr(JsonNode) croot = parse_json(collection);
	JsonObject *o = json_node_get_object(root);
	JsonArray *entries = json_object_get_array_member(o, "entry");
	JsonArray *centries = json_object_get_array_member(json_node_get_object(croot), "entry");

	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "transaction");
	g_assert_cmpuint(json_array_get_length(entries), ==, json_array_get_length(centries));
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *e = array_object(entries, i);
		JsonObject *r = json_object_get_object_member(e, "resource");
		JsonObject *req = json_object_get_object_member(e, "request");
		JsonObject *ident = array_object(json_object_get_array_member(r, "identifier"), 0);
		g_autofree char *cond = g_strdup_printf(
		    "identifier=%s|%s", json_object_get_string_member(ident, "system"),
		    json_object_get_string_member(ident, "value"));

		g_assert_nonnull(req);
		g_assert_cmpstr(json_object_get_string_member(req, "method"), ==, "POST");
		g_assert_cmpstr(json_object_get_string_member(req, "url"), ==,
				json_object_get_string_member(r, "resourceType"));
		g_assert_cmpstr(json_object_get_string_member(req, "ifNoneExist"), ==, cond);
		/* Same identities in both kinds of Bundle. */
		g_assert_cmpstr(json_object_get_string_member(e, "fullUrl"), ==,
				json_object_get_string_member(array_object(centries, i), "fullUrl"));
	}
}

/* Two installations: the same session, different identities. */
static void
test_fhir_installations(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "other.db", NULL);
	g_autofree char *degraded = NULL;
	g_autofree char *a = export(f, "fhir");
	g_autofree char *b = NULL;
	g_autoptr(JsonNode) ra = NULL;
	g_autoptr(JsonNode) rb = NULL;
	LactdStore *first = f->store;
	JsonArray *ea, *eb;

	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	add(f, LACTD_SESSION_PUMP, T0, NOTE, TRUE);
	b = export(f, "fhir");
	lactd_store_close(f->store);
	f->store = first;
	ra = parse_json(a);
	rb = parse_json(b);
	ea = json_object_get_array_member(json_node_get_object(ra), "entry");
	eb = json_object_get_array_member(json_node_get_object(rb), "entry");
	/* Patient, Device? no: the other has Patient and the one session. */
	for (guint i = 0; i < json_array_get_length(eb); i++)
		for (guint j = 0; j < json_array_get_length(ea); j++)
			g_assert_cmpstr(
			    json_object_get_string_member(array_object(eb, i), "fullUrl"), !=,
			    json_object_get_string_member(array_object(ea, j), "fullUrl"));
	/* Session 1 in both. */
	g_assert_cmpstr(json_object_get_string_member(
			    json_object_get_object_member(observation_at(eb, 0), "effectivePeriod"),
			    "start"),
			==,
			json_object_get_string_member(
			    json_object_get_object_member(observation_at(ea, 0), "effectivePeriod"),
			    "start"));
	g_unlink(path);
}

/* The time of the export, taken out of a document. */
static char *
without_stamp(const char *doc)
{
	g_autoptr(GRegex) re =
	    g_regex_new("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z", 0, 0, NULL);

	return g_regex_replace_literal(re, doc, -1, 0, "T", 0, NULL);
}

/* The same export twice is the same document (but for the time it was made). */
static void
test_stable(Fixture *f, gconstpointer data)
{
	const char *formats[] = {"csv", "csv-weighings", "json", "fhir", "fhir-transaction"};

	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autofree char *a = export(f, formats[i]);
		g_autofree char *b = export(f, formats[i]);
		g_autofree char *sa = without_stamp(a);
		g_autofree char *sb = without_stamp(b);

		g_assert_cmpstr(sa, ==, sb);
	}
}

static void
test_refused(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *bad[] = {"xml", "", "CSV", "csv ", NULL};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(lactd_export_write(f->store, bad[i], 0, 1, STDERR_FILENO, &error));
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(error->message, "format"));
		g_clear_error(&error);
	}
	g_assert_false(lactd_export_write(f->store, "csv", 10, 1, STDERR_FILENO, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	g_assert_false(lactd_export_write(f->store, "json", 0, 1, -1, &error));
	g_assert_nonnull(error);
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
}

/* A reader that went away: an error for the caller, not a dead daemon. */
static void
test_closed_pipe(Fixture *f, gconstpointer data)
{
	const char *formats[] = {"csv", "json", "fhir"};

	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autoptr(GError) error = NULL;
		int p[2];

		g_assert_cmpint(pipe(p), ==, 0);
		close(p[0]);
		g_assert_false(
		    lactd_export_write(f->store, formats[i], 0, G_MAXINT64, p[1], &error));
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_WRITE);
		g_assert_nonnull(strstr(error->message, g_strerror(EPIPE)));
		close(p[1]);
	}
}

/* A full disk on the client's side. */
static void
test_full(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		g_test_skip("no /dev/full");
		return;
	}
	g_assert_false(lactd_export_write(f->store, "json", 0, G_MAXINT64, fd, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_WRITE);
	g_assert_nonnull(strstr(error->message, g_strerror(ENOSPC)));
	close(fd);
}

/* Larger than a pipe's buffer, through a pipe read as it is written. */
static gpointer
drain(gpointer data)
{
	int fd = GPOINTER_TO_INT(data);
	char buf[4096];
	gsize total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (gsize)n;
	return GSIZE_TO_POINTER(total);
}

static void
test_pipe_large(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GThread) reader = NULL;
	int p[2];
	gsize total;

	g_assert_true(lactd_store_begin(f->store, &error));
	for (guint i = 0; i < 2000; i++)
		add(f, LACTD_SESSION_PUMP, T0 + (gint64)i * G_TIME_SPAN_MINUTE, NOTE, TRUE);
	g_assert_true(lactd_store_commit(f->store, &error));
	g_assert_cmpint(pipe(p), ==, 0);
	reader = g_thread_new("drain", drain, GINT_TO_POINTER(p[0]));
	g_assert_true(lactd_export_write(f->store, "json", 0, G_MAXINT64, p[1], &error));
	g_assert_no_error(error);
	close(p[1]);
	total = GPOINTER_TO_SIZE(g_thread_join(g_steal_pointer(&reader)));
	close(p[0]);
	g_assert_cmpuint(total, >, 1 << 20);
}

int
main(int argc, char **argv)
{
	g_setenv("TZ", "Europe/Berlin", TRUE);
	tzset();
	g_test_init(&argc, &argv, NULL);
	/* As in the daemon (GIO's sockets need it too): a closed pipe is EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	g_test_add_func("/export/json/checker", test_json_checker);
	g_test_add("/export/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
	g_test_add("/export/csv/weighings", Fixture, NULL, fixture_setup, test_csv_weighings,
		   fixture_teardown);
	g_test_add("/export/csv/range", Fixture, NULL, fixture_setup, test_csv_range,
		   fixture_teardown);
	g_test_add("/export/csv/bom", Fixture, NULL, fixture_setup, test_csv_bom, fixture_teardown);
	g_test_add("/export/csv/formula", Fixture, NULL, fixture_setup, test_csv_formula,
		   fixture_teardown);
	g_test_add("/export/json", Fixture, NULL, fixture_setup, test_json, fixture_teardown);
	g_test_add("/export/fhir", Fixture, NULL, fixture_setup, test_fhir, fixture_teardown);
	g_test_add("/export/fhir/codesystem", Fixture, NULL, fixture_setup, test_fhir_codesystem,
		   fixture_teardown);
	g_test_add("/export/fhir/transaction", Fixture, NULL, fixture_setup,
		   test_fhir_transaction, fixture_teardown);
	g_test_add("/export/fhir/installations", Fixture, NULL, fixture_setup,
		   test_fhir_installations, fixture_teardown);
	g_test_add("/export/stable", Fixture, NULL, fixture_setup, test_stable, fixture_teardown);
	g_test_add("/export/refused", Fixture, NULL, fixture_setup, test_refused,
		   fixture_teardown);
	g_test_add("/export/closed-pipe", Fixture, NULL, fixture_setup, test_closed_pipe,
		   fixture_teardown);
	g_test_add("/export/full", Fixture, NULL, fixture_setup, test_full, fixture_teardown);
	g_test_add("/export/pipe-large", Fixture, NULL, fixture_setup, test_pipe_large,
		   fixture_teardown);
	return g_test_run();
}
