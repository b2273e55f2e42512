/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactd: captures milk-expression and feeding data from Bluetooth LE pumps
 * and scales, keeps it in SQLite and answers on the system bus as org.lactd.
 */
#include "config.h"

#include <glib-unix.h>
#include <gio/gio.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "lactd-api.h"
#include "lactd-auth.h"
#include "lactd-capture.h"
#include "lactd-config.h"
#include "lactd-device1.h"
#include "lactd-devices.h"
#include "lactd-error.h"
#include "lactd-limits.h"
#include "lactd-manager-capture.h"
#include "lactd-plugins.h"
#include "lactd-session1.h"
#include "lactd-store.h"

typedef struct {
	GMainLoop *loop;
	int exit_code;
	gboolean name_acquired;
	LactdStore *store;
	LactdApi *api;
	LactdDevices *devices;
} Daemon;

/* How often a database locked by another process is tried again. */
#define LOCKED_RETRY_S 2

static gboolean
retry_locked_cb(gpointer user_data)
{
	Daemon *d = user_data;
	g_autoptr(GError) error = NULL;

	if (!lactd_store_retry(d->store))
		return G_SOURCE_CONTINUE;
	if (!lactd_store_is_locked(d->store) && !lactd_store_close_cut_off(d->store, &error))
		g_message("closing cut-off sessions: %s", error->message);
	/* The writes refused meanwhile failed on the lock, now gone. */
	lactd_api_set_storage_degraded(d->api, NULL);
	return G_SOURCE_REMOVE;
}

/* The check after open has answered (lactd-store-check.c): StorageState
 * says what it found, and the writes held meanwhile go on. */
static void
on_store_checked(LactdStore *store, gpointer user_data)
{
	Daemon *d = user_data;

	if (d->api == NULL)
		return;
	lactd_api_storage_checked(d->api);
	if (d->devices != NULL)
		lactd_devices_store_checked(d->devices);
	if (lactd_store_is_locked(store))
		g_timeout_add_seconds(LOCKED_RETRY_S, retry_locked_cb, d);
}

static gboolean
on_signal(gpointer user_data)
{
	Daemon *d = user_data;

	g_message("stopping");
	g_main_loop_quit(d->loop);
	return G_SOURCE_CONTINUE;
}

static void
on_name_acquired(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Daemon *d = user_data;

	d->name_acquired = TRUE;
	g_message("lactd %s ready on the system bus as %s", PACKAGE_VERSION, name);
	/* Now that clients are answered, the database check (writes wait for
	 * it) has the CPU to itself. */
	lactd_store_run_check(d->store);
	/* Type=dbus units are ready when the name is owned; READY=1 also
	 * starts the watchdog keep-alive when the unit asks for one. */
	lactd_sd_notify_ready();
}

static void
on_name_lost(GDBusConnection *connection, const char *name, gpointer user_data)
{
	Daemon *d = user_data;

	if (connection == NULL)
		g_printerr("lactd: lost the connection to the system bus\n");
	else if (!d->name_acquired)
		g_printerr("lactd: %s is already owned on the system bus: is another lactd "
			   "running?\n",
			   name);
	else
		g_printerr("lactd: lost the bus name %s\n", name);
	d->exit_code = EXIT_FAILURE;
	g_main_loop_quit(d->loop);
}

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	gboolean verbose = GPOINTER_TO_INT(user_data);

	if (!verbose && (level & (G_LOG_LEVEL_DEBUG | G_LOG_LEVEL_INFO)))
		return G_LOG_WRITER_HANDLED;
	/* journald when stderr is the journal, plain lines otherwise. */
	if (g_log_writer_is_journald(fileno(stderr)))
		return g_log_writer_journald(level, fields, n_fields, NULL);
	/* Everything on stderr, a line at a time: a daemon's stdout may be a
	 * file, fully buffered, and lost with the process. */
	{
		g_autofree char *line = g_log_writer_format_fields(level, fields, n_fields, FALSE);
		fprintf(stderr, "%s\n", line);
		fflush(stderr);
	}
	return G_LOG_WRITER_HANDLED;
}

int
main(int argc, char **argv)
{
	g_autofree char *database = NULL;
	g_autofree char *config_file = NULL;
	g_autofree char *plugin_dir = NULL;
	gboolean verbose = FALSE, version = FALSE, list_plugins = FALSE;
	const GOptionEntry entries[] = {
	    {"database", 'd', 0, G_OPTION_ARG_FILENAME, &database,
	     "SQLite database (default " LACTD_DATABASE ")", "PATH"},
	    {"config", 'c', 0, G_OPTION_ARG_FILENAME, &config_file,
	     "Configuration file (default " LACTD_CONFIG_FILE ")", "FILE"},
	    {"plugin-dir", 'p', 0, G_OPTION_ARG_FILENAME, &plugin_dir,
	     "Device plugins directory (default " LACTD_PLUGIN_DIR ")", "DIR"},
	    {"verbose", 'v', 0, G_OPTION_ARG_NONE, &verbose, "Log debugging messages", NULL},
	    {"list-plugins", 0, 0, G_OPTION_ARG_NONE, &list_plugins,
	     "List the device plugins that load, and exit", NULL},
	    {"version", 'V', 0, G_OPTION_ARG_NONE, &version, "Print the version and exit", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) context = NULL;
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdConfig) config = NULL;
	g_autoptr(LactdStore) store = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(LactdApi) api = NULL;
	g_autoptr(LactdSessionObjects) sessions = NULL;
	g_autoptr(LactdDeviceObjects) device_objects = NULL;
	g_autoptr(LactdCapture) capture = NULL;
	g_autoptr(LactdPluginHost) plugins = NULL;
	g_autoptr(LactdBluez) bluez = NULL;
	g_autoptr(LactdDevices) devices = NULL;
	g_autoptr(LactdManagerCapture) capture_methods = NULL;
	g_autofree char *degraded = NULL;
	Daemon d = {0};
	guint owner_id;

	setlocale(LC_ALL, "");
	/* A client that closes its end of an export must not kill the daemon. */
	signal(SIGPIPE, SIG_IGN);
	context = g_option_context_new("- capture pump and scale readings");
	g_option_context_set_summary(context,
				     "The lactd system daemon: records milk-expression and feeding "
				     "sessions from Bluetooth LE pumps and scales\nand answers "
				     "clients such as lactctl on the system bus as org.lactd.");
	g_option_context_add_main_entries(context, entries, NULL);
	if (!g_option_context_parse(context, &argc, &argv, &error)) {
		g_printerr("lactd: %s\nTry 'lactd --help'.\n", error->message);
		return 2;
	}
	if (argc > 1) {
		g_printerr("lactd: unexpected argument '%s'\nTry 'lactd --help'.\n", argv[1]);
		return 2;
	}
	if (version) {
		g_print("lactd %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	g_log_set_writer_func(log_writer, GINT_TO_POINTER(verbose), NULL);

	/* An explicit --config must exist; the default one may be absent. */
	config = lactd_config_load(config_file != NULL ? config_file : LACTD_CONFIG_FILE,
				   config_file == NULL, &error);
	if (config == NULL) {
		g_printerr("lactd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	if (database != NULL) {
		g_free(config->database);
		config->database = g_steal_pointer(&database);
	}
	if (plugin_dir != NULL) {
		g_free(config->plugin_dir);
		config->plugin_dir = g_steal_pointer(&plugin_dir);
	}

	if (list_plugins) {
		const LactdPluginDesc *const *descs;

		plugins = lactd_plugin_host_new(config->plugin_dir, &error);
		if (plugins == NULL) {
			g_printerr("lactd: %s\n", error->message);
			return EXIT_FAILURE;
		}
		descs = lactd_plugin_host_list(plugins);
		for (guint i = 0; descs[i] != NULL; i++)
			g_print("%-12s %-6s %s\n", descs[i]->name,
				descs[i]->kind == LACTD_KIND_PUMP ? "pump" : "scale",
				descs[i]->description != NULL ? descs[i]->description : "");
		return EXIT_SUCCESS;
	}

	/* Checked after the name is owned, writes held until then; cut-off
	 * sessions are closed by the store once it may write, or, for a
	 * locked file, once it is free (retry_locked_cb). */
	store = lactd_store_open_checking(config->database, on_store_checked, &d, &degraded,
					  &error);
	if (store == NULL) {
		g_printerr("lactd: %s\n", error->message);
		return EXIT_FAILURE;
	}

	bus = g_bus_get_sync(G_BUS_TYPE_SYSTEM, NULL, &error);
	if (bus == NULL) {
		g_printerr("lactd: cannot connect to the system bus: %s\n", error->message);
		return EXIT_FAILURE;
	}
	g_dbus_connection_set_exit_on_close(bus, FALSE);
	/* Make sure the error names are registered before the first reply. */
	(void)LACTD_ERROR;
	/* Before any object is exported: no client can queue calls unbounded. */
	lactd_limits_install(bus, 0);

	api = lactd_api_new(bus, store, config, &error);
	if (api == NULL) {
		g_printerr("lactd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	/* StorageState already says what the store found (degraded). */
	d.store = store;
	d.api = api;
	if (lactd_store_is_locked(store))
		g_timeout_add_seconds(LOCKED_RETRY_S, retry_locked_cb, &d);
	/* Changes to recorded data are checked with polkit (lactd-auth.c) on
	 * top of the bus policy. */
	lactd_api_set_authorize(api, lactd_auth_authorize, NULL);
	/* Capture announces; Session1 objects and Manager1's signals show it. */
	sessions = lactd_session_objects_new(api);
	capture = lactd_capture_new(store, config, lactd_session_objects_listener(), sessions);
	plugins = lactd_plugin_host_new(config->plugin_dir, &error);
	if (plugins == NULL) {
		g_printerr("lactd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	/* The devices announce; Device1 objects show them. They follow BlueZ
	 * through a client of the same bus, made here so that no service
	 * holds the bus itself. */
	device_objects = lactd_device_objects_new(api);
	bluez = lactd_bluez_new(bus, config);
	devices = lactd_devices_new(bluez, store, capture, plugins, config,
				    lactd_device_objects_listener(), device_objects, &error);
	if (devices == NULL) {
		g_printerr("lactd: %s\n", error->message);
		return EXIT_FAILURE;
	}
	lactd_device_objects_set_devices(device_objects, devices);
	d.devices = devices;
	lactd_device1_set_authorize(lactd_auth_authorize, NULL);
	capture_methods = lactd_manager_capture_new(api, lactd_devices_get_recorder(devices));

	d.loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_signal, &d);
	g_unix_signal_add(SIGINT, on_signal, &d);
	owner_id = g_bus_own_name_on_connection(bus, "org.lactd", G_BUS_NAME_OWNER_FLAGS_DO_NOT_QUEUE,
						on_name_acquired, on_name_lost, &d, NULL);
	g_main_loop_run(d.loop);
	lactd_sd_notify_stopping();

	g_bus_unown_name(owner_id);
	/* Devices detach their plugins first: what they say at the end still
	 * reaches a live capture and store. */
	g_clear_pointer(&capture_methods, lactd_manager_capture_free);
	d.devices = NULL;
	g_clear_pointer(&devices, lactd_devices_free);
	g_clear_pointer(&bluez, lactd_bluez_free);
	g_clear_pointer(&device_objects, lactd_device_objects_free);
	g_clear_pointer(&plugins, lactd_plugin_host_free);
	g_clear_pointer(&capture, lactd_capture_free);
	g_clear_pointer(&sessions, lactd_session_objects_free);
	g_clear_pointer(&api, lactd_api_free);
	g_dbus_connection_flush_sync(bus, NULL, NULL);
	g_clear_pointer(&store, lactd_store_close);
	g_main_loop_unref(d.loop);
	return d.exit_code;
}
