/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * kill -9 at random moments, against the real daemon on a private bus:
 *
 * - while AddSession and UpdateSession calls arrive: after each restart
 *   every acknowledged call's data is there and identical (an update in
 *   flight at the kill may or may not have landed, nothing else), and no
 *   session is there twice;
 * - while a pump session is captured from the fake BlueZ (with records in
 *   the pump's history): after each restart the live session is the same
 *   one, with every sample seen before the kill, and its totals are those
 *   of its last sample (they are written together); at the end the pump's
 *   record has replaced the live figures, each history record is stored
 *   once, and there is no duplicate.
 *
 * The default run makes 20 kills of the first kind and 6 of the second;
 * LACTD_FAULTS_LONG=1 makes 100 and 20.
 */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "lactd-test.h"

#define PUMP "C0:FF:EE:00:00:01"

static gboolean
long_mode(void)
{
	return g_strcmp0(g_getenv("LACTD_FAULTS_LONG"), "1") == 0;
}

/* ---- AddSession / UpdateSession ------------------------------------------ */

typedef struct {
	guint64 id;
	char *token; /* unique note: finds duplicates */
	double left; /* the acknowledged value */
	double pending; /* an update in flight at the kill, or -1 */
	gint64 start;
} Expect;

static void
expect_free(Expect *e)
{
	g_free(e->token);
	g_free(e);
}

typedef struct {
	GPid pid;
	guint delay_ms;
} Killer;

static gpointer
killer_thread(gpointer data)
{
	Killer *k = data;

	g_usleep((gulong)k->delay_ms * 1000);
	kill(k->pid, SIGKILL);
	return NULL;
}

static GVariant *
new_session(guint n, const char *token, double left, gint64 *start)
{
	GVariantBuilder b;

	/* Back from now, 30 minutes apart: never in the future. */
	*start = g_get_real_time() - (gint64)(n + 1) * 30 * 60 * G_USEC_PER_SEC;
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("pump"));
	g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(*start));
	g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(*start + 15 * 60 * G_USEC_PER_SEC));
	g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(left));
	g_variant_builder_add(&b, "{sv}", "right_ml", g_variant_new_double(12.5));
	g_variant_builder_add(&b, "{sv}", "note", g_variant_new_string(token));
	return g_variant_builder_end(&b);
}

/* Checks the store against what was acknowledged; returns the losses. */
static guint
check_acked(GDBusConnection *c, GPtrArray *expects, guint *duplicates)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GHashTable) by_id = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
							      (GDestroyNotify)g_variant_unref);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	GVariantIter iter;
	GVariant *s;
	guint lost = 0;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, list);
	while ((s = g_variant_iter_next_value(&iter)) != NULL) {
		const char *note = NULL;
		guint64 id = 0;

		if (g_variant_lookup(s, "note", "&s", &note)) {
			if (g_hash_table_contains(seen, note))
				(*duplicates)++;
			else
				g_hash_table_add(seen, g_strdup(note));
		}
		g_variant_lookup(s, "id", "t", &id);
		g_hash_table_insert(by_id, g_memdup2(&id, sizeof(id)), s);
	}
	for (guint i = 0; i < expects->len; i++) {
		Expect *e = g_ptr_array_index(expects, i);
		GVariant *got = g_hash_table_lookup(by_id, &e->id);
		const char *note = NULL;
		double left = -1, right = -1;
		gint64 start = 0;

		if (got == NULL) {
			g_test_message("acknowledged session %" G_GUINT64_FORMAT " lost", e->id);
			lost++;
			continue;
		}
		g_variant_lookup(got, "note", "&s", &note);
		g_variant_lookup(got, "left_ml", "d", &left);
		g_variant_lookup(got, "right_ml", "d", &right);
		g_variant_lookup(got, "start", "x", &start);
		if (g_strcmp0(note, e->token) != 0 || right != 12.5 || start != e->start ||
		    (left != e->left && left != e->pending)) {
			g_test_message("session %" G_GUINT64_FORMAT " differs: %s %.1f (acked %.1f)",
				       e->id, note, left, e->left);
			lost++;
			continue;
		}
		/* What the store holds is now what was acknowledged. */
		e->left = left;
		e->pending = -1;
	}
	return lost;
}

static void
test_kill_writes(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(GPtrArray) expects = g_ptr_array_new_with_free_func((GDestroyNotify)expect_free);
	g_autofree char *db = g_build_filename(lactd_test_bus_tmpdir(bus), "kill.db", NULL);
	guint runs = long_mode() ? 100 : 20;
	guint lost = 0, duplicates = 0, acked_calls = 0, n = 0;
	gint64 t0 = g_get_monotonic_time();

	for (guint run = 0; run < runs; run++) {
		g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, db, NULL);
		Killer k = {lactd_test_daemon_pid(daemon), (guint)g_test_rand_int_range(20, 400)};
		GThread *thread;

		lost += check_acked(c, expects, &duplicates);
		thread = g_thread_new("killer", killer_thread, &k);
		for (;;) {
			g_autoptr(GError) error = NULL;
			g_autoptr(GVariant) reply = NULL;

			if (expects->len > 0 && g_test_rand_int_range(0, 10) < 3) {
				Expect *e = g_ptr_array_index(
				    expects, (guint)g_test_rand_int_range(0, (gint32)expects->len));
				double v = (double)g_test_rand_int_range(0, 3000) / 10.0;
				g_autoptr(GVariantDict) d = g_variant_dict_new(NULL);

				g_variant_dict_insert(d, "left_ml", "d", v);
				e->pending = v;
				reply = g_dbus_connection_call_sync(
				    c, "org.lactd", "/org/lactd", "org.lactd.Manager1", "UpdateSession",
				    g_variant_new("(t@a{sv})", e->id, g_variant_dict_end(d)), NULL,
				    G_DBUS_CALL_FLAGS_NO_AUTO_START, 10000, NULL, &error);
				if (reply == NULL)
					break;
				e->left = v;
				e->pending = -1;
			} else {
				Expect *e = g_new0(Expect, 1);
				guint64 id = 0;

				e->token = g_strdup_printf("kill-%u-%u", run, n);
				e->left = (double)(n % 500) / 10.0;
				e->pending = -1;
				reply = lactd_test_call(c, "AddSession",
							g_variant_new("(@a{sv})",
								      new_session(n++, e->token,
										  e->left, &e->start)),
							"(t)", &error);
				if (reply == NULL) {
					expect_free(e);
					break;
				}
				g_variant_get(reply, "(t)", &id);
				e->id = id;
				g_ptr_array_add(expects, e);
			}
			acked_calls++;
		}
		g_thread_join(thread);
		lactd_test_daemon_kill(daemon);
	}
	{
		g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, db, NULL);
		lost += check_acked(c, expects, &duplicates);
		lactd_test_daemon_stop(daemon);
	}
	printf("# kill-9 writes: %u runs, %u lost of %u acknowledged calls (%u sessions), "
	       "%u duplicates, %.1f s\n",
	       runs, lost, acked_calls, expects->len, duplicates,
	       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	g_assert_cmpuint(acked_calls, >, 0);
	g_assert_cmpuint(lost, ==, 0);
	g_assert_cmpuint(duplicates, ==, 0);
}

/* ---- a pump session captured ---------------------------------------------- */

/* Two records in the pump's history, then a live session of 1800 s by its
 * clock (15 s of real time at 120x). */
static const char pump_conf[] = LACTD_TEST_ADAPTER_CONF "[device pump]\n"
							"adapter=hci0\n"
							"address=" PUMP "\n"
							"name=Open Pump\n"
							"paired=true\n"
							"present=true\n"
							"emulator=opp\n"
							"channels=left,right\n"
							"history=3:1767000000:1100:50.5:40:1;"
							"4:1767010000:1000:20:25:1\n"
							"phases=stimulation:120;expression:1680;idle\n"
							"start_at=1\n"
							"left_ml=71.5\n"
							"right_ml=60.0\n\n";

typedef struct {
	GDBusConnection *c;
	guint64 live_id;    /* the live session's id, 0 until seen */
	gsize samples;	    /* its samples when last seen */
	guint sessions;	    /* sessions listed */
	gboolean finished;  /* the pump's scenario is over */
	guint duplicates;
	gboolean synced;    /* the pump's record replaced the live figures */
	guint checked;	    /* times the totals were compared with the last sample */
	guint stale;	    /* ... and differed */
} Pump;

static void
on_finished(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	    const char *name, GVariant *params, gpointer user_data)
{
	((Pump *)user_data)->finished = TRUE;
}

/* Reads the sessions: the live one (not from the history: start after
 * the history's), its samples, duplicates by device session. */
static gboolean
look(Pump *p)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(p->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GHashTable) starts = g_hash_table_new(g_int64_hash, g_int64_equal);
	g_autoptr(GArray) keys = g_array_sized_new(FALSE, FALSE, sizeof(gint64), 8);
	GVariantIter iter;
	GVariant *s;

	if (r == NULL)
		return FALSE;
	list = g_variant_get_child_value(r, 0);
	p->sessions = (guint)g_variant_n_children(list);
	p->duplicates = 0;
	g_array_set_size(keys, p->sessions);
	g_variant_iter_init(&iter, list);
	for (guint i = 0; (s = g_variant_iter_next_value(&iter)) != NULL; i++) {
		gint64 *start = &g_array_index(keys, gint64, i);
		guint64 id = 0;
		double left = 0, right = 0;
		gint64 end = 0;

		g_variant_lookup(s, "start", "x", start);
		g_variant_lookup(s, "end", "x", &end);
		g_variant_lookup(s, "id", "t", &id);
		g_variant_lookup(s, "left_ml", "d", &left);
		g_variant_lookup(s, "right_ml", "d", &right);
		/* The same history record twice has the same start. */
		if (g_hash_table_contains(starts, start))
			p->duplicates++;
		g_hash_table_add(starts, start);
		if (*start > (gint64)1767100000 * G_USEC_PER_SEC) {
			if (p->live_id != 0 && id != p->live_id)
				p->duplicates++;
			p->live_id = id;
			p->synced = left == 71.5 && right == 60.0 &&
				    end - *start == 1800 * G_USEC_PER_SEC;
		}
		g_variant_unref(s);
	}
	if (p->live_id != 0) {
		g_autoptr(GVariant) reply = lactd_test_call(p->c, "GetSession",
							    g_variant_new("(t)", p->live_id),
							    "(a{sv})", NULL);
		g_autoptr(GVariant) got = NULL;
		g_autoptr(GVariant) samples = NULL;

		if (reply == NULL)
			return FALSE;
		got = g_variant_get_child_value(reply, 0);
		samples = g_variant_lookup_value(got, "samples", G_VARIANT_TYPE("a(xdd)"));
		if (samples != NULL)
			p->samples = g_variant_n_children(samples);
		/* One reply, so one moment: until the pump's record replaces
		 * them, the totals are the last sample's. */
		if (samples != NULL && p->samples > 0) {
			double left = -1, right = -1, last_left = 0, last_right = 0;

			g_variant_lookup(got, "left_ml", "d", &left);
			g_variant_lookup(got, "right_ml", "d", &right);
			g_variant_get_child(samples, p->samples - 1, "(xdd)", NULL, &last_left,
					    &last_right);
			if (!(left == 71.5 && right == 60.0)) {
				p->checked++;
				if (left != last_left || right != last_right) {
					g_test_message("session %" G_GUINT64_FORMAT
						       ": totals %.1f/%.1f mL, last sample "
						       "%.1f/%.1f mL",
						       p->live_id, left, right, last_left,
						       last_right);
					p->stale++;
				}
			}
		}
	}
	return TRUE;
}

static gboolean
grown(gpointer user_data)
{
	Pump *p = user_data;
	gsize before = p->samples;

	return look(p) && p->live_id != 0 && p->samples > before;
}

static gboolean
settled(gpointer user_data)
{
	Pump *p = user_data;

	return p->finished && look(p) && p->synced && p->sessions == 3;
}

static void
test_kill_capture(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = NULL;
	g_autofree char *db = g_build_filename(lactd_test_bus_tmpdir(bus), "pump.db", NULL);
	guint kills = long_mode() ? 20 : 6;
	guint done = 0, lost = 0;
	Pump p = {.c = c};
	gint64 t0 = g_get_monotonic_time();
	guint sub;

	sub = g_dbus_connection_signal_subscribe(c, NULL, "org.lactd.FakeBluez1",
						 "ScenarioFinished", NULL, NULL,
						 G_DBUS_SIGNAL_FLAGS_NONE, on_finished, &p, NULL);
	/* The long mode's session lasts longer, at a lower speed. */
	fake = lactd_test_fake_start(bus, pump_conf, long_mode() ? "20" : "120");
	if (fake == NULL)
		return;
	for (; done < kills && !p.finished; done++) {
		g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, db, NULL);
		guint64 id_before = p.live_id;
		gsize seen = p.samples;

		/* The session is there again, with all it had, and grows. */
		g_assert_true(look(&p));
		if (p.samples < seen)
			lost += (guint)(seen - p.samples);
		if (!lactd_test_wait_for(grown, &p, 30000))
			break;
		if (id_before != 0 && p.live_id != id_before)
			p.duplicates++;
		/* Then dies at a random moment of the next second. */
		{
			Killer k = {lactd_test_daemon_pid(daemon),
				    (guint)g_test_rand_int_range(0, 1000)};
			GThread *thread = g_thread_new("killer", killer_thread, &k);
			look(&p);
			g_thread_join(thread);
		}
		lactd_test_daemon_kill(daemon);
	}
	{
		g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, db, NULL);
		gsize seen = p.samples;

		g_assert_true(look(&p));
		if (p.samples < seen)
			lost += (guint)(seen - p.samples);
		/* Bounded by the session left to run: 15 s at 120x, 90 s at 20x. */
		if (!lactd_test_wait_for(settled, &p, long_mode() ? 180000 : 60000)) {
			g_autoptr(GVariant) r = lactd_test_call(
			    c, "ListSessions", g_variant_new("(xx)", (gint64)0, G_MAXINT64),
			    "(aa{sv})", NULL);
			g_autofree char *text = r != NULL ? g_variant_print(r, FALSE) : NULL;
			g_test_message("not settled: finished %d, %u sessions, synced %d: %s",
				       p.finished, p.sessions, p.synced, text);
			g_assert_not_reached();
		}
		lactd_test_daemon_stop(daemon);
	}
	g_dbus_connection_signal_unsubscribe(c, sub);
	printf("# kill-9 capture: %u kills during one pump session, %u samples lost, "
	       "%u duplicates, totals behind the last sample %u times of %u, 3 sessions (2 from "
	       "the history), record synced, %.1f s\n",
	       done, lost, p.duplicates, p.stale, p.checked,
	       (double)(g_get_monotonic_time() - t0) / G_USEC_PER_SEC);
	g_assert_cmpuint(done, >=, kills / 2);
	g_assert_cmpuint(lost, ==, 0);
	g_assert_cmpuint(p.duplicates, ==, 0);
	g_assert_cmpuint(p.checked, >=, done);
	g_assert_cmpuint(p.stale, ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/kill/writes", test_kill_writes);
	g_test_add_func("/faults/kill/capture", test_kill_capture);
	return g_test_run();
}
