/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording tests on live devices: the counter's traffic recorded, shown,
 * exported, imported and deleted, refused arguments, a pump's plugin tapped
 * while it captures, and indications.
 */
#include "config.h"

#include "test-recording.h"

static void
test_counter(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	g_autoptr(GVariant) info = NULL;
	g_autoptr(GVariant) imported = NULL;
	g_autoptr(GVariant) ichars = NULL;
	g_autoptr(GVariant) ievents = NULL;
	g_autoptr(GVariant) r2 = NULL;
	guint64 id, id2 = 0;
	Want w;
	gboolean active = TRUE;
	gint64 end = 0;
	guint marks = 0;

	if (!start(f))
		return;
	g_assert_true(device_known(f));

	id = start_capture(f, COUNTER_ADDR, FALSE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(id, >, 0);
	/* A second one of the same device is refused. */
	start_capture(f, COUNTER_ADDR, FALSE, &error);
	expect_error(error, "org.lactd.Error.InvalidArgs", "already");
	g_clear_error(&error);

	/* The read of the counter, the read of the label, and notifications. */
	w = (Want){f, id, 6};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "MarkCapture", g_variant_new("(ts)", (guint64)0, "left shows 40 mL"),
			    NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	/* Stopped: nothing more arrives. */
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	expect_error(error, "org.lactd.Error.InvalidArgs", "not running");
	g_clear_error(&error);

	info = capture_info(f, id);
	g_assert_nonnull(info);
	g_assert_true(g_variant_lookup(info, "active", "b", &active));
	g_assert_false(active);
	g_assert_true(g_variant_lookup(info, "end", "x", &end));
	g_assert_cmpint(end, >, 0);

	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	/* The counter emulator's three characteristics, with flags and service. */
	g_assert_cmpuint(g_variant_n_children(chars), ==, 3);
	{
		const char *uuid, *flags, *svc;
		guint16 handle;
		g_variant_get_child(chars, 0, "(&s&sq&s)", &uuid, &flags, &handle, &svc);
		g_assert_cmpstr(uuid, ==, COUNTER_UUID);
		g_assert_cmpstr(flags, ==, "read,notify");
		g_assert_cmpuint(handle, >, 0);
		g_assert_cmpstr(svc, ==, "8a2f0001-6c61-6374-6400-00000000c0de");
	}
	g_assert_cmpuint(count_kind(events, "read", COUNTER_UUID), ==, 1);
	g_assert_cmpuint(count_kind(events, "read", "8a2f0004-6c61-6374-6400-00000000c0de"), ==, 1);
	g_assert_cmpuint(count_kind(events, "notify", COUNTER_UUID), >=, 3);
	marks = count_kind(events, "mark", NULL);
	g_assert_cmpuint(marks, ==, 1);
	/* The counter counts up by one from notification to notification. */
	{
		guint32 last = 0;
		for (gsize i = 0; i < g_variant_n_children(events); i++) {
			const char *k, *u;
			g_autoptr(GVariant) v = NULL;
			gsize len = 0;
			const guint8 *b;
			guint32 x;

			g_variant_get_child(events, i, "(x&s&sq@ay&s)", NULL, &k, &u, NULL, &v, NULL);
			if (!g_str_equal(k, "notify") || !g_str_equal(u, COUNTER_UUID))
				continue;
			b = g_variant_get_fixed_array(v, &len, 1);
			g_assert_cmpuint(len, ==, 4);
			x = (guint32)b[0] | (guint32)b[1] << 8 | (guint32)b[2] << 16 |
			    (guint32)b[3] << 24;
			if (last != 0)
				g_assert_cmpuint(x, ==, last + 1);
			last = x;
		}
	}

	/* Imported back, it reads the same. */
	{
		g_autoptr(GVariant) rinfo = g_variant_get_child_value(r, 0);
		GVariantBuilder b;
		const char *s;
		gint64 x;

		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_lookup(rinfo, "address", "&s", &s);
		g_variant_builder_add(&b, "{sv}", "address", g_variant_new_string(s));
		g_variant_lookup(rinfo, "name", "&s", &s);
		g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(s));
		g_variant_builder_add(&b, "{sv}", "source", g_variant_new_string("test"));
		g_variant_lookup(rinfo, "start", "x", &x);
		g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(x));
		g_variant_lookup(rinfo, "end", "x", &x);
		g_variant_builder_add(&b, "{sv}", "end", g_variant_new_int64(x));
		imported = lactd_test_call(f->c, "ImportCapture",
					   g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))",
							 g_variant_builder_end(&b), chars, events),
					   "(t)", &error);
		g_assert_no_error(error);
		g_variant_get(imported, "(t)", &id2);
		g_assert_cmpuint(id2, !=, id);
	}
	r2 = get_capture(f, id2, &ichars, &ievents);
	g_assert_true(g_variant_equal(chars, ichars));
	g_assert_true(g_variant_equal(events, ievents));

	/* lactctl lists both, in JSON too. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		const char *argv[] = {lactctl, "capture", "list", NULL};
		const char *jargv[] = {lactctl, "capture", "list", "--json", NULL};
		const char *bad[] = {lactctl, "capture", "stop", "nonsense", NULL};
		g_autofree char *out = NULL, *err = NULL, *jout = NULL, *jerr = NULL;
		g_autofree char *bout = NULL, *berr = NULL;

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, COUNTER_ADDR));
		g_assert_nonnull(strstr(out, "test"));
		g_assert_cmpint(lactd_test_run(jargv, &jout, &jerr), ==, 0);
		g_assert_nonnull(strstr(jout, "\"address\": \"" COUNTER_ADDR "\"") != NULL
				     ? jout
				     : strstr(jout, "\"address\":\"" COUNTER_ADDR "\""));
		g_assert_cmpint(lactd_test_run(bad, &bout, &berr), ==, 2);
	}

	/* lactctl shows it with its mark and summary, exports it as a capture
	 * file, and imports that file back as an equal capture; a damaged file
	 * is refused with its line named, and a btsnoop log is read too. */
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *id_s = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		g_autofree char *file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							 "counter.lactdcap", NULL);
		g_autofree char *bad_file = g_build_filename(lactd_test_bus_tmpdir(f->bus),
							     "bad.lactdcap", NULL);
		g_autofree char *snoop = g_test_build_filename(G_TEST_DIST, "client",
							       "fuzzing-btsnoop", "session-h4",
							       NULL);
		const char *show[] = {lactctl, "capture", "show", id_s, NULL};
		const char *export[] = {lactctl, "capture", "export", id_s, file, NULL};
		const char *import[] = {lactctl, "capture", "import", file, NULL};
		const char *import_bad[] = {lactctl, "capture", "import", bad_file, NULL};
		const char *import_snoop[] = {lactctl, "capture", "import", snoop, NULL};
		g_autofree char *out = NULL, *err = NULL, *text = NULL, *bad = NULL;
		g_autoptr(GVariant) lchars = NULL, levents = NULL, lr = NULL, list = NULL;
		guint64 id3 = 0;
		const char *p;

		g_assert_cmpint(lactd_test_run(show, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, COUNTER_UUID));
		g_assert_nonnull(strstr(out, "left shows 40 mL"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(export, &out, &err), ==, 0);
		g_assert_true(g_file_get_contents(file, &text, NULL, NULL));
		g_assert_true(g_str_has_prefix(text, "lactd-capture 1"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		g_assert_cmpint(lactd_test_run(import, &out, &err), ==, 0);
		p = strstr(out, "as capture ");
		g_assert_nonnull(p);
		id3 = g_ascii_strtoull(p + strlen("as capture "), NULL, 10);
		g_assert_cmpuint(id3, >, id);
		lr = get_capture(f, id3, &lchars, &levents);
		g_assert_true(g_variant_equal(chars, lchars));
		g_assert_true(g_variant_equal(events, levents));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);

		/* The third line damaged: refused, naming it, nothing stored. */
		{
			g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
			g_free(lines[2]);
			lines[2] = g_strdup("this is not a capture line");
			bad = g_strjoinv("\n", lines);
		}
		g_assert_true(g_file_set_contents(bad_file, bad, -1, NULL));
		g_assert_cmpint(lactd_test_run(import_bad, &out, &err), !=, 0);
		g_assert_nonnull(strstr(err, "line 3"));
		g_clear_pointer(&out, g_free);
		g_clear_pointer(&err, g_free);
		{
			g_autoptr(GVariant) lc = lactd_test_call(f->c, "ListCaptures", NULL,
								 "(aa{sv})", &error);
			g_assert_no_error(error);
			list = g_variant_get_child_value(lc, 0);
			g_assert_cmpuint(g_variant_n_children(list), ==, 3); /* id, id2, id3 */
		}

		g_assert_cmpint(lactd_test_run(import_snoop, &out, &err), ==, 0);
		g_assert_nonnull(strstr(out, "as capture "));
		g_clear_pointer(&r, g_variant_unref);
		r = lactd_test_call(f->c, "DeleteCapture", g_variant_new("(t)", id3), NULL, &error);
		g_assert_no_error(error);
	}

	/* Deleted, it is gone; a running one cannot be. */
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "DeleteCapture", g_variant_new("(t)", id2), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "GetCapture", g_variant_new("(t)", id2), NULL, &error);
	expect_error(error, "org.lactd.Error.NotFound", NULL);
	g_clear_error(&error);
}

static void
test_bad_args(Fixture *f, gconstpointer data)
{
	static const struct {
		const char *method;
		const char *args;
		const char *error;
		const char *part;
	} cases[] = {
	    {"StartCapture", "('nonsense', false)", "InvalidArgs", "address"},
	    {"StartCapture", "('C0:FF:EE:00:00:99', false)", "NotFound", "address"},
	    {"StartCapture", "('C0:FF:EE:00:00:0A', false)", "InvalidArgs", "not paired"},
	    {"StartCapture", "('" PUMP_ADDR "', false)", "InvalidArgs", "opp"},
	    {"StopCapture", "(@t 0,)", "InvalidArgs", "id"},
	    {"StopCapture", "(@t 77,)", "InvalidArgs", "id"},
	    {"MarkCapture", "(@t 0, '')", "InvalidArgs", "text"},
	    {"MarkCapture", "(@t 0, 'x')", "InvalidArgs", "id"},
	    {"GetCapture", "(@t 77,)", "NotFound", NULL},
	    {"DeleteCapture", "(@t 77,)", "NotFound", NULL},
	    {"ImportCapture", "({'bogus': <1>}, @a(ssqs) [], @a(xssqays) [])", "InvalidArgs",
	     "info.bogus"},
	    {"ImportCapture", "({'source': <1>}, @a(ssqs) [], @a(xssqays) [])", "InvalidArgs",
	     "info.source"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 5>}, @a(ssqs) [], "
			      "@a(xssqays) [])",
	     "InvalidArgs", "info.end"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>, 'address': "
			      "<'zz'>}, @a(ssqs) [], @a(xssqays) [])",
	     "InvalidArgs", "info.address"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "[('180f', '', @q 0, '')], @a(xssqays) [])",
	     "InvalidArgs", "characteristics[0].uuid"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'shout', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].kind"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 30, 'notify', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].time"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'mark', '', @q 0, @ay [], '')])",
	     "InvalidArgs", "events[0].text"},
	    {"ImportCapture", "({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, "
			      "@a(ssqs) [], [(@x 12, 'notify', '', @q 0, @ay [], 'hi')])",
	     "InvalidArgs", "events[0].text"},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autofree char *big = NULL;
	GString *s;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GVariant) args = g_variant_parse(NULL, cases[i].args, NULL, NULL, &error);
		g_autofree char *name = g_strconcat("org.lactd.Error.", cases[i].error, NULL);

		g_assert_no_error(error);
		r = lactd_test_call(f->c, cases[i].method, g_steal_pointer(&args), NULL, &error);
		g_assert_null(r);
		expect_error(error, name, cases[i].part);
		g_clear_error(&error);
	}
	/* A value longer than an attribute can be. */
	s = g_string_new("({'source': <'t'>, 'start': <@x 10>, 'end': <@x 20>}, @a(ssqs) [], "
			 "[(@x 12, 'notify', '', @q 0, @ay [");
	for (guint i = 0; i < 513; i++)
		g_string_append(s, i == 0 ? "0" : ",0");
	g_string_append(s, "], '')])");
	big = g_string_free(s, FALSE);
	{
		g_autoptr(GVariant) args = g_variant_parse(NULL, big, NULL, NULL, &error);
		g_assert_no_error(error);
		r = lactd_test_call(f->c, "ImportCapture", g_steal_pointer(&args), NULL, &error);
		expect_error(error, "org.lactd.Error.InvalidArgs", "events[0].value");
		g_clear_error(&error);
	}
	/* Nothing was stored by any of them. */
	r = lactd_test_call(f->c, "ListCaptures", NULL, "(aa{sv})", &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) list = g_variant_get_child_value(r, 0);
		g_assert_cmpuint(g_variant_n_children(list), ==, 0);
	}
}

typedef struct {
	Fixture *f;
	guint n;
} Count;

static gboolean
ended_n(gpointer user_data)
{
	Count *c = user_data;
	return c->f->ended >= c->n;
}

/* The pump's plugin keeps capturing its session while the recording taps
 * what the plugin reads, receives and writes. */
static void
test_raw_pump(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	g_autoptr(GVariant) sessions = NULL;
	Count c = {f, 1};
	guint64 id;

	if (!start(f))
		return;
	g_assert_true(device_known(f));
	id = start_capture(f, PUMP_ADDR, TRUE, &error);
	g_assert_no_error(error);
	g_assert_true(lactd_test_wait_for(ended_n, &c, 60000));
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	g_assert_cmpuint(g_variant_n_children(chars), >, 0);
	g_assert_cmpuint(count_kind(events, "notify", NULL) + count_kind(events, "indicate", NULL),
			 >, 0);
	/* The session was captured as usual, with its volumes. */
	sessions = lactd_test_call(f->c, "ListSessions",
				   g_variant_new("(xx)", (gint64)0, G_MAXINT64), "(aa{sv})", &error);
	g_assert_no_error(error);
	{
		g_autoptr(GVariant) list = g_variant_get_child_value(sessions, 0);
		g_autoptr(GVariant) s = NULL;
		double total = 0;

		g_assert_cmpuint(g_variant_n_children(list), ==, 1);
		s = g_variant_get_child_value(list, 0);
		g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
		g_assert_cmpfloat_with_epsilon(total, 50.0, 0.05);
	}
}

/* A characteristic that indicates (and does not notify) is recorded as
 * indications, and shown as such. */
static void
test_indicate(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) chars = NULL;
	g_autoptr(GVariant) events = NULL;
	guint64 id;
	Want w;

	if (!start(f))
		return;
	g_assert_true(lactd_test_wait_property(f->c, "org.lactd",
					       "/org/lactd/devices/C0_FF_EE_00_00_0B",
					       "org.lactd.Device1", "Address", 20000));
	id = start_capture(f, INDICATOR_ADDR, FALSE, &error);
	g_assert_no_error(error);
	w = (Want){f, id, 5};
	g_assert_true(lactd_test_wait_for(has_events, &w, 30000));
	r = lactd_test_call(f->c, "StopCapture", g_variant_new("(t)", id), NULL, &error);
	g_assert_no_error(error);
	g_clear_pointer(&r, g_variant_unref);
	r = get_capture(f, id, &chars, &events);
	{
		const char *uuid, *flags;
		g_variant_get_child(chars, 0, "(&s&sq&s)", &uuid, &flags, NULL, NULL);
		g_assert_cmpstr(uuid, ==, COUNTER_UUID);
		g_assert_cmpstr(flags, ==, "read,indicate");
	}
	g_assert_cmpuint(count_kind(events, "indicate", COUNTER_UUID), >=, 2);
	g_assert_cmpuint(count_kind(events, "notify", COUNTER_UUID), ==, 0);
	g_assert_cmpuint(count_kind(events, "read", COUNTER_UUID), ==, 1);
	{
		g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
		g_autofree char *ids = g_strdup_printf("%" G_GUINT64_FORMAT, id);
		const char *argv[] = {lactctl, "capture", "show", ids, NULL};
		g_autofree char *out = NULL, *err = NULL;
		g_autofree char *want = g_strdup_printf(
		    ": 0 notify, %u indicate, 1 read, 0 write",
		    count_kind(events, "indicate", COUNTER_UUID));

		g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
		assert_contains(out, "indicate 0x");
		assert_contains(out, want);
	}
}

void
add_live_tests(void)
{
	ADD("/recording/counter", test_counter);
	ADD("/recording/bad-args", test_bad_args);
	ADD("/recording/raw-pump", test_raw_pump);
	ADD("/recording/indicate", test_indicate);
}
