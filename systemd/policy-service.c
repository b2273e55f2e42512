/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A stand-in for lactd in the D-Bus policy test: it owns org.lactd on the
 * bus at ADDRESS and answers org.lactd.Manager1.GetPlan with an empty
 * dictionary, so that what the test sees is the bus policy and nothing of
 * lactd's own checks. Prints "ready" once the name is owned; exits 3 with
 * the bus's error when the name cannot be owned, 0 on SIGTERM.
 */
#include "config.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <stdio.h>
#include <stdlib.h>

static const char xml[] = "<node>"
			  "  <interface name='org.lactd.Manager1'>"
			  "    <method name='GetPlan'>"
			  "      <arg name='plan' type='a{sv}' direction='out'/>"
			  "    </method>"
			  "  </interface>"
			  "</node>";

static void
method(GDBusConnection *connection, const char *sender, const char *path, const char *iface,
       const char *name, GVariant *params, GDBusMethodInvocation *invocation, gpointer user_data)
{
	g_dbus_method_invocation_return_value(
	    invocation, g_variant_new("(@a{sv})", g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0)));
}

static const GDBusInterfaceVTable vtable = {method, NULL, NULL, {0}};

static gboolean
on_term(gpointer user_data)
{
	g_main_loop_quit(user_data);
	return G_SOURCE_REMOVE;
}

int
main(int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GDBusConnection) bus = NULL;
	g_autoptr(GDBusNodeInfo) node = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autoptr(GMainLoop) loop = NULL;
	guint32 result;

	if (argc != 2) {
		g_printerr("usage: %s ADDRESS\n", argv[0]);
		return 2;
	}
	bus = g_dbus_connection_new_for_address_sync(
	    argv[1],
	    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
		G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
	    NULL, NULL, &error);
	if (bus == NULL) {
		g_printerr("policy-service: %s\n", error->message);
		return 2;
	}
	node = g_dbus_node_info_new_for_xml(xml, &error);
	g_assert_no_error(error);
	g_dbus_connection_register_object(bus, "/org/lactd", node->interfaces[0], &vtable, NULL,
					  NULL, &error);
	g_assert_no_error(error);
	/* RequestName directly, so that a refusal by the policy is reported
	 * with the bus's own error. DO_NOT_QUEUE (4): lactd's flags. */
	reply = g_dbus_connection_call_sync(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
					    "org.freedesktop.DBus", "RequestName",
					    g_variant_new("(su)", "org.lactd", 4), G_VARIANT_TYPE("(u)"),
					    G_DBUS_CALL_FLAGS_NONE, 5000, NULL, &error);
	if (reply == NULL) {
		g_printerr("policy-service: cannot own org.lactd: %s\n", error->message);
		return 3;
	}
	g_variant_get(reply, "(u)", &result);
	if (result != 1) {
		g_printerr("policy-service: org.lactd not owned (RequestName answered %u)\n", result);
		return 3;
	}
	loop = g_main_loop_new(NULL, FALSE);
	g_unix_signal_add(SIGTERM, on_term, loop);
	printf("ready\n");
	fflush(stdout);
	g_main_loop_run(loop);
	return EXIT_SUCCESS;
}
