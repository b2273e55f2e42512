/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake BlueZ's org.bluez API seen from a client: objects, discovery,
 * connection and signal order, notifications, reads and writes, and what
 * a disconnection leaves, with and without the GATT cache.
 */
#include "config.h"

#include <string.h>

#include "test-emu.h"
#include "test-fake-bluez.h"

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

void
add_api_tests(void)
{
	ADD("objects", test_objects, NULL);
	ADD("discovery", test_discovery, NULL);
	ADD("connect/order", test_connect_order, NULL);
	ADD("notify", test_notify, NULL);
	ADD("read-write", test_read_write, NULL);
	ADD("disconnect/cached", test_disconnect, NULL);
	ADD("disconnect/no-cache", test_no_cache, "no");
	ADD("notify/owner-leaves", test_session_owner_leaves, NULL);
}
