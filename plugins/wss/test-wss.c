/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Weight Scale Service: vectors built field by field from the Weight
 * Measurement definition (Weight Scale Service 1.0 / GATT Specification
 * Supplement), every refusal, encoder round trips, the emulator, the module.
 */
#include "config.h"

#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "wss-encode.h"

static void
test_vectors(void)
{
	LactdReading r;
	const char *reason = NULL;
	/* SI: a baby of 4.250 kg = 850 x 0.005 kg */
	const guint8 si[] = {0x00, 0x52, 0x03};
	/* imperial: 9.50 lb = 950 x 0.01 lb, time stamp 2026-11-25 03:04:05, user 2,
	 * BMI 22.4 (224), height 66.0 in (660) */
	const guint8 imp[] = {0x0f, 0xb6, 0x03, 0xea, 0x07, 11, 25, 3, 4, 5, 0x02,
			      0xe0, 0x00, 0x94, 0x02};
	/* measurement unsuccessful: nothing to record, not a refusal */
	const guint8 fail[] = {0x00, 0xff, 0xff};
	/* feature: time stamp, multiple users, BMI, weight resolution 7, height 3 */
	const guint8 feature[] = {0xbf, 0x01, 0x00, 0x00};
	WssMeasurement m;

	g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, si, sizeof(si), &r, 1, &reason), ==, 1);
	g_assert_cmpint(r.type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat(r.weight.grams, ==, 4250.0);
	g_assert_true(r.weight.stable);

	g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, imp, sizeof(imp), &r, 1, &reason), ==, 1);
	g_assert_cmpfloat_with_epsilon(r.weight.grams, 9.5 * 453.59237, 1e-9);
	g_assert_true(wss_decode(imp, sizeof(imp), &m, &reason));
	g_assert_cmpuint(m.year, ==, 2026);
	g_assert_cmpuint(m.seconds, ==, 5);
	g_assert_cmpuint(m.user, ==, 2);
	g_assert_cmpuint(m.bmi, ==, 224);
	g_assert_cmpuint(m.height, ==, 660);

	g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, fail, sizeof(fail), &r, 1, &reason), ==, 0);
	g_assert_cmpint(wss_parse(NULL, WSS_FEATURE, feature, sizeof(feature), &r, 1, &reason), ==,
			0);
}

static void
test_refusals(void)
{
	const struct {
		const char *uuid;
		guint8 d[16];
		gsize len;
	} bad[] = {
	    {WSS_MEASUREMENT, {0x00, 0x52}, 2},			   /* short */
	    {WSS_MEASUREMENT, {0x10, 0x52, 0x03}, 3},		   /* reserved flag */
	    {WSS_MEASUREMENT, {0x02, 0x52, 0x03}, 3},		   /* time stamp missing */
	    {WSS_MEASUREMENT, {0x00, 0x52, 0x03, 0x00}, 4},	   /* extra byte */
	    {WSS_MEASUREMENT, {0x04, 0x52, 0x03}, 3},		   /* user missing */
	    {WSS_MEASUREMENT, {0x08, 0x52, 0x03, 1, 2, 3}, 6},	   /* BMI/height short */
	    {WSS_MEASUREMENT, {0x02, 0x52, 0x03, 0xea, 0x07, 13, 1, 0, 0, 0}, 10}, /* month 13 */
	    {WSS_MEASUREMENT, {0x02, 0x52, 0x03, 0xea, 0x07, 1, 1, 24, 0, 0}, 10}, /* hour 24 */
	    {WSS_MEASUREMENT, {0x00, 0x71, 0x17}, 3},		   /* 30.005 kg */
	    {WSS_MEASUREMENT, {0x01, 0x9c, 0x1a}, 3},		   /* 68.12 lb = 30.9 kg */
	    {WSS_FEATURE, {0xbf, 0x04, 0, 0}, 4},		   /* reserved feature bit */
	    {WSS_FEATURE, {0xbf}, 1},				   /* short feature */
	    {WSS_FEATURE, {0x47, 0x00, 0, 0}, 4},		   /* weight resolution 8 */
	    {WSS_FEATURE, {0x7f, 0x00, 0, 0}, 4},		   /* weight resolution 15 */
	    {WSS_FEATURE, {0x3f, 0x02, 0, 0}, 4},		   /* height resolution 4 */
	    {WSS_FEATURE, {0xbf, 0x03, 0, 0}, 4},		   /* height resolution 7 */
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(wss_parse(NULL, bad[i].uuid, bad[i].d, bad[i].len, &r, 1, &reason), ==,
				-1);
		g_assert_nonnull(reason);
	}
	/* Every defined resolution is taken: weight 0 to 7, height 0 to 3. */
	for (guint w = 0; w <= 7; w++) {
		for (guint h = 0; h <= 3; h++) {
			guint32 v = 0x07 | w << 3 | h << 7;
			const guint8 f[] = {(guint8)v, (guint8)(v >> 8), 0, 0};
			LactdReading r;
			const char *reason = NULL;

			g_assert_cmpint(wss_parse(NULL, WSS_FEATURE, f, 4, &r, 1, &reason), ==, 0);
		}
	}
	/* A weight with no room for it is refused, not silently dropped. */
	{
		const guint8 m[] = {0x00, 0x52, 0x03};
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, m, 3, &r, 0, &reason), ==, -1);
		g_assert_nonnull(reason);
	}
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 1000; i++) {
		WssMeasurement m = {0}, back;
		guint8 buf[15];
		gsize len;
		const char *reason = NULL;
		LactdReading r;
		double grams = g_test_rand_double_range(1, 29000);
		gboolean imperial = g_test_rand_bit();

		m.flags = (imperial ? WSS_FLAG_IMPERIAL : 0) | (g_test_rand_bit() ? WSS_FLAG_USER : 0) |
			  (g_test_rand_bit() ? WSS_FLAG_BMI : 0);
		m.weight = wss_weight_field(grams, imperial);
		m.user = (guint8)g_test_rand_int_range(0, 256);
		len = wss_encode(buf, &m);
		g_assert_true(wss_decode(buf, len, &back, &reason));
		g_assert_cmpuint(back.weight, ==, m.weight);
		g_assert_cmpuint(back.flags, ==, m.flags);
		g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, buf, len, &r, 1, &reason), ==, 1);
		/* Within half the resolution: 2.5 g (SI) or 0.005 lb. */
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=,
				  (imperial ? 0.005 * 453.59237 : 2.5) + 1e-9);
	}
}

/* A whole time stamp names a measurement, with its user; none, or a date
 * the scale does not know, names nothing. */
static void
test_measurement_id(void)
{
	WssMeasurement m = {.flags = WSS_FLAG_TIMESTAMP | WSS_FLAG_USER,
			    .weight = 700,
			    .year = 2026,
			    .month = 12,
			    .day = 7,
			    .hours = 9,
			    .minutes = 30,
			    .seconds = 5,
			    .user = 1};
	WssMeasurement later = m, other_user = m, unknown = m, plain = m;
	guint8 buf[15];
	gsize len;
	LactdReading r;
	const char *reason = NULL;

	later.seconds = 6;
	other_user.user = 2;
	unknown.year = 0;
	plain.flags = WSS_FLAG_USER;
	g_assert_cmpuint(wss_measurement_id(&m), !=, 0);
	g_assert_cmpuint(wss_measurement_id(&m), !=, wss_measurement_id(&later));
	g_assert_cmpuint(wss_measurement_id(&m), !=, wss_measurement_id(&other_user));
	g_assert_cmpuint(wss_measurement_id(&unknown), ==, 0);
	g_assert_cmpuint(wss_measurement_id(&plain), ==, 0);
	len = wss_encode(buf, &m);
	g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, buf, len, &r, 1, &reason), ==, 1);
	g_assert_cmpuint(r.weight.measurement_id, ==, wss_measurement_id(&m));
	len = wss_encode(buf, &plain);
	g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, buf, len, &r, 1, &reason), ==, 1);
	g_assert_cmpuint(r.weight.measurement_id, ==, 0);
}

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	GPtrArray *sent = user_data;

	g_ptr_array_add(sent, g_bytes_new(data, len));
}

/* An emulator made from the group [s] of @text, whose indications go to
 * @sent as GBytes. */
static LactdEmu *
emu_collecting(const char *text, GPtrArray *sent)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	LactdEmu *emu;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	emu->notify = collect;
	emu->user_data = sent;
	return emu;
}

static void
test_emulator(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(LactdEmu) emu = emu_collecting("[s]\nemulator=wss\ntimestamp=true\nuser_id=1\n"
						 "weighings=10:118.5;20:4250;30:95\n",
						 sent);

	/* Weighed before anyone listens: kept, sent when a host subscribes. */
	lactd_emu_advance_to(emu, 15000);
	g_assert_cmpuint(sent->len, ==, 0);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, WSS_MEASUREMENT, TRUE);
	g_assert_cmpuint(sent->len, ==, 1);
	lactd_emu_advance_to(emu, 31000);
	g_assert_cmpuint(sent->len, ==, 3);
	g_assert_true(emu->klass->finished(emu));
	{
		const double expect[] = {120.0, 4250.0, 95.0}; /* 118.5 g to the scale's 5 g */
		for (guint i = 0; i < sent->len; i++) {
			gsize len;
			const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent, i), &len);
			LactdReading r;
			const char *reason = NULL;
			g_assert_cmpint(wss_parse(NULL, WSS_MEASUREMENT, d, len, &r, 1, &reason), ==, 1);
			g_assert_cmpfloat(r.weight.grams, ==, expect[i]);
		}
	}
	{
		/* The measurement kept until a host listened has the time it
		 * was made (10 s), not the time it was sent (15 s). */
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(sent, 0), NULL);
		WssMeasurement m;
		const char *reason = NULL;
		g_autoptr(GDateTime) made =
		    g_date_time_new_from_unix_local(emu->epoch_us / G_USEC_PER_SEC + 10);

		g_assert_true(wss_decode(d, 11, &m, &reason));
		g_assert_cmpuint(m.seconds, ==, g_date_time_get_second(made));
		g_assert_cmpuint(m.minutes, ==, g_date_time_get_minute(made));
	}
	{
		g_autoptr(GKeyFile) bad = g_key_file_new();
		g_autoptr(GError) e2 = NULL;
		g_autoptr(LactdEmu) none = NULL;
		g_assert_true(g_key_file_load_from_data(bad, "[s]\nemulator=wss\nunits=stone\n", -1, 0,
							NULL));
		none = lactd_emu_new(bad, "s", &e2);
		g_assert_null(none);
		g_assert_nonnull(e2);
	}
}

/* resend_last: the measurement whose confirmation went with the link is
 * indicated again, the same bytes, when a host subscribes anew. */
static void
test_emulator_resend(void)
{
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	g_autoptr(LactdEmu) emu = emu_collecting("[s]\nemulator=wss\ntimestamp=true\n"
						 "resend_last=true\nweighings=10:118.5;20:4250\n",
						 sent);

	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, WSS_MEASUREMENT, TRUE);
	lactd_emu_advance_to(emu, 15000);
	g_assert_cmpuint(sent->len, ==, 1);
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, WSS_MEASUREMENT, TRUE);
	g_assert_cmpuint(sent->len, ==, 2);
	g_assert_true(g_bytes_equal(g_ptr_array_index(sent, 0), g_ptr_array_index(sent, 1)));
	lactd_emu_advance_to(emu, 25000);
	g_assert_cmpuint(sent->len, ==, 3);
	g_assert_false(g_bytes_equal(g_ptr_array_index(sent, 1), g_ptr_array_index(sent, 2)));
}

static GPtrArray *calls;

static int
h_subscribe(LactdDevice *dev, const char *uuid)
{
	g_ptr_array_add(calls, g_strdup_printf("subscribe %s", uuid));
	return 0;
}

static int
h_read(LactdDevice *dev, const char *uuid)
{
	g_ptr_array_add(calls, g_strdup_printf("read %s", uuid));
	return 0;
}

static void
test_module(void)
{
	g_autofree char *path =
	    g_test_build_filename(G_TEST_BUILT, "plugins", "wss", ".libs", "wss.so", NULL);
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *desc = NULL;
	LactdHost host = {.abi_version = LACTD_PLUGIN_ABI_VERSION,
			  .subscribe = h_subscribe,
			  .read = h_read};

	g_assert_nonnull(module);
	g_assert_true(g_module_symbol(module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(module, "lactd_plugin_desc", (gpointer *)&desc));
	g_assert_cmpstr((*desc)->name, ==, "wss");
	g_assert_cmpstr((*desc)->service_uuids[0], ==, "0000181d-0000-1000-8000-00805f9b34fb");
	calls = g_ptr_array_new_with_free_func(g_free);
	g_assert_cmpint((*desc)->attach(NULL, &host), ==, 0);
	g_assert_cmpuint(calls->len, ==, 2);
	g_assert_cmpstr(g_ptr_array_index(calls, 1), ==, "subscribe " WSS_MEASUREMENT);
	g_ptr_array_unref(calls);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/wss/parse/vectors", test_vectors);
	g_test_add_func("/plugin/wss/parse/refusals", test_refusals);
	g_test_add_func("/plugin/wss/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/wss/parse/measurement-id", test_measurement_id);
	g_test_add_func("/plugin/wss/emulator", test_emulator);
	g_test_add_func("/plugin/wss/emulator/resend", test_emulator_resend);
	g_test_add_func("/plugin/wss/module", test_module);
	return g_test_run();
}
