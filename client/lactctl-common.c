/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lactctl-common.h"
#include "lactctl-util.h"

gboolean
lactctl_options(LactctlCtx *ctx, const char *params, const char *summary,
		const char *description, const GOptionEntry *entries, int *argc, char ***argv,
		int *rc)
{
	g_autoptr(GOptionContext) oc = g_option_context_new(params);
	g_autoptr(GError) error = NULL;
	g_autofree char *prgname = g_strdup_printf("lactctl %s", ctx->command);

	/* GOption's help names the program as g_get_prgname() says. */
	g_set_prgname(prgname);
	if (summary != NULL)
		g_option_context_set_summary(oc, summary);
	if (description != NULL)
		g_option_context_set_description(oc, description);
	if (entries != NULL)
		g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, argc, argv, &error)) {
		*rc = lactctl_usage(ctx, "%s", error->message);
		return FALSE;
	}
	/* "--" ends the options; it is not a word of the command. */
	if (*argc > 1 && g_str_equal((*argv)[1], "--")) {
		memmove(&(*argv)[1], &(*argv)[2], sizeof(char *) * (gsize)(*argc - 1));
		(*argc)--;
	}
	return TRUE;
}

int
lactctl_usage(LactctlCtx *ctx, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_printerr("lactctl %s: %s\nTry 'lactctl %s --help'.\n", ctx->command, msg, ctx->command);
	return LACTCTL_EXIT_USAGE;
}

int
lactctl_expect_words(LactctlCtx *ctx, int argc, char **argv, int min, int max, const char *what)
{
	if (argc - 1 > max)
		return lactctl_usage(ctx, "unexpected '%s'%s", argv[max + 1],
				     strchr(argv[max + 1], ' ') == NULL ? "" : " (quote a text once)");
	if (argc - 1 < min)
		return lactctl_usage(ctx, "needs %s", what);
	return 0;
}

int
lactctl_connect(LactctlCtx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *owner = NULL;
	const char *zone;

	ctx->bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (ctx->bus == NULL) {
		g_printerr("lactctl: cannot reach the system bus: %s\n", error->message);
		return LACTCTL_EXIT_NOBUS;
	}
	ctx->manager = lactd_manager1_proxy_new_sync(
	    ctx->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION, "org.lactd", "/org/lactd",
	    NULL, &error);
	if (ctx->manager == NULL)
		return lactctl_fail(ctx, error);
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(ctx->manager), 30000);
	owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(ctx->manager));
	if (owner == NULL) {
		g_printerr("lactctl: lactd is not running: start it with 'systemctl start lactd'\n");
		return LACTCTL_EXIT_NOBUS;
	}
	/* Days and times are the daemon's, whatever this shell's TZ says. */
	zone = lactd_manager1_get_time_zone(ctx->manager);
	if (zone != NULL && zone[0] != '\0') {
		g_autoptr(GTimeZone) tz = g_time_zone_new_identifier(zone);
		if (tz != NULL)
			lactctl_set_time_zone(tz);
	}
	return 0;
}

/* D-Bus keys as the user typed them. */
static const struct {
	const char *key;
	const char *option;
} key_options[] = {
    {"left_ml", "--left"},
    {"right_ml", "--right"},
    {"supplement_ml", "--ml"},
    {"left_seconds", "--left-minutes"},
    {"right_seconds", "--right-minutes"},
    {"note", "--note"},
    {"method", "--method"},
    {"milk", "--milk"},
    {"kind", "KIND"},
    {"start", "the time (--start, --ago, --ended, --duration)"},
    {"end", "the time (--start, --ago, --ended, --duration)"},
    {"sessions_min", "--sessions"},
    {"sessions_max", "--sessions"},
    {"minutes_min", "--minutes"},
    {"minutes_max", "--minutes"},
    {"overnight_start", "--overnight"},
    {"overnight_end", "--overnight"},
    {"start_date", "--start"},
    {"name", "--name"},
    {"format", "FORMAT"},
    {"count", "--days"},
    {"from", "--since"},
    {"to", "--until"},
};

/* "right_ml: over 1000 mL" -> "--right: over 1000 mL" */
static char *
in_user_words(const char *message)
{
	const char *colon = strchr(message, ':');

	if (colon == NULL)
		return g_strdup(message);
	for (guint i = 0; i < G_N_ELEMENTS(key_options); i++) {
		gsize n = strlen(key_options[i].key);
		if ((gsize)(colon - message) == n && strncmp(message, key_options[i].key, n) == 0)
			return g_strdup_printf("%s%s", key_options[i].option, colon);
	}
	return g_strdup(message);
}

int
lactctl_fail(LactctlCtx *ctx, GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	g_autofree char *words = NULL;

	if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
	    g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
	    g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CLOSED)) {
		g_printerr("lactctl: lactd is not running: start it with 'systemctl start lactd' "
			   "(%s)\n",
			   error->message);
		return LACTCTL_EXIT_NOBUS;
	}
	g_dbus_error_strip_remote_error(error);
	words = in_user_words(error->message);
	if (g_strcmp0(remote, "org.lactd.Error.NotFound") == 0) {
		g_printerr("lactctl %s: %s\n", ctx->command, words);
		return LACTCTL_EXIT_NOTFOUND;
	}
	if (g_strcmp0(remote, "org.lactd.Error.InvalidArgs") == 0)
		g_printerr("lactctl %s: %s\n", ctx->command, words);
	else if (g_strcmp0(remote, "org.lactd.Error.AccessDenied") == 0 ||
		 g_strcmp0(remote, "org.freedesktop.DBus.Error.AccessDenied") == 0)
		g_printerr("lactctl %s: not allowed: %s\n"
			   "Members of the group lactd may use lactctl: "
			   "'sudo usermod -aG lactd $USER', then log in again.\n",
			   ctx->command, words);
	else if (g_strcmp0(remote, "org.lactd.Error.Storage") == 0)
		g_printerr("lactctl %s: lactd cannot store data: %s\n"
			   "'lactctl status' shows the storage state; lactd(8) says what to do.\n",
			   ctx->command, words);
	else
		g_printerr("lactctl %s: %s\n", ctx->command, words);
	return LACTCTL_EXIT_DAEMON;
}

void
lactctl_print_json(GVariant *value)
{
	g_autoptr(GString) out = g_string_new(NULL);

	lactctl_json_value(out, value);
	g_print("%s\n", out->str);
}

const char *
lactctl_not_measured(void)
{
	return g_get_charset(NULL) ? "—" : "-";
}

char *
lactctl_cell_text(const char *text, guint max_chars)
{
	g_autoptr(GString) out = g_string_new(NULL);
	const char *p;
	guint n = 0;

	if (text == NULL)
		return g_strdup("");
	if (!g_utf8_validate(text, -1, NULL))
		return g_strdup("?");
	for (p = text; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (max_chars > 0 && n == max_chars) {
			g_string_append(out, g_get_charset(NULL) ? "…" : "...");
			break;
		}
		if (g_unichar_iscntrl(c))
			c = ' ';
		g_string_append_unichar(out, c);
		n++;
	}
	return g_string_free(g_steal_pointer(&out), FALSE);
}

/* ---- tables ------------------------------------------------------------------- */

struct _LactctlTable {
	guint columns;
	GPtrArray *rows; /* GStrv, the first the headers */
};

LactctlTable *
lactctl_table_new(const char *const *headers)
{
	LactctlTable *t = g_new0(LactctlTable, 1);

	t->columns = g_strv_length((char **)headers);
	t->rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_strfreev);
	g_ptr_array_add(t->rows, g_strdupv((char **)headers));
	return t;
}

void
lactctl_table_add_strv(LactctlTable *table, char **cells)
{
	g_return_if_fail(g_strv_length(cells) == table->columns);
	g_ptr_array_add(table->rows, cells);
}

void
lactctl_table_add(LactctlTable *table, ...)
{
	g_autoptr(GPtrArray) cells = g_ptr_array_new();
	va_list ap;
	const char *c;

	va_start(ap, table);
	while ((c = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(cells, lactctl_cell_text(c, 0));
	va_end(ap);
	g_ptr_array_add(cells, NULL);
	lactctl_table_add_strv(table, (char **)g_ptr_array_free(g_steal_pointer(&cells), FALSE));
}

void
lactctl_table_print(LactctlTable *table)
{
	g_autofree guint *width = g_new0(guint, table->columns);
	char **headers = g_ptr_array_index(table->rows, 0);

	for (guint r = 0; r < table->rows->len; r++) {
		char **row = g_ptr_array_index(table->rows, r);
		for (guint c = 0; c < table->columns; c++) {
			const char *cell = row[c] + (r == 0 && row[c][0] == '>');
			width[c] = MAX(width[c], (guint)g_utf8_strlen(cell, -1));
		}
	}
	for (guint r = 0; r < table->rows->len; r++) {
		char **row = g_ptr_array_index(table->rows, r);
		g_autoptr(GString) line = g_string_new(NULL);
		for (guint c = 0; c < table->columns; c++) {
			gboolean right = headers[c][0] == '>';
			const char *cell = row[c] + (r == 0 && right);
			guint pad = width[c] - (guint)g_utf8_strlen(cell, -1);
			gboolean last = c == table->columns - 1;
			if (c > 0)
				g_string_append(line, "  ");
			if (right)
				g_string_append_printf(line, "%*s", pad, "");
			g_string_append(line, cell);
			if (!right && !last)
				g_string_append_printf(line, "%*s", pad, "");
		}
		while (line->len > 0 && line->str[line->len - 1] == ' ')
			g_string_truncate(line, line->len - 1);
		g_print("%s\n", line->str);
	}
}

void
lactctl_table_free(LactctlTable *table)
{
	if (table == NULL)
		return;
	g_ptr_array_unref(table->rows);
	g_free(table);
}

gboolean
lactctl_parse_id(const char *text, guint64 *id)
{
	char *end = NULL;

	if (text == NULL || !g_ascii_isdigit(text[0]))
		return FALSE;
	*id = g_ascii_strtoull(text, &end, 10);
	return *end == '\0' && *id > 0;
}
