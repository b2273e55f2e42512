/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Atomax Skale 2: the parser against frames laid out as the public sources
 * read them (Beanconqueror's skale.ts, Decenza's skalescaleprotocol.h with
 * the Atomax SDK's examples), every refusal, encoder round trips, the
 * emulator through a scenario, and the plugin module wired to the
 * emulator: a Skale left showing ounces is set to grams on connection.
 */
#include "config.h"

#include <math.h>

#include "lactd-test-plugin.h"
#include "skale-encode.h"

static void
test_parse_vectors(void)
{
	static const LactdParseCase cases[] = {
	    /* 1185 x 10^-1: 118.5 g, as every Skale sends. */
	    LACTD_PARSE_WEIGHT("00 a1 04 00 ff", 1, 118.5, 0),
	    /* Negative: -72 tenths. */
	    LACTD_PARSE_WEIGHT("00 b8 ff ff ff", 1, -7.2, 0),
	    /* The SDK's examples: 1234 x 10^-2 and 123 x 10^1. */
	    LACTD_PARSE_WEIGHT("00 d2 04 00 fe", 1, 12.34, 0),
	    LACTD_PARSE_WEIGHT("00 7b 00 00 01", 1, 1230.0, 0),
	    /* Past 3276.7 g, where reading two bytes would wrap. */
	    LACTD_PARSE_WEIGHT("00 a0 86 01 ff", 1, 10000.0, 0),
	    /* pyDE1 reads a second value behind the first: ignored. */
	    LACTD_PARSE_WEIGHT("00 a1 04 00 ff 00 00 00 ff", 1, 118.5, 0),
	    /* 30 kg exactly. */
	    LACTD_PARSE_WEIGHT("00 e0 93 04 ff", 1, 30000.0, 0),
	};

	lactd_test_parse_cases(skale_parse, SKALE_NOTIFY, cases, G_N_ELEMENTS(cases));
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase cases[] = {
	    LACTD_PARSE_REFUSED("", "skale: frame shorter than 5 bytes"),
	    LACTD_PARSE_REFUSED("00 a1 04 00", "skale: frame shorter than 5 bytes"),
	    LACTD_PARSE_REFUSED("00 a1 04 00 80", "skale: exponent out of range"),
	    LACTD_PARSE_REFUSED("00 a1 04 00 03", "skale: exponent out of range"),
	    LACTD_PARSE_REFUSED("00 a1 04 00 fb", "skale: exponent out of range"),
	    LACTD_PARSE_REFUSED("00 e1 93 04 ff", "skale: weight over 30 kg"),
	    LACTD_PARSE_REFUSED("00 31 75 00 02", "skale: weight over 30 kg"),
	};
	guint8 ok[SKALE_FRAME_LEN];
	LactdReading r[1];
	const char *reason = NULL;

	lactd_test_parse_cases(skale_parse, SKALE_NOTIFY, cases, G_N_ELEMENTS(cases));
	/* The button characteristic and the command one give nothing. */
	g_assert_true(skale_encode_weight(ok, 118.5, -1));
	g_assert_cmpint(skale_parse(NULL, SKALE_BUTTON, ok, sizeof(ok), r, 1, &reason), ==, 0);
	g_assert_cmpint(skale_parse(NULL, SKALE_WRITE, ok, sizeof(ok), r, 1, &reason), ==, 0);
}

static void
test_roundtrip(void)
{
	const double grams[] = {0, 0.1, -0.1, 118.5, -7.2, 2999.9, 3276.8, 29999.9};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		for (int e = -2; e <= -1; e++) {
			guint8 f[SKALE_FRAME_LEN];
			LactdReading r[1];
			const char *reason = NULL;

			g_assert_true(skale_encode_weight(f, grams[i], e));
			g_assert_cmpint(skale_parse(NULL, SKALE_NOTIFY, f, sizeof(f), r, 1, &reason),
					==, 1);
			g_assert_cmpfloat_with_epsilon(r[0].weight.grams, grams[i], 1e-9);
		}
	}
	{
		guint8 f[SKALE_FRAME_LEN];

		g_assert_false(skale_encode_weight(f, 900000.0, -1));
	}
}

static void
test_emulator(void)
{
	g_autoptr(LactdEmu) emu = lactd_test_emu_new("emulator=skale\nunit=oz\nexponent=-2\nweighings=1:150");
	g_autoptr(GPtrArray) sent = lactd_test_emu_stream(emu, SKALE_NOTIFY, 500, 5000);
	g_autoptr(GArray) r = lactd_test_parse_all(skale_parse, NULL, SKALE_NOTIFY, sent);

	g_assert_cmpuint(sent->len, >, 40);
	/* The exponent asked for: 10^-2. */
	g_assert_cmpuint(((const guint8 *)g_bytes_get_data(sent->pdata[0], NULL))[4], ==, 0xfe);
	g_assert_cmpuint(lactd_test_count_weights(r, 150.0, 0), >, 20);
	/* The display's unit follows the commands; the frames stay grams. */
	g_assert_cmpstr(skale_emu_display_unit(emu), ==, "oz");
	g_assert_true(lactd_test_emu_takes(emu, SKALE_WRITE, "03"));
	g_assert_cmpstr(skale_emu_display_unit(emu), ==, "g");
	g_assert_false(lactd_test_emu_takes(emu, SKALE_WRITE, "03 03"));
	g_assert_false(lactd_test_emu_takes(emu, SKALE_WRITE, "77"));
	g_assert_false(lactd_test_emu_takes(emu, SKALE_NOTIFY, "03"));
	g_assert_false(emu->klass->finished(emu));
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"unit=lb", "exponent=3", "exponent=-5", "exponent=x",
					  "interval_ms=1", "colour=red", "weighings=1:5000"};

	lactd_test_emu_refuses("skale", bad, G_N_ELEMENTS(bad));
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *d = lactd_test_plugin_open("skale", LACTD_KIND_SCALE,
							  "skale_parse", &module);
	static const char *const chars[] = {SKALE_NOTIFY, SKALE_WRITE, NULL};
	g_autoptr(LactdTestHost) hd = NULL;

	lactd_test_assert_scale_desc(d, SKALE_SERVICE, chars, LACTD_PLUGIN_FLAG_HOST_STABILITY,
				     0.1);
	g_assert_true(lactd_test_plugin_name_matches(d, "Skale"));
	g_assert_true(lactd_test_plugin_name_matches(d, "SKALE-1234"));
	g_assert_false(lactd_test_plugin_name_matches(d, "Decent Scale"));
	g_assert_null(d->value);
	g_assert_null(d->timer);

	/* A Skale left showing ounces. */
	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:32", d,
				      "emulator=skale\nunit=oz\nweighings=1:120");
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	/* Subscribe, display on, show the weight, grams: no tare. */
	g_assert_cmpuint(hd->log->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " SKALE_NOTIFY);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==, "write " SKALE_WRITE " ed");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==, "write " SKALE_WRITE " ec");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 3), ==, "write " SKALE_WRITE " 03");
	g_assert_cmpuint(hd->writes_with_response, ==, 3);
	g_assert_cmpstr(skale_emu_display_unit(hd->emu), ==, "g");
	lactd_emu_advance_to(hd->emu, 5000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	g_assert_cmpuint(lactd_test_count_weights(hd->emitted, 120.0, 0), >=, 25);

	/* A garbled frame is refused through the host with its reason. */
	lactd_test_host_notify(hd->emu, SKALE_NOTIFY, (const guint8 *)"\x00\x01\x02\x03\x7f", 5,
			       NULL);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject skale: exponent out of range"), ==, 1);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/skale/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/skale/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/skale/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/skale/emulator/scenario", test_emulator);
	g_test_add_func("/plugin/skale/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/skale/module/host", test_module);
	return g_test_run();
}
