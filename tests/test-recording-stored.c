/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording tests on stored captures: one larger than a page, handed out
 * by GetCapturePage and exported and imported whole by lactctl, and one
 * that goes on across a restart of lactd.
 */
#include "config.h"

#include "test-recording.h"

#define PAGE 10000	/* what GetCapturePage returns at most */
#define BIG_EVENTS 25000 /* two full pages and a half */

/* ImportCapture's arguments for a capture of @n events: a notifying and a
 * written characteristic, values counting up, a mark every 1000. */
static GVariant *
big_capture_args(guint n)
{
	GVariantBuilder ib, cb, eb;
	const gint64 start = 1700000000000000;

	g_variant_builder_init(&ib, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&ib, "{sv}", "address", g_variant_new_string(COUNTER_ADDR));
	g_variant_builder_add(&ib, "{sv}", "name", g_variant_new_string("Big"));
	g_variant_builder_add(&ib, "{sv}", "source", g_variant_new_string("test"));
	g_variant_builder_add(&ib, "{sv}", "start", g_variant_new_int64(start));
	g_variant_builder_add(&ib, "{sv}", "end", g_variant_new_int64(start + n * 1000));
	g_variant_builder_init(&cb, G_VARIANT_TYPE("a(ssqs)"));
	g_variant_builder_add(&cb, "(ssqs)", COUNTER_UUID, "read,notify", (guint16)0x12, "");
	g_variant_builder_add(&cb, "(ssqs)", "8a2f0003-6c61-6374-6400-00000000c0de", "write",
			      (guint16)0x15, "");
	g_variant_builder_init(&eb, G_VARIANT_TYPE("a(xssqays)"));
	for (guint i = 0; i < n; i++) {
		guint8 v[4] = {i & 0xff, (i >> 8) & 0xff, (i >> 16) & 0xff, 0x5a};
		g_autofree char *text = g_strdup_printf("mark %u", i);
		gboolean mark = i % 1000 == 999;
		gboolean write = i % 7 == 3;

		g_variant_builder_add(
		    &eb, "(xssq@ays)", start + (gint64)i * 1000,
		    mark ? "mark" : write ? "write" : "notify",
		    mark ? "" : write ? "8a2f0003-6c61-6374-6400-00000000c0de" : COUNTER_UUID,
		    (guint16)(mark ? 0 : write ? 0x15 : 0x12),
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, v, mark ? 0 : 1 + i % 4, 1),
		    mark ? text : "");
	}
	return g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))", g_variant_builder_end(&ib),
			     g_variant_builder_end(&cb), g_variant_builder_end(&eb));
}

static GVariant *
get_page(Fixture *f, guint64 id, guint first, guint max, guint32 *total, GError **error)
{
	g_autoptr(GVariant) r = lactd_test_call(f->c, "GetCapturePage",
						g_variant_new("(tuu)", id, first, max),
						"(a{sv}a(ssqs)a(xssqays))", error);
	g_autoptr(GVariant) info = NULL;

	if (r == NULL)
		return NULL;
	info = g_variant_get_child_value(r, 0);
	g_assert_true(g_variant_lookup(info, "events", "u", total));
	return g_variant_get_child_value(r, 2);
}

/* A capture of more events than one page: GetCapturePage hands it out a
 * page at a time, the pages together are GetCapture's events, and lactctl
 * exports it whole (reading pages) into a file that imports back equal. */
static void
test_pages(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) imported = NULL;
	g_autoptr(GVariant) whole = NULL, chars = NULL, events = NULL;
	GVariantBuilder joined;
	g_autoptr(GVariant) joined_v = NULL;
	guint64 id = 0, id2 = 0;
	guint32 total = 0;

	if (!start(f))
		return;
	/* An import this size takes a while under valgrind. */
	imported = g_dbus_connection_call_sync(f->c, "org.lactd", "/org/lactd",
					       "org.lactd.Manager1", "ImportCapture",
					       big_capture_args(BIG_EVENTS), G_VARIANT_TYPE("(t)"),
					       G_DBUS_CALL_FLAGS_NONE, 300000, NULL, &error);
	g_assert_no_error(error);
	g_variant_get(imported, "(t)", &id);
	whole = get_capture(f, id, &chars, &events);
	g_assert_cmpuint(g_variant_n_children(events), ==, BIG_EVENTS);

	g_variant_builder_init(&joined, G_VARIANT_TYPE("a(xssqays)"));
	for (guint first = 0; first < BIG_EVENTS; first += PAGE) {
		g_autoptr(GVariant) page = get_page(f, id, first, PAGE, &total, &error);

		g_assert_no_error(error);
		g_assert_cmpuint(total, ==, BIG_EVENTS);
		g_assert_cmpuint(g_variant_n_children(page), ==, MIN(PAGE, BIG_EVENTS - first));
		for (gsize i = 0; i < g_variant_n_children(page); i++) {
			g_autoptr(GVariant) ev = g_variant_get_child_value(page, i);
			g_variant_builder_add_value(&joined, ev);
		}
	}
	joined_v = g_variant_ref_sink(g_variant_builder_end(&joined));
	g_assert_true(g_variant_equal(joined_v, events));

	/* More than a page asked: a page given. Past the end: none. */
	{
		g_autoptr(GVariant) page = get_page(f, id, 5, 3 * PAGE, &total, &error);
		g_autoptr(GVariant) ev = NULL, want = NULL;

		g_assert_no_error(error);
		g_assert_cmpuint(g_variant_n_children(page), ==, PAGE);
		ev = g_variant_get_child_value(page, 0);
		want = g_variant_get_child_value(events, 5);
		g_assert_true(g_variant_equal(ev, want));
	}
	{
		g_autoptr(GVariant) page = get_page(f, id, BIG_EVENTS, 10, &total, &error);

		g_assert_no_error(error);
		g_assert_cmpuint(g_variant_n_children(page), ==, 0);
	}
	{
		g_autoptr(GVariant) page = get_page(f, id, 0, 0, &total, &error);

		g_assert_null(page);
		expect_error(error, "org.lactd.Error.InvalidArgs", "max");
		g_clear_error(&error);
	}
	{
		g_autoptr(GVariant) page = get_page(f, id + 100, 0, 10, &total, &error);

		g_assert_null(page);
		expect_error(error, "org.lactd.Error.NotFound", NULL);
		g_clear_error(&error);
	}

	/* lactctl export reads the pages; the file holds every event, and
	 * imports back as the same capture. show counts them all. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *id_s = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_autofree char *file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							 "big.lactdcap", NULL);
		const char *export[] = {lactctl, "capture", "export", id_s, file, NULL};
		const char *import[] = {lactctl, "capture", "import", file, NULL};
		const char *show[] = {lactctl, "capture", "show", id_s, NULL};
		g_autofree char *out = NULL, *err = NULL, *text = NULL;
		g_autoptr(GVariant) r2 = NULL, chars2 = NULL, events2 = NULL;
		const char *p;

		g_assert_cmpint(lactd_test_run(export, &out, &err), ==, 0);
		g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
		assert_contains(text, "events=25000\n");
		assert_contains(text, "mark 24999");
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(import, &out, &err), ==, 0);
		p = strstr(out, "as capture ");
		g_assert_nonnull(p);
		id2 = g_ascii_strtoull(p + strlen("as capture "), NULL, 10);
		g_assert_cmpuint(id2, >, id);
		r2 = get_capture(f, id2, &chars2, &events2);
		g_assert_true(g_variant_equal(chars, chars2));
		g_assert_true(g_variant_equal(events, events2));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(show, &out, &err), ==, 0);
		assert_contains(out, ", 25000 events\n");
		assert_contains(out, "---- mark \"mark 24999\"");
	}
}

/* A capture running when lactd stops goes on after it starts again. */
static void
test_restart(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) info = NULL;
	g_autofree char *db = NULL;
	guint32 before = 0;
	gboolean active = FALSE;
	guint64 id;
	Want w;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	id = start_capture(f, COUNTER_ADDR, FALSE, &error);
	g_assert_no_error(error);
	w = (Want){f, id, 4};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	db = g_strdup(lactd_test_daemon_db_path(f->daemon));
	lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);

	f->daemon = lactd_test_daemon_start(f->bus, db, NULL);
	info = capture_info(f, id);
	g_assert_nonnull(info);
	g_assert_true(g_variant_lookup(info, "active", "b", &active));
	g_assert_true(active);
	g_assert_true(g_variant_lookup(info, "events", "u", &before));
	g_assert_cmpuint(before, >=, 4);
	/* The device comes back: reads and notifications are recorded again. */
	w = (Want){f, id, before + 3};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	{
		g_autoptr(GVariant) r = lactd_test_call(f->c, "StopCapture",
							g_variant_new("(t)", (guint64)0), NULL,
							&error);
		g_assert_no_error(error);
		g_assert_nonnull(r);
	}
}

void
add_stored_tests(void)
{
	ADD("/recording/pages", test_pages);
	ADD("/recording/restart", test_restart);
}
