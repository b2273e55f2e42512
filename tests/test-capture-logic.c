/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The session rules of capture, fed with readings directly (the plugins and
 * BlueZ are tested elsewhere): live sessions, idle gaps, interruption and
 * resume, two single-side units merged, history records, weighings. A real
 * dbus-daemon carries the Session1 objects; a real SQLite file holds the rest.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <lactd/plugin.h>

#include "lactd-api.h"
#include "lactd-session1.h"
#include "lactd-capture.h"
#include "lactd-error.h"
#include "lactd-store.h"
#include "lactd-test.h"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdStore *store;
	LactdConfig *config;
	LactdApi *api;
	LactdSessionObjects *sessions;
	LactdCapture *capture;
	guint ended;
	guint started;
	guint sub_ended;
	guint sub_started;
} Fixture;

static const LactdCaptureDevice pump = {"C0:FF:EE:00:00:01", "opp", LACTD_KIND_PUMP, "both",
					"bottle", "/org/lactd/devices/C0_FF_EE_00_00_01", FALSE, 0, FALSE};
static const LactdCaptureDevice left_unit = {"C0:FF:EE:00:00:0A", "opp", LACTD_KIND_PUMP, "left",
					     "bottle", "/org/lactd/devices/C0_FF_EE_00_00_0A", FALSE, 0, FALSE};
static const LactdCaptureDevice right_unit = {"C0:FF:EE:00:00:0B", "opp", LACTD_KIND_PUMP,
					      "right", "bottle",
					      "/org/lactd/devices/C0_FF_EE_00_00_0B", FALSE, 0, FALSE};
static const LactdCaptureDevice scale = {"C0:FF:EE:00:00:02", "wss", LACTD_KIND_SCALE, "unknown",
					 "bottle", "/org/lactd/devices/C0_FF_EE_00_00_02", FALSE, 0, FALSE};

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded"))
		f->ended++;
	else
		f->started++;
}

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;

	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	path = g_build_filename(lactd_test_bus_tmpdir(f->bus), "capture.db", NULL);
	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	f->config = lactd_config_new_default();
	f->config->idle_gap_s = 1;
	f->config->disconnect_grace_s = 1;
	f->api = lactd_api_new(f->c, f->store, f->config, &error);
	g_assert_no_error(error);
	f->sessions = lactd_session_objects_new(f->api);
	f->capture = lactd_capture_new(f->store, f->config, lactd_session_objects_listener(),
				       f->sessions);
	f->sub_ended = g_dbus_connection_signal_subscribe(f->c, NULL, "org.lactd.Manager1",
							  "SessionEnded", "/org/lactd", NULL,
							  G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
	f->sub_started = g_dbus_connection_signal_subscribe(f->c, NULL, "org.lactd.Manager1",
							    "SessionStarted", "/org/lactd", NULL,
							    G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f,
							    NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_dbus_connection_signal_unsubscribe(f->c, f->sub_ended);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub_started);
	lactd_capture_free(f->capture);
	lactd_session_objects_free(f->sessions);
	lactd_api_free(f->api);
	lactd_store_close(f->store);
	lactd_config_free(f->config);
	g_object_unref(f->c);
	lactd_test_bus_free(f->bus);
}

static void
feed(Fixture *f, const LactdCaptureDevice *dev, const LactdReading *r)
{
	g_autoptr(GError) error = NULL;

	g_assert_true(lactd_capture_reading(f->capture, dev, r, &error));
	g_assert_no_error(error);
}

static void
phase(Fixture *f, const LactdCaptureDevice *dev, gint64 t, LactdPhase p, guint32 ds, guint32 el)
{
	LactdReading r = {.type = LACTD_READING_PHASE, .time_us = t};

	r.phase.phase = p;
	r.phase.device_session = ds;
	r.phase.elapsed_s = el;
	feed(f, dev, &r);
}

static void
volume(Fixture *f, const LactdCaptureDevice *dev, gint64 t, guint32 ds, guint32 el,
       guint32 channels, double left, double right)
{
	LactdReading r = {.type = LACTD_READING_VOLUME, .time_us = t};

	r.volume.device_session = ds;
	r.volume.elapsed_s = el;
	r.volume.channels = channels;
	r.volume.left_ml = left;
	r.volume.right_ml = right;
	feed(f, dev, &r);
}

static void
record(Fixture *f, const LactdCaptureDevice *dev, guint32 ds, gint64 start, guint32 duration,
       guint32 channels, double left, double right, guint32 flags)
{
	LactdReading r = {.type = LACTD_READING_RECORD};

	r.record.device_session = ds;
	r.record.start_us = start;
	r.record.duration_s = duration;
	r.record.channels = channels;
	r.record.left_ml = left;
	r.record.right_ml = right;
	r.record.flags = flags;
	feed(f, dev, &r);
}

static GPtrArray *
all_sessions(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	GPtrArray *list = lactd_store_list_sessions(f->store, 0, G_MAXINT64, &error);

	g_assert_no_error(error);
	return list;
}

static gboolean
one_start_one_end(gpointer user_data)
{
	Fixture *f = user_data;
	return f->started == 1 && f->ended == 1;
}

#define NOW (g_get_real_time() - 2 * G_TIME_SPAN_HOUR)
#define S(x) ((gint64)(x) * G_USEC_PER_SEC)

static void
test_live_session(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(GArray) samples = NULL;
	LactdSession *s;

	phase(f, &pump, t0, LACTD_PHASE_STIMULATION, 5, 0);
	for (guint i = 1; i <= 100; i++)
		volume(f, &pump, t0 + S(120 + i * 10), 5, 120 + i * 10, 3, i * 0.624, i * 0.48);
	/* A live session is listed while it runs, marked live. */
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_true(((LactdSession *)g_ptr_array_index(list, 0))->live);
	g_clear_pointer(&list, g_ptr_array_unref);

	phase(f, &pump, t0 + S(1200), LACTD_PHASE_IDLE, 0, 0);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	g_assert_false(s->live);
	g_assert_false(s->interrupted);
	g_assert_cmpfloat(s->left_ml, ==, 62.4);
	g_assert_cmpfloat(s->right_ml, ==, 48.0);
	g_assert_cmpint(s->end_us - s->start_us, ==, S(1120));
	samples = lactd_store_get_samples(f->store, s->id, NULL);
	g_assert_cmpuint(samples->len, ==, 100);
	for (guint i = 1; i < samples->len; i++)
		g_assert_cmpint(g_array_index(samples, LactdSample, i).time_us, >,
				g_array_index(samples, LactdSample, i - 1).time_us);
	g_assert_true(lactd_test_wait_for(one_start_one_end, f, 5000));
	g_assert_cmpuint(f->started, ==, 1);
}

static void
test_decreasing_refused(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	LactdReading r = {.type = LACTD_READING_VOLUME, .time_us = t0 + S(20)};
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;

	volume(f, &pump, t0 + S(10), 9, 10, 3, 20.0, 10.0);
	r.volume.device_session = 9;
	r.volume.elapsed_s = 20;
	r.volume.channels = 3;
	r.volume.left_ml = 19.0;
	r.volume.right_ml = 11.0;
	g_assert_false(lactd_capture_reading(f->capture, &pump, &r, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	list = all_sessions(f);
	g_assert_cmpfloat(((LactdSession *)g_ptr_array_index(list, 0))->left_ml, ==, 20.0);
}

static gboolean
no_live(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GPtrArray) list = all_sessions(f);

	for (guint i = 0; i < list->len; i++) {
		if (((LactdSession *)g_ptr_array_index(list, i))->live)
			return FALSE;
	}
	return TRUE;
}

static void
test_idle_gap(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;

	phase(f, &pump, t0, LACTD_PHASE_EXPRESSION, 11, 0);
	volume(f, &pump, t0 + S(5), 11, 5, 3, 2.0, 1.0);
	/* Nothing more: the idle gap (1 s here) ends it, not interrupted. */
	g_assert_true(lactd_test_wait_for(no_live, f, 5000));
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_false(((LactdSession *)g_ptr_array_index(list, 0))->interrupted);
}

static void
test_interrupted_resumed(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;
	guint64 id;
	LactdSession *s;

	phase(f, &pump, t0, LACTD_PHASE_EXPRESSION, 21, 0);
	volume(f, &pump, t0 + S(60), 21, 60, 3, 10.0, 8.0);
	lactd_capture_link_changed(f->capture, &pump, FALSE);
	/* The link stays away past the grace period: kept, interrupted. */
	g_assert_true(lactd_test_wait_for(no_live, f, 5000));
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	g_assert_true(s->interrupted);
	id = s->id;
	g_clear_pointer(&list, g_ptr_array_unref);

	/* The same device session comes back: resumed, not duplicated. */
	lactd_capture_link_changed(f->capture, &pump, TRUE);
	volume(f, &pump, t0 + S(400), 21, 400, 3, 30.0, 25.0);
	phase(f, &pump, t0 + S(900), LACTD_PHASE_IDLE, 0, 0);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	g_assert_cmpuint(s->id, ==, id);
	g_assert_false(s->interrupted);
	g_assert_cmpfloat(s->left_ml, ==, 30.0);
	{
		g_autoptr(GArray) samples = lactd_store_get_samples(f->store, id, NULL);
		g_assert_cmpuint(samples->len, ==, 2);
	}
}

static void
test_link_back_within_grace(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;

	f->config->disconnect_grace_s = 30;
	phase(f, &pump, t0, LACTD_PHASE_EXPRESSION, 31, 0);
	volume(f, &pump, t0 + S(60), 31, 60, 3, 10.0, 8.0);
	lactd_capture_link_changed(f->capture, &pump, FALSE);
	lactd_capture_link_changed(f->capture, &pump, TRUE);
	volume(f, &pump, t0 + S(100), 31, 100, 3, 12.0, 9.0);
	phase(f, &pump, t0 + S(200), LACTD_PHASE_IDLE, 0, 0);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_false(((LactdSession *)g_ptr_array_index(list, 0))->interrupted);
	g_assert_cmpfloat(((LactdSession *)g_ptr_array_index(list, 0))->right_ml, ==, 9.0);
}

static void
test_two_units_merged(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;
	LactdSession *s;
	guint64 id;

	/* Each unit reports its one channel; the user set which breast. */
	phase(f, &left_unit, t0, LACTD_PHASE_EXPRESSION, 100, 0);
	phase(f, &right_unit, t0 + S(30), LACTD_PHASE_EXPRESSION, 7, 0);
	volume(f, &left_unit, t0 + S(600), 100, 600, LACTD_CHANNEL_LEFT, 30.0, 0);
	volume(f, &right_unit, t0 + S(630), 7, 600, LACTD_CHANNEL_LEFT, 25.0, 0);
	phase(f, &left_unit, t0 + S(900), LACTD_PHASE_IDLE, 0, 0);
	/* One still pumping: still live. */
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_true(((LactdSession *)g_ptr_array_index(list, 0))->live);
	g_clear_pointer(&list, g_ptr_array_unref);
	phase(f, &right_unit, t0 + S(1000), LACTD_PHASE_IDLE, 0, 0);

	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	id = s->id;
	g_assert_false(s->live);
	g_assert_cmpfloat(s->left_ml, ==, 30.0);
	g_assert_cmpfloat(s->right_ml, ==, 25.0);
	g_assert_cmpuint(s->left_seconds, ==, 600);
	g_assert_cmpuint(s->right_seconds, ==, 600);
	g_clear_pointer(&list, g_ptr_array_unref);

	/* Each unit's history record lands on its own side of the same session. */
	record(f, &left_unit, 100, t0, 900, LACTD_CHANNEL_LEFT, 31.5, 0, 1);
	record(f, &right_unit, 7, t0 + S(30), 950, LACTD_CHANNEL_LEFT, 26.0, 0, 1);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	g_assert_cmpuint(s->id, ==, id);
	g_assert_cmpfloat(s->left_ml, ==, 31.5);
	g_assert_cmpfloat(s->right_ml, ==, 26.0);
	g_assert_cmpuint(s->right_seconds, ==, 950);
	g_assert_cmpint(s->end_us, ==, t0 + S(980));
}

static void
test_record_replaces_live(Fixture *f, gconstpointer data)
{
	gint64 t0 = NOW;
	g_autoptr(GPtrArray) list = NULL;
	LactdSession *s;

	phase(f, &pump, t0, LACTD_PHASE_EXPRESSION, 42, 0);
	volume(f, &pump, t0 + S(300), 42, 300, 3, 20.0, 18.0);
	/* The pump indicates its record as the session ends: authoritative. */
	record(f, &pump, 42, t0 - S(2), 1202, 3, 62.4, 48.0, 1);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	s = g_ptr_array_index(list, 0);
	g_assert_false(s->live);
	g_assert_cmpfloat(s->left_ml, ==, 62.4);
	g_assert_cmpfloat(s->right_ml, ==, 48.0);
	g_assert_cmpint(s->start_us, ==, t0 - S(2));
	g_assert_cmpint(s->end_us - s->start_us, ==, S(1202));
	g_clear_pointer(&list, g_ptr_array_unref);

	/* The same record again (a repeated sync) changes nothing and adds nothing. */
	record(f, &pump, 42, t0 - S(2), 1202, 3, 62.4, 48.0, 1);
	/* A record lactd never saw live fills in a session. */
	record(f, &pump, 41, t0 - S(4 * 3600), 1100, 3, 50.0, 40.0, 1);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 2);
	g_assert_cmpuint(lactd_capture_last_record(f->capture, pump.address), ==, 42);
}

static void
test_bottle_after_session(Fixture *f, gconstpointer data)
{
	gint64 t0 = g_get_real_time() - 20 * G_TIME_SPAN_MINUTE;
	g_autoptr(GPtrArray) list = NULL;
	LactdReading w = {.type = LACTD_READING_WEIGHT};

	/* A pump that reports phases but measures no volume. */
	phase(f, &pump, t0, LACTD_PHASE_EXPRESSION, 77, 0);
	phase(f, &pump, t0 + S(600), LACTD_PHASE_EXPRESSION, 77, 600);
	phase(f, &pump, t0 + S(601), LACTD_PHASE_IDLE, 0, 0);
	w.weight.grams = 91.67;
	w.weight.stable = FALSE;
	feed(f, &scale, &w); /* moving: not a weighing */
	w.weight.stable = TRUE;
	feed(f, &scale, &w);
	list = all_sessions(f);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpfloat(lactd_session_total_ml(g_ptr_array_index(list, 0)), ==, 89.0);
	{
		g_autoptr(GPtrArray) ws = lactd_store_list_weighings(f->store, 0, G_MAXINT64, NULL);
		g_assert_cmpuint(ws->len, ==, 1);
	}
}

static guint
count_weighings(Fixture *f)
{
	g_autoptr(GPtrArray) ws = lactd_store_list_weighings(f->store, 0, G_MAXINT64, NULL);

	return ws->len;
}

/* A weight reading; @id is the scale's name for the measurement, 0 none. */
static void
weigh_named(Fixture *f, const LactdCaptureDevice *dev, gint64 t, double grams, gboolean stable,
	    guint64 id)
{
	LactdReading w = {.type = LACTD_READING_WEIGHT, .time_us = t};

	w.weight.grams = grams;
	w.weight.stable = stable;
	w.weight.measurement_id = id;
	feed(f, dev, &w);
}

static void
weigh(Fixture *f, const LactdCaptureDevice *dev, gint64 t, double grams, gboolean stable)
{
	weigh_named(f, dev, t, grams, stable, 0);
}

/* A scale with its own flag repeats the stable weight in every packet:
 * one weighing per placement, the next after the bottle was lifted. */
static void
test_once_per_placement(Fixture *f, gconstpointer data)
{
	gint64 t0 = g_get_real_time() - G_TIME_SPAN_HOUR;

	for (int i = 0; i < 20; i++)
		weigh(f, &scale, t0 + i * 100000, 120.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 1);
	/* Jitter of one step is the same placement. */
	weigh(f, &scale, t0 + S(3), 120.1, TRUE);
	weigh(f, &scale, t0 + S(3) + 1, 120.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 1);
	/* Lifted (moving, then empty), put back: a new weighing. */
	weigh(f, &scale, t0 + S(4), 60.0, FALSE);
	weigh(f, &scale, t0 + S(5), 0.0, TRUE);
	weigh(f, &scale, t0 + S(6), 120.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 2);
	/* Filled further without a stable zero in between: also new. */
	weigh(f, &scale, t0 + S(7), 150.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 3);
}

/* A scale without a flag: stable once the weight held for SettleTime,
 * whatever the flag in its readings says. */
static void
test_host_stability(Fixture *f, gconstpointer data)
{
	LactdCaptureDevice plain = scale;
	gint64 t0 = g_get_real_time() - G_TIME_SPAN_HOUR;
	gint64 step = 100000; /* 10 packets a second */

	plain.host_stability = TRUE;
	plain.weight_resolution_g = 0.01;
	/* Pouring: the weight keeps moving, the (meaningless) flag says stable. */
	for (int i = 0; i < 40; i++)
		weigh(f, &plain, t0 + i * step, 10.0 + i * 2.5, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 0);
	/* Held within the tolerance for less than 1.5 s: not yet. */
	for (int i = 0; i < 14; i++)
		weigh(f, &plain, t0 + S(5) + i * step, 130.0 + (i % 2) * 0.03, FALSE);
	g_assert_cmpuint(count_weighings(f), ==, 0);
	/* ...then past it: one weighing, and only one however long it stays. */
	for (int i = 14; i < 60; i++)
		weigh(f, &plain, t0 + S(5) + i * step, 130.0 + (i % 2) * 0.03, FALSE);
	g_assert_cmpuint(count_weighings(f), ==, 1);
	{
		g_autoptr(GPtrArray) ws = lactd_store_list_weighings(f->store, 0, G_MAXINT64, NULL);
		LactdWeighing *w = g_ptr_array_index(ws, 0);
		g_assert_cmpfloat_with_epsilon(w->grams, 130.0, 0.05);
		g_assert_true(w->stable);
	}
}

/* A scale that sends finished measurements (the Weight Scale Service):
 * each stable one is a weighing, the same weight twice too (a baby who
 * took nothing at the feed between); one still moving is none. */
static void
test_measurements(Fixture *f, gconstpointer data)
{
	LactdCaptureDevice wss = scale;
	gint64 t0 = g_get_real_time() - G_TIME_SPAN_HOUR;

	wss.measurements = TRUE;
	weigh(f, &wss, t0, 3500.0, TRUE);
	weigh(f, &wss, t0 + S(600), 3500.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 2);
	weigh(f, &wss, t0 + S(700), 3510.0, FALSE);
	weigh(f, &wss, t0 + S(800), 0.0, TRUE);
	g_assert_cmpuint(count_weighings(f), ==, 2);
	/* (A streaming scale's same two readings are one placement:
	 * /capture/weighing/once-per-placement.) */
}

static void
measure(Fixture *f, const LactdCaptureDevice *dev, gint64 t, double grams, guint64 id)
{
	weigh_named(f, dev, t, grams, TRUE, id);
}

/* A scale sends a measurement again when the link went before it was
 * confirmed: the same name (its time stamp) and weight is stored once. A
 * new measurement at the same weight, or one the scale does not name, is
 * a weighing. */
static void
test_measurement_resent(Fixture *f, gconstpointer data)
{
	LactdCaptureDevice wss = scale;
	gint64 t0 = g_get_real_time() - G_TIME_SPAN_HOUR;

	wss.measurements = TRUE;
	measure(f, &wss, t0, 3500.0, 0x0107ea0c07091e05);
	measure(f, &wss, t0 + S(40), 3500.0, 0x0107ea0c07091e05);
	g_assert_cmpuint(count_weighings(f), ==, 1);
	/* The next feed: the baby took nothing, at the same weight. */
	measure(f, &wss, t0 + S(900), 3500.0, 0x0107ea0c07092d05);
	g_assert_cmpuint(count_weighings(f), ==, 2);
	/* Unnamed measurements are each a weighing. */
	measure(f, &wss, t0 + S(1800), 3500.0, 0);
	measure(f, &wss, t0 + S(1810), 3500.0, 0);
	g_assert_cmpuint(count_weighings(f), ==, 4);
	/* The same name with another weight is not a resend. */
	measure(f, &wss, t0 + S(2700), 3520.0, 0x0107ea0c070a0005);
	measure(f, &wss, t0 + S(2710), 3530.0, 0x0107ea0c070a0005);
	g_assert_cmpuint(count_weighings(f), ==, 6);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/capture/session/live", test_live_session);
	ADD("/capture/session/decreasing-refused", test_decreasing_refused);
	ADD("/capture/session/idle-gap", test_idle_gap);
	ADD("/capture/session/interrupted-resumed", test_interrupted_resumed);
	ADD("/capture/session/link-back-within-grace", test_link_back_within_grace);
	ADD("/capture/session/two-units-merged", test_two_units_merged);
	ADD("/capture/session/record-replaces-live", test_record_replaces_live);
	ADD("/capture/weighing/bottle-after-session", test_bottle_after_session);
	ADD("/capture/weighing/once-per-placement", test_once_per_placement);
	ADD("/capture/weighing/host-stability", test_host_stability);
	ADD("/capture/weighing/measurements", test_measurements);
	ADD("/capture/weighing/measurement-resent", test_measurement_resent);
	return g_test_run();
}
