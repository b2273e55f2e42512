/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timemore Basic 3 and Dot: the CRC against the CRC-16/MODBUS check
 * value, frames built from the format Beanconqueror documents
 * (timemoreBasicScale.ts) with their CRCs, reassembly of split and packed
 * notifications, every refusal, and both plugin modules wired to the
 * emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "tmbasic-encode.h"
#include "tmbasic-parse.h"

void tmbasic_emu_counts(LactdEmu *emu, guint *set_grams, guint *set_mode);

/* 118.5 g, then battery 80 %, with their CRCs (computed apart from this
 * code, from the documented polynomial). */
#define W1185 "a5 5a 01 01 0008 000004a1 00000000 5cf4"
#define B80   "a5 5a 01 05 0002 0050 641c"

static void
test_crc_and_commands(void)
{
	guint8 b[TMBASIC_FRAME_MAX], want[TMBASIC_FRAME_MAX];
	const guint8 grams[] = {0x00}, standard[] = {0x01, 0x00};

	/* The CRC-16/MODBUS check value. */
	g_assert_cmphex(tmbasic_crc16((const guint8 *)"123456789", 9), ==, 0x4b37);
	g_assert_cmpmem(b, tmbasic_build(b, 3, TMBASIC_SET_UNIT, grams, 1), want,
			lactd_test_unhex("a5 5a 03 06 0001 00 e8a7", want, sizeof(want)));
	g_assert_cmpmem(b, tmbasic_build(b, 3, TMBASIC_SET_MODE, standard, 2), want,
			lactd_test_unhex("a5 5a 03 08 0002 0100 eb31", want, sizeof(want)));
	g_assert_cmpuint(tmbasic_build(b, 3, 1, want, TMBASIC_DATA_MAX + 1), ==, 0);
}

static int
parse_hex(TmbasicParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	return lactd_test_parse_hex(tmbasic_parse, st, TMBASIC_NOTIFY, hex, r, max, reason);
}

static void
test_parse_vectors(void)
{
	TmbasicParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	g_assert_cmpint(parse_hex(&st, W1185, r, 8, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat(r[0].weight.grams, ==, 118.5);
	g_assert_cmpint(parse_hex(&st, B80, r, 8, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(r[0].battery.percent, ==, 80);
	/* Both in one notification, and a reply to a command (nothing). */
	g_assert_cmpint(parse_hex(&st, W1185 B80, r, 8, &reason), ==, 2);
	{
		guint8 f[TMBASIC_FRAME_MAX];
		gsize n = tmbasic_build(f, TMBASIC_OP_REPLY, TMBASIC_SET_UNIT, NULL, 0);

		g_assert_cmpint(tmbasic_parse(&st, TMBASIC_NOTIFY, f, n, r, 8, &reason), ==, 0);
		/* Negative: -12.3 g after a tare. */
		n = tmbasic_encode_weight(f, -12.3);
		g_assert_cmpint(tmbasic_parse(&st, TMBASIC_NOTIFY, f, n, r, 8, &reason), ==, 1);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, -12.3, 1e-9);
	}
	g_assert_cmpuint(st.frames, ==, 6);
	g_assert_cmpint(parse_hex(&st, W1185, r, 8, &reason), ==, 1);
	/* Other characteristics give nothing. */
	g_assert_cmpint(tmbasic_parse(&st, TMBASIC_WRITE, (const guint8 *)"x", 1, r, 8, &reason), ==,
			0);
}

static void
test_parse_split(void)
{
	guint8 stream[64];
	gsize len = lactd_test_unhex(W1185 B80 W1185, stream, sizeof(stream));

	for (gsize cut = 1; cut < len; cut++) {
		TmbasicParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int a = tmbasic_parse(&st, TMBASIC_NOTIFY, stream, cut, r, 8, &reason);
		int b = tmbasic_parse(&st, TMBASIC_NOTIFY, stream + cut, len - cut, r + a,
				      (gsize)(8 - a), &reason);

		g_assert_cmpint(a, >=, 0);
		g_assert_cmpint(a + b, ==, 3);
		g_assert_cmpfloat(r[0].weight.grams, ==, 118.5);
		g_assert_cmpuint(r[1].battery.percent, ==, 80);
		g_assert_cmpfloat(r[2].weight.grams, ==, 118.5);
	}
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *name, *hex, *reason;
	} bad[] = {
	    {"checksum", "a5 5a 01 01 0008 000004a1 00000000 5cf5", "timemore-basic: bad checksum"},
	    {"data over 32", "a5 5a 01 01 0021", "timemore-basic: wrong length: data over"},
	    {"short weight", "a5 5a 01 01 0004 000004a1 8207", "timemore-basic: wrong length: weight"},
	    {"command opcode", "a5 5a 03 06 0001 00 e8a7", "timemore-basic: opcode"},
	    {"battery 101 %", "a5 5a 01 05 0002 0065 73dc", "timemore-basic: battery out of range"},
	    {"junk", "00 11 22", "timemore-basic: bytes outside a frame"},
	    {"empty", "", "timemore-basic: wrong length"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		TmbasicParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		g_test_message("%s", bad[i].name);
		g_assert_cmpint(parse_hex(&st, bad[i].hex, r, 8, &reason), ==, -1);
		g_assert_true(g_str_has_prefix(reason, bad[i].reason));
		g_assert_cmpuint(st.frames, ==, 0);
		/* The parser recovers at the next frame. */
		g_assert_cmpint(parse_hex(&st, W1185, r, 8, &reason), ==, 1);
	}
	/* Over 30 kg. */
	{
		guint8 f[TMBASIC_FRAME_MAX];
		gsize n = tmbasic_encode_weight(f, 30000.1);
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(tmbasic_parse(NULL, TMBASIC_NOTIFY, f, n, &r, 1, &reason), ==, -1);
		g_assert_cmpstr(reason, ==, "timemore-basic: weight out of range");
	}
	/* A bad frame packed with a good one: the good one's reading comes,
	 * the bad one is listed. */
	{
		TmbasicParseState st = {0};
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st, "a5 5a 01 05 0002 0050 641d" W1185, r, 8, &reason), ==,
				1);
		g_assert_cmpuint(st.n_rejects, ==, 1);
		g_assert_cmpstr(st.rejects[0], ==, "timemore-basic: bad checksum");
	}
}

/* ---- the plugin modules, wired to the emulator through a fake host --------- */

static LactdTestHost *hd;

static const LactdPluginDesc *
load(const char *name, GModule **module)
{
	return lactd_test_plugin_open_in("timemore-basic", name, LACTD_KIND_SCALE, "tmbasic_parse",
					 module);
}

static void
start_emu(const char *scenario)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[s]\nemulator=timemore-basic\n%s", scenario);

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);
}

static void
run_until(gint64 until)
{
	for (gint64 t = hd->emu->sim_ms + 100; t <= until; t += 100)
		lactd_emu_advance_to(hd->emu, t);
}

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
	GModule *basic_mod = NULL, *dot_mod = NULL;
	const LactdPluginDesc *basic = load("timemore-basic", &basic_mod);
	const LactdPluginDesc *dot = load("timemore-dot", &dot_mod);
	const double want[] = {150, 0, 90.5};
	guint grams = 0, mode = 0, batteries = 0;

	/* Matching: names tell the two apart and from other FFF0 scales. */
	g_assert_true(basic->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY);
	g_assert_false(basic->flags & LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION);
	g_assert_true(dot->flags & LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION);
	g_assert_true(dot->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY);
	g_assert_cmpstr(basic->required_chars[0], ==, TMBASIC_NOTIFY);
	g_assert_cmpstr(basic->required_chars[1], ==, TMBASIC_WRITE);
	{
		const char *names[] = {"Timemore Basic3", "basic3", "TIMEMORE BASIC 3", "Decent Scale",
				       "Timemore Dot", "TES017-1234", "AKU MINI"};
		const gboolean is_basic[] = {TRUE, TRUE, TRUE, FALSE, FALSE, FALSE, FALSE};
		const gboolean is_dot[] = {FALSE, FALSE, FALSE, FALSE, TRUE, TRUE, FALSE};

		for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
			gboolean b = FALSE, d = FALSE;

			for (guint k = 0; basic->name_patterns[k] != NULL; k++)
				b |= g_pattern_match_simple(basic->name_patterns[k], names[i]);
			for (guint k = 0; dot->name_patterns[k] != NULL; k++)
				d |= g_pattern_match_simple(dot->name_patterns[k], names[i]);
			g_test_message("%s", names[i]);
			g_assert_cmpint(b, ==, is_basic[i]);
			g_assert_cmpint(d, ==, is_dot[i]);
		}
	}

	/* Basic 3, frames cut into 11-byte notifications. */
	hd = lactd_test_host_new("C0:FF:EE:00:00:12", basic);
	g_assert_cmpuint(basic->state_size, <=, sizeof(hd->state));
	start_emu("chunk=11\nbattery=65\nweighings=1:150;6:0;9:90.5\n");
	g_assert_cmpint(basic->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " TMBASIC_NOTIFY);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==,
			"write " TMBASIC_WRITE " a55a0306000100e8a7");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==,
			"write " TMBASIC_WRITE " a55a030800020100eb31");
	tmbasic_emu_counts(hd->emu, &grams, &mode);
	g_assert_cmpuint(grams, ==, 1);
	g_assert_cmpuint(mode, ==, 1);
	run_until(13000);
	g_assert_true(hd->emu->klass->finished(hd->emu));
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	assert_weights_seen(want, G_N_ELEMENTS(want));
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY) {
			g_assert_cmpuint(r->battery.percent, ==, 65);
			batteries++;
		}
	}
	g_assert_cmpuint(batteries, ==, 1);
	g_assert_cmpuint(hd->emitted->len, <, 60);
	{
		guint8 f[TMBASIC_FRAME_MAX];
		gsize n = lactd_test_unhex(W1185, f, sizeof(f));

		guint emitted = hd->emitted->len;

		/* The emulator's last frame may be half sent: that part and the
		 * bad frame are refused, nothing is emitted. */
		f[n - 1] ^= 0xff;
		basic->value(NULL, &lactd_test_host, TMBASIC_NOTIFY, f, n, LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject timemore-basic: bad checksum"), >=,
				 1);
		g_assert_cmpuint(hd->emitted->len, ==, emitted);
	}
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);

	/* A Dot on a link that is not encrypted says nothing; encrypted, it
	 * weighs like the Basic 3. */
	hd = lactd_test_host_new("C0:FF:EE:00:00:13", dot);
	start_emu("model=dot\nencrypted=false\nweighings=1:150\n");
	g_assert_cmpint(dot->attach(NULL, &lactd_test_host), ==, 0);
	run_until(5000);
	g_assert_cmpuint(hd->emitted->len, ==, 0);
	lactd_emu_free(hd->emu);
	lactd_test_host_reset(hd);
	start_emu("model=dot\nchunk=40\nweighings=1:150\n");
	g_assert_cmpint(dot->attach(NULL, &lactd_test_host), ==, 0);
	run_until(5000);
	assert_weights_seen(want, 1);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(basic_mod);
	g_module_close(dot_mod);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red", "model=black-mirror", "encrypted=maybe",
			     "battery=101", "chunk=0",	     "weighings=1:3000"};

	lactd_test_emu_refuses("timemore-basic", bad, G_N_ELEMENTS(bad));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/timemore-basic/parse/crc", test_crc_and_commands);
	g_test_add_func("/plugin/timemore-basic/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/timemore-basic/parse/split", test_parse_split);
	g_test_add_func("/plugin/timemore-basic/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/timemore-basic/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/timemore-basic/module/host", test_module);
	return g_test_run();
}
