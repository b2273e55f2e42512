/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl sessions, show, log, edit and delete. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lactctl-columns.h"
#include "lactctl-common.h"
#include "lactctl-list.h"
#include "lactctl-util.h"

/* ---- one session as a table row ------------------------------------------------ */

static gboolean
was_measured(GVariant *s, const char *what)
{
	g_autofree const char **measured = NULL;

	/* A daemon older than the "measured" key measured what it sent. */
	if (!g_variant_lookup(s, "measured", "^a&s", &measured))
		return TRUE;
	return g_strv_contains(measured, what);
}

static char *
ml_cell(GVariant *s, const char *key, const char *what)
{
	if (what != NULL && !was_measured(s, what))
		return g_strdup(lactctl_not_measured());
	return lactctl_column_cell(&lactd_session_table, key, s);
}

/* The columns; START, MIN and NOTE are worked out from several keys. */
static const LactctlColumn session_columns[] = {
    {"ID", "id"},	      {"START", "start"},	  {">MIN", NULL},
    {"KIND", "kind"},	      {"LEFT", "left_ml"},	  {"RIGHT", "right_ml"},
    {"WEIGHED", "weighed_ml"}, {"TOTAL", "total_ml"},	  {"SUPPL", "supplement_ml"},
    {"SOURCE", "source"},     {"NOTE", NULL},
};

static LactctlTable *
session_table_new(void)
{
	g_auto(GStrv) headers = lactctl_columns_headers(&lactd_session_table, session_columns,
							G_N_ELEMENTS(session_columns));

	return lactctl_table_new((const char *const *)headers);
}

static void
add_session_row(LactctlTable *table, GVariant *s)
{
	gint64 start = 0, end = 0;
	const char *kind = "", *source = "", *note = "", *milk = "";
	guint64 id = 0;
	gboolean interrupted = FALSE;
	g_autofree char *note_text = NULL;
	char **row = g_new0(char *, G_N_ELEMENTS(session_columns) + 1);

	g_variant_lookup(s, "id", "t", &id);
	g_variant_lookup(s, "start", "x", &start);
	g_variant_lookup(s, "end", "x", &end);
	g_variant_lookup(s, "kind", "&s", &kind);
	g_variant_lookup(s, "source", "&s", &source);
	g_variant_lookup(s, "interrupted", "b", &interrupted);
	g_variant_lookup(s, "note", "&s", &note);
	g_variant_lookup(s, "milk", "&s", &milk);
	note_text = g_strdup_printf("%s%s%s", interrupted ? "[interrupted] " : "",
				    g_str_equal(kind, "supplement") && milk[0] ? milk : "",
				    g_str_equal(kind, "supplement") && milk[0] && note[0] ? ": " : "");
	row[0] = g_strdup_printf("%" G_GUINT64_FORMAT, id);
	row[1] = lactctl_format_local(start);
	row[2] = g_strdup_printf("%" G_GINT64_FORMAT, (MAX(end, start) - start) / G_TIME_SPAN_MINUTE);
	row[3] = g_strdup(kind);
	if (g_str_equal(kind, "supplement")) {
		/* Given, not expressed: its own column, never in TOTAL. */
		row[4] = g_strdup("");
		row[5] = g_strdup("");
		row[6] = g_strdup("");
		row[7] = g_strdup("");
		row[8] = ml_cell(s, "supplement_ml", NULL);
	} else {
		gboolean any = was_measured(s, "left") || was_measured(s, "right") ||
			       was_measured(s, "weighed");
		row[4] = ml_cell(s, "left_ml", "left");
		row[5] = ml_cell(s, "right_ml", "right");
		row[6] = was_measured(s, "weighed") ? ml_cell(s, "weighed_ml", NULL)
						    : g_strdup(lactctl_not_measured());
		row[7] = any ? ml_cell(s, "total_ml", NULL) : g_strdup(lactctl_not_measured());
		row[8] = g_strdup("");
	}
	row[9] = g_strdup(source);
	{
		g_autofree char *joined = g_strconcat(note_text, note, NULL);
		row[10] = lactctl_cell_text(joined, 60);
	}
	lactctl_table_add_strv(table, row);
}

static const char sessions_description[] =
    "LEFT, RIGHT: milk expressed from each breast. WEIGHED: what the baby took at the\n"
    "breast, by weighing before and after the feed. TOTAL = LEFT + RIGHT + WEIGHED.\n"
    "SUPPL: supplement given, never counted in TOTAL. A dash: not measured.\n"
    "WHEN: 7d, 12h, 30m (ago), today, yesterday or YYYY-MM-DD (local days of lactd).";

int
lactctl_range_listing(LactctlCtx *ctx, const LactctlListing *listing, int argc, char **argv)
{
	g_autofree char *since = NULL, *until = NULL;
	const GOptionEntry entries[] = {
	    {"since", 's', 0, G_OPTION_ARG_STRING, &since, "From WHEN (default 7d)", "WHEN"},
	    {"until", 'u', 0, G_OPTION_ARG_STRING, &until, "Until WHEN (default now)", "WHEN"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON array, for scripts", NULL},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(LactctlTable) table = NULL;
	gint64 from, to = G_MAXINT64;
	int rc;

	if (!lactctl_options(ctx, NULL, listing->summary, listing->description, entries, &argc,
			     &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 0, 0, "")) != 0)
		return rc;
	/* Checked before connecting, read again in lactd's time zone after. */
	if (!lactctl_parse_when(since != NULL ? since : "7d", &from, &error) ||
	    (until != NULL && !lactctl_parse_when(until, &to, &error)))
		return lactctl_usage(ctx, "%s", error->message);
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	lactctl_parse_when(since != NULL ? since : "7d", &from, NULL);
	if (until != NULL)
		lactctl_parse_when(until, &to, NULL);
	if (!listing->fetch(ctx, from, to, &list, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(list);
		return 0;
	}
	if (g_variant_n_children(list) == 0) {
		g_print("%s\n", listing->none);
		return 0;
	}
	table = listing->table_new();
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(list, i);
		listing->add_row(table, row);
	}
	lactctl_table_print(table);
	return 0;
}

static gboolean
fetch_sessions(LactctlCtx *ctx, gint64 from, gint64 to, GVariant **list, GError **error)
{
	return lactctl_list_sessions(ctx->manager, from, to, list, error);
}

int
lactctl_cmd_sessions(LactctlCtx *ctx, int argc, char **argv)
{
	static const LactctlListing listing = {
	    .summary = "Lists recorded sessions, oldest first.",
	    .description = sessions_description,
	    .none = "No sessions in that time yet.",
	    .fetch = fetch_sessions,
	    .table_new = session_table_new,
	    .add_row = add_session_row,
	};

	return lactctl_range_listing(ctx, &listing, argc, argv);
}

/* The options of a command on one session, and its ID; FALSE with the exit
 * code in *rc when they are wrong (or --help was asked). */
static gboolean
session_id_command(LactctlCtx *ctx, const char *summary, const char *description,
		   const GOptionEntry *entries, int argc, char **argv, guint64 *id, int *rc)
{
	if (!lactctl_options(ctx, "ID", summary, description, entries, &argc, &argv, rc))
		return FALSE;
	if ((*rc = lactctl_expect_words(ctx, argc, argv, 1, 1, "one session ID")) != 0)
		return FALSE;
	if (!lactctl_parse_id(argv[1], id)) {
		*rc = lactctl_usage(ctx, "'%s' is not a session ID", argv[1]);
		return FALSE;
	}
	return TRUE;
}

int
lactctl_cmd_show(LactctlCtx *ctx, int argc, char **argv)
{
	gboolean samples = FALSE;
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "JSON, for scripts", NULL},
	    {"samples", 0, 0, G_OPTION_ARG_NONE, &samples, "Every sample, not only the first and last", NULL},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) sv = NULL;
	g_autoptr(LactctlTable) table = NULL;
	const char *note = "";
	guint64 id;
	int rc;

	if (!session_id_command(ctx, "Shows one session with its samples.", NULL, entries, argc,
				argv, &id, &rc))
		return rc;
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!lactd_manager1_call_get_session_sync(ctx->manager, id, &s, NULL, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(s);
		return 0;
	}
	table = session_table_new();
	add_session_row(table, s);
	lactctl_table_print(table);
	/* The table cuts a long note to one line; here it is whole. */
	if (g_variant_lookup(s, "note", "&s", &note) && note[0] != '\0')
		g_print("\nNote: %s\n", note);
	sv = g_variant_lookup_value(s, "samples", G_VARIANT_TYPE("a(xdd)"));
	if (sv != NULL && g_variant_n_children(sv) > 0) {
		gsize n = g_variant_n_children(sv);
		g_print("\n%" G_GSIZE_FORMAT " samples%s\n", n,
			samples || n <= 2 ? "" : " (first and last; --samples shows every one)");
		for (gsize i = 0; i < n; i++) {
			gint64 t;
			double l, r;
			g_autofree char *when = NULL;
			if (!samples && i != 0 && i != n - 1)
				continue;
			g_variant_get_child(sv, i, "(xdd)", &t, &l, &r);
			when = lactctl_format_local_seconds(t);
			g_print("  %s  left %6.1f mL  right %6.1f mL\n", when, l, r);
		}
	}
	return 0;
}

int
lactctl_cmd_delete(LactctlCtx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	guint64 id;
	int rc;

	if (!session_id_command(ctx, "Deletes a session and its samples; its weighings are kept.",
				NULL, NULL, argc, argv, &id, &rc))
		return rc;
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!lactd_manager1_call_delete_session_sync(ctx->manager, id, NULL, &error))
		return lactctl_fail(ctx, error);
	g_print("Session %" G_GUINT64_FORMAT " deleted.\n", id);
	return 0;
}

/* ---- log and edit ---------------------------------------------------------------- */

typedef struct {
	char *start;
	char *ended;
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

static void
entry_opts_clear(EntryOpts *o)
{
	char **fields[] = {&o->start, &o->ended, &o->ago, &o->duration, &o->left, &o->right,
			   &o->ml, &o->left_minutes, &o->right_minutes, &o->note, &o->method,
			   &o->milk};
	for (guint i = 0; i < G_N_ELEMENTS(fields); i++)
		g_clear_pointer(fields[i], g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(EntryOpts, entry_opts_clear)

#define ENTRY_OPTIONS(o)                                                                           \
	{"start", 0, 0, G_OPTION_ARG_STRING, &(o).start, "When it started", "\"YYYY-MM-DD HH:MM\"|HH:MM"}, \
	    {"ended", 0, 0, G_OPTION_ARG_STRING, &(o).ended, "When it ended", "\"YYYY-MM-DD HH:MM\"|HH:MM"}, \
	    {"ago", 0, 0, G_OPTION_ARG_STRING, &(o).ago, "It ended this long ago", "5m|2h"},          \
	    {"duration", 0, 0, G_OPTION_ARG_STRING, &(o).duration, "How long it lasted", "20m"},    \
	    {"left", 0, 0, G_OPTION_ARG_STRING, &(o).left, "Millilitres from the left breast", "ML"}, \
	    {"right", 0, 0, G_OPTION_ARG_STRING, &(o).right, "Millilitres from the right breast", "ML"}, \
	    {"left-minutes", 0, 0, G_OPTION_ARG_STRING, &(o).left_minutes, "Minutes on the left", "N"}, \
	    {"right-minutes", 0, 0, G_OPTION_ARG_STRING, &(o).right_minutes, "Minutes on the right", "N"}, \
	    {"ml", 0, 0, G_OPTION_ARG_STRING, &(o).ml, "Supplement given, mL", "ML"},              \
	    {"method", 0, 0, G_OPTION_ARG_STRING, &(o).method, "Supplement: bottle, supplementer, cup, syringe or spoon", "M"}, \
	    {"milk", 0, 0, G_OPTION_ARG_STRING, &(o).milk, "Supplement: expressed, donor or formula", "M"}, \
	    {"note", 0, 0, G_OPTION_ARG_STRING, &(o).note, "A note", "TEXT"}

static const char entry_description[] =
    "Times: --ago 5m means it ended 5 minutes ago; --ended 14:30 or\n"
    "--ended \"2026-03-01 14:30\" says when it ended; --start says when it began.\n"
    "With --duration 20m the other end follows. Without any, it ended now.\n"
    "A decimal comma (45,5) is taken where your locale writes numbers so.\n"
    "Examples:\n"
    "  lactctl log pump --ago 5m --duration 20m --left 45.5 --right 38\n"
    "  lactctl log nursing --start 03:10 --duration 25m --note \"night feed\"\n"
    "  lactctl log supplement --ml 30 --method supplementer --milk donor";

/* "HH:MM": today in lactd's zone, or yesterday when today's is still to come. */
static gboolean
parse_clock(const char *text, const char *option, gint64 *us, GError **error)
{
	unsigned h, m;
	char extra;

	if (text != NULL && sscanf(text, "%2u:%2u%c", &h, &m, &extra) == 2 && h < 24 && m < 60) {
		g_autoptr(GTimeZone) tz = lactctl_time_zone();
		g_autoptr(GDateTime) now = g_date_time_new_now(tz);
		g_autoptr(GDateTime) at =
		    g_date_time_new(tz, g_date_time_get_year(now), g_date_time_get_month(now),
				    g_date_time_get_day_of_month(now), (int)h, (int)m, 0);
		if (at != NULL && g_date_time_compare(at, now) > 0) {
			g_autoptr(GDateTime) before = g_date_time_add_days(at, -1);
			*us = g_date_time_to_unix(before) * G_USEC_PER_SEC;
		} else if (at != NULL) {
			*us = g_date_time_to_unix(at) * G_USEC_PER_SEC;
		}
		return at != NULL;
	}
	if (!lactctl_parse_local_time(text, us, error)) {
		g_prefix_error(error, "%s: ", option);
		return FALSE;
	}
	return TRUE;
}

static gboolean
add_ml(GVariantBuilder *b, const char *key, const char *option, const char *text, GError **error)
{
	double v;

	if (text == NULL)
		return TRUE;
	if (!lactctl_parse_ml(text, &v, error)) {
		g_prefix_error(error, "%s: ", option);
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", key, g_variant_new_double(v));
	return TRUE;
}

static gboolean
add_minutes(GVariantBuilder *b, const char *key, const char *option, const char *text,
	    GError **error)
{
	char *end = NULL;
	guint64 m;

	if (text == NULL)
		return TRUE;
	m = g_ascii_strtoull(text, &end, 10);
	if (!g_ascii_isdigit(text[0]) || *end != '\0' || m > 24 * 60) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: '%s' is not a number of minutes", option, text);
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", key, g_variant_new_uint32((guint32)m * 60));
	return TRUE;
}

/* Works out start and end the way people say them. `existing`: for an edit,
 * the session's start and end (NULL for a new one). Adds nothing when an
 * edit changes no time. */
static gboolean
add_times(const EntryOpts *o, const gint64 *existing, GVariantBuilder *b, GError **error)
{
	gint64 now = g_get_real_time(), start = 0, end = 0, duration = 0;
	gboolean have_start = FALSE, have_end = FALSE, have_duration = FALSE;

	if ((o->ended != NULL) + (o->ago != NULL) > 1 ||
	    (o->start != NULL && o->ended != NULL && o->duration != NULL) ||
	    (o->start != NULL && o->ago != NULL && o->duration != NULL)) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "give the start, the end (--ended or --ago) and --duration: "
				    "any two of them, not all three");
		return FALSE;
	}
	if (o->start != NULL) {
		if (!parse_clock(o->start, "--start", &start, error))
			return FALSE;
		have_start = TRUE;
	}
	if (o->ended != NULL) {
		if (!parse_clock(o->ended, "--ended", &end, error))
			return FALSE;
		have_end = TRUE;
	} else if (o->ago != NULL) {
		gint64 ago;
		if (!lactctl_parse_duration(o->ago, &ago, error)) {
			g_prefix_error(error, "--ago: ");
			return FALSE;
		}
		end = now - ago;
		have_end = TRUE;
	}
	if (o->duration != NULL) {
		if (!lactctl_parse_duration(o->duration, &duration, error)) {
			g_prefix_error(error, "--duration: ");
			return FALSE;
		}
		have_duration = TRUE;
	}
	if (existing != NULL && !have_start && !have_end && !have_duration)
		return TRUE;
	if (!have_duration)
		duration = existing != NULL ? existing[1] - existing[0] : 0;
	if (have_start && have_end) {
		/* both given */
	} else if (have_start) {
		end = start + duration;
	} else if (have_end) {
		start = end - duration;
	} else if (existing != NULL) {
		/* --duration alone keeps the start and moves the end. */
		start = existing[0];
		end = start + duration;
	} else {
		end = now;
		start = end - duration;
	}
	if (end < start) {
		g_set_error_literal(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
				    "it would end before it started: check --start and --ended");
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(b, "{sv}", "end", g_variant_new_int64(end));
	return TRUE;
}

static gboolean
build_entry(const EntryOpts *o, const char *kind, const gint64 *existing, GVariantBuilder *b,
	    GError **error)
{
	if (kind != NULL)
		g_variant_builder_add(b, "{sv}", "kind", g_variant_new_string(kind));
	if (!add_times(o, existing, b, error) ||
	    !add_ml(b, "left_ml", "--left", o->left, error) ||
	    !add_ml(b, "right_ml", "--right", o->right, error) ||
	    !add_ml(b, "supplement_ml", "--ml", o->ml, error) ||
	    !add_minutes(b, "left_seconds", "--left-minutes", o->left_minutes, error) ||
	    !add_minutes(b, "right_seconds", "--right-minutes", o->right_minutes, error))
		return FALSE;
	if (o->note != NULL)
		g_variant_builder_add(b, "{sv}", "note", g_variant_new_string(o->note));
	if (o->method != NULL)
		g_variant_builder_add(b, "{sv}", "method", g_variant_new_string(o->method));
	if (o->milk != NULL)
		g_variant_builder_add(b, "{sv}", "milk", g_variant_new_string(o->milk));
	return TRUE;
}

int
lactctl_cmd_log(LactctlCtx *ctx, int argc, char **argv)
{
	g_auto(EntryOpts) o = {0};
	const GOptionEntry entries[] = {ENTRY_OPTIONS(o), {0}};
	static const char *const kinds[] = {"pump", "hand", "nursing", "supplement", NULL};
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;
	guint64 id;
	int rc;

	if (!lactctl_options(ctx, "KIND", "Records a session by hand: KIND is pump, hand, nursing or supplement.",
			     entry_description, entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 1, 1,
				       "a kind: pump, hand, nursing or supplement")) != 0)
		return rc;
	if (!g_strv_contains(kinds, argv[1]))
		return lactctl_usage(ctx, "'%s' is not a kind: pump, hand, nursing or supplement",
				     argv[1]);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, argv[1], NULL, &b, &error)) {
		g_variant_builder_clear(&b);
		return lactctl_usage(ctx, "%s", error->message);
	}
	g_variant_builder_clear(&b);
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	/* Again, now in lactd's time zone. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, argv[1], NULL, &b, &error)) {
		g_variant_builder_clear(&b);
		return lactctl_usage(ctx, "%s", error->message);
	}
	if (!lactd_manager1_call_add_session_sync(ctx->manager, g_variant_builder_end(&b), &id, NULL,
						  &error))
		return lactctl_fail(ctx, error);
	g_print("Recorded session %" G_GUINT64_FORMAT ". Every drop counts.\n", id);
	return 0;
}

int
lactctl_cmd_edit(LactctlCtx *ctx, int argc, char **argv)
{
	g_auto(EntryOpts) o = {0};
	const GOptionEntry entries[] = {ENTRY_OPTIONS(o), {0}};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) current = NULL;
	GVariantBuilder b;
	gint64 existing[2] = {0, 0};
	guint64 id;
	int rc;

	if (!session_id_command(ctx, "Changes a recorded session; what is not given stays.",
				entry_description, entries, argc, argv, &id, &rc))
		return rc;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, NULL, existing, &b, &error)) {
		g_variant_builder_clear(&b);
		return lactctl_usage(ctx, "%s", error->message);
	}
	g_variant_builder_clear(&b);
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!lactd_manager1_call_get_session_sync(ctx->manager, id, &current, NULL, &error))
		return lactctl_fail(ctx, error);
	g_variant_lookup(current, "start", "x", &existing[0]);
	g_variant_lookup(current, "end", "x", &existing[1]);
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	if (!build_entry(&o, NULL, existing, &b, &error)) {
		g_variant_builder_clear(&b);
		return lactctl_usage(ctx, "%s", error->message);
	}
	if (!lactd_manager1_call_update_session_sync(ctx->manager, id, g_variant_builder_end(&b), NULL,
						     &error))
		return lactctl_fail(ctx, error);
	g_print("Session %" G_GUINT64_FORMAT " updated.\n", id);
	return 0;
}
