/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lactd-limits.h"

#include "lactd-error.h"

/* The filter runs in GDBus's worker thread, for incoming and outgoing
 * messages alike; the state is shared with nothing else. */
typedef struct {
	GMutex lock;
	GHashTable *calls;   /* sender -> calls in the daemon (GUINT_TO_POINTER) */
	GHashTable *refused; /* "sender serial" of calls refused here */
	guint max_calls;
} Limits;

static guint64 refused_total;

static char *
call_key(const char *sender, guint32 serial)
{
	return g_strdup_printf("%s %u", sender, serial);
}

static gboolean
is_counted_call(GDBusMessage *msg)
{
	return g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_CALL &&
	       g_dbus_message_get_sender(msg) != NULL &&
	       !(g_dbus_message_get_flags(msg) & G_DBUS_MESSAGE_FLAGS_NO_REPLY_EXPECTED);
}

static GDBusMessage *
filter(GDBusConnection *connection, GDBusMessage *msg, gboolean incoming, gpointer user_data)
{
	Limits *l = user_data;
	g_autoptr(GDBusMessage) refusal = NULL;

	if (incoming) {
		const char *sender = g_dbus_message_get_sender(msg);
		guint n;

		if (!is_counted_call(msg))
			return msg;
		g_mutex_lock(&l->lock);
		n = GPOINTER_TO_UINT(g_hash_table_lookup(l->calls, sender));
		if (n < l->max_calls) {
			g_hash_table_replace(l->calls, g_strdup(sender), GUINT_TO_POINTER(n + 1));
		} else {
			g_hash_table_add(l->refused, call_key(sender, g_dbus_message_get_serial(msg)));
			refused_total++;
		}
		g_mutex_unlock(&l->lock);
		if (n < l->max_calls)
			return msg;
		refusal = g_dbus_message_new_method_error(
		    msg, "org.lactd.Error.LimitExceeded",
		    "%u calls of this client are already waiting for their replies; wait for "
		    "them (docs/service.md)",
		    l->max_calls);
		/* Queued for the worker; never blocks this thread. */
		g_dbus_connection_send_message(connection, refusal, G_DBUS_SEND_MESSAGE_FLAGS_NONE,
					       NULL, NULL);
		g_object_unref(msg);
		return NULL;
	}

	/* Outgoing: a reply frees its caller's place, unless it is a refusal
	 * sent above, whose call never took one. */
	if (g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_METHOD_RETURN ||
	    g_dbus_message_get_message_type(msg) == G_DBUS_MESSAGE_TYPE_ERROR) {
		const char *dest = g_dbus_message_get_destination(msg);
		g_autofree char *key = NULL;
		guint n;

		if (dest == NULL)
			return msg;
		key = call_key(dest, g_dbus_message_get_reply_serial(msg));
		g_mutex_lock(&l->lock);
		if (!g_hash_table_remove(l->refused, key)) {
			n = GPOINTER_TO_UINT(g_hash_table_lookup(l->calls, dest));
			if (n > 1)
				g_hash_table_replace(l->calls, g_strdup(dest), GUINT_TO_POINTER(n - 1));
			else
				g_hash_table_remove(l->calls, dest);
		}
		g_mutex_unlock(&l->lock);
	}
	return msg;
}

static void
limits_free(gpointer data)
{
	Limits *l = data;

	g_hash_table_destroy(l->calls);
	g_hash_table_destroy(l->refused);
	g_mutex_clear(&l->lock);
	g_free(l);
}

guint
lactd_limits_install(GDBusConnection *connection, guint max_calls)
{
	Limits *l = g_new0(Limits, 1);

	g_mutex_init(&l->lock);
	l->calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l->refused = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l->max_calls = max_calls != 0 ? max_calls : LACTD_LIMITS_MAX_CALLS_PER_CALLER;
	return g_dbus_connection_add_filter(connection, filter, l, limits_free);
}

guint64
lactd_limits_refused(void)
{
	return refused_total;
}
