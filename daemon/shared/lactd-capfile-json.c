/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The capture file's lines: words, comments and quoted text. Quoted text is
 * a JSON string, written by json-glib's generator and read by its parser;
 * this file only finds where a quoted text ends and enforces the format's
 * own rules on it (docs/capture-format.md): no raw control character, the
 * escapes JSON defines, and the `\xHH` escape that files written before
 * json-glib use for control characters, handed to the parser as `\u00HH`.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "lactd-capfile-private.h"

void
lactd_cap_token_clear(gpointer p)
{
	LactdCapToken *t = p;

	g_free(t->word);
}

void
lactd_capfile_append_quoted(GString *out, const char *s)
{
	g_autoptr(JsonNode) node = json_node_new(JSON_NODE_VALUE);
	g_autofree char *text = NULL;

	json_node_set_string(node, s);
	text = json_to_string(node, FALSE);
	g_string_append(out, text);
}

static gboolean
is_control(guchar c)
{
	return c < 0x20 || c == 0x7f;
}

/* The four hex digits at text[i] as a number, or -1. */
static int
hex4(const char *text, gsize i, gsize len)
{
	int v = 0;

	if (i + 4 > len)
		return -1;
	for (gsize k = i; k < i + 4; k++) {
		int d = g_ascii_xdigit_value(text[k]);
		if (d < 0)
			return -1;
		v = v * 16 + d;
	}
	return v;
}

/*
 * The escape at text[i] (after the backslash), checked and copied into json
 * in the parser's form. Returns the escape's length, or 0 with *why set.
 */
static gsize
copy_escape(const char *text, gsize i, gsize len, GString *json, const char **why)
{
	int hi, lo, u;

	if (i >= len) {
		*why = "unterminated escape";
		return 0;
	}
	switch (text[i]) {
	case '"':
	case '\\':
	case '/':
	case 'b':
	case 'f':
	case 'n':
	case 'r':
	case 't':
		g_string_append_c(json, '\\');
		g_string_append_c(json, text[i]);
		return 1;
	case 'u':
		u = i + 4 < len ? hex4(text, i + 1, len) : -1;
		if (u <= 0) {
			*why = "bad \\u escape (four hex digits, not 0000)";
			return 0;
		}
		/* UTF-16: a surrogate only as a pair, high then low. (json-glib
		 * would read a lone one as bytes that are not UTF-8, and leaks
		 * memory on some of them.) */
		if (u >= 0xdc00 && u <= 0xdfff) {
			*why = "bad \\u escape (a surrogate without its pair)";
			return 0;
		}
		if (u >= 0xd800 && u <= 0xdbff) {
			lo = i + 10 < len && text[i + 5] == '\\' && text[i + 6] == 'u'
				 ? hex4(text, i + 7, len)
				 : -1;
			if (lo < 0xdc00 || lo > 0xdfff) {
				*why = "bad \\u escape (a surrogate without its pair)";
				return 0;
			}
			g_string_append_c(json, '\\');
			g_string_append_len(json, text + i, 11);
			return 11;
		}
		g_string_append_c(json, '\\');
		g_string_append_len(json, text + i, 5);
		return 5;
	case 'x':
		hi = i + 2 < len ? g_ascii_xdigit_value(text[i + 1]) : -1;
		lo = i + 2 < len ? g_ascii_xdigit_value(text[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			*why = "bad \\x escape (two hex digits, not 00)";
			return 0;
		}
		/* A byte of 0x80 and above was a raw byte of UTF-8: kept as
		 * such, and the whole checked as UTF-8 below. */
		if (hi * 16 + lo < 0x80)
			g_string_append_printf(json, "\\u00%c%c", text[i + 1], text[i + 2]);
		else
			g_string_append_c(json, (char)(hi * 16 + lo));
		return 3;
	default:
		*why = "unknown escape in quoted text";
		return 0;
	}
}

/* The quoted text starting at line[*pos] ('"'): its unescaped text, *pos
 * moved past it. */
static char *
read_quoted(const char *line, gsize len, gsize *pos, const char **why)
{
	g_autoptr(GString) json = g_string_new("\"");
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	JsonNode *root;
	gsize i = *pos + 1;

	for (;;) {
		gsize n;

		if (i >= len) {
			*why = "unterminated quoted text";
			return NULL;
		}
		if (line[i] == '"')
			break;
		if (is_control((guchar)line[i])) {
			*why = "control character in quoted text (use an escape)";
			return NULL;
		}
		if (line[i] != '\\') {
			g_string_append_c(json, line[i++]);
			continue;
		}
		n = copy_escape(line, i + 1, len, json, why);
		if (n == 0)
			return NULL;
		i += 1 + n;
	}
	i++;
	g_string_append_c(json, '"');
	if (i < len && line[i] != ' ' && line[i] != '\t') {
		*why = "no space after quoted text";
		return NULL;
	}
	if (!g_utf8_validate(json->str, (gssize)json->len, NULL)) {
		*why = "quoted text is not UTF-8";
		return NULL;
	}
	if (!json_parser_load_from_data(parser, json->str, (gssize)json->len, &error) ||
	    (root = json_parser_get_root(parser)) == NULL ||
	    json_node_get_value_type(root) != G_TYPE_STRING) {
		*why = "quoted text is not a valid string";
		return NULL;
	}
	/* Whatever the parser made must be UTF-8, or it could not be written
	 * back as it was read (the surrogates are checked above already). */
	if (!g_utf8_validate(json_node_get_string(root), -1, NULL)) {
		*why = "bad \\u escape (a surrogate without its pair)";
		return NULL;
	}
	if (strlen(json_node_get_string(root)) > LACTD_CAPFILE_MAX_TEXT) {
		*why = "quoted text too long";
		return NULL;
	}
	*pos = i;
	return json_node_dup_string(root);
}

gboolean
lactd_capfile_tokenize(const char *line, gsize len, GArray *tokens, const char **why)
{
	gsize i = 0;

	while (i < len) {
		LactdCapToken t = {0};

		if (line[i] == ' ' || line[i] == '\t') {
			i++;
			continue;
		}
		if (line[i] == '#')
			break;
		if (line[i] == '"') {
			t.word = read_quoted(line, len, &i, why);
			if (t.word == NULL)
				return FALSE;
			t.quoted = TRUE;
		} else {
			gsize start = i;

			while (i < len && line[i] != ' ' && line[i] != '\t' && line[i] != '#') {
				if (line[i] == '"' || is_control((guchar)line[i]) ||
				    (guchar)line[i] > 0x7f) {
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
