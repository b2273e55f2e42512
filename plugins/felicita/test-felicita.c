/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Felicita: the parser against the frame Beanconqueror documents
 * (felicita/felicita-readme.md) and frames built from that format,
 * reassembly of split and packed notifications, every refusal, and the
 * plugin module wired to the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "felicita-encode.h"
#include "felicita-parse.h"
#include "lactd-emu.h"
#include "lactd-test-plugin.h"

/* Beanconqueror's sample frame: +0.00 g, battery byte 137. */
static const guint8 sample[FELICITA_FRAME_LEN] = {1,  2,  43, 48, 48, 48, 48, 48, 48,
						  32, 103, 83, 79, 48, 34, 137, 13, 10};

static void
frame_of(guint8 f[FELICITA_FRAME_LEN], const char *sign_digits_unit)
{
	memcpy(f, sample, FELICITA_FRAME_LEN);
	memcpy(f + 2, sign_digits_unit, 9);
}

static void
test_parse_vectors(void)
{
	const struct {
		const char *text;
		double grams;
	} v[] = {
	    {"+000000 g", 0.0},
	    /* The readme's example: 1010.10 shown as 101010. */
	    {"+101010 g", 1010.10},
	    {"+012345 g", 123.45},
	    {"-000150 g", -1.5},
	    {"+001000oz", 283.50}, /* 10.00 oz */
	    {"-000100oz", -28.35},
	};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	FelicitaParseState st = {0};

	g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, sample, sizeof(sample), r, 8, &reason),
			==, 2);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat(r[0].weight.grams, ==, 0);
	g_assert_false(r[0].weight.stable);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_BATTERY);
	/* (137 - 129) / 29, as de1app computes it. */
	g_assert_cmpuint(r[1].battery.percent, ==, 28);
	g_assert_false(st.oz);
	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 f[FELICITA_FRAME_LEN];

		g_test_message("%s", v[i].text);
		frame_of(f, v[i].text);
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, f, sizeof(f), r, 8, &reason), ==,
				2);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, v[i].grams, 1e-9);
		g_assert_cmpint(st.oz, ==, strstr(v[i].text, "oz") != NULL);
	}
	g_assert_cmpuint(felicita_battery_percent(129), ==, 0);
	g_assert_cmpuint(felicita_battery_percent(100), ==, 0);
	g_assert_cmpuint(felicita_battery_percent(158), ==, 100);
	g_assert_cmpuint(felicita_battery_percent(200), ==, 100);
	/* Other characteristics: nothing, no refusal. */
	g_assert_cmpint(felicita_parse(&st, LACTD_UUID16("ffe2"), sample, 18, r, 8, &reason), ==,
			0);
}

static void
test_parse_split(void)
{
	guint8 stream[3 * FELICITA_FRAME_LEN];
	const double want[] = {0, 123.45, -1.5};

	memcpy(stream, sample, 18);
	frame_of(stream + 18, "+012345 g");
	frame_of(stream + 36, "-000150 g");
	/* Every way of cutting the three frames into two notifications. */
	for (gsize cut = 1; cut < sizeof(stream); cut++) {
		FelicitaParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int a = felicita_parse(&st, FELICITA_CHAR, stream, cut, r, 8, &reason);
		int b;

		g_assert_cmpint(a, ==, 2 * (int)(cut / 18));
		b = felicita_parse(&st, FELICITA_CHAR, stream + cut, sizeof(stream) - cut, r + a,
				   (gsize)(8 - a), &reason);
		g_assert_cmpint(a + b, ==, 6);
		for (guint i = 0; i < 3; i++)
			g_assert_cmpfloat_with_epsilon(r[2 * i].weight.grams, want[i], 1e-9);
		g_assert_cmpuint(st.frames, ==, 3);
		g_assert_cmpuint(st.n_rejects, ==, 0);
	}
	/* One byte at a time. */
	{
		FelicitaParseState st = {0};
		guint got = 0;

		for (gsize i = 0; i < sizeof(stream); i++) {
			LactdReading r[LACTD_READINGS_MAX];
			const char *reason = NULL;
			int n = felicita_parse(&st, FELICITA_CHAR, stream + i, 1, r, 8, &reason);

			g_assert_cmpint(n, >=, 0);
			got += (guint)n;
		}
		g_assert_cmpuint(got, ==, 6);
	}
	/* Packed with junk before and after: the frames are taken, the junk
	 * refused once, and the good readings are not lost. */
	{
		guint8 buf[60] = {0x55, 0x66};
		FelicitaParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		memcpy(buf + 2, stream, sizeof(stream));
		buf[56] = 0x77;
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, buf, 57, r, 8, &reason), ==, 6);
		g_assert_cmpuint(st.n_rejects, ==, 1);
		g_assert_cmpstr(st.rejects[0], ==, "felicita: bytes outside a frame");
	}
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *name, *text;
		int byte;
		guint8 value;
		const char *reason;
	} bad[] = {
	    {"no CR LF", "+000100 g", 16, 0x00, "felicita: wrong length"},
	    {"sign", "*000100 g", -1, 0, "felicita: sign"},
	    {"digit", "+0001x0 g", -1, 0, "felicita: weight is not"},
	    {"unit", "+000100kg", -1, 0, "felicita: unknown unit"},
	    {"over 30 kg in oz", "+999999oz", -1, 0, "felicita: weight out of range"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		guint8 f[FELICITA_FRAME_LEN];
		FelicitaParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		g_test_message("%s", bad[i].name);
		frame_of(f, bad[i].text);
		if (bad[i].byte >= 0)
			f[bad[i].byte] = bad[i].value;
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, f, sizeof(f), r, 8, &reason), ==,
				-1);
		g_assert_true(g_str_has_prefix(reason, bad[i].reason));
		g_assert_cmpuint(st.frames, ==, 0);
		/* The next good frame is taken. */
		g_assert_cmpint(
		    felicita_parse(&st, FELICITA_CHAR, sample, sizeof(sample), r, 8, &reason), ==, 2);
	}
	/* Empty, over 64 bytes, junk only, no room. */
	{
		guint8 big[65] = {0};
		FelicitaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, big, 0, r, 2, &reason), ==, -1);
		g_assert_true(g_str_has_prefix(reason, "felicita: wrong length"));
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, big, 65, r, 2, &reason), ==, -1);
		g_assert_true(g_str_has_prefix(reason, "felicita: wrong length"));
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, big, 10, r, 2, &reason), ==, -1);
		g_assert_cmpstr(reason, ==, "felicita: bytes outside a frame");
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, sample, 18, r, 1, &reason), ==,
				-1);
		g_assert_true(g_str_has_prefix(reason, "felicita: too many frames"));
	}
	/* A frame cut short by a lost notification: the next frame's header
	 * restarts the reassembly after one refusal. */
	{
		FelicitaParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		guint8 two[36];

		memcpy(two, sample, 10);
		frame_of(two + 10, "+000777 g");
		g_assert_cmpint(felicita_parse(&st, FELICITA_CHAR, two, 28, r, 8, &reason), ==, 2);
		g_assert_cmpuint(st.n_rejects, ==, 1);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 7.77, 1e-9);
	}
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-2000, 2000);
		gboolean oz = g_test_rand_bit();
		guint8 f[FELICITA_FRAME_LEN];
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_true(felicita_encode(f, grams, oz, 140));
		g_assert_cmpint(felicita_parse(NULL, FELICITA_CHAR, f, 18, r, 2, &reason), ==, 2);
		/* Half a hundredth of the unit shown. */
		g_assert_cmpfloat(fabs(r[0].weight.grams - grams), <=,
				  (oz ? 0.005 * LACTD_GRAMS_PER_OZ : 0.005) + 0.006);
	}
	{
		guint8 f[FELICITA_FRAME_LEN];

		g_assert_false(felicita_encode(f, 10000, FALSE, 140));
		g_assert_false(felicita_encode(f, NAN, FALSE, 140));
	}
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static LactdTestHost *hd;

static void
run_until(gint64 until)
{
	for (gint64 t = hd->emu->sim_ms + 100; t <= until; t += 100)
		lactd_emu_advance_to(hd->emu, t);
}

static const LactdPluginDesc *
load(GModule **module)
{
	return lactd_test_plugin_open("felicita", LACTD_KIND_SCALE, "felicita_parse", module);
}

static void
start_emu(const char *scenario)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[s]\nemulator=felicita\n%s", scenario);

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);
}

/* The weights emitted, in order; checks each of @want appears, in order. */
static void
assert_weights_seen(const double *want, guint n_want)
{
	guint k = 0;

	for (guint i = 0; i < hd->emitted->len && k < n_want; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_WEIGHT && fabs(r->weight.grams - want[k]) < 0.01)
			k++;
	}
	g_assert_cmpuint(k, ==, n_want);
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc = load(&module);
	const double want[] = {150, 0, 90.5};
	guint weights = 0;

	hd = lactd_test_host_new("C0:FF:EE:00:00:11", desc);
	g_assert_cmpstr(desc->name, ==, "felicita");
	g_assert_cmpint(desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(desc->service_uuids[0], ==, FELICITA_SERVICE);
	g_assert_cmpstr(desc->required_chars[0], ==, FELICITA_CHAR);
	g_assert_true(g_pattern_match_simple(desc->name_patterns[0], "FELICITA"));
	g_assert_true(desc->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY);
	g_assert_null(desc->timer);
	g_assert_cmpuint(desc->state_size, <=, sizeof(hd->state));

	/* Frames cut into 7-byte notifications, as over a small MTU. */
	start_emu("battery=158\nchunk=7\nweighings=1:150;5:0;8:90.5\n");
	g_assert_cmpint(desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " FELICITA_CHAR);
	run_until(12000);
	g_assert_true(hd->emu->klass->finished(hd->emu));
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	assert_weights_seen(want, G_N_ELEMENTS(want));
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY)
			g_assert_cmpuint(r->battery.percent, ==, 100);
		else
			weights++;
	}
	/* 120 frames; only changes are emitted, the battery once. */
	g_assert_cmpuint(hd->emitted->len - weights, ==, 1);
	g_assert_cmpuint(weights, <, 50);
	/* Garbage through the plugin is refused with its reason. */
	{
		guint8 f[FELICITA_FRAME_LEN];

		memcpy(f, sample, sizeof(f));
		f[9] = 'k';
		desc->value(NULL, &lactd_test_host, FELICITA_CHAR, f, sizeof(f), LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject felicita: unknown unit"), ==, 1);
	}
	if (desc->detach != NULL)
		desc->detach(NULL, &lactd_test_host);
	lactd_emu_free(hd->emu);

	/* A scale left in ounces, three frames to a notification: readings are
	 * grams from the first one, and the unit is toggled back once. */
	lactd_test_host_reset(hd);
	start_emu("unit=oz\nchunk=54\nweighings=1:200\n");
	g_assert_cmpint(desc->attach(NULL, &lactd_test_host), ==, 0);
	run_until(6000);
	g_assert_cmpuint(lactd_test_host_count(hd, "write " FELICITA_CHAR " 55"), ==, 1);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	{
		const double w200[] = {200};
		const LactdReading *last =
		    &g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1);

		assert_weights_seen(w200, 1);
		g_assert_cmpfloat_with_epsilon(last->weight.grams, 200, 1e-9);
	}
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red", "unit=kg", "battery=100", "chunk=0",
			     "chunk=65",   "interval_ms=1", "weighings=1:3000"};

	lactd_test_emu_refuses("felicita", bad, G_N_ELEMENTS(bad));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/felicita/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/felicita/parse/split", test_parse_split);
	g_test_add_func("/plugin/felicita/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/felicita/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/felicita/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/felicita/module/host", test_module);
	return g_test_run();
}
