/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture files: the structure, its text format (docs/capture-format.md)
 * and the readable dump `lactctl capture show` prints.
 */
#include "config.h"

#include "lactd-capfile.h"

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
cap_char_free(gpointer p)
{
	LactdCapChar *c = p;

	g_free(c->uuid);
	g_free(c->flags);
	g_free(c->service_uuid);
	g_free(c);
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
	cap->chars = g_ptr_array_new_with_free_func(cap_char_free);
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
append_quoted(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const char *p = s; *p != '\0'; p++) {
		guchar c = (guchar)*p;

		switch (c) {
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
			if (c < 0x20 || c == 0x7f)
				g_string_append_printf(out, "\\x%02x", c);
			else
				g_string_append_c(out, (char)c);
		}
	}
	g_string_append_c(out, '"');
}

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

/* ISO 8601 UTC with microseconds, or "?" when GDateTime cannot hold it. */
static char *
iso8601(gint64 time_us)
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

static char *
relative(gint64 time_us, gint64 start_us)
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
	g_autofree char *start = iso8601(cap->start_us);
	g_autofree char *end = iso8601(cap->end_us);

	g_string_append_printf(out, "%s %d chars=%u events=%u\n", FORMAT_MAGIC, FORMAT_VERSION,
			       cap->chars->len, cap->events->len);
	g_string_append(out, "address ");
	append_quoted(out, cap->address ? cap->address : "");
	g_string_append(out, "\nname ");
	append_quoted(out, cap->name ? cap->name : "");
	g_string_append(out, "\nsource ");
	append_quoted(out, cap->source ? cap->source : "");
	g_string_append_printf(out, "\nstart %" G_GINT64_FORMAT " # %s\n", cap->start_us, start);
	g_string_append_printf(out, "end %" G_GINT64_FORMAT " # %s\n", cap->end_us, end);
	g_string_append(out, "# char UUID HANDLE FLAGS SERVICE\n");
	for (guint i = 0; i < cap->chars->len; i++) {
		const LactdCapChar *c = g_ptr_array_index(cap->chars, i);

		g_string_append_printf(out, "char %s 0x%04x ", c->uuid, c->handle);
		append_quoted(out, c->flags ? c->flags : "");
		g_string_append_printf(out, " %s\n", c->service_uuid ? c->service_uuid : "-");
	}
	g_string_append(out, "# KIND TIME_US UUID HANDLE VALUE | mark TIME_US TEXT\n");
	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		g_autofree char *iso = iso8601(ev->time_us);
		g_autofree char *rel = relative(ev->time_us, cap->start_us);

		g_string_append_printf(out, "%s %" G_GINT64_FORMAT " ",
				       lactd_cap_kind_to_string(ev->kind), ev->time_us);
		if (ev->kind == LACTD_CAP_MARK) {
			append_quoted(out, ev->text ? ev->text : "");
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

typedef struct {
	char *word; /* the token's text, unescaped when quoted */
	gboolean quoted;
} Token;

static void
token_clear(gpointer p)
{
	Token *t = p;

	g_free(t->word);
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Splits a line into words and quoted strings; a '#' outside quotes starts
 * a comment. */
static gboolean
tokenize(const char *line, gsize len, GArray *tokens, const char **why)
{
	gsize i = 0;

	while (i < len) {
		Token t = { 0 };

		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if (line[i] == '"') {
			GString *s = g_string_new(NULL);

			i++;
			for (;;) {
				char c;

				if (i >= len) {
					g_string_free(s, TRUE);
					*why = "unterminated quoted text";
					return FALSE;
				}
				c = line[i++];
				if (c == '"')
					break;
				if ((guchar)c < 0x20 || c == 0x7f) {
					g_string_free(s, TRUE);
					*why = "control character in quoted text (use an escape)";
					return FALSE;
				}
				if (c != '\\') {
					g_string_append_c(s, c);
					continue;
				}
				if (i >= len) {
					g_string_free(s, TRUE);
					*why = "unterminated escape";
					return FALSE;
				}
				c = line[i++];
				switch (c) {
				case '"':
				case '\\':
					g_string_append_c(s, c);
					break;
				case 'n':
					g_string_append_c(s, '\n');
					break;
				case 'r':
					g_string_append_c(s, '\r');
					break;
				case 't':
					g_string_append_c(s, '\t');
					break;
				case 'x': {
					int hi = i + 1 < len ? hexval(line[i]) : -1;
					int lo = i + 1 < len ? hexval(line[i + 1]) : -1;

					if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
						g_string_free(s, TRUE);
						*why = "bad \\x escape (two hex digits, not 00)";
						return FALSE;
					}
					g_string_append_c(s, (char)(hi * 16 + lo));
					i += 2;
					break;
				}
				default:
					g_string_free(s, TRUE);
					*why = "unknown escape in quoted text";
					return FALSE;
				}
			}
			if (i < len && line[i] != ' ' && line[i] != '\t') {
				g_string_free(s, TRUE);
				*why = "no space after quoted text";
				return FALSE;
			}
			if (!g_utf8_validate(s->str, (gssize)s->len, NULL)) {
				g_string_free(s, TRUE);
				*why = "quoted text is not UTF-8";
				return FALSE;
			}
			if (s->len > LACTD_CAPFILE_MAX_TEXT) {
				g_string_free(s, TRUE);
				*why = "quoted text too long";
				return FALSE;
			}
			t.quoted = TRUE;
			t.word = g_string_free(s, FALSE);
		} else {
			gsize start = i;

			while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				if (line[i] == '"' || (guchar)line[i] < 0x20 ||
				    (guchar)line[i] >= 0x7f) {
					*why = "unexpected character";
					return FALSE;
				}
				i++;
			}
			t.word = g_strndup(line + start, i - start);
		}
		g_array_append_val(tokens, t);
	}
	return TRUE;
}

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
		int h = hexval(s[i]);
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
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
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
	Token *t = (Token *)tok->data;
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
	Token *t = (Token *)tok->data;
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
	g_autoptr(GArray) tok = g_array_new(FALSE, TRUE, sizeof(Token));
	ParseState st = { .cap = cap };
	gboolean have_header = FALSE;
	guint lineno = 0;
	gsize pos = 0;

	g_array_set_clear_func(tok, token_clear);
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
		if (!tokenize(line, n, tok, &why)) {
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

/* ------------------------------------------------------------------------ */
/* The readable dump */

typedef struct {
	char *label;		/* UUID, or "handle 0xHHHH" when unknown */
	guint16 handle;
	guint counts[LACTD_CAP_MARK]; /* by kind */
	GPtrArray *from_device; /* GBytes: notify, indicate, read */
	GPtrArray *written;	/* GBytes: write */
} Summary;

static void
summary_free(gpointer p)
{
	Summary *s = p;

	g_free(s->label);
	g_ptr_array_unref(s->from_device);
	g_ptr_array_unref(s->written);
	g_free(s);
}

static char *
event_label(const LactdCapEvent *ev)
{
	if (ev->uuid != NULL)
		return g_strdup(ev->uuid);
	return g_strdup_printf("handle 0x%04x", ev->handle);
}

static void
append_hex_spaced(GString *out, const guint8 *d, gsize len, const char *indent)
{
	if (len == 0) {
		g_string_append(out, "(empty)");
		return;
	}
	for (gsize i = 0; i < len; i++) {
		if (i > 0 && i % 16 == 0)
			g_string_append_printf(out, "\n%s", indent);
		else if (i > 0)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "%02x", d[i]);
	}
}

/* What a person decoding a device looks for first: the lengths, the bytes
 * that never move (headers, flags, type codes) and the bytes that count
 * up (sequence numbers, cumulative volumes, timers). */
static void
append_analysis(GString *out, GPtrArray *values)
{
	g_autoptr(GString) lens = g_string_new(NULL);
	g_autoptr(GString) constant = g_string_new(NULL);
	g_autoptr(GString) by_one = g_string_new(NULL);
	g_autoptr(GString) mono = g_string_new(NULL);
	g_autoptr(GString) le16 = g_string_new(NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
	gsize max_len = 0;

	for (guint i = 0; i < values->len; i++) {
		gsize len = g_bytes_get_size(g_ptr_array_index(values, i));

		if (!g_hash_table_contains(seen, GSIZE_TO_POINTER(len + 1))) {
			g_hash_table_add(seen, GSIZE_TO_POINTER(len + 1));
			g_string_append_printf(lens, "%s%" G_GSIZE_FORMAT,
					       lens->len ? ", " : "", len);
		}
		max_len = MAX(max_len, len);
	}
	g_string_append_printf(out, "    lengths: %s\n", lens->str);
	if (values->len < 2)
		return;

	for (gsize p = 0; p < max_len; p++) {
		gboolean is_const = TRUE, is_by_one = TRUE, is_mono = TRUE, rose = FALSE;
		gboolean w_mono = p + 1 < max_len, w_rose = FALSE;
		int prev = -1, first = -1;
		gint64 wprev = -1;
		guint n = 0;

		for (guint i = 0; i < values->len; i++) {
			gsize len;
			const guint8 *d = g_bytes_get_data(g_ptr_array_index(values, i), &len);

			if (p + 1 < len) {
				gint64 w = d[p] | (d[p + 1] << 8);
				if (wprev >= 0 && w < wprev)
					w_mono = FALSE;
				if (wprev >= 0 && w > wprev)
					w_rose = TRUE;
				wprev = w;
			}
			if (p >= len)
				continue;
			n++;
			if (first < 0)
				first = d[p];
			if (d[p] != first)
				is_const = FALSE;
			if (prev >= 0) {
				if (d[p] != ((prev + 1) & 0xff))
					is_by_one = FALSE;
				if (d[p] < prev)
					is_mono = FALSE;
				if (d[p] > prev)
					rose = TRUE;
			}
			prev = d[p];
		}
		if (n < 2)
			continue;
		if (is_const)
			g_string_append_printf(constant, "%s%" G_GSIZE_FORMAT "=%02x",
					       constant->len ? " " : "", p, (guint)first);
		else if (is_by_one)
			g_string_append_printf(by_one, "%s%" G_GSIZE_FORMAT,
					       by_one->len ? " " : "", p);
		else if (is_mono && rose)
			g_string_append_printf(mono, "%s%" G_GSIZE_FORMAT, mono->len ? " " : "",
					       p);
		/* A 16-bit little-endian counter whose low byte wraps is not
		 * monotonic byte by byte: show it as a pair. */
		else if (w_mono && w_rose)
			g_string_append_printf(le16, "%s%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT,
					       le16->len ? " " : "", p, p + 1);
	}
	g_string_append_printf(out, "    constant bytes (position=value): %s\n",
			       constant->len ? constant->str : "none");
	g_string_append_printf(out, "    count up by one: %s\n",
			       by_one->len ? by_one->str : "none");
	g_string_append_printf(out, "    rise monotonically: %s\n",
			       mono->len ? mono->str : "none");
	if (le16->len)
		g_string_append_printf(out, "    rise as 16-bit little-endian: %s\n", le16->str);
}

char *
lactd_capfile_describe(const LactdCapFile *cap)
{
	GString *out = g_string_new(NULL);
	g_autoptr(GPtrArray) sums = g_ptr_array_new_with_free_func(summary_free);
	g_autoptr(GHashTable) by_label = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *start = iso8601(cap->start_us);
	g_autofree char *end = iso8601(cap->end_us);
	g_autofree char *dur = relative(cap->end_us, cap->start_us);

	g_string_append_printf(out, "Capture of %s", *cap->address ? cap->address : "(unknown)");
	if (cap->name && *cap->name)
		g_string_append_printf(out, " \"%s\"", cap->name);
	g_string_append_printf(out, " from %s\n", cap->source ? cap->source : "?");
	g_string_append_printf(out, "From %s to %s (%s s), %u events\n", start, end, dur + 1,
			       cap->events->len);

	if (cap->chars->len > 0) {
		g_string_append(out, "\nCharacteristics:\n");
		for (guint i = 0; i < cap->chars->len; i++) {
			const LactdCapChar *c = g_ptr_array_index(cap->chars, i);

			g_string_append_printf(out, "  0x%04x %s [%s]", c->handle, c->uuid,
					       c->flags);
			if (c->service_uuid)
				g_string_append_printf(out, " in service %s", c->service_uuid);
			g_string_append_c(out, '\n');
		}
	}

	g_string_append(out, "\nEvents (seconds from start, UTC time):\n");
	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		g_autofree char *rel = relative(ev->time_us, cap->start_us);
		g_autofree char *iso = iso8601(ev->time_us);
		g_autofree char *label = NULL;
		g_autofree char *key = NULL;
		Summary *s;
		gsize len = 0;
		const guint8 *d;

		g_string_append_printf(out, "%12s  %s  ", rel, iso);
		if (ev->kind == LACTD_CAP_MARK) {
			g_autoptr(GString) q = g_string_new(NULL);

			append_quoted(q, ev->text ? ev->text : "");
			g_string_append_printf(out, "---- mark %s\n", q->str);
			continue;
		}
		label = event_label(ev);
		d = ev->value ? g_bytes_get_data(ev->value, &len) : NULL;
		g_string_append_printf(out, "%-8s 0x%04x %s\n%40s", lactd_cap_kind_to_string(ev->kind),
				       ev->handle, label, "");
		append_hex_spaced(out, d, len, "                                        ");
		g_string_append_c(out, '\n');

		/* One summary per characteristic: by UUID and handle, so that
		 * each CCCD (one UUID, many handles) is its own. */
		key = g_strdup_printf("%s@%04x", label, ev->handle);
		s = g_hash_table_lookup(by_label, key);
		if (s == NULL) {
			s = g_new0(Summary, 1);
			s->label = g_strdup(label);
			s->handle = ev->handle;
			s->from_device = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			s->written = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			g_ptr_array_add(sums, s);
			g_hash_table_insert(by_label, g_steal_pointer(&key), s);
		}
		if ((guint)ev->kind < G_N_ELEMENTS(s->counts))
			s->counts[ev->kind]++;
		g_ptr_array_add(ev->kind == LACTD_CAP_WRITE ? s->written : s->from_device,
				g_bytes_ref(ev->value));
	}

	g_string_append(out, "\nSummary by characteristic:\n");
	if (sums->len == 0)
		g_string_append(out, "  (no values)\n");
	for (guint i = 0; i < sums->len; i++) {
		Summary *s = g_ptr_array_index(sums, i);

		g_string_append_printf(out, "  %s", s->label);
		if (!g_str_has_prefix(s->label, "handle "))
			g_string_append_printf(out, " (handle 0x%04x)", s->handle);
		g_string_append_printf(out, ": %u notify, %u indicate, %u read, %u write\n",
				       s->counts[LACTD_CAP_NOTIFY],
				       s->counts[LACTD_CAP_INDICATE], s->counts[LACTD_CAP_READ],
				       s->counts[LACTD_CAP_WRITE]);
		if (s->from_device->len > 0) {
			g_string_append_printf(out, "   from the device (%u values):\n",
					       s->from_device->len);
			append_analysis(out, s->from_device);
		}
		if (s->written->len > 0) {
			g_string_append_printf(out, "   written to the device (%u values):\n",
					       s->written->len);
			append_analysis(out, s->written);
		}
	}
	return g_string_free(out, FALSE);
}
