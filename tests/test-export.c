/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export: CSV quoting and shape, well-formed JSON and FHIR, refusals, and
 * write errors on the client's fd. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-export.h"
#include "lactd-store.h"

#define NOTE "comma, \"quoted\"\r\nnew line; ünïcode ✓ tab\there \\ \x01 end"
#define CSV_COLUMNS 17
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

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;
	LactdWeighing w = {.time_us = T0 + G_TIME_SPAN_HOUR, .grams = 123.45, .stable = TRUE,
			   .device = (char *)"AA:BB:CC:DD:EE:FF", .role = (char *)"bottle"};

	g_setenv("TZ", "Europe/Berlin", TRUE);
	tzset();
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

static void
test_csv(Fixture *f, gconstpointer data)
{
	g_autofree char *csv = export(f, "csv");
	g_autoptr(GPtrArray) rows = parse_csv(csv);
	GPtrArray *header, *first;

	g_assert_cmpuint(rows->len, ==, f->n_sessions + 1);
	for (guint i = 0; i < rows->len; i++)
		g_assert_cmpuint(((GPtrArray *)g_ptr_array_index(rows, i))->len, ==, CSV_COLUMNS);
	header = g_ptr_array_index(rows, 0);
	g_assert_cmpstr(g_ptr_array_index(header, 1), ==, "start_local");
	g_assert_cmpstr(g_ptr_array_index(header, 15), ==, "note");
	first = g_ptr_array_index(rows, 1);
	/* 10:00 UTC is 12:00 in Berlin in May. */
	g_assert_cmpstr(g_ptr_array_index(first, 1), ==, "2024-05-14T12:00:00+02:00");
	g_assert_cmpstr(g_ptr_array_index(first, 2), ==, "2024-05-14T10:00:00Z");
	g_assert_cmpstr(g_ptr_array_index(first, 3), ==, "17.5");
	g_assert_cmpstr(g_ptr_array_index(first, 4), ==, "pump");
	g_assert_cmpstr(g_ptr_array_index(first, 6), ==, "42.5");
	g_assert_cmpstr(g_ptr_array_index(first, 7), ==, "38.0");
	g_assert_cmpstr(g_ptr_array_index(first, 8), ==, "80.5");
	g_assert_cmpstr(g_ptr_array_index(first, 9), ==, "10.0");
	g_assert_cmpstr(g_ptr_array_index(first, 10), ==, "");
	g_assert_cmpstr(g_ptr_array_index(first, 15), ==, NOTE);
	/* The note is quoted, its quotes doubled. */
	g_assert_nonnull(strstr(csv, "\"comma, \"\"quoted\"\"\r\nnew line"));
	/* Nursing without a measured volume: empty cells, not 0. */
	g_assert_cmpstr(cell(rows, 3, 6), ==, "");
	g_assert_cmpstr(cell(rows, 4, 12), ==, "60.0");
	g_assert_cmpstr(cell(rows, 4, 13), ==, "bottle");
	g_assert_cmpstr(cell(rows, 4, 15), ==, "after, \"nursing\"");
}

/* The byte order mark is there once, first, so spreadsheets read the notes
 * as UTF-8; the rest of the file is plain RFC 4180. */
static void
test_csv_bom(Fixture *f, gconstpointer data)
{
	g_autofree char *csv = export(f, "csv");
	g_autofree char *json = export(f, "json");

	g_assert_true(g_str_has_prefix(csv, "\xEF\xBB\xBF" "id,start_local,"));
	g_assert_null(strstr(csv + 3, "\xEF\xBB\xBF"));
	/* The note's non-ASCII text arrives as the same UTF-8 bytes. */
	g_assert_nonnull(strstr(csv, "ünïcode ✓"));
	/* JSON (RFC 8259 section 8.1) must not have one. */
	g_assert_false(g_str_has_prefix(json, "\xEF\xBB\xBF"));
}

/* OWASP's CSV injection advice: text that a spreadsheet would run as a
 * formula gets a leading single quote, inside a quoted field; numbers and
 * text that only contains those characters later are left alone. */
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
	    {"a = b + c - d @ e", "a = b + c - d @ e"},
	    {"'already quoted", "'already quoted"},
	    {"", ""},
	};
	g_autofree char *csv = NULL;
	g_autoptr(GPtrArray) rows = NULL;
	guint first = f->n_sessions + 1;

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++)
		add(f, LACTD_SESSION_PUMP, T0 + 7 * G_TIME_SPAN_HOUR + i * G_TIME_SPAN_MINUTE,
		    cases[i].note, TRUE);
	csv = export(f, "csv");
	rows = parse_csv(csv);
	g_assert_cmpuint(rows->len, ==, f->n_sessions + 1);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_assert_cmpstr(cell(rows, first + i, 15), ==, cases[i].cell);
		/* Numbers stay numbers. */
		g_assert_cmpstr(cell(rows, first + i, 6), ==, "42.5");
		g_assert_cmpstr(cell(rows, first + i, 8), ==, "80.5");
		g_assert_cmpstr(cell(rows, first + i, 9), ==, "10.0");
	}
	/* A guarded field is always quoted, so the quote is in the field. */
	g_assert_nonnull(strstr(csv, ",\"'+1+2\","));
	/* Nothing that starts a formula is left at the start of any text cell. */
	for (guint r = 1; r < rows->len; r++) {
		for (guint c = 13; c < CSV_COLUMNS; c++) {
			const char *v = cell(rows, r, c);
			g_assert_true(v[0] == '\0' || strchr("=+-@\t\r", v[0]) == NULL);
		}
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

static guint
count(const char *haystack, const char *needle)
{
	guint n = 0;

	for (const char *p = strstr(haystack, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
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

static void
test_json(Fixture *f, gconstpointer data)
{
	g_autofree char *json = export(f, "json");

	g_assert_true(json_valid(json));
	g_assert_nonnull(strstr(json, "\"lactd_version\":\"" PACKAGE_VERSION "\""));
	g_assert_nonnull(strstr(json, "\"range\":{\"from\":\"2024-05-14T09:00:00Z\""));
	g_assert_cmpuint(count(json, "\"kind\":"), ==, f->n_sessions);
	g_assert_nonnull(strstr(json, "\"kind\":\"supplement\""));
	g_assert_cmpuint(count(json, "\"grams\":123.45"), ==, 1);
	g_assert_nonnull(strstr(json, "\"samples\":[[1715680800000000,0.0,0.0],"));
	g_assert_nonnull(strstr(json, "\"left_ml\":42.5,\"right_ml\":38.0,\"total_ml\":80.5"));
	/* Escapes: quotes, CR LF, tab, backslash, a control character. */
	g_assert_nonnull(strstr(json, "comma, \\\"quoted\\\"\\r\\nnew line; ünïcode ✓ tab\\there "
				      "\\\\ \\u0001 end"));
	g_assert_null(strstr(json, "nan"));
	g_assert_null(strstr(json, "later"));
}

static void
test_fhir(Fixture *f, gconstpointer data)
{
	g_autofree char *fhir = export(f, "fhir");

	g_assert_true(json_valid(fhir));
	g_assert_true(g_str_has_prefix(fhir, "{\"resourceType\":\"Bundle\",\"type\":\"collection\","));
	g_assert_cmpuint(count(fhir, "\"resourceType\":\"Observation\""), ==, f->n_sessions);
	g_assert_cmpuint(count(fhir, "\"fullUrl\":\"urn:uuid:"), ==, f->n_sessions);
	g_assert_cmpuint(count(fhir, "\"status\":\"final\""), ==, f->n_sessions);
	g_assert_cmpuint(count(fhir, "\"code\":\"milk-expression-session\""), ==, 2);
	g_assert_cmpuint(count(fhir, "\"code\":\"breastfeeding-session\""), ==, 1);
	g_assert_cmpuint(count(fhir, "\"code\":\"supplement\""), ==, 1);
	/* left, right, total for the two measured sessions, and the supplement's value */
	g_assert_cmpuint(count(fhir, "\"system\":\"http://unitsofmeasure.org\",\"code\":\"mL\""),
			 ==, 2 * 3 + 1);
	g_assert_nonnull(strstr(fhir, "\"effectivePeriod\":{\"start\":\"2024-05-14T10:00:00Z\","
				      "\"end\":\"2024-05-14T10:17:30Z\"}"));
	g_assert_nonnull(strstr(fhir, "{\"value\":80.5,\"unit\":\"mL\""));
}

/* The same export twice is the same document (but for the Bundle's time). */
static void
test_stable(Fixture *f, gconstpointer data)
{
	g_autofree char *a = export(f, "csv");
	g_autofree char *b = export(f, "csv");
	g_autofree char *c = export(f, "json");
	g_autofree char *d = export(f, "json");

	g_assert_cmpstr(a, ==, b);
	g_assert_cmpstr(c, ==, d);
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
	g_assert_cmpuint(error->domain, ==, G_IO_ERROR);
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
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE);
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
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE);
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
	g_test_init(&argc, &argv, NULL);
	/* As in the daemon (GIO's sockets need it too): a closed pipe is EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	g_test_add_func("/export/json/checker", test_json_checker);
	g_test_add("/export/csv", Fixture, NULL, fixture_setup, test_csv, fixture_teardown);
	g_test_add("/export/csv/bom", Fixture, NULL, fixture_setup, test_csv_bom, fixture_teardown);
	g_test_add("/export/csv/formula", Fixture, NULL, fixture_setup, test_csv_formula,
		   fixture_teardown);
	g_test_add("/export/json", Fixture, NULL, fixture_setup, test_json, fixture_teardown);
	g_test_add("/export/fhir", Fixture, NULL, fixture_setup, test_fhir, fixture_teardown);
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
