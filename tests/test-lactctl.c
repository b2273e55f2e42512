/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl against the real daemon on a private bus: output, errors, exit codes. */
#include "config.h"

#include <string.h>

#include "lactd-test.h"

static int
ctl(char **out, char **err, ...)
{
	g_autofree char *path = lactd_test_build_path("client", "lactctl", NULL);
	g_autoptr(GPtrArray) argv = g_ptr_array_new();
	va_list ap;
	const char *a;

	g_ptr_array_add(argv, path);
	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(argv, (gpointer)a);
	va_end(ap);
	g_ptr_array_add(argv, NULL);
	return lactd_test_run((const char *const *)argv->pdata, out, err);
}

static void
test_lactctl(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_autofree char *out = NULL, *err = NULL;
	guint64 id;

	/* log prints the new id */
	g_assert_cmpint(ctl(&out, &err, "log", "pump", "--ago", "2h", "--duration", "20m", "--left",
			    "45.5", "--right", "38", "--note", "morning, \"good\"", NULL),
			==, 0);
	g_assert_nonnull(strstr(out, "Recorded session "));
	id = g_ascii_strtoull(strstr(out, "session ") + 8, NULL, 10);
	g_assert_cmpuint(id, >, 0);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	/* listings, human and JSON */
	g_assert_cmpint(ctl(&out, &err, "sessions", "--since", "1d", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "45.5"));
	g_assert_nonnull(strstr(out, "83.5"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "sessions", "--json", NULL), ==, 0);
	g_assert_true(g_str_has_prefix(out, "[{"));
	g_assert_nonnull(strstr(out, "\"note\":\"morning, \\\"good\\\"\""));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "summary", "--days", "2", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "83.5"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	/* progress and an export, answered by the daemon */
	g_assert_cmpint(ctl(&out, &err, "progress", NULL), ==, 0);
	/* In words, beside the default plan; not a terminal, so no colour. */
	g_assert_nonnull(strstr(out, "Sessions:       1 so far (your plan: 8 to 12)"));
	g_assert_nonnull(strstr(out, "Today so far:"));
	g_assert_null(strchr(out, '\033'));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "progress", "--json", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "\"sessions_24h\":1"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "progress", "extra", NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "export", "csv", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "\"morning, \"\"good\"\"\""));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "export", "xml", NULL), ==, 1);
	g_assert_nonnull(strstr(err, "format"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	/* edit, then show */
	{
		g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_assert_cmpint(ctl(&out, &err, "edit", ids, "--left", "50", NULL), ==, 0);
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		g_assert_cmpint(ctl(&out, &err, "show", ids, "--json", NULL), ==, 0);
		g_assert_nonnull(strstr(out, "\"left_ml\":50.0"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		/* the daemon's refusal: one clear line, exit 1, nothing changed */
		g_assert_cmpint(ctl(&out, &err, "edit", ids, "--duration", "30h", NULL), ==, 1);
		g_assert_nonnull(strstr(err, "invalid arguments: end:"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		g_assert_cmpint(ctl(&out, &err, "delete", ids, NULL), ==, 0);
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		g_assert_cmpint(ctl(&out, &err, "show", ids, NULL), ==, 4);
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
	}
	/* usage errors: exit 2, nothing sent */
	g_assert_cmpint(ctl(&out, &err, "log", "pump", "--left", "12x", NULL), ==, 2);
	g_assert_nonnull(strstr(err, "12x"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "frobnicate", NULL), ==, 2);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	/* --help for a command */
	g_assert_cmpint(ctl(&out, &err, "sessions", "--help", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "--since"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	/* plan set and shown */
	g_assert_cmpint(ctl(&out, &err, "plan", "set", "--sessions", "9-11", NULL), ==, 0);
	g_assert_nonnull(strstr(out, "9 to 11"));
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);
	g_assert_cmpint(ctl(&out, &err, "plan", "set", "--sessions", "12-9", NULL), ==, 1);
	g_clear_pointer(&out, g_free);
	g_clear_pointer(&err, g_free);

	/* the daemon gone: exit 3 */
	lactd_test_daemon_stop(daemon);
	g_assert_cmpint(ctl(&out, &err, "status", NULL), ==, 3);
	g_assert_nonnull(strstr(err, "not running"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lactctl/against-daemon", test_lactctl);
	return g_test_run();
}
