/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Blackcoffee.io: the parser against frames built from the layout
 * Beanconqueror's blackcoffeeScale.ts decodes, every refusal, encoder
 * round trips, the emulator through scenarios, and the plugin module wired
 * to the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-host.h"
#include "blackcoffee-encode.h"
#include "blackcoffee-parse.h"

static gsize
unhex(const char *hex, guint8 *buf, gsize max)
{
	gsize n = 0;

	for (const char *p = hex; p[0] != '\0';) {
		if (!g_ascii_isxdigit(p[0])) {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[1]));
		g_assert_cmpuint(n, <, max);
		buf[n++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
		p += 2;
	}
	return n;
}

static int
parse_hex(BlackcoffeeParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	guint8 buf[64];
	gsize len = unhex(hex, buf, sizeof(buf));

	return blackcoffee_parse(st, BLACKCOFFEE_NOTIFY, buf, len, r, max, reason);
}

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
		gboolean stable;
	} v[] = {
	    {"00 00 01 00 01 ce e4 00 00 00 00 00 00 00 00 00 00 00 00 00", 118.5, TRUE},
	    {"00 00 00 00 01 ce e4 00 00 00 00 00 00 00 00 00 00 00 00 00", 118.5, FALSE},
	    {"00 00 81 00 00 30 0c 00 00 00 00 00 00 00 00 00 00 00 00 00", -12.3, TRUE},
	    {"00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00", 0.0, TRUE},
	    /* High nibble C: negative too (Beanconqueror tests 8 and C). */
	    {"00 00 c1 00 00 03 e8 00 00 00 00 00 00 00 00 00 00 00 00 00", -1.0, TRUE},
	    /* 30 kg; the high nibble of byte 3 is not part of the weight. */
	    {"00 00 01 01 c9 c3 80 00 00 00 00 00 00 00 00 00 00 00 00 00", 30000.0, TRUE},
	    {"00 00 01 f0 00 03 e8 00 00 00 00 00 00 00 00 00 00 00 00 00", 1.0, TRUE},
	    /* 15 bytes, the shortest Beanconqueror takes. */
	    {"00 00 01 00 03 d2 20 00 00 00 00 00 00 00 00", 250.4, TRUE},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		LactdReading r;
		const char *reason = NULL;
		BlackcoffeeParseState st = {0};

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(&st, v[i].hex, &r, 1, &reason), ==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r.weight.grams, v[i].grams, 1e-9);
		g_assert_cmpint(r.weight.stable, ==, v[i].stable);
		g_assert_cmpuint(st.frames, ==, 1);
	}
	/* Other characteristics: nothing. */
	{
		const guint8 b[] = {1};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(blackcoffee_parse(NULL, BLACKCOFFEE_SERVICE, b, 1, &r, 1, &reason), ==, 0);
	}
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *name, *hex, *reason;
	} bad[] = {
	    {"empty", "", "blackcoffee: frame shorter than 15 bytes"},
	    {"14 bytes", "00 00 01 00 01 ce e4 00 00 00 00 00 00 00",
	     "blackcoffee: frame shorter than 15 bytes"},
	    {"over 30 kg", "00 00 01 01 c9 c3 81 00 00 00 00 00 00 00 00 00 00 00 00 00",
	     "blackcoffee: weight out of range"},
	    {"largest 28 bits", "00 00 01 0f ff ff ff 00 00 00 00 00 00 00 00 00 00 00 00 00",
	     "blackcoffee: weight out of range"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		LactdReading r[2];
		const char *reason = NULL;
		BlackcoffeeParseState st = {0};

		g_test_message("%s", bad[i].name);
		g_assert_cmpint(parse_hex(&st, bad[i].hex, r, 2, &reason), ==, -1);
		g_assert_cmpstr(reason, ==, bad[i].reason);
		g_assert_cmpuint(st.frames, ==, 0);
	}
	/* No room for the reading. */
	{
		LactdReading r[1];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(NULL, "00 00 01 00 01 ce e4 00 00 00 00 00 00 00 00", r, 0,
					  &reason),
				==, -1);
		g_assert_cmpstr(reason, ==, "blackcoffee: no room for the reading");
	}
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
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	g_assert_cmpstr(uuid, ==, BLACKCOFFEE_NOTIFY);
	g_ptr_array_add(user_data, g_bytes_new(data, len));
}

static void
test_emulator(void)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdEmu) emu = NULL;
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	BlackcoffeeParseState st = {0};
	const double want[] = {0, 118.5, 0, 250.4};
	guint settled = 0;
	gboolean last_stable = FALSE;

	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=blackcoffee\nweighings=2:118.5;10:0;20:250.4\n", -1, 0, NULL));
	emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	emu->notify = collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_advance_to(emu, 1000);
	g_assert_cmpuint(sent->len, ==, 0);
	lactd_emu_set_subscribed(emu, BLACKCOFFEE_NOTIFY, TRUE);
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent->len, ==, 290);
	for (guint i = 0; i < sent->len; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent, i), &len);
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(blackcoffee_parse(&st, BLACKCOFFEE_NOTIFY, d, len, &r, 1, &reason), ==, 1);
		if (r.weight.stable && !last_stable) {
			g_assert_cmpuint(settled, <, G_N_ELEMENTS(want));
			g_assert_cmpfloat_with_epsilon(r.weight.grams, want[settled], 1e-9);
			settled++;
		}
		last_stable = r.weight.stable;
	}
	g_assert_cmpuint(settled, ==, G_N_ELEMENTS(want));
	g_assert_cmpuint(st.frames, ==, 290);
}

static void
test_emulator_bad_scenario(void)
{
	const char *bad[] = {"colour=red\n",	 "packing=single\n",	"interval_ms=0\n",
			     "interval_ms=x\n",	 "weighings=1\n",	"weighings=1:-5\n",
			     "weighings=1:4000\n"};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf("[d]\nemulator=blackcoffee\n%s", bad[i]);
		g_autoptr(LactdEmu) emu = NULL;

		g_test_message("%s", bad[i]);
		g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
		emu = lactd_emu_new(kf, "d", &error);
		g_assert_null(emu);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	}
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static gboolean
name_matches(const LactdPluginDesc *desc, const char *name)
{
	for (guint i = 0; desc->name_patterns[i] != NULL; i++) {
		if (g_pattern_match_simple(desc->name_patterns[i], name))
			return TRUE;
	}
	return FALSE;
}

static void
test_module(void)
{
	g_autofree char *path = g_test_build_filename(G_TEST_BUILT, "plugins", "blackcoffee",
						      ".libs", "blackcoffee.so", NULL);
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *descp = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	const double want[] = {0, 150, 0, 90};
	guint stable = 0;

	g_assert_nonnull(module);
	g_assert_true(g_module_symbol(module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(module, "lactd_plugin_desc", (gpointer *)&descp));
	hd = lactd_test_host_new("C0:FF:EE:00:00:23", *descp);
	g_assert_cmpstr(hd->desc->name, ==, "blackcoffee");
	g_assert_cmpint(hd->desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(hd->desc->service_uuids[0], ==, "0000ffb0-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(hd->desc->required_chars[0], ==, BLACKCOFFEE_NOTIFY);
	g_assert_null(hd->desc->required_chars[1]);
	/* It sends its own stable flag. */
	g_assert_cmpuint(hd->desc->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, ==, 0);
	g_assert_cmpfloat(hd->desc->weight_resolution_g, ==, 0.1);
	g_assert_true(name_matches(hd->desc, "BlackCoffee"));
	g_assert_true(name_matches(hd->desc, "blackcoffee.io 2"));
	g_assert_true(name_matches(hd->desc, "my_scale"));
	g_assert_false(name_matches(hd->desc, "Decent Scale"));
	g_assert_false(name_matches(hd->desc, "WeighMaster ECS-02"));
	g_assert_false(name_matches(hd->desc, "Microbalance"));
	g_assert_cmpuint(hd->desc->state_size, <=, sizeof(hd->state));

	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=blackcoffee\nweighings=1:150;8:0;12:90\n", -1, 0,
	    NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* Subscribe, and nothing written: the scale takes no command. */
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==,
			"subscribe 0000ffb2-0000-1000-8000-00805f9b34fb");
	lactd_emu_advance_to(hd->emu, 20000);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		g_assert_cmpint(r->type, ==, LACTD_READING_WEIGHT);
		if (r->weight.stable) {
			g_assert_cmpuint(stable, <, G_N_ELEMENTS(want));
			g_assert_cmpfloat_with_epsilon(r->weight.grams, want[stable], 1e-9);
			stable++;
		}
	}
	g_assert_cmpuint(stable, ==, G_N_ELEMENTS(want));
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
	lactd_emu_free(hd->emu);
	hd->emu = NULL;
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/blackcoffee/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/blackcoffee/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/blackcoffee/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/blackcoffee/emulator/weighings", test_emulator);
	g_test_add_func("/plugin/blackcoffee/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/blackcoffee/module/host", test_module);
	return g_test_run();
}
