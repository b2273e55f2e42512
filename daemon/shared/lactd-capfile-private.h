/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the capture file's own files share: the line tokenizer and quoted
 * text (lactd-capfile-json.c), and the time formats its writer and its
 * readable dump both print. Not for use outside the capture file code.
 */
#pragma once

#include <glib.h>

#include "lactd-capfile.h"

G_BEGIN_DECLS

typedef struct {
	char *word; /* the token's text, unescaped when quoted */
	gboolean quoted;
} LactdCapToken;

/* Clear function for a GArray of LactdCapToken. */
void lactd_cap_token_clear(gpointer p);

/*
 * lactd_capfile_tokenize:
 * Splits one line into words and quoted texts; a '#' outside quotes starts
 * a comment. FALSE with *why set to a static reason when the line is
 * malformed.
 */
gboolean lactd_capfile_tokenize(const char *line, gsize len, GArray *tokens, const char **why);
/* Appends s as quoted text: a JSON string, as JsonGenerator writes it. */
void lactd_capfile_append_quoted(GString *out, const char *s);

/* ISO 8601 UTC with microseconds, or "?" when GDateTime cannot hold it. */
char *lactd_capfile_iso8601(gint64 time_us);
/* Seconds from start_us, signed, with microseconds: "+1.500000". */
char *lactd_capfile_relative(gint64 time_us, gint64 start_us);

G_END_DECLS
