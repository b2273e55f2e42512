/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl against the real daemon on a private bus: output, errors, exit
 * codes, and every promise of lactctl(1) a tired parent relies on. */
#include "config.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "lactd-test.h"

typedef struct {
	char *out;
	char *err;
	int rc;
} Run;

static void
run_clear(Run *r)
{
	g_clear_pointer(&r->out, g_free);
	g_clear_pointer(&r->err, g_free);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Run, run_clear)

/* Runs lactctl with the words given; the previous result is dropped. */
static int
ctl(Run *r, ...)
{
	g_autofree char *path = lactd_test_build_path("client", "lactctl", NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	va_list ap;
	const char *a;

	run_clear(r);
	g_ptr_array_add(argv, path);
	va_start(ap, r);
	while ((a = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	r->rc = lactd_test_run((const char *const *)argv->pdata, &r->out, &r->err);
	return r->rc;
}

static guint
count_lines(const char *text)
{
	guint n = 0;

	for (const char *p = text; *p != '\0'; p++)
		n += *p == '\n';
	return n;
}

/* The integer after "\"key\":" in the first object of a JSON text. */
static gint64
json_int(const char *json, const char *key)
{
	g_autofree char *needle = g_strdup_printf("\"%s\":", key);
	const char *p = strstr(json, needle);

	g_assert_nonnull(p);
	return g_ascii_strtoll(p + strlen(needle), NULL, 10);
}

static void
test_lactctl(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_auto(Run) r = {0};
	guint64 id;

	/* log prints the new id */
	g_assert_cmpint(ctl(&r, "log", "pump", "--ago", "2h", "--duration", "20m", "--left", "45.5",
			    "--right", "38", "--note", "morning, \"good\"", NULL),
			==, 0);
	g_assert_nonnull(strstr(r.out, "Recorded session "));
	id = g_ascii_strtoull(strstr(r.out, "session ") + 8, NULL, 10);
	g_assert_cmpuint(id, >, 0);

	/* listings, human and JSON */
	g_assert_cmpint(ctl(&r, "sessions", "--since", "1d", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "45.5"));
	g_assert_nonnull(strstr(r.out, "83.5"));
	g_assert_cmpint(ctl(&r, "sessions", "--json", NULL), ==, 0);
	g_assert_true(g_str_has_prefix(r.out, "[{"));
	g_assert_nonnull(strstr(r.out, "\"note\":\"morning, \\\"good\\\"\""));
	g_assert_cmpint(ctl(&r, "summary", "--days", "2", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "83.5"));

	/* progress and an export, answered by the daemon */
	g_assert_cmpint(ctl(&r, "progress", NULL), ==, 0);
	/* In words, beside the default plan; not a terminal, so no colour. */
	g_assert_nonnull(strstr(r.out, "Sessions:       1 so far (your plan: 8 to 12)"));
	g_assert_nonnull(strstr(r.out, "Today so far:"));
	g_assert_null(strchr(r.out, '\033'));
	g_assert_cmpint(ctl(&r, "progress", "--json", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "\"sessions_24h\":1"));
	g_assert_cmpint(ctl(&r, "progress", "extra", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "export", "csv", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "morning, \"\"good\"\""));
	g_assert_cmpint(ctl(&r, "export", "xml", NULL), ==, 1);
	g_assert_nonnull(strstr(r.err, "FORMAT"));

	/* edit, then show */
	{
		g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_assert_cmpint(ctl(&r, "edit", ids, "--left", "50", NULL), ==, 0);
		g_assert_cmpint(ctl(&r, "show", ids, "--json", NULL), ==, 0);
		g_assert_nonnull(strstr(r.out, "\"left_ml\":50.0"));
		/* the daemon's refusal: one clear line in the user's words, exit 1 */
		g_assert_cmpint(ctl(&r, "edit", ids, "--duration", "30h", NULL), ==, 1);
		g_assert_nonnull(strstr(r.err, "the time (--start, --ago, --ended, --duration)"));
		g_assert_null(strstr(r.err, "end:"));
		g_assert_cmpint(ctl(&r, "delete", ids, NULL), ==, 0);
		g_assert_cmpint(ctl(&r, "show", ids, NULL), ==, 4);
	}
	/* usage errors: exit 2, the option named, nothing sent */
	g_assert_cmpint(ctl(&r, "log", "pump", "--left", "12x", NULL), ==, 2);
	g_assert_nonnull(strstr(r.err, "--left: '12x'"));
	g_assert_nonnull(strstr(r.err, "Try 'lactctl log --help'"));
	g_assert_cmpint(ctl(&r, "frobnicate", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "sessions", "--since", "1h", "extra", NULL), ==, 2);
	g_assert_nonnull(strstr(r.err, "unexpected 'extra'"));
	g_assert_cmpint(ctl(&r, "sessions", "--bogus", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "status", "extra", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "device", "list", "extra", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "capture", "list", "extra", NULL), ==, 2);
	g_assert_cmpint(ctl(&r, "log", "walk", NULL), ==, 2);
	/* one help style, naming the command */
	g_assert_cmpint(ctl(&r, "sessions", "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "lactctl sessions [OPTION"));
	g_assert_nonnull(strstr(r.out, "--since"));
	g_assert_cmpint(ctl(&r, "device", "set", "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "lactctl device set [OPTION"));
	g_assert_cmpint(ctl(&r, "capture", "start", "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "--raw"));
	g_assert_cmpint(ctl(&r, "--version", NULL), ==, 0);
	g_assert_true(g_str_has_prefix(r.out, "lactctl " PACKAGE_VERSION));
	g_assert_cmpint(ctl(&r, "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "summary"));

	/* plan set and shown; a refusal names the option typed */
	g_assert_cmpint(ctl(&r, "plan", "set", "--sessions", "9-11", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "9 to 11"));
	g_assert_cmpint(ctl(&r, "plan", "set", "--sessions", "12-9", NULL), ==, 1);
	g_assert_nonnull(strstr(r.err, "--sessions"));
	g_assert_null(strstr(r.err, "sessions_min"));
	g_assert_cmpint(ctl(&r, "plan", "set", "--start", "today", NULL), ==, 0);
	g_assert_null(strstr(r.out, "(not set"));
	g_assert_cmpint(ctl(&r, "plan", "--json", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "\"sessions_min\":9"));

	/* status and device list in JSON */
	g_assert_cmpint(ctl(&r, "status", "--json", NULL), ==, 0);
	g_assert_true(g_str_has_prefix(r.out, "{\"version\":"));
	g_assert_nonnull(strstr(r.out, "\"devices\":[]"));
	g_assert_nonnull(strstr(r.out, "\"today\":{"));
	g_assert_cmpint(ctl(&r, "device", "list", "--json", NULL), ==, 0);
	g_assert_cmpstr(r.out, ==, "[]\n");
	g_assert_cmpint(ctl(&r, "device", "--json", NULL), ==, 0);
	g_assert_cmpstr(r.out, ==, "[]\n");

	/* the daemon gone: exit 3 and what to do */
	lactd_test_daemon_stop(daemon);
	g_assert_cmpint(ctl(&r, "status", NULL), ==, 3);
	g_assert_nonnull(strstr(r.err, "lactd is not running: start it with 'systemctl start lactd'"));
}

/* "I finished 5 minutes ago, it lasted 20": ended then, started 25 min ago. */
static void
test_times(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_auto(Run) r = {0};
	gint64 now = g_get_real_time();

	g_assert_cmpint(ctl(&r, "log", "pump", "--ago", "5m", "--duration", "20m", "--left", "10",
			    NULL),
			==, 0);
	g_assert_cmpint(ctl(&r, "sessions", "--json", NULL), ==, 0);
	g_assert_cmpint(json_int(r.out, "end"), <=, now - 5 * G_TIME_SPAN_MINUTE + 10 * G_USEC_PER_SEC);
	g_assert_cmpint(json_int(r.out, "end"), >=, now - 5 * G_TIME_SPAN_MINUTE - 10 * G_USEC_PER_SEC);
	g_assert_cmpint(json_int(r.out, "end") - json_int(r.out, "start"), ==, 20 * G_TIME_SPAN_MINUTE);
	/* all three of start, end and duration: refused, nothing sent */
	g_assert_cmpint(ctl(&r, "log", "pump", "--start", "00:10", "--ago", "5m", "--duration", "20m",
			    NULL),
			==, 2);
	g_assert_cmpint(ctl(&r, "sessions", "--json", NULL), ==, 0);
	g_assert_null(strstr(strstr(r.out, "}") + 1, "\"id\""));
}

/* What was not measured is a dash; the supplement has its own column; a
 * note's newline does not break the table. */
/* lactctl summary (read through GetDailySummaryFd, the empty days filled in
 * by lactctl) shows exactly lactd's GetRecentDays: the same days, the same
 * keys, a volume not measured absent, never 0. */
static void
assert_summary_is_recent_days(LactdTestBus *bus, guint days)
{
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autofree char *n = g_strdup_printf("%u", days);
	g_auto(Run) r = {0};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply = lactd_test_call(c, "GetRecentDays", g_variant_new("(u)", days),
						    "(aa{sv})", &error);
	g_autoptr(GVariant) want = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonArray *got;

	g_assert_no_error(error);
	want = g_variant_get_child_value(reply, 0);
	g_assert_cmpint(ctl(&r, "summary", "--days", n, "--json", NULL), ==, 0);
	g_assert_true(json_parser_load_from_data(parser, r.out, -1, &error));
	got = json_node_get_array(json_parser_get_root(parser));
	g_assert_cmpuint(json_array_get_length(got), ==, days);
	g_assert_cmpuint(g_variant_n_children(want), ==, days);
	for (guint i = 0; i < days; i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(want, i);
		JsonObject *o = json_array_get_object_element(got, i);
		GVariantIter iter;
		const char *key;
		GVariant *value;

		g_assert_cmpuint(json_object_get_size(o), ==, g_variant_n_children(d));
		g_variant_iter_init(&iter, d);
		while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
			g_assert_true(json_object_has_member(o, key));
			if (g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				g_assert_cmpstr(json_object_get_string_member(o, key), ==,
						g_variant_get_string(value, NULL));
			else if (g_variant_is_of_type(value, G_VARIANT_TYPE_DOUBLE))
				g_assert_cmpfloat_with_epsilon(json_object_get_double_member(o, key),
							       g_variant_get_double(value), 1e-9);
			else if (g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
				g_assert_cmpint(json_object_get_int_member(o, key), ==,
						g_variant_get_uint32(value));
			else if (g_variant_is_of_type(value, G_VARIANT_TYPE_BOOLEAN))
				g_assert_cmpint(json_object_get_boolean_member(o, key), ==,
						g_variant_get_boolean(value));
		}
	}
}

static void
test_not_measured(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_auto(Run) r = {0};
	g_auto(GStrv) lines = NULL;

	g_assert_cmpint(ctl(&r, "log", "nursing", "--ago", "1h", "--duration", "20m", "--note",
			    "first line\nsecond line", NULL),
			==, 0);
	g_assert_cmpint(ctl(&r, "log", "supplement", "--ago", "30m", "--ml", "30", "--milk", "donor",
			    NULL),
			==, 0);
	g_assert_cmpint(ctl(&r, "sessions", NULL), ==, 0);
	/* a header and two rows, whatever the note held */
	g_assert_cmpuint(count_lines(r.out), ==, 3);
	g_assert_nonnull(strstr(r.out, "SUPPL mL"));
	lines = g_strsplit(r.out, "\n", -1);
	/* the nursing row: left, right, weighed and total not measured */
	g_assert_nonnull(strstr(lines[1], "nursing"));
	g_assert_null(strstr(lines[1], "0.0"));
	g_assert_nonnull(strstr(lines[1], "—"));
	g_assert_nonnull(strstr(lines[1], "first line second line"));
	/* the supplement: 30.0 in SUPPL, nothing in TOTAL */
	g_assert_nonnull(strstr(lines[2], "30.0"));
	g_assert_null(strstr(lines[2], " 0.0"));
	g_assert_true(strstr(lines[2], "30.0") == g_strrstr(lines[2], "30.0"));
	/* a summary whose days have nothing measured say so */
	g_assert_cmpint(ctl(&r, "summary", "--days", "3", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "WEIGHED mL"));
	g_assert_null(strstr(r.out, " 0.0 "));
	g_assert_nonnull(strstr(r.out, "30.0"));
	assert_summary_is_recent_days(bus, 3);
	assert_summary_is_recent_days(bus, 40);
	/* the decimal comma, where the locale writes it (unit-tested in
	 * test-lactctl-util for every locale); a dot always */
	g_assert_cmpint(ctl(&r, "log", "pump", "--left", "12.5", NULL), ==, 0);
}

/* Days are lactd's: a shell in another time zone sees the daemon's days. */
static void
test_daemon_days(void)
{
	g_autofree char *old_tz = g_strdup(g_getenv("TZ"));
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GTimeZone) tz = NULL;
	g_autoptr(GDateTime) now = NULL, began = NULL;
	g_autofree char *today = NULL, *needle = NULL, *clock = NULL;
	g_auto(Run) r = {0};
	g_auto(GStrv) lines = NULL;

	/* 13 or 14 hours apart from the shell's zone below: a different day
	 * for most of every day. */
	g_setenv("TZ", "Pacific/Kiritimati", TRUE);
	daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_setenv("TZ", "America/Los_Angeles", TRUE);
	tz = g_time_zone_new_identifier("Pacific/Kiritimati");
	now = g_date_time_new_now(tz);
	today = g_date_time_format(now, "%Y-%m-%d");
	g_assert_cmpint(ctl(&r, "summary", "--days", "1", NULL), ==, 0);
	lines = g_strsplit(r.out, "\n", -1);
	g_assert_true(g_str_has_prefix(lines[1], today));
	g_assert_cmpint(ctl(&r, "status", NULL), ==, 0);
	g_assert_nonnull(strstr(r.out, "Pacific/Kiritimati"));
	/* a session logged at a clock time of the daemon's, which ended a
	 * minute ago, is stored on the daemon's day of that time: at 01:00 in
	 * Kiritimati, "--start 00:49" is today there and yesterday in Los
	 * Angeles. (A fixed 00:30 failed when the run fell between 00:30 and
	 * 00:40 there: its end was still to come.) */
	began = g_date_time_add_minutes(now, -11);
	clock = g_date_time_format(began, "%H:%M");
	g_assert_cmpint(ctl(&r, "log", "pump", "--start", clock, "--duration", "10m", "--left", "5",
			    NULL),
			==, 0);
	g_assert_cmpint(ctl(&r, "sessions", "--since", "yesterday", NULL), ==, 0);
	needle = g_date_time_format(began, "%Y-%m-%d %H:%M");
	g_assert_nonnull(strstr(r.out, needle));
	if (old_tz != NULL)
		g_setenv("TZ", old_tz, TRUE);
	else
		g_unsetenv("TZ");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lactctl/against-daemon", test_lactctl);
	g_test_add_func("/lactctl/times", test_times);
	g_test_add_func("/lactctl/not-measured", test_not_measured);
	g_test_add_func("/lactctl/daemon-days", test_daemon_days);
	return g_test_run();
}
