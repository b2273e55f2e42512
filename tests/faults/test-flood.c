/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A client that floods the daemon with calls and never reads: it speaks
 * D-Bus on a raw socket (authenticates, says Hello, subscribes to every
 * signal), then sends thousands of ListSessions calls without reading a
 * byte of the replies or the signals. The
 * daemon must not grow with it (the replies pile up in dbus-daemon, which
 * bounds them per connection, not in lactd) and must keep answering
 * others: a probe asks GetPlan every 50 ms and prints the worst latency.
 */
#include "config.h"

#include <string.h>

#include "lactd-test.h"
#include "probe.h"
#include "sanitizer.h"

/* A first flood fills what the daemon keeps for a client (the calls it
 * admits, LACTD_LIMITS_MAX_CALLS_PER_CALLER); a second one as long must not
 * add to it beyond allocator noise. */
#define FLOOD_FIRST 5000
#define FLOOD_SECOND 5000
#define FLOOD_RSS_TOLERANCE_KB (4 * 1024)

static gint64
rss_kb(GPid pid)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	p = strstr(text, "VmRSS:");
	return p != NULL ? g_ascii_strtoll(p + strlen("VmRSS:"), NULL, 10) : -1;
}

static void
send_message(GOutputStream *out, GDBusMessage *msg, guint32 serial)
{
	g_autoptr(GError) error = NULL;
	g_autofree guchar *blob = NULL;
	gsize len = 0;

	g_dbus_message_set_serial(msg, serial);
	blob = g_dbus_message_to_blob(msg, &len, G_DBUS_CAPABILITY_FLAGS_NONE, &error);
	g_assert_no_error(error);
	g_assert_true(g_output_stream_write_all(out, blob, len, NULL, NULL, &error));
	g_assert_no_error(error);
}

static GDBusMessage *
call(const char *dest, const char *path, const char *iface, const char *method, GVariant *args)
{
	GDBusMessage *msg = g_dbus_message_new_method_call(dest, path, iface, method);

	if (args != NULL)
		g_dbus_message_set_body(msg, args);
	return msg;
}

static gboolean
flood_written(gpointer user_data)
{
	return g_atomic_int_get((gint *)user_data) != 0;
}

typedef struct {
	GIOStream *stream;
	gint done;
	guint sent;
	guint count;
	gint64 span_us; /* what each call asks for: the last day, or year */
} Flood;

/* In a thread: the writes block once the bus stops reading from us. */
static gpointer
flood_thread(gpointer user_data)
{
	Flood *fl = user_data;
	GOutputStream *out = g_io_stream_get_output_stream(fl->stream);

	for (guint i = 0; i < fl->count; i++) {
		g_autoptr(GDBusMessage) msg =
		    call("org.lactd", "/org/lactd", "org.lactd.Manager1", "ListSessions",
			 g_variant_new("(xx)", g_get_real_time() - fl->span_us, g_get_real_time()));

		send_message(out, msg, 3 + fl->sent);
		fl->sent++;
	}
	g_atomic_int_set(&fl->done, 1);
	return NULL;
}

static gboolean
probe_answered(gpointer user_data)
{
	return lactd_probe_replies(user_data) >= 3;
}

typedef struct {
	LactdProbe *probe;
	guint replies;
} Answered;

static gboolean
probe_answered_more(gpointer user_data)
{
	Answered *a = user_data;

	return lactd_probe_replies(a->probe) >= a->replies + 3;
}

static void
test_flood(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_autoptr(GIOStream) stream = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdProbe) probe = NULL;
	g_autofree char *auth = NULL;
	char line[256];
	gssize got;
	gint64 now = g_get_real_time(), before, first, after = 0;
	guint replies;
	GPid pid = lactd_test_daemon_pid(daemon);
	GThread *thread;
	g_autoptr(GString) rounds = g_string_new(NULL);
	/* A week of sessions, each call asking for a day of them; in the long
	 * mode a year (8 a day, 2,920), each call asking for all of it (about
	 * 1 MiB a reply). */
	gboolean year = g_strcmp0(g_getenv("LACTD_FAULTS_LONG"), "1") == 0;
	guint days = year ? 365 : 7;
	Flood fl = {.span_us = (year ? 366 : 1) * G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC};

	for (guint i = 0; i < days * 8; i++) {
		g_autoptr(GVariant) r = NULL;
		GVariantBuilder b;
		gint64 start = now - (gint64)(i + 1) * 3 * 3600 * G_USEC_PER_SEC;

		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "kind", g_variant_new_string("hand"));
		g_variant_builder_add(&b, "{sv}", "start", g_variant_new_int64(start));
		g_variant_builder_add(&b, "{sv}", "end",
				      g_variant_new_int64(start + 900 * G_USEC_PER_SEC));
		g_variant_builder_add(&b, "{sv}", "left_ml", g_variant_new_double(20.0 + i % 10));
		r = lactd_test_call(c, "AddSession", g_variant_new("(@a{sv})", g_variant_builder_end(&b)),
				    "(t)", &error);
		g_assert_no_error(error);
	}
	before = rss_kb(pid);

	/* A raw connection: SASL EXTERNAL with our uid, then Hello and a match
	 * for every signal; then nothing is ever read again. */
	stream = g_dbus_address_get_stream_sync(lactd_test_bus_address(bus), NULL, NULL, &error);
	g_assert_no_error(error);
	{
		g_autofree char *uid = g_strdup_printf("%u", (guint)getuid());
		GString *hex = g_string_new(NULL);

		for (const char *p = uid; *p != '\0'; p++)
			g_string_append_printf(hex, "%02x", (guint8)*p);
		auth = g_strdup_printf("%cAUTH EXTERNAL %s\r\n", '\0', hex->str);
		g_string_free(hex, TRUE);
	}
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(stream), auth,
						 strlen(auth + 1) + 1, NULL, NULL, &error));
	g_assert_no_error(error);
	got = g_input_stream_read(g_io_stream_get_input_stream(stream), line, sizeof(line) - 1,
				  NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpint(got, >, 2);
	line[got] = '\0';
	g_assert_true(g_str_has_prefix(line, "OK "));
	g_assert_true(g_output_stream_write_all(g_io_stream_get_output_stream(stream), "BEGIN\r\n",
						 7, NULL, NULL, &error));
	{
		g_autoptr(GDBusMessage) hello = call("org.freedesktop.DBus", "/org/freedesktop/DBus",
						     "org.freedesktop.DBus", "Hello", NULL);
		g_autoptr(GDBusMessage) match =
		    call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
			 "AddMatch", g_variant_new("(s)", "type='signal'"));

		send_message(g_io_stream_get_output_stream(stream), hello, 1);
		send_message(g_io_stream_get_output_stream(stream), match, 2);
	}

	probe = lactd_probe_start(c);
	fl.stream = stream;
	fl.count = FLOOD_FIRST;
	thread = g_thread_new("flood", flood_thread, &fl);
	lactd_test_wait_for(flood_written, &fl.done, 60000);
	g_thread_join(thread);
	/* Answering others again once the admitted calls are done. */
	lactd_test_wait_for(probe_answered, probe, 10000);
	first = rss_kb(pid);
	/* More floods as long, each after the last was written (or the bus
	 * stopped reading from us): RSS after each, against the first's. */
	for (guint round = 0; round < (year ? 4 : 1); round++) {
		fl.done = 0;
		fl.count = FLOOD_SECOND;
		thread = g_thread_new("flood", flood_thread, &fl);
		lactd_test_wait_for(flood_written, &fl.done, 60000);
		if (!g_atomic_int_get(&fl.done))
			break; /* blocked in a write: the thread is joined at the end */
		g_thread_join(thread);
		thread = NULL;
		replies = lactd_probe_replies(probe);
		lactd_test_wait_for(probe_answered_more, &(Answered){probe, replies}, 10000);
		after = rss_kb(pid);
		g_string_append_printf(rounds, ", %.1f MiB after %u", after / 1024.0, fl.sent);
		/* A year's replies (about 1 MiB each, made one at a time) take
		 * the allocator two rounds to reach its high-water mark: from
		 * then on, no growth. */
		if (year && round == 1)
			first = after;
	}
	lactd_probe_stop(probe);
	g_test_message("%u ListSessions (a %s each) sent by a client that never reads: daemon "
		       "RSS %.1f MiB before, %.1f MiB after %u calls%s; GetPlan: "
		       "%u replies, worst %.1f ms",
		       fl.sent, year ? "year" : "day", before / 1024.0, first / 1024.0, FLOOD_FIRST,
		       rounds->str, lactd_probe_replies(probe), lactd_probe_worst_us(probe) / 1e3);
	/* The flooder goes away; its thread may be blocked in a write. */
	g_io_stream_close(stream, NULL, NULL);
	if (thread != NULL)
		g_thread_join(thread);
	if (!LACTD_FAULTS_ASAN)
		g_assert_cmpint(after, <=, first + FLOOD_RSS_TOLERANCE_KB);
	g_assert_cmpuint(lactd_probe_failures(probe), ==, 0);
	g_assert_cmpint(lactd_probe_worst_us(probe), <, LACTD_PROBE_STALL_US);
	lactd_test_daemon_stop(daemon);
}

typedef struct {
	guint done;
	guint ok;
	guint refused_long; /* LimitExceeded for a long listing */
	gboolean short_ok;
} Listings;

static void
listing_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Listings *l = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	g_autofree char *remote = error != NULL ? g_dbus_error_get_remote_error(error) : NULL;

	l->done++;
	if (r != NULL)
		l->ok++;
	else if (g_strcmp0(remote, "org.lactd.Error.LimitExceeded") == 0 &&
		 strstr(error->message, "more than 31 days") != NULL)
		l->refused_long++;
	else
		g_error("unexpected: %s", error->message);
}

static void
short_done(GObject *source, GAsyncResult *res, gpointer user_data)
{
	Listings *l = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);

	g_assert_no_error(error);
	l->short_ok = TRUE;
	l->done++;
}

static gboolean
listings_done(gpointer user_data)
{
	return ((Listings *)user_data)->done == 5;
}

/* One listing of more than 31 days per client at a time: of four sent at
 * once the ones that find another still being answered are refused, by
 * name and with the reason, while a short one beside them is answered.
 * Sent at once, they reach the daemon's filter before the first is
 * answered; a run where they did not is tried again (at most 20 times). */
static void
test_long_listings(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	gint64 now = g_get_real_time(), day = G_GINT64_CONSTANT(86400) * G_USEC_PER_SEC;
	Listings l = {0};
	guint tries = 0;

	while (l.refused_long == 0 && tries++ < 20) {
		l = (Listings){0};
		for (guint i = 0; i < 4; i++)
			g_dbus_connection_call(c, "org.lactd", "/org/lactd", "org.lactd.Manager1",
					       "ListSessions",
					       g_variant_new("(xx)", now - 366 * day, now),
					       NULL, G_DBUS_CALL_FLAGS_NONE, 20000, NULL, listing_done,
					       &l);
		g_dbus_connection_call(c, "org.lactd", "/org/lactd", "org.lactd.Manager1",
				       "ListSessions", g_variant_new("(xx)", now - day, now), NULL,
				       G_DBUS_CALL_FLAGS_NONE, 20000, NULL, short_done, &l);
		g_assert_true(lactd_test_wait_for(listings_done, &l, 20000));
		g_assert_true(l.short_ok);
		g_assert_cmpuint(l.ok, >=, 1);
	}
	g_test_message("4 year-long listings at once: %u answered, %u refused (try %u); the "
		       "short one answered", l.ok, l.refused_long, tries);
	g_assert_cmpuint(l.refused_long, >=, 1);
	lactd_test_daemon_stop(daemon);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/flood/never-reads", test_flood);
	g_test_add_func("/faults/flood/long-listings", test_long_listings);
	return g_test_run();
}
