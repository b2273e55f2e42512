/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Timemore Black Mirror: the parser against the frame the GaggiMate scale
 * library documents, every refusal, the SIG Weight Scale parser refusing
 * the same frames, the match that gives a Timemore-named 0x181D scale to
 * this plugin and any other to wss, the emulator through a scenario, and
 * the plugin module (request, heartbeat timer, detach) through a recording
 * LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-plugin-match.h"
#include "lactd-test-plugin.h"
#include "timemore-encode.h"
#include "timemore-parse.h"
#include "wss/wss-parse.h"

static void
test_parse_vectors(void)
{
	const struct {
		const char *hex;
		double grams;
	} v[] = {
	    /* GaggiMate's annotated example: 0x878 = 2168, 216.8 g. */
	    {"10 78 08 00 00 78 08 00 00", 216.8},
	    {"10 00 00 00 00 00 00 00 00", 0.0},
	    /* The scale's weight only; the dripper's may differ. */
	    {"10 00 00 00 00 a1 04 00 00", 118.5},
	    /* Negative after a tare: -0.1 g, -25.0 g. */
	    {"10 ff ff ff ff ff ff ff ff", -0.1},
	    {"10 00 00 00 00 06 ff ff ff", -25.0},
	    /* 30 kg exactly is still taken. */
	    {"10 00 00 00 00 e0 93 04 00", 30000.0},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 buf[16];
		gsize len = lactd_test_unhex(v[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(timemore_parse(NULL, TIMEMORE_WEIGHT, buf, len, r, 2, &reason), ==,
				1);
		g_assert_cmpint(r[0].type, ==, LACTD_READING_WEIGHT);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, v[i].grams, 1e-9);
		g_assert_false(r[0].weight.stable);
	}
}

static void
test_parse_refusals(void)
{
	const struct {
		const char *hex, *reason;
	} v[] = {
	    {"", "timemore: frame is not 9 bytes"},
	    {"10 78 08 00 00 78 08 00", "timemore: frame is not 9 bytes"},
	    {"10 78 08 00 00 78 08 00 00 00", "timemore: frame is not 9 bytes"},
	    /* A SIG Weight Measurement is not a Timemore frame. */
	    {"00 78 08 00 00 78 08 00 00", "timemore: not a weight frame"},
	    {"10 00 00 00 00 e1 93 04 00", "timemore: weight over 30 kg"},
	    {"10 e1 93 04 00 00 00 00 00", "timemore: weight over 30 kg"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		guint8 buf[16];
		gsize len = lactd_test_unhex(v[i].hex, buf, sizeof(buf));
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(timemore_parse(NULL, TIMEMORE_WEIGHT, buf, len, r, 2, &reason), ==,
				-1);
		g_assert_cmpstr(reason, ==, v[i].reason);
	}
	{
		guint8 buf[9];
		LactdReading r[2];
		const char *reason = NULL;

		timemore_encode_weight(buf, 1, 1);
		g_assert_cmpint(timemore_parse(NULL, TIMEMORE_COMMAND, buf, 9, r, 2, &reason), ==,
				-1);
		g_assert_cmpstr(reason, ==, "timemore: not the weight characteristic");
	}
}

/* The SIG parser keeps refusing Timemore's frames (reserved flag bit 4),
 * so a Timemore taken by wss by mistake never stores a wrong weight. */
static void
test_wss_refuses(void)
{
	const double grams[] = {0, 118.5, 216.8, -25.0};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		guint8 buf[TIMEMORE_FRAME_LEN];
		LactdReading r[2];
		const char *reason = NULL;

		timemore_encode_weight(buf, grams[i], grams[i]);
		g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, buf, sizeof(buf), r, 2, &reason),
				==, -1);
		g_assert_cmpstr(reason, ==, "Weight Measurement: reserved flag bits set");
	}
}

static void
test_roundtrip(void)
{
	const double grams[] = {0, 0.1, -0.1, 118.5, 216.8, 2000.0, -2000.0};

	for (guint i = 0; i < G_N_ELEMENTS(grams); i++) {
		guint8 buf[TIMEMORE_FRAME_LEN];
		TimemoreFrame f;
		const char *reason = NULL;

		timemore_encode_weight(buf, grams[i] / 2, grams[i]);
		g_assert_true(timemore_decode(buf, sizeof(buf), &f, &reason));
		g_assert_cmpfloat_with_epsilon(f.scale_g, grams[i], 1e-9);
		g_assert_cmpfloat_with_epsilon(f.dripper_g, round(grams[i] * 5) / 10, 1e-9);
	}
}

static const LactdPluginDesc *
load(const char *name, GModule **module)
{
	return lactd_test_plugin_open(name, LACTD_KIND_SCALE, NULL, module);
}

/* The real descriptors through the host's match: by name before the
 * connection, confirmed by the characteristics after it. */
static void
test_match(void)
{
	GModule *m_timemore = NULL, *m_wss = NULL;
	const LactdPluginDesc *timemore = load("timemore", &m_timemore);
	const LactdPluginDesc *wss = load("wss", &m_wss);
	const LactdPluginDesc *const descs[] = {wss, timemore, NULL};
	const char *const services[] = {TIMEMORE_SERVICE, NULL};
	const char *const timemore_chars[] = {TIMEMORE_WEIGHT, TIMEMORE_COMMAND, NULL};
	const char *const sig_chars[] = {WSS_MEASUREMENT, WSS_FEATURE, NULL};
	LactdPluginMatchInput in = {.service_uuids = services};
	g_autofree char *why = NULL;

	in.name = "Timemore Scale";
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, &why) == timemore);
	g_assert_nonnull(strstr(why, "name pattern \"Timemore*\""));
	g_assert_nonnull(strstr(why, "preferred to wss"));
	in.char_uuids = timemore_chars;
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, NULL) == timemore);
	in.name = "TIMEMORE BASIC";
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, NULL) == timemore);

	in.char_uuids = NULL;
	in.name = "Weight Scale";
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, NULL) == wss);
	in.char_uuids = sig_chars;
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, NULL) == wss);
	/* Named like a Timemore but with only the SIG characteristics: not
	 * Timemore's protocol, so no Timemore command reaches it. */
	in.name = "Timemore Scale";
	g_assert_true(lactd_plugin_match_select(descs, &in, NULL, NULL) == wss);
	g_module_close(m_timemore);
	g_module_close(m_wss);
}

typedef struct {
	GPtrArray *values;
} Sent;

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = user_data;

	g_assert_cmpstr(uuid, ==, TIMEMORE_WEIGHT);
	g_ptr_array_add(s->values, g_bytes_new(data, len));
}

static void
test_emulator_scenario(void)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdEmu) emu = NULL;
	Sent sent = {g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref)};
	const guint8 request[] = {0x02, 0x00}, beat[] = {0x00};
	guint before;

	g_assert_true(
	    g_key_file_load_from_data(kf, "[d]\nemulator=timemore\nweighings=1:150\n", -1, 0, NULL));
	emu = lactd_emu_new(kf, "d", &error);
	g_assert_no_error(error);
	emu->notify = collect;
	emu->user_data = &sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, TIMEMORE_WEIGHT, TRUE);
	/* Nothing until the request. */
	lactd_emu_advance_to(emu, 1000);
	g_assert_cmpuint(sent.values->len, ==, 0);
	g_assert_true(emu->klass->write(emu, TIMEMORE_WEIGHT, request, 2, &error));
	lactd_emu_advance_to(emu, 4000);
	g_assert_cmpuint(sent.values->len, ==, 30);
	{
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent.values, 29), &len);
		TimemoreFrame f;
		const char *reason = NULL;

		g_assert_true(timemore_decode(d, len, &f, &reason));
		g_assert_cmpfloat_with_epsilon(f.scale_g, 150.0, 1e-9);
	}
	/* Heartbeats keep it going; without them it stops. */
	g_assert_true(emu->klass->write(emu, TIMEMORE_WEIGHT, beat, 1, &error));
	lactd_emu_advance_to(emu, 9000);
	before = sent.values->len;
	lactd_emu_advance_to(emu, 20000);
	g_assert_cmpuint(sent.values->len, <, before + 20);
	before = sent.values->len;
	lactd_emu_advance_to(emu, 25000);
	g_assert_cmpuint(sent.values->len, ==, before);
	g_assert_false(emu->klass->write(emu, TIMEMORE_WEIGHT, (const guint8 *)"\x05", 1, &error));
	g_clear_error(&error);
	g_ptr_array_unref(sent.values);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"interval_ms=1", "colour=red", "weighings=1:5000"};

	lactd_test_emu_refuses("timemore", bad, G_N_ELEMENTS(bad));
}

static void
test_module(void)
{
	GModule *module = NULL;
	const LactdPluginDesc *d = load("timemore", &module);
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdTestHost) hd = NULL;
	guint at_150 = 0;

	g_assert_cmpstr(d->name, ==, "timemore");
	g_assert_cmpint(d->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpuint(d->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY, !=, 0);
	g_assert_cmpfloat(d->weight_resolution_g, ==, 0.1);
	hd = lactd_test_host_new("C0:FF:EE:00:00:08", d);
	hd->timer_id = 4;
	g_assert_true(
	    g_key_file_load_from_data(kf, "[s]\nemulator=timemore\nweighings=1:150\n", -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* Indications, the request, the heartbeat timer; no tare. */
	g_assert_cmpint(d->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 3);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, "subscribe " TIMEMORE_WEIGHT);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 1), ==, "write " TIMEMORE_WEIGHT " 0200");
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==, "timer 2000");
	g_assert_cmpuint(hd->timers, ==, 1);

	lactd_emu_advance_to(hd->emu, 4000);
	d->timer(NULL, &lactd_test_host, 4);
	g_assert_cmpuint(lactd_test_host_count(hd, "write " TIMEMORE_WEIGHT " 00"), ==, 1);
	lactd_emu_advance_to(hd->emu, 8000);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		g_assert_cmpint(r->type, ==, LACTD_READING_WEIGHT);
		at_150 += fabs(r->weight.grams - 150.0) < 1e-9;
	}
	g_assert_cmpuint(at_150, >, 50);

	/* Detach stops the heartbeat: nothing runs while the scale is off. */
	d->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	g_assert_cmpuint(lactd_test_host_count(hd, "timer-stop 4"), ==, 1);
	lactd_emu_free(hd->emu);
	hd->emu = NULL;
	g_clear_pointer(&hd, lactd_test_host_free);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/timemore/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/timemore/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/timemore/parse/wss-refuses", test_wss_refuses);
	g_test_add_func("/plugin/timemore/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/timemore/match", test_match);
	g_test_add_func("/plugin/timemore/emulator/scenario", test_emulator_scenario);
	g_test_add_func("/plugin/timemore/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/timemore/module/host", test_module);
	return g_test_run();
}
