/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl summary, status, weighings and progress: figures by lactd's days. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "lactctl-columns.h"
#include "lactctl-common.h"
#include "lactctl-list.h"
#include "lactctl-progress.h"
#include "lactctl-util.h"

/* The summary's columns: all but NIGHT straight from a day's table. A day
 * with nothing recorded carries no volumes: nothing was measured. */
static const LactctlColumn day_columns[] = {
    {"DAY", "day"},	    {"SESSIONS", "sessions"},	{"MINUTES", "minutes"},
    {"LEFT", "left_ml"},    {"RIGHT", "right_ml"},	{"WEIGHED", "weighed_ml"},
    {"TOTAL", "total_ml"}, {"SUPPL", "supplement_ml"}, {"NIGHT", NULL},
};

#define N_DAY_COLUMNS G_N_ELEMENTS(day_columns)

static const char summary_description[] =
    "Days are lactd's local days. LEFT + RIGHT + WEIGHED = TOTAL: WEIGHED is what\n"
    "the baby took at the breast, by weighing before and after the feed. SUPPL is\n"
    "supplement given, never part of TOTAL. A dash: nothing measured that day.\n"
    "NIGHT: yes when a session started in the plan's overnight window.";

/* The last @days local days of lactd, today last, as GetRecentDays gives
 * them: GetDailySummaryFd's days (GetDailySummary from an older lactd),
 * with each day that has nothing recorded filled in from the day table as
 * lactd fills it (no volumes: nothing was measured, which is not 0 mL). */
static gboolean
recent_days(LactctlCtx *ctx, guint days, GVariant **list, GError **error)
{
	g_autoptr(GTimeZone) tz = lactctl_time_zone();
	g_autoptr(GDateTime) now = g_date_time_new_now(tz);
	g_autoptr(GDateTime) today = g_date_time_new(tz, g_date_time_get_year(now),
						     g_date_time_get_month(now),
						     g_date_time_get_day_of_month(now), 0, 0, 0);
	g_autoptr(GDateTime) first = g_date_time_add_days(today, -(gint)(days - 1));
	g_autoptr(GDateTime) end = g_date_time_add_days(today, 1);
	g_autoptr(GVariant) rows = NULL;
	GVariantBuilder b;
	gsize next = 0;

	if (!lactctl_list_days(g_dbus_proxy_get_connection(G_DBUS_PROXY(ctx->manager)),
			       g_date_time_to_unix(first) * G_USEC_PER_SEC,
			       g_date_time_to_unix(end) * G_USEC_PER_SEC, &rows, error))
		return FALSE;
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < days; i++) {
		g_autoptr(GDateTime) d = g_date_time_add_days(first, (gint)i);
		g_autofree char *name = g_date_time_format(d, "%Y-%m-%d");
		g_autoptr(GVariant) row = NULL;
		const char *day = NULL;

		/* Oldest first on both sides; a day lactd names that is not one of
		 * these (none should be) is passed over, not shown twice. */
		while (next < g_variant_n_children(rows)) {
			g_clear_pointer(&row, g_variant_unref);
			row = g_variant_get_child_value(rows, next);
			if (!g_variant_lookup(row, "day", "&s", &day) || strcmp(day, name) >= 0)
				break;
			next++;
		}
		if (row != NULL && day != NULL && g_str_equal(day, name)) {
			g_variant_builder_add_value(&b, row);
			next++;
		} else {
			LactdDaySummary empty = {0};

			g_strlcpy(empty.day, name, sizeof(empty.day));
			g_variant_builder_add_value(&b, lactd_record_to_variant(&lactd_day_table,
										 &empty));
		}
	}
	*list = g_variant_ref_sink(g_variant_builder_end(&b));
	return TRUE;
}

int
lactctl_cmd_summary(LactctlCtx *ctx, int argc, char **argv)
{
	gint days = 7;
	const GOptionEntry entries[] = {
	    {"days", 'd', 0, G_OPTION_ARG_INT, &days, "Days to show, today included (default 7)", "N"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON array, for scripts", NULL},
	    {0},
	};
	g_auto(GStrv) headers = lactctl_columns_headers(&lactd_day_table, day_columns,
							N_DAY_COLUMNS);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(LactctlTable) table = NULL;
	guint sessions_sum = 0, minutes_sum = 0, nights = 0;
	double total_sum = 0, sup_sum = 0, weighed_sum = 0;
	gboolean any_total = FALSE, any_sup = FALSE;
	int rc;

	if (!lactctl_options(ctx, NULL, "Totals per day, oldest first, today last.",
			     summary_description, entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 0, 0, "")) != 0)
		return rc;
	if (days < 1 || days > 3660)
		return lactctl_usage(ctx, "--days: from 1 to 3660");
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!recent_days(ctx, (guint)days, &list, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(list);
		return 0;
	}
	table = lactctl_table_new((const char *const *)headers);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(list, i);
		guint32 sessions = 0, minutes = 0;
		double v;
		gboolean overnight = FALSE;

		g_variant_lookup(d, "sessions", "u", &sessions);
		g_variant_lookup(d, "minutes", "u", &minutes);
		g_variant_lookup(d, "overnight", "b", &overnight);
		if (g_variant_lookup(d, "total_ml", "d", &v)) {
			total_sum += v;
			any_total = TRUE;
		}
		if (g_variant_lookup(d, "supplement_ml", "d", &v)) {
			sup_sum += v;
			any_sup = TRUE;
		}
		if (g_variant_lookup(d, "weighed_ml", "d", &v))
			weighed_sum += v;
		{
			char **row = g_new0(char *, N_DAY_COLUMNS + 1);
			for (guint c = 0; c < N_DAY_COLUMNS - 1; c++)
				row[c] = lactctl_column_cell(&lactd_day_table, day_columns[c].key, d);
			row[8] = g_strdup(overnight ? "yes" : sessions > 0 ? "no" : "");
			lactctl_table_add_strv(table, row);
		}
		sessions_sum += sessions;
		minutes_sum += minutes;
		nights += overnight;
	}
	{
		char **row = g_new0(char *, N_DAY_COLUMNS + 1);
		row[0] = g_strdup("all days");
		row[1] = g_strdup_printf("%u", sessions_sum);
		row[2] = g_strdup_printf("%u", minutes_sum);
		row[3] = g_strdup("");
		row[4] = g_strdup("");
		row[5] = any_total ? g_strdup_printf("%.1f", weighed_sum) : g_strdup("");
		row[6] = any_total ? g_strdup_printf("%.1f", total_sum) : g_strdup(lactctl_not_measured());
		row[7] = any_sup ? g_strdup_printf("%.1f", sup_sum) : g_strdup(lactctl_not_measured());
		row[8] = g_strdup_printf("%u", nights);
		lactctl_table_add_strv(table, row);
	}
	lactctl_table_print(table);
	return 0;
}

static gboolean
fetch_weighings(LactctlCtx *ctx, gint64 from, gint64 to, GVariant **list, GError **error)
{
	return lactd_manager1_call_list_weighings_sync(ctx->manager, from, to, list, NULL, error);
}

static LactctlTable *
weighing_table_new(void)
{
	static const char *const headers[] = {"ID", "TIME", ">GRAMS", "ROLE", "DEVICE", "SESSION",
					      NULL};

	return lactctl_table_new(headers);
}

static void
add_weighing_row(LactctlTable *table, GVariant *w)
{
	guint64 id = 0, session = 0;
	gint64 t = 0;
	double grams = 0;
	const char *role = "", *device = "";
	char **row = g_new0(char *, 7);

	g_variant_lookup(w, "id", "t", &id);
	g_variant_lookup(w, "time", "x", &t);
	g_variant_lookup(w, "grams", "d", &grams);
	g_variant_lookup(w, "role", "&s", &role);
	g_variant_lookup(w, "device", "&s", &device);
	g_variant_lookup(w, "session", "t", &session);
	row[0] = g_strdup_printf("%" G_GUINT64_FORMAT, id);
	row[1] = lactctl_format_local_seconds(t);
	row[2] = g_strdup_printf("%.1f g", grams);
	row[3] = g_strdup(role);
	row[4] = g_strdup(device);
	row[5] = session != 0 ? g_strdup_printf("%" G_GUINT64_FORMAT, session)
			      : g_strdup(lactctl_not_measured());
	lactctl_table_add_strv(table, row);
}

int
lactctl_cmd_weighings(LactctlCtx *ctx, int argc, char **argv)
{
	static const LactctlListing listing = {
	    .summary = "Lists the scales' stable weighings, oldest first.",
	    .description = "ROLE bottle: a weighed bottle of expressed milk; baby: the baby, "
			   "before and after a feed.\nSESSION: the session a weighing belongs "
			   "to, a dash when none.",
	    .none = "No weighings in that time.",
	    .fetch = fetch_weighings,
	    .table_new = weighing_table_new,
	    .add_row = add_weighing_row,
	};

	return lactctl_range_listing(ctx, &listing, argc, argv);
}

/* ---- status ------------------------------------------------------------------------- */

int
lactctl_cmd_status(LactctlCtx *ctx, int argc, char **argv)
{
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON object, for scripts", NULL},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusObjectManager) om = NULL;
	g_autoptr(GVariant) days = NULL;
	g_autoptr(GVariant) live = NULL;
	g_autoptr(GVariant) today = NULL;
	int rc;

	if (!lactctl_options(ctx, NULL, "The daemon, its devices, live sessions and today's totals.",
			     NULL, entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	om = lactctl_object_manager(ctx, &error);
	if (om == NULL)
		return lactctl_fail(ctx, error);
	if (!lactd_manager1_call_get_recent_days_sync(ctx->manager, 1, &days, NULL, &error))
		return lactctl_fail(ctx, error);
	today = g_variant_get_child_value(days, 0);
	live = g_variant_ref_sink(lactctl_objects_properties(om, "org.lactd.Session1"));
	if (ctx->json) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "version",
				      g_variant_new_string(lactd_manager1_get_version(ctx->manager)));
		g_variant_builder_add(&b, "{sv}", "storage_state",
				      g_variant_new_string(lactd_manager1_get_storage_state(ctx->manager)));
		g_variant_builder_add(&b, "{sv}", "time_zone",
				      g_variant_new_string(lactd_manager1_get_time_zone(ctx->manager)));
		g_variant_builder_add(&b, "{sv}", "devices",
				      lactctl_objects_properties(om, "org.lactd.Device1"));
		g_variant_builder_add(&b, "{sv}", "live_sessions", live);
		g_variant_builder_add(&b, "{sv}", "today", today);
		lactctl_print_json(g_variant_builder_end(&b));
		return 0;
	}
	g_print("lactd %s, storage %s, days in %s\n\n", lactd_manager1_get_version(ctx->manager),
		lactd_manager1_get_storage_state(ctx->manager),
		lactd_manager1_get_time_zone(ctx->manager));
	lactctl_print_devices(ctx, om);
	for (gsize i = 0; i < g_variant_n_children(live); i++) {
		g_autoptr(GVariant) s = g_variant_get_child_value(live, i);
		guint64 id = 0;
		guint32 elapsed = 0;
		double left = 0, right = 0;
		const char *phase = "";
		g_autofree char *e = NULL;

		g_variant_lookup(s, "Id", "t", &id);
		g_variant_lookup(s, "Elapsed", "u", &elapsed);
		g_variant_lookup(s, "LeftMl", "d", &left);
		g_variant_lookup(s, "RightMl", "d", &right);
		g_variant_lookup(s, "Phase", "&s", &phase);
		e = lactctl_format_minutes(elapsed);
		g_print("\nLive: session %" G_GUINT64_FORMAT ", %s for %s, left %.1f mL, right %.1f mL\n",
			id, phase, e, left, right);
	}
	{
		guint32 sessions = 0;
		double total = 0;
		g_variant_lookup(today, "sessions", "u", &sessions);
		if (sessions == 0)
			g_print("\nToday: nothing recorded yet.\n");
		else if (g_variant_lookup(today, "total_ml", "d", &total))
			g_print("\nToday: %u session%s, %.1f mL. Every session counts.\n", sessions,
				sessions == 1 ? "" : "s", total);
		else
			g_print("\nToday: %u session%s, no volume measured. Every session counts.\n",
				sessions, sessions == 1 ? "" : "s");
	}
	return 0;
}

int
lactctl_cmd_progress(LactctlCtx *ctx, int argc, char **argv)
{
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "The daemon's figures as JSON, for scripts", NULL},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) p = NULL;
	g_autoptr(GVariant) plan = NULL;
	int rc;

	if (!lactctl_options(
		ctx, NULL, "Progress against your plan.",
		"Sessions in the last 24 hours, last night, minutes per breast, milk expressed today\n"
		"and on average, the trend over 4 weeks and the supplement, beside the plan.\n"
		"lactctl(1) says how each figure is worked out. Colour only on a terminal;\n"
		"NO_COLOR or TERM=dumb turn it off.",
		entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 0, 0, "")) != 0)
		return rc;
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!lactd_manager1_call_get_progress_sync(ctx->manager, &p, NULL, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(p);
		return 0;
	}
	if (!lactd_manager1_call_get_plan_sync(ctx->manager, &plan, NULL, &error))
		return lactctl_fail(ctx, error);
	{
		g_autoptr(GTimeZone) tz = lactctl_time_zone();
		g_autoptr(GDateTime) now = g_date_time_new_now(tz);
		g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
		g_autofree char *text = lactctl_progress_text(
		    p, plan, today,
		    lactctl_progress_use_colour(isatty(STDOUT_FILENO), g_getenv("TERM"),
						g_getenv("NO_COLOR")));
		g_print("%s", text);
	}
	return 0;
}
