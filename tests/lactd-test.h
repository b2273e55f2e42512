/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For daemon tests: a private dbus-daemon, the real lactd (optionally under
 * LACTD_TEST_WRAPPER, such as valgrind), bounded waits, and the daemon's log
 * printed when a test fails.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _LactdTestBus LactdTestBus;
typedef struct _LactdTestDaemon LactdTestDaemon;

/* Starts a private dbus-daemon and points DBUS_SYSTEM_BUS_ADDRESS at it. */
LactdTestBus *lactd_test_bus_new(void);
void lactd_test_bus_free(LactdTestBus *bus);
const char *lactd_test_bus_address(LactdTestBus *bus);
/* A new connection to the private bus (not GLib's cached system bus). */
GDBusConnection *lactd_test_bus_connect(LactdTestBus *bus);
/* A scratch directory removed with the bus. */
const char *lactd_test_bus_tmpdir(LactdTestBus *bus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdTestBus, lactd_test_bus_free)

/* Starts lactd with --database db_path (NULL: a new file in the scratch
 * directory), a config file with config_text (NULL: empty) and the built
 * plugins, and waits until it owns org.lactd and its database check after
 * start has answered (StorageState no longer "checking"). */
LactdTestDaemon *lactd_test_daemon_start(LactdTestBus *bus, const char *db_path,
					 const char *config_text);
/* The same, returning as soon as org.lactd is owned: the database check
 * may still run. @check_delay_ms, when not 0, is passed to the daemon as
 * LACTD_TEST_CHECK_DELAY_MS (test-only: the check waits that long before it
 * runs; daemon/store/lactd-store-check.c). */
LactdTestDaemon *lactd_test_daemon_start_checking(LactdTestBus *bus, const char *db_path,
						  const char *config_text, guint check_delay_ms);
/* SIGTERM and wait; asserts a clean exit (0, and no valgrind error). */
void lactd_test_daemon_stop(LactdTestDaemon *daemon);
/* SIGKILL and reap, for durability tests. */
void lactd_test_daemon_kill(LactdTestDaemon *daemon);
void lactd_test_daemon_free(LactdTestDaemon *daemon);
const char *lactd_test_daemon_db_path(LactdTestDaemon *daemon);
const char *lactd_test_daemon_log_path(LactdTestDaemon *daemon);
GPid lactd_test_daemon_pid(LactdTestDaemon *daemon);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdTestDaemon, lactd_test_daemon_free)

/* The fake BlueZ (tests/fake-bluez), for capture tests. */
typedef struct _LactdTestFake LactdTestFake;

/* One powered adapter, hci0, to put before a test's [device] groups. */
#define LACTD_TEST_ADAPTER_CONF                                                                   \
	"[adapter hci0]\n"                                                                         \
	"address=00:1A:7D:DA:71:13\n"                                                              \
	"name=test\n"                                                                              \
	"powered=true\n\n"

/* Starts the fake BlueZ on the private bus with this configuration (see
 * tests/fake-bluez/fake-bluez.c) and speed, and waits until it owns
 * org.bluez. NULL, after g_test_skip(), when the fake is not built. */
LactdTestFake *lactd_test_fake_start(LactdTestBus *bus, const char *config_text,
				     const char *speed);
/* SIGTERM and reap; its log is printed when the test failed. */
void lactd_test_fake_free(LactdTestFake *fake);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdTestFake, lactd_test_fake_free)
/* An Open Pump Profile pump with both channels, paired and in range, on
 * hci0: the start of a [device pump] group, before its scenario's keys. */
#define LACTD_TEST_OPP_PUMP_CONF(address)                                                        \
	"[device pump]\n"                                                                         \
	"adapter=hci0\n"                                                                          \
	"address=" address "\n"                                                                   \
	"name=Open Pump\n"                                                                        \
	"paired=true\n"                                                                           \
	"present=true\n"                                                                          \
	"emulator=opp\n"                                                                          \
	"channels=left,right\n"
/* Sets *finished when the fake says a device's scenario is over
 * (ScenarioFinished); returns the subscription. */
guint lactd_test_watch_finished(GDBusConnection *connection, gboolean *finished);

/* Calls a method of the fake's control interface (org.lactd.FakeBluez1)
 * and asserts that it succeeded. */
void lactd_test_fake_call(GDBusConnection *connection, const char *method, GVariant *args);

/* How many times lactd called this org.bluez method (Connect, WriteValue,
 * ...), as the fake BlueZ counts them (GetStats). */
guint lactd_test_fake_calls(GDBusConnection *connection, const char *method);

/* Keeps the default main context going for ms: for checking that something
 * does NOT happen (no reconnection, no write), where no event can be
 * waited for. */
void lactd_test_idle_for(guint ms);

/* The usual daemon test: a private bus and a connection to it, and the fake
 * BlueZ and the daemon once the test starts them; for g_test_add(). */
typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
} LactdTestRig;

void lactd_test_rig_setup(LactdTestRig *rig, gconstpointer data);
/* Stops the daemon and the fake (their logs printed if the test failed). */
void lactd_test_rig_teardown(LactdTestRig *rig, gconstpointer data);

/* A path in the build tree (LACTD_BUILDDIR). */
char *lactd_test_build_path(const char *first, ...) G_GNUC_NULL_TERMINATED;
/* A directory of symlinks to every plugin module built in the tree. */
char *lactd_test_plugin_dir(const char *tmpdir);

/* Iterates the default main context until cond(user_data) is TRUE or
 * timeout_ms passes; returns the condition's last value. */
gboolean lactd_test_wait_for(gboolean (*cond)(gpointer), gpointer user_data, guint timeout_ms);
/* Waits until the name has an owner (TRUE) or has none (FALSE). */
gboolean lactd_test_wait_name(GDBusConnection *connection, const char *name, gboolean owned,
			      guint timeout_ms);

/* Calls an org.lactd.Manager1 method synchronously (bounded). */
GVariant *lactd_test_call(GDBusConnection *connection, const char *method, GVariant *args,
			  const char *reply_type, GError **error);

/* A property of an object on the bus (Properties.Get, bounded), unboxed;
 * NULL when the name, the object or the property is not there. */
GVariant *lactd_test_get_property(GDBusConnection *connection, const char *name,
				  const char *path, const char *iface, const char *property);

/* Waits until that property can be read (the object has appeared), for up
 * to timeout_ms; returns whether it did. */
gboolean lactd_test_wait_property(GDBusConnection *connection, const char *name,
				  const char *path, const char *iface, const char *property,
				  guint timeout_ms);

/* Runs a command; returns its exit status, with stdout and stderr captured. */
int lactd_test_run(const char *const *argv, char **out, char **err);

G_END_DECLS
