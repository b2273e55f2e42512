/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weighings: bottle attribution, test-weighing of a baby, reassignment. */
#include "config.h"

#include <glib/gstdio.h>

#include "lactd-config.h"
#include "lactd-error.h"
#include "lactd-record.h"
#include "lactd-store.h"
#include "lactd-weighing.h"

#define T0 ((gint64)1767000000 * G_USEC_PER_SEC)
#define MINUTES(x) ((gint64)(x) * G_TIME_SPAN_MINUTE)

typedef struct {
	char *dir;
	LactdStore *store;
	LactdConfig *config;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;

	f->dir = g_dir_make_tmp("lactd-weighing-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(f->dir, "lactd.db", NULL);
	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	f->config = lactd_config_new_default();
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = g_dir_open(f->dir, 0, NULL);
	const char *name;

	lactd_store_close(f->store);
	lactd_config_free(f->config);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

static guint64
add(Fixture *f, LactdSessionKind kind, gint64 start, gint64 end, gboolean measured, double left)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);

	s->kind = kind;
	s->source = measured ? LACTD_SOURCE_DEVICE : LACTD_SOURCE_MANUAL;
	s->start_us = start;
	s->end_us = end;
	s->has_volume = measured;
	s->left_ml = left;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	return s->id;
}

static guint64
weigh(Fixture *f, gint64 time, double grams, const char *role, guint64 *changed)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdWeighing) w = g_new0(LactdWeighing, 1);

	w->time_us = time;
	w->grams = grams;
	w->stable = TRUE;
	w->device = g_strdup("C0:FF:EE:00:00:02");
	w->role = g_strdup(role);
	g_assert_true(lactd_weighing_record(f->store, f->config, w, changed, &error));
	g_assert_no_error(error);
	return w->id;
}

static double
total(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) s = lactd_store_get_session(f->store, id, &error);

	g_assert_no_error(error);
	return lactd_session_total_ml(s);
}

static void
test_bottle(Fixture *f, gconstpointer data)
{
	guint64 measured = add(f, LACTD_SESSION_PUMP, T0, T0 + MINUTES(20), TRUE, 40);
	guint64 unmeasured = add(f, LACTD_SESSION_PUMP, T0 + MINUTES(30), T0 + MINUTES(50), FALSE, 0);
	guint64 changed;

	/* 103 g of milk at 1.03 g/mL is 100 mL, for the unmeasured session only. */
	weigh(f, T0 + MINUTES(55), 103.0, "bottle", &changed);
	g_assert_cmpuint(changed, ==, unmeasured);
	g_assert_cmpfloat(total(f, unmeasured), ==, 100.0);
	g_assert_cmpfloat(total(f, measured), ==, 40.0);
	/* A second bottle (the other side) adds to it. */
	weigh(f, T0 + MINUTES(56), 51.5, "bottle", &changed);
	g_assert_cmpuint(changed, ==, unmeasured);
	g_assert_cmpfloat(total(f, unmeasured), ==, 150.0);

	/* Beyond the 30-minute window: a session of its own, source scale. */
	weigh(f, T0 + MINUTES(50) + MINUTES(31), 20.6, "bottle", &changed);
	g_assert_cmpuint(changed, !=, unmeasured);
	{
		g_autoptr(LactdSession) s = lactd_store_get_session(f->store, changed, NULL);
		g_assert_cmpint(s->source, ==, LACTD_SOURCE_SCALE);
		g_assert_cmpfloat(lactd_session_total_ml(s), ==, 20.0);
	}
}

static void
test_container(Fixture *f, gconstpointer data)
{
	guint64 s = add(f, LACTD_SESSION_PUMP, T0, T0 + MINUTES(20), FALSE, 0);
	guint64 changed;

	f->config->container_grams = 80;
	weigh(f, T0 + MINUTES(25), 80 + 61.8, "bottle", &changed);
	g_assert_cmpuint(changed, ==, s);
	g_assert_cmpfloat(total(f, s), ==, 60.0);
}

static void
test_baby(Fixture *f, gconstpointer data)
{
	guint64 nursing = add(f, LACTD_SESSION_NURSING, T0 + MINUTES(5), T0 + MINUTES(35), FALSE, 0);
	guint64 changed;
	g_autoptr(GPtrArray) ws = NULL;

	weigh(f, T0, 4210.0, "baby", &changed);
	g_assert_cmpuint(changed, ==, 0);
	weigh(f, T0 + MINUTES(40), 4252.5, "baby", &changed);
	g_assert_cmpuint(changed, ==, nursing);
	g_assert_cmpfloat(total(f, nursing), ==, 42.5);
	ws = lactd_store_session_weighings(f->store, nursing, NULL);
	g_assert_cmpuint(ws->len, ==, 2);

	/* A pair with no nursing session logged between them makes one. */
	weigh(f, T0 + MINUTES(200), 4300.0, "baby", &changed);
	weigh(f, T0 + MINUTES(230), 4318.0, "baby", &changed);
	g_assert_cmpuint(changed, !=, 0);
	g_assert_cmpuint(changed, !=, nursing);
	{
		g_autoptr(LactdSession) s = lactd_store_get_session(f->store, changed, NULL);
		g_assert_cmpint(s->kind, ==, LACTD_SESSION_NURSING);
		g_assert_cmpfloat(lactd_session_total_ml(s), ==, 18.0);
		g_assert_cmpint(s->start_us, ==, T0 + MINUTES(200));
	}
	/* Beyond the 90-minute window, a weighing waits alone. */
	weigh(f, T0 + MINUTES(400), 4300.0, "baby", &changed);
	weigh(f, T0 + MINUTES(400) + MINUTES(91), 4320.0, "baby", &changed);
	g_assert_cmpuint(changed, ==, 0);
}

static LactdSession *
get(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	LactdSession *s = lactd_store_get_session(f->store, id, &error);

	g_assert_no_error(error);
	return s;
}

/* A baby who took nothing was still test-weighed: the session says 0 mL,
 * measured, and so do its D-Bus dictionary, its day and its JSON; a
 * session with only the first weighing says nothing was measured. */
static void
test_baby_took_nothing(Fixture *f, gconstpointer data)
{
	guint64 nursing = add(f, LACTD_SESSION_NURSING, T0 + MINUTES(5), T0 + MINUTES(35), FALSE, 0);
	guint64 other = add(f, LACTD_SESSION_NURSING, T0 + MINUTES(300), T0 + MINUTES(320), FALSE, 0);
	g_autoptr(LactdSession) before = get(f, nursing);
	g_autoptr(LactdSession) after = NULL;
	g_autoptr(LactdSession) untouched = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(GArray) days = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree const char **measured = NULL;
	guint64 changed;
	double weighed_ml = -1;

	g_assert_false(before->weighed);
	weigh(f, T0, 4210.0, "baby", &changed);
	/* Lighter after the feed (a nappy, a scale's grams): no intake, 0 g. */
	weigh(f, T0 + MINUTES(40), 4208.0, "baby", &changed);
	g_assert_cmpuint(changed, ==, nursing);
	after = get(f, nursing);
	g_assert_true(after->weighed);
	g_assert_cmpfloat(after->extra_ml, ==, 0.0);

	dict = g_variant_ref_sink(lactd_record_to_variant(&lactd_session_table, after));
	g_assert_true(g_variant_lookup(dict, "weighed_ml", "d", &weighed_ml));
	g_assert_cmpfloat(weighed_ml, ==, 0.0);
	g_assert_true(g_variant_lookup(dict, "total_ml", "d", &weighed_ml));
	g_assert_true(g_variant_lookup(dict, "measured", "^a&s", &measured));
	g_assert_cmpuint(g_strv_length((GStrv)measured), ==, 1);
	g_assert_cmpstr(measured[0], ==, "weighed");

	/* Its day measured 0 mL by weighing; not "nothing measured". */
	days = lactd_store_daily_summary(f->store, T0 - G_TIME_SPAN_DAY, T0 + G_TIME_SPAN_DAY, 0,
					 0, &error);
	g_assert_no_error(error);
	{
		gboolean any = FALSE;
		for (guint i = 0; i < days->len; i++) {
			const LactdDaySummary *d = &g_array_index(days, LactdDaySummary, i);
			any = any || d->measured;
			g_assert_cmpfloat(d->weighed_ml, ==, 0.0);
		}
		g_assert_true(any);
	}

	/* A pre-feed weighing alone measures nothing. */
	weigh(f, T0 + MINUTES(295), 4300.0, "baby", &changed);
	untouched = get(f, other);
	g_assert_false(untouched->weighed);
	g_clear_pointer(&dict, g_variant_unref);
	dict = g_variant_ref_sink(lactd_record_to_variant(&lactd_session_table, untouched));
	g_assert_false(g_variant_lookup(dict, "weighed_ml", "d", &weighed_ml));
}

static void
test_assign(Fixture *f, gconstpointer data)
{
	guint64 a = add(f, LACTD_SESSION_PUMP, T0, T0 + MINUTES(20), FALSE, 0);
	guint64 b = add(f, LACTD_SESSION_HAND, T0 + MINUTES(100), T0 + MINUTES(110), FALSE, 0);
	guint64 changed;
	guint64 w = weigh(f, T0 + MINUTES(21), 103, "bottle", &changed);
	g_autoptr(GError) error = NULL;

	g_assert_cmpuint(changed, ==, a);
	g_assert_true(lactd_weighing_assign(f->store, f->config, w, b, &error));
	g_assert_cmpfloat(total(f, a), ==, 0.0);
	g_assert_cmpfloat(total(f, b), ==, 100.0);
	{
		/* The weighing went with its measurement. */
		g_autoptr(LactdSession) sa = get(f, a);
		g_autoptr(LactdSession) sb = get(f, b);
		g_assert_false(sa->weighed);
		g_assert_true(sb->weighed);
	}
	g_assert_true(lactd_weighing_assign(f->store, f->config, w, 0, &error));
	g_assert_cmpfloat(total(f, b), ==, 0.0);
	{
		g_autoptr(LactdSession) sb = get(f, b);
		g_assert_false(sb->weighed);
	}
	g_assert_false(lactd_weighing_assign(f->store, f->config, 999, a, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(lactd_weighing_assign(f->store, f->config, w, 999, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/weighing/bottle", Fixture, NULL, setup, test_bottle, teardown);
	g_test_add("/weighing/container", Fixture, NULL, setup, test_container, teardown);
	g_test_add("/weighing/baby", Fixture, NULL, setup, test_baby, teardown);
	g_test_add("/weighing/baby-took-nothing", Fixture, NULL, setup, test_baby_took_nothing,
		   teardown);
	g_test_add("/weighing/assign", Fixture, NULL, setup, test_assign, teardown);
	return g_test_run();
}
