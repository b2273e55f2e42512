/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Storage faults: a full disk (a small tmpfs), alone and while a pump's
 * session is captured, at its start or with the link lost.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "test-faults-storage.h"

/* A small tmpfs on the database's folder; FALSE (the test skipped) when
 * it cannot be mounted. */
static gboolean
mount_small(Fixture *f, const char *options)
{
	if (mount("tmpfs", f->dir, "tmpfs", 0, options) != 0) {
		g_autofree char *why =
		    g_strdup_printf("cannot mount a small tmpfs (%s): needs root", g_strerror(errno));
		g_test_skip(why);
		return FALSE;
	}
	f->mounted = TRUE;
	return TRUE;
}

/* A full disk: the database on a small tmpfs filled up. */
static void
test_full(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autoptr(GArray) acked = g_array_new(FALSE, FALSE, sizeof(guint64));
	g_autofree char *filler = g_build_filename(f->dir, "filler", NULL);
	g_autofree char *state = NULL;
	g_autofree char *state_after = NULL;
	g_autofree char *note = g_strnfill(1500, 'n');
	struct statvfs vfs;
	guint refused = 0;
	int fd;

	if (!mount_small(f, "size=2m,mode=0700"))
		return;
	daemon = lactd_test_daemon_start(f->bus, f->db, NULL);
	for (guint i = 0; i < 5; i++) {
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, i, NULL, &error);
		g_assert_no_error(error);
		g_array_append_val(acked, id);
	}
	/* Leave ~96 KiB: a few dozen more sessions, then full. */
	g_assert_cmpint(statvfs(f->dir, &vfs), ==, 0);
	fd = g_open(filler, O_WRONLY | O_CREAT, 0600);
	g_assert_cmpint(fd, >=, 0);
	{
		gsize left = (gsize)vfs.f_bavail * vfs.f_frsize;
		gsize want = left > 96 * 1024 ? left - 96 * 1024 : 0;
		g_autofree char *zeros = g_malloc0(65536);
		while (want > 0) {
			gssize n = write(fd, zeros, MIN(want, 65536));
			if (n <= 0)
				break;
			want -= (gsize)n;
		}
	}
	close(fd);

	for (guint i = 5; i < 2000 && refused < 3; i++) {
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, i, note, &error);

		if (id != 0) {
			g_array_append_val(acked, id);
			continue;
		}
		g_autofree char *remote = g_dbus_error_get_remote_error(error);
		g_test_message("refused: %s", error->message);
		g_assert_cmpstr(remote, ==, "org.lactd.Error.Storage");
		refused++;
	}
	g_assert_cmpuint(refused, ==, 3);
	state = storage_state(f->c);
	g_test_message("full: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: "));
	/* Still up and answering. */
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);

	/* Space returns: writes succeed, StorageState is ok, nothing lost. */
	g_assert_cmpint(g_unlink(filler), ==, 0);
	{
		g_autoptr(GError) error = NULL;
		guint64 id = add_session(f->c, 2500, note, &error);
		g_assert_no_error(error);
		g_array_append_val(acked, id);
	}
	state_after = storage_state(f->c);
	g_assert_cmpstr(state_after, ==, "ok");
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);
	lactd_test_daemon_kill(daemon);
	again = lactd_test_daemon_start(f->bus, f->db, NULL);
	g_assert_cmpuint(count_sessions(f->c), ==, acked->len);
	lactd_test_daemon_stop(again);
	g_assert_cmpint(umount(f->dir), ==, 0);
	f->mounted = FALSE;
	printf("# full disk: %u acknowledged, 0 lost, %u writes refused with "
	       "org.lactd.Error.Storage, StorageState ok again without a restart\n",
	       acked->len, refused);
}

/* A pump session captured while the disk is full: every write is refused,
 * StorageState says readings are kept in memory, and once space is back
 * the next write stores the session whole (every sample, the final
 * volumes), with the sessions stored before intact, across a restart. */
#define PUMP "C0:FF:EE:00:00:01"
#define FULL_PUMP_CONF(start_at)                                                                  \
	LACTD_TEST_ADAPTER_CONF LACTD_TEST_OPP_PUMP_CONF(PUMP) "phases=stimulation:60;"           \
							       "expression:540;idle\n"            \
							       "start_at=" start_at "\n"           \
							       "left_ml=71.5\n"                    \
							       "right_ml=60.0\n\n"
/* The pump's session begins 10 s after lactd connects (at 40x): after the
 * disk is full, for /faults/storage/full-start. */
static const char *const full_pump_conf[] = {FULL_PUMP_CONF("1"), FULL_PUMP_CONF("400")};

typedef struct {
	GDBusConnection *c;
	guint sessions; /* the pump's sessions listed */
	guint64 id;	/* the pump's session, 0 until seen */
	gsize samples;	/* its samples when last read */
	double max_step_ml; /* the largest rise of a side between two samples */
	double left, right; /* the last sample's volumes */
	guint after_gap;    /* samples after the longest pause between two */
	gboolean finished;
} FullPump;

/* Finds the pump's session and reads its samples. */
static gboolean
read_pump(FullPump *p)
{
	g_autoptr(GVariant) r = lactd_test_call(p->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", NULL);
	g_autoptr(GVariant) list = NULL;
	g_autoptr(GVariant) got = NULL;
	g_autoptr(GVariant) samples = NULL;
	GVariantIter iter;
	GVariant *s;
	gint64 t, prev_t = 0, gap = 0;
	double l, rr, prev_l = 0, prev_r = 0;

	if (r == NULL)
		return FALSE;
	list = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, list);
	p->sessions = 0;
	while ((s = g_variant_iter_next_value(&iter)) != NULL) {
		const char *device = NULL;
		if (g_variant_lookup(s, "device", "&s", &device) && g_str_equal(device, PUMP) &&
		    ++p->sessions == 1)
			g_variant_lookup(s, "id", "t", &p->id);
		g_variant_unref(s);
	}
	if (p->id == 0)
		return FALSE;
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(p->c, "GetSession", g_variant_new("(t)", p->id), "(a{sv})", NULL);
	if (r == NULL)
		return FALSE;
	got = g_variant_get_child_value(r, 0);
	samples = g_variant_lookup_value(got, "samples", G_VARIANT_TYPE("a(xdd)"));
	p->samples = samples != NULL ? g_variant_n_children(samples) : 0;
	p->max_step_ml = 0;
	p->after_gap = 0;
	if (samples == NULL)
		return TRUE;
	g_variant_iter_init(&iter, samples);
	while (g_variant_iter_next(&iter, "(xdd)", &t, &l, &rr)) {
		/* The pump sends a measurement when a side moved 0.5 mL: a
		 * lost one shows as a rise of about twice that. */
		p->max_step_ml = MAX(p->max_step_ml, MAX(l - prev_l, rr - prev_r));
		if (prev_t != 0 && t - prev_t > gap) {
			gap = t - prev_t;
			p->after_gap = 0;
		}
		p->after_gap++;
		prev_t = t;
		prev_l = l;
		prev_r = rr;
		p->left = l;
		p->right = rr;
	}
	return TRUE;
}

static gboolean
pump_under_way(gpointer user_data)
{
	FullPump *p = user_data;

	return read_pump(p) && p->samples >= 30;
}

static gboolean
readings_kept(gpointer user_data)
{
	FullPump *p = user_data;
	g_autofree char *state = storage_state(p->c);

	return p->finished && strstr(state, "kept in memory") != NULL;
}

static void
fill_disk(const char *path)
{
	g_autofree char *zeros = g_malloc0(65536);
	int fd = g_open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	g_assert_cmpint(fd, >=, 0);
	while (write(fd, zeros, 65536) > 0)
		;
	/* The last pieces that a 64 KiB write could not take. */
	while (write(fd, zeros, 512) > 0)
		;
	close(fd);
}

static gboolean
kept_in_memory(gpointer user_data)
{
	g_autofree char *state = storage_state(user_data);

	return strstr(state, "kept in memory") != NULL;
}

/* @data bit 0: the disk is full before the pump's session begins, so that
 * even its start is kept in memory (lactd-store-pending.c); with the
 * queue's bound set to 1 (LACTD_STORE_PENDING_MAX) these variants fail,
 * as every sample after the first kept entry is dropped. Bit 1: while the
 * disk is full the link drops for longer than DisconnectGrace, so the
 * session is closed as interrupted and resumed while still in memory: one
 * session, its record's volumes (the samples during the drop are lost on
 * air, not by lactd). */
static void
test_full_capture(Fixture *f, gconstpointer data)
{
	gboolean late = GPOINTER_TO_INT(data) & 1, drop = GPOINTER_TO_INT(data) & 2;
	g_autoptr(LactdTestFake) fake = NULL;
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(LactdTestDaemon) again = NULL;
	g_autofree char *filler = g_build_filename(f->dir, "filler", NULL);
	g_autofree char *state = NULL;
	FullPump p = {.c = f->c};
	gsize seen_full;
	guint sub;

	if (!mount_small(f, "size=4m,mode=0700"))
		return;
	sub = lactd_test_watch_finished(f->c, &p.finished);
	fake = lactd_test_fake_start(f->bus, full_pump_conf[late], "40");
	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(f->bus, f->db,
					 drop ? "[Capture]\nDisconnectGrace=1\nReconnectMin=100\n" : NULL);
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, i, NULL, &error), !=, 0);
		g_assert_no_error(error);
	}
	if (!late)
		g_assert_true(lactd_test_wait_for(pump_under_way, &p, 30000));
	fill_disk(filler);
	/* Late: the session must not have begun before the disk was full. */
	g_assert_true(!late || !read_pump(&p));
	if (drop) {
		g_assert_true(lactd_test_wait_for(kept_in_memory, f->c, 30000));
		lactd_test_fake_call(f->c, "DropLink", g_variant_new("(su)", PUMP, (guint32)3));
	}
	g_assert_true(lactd_test_wait_for(readings_kept, &p, 60000));
	state = storage_state(f->c);
	g_test_message("full: %s", state);
	g_assert_true(g_str_has_prefix(state, "degraded: "));
	/* Nothing is shown that is not durable: a session begun while the
	 * disk is full is not listed until it is written. */
	g_assert_true(late ? !read_pump(&p) : read_pump(&p));
	seen_full = p.samples;

	/* Space again: the next write takes what was kept first. */
	g_assert_cmpint(g_unlink(filler), ==, 0);
	{
		g_autoptr(GError) error = NULL;
		g_assert_cmpuint(add_session(f->c, 10, NULL, &error), !=, 0);
		g_assert_no_error(error);
	}
	g_clear_pointer(&state, g_free);
	state = storage_state(f->c);
	g_assert_cmpstr(state, ==, "ok");
	g_assert_true(read_pump(&p));
	g_test_message("%" G_GSIZE_FORMAT " samples while full, %" G_GSIZE_FORMAT
		       " after, largest rise %.1f mL, last %.1f/%.1f mL, %u after the longest pause",
		       seen_full, p.samples, p.max_step_ml, p.left, p.right, p.after_gap);
	g_assert_cmpuint(p.samples, >, seen_full);
	g_assert_cmpuint(p.sessions, ==, 1);
	g_assert_true(drop || p.max_step_ml < 0.75);
	/* Captured again after the drop, while the disk was still full. */
	g_assert_true(!drop || p.after_gap >= 5);
	g_assert_cmpfloat(p.left, ==, 71.5);
	g_assert_cmpfloat(p.right, ==, 60.0);
	lactd_test_daemon_stop(daemon);
	g_clear_pointer(&daemon, lactd_test_daemon_free);

	/* Durable: the same after a restart, with what was stored before. */
	{
		gsize before_restart = p.samples;
		again = lactd_test_daemon_start(f->bus, f->db, NULL);
		g_assert_cmpuint(count_sessions(f->c), ==, 5);
		g_assert_true(read_pump(&p));
		g_assert_cmpuint(p.samples, ==, before_restart);
		lactd_test_daemon_stop(again);
	}
	g_dbus_connection_signal_unsubscribe(f->c, sub);
	g_clear_pointer(&fake, lactd_test_fake_free);
	g_assert_cmpint(umount(f->dir), ==, 0);
	f->mounted = FALSE;
	printf("# full disk during a capture (session begun %s%s): %" G_GSIZE_FORMAT " samples "
	       "stored before the disk filled, %" G_GSIZE_FORMAT " once space was back, 0 lost "
	       "(largest rise %.1f mL), 1 session\n",
	       late ? "after the disk filled" : "before",
	       drop ? ", the link lost 3 s while full" : "", seen_full, p.samples, p.max_step_ml);
}

void
add_full_tests(void)
{
	ADD("/faults/storage/full", test_full);
	g_test_add("/faults/storage/full-capture", Fixture, GINT_TO_POINTER(0), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-start", Fixture, GINT_TO_POINTER(1), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-drop", Fixture, GINT_TO_POINTER(2), setup,
		   test_full_capture, teardown);
	g_test_add("/faults/storage/full-start-drop", Fixture, GINT_TO_POINTER(3), setup,
		   test_full_capture, teardown);
}
