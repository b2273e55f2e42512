/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fault: lactd killed (-9) while a pump session is captured, and the pump
 * finishing that session while lactd is down. After the restart lactd must
 * ask the pump for that session's record (not only for newer ones), and the
 * record, authoritative, must replace the partial capture that the restart
 * closed as interrupted: one session, the pump's figures, the live samples
 * up to the kill kept, no duplicate. The fake BlueZ and the real daemon on a
 * private bus, as in tests/test-capture.c.
 */
#include "config.h"

#include <stdio.h>

#include "lactd-test.h"

#define PUMP "C0:FF:EE:00:00:01"

/* 600 s by the pump's clock, 10 s of real time at 60x. */
static const char pump_conf[] = LACTD_TEST_ADAPTER_CONF "[device pump]\n"
							"adapter=hci0\n"
							"address=" PUMP "\n"
							"name=Open Pump\n"
							"paired=true\n"
							"present=true\n"
							"emulator=opp\n"
							"channels=left,right\n"
							"phases=stimulation:60;expression:540;idle\n"
							"start_at=1\n"
							"left_ml=30.5\n"
							"right_ml=24.0\n\n";

typedef struct {
	GDBusConnection *c;
	gboolean finished;
	guint32 elapsed;
} Watch;

static void
on_finished(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	    const char *name, GVariant *params, gpointer user_data)
{
	Watch *w = user_data;
	const char *address = NULL;

	g_variant_get(params, "(&s)", &address);
	if (g_strcmp0(address, PUMP) == 0)
		w->finished = TRUE;
}

static gboolean
is_finished(gpointer user_data)
{
	return ((Watch *)user_data)->finished;
}

static GVariant *
list_sessions(GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);

	if (r == NULL)
		return NULL;
	return g_variant_get_child_value(r, 0);
}

/* A live session with samples, its pump clock past w->elapsed. */
static gboolean
live_past(gpointer user_data)
{
	Watch *w = user_data;
	g_autoptr(GVariant) list = list_sessions(w->c);
	g_autoptr(GVariant) s = NULL;
	guint32 left_s = 0;

	if (list == NULL || g_variant_n_children(list) != 1)
		return FALSE;
	s = g_variant_get_child_value(list, 0);
	g_variant_lookup(s, "left_seconds", "u", &left_s);
	return left_s >= w->elapsed;
}

/* The session as the pump's record has it. */
static gboolean
record_synced(gpointer user_data)
{
	Watch *w = user_data;
	g_autoptr(GVariant) list = list_sessions(w->c);
	g_autoptr(GVariant) s = NULL;
	double left = 0, right = 0;
	gint64 start = 0, end = 0;

	if (list == NULL || g_variant_n_children(list) == 0)
		return FALSE;
	s = g_variant_get_child_value(list, 0);
	g_variant_lookup(s, "left_ml", "d", &left);
	g_variant_lookup(s, "right_ml", "d", &right);
	g_variant_lookup(s, "start", "x", &start);
	g_variant_lookup(s, "end", "x", &end);
	return left == 30.5 && right == 24.0 && end - start == 600 * G_USEC_PER_SEC;
}

static void
test_sync_record_while_down(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = NULL;
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) full = NULL;
	g_autoptr(GVariant) samples = NULL;
	g_autoptr(GError) error = NULL;
	Watch w = {.c = c, .elapsed = 120};
	gboolean interrupted = TRUE;
	guint64 id = 0, id_before = 0;
	gsize n_before;
	guint sub;

	sub = g_dbus_connection_signal_subscribe(c, NULL, "org.lactd.FakeBluez1",
						 "ScenarioFinished", NULL, NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_finished, &w, NULL);
	fake = lactd_test_fake_start(bus, pump_conf, "60");
	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(bus, NULL, NULL);

	/* Two minutes into the session by the pump's clock: samples stored. */
	g_assert_true(lactd_test_wait_for(live_past, &w, 60000));
	list = list_sessions(c);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &id_before));
	{
		g_autoptr(GVariant) r = lactd_test_call(c, "GetSession",
							g_variant_new("(t)", id_before), "(a{sv})",
							&error);
		g_autoptr(GVariant) before = NULL;
		g_assert_no_error(error);
		before = g_variant_get_child_value(r, 0);
		samples = g_variant_lookup_value(before, "samples", G_VARIANT_TYPE("a(xdd)"));
		g_assert_nonnull(samples);
		n_before = g_variant_n_children(samples);
		g_assert_cmpuint(n_before, >, 0);
		g_clear_pointer(&samples, g_variant_unref);
	}
	g_clear_pointer(&s, g_variant_unref);
	g_clear_pointer(&list, g_variant_unref);

	lactd_test_daemon_kill(daemon);
	/* The pump finishes its session with nobody listening. */
	g_assert_true(lactd_test_wait_for(is_finished, &w, 60000));

	again = lactd_test_daemon_start(bus, lactd_test_daemon_db_path(daemon), NULL);
	g_assert_true(lactd_test_wait_for(record_synced, &w, 30000));

	list = list_sessions(c);
	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &id));
	g_assert_cmpuint(id, ==, id_before);
	g_assert_true(g_variant_lookup(s, "interrupted", "b", &interrupted));
	g_assert_false(interrupted);
	{
		g_autoptr(GVariant) r =
		    lactd_test_call(c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);
		g_assert_no_error(error);
		full = g_variant_get_child_value(r, 0);
	}
	samples = g_variant_lookup_value(full, "samples", G_VARIANT_TYPE("a(xdd)"));
	g_assert_nonnull(samples);
	/* The samples stored before the kill are still there. */
	g_assert_cmpuint(g_variant_n_children(samples), >=, n_before);
	printf("# history sync after kill -9: 1 session, record synced (30.5/24.0 mL, 600 s), "
	       "%zu samples kept, 0 duplicates\n",
	       g_variant_n_children(samples));
	lactd_test_daemon_stop(again);
	g_dbus_connection_signal_unsubscribe(c, sub);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/sync/record-while-down", test_sync_record_while_down);
	return g_test_run();
}
