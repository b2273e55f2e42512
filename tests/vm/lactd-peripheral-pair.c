/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactd-peripheral --pair: the central's side of pairing, a NoInputNoOutput
 * agent and Device1.Pair (doc/agent-api.txt, device-api.txt).
 */
#include "config.h"

#include "lactd-peripheral.h"

#define AGENT_PATH "/org/lactd/agent"

static int pair(void);

static void
agent_call(GDBusConnection *bus, const char *sender, const char *path, const char *iface,
	   const char *method, GVariant *params, GDBusMethodInvocation *inv, gpointer user_data)
{
	say("agent: %s", method);
	/* NoInputNoOutput: Just Works is confirmed, nothing can be typed. */
	if (g_str_equal(method, "RequestPinCode") || g_str_equal(method, "RequestPasskey"))
		g_dbus_method_invocation_return_dbus_error(inv, "org.bluez.Error.Rejected",
							   "no input");
	else
		g_dbus_method_invocation_return_value(inv, NULL);
}

static const GDBusInterfaceVTable agent_vtable = {agent_call, NULL, NULL, {0}};

static GVariant *
call(const char *path, const char *iface, const char *method, GVariant *args, int timeout_ms,
     GError **error)
{
	return g_dbus_connection_call_sync(P.bus, "org.bluez", path, iface, method, args, NULL,
					   G_DBUS_CALL_FLAGS_NONE, timeout_ms, NULL, error);
}

static gboolean
device_exists(const char *path)
{
	g_autoptr(GVariant) r = call(path, "org.freedesktop.DBus.Properties", "Get",
				     g_variant_new("(ss)", "org.bluez.Device1", "Address"), 5000,
				     NULL);
	return r != NULL;
}

/* Runs in a thread of its own: the agent's calls are dispatched by the main
 * loop while Pair blocks here. */
static gpointer
pair_thread(gpointer user_data)
{
	P.status = pair();
	g_main_loop_quit(P.loop);
	return NULL;
}

static int
pair(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autofree char *dev = NULL;
	GVariantBuilder filter;
	char *p;
	gint64 deadline;

	dev = g_strdup_printf("%s/dev_%s", P.adapter_path, P.pair_address);
	for (p = dev; *p; p++)
		if (*p == ':')
			*p = '_';
	r = call("/org/bluez", "org.bluez.AgentManager1", "RegisterAgent",
		 g_variant_new("(os)", AGENT_PATH, "NoInputNoOutput"), 10000, &error);
	if (r == NULL)
		goto fail;
	g_clear_pointer(&r, g_variant_unref);
	r = call("/org/bluez", "org.bluez.AgentManager1", "RequestDefaultAgent",
		 g_variant_new("(o)", AGENT_PATH), 10000, &error);
	if (r == NULL)
		goto fail;
	g_clear_pointer(&r, g_variant_unref);
	if (!device_exists(dev)) {
		g_variant_builder_init(&filter, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&filter, "{sv}", "Transport", g_variant_new_string("le"));
		r = call(P.adapter_path, "org.bluez.Adapter1", "SetDiscoveryFilter",
			 g_variant_new("(a{sv})", &filter), 10000, &error);
		if (r == NULL)
			goto fail;
		g_clear_pointer(&r, g_variant_unref);
		r = call(P.adapter_path, "org.bluez.Adapter1", "StartDiscovery", NULL, 10000,
			 &error);
		if (r == NULL)
			goto fail;
		g_clear_pointer(&r, g_variant_unref);
		deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
		while (!device_exists(dev)) {
			if (g_get_monotonic_time() > deadline) {
				g_set_error(&error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
					    "%s not seen in 60 s of discovery", P.pair_address);
				goto fail;
			}
			g_usleep(200000);
		}
		say("%s seen", P.pair_address);
		r = call(P.adapter_path, "org.bluez.Adapter1", "StopDiscovery", NULL, 10000,
			 NULL);
		g_clear_pointer(&r, g_variant_unref);
	}
	r = call(dev, "org.bluez.Device1", "Pair", NULL, 90000, &error);
	if (r == NULL)
		goto fail;
	g_clear_pointer(&r, g_variant_unref);
	say("paired with %s", P.pair_address);
	r = call(dev, "org.freedesktop.DBus.Properties", "Set",
		 g_variant_new("(ssv)", "org.bluez.Device1", "Trusted",
			       g_variant_new_boolean(TRUE)),
		 10000, &error);
	if (r == NULL)
		goto fail;
	g_clear_pointer(&r, g_variant_unref);
	r = call(dev, "org.bluez.Device1", "Disconnect", NULL, 20000, NULL);
	return 0;
fail:
	g_printerr("lactd-peripheral: pairing with %s: %s\n", P.pair_address, error->message);
	return 2;
}

/* --pair: the agent is served by the main loop while a thread pairs. */
int
run_pair(void)
{
	GThread *t;

	export(AGENT_PATH, "org.bluez.Agent1", &agent_vtable);
	t = g_thread_new("pair", pair_thread, NULL);
	g_main_loop_run(P.loop);
	g_thread_join(t);
	return P.status;
}
