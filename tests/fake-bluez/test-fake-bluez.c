/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake BlueZ seen from a client, on a private bus: objects, signal
 * order, errors and the control interface, against the behaviour of
 * bluetoothd 5.66 (src/device.c, src/gatt-client.c, gdbus/object.c).
 */
#include "config.h"

#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "lactd-test.h"
#include "test-emu.h"

#define DEV "/org/bluez/hci0/dev_C0_FF_EE_00_00_10"
#define STRANGER "/org/bluez/hci0/dev_C0_FF_EE_00_00_20"
#define SVC DEV "/service000a"
#define COUNTER SVC "/char000b"
#define ECHO SVC "/char000e"
#define LABEL SVC "/char0011"
#define WAIT_MS 5000

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

typedef struct {
	char *path;
	char *member;
	GVariant *args;
} Signal;

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	GPid fake;
	char *log;
	GPtrArray *signals; /* Signal, in arrival order */
	guint sub;
} Fixture;

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

static void
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

static void
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
static void
drain(void)
{
	while (g_main_context_iteration(NULL, FALSE))
		;
}

static GVariant *
call(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
     GError **error)
{
	GVariant *r = g_dbus_connection_call_sync(f->c, "org.bluez", path, iface, method, args, NULL,
						  G_DBUS_CALL_FLAGS_NO_AUTO_START, WAIT_MS, NULL, error);
	drain();
	return r;
}

static void
call_ok(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args)
{
	g_autoptr(GError) error = NULL;
	GVariant *r = call(f, path, iface, method, args, &error);

	g_assert_no_error(error);
	g_variant_unref(r);
}

/* A call that fails with exactly that D-Bus error name (and message, if given). */
static void
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

static GVariant *
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

static void
control_ok(Fixture *f, const char *method, GVariant *args)
{
	g_variant_unref(control(f, method, args));
}

static GVariant *
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
static GVariant *
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

static gboolean
has_object(Fixture *f, const char *path)
{
	g_autoptr(GVariant) objs = objects(f);
	g_autoptr(GVariant) v = g_variant_lookup_value(objs, path, NULL);

	return v != NULL;
}

/* Index of the first signal at or after from matching member and path (and,
 * for PropertiesChanged, carrying that property, with that boolean value
 * unless expect is -1); -1 if none yet. */
static int
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

typedef struct {
	Fixture *f;
	guint from;
	const char *member, *path, *property;
	int expect;
} Wanted;

static gboolean
signal_arrived(gpointer user_data)
{
	Wanted *w = user_data;

	return find_signal(w->f, w->from, w->member, w->path, w->property, w->expect) >= 0;
}

/* Waits (bounded) for a signal; returns its index. */
static int
wait_signal(Fixture *f, guint from, const char *member, const char *path, const char *property,
	    int expect)
{
	Wanted w = {f, from, member, path, property, expect};

	g_assert_true(lactd_test_wait_for(signal_arrived, &w, WAIT_MS));
	return find_signal(f, from, member, path, property, expect);
}

static guint
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
static guint
connect_resolved(Fixture *f)
{
	guint from = f->signals->len;

	call_ok(f, DEV, "org.bluez.Device1", "Connect", NULL);
	wait_signal(f, from, "PropertiesChanged", DEV, "ServicesResolved", TRUE);
	return from;
}

static GVariant *
no_options(void)
{
	return g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);
}

static GVariant *
bytes(const void *data, gsize len)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

/* ---- tests -------------------------------------------------------------------------- */

static void
test_objects(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) objs = objects(f);
	g_autoptr(GVariant) dev = g_variant_lookup_value(objs, DEV, G_VARIANT_TYPE("a{sa{sv}}"));
	g_autoptr(GVariant) adapter = g_variant_lookup_value(objs, "/org/bluez/hci0", NULL);
	g_autoptr(GVariant) first = NULL, second = NULL, third = NULL;
	g_autoptr(GVariant) powered = prop(f, "/org/bluez/hci0", "org.bluez.Adapter1", "Powered");
	g_autoptr(GVariant) paired = prop(f, DEV, "org.bluez.Device1", "Paired");
	g_autoptr(GVariant) name = prop(f, DEV, "org.bluez.Device1", "Name");
	g_autoptr(GVariant) owner = prop(f, DEV, "org.bluez.Device1", "Adapter");
	g_autoptr(GVariant) rssi = prop(f, DEV, "org.bluez.Device1", "RSSI");
	const char *iface;

	g_assert_nonnull(adapter);
	g_assert_nonnull(dev);
	/* Listed as gdbus lists them: Introspectable, the interface, Properties. */
	g_assert_cmpuint(g_variant_n_children(dev), ==, 3);
	first = g_variant_get_child_value(dev, 0);
	second = g_variant_get_child_value(dev, 1);
	third = g_variant_get_child_value(dev, 2);
	g_variant_get_child(first, 0, "&s", &iface);
	g_assert_cmpstr(iface, ==, "org.freedesktop.DBus.Introspectable");
	g_variant_get_child(second, 0, "&s", &iface);
	g_assert_cmpstr(iface, ==, "org.bluez.Device1");
	g_variant_get_child(third, 0, "&s", &iface);
	g_assert_cmpstr(iface, ==, "org.freedesktop.DBus.Properties");
	g_assert_true(g_variant_get_boolean(powered));
	g_assert_true(g_variant_get_boolean(paired));
	g_assert_cmpstr(g_variant_get_string(name, NULL), ==, "Counter One");
	g_assert_cmpstr(g_variant_get_string(owner, NULL), ==, "/org/bluez/hci0");
	/* Not discovering: no RSSI, and no GATT objects before a connection. */
	g_assert_null(rssi);
	g_assert_false(has_object(f, SVC));
	/* An unpaired device exists only once discovery has seen it. */
	g_assert_false(has_object(f, STRANGER));
	g_assert_cmpuint(g_variant_n_children(objs), ==, 2);
}

static void
test_discovery(Fixture *f, gconstpointer data)
{
	g_autoptr(GVariant) mfr = NULL, rssi = NULL;
	guint from = f->signals->len;
	const guint8 *adv;
	gsize len;

	call_ok(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StartDiscovery", NULL);
	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StartDiscovery", NULL,
		   "org.bluez.Error.InProgress", NULL);
	wait_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Discovering", TRUE);
	wait_signal(f, from, "InterfacesAdded", STRANGER, NULL, -1);
	wait_signal(f, from, "PropertiesChanged", STRANGER, "ManufacturerData", -1);
	mfr = prop(f, STRANGER, "org.bluez.Device1", "ManufacturerData");
	g_assert_nonnull(mfr);
	g_assert_true(g_variant_is_of_type(mfr, G_VARIANT_TYPE("a{qv}")));
	{
		GVariantIter it;
		guint16 id;
		GVariant *v;
		g_variant_iter_init(&it, mfr);
		g_assert_true(g_variant_iter_next(&it, "{qv}", &id, &v));
		g_assert_cmpuint(id, ==, 0xffff);
		adv = g_variant_get_fixed_array(v, &len, 1);
		g_assert_cmpmem(adv, len, "\x01\x02", 2);
		g_variant_unref(v);
	}
	rssi = prop(f, STRANGER, "org.bluez.Device1", "RSSI");
	g_assert_nonnull(rssi);

	from = f->signals->len;
	call_ok(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StopDiscovery", NULL);
	wait_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Discovering", FALSE);
	/* RSSI is invalidated when discovery stops. */
	g_clear_pointer(&rssi, g_variant_unref);
	rssi = prop(f, STRANGER, "org.bluez.Device1", "RSSI");
	g_assert_null(rssi);
	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StopDiscovery", NULL,
		   "org.bluez.Error.Failed", "No discovery started");
}

static void
test_connect_order(Fixture *f, gconstpointer data)
{
	guint from = connect_resolved(f);
	int connected = find_signal(f, from, "PropertiesChanged", DEV, "Connected", TRUE);
	int svc = find_signal(f, from, "InterfacesAdded", SVC, NULL, -1);
	int chr = find_signal(f, from, "InterfacesAdded", COUNTER, NULL, -1);
	int desc = find_signal(f, from, "InterfacesAdded", COUNTER "/desc000d", NULL, -1);
	int label = find_signal(f, from, "InterfacesAdded", LABEL, NULL, -1);
	int resolved = find_signal(f, from, "PropertiesChanged", DEV, "ServicesResolved", TRUE);
	g_autoptr(GVariant) handle = prop(f, COUNTER, "org.bluez.GattCharacteristic1", "Handle");
	g_autoptr(GVariant) mtu = prop(f, COUNTER, "org.bluez.GattCharacteristic1", "MTU");
	g_autoptr(GVariant) notifying = prop(f, COUNTER, "org.bluez.GattCharacteristic1", "Notifying");
	g_autoptr(GVariant) label_notifying =
	    prop(f, LABEL, "org.bluez.GattCharacteristic1", "Notifying");
	g_autoptr(GVariant) uuid = prop(f, ECHO, "org.bluez.GattCharacteristic1", "UUID");
	g_autoptr(GVariant) value = prop(f, COUNTER, "org.bluez.GattCharacteristic1", "Value");

	/* Connected, then the GATT objects by handle, then ServicesResolved. */
	g_assert_cmpint(connected, >=, 0);
	g_assert_cmpint(connected, <, svc);
	g_assert_cmpint(svc, <, chr);
	g_assert_cmpint(chr, <, desc);
	g_assert_cmpint(desc, <, label);
	g_assert_cmpint(label, <, resolved);
	g_assert_cmpstr(g_variant_get_string(uuid, NULL), ==, TEST_EMU_ECHO);
	/* gatt-client's characteristics have no Handle; MTU with a link;
	 * Notifying only where notify/indicate; Value once one is known. */
	g_assert_null(handle);
	g_assert_cmpuint(g_variant_get_uint16(mtu), ==, 247);
	g_assert_false(g_variant_get_boolean(notifying));
	g_assert_null(label_notifying);
	g_assert_null(value);
	/* Connect on a connected device succeeds at once. */
	call_ok(f, DEV, "org.bluez.Device1", "Connect", NULL);
}

static void
test_notify(Fixture *f, gconstpointer data)
{
	guint from;
	gint64 t0, t1;
	guint32 expect = 1;
	int i = -1;

	connect_resolved(f);
	from = f->signals->len;
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	wait_signal(f, from, "PropertiesChanged", COUNTER, "Notifying", TRUE);
	/* A second StartNotify from the same client while active is fine. */
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	i = wait_signal(f, from, "PropertiesChanged", COUNTER, "Value", -1);
	t0 = g_get_monotonic_time();
	/* One a scenario second, at --speed 10: 100 ms apart, counting up. */
	for (guint n = 0; n < 4; n++) {
		Signal *s = g_ptr_array_index(f->signals, i);
		g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
		g_autoptr(GVariant) v = g_variant_lookup_value(changed, "Value", G_VARIANT_TYPE_BYTESTRING);
		gsize len;
		const guint8 *b = g_variant_get_fixed_array(v, &len, 1);
		g_assert_cmpuint(len, ==, 4);
		g_assert_cmpuint(b[0] | b[1] << 8 | b[2] << 16 | (guint32)b[3] << 24, ==, expect);
		expect++;
		i = wait_signal(f, (guint)i + 1, "PropertiesChanged", COUNTER, "Value", -1);
	}
	t1 = g_get_monotonic_time();
	g_assert_cmpint(t1 - t0, >=, 300 * 1000);
	g_assert_cmpint(t1 - t0, <, 2000 * 1000);

	from = f->signals->len;
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StopNotify", NULL);
	wait_signal(f, from, "PropertiesChanged", COUNTER, "Notifying", FALSE);
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "StopNotify", NULL,
		   "org.bluez.Error.Failed", "No notify session started");
	call_fails(f, LABEL, "org.bluez.GattCharacteristic1", "StartNotify", NULL,
		   "org.bluez.Error.NotSupported", NULL);
}

static void
test_read_write(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(GVariant) v = NULL;
	GVariantBuilder opts;
	guint from;
	int i;
	const guint8 big[21] = {0};

	connect_resolved(f);
	call_ok(f, ECHO, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	/* A request, echoed back as a notification. */
	from = f->signals->len;
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "type", g_variant_new_string("request"));
	call_ok(f, ECHO, "org.bluez.GattCharacteristic1", "WriteValue",
		g_variant_new("(@aya{sv})", bytes("hi", 2), &opts));
	i = wait_signal(f, from, "PropertiesChanged", ECHO, "Value", -1);
	{
		Signal *s = g_ptr_array_index(f->signals, i);
		g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
		g_autoptr(GVariant) val = g_variant_lookup_value(changed, "Value", NULL);
		gsize len;
		const guint8 *b = g_variant_get_fixed_array(val, &len, 1);
		g_assert_cmpmem(b, len, "hi", 2);
	}
	/* A command, and the same bytes again: a signal every time. */
	from = f->signals->len;
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "type", g_variant_new_string("command"));
	call_ok(f, ECHO, "org.bluez.GattCharacteristic1", "WriteValue",
		g_variant_new("(@aya{sv})", bytes("hi", 2), &opts));
	wait_signal(f, from, "PropertiesChanged", ECHO, "Value", -1);

	/* The device refuses a long value: ATT Invalid Attribute Value Length. */
	call_fails(f, ECHO, "org.bluez.GattCharacteristic1", "WriteValue",
		   g_variant_new("(@ay@a{sv})", bytes(big, sizeof(big)), no_options()),
		   "org.bluez.Error.InvalidArguments", "Invalid Length");
	/* Options bluetoothd refuses. */
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "type", g_variant_new_string("bogus"));
	call_fails(f, ECHO, "org.bluez.GattCharacteristic1", "WriteValue",
		   g_variant_new("(@aya{sv})", bytes("x", 1), &opts), "org.bluez.Error.NotSupported",
		   NULL);
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "offset", g_variant_new_int32(1));
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "ReadValue",
		   g_variant_new("(a{sv})", &opts), "org.bluez.Error.InvalidArguments", NULL);
	/* No write property and no type asked: nothing to write with. */
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "WriteValue",
		   g_variant_new("(@ay@a{sv})", bytes("x", 1), no_options()),
		   "org.bluez.Error.NotSupported", NULL);
	/* Wrong argument types never reach the handler. */
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "ReadValue",
		   g_variant_new("(s)", "x"), "org.freedesktop.DBus.Error.InvalidArgs", NULL);

	/* A read: the value is announced as a Value change before the reply. */
	from = f->signals->len;
	r = call(f, LABEL, "org.bluez.GattCharacteristic1", "ReadValue",
		 g_variant_new("(@a{sv})", no_options()), &error);
	g_assert_no_error(error);
	g_assert_cmpint(find_signal(f, from, "PropertiesChanged", LABEL, "Value", -1), >=, 0);
	v = g_variant_get_child_value(r, 0);
	{
		gsize len;
		const guint8 *b = g_variant_get_fixed_array(v, &len, 1);
		g_assert_cmpmem(b, len, "counter", 7);
	}
}

static void
test_disconnect(Fixture *f, gconstpointer data)
{
	guint from;
	int resolved, connected, i;
	g_autoptr(GVariant) notifying = NULL;

	connect_resolved(f);
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	from = f->signals->len;
	call_ok(f, DEV, "org.bluez.Device1", "Disconnect", NULL);
	/* The reply comes once the link is down: ServicesResolved false went
	 * out before it, Connected false after. */
	resolved = find_signal(f, from, "PropertiesChanged", DEV, "ServicesResolved", FALSE);
	g_assert_cmpint(resolved, >=, 0);
	connected = wait_signal(f, from, "PropertiesChanged", DEV, "Connected", FALSE);
	g_assert_cmpint(resolved, <, connected);
	/* The GATT cache keeps the objects; a read needs a link. */
	g_assert_true(has_object(f, COUNTER));
	g_assert_cmpuint(count_signals(f, from, "InterfacesRemoved", NULL, NULL), ==, 0);
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "ReadValue",
		   g_variant_new("(@a{sv})", no_options()), "org.bluez.Error.Failed",
		   "Not connected");
	/* The notify session waits for the next link. */
	notifying = prop(f, COUNTER, "org.bluez.GattCharacteristic1", "Notifying");
	g_assert_true(g_variant_get_boolean(notifying));
	call_fails(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL,
		   "org.bluez.Error.InProgress", NULL);

	from = connect_resolved(f);
	g_assert_cmpuint(count_signals(f, from, "InterfacesAdded", NULL, NULL), ==, 0);
	i = wait_signal(f, from, "PropertiesChanged", COUNTER, "Value", -1);
	g_assert_cmpint(i, >, 0);
}

static void
test_no_cache(Fixture *f, gconstpointer data)
{
	guint from;

	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:10", 1));
	/* A lost link: one PropertiesChanged with both, then the objects go. */
	{
		int i = wait_signal(f, from, "PropertiesChanged", DEV, "Connected", FALSE);
		Signal *s = g_ptr_array_index(f->signals, i);
		g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
		g_autoptr(GVariant) sr = g_variant_lookup_value(changed, "ServicesResolved", NULL);
		g_assert_nonnull(sr);
		g_assert_false(g_variant_get_boolean(sr));
		g_assert_cmpint(wait_signal(f, (guint)i, "InterfacesRemoved", COUNTER, NULL, -1), >, i);
	}
	g_assert_false(has_object(f, SVC));
	/* Out of range: the attempt times out. */
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.Failed",
		   "le-connection-abort-by-local");
}

static gboolean
connect_succeeds(gpointer user_data)
{
	Fixture *f = user_data;
	g_autoptr(GVariant) r = call(f, DEV, "org.bluez.Device1", "Connect", NULL, NULL);

	return r != NULL;
}

static void
test_drop_link(Fixture *f, gconstpointer data)
{
	connect_resolved(f);
	control_ok(f, "DropLink", g_variant_new("(su)", "C0:FF:EE:00:00:10", 1));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.Failed",
		   "le-connection-abort-by-local");
	/* Back in range after a second. */
	g_assert_true(lactd_test_wait_for(connect_succeeds, f, WAIT_MS));
}

typedef struct {
	Fixture *f;
	gboolean owned;
} NameWait;

static void
test_restart(Fixture *f, gconstpointer data)
{
	guint from;
	g_autoptr(GVariant) connected = NULL;

	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "Restart", g_variant_new("(u)", 300));
	g_assert_true(lactd_test_wait_name(f->c, "org.bluez", FALSE, WAIT_MS));
	g_assert_true(lactd_test_wait_name(f->c, "org.bluez", TRUE, WAIT_MS));
	/* A dead daemon says nothing. */
	g_assert_cmpuint(count_signals(f, from, "InterfacesRemoved", NULL, NULL), ==, 0);
	g_assert_cmpuint(count_signals(f, from, "PropertiesChanged", DEV, NULL), ==, 0);
	connected = prop(f, DEV, "org.bluez.Device1", "Connected");
	g_assert_nonnull(connected);
	g_assert_false(g_variant_get_boolean(connected));
	g_assert_false(has_object(f, SVC));
	connect_resolved(f);
	g_assert_true(has_object(f, SVC));
}

static void
test_powered(Fixture *f, gconstpointer data)
{
	guint from;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;

	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "SetPowered", g_variant_new("(sb)", "hci0", FALSE));
	wait_signal(f, from, "PropertiesChanged", DEV, "Connected", FALSE);
	wait_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Powered", FALSE);
	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "StartDiscovery", NULL,
		   "org.bluez.Error.NotReady", "Resource Not Ready");
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.Failed", NULL);
	/* Powered back on as a client does it. */
	r = call(f, "/org/bluez/hci0", "org.freedesktop.DBus.Properties", "Set",
		 g_variant_new("(ssv)", "org.bluez.Adapter1", "Powered", g_variant_new_boolean(TRUE)),
		 &error);
	g_assert_no_error(error);
	g_assert_cmpint(find_signal(f, from, "PropertiesChanged", "/org/bluez/hci0", "Powered", TRUE),
			>=, 0);
	connect_resolved(f);
}

static void
test_remove(Fixture *f, gconstpointer data)
{
	guint from;

	call_fails(f, "/org/bluez/hci0", "org.bluez.Adapter1", "RemoveDevice",
		   g_variant_new("(o)", "/org/bluez/hci0/dev_00_00_00_00_00_00"),
		   "org.bluez.Error.DoesNotExist", "Does Not Exist");
	connect_resolved(f);
	from = f->signals->len;
	control_ok(f, "RemoveDevice", g_variant_new("(s)", "C0:FF:EE:00:00:10"));
	wait_signal(f, from, "InterfacesRemoved", DEV, NULL, -1);
	g_assert_cmpint(find_signal(f, from, "InterfacesRemoved", COUNTER, NULL, -1), <,
			find_signal(f, from, "InterfacesRemoved", DEV, NULL, -1));
	g_assert_false(has_object(f, DEV));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL,
		   "org.freedesktop.DBus.Error.UnknownMethod", NULL);
}

static void
test_fail_delay(Fixture *f, gconstpointer data)
{
	gint64 t0;

	control_ok(f, "FailNext", g_variant_new("(ss)", "Connect", "org.bluez.Error.InProgress"));
	call_fails(f, DEV, "org.bluez.Device1", "Connect", NULL, "org.bluez.Error.InProgress", NULL);
	connect_resolved(f);
	control_ok(f, "DelayNext", g_variant_new("(su)", "ReadValue", 300));
	t0 = g_get_monotonic_time();
	call_ok(f, LABEL, "org.bluez.GattCharacteristic1", "ReadValue",
		g_variant_new("(@a{sv})", no_options()));
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 300 * 1000);
}

static void
test_never_resolve(Fixture *f, gconstpointer data)
{
	Wanted w = {f, 0, "PropertiesChanged", DEV, "ServicesResolved", TRUE};

	control_ok(f, "NeverResolve", g_variant_new("(sb)", "C0:FF:EE:00:00:10", TRUE));
	w.from = f->signals->len;
	call_ok(f, DEV, "org.bluez.Device1", "Connect", NULL);
	wait_signal(f, w.from, "PropertiesChanged", DEV, "Connected", TRUE);
	/* Discovery takes 20 ms normally: half a second is never. */
	g_assert_false(lactd_test_wait_for(signal_arrived, &w, 500));
	g_assert_false(has_object(f, SVC));
}

static void
test_raw_stats_finished(Fixture *f, gconstpointer data)
{
	const guint8 junk[] = {0xde, 0xad, 0xbe, 0xef, 0x00};
	g_autoptr(GVariant) stats = NULL;
	g_autoptr(GVariant) dict = NULL;
	g_autoptr(GVariant) calls = NULL;
	guint32 n = 0, connects = 0;
	guint from;
	int i;

	connect_resolved(f);
	call_ok(f, COUNTER, "org.bluez.GattCharacteristic1", "StartNotify", NULL);
	from = f->signals->len;
	control_ok(f, "SendRaw", g_variant_new("(ss@ay)", "C0:FF:EE:00:00:10", TEST_EMU_COUNTER,
					       bytes(junk, sizeof(junk))));
	i = wait_signal(f, from, "PropertiesChanged", COUNTER, "Value", -1);
	{
		Signal *s = g_ptr_array_index(f->signals, i);
		g_autoptr(GVariant) changed = g_variant_get_child_value(s->args, 1);
		g_autoptr(GVariant) v = g_variant_lookup_value(changed, "Value", NULL);
		gsize len;
		const guint8 *b = g_variant_get_fixed_array(v, &len, 1);
		g_assert_cmpmem(b, len, junk, sizeof(junk));
	}
	/* count=3: finished after the third counter notification. */
	wait_signal(f, 0, "ScenarioFinished", "/org/lactd/FakeBluez", NULL, -1);
	stats = control(f, "GetStats", NULL);
	dict = g_variant_get_child_value(stats, 0);
	g_assert_true(g_variant_lookup(dict, "notifications", "u", &n));
	g_assert_cmpuint(n, >=, 4);
	calls = g_variant_lookup_value(dict, "calls", G_VARIANT_TYPE("a{su}"));
	g_assert_true(g_variant_lookup(calls, "Connect", "u", &connects));
	g_assert_cmpuint(connects, ==, 1);
}

static void
test_session_owner_leaves(Fixture *f, gconstpointer data)
{
	g_autoptr(GDBusConnection) other = lactd_test_bus_connect(f->bus);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	guint from;

	connect_resolved(f);
	r = g_dbus_connection_call_sync(other, "org.bluez", COUNTER, "org.bluez.GattCharacteristic1",
					"StartNotify", NULL, NULL, G_DBUS_CALL_FLAGS_NONE, WAIT_MS,
					NULL, &error);
	g_assert_no_error(error);
	from = f->signals->len;
	g_dbus_connection_close_sync(other, NULL, &error);
	g_assert_no_error(error);
	wait_signal(f, 0, "PropertiesChanged", COUNTER, "Notifying", FALSE);
	(void)from;
}

static void
test_bad_config(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autofree char *conf = g_build_filename(lactd_test_bus_tmpdir(bus), "bad.conf", NULL);
	g_autofree char *fake = lactd_test_build_path("tests", "fake-bluez", "fake-bluez", NULL);
	const char *argv[] = {fake, "--config", conf, NULL};
	const char *speed[] = {fake, "--config", conf, "--speed", "0", NULL};
	g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL;

	g_assert_true(g_file_set_contents(conf,
					  "[adapter hci0]\n[device d]\naddress=C0:FF:EE:00:00:10\n"
					  "emulator=counter\nflavour=mint\n",
					  -1, NULL));
	g_assert_cmpint(lactd_test_run(argv, &out, &err), ==, 1);
	g_assert_nonnull(strstr(err, "flavour"));
	g_assert_cmpint(lactd_test_run(speed, &out2, &err2), ==, 2);
	g_assert_nonnull(strstr(err2, "--speed"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
#define T(path, fn, cache) \
	g_test_add("/fake-bluez/" path, Fixture, cache, setup, fn, teardown)
	T("objects", test_objects, NULL);
	T("discovery", test_discovery, NULL);
	T("connect/order", test_connect_order, NULL);
	T("notify", test_notify, NULL);
	T("read-write", test_read_write, NULL);
	T("disconnect/cached", test_disconnect, NULL);
	T("disconnect/no-cache", test_no_cache, "no");
	T("control/drop-link", test_drop_link, NULL);
	T("control/restart", test_restart, NULL);
	T("control/powered", test_powered, NULL);
	T("control/remove", test_remove, NULL);
	T("control/fail-delay", test_fail_delay, NULL);
	T("control/never-resolve", test_never_resolve, NULL);
	T("control/raw-stats-finished", test_raw_stats_finished, "finish");
	T("notify/owner-leaves", test_session_owner_leaves, NULL);
#undef T
	g_test_add_func("/fake-bluez/config/errors", test_bad_config);
	return g_test_run();
}
