/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "probe.h"

#define PROBE_PERIOD_MS 50

struct _LactdProbe {
	GDBusConnection *connection;
	GCancellable *cancellable;
	guint timer;
	gint64 sent;	/* monotonic time of the call in flight, or 0 */
	gint64 worst;
	guint replies;
	guint failures;
};

static void
replied(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) reply =
	    g_dbus_connection_call_finish(G_DBUS_CONNECTION(source), res, &error);
	LactdProbe *probe;

	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
		return;
	probe = user_data;
	probe->worst = MAX(probe->worst, g_get_monotonic_time() - probe->sent);
	probe->sent = 0;
	if (reply != NULL)
		probe->replies++;
	else
		probe->failures++;
}

static gboolean
tick(gpointer user_data)
{
	LactdProbe *probe = user_data;

	if (probe->sent != 0)
		return G_SOURCE_CONTINUE;
	probe->sent = g_get_monotonic_time();
	g_dbus_connection_call(probe->connection, "org.lactd", "/org/lactd", "org.lactd.Manager1",
			       "GetPlan", NULL, G_VARIANT_TYPE("(a{sv})"), G_DBUS_CALL_FLAGS_NONE,
			       30000, probe->cancellable, replied, probe);
	return G_SOURCE_CONTINUE;
}

LactdProbe *
lactd_probe_start(GDBusConnection *connection)
{
	LactdProbe *probe = g_new0(LactdProbe, 1);

	probe->connection = g_object_ref(connection);
	probe->cancellable = g_cancellable_new();
	probe->timer = g_timeout_add(PROBE_PERIOD_MS, tick, probe);
	return probe;
}

void
lactd_probe_stop(LactdProbe *probe)
{
	probe->worst = lactd_probe_worst_us(probe);
	g_clear_handle_id(&probe->timer, g_source_remove);
	g_cancellable_cancel(probe->cancellable);
	probe->sent = 0;
}

gint64
lactd_probe_worst_us(LactdProbe *probe)
{
	if (probe->sent != 0)
		return MAX(probe->worst, g_get_monotonic_time() - probe->sent);
	return probe->worst;
}

guint
lactd_probe_replies(LactdProbe *probe)
{
	return probe->replies;
}

guint
lactd_probe_failures(LactdProbe *probe)
{
	return probe->failures;
}

void
lactd_probe_free(LactdProbe *probe)
{
	lactd_probe_stop(probe);
	g_object_unref(probe->cancellable);
	g_object_unref(probe->connection);
	g_free(probe);
}
