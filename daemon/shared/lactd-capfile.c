/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture files: the structure and its text format (docs/capture-format.md);
 * the lines' words and quoted text are lactd-capfile-json.c's.
 */
#include "config.h"

#include "lactd-capfile-private.h"

#include <gio/gio.h>
#include <string.h>

#define FORMAT_MAGIC "lactd-capture"
#define FORMAT_VERSION 1

static const char *const kind_names[] = {
	[LACTD_CAP_NOTIFY] = "notify", [LACTD_CAP_INDICATE] = "indicate",
	[LACTD_CAP_READ] = "read",     [LACTD_CAP_WRITE] = "write",
	[LACTD_CAP_MARK] = "mark",
};

const char *
lactd_cap_kind_to_string(LactdCapKind kind)
{
	if ((guint)kind >= G_N_ELEMENTS(kind_names))
		return "unknown";
	return kind_names[kind];
}

gboolean
lactd_cap_kind_from_string(const char *str, LactdCapKind *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++) {
		if (g_strcmp0(str, kind_names[i]) == 0) {
			*kind = (LactdCapKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

static void
cap_event_free(gpointer p)
{
	LactdCapEvent *ev = p;

	g_free(ev->uuid);
	g_clear_pointer(&ev->value, g_bytes_unref);
	g_free(ev->text);
	g_free(ev);
}

LactdCapFile *
lactd_capfile_new(void)
{
	LactdCapFile *cap = g_new0(LactdCapFile, 1);

	cap->address = g_strdup("");
	cap->name = g_strdup("");
	cap->source = g_strdup("lactd");
	cap->chars = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_gatt_char_free);
	cap->events = g_ptr_array_new_with_free_func(cap_event_free);
	return cap;
}

void
lactd_capfile_free(LactdCapFile *cap)
{
	if (cap == NULL)
		return;
	g_free(cap->address);
	g_free(cap->name);
	g_free(cap->source);
	g_ptr_array_unref(cap->chars);
	g_ptr_array_unref(cap->events);
	g_free(cap);
}

/* The Bluetooth Base UUID, 0000xxxx-0000-1000-8000-00805f9b34fb (Core spec
 * Vol 3 Part B 2.5.1), turns 16- and 32-bit UUIDs into the 128-bit form. */
char *
lactd_capfile_normalise_uuid(const char *uuid)
{
	gsize len;

	if (uuid == NULL)
		return NULL;
	len = strlen(uuid);
	for (gsize i = 0; i < len; i++) {
		if (!g_ascii_isxdigit(uuid[i]) &&
		    !(uuid[i] == '-' && len == 36 && (i == 8 || i == 13 || i == 18 || i == 23)))
			return NULL;
	}
	if (len == 4 || len == 8) {
		g_autofree char *low = g_ascii_strdown(uuid, -1);
		return g_strdup_printf("%s%s-0000-1000-8000-00805f9b34fb", len == 4 ? "0000" : "",
				       low);
	}
	if (len == 36)
		return g_ascii_strdown(uuid, -1);
	return NULL;
}

void
lactd_capfile_add_char(LactdCapFile *cap, const char *uuid, const char *flags, guint16 handle,
		       const char *service_uuid)
{
	LactdCapChar *c = g_new0(LactdCapChar, 1);
	char *norm = lactd_capfile_normalise_uuid(uuid);

	c->uuid = norm ? norm : g_strdup(uuid);
	c->flags = g_strdup(flags ? flags : "");
	c->handle = handle;
	norm = lactd_capfile_normalise_uuid(service_uuid);
	c->service_uuid = norm ? norm : g_strdup(service_uuid);
	g_ptr_array_add(cap->chars, c);
}

void
lactd_capfile_add_event(LactdCapFile *cap, gint64 time_us, LactdCapKind kind, const char *uuid,
			guint16 handle, const guint8 *value, gsize len, const char *text)
{
	LactdCapEvent *ev = g_new0(LactdCapEvent, 1);
	guint pos = cap->events->len;

	ev->time_us = time_us;
	ev->kind = kind;
	if (kind == LACTD_CAP_MARK) {
		ev->text = g_strdup(text ? text : "");
	} else {
		char *norm = lactd_capfile_normalise_uuid(uuid);

		ev->uuid = norm ? norm : g_strdup(uuid);
		ev->handle = handle;
		ev->value = g_bytes_new(value, value ? len : 0);
	}
	/* Events are kept by time; callers append in order, so this is one
	 * comparison, but a late mark still lands in its place (after events
	 * of the same time, so that equal times keep their arrival order). */
	while (pos > 0) {
		LactdCapEvent *prev = g_ptr_array_index(cap->events, pos - 1);
		if (prev->time_us <= time_us)
			break;
		pos--;
	}
	g_ptr_array_insert(cap->events, (gint)pos, ev);
	if (cap->start_us == 0 || time_us < cap->start_us)
		cap->start_us = time_us;
	if (time_us > cap->end_us)
		cap->end_us = time_us;
}

/* ------------------------------------------------------------------------ */
/* Writing */

static void
append_hex(GString *out, GBytes *value)
{
	gsize len = 0;
	const guint8 *d = value ? g_bytes_get_data(value, &len) : NULL;

	if (len == 0) {
		g_string_append_c(out, '-');
		return;
	}
	for (gsize i = 0; i < len; i++)
		g_string_append_printf(out, "%02x", d[i]);
}

char *
lactd_capfile_iso8601(gint64 time_us)
{
	g_autoptr(GDateTime) secs = NULL;
	g_autofree char *base = NULL;
	gint64 sec = time_us / G_USEC_PER_SEC;
	gint64 usec = time_us % G_USEC_PER_SEC;

	if (usec < 0) {
		usec += G_USEC_PER_SEC;
		sec--;
	}
	secs = g_date_time_new_from_unix_utc(sec);
	if (secs == NULL)
		return g_strdup("?");
	base = g_date_time_format(secs, "%Y-%m-%dT%H:%M:%S");
	return g_strdup_printf("%s.%06" G_GINT64_FORMAT "Z", base, usec);
}

char *
lactd_capfile_relative(gint64 time_us, gint64 start_us)
{
	gint64 d = time_us - start_us;
	const char *sign = d < 0 ? "-" : "+";
	guint64 a = d < 0 ? (guint64)0 - (guint64)d : (guint64)d;

	return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT, sign,
			       a / G_USEC_PER_SEC, a % G_USEC_PER_SEC);
}

char *
lactd_capfile_to_string(const LactdCapFile *cap)
{
	GString *out = g_string_new(NULL);
	g_autofree char *start = lactd_capfile_iso8601(cap->start_us);
	g_autofree char *end = lactd_capfile_iso8601(cap->end_us);

	g_string_append_printf(out, "%s %d chars=%u events=%u\n", FORMAT_MAGIC, FORMAT_VERSION,
			       cap->chars->len, cap->events->len);
	g_string_append(out, "address ");
	lactd_capfile_append_quoted(out, cap->address ? cap->address : "");
	g_string_append(out, "\nname ");
	lactd_capfile_append_quoted(out, cap->name ? cap->name : "");
	g_string_append(out, "\nsource ");
	lactd_capfile_append_quoted(out, cap->source ? cap->source : "");
	g_string_append_printf(out, "\nstart %" G_GINT64_FORMAT " # %s\n", cap->start_us, start);
	g_string_append_printf(out, "end %" G_GINT64_FORMAT " # %s\n", cap->end_us, end);
	g_string_append(out, "# char UUID HANDLE FLAGS SERVICE\n");
	for (guint i = 0; i < cap->chars->len; i++) {
		const LactdCapChar *c = g_ptr_array_index(cap->chars, i);

		g_string_append_printf(out, "char %s 0x%04x ", c->uuid, c->handle);
		lactd_capfile_append_quoted(out, c->flags ? c->flags : "");
		g_string_append_printf(out, " %s\n", c->service_uuid ? c->service_uuid : "-");
	}
	g_string_append(out, "# KIND TIME_US UUID HANDLE VALUE | mark TIME_US TEXT\n");
	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		g_autofree char *iso = lactd_capfile_iso8601(ev->time_us);
		g_autofree char *rel = lactd_capfile_relative(ev->time_us, cap->start_us);

		g_string_append_printf(out, "%s %" G_GINT64_FORMAT " ",
				       lactd_cap_kind_to_string(ev->kind), ev->time_us);
		if (ev->kind == LACTD_CAP_MARK) {
			lactd_capfile_append_quoted(out, ev->text ? ev->text : "");
		} else {
			g_string_append_printf(out, "%s 0x%04x ", ev->uuid ? ev->uuid : "-",
					       ev->handle);
			append_hex(out, ev->value);
		}
		g_string_append_printf(out, " # %s %s\n", iso, rel);
	}
	return g_string_free(out, FALSE);
}

gboolean
lactd_capfile_save(const LactdCapFile *cap, const char *path, GError **error)
{
	g_autofree char *text = lactd_capfile_to_string(cap);

	return g_file_set_contents(path, text, -1, error);
}

/* ------------------------------------------------------------------------ */
/* Reading */

static gboolean
parse_uint(const char *s, guint64 max, guint64 *out)
{
	/* Plain decimal only: no sign, no leading zeros, no spaces. */
	if (s[0] == '\0' || (s[0] == '0' && s[1] != '\0'))
		return FALSE;
	for (const char *p = s; *p; p++)
		if (!g_ascii_isdigit(*p))
			return FALSE;
	return g_ascii_string_to_unsigned(s, 10, 0, max, out, NULL);
}

static gboolean
parse_time(const char *s, gint64 *out)
{
	guint64 v;

	if (!parse_uint(s, G_MAXINT64, &v))
		return FALSE;
	*out = (gint64)v;
	return TRUE;
}

static gboolean
parse_handle(const char *s, guint16 *out)
{
	guint v = 0;

	if (strlen(s) != 6 || s[0] != '0' || s[1] != 'x')
		return FALSE;
	for (int i = 2; i < 6; i++) {
		int h = g_ascii_xdigit_value(s[i]);
		if (h < 0)
			return FALSE;
		v = v * 16 + (guint)h;
	}
	*out = (guint16)v;
	return TRUE;
}

static gboolean
is_uuid128(const char *s)
{
	if (strlen(s) != 36)
		return FALSE;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (s[i] != '-')
				return FALSE;
		} else if (!g_ascii_isdigit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f')) {
			return FALSE;
		}
	}
	return TRUE;
}

static GBytes *
parse_value(const char *s, const char **why)
{
	gsize n = strlen(s);
	g_autofree guint8 *buf = NULL;

	if (strcmp(s, "-") == 0)
		return g_bytes_new(NULL, 0);
	if (n % 2 != 0) {
		*why = "value has an odd number of hex digits";
		return NULL;
	}
	if (n / 2 > LACTD_CAPFILE_MAX_VALUE) {
		*why = "value longer than " G_STRINGIFY(LACTD_CAPFILE_MAX_VALUE) " bytes";
		return NULL;
	}
	buf = g_malloc(n / 2);
	for (gsize i = 0; i < n / 2; i++) {
		int hi = g_ascii_xdigit_value(s[2 * i]), lo = g_ascii_xdigit_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			*why = "value is not hex";
			return NULL;
		}
		buf[i] = (guint8)(hi * 16 + lo);
	}
	return g_bytes_new_take(g_steal_pointer(&buf), n / 2);
}

static gboolean
line_error(GError **error, guint lineno, const char *why)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "line %u: %s", lineno, why);
	return FALSE;
}

typedef struct {
	LactdCapFile *cap;
	guint64 want_chars;
	guint64 want_events;
	guint seen; /* bit per header field seen */
} ParseState;

enum { SEEN_ADDRESS = 1, SEEN_NAME = 2, SEEN_SOURCE = 4, SEEN_START = 8, SEEN_END = 16 };

static gboolean
parse_header(ParseState *st, GArray *tok, guint lineno, GError **error)
{
	LactdCapToken *t = (LactdCapToken *)tok->data;
	guint64 version;

	if (tok->len < 1 || t[0].quoted || strcmp(t[0].word, FORMAT_MAGIC) != 0)
		return line_error(error, lineno, "not a lactd capture (no \"" FORMAT_MAGIC
						 "\" header)");
	if (tok->len < 2 || !parse_uint(t[1].word, G_MAXUINT32, &version))
		return line_error(error, lineno, "header has no version");
	if (version != FORMAT_VERSION) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "line %u: format version %" G_GUINT64_FORMAT
			    " is not supported (this reads version %d)",
			    lineno, version, FORMAT_VERSION);
		return FALSE;
	}
	if (tok->len != 4 || t[2].quoted || t[3].quoted || !g_str_has_prefix(t[2].word, "chars=") ||
	    !g_str_has_prefix(t[3].word, "events="))
		return line_error(error, lineno, "header must be: " FORMAT_MAGIC
						 " 1 chars=N events=N");
	if (!parse_uint(t[2].word + 6, G_MAXUINT64, &st->want_chars) ||
	    !parse_uint(t[3].word + 7, G_MAXUINT64, &st->want_events))
		return line_error(error, lineno, "header counts are not numbers");
	if (st->want_chars > LACTD_CAPFILE_MAX_CHARS)
		return line_error(error, lineno, "more characteristics than the limit (" G_STRINGIFY(
							 LACTD_CAPFILE_MAX_CHARS) ")");
	if (st->want_events > LACTD_CAPFILE_MAX_EVENTS)
		return line_error(error, lineno,
				  "more events than the limit (" G_STRINGIFY(
					  LACTD_CAPFILE_MAX_EVENTS) ")");
	return TRUE;
}

static gboolean
parse_line(ParseState *st, GArray *tok, guint lineno, GError **error)
{
	LactdCapToken *t = (LactdCapToken *)tok->data;
	LactdCapFile *cap = st->cap;
	const char *why = NULL;
	const char *key;
	LactdCapKind kind;

	if (t[0].quoted)
		return line_error(error, lineno, "a line starts with a keyword");
	key = t[0].word;

	if (strcmp(key, "address") == 0 || strcmp(key, "name") == 0 ||
	    strcmp(key, "source") == 0) {
		guint bit = key[0] == 'a' ? SEEN_ADDRESS : key[0] == 'n' ? SEEN_NAME : SEEN_SOURCE;
		char **field = key[0] == 'a' ? &cap->address : key[0] == 'n' ? &cap->name
									       : &cap->source;

		if (st->seen & bit)
			return line_error(error, lineno, "header field given twice");
		if (tok->len != 2 || !t[1].quoted)
			return line_error(error, lineno, "expected one quoted text");
		st->seen |= bit;
		g_free(*field);
		*field = g_strdup(t[1].word);
		return TRUE;
	}
	if (strcmp(key, "start") == 0 || strcmp(key, "end") == 0) {
		guint bit = key[0] == 's' ? SEEN_START : SEEN_END;

		if (st->seen & bit)
			return line_error(error, lineno, "header field given twice");
		if (tok->len != 2 || t[1].quoted ||
		    !parse_time(t[1].word, key[0] == 's' ? &cap->start_us : &cap->end_us))
			return line_error(error, lineno, "expected a time in microseconds");
		st->seen |= bit;
		return TRUE;
	}
	if (strcmp(key, "char") == 0) {
		LactdCapChar *c;
		guint16 handle;

		if (tok->len != 5 || t[1].quoted || !t[3].quoted || t[4].quoted)
			return line_error(error, lineno,
					  "expected: char UUID HANDLE \"FLAGS\" SERVICE-UUID|-");
		if (!is_uuid128(t[1].word))
			return line_error(error, lineno,
					  "characteristic UUID is not a lowercase 128-bit UUID");
		if (!parse_handle(t[2].word, &handle))
			return line_error(error, lineno, "handle is not 0xHHHH");
		if (strcmp(t[4].word, "-") != 0 && !is_uuid128(t[4].word))
			return line_error(error, lineno,
					  "service UUID is not a lowercase 128-bit UUID or -");
		if (cap->chars->len >= st->want_chars)
			return line_error(error, lineno,
					  "more characteristics than the header declares");
		c = g_new0(LactdCapChar, 1);
		c->uuid = g_strdup(t[1].word);
		c->handle = handle;
		c->flags = g_strdup(t[3].word);
		c->service_uuid = strcmp(t[4].word, "-") == 0 ? NULL : g_strdup(t[4].word);
		g_ptr_array_add(cap->chars, c);
		return TRUE;
	}
	if (lactd_cap_kind_from_string(key, &kind)) {
		LactdCapEvent *ev;
		gint64 time_us;

		if (tok->len < 2 || t[1].quoted || !parse_time(t[1].word, &time_us))
			return line_error(error, lineno, "event has no time in microseconds");
		if (cap->events->len > 0) {
			LactdCapEvent *prev = g_ptr_array_index(cap->events, cap->events->len - 1);
			if (time_us < prev->time_us)
				return line_error(error, lineno,
						  "event earlier than the one before it");
		}
		if (cap->events->len >= st->want_events)
			return line_error(error, lineno, "more events than the header declares");
		if (kind == LACTD_CAP_MARK) {
			if (tok->len != 3 || !t[2].quoted)
				return line_error(error, lineno, "expected: mark TIME \"TEXT\"");
			ev = g_new0(LactdCapEvent, 1);
			ev->text = g_strdup(t[2].word);
		} else {
			g_autoptr(GBytes) value = NULL;
			guint16 handle;

			if (tok->len != 5 || t[2].quoted || t[3].quoted || t[4].quoted)
				return line_error(error, lineno,
						  "expected: KIND TIME UUID|- HANDLE HEX|-");
			if (strcmp(t[2].word, "-") != 0 && !is_uuid128(t[2].word))
				return line_error(
					error, lineno,
					"characteristic UUID is not a lowercase 128-bit UUID or -");
			if (!parse_handle(t[3].word, &handle))
				return line_error(error, lineno, "handle is not 0xHHHH");
			value = parse_value(t[4].word, &why);
			if (value == NULL)
				return line_error(error, lineno, why);
			ev = g_new0(LactdCapEvent, 1);
			ev->uuid = strcmp(t[2].word, "-") == 0 ? NULL : g_strdup(t[2].word);
			ev->handle = handle;
			ev->value = g_steal_pointer(&value);
		}
		ev->time_us = time_us;
		ev->kind = kind;
		g_ptr_array_add(cap->events, ev);
		return TRUE;
	}
	return line_error(error, lineno, "unknown keyword");
}

LactdCapFile *
lactd_capfile_parse(const char *text, gsize len, GError **error)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autoptr(GArray) tok = g_array_new(FALSE, TRUE, sizeof(LactdCapToken));
	ParseState st = { .cap = cap };
	gboolean have_header = FALSE;
	guint lineno = 0;
	gsize pos = 0;

	g_array_set_clear_func(tok, lactd_cap_token_clear);
	while (pos < len) {
		const char *line = text + pos;
		const char *nl = memchr(line, '\n', len - pos);
		gsize n = nl ? (gsize)(nl - line) : len - pos;
		const char *why = "";

		pos += n + (nl ? 1 : 0);
		if (lineno == G_MAXUINT)
			return line_error(error, lineno, "too many lines"), NULL;
		lineno++;
		if (n > 0 && line[n - 1] == '\r')
			n--;
		if (memchr(line, '\0', n) != NULL) {
			line_error(error, lineno, "NUL byte");
			return NULL;
		}
		g_array_set_size(tok, 0);
		if (!lactd_capfile_tokenize(line, n, tok, &why)) {
			line_error(error, lineno, why);
			return NULL;
		}
		if (!have_header) {
			/* The header is the first line, before any comment. */
			if (!parse_header(&st, tok, lineno, error))
				return NULL;
			have_header = TRUE;
			continue;
		}
		if (tok->len == 0)
			continue;
		if (!parse_line(&st, tok, lineno, error))
			return NULL;
	}
	if (!have_header) {
		line_error(error, 1, "empty file, not a lactd capture");
		return NULL;
	}
	if ((st.seen & (SEEN_START | SEEN_END)) != (SEEN_START | SEEN_END)) {
		line_error(error, lineno, "file ends without its start and end lines");
		return NULL;
	}
	if (cap->chars->len != st.want_chars || cap->events->len != st.want_events) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "line %u: file ends with %u characteristics and %u events, the header "
			    "declares %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT
			    " (truncated?)",
			    lineno, cap->chars->len, cap->events->len, st.want_chars,
			    st.want_events);
		return NULL;
	}
	return g_steal_pointer(&cap);
}

LactdCapFile *
lactd_capfile_load(const char *path, GError **error)
{
	g_autofree char *text = NULL;
	gsize len = 0;
	LactdCapFile *cap;

	if (!g_file_get_contents(path, &text, &len, error))
		return NULL;
	cap = lactd_capfile_parse(text, len, error);
	if (cap == NULL)
		g_prefix_error(error, "%s: ", path);
	return cap;
}
