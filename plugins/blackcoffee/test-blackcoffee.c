/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Blackcoffee.io: the parser against frames built from the layout
 * Beanconqueror's blackcoffeeScale.ts decodes, every refusal, encoder
 * round trips, the emulator through scenarios, and the plugin module wired
 * to the emulator through a fake LactdHost.
 */
#include "config.h"

#include <math.h>

#include "blackcoffee-encode.h"
#include "lactd-test-plugin.h"

static void
test_parse_vectors(void)
{
	static const LactdParseCase cases[] = {
	    LACTD_PARSE_WEIGHT("00 00 01 00 01 ce e4 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       118.5, TRUE),
	    LACTD_PARSE_WEIGHT("00 00 00 00 01 ce e4 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       118.5, FALSE),
	    LACTD_PARSE_WEIGHT("00 00 81 00 00 30 0c 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       -12.3, TRUE),
	    LACTD_PARSE_WEIGHT("00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       0.0, TRUE),
	    /* High nibble C: negative too (Beanconqueror tests 8 and C). */
	    LACTD_PARSE_WEIGHT("00 00 c1 00 00 03 e8 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       -1.0, TRUE),
	    /* 30 kg; the high nibble of byte 3 is not part of the weight. */
	    LACTD_PARSE_WEIGHT("00 00 01 01 c9 c3 80 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       30000.0, TRUE),
	    LACTD_PARSE_WEIGHT("00 00 01 f0 00 03 e8 00 00 00 00 00 00 00 00 00 00 00 00 00", 1,
			       1.0, TRUE),
	    /* 15 bytes, the shortest Beanconqueror takes. */
	    LACTD_PARSE_WEIGHT("00 00 01 00 03 d2 20 00 00 00 00 00 00 00 00", 1, 250.4, TRUE),
	};
	const guint8 b[] = {1};
	BlackcoffeeParseState st = {0};
	LactdReading r;
	const char *reason = NULL;

	lactd_test_parse_cases(blackcoffee_parse, BLACKCOFFEE_NOTIFY, cases, G_N_ELEMENTS(cases));
	/* The state counts good frames. */
	g_assert_cmpint(blackcoffee_parse(&st, BLACKCOFFEE_NOTIFY, (const guint8 *)
					  "\0\0\1\0\1\xce\xe4\0\0\0\0\0\0\0\0",
					  15, &r, 1, &reason),
			==, 1);
	g_assert_cmpuint(st.frames, ==, 1);
	/* Other characteristics: nothing. */
	g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_SERVICE, b, 1, &r, 1, &reason), ==, 0);
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase cases[] = {
	    LACTD_PARSE_REFUSED("", "blackcoffee: frame shorter than 15 bytes"),
	    LACTD_PARSE_REFUSED("00 00 01 00 01 ce e4 00 00 00 00 00 00 00",
				"blackcoffee: frame shorter than 15 bytes"),
	    LACTD_PARSE_REFUSED("00 00 01 01 c9 c3 81 00 00 00 00 00 00 00 00 00 00 00 00 00",
				"blackcoffee: weight out of range"),
	    LACTD_PARSE_REFUSED("00 00 01 0f ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00",
				"blackcoffee: weight out of range"),
	};
	guint8 ok[15];
	LactdReading r[1];
	const char *reason = NULL;

	lactd_test_parse_cases(blackcoffee_parse, BLACKCOFFEE_NOTIFY, cases, G_N_ELEMENTS(cases));
	/* No room for the reading. */
	lactd_test_unhex("00 00 01 00 01 ce e4 00 00 00 00 00 00 00 00", ok, sizeof(ok));
	g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_NOTIFY, ok, sizeof(ok), r, 0, &reason),
			==, -1);
	g_assert_cmpstr(reason, ==, "blackcoffee: no room for the reading");
}

/* No public source documents framing (blackcoffee-parse.h): a frame cut
 * across two notifications is refused, both halves counted, and two frames
 * in one notification read as the first with the rest ignored. */
static void
test_parse_no_framing(void)
{
	guint8 two[2 * BLACKCOFFEE_EMU_LEN];
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	g_assert_true(blackcoffee_encode_weight(two, 118.5, TRUE));
	g_assert_true(blackcoffee_encode_weight(two + BLACKCOFFEE_EMU_LEN, 250.4, TRUE));
	g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_NOTIFY, two, 8, r, 1, &reason), ==, -1);
	g_assert_cmpstr(reason, ==, "blackcoffee: frame shorter than 15 bytes");
	reason = NULL;
	g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_NOTIFY, two + 8,
					  BLACKCOFFEE_EMU_LEN - 8, r, 1, &reason),
			==, -1);
	g_assert_cmpstr(reason, ==, "blackcoffee: frame shorter than 15 bytes");
	g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_NOTIFY, two, sizeof(two), r,
					  G_N_ELEMENTS(r), &reason),
			==, 1);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 118.5, 1e-9);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-30000, 30000);
		gboolean stable = g_test_rand_bit();
		guint8 buf[BLACKCOFFEE_EMU_LEN];
		LactdReading r;
		const char *reason = NULL;

		g_assert_true(blackcoffee_encode_weight(buf, grams, stable));
		g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_NOTIFY, buf, sizeof(buf), &r, 1,
						  &reason),
				==, 1);
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.0005 + 1e-9);
		g_assert_cmpint(r.weight.stable, ==, stable);
	}
	{
		guint8 buf[BLACKCOFFEE_EMU_LEN];

		g_assert_false(blackcoffee_encode_weight(buf, 268435.456, TRUE));
		g_assert_false(blackcoffee_encode_weight(buf, NAN, TRUE));
	}
}

/* ---- the emulator -------------------------------------------------------- */

static void
test_emulator(void)
{
	g_autoptr(LactdEmu) emu =
	    lactd_test_emu_new("emulator=blackcoffee\nweighings=2:118.5;10:0;20:250.4");
	g_autoptr(GPtrArray) sent = lactd_test_emu_stream(emu, BLACKCOFFEE_NOTIFY, 1000, 30000);
	BlackcoffeeParseState st = {0};
	g_autoptr(GArray) r = lactd_test_parse_all(blackcoffee_parse, &st, BLACKCOFFEE_NOTIFY, sent);
	const double want[] = {0, 118.5, 0, 250.4};

	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent->len, ==, 290);
	g_assert_cmpuint(st.frames, ==, 290);
	lactd_test_assert_settled(r, want, G_N_ELEMENTS(want));
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red",	    "packing=single", "interval_ms=0",
					  "interval_ms=x",  "weighings=1",    "weighings=1:-5",
					  "weighings=1:4000", "battery=50"};

	lactd_test_emu_refuses("blackcoffee", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *d = lactd_test_plugin_open("blackcoffee", LACTD_KIND_SCALE,
							  "blackcoffee_parse", &module);
	g_autoptr(LactdTestHost) hd = NULL;
	const double want[] = {0, 150, 0, 90};

	g_assert_cmpstr(d->service_uuids[0], ==, "0000ffb0-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(d->required_chars[0], ==, BLACKCOFFEE_NOTIFY);
	g_assert_null(d->required_chars[1]);
	/* It sends its own stable flag. */
	g_assert_cmpuint(d->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, ==, 0);
	g_assert_cmpfloat(d->weight_resolution_g, ==, 0.1);
	g_assert_true(lactd_test_plugin_name_matches(d, "BlackCoffee"));
	g_assert_true(lactd_test_plugin_name_matches(d, "blackcoffee.io 2"));
	g_assert_true(lactd_test_plugin_name_matches(d, "my_scale"));
	g_assert_false(lactd_test_plugin_name_matches(d, "Decent Scale"));
	g_assert_false(lactd_test_plugin_name_matches(d, "WeighMaster ECS-02"));
	g_assert_false(lactd_test_plugin_name_matches(d, "Microbalance"));

	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:23", d,
				      "emulator=blackcoffee\nweighings=1:150;8:0;12:90");
	/* Subscribe, and nothing written: the scale takes no command. */
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==,
			"subscribe 0000ffb2-0000-1000-8000-00805f9b34fb");
	lactd_emu_advance_to(hd->emu, 20000);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	lactd_test_assert_settled(hd->emitted, want, G_N_ELEMENTS(want));
	/* 200 frames, emitted only as they change. */
	g_assert_cmpuint(hd->emitted->len, <, 60);

	/* Garbage is refused through the host with its reason. */
	{
		guint8 big[BLACKCOFFEE_EMU_LEN];
		guint8 ok[BLACKCOFFEE_EMU_LEN];
		guint emitted = hd->emitted->len;

		g_assert_true(blackcoffee_encode_weight(big, 30000.001, TRUE));
		g_assert_true(blackcoffee_encode_weight(ok, 100.0, TRUE));
		hd->desc->value(NULL, &lactd_test_host, BLACKCOFFEE_NOTIFY, big, sizeof(big),
				LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, BLACKCOFFEE_NOTIFY, ok, 14,
				LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject blackcoffee: weight out of range"),
				 ==, 1);
		g_assert_cmpuint(
		    lactd_test_host_count(hd, "reject blackcoffee: frame shorter than 15 bytes"), ==, 1);
		g_assert_cmpuint(hd->emitted->len, ==, emitted);
		/* A settled weight the host could not store is offered again. */
		hd->fail_emit = TRUE;
		hd->desc->value(NULL, &lactd_test_host, BLACKCOFFEE_NOTIFY, ok, sizeof(ok),
				LACTD_VALUE_NOTIFY);
		hd->fail_emit = FALSE;
		hd->desc->value(NULL, &lactd_test_host, BLACKCOFFEE_NOTIFY, ok, sizeof(ok),
				LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, BLACKCOFFEE_NOTIFY, ok, sizeof(ok),
				LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(hd->emitted->len, ==, emitted + 1);
		g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, emitted).weight.grams, ==,
				  100.0);
	}
	hd->desc->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/blackcoffee/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/blackcoffee/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/blackcoffee/parse/no-framing", test_parse_no_framing);
	g_test_add_func("/plugin/blackcoffee/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/blackcoffee/emulator/weighings", test_emulator);
	g_test_add_func("/plugin/blackcoffee/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/blackcoffee/module/host", test_module);
	return g_test_run();
}
