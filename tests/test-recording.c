/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording a device's GATT traffic end to end: the fake BlueZ with the
 * counter emulator (a service no plugin claims) and an Open Pump Profile
 * pump, the real lactd, a real dbus-daemon and SQLite file.
 *
 * This file: the fixture, the helpers the cases share, and main(); the
 * cases are in test-recording-live.c and test-recording-stored.c.
 */
#include "config.h"

#include <string.h>

#include "test-recording.h"

static const char devices_conf[] = LACTD_TEST_ADAPTER_CONF
				   "[device counter]\n"
				   "adapter=hci0\n"
				   "address=" COUNTER_ADDR "\n"
				   "name=Counter\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=counter\n"
				   "interval_ms=1000\n\n"
				   "[device stranger]\n"
				   "adapter=hci0\n"
				   "address=C0:FF:EE:00:00:0A\n"
				   "name=Stranger\n"
				   "paired=false\n"
				   "present=true\n"
				   "emulator=counter\n\n"
				   "[device indicator]\n"
				   "adapter=hci0\n"
				   "address=" INDICATOR_ADDR "\n"
				   "name=Indicator\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=counter\n"
				   "indicate=true\n"
				   "interval_ms=1000\n\n"
				   "[device pump]\n"
				   "adapter=hci0\n"
				   "address=" PUMP_ADDR "\n"
				   "name=Open Pump\n"
				   "paired=true\n"
				   "present=true\n"
				   "emulator=opp\n"
				   "channels=left,right\n"
				   "phases=stimulation:60;expression:240;idle\n"
				   "start_at=2\n"
				   "left_ml=30.0\n"
				   "right_ml=20.0\n\n";

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded"))
		f->ended++;
}

gboolean
start(Fixture *f)
{
	f->fake = lactd_test_fake_start(f->bus, devices_conf, SPEED);
	if (f->fake == NULL)
		return FALSE;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	return TRUE;
}

void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->sub = g_dbus_connection_signal_subscribe(f->c, NULL, "org.lactd.Manager1", NULL,
						    "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
						    on_signal, f, NULL);
}

void
teardown(Fixture *f, gconstpointer data)
{
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->fake, lactd_test_fake_free);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

/* lactd's object for the counter device appears once it has seen BlueZ's. */
gboolean
device_known(Fixture *f)
{
	return lactd_test_wait_property(f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_09",
					"org.lactd.Device1", "Address", 20000);
}

guint64
start_capture(Fixture *f, const char *address, gboolean raw, GError **error)
{
	g_autoptr(GVariant) r = lactd_test_call(f->c, "StartCapture",
						g_variant_new("(sb)", address, raw), "(t)", error);
	guint64 id = 0;

	if (r != NULL)
		g_variant_get(r, "(t)", &id);
	return id;
}

GVariant *
capture_info(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListCaptures", NULL, "(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) d = g_variant_get_child_value(list, i);
		guint64 got = 0;

		g_variant_lookup(d, "id", "t", &got);
		if (got == id)
			return g_steal_pointer(&d);
	}
	return NULL;
}

gboolean
has_events(gpointer user_data)
{
	Want *w = user_data;
	g_autoptr(GVariant) info = capture_info(w->f, w->id);
	guint32 n = 0;

	return info != NULL && g_variant_lookup(info, "events", "u", &n) && n >= w->events;
}

/* Events of a capture, and how many of a kind with a UUID. */
GVariant *
get_capture(Fixture *f, guint64 id, GVariant **chars, GVariant **events)
{
	g_autoptr(GError) error = NULL;
	GVariant *r = lactd_test_call(f->c, "GetCapture", g_variant_new("(t)", id),
				      "(a{sv}a(ssqs)a(xssqays))", &error);

	g_assert_no_error(error);
	*chars = g_variant_get_child_value(r, 1);
	*events = g_variant_get_child_value(r, 2);
	return r;
}

guint
count_kind(GVariant *events, const char *kind, const char *uuid)
{
	guint n = 0;

	for (gsize i = 0; i < g_variant_n_children(events); i++) {
		const char *k, *u;
		g_variant_get_child(events, i, "(x&s&sq@ay&s)", NULL, &k, &u, NULL, NULL, NULL);
		if (g_str_equal(k, kind) && (uuid == NULL || g_str_equal(u, uuid)))
			n++;
	}
	return n;
}

void
assert_contains(const char *text, const char *part)
{
	if (strstr(text, part) == NULL)
		g_error("'%s' not in:\n%s", part, text);
}

void
expect_error(GError *error, const char *name, const char *part)
{
	g_autofree char *remote = NULL;

	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, name);
	if (part != NULL && strstr(error->message, part) == NULL)
		g_error("'%s' not in '%s'", part, error->message);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add_live_tests();
	add_stored_tests();
	return g_test_run();
}
