/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture of tests/test-capture and tests/test-capture-links
 * (capture-fixture.h). */
#include "config.h"

#include "capture-fixture.h"

const char pump_conf[] = "[device pump]\n"
				"adapter=hci0\n"
				"address=C0:FF:EE:00:00:01\n"
				"name=Open Pump\n"
				"paired=true\n"
				"present=true\n"
				"emulator=opp\n"
				"channels=left,right\n"
				"phases=stimulation:120;expression:1080;idle\n"
				"start_at=2\n"
				"left_ml=62.4\n"
				"right_ml=48.0\n\n";

const char scale_conf[] = "[device scale]\n"
				 "adapter=hci0\n"
				 "address=C0:FF:EE:00:00:02\n"
				 "name=Scale\n"
				 "paired=true\n"
				 "present=true\n"
				 "emulator=wss\n"
				 "weighings=30:118.5\n\n";

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "SessionEnded")) {
		f->ended++;
		g_clear_pointer(&f->last_ended, g_variant_unref);
		f->last_ended = g_variant_get_child_value(params, 1);
	} else if (g_str_equal(name, "WeightMeasured")) {
		f->weighed++;
	}
}

void
start_at(Fixture *f, const char *devices, const char *lactd_conf, const char *speed)
{
	g_autofree char *text = g_strconcat(LACTD_TEST_ADAPTER_CONF, devices, NULL);

	f->fake = lactd_test_fake_start(f->bus, text, speed);
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, lactd_conf);
}

void
start(Fixture *f, const char *devices, const char *lactd_conf)
{
	start_at(f, devices, lactd_conf, SPEED);
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
	g_clear_pointer(&f->last_ended, g_variant_unref);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

gboolean
ended_n(gpointer user_data)
{
	Count *c = user_data;
	return c->f->ended >= c->n;
}

gboolean
weighed_n(gpointer user_data)
{
	Count *c = user_data;
	return c->f->weighed >= c->n;
}

typedef struct {
	Fixture *f;
	guint32 elapsed;
} Progress;

/* A live session whose pump clock has reached the given second. */
static gboolean
live_elapsed(gpointer user_data)
{
	Progress *p = user_data;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    p->f->c, "org.lactd", "/org/lactd", "org.freedesktop.DBus.ObjectManager",
	    "GetManagedObjects", NULL, G_VARIANT_TYPE("(a{oa{sa{sv}}})"), G_DBUS_CALL_FLAGS_NONE,
	    5000, NULL, NULL);
	g_autoptr(GVariant) objects = NULL;
	GVariantIter iter;
	const char *path;
	GVariant *ifaces;

	if (r == NULL)
		return FALSE;
	objects = g_variant_get_child_value(r, 0);
	g_variant_iter_init(&iter, objects);
	while (g_variant_iter_loop(&iter, "{&o@a{sa{sv}}}", &path, &ifaces)) {
		g_autoptr(GVariant) props =
		    g_variant_lookup_value(ifaces, "org.lactd.Session1", G_VARIANT_TYPE_VARDICT);
		guint32 elapsed = 0;
		if (props != NULL && g_variant_lookup(props, "Elapsed", "u", &elapsed) &&
		    elapsed >= p->elapsed) {
			g_variant_unref(ifaces);
			return TRUE;
		}
	}
	return FALSE;
}

void
wait_elapsed(Fixture *f, guint32 seconds)
{
	Progress p = {f, seconds};

	g_assert_true(lactd_test_wait_for(live_elapsed, &p, 120000));
}

GVariant *
list_sessions(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, "ListSessions",
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

static GVariant *
get_session(Fixture *f, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r =
	    lactd_test_call(f->c, "GetSession", g_variant_new("(t)", id), "(a{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

/* The session as the emulator produced it: exact volumes, samples that
 * only rise, no time twice, a length of 20 minutes by the pump's clock. */
void
check_pump_session(Fixture *f)
{
	g_autoptr(GVariant) list = list_sessions(f);
	g_autoptr(GVariant) s = NULL;
	g_autoptr(GVariant) full = NULL;
	g_autoptr(GVariant) samples = NULL;
	guint64 id;
	double left, right;
	gint64 start, end, prev_t = G_MININT64;
	double prev_l = -1, prev_r = -1;
	const char *source;
	gboolean interrupted;

	g_assert_cmpuint(g_variant_n_children(list), ==, 1);
	s = g_variant_get_child_value(list, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &id));
	g_assert_true(g_variant_lookup(s, "left_ml", "d", &left));
	g_assert_true(g_variant_lookup(s, "right_ml", "d", &right));
	g_assert_true(g_variant_lookup(s, "start", "x", &start));
	g_assert_true(g_variant_lookup(s, "end", "x", &end));
	g_assert_true(g_variant_lookup(s, "source", "&s", &source));
	g_assert_true(g_variant_lookup(s, "interrupted", "b", &interrupted));
	g_assert_cmpfloat(left, ==, 62.4);
	g_assert_cmpfloat(right, ==, 48.0);
	g_assert_cmpstr(source, ==, "device");
	g_assert_false(interrupted);
	g_assert_cmpint(end - start, ==, 1200 * G_USEC_PER_SEC);

	full = get_session(f, id);
	samples = g_variant_lookup_value(full, "samples", G_VARIANT_TYPE("a(xdd)"));
	/* A curve from the live notifications (about 50 at 240x when the
	 * link stays up, fewer across a restart or a disable). */
	g_assert_cmpuint(g_variant_n_children(samples), >, 25);
	for (gsize i = 0; i < g_variant_n_children(samples); i++) {
		gint64 t;
		double l, r;
		g_variant_get_child(samples, i, "(xdd)", &t, &l, &r);
		g_assert_cmpint(t, >, prev_t);
		g_assert_cmpfloat(l, >=, prev_l);
		g_assert_cmpfloat(r, >=, prev_r);
		prev_t = t;
		prev_l = l;
		prev_r = r;
	}
}

gboolean
device_listed(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) v =
	    lactd_test_get_property(f->c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_01",
				    "org.lactd.Device1", "Address");

	return v != NULL;
}
