/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The SQLite store: round trips, samples, local days, damage, durability
 * (migrations: test-store-migrate.c). */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <string.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-samples.h"
#include "lactd-store-private.h"
#include "lactd-store.h"
#include "lactd-util.h"
#include "store-fixture.h"

static void
test_store_session_roundtrip(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) s = make_session(1700000000000000, 20, 62.4, 48.0);
	g_autoptr(LactdSession) got = NULL;
	g_autoptr(LactdSession) sup = g_new0(LactdSession, 1);
	g_autoptr(GPtrArray) list = NULL;
	struct stat st;

	s->left_seconds = 900;
	s->right_seconds = 1100;
	s->device = g_strdup("C0:FF:EE:00:00:01");
	s->device_session = 7;
	g_assert_true(lactd_store_add_session(store, s, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(s->id, >, 0);

	got = lactd_store_get_session(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpint(got->start_us, ==, s->start_us);
	g_assert_cmpint(got->end_us, ==, s->end_us);
	g_assert_cmpfloat(got->left_ml, ==, 62.4);
	g_assert_cmpfloat(got->right_ml, ==, 48.0);
	g_assert_cmpuint(got->left_seconds, ==, 900);
	g_assert_cmpuint(got->right_seconds, ==, 1100);
	g_assert_cmpstr(got->device, ==, "C0:FF:EE:00:00:01");
	g_assert_cmpstr(got->note, ==, s->note);
	g_assert_cmpuint(got->device_session, ==, 7);

	/* Found again by the device's own id; the highest one is known. */
	g_clear_pointer(&got, lactd_session_free);
	got = lactd_store_find_device_session(store, "C0:FF:EE:00:00:01", 7, &error);
	g_assert_nonnull(got);
	g_assert_cmpuint(got->id, ==, s->id);
	/* Its own record not stored yet: the history is asked from below it,
	 * so that the pump sends it (lactd may have been down at its end). */
	g_assert_cmpuint(lactd_store_last_device_session(store, "C0:FF:EE:00:00:01", NULL), ==, 6);
	g_assert_true(lactd_store_set_part_recorded(store, "C0:FF:EE:00:00:01", 7, &error));
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_store_last_device_session(store, "C0:FF:EE:00:00:01", NULL), ==, 7);
	g_assert_cmpuint(lactd_store_last_device_session(store, "AA:AA:AA:AA:AA:AA", NULL), ==, 0);

	/* A second session with the same device id is refused by the schema. */
	{
		g_autoptr(LactdSession) dup = make_session(1700001000000000, 10, 1, 1);
		g_autoptr(GError) dup_error = NULL;
		dup->device = g_strdup("C0:FF:EE:00:00:01");
		dup->device_session = 7;
		g_assert_false(lactd_store_add_session(store, dup, &dup_error));
		g_assert_error(dup_error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	}

	sup->kind = LACTD_SESSION_SUPPLEMENT;
	sup->source = LACTD_SOURCE_MANUAL;
	sup->start_us = s->end_us + G_TIME_SPAN_HOUR;
	sup->end_us = sup->start_us;
	sup->supplement_ml = 30;
	sup->method = g_strdup("supplementer");
	sup->milk = g_strdup("donor");
	g_assert_true(lactd_store_add_session(store, sup, &error));

	/* Overlap: a range starting inside the first session finds it. */
	list = lactd_store_list_sessions(store, s->start_us + G_TIME_SPAN_MINUTE,
					 sup->start_us + 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 2);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = lactd_store_list_sessions(store, s->end_us, sup->start_us, &error);
	g_assert_cmpuint(list->len, ==, 0);

	/* Update and delete; an unknown id is NotFound. */
	got->note = (g_free(got->note), g_strdup("changed"));
	g_assert_true(lactd_store_update_session(store, got, &error));
	/* A new start is written too (the update that keeps the start finds
	 * no row, the full one follows), and the index by start follows it. */
	got->start_us -= G_TIME_SPAN_DAY;
	got->end_us -= G_TIME_SPAN_DAY;
	g_assert_true(lactd_store_update_session(store, got, &error));
	g_assert_no_error(error);
	g_clear_pointer(&list, g_ptr_array_unref);
	list = lactd_store_list_sessions(store, got->start_us, got->start_us + 1, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(list->len, ==, 1);
	g_assert_cmpstr(((LactdSession *)list->pdata[0])->note, ==, "changed");
	g_clear_pointer(&list, g_ptr_array_unref);
	list = lactd_store_list_sessions(store, s->start_us, s->start_us + 1, &error);
	g_assert_cmpuint(list->len, ==, 0);
	g_clear_pointer(&list, g_ptr_array_unref);
	g_assert_true(lactd_store_delete_session(store, s->id, &error));
	g_assert_no_error(error);
	g_assert_false(lactd_store_update_session(store, got, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_false(lactd_store_delete_session(store, s->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);
	g_assert_null(lactd_store_get_session(store, s->id, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);

	/* Only the daemon's user can read the file. */
	g_assert_cmpint(g_stat(f->path, &st), ==, 0);
	g_assert_cmpint(st.st_mode & 0777, ==, 0600);
}

static void
test_store_samples(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	gint64 start = 1700000000000000;
	g_autoptr(LactdSession) s = make_session(start, 20, 0, 0);
	g_autoptr(GArray) got = NULL;
	g_autoptr(GArray) sent = g_array_new(FALSE, FALSE, sizeof(LactdSample));

	s->live = TRUE;
	g_assert_true(lactd_store_add_session(store, s, &error));
	/* 20 minutes at 1 Hz per side, volumes rising as a pump's do. */
	for (guint i = 0; i < 1200; i++) {
		LactdSample x = {
		    .time_us = start + (gint64)(i + 1) * G_USEC_PER_SEC,
		    .left_ml = round(62.4 * i / 1199.0 * 10) / 10,
		    .right_ml = round(48.0 * i / 1199.0 * 10) / 10,
		};
		g_array_append_val(sent, x);
		if (i < 600)
			g_assert_true(lactd_store_append_sample(store, s->id, &x, &error));
	}
	/* Half compacted, half still live rows: read back as one series. */
	lactd_store_compact_samples(store, s->id, &error);
	g_assert_no_error(error);
	for (guint i = 600; i < 1200; i++)
		g_assert_true(lactd_store_append_sample(
		    store, s->id, &g_array_index(sent, LactdSample, i), &error));
	got = lactd_store_get_samples(store, s->id, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(got->len, ==, 1200);
	g_assert_true(lactd_store_compact_samples(store, s->id, &error));
	g_clear_pointer(&got, g_array_unref);
	got = lactd_store_get_samples(store, s->id, &error);
	g_assert_cmpuint(got->len, ==, 1200);
	for (guint i = 0; i < 1200; i++) {
		LactdSample *a = &g_array_index(sent, LactdSample, i);
		LactdSample *b = &g_array_index(got, LactdSample, i);
		g_assert_cmpint(a->time_us, ==, b->time_us);
		g_assert_cmpfloat_with_epsilon(a->left_ml, b->left_ml, 1e-9);
		g_assert_cmpfloat_with_epsilon(a->right_ml, b->right_ml, 1e-9);
	}
	/* The compact form is small: a few bytes a sample. */
	{
		g_autoptr(GBytes) blob =
		    lactd_samples_encode((LactdSample *)(void *)sent->data, sent->len);
		g_test_message("1200 samples: %" G_GSIZE_FORMAT " bytes", g_bytes_get_size(blob));
		g_assert_cmpuint(g_bytes_get_size(blob), <, 1200 * 4 + 16);
	}
}

static void
test_store_weighings_devices_settings(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdWeighing) w = g_new0(LactdWeighing, 1);
	g_autoptr(GPtrArray) list = NULL;
	g_autoptr(LactdDeviceRow) row = g_new0(LactdDeviceRow, 1);
	g_autoptr(LactdDeviceRow) got = NULL;
	g_autofree char *value = NULL;

	w->time_us = 1700000000000000;
	w->grams = 123.45;
	w->stable = TRUE;
	w->device = g_strdup("AA:BB:CC:DD:EE:FF");
	w->role = g_strdup("baby");
	g_assert_true(lactd_store_add_weighing(store, w, &error));
	g_assert_true(lactd_store_set_weighing_session(store, w->id, 42, &error));
	list = lactd_store_list_weighings(store, 0, G_MAXINT64, &error);
	g_assert_cmpuint(list->len, ==, 1);
	{
		LactdWeighing *x = g_ptr_array_index(list, 0);
		g_assert_cmpfloat(x->grams, ==, 123.45);
		g_assert_cmpstr(x->role, ==, "baby");
		g_assert_cmpuint(x->session, ==, 42);
	}
	g_assert_false(lactd_store_set_weighing_session(store, 9999, 1, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND);
	g_clear_error(&error);

	row->address = g_strdup("AA:BB:CC:DD:EE:FF");
	row->name = g_strdup("Scale");
	row->kind = g_strdup("scale");
	row->plugin = g_strdup("wss");
	row->side = g_strdup("unknown");
	row->role = g_strdup("baby");
	row->enabled = FALSE;
	row->rejected_packets = 3;
	g_assert_true(lactd_store_put_device(store, row, &error));
	got = lactd_store_get_device(store, "AA:BB:CC:DD:EE:FF", &error);
	g_assert_nonnull(got);
	g_assert_cmpstr(got->role, ==, "baby");
	g_assert_false(got->enabled);
	g_assert_cmpuint(got->rejected_packets, ==, 3);
	g_assert_null(lactd_store_get_device(store, "00:00:00:00:00:00", &error));
	g_assert_no_error(error);
	g_assert_true(lactd_store_delete_device(store, "AA:BB:CC:DD:EE:FF", &error));
	g_assert_null(lactd_store_get_device(store, "AA:BB:CC:DD:EE:FF", &error));

	g_assert_null(lactd_store_get_setting(store, "plan", &error));
	g_assert_true(lactd_store_set_setting(store, "plan", "x", &error));
	value = lactd_store_get_setting(store, "plan", &error);
	g_assert_cmpstr(value, ==, "x");
}

static gint64
local_time(int y, int mo, int d, int h, int mi)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	g_autoptr(GDateTime) dt = g_date_time_new(tz, y, mo, d, h, mi, 0);

	return g_date_time_to_unix(dt) * G_USEC_PER_SEC;
}

static void
with_tz(const char *tz)
{
	g_setenv("TZ", tz, TRUE);
	tzset();
}

static void
test_store_summary_local_days(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) days = NULL;
	const char *zones[] = {"America/New_York", "Europe/Berlin", "Australia/Lord_Howe"};

	for (guint z = 0; z < G_N_ELEMENTS(zones); z++) {
		g_autoptr(GPtrArray) all = NULL;

		with_tz(zones[z]);
		all = lactd_store_list_sessions(store, 0, G_MAXINT64, &error);
		for (guint i = 0; i < all->len; i++)
			lactd_store_delete_session(
			    store, ((LactdSession *)g_ptr_array_index(all, i))->id, NULL);
		/* Around each zone's 2026 spring-forward change: 23:50 the evening
		 * before, 02:50 local on the night of the change (after the shift
		 * for Lord Howe's 02:00 -> 02:30), 23:30 that day. */
		{
			int y = 2026, mo = z == 2 ? 10 : 3, d = z == 0 ? 8 : z == 1 ? 29 : 4;
			g_autoptr(LactdSession) a = make_session(local_time(y, mo, d - 1, 23, 50), 20, 10, 10);
			g_autoptr(LactdSession) b = make_session(local_time(y, mo, d, 2, 50), 20, 5, 5);
			g_autoptr(LactdSession) c = make_session(local_time(y, mo, d, 23, 30), 20, 1, 2);
			g_autoptr(LactdSession) sup = g_new0(LactdSession, 1);
			char expect_prev[11], expect_day[11];

			g_assert_true(lactd_store_add_session(store, a, &error));
			g_assert_true(lactd_store_add_session(store, b, &error));
			g_assert_true(lactd_store_add_session(store, c, &error));
			sup->kind = LACTD_SESSION_SUPPLEMENT;
			sup->start_us = sup->end_us = local_time(y, mo, d, 12, 0);
			sup->supplement_ml = 45;
			g_assert_true(lactd_store_add_session(store, sup, &error));

			g_clear_pointer(&days, g_array_unref);
			days = lactd_store_daily_summary(store, local_time(y, mo, d - 1, 0, 0),
							 local_time(y, mo, d + 1, 0, 0), 0, 360,
							 &error);
			g_assert_no_error(error);
			g_assert_cmpuint(days->len, ==, 2);
			g_snprintf(expect_prev, sizeof(expect_prev), "%04d-%02d-%02d", y, mo, d - 1);
			g_snprintf(expect_day, sizeof(expect_day), "%04d-%02d-%02d", y, mo, d);
			{
				LactdDaySummary *p = &g_array_index(days, LactdDaySummary, 0);
				LactdDaySummary *q = &g_array_index(days, LactdDaySummary, 1);
				g_assert_cmpstr(p->day, ==, expect_prev);
				g_assert_cmpuint(p->sessions, ==, 1);
				g_assert_false(p->overnight);
				g_assert_cmpstr(q->day, ==, expect_day);
				g_assert_cmpuint(q->sessions, ==, 2);
				g_assert_true(q->overnight);
				g_assert_cmpfloat(q->total_ml, ==, 13.0);
				g_assert_cmpfloat(q->supplement_ml, ==, 45.0);
				g_assert_cmpuint(q->minutes, ==, 40);
			}
			/* The day of the change is short, and a day still ends at local midnight. */
			{
				gint64 start = lactd_local_day_start(b->start_us);
				gint64 next = lactd_local_next_day_start(b->start_us);
				g_assert_cmpint(start, ==, local_time(y, mo, d, 0, 0));
				g_assert_cmpint(next, ==, local_time(y, mo, d + 1, 0, 0));
				g_assert_cmpint(next - start, <, 24 * G_TIME_SPAN_HOUR);
			}
		}
	}
	g_unsetenv("TZ");
	tzset();
}

static void
test_store_damaged_file_moved_aside(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autoptr(LactdStore) store = NULL;
	g_autoptr(GDir) dir = NULL;
	const char *name;
	gboolean found_aside = FALSE;
	char junk[8192];

	/* Not an SQLite file at all. */
	memset(junk, 0x5a, sizeof(junk));
	g_file_set_contents(f->path, junk, sizeof(junk), &error);
	g_assert_no_error(error);
	store = lactd_store_open(f->path, &degraded, &error);
	g_assert_no_error(error);
	g_assert_nonnull(store);
	g_assert_nonnull(degraded);
	g_assert_nonnull(strstr(degraded, "moved aside"));
	dir = g_dir_open(f->dir, 0, NULL);
	while ((name = g_dir_read_name(dir)) != NULL) {
		if (strstr(name, ".corrupt-") != NULL && !g_str_has_suffix(name, "-wal") &&
		    !g_str_has_suffix(name, "-shm")) {
			g_autofree char *p = g_build_filename(f->dir, name, NULL);
			g_autofree char *kept = NULL;
			gsize len;
			g_assert_true(g_file_get_contents(p, &kept, &len, NULL));
			/* Moved, never deleted: the bytes are all there. */
			g_assert_cmpuint(len, ==, sizeof(junk));
			found_aside = TRUE;
		}
	}
	g_assert_true(found_aside);
	g_assert_cmpuint(lactd_store_schema_version(store), ==, LACTD_STORE_SCHEMA_VERSION);
}

static void
test_store_damaged_pages(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autofree char *bytes = NULL;
	gsize len;

	/* A real database whose table pages are overwritten. */
	{
		g_autoptr(LactdStore) store = open_store(f);
		for (guint i = 0; i < 200; i++) {
			g_autoptr(LactdSession) s =
			    make_session(1700000000000000 + (gint64)i * G_TIME_SPAN_HOUR, 20, 1, 1);
			g_assert_true(lactd_store_add_session(store, s, &error));
		}
	}
	g_assert_true(g_file_get_contents(f->path, &bytes, &len, NULL));
	g_assert_cmpuint(len, >, 4096 * 3);
	memset(bytes + 4096 + 100, 0xa5, len - 4096 - 200);
	g_file_set_contents(f->path, bytes, (gssize)len, &error);
	{
		g_autoptr(LactdStore) store = lactd_store_open(f->path, &degraded, &error);
		g_assert_no_error(error);
		g_assert_nonnull(store);
		g_assert_nonnull(degraded);
	}
}

/* A full disk: writes fail with a storage error, nothing stored is lost,
 * and writing works again once there is room. */
static void
test_store_full(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	sqlite3 *db = lactd_store_get_db(store);
	guint stored = 0;
	g_autofree char *limit = NULL;
	sqlite3_stmt *stmt = NULL;
	int pages;

	g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &stmt, NULL), ==, SQLITE_OK);
	g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
	pages = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	limit = g_strdup_printf("PRAGMA max_page_count = %d", pages + 4);
	g_assert_cmpint(sqlite3_exec(db, limit, NULL, NULL, NULL), ==, SQLITE_OK);
	for (guint i = 0; i < 10000; i++) {
		g_autoptr(LactdSession) s = make_session(1700000000000000 + (gint64)i * G_TIME_SPAN_HOUR, 20, 1, 1);
		g_free(s->note);
		s->note = g_strnfill(500, 'x');
		if (!lactd_store_add_session(store, s, &error))
			break;
		stored++;
	}
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_test_message("full after %u sessions: %s", stored, error->message);
	g_clear_error(&error);
	g_assert_cmpuint(stored, >, 0);
	{
		g_autoptr(GPtrArray) all = lactd_store_list_sessions(store, 0, G_MAXINT64, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(all->len, ==, stored);
	}
	g_assert_cmpint(sqlite3_exec(db, "PRAGMA max_page_count = 1000000", NULL, NULL, NULL), ==,
			SQLITE_OK);
	{
		g_autoptr(LactdSession) s = make_session(1600000000000000, 20, 1, 1);
		g_assert_true(lactd_store_add_session(store, s, &error));
		g_assert_no_error(error);
	}
}

static guint
count_statements(sqlite3 *db)
{
	guint n = 0;

	for (sqlite3_stmt *s = sqlite3_next_stmt(db, NULL); s != NULL; s = sqlite3_next_stmt(db, s))
		n++;
	return n;
}

/* Each statement is prepared once and kept: the same calls again prepare
 * nothing more, and no kept statement is left mid-step. */
static void
test_store_statements_kept(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	sqlite3 *db = lactd_store_get_db(store);
	guint after_first = 0;

	for (guint round = 0; round < 20; round++) {
		g_autoptr(LactdSession) s = make_session(1700000000000000 + round * G_TIME_SPAN_HOUR,
							 20, 1, 2);
		g_autoptr(GPtrArray) list = NULL;
		g_autoptr(LactdSession) got = NULL;
		g_autofree char *missing = NULL;

		g_assert_true(lactd_store_add_session(store, s, &error));
		got = lactd_store_get_session(store, s->id, &error);
		g_assert_no_error(error);
		list = lactd_store_list_sessions(store, 0, G_MAXINT64, &error);
		g_assert_no_error(error);
		missing = lactd_store_get_setting(store, "none", &error);
		g_assert_no_error(error);
		g_assert_null(missing);
		if (round == 0)
			after_first = count_statements(db);
		g_assert_cmpuint(count_statements(db), ==, after_first);
		for (sqlite3_stmt *k = sqlite3_next_stmt(db, NULL); k != NULL;
		     k = sqlite3_next_stmt(db, k))
			g_assert_false(sqlite3_stmt_busy(k));
	}
	g_assert_cmpuint(after_first, >, 0);
}

/* A transaction guard left without its commit rolls back; a write that
 * fails half-way leaves nothing of itself. */
static void
test_store_transaction_guard(Fixture *f, gconstpointer data)
{
	g_autoptr(LactdStore) store = open_store(f);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) first = make_session(1700000000000000, 20, 1, 2);
	g_autoptr(LactdSession) again = make_session(1700003600000000, 20, 1, 2);
	g_autoptr(GPtrArray) all = NULL;
	g_autofree char *value = NULL;

	{
		g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;
		g_assert_true(lactd_store_tx_begin(&tx, store, &error));
		g_assert_true(lactd_store_set_setting(store, "k", "v", &error));
		/* Left without a commit. */
	}
	value = lactd_store_get_setting(store, "k", &error);
	g_assert_no_error(error);
	g_assert_null(value);

	/* The second session's part is already the first's: its row is
	 * written, then the part refused, and the row rolled back. */
	first->device = g_strdup("C0:FF:EE:00:00:01");
	first->device_session = 7;
	again->device = g_strdup("C0:FF:EE:00:00:01");
	again->device_session = 7;
	g_assert_true(lactd_store_add_session(store, first, &error));
	g_assert_false(lactd_store_add_session(store, again, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE);
	g_clear_error(&error);
	g_assert_cmpuint(again->id, ==, 0);
	all = lactd_store_list_sessions(store, 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->len, ==, 1);
	/* And the store takes transactions again. */
	g_assert_true(lactd_store_set_setting(store, "k", "w", &error));
	g_clear_pointer(&value, g_free);
	value = lactd_store_get_setting(store, "k", &error);
	g_assert_cmpstr(value, ==, "w");
}

/* A child writes sessions and reports each acknowledged id on a pipe; it is
 * killed at a random point. Every acknowledged session must survive, and the
 * file must pass integrity_check. */
static void
test_store_kill_durability(Fixture *f, gconstpointer data)
{
	guint rounds = g_test_slow() ? 50 : 12;
	g_autoptr(GArray) acked = g_array_new(FALSE, FALSE, sizeof(guint64));

	for (guint round = 0; round < rounds; round++) {
		int fds[2];
		pid_t pid;
		guint target = (guint)g_test_rand_int_range(1, 60);
		guint64 id;

		g_assert_cmpint(pipe(fds), ==, 0);
		pid = fork();
		g_assert_cmpint(pid, >=, 0);
		if (pid == 0) {
			g_autofree char *degraded = NULL;
			LactdStore *store;

			close(fds[0]);
			store = lactd_store_open(f->path, &degraded, NULL);
			if (store == NULL)
				_exit(3);
			for (guint i = 0;; i++) {
				LactdSession *s = make_session(
				    1700000000000000 + (gint64)(round * 1000 + i) * G_TIME_SPAN_MINUTE,
				    1, 1, 1);
				if (!lactd_store_add_session(store, s, NULL))
					_exit(4);
				for (guint k = 0; k < 5; k++) {
					LactdSample x = {s->start_us + k, k, k};
					if (!lactd_store_append_sample(store, s->id, &x, NULL))
						_exit(5);
				}
				if (write(fds[1], &s->id, sizeof(s->id)) != sizeof(s->id))
					_exit(6);
				lactd_session_free(s);
			}
		}
		close(fds[1]);
		/* Read `target` acknowledgements, then kill mid-write. */
		for (guint i = 0; i < target; i++) {
			g_assert_cmpint(read(fds[0], &id, sizeof(id)), ==, sizeof(id));
			g_array_append_val(acked, id);
		}
		kill(pid, SIGKILL);
		/* Anything acknowledged before the kill landed counts too. */
		while (read(fds[0], &id, sizeof(id)) == sizeof(id))
			g_array_append_val(acked, id);
		close(fds[0]);
		waitpid(pid, NULL, 0);
	}

	{
		g_autoptr(LactdStore) store = open_store(f);
		sqlite3 *db = NULL;
		sqlite3_stmt *stmt = NULL;

		for (guint i = 0; i < acked->len; i++) {
			g_autoptr(GError) error = NULL;
			guint64 sid = g_array_index(acked, guint64, i);
			g_autoptr(LactdSession) s = lactd_store_get_session(store, sid, &error);
			g_autoptr(GArray) samples = NULL;
			g_assert_no_error(error);
			g_assert_nonnull(s);
			samples = lactd_store_get_samples(store, sid, &error);
			g_assert_cmpuint(samples->len, ==, 5);
		}
		g_test_message("%u acknowledged sessions survived %u kills", acked->len, rounds);
		g_assert_cmpint(sqlite3_open(f->path, &db), ==, SQLITE_OK);
		g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, NULL), ==,
				SQLITE_OK);
		g_assert_cmpint(sqlite3_step(stmt), ==, SQLITE_ROW);
		g_assert_cmpstr((const char *)sqlite3_column_text(stmt, 0), ==, "ok");
		sqlite3_finalize(stmt);
		sqlite3_close(db);
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	ADD("/store/session/roundtrip", test_store_session_roundtrip);
	ADD("/store/samples/roundtrip", test_store_samples);
	ADD("/store/weighings-devices-settings", test_store_weighings_devices_settings);
	ADD("/store/summary/local-days", test_store_summary_local_days);
	ADD("/store/damaged/not-sqlite", test_store_damaged_file_moved_aside);
	ADD("/store/damaged/pages", test_store_damaged_pages);
	ADD("/store/durability/sigkill", test_store_kill_durability);
	ADD("/store/durability/full", test_store_full);
	ADD("/store/sql/statements-kept", test_store_statements_kept);
	ADD("/store/sql/transaction-guard", test_store_transaction_guard);
	return g_test_run();
}
