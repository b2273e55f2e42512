/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Decent Scale: the parser against the frames and commands Decent publishes
 * (decentespresso.com/decentscale_api, the Half Decent Scale programmers'
 * guide, and the same examples in decentespresso/openscale ble.h), every
 * refusal, encoder round trips, the emulator through scenarios (heartbeat
 * included), and the plugin module wired to the emulator through a fake
 * LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "decent-encode.h"
#include "decent-parse.h"
#include "lactd-emu.h"
#include "lactd-test-plugin.h"

static int
parse_hex(DecentParseState *st, const char *hex, LactdReading *r, const char **reason)
{
	guint8 buf[32];
	gsize len = lactd_test_unhex(hex, buf, sizeof(buf));

	return decent_parse(st, DECENT_NOTIFY, buf, len, r, 1, reason);
}

static void
test_parse_vectors(void)
{
	/* decentscale_api: "Firmware v1.0 and v1.1 sends weight as a 7 byte
	 * message". Its 705.9 g example reads 5E where the XOR is 45; it is
	 * kept below with the right checksum, and the published bytes are a
	 * refusal in test_parse_refusals. */
	const struct {
		const char *hex;
		double grams;
	} v[] = {
	    {"03 ce 0000 0000 cd", 0.0},
	    {"03 ce 0065 0000 a8", 10.1},
	    {"03 ce 0794 0000 5e", 194.0},
	    {"03 ce 1b93 0000 45", 705.9},
	    {"03 ce 2bac 0000 4a", 1118.0},
	    /* "Firmware v1.2 and newer sends weight with a timestamp as a 10
	     * byte message", with the checksums as published (timestamp left
	     * out of the XOR; 705.9 g again with 45 for the published 5E) ... */
	    {"03 ce 0000 010203 0000 cd", 0.0},
	    {"03 ce 0065 010204 0000 a8", 10.1},
	    {"03 ce 0794 010205 0000 5e", 194.0},
	    {"03 ce 1b93 010206 0000 45", 705.9},
	    {"03 ce 2bac 010207 0000 4a", 1118.0},
	    /* ... and with the XOR over every byte, as openscale's notes say. */
	    {"03 ce 0065 010204 0000 af", 10.1},
	    {"03 ce 2bac 010207 0000 4e", 1118.0},
	    /* Negative (after a tare): -12.3 g, a changing weight. */
	    {"03 ca ff85 0000 b3", -12.3},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		LactdReading r;
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(NULL, v[i].hex, &r, &reason), ==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r.weight.grams, v[i].grams, 1e-9);
		/* Without a state, the frame type alone says stable. */
		g_assert_cmpint(r.weight.stable, ==, strstr(v[i].hex, "03 ce") != NULL);
	}

	/* Frames without a weight: buttons (openscale sendBleButton), the
	 * heartbeat reply on USB power (battery byte FF), the HDS's notices. */
	{
		const char *none[] = {
		    "03 aa 01 01 00 00 a9", "03 aa 02 02 00 00 a9", "03 aa 01 00 00 00 a8",
		    "03 0a 03 ff ff 00 0a", "03 22 00 29 00 00 08", "03 2a 10 00 00 00 39",
		    "03 21 00 00 00 00 22",
		};
		for (guint i = 0; i < G_N_ELEMENTS(none); i++) {
			LactdReading r;
			const char *reason = NULL;

			g_test_message("%s", none[i]);
			g_assert_cmpint(parse_hex(NULL, none[i], &r, &reason), ==, 0);
		}
	}
	/* The 0x0A reply: weight 0, battery 75 %, firmware 03. */
	{
		LactdReading r;
		const char *reason = NULL;
		DecentParseState st = {0};

		g_assert_cmpint(parse_hex(&st, "03 0a 0000 4b 03 41", &r, &reason), ==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_BATTERY);
		g_assert_cmpuint(r.battery.percent, ==, 75);
		g_assert_cmpuint(st.frames, ==, 1);
	}
	/* Other characteristics: nothing, no refusal. */
	{
		const guint8 b[] = {1};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(decent_parse(NULL, DECENT_WRITE, b, 1, &r, 1, &reason), ==, 0);
	}
}

static void
test_parse_stable(void)
{
	DecentParseState st = {0};
	LactdReading r;
	const char *reason = NULL;
	const char *f118 = "03 ce 04 a1 00 00 68"; /* 118.5 g */

	/* The HDS calls every frame stable: settled only after three alike. */
	g_assert_cmpint(parse_hex(&st, f118, &r, &reason), ==, 1);
	g_assert_false(r.weight.stable);
	g_assert_cmpint(parse_hex(&st, f118, &r, &reason), ==, 1);
	g_assert_false(r.weight.stable);
	g_assert_cmpint(parse_hex(&st, f118, &r, &reason), ==, 1);
	g_assert_true(r.weight.stable);
	g_assert_cmpfloat(r.weight.grams, ==, 118.5);
	g_assert_cmpint(parse_hex(&st, f118, &r, &reason), ==, 1);
	g_assert_true(r.weight.stable);
	/* A changing frame of the same value resets the count. */
	g_assert_cmpint(parse_hex(&st, "03 ca 04 a1 00 00 6c", &r, &reason), ==, 1);
	g_assert_false(r.weight.stable);
	g_assert_cmpint(parse_hex(&st, f118, &r, &reason), ==, 1);
	g_assert_false(r.weight.stable);
	/* Another value too; refused frames leave the count alone. */
	g_assert_cmpint(parse_hex(&st, "03 ce 0065 0000 a8", &r, &reason), ==, 1);
	g_assert_false(r.weight.stable);
	g_assert_cmpint(parse_hex(&st, "03 ce 0065 0000 a9", &r, &reason), ==, -1);
	g_assert_cmpint(parse_hex(&st, "03 ce 0065 0000 a8", &r, &reason), ==, 1);
	g_assert_cmpint(parse_hex(&st, "03 ce 0065 0000 a8", &r, &reason), ==, 1);
	g_assert_true(r.weight.stable);
	g_assert_cmpuint(st.frames, ==, 9);
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *name, *hex;
	} bad[] = {
	    {"empty", ""},
	    {"short", "03 ce 00 65 00 a8"},
	    {"8 bytes", "03 ce 00 65 00 00 00 a8"},
	    {"11 bytes", "03 ce 00 65 01 02 04 00 00 00 af"},
	    {"20 bytes", "03 ce 0065 0000 0000 0000 0000 0000 0000 a8"},
	    {"model byte", "04 ce 00 65 00 00 af"},
	    {"checksum", "03 ce 00 65 00 00 a9"},
	    {"published 705.9 g", "03 ce 1b 93 00 00 5e"},
	    {"published 705.9 g, 10 bytes", "03 ce 1b93 010206 0000 5e"},
	    {"10-byte checksum, neither form", "03 ce 0065 010204 0000 a9"},
	    {"10-byte non-weight", "03 aa 01 01 00 00 00 00 00 a9"},
	    {"timestamp second 60", "03 ce 0000 013c03 0000 f3"},
	    {"unknown type", "03 42 00 00 00 00 41"},
	    {"a command from the scale", "03 0f 00 00 00 01 0d"},
	    {"button 0", "03 aa 00 01 00 00 a8"},
	    {"button 3", "03 aa 03 01 00 00 ab"},
	    {"press 3", "03 aa 01 03 00 00 ab"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		guint8 buf[32];
		gsize len = lactd_test_unhex(bad[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;
		DecentParseState st = {0};

		g_assert_cmpint(decent_parse(&st, DECENT_NOTIFY, buf, len, r, 2, &reason), ==, -1);
		g_assert_nonnull(reason);
		g_test_message("%s: %s", bad[i].name, reason);
		g_assert_true(g_str_has_prefix(reason, "decent: "));
		g_assert_cmpuint(st.frames, ==, 0);
	}
	/* Over 30 kg: 16 bits of 0.1 g cannot say it, the check is on grams. */
	g_assert_true(decent_grams_in_range(LACTD_MAX_WEIGHT_G));
	g_assert_true(decent_grams_in_range(-3276.8));
	g_assert_false(decent_grams_in_range(LACTD_MAX_WEIGHT_G + 0.1));
	g_assert_false(decent_grams_in_range(-LACTD_MAX_WEIGHT_G - 0.1));
	g_assert_false(decent_grams_in_range(NAN));
	g_assert_false(decent_grams_in_range(INFINITY));
	/* No room for the reading. */
	{
		guint8 buf[8];
		gsize len = lactd_test_unhex("03 ce 0065 0000 a8", buf, sizeof(buf));
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(decent_parse(NULL, DECENT_NOTIFY, buf, len, &r, 0, &reason), ==, -1);
		len = lactd_test_unhex("03 0a 0000 4b 03 41", buf, sizeof(buf));
		g_assert_cmpint(decent_parse(NULL, DECENT_NOTIFY, buf, len, &r, 0, &reason), ==, -1);
	}
}

static void
test_commands(void)
{
	guint8 b[DECENT_FRAME_LEN], want[DECENT_FRAME_LEN];

	/* The HDS programmers' guide: LED on and tare keeping the heartbeat,
	 * and the heartbeat itself; decentscale_api: tare and LED off, with
	 * the older 00 last data byte. */
	decent_build_led_on(b, TRUE);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0a 01 01 00 01 08", want, 7));
	decent_build_heartbeat(b);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0a 03 ff ff 00 0a", want, 7));
	g_assert_true(decent_is_heartbeat(b, 7));
	g_assert_false(decent_is_heartbeat(b, 6));
	decent_build_tare(b, TRUE);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0f 00 00 00 01 0d", want, 7));
	g_assert_false(decent_is_heartbeat(b, 7));
	decent_build_tare(b, FALSE);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0f 00 00 00 00 0c", want, 7));
	decent_build_led_on(b, FALSE);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0a 01 01 00 00 09", want, 7));
	/* Timer start, stop, zero (decentscale_api). */
	decent_build(b, DECENT_TIMER, 3, 0, 0, 0);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0b 03 00 00 00 0b", want, 7));
	decent_build(b, DECENT_TIMER, 0, 0, 0, 0);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0b 00 00 00 00 08", want, 7));
	decent_build(b, DECENT_TIMER, 2, 0, 0, 0);
	g_assert_cmpmem(b, 7, want, lactd_test_unhex("03 0b 02 00 00 00 0a", want, 7));
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-3276.8, 3276.7);
		gboolean stable = g_test_rand_bit();
		gint64 ts = g_test_rand_bit() ? -1 : g_test_rand_int_range(0, 3600000);
		guint8 buf[DECENT_WEIGHT_TS_LEN];
		LactdReading r;
		const char *reason = NULL;
		gsize n = decent_encode_weight(buf, grams, stable, ts);

		g_assert_cmpuint(n, ==, ts < 0 ? DECENT_FRAME_LEN : DECENT_WEIGHT_TS_LEN);
		g_assert_cmpint(decent_parse(NULL, DECENT_NOTIFY, buf, n, &r, 1, &reason), ==, 1);
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.05 + 1e-9);
		g_assert_cmpint(r.weight.stable, ==, stable);
	}
	for (guint pct = 0; pct <= 100; pct++) {
		guint8 buf[DECENT_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpuint(decent_encode_led_reply(buf, 12.5, (guint8)pct, 3), ==, 7);
		g_assert_cmpint(decent_parse(NULL, DECENT_NOTIFY, buf, 7, &r, 1, &reason), ==, 1);
		g_assert_cmpuint(r.battery.percent, ==, pct);
	}
	/* What the frame cannot carry is not encoded. */
	{
		guint8 buf[DECENT_WEIGHT_TS_LEN];

		g_assert_cmpuint(decent_encode_weight(buf, 3276.8, TRUE, -1), ==, 0);
		g_assert_cmpuint(decent_encode_weight(buf, -3276.9, TRUE, -1), ==, 0);
		g_assert_cmpuint(decent_encode_weight(buf, NAN, TRUE, -1), ==, 0);
		g_assert_cmpuint(decent_encode_led_reply(buf, 5000, 50, 3), ==, 0);
	}
}

/* ---- the emulator -------------------------------------------------------- */

typedef LactdTestSent Sent;

static LactdEmu *
make_emu(const char *scenario, Sent *sent)
{
	g_autofree char *text = g_strconcat("emulator=decent\n", scenario, NULL);

	return lactd_test_emu_collecting(text, DECENT_NOTIFY, sent);
}

static void
write_cmd(LactdEmu *emu, const guint8 *cmd)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(emu->klass->write(emu, DECENT_WRITE, cmd, DECENT_FRAME_LEN, &error));
	g_assert_no_error(error);
}

/* Settled weights as the plugin would emit them, once each; *weights
 * counts weight frames, *batteries the battery readings. */
static GArray *
settled(Sent *sent, guint from, guint *weights, guint *batteries, gsize *frame_len)
{
	GArray *out = g_array_new(FALSE, FALSE, sizeof(double));
	DecentParseState st = {0};
	gboolean last_stable = FALSE;

	for (guint i = from; i < sent->values->len; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent->values, i), &len);
		LactdReading r;
		const char *reason = NULL;
		int n = decent_parse(&st, DECENT_NOTIFY, d, len, &r, 1, &reason);

		g_assert_cmpint(n, ==, 1);
		if (r.type == LACTD_READING_BATTERY) {
			(*batteries)++;
			continue;
		}
		(*weights)++;
		*frame_len = len;
		if (r.weight.stable && !last_stable)
			g_array_append_val(out, r.weight.grams);
		last_stable = r.weight.stable;
	}
	return out;
}

static void
check_firmware(const char *fw, gsize want_len)
{
	g_autofree char *text =
	    g_strdup_printf("firmware=%s\nweighings=2:118.5;10:0;20:250.4\n", fw);
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu(text, &sent);
	const double want[] = {0, 118.5, 0, 250.4};
	g_autoptr(GArray) got = NULL;
	guint weights = 0, batteries = 0;
	gsize len = 0;
	guint8 cmd[DECENT_FRAME_LEN];

	g_test_message("firmware %s", fw);
	/* Nothing until a command is written. */
	lactd_emu_advance_to(emu, 1000);
	g_assert_cmpuint(sent.values->len, ==, 0);
	decent_build_led_on(cmd, FALSE);
	write_cmd(emu, cmd);
	g_assert_cmpuint(sent.values->len, ==, 1); /* the 0x0A reply */
	g_assert_false(emu->klass->finished(emu));
	lactd_emu_advance_to(emu, 30 * 1000);
	g_assert_true(emu->klass->finished(emu));
	got = settled(&sent, 0, &weights, &batteries, &len);
	g_assert_cmpuint(batteries, ==, 1);
	/* Ten frames a second from 1 s to 30 s. */
	g_assert_cmpuint(weights, ==, 290);
	g_assert_cmpuint(len, ==, want_len);
	g_assert_cmpuint(got->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < got->len; i++)
		g_assert_cmpfloat_with_epsilon(g_array_index(got, double, i), want[i], 1e-9);
	g_ptr_array_unref(sent.values);
}

static void
test_emulator_firmware(void)
{
	check_firmware("v1.0", DECENT_FRAME_LEN);
	check_firmware("v1.2", DECENT_WEIGHT_TS_LEN);
	check_firmware("hds", DECENT_FRAME_LEN);
}

static void
test_emulator_heartbeat(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu("weighings=1:100\nbattery=usb\n", &sent);
	guint8 led[DECENT_FRAME_LEN], hb[DECENT_FRAME_LEN], tare[DECENT_FRAME_LEN];
	guint before;

	decent_build_led_on(led, TRUE);
	decent_build_heartbeat(hb);
	decent_build_tare(tare, TRUE);
	write_cmd(emu, led);
	/* Heartbeats every 2 s keep it talking for a minute. */
	for (gint64 t = 2000; t <= 60000; t += 2000) {
		lactd_emu_advance_to(emu, t);
		write_cmd(emu, hb);
	}
	g_assert_cmpuint(sent.values->len, ==, 1 + 600);
	/* They stop: 5 s later the scale has let go; nothing more comes, and a
	 * late heartbeat does not bring it back. */
	lactd_emu_advance_to(emu, 70000);
	before = sent.values->len;
	g_assert_cmpuint(before, <=, 1 + 600 + 50);
	g_assert_cmpuint(before, >=, 1 + 600 + 49);
	write_cmd(emu, hb);
	write_cmd(emu, led);
	lactd_emu_advance_to(emu, 80000);
	g_assert_cmpuint(sent.values->len, ==, before);
	/* A new connection, a tare that keeps the heartbeat: it weighs again,
	 * zeroed, and wants the heartbeat again. */
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, DECENT_NOTIFY, TRUE);
	lactd_emu_advance_to(emu, 81000);
	g_assert_cmpuint(sent.values->len, ==, before);
	write_cmd(emu, tare);
	lactd_emu_advance_to(emu, 82000);
	g_assert_cmpuint(sent.values->len, ==, before + 10);
	{
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent.values, before), &len);
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(decent_parse(NULL, DECENT_NOTIFY, d, len, &r, 1, &reason), ==, 1);
		g_assert_cmpfloat(r.weight.grams, ==, 0);
	}
	lactd_emu_advance_to(emu, 90000);
	g_assert_cmpuint(sent.values->len, <=, before + 60);
	/* LED on with the older 00 byte: no heartbeat needed (on a new link). */
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, DECENT_NOTIFY, TRUE);
	decent_build_led_on(led, FALSE);
	write_cmd(emu, led);
	before = sent.values->len;
	lactd_emu_advance_to(emu, 120000);
	g_assert_cmpuint(sent.values->len, ==, before + 300);

	/* Refused writes. */
	{
		g_autoptr(GError) error = NULL;
		guint8 junk[DECENT_FRAME_LEN];

		memcpy(junk, hb, sizeof(junk));
		junk[6] ^= 1;
		g_assert_false(emu->klass->write(emu, DECENT_WRITE, junk, 7, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_false(emu->klass->write(emu, DECENT_WRITE, hb, 6, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_false(emu->klass->write(emu, DECENT_NOTIFY, hb, 7, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	}
	g_ptr_array_unref(sent.values);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red",	  "firmware=v2",	 "battery=101",
			     "battery=mains",	  "interval_ms=0",	 "interval_ms=x",
			     "weighings=1",	  "weighings=x:10",	 "weighings=1:-5",
			     "weighings=1:4000", "weighings=1:10g"};

	lactd_test_emu_refuses("decent", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static LactdTestHost *hd;

/* Scenario time in 100 ms steps, the host's timer firing every 2 s or not. */
static void
run_until(gint64 until, gboolean timer)
{
	for (gint64 t = hd->emu->sim_ms + 100; t <= until; t += 100) {
		lactd_emu_advance_to(hd->emu, t);
		if (timer && t % DECENT_HEARTBEAT_MS == 0)
			hd->desc->timer(NULL, &lactd_test_host, 9);
	}
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("decent", LACTD_KIND_SCALE, "decent_parse", &module);
	gpointer other = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	const char *sub = "subscribe 0000fff4-0000-1000-8000-00805f9b34fb";
	const char *led = "write 000036f5-0000-1000-8000-00805f9b34fb 030a0101000108";
	const char *hb = "write 000036f5-0000-1000-8000-00805f9b34fb 030a03ffff000a";
	const double want[] = {0, 150, 0, 90};
	guint stable = 0, batteries = 0, emitted;

	g_assert_false(g_module_symbol(module, "decent_parse", &other));
	hd = lactd_test_host_new("C0:FF:EE:00:00:04", desc0);
	hd->timer_id = 9;
	g_assert_cmpstr(hd->desc->name, ==, "decent");
	g_assert_cmpint(hd->desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(hd->desc->service_uuids[0], ==, "0000fff0-0000-1000-8000-00805f9b34fb");
	g_assert_null(hd->desc->service_uuids[1]);
	g_assert_cmpuint(hd->desc->state_size, <=, sizeof(hd->state));

	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=decent\nbattery=64\nweighings=1:150;8:0;12:90\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* The host procedure: subscribe, LED on keeping the heartbeat, timer. */
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, sub);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==, led);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==, "timer 2000");

	run_until(20000, TRUE);
	g_assert_cmpuint(lactd_test_host_count(hd, hb), ==, 10);
	/* The first frame came at once: LED on was not repeated. */
	g_assert_cmpuint(lactd_test_host_count(hd, led), ==, 1);
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
	g_assert_cmpuint(batteries, ==, 1);
	/* 200 frames, emitted only as they change or settle. */
	g_assert_cmpuint(hd->emitted->len, <, 60);

	/* The heartbeat stops: the scale lets go after 5 s, nothing more. */
	run_until(30000, FALSE);
	emitted = hd->emitted->len;
	run_until(40000, FALSE);
	g_assert_cmpuint(hd->emitted->len, ==, emitted);

	/* Garbage is refused through the host and never emitted. */
	{
		const guint8 junk[] = {0x03, 0xce, 0x00, 0x65, 0x00, 0x00, 0xa9};
		const guint8 kind[] = {0x03, 0x42, 0x00, 0x00, 0x00, 0x00, 0x41};

		hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, junk, sizeof(junk), LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, kind, sizeof(kind), LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, junk, 3, LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject decent: bad checksum"), ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject decent: unknown frame type"), ==, 1);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject decent: frame is neither"), ==, 1);
		g_assert_cmpuint(hd->emitted->len, ==, emitted);
	}
	/* A settled weight the host could not store is offered again. */
	{
		guint8 f[DECENT_WEIGHT_TS_LEN];
		gsize n = decent_encode_weight(f, 321.5, TRUE, -1);

		hd->fail_emit = TRUE;
		for (guint i = 0; i < 3; i++)
			hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, f, n, LACTD_VALUE_NOTIFY);
		hd->fail_emit = FALSE;
		hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, f, n, LACTD_VALUE_NOTIFY);
		hd->desc->value(NULL, &lactd_test_host, DECENT_NOTIFY, f, n, LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(hd->emitted->len, ==, emitted + 1);
		g_assert_true(g_array_index(hd->emitted, LactdReading, emitted).weight.stable);
		g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, emitted).weight.grams, ==,
				  321.5);
	}
	hd->desc->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	lactd_emu_free(hd->emu);

	/* A scale that dropped the first command (firmware v1.0, as Decent's
	 * API page warns): LED on is repeated with the heartbeat until a frame
	 * comes. */
	lactd_test_host_reset(hd);
	g_key_file_free(kf);
	kf = g_key_file_new();
	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=decent\nfirmware=v1.0\nweighings=1:80\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);
	hd->drop_writes = 1;
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	run_until(6000, TRUE);
	g_assert_cmpuint(lactd_test_host_count(hd, led), ==, 2);
	g_assert_cmpuint(lactd_test_host_count(hd, "log decent: nothing from the scale yet"), ==, 1);
	g_assert_cmpuint(hd->emitted->len, >, 0);
	g_assert_true(g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1).weight.stable);
	g_assert_cmpfloat(
	    g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1).weight.grams, ==, 80);
	hd->desc->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/decent/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/decent/parse/stable", test_parse_stable);
	g_test_add_func("/plugin/decent/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/decent/parse/commands", test_commands);
	g_test_add_func("/plugin/decent/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/decent/emulator/firmware", test_emulator_firmware);
	g_test_add_func("/plugin/decent/emulator/heartbeat", test_emulator_heartbeat);
	g_test_add_func("/plugin/decent/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/decent/module/host", test_module);
	return g_test_run();
}
