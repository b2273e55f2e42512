/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl's strict parsing and its local-time formatting across DST. */
#include "config.h"

#include <string.h>

#include <stdlib.h>
#include <time.h>

#include "lactctl-util.h"

static void
test_duration(void)
{
	gint64 us;
	const char *bad[] = {"", "20", "m", "20x", "-5m", "1h-3m", "20 m", "1.5h", "99999999d"};

	g_assert_true(lactctl_parse_duration("20m", &us, NULL));
	g_assert_cmpint(us, ==, 20 * G_TIME_SPAN_MINUTE);
	g_assert_true(lactctl_parse_duration("1h30m", &us, NULL));
	g_assert_cmpint(us, ==, 90 * G_TIME_SPAN_MINUTE);
	g_assert_true(lactctl_parse_duration("90s", &us, NULL));
	g_assert_cmpint(us, ==, 90 * G_TIME_SPAN_SECOND);
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(lactctl_parse_duration(bad[i], &us, &error));
		g_assert_nonnull(error);
	}
}

static void
test_ml(void)
{
	double v;
	const char *bad[] = {"", "12x", "-1", "nan", "inf", "1000.5", "1e3x", " 5", "0x10"};

	g_assert_true(lactctl_parse_ml("62.4", &v, NULL));
	g_assert_cmpfloat(v, ==, 62.4);
	g_assert_true(lactctl_parse_ml("0", &v, NULL));
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(lactctl_parse_ml(bad[i], &v, &error));
		g_assert_nonnull(error);
	}
}

/* "45,5" where the locale writes a decimal comma; never a thousands
 * separator, never two separators. */
static void
test_ml_comma(void)
{
	double v;
	const char *bad[] = {"1,000.5", "4,5,5", "45,5x", ",", "45.5,"};

	g_assert_true(lactctl_parse_ml_with("45,5", TRUE, &v, NULL));
	g_assert_cmpfloat(v, ==, 45.5);
	g_assert_true(lactctl_parse_ml_with("45.5", TRUE, &v, NULL));
	g_assert_cmpfloat(v, ==, 45.5);
	g_assert_false(lactctl_parse_ml_with("45,5", FALSE, &v, NULL));
	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_assert_false(lactctl_parse_ml_with(bad[i], TRUE, &v, &error));
		g_assert_nonnull(strstr(error->message, bad[i]));
	}
}

static void
test_format_minutes(void)
{
	const struct {
		guint64 s;
		const char *text;
	} cases[] = {{5, "5 s"}, {842, "14 min 02 s"}, {3600, "1 h 00 min"}, {5430, "1 h 30 min"}};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *t = lactctl_format_minutes(cases[i].s);
		g_assert_cmpstr(t, ==, cases[i].text);
	}
}

static void
test_local_dst(void)
{
	gint64 a, b;
	g_autofree char *s = NULL;

	g_setenv("TZ", "Europe/Berlin", TRUE);
	tzset();
	/* The night of 2026-03-29: 01:59 then 03:00 local, an hour apart by the clock, one minute in fact. */
	g_assert_true(lactctl_parse_local_time("2026-03-29 01:59", &a, NULL));
	g_assert_true(lactctl_parse_local_time("2026-03-29 03:00", &b, NULL));
	g_assert_cmpint(b - a, ==, G_TIME_SPAN_MINUTE);
	s = lactctl_format_local(b);
	g_assert_cmpstr(s, ==, "2026-03-29 03:00");
	g_assert_true(lactctl_parse_when("2026-03-30", &b, NULL));
	g_assert_true(lactctl_parse_when("2026-03-29", &a, NULL));
	g_assert_cmpint(b - a, ==, 23 * G_TIME_SPAN_HOUR);
	g_assert_false(lactctl_parse_local_time("2026-02-30 10:00", &a, NULL));
	g_assert_false(lactctl_parse_local_time("2026-03-29 24:00", &a, NULL));
	g_unsetenv("TZ");
	tzset();
}

static void
test_json(void)
{
	g_autoptr(GString) out = g_string_new(NULL);
	g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_new_parsed(
	    "[{'note': <'a \"quoted\"\\nline\\u0001'>, 'left_ml': <62.4>, 'id': <uint64 7>, "
	    "'samples': <[(int64 1, 2.0, 3.0)]>, 'ok': <true>}]"));

	lactctl_json_value(out, v);
	g_assert_cmpstr(out->str, ==,
			"[{\"note\":\"a \\\"quoted\\\"\\nline\\u0001\",\"left_ml\":62.4,\"id\":7,"
			"\"samples\":[[1,2.0,3.0]],\"ok\":true}]");
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lactctl/parse/duration", test_duration);
	g_test_add_func("/lactctl/parse/ml", test_ml);
	g_test_add_func("/lactctl/parse/ml-comma", test_ml_comma);
	g_test_add_func("/lactctl/format/minutes", test_format_minutes);
	g_test_add_func("/lactctl/parse/local-dst", test_local_dst);
	g_test_add_func("/lactctl/json", test_json);
	return g_test_run();
}
