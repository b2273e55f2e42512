/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The replay emulator: the OPP recording (plugins/opp/recordings) played
 * back shows the recorded GATT database, answers reads with recorded values
 * and sends every notification and indication at its recorded offset.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-capfile.h"
#include "lactd-emu.h"

#define OPP_SERVICE "df840001-84b3-444b-a8f5-c3bc3142a562"
#define OPP_FEATURE "df840002-84b3-444b-a8f5-c3bc3142a562"
#define OPP_STATUS "df840003-84b3-444b-a8f5-c3bc3142a562"
#define BATTERY "00002a19-0000-1000-8000-00805f9b34fb"

/* What the emulator sent: the value after its characteristic's UUID. */
typedef struct {
	gint64 sim_ms;
	char uuid[37];
	GBytes *value;
} Sent;

static void
sent_free(gpointer p)
{
	g_bytes_unref(((Sent *)p)->value);
	g_free(p);
}

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = g_new0(Sent, 1);

	s->sim_ms = emu->sim_ms;
	g_strlcpy(s->uuid, uuid, sizeof(s->uuid));
	s->value = g_bytes_new(data, len);
	g_ptr_array_add(user_data, s);
}

static LactdEmu *
new_emu(const char *keys, GError **error)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *text = g_strdup_printf("[rec]\nemulator=replay\n%s", keys);
	g_autofree char *dir = g_test_build_filename(G_TEST_DIST, "plugins", "opp", "recordings",
						     NULL);

	lactd_emu_set_scenario_dir(dir);
	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	return lactd_emu_new(kf, "rec", error);
}

static void
test_playback(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdEmu) emu = new_emu("capture=opp-session.lactdcap\n", &error);
	g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func(sent_free);
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "plugins", "opp", "recordings",
						      "opp-session.lactdcap", NULL);
	g_autoptr(LactdCapFile) cap = NULL;
	g_autoptr(GBytes) feature = NULL;
	g_autoptr(GBytes) status = NULL;
	const LactdEmuService *svc;
	guint n = 0;

	g_assert_no_error(error);
	g_assert_nonnull(emu);
	cap = lactd_capfile_load(path, &error);
	g_assert_no_error(error);
	svc = lactd_emu_services(emu);
	g_assert_cmpstr(svc[0].uuid, ==, OPP_SERVICE);
	g_assert_cmpstr(svc[0].chars[0].uuid, ==, OPP_FEATURE);
	g_assert_cmpstr(svc[0].chars[0].flags, ==, "read");
	g_assert_cmpstr(svc[0].chars[1].flags, ==, "read,notify");
	g_assert_cmpstr(svc[0].chars[4].flags, ==, "write,indicate");
	g_assert_null(svc[0].chars[5].uuid);
	g_assert_cmpstr(svc[1].uuid, ==, "0000180f-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(svc[1].chars[0].uuid, ==, BATTERY);
	g_assert_null(svc[2].uuid);

	/* Reads before playback: the recorded reads. */
	feature = emu->klass->read(emu, OPP_FEATURE, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(feature, NULL), g_bytes_get_size(feature), "\x3f\x00\x09",
			3);
	g_assert_null(emu->klass->read(emu, "df840004-84b3-444b-a8f5-c3bc3142a562", &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	g_clear_error(&error);

	emu->notify = collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_advance_to(emu, 5000);
	g_assert_cmpuint(sent->len, ==, 0); /* nothing before a subscription */
	for (guint s = 0; svc[s].uuid; s++)
		for (guint c = 0; svc[s].chars[c].uuid; c++)
			if (strstr(svc[s].chars[c].flags, "notify") ||
			    strstr(svc[s].chars[c].flags, "indicate"))
				lactd_emu_set_subscribed(emu, svc[s].chars[c].uuid, TRUE);
	g_assert_false(emu->klass->finished(emu));
	for (gint64 t = 5000; t < 5000 + 400 * 1000 && !emu->klass->finished(emu); t += 250)
		lactd_emu_advance_to(emu, t);
	g_assert_true(emu->klass->finished(emu));

	/* Every notification and indication, at its offset from the start. */
	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		Sent *s;

		if (ev->kind != LACTD_CAP_NOTIFY && ev->kind != LACTD_CAP_INDICATE)
			continue;
		g_assert_cmpuint(n, <, sent->len);
		s = g_ptr_array_index(sent, n++);
		g_assert_cmpstr(s->uuid, ==, ev->uuid);
		g_assert_true(g_bytes_equal(s->value, ev->value));
		/* Played in 250 ms steps from the subscription at 5 s. */
		g_assert_cmpint(s->sim_ms, >=, 5000 + (ev->time_us - cap->start_us) / 1000);
		g_assert_cmpint(s->sim_ms, <, 5000 + (ev->time_us - cap->start_us) / 1000 + 250);
	}
	g_assert_cmpuint(n, ==, sent->len);
	g_assert_cmpuint(n, >, 100);

	/* After playback a read answers the last value read in the capture
	 * (its reads are at the start), not the last notified. */
	status = emu->klass->read(emu, OPP_STATUS, &error);
	g_assert_no_error(error);
	g_assert_cmpmem(g_bytes_get_data(status, NULL), g_bytes_get_size(status),
			"\x00\x00\x00\x00\x00\x00\x00\x00\x4c", 9);
}

static void
test_scenario_errors(void)
{
	/* The scenario's keys, and what the error must say. */
	static const char *const bad[][2] = {
		{ "", "capture: a capture file is required" },
		{ "capture=opp-session.lactdcap\nspeed=2\n", "speed: unknown key" },
		{ "capture=no-such-file\n", "capture: " },
		{ "capture=opp-session.ini\n", "line 1: not a lactd capture" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdEmu) emu = new_emu(bad[i][0], &error);

		g_test_message("%s", error ? error->message : "(accepted)");
		g_assert_null(emu);
		g_assert_nonnull(error);
		g_assert_nonnull(strstr(error->message, bad[i][1]));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/emu/replay/playback", test_playback);
	g_test_add_func("/emu/replay/scenario-errors", test_scenario_errors);
	return g_test_run();
}
