/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The bulk methods, ListSessionsFd and GetDailySummaryFd, through a real
 * dbus-daemon and the real lactd: what lactctl reads from their sealed
 * memfd is exactly what ListSessions and GetDailySummary return for the same
 * data and range, absent values absent; the fd is sealed; the per-caller
 * bound applies; and lactctl's reader refuses damaged content with an
 * error instead of crashing.
 */
#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lactctl-list.h"
#include "lactd-reply-memory.h"
#include "lactd-session-columns.h"
#include "lactd-test.h"

typedef struct {
	LactdTestBus *bus;
	LactdTestDaemon *daemon;
	GDBusConnection *c;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	f->c = lactd_test_bus_connect(f->bus);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_object(&f->c);
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

static void
add(Fixture *f, GVariant *dict)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r =
	    lactd_test_call(f->c, "AddSession", g_variant_new("(@a{sv})", dict), "(t)", &error);

	g_assert_no_error(error);
}

/* Sessions of every shape over three days: both sides measured, one side,
 * none (a feed at the breast), a supplement, a note. Each day's begin at
 * 10:00 local time (lactd's days are local, and its zone is the test's),
 * so that none crosses midnight whatever the hour the test runs at. */
static gint64
add_sessions(Fixture *f)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_local();
	g_autoptr(GDateTime) morning =
	    g_date_time_new_local(g_date_time_get_year(now), g_date_time_get_month(now),
				  g_date_time_get_day_of_month(now), 10, 0, 0);
	gint64 t = g_date_time_to_unix(morning) * G_USEC_PER_SEC - 3 * G_TIME_SPAN_DAY;

	for (guint d = 0; d < 3; d++, t += G_TIME_SPAN_DAY) {
		add(f, g_variant_new_parsed("{'kind': <'pump'>, 'start': <%x>, 'end': <%x>, "
					    "'left_ml': <62.4>, 'right_ml': <48.0>}",
					    t, t + 20 * G_TIME_SPAN_MINUTE));
		add(f, g_variant_new_parsed("{'kind': <'hand'>, 'start': <%x>, 'end': <%x>, "
					    "'left_ml': <12.3>, 'note': <'only the left, «ok»'>}",
					    t + G_TIME_SPAN_HOUR, t + G_TIME_SPAN_HOUR + 600000000));
		if (d == 1)
			add(f, g_variant_new_parsed(
				   "{'kind': <'supplement'>, 'start': <%x>, 'end': <%x>, "
				   "'supplement_ml': <30.0>, 'method': <'cup'>, 'milk': <'donor'>}",
				   t + 2 * G_TIME_SPAN_HOUR, t + 2 * G_TIME_SPAN_HOUR + 300000000));
	}
	/* A day with only a feed at the breast: nothing measured that day. */
	t -= 6 * G_TIME_SPAN_DAY;
	add(f, g_variant_new_parsed("{'kind': <'nursing'>, 'start': <%x>, 'end': <%x>}", t,
				    t + 900000000));
	return t;
}

/* Calls a bulk method and returns its fd, checked to be one fd. */
static int
call_fd(GDBusConnection *c, const char *method, gint64 from, gint64 to, GError **error)
{
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_with_unix_fd_list_sync(
	    c, "org.lactd", "/org/lactd", "org.lactd.Manager1", method,
	    g_variant_new("(xx)", from, to), G_VARIANT_TYPE("(h)"), G_DBUS_CALL_FLAGS_NONE, 10000,
	    NULL, &fds, NULL, error);
	gint32 h;

	if (r == NULL)
		return -1;
	g_variant_get(r, "(h)", &h);
	g_assert_nonnull(fds);
	g_assert_cmpint(g_unix_fd_list_get_length(fds), ==, 1);
	g_assert_cmpint(h, ==, 0);
	return g_unix_fd_list_get(fds, 0, NULL);
}

static GVariant *
old_rows(Fixture *f, const char *method, gint64 from, gint64 to)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, method, g_variant_new("(xx)", from, to),
						"(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

/* The fd of @fd_method over [from, to) read as lactctl reads it equals
 * @method's reply, and lactctl's listing gives the same. */
static void
assert_same(Fixture *f, const LactdRecord *rec, const char *fd_method, const char *method,
	    gint64 from, gint64 to, gsize expect_rows)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) old = old_rows(f, method, from, to);
	g_autoptr(GVariant) columns = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) listed = NULL;
	int fd = call_fd(f->c, fd_method, from, to, &error);
	int seals;

	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	seals = fcntl(fd, F_GET_SEALS);
	g_assert_cmpint(seals & (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW),
			==, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW);
	g_assert_cmpint(write(fd, "x", 1), ==, -1);
	columns = lactctl_columns_read_fd(fd, &error);
	close(fd);
	g_assert_no_error(error);
	rows = lactctl_columns_to_rows(rec, columns, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_variant_n_children(old), ==, expect_rows);
	if (!g_variant_equal(rows, old)) {
		g_autofree char *a = g_variant_print(rows, FALSE);
		g_autofree char *b = g_variant_print(old, FALSE);
		g_error("%s gave\n%s\n%s gave\n%s", fd_method, a, method, b);
	}
	g_assert_true(lactctl_list_rows(f->c, rec, fd_method, method, from, to, &listed, &error));
	g_assert_no_error(error);
	g_assert_true(g_variant_equal(listed, old));
}

static void
test_sessions_fd(Fixture *f, gconstpointer data)
{
	gint64 first = add_sessions(f);

	assert_same(f, &lactd_session_table, "ListSessionsFd", "ListSessions", 0, G_MAXINT64, 8);
	/* A range that cuts the list: the nursing session only, then the rest
	 * (the three days begin three days after it). */
	assert_same(f, &lactd_session_table, "ListSessionsFd", "ListSessions", first,
		    first + G_TIME_SPAN_HOUR, 1);
	assert_same(f, &lactd_session_table, "ListSessionsFd", "ListSessions",
		    first + 3 * G_TIME_SPAN_DAY - 1, G_MAXINT64, 7);
	/* Nothing in range. */
	assert_same(f, &lactd_session_table, "ListSessionsFd", "ListSessions", 0, 1000, 0);
}

static void
test_days_fd(Fixture *f, gconstpointer data)
{
	gint64 first = add_sessions(f);
	g_autoptr(GVariant) days = old_rows(f, "GetDailySummary", first, first + G_TIME_SPAN_HOUR);
	g_autoptr(GVariant) day = g_variant_get_child_value(days, 0);
	double v;

	/* The nursing day measured nothing: no volume, never 0. */
	g_assert_false(g_variant_lookup(day, "total_ml", "d", &v));
	g_assert_false(g_variant_lookup(day, "supplement_ml", "d", &v));
	assert_same(f, &lactd_day_table, "GetDailySummaryFd", "GetDailySummary", 0, G_MAXINT64, 4);
	assert_same(f, &lactd_day_table, "GetDailySummaryFd", "GetDailySummary", first,
		    first + G_TIME_SPAN_HOUR, 1);
	assert_same(f, &lactd_day_table, "GetDailySummaryFd", "GetDailySummary", 0, 1000, 0);
}

/* A daemon without the bulk method (here: a method name it does not have)
 * answers UnknownMethod, and lactctl asks with the old method instead; any
 * other error is the caller's. */
static void
test_older_daemon(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) old = NULL;
	g_autoptr(GVariant) rows = NULL;

	add_sessions(f);
	old = old_rows(f, "ListSessions", 0, G_MAXINT64);
	g_assert_true(lactctl_list_rows(f->c, &lactd_session_table, "ListSessionsFdNotHere",
					"ListSessions", 0, G_MAXINT64, &rows, &error));
	g_assert_no_error(error);
	g_assert_true(g_variant_equal(rows, old));
	g_clear_pointer(&rows, g_variant_unref);
	g_assert_false(lactctl_list_rows(f->c, &lactd_session_table, "ListSessionsFd",
					 "ListSessions", 10, 5, &rows, &error));
	g_assert_true(g_dbus_error_is_remote_error(error));
	g_assert_null(rows);
}

static void
test_empty_database(Fixture *f, gconstpointer data)
{
	assert_same(f, &lactd_session_table, "ListSessionsFd", "ListSessions", 0, G_MAXINT64, 0);
	assert_same(f, &lactd_day_table, "GetDailySummaryFd", "GetDailySummary", 0, G_MAXINT64, 0);
}

static void
test_invalid_range(Fixture *f, gconstpointer data)
{
	const char *methods[] = {"ListSessionsFd", "GetDailySummaryFd"};

	for (guint i = 0; i < G_N_ELEMENTS(methods); i++) {
		g_autoptr(GError) error = NULL;
		g_autofree char *remote = NULL;

		g_assert_cmpint(call_fd(f->c, methods[i], 10, 5, &error), ==, -1);
		remote = g_dbus_error_get_remote_error(error);
		g_assert_cmpstr(remote, ==, "org.lactd.Error.InvalidArgs");
	}
}

typedef struct {
	guint pending, ok, refused, other;
} Flood;

static void
flood_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Flood *fl = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_with_unix_fd_list_finish(
	    G_DBUS_CONNECTION(source), &fds, res, &error);

	if (r != NULL)
		fl->ok++;
	else {
		g_autofree char *remote = g_dbus_error_get_remote_error(error);
		if (g_strcmp0(remote, "org.lactd.Error.LimitExceeded") == 0)
			fl->refused++;
		else
			fl->other++;
	}
	fl->pending--;
}

/* A client that sends bulk calls faster than they are answered meets the
 * same per-caller bound as with any method; the others go on. */
static void
test_caller_limit(Fixture *f, gconstpointer data)
{
	Flood fl = {0};
	g_autoptr(GError) error = NULL;
	int fd;

	add_sessions(f);
	for (guint i = 0; i < 64; i++) {
		fl.pending++;
		g_dbus_connection_call_with_unix_fd_list(
		    f->c, "org.lactd", "/org/lactd", "org.lactd.Manager1",
		    i % 2 ? "ListSessionsFd" : "GetDailySummaryFd",
		    g_variant_new("(xx)", (gint64)0, G_MAXINT64), G_VARIANT_TYPE("(h)"),
		    G_DBUS_CALL_FLAGS_NONE, 20000, NULL, NULL, flood_done, &fl);
	}
	while (fl.pending > 0)
		g_main_context_iteration(NULL, TRUE);
	g_test_message("flood of 64: %u answered, %u refused", fl.ok, fl.refused);
	g_assert_cmpuint(fl.other, ==, 0);
	g_assert_cmpuint(fl.refused, >, 0);
	g_assert_cmpuint(fl.ok, >=, 1);
	/* Once answered, the client may call again. */
	fd = call_fd(f->c, "ListSessionsFd", 0, G_MAXINT64, &error);
	g_assert_no_error(error);
	close(fd);
}

/* ---- lactctl's reader, given what a damaged or hostile daemon might pass ---- */

static int
memfd_with(gconstpointer data, gsize size, gboolean seal)
{
	int fd = memfd_create("test-columns", MFD_CLOEXEC | MFD_ALLOW_SEALING);

	g_assert_cmpint(fd, >=, 0);
	g_assert_cmpint(write(fd, data, size), ==, (gssize)size);
	if (seal)
		g_assert_cmpint(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW),
				==, 0);
	return fd;
}

/* What @data in a sealed memfd gives: NULL and an error, or rows. */
static GVariant *
read_rows(gconstpointer data, gsize size, gboolean seal, GError **error)
{
	int fd = memfd_with(data, size, seal);
	g_autoptr(GVariant) columns = lactctl_columns_read_fd(fd, error);

	close(fd);
	if (columns == NULL)
		return NULL;
	return lactctl_columns_to_rows(&lactd_session_table, columns, error);
}

static void
assert_refused(gconstpointer data, gsize size, gboolean seal, const char *what)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) rows = read_rows(data, size, seal, &error);

	g_assert_null(rows);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_test_message("%s: %s", what, error->message);
	g_assert_nonnull(strstr(error->message, "lactd's bulk reply"));
}

static void
test_reader_damaged(void)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new();
	LactdSession s = {.id = 7, .kind = LACTD_SESSION_HAND, .start_us = 1, .end_us = 2,
			  .left_ml = 12.3, .has_volume = TRUE, .left_measured = TRUE,
			  .note = (char *)"a note"};
	g_autoptr(GVariant) good = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GError) error = NULL;
	const char *data;
	gsize size;
	guint8 garbage[4096];

	/* A good content, made by the daemon's own code: one session. */
	g_ptr_array_add(sessions, &s);
	good = g_variant_ref_sink(lactd_session_columns_new(sessions));
	data = g_variant_get_data(good);
	size = g_variant_get_size(good);
	rows = read_rows(data, size, TRUE, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_variant_n_children(rows), ==, 1);

	/* Unsealed: refused before it is mapped. */
	assert_refused(data, size, FALSE, "unsealed");
	/* Truncated at every length: an error each time, never a crash. */
	for (gsize cut = 0; cut < size; cut += MAX(1, size / 97))
		if (cut > 0)
			assert_refused(data, cut, TRUE, "truncated");
	/* Garbage. */
	for (guint round = 0; round < 50; round++) {
		g_autoptr(GError) e = NULL;
		g_autoptr(GVariant) r = NULL;
		gsize n = (gsize)g_test_rand_int_range(1, sizeof(garbage));

		for (gsize i = 0; i < n; i++)
			garbage[i] = (guint8)g_test_rand_int_range(0, 256);
		r = read_rows(garbage, n, TRUE, &e);
		g_assert_true(r == NULL && e != NULL);
	}
	/* One byte changed inside a string, a note or an enum's name: not
	 * UTF-8, or a NUL in the middle. The string columns are checked by
	 * lactctl's own reader, not by GVariant, so each case is tried. */
	{
		static const struct {
			const char *text;
			gsize len;
			guint8 byte;
		} cases[] = {
		    {"a note", 6, 0xff}, {"a note", 6, 0x00}, {"a note", 6, 0xc3},
		    {"hand", 5, 0xff},	 {"hand", 5, 0x00},
		};

		for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
			g_autofree guint8 *copy = g_memdup2(data, size);
			const guint8 *at = memmem(copy, size, cases[i].text, cases[i].len);

			g_assert_nonnull(at);
			copy[(at - copy) + 1] = cases[i].byte;
			assert_refused(copy, size, TRUE, "a damaged string");
		}
	}
	/* A boolean other than 0 or 1, in each boolean column in turn: not in
	 * normal form. lactctl checks the number columns on their bytes, not
	 * through GVariant, so each is tried. */
	{
		GVariantIter iter;
		const char *key;
		GVariant *value;
		guint tried = 0;

		g_variant_iter_init(&iter, good);
		while (g_variant_iter_next(&iter, "{&sv}", &key, &value)) {
			if (g_variant_is_of_type(value, G_VARIANT_TYPE("ab")) &&
			    g_variant_get_size(value) > 0) {
				g_autofree guint8 *copy = g_memdup2(data, size);
				gsize at = (gsize)((const char *)g_variant_get_data(value) - data);

				g_assert_cmpuint(at, <, size);
				copy[at] = 2;
				g_test_message("boolean column %s", key);
				assert_refused(copy, size, TRUE, "a boolean of 2");
				tried++;
			}
			g_variant_unref(value);
		}
		g_assert_cmpuint(tried, >=, 3);
	}
	/* Well-formed, but a column missing, or of another length. */
	{
		g_autoptr(GVariant) missing = g_variant_ref_sink(
		    g_variant_new_parsed("{'id': <@at [1, 2]>, 'kind': <['pump', 'hand']>}"));
		g_autoptr(GVariant) uneven = g_variant_ref_sink(
		    g_variant_new_parsed("{'id': <@at [1, 2]>, 'kind': <['pump']>}"));

		assert_refused(g_variant_get_data(missing), g_variant_get_size(missing), TRUE,
			       "missing column");
		assert_refused(g_variant_get_data(uneven), g_variant_get_size(uneven), TRUE,
			       "uneven columns");
	}
	/* Not a memfd at all: a pipe. */
	{
		int p[2];
		g_autoptr(GVariant) v = NULL;

		g_assert_cmpint(pipe(p), ==, 0);
		v = lactctl_columns_read_fd(p[0], &error);
		g_assert_null(v);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		close(p[0]);
		close(p[1]);
	}
}

/* The bytes lactd_columns_to_memfd writes, read back from its fd. */
static GBytes *
memfd_bytes(GVariant *columns)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GByteArray) out = g_byte_array_new();
	int fd = lactd_columns_to_memfd(columns, &error);
	guint8 buf[65536];
	ssize_t r;

	g_assert_no_error(error);
	g_assert_cmpint(fd, >=, 0);
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		g_byte_array_append(out, buf, (guint)r);
	g_assert_cmpint(r, ==, 0);
	close(fd);
	return g_byte_array_free_to_bytes(g_steal_pointer(&out));
}

static void
assert_same_bytes(GVariant *columns, const char *what)
{
	g_autoptr(GVariant) sunk = g_variant_ref_sink(columns);
	g_autoptr(GBytes) written = memfd_bytes(sunk);
	gsize size;
	const guint8 *data = g_bytes_get_data(written, &size);

	g_test_message("%s: %" G_GSIZE_FORMAT " bytes", what, size);
	/* Exactly what GVariant itself serialises (on a little-endian
	 * machine; a big-endian one writes GVariant's own bytes swapped). */
	g_assert_cmpmem(data, size, g_variant_get_data(sunk), g_variant_get_size(sunk));
}

/* "measured" has no column: lactctl lists its words again from the columns
 * of left_measured, right_measured and weighed_ml. Every shape of it comes
 * back as ListSessions gives it: no side, each side, both, weighed alone
 * (0 mL too) or with a side, a supplement, and a row from before the sides were kept
 * (has_volume alone: both sides). */
static void
test_reader_words(void)
{
	static const struct {
		gboolean has_volume, left, right;
		double extra_ml;
		gboolean weighed;
		LactdSessionKind kind;
		const char *measured;
	} shapes[] = {
	    {FALSE, FALSE, FALSE, 0, FALSE, LACTD_SESSION_NURSING, ""},
	    {TRUE, TRUE, FALSE, 0, FALSE, LACTD_SESSION_PUMP, "left"},
	    {TRUE, FALSE, TRUE, 0, FALSE, LACTD_SESSION_PUMP, "right"},
	    {TRUE, TRUE, TRUE, 0, FALSE, LACTD_SESSION_PUMP, "left right"},
	    {FALSE, FALSE, FALSE, 42.5, TRUE, LACTD_SESSION_NURSING, "weighed"},
	    /* A baby weighed before and after who took nothing. */
	    {FALSE, FALSE, FALSE, 0, TRUE, LACTD_SESSION_NURSING, "weighed"},
	    {TRUE, TRUE, FALSE, 12.0, TRUE, LACTD_SESSION_PUMP, "left weighed"},
	    {TRUE, FALSE, FALSE, 0, FALSE, LACTD_SESSION_PUMP, "left right"},
	    {FALSE, FALSE, FALSE, 0, FALSE, LACTD_SESSION_SUPPLEMENT, ""},
	};
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);
	g_autoptr(GVariant) columns = NULL;
	g_autoptr(GVariant) rows = NULL;
	g_autoptr(GVariant) measured = NULL;
	g_autoptr(GError) error = NULL;

	for (guint i = 0; i < G_N_ELEMENTS(shapes); i++) {
		LactdSession *s = g_new0(LactdSession, 1);
		s->id = i + 1;
		s->kind = shapes[i].kind;
		s->start_us = (gint64)i * G_TIME_SPAN_HOUR;
		s->end_us = s->start_us + 15 * G_TIME_SPAN_MINUTE;
		s->has_volume = shapes[i].has_volume;
		s->left_measured = shapes[i].left;
		s->right_measured = shapes[i].right;
		s->left_ml = s->left_measured ? 20.0 : 0;
		s->right_ml = s->right_measured ? 18.5 : 0;
		s->extra_ml = shapes[i].extra_ml;
		s->weighed = shapes[i].weighed;
		g_ptr_array_add(sessions, s);
	}
	columns = g_variant_ref_sink(lactd_session_columns_new(sessions));
	measured = g_variant_lookup_value(columns, "measured", NULL);
	g_assert_null(measured);
	rows = lactctl_columns_to_rows(&lactd_session_table, columns, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(g_variant_n_children(rows), ==, G_N_ELEMENTS(shapes));
	for (guint i = 0; i < G_N_ELEMENTS(shapes); i++) {
		g_autoptr(GVariant) row = g_variant_get_child_value(rows, i);
		g_autoptr(GVariant) want =
		    g_variant_ref_sink(lactd_record_to_variant(&lactd_session_table,
							       sessions->pdata[i]));
		g_autofree const char **words = NULL;
		g_autofree char *joined = NULL;

		g_assert_true(g_variant_lookup(row, "measured", "^a&s", &words));
		joined = g_strjoinv(" ", (GStrv)words);
		g_assert_cmpstr(joined, ==, shapes[i].measured);
		if (!g_variant_equal(row, want)) {
			g_autofree char *a = g_variant_print(row, FALSE);
			g_autofree char *b = g_variant_print(want, FALSE);
			g_error("shape %u: the columns gave\n%s\nListSessions gives\n%s", i, a, b);
		}
	}
}

/* The memfd's a{sv} is laid out by lactd-columns-fd.c, not by GVariant:
 * byte for byte what GVariant gives, for every framing width of the entries
 * and the array, every key padding, empty values and an empty reply. */
static void
test_memfd_bytes(void)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);
	GVariantBuilder b;
	g_autofree guint8 *big = g_malloc0(70000);

	for (guint i = 0; i < 3000; i++) {
		LactdSession *s = g_new0(LactdSession, 1);
		s->id = i + 1;
		s->kind = LACTD_SESSION_PUMP;
		s->start_us = (gint64)i * 3600 * G_USEC_PER_SEC;
		s->end_us = s->start_us + 900 * G_USEC_PER_SEC;
		s->left_ml = i * 0.5;
		s->has_volume = i % 3 != 0;
		s->left_measured = s->has_volume;
		s->note = i % 7 == 0 ? (char *)"a note to be read by the consultant" : NULL;
		g_ptr_array_add(sessions, s);
		if (i == 0 || i == 2 || i == 2999) {
			g_autoptr(GPtrArray) some = g_ptr_array_new();
			for (guint k = 0; k < sessions->len; k++)
				g_ptr_array_add(some, sessions->pdata[k]);
			assert_same_bytes(lactd_session_columns_new(some), "sessions");
		}
	}

	/* Keys of 1 to 9 bytes (every padding), values of every alignment,
	 * entries of 1- and 2-byte framing, an empty array. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "a", g_variant_new_byte(1));
	g_variant_builder_add(&b, "{sv}", "ab", g_variant_new_int64(-2));
	g_variant_builder_add(&b, "{sv}", "abcdefg", g_variant_new_string("x"));
	g_variant_builder_add(&b, "{sv}", "abcdefgh", g_variant_new_fixed_array(G_VARIANT_TYPE_INT64, NULL, 0, 8));
	g_variant_builder_add(&b, "{sv}", "abcdefghi",
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, big, 300, 1));
	g_variant_builder_add(&b, "{sv}", "u", g_variant_new_uint32(3));
	assert_same_bytes(g_variant_builder_end(&b), "small");

	/* An entry over 64 KiB: 4-byte framing in the entry and the array. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "big",
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, big, 70000, 1));
	g_variant_builder_add(&b, "{sv}", "after", g_variant_new_double(1.5));
	assert_same_bytes(g_variant_builder_end(&b), "big");

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	assert_same_bytes(g_variant_builder_end(&b), "empty");
}

static GVariant *
some_session_columns(guint n)
{
	g_autoptr(GPtrArray) sessions = g_ptr_array_new_with_free_func(g_free);

	for (guint i = 0; i < n; i++) {
		LactdSession *s = g_new0(LactdSession, 1);
		s->id = i + 1;
		s->start_us = (gint64)i * 3600 * G_USEC_PER_SEC;
		s->end_us = s->start_us + 900 * G_USEC_PER_SEC;
		s->note = i % 3 == 0 ? (char *)"a note" : NULL;
		g_ptr_array_add(sessions, s);
	}
	return g_variant_ref_sink(lactd_session_columns_new(sessions));
}

/* The columns' buffers are kept when a reply is done and taken again by the
 * same columns of the next one; at most LACTD_REPLY_MEMORY_MAX_BYTES; all
 * freed once the replies stop. */
static void
test_reply_memory(void)
{
	guint releases = lactd_reply_memory_releases();
	GVariant *columns;
	gsize during, kept, cap_a, cap_b, cap_c;
	guint8 *a, *b, *c;
	int tags[2];

	/* What earlier tests in this process left is freed first. */
	lactd_reply_memory_set_keep_ms(1);
	lactd_reply_memory_used();
	lactd_test_idle_for(100);
	g_assert_cmpuint(lactd_reply_memory_kept_bytes(), ==, 0);
	releases = lactd_reply_memory_releases();
	lactd_reply_memory_set_keep_ms(300);
	lactd_reply_memory_used();

	/* A reply's columns, done: their buffers are kept (the string
	 * columns' end offsets already when the columns are made). */
	columns = some_session_columns(3000);
	during = lactd_reply_memory_kept_bytes();
	g_variant_unref(columns);
	kept = lactd_reply_memory_kept_bytes();
	g_test_message("kept: %zu bytes while the reply lives, %zu after", during, kept);
	g_assert_cmpuint(kept, >=, during + 3000 * 8 * 4);
	/* The next reply takes every one of them back, each by its column. */
	columns = some_session_columns(3000);
	g_assert_cmpuint(lactd_reply_memory_kept_bytes(), ==, during);
	g_variant_unref(columns);
	g_assert_cmpuint(lactd_reply_memory_kept_bytes(), ==, kept);

	/* By tag, then the smallest that is large enough. */
	a = lactd_reply_memory_take(&tags[0], 100000, &cap_a);
	b = lactd_reply_memory_take(&tags[1], 200000, &cap_b);
	lactd_reply_memory_give(&tags[0], a, cap_a);
	lactd_reply_memory_give(&tags[1], b, cap_b);
	g_assert_true(lactd_reply_memory_take(&tags[1], 100, &cap_c) == b);
	g_assert_cmpuint(cap_c, ==, cap_b);
	c = lactd_reply_memory_take(NULL, 100, &cap_c);
	g_assert_true(c != a); /* the smallest large enough: a column's, not a */
	lactd_reply_memory_give(NULL, c, cap_c);
	lactd_reply_memory_give(&tags[1], b, cap_b);
	/* More than is kept at most: freed at once. */
	kept = lactd_reply_memory_kept_bytes();
	lactd_reply_memory_give(NULL, g_malloc(LACTD_REPLY_MEMORY_MAX_BYTES), LACTD_REPLY_MEMORY_MAX_BYTES);
	g_assert_cmpuint(lactd_reply_memory_kept_bytes(), ==, kept);

	/* The replies stop: all is freed. */
	lactd_test_idle_for(1000);
	g_assert_cmpuint(lactd_reply_memory_kept_bytes(), ==, 0);
	g_assert_cmpuint(lactd_reply_memory_releases(), ==, releases + 1);
	lactd_reply_memory_set_keep_ms(LACTD_REPLY_MEMORY_KEEP_S * 1000);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/api-bulk/sessions-fd", test_sessions_fd);
	ADD("/api-bulk/days-fd", test_days_fd);
	ADD("/api-bulk/empty-database", test_empty_database);
	ADD("/api-bulk/older-daemon", test_older_daemon);
	ADD("/api-bulk/invalid-range", test_invalid_range);
	ADD("/api-bulk/caller-limit", test_caller_limit);
	g_test_add_func("/api-bulk/reader/damaged", test_reader_damaged);
	g_test_add_func("/api-bulk/reader/words", test_reader_words);
	g_test_add_func("/api-bulk/memfd/bytes", test_memfd_bytes);
	g_test_add_func("/api-bulk/reply-memory", test_reply_memory);
	return g_test_run();
}
