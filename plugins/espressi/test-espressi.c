/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * EspressiScale: the parser against frames built from the format
 * Beanconqueror's espressiScale.ts reads (the Decent Scale's, whose
 * published examples are used), every refusal, frames split across and packed into
 * notifications, encoder round trips, the emulator through scenarios, and
 * the plugin module wired to the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "espressi-encode.h"
#include "espressi-parse.h"

static int
parse_hex(EspressiParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	return lactd_test_parse_hex(espressi_parse, st, ESPRESSI_NOTIFY, hex, r, max, reason);
}

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
		gboolean stable;
	} v[] = {
	    /* Decent's published weight frames, the format the scale speaks. */
	    {"03 ce 00 00 00 00 cd", 0.0, TRUE},
	    {"03 ce 07 94 00 00 5e", 194.0, TRUE},
	    /* Built from the format: moving, negative, both ends of 16 bits. */
	    {"03 ce 04 a1 00 00 68", 118.5, TRUE},
	    {"03 ca ff 85 00 00 b3", -12.3, FALSE},
	    {"03 ce 0b b8 00 00 7e", 300.0, TRUE},
	    {"03 ce 7f ff 00 00 4d", 3276.7, TRUE},
	    {"03 ce 80 00 00 00 4d", -3276.8, TRUE},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		LactdReading r;
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(NULL, v[i].hex, &r, 1, &reason), ==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r.weight.grams, v[i].grams, 1e-9);
		g_assert_cmpint(r.weight.stable, ==, v[i].stable);
	}
	/* Buttons (tare, timer): no reading, no refusal. */
	{
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(NULL, "03 aa 01 01 00 00 a9", &r, 1, &reason), ==, 0);
		g_assert_cmpint(parse_hex(NULL, "03 aa 02 01 00 00 aa", &r, 1, &reason), ==, 0);
	}
	/* Other characteristics: nothing. */
	{
		const guint8 b[] = {1};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(espressi_parse(NULL, ESPRESSI_WRITE, b, 1, &r, 1, &reason), ==, 0);
	}
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase bad[] = {
	    /* empty */
	    LACTD_PARSE_REFUSED("", "espressi: empty notification"),
	    /* short, stateless */
	    LACTD_PARSE_REFUSED("03 ce 04 a1 00 00", "espressi: incomplete frame"),
	    /* wrong first byte */
	    LACTD_PARSE_REFUSED("04 ce 04 a1 00 00 6f", "espressi: bytes outside a frame"),
	    /* checksum */
	    LACTD_PARSE_REFUSED("03 ce 04 a1 00 00 69", "espressi: bad checksum"),
	    /* unknown type */
	    LACTD_PARSE_REFUSED("03 42 00 00 00 00 41", "espressi: unknown frame type"),
	    /* reply to LED on */
	    LACTD_PARSE_REFUSED("03 0a 00 00 4b 03 41", "espressi: unknown frame type"),
	    /* button 0 */
	    LACTD_PARSE_REFUSED("03 aa 00 01 00 00 a8", "espressi: reserved button value"),
	    /* button 3 */
	    LACTD_PARSE_REFUSED("03 aa 03 01 00 00 ab", "espressi: reserved button value"),
	};

	lactd_test_parse_cases(espressi_parse, ESPRESSI_NOTIFY, bad, G_N_ELEMENTS(bad));
	/* No room: the frame is refused, not written past the array. */
	{
		EspressiParseState st = {0};
		LactdReading r[1];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st, "03ce04a1000068 03ce04a1000068", r, 1, &reason), ==, 1);
		g_assert_cmpstr(st.late_reason, ==, "espressi: more frames than room for readings");
	}
}

static void
test_parse_reassembly(void)
{
	EspressiParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	/* One frame in three notifications. */
	g_assert_cmpint(parse_hex(&st, "03 ce", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "04 a1 00", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "00 68", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 118.5);
	/* Three frames in one (a button among them), then a frame's head. */
	g_assert_cmpint(parse_hex(&st, "03ce04a1000068 03aa01010000a9 03caff850000b3 03ce07", r,
				  8, &reason),
			==, 2);
	g_assert_cmpfloat(r[0].weight.grams, ==, 118.5);
	g_assert_cmpfloat(r[1].weight.grams, ==, -12.3);
	g_assert_false(r[1].weight.stable);
	g_assert_cmpint(parse_hex(&st, "94 00 00 5e", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 194.0);
	g_assert_null(st.late_reason);
	/* Junk between frames, a frame with a bad checksum: the good frames
	 * are kept, the first refusal counted. */
	g_assert_cmpint(parse_hex(&st, "03ce04a1000068 55 03ce04a1000069 03ce0000 0000cd", r, 8,
				  &reason),
			==, 2);
	g_assert_cmpstr(st.late_reason, ==, "espressi: bytes outside a frame");
	st.late_reason = NULL;
	g_assert_cmpuint(st.frames, ==, 7);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-3276.8, 3276.7);
		gboolean stable = g_test_rand_bit();
		guint8 buf[ESPRESSI_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		g_assert_true(espressi_encode_weight(buf, grams, stable));
		g_assert_cmpint(espressi_parse(NULL, ESPRESSI_NOTIFY, buf, sizeof(buf), &r, 1,
						  &reason),
				==, 1);
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.05 + 1e-9);
		g_assert_cmpint(r.weight.stable, ==, stable);
	}
	{
		guint8 buf[ESPRESSI_FRAME_LEN];

		g_assert_false(espressi_encode_weight(buf, 3276.8, TRUE));
		g_assert_false(espressi_encode_weight(buf, -3276.9, TRUE));
		g_assert_false(espressi_encode_weight(buf, NAN, TRUE));
	}
}

/* ---- the emulator -------------------------------------------------------- */

static void
check_packing(const char *packing, guint want_notifications)
{
	g_autofree char *scenario = g_strdup_printf(
	    "emulator=espressi\npacking=%s\nweighings=2:118.5;10:0;20:250.4", packing);
	g_autoptr(LactdEmu) emu = lactd_test_emu_new(scenario);
	g_autoptr(GPtrArray) sent = lactd_test_emu_stream(emu, ESPRESSI_NOTIFY, 1000, 30000);
	EspressiParseState st = {0};
	g_autoptr(GArray) r = lactd_test_parse_all(espressi_parse, &st, ESPRESSI_NOTIFY, sent);
	const double want[] = {0, 118.5, 0, 250.4};

	g_test_message("packing %s", packing);
	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent->len, ==, want_notifications);
	g_assert_null(st.late_reason);
	g_assert_cmpuint(r->len, ==, 290);
	lactd_test_assert_settled(r, want, G_N_ELEMENTS(want));
}

static void
test_emulator(void)
{
	check_packing("single", 290);
	check_packing("split", 580);
	check_packing("packed", 145);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red",	 "packing=tight",	"interval_ms=0",
			     "interval_ms=x",	 "weighings=1",	"weighings=1:-5",
			     "weighings=1:4000", "buttons=x"};

	lactd_test_emu_refuses("espressi", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("espressi", LACTD_KIND_SCALE, "espressi_parse", &module);
	static const char *const chars[] = {ESPRESSI_NOTIFY, ESPRESSI_WRITE, NULL};
	const LactdPluginDesc *d = desc0;
	g_autoptr(LactdTestHost) hd = NULL;
	const double want[] = {0, 150, 0, 90, 0};

	/* It sends its own stable flag. */
	lactd_test_assert_scale_desc(d, "0000fff0-0000-1000-8000-00805f9b34fb", chars, 0, 0.1);
	g_assert_true(lactd_test_plugin_name_matches(d, "EspressiScale"));
	g_assert_true(lactd_test_plugin_name_matches(d, "espressiscale-42"));
	/* The other FFF0 scales are not its own: the Decent Scale has the
	 * same characteristics, only the name tells them apart. */
	g_assert_false(lactd_test_plugin_name_matches(d, "Decent Scale"));
	g_assert_false(lactd_test_plugin_name_matches(d, "WeighMaster ECS-02"));
	g_assert_false(lactd_test_plugin_name_matches(d, "AKU MINI"));
	g_assert_false(lactd_test_plugin_name_matches(d, "My EspressiScale"));

	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:21", d,
				      "emulator=espressi\npacking=packed\nweighings=1:150;8:0;12:90\nbuttons=15");

	/* Subscribe, and nothing written: no tare, no vendor bytes. */
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==,
			"subscribe 0000fff4-0000-1000-8000-00805f9b34fb");
	lactd_emu_advance_to(hd->emu, 20000);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	lactd_test_assert_settled(hd->emitted, want, G_N_ELEMENTS(want));
	/* 200 frames, emitted only as they change. */
	g_assert_cmpuint(hd->emitted->len, <, 60);

	/* Garbage is refused through the host with its reason. */
	{
		const guint8 junk[] = {0x55, 0x03, 0xce, 0x03, 0xe8, 0x00, 0x00, 0x26};
		const guint8 big[] = {0x03, 0xce, 0x03, 0xe8, 0x00, 0x00, 0x27};
		guint emitted = hd->emitted->len;

		d->value(NULL, &lactd_test_host, ESPRESSI_NOTIFY, junk, sizeof(junk),
				LACTD_VALUE_NOTIFY);
		d->value(NULL, &lactd_test_host, ESPRESSI_NOTIFY, big, sizeof(big),
				LACTD_VALUE_NOTIFY);
		d->value(NULL, &lactd_test_host, ESPRESSI_NOTIFY, big, 0,
				LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject espressi: bytes outside a frame"),
				 ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject espressi: bad checksum"),
				 ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject espressi: empty notification"),
				 ==, 1);
		/* The good frame after the junk was kept: 100 g, a new weight. */
		g_assert_cmpuint(hd->emitted->len, ==, emitted + 1);
		g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, emitted).weight.grams, ==,
				  100.0);
	}
	d->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/espressi/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/espressi/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/espressi/parse/reassembly", test_parse_reassembly);
	g_test_add_func("/plugin/espressi/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/espressi/emulator/packing", test_emulator);
	g_test_add_func("/plugin/espressi/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/espressi/module/host", test_module);
	return g_test_run();
}
