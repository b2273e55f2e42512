/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake BlueZ seen from a client, on a private bus: objects, signal
 * order, errors and the control interface, against the behaviour of
 * bluetoothd 5.66 (src/device.c, src/gatt-client.c, gdbus/object.c).
 *
 * This file: the fixture, the helpers the cases share, and main(); the
 * cases are in test-fake-bluez-api.c and test-fake-bluez-control.c.
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "lactd-test.h"
#include "test-emu.h"
#include "test-fake-bluez.h"

static const char scenario[] = "[bluetoothd]\n"
			       "disconnect_delay_ms=50\n"
			       "connect_timeout_ms=200\n"
			       "gatt_cache=%s\n"
			       "[adapter hci0]\n"
			       "address=00:1A:7D:DA:71:13\n"
			       "[device counter]\n"
			       "address=C0:FF:EE:00:00:10\n"
			       "name=Counter One\n"
			       "paired=true\n"
			       "emulator=counter\n"
			       "interval_ms=1000\n"
			       "count=%d\n"
			       "[device stranger]\n"
			       "address=C0:FF:EE:00:00:20\n"
			       "stored=false\n"
			       "broadcaster=true\n"
			       "emulator=counter\n"
			       "advertise=0102\n";

static void
signal_free(Signal *s)
{
	g_free(s->path);
	g_free(s->member);
	g_variant_unref(s->args);
	g_free(s);
}

static void
on_signal(GDBusConnection *c, const char *sender, const char *path, const char *iface,
	  const char *member, GVariant *args, gpointer user_data)
{
	Fixture *f = user_data;
	Signal *s = g_new0(Signal, 1);

	s->path = g_strdup(path);
	s->member = g_strdup(member);
	s->args = g_variant_ref(args);
	g_ptr_array_add(f->signals, s);
}

static void
die_with_parent(gpointer user_data)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
start(Fixture *f, const char *cache, int count)
{
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(f->bus), "fake.conf", NULL);
	g_autofree char *fake = lactd_test_build_path("tests", "fake-bluez", "fake-bluez", NULL);
	g_autofree char *text = g_strdup_printf(scenario, cache, count);
	const char *argv[] = {fake, "--config", conf, "--speed", "10", NULL};
	g_autoptr(GError) error = NULL;
	int fd;

	g_assert_true(g_file_set_contents(conf, text, -1, NULL));
	f->log = g_build_filename(lactd_test_bus_tmpdir(f->bus), "fake.log", NULL);
	fd = open(f->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	g_assert_cmpint(fd, >=, 0);
	g_spawn_async_with_fds(NULL, (char **)argv, NULL, G_SPAWN_DO_NOT_REAP_CHILD, die_with_parent,
			       NULL, &f->fake, -1, fd, fd, &error);
	close(fd);
	g_assert_no_error(error);
	g_assert_true(lactd_test_wait_name(f->c, "org.bluez", TRUE, 20000));
	g_assert_true(lactd_test_wait_name(f->c, "org.lactd.FakeBluez", TRUE, 5000));
}

void
setup(Fixture *f, gconstpointer data)
{
	f->bus = lactd_test_bus_new();
	f->c = lactd_test_bus_connect(f->bus);
	f->signals = g_ptr_array_new_with_free_func((GDestroyNotify)signal_free);
	f->sub = g_dbus_connection_signal_subscribe(f->c, NULL, NULL, NULL, NULL, NULL,
						    G_DBUS_SIGNAL_FLAGS_NONE, on_signal, f, NULL);
	/* data: NULL, "no" (gatt_cache=no), or "finish" (a counter that
	 * finishes after 3 notifications). */
	if (g_strcmp0(data, "finish") == 0)
		start(f, "always", 3);
	else
		start(f, data != NULL ? data : "always", 0);
}

void
teardown(Fixture *f, gconstpointer data)
{
	int status = 0;

	if (g_test_failed()) {
		g_autofree char *log = NULL;
		if (g_file_get_contents(f->log, &log, NULL, NULL))
			g_printerr("---- fake-bluez log ----\n%s---- end ----\n", log);
	}
	kill(f->fake, SIGTERM);
	waitpid(f->fake, &status, 0);
	g_spawn_close_pid(f->fake);
	/* A clean exit: it frees everything on SIGTERM. */
	g_assert_true(WIFEXITED(status));
	g_assert_cmpint(WEXITSTATUS(status), ==, 0);
	g_dbus_connection_signal_unsubscribe(f->c, f->sub);
	g_ptr_array_unref(f->signals);
	g_free(f->log);
	g_clear_object(&f->c);
	g_clear_pointer(&f->bus, lactd_test_bus_free);
}

/* ---- helpers ------------------------------------------------------------------------ */

/* Signals that came before a reply are queued on the main context: let
 * them through so they are recorded in arrival order. */
void
drain(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

GVariant *
call(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
     GError **error)
{
	GVariant *r = g_dbus_connection_call_sync(f->c, "org.bluez", path, iface, method, args, NULL,
						  G_DBUS_CALL_FLAGS_NO_AUTO_START, WAIT_MS, NULL, error);
	drain();
	return r;
}

void
call_ok(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	GVariant *r = call(f, path, iface, method, args, &error);

	g_assert_no_error(error);
	g_variant_unref(r);
}

/* A call that fails with exactly that D-Bus error name (and message, if given). */
void
call_fails(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
	   const char *name, const char *message)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = call(f, path, iface, method, args, &error);
	g_autofree char *remote = NULL;

	g_assert_null(r);
	g_assert_nonnull(error);
	remote = g_dbus_error_get_remote_error(error);
	g_assert_cmpstr(remote, ==, name);
	if (message != NULL) {
		g_dbus_error_strip_remote_error(error);
		g_assert_cmpstr(error->message, ==, message);
	}
}

GVariant *
control(Fixture *f, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	GVariant *r = g_dbus_connection_call_sync(f->c, "org.lactd.FakeBluez", "/org/lactd/FakeBluez",
						  "org.lactd.FakeBluez1", method, args, NULL,
						  G_DBUS_CALL_FLAGS_NONE, WAIT_MS, NULL, &error);
	g_assert_no_error(error);
	drain();
	return r;
}

void
control_ok(Fixture *f, const char *method, GVariant *args)
{
	g_variant_unref(control(f, method, args));
}

GVariant *
objects(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = call(f, "/", "org.freedesktop.DBus.ObjectManager",
				     "GetManagedObjects", NULL, &error);

	g_assert_no_error(error);
	return g_variant_get_child_value(r, 0);
}

/* A property from GetManagedObjects, or NULL when the object or the
 * property does not exist. */
GVariant *
prop(Fixture *f, const char *path, const char *iface, const char *name)
{
	g_autoptr(GVariant) objs = objects(f);
	g_autoptr(GVariant) ifaces = g_variant_lookup_value(objs, path, G_VARIANT_TYPE("a{sa{sv}}"));
	g_autoptr(GVariant) props = NULL;

	if (ifaces == NULL)
		return NULL;
	props = g_variant_lookup_value(ifaces, iface, G_VARIANT_TYPE_VARDICT);
	return props != NULL ? g_variant_lookup_value(props, name, NULL) : NULL;
}

gboolean
has_object(Fixture *f, const char *path)
{
	g_autoptr(GVariant) objs = objects(f);
	g_autoptr(GVariant) v = g_variant_lookup_value(objs, path, NULL);

	return v != NULL;
}

/* Index of the first signal at or after from matching member and path (and,
 * for PropertiesChanged, carrying that property, with that boolean value
 * unless expect is -1); -1 if none yet. */
int
find_signal(Fixture *f, guint from, const char *member, const char *path, const char *property,
	    int expect)
{
	for (guint i = from; i < f->signals->len; i++) {
		Signal *s = g_ptr_array_index(f->signals, i);
		const char *opath = NULL;

		if (!g_str_equal(s->member, member))
			continue;
		if (g_str_equal(member, "InterfacesAdded") || g_str_equal(member, "InterfacesRemoved"))
			g_variant_get_child(s->args, 0, "&o", &opath);
		else
			opath = s->path;
		if (path != NULL && g_strcmp0(opath, path) != 0)
			continue;
		if (property != NULL) {
			g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
			g_autoptr(GVariant) v = g_variant_lookup_value(changed, property, NULL);
			if (v == NULL)
				continue;
			if (expect != -1 && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
			    g_variant_get_boolean(v) != (gboolean)expect)
				continue;
		}
		return (int)i;
	}
	return -1;
}

gboolean
signal_arrived(gpointer user_data)
{
	Wanted *w = user_data;

	return find_signal(w->f, w->from, w->member, w->path, w->property, w->expect) >= 0;
}

/* Waits (bounded) for a signal; returns its index. */
int
wait_signal(Fixture *f, guint from, const char *member, const char *path, const char *property,
	    int expect)
{
	Wanted w = {f, from, member, path, property, expect};

	g_assert_true(lactd_test_wait_for(signal_arrived, &w, WAIT_MS));
	return find_signal(f, from, member, path, property, expect);
}

guint
count_signals(Fixture *f, guint from, const char *member, const char *path, const char *property)
{
	guint n = 0;
	int i = (int)from - 1;

	while ((i = find_signal(f, (guint)(i + 1), member, path, property, -1)) >= 0)
		n++;
	return n;
}

/* Connects and waits for ServicesResolved; returns the first signal index
 * after the call was made. */
guint
connect_resolved(Fixture *f)
{
	guint from = f->signals->len;

	call_ok(f, DEV, "org.bluez.Device1", "Connect", NULL);
	wait_signal(f, from, "PropertiesChanged", DEV, "ServicesResolved", TRUE);
	return from;
}

GVariant *
no_options(void)
{
	return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
}

GVariant *
bytes(const void *data, gsize len)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	add_api_tests();
	add_control_tests();
	return g_test_run();
}
