/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Export. The document is built in a buffer that is flushed to the client's
 * fd as it grows, so a long history with samples never sits in memory whole.
 * The fd belongs to a client: the daemon must neither die of a closed pipe
 * (SIGPIPE is ignored process-wide, as GIO's sockets already require) nor
 * hang on a reader that stops reading (every write waits at most STALL_MS).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lactd-api.h"
#include "lactd-error.h"
#include "lactd-export.h"
#include "lactd-util.h"
#include "lactd-validate.h"

/* How long one write may wait for a reader before the export gives up. */
#define STALL_MS 20000
#define FLUSH_AT 65536

/* Local code system: no LOINC code we could confirm describes a milk
 * expression session, a feed at the breast or a supplement feed. */
#define FHIR_SYSTEM "https://lactd.org/fhir/CodeSystem/lactd"
#define FHIR_ID_SYSTEM "https://lactd.org/fhir/session-id"
#define UCUM "http://unitsofmeasure.org"

typedef struct {
	int fd;
	gboolean regular; /* a file: no reader to wait for, write in one go */
	GString *buf;
} Writer;

static gboolean
write_all(Writer *w, const char *data, gsize len, GError **error)
{
	while (len > 0) {
		/* At most PIPE_BUF at a time into a pipe or socket after poll()
		 * says it is writable, so that a blocking fd never blocks us. */
		gsize chunk = w->regular ? len : MIN(len, (gsize)PIPE_BUF);
		struct pollfd pfd = {.fd = w->fd, .events = POLLOUT};
		ssize_t n;

		if (!w->regular) {
			int rc = poll(&pfd, 1, STALL_MS);
			if (rc < 0 && errno == EINTR)
				continue;
			if (rc < 0) {
				int e = errno;
				g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e),
					    "waiting to write the export: %s", g_strerror(e));
				return FALSE;
			}
			if (rc == 0) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "the export's reader took no data for %d s",
					    STALL_MS / 1000);
				return FALSE;
			}
		}
		n = write(w->fd, data, chunk);
		if (n < 0) {
			int e = errno;
			if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK)
				continue;
			g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e),
				    "writing the export: %s", g_strerror(e));
			return FALSE;
		}
		if (n == 0) {
			g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
					    "writing the export: nothing was written");
			return FALSE;
		}
		data += n;
		len -= (gsize)n;
	}
	return TRUE;
}

static gboolean
flush(Writer *w, GError **error)
{
	gboolean ok = write_all(w, w->buf->str, w->buf->len, error);

	g_string_truncate(w->buf, 0);
	return ok;
}

static gboolean
maybe_flush(Writer *w, GError **error)
{
	return w->buf->len < FLUSH_AT || flush(w, error);
}

/* ---- values ----------------------------------------------------------------------- */

static GDateTime *
datetime_utc(gint64 time_us)
{
	/* Whole seconds, floored, so times before the epoch are right too. */
	gint64 secs = time_us / G_USEC_PER_SEC - (time_us % G_USEC_PER_SEC < 0 ? 1 : 0);

	return g_date_time_new_from_unix_utc(secs);
}

/* "2024-03-10T06:30:00Z"; NULL outside the years 1 to 9999. */
static char *
iso_utc(gint64 time_us)
{
	g_autoptr(GDateTime) dt = datetime_utc(time_us);

	return dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

/* The local time with its UTC offset, "2024-03-10T01:30:00-05:00". */
static char *
iso_local(gint64 time_us)
{
	g_autoptr(GDateTime) dt = datetime_utc(time_us);
	g_autoptr(GDateTime) local = dt != NULL ? g_date_time_to_local(dt) : NULL;

	return local != NULL ? g_date_time_format(local, "%Y-%m-%dT%H:%M:%S%:z") : NULL;
}

/* One decimal, whatever the locale; "" for what is not a number. */
static const char *
fmt1(char buf[G_ASCII_DTOSTR_BUF_SIZE], double value)
{
	if (!isfinite(value))
		return "";
	if (value == 0)
		value = 0; /* no "-0.0" */
	return g_ascii_formatd(buf, G_ASCII_DTOSTR_BUF_SIZE, "%.1f", value);
}

static gboolean
measured(const LactdSession *s)
{
	return s->has_volume || s->extra_ml != 0;
}

static double
duration_min(const LactdSession *s)
{
	return s->end_us > s->start_us ? (double)(s->end_us - s->start_us) / G_TIME_SPAN_MINUTE : 0;
}

/* ---- CSV (RFC 4180) ------------------------------------------------------------------ */

/*
 * Two choices for the spreadsheets a consultant opens the CSV in:
 *
 * - The file starts with a UTF-8 byte order mark. Excel reads a CSV without
 *   one in the legacy code page, so a note such as "tétée à 3 h" arrives
 *   garbled; with it Excel and LibreOffice both take UTF-8. RFC 4180 says
 *   nothing of a BOM; readers that do not strip it (Python's csv with
 *   encoding "utf-8" rather than "utf-8-sig") see it only in the first
 *   header name, never in the data.
 *
 * - Text a person or a device wrote (note, device, method, milk) that begins
 *   with = + - @ TAB or CR is written as a quoted field with a single quote
 *   in front, as OWASP's "CSV Injection" page advises, so that a spreadsheet
 *   shows it as text instead of running it as a formula ("=HYPERLINK(...)").
 *   Numbers are written by lactd itself and never get the quote, so they
 *   stay numbers.
 */
#define CSV_BOM "\xEF\xBB\xBF"

/* Whether a spreadsheet would take this text for a formula. */
static gboolean
csv_formula_like(const char *value)
{
	return value != NULL && value[0] != '\0' && strchr("=+-@\t\r", value[0]) != NULL;
}

static void
csv_field(GString *out, const char *value, gboolean first, gboolean text)
{
	gboolean guard = text && csv_formula_like(value);

	if (!first)
		g_string_append_c(out, ',');
	if (value == NULL)
		return;
	if (!guard && strpbrk(value, ",\"\r\n") == NULL) {
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

/* Columns from method on hold free text (method and milk are checked
 * words today, but the guard costs nothing if that changes). */
#define CSV_FIRST_TEXT 13

static void
csv_row(GString *out, const char *const *fields, guint n)
{
	for (guint i = 0; i < n; i++)
		csv_field(out, fields[i], i == 0, i >= CSV_FIRST_TEXT);
	g_string_append(out, "\r\n");
}

static const char *const csv_header[] = {
    "id",	    "start_local",   "start_utc",   "duration_min", "kind",
    "source",	    "left_ml",	     "right_ml",    "total_ml",	    "left_min",
    "right_min",    "interrupted",   "supplement_ml", "method",	    "milk",
    "note",	    "device",
};

static void
csv_session(GString *out, const LactdSession *s)
{
	char id[32], dur[G_ASCII_DTOSTR_BUF_SIZE], l[G_ASCII_DTOSTR_BUF_SIZE],
	    r[G_ASCII_DTOSTR_BUF_SIZE], t[G_ASCII_DTOSTR_BUF_SIZE], lm[G_ASCII_DTOSTR_BUF_SIZE],
	    rm[G_ASCII_DTOSTR_BUF_SIZE], sup[G_ASCII_DTOSTR_BUF_SIZE];
	g_autofree char *local = iso_local(s->start_us);
	g_autofree char *utc = iso_utc(s->start_us);
	gboolean supplement = s->kind == LACTD_SESSION_SUPPLEMENT;
	gboolean vol = !supplement && measured(s);
	const char *fields[G_N_ELEMENTS(csv_header)];

	g_snprintf(id, sizeof(id), "%" G_GUINT64_FORMAT, s->id);
	fields[0] = id;
	fields[1] = local;
	fields[2] = utc;
	fields[3] = fmt1(dur, duration_min(s));
	fields[4] = lactd_session_kind_to_string(s->kind);
	fields[5] = lactd_session_source_to_string(s->source);
	/* Empty, not 0, when nothing was measured: 0 mL is a measurement. */
	fields[6] = vol ? fmt1(l, s->left_ml) : "";
	fields[7] = vol ? fmt1(r, s->right_ml) : "";
	fields[8] = vol ? fmt1(t, lactd_session_total_ml(s)) : "";
	fields[9] = s->left_seconds != 0 ? fmt1(lm, s->left_seconds / 60.0) : "";
	fields[10] = s->right_seconds != 0 ? fmt1(rm, s->right_seconds / 60.0) : "";
	fields[11] = s->interrupted ? "yes" : "no";
	fields[12] = supplement ? fmt1(sup, s->supplement_ml) : "";
	fields[13] = supplement && s->method != NULL ? s->method : "";
	fields[14] = supplement && s->milk != NULL ? s->milk : "";
	fields[15] = s->note != NULL ? s->note : "";
	fields[16] = s->device != NULL ? s->device : "";
	csv_row(out, fields, G_N_ELEMENTS(fields));
}

static gboolean
write_csv(Writer *w, GPtrArray *sessions, GError **error)
{
	g_string_append(w->buf, CSV_BOM);
	csv_row(w->buf, csv_header, G_N_ELEMENTS(csv_header));
	for (guint i = 0; i < sessions->len; i++) {
		csv_session(w->buf, g_ptr_array_index(sessions, i));
		if (!maybe_flush(w, error))
			return FALSE;
	}
	return TRUE;
}

/* ---- JSON (RFC 8259) ------------------------------------------------------------------ */

static void
json_string(GString *out, const char *value)
{
	g_autofree char *valid = NULL;

	if (value == NULL) {
		g_string_append(out, "null");
		return;
	}
	/* A document must be UTF-8; a stray byte becomes U+FFFD. */
	if (!g_utf8_validate(value, -1, NULL))
		value = valid = g_utf8_make_valid(value, -1);
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)value; *p != '\0'; p++) {
		switch (*p) {
		case '"':
			g_string_append(out, "\\\"");
			break;
		case '\\':
			g_string_append(out, "\\\\");
			break;
		case '\n':
			g_string_append(out, "\\n");
			break;
		case '\r':
			g_string_append(out, "\\r");
			break;
		case '\t':
			g_string_append(out, "\\t");
			break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

/* A key with its colon, after a comma unless it is the object's first. */
static void
json_key(GString *out, gboolean *first, const char *key)
{
	if (!*first)
		g_string_append_c(out, ',');
	*first = FALSE;
	json_string(out, key);
	g_string_append_c(out, ':');
}

/* mL and minutes: one decimal; null for what is not a number. */
static void
json_dec1(GString *out, double value)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append(out, isfinite(value) ? fmt1(buf, value) : "null");
}

/* null when nothing was measured: 0 mL is a measurement. */
static void
json_volume(GString *out, gboolean measured_, double value)
{
	if (measured_)
		json_dec1(out, value);
	else
		g_string_append(out, "null");
}

static void
json_number(GString *out, double value)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append(out, isfinite(value) ? g_ascii_dtostr(buf, sizeof(buf), value) : "null");
}

static void
json_time(GString *out, gboolean *first, const char *key, gint64 time_us)
{
	g_autofree char *iso = iso_utc(time_us);
	g_autofree char *key_us = g_strconcat(key, "_us", NULL);

	json_key(out, first, key);
	json_string(out, iso);
	json_key(out, first, key_us);
	g_string_append_printf(out, "%" G_GINT64_FORMAT, time_us);
}

static gboolean
json_session(Writer *w, LactdStore *store, const LactdSession *s, GError **error)
{
	GString *out = w->buf;
	g_autoptr(GArray) samples = lactd_store_get_samples(store, s->id, error);
	g_autofree char *local = iso_local(s->start_us);
	gboolean first = TRUE;
	gboolean vol = s->kind != LACTD_SESSION_SUPPLEMENT && measured(s);

	if (samples == NULL)
		return FALSE;
	g_string_append_c(out, '{');
	json_key(out, &first, "id");
	g_string_append_printf(out, "%" G_GUINT64_FORMAT, s->id);
	json_key(out, &first, "kind");
	json_string(out, lactd_session_kind_to_string(s->kind));
	json_key(out, &first, "source");
	json_string(out, lactd_session_source_to_string(s->source));
	json_time(out, &first, "start", s->start_us);
	json_time(out, &first, "end", s->end_us);
	json_key(out, &first, "start_local");
	json_string(out, local);
	json_key(out, &first, "duration_min");
	json_dec1(out, duration_min(s));
	json_key(out, &first, "left_ml");
	json_volume(out, vol, s->left_ml);
	json_key(out, &first, "right_ml");
	json_volume(out, vol, s->right_ml);
	json_key(out, &first, "total_ml");
	json_volume(out, vol, lactd_session_total_ml(s));
	json_key(out, &first, "left_seconds");
	g_string_append_printf(out, "%u", s->left_seconds);
	json_key(out, &first, "right_seconds");
	g_string_append_printf(out, "%u", s->right_seconds);
	json_key(out, &first, "interrupted");
	g_string_append(out, s->interrupted ? "true" : "false");
	json_key(out, &first, "live");
	g_string_append(out, s->live ? "true" : "false");
	json_key(out, &first, "device");
	json_string(out, s->device);
	json_key(out, &first, "note");
	json_string(out, s->note != NULL ? s->note : "");
	if (s->kind == LACTD_SESSION_SUPPLEMENT) {
		json_key(out, &first, "supplement_ml");
		json_dec1(out, s->supplement_ml);
		json_key(out, &first, "method");
		json_string(out, s->method);
		json_key(out, &first, "milk");
		json_string(out, s->milk);
	}
	json_key(out, &first, "samples");
	g_string_append_c(out, '[');
	for (guint i = 0; i < samples->len; i++) {
		const LactdSample *x = &g_array_index(samples, LactdSample, i);

		if (i > 0)
			g_string_append_c(out, ',');
		g_string_append_printf(out, "[%" G_GINT64_FORMAT ",", x->time_us);
		json_dec1(out, x->left_ml);
		g_string_append_c(out, ',');
		json_dec1(out, x->right_ml);
		g_string_append_c(out, ']');
		if (!maybe_flush(w, error))
			return FALSE;
	}
	g_string_append(out, "]}");
	return TRUE;
}

static void
json_weighing(GString *out, const LactdWeighing *x)
{
	gboolean first = TRUE;

	g_string_append_c(out, '{');
	json_key(out, &first, "id");
	g_string_append_printf(out, "%" G_GUINT64_FORMAT, x->id);
	json_time(out, &first, "time", x->time_us);
	json_key(out, &first, "grams");
	json_number(out, x->grams);
	json_key(out, &first, "stable");
	g_string_append(out, x->stable ? "true" : "false");
	json_key(out, &first, "device");
	json_string(out, x->device);
	json_key(out, &first, "role");
	json_string(out, x->role);
	json_key(out, &first, "session");
	if (x->session != 0)
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, x->session);
	else
		g_string_append(out, "null");
	g_string_append_c(out, '}');
}

static gboolean
write_json(Writer *w, LactdStore *store, GPtrArray *sessions, GPtrArray *weighings, gint64 from_us,
	   gint64 to_us, GError **error)
{
	GString *out = w->buf;
	gboolean first = TRUE;

	g_string_append_c(out, '{');
	json_key(out, &first, "format");
	json_string(out, "lactd-export");
	json_key(out, &first, "format_version");
	g_string_append(out, "1");
	json_key(out, &first, "lactd_version");
	json_string(out, PACKAGE_VERSION);
	json_key(out, &first, "range");
	{
		gboolean rfirst = TRUE;
		g_string_append_c(out, '{');
		json_time(out, &rfirst, "from", from_us);
		json_time(out, &rfirst, "to", to_us);
		g_string_append_c(out, '}');
	}
	json_key(out, &first, "sessions");
	g_string_append_c(out, '[');
	for (guint i = 0; i < sessions->len; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		if (!json_session(w, store, g_ptr_array_index(sessions, i), error) ||
		    !maybe_flush(w, error))
			return FALSE;
	}
	g_string_append(out, "]");
	json_key(out, &first, "weighings");
	g_string_append_c(out, '[');
	for (guint i = 0; i < weighings->len; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		json_weighing(out, g_ptr_array_index(weighings, i));
		if (!maybe_flush(w, error))
			return FALSE;
	}
	g_string_append(out, "]}\n");
	return TRUE;
}

/* ---- FHIR R4 ------------------------------------------------------------------------------ */

/* A name-based UUID (version 5 layout over SHA-1), so that exporting the
 * same session twice gives the same fullUrl. */
static char *
session_uuid(guint64 id)
{
	g_autoptr(GChecksum) sha = g_checksum_new(G_CHECKSUM_SHA1);
	g_autofree char *name = g_strdup_printf("lactd-session-%" G_GUINT64_FORMAT, id);
	guint8 d[20];
	gsize len = sizeof(d);

	g_checksum_update(sha, (const guchar *)name, -1);
	g_checksum_get_digest(sha, d, &len);
	d[6] = (guint8)((d[6] & 0x0f) | 0x50);
	d[8] = (guint8)((d[8] & 0x3f) | 0x80);
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
			       d[11], d[12], d[13], d[14], d[15]);
}

static void
fhir_coding(GString *out, const char *code, const char *display)
{
	g_string_append(out, "{\"coding\":[{\"system\":");
	json_string(out, FHIR_SYSTEM);
	g_string_append(out, ",\"code\":");
	json_string(out, code);
	g_string_append(out, ",\"display\":");
	json_string(out, display);
	g_string_append(out, "}],\"text\":");
	json_string(out, display);
	g_string_append_c(out, '}');
}

static void
fhir_quantity(GString *out, double value, const char *unit)
{
	g_string_append(out, "{\"value\":");
	json_dec1(out, value);
	g_string_append(out, ",\"unit\":");
	json_string(out, unit);
	g_string_append(out, ",\"system\":\"" UCUM "\",\"code\":");
	json_string(out, unit);
	g_string_append_c(out, '}');
}

/* One component; `first` tracks the comma in the component array. */
static void
fhir_component_begin(GString *out, gboolean *first, const char *code, const char *display)
{
	if (!*first)
		g_string_append_c(out, ',');
	*first = FALSE;
	g_string_append(out, "{\"code\":");
	fhir_coding(out, code, display);
}

static void
fhir_component_quantity(GString *out, gboolean *first, const char *code, const char *display,
			double value, const char *unit)
{
	fhir_component_begin(out, first, code, display);
	g_string_append(out, ",\"valueQuantity\":");
	fhir_quantity(out, value, unit);
	g_string_append_c(out, '}');
}

static void
fhir_component_string(GString *out, gboolean *first, const char *code, const char *display,
		      const char *value)
{
	fhir_component_begin(out, first, code, display);
	g_string_append(out, ",\"valueString\":");
	json_string(out, value);
	g_string_append_c(out, '}');
}

static void
fhir_observation(GString *out, const LactdSession *s)
{
	g_autofree char *uuid = session_uuid(s->id);
	g_autofree char *start = iso_utc(s->start_us);
	g_autofree char *end = iso_utc(MAX(s->end_us, s->start_us));
	gboolean supplement = s->kind == LACTD_SESSION_SUPPLEMENT;
	gboolean comp_first = TRUE;
	const char *code, *display;

	switch (s->kind) {
	case LACTD_SESSION_NURSING:
		code = "breastfeeding-session";
		display = "Breastfeeding session";
		break;
	case LACTD_SESSION_SUPPLEMENT:
		code = "supplement";
		display = "Supplement feed";
		break;
	case LACTD_SESSION_HAND:
		code = "milk-expression-session";
		display = "Milk expression session (hand)";
		break;
	case LACTD_SESSION_PUMP:
	default:
		code = "milk-expression-session";
		display = "Milk expression session (pump)";
		break;
	}
	g_string_append(out, "{\"fullUrl\":\"urn:uuid:");
	g_string_append(out, uuid);
	g_string_append(out, "\",\"resource\":{\"resourceType\":\"Observation\"");
	g_string_append(out, ",\"identifier\":[{\"system\":\"" FHIR_ID_SYSTEM "\",\"value\":");
	g_string_append_printf(out, "\"%" G_GUINT64_FORMAT "\"}]", s->id);
	/* A session still being recorded may change: not final yet. */
	g_string_append(out, ",\"status\":");
	json_string(out, s->live ? "preliminary" : "final");
	g_string_append(out, ",\"code\":");
	fhir_coding(out, code, display);
	g_string_append(out, ",\"effectivePeriod\":{\"start\":");
	json_string(out, start);
	g_string_append(out, ",\"end\":");
	json_string(out, end);
	g_string_append_c(out, '}');
	if (s->device != NULL && s->device[0] != '\0') {
		g_string_append(out, ",\"device\":{\"display\":");
		json_string(out, s->device);
		g_string_append_c(out, '}');
	}
	if (supplement) {
		g_string_append(out, ",\"valueQuantity\":");
		fhir_quantity(out, s->supplement_ml, "mL");
	}
	if (s->note != NULL && s->note[0] != '\0') {
		g_string_append(out, ",\"note\":[{\"text\":");
		json_string(out, s->note);
		g_string_append(out, "}]");
	}
	g_string_append(out, ",\"component\":[");
	if (supplement) {
		if (s->method != NULL)
			fhir_component_string(out, &comp_first, "supplement-method",
					      "Supplement feeding method", s->method);
		if (s->milk != NULL)
			fhir_component_string(out, &comp_first, "supplement-milk",
					      "Supplement milk", s->milk);
	} else if (measured(s)) {
		fhir_component_quantity(out, &comp_first, "left-breast-volume",
					"Milk volume, left breast", s->left_ml, "mL");
		fhir_component_quantity(out, &comp_first, "right-breast-volume",
					"Milk volume, right breast", s->right_ml, "mL");
		fhir_component_quantity(out, &comp_first, "total-volume", "Milk volume, total",
					lactd_session_total_ml(s), "mL");
	}
	if (s->left_seconds != 0)
		fhir_component_quantity(out, &comp_first, "left-breast-duration",
					"Duration, left breast", s->left_seconds / 60.0, "min");
	if (s->right_seconds != 0)
		fhir_component_quantity(out, &comp_first, "right-breast-duration",
					"Duration, right breast", s->right_seconds / 60.0, "min");
	fhir_component_begin(out, &comp_first, "interrupted", "Session interrupted");
	g_string_append_printf(out, ",\"valueBoolean\":%s}", s->interrupted ? "true" : "false");
	g_string_append(out, "]}}");
}

static gboolean
write_fhir(Writer *w, GPtrArray *sessions, GError **error)
{
	GString *out = w->buf;
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");

	g_string_append(out, "{\"resourceType\":\"Bundle\",\"type\":\"collection\",\"timestamp\":");
	json_string(out, stamp);
	g_string_append(out, ",\"entry\":[");
	for (guint i = 0; i < sessions->len; i++) {
		if (i > 0)
			g_string_append_c(out, ',');
		fhir_observation(out, g_ptr_array_index(sessions, i));
		if (!maybe_flush(w, error))
			return FALSE;
	}
	g_string_append(out, "]}\n");
	return TRUE;
}

/* ---- entry points ------------------------------------------------------------------------- */

gboolean
lactd_export_format_valid(const char *format)
{
	return g_strcmp0(format, "csv") == 0 || g_strcmp0(format, "json") == 0 ||
	       g_strcmp0(format, "fhir") == 0;
}

gboolean
lactd_export_write(LactdStore *store, const char *format, gint64 from_us, gint64 to_us, int fd,
		   GError **error)
{
	g_autoptr(GPtrArray) sessions = NULL;
	g_autoptr(GPtrArray) weighings = NULL;
	g_autoptr(GString) buf = g_string_sized_new(FLUSH_AT + 4096);
	Writer w = {.fd = fd, .buf = buf};
	struct stat st;
	gboolean ok;

	if (!lactd_export_format_valid(format)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "format: expected csv, json or fhir");
		return FALSE;
	}
	if (!lactd_validate_range(from_us, to_us, error))
		return FALSE;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "fd: %s", g_strerror(e));
		return FALSE;
	}
	w.regular = S_ISREG(st.st_mode) || S_ISBLK(st.st_mode);
	/* Read everything first: a store error then leaves nothing half-written. */
	sessions = lactd_store_list_sessions(store, from_us, to_us, error);
	if (sessions == NULL)
		return FALSE;
	if (g_str_equal(format, "json")) {
		weighings = lactd_store_list_weighings(store, from_us, to_us, error);
		if (weighings == NULL)
			return FALSE;
		ok = write_json(&w, store, sessions, weighings, from_us, to_us, error);
	} else if (g_str_equal(format, "csv")) {
		ok = write_csv(&w, sessions, error);
	} else {
		ok = write_fhir(&w, sessions, error);
	}
	return ok && flush(&w, error);
}

void
lactd_export_handle(GDBusMethodInvocation *invocation, GUnixFDList *fds, gpointer user_data)
{
	LactdApi *api = user_data;
	g_autoptr(GError) error = NULL;
	const char *format;
	gint64 from, to;
	gint32 index;
	int fd, flags;
	gboolean ok;

	g_variant_get(g_dbus_method_invocation_get_parameters(invocation), "(&sxxh)", &format, &from,
		      &to, &index);
	if (!lactd_export_format_valid(format)) {
		g_dbus_method_invocation_return_error(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS,
						      "format: expected csv, json or fhir");
		return;
	}
	if (!lactd_validate_range(from, to, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	if (fds == NULL || index < 0 || index >= g_unix_fd_list_get_length(fds)) {
		g_dbus_method_invocation_return_error(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS,
						      "fd: no file descriptor at index %d", index);
		return;
	}
	fd = g_unix_fd_list_get(fds, index, &error);
	if (fd < 0) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
		close(fd);
		g_dbus_method_invocation_return_error(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS,
						      "fd: not open for writing");
		return;
	}
	ok = lactd_export_write(lactd_api_get_store(api), format, from, to, fd, &error);
	/* A close error on a file (a delayed write failing) is a failed export. */
	if (!g_close(fd, ok ? &error : NULL))
		ok = FALSE;
	if (!ok) {
		if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
			lactd_api_set_storage_degraded(api, error->message);
		g_message("export to %s failed: %s",
			  g_dbus_method_invocation_get_sender(invocation), error->message);
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_info("%s export for %s", format, g_dbus_method_invocation_get_sender(invocation));
	g_dbus_method_invocation_return_value(invocation, NULL);
}
