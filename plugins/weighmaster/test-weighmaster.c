/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * WeighMaster ECS-02 / MantaBrew: the parser against the frames
 * Beanconqueror's weighMasterScale.ts documents and frames built from its
 * format, every refusal, frames split across and packed into
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
#include "weighmaster-encode.h"
#include "weighmaster-parse.h"

static int
parse_hex(WeighmasterParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	return lactd_test_parse_hex(weighmaster_parse, st, WEIGHMASTER_NOTIFY, hex, r, max, reason);
}

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
		gboolean stable;
	} v[] = {
	    /* The two examples of weighMasterScale.ts. */
	    {"01 02 00 80 00 03 e8", 100.0, TRUE},
	    {"01 02 00 90 00 03 e8", -100.0, TRUE},
	    /* Built from its format: moving, zero, 0.1 g, the largest. */
	    {"01 02 00 00 00 04 a1", 118.5, FALSE},
	    {"01 02 00 80 00 00 00", 0.0, TRUE},
	    {"01 02 00 10 00 00 01", -0.1, FALSE},
	    {"01 02 00 84 00 0a 4e", 263.8, TRUE},
	    {"01 02 00 80 04 93 e0", 30000.0, TRUE},
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
	/* Calibration in progress: no reading, no refusal. */
	{
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(NULL, "01 02 00 08 00 03 e8", &r, 1, &reason), ==, 0);
	}
	/* Other characteristics: nothing. */
	{
		const guint8 b[] = {1};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(weighmaster_parse(NULL, WEIGHMASTER_WRITE, b, 1, &r, 1, &reason), ==, 0);
	}
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase bad[] = {
	    /* empty */
	    LACTD_PARSE_REFUSED("", "weighmaster: empty notification"),
	    /* short, stateless */
	    LACTD_PARSE_REFUSED("01 02 00 80 00 03", "weighmaster: incomplete frame"),
	    /* wrong first byte */
	    LACTD_PARSE_REFUSED("02 02 00 80 00 03 e8", "weighmaster: bytes outside a frame"),
	    /* wrong second byte */
	    LACTD_PARSE_REFUSED("01 03 00 80 00 03 e8", "weighmaster: bytes outside a frame"),
	    /* wrong third byte */
	    LACTD_PARSE_REFUSED("01 02 01 80 00 03 e8", "weighmaster: bytes outside a frame"),
	    /* over 30 kg */
	    LACTD_PARSE_REFUSED("01 02 00 80 04 93 e1", "weighmaster: weight out of range"),
	    /* largest 24 bits */
	    LACTD_PARSE_REFUSED("01 02 00 80 ff ff ff", "weighmaster: weight out of range"),
	};

	lactd_test_parse_cases(weighmaster_parse, WEIGHMASTER_NOTIFY, bad, G_N_ELEMENTS(bad));
	/* No room: the frame is refused, not written past the array. */
	{
		WeighmasterParseState st = {0};
		LactdReading r[1];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st, "01020080 0003e8 01020080 0003e8", r, 1, &reason), ==, 1);
		g_assert_cmpstr(st.late_reason, ==, "weighmaster: more frames than room for readings");
	}
}

static void
test_parse_reassembly(void)
{
	WeighmasterParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	/* One frame in three notifications. */
	g_assert_cmpint(parse_hex(&st, "01 02", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "00 80 00", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "03 e8", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 100.0);
	/* Three frames in one, then a frame's head with the end of another. */
	g_assert_cmpint(parse_hex(&st, "01020080 0003e8 01020090 0003e8 01020000 0004a1 0102", r,
				  8, &reason),
			==, 3);
	g_assert_cmpfloat(r[0].weight.grams, ==, 100.0);
	g_assert_cmpfloat(r[1].weight.grams, ==, -100.0);
	g_assert_cmpfloat(r[2].weight.grams, ==, 118.5);
	g_assert_cmpint(parse_hex(&st, "00 80 00 00 0a", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 1.0);
	g_assert_null(st.late_reason);
	/* Junk between frames: the frames are kept, the junk counted. */
	g_assert_cmpint(parse_hex(&st, "01020080 0003e8 55 aa 01020090 0003e8", r, 8, &reason), ==, 2);
	g_assert_cmpstr(st.late_reason, ==, "weighmaster: bytes outside a frame");
	st.late_reason = NULL;
	/* A broken header resynchronises on the next 01. */
	g_assert_cmpint(parse_hex(&st, "01 01 02 00 80 00 00 14", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 2.0);
	g_assert_cmpstr(st.late_reason, ==, "weighmaster: bytes outside a frame");
	g_assert_cmpuint(st.frames, ==, 8);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-3000, 30000);
		gboolean stable = g_test_rand_bit();
		guint8 buf[WEIGHMASTER_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		g_assert_true(weighmaster_encode_weight(buf, grams, stable));
		g_assert_cmpint(weighmaster_parse(NULL, WEIGHMASTER_NOTIFY, buf, sizeof(buf), &r, 1,
						  &reason),
				==, 1);
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.05 + 1e-9);
		g_assert_cmpint(r.weight.stable, ==, stable);
	}
	{
		guint8 buf[WEIGHMASTER_FRAME_LEN];

		g_assert_false(weighmaster_encode_weight(buf, 1677721.6, TRUE));
		g_assert_false(weighmaster_encode_weight(buf, NAN, TRUE));
	}
}

/* ---- the emulator -------------------------------------------------------- */

static void
check_packing(const char *packing, guint want_notifications)
{
	g_autofree char *scenario = g_strdup_printf(
	    "emulator=weighmaster\npacking=%s\nweighings=2:118.5;10:0;20:250.4", packing);
	g_autoptr(LactdEmu) emu = lactd_test_emu_new(scenario);
	g_autoptr(GPtrArray) sent = lactd_test_emu_stream(emu, WEIGHMASTER_NOTIFY, 1000, 30000);
	WeighmasterParseState st = {0};
	g_autoptr(GArray) r = lactd_test_parse_all(weighmaster_parse, &st, WEIGHMASTER_NOTIFY, sent);
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
			     "weighings=1:4000"};

	lactd_test_emu_refuses("weighmaster", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("weighmaster", LACTD_KIND_SCALE, "weighmaster_parse", &module);
	static const char *const chars[] = {WEIGHMASTER_NOTIFY, WEIGHMASTER_WRITE, NULL};
	const LactdPluginDesc *d = desc0;
	g_autoptr(LactdTestHost) hd = NULL;
	const double want[] = {0, 150, 0, 90};

	/* It sends its own stable flag. */
	lactd_test_assert_scale_desc(d, "0000fff0-0000-1000-8000-00805f9b34fb", chars, 0, 0.1);
	g_assert_true(lactd_test_plugin_name_matches(d, "WeighMaster ECS-02"));
	g_assert_true(lactd_test_plugin_name_matches(d, "MANTABREW-1234"));
	g_assert_true(lactd_test_plugin_name_matches(d, "mantabrew"));
	/* The other FFF0 scales are not its own. */
	g_assert_false(lactd_test_plugin_name_matches(d, "Decent Scale"));
	g_assert_false(lactd_test_plugin_name_matches(d, "EspressiScale"));
	g_assert_false(lactd_test_plugin_name_matches(d, "AKU MINI"));

	hd = lactd_test_host_with_emu("C0:FF:EE:00:00:20", d,
				      "emulator=weighmaster\npacking=split\nweighings=1:150;8:0;12:90");

	/* Subscribe, and nothing written: no vendor bytes to a shared service. */
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
		const guint8 junk[] = {0x55, 0x01, 0x02, 0x00, 0x80, 0x00, 0x03, 0xe8};
		const guint8 big[] = {0x01, 0x02, 0x00, 0x80, 0xff, 0xff, 0xff};
		guint emitted = hd->emitted->len;

		d->value(NULL, &lactd_test_host, WEIGHMASTER_NOTIFY, junk, sizeof(junk),
				LACTD_VALUE_NOTIFY);
		d->value(NULL, &lactd_test_host, WEIGHMASTER_NOTIFY, big, sizeof(big),
				LACTD_VALUE_NOTIFY);
		d->value(NULL, &lactd_test_host, WEIGHMASTER_NOTIFY, big, 0,
				LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject weighmaster: bytes outside a frame"),
				 ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject weighmaster: weight out of range"),
				 ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject weighmaster: empty notification"),
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
	g_test_add_func("/plugin/weighmaster/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/weighmaster/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/weighmaster/parse/reassembly", test_parse_reassembly);
	g_test_add_func("/plugin/weighmaster/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/weighmaster/emulator/packing", test_emulator);
	g_test_add_func("/plugin/weighmaster/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/weighmaster/module/host", test_module);
	return g_test_run();
}
