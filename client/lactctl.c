/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactctl: the command-line client of lactd (org.lactd on the system bus).
 *
 * Exit codes: 0 ok; 1 an error from the daemon or bad data; 2 usage;
 * 3 the daemon is not running or not reachable; 4 not found.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <gio/gunixfdlist.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lactctl-capture.h"
#include "lactctl-progress.h"
#include "lactctl-util.h"
#include "lactd-dbus.h"

#define EXIT_DAEMON   1
#define EXIT_USAGE    2
#define EXIT_NOBUS    3
#define EXIT_NOTFOUND 4

typedef struct {
	GDBusConnection *bus;
	LactdManager1 *manager;
	gboolean json;
} Ctl;

static int
fail_error(GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);
	int code = EXIT_DAEMON;

	if (g_strcmp0(remote, "org.lactd.Error.NotFound") == 0)
		code = EXIT_NOTFOUND;
	else if (g_strcmp0(remote, "org.freedesktop.DBus.Error.ServiceUnknown") == 0 ||
		 g_strcmp0(remote, "org.freedesktop.DBus.Error.NameHasNoOwner") == 0 ||
		 g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
		 g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED)) {
		g_printerr("lactctl: lactd is not running (%s)\n", error->message);
		return EXIT_NOBUS;
	}
	g_dbus_error_strip_remote_error(error);
	if (g_strcmp0(remote, "org.lactd.Error.InvalidArgs") == 0)
		g_printerr("lactctl: invalid arguments: %s\n", error->message);
	else if (g_strcmp0(remote, "org.lactd.Error.AccessDenied") == 0)
		g_printerr("lactctl: not allowed: %s\n", error->message);
	else
		g_printerr("lactctl: %s\n", error->message);
	return code;
}

static int usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

static int
usage(const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_printerr("lactctl: %s\nTry 'lactctl --help'.\n", msg);
	return EXIT_USAGE;
}

static int
connect_ctl(Ctl *ctl)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *owner = NULL;

	ctl->bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (ctl->bus == NULL) {
		g_printerr("lactctl: cannot reach the system bus: %s\n", error->message);
		return EXIT_NOBUS;
	}
	ctl->manager = lactd_manager1_proxy_new_sync(
	    ctl->bus, G_DBUS_PROXY_FLAGS_DO_NOT_AUTO_START_AT_CONSTRUCTION, "org.lactd", "/org/lactd",
	    NULL, &error);
	if (ctl->manager == NULL)
		return fail_error(error);
	g_dbus_proxy_set_default_timeout(G_DBUS_PROXY(ctl->manager), 30000);
	owner = g_dbus_proxy_get_name_owner(G_DBUS_PROXY(ctl->manager));
	if (owner == NULL) {
		g_printerr("lactctl: lactd is not running (no owner of org.lactd on the system bus)\n");
		return EXIT_NOBUS;
	}
	return 0;
}

/* ---- sessions -------------------------------------------------------------------- */

static void
print_session_json(GString *out, GVariant *s)
{
	lactctl_json_vardict(out, s);
}

static void
print_session_row(GVariant *s)
{
	gint64 start = 0, end = 0;
	double left = 0, right = 0, total = 0, sup = 0;
	const char *kind = "", *source = "", *note = "";
	guint64 id = 0;
	gboolean interrupted = FALSE;
	g_autofree char *when = NULL;

	g_variant_lookup(s, "id", "t", &id);
	g_variant_lookup(s, "start", "x", &start);
	g_variant_lookup(s, "end", "x", &end);
	g_variant_lookup(s, "kind", "&s", &kind);
	g_variant_lookup(s, "source", "&s", &source);
	g_variant_lookup(s, "left_ml", "d", &left);
	g_variant_lookup(s, "right_ml", "d", &right);
	g_variant_lookup(s, "total_ml", "d", &total);
	g_variant_lookup(s, "supplement_ml", "d", &sup);
	g_variant_lookup(s, "interrupted", "b", &interrupted);
	g_variant_lookup(s, "note", "&s", &note);
	when = lactctl_format_local(start);
	if (g_str_equal(kind, "supplement"))
		g_print("%6" G_GUINT64_FORMAT "  %-16s %5s  %-10s %7s %7s %7.1f  %-7s %s\n", id, when,
			"", kind, "", "", sup, source, note);
	else
		g_print("%6" G_GUINT64_FORMAT "  %-16s %3" G_GINT64_FORMAT "m  %-10s %7.1f %7.1f %7.1f  %-7s %s%s\n",
			id, when, (end - start) / G_TIME_SPAN_MINUTE, kind, left, right, total, source,
			interrupted ? "[interrupted] " : "", note);
}

static void
print_session_header(void)
{
	g_print("%6s  %-16s %5s  %-10s %7s %7s %7s  %-7s %s\n", "ID", "START", "TIME", "KIND",
		"LEFT", "RIGHT", "TOTAL", "SOURCE", "NOTE");
}

static int
cmd_sessions(Ctl *ctl, int argc, char **argv)
{
	g_autofree char *since = NULL, *until = NULL;
	const GOptionEntry entries[] = {
	    {"since", 's', 0, G_OPTION_ARG_STRING, &since, "From (7d, 12h, today, YYYY-MM-DD); default 7d", "WHEN"},
	    {"until", 'u', 0, G_OPTION_ARG_STRING, &until, "Until (default now)", "WHEN"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "JSON for scripts", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- list recorded sessions");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	gint64 from, to = G_MAXINT64;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (!lactctl_parse_when(since != NULL ? since : "7d", &from, &error) ||
	    (until != NULL && !lactctl_parse_when(until, &to, &error)))
		return usage("%s", error->message);
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_list_sessions_sync(ctl->manager, from, to, &list, NULL, &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, list);
		g_print("%s\n", out->str);
		return 0;
	}
	if (g_variant_n_children(list) == 0) {
		g_print("No sessions in that time yet.\n");
		return 0;
	}
	print_session_header();
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(list, i);
		print_session_row(s);
	}
	return 0;
}

static gboolean
parse_id(const char *text, guint64 *id)
{
	char *end = NULL;

	if (text == NULL || !g_ascii_isdigit(text[0]))
		return FALSE;
	*id = g_ascii_strtoull(text, &end, 10);
	return *end == '\0' && *id > 0;
}

static int
cmd_show(Ctl *ctl, int argc, char **argv)
{
	gboolean samples = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "JSON for scripts", NULL},
	    {"samples", 0, 0, G_OPTION_ARG_NONE, &samples, "Every sample", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("ID - show one session");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) sv = NULL;
	guint64 id;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (argc != 2 || !parse_id(argv[1], &id))
		return usage("show needs one session ID%s", "");
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_get_session_sync(ctl->manager, id, &s, NULL, &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		print_session_json(out, s);
		g_print("%s\n", out->str);
		return 0;
	}
	print_session_header();
	print_session_row(s);
	sv = g_variant_lookup_value(s, "samples", G_VARIANT_TYPE("a(xdd)"));
	if (sv != NULL && g_variant_n_children(sv) > 0) {
		gsize n = g_variant_n_children(sv);
		g_print("\n%" G_GSIZE_FORMAT " samples\n", n);
		for (gsize i = 0; i < n; i++) {
			gint64 t;
			double l, r;
			g_autofree char *when = NULL;
			/* first, last, and every sample with --samples */
			if (!samples && i != 0 && i != n - 1)
				continue;
			g_variant_get_child(sv, i, "(xdd)", &t, &l, &r);
			when = lactctl_format_local_seconds(t);
			g_print("  %s  left %6.1f mL  right %6.1f mL\n", when, l, r);
		}
	}
	return 0;
}

static int
cmd_delete(Ctl *ctl, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	guint64 id;
	int rc;

	if (argc == 2 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
		g_print("Usage: lactctl delete ID\n\nDeletes a session and its samples; its weighings are kept.\n");
		return 0;
	}
	if (argc != 2 || !parse_id(argv[1], &id))
		return usage("delete needs one session ID%s", "");
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_delete_session_sync(ctl->manager, id, NULL, &error))
		return fail_error(error);
	g_print("Session %" G_GUINT64_FORMAT " deleted.\n", id);
	return 0;
}

/* Options shared by log and edit. */
typedef struct {
	char *start;
	char *ago;
	char *duration;
	char *left;
	char *right;
	char *ml;
	char *left_minutes;
	char *right_minutes;
	char *note;
	char *method;
	char *milk;
} EntryOpts;

static gboolean
add_ml(GVariantBuilder *b, const char *key, const char *text, GError **error)
{
	double v;

	if (text == NULL)
		return TRUE;
	if (!lactctl_parse_ml(text, &v, error)) {
		g_prefix_error(error, "--%s: ", key);
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", key, g_variant_new_double(v));
	return TRUE;
}

/* existing_start: for an edit, the session's start, so that --duration alone
 * moves its end. */
static gboolean
build_entry(EntryOpts *o, const char *kind, gboolean is_new, gint64 existing_start,
	    GVariantBuilder *b, GError **error)
{
	gint64 start = 0, duration = 0, now = g_get_real_time();
	gboolean have_start = FALSE;

	if (kind != NULL)
		g_variant_builder_add(b, "{sv}", "kind", g_variant_new_string(kind));
	if (o->start != NULL && o->ago != NULL) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "--start and --ago cannot both be given");
		return FALSE;
	}
	if (o->start != NULL) {
		if (!lactctl_parse_local_time(o->start, &start, error))
			return FALSE;
		have_start = TRUE;
	} else if (o->ago != NULL) {
		gint64 ago;
		if (!lactctl_parse_duration(o->ago, &ago, error))
			return FALSE;
		start = now - ago;
		have_start = TRUE;
	}
	if (o->duration != NULL && !lactctl_parse_duration(o->duration, &duration, error))
		return FALSE;
	if (is_new && !have_start)
		start = now - duration;
	if (!is_new && !have_start && o->duration != NULL) {
		start = existing_start;
		have_start = TRUE;
	}
	if (is_new || have_start) {
		g_variant_builder_add(b, "{sv}", "start", g_variant_new_int64(start));
		g_variant_builder_add(b, "{sv}", "end", g_variant_new_int64(start + duration));
	}
	if (!add_ml(b, "left_ml", o->left, error) || !add_ml(b, "right_ml", o->right, error) ||
	    !add_ml(b, "supplement_ml", o->ml, error))
		return FALSE;
	if (o->left_minutes != NULL || o->right_minutes != NULL) {
		const char *texts[] = {o->left_minutes, o->right_minutes};
		const char *keys[] = {"left_seconds", "right_seconds"};
		for (guint i = 0; i < 2; i++) {
			char *end = NULL;
			guint64 m;
			if (texts[i] == NULL)
				continue;
			m = g_ascii_strtoull(texts[i], &end, 10);
			if (end == texts[i] || *end != '\0' || m > 24 * 60) {
				g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
					    "'%s' is not a number of minutes", texts[i]);
				return FALSE;
			}
			g_variant_builder_add(b, "{sv}", keys[i], g_variant_new_uint32((guint32)m * 60));
		}
	}
	if (o->note != NULL)
		g_variant_builder_add(b, "{sv}", "note", g_variant_new_string(o->note));
	if (o->method != NULL)
		g_variant_builder_add(b, "{sv}", "method", g_variant_new_string(o->method));
	if (o->milk != NULL)
		g_variant_builder_add(b, "{sv}", "milk", g_variant_new_string(o->milk));
	return TRUE;
}

static void
entry_opts_clear(EntryOpts *o)
{
	g_free(o->start);
	g_free(o->ago);
	g_free(o->duration);
	g_free(o->left);
	g_free(o->right);
	g_free(o->ml);
	g_free(o->left_minutes);
	g_free(o->right_minutes);
	g_free(o->note);
	g_free(o->method);
	g_free(o->milk);
}

#define ENTRY_OPTIONS(o)                                                                         \
	{"start", 0, 0, G_OPTION_ARG_STRING, &(o).start, "Local start time", "\"YYYY-MM-DD HH:MM\""}, \
	    {"ago", 0, 0, G_OPTION_ARG_STRING, &(o).ago, "Started this long ago", "30m|2h"},     \
	    {"duration", 0, 0, G_OPTION_ARG_STRING, &(o).duration, "How long", "20m"},          \
	    {"left", 0, 0, G_OPTION_ARG_STRING, &(o).left, "Left mL", "ML"},                    \
	    {"right", 0, 0, G_OPTION_ARG_STRING, &(o).right, "Right mL", "ML"},                 \
	    {"left-minutes", 0, 0, G_OPTION_ARG_STRING, &(o).left_minutes, "Minutes on the left", "N"}, \
	    {"right-minutes", 0, 0, G_OPTION_ARG_STRING, &(o).right_minutes, "Minutes on the right", "N"}, \
	    {"ml", 0, 0, G_OPTION_ARG_STRING, &(o).ml, "Supplement mL", "ML"},                  \
	    {"method", 0, 0, G_OPTION_ARG_STRING, &(o).method, "bottle, supplementer, cup, syringe or spoon", "M"}, \
	    {"milk", 0, 0, G_OPTION_ARG_STRING, &(o).milk, "expressed, donor or formula", "M"}, \
	    {"note", 0, 0, G_OPTION_ARG_STRING, &(o).note, "A note", "TEXT"}

static int
cmd_log(Ctl *ctl, int argc, char **argv)
{
	EntryOpts o = {0};
	const GOptionEntry entries[] = {ENTRY_OPTIONS(o), {0}};
	g_autoptr(GOptionContext) oc =
	    g_option_context_new("KIND - record a session by hand (pump, hand, nursing, supplement)");
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;
	guint64 id;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error)) {
		entry_opts_clear(&o);
		return usage("%s", error->message);
	}
	if (argc != 2) {
		entry_opts_clear(&o);
		return usage("log needs a kind: pump, hand, nursing or supplement%s", "");
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, argv[1], TRUE, 0, &b, &error)) {
		g_variant_builder_clear(&b);
		entry_opts_clear(&o);
		return usage("%s", error->message);
	}
	entry_opts_clear(&o);
	if ((rc = connect_ctl(ctl)) != 0) {
		g_variant_builder_clear(&b);
		return rc;
	}
	if (!lactd_manager1_call_add_session_sync(ctl->manager, g_variant_builder_end(&b), &id, NULL,
						  &error))
		return fail_error(error);
	g_print("Recorded session %" G_GUINT64_FORMAT ". Every drop counts.\n", id);
	return 0;
}

static int
cmd_edit(Ctl *ctl, int argc, char **argv)
{
	EntryOpts o = {0};
	const GOptionEntry entries[] = {ENTRY_OPTIONS(o), {0}};
	g_autoptr(GOptionContext) oc = g_option_context_new("ID - change a recorded session");
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;
	guint64 id;
	gint64 start = 0;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error)) {
		entry_opts_clear(&o);
		return usage("%s", error->message);
	}
	if (argc != 2 || !parse_id(argv[1], &id)) {
		entry_opts_clear(&o);
		return usage("edit needs one session ID%s", "");
	}
	if ((rc = connect_ctl(ctl)) != 0) {
		entry_opts_clear(&o);
		return rc;
	}
	{
		g_autoptr(GVariant) current = NULL;
		if (!lactd_manager1_call_get_session_sync(ctl->manager, id, &current, NULL, &error)) {
			entry_opts_clear(&o);
			return fail_error(error);
		}
		g_variant_lookup(current, "start", "x", &start);
	}
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, NULL, FALSE, start, &b, &error)) {
		g_variant_builder_clear(&b);
		entry_opts_clear(&o);
		return usage("%s", error->message);
	}
	entry_opts_clear(&o);
	if (!lactd_manager1_call_update_session_sync(ctl->manager, id, g_variant_builder_end(&b), NULL,
						     &error))
		return fail_error(error);
	g_print("Session %" G_GUINT64_FORMAT " updated.\n", id);
	return 0;
}

/* ---- summary, weighings, status --------------------------------------------------- */

static int
cmd_summary(Ctl *ctl, int argc, char **argv)
{
	gint days = 7;
	const GOptionEntry entries[] = {
	    {"days", 'd', 0, G_OPTION_ARG_INT, &days, "Local days to show (default 7)", "N"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "JSON for scripts", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- totals per local day");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) today = NULL;
	g_autoptr(GDateTime) first = NULL;
	guint sessions_sum = 0, minutes_sum = 0;
	double total_sum = 0, sup_sum = 0;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (days < 1 || days > 3660)
		return usage("--days: from 1 to 3660%s", "");
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	today = g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				      g_date_time_get_day_of_month(now), 0, 0, 0);
	first = g_date_time_add_days(today, 1 - days);
	if (!lactd_manager1_call_get_daily_summary_sync(
		ctl->manager, g_date_time_to_unix(first) * G_USEC_PER_SEC, G_MAXINT64, &list, NULL,
		&error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, list);
		g_print("%s\n", out->str);
		return 0;
	}
	g_print("%-10s  %8s  %7s  %9s  %9s  %9s  %9s\n", "DAY", "SESSIONS", "MINUTES", "LEFT mL",
		"RIGHT mL", "TOTAL mL", "SUPPL mL");
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(list, i);
		const char *day = "";
		guint32 sessions = 0, minutes = 0;
		double left = 0, right = 0, total = 0, sup = 0;
		gboolean overnight = FALSE;

		g_variant_lookup(d, "day", "&s", &day);
		g_variant_lookup(d, "sessions", "u", &sessions);
		g_variant_lookup(d, "minutes", "u", &minutes);
		g_variant_lookup(d, "left_ml", "d", &left);
		g_variant_lookup(d, "right_ml", "d", &right);
		g_variant_lookup(d, "total_ml", "d", &total);
		g_variant_lookup(d, "supplement_ml", "d", &sup);
		g_variant_lookup(d, "overnight", "b", &overnight);
		g_print("%-10s  %8u  %7u  %9.1f  %9.1f  %9.1f  %9.1f%s\n", day, sessions, minutes, left,
			right, total, sup, overnight ? "  (overnight)" : "");
		sessions_sum += sessions;
		minutes_sum += minutes;
		total_sum += total;
		sup_sum += sup;
	}
	g_print("%-10s  %8u  %7u  %9s  %9s  %9.1f  %9.1f\n", "total", sessions_sum, minutes_sum, "",
		"", total_sum, sup_sum);
	return 0;
}

static int
cmd_weighings(Ctl *ctl, int argc, char **argv)
{
	g_autofree char *since = NULL;
	const GOptionEntry entries[] = {
	    {"since", 's', 0, G_OPTION_ARG_STRING, &since, "From (default 7d)", "WHEN"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "JSON for scripts", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- list scale weighings");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	gint64 from;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (!lactctl_parse_when(since != NULL ? since : "7d", &from, &error))
		return usage("%s", error->message);
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_list_weighings_sync(ctl->manager, from, G_MAXINT64, &list, NULL,
						     &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, list);
		g_print("%s\n", out->str);
		return 0;
	}
	if (g_variant_n_children(list) == 0) {
		g_print("No weighings in that time.\n");
		return 0;
	}
	g_print("%6s  %-19s  %9s  %-6s  %-17s  %s\n", "ID", "TIME", "GRAMS", "ROLE", "DEVICE",
		"SESSION");
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) w = g_variant_get_child_value(list, i);
		guint64 id = 0, session = 0;
		gint64 t = 0;
		double grams = 0;
		const char *role = "", *device = "";
		g_autofree char *when = NULL;

		g_variant_lookup(w, "id", "t", &id);
		g_variant_lookup(w, "time", "x", &t);
		g_variant_lookup(w, "grams", "d", &grams);
		g_variant_lookup(w, "role", "&s", &role);
		g_variant_lookup(w, "device", "&s", &device);
		g_variant_lookup(w, "session", "t", &session);
		when = lactctl_format_local_seconds(t);
		g_print("%6" G_GUINT64_FORMAT "  %-19s  %7.1f g  %-6s  %-17s  %" G_GUINT64_FORMAT "\n",
			id, when, grams, role, device, session);
	}
	return 0;
}

static GDBusObjectManager *
object_manager(Ctl *ctl, GError **error)
{
	return lactd_object_manager_client_new_sync(
	    ctl->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, "org.lactd",
	    "/org/lactd", NULL, error);
}

static void
print_devices(GDBusObjectManager *om, gboolean header)
{
	g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
	gboolean any = FALSE;

	for (GList *l = objects; l != NULL; l = l->next) {
		LactdDevice1 *d = lactd_object_peek_device1(LACTD_OBJECT(l->data));
		char battery[8] = "-";
		if (d == NULL)
			continue;
		if (header && !any)
			g_print("%-17s  %-16s  %-5s  %-7s  %-7s  %-9s  %-7s  %s\n", "ADDRESS", "NAME",
				"KIND", "PLUGIN", "SIDE", "CONNECTED", "BATTERY", "REJECTED");
		any = TRUE;
		if (lactd_device1_get_battery(d) != 255)
			g_snprintf(battery, sizeof(battery), "%u%%", lactd_device1_get_battery(d));
		g_print("%-17s  %-16s  %-5s  %-7s  %-7s  %-9s  %-7s  %u%s\n",
			lactd_device1_get_address(d), lactd_device1_get_name(d),
			lactd_device1_get_kind(d), lactd_device1_get_plugin(d)[0] ? lactd_device1_get_plugin(d) : "-",
			lactd_device1_get_side(d), lactd_device1_get_connected(d) ? "yes" : "no", battery,
			lactd_device1_get_rejected_packets(d),
			lactd_device1_get_enabled(d) ? "" : "  (disabled)");
	}
	if (!any)
		g_print("No devices yet: pair a pump or scale with bluetoothctl.\n");
}

static int
cmd_status(Ctl *ctl, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) om = NULL;
	g_autoptr(GVariant) days = NULL;
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) today = g_date_time_new_local(g_date_time_get_year(now),
							   g_date_time_get_month(now),
							   g_date_time_get_day_of_month(now), 0, 0, 0);
	int rc;

	if (argc > 1 && (g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h"))) {
		g_print("Usage: lactctl status\n\nThe daemon, its devices, live sessions and today's totals.\n");
		return 0;
	}
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	g_print("lactd %s, storage %s\n\n", lactd_manager1_get_version(ctl->manager),
		lactd_manager1_get_storage_state(ctl->manager));
	om = object_manager(ctl, &error);
	if (om == NULL)
		return fail_error(error);
	print_devices(om, TRUE);
	{
		g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
		for (GList *l = objects; l != NULL; l = l->next) {
			LactdSession1 *s = lactd_object_peek_session1(LACTD_OBJECT(l->data));
			if (s == NULL)
				continue;
			g_print("\nLive: session %" G_GUINT64_FORMAT ", %s, %u:%02u, left %.1f mL, right %.1f mL\n",
				lactd_session1_get_id(s), lactd_session1_get_phase(s),
				lactd_session1_get_elapsed(s) / 60, lactd_session1_get_elapsed(s) % 60,
				lactd_session1_get_left_ml(s), lactd_session1_get_right_ml(s));
		}
	}
	if (!lactd_manager1_call_get_daily_summary_sync(ctl->manager,
							g_date_time_to_unix(today) * G_USEC_PER_SEC,
							G_MAXINT64, &days, NULL, &error))
		return fail_error(error);
	if (g_variant_n_children(days) > 0) {
		g_autoptr(GVariant) d = g_variant_get_child_value(days, 0);
		guint32 sessions = 0;
		double total = 0;
		g_variant_lookup(d, "sessions", "u", &sessions);
		g_variant_lookup(d, "total_ml", "d", &total);
		g_print("\nToday: %u session%s, %.1f mL. Every session counts.\n", sessions,
			sessions == 1 ? "" : "s", total);
	} else {
		g_print("\nToday: nothing recorded yet.\n");
	}
	return 0;
}

/* ---- devices -------------------------------------------------------------------- */

static int
cmd_device(Ctl *ctl, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) om = NULL;
	g_autofree char *path = NULL;
	g_autoptr(LactdDevice1) dev = NULL;
	const char *verb = argc > 1 ? argv[1] : "list";
	int rc;

	if (g_str_equal(verb, "--help") || g_str_equal(verb, "-h")) {
		g_print("Usage:\n  lactctl device [list]\n  lactctl device set ADDRESS side left|right|both\n"
			"  lactctl device set ADDRESS role bottle|baby\n  lactctl device enable|disable|forget ADDRESS\n");
		return 0;
	}
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (g_str_equal(verb, "list")) {
		om = object_manager(ctl, &error);
		if (om == NULL)
			return fail_error(error);
		print_devices(om, TRUE);
		return 0;
	}
	if (argc < 3)
		return usage("device %s needs an address", verb);
	path = g_strdup_printf("/org/lactd/devices/%s", argv[2]);
	g_strdelimit(path + strlen("/org/lactd/devices/"), ":", '_');
	dev = lactd_device1_proxy_new_sync(ctl->bus, G_DBUS_PROXY_FLAGS_NONE, "org.lactd", path, NULL,
					   &error);
	if (dev == NULL)
		return fail_error(error);
	if (lactd_device1_get_address(dev) == NULL) {
		g_printerr("lactctl: no device %s\n", argv[2]);
		return EXIT_NOTFOUND;
	}
	if (g_str_equal(verb, "set") && argc == 5 &&
	    (g_str_equal(argv[3], "side") || g_str_equal(argv[3], "role"))) {
		g_autoptr(GVariant) r = g_dbus_connection_call_sync(
		    ctl->bus, "org.lactd", path, "org.freedesktop.DBus.Properties", "Set",
		    g_variant_new("(ssv)", "org.lactd.Device1",
				  g_str_equal(argv[3], "side") ? "Side" : "Role",
				  g_variant_new_string(argv[4])),
		    NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
		if (r == NULL)
			return fail_error(error);
	} else if (g_str_equal(verb, "enable") || g_str_equal(verb, "disable")) {
		g_autoptr(GVariant) r = g_dbus_connection_call_sync(
		    ctl->bus, "org.lactd", path, "org.freedesktop.DBus.Properties", "Set",
		    g_variant_new("(ssv)", "org.lactd.Device1", "Enabled",
				  g_variant_new_boolean(g_str_equal(verb, "enable"))),
		    NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
		if (r == NULL)
			return fail_error(error);
	} else if (g_str_equal(verb, "forget")) {
		if (!lactd_device1_call_forget_sync(dev, NULL, &error))
			return fail_error(error);
	} else {
		return usage("unknown device command '%s'", verb);
	}
	g_print("Done.\n");
	return 0;
}

/* ---- plan ------------------------------------------------------------------------ */

static gboolean
add_range(GVariantBuilder *b, const char *text, const char *kmin, const char *kmax, GError **error)
{
	unsigned lo, hi;
	char extra;

	if (text == NULL)
		return TRUE;
	if (sscanf(text, "%u-%u%c", &lo, &hi, &extra) != 2) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "'%s' is not MIN-MAX", text);
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", kmin, g_variant_new_uint32(lo));
	g_variant_builder_add(b, "{sv}", kmax, g_variant_new_uint32(hi));
	return TRUE;
}

static int
cmd_plan(Ctl *ctl, int argc, char **argv)
{
	g_autofree char *sessions = NULL, *overnight = NULL, *minutes = NULL, *start = NULL;
	const GOptionEntry entries[] = {
	    {"sessions", 0, 0, G_OPTION_ARG_STRING, &sessions, "Sessions per 24 h", "8-12"},
	    {"overnight", 0, 0, G_OPTION_ARG_STRING, &overnight, "Overnight window, local", "00:00-06:00"},
	    {"minutes", 0, 0, G_OPTION_ARG_STRING, &minutes, "Minutes per breast", "15-20"},
	    {"start", 0, 0, G_OPTION_ARG_STRING, &start, "The plan's start date", "YYYY-MM-DD"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "JSON for scripts", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("[show|set] - your plan's targets");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) plan = NULL;
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (argc > 1 && g_str_equal(argv[1], "set")) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		if (!add_range(&b, sessions, "sessions_min", "sessions_max", &error) ||
		    !add_range(&b, minutes, "minutes_min", "minutes_max", &error)) {
			g_variant_builder_clear(&b);
			return usage("%s", error->message);
		}
		if (overnight != NULL) {
			g_auto(GStrv) hm = g_strsplit(overnight, "-", 2);
			if (hm[0] == NULL || hm[1] == NULL) {
				g_variant_builder_clear(&b);
				return usage("--overnight: HH:MM-HH:MM%s", "");
			}
			g_variant_builder_add(&b, "{sv}", "overnight_start", g_variant_new_string(hm[0]));
			g_variant_builder_add(&b, "{sv}", "overnight_end", g_variant_new_string(hm[1]));
		}
		if (start != NULL)
			g_variant_builder_add(&b, "{sv}", "start_date", g_variant_new_string(start));
		if (!lactd_manager1_call_set_plan_sync(ctl->manager, g_variant_builder_end(&b), NULL,
						       &error))
			return fail_error(error);
	} else if (argc > 1 && !g_str_equal(argv[1], "show")) {
		return usage("unknown plan command '%s'", argv[1]);
	}
	if (!lactd_manager1_call_get_plan_sync(ctl->manager, &plan, NULL, &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, plan);
		g_print("%s\n", out->str);
	} else {
		guint32 smin = 0, smax = 0, mmin = 0, mmax = 0;
		const char *os = "", *oe = "", *sd = "";
		g_variant_lookup(plan, "sessions_min", "u", &smin);
		g_variant_lookup(plan, "sessions_max", "u", &smax);
		g_variant_lookup(plan, "minutes_min", "u", &mmin);
		g_variant_lookup(plan, "minutes_max", "u", &mmax);
		g_variant_lookup(plan, "overnight_start", "&s", &os);
		g_variant_lookup(plan, "overnight_end", "&s", &oe);
		g_variant_lookup(plan, "start_date", "&s", &sd);
		g_print("Sessions per 24 hours:  %u to %u\nOvernight window:       %s to %s\n"
			"Minutes per breast:     %u to %u\nStarted:                %s\n",
			smin, smax, os, oe, mmin, mmax, sd[0] ? sd : "(not set)");
	}
	return 0;
}

/* ---- watch ----------------------------------------------------------------------- */

typedef struct {
	GMainLoop *loop;
	gboolean follow;
	gboolean tty; /* redraw one line in place */
	guint64 watching;
	char *last_line;
} Watch;

static void
on_session_ended(GDBusConnection *c, const char *sender, const char *path, const char *iface,
		 const char *name, GVariant *params, gpointer user_data)
{
	Watch *w = user_data;
	guint64 id;
	g_autoptr(GVariant) s = NULL;
	double left = 0, right = 0, total = 0;

	g_variant_get(params, "(t@a{sv})", &id, &s);
	g_variant_lookup(s, "left_ml", "d", &left);
	g_variant_lookup(s, "right_ml", "d", &right);
	g_variant_lookup(s, "total_ml", "d", &total);
	g_print("%sSession %" G_GUINT64_FORMAT " ended: left %.1f mL, right %.1f mL, %.1f mL in all. Well done.\n",
		w->tty ? "\n" : "", id, left, right, total);
	if (!w->follow)
		g_main_loop_quit(w->loop);
}

static void
on_session_props(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer user_data)
{
	Watch *w = user_data;
	LactdSession1 *s = LACTD_SESSION1(proxy);
	guint32 e = lactd_session1_get_elapsed(s);
	g_autofree char *text =
	    g_strdup_printf("%-12s %3u:%02u  left %6.1f mL  right %6.1f mL",
			    lactd_session1_get_phase(s), e / 60, e % 60,
			    lactd_session1_get_left_ml(s), lactd_session1_get_right_ml(s));

	/* A log or a dumb terminal gets a line only when what it shows changed
	 * (not for a suction change it does not show). */
	if (!w->tty && g_strcmp0(text, w->last_line) == 0)
		return;
	g_free(w->last_line);
	w->last_line = g_steal_pointer(&text);
	g_print("%s%s%s", w->tty ? "\r" : "", w->last_line, w->tty ? "   " : "\n");
	fflush(stdout);
}

static void
watch_session(Watch *w, GDBusObject *obj)
{
	LactdSession1 *s = lactd_object_peek_session1(LACTD_OBJECT(obj));

	if (s == NULL)
		return;
	g_print("Session %" G_GUINT64_FORMAT " (%s) live:\n", lactd_session1_get_id(s),
		lactd_session1_get_device(s));
	g_signal_connect(s, "g-properties-changed", G_CALLBACK(on_session_props), w);
	on_session_props(G_DBUS_PROXY(s), NULL, NULL, w);
}

static void
on_object_added(GDBusObjectManager *om, GDBusObject *obj, gpointer user_data)
{
	watch_session(user_data, obj);
}

static int
cmd_watch(Ctl *ctl, int argc, char **argv)
{
	gboolean follow = FALSE;
	const GOptionEntry entries[] = {
	    {"follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Keep watching for the next session", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- follow the running session live");
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) om = NULL;
	Watch w = {0};
	int rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	om = object_manager(ctl, &error);
	if (om == NULL)
		return fail_error(error);
	w.loop = g_main_loop_new(NULL, FALSE);
	w.follow = follow;
	/* Redrawing with CR needs a terminal that honours it; TERM=dumb (an
	 * editor's shell, some serial consoles) and pipes get one line per change. */
	w.tty = isatty(STDOUT_FILENO) && g_getenv("TERM") != NULL &&
		g_strcmp0(g_getenv("TERM"), "dumb") != 0 && *g_getenv("TERM") != '\0';
	g_dbus_connection_signal_subscribe(ctl->bus, "org.lactd", "org.lactd.Manager1", "SessionEnded",
					   "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
					   on_session_ended, &w, NULL);
	g_signal_connect(om, "object-added", G_CALLBACK(on_object_added), &w);
	{
		g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
		gboolean live = FALSE;
		for (GList *l = objects; l != NULL; l = l->next) {
			if (lactd_object_peek_session1(LACTD_OBJECT(l->data)) != NULL) {
				watch_session(&w, l->data);
				live = TRUE;
			}
		}
		if (!live)
			g_print("Waiting for a session to start (switch the pump on)...\n");
	}
	g_main_loop_run(w.loop);
	g_main_loop_unref(w.loop);
	g_free(w.last_line);
	return 0;
}

/* ---- export ------------------------------------------------------------------------ */

static int
cmd_export(Ctl *ctl, int argc, char **argv)
{
	g_autofree char *since = NULL, *output = NULL;
	const GOptionEntry entries[] = {
	    {"since", 's', 0, G_OPTION_ARG_STRING, &since, "From (default: everything)", "WHEN"},
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default stdout)", "FILE"},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("csv|json|fhir - export for a consultant");
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
	g_autoptr(GVariant) r = NULL;
	gint64 from = 0;
	int fd, idx, rc;

	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (argc != 2)
		return usage("export needs a format: csv, json or fhir%s", "");
	if (since != NULL && !lactctl_parse_when(since, &from, &error))
		return usage("%s", error->message);
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	fd = output != NULL ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600) : dup(STDOUT_FILENO);
	if (fd < 0) {
		g_printerr("lactctl: %s: %s\n", output, g_strerror(errno));
		return EXIT_DAEMON;
	}
	idx = g_unix_fd_list_append(fds, fd, &error);
	close(fd);
	if (idx < 0)
		return fail_error(error);
	r = g_dbus_connection_call_with_unix_fd_list_sync(
	    ctl->bus, "org.lactd", "/org/lactd", "org.lactd.Manager1", "Export",
	    g_variant_new("(sxxh)", argv[1], from, G_MAXINT64, idx), NULL, G_DBUS_CALL_FLAGS_NONE,
	    60000, fds, NULL, NULL, &error);
	if (r == NULL)
		return fail_error(error);
	return 0;
}

static int
cmd_progress(Ctl *ctl, int argc, char **argv)
{
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctl->json, "The daemon's figures as JSON, for scripts", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = g_option_context_new("- progress against your plan");
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) p = NULL;
	g_autoptr(GVariant) plan = NULL;
	int rc;

	g_option_context_set_description(
	    oc, "Sessions in the last 24 hours, last night, minutes per breast, milk expressed today\n"
		"and on average, the trend over 4 weeks and the supplement, beside the plan.\n"
		"docs/progress.md says how each figure is worked out. Colour only on a terminal;\n"
		"NO_COLOR or TERM=dumb turn it off.");
	g_option_context_add_main_entries(oc, entries, NULL);
	if (!g_option_context_parse(oc, &argc, &argv, &error))
		return usage("%s", error->message);
	if (argc > 1)
		return usage("progress takes no arguments%s", "");
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_get_progress_sync(ctl->manager, &p, NULL, &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, p);
		g_print("%s\n", out->str);
		return 0;
	}
	if (!lactd_manager1_call_get_plan_sync(ctl->manager, &plan, NULL, &error))
		return fail_error(error);
	{
		g_autoptr(GDateTime) now = g_date_time_new_now_local();
		g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
		g_autofree char *text = lactctl_progress_text(
		    p, plan, today,
		    lactctl_progress_use_colour(isatty(STDOUT_FILENO), g_getenv("TERM"),
						g_getenv("NO_COLOR")));
		g_print("%s", text);
	}
	return 0;
}

/* ---- capture: recording a device's GATT traffic ------------------------------------ */

static const char capture_usage[] =
    "Usage: lactctl capture start ADDRESS [--raw]\n"
    "       lactctl capture stop [ID]\n"
    "       lactctl capture mark TEXT [--id ID]\n"
    "       lactctl capture list [--json]\n"
    "       lactctl capture show ID\n"
    "       lactctl capture export ID [FILE|-]\n"
    "       lactctl capture import FILE\n"
    "       lactctl capture delete ID\n"
    "\n"
    "Records what a paired device says over Bluetooth LE, to decode a protocol\n"
    "lactd does not know yet. --raw also records a device a plugin captures,\n"
    "without disturbing its capture. A running capture goes on after a restart\n"
    "of lactd. ID 0 or none: the one capture running.\n"
    "show prints every event and, per characteristic, the bytes that never\n"
    "change and those that count up. export writes the capture file format\n"
    "(docs/capture-format.md) that lactd-replay reads; import reads such a file\n"
    "or a btsnoop log (Android's btsnoop_hci.log, btmon -w).\n";

static void
print_capture_row(GVariant *c)
{
	guint64 id = 0;
	const char *address = "", *name = "", *source = "";
	gint64 start = 0, end = 0;
	guint32 events = 0;
	gboolean active = FALSE;
	g_autofree char *when = NULL;

	g_variant_lookup(c, "id", "t", &id);
	g_variant_lookup(c, "address", "&s", &address);
	g_variant_lookup(c, "name", "&s", &name);
	g_variant_lookup(c, "source", "&s", &source);
	g_variant_lookup(c, "start", "x", &start);
	g_variant_lookup(c, "end", "x", &end);
	g_variant_lookup(c, "events", "u", &events);
	g_variant_lookup(c, "active", "b", &active);
	when = lactctl_format_local(start);
	if (active)
		g_print("%6" G_GUINT64_FORMAT "  %-16s %9s  %-17s %8u  %-8s %s\n", id, when,
			"recording", address, events, source, name);
	else
		g_print("%6" G_GUINT64_FORMAT "  %-16s %8" G_GINT64_FORMAT "s  %-17s %8u  %-8s %s\n",
			id, when, (end - start) / G_TIME_SPAN_SECOND, address, events, source, name);
}

static int
capture_list(Ctl *ctl, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	int rc;

	for (int i = 1; i < argc; i++) {
		if (g_str_equal(argv[i], "--json"))
			ctl->json = TRUE;
		else
			return usage("capture list: unexpected '%s'", argv[i]);
	}
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!lactd_manager1_call_list_captures_sync(ctl->manager, &list, NULL, &error))
		return fail_error(error);
	if (ctl->json) {
		g_autoptr(GString) out = g_string_new(NULL);
		lactctl_json_value(out, list);
		g_print("%s\n", out->str);
		return 0;
	}
	if (g_variant_n_children(list) == 0) {
		g_print("No captures. 'lactctl capture start ADDRESS' records a device.\n");
		return 0;
	}
	g_print("%6s  %-16s %10s  %-17s %8s  %-8s %s\n", "ID", "START", "LENGTH", "ADDRESS",
		"EVENTS", "SOURCE", "NAME");
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) c = g_variant_get_child_value(list, i);
		print_capture_row(c);
	}
	return 0;
}

/* Events asked for a GetCapturePage call: what lactd answers at most. */
#define CAPTURE_PAGE 10000

/* A capture as a capture file, read a page at a time with GetCapturePage:
 * a full capture (200000 events) is more than one D-Bus message carries. */
static LactdCapFile *
fetch_capture(Ctl *ctl, guint64 id, int *rc)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	guint32 total = 0;

	if ((*rc = connect_ctl(ctl)) != 0)
		return NULL;
	do {
		g_autoptr(GVariant) info = NULL, chars = NULL, events = NULL;
		guint first = cap != NULL ? cap->events->len : 0;
		gboolean ok;

		if (!lactd_manager1_call_get_capture_page_sync(ctl->manager, id, first,
							       CAPTURE_PAGE, &info, &chars, &events,
							       NULL, &error)) {
			*rc = fail_error(error);
			return NULL;
		}
		/* A running capture's total grows between pages. */
		if (!g_variant_lookup(info, "events", "u", &total))
			total = 0;
		if (cap == NULL) {
			cap = lactctl_capture_from_variant(info, chars, events, &error);
			ok = cap != NULL;
		} else {
			ok = lactctl_capture_append_page(cap, info, events, &error);
		}
		if (!ok) {
			g_printerr("lactctl: capture %" G_GUINT64_FORMAT ": %s\n", id,
				   error->message);
			*rc = EXIT_DAEMON;
			return NULL;
		}
		if (g_variant_n_children(events) == 0)
			break;
	} while (cap->events->len < total);
	return g_steal_pointer(&cap);
}

/* Events an ImportCaptureAppend carries (the daemon takes up to 2000):
 * small pages keep each of the daemon's transactions short. */
#define IMPORT_PAGE_EVENTS 1000

static GVariant *
import_call(Ctl *ctl, const char *method, GVariant *args, const char *reply_type, GError **error)
{
	return g_dbus_connection_call_sync(ctl->bus, "org.lactd", "/org/lactd",
					   "org.lactd.Manager1", method, args,
					   reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
					   G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
}

/* A capture of any size in pages far below the bus's message limit; on a
 * failure the import is aborted, so nothing of it stays. */
static gboolean
import_paged(Ctl *ctl, const LactdCapFile *cap, guint64 *id, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	reply = import_call(ctl, "ImportCaptureBegin", lactctl_capture_info_to_variant(cap, "import"),
			    "(t)", error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(t)", id);
	for (guint first = 0; first < cap->events->len; first += IMPORT_PAGE_EVENTS) {
		g_autoptr(GVariant) done = import_call(
		    ctl, "ImportCaptureAppend",
		    g_variant_new("(t@a(xssqays))", *id,
				  lactctl_capture_events_to_variant(cap, first, IMPORT_PAGE_EVENTS)),
		    NULL, error);

		if (done == NULL) {
			/* Best effort: lactd also deletes it when lactctl leaves. */
			g_autoptr(GVariant) aborted = import_call(
			    ctl, "ImportCaptureAbort", g_variant_new("(t)", *id), NULL, NULL);

			(void)aborted;

			/* The error keeps its D-Bus name for fail_error(). */
			g_printerr("lactctl: events %u to %u were not imported; nothing was kept\n",
				   first, MIN(first + IMPORT_PAGE_EVENTS, cap->events->len) - 1);
			return FALSE;
		}
	}
	g_clear_pointer(&reply, g_variant_unref);
	reply = import_call(ctl, "ImportCaptureCommit", g_variant_new("(t)", *id), NULL, error);
	return reply != NULL;
}

static int
capture_import(Ctl *ctl, const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	guint64 id = 0;
	int rc;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		g_printerr("lactctl: %s\n", error->message);
		return EXIT_DAEMON;
	}
	/* A btsnoop log starts with its magic; anything else must be a
	 * capture file, whose parser names the line it cannot read. */
	if (len >= 8 && memcmp(data, "btsnoop\0", 8) == 0)
		cap = lactd_capfile_from_btsnoop((const guint8 *)data, len, NULL, &error);
	else
		cap = lactd_capfile_parse(data, len, &error);
	if (cap == NULL) {
		g_printerr("lactctl: %s: %s\n", path, error->message);
		return EXIT_DAEMON;
	}
	if (cap->events->len == 0) {
		g_printerr("lactctl: %s: no GATT traffic to import\n", path);
		return EXIT_DAEMON;
	}
	if ((rc = connect_ctl(ctl)) != 0)
		return rc;
	if (!import_paged(ctl, cap, &id, &error)) {
		g_autofree char *remote = g_dbus_error_get_remote_error(error);

		if (g_strcmp0(remote, "org.freedesktop.DBus.Error.UnknownMethod") != 0)
			return fail_error(error);
		/* A lactd from before the paged import: all in one message. */
		g_clear_error(&error);
		args = g_variant_ref_sink(lactctl_capture_to_variant(cap, "import"));
		reply = g_dbus_connection_call_sync(ctl->bus, "org.lactd", "/org/lactd",
						    "org.lactd.Manager1", "ImportCapture", args,
						    G_VARIANT_TYPE("(t)"), G_DBUS_CALL_FLAGS_NONE,
						    120000, NULL, &error);
		if (reply == NULL)
			return fail_error(error);
		g_variant_get(reply, "(t)", &id);
	}
	g_print("Imported %u events from %s as capture %" G_GUINT64_FORMAT
		". 'lactctl capture show %" G_GUINT64_FORMAT "' lists them.\n",
		cap->events->len, path, id, id);
	return 0;
}

static int
cmd_capture(Ctl *ctl, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	const char *sub = argc >= 2 ? argv[1] : NULL;
	guint64 id = 0;
	int rc;

	if (sub == NULL || g_str_equal(sub, "--help") || g_str_equal(sub, "-h")) {
		g_print("%s", capture_usage);
		return sub == NULL ? EXIT_USAGE : 0;
	}
	if (g_str_equal(sub, "list"))
		return capture_list(ctl, argc - 1, argv + 1);
	if (g_str_equal(sub, "show") || g_str_equal(sub, "export")) {
		gboolean show = g_str_equal(sub, "show");
		g_autoptr(LactdCapFile) cap = NULL;
		const char *out = argc == 4 ? argv[3] : "-";

		if (argc < 3 || argc > (show ? 3 : 4) || !parse_id(argv[2], &id) || id == 0)
			return usage("capture %s needs a capture ID%s", sub,
				     show ? "" : " and optionally a FILE");
		cap = fetch_capture(ctl, id, &rc);
		if (cap == NULL)
			return rc;
		if (show) {
			g_autofree char *text = lactd_capfile_describe(cap);
			g_print("%s", text);
		} else if (g_str_equal(out, "-")) {
			g_autofree char *text = lactd_capfile_to_string(cap);
			g_print("%s", text);
		} else if (!lactd_capfile_save(cap, out, &error)) {
			g_printerr("lactctl: %s\n", error->message);
			return EXIT_DAEMON;
		}
		return 0;
	}
	if (g_str_equal(sub, "import")) {
		if (argc != 3)
			return usage("capture import needs one FILE%s", "");
		return capture_import(ctl, argv[2]);
	}
	if (g_str_equal(sub, "start")) {
		gboolean raw = FALSE;
		const char *address = NULL;

		for (int i = 2; i < argc; i++) {
			if (g_str_equal(argv[i], "--raw"))
				raw = TRUE;
			else if (address == NULL && argv[i][0] != '-')
				address = argv[i];
			else
				return usage("capture start: unexpected '%s'", argv[i]);
		}
		if (address == NULL)
			return usage("capture start needs a device ADDRESS%s", "");
		if ((rc = connect_ctl(ctl)) != 0)
			return rc;
		if (!lactd_manager1_call_start_capture_sync(ctl->manager, address, raw, &id, NULL,
							    &error))
			return fail_error(error);
		g_print("Recording %s as capture %" G_GUINT64_FORMAT ". "
			"'lactctl capture mark TEXT' notes what the device shows; "
			"'lactctl capture stop' ends it.\n",
			address, id);
		return 0;
	}
	if (g_str_equal(sub, "stop") || g_str_equal(sub, "delete")) {
		gboolean del = g_str_equal(sub, "delete");

		if (argc > 3 || (argc == 3 && !parse_id(argv[2], &id)) || (del && argc != 3))
			return usage("capture %s needs %s capture ID", sub, del ? "one" : "at most one");
		if ((rc = connect_ctl(ctl)) != 0)
			return rc;
		if (del ? !lactd_manager1_call_delete_capture_sync(ctl->manager, id, NULL, &error)
			: !lactd_manager1_call_stop_capture_sync(ctl->manager, id, NULL, &error))
			return fail_error(error);
		if (del)
			g_print("Capture %" G_GUINT64_FORMAT " deleted.\n", id);
		else
			g_print("Recording stopped.\n");
		return 0;
	}
	if (g_str_equal(sub, "mark")) {
		const char *text = NULL;

		for (int i = 2; i < argc; i++) {
			if (g_str_equal(argv[i], "--id") && i + 1 < argc) {
				if (!parse_id(argv[++i], &id))
					return usage("capture mark: --id needs a capture ID%s", "");
			} else if (text == NULL) {
				text = argv[i];
			} else {
				return usage("capture mark: unexpected '%s' (quote the text)", argv[i]);
			}
		}
		if (text == NULL || text[0] == '\0')
			return usage("capture mark needs a TEXT%s", "");
		if ((rc = connect_ctl(ctl)) != 0)
			return rc;
		if (!lactd_manager1_call_mark_capture_sync(ctl->manager, id, text, NULL, &error))
			return fail_error(error);
		return 0;
	}
	return usage("capture: unknown subcommand '%s'", sub);
}

typedef struct {
	const char *name;
	int (*func)(Ctl *, int, char **);
	const char *summary;
} Command;

static const Command commands[] = {
    {"status", cmd_status, "the daemon, devices, live sessions, today"},
    {"log", cmd_log, "record a session by hand"},
    {"sessions", cmd_sessions, "list recorded sessions"},
    {"show", cmd_show, "show one session with its samples"},
    {"edit", cmd_edit, "change a recorded session"},
    {"delete", cmd_delete, "delete a session"},
    {"summary", cmd_summary, "totals per local day"},
    {"weighings", cmd_weighings, "list scale weighings"},
    {"watch", cmd_watch, "follow the running session live"},
    {"device", cmd_device, "list devices, set side or role, enable, disable, forget"},
    {"plan", cmd_plan, "show or set your plan's targets"},
    {"progress", cmd_progress, "today, the last 24 hours and the weeks, beside your plan"},
    {"export", cmd_export, "export csv, json or fhir for a consultant"},
    {"capture", cmd_capture, "record a device's Bluetooth traffic to decode it"},
};

static void
help(void)
{
	g_print("Usage: lactctl COMMAND [OPTIONS]\n\nTalks to lactd, which records milk expression "
		"and feeding sessions.\n\nCommands:\n");
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		g_print("  %-10s %s\n", commands[i].name, commands[i].summary);
	g_print("\n'lactctl COMMAND --help' describes each. lactctl(1) has the rest.\n");
}

int
main(int argc, char **argv)
{
	Ctl ctl = {0};
	int rc;

	setlocale(LC_ALL, "");
	if (argc < 2 || g_str_equal(argv[1], "--help") || g_str_equal(argv[1], "-h") ||
	    g_str_equal(argv[1], "help")) {
		help();
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (g_str_equal(argv[1], "--version")) {
		g_print("lactctl %s\n", PACKAGE_VERSION);
		return 0;
	}
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (g_str_equal(argv[1], commands[i].name)) {
			rc = commands[i].func(&ctl, argc - 1, argv + 1);
			g_clear_object(&ctl.manager);
			g_clear_object(&ctl.bus);
			return rc;
		}
	}
	return usage("unknown command '%s'", argv[1]);
}
