/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Acaia: the commands and frames of the public sources (acaia-parse.h),
 * reassembly across notifications, every refusal, the derived stable flag,
 * encoder round trips, the emulator's handshake and heartbeat rules, and
 * the plugin module driving the emulator through a fake LactdHost.
 */
#include "config.h"

#include <gio/gio.h>
#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "acaia-encode.h"
#include "acaia-parse.h"
#include "lactd-emu.h"
#include "lactd-test-plugin.h"

const LactdEmuService *lactd_emu_acaia_services(LactdEmu *emu);

static int
parse_hex(AcaiaParseState *st, const char *hex, LactdReading *r, gsize max,
	  const char **reason)
{
	return lactd_test_parse_hex(acaia_parse, st, ACAIA_NEW_NOTIFY, hex, r, max, reason);
}

static void
test_commands(void)
{
	guint8 buf[20], want[20];
	gsize n, w;
	guint8 type;
	const guint8 *p;
	gsize plen;
	const char *reason = NULL;
	/* decentespresso/de1app bluetooth.tcl writes its notification request
	 * with timer argument 1 and the checksum spelt out. */
	const char *de1app_config = "ef dd 0c 09 00 01 01 02 02 01 03 04 11 06";

	/* de1app acaia_send_ident: "012345678901234" and 9A 6D. */
	n = acaia_build_identify(buf, TRUE);
	w = lactd_test_unhex("ef dd 0b 30 31 32 33 34 35 36 37 38 39 30 31 32 33 34 9a 6d", want, 20);
	g_assert_cmpmem(buf, n, want, w);
	/* pyacaia encodeId() for the older scales: fifteen 0x2d. */
	n = acaia_build_identify(buf, FALSE);
	w = lactd_test_unhex("ef dd 0b 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 2d 68 3b", want, 20);
	g_assert_cmpmem(buf, n, want, w);
	/* pyacaia encodeNotificationRequest(). */
	n = acaia_build_notification_request(buf);
	w = lactd_test_unhex("ef dd 0c 09 00 01 01 02 02 05 03 04 15 06", want, 20);
	g_assert_cmpmem(buf, n, want, w);
	/* de1app acaia_send_heartbeat: 00 02 00 02 00; pyacaia encodeHeartbeat. */
	n = acaia_build_heartbeat(buf);
	w = lactd_test_unhex("ef dd 00 02 00 02 00", want, 20);
	g_assert_cmpmem(buf, n, want, w);

	w = lactd_test_unhex(de1app_config, want, 20);
	g_assert_true(acaia_check_command(want, w, &type, &p, &plen, &reason));
	g_assert_cmpuint(type, ==, ACAIA_MSG_EVENT);
	g_assert_cmpuint(plen, ==, 9);
	want[w - 1] ^= 1;
	g_assert_false(acaia_check_command(want, w, &type, &p, &plen, &reason));
	g_assert_cmpstr(reason, ==, "acaia: bad checksum");
	g_assert_false(acaia_check_command(want, 4, &type, &p, &plen, &reason));
	want[0] = 0;
	g_assert_false(acaia_check_command(want, w, &type, &p, &plen, &reason));
	g_assert_cmpuint(acaia_build(buf, 4, 0, NULL, 0), ==, 0);
}

typedef struct {
	const char *hex;
	LactdReadingType type;
	double value; /* grams or percent */
} Vector;

static void
test_parse_vectors(void)
{
	/*
	 * Weight events laid out as pyacaia's Message and de1app's
	 * acaia_parse_response read them (u32 LE, decimals, flags with bit 1
	 * negative); the status message as Beanconqueror's parseSettings reads
	 * it. -8.3 g, flags 0x0F, is a frame published as captured from an Acaia
	 * Umbra in a public scale-firmware repository's notes: bits other than
	 * the sign are set in real frames and must not be refused.
	 */
	const Vector v[] = {
	    {"ef dd 0c 08 05 e8 03 00 00 01 00 f1 08", LACTD_READING_WEIGHT, 100.0},
	    {"ef dd 0c 08 05 fa 00 00 00 02 02 04 07", LACTD_READING_WEIGHT, -2.5},
	    {"ef dd 0c 08 05 40 e2 01 00 01 00 4a e7", LACTD_READING_WEIGHT, 12345.6},
	    {"ef dd 0c 08 05 53 00 00 00 01 0f 5c 14", LACTD_READING_WEIGHT, -8.3},
	    {"ef dd 0c 0b 0b 00 00 05 e8 03 00 00 01 00 13 f4", LACTD_READING_WEIGHT, 100.0},
	    {"ef dd 08 07 57 02 00 05 00 01 0f 57", LACTD_READING_BATTERY, 87},
	    {"ef dd 08 07 bc 02 00 05 00 01 0f bc", LACTD_READING_BATTERY, 60},
	};
	/* Known frames with nothing to report: timer, acknowledgement, info. */
	const char *quiet[] = {"ef dd 0c 05 07 00 01 02 07 08", "ef dd 0c 04 0b 00 00 04 0b",
			       "ef dd 07 03 01 02 05 01"};

	for (guint i = 0; i < G_N_ELEMENTS(v); i++) {
		AcaiaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", v[i].hex);
		g_assert_cmpint(parse_hex(&st, v[i].hex, r, 2, &reason), ==, 1);
		g_assert_cmpint(r[0].type, ==, v[i].type);
		if (v[i].type == LACTD_READING_WEIGHT) {
			g_assert_cmpfloat_with_epsilon(r[0].weight.grams, v[i].value, 1e-9);
			g_assert_false(r[0].weight.stable);
		} else {
			g_assert_cmpuint(r[0].battery.percent, ==, (guint)v[i].value);
		}
		g_assert_cmpuint(st.frames, ==, 1);
		g_assert_cmpuint(st.buf_len, ==, 0);
	}
	for (guint i = 0; i < G_N_ELEMENTS(quiet); i++) {
		AcaiaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st, quiet[i], r, 2, &reason), ==, 0);
		g_assert_cmpuint(st.frames, ==, 1);
		g_assert_cmpuint(st.refused, ==, 0);
	}
	/* The older scales notify on 0x2a80; a write-only characteristic gives nothing. */
	{
		AcaiaParseState st = {0};
		LactdReading r;
		const char *reason = NULL;
		guint8 buf[16];
		gsize n = lactd_test_unhex(v[0].hex, buf, sizeof(buf));

		g_assert_cmpint(acaia_parse(&st, ACAIA_OLD_CHAR, buf, n, &r, 1, &reason), ==, 1);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_WRITE, buf, n, &r, 1, &reason), ==, 0);
	}
}

static void
test_parse_reassembly(void)
{
	guint8 frame[ACAIA_WEIGHT_FRAME_LEN];
	guint8 many[3 * ACAIA_WEIGHT_FRAME_LEN + 5];
	gsize n = acaia_encode_weight(frame, 123.4, 1);

	g_assert_cmpuint(n, ==, sizeof(frame));
	/* Split at every position. */
	for (gsize cut = 0; cut <= n; cut++) {
		AcaiaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, frame, cut, r, 2, &reason), ==,
				cut == n ? 1 : 0);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, frame + cut, n - cut, r, 2,
					    &reason),
				==, cut == n ? 0 : 1);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, 123.4, 1e-9);
		g_assert_cmpuint(st.refused, ==, 0);
	}
	/* One byte a notification. */
	{
		AcaiaParseState st = {0};
		LactdReading r;
		const char *reason = NULL;
		int got = 0;

		for (gsize i = 0; i < n; i++)
			got += acaia_parse(&st, ACAIA_NEW_NOTIFY, frame + i, 1, &r, 1, &reason);
		g_assert_cmpint(got, ==, 1);
	}
	/* Garbage, then three frames in one notification. */
	{
		AcaiaParseState st = {0};
		LactdReading r[4];
		const char *reason = NULL;

		memcpy(many, "\x01\x02\xef\x00\x05", 5);
		for (guint i = 0; i < 3; i++)
			memcpy(many + 5 + i * n, frame, n);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, many, sizeof(many), r, 4, &reason),
				==, 3);
		g_assert_cmpuint(st.discarded, ==, 5);
		g_assert_cmpuint(st.refused, ==, 1);
		g_assert_cmpstr(st.call_reasons[0], ==, "acaia: bytes outside a frame discarded");
		/* Room for one reading: the other frames wait in the buffer. */
		memset(&st, 0, sizeof(st));
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, many + 5, 3 * n, r, 1, &reason),
				==, 1);
		g_assert_cmpuint(st.refused, ==, 0);
		g_assert_cmpuint(st.buf_len, ==, 2 * n);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, NULL, 0, r, 4, &reason), ==, 2);
	}
	/* More than the buffer holds and no room left: the rest is dropped and counted. */
	{
		AcaiaParseState st = {0};
		guint8 six[6 * ACAIA_WEIGHT_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		for (guint i = 0; i < 6; i++)
			memcpy(six + i * n, frame, n);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, six, sizeof(six), &r, 1, &reason),
				==, 1);
		g_assert_cmpuint(st.refused, ==, 1);
		g_assert_cmpuint(st.discarded, ==, sizeof(six) - ACAIA_BUF_MAX);
		g_assert_cmpuint(st.buf_len, <=, ACAIA_BUF_MAX);
	}
	/* A long run of garbage is bounded by the buffer and counted. */
	{
		AcaiaParseState st = {0};
		guint8 junk[500];
		LactdReading r;
		const char *reason = NULL;

		memset(junk, 0x55, sizeof(junk));
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, junk, sizeof(junk), &r, 1, &reason),
				==, -1);
		g_assert_cmpuint(st.discarded, ==, sizeof(junk));
		g_assert_cmpuint(st.buf_len, ==, 0);
		/* The buffer recovers: the next frame parses. */
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, frame, n, &r, 1, &reason), ==, 1);
	}
}

typedef struct {
	const char *name;
	const char *hex;
} Bad;

static void
test_parse_refusals(void)
{
	const Bad bad[] = {
	    {"bad checksum", "ef dd 0c 08 05 e8 03 00 00 01 00 f1 09"},
	    {"decimals 0", "ef dd 0c 08 05 e8 03 00 00 00 00 f0 08"},
	    {"decimals 5", "ef dd 0c 08 05 e8 03 00 00 05 00 f5 08"},
	    {"over 30 kg", "ef dd 0c 08 05 e1 93 04 00 01 00 ee 98"},
	    {"weight event short", "ef dd 0c 07 05 01 02 03 04 01 0c 0b"},
	    {"unknown event", "ef dd 0c 02 42 02 42"},
	    {"battery 101", "ef dd 08 07 65 02 00 05 00 01 0f 65"},
	    {"status short", "ef dd 08 02 32 02 32"},
	    {"unknown message type", "ef dd 05 03 01 02 05 01"},
	    {"length 0", "ef dd 0c 00 00 00"},
	    {"longer than the buffer", "ef dd 0c 64 05"},
	    {"no frame at all", "01 02 03 04 05 06 07"},
	};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		AcaiaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_test_message("%s", bad[i].name);
		g_assert_cmpint(parse_hex(&st, bad[i].hex, r, 2, &reason), ==, -1);
		g_assert_nonnull(reason);
		g_assert_true(g_str_has_prefix(reason, "acaia: "));
		g_assert_cmpuint(st.refused, >=, 1);
		g_assert_cmpuint(st.buf_len, <=, ACAIA_BUF_MAX);
	}
	/* A bad frame does not hide the good one after it. */
	{
		AcaiaParseState st = {0};
		LactdReading r[2];
		const char *reason = NULL;

		g_assert_cmpint(parse_hex(&st,
					  "ef dd 0c 08 05 e8 03 00 00 01 00 f1 09 "
					  "ef dd 0c 08 05 fa 00 00 00 02 02 04 07",
					  r, 2, &reason),
				==, 1);
		g_assert_cmpfloat_with_epsilon(r[0].weight.grams, -2.5, 1e-9);
		g_assert_cmpuint(st.refused, >=, 1);
	}
}

static void
test_parse_stable(void)
{
	AcaiaParseState st = {0};
	guint8 buf[ACAIA_WEIGHT_FRAME_LEN];
	LactdReading r;
	const char *reason = NULL;

	for (guint i = 1; i <= ACAIA_STABLE_COUNT + 2; i++) {
		acaia_encode_weight(buf, 250.0, 1);
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, buf, sizeof(buf), &r, 1, &reason),
				==, 1);
		g_assert_cmpint(r.weight.stable, ==, i >= ACAIA_STABLE_COUNT);
	}
	acaia_encode_weight(buf, 250.1, 1);
	g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, buf, sizeof(buf), &r, 1, &reason), ==, 1);
	g_assert_false(r.weight.stable);
}

static void
test_roundtrip(void)
{
	for (guint i = 0; i < 2000; i++) {
		AcaiaParseState st = {0};
		guint decimals = (guint)g_test_rand_int_range(1, 5);
		double grams = g_test_rand_double_range(-3000, 3000);
		guint8 buf[ACAIA_WEIGHT_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		g_assert_cmpuint(acaia_encode_weight(buf, grams, decimals), ==, sizeof(buf));
		g_assert_cmpint(acaia_parse(&st, ACAIA_NEW_NOTIFY, buf, sizeof(buf), &r, 1, &reason),
				==, 1);
		g_assert_cmpfloat(fabs(r.weight.grams - grams), <=, 0.5 / pow(10, decimals) + 1e-9);
	}
	for (guint b = 0; b <= 100; b += 25) {
		AcaiaParseState st = {0};
		guint8 buf[ACAIA_STATUS_FRAME_LEN];
		LactdReading r;
		const char *reason = NULL;

		acaia_encode_status(buf, (guint8)b);
		g_assert_cmpint(acaia_parse(&st, ACAIA_OLD_CHAR, buf, sizeof(buf), &r, 1, &reason),
				==, 1);
		g_assert_cmpuint(r.battery.percent, ==, b);
	}
	{
		guint8 buf[ACAIA_WEIGHT_FRAME_LEN];
		g_assert_cmpuint(acaia_encode_weight(buf, 1, 0), ==, 0);
		g_assert_cmpuint(acaia_encode_weight(buf, 1e9, 4), ==, 0);
	}
}

/* ---- the emulator -------------------------------------------------------- */

typedef struct {
	GByteArray *bytes; /* everything notified, in order */
	guint notifications;
	guint max_len;
	const char *uuid;
} Sent;

static void
collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Sent *s = user_data;

	g_assert_cmpstr(uuid, ==, s->uuid);
	g_byte_array_append(s->bytes, data, (guint)len);
	s->notifications++;
	s->max_len = MAX(s->max_len, (guint)len);
}

static LactdEmu *
make_emu(const char *scenario, Sent *sent, const char *notify_uuid)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[scale]\nemulator=acaia\n%s", scenario);
	LactdEmu *emu;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, &error));
	emu = lactd_emu_new(kf, "scale", &error);
	g_assert_no_error(error);
	memset(sent, 0, sizeof(*sent));
	sent->bytes = g_byte_array_new();
	sent->uuid = notify_uuid;
	emu->notify = collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, notify_uuid, TRUE);
	return emu;
}

static void
emu_write(LactdEmu *emu, const char *uuid, gsize (*build)(guint8 *), gboolean ok)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[20];
	gsize n = build(buf);

	g_assert_cmpint(emu->klass->write(emu, uuid, buf, n, &error), ==, ok);
}

static gsize
build_id_new(guint8 *buf)
{
	return acaia_build_identify(buf, TRUE);
}
static gsize
build_id_old(guint8 *buf)
{
	return acaia_build_identify(buf, FALSE);
}
static gsize
build_request(guint8 *buf)
{
	return acaia_build_notification_request(buf);
}
static gsize
build_heartbeat(guint8 *buf)
{
	return acaia_build_heartbeat(buf);
}

/* Parses a byte stream in notification-sized pieces; settled weights once each. */
static void
decode_stream(GByteArray *bytes, gsize piece, GArray *settled, guint *batteries)
{
	AcaiaParseState st = {0};
	gboolean last_stable = FALSE;
	double last = NAN;

	for (gsize pos = 0; pos < bytes->len; pos += piece) {
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n = acaia_parse(&st, ACAIA_NEW_NOTIFY, bytes->data + pos,
				    MIN(piece, bytes->len - pos), r, G_N_ELEMENTS(r), &reason);

		g_assert_cmpint(n, >=, 0);
		for (int i = 0; i < n; i++) {
			if (r[i].type == LACTD_READING_BATTERY) {
				(*batteries)++;
				continue;
			}
			if (r[i].weight.stable && !(last_stable && last == r[i].weight.grams))
				g_array_append_val(settled, r[i].weight.grams);
			last_stable = r[i].weight.stable;
			last = r[i].weight.grams;
		}
	}
	g_assert_cmpuint(st.refused, ==, 0);
}

static void
test_emulator_handshake(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu =
	    make_emu("weighings=3:150;8:0;12:90.5\nchunk=8\nbattery=64\n", &sent, ACAIA_NEW_NOTIFY);
	g_autoptr(GArray) settled = g_array_new(FALSE, FALSE, sizeof(double));
	const double want[] = {0, 150, 0, 90.5};
	guint batteries = 0;
	gint64 t;

	g_assert_true(lactd_emu_acaia_services(emu) == emu->klass->services);
	/* Nothing before the handshake; nor with a notification request alone. */
	lactd_emu_advance_to(emu, 1000);
	emu_write(emu, ACAIA_NEW_WRITE, build_request, TRUE);
	lactd_emu_advance_to(emu, 1400);
	g_assert_cmpuint(sent.notifications, ==, 0);
	emu_write(emu, ACAIA_NEW_WRITE, build_id_new, TRUE);
	lactd_emu_advance_to(emu, 1800);
	g_assert_cmpuint(sent.notifications, ==, 0);
	/* Identify, then the request: the status at once, then weights. */
	emu_write(emu, ACAIA_NEW_WRITE, build_request, TRUE);
	g_assert_cmpuint(sent.notifications, >, 0);
	for (t = 2000; t <= 20000; t += 2000) {
		lactd_emu_advance_to(emu, t);
		emu_write(emu, ACAIA_NEW_WRITE, build_heartbeat, TRUE);
	}
	g_assert_true(emu->klass->finished(emu));
	/* Cut at 8 bytes: every 13-byte frame spans two notifications. */
	g_assert_cmpuint(sent.max_len, ==, 8);
	decode_stream(sent.bytes, 8, settled, &batteries);
	g_assert_cmpuint(settled->len, ==, G_N_ELEMENTS(want));
	for (guint i = 0; i < settled->len; i++)
		g_assert_cmpfloat_with_epsilon(g_array_index(settled, double, i), want[i], 1e-9);
	/* At once, then every 5 s over 18 s. */
	g_assert_cmpuint(batteries, >=, 4);

	/* Heartbeats stop: 5 s later so does the scale. */
	{
		guint before;
		lactd_emu_advance_to(emu, 25200);
		before = sent.notifications;
		lactd_emu_advance_to(emu, 40000);
		g_assert_cmpuint(sent.notifications, ==, before);
		/* A heartbeat alone does not revive it: it wants a new identify. */
		emu_write(emu, ACAIA_NEW_WRITE, build_heartbeat, TRUE);
		lactd_emu_advance_to(emu, 41000);
		g_assert_cmpuint(sent.notifications, ==, before);
		emu_write(emu, ACAIA_NEW_WRITE, build_id_new, TRUE);
		emu_write(emu, ACAIA_NEW_WRITE, build_request, TRUE);
		lactd_emu_advance_to(emu, 42000);
		g_assert_cmpuint(sent.notifications, >, before);
	}
	/* Refused writes and reads. */
	{
		g_autoptr(GError) error = NULL;
		g_assert_null(emu->klass->read(emu, ACAIA_NEW_NOTIFY, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
		g_clear_error(&error);
		const guint8 junk[] = {0xef, 0xdd, 0x00, 0x02, 0x00, 0x02, 0x01};
		g_assert_false(emu->klass->write(emu, ACAIA_NEW_WRITE, junk, sizeof(junk), &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_clear_error(&error);
		g_assert_false(emu->klass->write(emu, ACAIA_OLD_CHAR, junk, sizeof(junk), &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
	}
	g_byte_array_unref(sent.bytes);
}

static void
test_emulator_old_generation(void)
{
	Sent sent;
	g_autoptr(LactdEmu) emu = make_emu("generation=old\nweighings=1:42\n", &sent, ACAIA_OLD_CHAR);
	g_autoptr(GArray) settled = g_array_new(FALSE, FALSE, sizeof(double));
	guint batteries = 0;

	g_assert_cmpstr(lactd_emu_acaia_services(emu)[0].uuid, ==, ACAIA_OLD_SERVICE);
	emu_write(emu, ACAIA_OLD_CHAR, build_id_old, TRUE);
	emu_write(emu, ACAIA_OLD_CHAR, build_request, TRUE);
	lactd_emu_advance_to(emu, 4000);
	emu_write(emu, ACAIA_OLD_CHAR, build_heartbeat, TRUE);
	lactd_emu_advance_to(emu, 5000);
	g_assert_true(emu->klass->finished(emu));
	g_assert_cmpuint(sent.max_len, <=, 20);
	decode_stream(sent.bytes, 20, settled, &batteries);
	g_assert_cmpuint(settled->len, ==, 2);
	g_assert_cmpfloat(g_array_index(settled, double, 1), ==, 42.0);
	g_assert_cmpuint(batteries, ==, 2); /* at once, and at 5 s */
	/* A lost link ends the handshake. */
	lactd_emu_set_link(emu, FALSE);
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, ACAIA_OLD_CHAR, TRUE);
	{
		guint before = sent.notifications;
		lactd_emu_advance_to(emu, 7000);
		g_assert_cmpuint(sent.notifications, ==, before);
	}
	g_byte_array_unref(sent.bytes);
}

static void
test_emulator_bad_scenario(void)
{
	static const char *const bad[] = {"colour=red", "generation=2",	"weighings=1:5000",
			     "weighings=a:1", "battery=101",	"chunk=0",
			     "chunk=245"};

	lactd_test_emu_refuses("acaia", bad, G_N_ELEMENTS(bad));
}

/* ---- the plugin module, wired to the emulator through a fake host ---------- */

static LactdTestHost *hd;

static guint
count_weights(void)
{
	guint n = 0;

	for (guint i = 0; i < hd->emitted->len; i++)
		n += g_array_index(hd->emitted, LactdReading, i).type == LACTD_READING_WEIGHT;
	return n;
}

/* Scenario time with the host's heartbeat timer firing every 2 s, or not. */
static void
run_until(gint64 until, gboolean timer)
{
	for (gint64 t = hd->emu->sim_ms + 500; t <= until; t += 500) {
		lactd_emu_advance_to(hd->emu, t);
		if (timer && t % ACAIA_HEARTBEAT_MS == 0)
			hd->desc->timer(NULL, &lactd_test_host, 7);
	}
}

static void
run_module(const LactdPluginDesc *desc, const char *generation, const char *notify,
	   const char *write)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf(
	    "[s]\nemulator=acaia\ngeneration=%s\nweighings=1:150;8:0;12:90\n", generation);
	g_autofree char *sub = g_strdup_printf("subscribe %s", notify);
	g_autofree char *id_prefix = g_strdup_printf("write %s efdd0b", write);
	g_autofree char *req = g_strdup_printf("write %s efdd0c0900010102020503041506", write);
	g_autofree char *hb = g_strdup_printf("write %s efdd0002000200", write);
	const double want[] = {0, 150, 0, 90};
	guint stable = 0, batteries = 0, weights;

	hd = lactd_test_host_new("C0:FF:EE:00:00:03", desc);
	hd->timer_id = 7;
	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	hd->emu = lactd_emu_new(kf, "s", &error);
	g_assert_no_error(error);
	hd->emu->notify = lactd_test_host_notify;
	lactd_emu_set_link(hd->emu, TRUE);

	/* The host procedure: subscribe, identify, request events, heartbeat timer. */
	g_assert_cmpint(desc->attach(NULL, &lactd_test_host), ==, 0);
	g_assert_cmpuint(hd->log->len, ==, 4);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 0), ==, sub);
	g_assert_true(g_str_has_prefix(g_ptr_array_index(hd->log, 1), id_prefix));
	g_assert_cmpstr(g_ptr_array_index(hd->log, 2), ==, req);
	g_assert_cmpstr(g_ptr_array_index(hd->log, 3), ==, "timer 2000");

	run_until(20000, TRUE);
	g_assert_cmpuint(lactd_test_host_count(hd, hb), ==, 10);
	g_assert_cmpuint(lactd_test_host_count(hd, "reject"), ==, 0);
	for (guint i = 0; i < hd->emitted->len; i++) {
		const LactdReading *r = &g_array_index(hd->emitted, LactdReading, i);

		if (r->type == LACTD_READING_BATTERY) {
			g_assert_cmpuint(r->battery.percent, ==, 75);
			batteries++;
		} else if (r->weight.stable) {
			g_assert_cmpuint(stable, <, G_N_ELEMENTS(want));
			g_assert_cmpfloat_with_epsilon(r->weight.grams, want[stable], 1e-9);
			stable++;
		}
	}
	g_assert_cmpuint(stable, ==, 4);
	g_assert_cmpuint(batteries, >=, 4);
	/* 100 weight events, emitted only as they change or settle. */
	g_assert_cmpuint(count_weights(), <, 40);

	/* Heartbeats stop (the timer does not fire): the scale falls silent. */
	run_until(30000, FALSE);
	weights = hd->emitted->len;
	run_until(40000, FALSE);
	g_assert_cmpuint(hd->emitted->len, ==, weights);
	/* They resume: after two silent heartbeats the plugin identifies again
	 * and the scale streams once more. */
	run_until(50000, TRUE);
	g_assert_cmpuint(lactd_test_host_count(hd, "log acaia: the scale is silent"), >=, 1);
	g_assert_cmpuint(lactd_test_host_count(hd, id_prefix), >=, 2);
	g_assert_cmpuint(hd->emitted->len, >, weights);

	/* Garbage is refused through the host. */
	{
		const guint8 junk[] = {0xef, 0xdd, 0x0c, 0x02, 0x42, 0x00, 0x00};
		guint before = hd->emitted->len;

		/* A frame cut short by the link may still be in the buffer: each
		 * refused piece is reported, none is emitted. */
		desc->value(NULL, &lactd_test_host, notify, junk, sizeof(junk), LACTD_VALUE_NOTIFY);
		g_assert_cmpuint(lactd_test_host_count(hd, "reject acaia: bad checksum"), >=, 1);
		g_assert_cmpuint(hd->emitted->len, ==, before);
	}
	desc->detach(NULL, &lactd_test_host);
	g_assert_cmpuint(hd->timers, ==, 0);
	lactd_emu_free(hd->emu);
	g_clear_pointer(&hd, lactd_test_host_free);
}

static void
test_module(void)
{
	g_autofree char *path = g_test_build_filename(G_TEST_BUILT, "plugins", "acaia", ".libs",
						      "acaia.so", NULL);
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL);
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *desc = NULL;
	gpointer other = NULL;

	g_assert_nonnull(module);
	g_assert_true(g_module_symbol(module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(module, "lactd_plugin_desc", (gpointer *)&desc));
	g_assert_false(g_module_symbol(module, "acaia_parse", &other));
	g_assert_cmpstr((*desc)->name, ==, "acaia");
	g_assert_cmpint((*desc)->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr((*desc)->service_uuids[0], ==, ACAIA_NEW_SERVICE);
	g_assert_cmpstr((*desc)->service_uuids[1], ==, "00001820-0000-1000-8000-00805f9b34fb");
	g_assert_cmpuint((*desc)->state_size, <=, sizeof(hd->state));

	run_module(*desc, "new", ACAIA_NEW_NOTIFY, ACAIA_NEW_WRITE);
	run_module(*desc, "old", ACAIA_OLD_CHAR, ACAIA_OLD_CHAR);
	g_module_close(module);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/plugin/acaia/parse/commands", test_commands);
	g_test_add_func("/plugin/acaia/parse/vectors", test_parse_vectors);
	g_test_add_func("/plugin/acaia/parse/reassembly", test_parse_reassembly);
	g_test_add_func("/plugin/acaia/parse/refusals", test_parse_refusals);
	g_test_add_func("/plugin/acaia/parse/stable", test_parse_stable);
	g_test_add_func("/plugin/acaia/parse/roundtrip", test_roundtrip);
	g_test_add_func("/plugin/acaia/emulator/handshake", test_emulator_handshake);
	g_test_add_func("/plugin/acaia/emulator/old-generation", test_emulator_old_generation);
	g_test_add_func("/plugin/acaia/emulator/bad-scenario", test_emulator_bad_scenario);
	g_test_add_func("/plugin/acaia/module/host", test_module);
	return g_test_run();
}
