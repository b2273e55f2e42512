/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client's GATT side: subscribing to a ready device's
 * characteristics and delivering their notifications, reads and writes
 * (each bounded and cancelled with the link), and listing a device's
 * characteristics for the recorder.
 *
 * bluetoothd keeps a client's notification session when the link goes and
 * enables it again as soon as the next link is up (btd_gatt_client_connected
 * in its gatt-client.c), before lactd has seen the link ready and
 * subscribed anew. A device speaks at once then: a Weight Scale
 * sends the measurements it stored while out of range, and believes them
 * delivered. Those values are held, in order, and delivered once lactd has
 * subscribed to their characteristic again.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez-private.h"

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
	chr = lactd_bluez_find_char(dev, char_uuid);
	if (chr == NULL)
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "the device has no characteristic %s", char_uuid);
	return chr;
}

static void
deliver(LactdBluezDevice *dev, const char *char_uuid, GVariant *bytes, LactdValueOrigin origin)
{
	gsize len = 0;
	const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);

	dev->got_value = TRUE;
	dev->bluez->listener->value(dev, char_uuid, data, len, origin, dev->bluez->user_data);
}

/* --- values before lactd subscribed again ------------------------------------------- */

/* At most this many values wait for a subscription: a scale stores a few
 * dozen measurements; a device that sends more before lactd is ready
 * loses the oldest, said in the log. */
#define EARLY_MAX 256

/* A held value is (characteristic path, UUID, bytes). */
static const char *
early_path(GVariant *v)
{
	const char *path;

	g_variant_get_child(v, 0, "&s", &path);
	return path;
}

static gboolean early_flush(gpointer user_data);

/* Whether values of the characteristic at @path are held. */
static gboolean
holds(LactdBluezDevice *dev, const char *path)
{
	for (GList *l = dev->early.head; l != NULL; l = l->next) {
		if (g_str_equal(early_path(l->data), path))
			return TRUE;
	}
	return FALSE;
}

static void
schedule_flush(LactdBluezDevice *dev)
{
	if (dev->early.length > 0 && dev->early_source == 0)
		dev->early_source = g_idle_add(early_flush, dev);
}

static void
hold(LactdBluezDevice *dev, const char *path, const char *uuid, GVariant *bytes)
{
	if (dev->early.length >= EARLY_MAX) {
		g_message("%s: more than %u values before lactd subscribed again: the oldest is "
			  "dropped",
			  dev->address, EARLY_MAX);
		g_variant_unref(g_queue_pop_head(&dev->early));
	}
	g_queue_push_tail(&dev->early,
			  g_variant_ref_sink(g_variant_new("(ss@ay)", path, uuid, bytes)));
	g_debug("%s: %s: a value before lactd subscribed again, held", dev->address, uuid);
	if (g_hash_table_contains(dev->notifying, path))
		schedule_flush(dev);
}

/* Delivers the held values of the characteristics subscribed again, in the
 * order they came. It runs once the plugin has subscribed to what it wants
 * on the ready link (plugins subscribe as they attach): the rest is no
 * longer wanted, and goes. */
static gboolean
early_flush(gpointer user_data)
{
	LactdBluezDevice *dev = user_data;
	GVariant *v;

	dev->early_source = 0;
	if (dev->state != LINK_READY)
		return G_SOURCE_REMOVE;
	g_hash_table_remove_all(dev->resumed);
	/* The listener may end the link: what is left then waits for the next. */
	while (dev->state == LINK_READY && (v = g_queue_pop_head(&dev->early)) != NULL) {
		const char *path, *uuid;
		g_autoptr(GVariant) bytes = NULL;

		g_variant_get(v, "(&s&s@ay)", &path, &uuid, &bytes);
		if (g_hash_table_contains(dev->notifying, path))
			deliver(dev, uuid, bytes, LACTD_VALUE_NOTIFY);
		g_variant_unref(v);
	}
	return G_SOURCE_REMOVE;
}

void
lactd_bluez_subscriptions_resume(LactdBluezDevice *dev)
{
	GHashTableIter it;
	gpointer path;

	g_hash_table_iter_init(&it, dev->notifying);
	while (g_hash_table_iter_next(&it, &path, NULL)) {
		g_hash_table_add(dev->resumed, path);
		g_hash_table_iter_steal(&it);
	}
}

void
lactd_bluez_early_forget(LactdBluezDevice *dev, const char *char_path)
{
	GQueue kept = G_QUEUE_INIT;
	GVariant *v;

	if (char_path == NULL) {
		g_hash_table_remove_all(dev->resumed);
		g_clear_handle_id(&dev->early_source, g_source_remove);
	} else {
		g_hash_table_remove(dev->resumed, char_path);
	}
	while ((v = g_queue_pop_head(&dev->early)) != NULL) {
		if (char_path == NULL || g_str_equal(early_path(v), char_path))
			g_variant_unref(v);
		else
			g_queue_push_tail(&kept, v);
	}
	dev->early = kept;
}

/* A read's reply: the value goes where notifications go. */
static void
read_done(CallData *cd, GVariant *ret)
{
	g_autoptr(GVariant) bytes = NULL;

	if (!g_variant_is_of_type(ret, G_VARIANT_TYPE("(ay)"))) {
		g_message("%s: ReadValue %s: reply of type %s", cd->dev->address, cd->char_uuid,
			  g_variant_get_type_string(ret));
		return;
	}
	bytes = g_variant_get_child_value(ret, 0);
	deliver(cd->dev, cd->char_uuid, bytes, LACTD_VALUE_READ);
}

/* Every GATT call's reply. A write's outcome, failed or not, goes to the
 * listener; the others' failures are logged. */
static void
call_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autoptr(CallData) cd = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (ret == NULL && lactd_bluez_is_cancelled(error))
		return;
	if (g_str_equal(cd->op, "WriteValue")) {
		if (error != NULL)
			g_dbus_error_strip_remote_error(error);
		cd->dev->bluez->listener->write_done(cd->dev, error, cd->dev->bluez->user_data);
	} else if (ret == NULL) {
		log_call_error(cd, error);
	} else if (g_str_equal(cd->op, "ReadValue")) {
		read_done(cd, ret);
	}
}

/* Starts a call on a characteristic, bounded and cancelled with the link. */
static void
gatt_call(LactdBluezDevice *dev, GDBusProxy *chr, const char *char_uuid, const char *method,
	  GVariant *params)
{
	g_dbus_proxy_call(chr, method, params, G_DBUS_CALL_FLAGS_NO_AUTO_START,
			  (int)dev->bluez->config->bluez_timeout_ms, dev->link_cancellable, call_cb,
			  call_data_new(dev, char_uuid, method));
}

gboolean
lactd_bluez_device_subscribe(LactdBluezDevice *dev, const char *char_uuid, GError **error)
{
	GDBusProxy *chr = ready_char(dev, char_uuid, error);

	if (chr == NULL)
		return FALSE;
	/* Values may come before the reply: follow them from now. */
	g_hash_table_add(dev->notifying, g_strdup(g_dbus_proxy_get_object_path(chr)));
	g_hash_table_remove(dev->resumed, g_dbus_proxy_get_object_path(chr));
	/* Delivered once the caller is done subscribing, not inside its call. */
	schedule_flush(dev);
	gatt_call(dev, chr, char_uuid, "StartNotify", NULL);
	return TRUE;
}

gboolean
lactd_bluez_device_read(LactdBluezDevice *dev, const char *char_uuid, GError **error)
{
	GDBusProxy *chr = ready_char(dev, char_uuid, error);

	if (chr == NULL)
		return FALSE;
	gatt_call(dev, chr, char_uuid, "ReadValue", g_variant_new_parsed("(@a{sv} {},)"));
	return TRUE;
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
	gatt_call(dev, chr, char_uuid, "WriteValue", g_variant_new("(@aya{sv})", value, &opts));
	return TRUE;
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
	GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_gatt_char_free);
	GHashTableIter it;
	GDBusProxy *chr;

	g_hash_table_iter_init(&it, dev->bluez->chars);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&chr)) {
		if (lactd_bluez_char_device(dev->bluez, chr) == dev)
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
		uuid = lactd_bluez_prop_str(chr, "UUID");
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
		service_path = lactd_bluez_owner_path(chr, "Service");
		service = g_hash_table_lookup(dev->bluez->services, service_path);
		if (service != NULL) {
			g_autofree char *suuid = lactd_bluez_prop_str(service, "UUID");
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
	GDBusProxy *chr = dev->state == LINK_READY ? lactd_bluez_find_char(dev, char_uuid) : NULL;

	return chr != NULL &&
	       g_hash_table_contains(dev->notifying, g_dbus_proxy_get_object_path(chr));
}

void
lactd_bluez_device_unsubscribe(LactdBluezDevice *dev, const char *char_uuid)
{
	GDBusProxy *chr = dev->state == LINK_READY ? lactd_bluez_find_char(dev, char_uuid) : NULL;

	if (chr == NULL || !g_hash_table_remove(dev->notifying, g_dbus_proxy_get_object_path(chr)))
		return;
	lactd_bluez_early_forget(dev, g_dbus_proxy_get_object_path(chr));
	gatt_call(dev, chr, char_uuid, "StopNotify", NULL);
}

void
lactd_bluez_char_value_changed(LactdBluez *bluez, GDBusProxy *chr, GVariant *changed)
{
	LactdBluezDevice *dev = lactd_bluez_char_device(bluez, chr);
	g_autoptr(GVariant) value = g_variant_lookup_value(changed, "Value", G_VARIANT_TYPE_BYTESTRING);
	g_autofree char *uuid = NULL;
	const char *path = g_dbus_proxy_get_object_path(chr);
	gboolean subscribed, resumed;

	if (dev == NULL || value == NULL)
		return;
	/* Value also changes after a ReadValue: only subscriptions count. */
	subscribed = dev->state == LINK_READY && g_hash_table_contains(dev->notifying, path);
	resumed = dev->wanted && g_hash_table_contains(dev->resumed, path);
	if ((!subscribed && !resumed) || (uuid = lactd_bluez_prop_str(chr, "UUID")) == NULL)
		return;
	/* Behind its characteristic's held values, a value waits its turn. */
	if (subscribed && !holds(dev, path))
		deliver(dev, uuid, value, LACTD_VALUE_NOTIFY);
	else if (subscribed || resumed)
		hold(dev, path, uuid, value);
}
