/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client. Interfaces, methods and properties as documented in
 * BlueZ doc/device-api.txt, doc/adapter-api.txt and doc/gatt-api.txt.
 *
 * Objects are kept per interface in path tables and tied together by their
 * properties when needed (GattCharacteristic1.Service, GattService1.Device),
 * so they may appear in any order.
 *
 * Every call has a bounded timeout and a cancellable: a device's link
 * cancellable is cancelled whenever its link state is left (and when it goes
 * away), the client's when org.bluez goes away. A callback returns at once
 * on G_IO_ERROR_CANCELLED without touching its user data: GTask reports a
 * cancelled operation as cancelled even if its reply came first, so a
 * callback that gets anything else knows its device is still alive.
 *
 * Nothing here runs a timer unless something is to be done: a device that
 * is unwanted, absent or on a powered-off adapter waits for a property or
 * an object to come back.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez.h"

#define BLUEZ_NAME "org.bluez"
#define IFACE_ADAPTER "org.bluez.Adapter1"
#define IFACE_DEVICE "org.bluez.Device1"
#define IFACE_SERVICE "org.bluez.GattService1"
#define IFACE_CHAR "org.bluez.GattCharacteristic1"

typedef enum {
	LINK_IDLE,	 /* nothing under way */
	LINK_CONNECTING, /* Connect() in flight */
	LINK_RESOLVING,	 /* waiting for ServicesResolved, bounded */
	LINK_READY,	 /* reported ready */
	LINK_BACKOFF,	 /* waiting before the next attempt */
} LinkState;

typedef struct {
	GDBusProxy *proxy;
	gboolean discovery_started;
} Adapter;

struct _LactdBluezDevice {
	LactdBluez *bluez;
	char *path;
	char *address;
	GDBusProxy *proxy;
	gpointer user_data;
	gboolean wanted;
	LinkState state;
	gboolean link_owner;	 /* we asked for this link */
	gboolean seen_connected; /* Connected was TRUE since RESOLVING began */
	guint timer;		 /* resolve timeout or back-off */
	guint backoff_ms;
	gboolean away; /* the last attempt failed and BlueZ does not see it in range */
	gint64 lost_us; /* monotonic time a ready link was last lost, 0 never */
	gint64 ready_us; /* monotonic time the link was last reported ready */
	guint quick_losses; /* links lost within QUICK_LOSS_US of coming up, in a row */
	gboolean got_value; /* a value arrived on the current link */
	gboolean pairing_lost; /* a stale bond: no attempt until paired again */
	GCancellable *link_cancellable;
	GHashTable *notifying; /* characteristic paths we subscribed to */
};

struct _LactdBluez {
	GDBusConnection *bus;
	const LactdConfig *config;
	const LactdBluezListener *listener;
	gpointer user_data;
	guint watch_id;
	char *owner; /* unique name of org.bluez while owned */
	GCancellable *cancellable;
	GDBusObjectManager *manager;
	guint retry_timer;
	guint retry_ms;
	gboolean discovery;
	gboolean loading; /* reading org.bluez's objects after it appeared */
	GHashTable *adapters; /* path -> Adapter */
	GHashTable *devices;  /* path -> LactdBluezDevice */
	GHashTable *services; /* path -> GDBusProxy */
	GHashTable *chars;    /* path -> GDBusProxy */
};

static void evaluate(LactdBluezDevice *dev);
static gboolean has_rssi(LactdBluezDevice *dev);

/* --- properties ------------------------------------------------------------------ */

static gboolean
prop_bool(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	return v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN) &&
	       g_variant_get_boolean(v);
}

static char *
prop_str(GDBusProxy *proxy, const char *name)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(proxy, name);

	if (v == NULL || !(g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
			   g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)))
		return NULL;
	return g_variant_dup_string(v, NULL);
}

/* The object a GATT object belongs to: its property, else its parent path. */
static char *
owner_path(GDBusProxy *proxy, const char *prop)
{
	char *path = prop_str(proxy, prop);

	if (path == NULL)
		path = g_path_get_dirname(g_dbus_proxy_get_object_path(proxy));
	return path;
}

static LactdBluezDevice *
char_device(LactdBluez *bluez, GDBusProxy *chr)
{
	g_autofree char *service_path = owner_path(chr, "Service");
	GDBusProxy *service = g_hash_table_lookup(bluez->services, service_path);
	g_autofree char *device_path = NULL;

	if (service == NULL)
		return NULL;
	device_path = owner_path(service, "Device");
	return g_hash_table_lookup(bluez->devices, device_path);
}

static gboolean
service_of(LactdBluezDevice *dev, GDBusProxy *service)
{
	g_autofree char *device_path = owner_path(service, "Device");

	return g_strcmp0(device_path, dev->path) == 0;
}

static GDBusProxy *
find_char(LactdBluezDevice *dev, const char *uuid)
{
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		g_autofree char *chr_uuid = prop_str(chr, "UUID");

		if (chr_uuid != NULL && g_ascii_strcasecmp(chr_uuid, uuid) == 0 &&
		    char_device(dev->bluez, chr) == dev)
			return chr;
	}
	return NULL;
}

static gboolean
has_chars(LactdBluezDevice *dev)
{
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		if (char_device(dev->bluez, chr) == dev)
			return TRUE;
	}
	return FALSE;
}

/* Adapters= in the configuration: the others are left to other programs
 * (a second controller acting as a peripheral, say), neither scanned with
 * nor connected through. */
static gboolean
adapter_used(LactdBluez *bluez, const char *path)
{
	Adapter *a = g_hash_table_lookup(bluez->adapters, path);
	g_autofree char *name = g_path_get_basename(path);
	g_autofree char *address = a != NULL ? prop_str(a->proxy, "Address") : NULL;

	return lactd_config_adapter_used(bluez->config, name, address);
}

static char *
device_adapter_path(GDBusProxy *proxy)
{
	char *path = prop_str(proxy, "Adapter");

	return path != NULL ? path : g_path_get_dirname(g_dbus_proxy_get_object_path(proxy));
}

static gboolean
adapter_powered(LactdBluezDevice *dev)
{
	g_autofree char *path = device_adapter_path(dev->proxy);
	Adapter *a = g_hash_table_lookup(dev->bluez->adapters, path);

	return a != NULL && prop_bool(a->proxy, "Powered");
}

/* --- accessors --------------------------------------------------------------------- */

const char *
lactd_bluez_device_get_path(LactdBluezDevice *dev)
{
	return dev->path;
}

const char *
lactd_bluez_device_get_address(LactdBluezDevice *dev)
{
	return dev->address;
}

char *
lactd_bluez_device_dup_name(LactdBluezDevice *dev)
{
	char *name = prop_str(dev->proxy, "Name");

	if (name == NULL)
		name = prop_str(dev->proxy, "Alias");
	return name != NULL ? name : g_strdup("");
}

gboolean
lactd_bluez_device_get_paired(LactdBluezDevice *dev)
{
	return prop_bool(dev->proxy, "Paired") || prop_bool(dev->proxy, "Bonded");
}

GStrv
lactd_bluez_device_dup_uuids(LactdBluezDevice *dev)
{
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "UUIDs");
	GHashTableIter it;
	GDBusProxy *service;

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_STRING_ARRAY)) {
		g_autofree const char **uuids = g_variant_get_strv(v, NULL);
		g_strv_builder_addv(b, uuids);
	}
	g_hash_table_iter_init(&it, dev->bluez->services);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&service)) {
		if (service_of(dev, service)) {
			g_autofree char *uuid = prop_str(service, "UUID");
			if (uuid != NULL)
				g_strv_builder_add(b, uuid);
		}
	}
	return g_strv_builder_end(b);
}

GArray *
lactd_bluez_device_dup_manufacturer_ids(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "ManufacturerData");
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(guint16));

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE("a{qv}"))) {
		GVariantIter it;
		guint16 id;
		g_autoptr(GVariant) data = NULL;

		g_variant_iter_init(&it, v);
		while (g_variant_iter_next(&it, "{qv}", &id, &data)) {
			g_array_append_val(ids, id);
			g_clear_pointer(&data, g_variant_unref);
		}
	}
	return ids;
}

GStrv
lactd_bluez_device_dup_service_data_uuids(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "ServiceData");
	g_autoptr(GStrvBuilder) b = g_strv_builder_new();

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE("a{sv}"))) {
		GVariantIter it;
		const char *uuid;
		g_autoptr(GVariant) data = NULL;

		g_variant_iter_init(&it, v);
		while (g_variant_iter_next(&it, "{&sv}", &uuid, &data)) {
			g_strv_builder_add(b, uuid);
			g_clear_pointer(&data, g_variant_unref);
		}
	}
	return g_strv_builder_end(b);
}

void
lactd_bluez_device_set_user_data(LactdBluezDevice *dev, gpointer user_data)
{
	dev->user_data = user_data;
}

gpointer
lactd_bluez_device_get_user_data(LactdBluezDevice *dev)
{
	return dev->user_data;
}

gboolean
lactd_bluez_is_up(LactdBluez *bluez)
{
	return bluez->manager != NULL;
}

/*
 * Whether the link is up. bluetoothd 5.66 marks an LE link connected
 * without announcing Connected when the ATT channel comes up before the
 * kernel's Device Connected event (src/device.c, att_connect_cb); the
 * event is then dropped as "already connected", and Connected stays false
 * in PropertiesChanged while the link is up. The VM test met it on every
 * reconnection after a bluetoothd restart. ServicesResolved is set only on
 * a connected link and reset when it goes, so it stands for Connected.
 */
static gboolean
link_up(LactdBluezDevice *dev)
{
	return prop_bool(dev->proxy, "Connected") || prop_bool(dev->proxy, "ServicesResolved");
}

/* BlueZ keeps RSSI while it sees the device advertise, and drops it when not. */
static gboolean
has_rssi(LactdBluezDevice *dev)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(dev->proxy, "RSSI");

	return v != NULL;
}

/* --- the link state machine -------------------------------------------------------- */

static gboolean
is_cancelled(const GError *error)
{
	return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Cancels what the old link state started. */
static void
new_epoch(LactdBluezDevice *dev)
{
	g_cancellable_cancel(dev->link_cancellable);
	g_object_unref(dev->link_cancellable);
	dev->link_cancellable = g_cancellable_new();
	g_clear_handle_id(&dev->timer, g_source_remove);
	g_hash_table_remove_all(dev->notifying);
}

static void
disconnect_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autofree char *address = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (ret == NULL && !is_cancelled(error))
		g_message("%s: disconnect: %s", address, error->message);
}

static void
disconnect(LactdBluezDevice *dev)
{
	dev->link_owner = FALSE;
	g_dbus_proxy_call(dev->proxy, "Disconnect", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			  (int)dev->bluez->config->bluez_timeout_ms, dev->bluez->cancellable,
			  disconnect_cb, g_strdup(dev->address));
}

/* Leaves READY, telling the listener, which may call back into us. */
static void
leave_ready(LactdBluezDevice *dev)
{
	if (dev->state != LINK_READY)
		return;
	dev->state = LINK_IDLE;
	new_epoch(dev);
	dev->bluez->listener->device_lost(dev, dev->bluez->user_data);
}

/* A link lost this recently is most likely a parent who walked into the
 * next room with the pump still running: keep trying at most every
 * RECENT_LOSS_RETRY_MS instead of waiting for BlueZ to report the device
 * in range, which it does only while something scans. After the window,
 * a device that stays silent was switched off, and the idle daemon goes
 * back to the longest backoff. */
#define RECENT_LOSS_US	     (15 * 60 * G_USEC_PER_SEC)
#define RECENT_LOSS_RETRY_MS 30000u

/* A link that aborts this soon after it came up, QUICK_LOSSES times in a
 * row, is a bond the device no longer knows (the encryption fails), not
 * radio trouble. */
#define QUICK_LOSS_US (3 * G_USEC_PER_SEC)
#define QUICK_LOSSES  3

#define PAIRING_LOST_PROBLEM "pairing lost: pair the scale again with bluetoothctl"

/* BlueZ's answers to Connect when the keys do not match (BlueZ 5.66
 * doc/device-api.txt errors; the message is the kernel's status text). */
static gboolean
is_key_error(const char *remote, const char *message)
{
	return g_strcmp0(remote, "org.bluez.Error.AuthenticationFailed") == 0 ||
	       g_strcmp0(remote, "org.bluez.Error.AuthenticationRejected") == 0 ||
	       (g_strcmp0(remote, "org.bluez.Error.Failed") == 0 && message != NULL &&
		(strstr(message, "PIN or Key Missing") != NULL ||
		 strstr(message, "key-missing") != NULL ||
		 strstr(message, "Authentication") != NULL));
}

/* One log line, the listener told, and no timer: the next attempt waits for
 * Paired or Bonded to become true again, or for the device to be wanted anew. */
static void
lose_pairing(LactdBluezDevice *dev, const char *what)
{
	new_epoch(dev);
	dev->state = LINK_IDLE;
	if (dev->pairing_lost)
		return;
	dev->pairing_lost = TRUE;
	dev->quick_losses = 0;
	g_message("%s: %s: the pairing is lost; pair the device again (bluetoothctl remove, "
		  "then pair); no further attempt until then",
		  dev->address, what);
	if (dev->bluez->listener->problem != NULL)
		dev->bluez->listener->problem(dev, PAIRING_LOST_PROBLEM, dev->bluez->user_data);
}

static void
pairing_back(LactdBluezDevice *dev, const char *why)
{
	if (!dev->pairing_lost)
		return;
	g_message("%s: %s: trying again", dev->address, why);
	dev->pairing_lost = FALSE;
	dev->quick_losses = 0;
	dev->backoff_ms = 0;
	if (dev->bluez->listener->problem != NULL)
		dev->bluez->listener->problem(dev, NULL, dev->bluez->user_data);
}

static gboolean
recently_lost(LactdBluezDevice *dev)
{
	return dev->lost_us != 0 && g_get_monotonic_time() - dev->lost_us < RECENT_LOSS_US;
}

static gboolean
backoff_cb(gpointer user_data)
{
	LactdBluezDevice *dev = user_data;

	dev->timer = 0;
	dev->state = LINK_IDLE;
	evaluate(dev);
	return G_SOURCE_REMOVE;
}

static void
backoff(LactdBluezDevice *dev)
{
	const LactdConfig *c = dev->bluez->config;

	new_epoch(dev);
	if (dev->away)
		dev->backoff_ms = MAX(c->reconnect_max_ms, 1u);
	else if (dev->backoff_ms == 0)
		dev->backoff_ms = MAX(c->reconnect_min_ms, 1u);
	else
		dev->backoff_ms = MIN(dev->backoff_ms * 2, MAX(c->reconnect_max_ms, 1u));
	if (!dev->away && recently_lost(dev))
		dev->backoff_ms = MIN(dev->backoff_ms, RECENT_LOSS_RETRY_MS);
	g_debug("%s: next attempt in %u ms", dev->address, dev->backoff_ms);
	dev->state = LINK_BACKOFF;
	dev->timer = g_timeout_add(dev->backoff_ms, backoff_cb, dev);
}

static gboolean
resolve_timeout_cb(gpointer user_data)
{
	LactdBluezDevice *dev = user_data;

	dev->timer = 0;
	g_message("%s: services not resolved after %u ms (Connected %s, ServicesResolved %s, "
		  "%s), disconnecting",
		  dev->address, dev->bluez->config->bluez_timeout_ms,
		  prop_bool(dev->proxy, "Connected") ? "true" : "false",
		  prop_bool(dev->proxy, "ServicesResolved") ? "true" : "false",
		  has_chars(dev) ? "characteristics listed" : "no characteristic listed");
	disconnect(dev);
	backoff(dev);
	return G_SOURCE_REMOVE;
}

static void
start_resolving(LactdBluezDevice *dev)
{
	dev->state = LINK_RESOLVING;
	dev->seen_connected = link_up(dev);
	g_clear_handle_id(&dev->timer, g_source_remove);
	dev->timer = g_timeout_add(MAX(dev->bluez->config->bluez_timeout_ms, 1u),
				   resolve_timeout_cb, dev);
}

static void
connect_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	LactdBluezDevice *dev;
	g_autofree char *remote = NULL;

	if (ret == NULL && is_cancelled(error))
		return;
	dev = user_data;
	if (ret == NULL) {
		remote = g_dbus_error_get_remote_error(error);
		if (g_strcmp0(remote, "org.bluez.Error.AlreadyConnected") != 0) {
			g_dbus_error_strip_remote_error(error);
			if (is_key_error(remote, error->message)) {
				g_autofree char *what =
				    g_strdup_printf("connect: %s: %s", remote, error->message);
				disconnect(dev);
				lose_pairing(dev, what);
				return;
			}
			g_message("%s: connect: %s%s%s", dev->address,
				  remote != NULL ? remote : "", remote != NULL ? ": " : "",
				  error->message);
			/* BlueZ may still be trying: stop it before backing off. */
			disconnect(dev);
			/* Not in range (no RSSI): switched off or away. Wait for
			 * BlueZ to see it again (RSSI, or Connected when it
			 * reconnects a bonded device itself) rather than knock
			 * on a closed door; only the longest backoff remains, so
			 * an idle daemon has no wakeups to speak of. */
			if (!has_rssi(dev) && !recently_lost(dev)) {
				dev->away = TRUE;
				dev->backoff_ms = MAX(dev->bluez->config->reconnect_max_ms, 1u);
				g_message("%s: out of range: waiting for it to appear", dev->address);
			}
			backoff(dev);
			return;
		}
	}
	start_resolving(dev);
	evaluate(dev);
}

static void
go_connect(LactdBluezDevice *dev)
{
	dev->away = FALSE;
	g_debug("%s: connecting", dev->address);
	dev->state = LINK_CONNECTING;
	dev->link_owner = TRUE;
	g_dbus_proxy_call(dev->proxy, "Connect", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			  (int)dev->bluez->config->bluez_timeout_ms, dev->link_cancellable, connect_cb,
			  dev);
}

static void
go_ready(LactdBluezDevice *dev)
{
	g_clear_handle_id(&dev->timer, g_source_remove);
	dev->state = LINK_READY;
	dev->backoff_ms = 0;
	dev->ready_us = g_get_monotonic_time();
	dev->got_value = FALSE;
	g_debug("%s: ready", dev->address);
	dev->bluez->listener->device_ready(dev, dev->bluez->user_data);
}

/* Moves the link one step toward what is wanted, on every change. */
static void
evaluate(LactdBluezDevice *dev)
{
	gboolean connected = link_up(dev);
	gboolean resolved = prop_bool(dev->proxy, "ServicesResolved");

	/* A device already connected when lactd (or bluetoothd) starts is
	 * ServicesResolved before lactd has read all of its characteristics:
	 * wait for the whole tree. */
	if (dev->bluez->loading)
		return;
	if (!dev->wanted || !adapter_powered(dev)) {
		leave_ready(dev);
		new_epoch(dev);
		if (!dev->wanted && dev->link_owner && connected)
			disconnect(dev);
		dev->state = LINK_IDLE;
		return;
	}
	switch (dev->state) {
	case LINK_READY:
		if (connected && resolved)
			return;
		g_message("%s: link lost", dev->address);
		dev->lost_us = g_get_monotonic_time();
		/* A stale bond aborts the link before anything is said; a
		 * device that spoke and then went out of range is not one. */
		if (dev->lost_us - dev->ready_us < QUICK_LOSS_US && !dev->got_value)
			dev->quick_losses++;
		else
			dev->quick_losses = 0;
		leave_ready(dev);
		if (dev->quick_losses >= QUICK_LOSSES) {
			lose_pairing(dev, "the link aborted right after connecting, again");
			return;
		}
		/* The listener may have changed its mind meanwhile. */
		if (dev->state == LINK_IDLE && dev->wanted) {
			dev->backoff_ms = 0;
			backoff(dev);
		}
		return;
	case LINK_CONNECTING:
		return;
	case LINK_BACKOFF:
		/* Back in range, or connected by BlueZ itself: try now. */
		if (dev->away && (connected || has_rssi(dev))) {
			g_message("%s: back in range", dev->address);
			dev->away = FALSE;
			dev->backoff_ms = 0;
			new_epoch(dev);
			dev->state = LINK_IDLE;
			evaluate(dev);
		}
		return;
	case LINK_RESOLVING:
		dev->seen_connected = dev->seen_connected || connected;
		if (!connected && dev->seen_connected) {
			g_message("%s: link lost before the services were resolved", dev->address);
			backoff(dev);
		} else if (connected && resolved && has_chars(dev)) {
			go_ready(dev);
		}
		return;
	case LINK_IDLE:
		if (dev->pairing_lost && !connected)
			return;
		if (connected && resolved && has_chars(dev))
			go_ready(dev);
		else if (connected)
			start_resolving(dev);
		else
			go_connect(dev);
		return;
	}
}

void
lactd_bluez_device_set_wanted(LactdBluezDevice *dev, gboolean wanted)
{
	if (dev->wanted == wanted)
		return;
	dev->wanted = wanted;
	if (wanted) {
		dev->backoff_ms = 0;
		pairing_back(dev, "wanted again");
	}
	evaluate(dev);
}

gboolean
lactd_bluez_device_is_ready(LactdBluezDevice *dev)
{
	return dev->state == LINK_READY;
}

void
lactd_bluez_device_give_up(LactdBluezDevice *dev, const char *reason)
{
	g_message("%s: giving up on this link: %s", dev->address, reason);
	leave_ready(dev);
	if (link_up(dev))
		disconnect(dev);
	if (dev->wanted)
		backoff(dev);
}

/* --- GATT -------------------------------------------------------------------------- */

typedef struct {
	LactdBluezDevice *dev; /* valid unless the call was cancelled */
	char *char_uuid;
	char *op;
} CallData;

static CallData *
call_data_new(LactdBluezDevice *dev, const char *char_uuid, const char *op)
{
	CallData *cd = g_new0(CallData, 1);

	cd->dev = dev;
	cd->char_uuid = g_strdup(char_uuid);
	cd->op = g_strdup(op);
	return cd;
}

static void
call_data_free(CallData *cd)
{
	g_free(cd->char_uuid);
	g_free(cd->op);
	g_free(cd);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(CallData, call_data_free)

static void
log_call_error(CallData *cd, GError *error)
{
	g_autofree char *remote = g_dbus_error_get_remote_error(error);

	g_dbus_error_strip_remote_error(error);
	g_message("%s: %s %s: %s%s%s", cd->dev->address, cd->op, cd->char_uuid,
		  remote != NULL ? remote : "", remote != NULL ? ": " : "", error->message);
}

static GDBusProxy *
ready_char(LactdBluezDevice *dev, const char *char_uuid, GError **error)
{
	GDBusProxy *chr;

	if (dev->state != LINK_READY) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "not connected");
		return NULL;
	}
	chr = find_char(dev, char_uuid);
	if (chr == NULL)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "the device has no characteristic %s", char_uuid);
	return chr;
}

static void
notify_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) cd = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (ret == NULL && !is_cancelled(error))
		log_call_error(cd, error);
}

gboolean
lactd_bluez_device_subscribe(LactdBluezDevice *dev, const char *char_uuid, GError **error)
{
	GDBusProxy *chr = ready_char(dev, char_uuid, error);

	if (chr == NULL)
		return FALSE;
	/* Values may come before the reply: follow them from now. */
	g_hash_table_add(dev->notifying, g_strdup(g_dbus_proxy_get_object_path(chr)));
	g_dbus_proxy_call(chr, "StartNotify", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			  (int)dev->bluez->config->bluez_timeout_ms, dev->link_cancellable, notify_cb,
			  call_data_new(dev, char_uuid, "StartNotify"));
	return TRUE;
}

static void
deliver(LactdBluezDevice *dev, const char *char_uuid, GVariant *bytes, LactdValueOrigin origin)
{
	gsize len = 0;
	const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);

	dev->got_value = TRUE;
	dev->bluez->listener->value(dev, char_uuid, data, len, origin, dev->bluez->user_data);
}

static void
read_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) cd = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	g_autoptr(GVariant) bytes = NULL;

	if (ret == NULL) {
		if (!is_cancelled(error))
			log_call_error(cd, error);
		return;
	}
	if (!g_variant_is_of_type(ret, G_VARIANT_TYPE("(ay)"))) {
		g_message("%s: ReadValue %s: reply of type %s", cd->dev->address, cd->char_uuid,
			  g_variant_get_type_string(ret));
		return;
	}
	bytes = g_variant_get_child_value(ret, 0);
	deliver(cd->dev, cd->char_uuid, bytes, LACTD_VALUE_READ);
}

gboolean
lactd_bluez_device_read(LactdBluezDevice *dev, const char *char_uuid, GError **error)
{
	GDBusProxy *chr = ready_char(dev, char_uuid, error);

	if (chr == NULL)
		return FALSE;
	g_dbus_proxy_call(chr, "ReadValue", g_variant_new_parsed("(@a{sv} {},)"),
			  G_DBUS_CALL_FLAGS_NO_AUTO_START, (int)dev->bluez->config->bluez_timeout_ms,
			  dev->link_cancellable, read_cb, call_data_new(dev, char_uuid, "ReadValue"));
	return TRUE;
}

static void
write_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) cd = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (ret == NULL && is_cancelled(error))
		return;
	if (error != NULL)
		g_dbus_error_strip_remote_error(error);
	cd->dev->bluez->listener->write_done(cd->dev, error, cd->dev->bluez->user_data);
}

gboolean
lactd_bluez_device_write(LactdBluezDevice *dev, const char *char_uuid, GBytes *data,
			 gboolean with_response, GError **error)
{
	GDBusProxy *chr = ready_char(dev, char_uuid, error);
	GVariantBuilder opts;
	GVariant *value;
	gsize len = 0;
	gconstpointer bytes = g_bytes_get_data(data, &len);

	if (chr == NULL)
		return FALSE;
	g_variant_builder_init(&opts, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&opts, "{sv}", "type",
			      g_variant_new_string(with_response ? "request" : "command"));
	value = g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, len > 0 ? bytes : "", len, 1);
	g_dbus_proxy_call(chr, "WriteValue", g_variant_new("(@aya{sv})", value, &opts),
			  G_DBUS_CALL_FLAGS_NO_AUTO_START, (int)dev->bluez->config->bluez_timeout_ms,
			  dev->link_cancellable, write_cb, call_data_new(dev, char_uuid, "WriteValue"));
	return TRUE;
}

void
lactd_bluez_char_free(LactdBluezChar *chr)
{
	if (chr == NULL)
		return;
	g_free(chr->uuid);
	g_free(chr->flags);
	g_free(chr->service_uuid);
	g_free(chr);
}

/* BlueZ 5.66 has a Handle property on characteristics it serves, not on
 * those of a remote device; its object path ends in char%04x, the handle
 * of the characteristic declaration (src/gatt-client.c), and the value
 * handle follows it (Core Specification Vol 3 Part G 3.3). */
static guint16
char_handle(GDBusProxy *chr)
{
	g_autoptr(GVariant) v = g_dbus_proxy_get_cached_property(chr, "Handle");
	const char *base;
	guint64 decl;
	char *end = NULL;

	if (v != NULL && g_variant_is_of_type(v, G_VARIANT_TYPE_UINT16))
		return g_variant_get_uint16(v);
	base = strrchr(g_dbus_proxy_get_object_path(chr), '/');
	if (base == NULL || !g_str_has_prefix(base, "/char") || strlen(base) != 9)
		return 0;
	decl = g_ascii_strtoull(base + 5, &end, 16);
	if (end == NULL || *end != '\0' || decl == 0 || decl >= 0xffff)
		return 0;
	return (guint16)(decl + 1);
}

static gint
path_cmp(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(g_dbus_proxy_get_object_path(*(GDBusProxy *const *)a),
			 g_dbus_proxy_get_object_path(*(GDBusProxy *const *)b));
}

GPtrArray *
lactd_bluez_device_dup_chars(LactdBluezDevice *dev)
{
	g_autoptr(GPtrArray) proxies = g_ptr_array_new();
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_bluez_char_free);
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		if (char_device(dev->bluez, chr) == dev)
			g_ptr_array_add(proxies, chr);
	}
	g_ptr_array_sort(proxies, path_cmp);
	for (guint i = 0; i < proxies->len; i++) {
		g_autofree char *uuid = NULL;
		g_autofree char *service_path = NULL;
		g_autoptr(GVariant) flags = NULL;
		GDBusProxy *service;
		LactdBluezChar *c;

		chr = proxies->pdata[i];
		uuid = prop_str(chr, "UUID");
		if (uuid == NULL)
			continue;
		c = g_new0(LactdBluezChar, 1);
		c->uuid = g_ascii_strdown(uuid, -1);
		flags = g_dbus_proxy_get_cached_property(chr, "Flags");
		if (flags != NULL && g_variant_is_of_type(flags, G_VARIANT_TYPE_STRING_ARRAY)) {
			g_autofree const char **v = g_variant_get_strv(flags, NULL);
			c->flags = g_strjoinv(",", (char **)v);
		} else {
			c->flags = g_strdup("");
		}
		c->handle = char_handle(chr);
		service_path = owner_path(chr, "Service");
		service = g_hash_table_lookup(dev->bluez->services, service_path);
		if (service != NULL) {
			g_autofree char *suuid = prop_str(service, "UUID");
			if (suuid != NULL)
				c->service_uuid = g_ascii_strdown(suuid, -1);
		}
		g_ptr_array_add(out, c);
	}
	return out;
}

gboolean
lactd_bluez_device_is_subscribed(LactdBluezDevice *dev, const char *char_uuid)
{
	GDBusProxy *chr = dev->state == LINK_READY ? find_char(dev, char_uuid) : NULL;

	return chr != NULL &&
	       g_hash_table_contains(dev->notifying, g_dbus_proxy_get_object_path(chr));
}

void
lactd_bluez_device_unsubscribe(LactdBluezDevice *dev, const char *char_uuid)
{
	GDBusProxy *chr = dev->state == LINK_READY ? find_char(dev, char_uuid) : NULL;

	if (chr == NULL || !g_hash_table_remove(dev->notifying, g_dbus_proxy_get_object_path(chr)))
		return;
	g_dbus_proxy_call(chr, "StopNotify", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			  (int)dev->bluez->config->bluez_timeout_ms, dev->link_cancellable, notify_cb,
			  call_data_new(dev, char_uuid, "StopNotify"));
}

/* --- discovery, for broadcasters --------------------------------------------------- */

static void
discovery_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);
	const char *what = user_data;

	if (ret == NULL && !is_cancelled(error))
		g_message("%s: %s: %s", g_dbus_proxy_get_object_path(G_DBUS_PROXY(source)), what,
			  error->message);
}

static void
apply_discovery(LactdBluez *bluez, Adapter *a)
{
	gboolean on = bluez->discovery && prop_bool(a->proxy, "Powered") &&
		      adapter_used(bluez, g_dbus_proxy_get_object_path(a->proxy));
	int timeout = (int)bluez->config->bluez_timeout_ms;

	if (!prop_bool(a->proxy, "Powered"))
		a->discovery_started = FALSE; /* BlueZ ends discovery at power-off */
	if (on == a->discovery_started)
		return;
	a->discovery_started = on;
	if (on) {
		/* Every advertisement, not just the first of each device: a
		 * broadcasting scale changes its data, not its address. */
		g_dbus_proxy_call(a->proxy, "SetDiscoveryFilter",
				  g_variant_new_parsed("({'Transport': <'le'>, 'DuplicateData': <true>},)"),
				  G_DBUS_CALL_FLAGS_NO_AUTO_START, timeout, bluez->cancellable,
				  discovery_cb, (gpointer) "SetDiscoveryFilter");
		g_dbus_proxy_call(a->proxy, "StartDiscovery", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
				  timeout, bluez->cancellable, discovery_cb, (gpointer) "StartDiscovery");
	} else {
		g_dbus_proxy_call(a->proxy, "StopDiscovery", NULL, G_DBUS_CALL_FLAGS_NO_AUTO_START,
				  timeout, bluez->cancellable, discovery_cb, (gpointer) "StopDiscovery");
	}
}

void
lactd_bluez_set_discovery(LactdBluez *bluez, gboolean on)
{
	GHashTableIter it;
	Adapter *a;

	if (bluez->discovery == on)
		return;
	bluez->discovery = on;
	g_hash_table_iter_init(&it, bluez->adapters);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&a))
		apply_discovery(bluez, a);
}

/* --- objects ----------------------------------------------------------------------- */

static void
adapter_free(Adapter *a)
{
	g_object_unref(a->proxy);
	g_free(a);
}

static void
device_free(LactdBluezDevice *dev)
{
	g_clear_handle_id(&dev->timer, g_source_remove);
	g_cancellable_cancel(dev->link_cancellable);
	g_object_unref(dev->link_cancellable);
	g_hash_table_destroy(dev->notifying);
	g_object_unref(dev->proxy);
	g_free(dev->address);
	g_free(dev->path);
	g_free(dev);
}

/* Snapshot, since a listener may change the table while we walk it. */
static void
evaluate_all(LactdBluez *bluez)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	const char *path;

	g_hash_table_iter_init(&it, bluez->devices);
	while (g_hash_table_iter_next(&it, (gpointer *)&path, NULL))
		g_ptr_array_add(paths, g_strdup(path));
	for (guint i = 0; i < paths->len; i++) {
		LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, paths->pdata[i]);
		if (dev != NULL)
			evaluate(dev);
	}
}

static void
device_add(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *path = g_dbus_proxy_get_object_path(proxy);
	g_autofree char *address = prop_str(proxy, "Address");
	g_autofree char *adapter = device_adapter_path(proxy);
	LactdBluezDevice *dev;

	if (g_hash_table_contains(bluez->devices, path))
		return;
	if (address == NULL) {
		g_message("%s: device without an address, ignored", path);
		return;
	}
	if (!adapter_used(bluez, adapter)) {
		g_debug("%s: on %s, which Adapters= leaves out", address, adapter);
		return;
	}
	dev = g_new0(LactdBluezDevice, 1);
	dev->bluez = bluez;
	dev->path = g_strdup(path);
	dev->address = g_ascii_strup(address, -1);
	dev->proxy = g_object_ref(proxy);
	dev->link_cancellable = g_cancellable_new();
	dev->notifying = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_hash_table_insert(bluez->devices, dev->path, dev);
	g_debug("%s: device %s", dev->address, path);
	bluez->listener->device_added(dev, bluez->user_data);
}

static void
device_remove(LactdBluez *bluez, const char *path)
{
	LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, path);

	if (dev == NULL)
		return;
	g_debug("%s: device gone", dev->address);
	leave_ready(dev);
	new_epoch(dev);
	dev->wanted = FALSE;
	bluez->listener->device_removed(dev, bluez->user_data);
	g_hash_table_steal(bluez->devices, path);
	device_free(dev);
}

static void
gatt_changed(LactdBluez *bluez, LactdBluezDevice *dev)
{
	if (dev == NULL)
		return;
	bluez->listener->device_changed(dev, bluez->user_data);
	/* The listener may have removed nothing, but be safe: look it up again. */
	if (g_hash_table_lookup(bluez->devices, dev->path) == dev)
		evaluate(dev);
}

static void
interface_added(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		Adapter *a = g_new0(Adapter, 1);

		a->proxy = g_object_ref(proxy);
		g_hash_table_replace(bluez->adapters, g_strdup(path), a);
		if (!adapter_used(bluez, path))
			g_message("adapter %s not used: Adapters= leaves it out", path);
		apply_discovery(bluez, a);
		evaluate_all(bluez);
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		device_add(bluez, proxy);
	} else if (g_strcmp0(iface, IFACE_SERVICE) == 0) {
		g_autofree char *device_path = owner_path(proxy, "Device");

		g_hash_table_replace(bluez->services, g_strdup(path), g_object_ref(proxy));
		gatt_changed(bluez, g_hash_table_lookup(bluez->devices, device_path));
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		g_hash_table_replace(bluez->chars, g_strdup(path), g_object_ref(proxy));
		gatt_changed(bluez, char_device(bluez, proxy));
	}
}

static void
interface_removed(LactdBluez *bluez, GDBusProxy *proxy)
{
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		g_hash_table_remove(bluez->adapters, path);
		evaluate_all(bluez);
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		device_remove(bluez, path);
	} else if (g_strcmp0(iface, IFACE_SERVICE) == 0) {
		g_hash_table_remove(bluez->services, path);
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		LactdBluezDevice *dev = char_device(bluez, proxy);

		if (dev != NULL)
			g_hash_table_remove(dev->notifying, path);
		g_hash_table_remove(bluez->chars, path);
	}
}

static void
on_interface_added(GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
		   gpointer user_data)
{
	interface_added(user_data, G_DBUS_PROXY(iface));
}

static void
on_interface_removed(GDBusObjectManager *manager, GDBusObject *object, GDBusInterface *iface,
		     gpointer user_data)
{
	interface_removed(user_data, G_DBUS_PROXY(iface));
}

static void
on_object_added(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
	GList *ifaces = g_dbus_object_get_interfaces(object);

	for (GList *l = ifaces; l != NULL; l = l->next)
		interface_added(user_data, G_DBUS_PROXY(l->data));
	g_list_free_full(ifaces, g_object_unref);
}

static void
on_object_removed(GDBusObjectManager *manager, GDBusObject *object, gpointer user_data)
{
	GList *ifaces = g_dbus_object_get_interfaces(object);

	for (GList *l = ifaces; l != NULL; l = l->next)
		interface_removed(user_data, G_DBUS_PROXY(l->data));
	g_list_free_full(ifaces, g_object_unref);
}

static void
advertised(LactdBluez *bluez, LactdBluezDevice *dev, GVariant *changed)
{
	g_autoptr(GVariant) mfr = g_variant_lookup_value(changed, "ManufacturerData",
							 G_VARIANT_TYPE("a{qv}"));
	g_autoptr(GVariant) svc = g_variant_lookup_value(changed, "ServiceData", G_VARIANT_TYPE("a{sv}"));
	const char *path = dev->path;
	GVariantIter it;

	if (mfr != NULL) {
		guint16 id;
		GVariant *v;

		g_variant_iter_init(&it, mfr);
		while (g_variant_iter_next(&it, "{qv}", &id, &v)) {
			if (g_variant_is_of_type(v, G_VARIANT_TYPE_BYTESTRING) &&
			    g_hash_table_lookup(bluez->devices, path) == dev) {
				gsize len = 0;
				const guint8 *data = g_variant_get_fixed_array(v, &len, 1);
				bluez->listener->advertisement(dev, id, NULL, data, len,
							       bluez->user_data);
			}
			g_variant_unref(v);
		}
	}
	if (svc != NULL) {
		const char *uuid;
		GVariant *v;

		g_variant_iter_init(&it, svc);
		while (g_variant_iter_next(&it, "{&sv}", &uuid, &v)) {
			if (g_variant_is_of_type(v, G_VARIANT_TYPE_BYTESTRING) &&
			    g_hash_table_lookup(bluez->devices, path) == dev) {
				gsize len = 0;
				const guint8 *data = g_variant_get_fixed_array(v, &len, 1);
				bluez->listener->advertisement(dev, 0, uuid, data, len,
							       bluez->user_data);
			}
			g_variant_unref(v);
		}
	}
}

static gboolean
has_any(GVariant *changed, const char *const *names)
{
	for (guint i = 0; names[i] != NULL; i++) {
		g_autoptr(GVariant) v = g_variant_lookup_value(changed, names[i], NULL);
		if (v != NULL)
			return TRUE;
	}
	return FALSE;
}

static gboolean
changed_true(GVariant *changed, const char *name)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(changed, name, G_VARIANT_TYPE_BOOLEAN);

	return v != NULL && g_variant_get_boolean(v);
}

static void
on_properties_changed(GDBusObjectManagerClient *manager, GDBusObjectProxy *object,
		      GDBusProxy *proxy, GVariant *changed, const char *const *invalidated,
		      gpointer user_data)
{
	LactdBluez *bluez = user_data;
	const char *iface = g_dbus_proxy_get_interface_name(proxy);
	const char *path = g_dbus_proxy_get_object_path(proxy);

	if (g_strcmp0(iface, IFACE_ADAPTER) == 0) {
		Adapter *a = g_hash_table_lookup(bluez->adapters, path);
		static const char *const powered[] = {"Powered", NULL};

		if (a != NULL && has_any(changed, powered)) {
			g_message("adapter %s %s", path,
				  prop_bool(a->proxy, "Powered") ? "powered on" : "powered off");
			apply_discovery(bluez, a);
			evaluate_all(bluez);
		}
	} else if (g_strcmp0(iface, IFACE_DEVICE) == 0) {
		LactdBluezDevice *dev = g_hash_table_lookup(bluez->devices, path);
		static const char *const info[] = {"Name",  "Alias", "Paired",	 "Bonded",
						   "UUIDs", "ManufacturerData", "ServiceData", NULL};
		static const char *const link[] = {"Connected", "ServicesResolved", "RSSI", NULL};

		if (dev == NULL)
			return;
		if (dev->pairing_lost && (changed_true(changed, "Paired") ||
					  changed_true(changed, "Bonded")))
		{
			pairing_back(dev, "paired again");
			evaluate(dev);
		}
		if (has_any(changed, info)) {
			bluez->listener->device_changed(dev, bluez->user_data);
			if (g_hash_table_lookup(bluez->devices, path) != dev)
				return;
		}
		advertised(bluez, dev, changed);
		if (g_hash_table_lookup(bluez->devices, path) == dev && has_any(changed, link))
			evaluate(dev);
	} else if (g_strcmp0(iface, IFACE_CHAR) == 0) {
		LactdBluezDevice *dev = char_device(bluez, proxy);
		g_autoptr(GVariant) value =
		    g_variant_lookup_value(changed, "Value", G_VARIANT_TYPE_BYTESTRING);
		g_autofree char *uuid = NULL;

		/* Value also changes after a ReadValue: only subscriptions count. */
		if (dev == NULL || value == NULL || dev->state != LINK_READY ||
		    !g_hash_table_contains(dev->notifying, path))
			return;
		uuid = prop_str(proxy, "UUID");
		if (uuid != NULL)
			deliver(dev, uuid, value, LACTD_VALUE_NOTIFY);
	}
}

/* --- org.bluez coming and going ---------------------------------------------------- */

static void
drop_all(LactdBluez *bluez)
{
	g_autoptr(GPtrArray) paths = g_ptr_array_new_with_free_func(g_free);
	GHashTableIter it;
	const char *path;

	g_clear_handle_id(&bluez->retry_timer, g_source_remove);
	g_cancellable_cancel(bluez->cancellable);
	g_clear_object(&bluez->cancellable);
	bluez->cancellable = g_cancellable_new();
	if (bluez->manager != NULL) {
		g_signal_handlers_disconnect_by_data(bluez->manager, bluez);
		g_clear_object(&bluez->manager);
	}
	g_hash_table_iter_init(&it, bluez->devices);
	while (g_hash_table_iter_next(&it, (gpointer *)&path, NULL))
		g_ptr_array_add(paths, g_strdup(path));
	for (guint i = 0; i < paths->len; i++)
		device_remove(bluez, paths->pdata[i]);
	g_hash_table_remove_all(bluez->chars);
	g_hash_table_remove_all(bluez->services);
	g_hash_table_remove_all(bluez->adapters);
}

static void start_manager(LactdBluez *bluez);

static gboolean
retry_cb(gpointer user_data)
{
	LactdBluez *bluez = user_data;

	bluez->retry_timer = 0;
	start_manager(bluez);
	return G_SOURCE_REMOVE;
}

static gint
compare_object_paths(gconstpointer a, gconstpointer b)
{
	return strcmp(g_dbus_object_get_object_path(G_DBUS_OBJECT(a)),
		      g_dbus_object_get_object_path(G_DBUS_OBJECT(b)));
}

static void
manager_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *manager = g_dbus_object_manager_client_new_finish(res, &error);
	LactdBluez *bluez;
	GList *objects;

	if (manager == NULL && is_cancelled(error))
		return;
	bluez = user_data;
	if (manager == NULL) {
		bluez->retry_ms = bluez->retry_ms == 0 ? MAX(bluez->config->reconnect_min_ms, 1u)
						       : MIN(bluez->retry_ms * 2,
							     MAX(bluez->config->reconnect_max_ms, 1u));
		g_message("org.bluez: cannot list its objects: %s; retrying in %u ms", error->message,
			  bluez->retry_ms);
		bluez->retry_timer = g_timeout_add(bluez->retry_ms, retry_cb, bluez);
		return;
	}
	bluez->retry_ms = 0;
	bluez->manager = manager;
	g_signal_connect(manager, "object-added", G_CALLBACK(on_object_added), bluez);
	g_signal_connect(manager, "object-removed", G_CALLBACK(on_object_removed), bluez);
	g_signal_connect(manager, "interface-added", G_CALLBACK(on_interface_added), bluez);
	g_signal_connect(manager, "interface-removed", G_CALLBACK(on_interface_removed), bluez);
	g_signal_connect(manager, "interface-proxy-properties-changed",
			 G_CALLBACK(on_properties_changed), bluez);
	/* Parents first (an adapter before its devices, a device before its
	 * services), as bluetoothd sends them; the client's list is in hash
	 * order. */
	objects = g_list_sort(g_dbus_object_manager_get_objects(manager), compare_object_paths);
	bluez->loading = TRUE;
	for (GList *l = objects; l != NULL; l = l->next)
		on_object_added(manager, l->data, bluez);
	bluez->loading = FALSE;
	g_list_free_full(objects, g_object_unref);
	evaluate_all(bluez);
	g_message("org.bluez is up: %u adapter(s), %u device(s)",
		  g_hash_table_size(bluez->adapters), g_hash_table_size(bluez->devices));
}

static void
start_manager(LactdBluez *bluez)
{
	if (bluez->owner == NULL)
		return;
	/* The unique name: a restarted bluetoothd is a new manager, built
	 * afresh when the name reappears. */
	g_dbus_object_manager_client_new(bluez->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START,
					 bluez->owner, "/", NULL, NULL, NULL, bluez->cancellable,
					 manager_cb, bluez);
}

static void
on_bluez_appeared(GDBusConnection *bus, const char *name, const char *owner, gpointer user_data)
{
	LactdBluez *bluez = user_data;

	if (g_strcmp0(bluez->owner, owner) == 0)
		return;
	drop_all(bluez);
	g_free(bluez->owner);
	bluez->owner = g_strdup(owner);
	g_debug("org.bluez appeared as %s", owner);
	start_manager(bluez);
}

static void
on_bluez_vanished(GDBusConnection *bus, const char *name, gpointer user_data)
{
	LactdBluez *bluez = user_data;

	if (bluez->owner != NULL)
		g_message("org.bluez went away: waiting for it to come back");
	else
		g_message("org.bluez is not running: waiting for it");
	drop_all(bluez);
	g_clear_pointer(&bluez->owner, g_free);
}

LactdBluez *
lactd_bluez_new(GDBusConnection *system_bus, const LactdConfig *config,
		const LactdBluezListener *listener, gpointer user_data)
{
	LactdBluez *bluez = g_new0(LactdBluez, 1);

	bluez->bus = g_object_ref(system_bus);
	bluez->config = config;
	bluez->listener = listener;
	bluez->user_data = user_data;
	bluez->cancellable = g_cancellable_new();
	bluez->adapters = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
						(GDestroyNotify)adapter_free);
	bluez->devices = g_hash_table_new(g_str_hash, g_str_equal);
	bluez->services = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	bluez->chars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	bluez->watch_id = g_bus_watch_name_on_connection(system_bus, BLUEZ_NAME,
							 G_BUS_NAME_WATCHER_FLAGS_NONE,
							 on_bluez_appeared, on_bluez_vanished, bluez,
							 NULL);
	return bluez;
}

void
lactd_bluez_free(LactdBluez *bluez)
{
	if (bluez == NULL)
		return;
	g_bus_unwatch_name(bluez->watch_id);
	drop_all(bluez);
	g_cancellable_cancel(bluez->cancellable);
	g_clear_object(&bluez->cancellable);
	g_hash_table_destroy(bluez->devices);
	g_hash_table_destroy(bluez->chars);
	g_hash_table_destroy(bluez->services);
	g_hash_table_destroy(bluez->adapters);
	g_free(bluez->owner);
	g_object_unref(bluez->bus);
	g_free(bluez);
}
