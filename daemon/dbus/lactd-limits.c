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
	GHashTable *long_calls; /* sender -> long listings in the daemon */
	GHashTable *long_keys;	/* "sender serial" of those */
	guint max_calls;
} Limits;

/*
 * The calls whose cost grows with the range they ask for, and where in
 * their arguments the range is. The main loop answers one call at a time;
 * a year of ListSessions takes it about 0.4 s, so 8 of them from one client
 * held every other client (and capture) about 3 s. One such listing of
 * more than LACTD_LIMITS_LONG_RANGE_DAYS per client at a time keeps that
 * under half a second.
 */
static const struct {
	const char *member;
	guint from_arg; /* index of the int64 "from"; "to" follows it */
	/* (Export has its own bound: LACTD_EXPORTS_MAX_PER_CALLER.) */
} ranged_calls[] = {
    {"ListSessions", 0},     {"ListSessionsColumns", 0}, {"ListSessionsFd", 0},
    {"ListWeighings", 0},    {"GetDailySummary", 0},     {"GetDailySummaryFd", 0},
};

static gboolean
is_long_listing(GDBusMessage *msg)
{
	const char *member = g_dbus_message_get_member(msg);
	GVariant *body = g_dbus_message_get_body(msg);

	if (member == NULL || body == NULL ||
	    g_strcmp0(g_dbus_message_get_interface(msg), "org.lactd.Manager1") != 0)
		return FALSE;
	for (guint i = 0; i < G_N_ELEMENTS(ranged_calls); i++) {
		g_autoptr(GVariant) from = NULL;
		g_autoptr(GVariant) to = NULL;
		guint at = ranged_calls[i].from_arg;

		if (!g_str_equal(member, ranged_calls[i].member))
			continue;
		/* Wrong arguments are the method's to refuse, by name. */
		if (!g_variant_is_of_type(body, G_VARIANT_TYPE_TUPLE) ||
		    g_variant_n_children(body) < at + 2)
			return FALSE;
		from = g_variant_get_child_value(body, at);
		to = g_variant_get_child_value(body, at + 1);
		if (!g_variant_is_of_type(from, G_VARIANT_TYPE_INT64) ||
		    !g_variant_is_of_type(to, G_VARIANT_TYPE_INT64))
			return FALSE;
		/* In the unsigned domain: no overflow for any two int64. */
		return g_variant_get_int64(to) > g_variant_get_int64(from) &&
		       (guint64)g_variant_get_int64(to) - (guint64)g_variant_get_int64(from) >
			   (guint64)LACTD_LIMITS_LONG_RANGE_DAYS * 86400 * G_USEC_PER_SEC;
	}
	return FALSE;
}

static void
count_down(GHashTable *table, const char *sender)
{
	guint n = GPOINTER_TO_UINT(g_hash_table_lookup(table, sender));

	if (n > 1)
		g_hash_table_replace(table, g_strdup(sender), GUINT_TO_POINTER(n - 1));
	else
		g_hash_table_remove(table, sender);
}

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
		gboolean is_long, admitted;
		guint n, n_long;

		if (!is_counted_call(msg))
			return msg;
		is_long = is_long_listing(msg);
		g_mutex_lock(&l->lock);
		n = GPOINTER_TO_UINT(g_hash_table_lookup(l->calls, sender));
		n_long = GPOINTER_TO_UINT(g_hash_table_lookup(l->long_calls, sender));
		admitted = n < l->max_calls && (!is_long || n_long < LACTD_LIMITS_MAX_LONG_PER_CALLER);
		if (admitted) {
			g_hash_table_replace(l->calls, g_strdup(sender), GUINT_TO_POINTER(n + 1));
			if (is_long) {
				g_hash_table_replace(l->long_calls, g_strdup(sender),
						     GUINT_TO_POINTER(n_long + 1));
				g_hash_table_add(l->long_keys,
						 call_key(sender, g_dbus_message_get_serial(msg)));
			}
		} else {
			g_hash_table_add(l->refused, call_key(sender, g_dbus_message_get_serial(msg)));
			refused_total++;
		}
		g_mutex_unlock(&l->lock);
		if (admitted)
			return msg;
		if (n < l->max_calls)
			refusal = g_dbus_message_new_method_error(
			    msg, "org.lactd.Error.LimitExceeded",
			    "a listing of more than %u days of this client is already being "
			    "answered; wait for it, or ask for a shorter range (docs/service.md)",
			    LACTD_LIMITS_LONG_RANGE_DAYS);
		else
			refusal = g_dbus_message_new_method_error(
			    msg, "org.lactd.Error.LimitExceeded",
			    "%u calls of this client are already waiting for their replies; wait "
			    "for them (docs/service.md)",
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

		if (dest == NULL)
			return msg;
		key = call_key(dest, g_dbus_message_get_reply_serial(msg));
		g_mutex_lock(&l->lock);
		if (!g_hash_table_remove(l->refused, key)) {
			count_down(l->calls, dest);
			if (g_hash_table_remove(l->long_keys, key))
				count_down(l->long_calls, dest);
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
	g_hash_table_destroy(l->long_calls);
	g_hash_table_destroy(l->long_keys);
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
	l->long_calls = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l->long_keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	l->max_calls = max_calls != 0 ? max_calls : LACTD_LIMITS_MAX_CALLS_PER_CALLER;
	return g_dbus_connection_add_filter(connection, filter, l, limits_free);
}

guint64
lactd_limits_refused(void)
{
	return refused_total;
}
