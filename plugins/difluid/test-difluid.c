/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * DiFluid Microbalance: the parser against the frames and commands of
 * DiFluid's protocol document (difluid-sdk-demo protocolMicrobalance.md)
 * and frames built from its format, units, every refusal, frames split
 * across and packed into notifications, the emulator through scenarios,
 * and the plugin module wired to the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "difluid-encode.h"
#include "difluid-parse.h"

static int
parse_hex(DifluidParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	return lactd_test_parse_hex(difluid_parse, st, DIFLUID_CHAR, hex, r, max, reason);
}

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
	} v[] = {
	    /* The document's sensor data example: 76.0 g. */
	    {"df df 03 00 0d 00 00 02 f8 00 00 00 00 00 0a 27 b0 00 a9", 76.0},
	    /* Built from the format: negative, 30 kg, 2.650 oz. */
	    {"df df 03 00 0d ff ff ff 85 00 00 00 00 00 00 00 00 00 50", -12.3},
	    {"df df 03 00 0d 00 04 93 e0 00 00 00 00 00 00 00 00 00 45", 30000.0},
	    {"df df 03 00 0d 00 00 0a 5a 00 00 00 00 00 00 00 00 01 33",
	     2.650 * DIFLUID_GRAMS_PER_OUNCE},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		LactdReading r;
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(NULL, v[i].hex, &r, 1, &reason), ==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r.weight.grams, v[i].grams, 1e-9);
		/* No stable flag in the protocol: the host decides. */
		g_assert_false(r.weight.stable);
	}
	/* The document's device status example: battery 100 %. */
	{
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(NULL, "df df 03 05 08 05 64 01 00 00 00 00 00 38", &r, 1,
					  &reason),
				==, 1);
		g_assert_cmpint(r.type, ==, LACTD_READING_BATTERY);
		g_assert_cmpuint(r.battery.percent, ==, 100);
	}
	/* The document's replies without a reading: settings, buttons, SN. */
	{
		const char *none[] = {
		    "df df 01 00 01 01 c1", "df df 01 04 01 01 c5", "df df 01 03 01 00 c3",
		    "df df 03 02 01 01 c5", "df df 03 01 01 00 c3", "df df 03 04 01 01 c7",
		    "df df 00 00 06 00 36 38 42 36 42 ec",
		};
		for (guint i = 0; i < G_N_ELEMENTS(none); i++) {
			LactdReading r;
			const char *reason = NULL;

			g_test_message("%s", none[i]);
			g_assert_cmpint(parse_hex(NULL, none[i], &r, 1, &reason), ==, 0);
		}
	}
	/* Other characteristics: nothing. */
	{
		const guint8 b[] = {1};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(difluid_parse(NULL, DIFLUID_SERVICE, b, 1, &r, 1, &reason), ==, 0);
	}
}

static void
test_commands(void)
{
	guint8 b[DIFLUID_MAX_FRAME], want[DIFLUID_MAX_FRAME];
	gsize n;

	/* The document's examples of the three commands lactd writes. */
	n = difluid_build_unit_grams(b);
	g_assert_cmpmem(b, n, want, lactd_test_unhex("df df 01 04 01 00 c4", want, sizeof(want)));
	n = difluid_build_auto_send(b, TRUE);
	g_assert_cmpmem(b, n, want, lactd_test_unhex("df df 01 00 01 01 c1", want, sizeof(want)));
	n = difluid_build_status_request(b);
	g_assert_cmpmem(b, n, want, lactd_test_unhex("df df 03 05 00 c6", want, sizeof(want)));
	/* And others of its examples, through the same builder. */
	n = difluid_build(b, 3, 0, NULL, 0);
	g_assert_cmpmem(b, n, want, lactd_test_unhex("df df 03 00 00 c1", want, sizeof(want)));
	n = difluid_build(b, 0, 0, NULL, 0);
	g_assert_cmpmem(b, n, want, lactd_test_unhex("df df 00 00 00 be", want, sizeof(want)));
}

static void
test_parse_refusals(void)
{
	static const LactdParseCase bad[] = {
	    /* empty */
	    LACTD_PARSE_REFUSED("", "difluid: empty notification"),
	    /* short, stateless */
	    LACTD_PARSE_REFUSED("df df 01 04 01 00", "difluid: incomplete frame"),
	    /* no start */
	    LACTD_PARSE_REFUSED("de df 01 04 01 00 c3", "difluid: bytes outside a frame"),
	    /* checksum */
	    LACTD_PARSE_REFUSED("df df 01 04 01 00 c5", "difluid: bad checksum"),
	    /* data length */
	    LACTD_PARSE_REFUSED("df df 01 04 21", "difluid: data length over 32"),
	    /* over 30 kg */
	    LACTD_PARSE_REFUSED("df df 03 00 0d 00 04 93 e1 00 00 00 00 00 00 00 00 00 46", "difluid: weight out of range"),
	    /* unit 2 */
	    LACTD_PARSE_REFUSED("df df 03 00 0d 00 00 00 93 00 00 00 00 00 00 00 00 02 63", "difluid: weight in unit 2, whose conversion is not documented"),
	    /* unit 3 */
	    LACTD_PARSE_REFUSED("df df 03 00 0d 00 00 00 93 00 00 00 00 00 00 00 00 03 64", "difluid: unknown weight unit"),
	    /* sensor data 12 bytes */
	    LACTD_PARSE_REFUSED("df df 03 00 0c 00 00 00 00 00 00 00 00 00 00 00 00 cd", "difluid: sensor data is not 13 bytes"),
	    /* status 7 bytes */
	    LACTD_PARSE_REFUSED("df df 03 05 07 05 64 01 00 00 00 00 37", "difluid: device status is not 8 bytes"),
	    /* battery 101 */
	    LACTD_PARSE_REFUSED("df df 03 05 08 05 65 01 00 00 00 00 00 39", "difluid: battery over 100 %"),
	    /* data cmd 7 */
	    LACTD_PARSE_REFUSED("df df 03 07 00 c8", "difluid: unknown data command"),
	    /* func 2 */
	    LACTD_PARSE_REFUSED("df df 02 00 00 c0", "difluid: unknown function"),
	};

	lactd_test_parse_cases(difluid_parse, DIFLUID_CHAR, bad, G_N_ELEMENTS(bad));
	/* No room: the frame is refused, not written past the array. */
	{
		DifluidParseState st = {0};
		LactdReading r[1];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st, "df df 03 05 08 05 64 01 00 00 00 00 00 38 "
					       "df df 03 05 08 05 64 01 00 00 00 00 00 38",
					  r, 1, &reason),
				==, 1);
		g_assert_cmpstr(st.late_reason, ==, "difluid: more frames than room for readings");
	}
}

static void
test_parse_reassembly(void)
{
	DifluidParseState st = {0};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	/* The document's 19-byte frame in three notifications. */
	g_assert_cmpint(parse_hex(&st, "df", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "df 03 00 0d 00 00 02", r, 8, &reason), ==, 0);
	g_assert_cmpint(parse_hex(&st, "f8 00 00 00 00 00 0a 27 b0 00 a9", r, 8, &reason), ==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 76.0);
	/* A reply, a weight and a status in one, then a frame's head. */
	g_assert_cmpint(parse_hex(&st, "df df 01 04 01 00 c4 "
				       "df df 03 00 0d ff ff ff 85 00 00 00 00 00 00 00 00 00 50 "
				       "df df 03 05 08 05 64 01 00 00 00 00 00 38 df df 03",
				  r, 8, &reason),
			==, 2);
	g_assert_cmpfloat(r[0].weight.grams, ==, -12.3);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpint(parse_hex(&st, "00 0d 00 00 02 f8 00 00 00 00 00 0a 27 b0 00 a9", r, 8,
				  &reason),
			==, 1);
	g_assert_cmpfloat(r[0].weight.grams, ==, 76.0);
	g_assert_null(st.late_reason);
	/* Junk and a bad checksum between frames: the good ones are kept,
	 * the first refusal counted. */
	g_assert_cmpint(parse_hex(&st, "55 df df 03 05 08 05 64 01 00 00 00 00 00 38 "
				       "df df 01 04 01 00 c5 df df 03 05 08 05 64 01 00 00 00 00 00 38",
				  r, 8, &reason),
			==, 2);
	g_assert_cmpstr(st.late_reason, ==, "difluid: bytes outside a frame");
	g_assert_cmpuint(st.frames, ==, 7);
	g_assert_cmpuint(st.other_unit, ==, 0);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		double grams = g_test_rand_double_range(-3000, 30000);
		guint8 unit = g_test_rand_bit() ? DIFLUID_UNIT_GRAM : DIFLUID_UNIT_OUNCE;
		guint8 buf[DIFLUID_MAX_FRAME];
		LactdReading r;
		const char *reason = NULL;
		gsize n = difluid_encode_sensor(buf, grams, unit, i);

		g_assert_cmpuint(n, ==, 19);
		if (unit == DIFLUID_UNIT_OUNCE && fabs(grams) > LACTD_MAX_WEIGHT_G - 0.02)
			continue;
		g_assert_cmpint(difluid_parse(NULL, DIFLUID_CHAR, buf, n, &r, 1, &reason), ==, 1);
		/* Half a step of the unit: 0.05 g, or 0.0005 oz (0.0142 g). */
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.05 + 1e-9);
	}
	for (guint pct = 0; pct <= 100; pct++) {
		guint8 buf[DIFLUID_MAX_FRAME];
		LactdReading r;
		const char *reason = NULL;
		gsize n = difluid_encode_status(buf, (guint8)pct);

		g_assert_cmpint(difluid_parse(NULL, DIFLUID_CHAR, buf, n, &r, 1, &reason), ==, 1);
		g_assert_cmpuint(r.battery.percent, ==, pct);
	}
	{
		guint8 buf[DIFLUID_MAX_FRAME];

		g_assert_cmpuint(difluid_encode_sensor(buf, NAN, 0, 0), ==, 0);
		g_assert_cmpuint(difluid_encode_sensor(buf, 3e9, 0, 0), ==, 0);
	}
}

/* ---- the emulator -------------------------------------------------------- */

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	g_assert_cmpstr(uuid, ==, DIFLUID_CHAR);
	g_ptr_array_add(user_data, g_bytes_new(data, len));
}

static void
write_cmd(LactdEmu *emu, const guint8 *cmd, gsize len)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(emu->klass->write(emu, DIFLUID_CHAR, cmd, len, &error));
	g_assert_no_error(error);
}

static void
check_packing(const char *packing, const char *unit, guint want_notifications)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[s]\nemulator=difluid\npacking=%s\nunit=%s\n"
						"weighings=2:118.5;10:0;20:250.4\n",
						packing, unit);
	g_autoptr(LactdEmu) emu = NULL;
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	DifluidParseState st = {0};
	guint weights = 0, held = 0, replies;
	double last = -1;
	guint8 cmd[DIFLUID_MAX_FRAME];

	g_test_message("packing %s, unit %s", packing, unit);
	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	emu->notify = collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, DIFLUID_CHAR, TRUE);
	/* Nothing until auto send is on. */
	lactd_emu_advance_to(emu, 1000);
	g_assert_cmpuint(sent->len, ==, 0);
	write_cmd(emu, cmd, difluid_build_auto_send(cmd, TRUE));
	/* Packed, the reply waits for the first sensor frame. */
	replies = g_str_equal(packing, "split") ? 2 : g_str_equal(packing, "single") ? 1 : 0;
	g_assert_cmpuint(sent->len, ==, replies);
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent->len, ==, want_notifications);
	for (guint i = 0; i < sent->len; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent, i), &len);
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n = difluid_parse(&st, DIFLUID_CHAR, d, len, r, G_N_ELEMENTS(r), &reason);

		g_assert_cmpint(n, >=, 0);
		g_assert_null(st.late_reason);
		for (int j = 0; j < n; j++) {
			g_assert_cmpint(r[j].type, ==, LACTD_READING_WEIGHT);
			weights++;
			/* Held loads, within half an ounce step. */
			if (fabs(r[j].weight.grams - 118.5) < 0.015 && fabs(last - 118.5) >= 0.015)
				held++;
			last = r[j].weight.grams;
		}
	}
	g_assert_cmpuint(held, ==, 1);
	g_assert_cmpfloat(fabs(last - 250.4), <, 0.015);
	g_assert_cmpuint(weights, ==, g_str_equal(packing, "packed") ? 289 : 290);
	g_assert_cmpuint(st.other_unit, ==, g_str_equal(unit, "oz") ? 290 : 0);
}

static void
test_emulator(void)
{
	check_packing("single", "g", 1 + 290);
	check_packing("split", "g", 2 + 580);
	check_packing("packed", "g", 145); /* 291 frames, the last one held */
	check_packing("single", "oz", 1 + 290);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red",	 "packing=tight",	"interval_ms=0",
			     "interval_ms=x",	 "weighings=1",	"weighings=1:-5",
			     "weighings=1:4000", "unit=lb", "battery=101"};

	lactd_test_emu_refuses("difluid", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("difluid", LACTD_KIND_SCALE, "difluid_parse", &module);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	const char *grams = "write 0000aa01-0000-1000-8000-00805f9b34fb dfdf01040100c4";
	guint batteries = 0, weights = 0, emitted;
	guint8 cmd[DIFLUID_MAX_FRAME];
	gboolean saw150 = FALSE;

	hd = lactd_test_host_new("C0:FF:EE:00:00:22", desc0);
	hd->timer_id = 7;
	g_assert_cmpstr(hd->desc->name, ==, "difluid");
	g_assert_cmpint(hd->desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(hd->desc->service_uuids[0], ==, "000000ee-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(hd->desc->required_chars[0], ==, DIFLUID_CHAR);
	g_assert_null(hd->desc->required_chars[1]);
	/* No stable flag: the host decides. */
	g_assert_cmpuint(hd->desc->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, !=, 0);
	g_assert_cmpfloat(hd->desc->weight_resolution_g, ==, 0.1);
	g_assert_true(lactd_test_plugin_name_matches(hd->desc, "Microbalance"));
	g_assert_true(lactd_test_plugin_name_matches(hd->desc, "DiFluid Microbalance Ti"));
	g_assert_false(lactd_test_plugin_name_matches(hd->desc, "R2 Extract"));
	g_assert_false(lactd_test_plugin_name_matches(hd->desc, "Decent Scale"));
	g_assert_cmpuint(hd->desc->state_size, <=, sizeof(hd->state));

	/* A scale left in ounces. */
	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=difluid\nunit=oz\nbattery=64\nweighings=1:150;8:0;12:90\n", -1,
	    0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* Subscribe, grams, auto send, status, the status timer. */
	g_assert_cmpint(hd->desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 5);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==,
			"subscribe 0000aa01-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==, grams);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==,
			"write 0000aa01-0000-1000-8000-00805f9b34fb dfdf01000101c1");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 3), ==,
			"write 0000aa01-0000-1000-8000-00805f9b34fb dfdf030500c6");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 4), ==, "timer 60000");
	g_assert_cmpuint(hd->timers, ==, 1);

	lactd_emu_advance_to(hd->emu, 20000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY) {
			g_assert_cmpuint(r->battery.percent, ==, 64);
			batteries++;
			continue;
		}
		weights++;
		g_assert_false(r->weight.stable);
		saw150 = saw150 || r->weight.grams == 150.0;
	}
	g_assert_cmpuint(batteries, ==, 1);
	g_assert_true(saw150);
	/* The unit was set before auto send: every weight came in grams. */
	g_assert_cmpuint(((DifluidParseState *)hd->state)->other_unit, ==, 0);
	g_assert_cmpfloat(g_array_index(hd->emitted, LactdReading, hd->emitted->len - 1).weight.grams,
			  ==, 90.0);
	/* 200 frames: emitted as they change, and a held weight every tenth. */
	g_assert_cmpuint(weights, <, 80);
	g_assert_cmpuint(weights, >, 20);

	/* The user switches to ounces on the scale: weights still in grams,
	 * and the next tick sets grams again. */
	write_cmd(hd->emu, cmd, difluid_build(cmd, 1, 4, (const guint8[]){1}, 1));
	emitted = hd->emitted->len;
	lactd_emu_advance_to(hd->emu, 25000);
	g_assert_cmpuint(hd->emitted->len, >, emitted);
	for (guint i = emitted; i < hd->emitted->len; i++)
		g_assert_cmpfloat(
		    fabs(g_array_index(hd->emitted, LactdReading, i).weight.grams - 90.0), <, 0.015);
	g_assert_cmpuint(((DifluidParseState *)hd->state)->other_unit, ==, 50);
	g_assert_cmpuint(lactd_test_host_count(hd, grams), ==, 1);
	hd->desc->timer(NULL, &lactd_test_host, 7);
	g_assert_cmpuint(lactd_test_host_count(hd, grams), ==, 2);
	g_assert_cmpuint(lactd_test_host_count(hd, "log difluid: scale not in grams"), ==, 1);
	/* Unit 2 is refused until the next tick sets grams. */
	write_cmd(hd->emu, cmd, difluid_build(cmd, 1, 4, (const guint8[]){2}, 1));
	lactd_emu_advance_to(hd->emu, 26000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject difluid: weight in unit 2"), ==, 10);
	hd->desc->timer(NULL, &lactd_test_host, 7);
	g_assert_cmpuint(lactd_test_host_count(hd, grams), ==, 3);
	emitted = hd->emitted->len;
	lactd_emu_advance_to(hd->emu, 28000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 10);
	g_assert_cmpuint(hd->emitted->len, >, emitted);
	/* No unit change since: the tick only asks for the status. */
	hd->desc->timer(NULL, &lactd_test_host, 7);
	g_assert_cmpuint(lactd_test_host_count(hd, grams), ==, 3);

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
	g_test_add_func("/plugin/difluid/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/difluid/parse/commands", test_commands);
	g_test_add_func("/plugin/difluid/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/difluid/parse/reassembly", test_parse_reassembly);
	g_test_add_func("/plugin/difluid/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/difluid/emulator/packing", test_emulator);
	g_test_add_func("/plugin/difluid/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/difluid/module/host", test_module);
	return g_test_run();
}
