/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Varia AKU: the parser against the frames the public sources show (the
 * GaggiMate scale library's varia.cpp comments, Beanconqueror's variaAku.ts
 * commands), several frames in one notification, every refusal, encoder
 * round trips, the emulator through a scenario, and the plugin module
 * wired to the emulator through a recording LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "varia-encode.h"
#include "varia-parse.h"

static int
parse_hex(const char *hex, LactdReading *r, const char **reason)
{
	guint8 buf[64];
	gsize len = lactd_test_unhex(hex, buf, sizeof(buf));

	*reason = NULL;
	return varia_parse(NULL, VARIA_NOTIFY, buf, len, r, LACTD_READINGS_MAX, reason);
}

static void
test_parse_vectors(void)
{
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	/* GaggiMate's weight example, sign bit set: -7.17 g. */
	g_assert_cmpint(parse_hex("fa 01 03 10 02 cd dd", r, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, -7.17, 1e-9);
	g_assert_false(r[0].weight.stable);
	/* The same without the sign: 7.17 g; 118.50 g; the 20-bit maximum. */
	g_assert_cmpint(parse_hex("fa 01 03 00 02 cd cd", r, &reason), ==, 1);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 7.17, 1e-9);
	g_assert_cmpint(parse_hex("fa 01 03 00 2e 4a 66", r, &reason), ==, 1);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 118.5, 1e-9);
	g_assert_cmpint(parse_hex("fa 01 03 0f ff ff 0d", r, &reason), ==, 1);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 10485.75, 1e-9);
	/* GaggiMate's battery example: 75 %. */
	g_assert_cmpint(parse_hex("fa 85 01 4b cf", r, &reason), ==, 1);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(r[0].battery.percent, ==, 75);
	/* Timer and timer events: checked, nothing to report. */
	g_assert_cmpint(parse_hex("fa 87 02 00 02 87", r, &reason), ==, 0);
	g_assert_cmpint(parse_hex("fa 88 01 01 88", r, &reason), ==, 0);
	g_assert_cmpint(parse_hex("fa 89 01 02 8a", r, &reason), ==, 0);
	/* The tare echo (Beanconqueror's tare command's bytes). */
	g_assert_cmpint(parse_hex("fa 82 01 01 82", r, &reason), ==, 0);
}

static void
test_parse_packed(void)
{
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;

	/* A weight and a battery in one notification. */
	g_assert_cmpint(parse_hex("fa 01 03 00 2e 4a 66  fa 85 01 4b cf", r, &reason), ==, 2);
	g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 118.5, 1e-9);
	g_assert_cmpint(r[1].type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(r[1].battery.percent, ==, 75);
	/* Two weights and a timer: the newer weight counts. */
	g_assert_cmpint(parse_hex("fa 01 03 10 02 cd dd  fa 87 02 00 02 87  fa 01 03 00 2e 4a 66",
				  r, &reason),
			==, 1);
	g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 118.5, 1e-9);
	/* A good frame followed by a bad one: all refused, nothing half-read. */
	g_assert_cmpint(parse_hex("fa 01 03 00 2e 4a 66  fa 85 01 4b ce", r, &reason), ==, -1);
	g_assert_cmpstr(reason, ==, "varia: bad checksum");
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *hex, *reason;
	} v[] = {
	    {"", "varia: empty notification"},
	    {"fb 01 03 00 2e 4a 66", "varia: frame does not start with FA"},
	    {"fa 01 03", "varia: frame cut short"},
	    {"fa 01 03 00 2e 4a", "varia: frame cut short"},
	    {"fa 01 03 00 2e 4a 67", "varia: bad checksum"},
	    {"fa 42 01 00 43", "varia: unknown frame type"},
	    {"fa 01 02 2e 4a 67", "varia: wrong data length for the frame type"},
	    {"fa 01 03 20 2e 4a 46", "varia: reserved bits set in the weight"},
	    {"fa 85 01 65 e1", "varia: battery over 100 %"},
	    {"fa 01 03 00 2e 4a 66 00", "varia: frame does not start with FA"},
	};
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	guint8 ok[7];

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(v[i].hex, r, &reason), ==, -1);
		g_assert_cmpstr(reason, ==, v[i].reason);
	}
	/* Another characteristic's bytes are not frames. */
	lactd_test_unhex("fa 01 03 00 2e 4a 66", ok, sizeof(ok));
	g_assert_cmpint(varia_parse(NULL, VARIA_WRITE, ok, 7, r, 8, &reason), ==, -1);
	g_assert_cmpstr(reason, ==, "varia: not the weight characteristic");
}

static void
test_roundtrip(void)
{
	const double grams[] = {0, 0.01, -0.01, 7.17, -7.17, 118.5, 2999.99, 10485.75};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		guint8 buf[VARIA_FRAME_MAX + 4];
		LactdReading r[2];
		const char *reason = NULL;
		gsize n = varia_encode_weight(buf, grams[i]);

		g_assert_cmpuint(n, ==, 7);
		g_assert_cmpint(varia_parse(NULL, VARIA_NOTIFY, buf, n, r, 2, &reason), ==, 1);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, grams[i], 1e-9);
	}
	{
		guint8 buf[8];
		g_assert_cmpuint(varia_encode_weight(buf, 10485.76), ==, 0);
		g_assert_cmpuint(varia_encode_battery(buf, 75), ==, 5);
		g_assert_cmpmem(buf, 5, "\xfa\x85\x01\x4b\xcf", 5);
	}
}

typedef struct {
	GPtrArray *values;
} Sent;

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = user_data;

	g_assert_cmpstr(uuid, ==, VARIA_NOTIFY);
	g_ptr_array_add(s->values, g_bytes_new(data, len));
}

static void
test_emulator_scenario(void)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdEmu) emu = NULL;
	Sent sent = {g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref)};
	guint packed = 0, at_150 = 0;
	guint8 tare[5];

	g_assert_true(g_key_file_load_from_data(
	    kf, "[d]\nemulator=varia\nbattery=64\nweighings=1:150\n", -1, 0, NULL));
	emu = lactd_emu_new(kf, "d", &error);
	g_assert_no_error(error);
	emu->notify = collect;
	emu->user_data = &sent;
	lactd_emu_set_link(emu, TRUE);
	/* Nothing while notifications are off. */
	lactd_emu_advance_to(emu, 500);
	g_assert_cmpuint(sent.values->len, ==, 0);
	lactd_emu_set_subscribed(emu, VARIA_NOTIFY, TRUE);
	lactd_emu_advance_to(emu, 5000);
	g_assert_cmpuint(sent.values->len, >, 40);
	for (guint i = 0; i < sent.values->len; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent.values, i), &len);
		LactdReading r[2];
		const char *reason = NULL;
		int n = varia_parse(NULL, VARIA_NOTIFY, d, len, r, 2, &reason);

		g_assert_cmpint(n, >=, 1);
		if (n == 2) {
			packed++;
			g_assert_cmpuint(r[1].battery.percent, ==, 64);
		}
		if (fabs(r[0].weight.grams - 150.0) < 1e-9)
			at_150++;
	}
	g_assert_cmpuint(packed, >, 0);
	g_assert_cmpuint(at_150, >, 20);
	g_assert_false(emu->klass->finished(emu));
	/* A tare command, then a write it refuses. */
	g_assert_cmpuint(varia_encode_frame(tare, VARIA_TARE, (const guint8 *)"\x01", 1), ==, 5);
	g_assert_cmpmem(tare, 5, "\xfa\x82\x01\x01\x82", 5);
	g_assert_true(emu->klass->write(emu, VARIA_WRITE, tare, 5, &error));
	tare[4] ^= 1;
	g_assert_false(emu->klass->write(emu, VARIA_WRITE, tare, 5, &error));
	g_clear_error(&error);
	lactd_emu_advance_to(emu, 30000);
	g_assert_true(emu->klass->finished(emu));
	g_ptr_array_unref(sent.values);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"battery=101", "interval_ms=1", "colour=red", "weighings=1:5000"};

	lactd_test_emu_refuses("varia", bad, G_N_ELEMENTS(bad));
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *desc0 =
	    lactd_test_plugin_open("varia", LACTD_KIND_SCALE, "varia_parse", &module);
	const LactdPluginDesc *d;
	gpointer other = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	guint weights = 0, batteries = 0;

	g_assert_false(g_module_symbol(module, "varia_parse", &other));
	d = desc0;
	g_assert_cmpstr(d->name, ==, "varia");
	g_assert_cmpint(d->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(d->service_uuids[0], ==, VARIA_SERVICE);
	/* Told apart from the other FFF0 scales by name and characteristics;
	 * no stability flag of its own. */
	g_assert_true(g_pattern_match_simple(d->name_patterns[0], "Varia AKU"));
	g_assert_true(g_pattern_match_simple(d->name_patterns[0], "AKU MINI"));
	g_assert_cmpstr(d->required_chars[0], ==, VARIA_NOTIFY);
	g_assert_cmpstr(d->required_chars[1], ==, VARIA_WRITE);
	g_assert_cmpuint(d->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, !=, 0);
	g_assert_cmpfloat(d->weight_resolution_g, ==, 0.01);

	hd = lactd_test_host_new("C0:FF:EE:00:00:07", d);
	g_assert_true(g_key_file_load_from_data(
	    kf, "[s]\nemulator=varia\nbattery=64\nweighings=1:150\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* Only the subscription: nothing written, no timer. */
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 1);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " VARIA_NOTIFY);
	g_assert_null(d->timer);
	g_assert_null(d->value);

	/* The host runs the parser on each notification (value is NULL). */
	lactd_emu_advance_to(hd->emu, 5000);
	g_assert_true(lactd_emu_is_subscribed(hd->emu, VARIA_NOTIFY));
	g_assert_cmpuint(hd->timers, ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "write"), ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY) {
			g_assert_cmpuint(r->battery.percent, ==, 64);
			batteries++;
		} else if (fabs(r->weight.grams - 150.0) < 1e-9) {
			weights++;
		}
	}
	/* Every 100 ms a weight, every tenth notification a battery packed
	 * behind it. */
	g_assert_cmpuint(weights, >, 30);
	g_assert_cmpuint(batteries, >=, 4);
	lactd_emu_free(hd->emu);
	hd->emu = NULL;
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/varia/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/varia/parse/packed", test_parse_packed);
	g_test_add_func("/plugin/varia/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/varia/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/varia/emulator/scenario", test_emulator_scenario);
	g_test_add_func("/plugin/varia/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/varia/module/host", test_module);
	return g_test_run();
}
