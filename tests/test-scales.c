/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Each scale plugin end to end: the fake BlueZ with the scale's emulator,
 * the real lactd with its real plugins, a real dbus-daemon, a real SQLite
 * file. A paired scale with role bottle weighs a bottle of 118.5 g with no
 * pump session to attribute it to, so it becomes a session of its own from
 * the scale; then a garbage frame is counted and stores nothing.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <math.h>

#include "lactd-test.h"

#define ADDRESS "C0:FF:EE:00:00:0A"
#define PATH	"/org/lactd/devices/C0_FF_EE_00_00_0A"
#define BOTTLE_G 118.5
#define DENSITY	 1.03 /* the daemon's default, DESIGN.md */

typedef struct {
	const char *test; /* the test path's last but one part */
	const char *plugin;
	/* The device's emulator keys; the weighing must settle at 118.5 g. */
	const char *emulator;
	/* Scenario time runs this many times real time. Scales that need a
	 * heartbeat run at 1: the host's timers run in real time. */
	const char *speed;
	const char *notify_uuid;
	const char *junk_hex; /* a frame the parser must refuse */
	/* Whether the plugin reassembles a byte stream, so that garbage cut
	 * into a frame may cost that frame too. */
	gboolean stream;
} Case;

static const Case cases[] = {
    {"esn00", "esn00", "emulator=esn00\nunit=g\nweighings=5:118.5\n", "10",
     "00002c12-0000-1000-8000-00805f9b34fb", "fe ef c0 a2 d0 05 00 11 94 00 01 7c", FALSE},
    {"acaia", "acaia", "emulator=acaia\ngeneration=new\nweighings=2:118.5\n", "1",
     "49535343-1e4d-4bd9-ba61-23c647249616", "ef dd 0c 02 42 00 00", TRUE},
    /* An older Acaia: one characteristic 0x2a80 in service 0x1820, for
     * notifications and commands alike. */
    {"acaia-old", "acaia", "emulator=acaia\ngeneration=old\nweighings=2:118.5\n", "1",
     "00002a80-0000-1000-8000-00805f9b34fb", "ef dd 0c 02 42 00 00", TRUE},
    /* A Half Decent Scale loaded only at 7 s: it is still there only if
     * the daemon's heartbeat kept it from dropping the link at 5 s. */
    {"decent", "decent", "emulator=decent\nfirmware=hds\nweighings=7:118.5\n", "1",
     "0000fff4-0000-1000-8000-00805f9b34fb", "03 ce 04 a1 00 00 69", FALSE},
    {"bookoo", "bookoo", "emulator=bookoo\ninterval_ms=500\nweighings=5:118.5\n", "10",
     "0000ff11-0000-1000-8000-00805f9b34fb",
     "03 0b 000000 01 2b 2dc6c1 2b 0000 50 0005 01 00 00 77", FALSE},
    /* Left in ounces: converted, then toggled back to grams. */
    {"hiroia", "hiroia", "emulator=hiroia\nunit=oz\nweighings=5:118.5\n", "10",
     "06c31824-8682-4744-9211-febc93e3bece", "01 00 00 00 a1", FALSE},
    /* Left showing ounces: set to grams on connection. */
    {"skale", "skale", "emulator=skale\nunit=oz\nweighings=5:118.5\n", "10",
     "0000ef81-0000-1000-8000-00805f9b34fb", "00 a1 04 00 7f", FALSE},
};

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint weighed;
	GVariant *last_weighing;
	guint sub;
} Fixture;

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *name, GVariant *params, gpointer user_data)
{
	Fixture *f = user_data;

	if (g_str_equal(name, "WeightMeasured")) {
		f->weighed++;
		g_clear_pointer(&f->last_weighing, g_variant_unref);
		f->last_weighing = g_variant_get_child_value(params, 0);
	}
}

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->sub = g_dbus_connection_signal_subscribe(f->c, NULL, "org.lactd.Manager1", NULL,
						    "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
						    on_signal, f, NULL);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->fake, lactd_test_fake_free);
	g_clear_pointer(&f->last_weighing, g_variant_unref);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

static gboolean
start(Fixture *f, const Case *k)
{
	g_autofree char *text = g_strdup_printf(LACTD_TEST_ADAPTER_CONF
						"[device scale]\n"
						"adapter=hci0\n"
						"address=" ADDRESS "\n"
						"paired=true\n"
						"present=true\n"
						"%s",
						k->emulator);
	f->fake = lactd_test_fake_start(f->bus, text, k->speed);
	if (f->fake == NULL)
		return FALSE;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	return f->daemon != NULL;
}

static GVariant *
device_prop(Fixture *f, const char *name)
{
	return lactd_test_get_property(f->c, "org.lactd", PATH, "org.lactd.Device1", name);
}

static gboolean
device_listed(gpointer user_data)
{
	g_autoptr(GVariant) v = device_prop(user_data, "Plugin");

	return v != NULL;
}

static gboolean
weighed(gpointer user_data)
{
	return ((Fixture *)user_data)->weighed >= 1;
}

static gboolean
rejected(gpointer user_data)
{
	g_autoptr(GVariant) v = device_prop(user_data, "RejectedPackets");

	return v != NULL && g_variant_get_uint32(v) >= 1;
}

/* The role, set as lactctl sets it: Device1's Role property. */
static void
set_role(Fixture *f, const char *role)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.lactd", PATH, "org.freedesktop.DBus.Properties", "Set",
	    g_variant_new("(ssv)", "org.lactd.Device1", "Role", g_variant_new_string(role)),
	    NULL, G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
}

static GVariant *
list(Fixture *f, const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(f->c, method,
						g_variant_new("(xx)", (gint64)0, G_MAXINT64),
						"(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

/* One weighing of the bottle, and the one session it made. */
static void
check_stored(Fixture *f, guint64 *session_out, double *total_out)
{
	g_autoptr(GVariant) ws = list(f, "ListWeighings");
	g_autoptr(GVariant) ss = list(f, "ListSessions");
	g_autoptr(GVariant) w = NULL;
	g_autoptr(GVariant) s = NULL;
	double grams, total;
	const char *role, *device, *source;
	guint64 session, id;
	gboolean stable;

	g_assert_cmpuint(g_variant_n_children(ws), ==, 1);
	w = g_variant_get_child_value(ws, 0);
	g_assert_true(g_variant_lookup(w, "grams", "d", &grams));
	g_assert_true(g_variant_lookup(w, "stable", "b", &stable));
	g_assert_true(g_variant_lookup(w, "role", "&s", &role));
	g_assert_true(g_variant_lookup(w, "device", "&s", &device));
	g_assert_true(g_variant_lookup(w, "session", "t", &session));
	/* Every scale here resolves 0.1 g or better. */
	g_assert_cmpfloat(fabs(grams - BOTTLE_G), <=, 0.05 + 1e-9);
	g_assert_true(stable);
	g_assert_cmpstr(role, ==, "bottle");
	g_assert_cmpstr(device, ==, ADDRESS);
	g_assert_cmpuint(session, !=, 0);

	g_assert_cmpuint(g_variant_n_children(ss), ==, 1);
	s = g_variant_get_child_value(ss, 0);
	g_assert_true(g_variant_lookup(s, "id", "t", &id));
	g_assert_true(g_variant_lookup(s, "source", "&s", &source));
	g_assert_true(g_variant_lookup(s, "total_ml", "d", &total));
	g_assert_cmpuint(id, ==, session);
	g_assert_cmpstr(source, ==, "scale");
	/* grams / 1.03 g/mL, kept to 0.1 mL: 118.5 g is 115.0 mL. */
	g_assert_cmpfloat(fabs(total - grams / DENSITY), <=, 0.05 + 1e-9);
	g_assert_cmpfloat(total, ==, 115.0);
	*session_out = session;
	*total_out = total;
}

/* Waits; on a timeout the test fails and teardown prints the logs. */
static gboolean
wait_or_fail(gboolean (*cond)(gpointer), Fixture *f, guint ms, const char *what)
{
	if (lactd_test_wait_for(cond, f, ms))
		return TRUE;
	{
		g_autoptr(GVariant) stats = g_dbus_connection_call_sync(
		    f->c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1",
		    "GetStats", NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL,
		    NULL);
		g_autofree char *text = stats != NULL ? g_variant_print(stats, FALSE) : NULL;

		g_test_fail_printf("no %s within %u ms; fake BlueZ: %s", what, ms, text);
	}
	return FALSE;
}

static void
test_scale(Fixture *f, gconstpointer data)
{
	const Case *k = data;
	g_autoptr(GVariant) plugin = NULL;
	g_autoptr(GVariant) role = NULL;
	g_autoptr(GVariant) rej = NULL;
	guint8 junk[32];
	gsize junk_len = 0;
	guint64 session, session2;
	double total, total2, signal_grams;
	gint64 t0 = g_get_monotonic_time();

	if (!start(f, k))
		return;
	if (!wait_or_fail(device_listed, f, 20000, "device"))
		return;
	plugin = device_prop(f, "Plugin");
	g_assert_cmpstr(g_variant_get_string(plugin, NULL), ==, k->plugin);
	set_role(f, "bottle");
	role = device_prop(f, "Role");
	g_assert_cmpstr(g_variant_get_string(role, NULL), ==, "bottle");

	if (!wait_or_fail(weighed, f, 20000, "WeightMeasured"))
		return;
	g_assert_true(g_variant_lookup(f->last_weighing, "grams", "d", &signal_grams));
	g_assert_cmpfloat(fabs(signal_grams - BOTTLE_G), <=, 0.05 + 1e-9);
	check_stored(f, &session, &total);

	for (const char *p = k->junk_hex; *p != '\0';) {
		if (!g_ascii_isxdigit(*p)) {
			p++;
			continue;
		}
		junk[junk_len++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 |
					    g_ascii_xdigit_value(p[1]));
		p += 2;
	}
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) r = g_dbus_connection_call_sync(
		    f->c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1",
		    "SendRaw",
		    g_variant_new("(ss@ay)", ADDRESS, k->notify_uuid,
				  g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, junk, junk_len, 1)),
		    NULL, G_DBUS_CALL_FLAGS_NONE, 10000, NULL, &error);
		g_assert_no_error(error);
		g_assert_nonnull(r);
	}
	if (!wait_or_fail(rejected, f, 10000, "rejected packet"))
		return;
	rej = device_prop(f, "RejectedPackets");
	if (k->stream)
		g_assert_cmpuint(g_variant_get_uint32(rej), <=, 2);
	else
		g_assert_cmpuint(g_variant_get_uint32(rej), ==, 1);
	/* Nothing stored from it: still one weighing, one session, the same. */
	check_stored(f, &session2, &total2);
	g_assert_cmpuint(session2, ==, session);
	g_assert_cmpfloat(total2, ==, total);
	g_assert_cmpuint(f->weighed, ==, 1);
	g_test_message("%s: %.1f s", k->test, (g_get_monotonic_time() - t0) / 1e6);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *path = g_strdup_printf("/scales/%s/bottle", cases[i].test);
		g_test_add(path, Fixture, &cases[i], setup, test_scale, teardown);
	}
	return g_test_run();
}
