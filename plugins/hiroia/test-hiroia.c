/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Hiroia Jimmy: the parser against frames laid out as the public sources
 * read them (Beanconqueror's jimmyScale.ts, Decenza's hiroiascale.cpp), in
 * grams and in ounces, every refusal, encoder round trips, the emulator
 * through a scenario, and the plugin module wired to the emulator: a scale
 * left in ounces gives grams, and is toggled back once.
 */
#include "config.h"

#include <math.h>

#include "hiroia-encode.h"
#include "lactd-test-plugin.h"

static void
test_parse_vectors(void)
{
	static const LactdParseCase cases[] = {
	    /* Mode 1 (scale only), 0x0004a1 = 1185 tenths: 118.5 g. */
	    LACTD_PARSE_WEIGHT("01 00 00 00 a1 04 00", 1, 118.5, 0),
	    /* Negative: 0xfffff6 is -10 tenths, -1.0 g (Beanconqueror's sign
	     * byte FF). */
	    LACTD_PARSE_WEIGHT("01 00 00 00 f6 ff ff", 1, -1.0, 0),
	    /* Mode 4 (espresso) in ounces, mode byte 4 + 8: 4233 thousandths
	     * of an ounce are 120.0 g. */
	    LACTD_PARSE_WEIGHT("0c 00 00 00 89 10 00", 1, 4.233 * HIROIA_GRAMS_PER_OUNCE, 0),
	    /* Longer frames carry more than lactd reads. */
	    LACTD_PARSE_WEIGHT("02 01 02 03 e8 03 00 00 00", 1, 100.0, 0),
	    /* Zero, and the 30 kg limit exactly. */
	    LACTD_PARSE_WEIGHT("01 00 00 00 00 00 00", 1, 0.0, 0),
	    LACTD_PARSE_WEIGHT("01 00 00 00 e0 93 04", 1, 30000.0, 0),
	};

	lactd_test_parse_cases(hiroia_parse, HIROIA_NOTIFY, cases, G_N_ELEMENTS(cases));
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase cases[] = {
	    LACTD_PARSE_REFUSED("", "hiroia: frame shorter than 7 bytes"),
	    LACTD_PARSE_REFUSED("01 00 00 00 a1 04", "hiroia: frame shorter than 7 bytes"),
	    LACTD_PARSE_REFUSED("11 00 00 00 a1 04 00", "hiroia: unknown mode"),
	    LACTD_PARSE_REFUSED("ff 00 00 00 a1 04 00", "hiroia: unknown mode"),
	    LACTD_PARSE_REFUSED("01 00 00 00 e1 93 04", "hiroia: weight over 30 kg"),
	    LACTD_PARSE_REFUSED("01 00 00 00 ff ff 7f", "hiroia: weight over 30 kg"),
	    LACTD_PARSE_REFUSED("09 00 00 00 ff ff 7f", "hiroia: weight over 30 kg"),
	};
	guint8 ok[HIROIA_FRAME_LEN];
	LactdReading r[1];
	const char *reason = NULL;

	lactd_test_parse_cases(hiroia_parse, HIROIA_NOTIFY, cases, G_N_ELEMENTS(cases));
	/* The state says which unit the last good frame was in. */
	{
		HiroiaParseState st = {0};

		g_assert_true(hiroia_encode_status(ok, 1, TRUE, 120.0));
		g_assert_cmpint(hiroia_parse(&st, HIROIA_NOTIFY, ok, sizeof(ok), r, 1, &reason), ==,
				1);
		g_assert_true(st.ounces);
		g_assert_true(hiroia_encode_status(ok, 1, FALSE, 120.0));
		g_assert_cmpint(hiroia_parse(&st, HIROIA_NOTIFY, ok, sizeof(ok), r, 1, &reason), ==,
				1);
		g_assert_false(st.ounces);
	}
	/* Another characteristic's bytes give nothing. */
	g_assert_cmpint(hiroia_parse(NULL, HIROIA_WRITE, ok, sizeof(ok), r, 1, &reason), ==, 0);
}

static void
test_roundtrip(void)
{
	const double grams[] = {0, 0.1, -0.1, 118.5, -7.2, 2999.9, 10000.0};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		for (guint oz = 0; oz < 2; oz++) {
			guint8 f[HIROIA_FRAME_LEN];
			LactdReading r[1];
			const char *reason = NULL;

			g_assert_true(hiroia_encode_status(f, 3, oz, grams[i]));
			g_assert_cmpuint(f[0], ==, oz ? 11 : 3);
			g_assert_cmpint(hiroia_parse(NULL, HIROIA_NOTIFY, f, sizeof(f), r, 1, &reason),
					==, 1);
			/* Ounces to 0.001 oz lose up to 0.015 g. */
			g_assert_cmpfloat(fabs(r[0].weight.grams - grams[i]), <=,
					  oz ? 0.015 : 1e-9);
		}
	}
	{
		guint8 f[HIROIA_FRAME_LEN];

		g_assert_false(hiroia_encode_status(f, 1, FALSE, 900000.0));
	}
}

static void
test_emulator(void)
{
	g_autoptr(LactdEmu) emu = lactd_test_emu_new("emulator=hiroia\nunit=oz\nweighings=1:150");
	g_autoptr(GPtrArray) sent = lactd_test_emu_stream(emu, HIROIA_NOTIFY, 500, 5000);
	g_autoptr(GArray) r = lactd_test_parse_all(hiroia_parse, NULL, HIROIA_NOTIFY, sent);

	g_assert_cmpuint(sent->len, >, 40);
	/* Mode 1, in ounces. */
	g_assert_cmpuint(((const guint8 *)g_bytes_get_data(sent->pdata[0], NULL))[0], ==, 9);
	g_assert_cmpuint(lactd_test_count_weights(r, 150.0, 0.015), >, 20);
	/* Commands: two bytes on ...1823 only. */
	g_assert_true(lactd_test_emu_takes(emu, HIROIA_WRITE, "0b 00"));
	g_assert_false(lactd_test_emu_takes(emu, HIROIA_WRITE, "0b"));
	g_assert_false(lactd_test_emu_takes(emu, HIROIA_WRITE, "99 00"));
	g_assert_false(lactd_test_emu_takes(emu, HIROIA_NOTIFY, "0b 00"));
	g_assert_false(emu->klass->finished(emu));
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"unit=lb", "mode=0", "mode=7", "battery=101",
					  "interval_ms=1", "colour=red", "weighings=1:5000"};

	lactd_test_emu_refuses("hiroia", bad, G_N_ELEMENTS(bad));
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *d = lactd_test_plugin_open("hiroia", LACTD_KIND_SCALE,
							  "hiroia_parse", &module);
	static const char *const chars[] = {HIROIA_NOTIFY, HIROIA_WRITE, NULL};
	g_autoptr(LactdTestHost) hd = NULL;

	lactd_test_assert_scale_desc(d, HIROIA_SERVICE, chars, LACTD_PLUGIN_FLAG_HOST_STABILITY,
				     0.1);
	g_assert_true(lactd_test_plugin_name_matches(d, "HIROIA JIMMY"));
	g_assert_true(lactd_test_plugin_name_matches(d, "hiroia-1234"));
	g_assert_false(lactd_test_plugin_name_matches(d, "Jimmy"));

	/* A scale left in ounces. */
	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:31", d,
				      "emulator=hiroia\nunit=oz\nweighings=1:120");
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " HIROIA_NOTIFY);
	lactd_emu_advance_to(hd->emu, 5000);
	/* The first frame in ounces toggles the unit, once. */
	g_assert_cmpuint(lactd_test_host_count(hd, "write " HIROIA_WRITE " 0b00"), ==, 1);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 1);
	g_assert_cmpuint(hd->writes_with_response, ==, 1);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	/* Every weight in grams, the one in ounces before the toggle too. */
	g_assert_cmpuint(lactd_test_count_weights(hd->emitted, 120.0, 0.015), >=, 25);
	g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1).weight.grams,
			  ==, 120.0);

	/* A garbled frame is refused through the host with its reason. */
	hd->desc->value(NULL, &lactd_test_host, HIROIA_NOTIFY, (const guint8 *)"\x01\x00", 2,
			LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject hiroia: frame shorter than 7 bytes"),
			 ==, 1);
	g_clear_pointer(&hd, lactd_test_host_free);

	/* A scale in grams is written nothing. */
	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:31", d, "emulator=hiroia\nweighings=1:120");
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	lactd_emu_advance_to(hd->emu, 5000);
	g_assert_cmpuint(hd->emitted->len, >, 40);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/hiroia/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/hiroia/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/hiroia/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/hiroia/emulator/scenario", test_emulator);
	g_test_add_func("/plugin/hiroia/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/hiroia/module/host", test_module);
	return g_test_run();
}
