/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A database written by lactd at schema version 4 (tests/data/store-v4.db,
 * made by tests/data/make-store-v4.c) opens with today's store, migrated,
 * with every record in it, field by field.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "lactd-error.h"
#include "lactd-recstore.h"
#include "lactd-store.h"
#include "lactd-store-private.h"

#define T0 G_GINT64_CONSTANT(1709280000000000)
#define HOUR G_TIME_SPAN_HOUR
#define MINUTE G_TIME_SPAN_MINUTE
#define SEC G_TIME_SPAN_SECOND
#define PUMP_ADDR "C0:FF:EE:00:00:01"

typedef struct {
	char *dir;
	LactdStore *store;
} Fixture;

static void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *src = g_test_build_filename(G_TEST_DIST, "tests", "data", "store-v4.db", NULL);
	g_autofree char *dst = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *bytes = NULL;
	gsize len;

	f->dir = g_dir_make_tmp("lactd-store-v4-XXXXXX", &error);
	g_assert_no_error(error);
	dst = g_build_filename(f->dir, "lactd.db", NULL);
	g_assert_true(g_file_get_contents(src, &bytes, &len, &error));
	g_assert_true(g_file_set_contents_full(dst, bytes, (gssize)len, G_FILE_SET_CONTENTS_NONE,
					       0600, &error));
	f->store = lactd_store_open(dst, &degraded, &error);
	g_assert_no_error(error);
	g_assert_nonnull(f->store);
	g_assert_null(degraded);
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	lactd_store_close(f->store);
	dir = g_dir_open(f->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

/* The samples make-store-v4 wrote: one a second, left up 0.1 mL every
 * @lstep s, right every @rstep s (0: that side stays 0). */
static void
assert_samples(LactdStore *store, guint64 id, gint64 start, guint n, guint lstep, guint rstep)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) got = lactd_store_get_samples(store, id, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, n);
	for (guint i = 0; i < n; i++) {
		const LactdSample *s = &g_array_index(got, LactdSample, i);
		g_assert_cmpint(s->time_us, ==, start + (gint64)(i + 1) * SEC);
		g_assert_cmpfloat_with_epsilon(s->left_ml, lstep ? (i / lstep) / 10.0 : 0, 1e-9);
		g_assert_cmpfloat_with_epsilon(s->right_ml, rstep ? (i / rstep) / 10.0 : 0, 1e-9);
	}
}

static LactdSession *
get(LactdStore *store, guint64 id)
{
	g_autoptr(GError) error = NULL;
	LactdSession *s = lactd_store_get_session(store, id, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(s->id, ==, id);
	return s;
}

static void
assert_pump(const LactdSession *s, gint64 start, gint64 minutes, double left, double right,
	    guint sides, guint32 device_session)
{
	g_assert_cmpint(s->kind, ==, LACTD_SESSION_PUMP);
	g_assert_cmpint(s->source, ==, LACTD_SOURCE_DEVICE);
	g_assert_cmpint(s->start_us, ==, start);
	g_assert_cmpint(s->end_us, ==, start + minutes * MINUTE);
	g_assert_cmpfloat(s->left_ml, ==, left);
	g_assert_cmpfloat(s->right_ml, ==, right);
	g_assert_true(s->has_volume);
	g_assert_cmpuint(lactd_session_sides(s), ==, sides);
	g_assert_cmpuint(s->left_seconds, ==, (sides & 1) ? minutes * 60 : 0);
	g_assert_cmpuint(s->right_seconds, ==, (sides & 2) ? minutes * 60 : 0);
	g_assert_cmpstr(s->device, ==, PUMP_ADDR);
	g_assert_cmpuint(s->device_session, ==, device_session);
	g_assert_cmpfloat(s->extra_ml, ==, 0);
	g_assert_cmpfloat(s->supplement_ml, ==, 0);
	g_assert_null(s->method);
	g_assert_null(s->milk);
}

static void
test_v4_schema(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *id = lactd_store_installation_id(f->store, &error);

	g_assert_no_error(error);
	g_assert_cmpuint(lactd_store_schema_version(f->store), ==, LACTD_STORE_SCHEMA_VERSION);
	/* Every finished session's samples are in the current format now. */
	{
		sqlite3_stmt *stmt = NULL;
		g_assert_cmpint(sqlite3_prepare_v2(lactd_store_get_db(f->store),
						   "SELECT COUNT(*), SUM(substr(samples, 1, 1) = "
						   "x'02') FROM session_samples",
						   -1, &stmt, NULL),
				==, SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
		g_assert_cmpint(sqlite3_column_int(stmt, 0), ==, 4);
		g_assert_cmpint(sqlite3_column_int(stmt, 1), ==, 4);
		sqlite3_finalize(stmt);
	}
	/* Made once when the fixture was written: kept, not made again. */
	g_assert_cmpstr(id, ==, "f67ac797-756c-48e7-a2bc-317c06382aa5");
}

static void
test_v4_pump_sessions(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) s1 = get(f->store, 1);
	g_autoptr(LactdSession) s2 = get(f->store, 2);
	g_autoptr(LactdSession) s3 = get(f->store, 3);
	g_autoptr(LactdSession) s4 = get(f->store, 4);
	g_autoptr(LactdSession) s5 = get(f->store, 5);
	g_autoptr(LactdSession) by_part = NULL;

	assert_pump(s1, T0, 2, 12.3, 11.9, 3, 41);
	g_assert_cmpstr(s1->note, ==, "both sides, 'quoted' ünïcode");
	g_assert_false(s1->interrupted || s1->live);
	assert_samples(f->store, 1, T0, 120, 10, 11);

	assert_pump(s2, T0 + 3 * HOUR, 1, 6.1, 0, 1, 42);
	g_assert_cmpstr(s2->note, ==, "");
	assert_samples(f->store, 2, T0 + 3 * HOUR, 60, 10, 0);

	assert_pump(s3, T0 + 6 * HOUR, 1, 5.0, 4.5, 3, 43);
	assert_samples(f->store, 3, T0 + 6 * HOUR, 60, 12, 13);
	by_part = lactd_store_find_device_session(f->store, "C0:FF:EE:00:00:02", 7, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(by_part->id, ==, 3);

	assert_pump(s4, T0 + 9 * HOUR, 1, 3.0, 2.9, 3, 44);
	g_assert_true(s4->interrupted);
	g_assert_false(s4->live);
	assert_samples(f->store, 4, T0 + 9 * HOUR, 30, 10, 10);

	assert_pump(s5, T0 + 12 * HOUR, 0, 0.9, 0.8, 3, 45);
	g_assert_true(s5->live);
	g_assert_false(s5->interrupted);
	assert_samples(f->store, 5, T0 + 12 * HOUR, 10, 1, 1);

	/* Parts with and without the device's record: 41 has it, 42 (ended
	 * normally at version 4, record not yet asked) does not. */
	g_assert_cmpuint(lactd_store_last_device_session(f->store, PUMP_ADDR, &error), ==, 41);
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_store_last_device_session(f->store, "C0:FF:EE:00:00:02", &error),
			 ==, 7);
}

/* The session still live in the fixture, closed as the next start closes
 * it: its samples, written before schema 7, hold no running totals, so its
 * row keeps its own (lactd-store-totals.c). */
static void
test_v4_close_live(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) s5 = NULL;

	g_assert_cmpint(lactd_store_close_live_sessions(f->store, &error), ==, 1);
	g_assert_no_error(error);
	s5 = get(f->store, 5);
	assert_pump(s5, T0 + 12 * HOUR, 0, 0.9, 0.8, 3, 45);
	g_assert_false(s5->live);
	g_assert_true(s5->interrupted);
	assert_samples(f->store, 5, T0 + 12 * HOUR, 10, 1, 1);
}

static void
test_v4_other_sessions(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) hand = get(f->store, 6);
	g_autoptr(LactdSession) nursing = get(f->store, 7);
	g_autoptr(LactdSession) supp = get(f->store, 8);
	g_autoptr(GPtrArray) all = NULL;
	g_autoptr(GPtrArray) tw = NULL;
	g_autoptr(GArray) none = NULL;

	g_assert_cmpint(hand->kind, ==, LACTD_SESSION_HAND);
	g_assert_cmpint(hand->source, ==, LACTD_SOURCE_MANUAL);
	g_assert_cmpint(hand->start_us, ==, T0 + 14 * HOUR);
	g_assert_cmpint(hand->end_us, ==, T0 + 14 * HOUR + 15 * MINUTE);
	g_assert_cmpfloat(hand->left_ml, ==, 4.2);
	g_assert_cmpfloat(hand->right_ml, ==, 3.8);
	g_assert_cmpuint(lactd_session_sides(hand), ==, 3);
	g_assert_cmpuint(hand->left_seconds, ==, 420);
	g_assert_cmpuint(hand->right_seconds, ==, 480);
	g_assert_null(hand->device);
	g_assert_cmpstr(hand->note, ==, "hand");
	none = lactd_store_get_samples(f->store, 6, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(none->len, ==, 0);

	g_assert_cmpint(nursing->kind, ==, LACTD_SESSION_NURSING);
	g_assert_cmpint(nursing->start_us, ==, T0 + 16 * HOUR);
	g_assert_cmpint(nursing->end_us, ==, T0 + 16 * HOUR + 20 * MINUTE);
	g_assert_false(nursing->has_volume);
	g_assert_cmpuint(lactd_session_sides(nursing), ==, 0);
	g_assert_cmpfloat(nursing->extra_ml, ==, 26.0);
	/* Schema 8 says so in its own column: the weighings measured it. */
	g_assert_true(nursing->weighed);
	g_assert_cmpfloat(lactd_session_total_ml(nursing), ==, 26.0);
	g_assert_cmpuint(nursing->left_seconds, ==, 600);
	g_assert_cmpuint(nursing->right_seconds, ==, 540);
	tw = lactd_store_session_weighings(f->store, 7, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(tw->len, ==, 2);
	{
		LactdWeighing *pre = g_ptr_array_index(tw, 0), *post = g_ptr_array_index(tw, 1);
		g_assert_cmpuint(pre->id, ==, 1);
		g_assert_cmpint(pre->time_us, ==, T0 + 16 * HOUR - MINUTE);
		g_assert_cmpfloat(pre->grams, ==, 4210.0);
		g_assert_true(pre->stable);
		g_assert_cmpstr(pre->device, ==, "C0:FF:EE:00:00:03");
		g_assert_cmpstr(pre->role, ==, "baby");
		g_assert_cmpuint(post->id, ==, 2);
		g_assert_cmpint(post->time_us, ==, T0 + 16 * HOUR + 21 * MINUTE);
		g_assert_cmpfloat(post->grams, ==, 4236.0);
		g_assert_cmpuint(post->session, ==, 7);
	}

	g_assert_cmpint(supp->kind, ==, LACTD_SESSION_SUPPLEMENT);
	g_assert_cmpint(supp->start_us, ==, T0 + 17 * HOUR);
	g_assert_cmpint(supp->end_us, ==, T0 + 17 * HOUR);
	g_assert_cmpfloat(supp->supplement_ml, ==, 30.5);
	g_assert_cmpstr(supp->method, ==, "at-breast");
	g_assert_cmpstr(supp->milk, ==, "donor");
	g_assert_false(supp->has_volume);
	g_assert_false(supp->weighed || hand->weighed);

	all = lactd_store_list_sessions(f->store, T0 - HOUR, T0 + 24 * HOUR, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->len, ==, 8);
}

static void
test_v4_weighings_devices_plan(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) ws = lactd_store_list_weighings(f->store, T0 + 18 * HOUR,
							     T0 + 19 * HOUR, &error);
	g_autoptr(GPtrArray) devices = NULL;
	g_autoptr(LactdDeviceRow) pump = NULL;
	g_autoptr(LactdDeviceRow) scale = NULL;
	g_autofree char *plan = NULL;
	LactdWeighing *w;

	g_assert_no_error(error);
	g_assert_cmpuint(ws->len, ==, 2);
	w = g_ptr_array_index(ws, 0);
	g_assert_cmpuint(w->id, ==, 3);
	g_assert_cmpint(w->time_us, ==, T0 + 18 * HOUR);
	g_assert_cmpfloat(w->grams, ==, 152.4);
	g_assert_true(w->stable);
	g_assert_cmpstr(w->device, ==, "C0:FF:EE:00:00:04");
	g_assert_cmpstr(w->role, ==, "bottle");
	g_assert_cmpuint(w->session, ==, 0);
	w = g_ptr_array_index(ws, 1);
	g_assert_cmpuint(w->id, ==, 4);
	g_assert_cmpfloat(w->grams, ==, 150.1);
	g_assert_false(w->stable);

	devices = lactd_store_list_devices(f->store, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(devices->len, ==, 2);
	pump = lactd_store_get_device(f->store, PUMP_ADDR, &error);
	g_assert_no_error(error);
	g_assert_cmpstr(pump->name, ==, "Open Pump");
	g_assert_cmpstr(pump->kind, ==, "pump");
	g_assert_cmpstr(pump->plugin, ==, "openpump");
	g_assert_cmpstr(pump->side, ==, "both");
	g_assert_cmpstr(pump->role, ==, "bottle");
	g_assert_true(pump->enabled);
	g_assert_cmpint(pump->last_seen_us, ==, T0 + 13 * HOUR);
	g_assert_cmpuint(pump->rejected_packets, ==, 3);
	scale = lactd_store_get_device(f->store, "C0:FF:EE:00:00:03", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(scale->name, ==, "Baby Scale");
	g_assert_cmpstr(scale->kind, ==, "scale");
	g_assert_cmpstr(scale->plugin, ==, "acaia");
	g_assert_cmpstr(scale->side, ==, "unknown");
	g_assert_cmpstr(scale->role, ==, "baby");
	g_assert_false(scale->enabled);
	g_assert_cmpint(scale->last_seen_us, ==, T0 + 16 * HOUR);
	g_assert_cmpuint(scale->rejected_packets, ==, 0);

	plan = lactd_store_get_setting(f->store, "plan", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(plan, ==,
			"{'sessions_min': <uint32 9>, 'sessions_max': <uint32 11>, "
			"'overnight_start': <'23:30'>, 'overnight_end': <'05:00'>, "
			"'minutes_min': <uint32 16>, 'minutes_max': <uint32 19>, "
			"'start_date': <'2024-02-20'>, 'name': <'relactation'>}");
}

static void
test_v4_capture(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdRecInfo) info = lactd_recstore_get(f->store, 1, &error);
	g_autoptr(GPtrArray) chars = NULL;
	g_autoptr(GPtrArray) events = NULL;
	LactdRecChar *chr;
	LactdRecEvent *ev;
	gsize len;
	const guint8 *bytes;

	g_assert_no_error(error);
	g_assert_cmpstr(info->address, ==, "C0:FF:EE:00:00:09");
	g_assert_cmpstr(info->name, ==, "Mystery Pump");
	g_assert_cmpstr(info->source, ==, "lactd");
	g_assert_cmpint(info->start_us, ==, T0);
	g_assert_cmpint(info->end_us, ==, T0 + 3 * SEC);
	g_assert_true(info->raw);
	g_assert_cmpuint(info->events, ==, 2);
	chars = lactd_recstore_chars(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(chars->len, ==, 1);
	chr = g_ptr_array_index(chars, 0);
	g_assert_cmpstr(chr->uuid, ==, "0000fff1-0000-1000-8000-00805f9b34fb");
	g_assert_cmpstr(chr->flags, ==, "notify");
	g_assert_cmpuint(chr->handle, ==, 0x2a);
	g_assert_cmpstr(chr->service_uuid, ==, "0000fff0-0000-1000-8000-00805f9b34fb");
	events = lactd_recstore_events(f->store, 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(events->len, ==, 2);
	ev = g_ptr_array_index(events, 0);
	g_assert_cmpint(ev->time_us, ==, T0 + SEC);
	g_assert_cmpstr(ev->kind, ==, LACTD_REC_NOTIFY);
	g_assert_cmpstr(ev->uuid, ==, chr->uuid);
	g_assert_cmpuint(ev->handle, ==, 0x2a);
	bytes = g_bytes_get_data(ev->value, &len);
	g_assert_cmpmem(bytes, len, "\x01\x02\xfe", 3);
	ev = g_ptr_array_index(events, 1);
	g_assert_cmpint(ev->time_us, ==, T0 + 2 * SEC);
	g_assert_cmpstr(ev->kind, ==, LACTD_REC_MARK);
	g_assert_cmpstr(ev->text, ==, "start");
	g_assert_null(ev->value);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
	ADD("/store/v4-fixture/schema", test_v4_schema);
	ADD("/store/v4-fixture/pump-sessions", test_v4_pump_sessions);
	ADD("/store/v4-fixture/close-live", test_v4_close_live);
	ADD("/store/v4-fixture/other-sessions", test_v4_other_sessions);
	ADD("/store/v4-fixture/weighings-devices-plan", test_v4_weighings_devices_plan);
	ADD("/store/v4-fixture/capture", test_v4_capture);
	return g_test_run();
}
