/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client against a small fake org.bluez served from this process
 * on a private bus: one adapter, one paired device with one service and one
 * characteristic, whose Connect can succeed, fail or never resolve.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez.h"
#include "test-bluez-dbus.h"

#define DEV_PATH "/org/bluez/hci0/dev_C0_FF_EE_00_00_01"
#define SVC_PATH DEV_PATH "/service0010"
#define CHR_PATH SVC_PATH "/char0011"
#define SVC_UUID "0000aaaa-0000-1000-8000-00805f9b34fb"
#define CHR_UUID "0000aa01-0000-1000-8000-00805f9b34fb"

typedef enum {
	CONNECT_OK,	   /* connects and resolves the services */
	CONNECT_FAIL,	   /* org.bluez.Error.Failed */
	CONNECT_NO_RESOLVE, /* connects, ServicesResolved never comes */
} ConnectMode;

typedef struct {
	GTestDBus *dbus;
	GDBusConnection *server;
	GDBusConnection *client;
	GDBusObjectManagerServer *om;
	guint owner_id;
	FakeAdapter1 *adapter;
	FakeDevice1 *device;
	FakeGattCharacteristic1 *chr;
	ConnectMode mode;
	guint connects, disconnects, discovery_starts;
	GPtrArray *writes; /* "01 request" */

	LactdConfig config;
	LactdBluez *bluez;
	LactdBluezDevice *bdev;
	GPtrArray *events; /* "added", "ready", "lost", "removed", "notify 2a", "read 2a", "written" */
} Fixture;

/* --- the fake org.bluez ---------------------------------------------------------- */

static gboolean
on_connect(FakeDevice1 *dev, GDBusMethodInvocation *inv, Fixture *f)
{
	f->connects++;
	switch (f->mode) {
	case CONNECT_FAIL:
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.Failed",
							   "Page Timeout");
		return TRUE;
	case CONNECT_NO_RESOLVE:
		fake_device1_set_connected(dev, TRUE);
		break;
	case CONNECT_OK:
		fake_device1_set_connected(dev, TRUE);
		fake_device1_set_services_resolved(dev, TRUE);
		break;
	}
	fake_device1_complete_connect(dev, inv);
	return TRUE;
}

static gboolean
on_disconnect(FakeDevice1 *dev, GDBusMethodInvocation *inv, Fixture *f)
{
	f->disconnects++;
	fake_device1_set_services_resolved(dev, FALSE);
	fake_device1_set_connected(dev, FALSE);
	fake_device1_complete_disconnect(dev, inv);
	return TRUE;
}

static gboolean
on_start_notify(FakeGattCharacteristic1 *chr, GDBusMethodInvocation *inv, Fixture *f)
{
	fake_gatt_characteristic1_set_notifying(chr, TRUE);
	fake_gatt_characteristic1_complete_start_notify(chr, inv);
	return TRUE;
}

static GVariant *
bytes(guint8 b)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, &b, 1, 1);
}

static gboolean
on_read(FakeGattCharacteristic1 *chr, GDBusMethodInvocation *inv, GVariant *options, Fixture *f)
{
	fake_gatt_characteristic1_complete_read_value(chr, inv, bytes(0x2a));
	return TRUE;
}

static gboolean
on_write(FakeGattCharacteristic1 *chr, GDBusMethodInvocation *inv, GVariant *value,
	 GVariant *options, Fixture *f)
{
	const char *type = "?";
	gsize len = 0;
	const guint8 *d = g_variant_get_fixed_array(value, &len, 1);

	g_variant_lookup(options, "type", "&s", &type);
	g_ptr_array_add(f->writes, g_strdup_printf("%02x %s", len > 0 ? d[0] : 0, type));
	fake_gatt_characteristic1_complete_write_value(chr, inv);
	return TRUE;
}

static gboolean
on_start_discovery(FakeAdapter1 *a, GDBusMethodInvocation *inv, Fixture *f)
{
	f->discovery_starts++;
	fake_adapter1_complete_start_discovery(a, inv);
	return TRUE;
}

static gboolean
on_filter(FakeAdapter1 *a, GDBusMethodInvocation *inv, GVariant *filter, Fixture *f)
{
	fake_adapter1_complete_set_discovery_filter(a, inv);
	return TRUE;
}

static void
export_adapter(Fixture *f)
{
	g_autoptr(FakeObjectSkeleton) obj = fake_object_skeleton_new("/org/bluez/hci0");

	f->adapter = fake_adapter1_skeleton_new();
	fake_adapter1_set_address(f->adapter, "00:11:22:33:44:55");
	fake_adapter1_set_powered(f->adapter, TRUE);
	g_signal_connect(f->adapter, "handle-start-discovery", G_CALLBACK(on_start_discovery), f);
	g_signal_connect(f->adapter, "handle-set-discovery-filter", G_CALLBACK(on_filter), f);
	fake_object_skeleton_set_adapter1(obj, f->adapter);
	g_dbus_object_manager_server_export(f->om, G_DBUS_OBJECT_SKELETON(obj));
}

static void
export_device(Fixture *f)
{
	g_autoptr(FakeObjectSkeleton) obj = fake_object_skeleton_new(DEV_PATH);
	g_autoptr(FakeObjectSkeleton) sobj = fake_object_skeleton_new(SVC_PATH);
	g_autoptr(FakeObjectSkeleton) cobj = fake_object_skeleton_new(CHR_PATH);
	g_autoptr(FakeGattService1) svc = fake_gatt_service1_skeleton_new();
	const char *const uuids[] = {SVC_UUID, NULL};
	const char *const flags[] = {"read", "write", "notify", NULL};

	/* The characteristic first: the client must cope with any order. */
	f->chr = fake_gatt_characteristic1_skeleton_new();
	fake_gatt_characteristic1_set_uuid(f->chr, CHR_UUID);
	fake_gatt_characteristic1_set_service(f->chr, SVC_PATH);
	fake_gatt_characteristic1_set_value(f->chr, bytes(0));
	fake_gatt_characteristic1_set_flags(f->chr, flags);
	g_signal_connect(f->chr, "handle-start-notify", G_CALLBACK(on_start_notify), f);
	g_signal_connect(f->chr, "handle-read-value", G_CALLBACK(on_read), f);
	g_signal_connect(f->chr, "handle-write-value", G_CALLBACK(on_write), f);
	fake_object_skeleton_set_gatt_characteristic1(cobj, f->chr);
	g_dbus_object_manager_server_export(f->om, G_DBUS_OBJECT_SKELETON(cobj));

	f->device = fake_device1_skeleton_new();
	fake_device1_set_address(f->device, "C0:FF:EE:00:00:01");
	fake_device1_set_name(f->device, "Test Pump");
	fake_device1_set_adapter(f->device, "/org/bluez/hci0");
	fake_device1_set_paired(f->device, TRUE);
	fake_device1_set_uuids(f->device, uuids);
	fake_device1_set_manufacturer_data(f->device, g_variant_new_parsed("@a{qv} {}"));
	fake_device1_set_service_data(f->device, g_variant_new_parsed("@a{sv} {}"));
	g_signal_connect(f->device, "handle-connect", G_CALLBACK(on_connect), f);
	g_signal_connect(f->device, "handle-disconnect", G_CALLBACK(on_disconnect), f);
	fake_object_skeleton_set_device1(obj, f->device);
	g_dbus_object_manager_server_export(f->om, G_DBUS_OBJECT_SKELETON(obj));

	fake_gatt_service1_set_uuid(svc, SVC_UUID);
	fake_gatt_service1_set_device(svc, DEV_PATH);
	fake_gatt_service1_set_primary(svc, TRUE);
	fake_object_skeleton_set_gatt_service1(sobj, svc);
	g_dbus_object_manager_server_export(f->om, G_DBUS_OBJECT_SKELETON(sobj));
}

static void
bluez_up(Fixture *f)
{
	f->owner_id = g_bus_own_name_on_connection(f->server, "org.bluez",
						   G_BUS_NAME_OWNER_FLAGS_NONE, NULL, NULL, NULL,
						   NULL);
}

static void
bluez_down(Fixture *f)
{
	g_clear_handle_id(&f->owner_id, g_bus_unown_name);
}

/* --- the listener ------------------------------------------------------------------ */

static void
ev(Fixture *f, const char *e)
{
	g_ptr_array_add(f->events, g_strdup(e));
}

static void
l_added(LactdBluezDevice *dev, gpointer user_data)
{
	Fixture *f = user_data;

	g_assert_cmpstr(lactd_bluez_device_get_address(dev), ==, "C0:FF:EE:00:00:01");
	f->bdev = dev;
	ev(f, "added");
}

static void
l_changed(LactdBluezDevice *dev, gpointer user_data)
{
}

static void
l_adv(LactdBluezDevice *dev, guint16 id, const char *uuid, const guint8 *data, gsize len,
      gpointer user_data)
{
	Fixture *f = user_data;
	g_autofree char *e = g_strdup_printf("adv %04x %zu", id, len);

	ev(f, e);
}

static void
l_ready(LactdBluezDevice *dev, gpointer user_data)
{
	ev(user_data, "ready");
}

static void
l_lost(LactdBluezDevice *dev, gpointer user_data)
{
	ev(user_data, "lost");
}

static void
l_removed(LactdBluezDevice *dev, gpointer user_data)
{
	Fixture *f = user_data;

	f->bdev = NULL;
	ev(f, "removed");
}

static void
l_value(LactdBluezDevice *dev, const char *uuid, const guint8 *data, gsize len,
	LactdValueOrigin origin, gpointer user_data)
{
	g_autofree char *e = g_strdup_printf("%s %02x", origin == LACTD_VALUE_READ ? "read" : "notify",
					     len > 0 ? data[0] : 0);

	g_assert_cmpstr(uuid, ==, CHR_UUID);
	ev(user_data, e);
}

static void
l_write_done(LactdBluezDevice *dev, const GError *error, gpointer user_data)
{
	g_assert_no_error(error);
	ev(user_data, "written");
}

static const LactdBluezListener listener = {
	.device_added = l_added,
	.device_changed = l_changed,
	.advertisement = l_adv,
	.device_ready = l_ready,
	.device_lost = l_lost,
	.device_removed = l_removed,
	.value = l_value,
	.write_done = l_write_done,
};

/* --- fixture and waiting ----------------------------------------------------------- */

static guint
count(Fixture *f, const char *e)
{
	guint n = 0;

	for (guint i = 0; i < f->events->len; i++)
		n += g_strcmp0(f->events->pdata[i], e) == 0;
	return n;
}

/* Iterates until event e has been seen n times, bounded. */
static gboolean
wait_event(Fixture *f, const char *e, guint n)
{
	gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;

	while (count(f, e) < n && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), TRUE);
	return count(f, e) >= n;
}

static void
run_for(guint ms)
{
	gint64 end = g_get_monotonic_time() + ms * G_TIME_SPAN_MILLISECOND;

	while (g_get_monotonic_time() < end)
		g_main_context_iteration(NULL, FALSE) || (g_usleep(1000), TRUE);
}

static void
setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *address;

	memset(f, 0, sizeof(*f));
	f->dbus = g_test_dbus_new(G_TEST_DBUS_NONE);
	g_test_dbus_up(f->dbus);
	address = g_test_dbus_get_bus_address(f->dbus);
	f->server = g_dbus_connection_new_for_address_sync(
	    address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error(error);
	f->client = g_dbus_connection_new_for_address_sync(
	    address,
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	g_assert_no_error(error);
	f->om = g_dbus_object_manager_server_new("/");
	g_dbus_object_manager_server_set_connection(f->om, f->server);
	f->writes = g_ptr_array_new_with_free_func(g_free);
	f->events = g_ptr_array_new_with_free_func(g_free);
	f->config.reconnect_min_ms = 20;
	f->config.reconnect_max_ms = 80;
	f->config.bluez_timeout_ms = 300;
	export_adapter(f);
	export_device(f);
}

static void
teardown(Fixture *f, gconstpointer data)
{
	g_clear_pointer(&f->bluez, lactd_bluez_free);
	bluez_down(f);
	g_clear_object(&f->adapter);
	g_clear_object(&f->device);
	g_clear_object(&f->chr);
	g_clear_object(&f->om);
	g_dbus_connection_close_sync(f->server, NULL, NULL);
	g_dbus_connection_close_sync(f->client, NULL, NULL);
	g_clear_object(&f->server);
	g_clear_object(&f->client);
	g_test_dbus_down(f->dbus);
	g_clear_object(&f->dbus);
	g_ptr_array_unref(f->writes);
	g_ptr_array_unref(f->events);
}

static void
start(Fixture *f)
{
	bluez_up(f);
	f->bluez = lactd_bluez_new(f->client, &f->config);
	lactd_bluez_start(f->bluez, &listener, f);
	g_assert_true(wait_event(f, "added", 1));
	g_assert_true(lactd_bluez_is_up(f->bluez));
}

/* --- tests ------------------------------------------------------------------------- */

static void
test_connect(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) cmd = g_bytes_new_static("\x01", 1);
	g_autoptr(GBytes) cmd2 = g_bytes_new_static("\x02", 1);
	g_auto(GStrv) uuids = NULL;

	start(f);
	/* Nothing happens to a device nobody wants. */
	run_for(50);
	g_assert_cmpuint(f->connects, ==, 0);
	g_assert_true(lactd_bluez_device_get_paired(f->bdev));
	uuids = lactd_bluez_device_dup_uuids(f->bdev);
	g_assert_true(g_strv_contains((const char *const *)uuids, SVC_UUID));

	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 1));
	g_assert_cmpuint(f->connects, ==, 1);

	g_assert_true(lactd_bluez_device_subscribe(f->bdev, CHR_UUID, &error));
	g_assert_no_error(error);
	g_assert_false(lactd_bluez_device_subscribe(f->bdev, "0000dead-0000-1000-8000-00805f9b34fb",
						    &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
	g_clear_error(&error);
	run_for(50);
	fake_gatt_characteristic1_set_value(f->chr, bytes(0x17));
	g_assert_true(wait_event(f, "notify 17", 1));

	g_assert_true(lactd_bluez_device_read(f->bdev, CHR_UUID, &error));
	g_assert_true(wait_event(f, "read 2a", 1));

	g_assert_true(lactd_bluez_device_write(f->bdev, CHR_UUID, cmd, TRUE, &error));
	g_assert_true(lactd_bluez_device_write(f->bdev, CHR_UUID, cmd2, FALSE, &error));
	g_assert_true(wait_event(f, "written", 2));
	g_assert_cmpuint(f->writes->len, ==, 2);
	g_assert_cmpstr(f->writes->pdata[0], ==, "01 request");
	g_assert_cmpstr(f->writes->pdata[1], ==, "02 command");

	/* Unwanted: lost, and disconnected since we connected it. */
	lactd_bluez_device_set_wanted(f->bdev, FALSE);
	g_assert_cmpuint(count(f, "lost"), ==, 1);
	run_for(50);
	g_assert_cmpuint(f->disconnects, ==, 1);
	g_assert_cmpuint(f->connects, ==, 1);
}

static void
test_link_loss(Fixture *f, gconstpointer data)
{
	start(f);
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 1));

	/* The pump walks away: lost, then connected again after the back-off. */
	fake_device1_set_services_resolved(f->device, FALSE);
	fake_device1_set_connected(f->device, FALSE);
	g_assert_true(wait_event(f, "lost", 1));
	g_assert_true(wait_event(f, "ready", 2));
	g_assert_cmpuint(f->connects, ==, 2);
}

static void
test_connect_error(Fixture *f, gconstpointer data)
{
	gint64 t0;

	f->mode = CONNECT_FAIL;
	start(f);
	t0 = g_get_monotonic_time();
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	/* 20, 40, 80, 80 ms between attempts: 5 attempts take at least 220 ms. */
	while (f->connects < 5 && g_get_monotonic_time() - t0 < 5 * G_TIME_SPAN_SECOND)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(f->connects, ==, 5);
	g_assert_cmpint(g_get_monotonic_time() - t0, >=, 220 * G_TIME_SPAN_MILLISECOND);
	g_assert_cmpuint(count(f, "ready"), ==, 0);
	/* Then it works. */
	f->mode = CONNECT_OK;
	g_assert_true(wait_event(f, "ready", 1));
}

static void
test_no_resolve(Fixture *f, gconstpointer data)
{
	f->mode = CONNECT_NO_RESOLVE;
	start(f);
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	/* Bounded wait for ServicesResolved: disconnect after 300 ms, retry. */
	run_for(200);
	g_assert_cmpuint(f->disconnects, ==, 0);
	while (f->connects < 2)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(f->disconnects, >=, 1);
	g_assert_cmpuint(count(f, "ready"), ==, 0);
	/* Resolving late still counts. */
	f->mode = CONNECT_OK;
	fake_device1_set_services_resolved(f->device, TRUE);
	g_assert_true(wait_event(f, "ready", 1));
}

static void
test_adapter_off(Fixture *f, gconstpointer data)
{
	guint n;

	start(f);
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 1));

	fake_adapter1_set_powered(f->adapter, FALSE);
	fake_device1_set_services_resolved(f->device, FALSE);
	fake_device1_set_connected(f->device, FALSE);
	g_assert_true(wait_event(f, "lost", 1));
	/* Powered off: no attempt at all, however long. */
	n = f->connects;
	run_for(300);
	g_assert_cmpuint(f->connects, ==, n);

	fake_adapter1_set_powered(f->adapter, TRUE);
	g_assert_true(wait_event(f, "ready", 2));
}

static void
test_bluez_restart(Fixture *f, gconstpointer data)
{
	start(f);
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 1));

	bluez_down(f);
	g_assert_true(wait_event(f, "removed", 1));
	g_assert_cmpuint(count(f, "lost"), ==, 1);
	g_assert_false(lactd_bluez_is_up(f->bluez));
	g_assert_null(f->bdev);

	/* A new bluetoothd: everything is built again. */
	fake_device1_set_services_resolved(f->device, FALSE);
	fake_device1_set_connected(f->device, FALSE);
	bluez_up(f);
	g_assert_true(wait_event(f, "added", 2));
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 2));
}

static void
test_removed(Fixture *f, gconstpointer data)
{
	start(f);
	lactd_bluez_device_set_wanted(f->bdev, TRUE);
	g_assert_true(wait_event(f, "ready", 1));
	g_assert_true(g_dbus_object_manager_server_unexport(f->om, DEV_PATH));
	g_assert_true(wait_event(f, "removed", 1));
	g_assert_cmpuint(count(f, "lost"), ==, 1);
	/* Lost came before removed. */
	g_assert_cmpstr(f->events->pdata[f->events->len - 1], ==, "removed");
	g_assert_cmpstr(f->events->pdata[f->events->len - 2], ==, "lost");
}

static void
test_advertisement(Fixture *f, gconstpointer data)
{
	start(f);
	lactd_bluez_set_discovery(f->bluez, TRUE);
	run_for(50);
	g_assert_cmpuint(f->discovery_starts, ==, 1);
	/* Only new data is reported, never the cached value at start. */
	g_assert_cmpuint(count(f, "adv 1234 3"), ==, 0);
	fake_device1_set_manufacturer_data(
	    f->device, g_variant_new_parsed("@a{qv} {0x1234: <[byte 1, 2, 3]>}"));
	g_assert_true(wait_event(f, "adv 1234 3", 1));
}

static void
skip_all(void)
{
	g_test_skip("dbus-daemon is not installed: no private bus for the fake org.bluez");
}

int
main(int argc, char **argv)
{
	g_autofree char *dbus_daemon = g_find_program_in_path("dbus-daemon");

	g_test_init(&argc, &argv, NULL);
	/* GTestDBus runs the dbus-daemon found in PATH. */
	if (dbus_daemon == NULL) {
		g_test_add_func("/bluez/skipped", skip_all);
		return g_test_run();
	}
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
	ADD("/bluez/connect", test_connect);
	ADD("/bluez/link-loss", test_link_loss);
	ADD("/bluez/connect-error", test_connect_error);
	ADD("/bluez/no-resolve", test_no_resolve);
	ADD("/bluez/adapter-off", test_adapter_off);
	ADD("/bluez/restart", test_bluez_restart);
	ADD("/bluez/removed", test_removed);
	ADD("/bluez/advertisement", test_advertisement);
	return g_test_run();
}
