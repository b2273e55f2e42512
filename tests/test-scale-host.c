/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The host side of scales, end to end: the fake BlueZ, the real lactd with
 * every plugin the tree builds, a real dbus-daemon, a real SQLite file.
 *
 * - every scale emulator in the registry (tests/emu/registry.c), one device
 *   each at once, each under its emulator's default name: listed with its
 *   own plugin (so scales sharing FFF0 or 0x181D are told apart: a Varia is
 *   not the decent plugin's, a Timemore not wss's), and one weighing of
 *   each in grams, seen through D-Bus and `lactctl device list`;
 * - a scale that a plugin matches by name but whose characteristics are
 *   another protocol's: left alone with the reason on Device1.Problem,
 *   connected once, not in a loop; retried when Enabled is written;
 * - a stale bond: "PIN or Key Missing" on Connect gives one log line, the
 *   Problem, no reconnection storm, and capture once it is paired again;
 * - a heartbeat runs only while the link is up: switched off, the scale
 *   gets no write and lactd keeps no plugin timer.
 */
#include "config.h"

#include <gmodule.h>
#include <lactd/plugin.h>
#include <math.h>
#include <string.h>

#include "lactd-emu.h"
#include "lactd-test.h"

/* A weight every scale shows exactly, the SIG scale in its 5 g steps too. */
#define BOTTLE_G 120.0

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
} Fixture;

static void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	if (f->daemon != NULL)
		lactd_test_daemon_stop(f->daemon);
	g_clear_pointer(&f->daemon, lactd_test_daemon_free);
	g_clear_pointer(&f->fake, lactd_test_fake_free);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

static char *
object_path(const char *address)
{
	g_autofree char *part = g_strdup(address);

	g_strdelimit(part, ":", '_');
	return g_strconcat("/org/lactd/devices/", part, NULL);
}

static GVariant *
device_prop(Fixture *f, const char *address, const char *name)
{
	g_autofree char *path = object_path(address);

	return lactd_test_get_property(f->c, "org.lactd", path, "org.lactd.Device1", name);
}

static guint
calls_of(Fixture *f, const char *method)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez", "org.lactd.FakeBluez1", "GetStats",
	    NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	g_autoptr(GVariant) stats = NULL;
	g_autoptr(GVariant) calls = NULL;
	guint n = 0;

	g_assert_no_error(error);
	stats = g_variant_get_child_value(r, 0);
	calls = g_variant_lookup_value(stats, "calls", G_VARIANT_TYPE("a{su}"));
	if (calls != NULL)
		g_variant_lookup(calls, method, "u", &n);
	return n;
}

static guint
connect_calls(Fixture *f)
{
	return calls_of(f, "Connect");
}

/* Iterates the main context for ms: for counting what does NOT happen. */
static void
run_for(guint ms)
{
	gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;

	while (g_get_monotonic_time() < end) {
		if (!g_main_context_iteration(NULL, FALSE))
			g_usleep(10000);
	}
}

/* --- every scale emulator ------------------------------------------------------------ */

typedef struct {
	Fixture *f;
	GPtrArray *names;     /* emulator = plugin names */
	GPtrArray *addresses; /* the same order */
} Scales;

/* Whether the plugin named like this emulator is built and is a scale's. */
static gboolean
is_scale(const char *name)
{
	g_autofree char *file = g_strdup_printf("%s.so", name);
	g_autofree char *path = lactd_test_build_path("plugins", name, ".libs", file, NULL);
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
	const LactdPluginDesc *const *descp = NULL;
	gboolean scale;

	if (module == NULL)
		return FALSE;
	scale = g_module_symbol(module, "lactd_plugin_desc", (gpointer *)&descp) &&
		descp != NULL && (*descp)->kind == LACTD_KIND_SCALE;
	g_module_close(module);
	return scale;
}

static gboolean
all_listed(gpointer user_data)
{
	Scales *s = user_data;

	for (guint i = 0; i < s->addresses->len; i++) {
		g_autoptr(GVariant) v = device_prop(s->f, s->addresses->pdata[i], "Plugin");
		if (v == NULL || g_variant_get_string(v, NULL)[0] == '\0')
			return FALSE;
	}
	return TRUE;
}

static GVariant *
weighings(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(
	    f->c, "ListWeighings", g_variant_new("(xx)", (gint64)0, G_MAXINT64), "(aa{sv})", &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

static guint
weighings_of(Fixture *f, const char *address)
{
	g_autoptr(GVariant) ws = weighings(f);
	guint n = 0;

	for (gsize i = 0; i < g_variant_n_children(ws); i++) {
		g_autoptr(GVariant) w = g_variant_get_child_value(ws, i);
		const char *device = NULL;

		if (g_variant_lookup(w, "device", "&s", &device) && g_str_equal(device, address))
			n++;
	}
	return n;
}

static gboolean
all_weighed(gpointer user_data)
{
	Scales *s = user_data;

	for (guint i = 0; i < s->addresses->len; i++) {
		if (weighings_of(s->f, s->addresses->pdata[i]) == 0)
			return FALSE;
	}
	return TRUE;
}

static void
test_every_scale(Fixture *f, gconstpointer data)
{
	Scales s = {f, g_ptr_array_new_with_free_func(g_free),
		    g_ptr_array_new_with_free_func(g_free)};
	g_autoptr(GString) conf = g_string_new(LACTD_TEST_ADAPTER_CONF);
	g_autoptr(GVariant) ws = NULL;
	g_autofree char *ctl = lactd_test_build_path("client", "lactctl", NULL);
	g_autofree char *out = NULL, *err = NULL;
	const char *argv[] = {ctl, "device", "list", NULL};
	gint64 t0 = g_get_monotonic_time();

	for (guint i = 0; lactd_emu_classes[i] != NULL; i++) {
		const char *name = lactd_emu_classes[i]->name;
		char *address;

		if (!is_scale(name))
			continue;
		address = g_strdup_printf("C0:FF:EE:00:02:%02X", s.addresses->len + 1);
		g_string_append_printf(conf,
				       "[device %s]\nadapter=hci0\naddress=%s\npaired=true\n"
				       "present=true\nemulator=%s\nweighings=2:%.1f\n\n",
				       name, address, name, BOTTLE_G);
		g_ptr_array_add(s.names, g_strdup(name));
		g_ptr_array_add(s.addresses, address);
	}
	/* Every scale plugin of the tree, each with its emulator. */
	g_assert_cmpuint(s.names->len, ==, 16);
	/* Speed 1: heartbeats run on the daemon's real-time timers. */
	f->fake = lactd_test_fake_start(f->bus, conf->str, "1");
	if (f->fake == NULL)
		goto out;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_nonnull(f->daemon);

	g_assert_true(lactd_test_wait_for(all_listed, &s, 20000));
	for (guint i = 0; i < s.names->len; i++) {
		g_autoptr(GVariant) plugin = device_prop(f, s.addresses->pdata[i], "Plugin");
		g_autoptr(GVariant) kind = device_prop(f, s.addresses->pdata[i], "Kind");

		g_test_message("%s: plugin %s", (char *)s.names->pdata[i],
			       g_variant_get_string(plugin, NULL));
		g_assert_cmpstr(g_variant_get_string(plugin, NULL), ==, s.names->pdata[i]);
		g_assert_cmpstr(g_variant_get_string(kind, NULL), ==, "scale");
	}
	if (!lactd_test_wait_for(all_weighed, &s, 40000)) {
		for (guint i = 0; i < s.addresses->len; i++)
			if (weighings_of(f, s.addresses->pdata[i]) == 0)
				g_test_message("%s: no weighing", (char *)s.names->pdata[i]);
		g_assert_not_reached();
	}

	/* One weighing per scale however many packets repeated it, in grams. */
	ws = weighings(f);
	g_assert_cmpuint(g_variant_n_children(ws), ==, s.addresses->len);
	for (gsize i = 0; i < g_variant_n_children(ws); i++) {
		g_autoptr(GVariant) w = g_variant_get_child_value(ws, i);
		double grams = 0;
		gboolean stable = FALSE;

		g_assert_true(g_variant_lookup(w, "grams", "d", &grams));
		g_assert_true(g_variant_lookup(w, "stable", "b", &stable));
		g_assert_cmpfloat(fabs(grams - BOTTLE_G), <=, 0.05 + 1e-9);
		g_assert_true(stable);
	}

	/* The client lists each with its plugin. */
	g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 0);
	for (guint i = 0; i < s.names->len; i++) {
		const char *line = strstr(out, s.addresses->pdata[i]);
		g_autofree char *row = NULL;

		g_assert_nonnull(line);
		row = g_strndup(line, strcspn(line, "\n"));
		g_assert_nonnull(strstr(row, "  scale  "));
		g_assert_nonnull(strstr(row, s.names->pdata[i]));
	}
	g_test_message("%u scales in %.1f s", s.names->len, (g_get_monotonic_time() - t0) / 1e6);
out:
	g_ptr_array_unref(s.names);
	g_ptr_array_unref(s.addresses);
}

/* --- a scale no plugin fits ----------------------------------------------------------- */

#define MISFIT "C0:FF:EE:00:03:01"

typedef struct {
	Fixture *f;
	const char *address;
	const char *prefix;
} Wait;

static gboolean
problem_is(gpointer user_data)
{
	Wait *w = user_data;
	g_autoptr(GVariant) v = device_prop(w->f, w->address, "Problem");

	return v != NULL && g_str_has_prefix(g_variant_get_string(v, NULL), w->prefix);
}

static void
set_enabled(Fixture *f, const char *address, gboolean on)
{
	g_autofree char *path = object_path(address);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    f->c, "org.lactd", path, "org.freedesktop.DBus.Properties", "Set",
	    g_variant_new("(ssv)", "org.lactd.Device1", "Enabled", g_variant_new_boolean(on)), NULL,
	    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);

	g_assert_no_error(error);
	g_assert_nonnull(r);
}

/* Named like a Decent Scale, but an FFF0 scale without Decent's FFF4 (the
 * frames of a Varia): decent never attaches, so it never writes its LED
 * and heartbeat commands to another vendor's scale, and nothing
 * reconnects it in a loop (it did: 22 connections in 25 s). */
static void
test_misfit(Fixture *f, gconstpointer data)
{
	Wait w = {f, MISFIT, "no plugin fits: plugin decent needs characteristic"};
	g_autoptr(GVariant) connected = NULL;
	g_autoptr(GVariant) plugin = NULL;
	g_autoptr(GVariant) rejected = NULL;
	guint calls;

	f->fake = lactd_test_fake_start(f->bus,
					LACTD_TEST_ADAPTER_CONF "[device misfit]\nadapter=hci0\n"
								"address=" MISFIT "\n"
								"name=Decent Scale\npaired=true\n"
								"present=true\nemulator=varia\n"
								"weighings=2:118.5\n",
					"1");
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_nonnull(f->daemon);
	g_assert_true(lactd_test_wait_for(problem_is, &w, 20000));
	calls = connect_calls(f);
	g_assert_cmpuint(calls, ==, 1);
	/* Listed, not captured, and left alone. */
	run_for(4000);
	g_assert_cmpuint(connect_calls(f), ==, calls);
	connected = device_prop(f, MISFIT, "Connected");
	g_assert_false(g_variant_get_boolean(connected));
	plugin = device_prop(f, MISFIT, "Plugin");
	g_assert_cmpstr(g_variant_get_string(plugin, NULL), ==, "");
	rejected = device_prop(f, MISFIT, "RejectedPackets");
	g_assert_cmpuint(g_variant_get_uint32(rejected), ==, 0);
	g_assert_cmpuint(weighings_of(f, MISFIT), ==, 0);

	/* Writing Enabled is the user's "try again": one more attempt, then
	 * left alone again with the same reason. */
	set_enabled(f, MISFIT, FALSE);
	set_enabled(f, MISFIT, TRUE);
	g_assert_true(lactd_test_wait_for(problem_is, &w, 20000));
	run_for(3000);
	g_assert_cmpuint(connect_calls(f), ==, calls + 1);
}

/* --- a stale bond --------------------------------------------------------------------- */

#define STALE "C0:FF:EE:00:03:02"

static gboolean
captured_clean(gpointer user_data)
{
	Wait *w = user_data;
	g_autoptr(GVariant) c = device_prop(w->f, w->address, "Connected");
	g_autoptr(GVariant) p = device_prop(w->f, w->address, "Problem");

	return c != NULL && g_variant_get_boolean(c) && p != NULL &&
	       g_variant_get_string(p, NULL)[0] == '\0';
}

static guint
count_in_log(Fixture *f, const char *needle)
{
	g_autofree char *text = NULL;
	guint n = 0;

	g_assert_true(g_file_get_contents(lactd_test_daemon_log_path(f->daemon), &text, NULL, NULL));
	for (const char *p = strstr(text, needle); p != NULL; p = strstr(p + 1, needle))
		n++;
	return n;
}

static void
test_stale_bond(Fixture *f, gconstpointer data)
{
	Wait lost = {f, STALE, "pairing lost: pair the scale again with bluetoothctl"};
	Wait back = {f, STALE, ""};
	guint calls;

	f->fake = lactd_test_fake_start(f->bus,
					LACTD_TEST_ADAPTER_CONF "[device stale]\nadapter=hci0\n"
								"address=" STALE "\n"
								"paired=true\npresent=true\n"
								"emulator=varia\nweighings=2:118.5\n",
					"1");
	if (f->fake == NULL)
		return;
	lactd_test_fake_call(f->c, "StaleBond", g_variant_new("(sb)", STALE, TRUE));
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_nonnull(f->daemon);
	g_assert_true(lactd_test_wait_for(problem_is, &lost, 20000));
	calls = connect_calls(f);
	g_assert_cmpuint(calls, ==, 1);
	run_for(4000);
	g_assert_cmpuint(connect_calls(f), ==, calls);
	g_assert_cmpuint(count_in_log(f, "the pairing is lost"), ==, 1);

	/* Paired again: Paired goes false then true, and capture resumes. */
	lactd_test_fake_call(f->c, "StaleBond", g_variant_new("(sb)", STALE, FALSE));
	g_assert_true(lactd_test_wait_for(captured_clean, &back, 20000));
	g_assert_cmpuint(connect_calls(f), ==, calls + 1);
}

/* --- heartbeats only while connected ---------------------------------------------------- */

#define BEATING "C0:FF:EE:00:03:03"

static gboolean
connected_is(gpointer user_data)
{
	Wait *w = user_data;
	g_autoptr(GVariant) c = device_prop(w->f, w->address, "Connected");

	return c != NULL && g_variant_get_boolean(c) == (w->prefix != NULL);
}

static void
test_heartbeat_stops(Fixture *f, gconstpointer data)
{
	Wait up = {f, BEATING, "up"};
	Wait down = {f, BEATING, NULL};
	guint writes;

	/* A Timemore: its plugin writes a heartbeat every 2 s. */
	f->fake = lactd_test_fake_start(f->bus,
					LACTD_TEST_ADAPTER_CONF "[device beating]\nadapter=hci0\n"
								"address=" BEATING "\n"
								"paired=true\npresent=true\n"
								"emulator=timemore\n"
								"weighings=2:120\n",
					"1");
	if (f->fake == NULL)
		return;
	f->daemon = lactd_test_daemon_start(f->bus, NULL, NULL);
	g_assert_nonnull(f->daemon);
	g_assert_true(lactd_test_wait_for(connected_is, &up, 20000));
	writes = calls_of(f, "WriteValue");
	run_for(4500);
	g_assert_cmpuint(calls_of(f, "WriteValue"), >=, writes + 2);

	/* Switched off: the link drops and it no longer advertises. The
	 * plugin's timer went with the link: not one write more. */
	lactd_test_fake_call(f->c, "SetPresent", g_variant_new("(sb)", BEATING, FALSE));
	g_assert_true(lactd_test_wait_for(connected_is, &down, 20000));
	writes = calls_of(f, "WriteValue");
	run_for(5000);
	g_assert_cmpuint(calls_of(f, "WriteValue"), ==, writes);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add("/scale-host/every-scale", Fixture, NULL, setup, test_every_scale, teardown);
	g_test_add("/scale-host/misfit-left-alone", Fixture, NULL, setup, test_misfit, teardown);
	g_test_add("/scale-host/stale-bond", Fixture, NULL, setup, test_stale_bond, teardown);
	g_test_add("/scale-host/heartbeat-stops", Fixture, NULL, setup, test_heartbeat_stops,
		   teardown);
	return g_test_run();
}
