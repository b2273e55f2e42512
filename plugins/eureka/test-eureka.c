/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Eureka Precisa: the parser against status frames laid out as the public
 * sources describe them (Decenza's eurekaprecisascale.cpp, the GaggiMate
 * library's eureka.cpp, Beanconqueror's eurekaPrecisaScale.ts), every
 * refusal, the commands, encoder round trips, the emulator through a
 * scenario, and the plugin module through a recording LactdHost: a scale
 * left in ounces or millilitres is set to grams before a single frame
 * arrives, so no reading is ever stored in another unit.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "eureka-encode.h"
#include "eureka-parse.h"
#include "lactd-emu.h"
#include "lactd-test-plugin.h"

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
	} v[] = {
	    /* Header AA 09 41, timer off, 0 s, positive, 118.5 g. */
	    {"aa 09 41 00 0000 00 a104 0000", 118.5},
	    /* de1app reads only the first 9 bytes. */
	    {"aa 09 41 00 0000 00 a104", 118.5},
	    /* Timer running at 16 s, negative 2.5 g after a tare. */
	    {"aa 09 41 01 1000 01 1900 0000", -2.5},
	    {"aa 09 41 00 0000 00 0000 0000", 0.0},
	    /* The 16-bit maximum: 6553.5 g. */
	    {"aa 09 41 00 0000 00 ffff 0000", 6553.5},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 buf[16];
		gsize len = lactd_test_unhex(v[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(eureka_parse(NULL, EUREKA_NOTIFY, buf, len, r, 2, &reason), ==, 1);
		g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, v[i].grams, 1e-9);
		g_assert_false(r[0].weight.stable);
	}
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *hex, *reason;
	} v[] = {
	    {"", "eureka: frame is not 9 to 11 bytes"},
	    {"aa 09 41 00 0000 00 a1", "eureka: frame is not 9 to 11 bytes"},
	    {"aa 09 41 00 0000 00 a104 0000 00", "eureka: frame is not 9 to 11 bytes"},
	    {"ab 09 41 00 0000 00 a104 0000", "eureka: not a status frame"},
	    {"aa 08 41 00 0000 00 a104 0000", "eureka: not a status frame"},
	    {"aa 09 42 00 0000 00 a104 0000", "eureka: not a status frame"},
	    /* A command echoed is not a status frame. */
	    {"aa 03 36 00 0000 00 0000 0000", "eureka: not a status frame"},
	    {"aa 09 41 02 0000 00 a104 0000", "eureka: flag byte neither 0 nor 1"},
	    {"aa 09 41 00 0000 ff a104 0000", "eureka: flag byte neither 0 nor 1"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 buf[16];
		gsize len = lactd_test_unhex(v[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(eureka_parse(NULL, EUREKA_NOTIFY, buf, len, r, 2, &reason), ==, -1);
		g_assert_cmpstr(reason, ==, v[i].reason);
	}
	{
		guint8 buf[EUREKA_FRAME_LEN];
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_true(eureka_encode_status(buf, 1, FALSE, 0));
		g_assert_cmpint(eureka_parse(NULL, EUREKA_WRITE, buf, sizeof(buf), r, 2, &reason),
				==, -1);
		g_assert_cmpstr(reason, ==, "eureka: not the status characteristic");
	}
}

static void
test_commands(void)
{
	guint8 cmd[4];

	/* Decenza's and Beanconqueror's unit command. */
	eureka_build_unit(cmd, EUREKA_UNIT_GRAMS);
	g_assert_cmpmem(cmd, 4, "\xaa\x03\x36\x00", 4);
	eureka_build_unit(cmd, EUREKA_UNIT_MILLILITRES);
	g_assert_cmpmem(cmd, 4, "\xaa\x03\x36\x02", 4);
}

static void
test_roundtrip(void)
{
	const double grams[] = {0, 0.1, -0.1, 118.5, -2.5, 2000.0, 6553.5};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		guint8 buf[EUREKA_FRAME_LEN];
		EurekaStatus st;
		const char *reason = NULL;

		g_assert_true(eureka_encode_status(buf, grams[i], TRUE, 300));
		g_assert_true(eureka_decode(buf, sizeof(buf), &st, &reason));
		g_assert_cmpfloat_with_epsilon(st.value, grams[i], 1e-9);
		g_assert_true(st.timer_running);
		g_assert_cmpuint(st.timer, ==, 300);
	}
	{
		guint8 buf[EUREKA_FRAME_LEN];
		g_assert_false(eureka_encode_status(buf, 6553.6, FALSE, 0));
	}
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"unit=lb", "interval_ms=1", "colour=red", "weighings=1:5000"};

	lactd_test_emu_refuses("eureka", bad, G_N_ELEMENTS(bad));
}

/* The plugin over an emulated scale left in @unit: every weight the host
 * gets is grams, because the grams command goes out first, without
 * response, before notifications are enabled. */
static void
module_with_unit(gconstpointer data)
{
	const char *unit = data;
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("eureka", LACTD_KIND_SCALE, "eureka_parse", &module);
	const LactdPluginDesc *d;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	g_autofree char *text =
	    g_strdup_printf("[s]\nemulator=eureka\nunit=%s\nweighings=1:150\n", unit);
	guint at_150 = 0;

	d = desc0;
	g_assert_cmpstr(d->name, ==, "eureka");
	g_assert_true(g_pattern_match_simple(d->name_patterns[0], "CFS-9002"));
	g_assert_cmpuint(d->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, !=, 0);
	hd = lactd_test_host_new("C0:FF:EE:00:00:09", d);
	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "write " EUREKA_WRITE " aa033600");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==, "subscribe " EUREKA_NOTIFY);
	g_assert_cmpuint(hd->writes_with_response, ==, 0);
	g_assert_null(d->timer);

	lactd_emu_advance_to(hd->emu, 5000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	g_assert_cmpuint(hd->emitted->len, ==, 50);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		g_assert_cmpint(r->type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat(r->weight.grams, <=, 150.0 + 1e-9);
		at_150 += fabs(r->weight.grams - 150.0) < 1e-9;
	}
	g_assert_cmpuint(at_150, >, 20);
	lactd_emu_free(hd->emu);
	hd->emu = NULL;
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

/* Without the grams command the emulator shows its unit: the test above
 * would see it, so it can fail. */
static void
test_emulator_units(void)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	static const LactdPluginDesc parse_only = {
	    .abi_version = LACTD_PLUGIN_ABI_VERSION, .name = "eureka-parse", .parse = eureka_parse};
	double last = 0;

	hd = lactd_test_host_new("C0:FF:EE:00:00:09", &parse_only);
	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=eureka\nunit=oz\nweighings=1:150\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);
	lactd_emu_set_subscribed(hd->emu, EUREKA_NOTIFY, TRUE);
	lactd_emu_advance_to(hd->emu, 5000);
	last = g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1).weight.grams;
	g_assert_cmpfloat_with_epsilon(last, 5.3, 1e-9); /* 150 g in ounces */
	lactd_emu_free(hd->emu);
	hd->emu = NULL;
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/eureka/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/eureka/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/eureka/parse/commands", test_commands);
	g_test_add_func("/plugin/eureka/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/eureka/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/eureka/emulator/units", test_emulator_units);
	g_test_add_data_func("/plugin/eureka/module/grams", "g", module_with_unit);
	g_test_add_data_func("/plugin/eureka/module/left-in-ounces", "oz", module_with_unit);
	g_test_add_data_func("/plugin/eureka/module/left-in-ml", "ml", module_with_unit);
	return g_test_run();
}
