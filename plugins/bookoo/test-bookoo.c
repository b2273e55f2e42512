/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Bookoo Themis: the parser against frames built from the field values
 * Bookoo publishes (BooKooCode/OpenSource bookoo_mini_scale/protocols.md,
 * bookoo_ultra_scale/protocols.md) and the ones others captured or tested
 * (Tyler Swensen's "Bookoo Mini Scale Bluetooth Protocol Documentation",
 * taliexo/aiobookoo tests/test_decode.py), every refusal, encoder round
 * trips, the emulator through a scenario, and the plugin module wired to
 * the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "bookoo-encode.h"
#include "bookoo-parse.h"
#include "lactd-emu.h"
#include "lactd-test-plugin.h"

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams, flow;
		guint battery, timer_ms, unit;
	} v[] = {
	    /* aiobookoo's weight frame, read with Bookoo's layout: 10.00 g,
	     * 1.00 g/s, 100 %, timer 65.536 s, unit 00 (the Mini). */
	    {"03 0b 010000 00 2b 0003e8 2b 0064 64 0500 01 00 00 e6", 10.0, 1.0, 100, 65536, 0},
	    /* Tyler Swensen's sniffed weight bytes (sign 00 on a positive
	     * weight): 18.00 g, 36.00 g, -1.00 g, 0.00 g. */
	    {"03 0b 000000 01 00 000708 00 0000 50 0005 01 00 00 52", 18.0, 0, 80, 0, 1},
	    {"03 0b 000000 01 00 000e10 00 0000 50 0005 01 00 00 43", 36.0, 0, 80, 0, 1},
	    {"03 0b 000000 01 2d 000064 2b 0000 50 0005 01 00 00 3f", -1.0, 0, 80, 0, 1},
	    {"03 0b 000000 01 00 000000 00 0000 50 0005 01 00 00 5d", 0.0, 0, 80, 0, 1},
	    /* Every field of the Ultra's table: timer 60 s, ounces shown,
	     * 118.50 g, flow -0.50 g/s, 7 %, standby 50, buzzer 3, smoothing. */
	    {"03 0b 00ea60 02 2b 002e4a 2d 0032 07 0032 03 01 00 e7", 118.5, -0.5, 7, 60000, 2},
	    /* 30 kg exactly is still taken. */
	    {"03 0b 000000 01 2b 2dc6c0 2b 0000 50 0005 01 00 00 76", 30000.0, 0, 80, 0, 1},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 buf[32];
		gsize len = lactd_test_unhex(v[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;
		BookooWeight w;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(bookoo_parse(NULL, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, 2);
		g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, v[i].grams, 1e-9);
		g_assert_false(r[0].weight.stable);
		g_assert_cmpint(r[1].type, ==, LACTD_READING_BATTERY);
		g_assert_cmpuint(r[1].battery.percent, ==, v[i].battery);
		g_assert_true(bookoo_decode_weight(buf, len, &w, &reason));
		g_assert_cmpfloat_with_epsilon(w.flow_g_s, v[i].flow, 1e-9);
		g_assert_cmpuint(w.timer_ms, ==, v[i].timer_ms);
		g_assert_cmpuint(w.unit, ==, v[i].unit);
	}
	/* The Ultra's powder weight and automatic-mode event: nothing. */
	{
		const char *none[] = {
		    "03 0f 2b 0004b0 00 00 00 00 00 00 00 00 00 00 00 00 00 93",
		    "03 0d 01 000000 2b 000000 2b 0000 000000000000 0f",
		};
		for (guint i = 0; i < G_N_ELEMENTS(none); i++) {
			guint8 buf[32];
			gsize len = lactd_test_unhex(none[i], buf, sizeof(buf));
			LactdReading r[2];
			const char *reason = NULL;
			BookooParseState st = {0};

			g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==,
					0);
			g_assert_cmpuint(st.frames, ==, 1);
		}
	}
	/* Other characteristics: nothing, no refusal. */
	{
		const guint8 b[] = {1};
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(bookoo_parse(NULL, BOOKOO_WRITE, b, 1, r, 2, &reason), ==, 0);
	}
}

static void
test_parse_stable(void)
{
	const char *f = "03 0b 00ea60 02 2b 002e4a 2d 0032 07 0032 03 01 00 e7";
	guint8 buf[32], other[32];
	gsize len = lactd_test_unhex(f, buf, sizeof(buf));
	BookooParseState st = {0};
	LactdReading r[2];
	const char *reason = NULL;

	lactd_test_unhex("03 0b 000000 01 00 000708 00 0000 50 0005 01 00 00 52", other, sizeof(other));
	for (guint i = 1; i <= BOOKOO_STABLE_COUNT + 2; i++) {
		g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, 2);
		g_assert_cmpint(r[0].weight.stable, ==, i >= BOOKOO_STABLE_COUNT);
	}
	/* A refused frame leaves the count; another weight starts it again. */
	buf[19] ^= 1;
	g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, -1);
	buf[19] ^= 1;
	g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, 2);
	g_assert_true(r[0].weight.stable);
	g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, other, 20, r, 2, &reason), ==, 2);
	g_assert_false(r[0].weight.stable);
	g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, 2);
	g_assert_false(r[0].weight.stable);
	g_assert_cmpuint(st.frames, ==, BOOKOO_STABLE_COUNT + 2 + 3);
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *name, *hex;
	} bad[] = {
	    {"empty", ""},
	    {"19 bytes", "03 0b 000000 01 00 000000 00 0000 50 0005 01 00 5d"},
	    {"21 bytes", "03 0b 000000 01 00 000000 00 0000 50 0005 01 00 00 00 5d"},
	    {"a 6-byte command", "03 0a 01 00 00 08"},
	    {"product number", "04 0b 000000 01 00 000000 00 0000 50 0005 01 00 00 5a"},
	    {"checksum", "03 0b 000000 01 00 000000 00 0000 50 0005 01 00 00 5c"},
	    {"unknown type", "03 0c 000000 01 00 000000 00 0000 50 0005 01 00 00 5a"},
	    {"unit 3", "03 0b 000000 03 00 000000 00 0000 50 0005 01 00 00 5f"},
	    {"weight sign '*'", "03 0b 000000 01 2a 000000 00 0000 50 0005 01 00 00 77"},
	    {"flow sign 'A'", "03 0b 000000 01 00 000000 41 0000 50 0005 01 00 00 1c"},
	    {"battery 101", "03 0b 000000 01 00 000000 00 0000 65 0005 01 00 00 68"},
	    {"smoothing 2", "03 0b 000000 01 00 000000 00 0000 50 0005 01 02 00 5f"},
	    {"reserved byte 1", "03 0b 000000 01 00 000000 00 0000 50 0005 01 00 01 5c"},
	    {"30000.01 g", "03 0b 000000 01 2b 2dc6c1 2b 0000 50 0005 01 00 00 77"},
	    {"-167772.15 g", "03 0b ffffff 01 2d ffffff 00 0000 50 0005 01 00 00 70"},
	    {"event 5", "03 0d 05 000000 2b 000000 2b 0000 000000000000 0b"},
	    {"powder sign 'A'", "03 0f 41 0004b0 00 00 00 00 00 00 00 00 00 00 00 00 00 f9"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		guint8 buf[32];
		gsize len = lactd_test_unhex(bad[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;
		BookooParseState st = {0};

		g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, buf, len, r, 2, &reason), ==, -1);
		g_assert_nonnull(reason);
		g_test_message("%s: %s", bad[i].name, reason);
		g_assert_true(g_str_has_prefix(reason, "bookoo: "));
		g_assert_cmpuint(st.frames, ==, 0);
	}
	g_assert_false(bookoo_grams_in_range(NAN));
	g_assert_false(bookoo_grams_in_range(-INFINITY));
	/* No room for both readings. */
	{
		guint8 buf[32];
		gsize len = lactd_test_unhex("03 0b 000000 01 00 000708 00 0000 50 0005 01 00 00 52", buf, 32);
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(bookoo_parse(NULL, BOOKOO_NOTIFY, buf, len, r, 1, &reason), ==, -1);
	}
}

static void
test_commands(void)
{
	guint8 b[BOOKOO_CMD_LEN], want[BOOKOO_CMD_LEN];

	/* Bookoo's tables: tare 03 0A 01 00 00 08. The Mini's document prints
	 * 0a, 0d, 0c and 00 as the checksums of timer start, stop, reset and
	 * tare-and-start; their XOR is 0d, 0c, 0f and 0e (the Ultra's document
	 * now writes "checkSum" there), and the XOR is what is sent. */
	bookoo_build_command(b, BOOKOO_CMD_TARE, 0, 0);
	g_assert_cmpmem(b, 6, want, lactd_test_unhex("03 0a 01 00 00 08", want, 6));
	bookoo_build_command(b, BOOKOO_CMD_TIMER_START, 0, 0);
	g_assert_cmpmem(b, 6, want, lactd_test_unhex("03 0a 04 00 00 0d", want, 6));
	bookoo_build_command(b, BOOKOO_CMD_TIMER_STOP, 0, 0);
	g_assert_cmpmem(b, 6, want, lactd_test_unhex("03 0a 05 00 00 0c", want, 6));
	bookoo_build_command(b, BOOKOO_CMD_TIMER_RESET, 0, 0);
	g_assert_cmpmem(b, 6, want, lactd_test_unhex("03 0a 06 00 00 0f", want, 6));
	bookoo_build_command(b, BOOKOO_CMD_TARE_AND_START, 0, 0);
	g_assert_cmpmem(b, 6, want, lactd_test_unhex("03 0a 07 00 00 0e", want, 6));
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		BookooWeight w = {0}, back;
		guint8 buf[BOOKOO_FRAME_LEN];
		LactdReading r[2];
		const char *reason = NULL;

		w.timer_ms = (guint32)g_test_rand_int_range(0, 0xffffff);
		w.unit = (guint8)g_test_rand_int_range(0, 3);
		w.grams = g_test_rand_double_range(-30000, 30000);
		w.flow_g_s = g_test_rand_double_range(-655, 655);
		w.battery = (guint8)g_test_rand_int_range(0, 101);
		w.standby = (guint16)g_test_rand_int_range(0, 0x10000);
		w.buzzer = (guint8)g_test_rand_int_range(0, 6);
		w.smoothing = (guint8)g_test_rand_int_range(0, 2);
		g_assert_cmpuint(bookoo_encode_weight(buf, &w), ==, BOOKOO_FRAME_LEN);
		g_assert_cmpint(bookoo_parse(NULL, BOOKOO_NOTIFY, buf, 20, r, 2, &reason), ==, 2);
		g_assert_true(bookoo_decode_weight(buf, 20, &back, &reason));
		g_assert_cmpfloat(fabs(r[0].weight.grams - w.grams), <=, 0.005 + 1e-9);
		g_assert_cmpfloat(fabs(back.flow_g_s - w.flow_g_s), <=, 0.005 + 1e-9);
		g_assert_cmpuint(r[1].battery.percent, ==, w.battery);
		g_assert_cmpuint(back.timer_ms, ==, w.timer_ms);
		g_assert_cmpuint(back.unit, ==, w.unit);
		g_assert_cmpuint(back.standby, ==, w.standby);
		g_assert_cmpuint(back.buzzer, ==, w.buzzer);
		g_assert_cmpuint(back.smoothing, ==, w.smoothing);
	}
	/* What the fields cannot carry is not encoded. */
	{
		BookooWeight w = {0};
		guint8 buf[BOOKOO_FRAME_LEN];

		w.grams = 167772.16;
		g_assert_cmpuint(bookoo_encode_weight(buf, &w), ==, 0);
		w.grams = 0;
		w.flow_g_s = 655.36;
		g_assert_cmpuint(bookoo_encode_weight(buf, &w), ==, 0);
		w.flow_g_s = NAN;
		g_assert_cmpuint(bookoo_encode_weight(buf, &w), ==, 0);
		w.flow_g_s = 0;
		w.timer_ms = 0x1000000;
		g_assert_cmpuint(bookoo_encode_weight(buf, &w), ==, 0);
	}
}

/* ---- the emulator -------------------------------------------------------- */

typedef LactdTestSent Sent;

static LactdEmu *
make_emu(const char *scenario, Sent *sent)
{
	g_autofree char *text = g_strconcat("emulator=bookoo\n", scenario, NULL);

	return lactd_test_emu_collecting(text, BOOKOO_NOTIFY, sent);
}

/* Settled weights, once each, from frames [from, to). */
static GArray *
settled(Sent *sent, guint from, guint to)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(double));
	BookooParseState st = {0};
	gboolean last_stable = FALSE;

	for (guint i = from; i < to; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent->values, i), &len);
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(bookoo_parse(&st, BOOKOO_NOTIFY, d, len, r, 2, &reason), ==, 2);
		if (r[0].weight.stable && !last_stable)
			g_array_append_val(out, r[0].weight.grams);
		last_stable = r[0].weight.stable;
	}
	return out;
}

static void
test_emulator_scenario(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu =
	    make_emu("weighings=2:118.5;10:0;20:250.4\nbattery=42\nunit=oz\n", &sent);
	const double want[] = {0, 118.5, 0, 250.4};
	g_autoptr(GArray) got = NULL;
	g_autoptr(GError) error = NULL;
	guint8 cmd[BOOKOO_CMD_LEN];
	BookooWeight w;
	const char *reason = NULL;
	double max_flow = 0;
	gsize len;
	const guint8 *d;

	g_assert_false(emu->klass->finished(emu));
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
	/* Ten frames a second. */
	g_assert_cmpuint(sent.values->len, ==, 300);
	got = settled(&sent, 0, sent.values->len);
	g_assert_cmpuint(got->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < got->len; i++)
		g_assert_cmpfloat_with_epsilon(g_array_index(got, double, i), want[i], 1e-9);
	for (guint i = 0; i < sent.values->len; i++) {
		d = g_bytes_get_data(g_ptr_array_index(sent.values, i), &len);
		g_assert_true(bookoo_decode_weight(d, len, &w, &reason));
		g_assert_cmpuint(w.battery, ==, 42);
		g_assert_cmpuint(w.unit, ==, 2);
		max_flow = MAX(max_flow, w.flow_g_s);
	}
	/* 250.4 g put on over a second: about 250 g/s at the most. */
	g_assert_cmpfloat(fabs(max_flow - 250.4), <, 1.0);

	/* Tare with 250.4 g on, then tare and start the timer. */
	bookoo_build_command(cmd, BOOKOO_CMD_TARE_AND_START, 0, 0);
	g_assert_true(emu->klass->write(emu, BOOKOO_WRITE, cmd, 6, &error));
	g_assert_no_error(error);
	lactd_emu_advance_to(emu, 35000);
	d = g_bytes_get_data(g_ptr_array_index(sent.values, sent.values->len - 1), &len);
	g_assert_true(bookoo_decode_weight(d, len, &w, &reason));
	g_assert_cmpfloat(w.grams, ==, 0);
	g_assert_cmpuint(w.timer_ms, ==, 5000);
	bookoo_build_command(cmd, BOOKOO_CMD_TIMER_STOP, 0, 0);
	g_assert_true(emu->klass->write(emu, BOOKOO_WRITE, cmd, 6, &error));
	lactd_emu_advance_to(emu, 36000);
	d = g_bytes_get_data(g_ptr_array_index(sent.values, sent.values->len - 1), &len);
	g_assert_true(bookoo_decode_weight(d, len, &w, &reason));
	g_assert_cmpuint(w.timer_ms, ==, 5000);

	/* Refused writes: bad checksum, short, the notify characteristic. */
	cmd[5] ^= 1;
	g_assert_false(emu->klass->write(emu, BOOKOO_WRITE, cmd, 6, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(emu->klass->write(emu, BOOKOO_WRITE, cmd, 5, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_clear_error(&error);
	g_assert_false(emu->klass->write(emu, BOOKOO_NOTIFY, cmd, 6, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);

	/* Notifications off, or no link: nothing is sent. */
	{
		guint before = sent.values->len;

		lactd_emu_set_subscribed(emu, BOOKOO_NOTIFY, FALSE);
		lactd_emu_advance_to(emu, 38000);
		lactd_emu_set_subscribed(emu, BOOKOO_NOTIFY, TRUE);
		lactd_emu_set_link(emu, FALSE);
		lactd_emu_advance_to(emu, 40000);
		g_assert_cmpuint(sent.values->len, ==, before);
	}
	g_ptr_array_unref(sent.values);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red",	 "battery=101",	 "battery=x",
			     "unit=kg",	 "interval_ms=5",	 "weighings=1",
			     "weighings=x:10", "weighings=1:-5",	 "weighings=1:2500"};

	lactd_test_emu_refuses("bookoo", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static LactdTestHost *hd;

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("bookoo", LACTD_KIND_SCALE, "bookoo_parse", &module);
	gpointer other = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	const double want[] = {0, 150, 0, 90};
	guint stable = 0, batteries = 0;

	g_assert_false(g_module_symbol(module, "bookoo_parse", &other));
	hd = lactd_test_host_new("C0:FF:EE:00:00:05", desc0);
	hd->timer_id = 9;
	g_assert_cmpstr(hd->desc->name, ==, "bookoo");
	g_assert_cmpint(hd->desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(hd->desc->service_uuids[0], ==, "00000ffe-0000-1000-8000-00805f9b34fb");
	g_assert_null(hd->desc->service_uuids[1]);
	g_assert_cmpuint(hd->desc->state_size, <=, sizeof(hd->state));

	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=bookoo\nbattery=64\nweighings=1:150;8:0;12:90\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* Only the notify characteristic; nothing written, no timer. */
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==,
			"subscribe 0000ff11-0000-1000-8000-00805f9b34fb");
	g_assert_null(hd->desc->timer);

	lactd_emu_advance_to(hd->emu, 20000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY) {
			g_assert_cmpuint(r->battery.percent, ==, 64);
			batteries++;
		} else if (r->weight.stable) {
			g_assert_cmpuint(stable, <, G_N_ELEMENTS(want));
			g_assert_cmpfloat_with_epsilon(r->weight.grams, want[stable], 1e-9);
			stable++;
		}
	}
	g_assert_cmpuint(stable, ==, 4);
	/* The battery rides in all 200 frames, emitted once. */
	g_assert_cmpuint(batteries, ==, 1);
	g_assert_cmpuint(hd->emitted->len, <, 60);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);

	/* Garbage is refused through the host and never emitted. */
	{
		guint8 junk[BOOKOO_FRAME_LEN];
		guint before = hd->emitted->len;
		gsize n = lactd_test_unhex("03 0b 000000 01 2b 2dc6c1 2b 0000 50 0005 01 00 00 77", junk, 20);

		hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, junk, n, LACTD_VALUE_NOTIFY);
		junk[19] ^= 0xff;
		hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, junk, n, LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, junk, 7, LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject bookoo: weight over 30 kg"), ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject bookoo: bad checksum"), ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject bookoo: frame is not 20 bytes"), ==, 1);
		g_assert_cmpuint(hd->emitted->len, ==, before);
	}
	/* A settled weight the host could not store is offered again. */
	{
		BookooWeight w = {.grams = 321.5, .battery = 64, .unit = 1};
		guint8 f[BOOKOO_FRAME_LEN];
		guint before = hd->emitted->len;

		g_assert_cmpuint(bookoo_encode_weight(f, &w), ==, 20);
		hd->fail_emit = TRUE;
		for (guint i = 0; i < BOOKOO_STABLE_COUNT; i++)
			hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, f, 20, LACTD_VALUE_NOTIFY);
		hd->fail_emit = FALSE;
		hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, f, 20, LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, BOOKOO_NOTIFY, f, 20, LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(hd->emitted->len, ==, before + 1);
		g_assert_true(g_array_index(hd->emitted, LactdReading, before).weight.stable);
		g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, before).weight.grams, ==,
				  321.5);
	}
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/bookoo/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/bookoo/parse/stable", test_parse_stable);
	g_test_add_func("/plugin/bookoo/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/bookoo/parse/commands", test_commands);
	g_test_add_func("/plugin/bookoo/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/bookoo/emulator/scenario", test_emulator_scenario);
	g_test_add_func("/plugin/bookoo/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/bookoo/module/host", test_module);
	return g_test_run();
}
