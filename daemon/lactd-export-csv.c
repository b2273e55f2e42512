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

#include <math.h>
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

/* A column: its name and whether it holds text someone wrote (guarded). */
typedef struct {
	const char *name;
	gboolean text;
} Column;

static void
row(GString *out, const Column *cols, char **values, guint n)
{
	for (guint i = 0; i < n; i++)
		field(out, values[i], i == 0, cols[i].text);
	g_string_append(out, "\r\n");
}

static void
header_row(GString *out, const Column *cols, guint n)
{
	for (guint i = 0; i < n; i++)
		field(out, cols[i].name, i == 0, FALSE);
	g_string_append(out, "\r\n");
}

/* One decimal, whatever the locale. */
static char *
dec1(double value)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (!isfinite(value))
		return g_strdup("");
	if (value == 0)
		value = 0; /* no "-0.0" */
	return g_strdup(g_ascii_formatd(buf, sizeof(buf), "%.1f", value));
}

static char *
opt1(gboolean has, double value)
{
	return has ? dec1(value) : g_strdup("");
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
	g_autofree char *range = g_strdup_printf("%s to %s (end excluded)", from != NULL ? from : "",
						 to != NULL ? to : "");
	g_autofree char *plan = lactd_export_plan_text(&data->plan);

	g_string_append(out, CSV_BOM);
	meta(out, "lactd export", what);
	meta(out, "name", data->plan.name);
	meta(out, "time zone", data->time_zone);
	meta(out, "range", range);
	meta(out, "plan", plan);
	meta(out, "exported", data->exported_at);
	meta(out, "lactd version", PACKAGE_VERSION);
}

static const Column session_cols[] = {
    {"id", FALSE},	       {"date_local", FALSE},	 {"start_time_local", FALSE},
    {"end_date_local", FALSE}, {"end_time_local", FALSE}, {"utc_offset", FALSE},
    {"start_utc", FALSE},      {"end_utc", FALSE},	 {"duration_min", FALSE},
    {"kind", FALSE},	       {"source", FALSE},	 {"left_ml", FALSE},
    {"right_ml", FALSE},       {"bottle_ml", FALSE},	 {"total_ml", FALSE},
    {"intake_ml", FALSE},      {"intake_method", FALSE}, {"left_min", FALSE},
    {"right_min", FALSE},      {"interrupted", FALSE},	 {"supplement_ml", FALSE},
    {"method", TRUE},	       {"milk", TRUE},		 {"note", TRUE},
    {"device", TRUE},
};

#define N_SESSION_COLS G_N_ELEMENTS(session_cols)

static void
session_row(GString *out, const LactdExportSession *e)
{
	const LactdSession *s = e->s;
	gboolean supplement = s->kind == LACTD_SESSION_SUPPLEMENT;
	gint64 end = MAX(s->end_us, s->start_us);
	char *v[N_SESSION_COLS];
	guint i = 0;

	v[i++] = g_strdup_printf("%" G_GUINT64_FORMAT, s->id);
	v[i++] = lactd_export_local_format(s->start_us, "%Y-%m-%d");
	v[i++] = lactd_export_local_format(s->start_us, "%H:%M:%S");
	v[i++] = lactd_export_local_format(end, "%Y-%m-%d");
	v[i++] = lactd_export_local_format(end, "%H:%M:%S");
	v[i++] = lactd_export_local_format(s->start_us, "%:z");
	v[i++] = lactd_export_iso_utc(s->start_us);
	v[i++] = lactd_export_iso_utc(end);
	v[i++] = dec1(lactd_export_duration_min(s));
	v[i++] = g_strdup(lactd_session_kind_to_string(s->kind));
	v[i++] = g_strdup(lactd_session_source_to_string(s->source));
	v[i++] = opt1(e->has_left, s->left_ml);
	v[i++] = opt1(e->has_right, s->right_ml);
	v[i++] = opt1(e->has_bottle, e->bottle_ml);
	v[i++] = opt1(e->has_total, e->total_ml);
	v[i++] = opt1(e->has_intake, e->intake_ml);
	v[i++] = g_strdup(e->has_intake ? LACTD_EXPORT_INTAKE_METHOD : "");
	/* Minutes are measured by the pump or entered; 0 is "none given". */
	v[i++] = s->left_seconds != 0 ? dec1(s->left_seconds / 60.0) : g_strdup("");
	v[i++] = s->right_seconds != 0 ? dec1(s->right_seconds / 60.0) : g_strdup("");
	v[i++] = g_strdup(s->interrupted ? "yes" : "no");
	v[i++] = opt1(supplement, s->supplement_ml);
	v[i++] = g_strdup(supplement && s->method != NULL ? s->method : "");
	v[i++] = g_strdup(supplement && s->milk != NULL ? s->milk : "");
	v[i++] = g_strdup(s->note != NULL ? s->note : "");
	v[i++] = g_strdup(s->device != NULL ? s->device : "");
	g_assert(i == N_SESSION_COLS);
	row(out, session_cols, v, N_SESSION_COLS);
	for (i = 0; i < N_SESSION_COLS; i++)
		g_free(v[i]);
}

GBytes *
lactd_export_csv(const LactdExportData *data, GError **error)
{
	GString *out = g_string_sized_new(4096 + data->sessions->len * 200);

	header_block(out, data, "sessions");
	header_row(out, session_cols, N_SESSION_COLS);
	for (guint i = 0; i < data->sessions->len; i++)
		session_row(out, &g_array_index(data->sessions, LactdExportSession, i));
	return g_string_free_to_bytes(out);
}

static const Column weighing_cols[] = {
    {"id", FALSE},	   {"date_local", FALSE}, {"time_local", FALSE}, {"utc_offset", FALSE},
    {"time_utc", FALSE},   {"grams", FALSE},	  {"stable", FALSE},	 {"role", FALSE},
    {"session", FALSE},	   {"device", TRUE},
};

#define N_WEIGHING_COLS G_N_ELEMENTS(weighing_cols)

GBytes *
lactd_export_csv_weighings(const LactdExportData *data, GError **error)
{
	GString *out = g_string_sized_new(4096 + data->weighings->len * 100);

	header_block(out, data, "weighings");
	header_row(out, weighing_cols, N_WEIGHING_COLS);
	for (guint i = 0; i < data->weighings->len; i++) {
		const LactdWeighing *w = g_ptr_array_index(data->weighings, i);
		char *v[N_WEIGHING_COLS];
		guint n = 0;

		v[n++] = g_strdup_printf("%" G_GUINT64_FORMAT, w->id);
		v[n++] = lactd_export_local_format(w->time_us, "%Y-%m-%d");
		v[n++] = lactd_export_local_format(w->time_us, "%H:%M:%S");
		v[n++] = lactd_export_local_format(w->time_us, "%:z");
		v[n++] = lactd_export_iso_utc(w->time_us);
		v[n++] = dec1(w->grams);
		v[n++] = g_strdup(w->stable ? "yes" : "no");
		v[n++] = g_strdup(w->role != NULL ? w->role : "");
		v[n++] = w->session != 0 ? g_strdup_printf("%" G_GUINT64_FORMAT, w->session)
					 : g_strdup("");
		v[n++] = g_strdup(w->device != NULL ? w->device : "");
		g_assert(n == N_WEIGHING_COLS);
		row(out, weighing_cols, v, N_WEIGHING_COLS);
		for (n = 0; n < N_WEIGHING_COLS; n++)
			g_free(v[n]);
	}
	return g_string_free_to_bytes(out);
}
