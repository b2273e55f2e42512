/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake bluetoothd's devices: the Device1 object, advertising data, the
 * link's life (connect, service discovery, disconnection, the device
 * leaving range) and the Device1 methods.
 */
#include "config.h"

#include <errno.h>

#include "fake-bluez.h"

Device *
fb_find_device(const char *address)
{
	for (guint i = 0; i < fake.devices->len; i++) {
		Device *d = g_ptr_array_index(fake.devices, i);
		if (g_ascii_strcasecmp(d->address, address) == 0)
			return d;
	}
	return NULL;
}

static gboolean
cache_enabled(Device *d)
{
	return fake.cache == CACHE_ALWAYS || (fake.cache == CACHE_YES && d->paired);
}

static void
on_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	fb_deliver_notification(user_data, uuid, data, len);
}

/* Advertising data: bluetoothd updates ManufacturerData/ServiceData of a
 * device from what discovery receives, so only while discovering. */
void
fb_device_show_advert(Device *d)
{
	if (!d->present || !d->adapter->powered || !fb_adapter_discovering(d->adapter) || !d->known)
		return;
	fb_obj_set(d->obj, "RSSI", g_variant_new_int16(-52), FALSE);
	if (d->mfr_data != NULL)
		fb_obj_set(d->obj, "ManufacturerData", d->mfr_data, FALSE);
	if (d->svc_data != NULL)
		fb_obj_set(d->obj, "ServiceData", d->svc_data, FALSE);
}

static GVariant *
one_entry_dict(const char *type, GVariant *key, const guint8 *data, gsize len)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE(type));
	g_variant_builder_add_value(
	    &b, g_variant_new_dict_entry(key, g_variant_new_variant(fb_bytes_variant(data, len))));
	return g_variant_ref_sink(g_variant_builder_end(&b));
}

static void
on_advertise(LactdEmu *emu, guint16 manufacturer_id, const char *service_uuid,
	     const guint8 *data, gsize len, gpointer user_data)
{
	Device *d = user_data;

	if (service_uuid == NULL) {
		g_clear_pointer(&d->mfr_data, g_variant_unref);
		d->mfr_data =
		    one_entry_dict("a{qv}", g_variant_new_uint16(manufacturer_id), data, len);
	} else {
		g_clear_pointer(&d->svc_data, g_variant_unref);
		d->svc_data = one_entry_dict("a{sv}", g_variant_new_string(service_uuid), data, len);
	}
	fb_device_show_advert(d);
}

/* The device hears its emulator: notifications and advertising data. */
void
fb_device_listen(Device *d)
{
	d->emu->notify = on_notify;
	d->emu->advertise = on_advertise;
	d->emu->user_data = d;
}

FbObj *
fb_device_obj_new(Device *d)
{
	g_autofree char *upper = g_ascii_strup(d->address, -1);
	g_autofree char *path = NULL;
	FbObj *o;
	GVariantBuilder uuids;
	const char *name = d->name != NULL ? d->name : d->emu->klass->default_name;

	g_strdelimit(upper, ":", '_');
	path = g_strdup_printf("%s/dev_%s", d->adapter->obj->path, upper);
	o = fb_obj_new(path, DEVICE, d);
	g_variant_builder_init(&uuids, G_VARIANT_TYPE("as"));
	for (const LactdEmuService *s = lactd_emu_services(d->emu); s->uuid != NULL; s++)
		g_variant_builder_add(&uuids, "s", s->uuid);
	fb_obj_set(o, "Address", g_variant_new_string(d->address), FALSE);
	fb_obj_set(o, "AddressType", g_variant_new_string(d->address_type), FALSE);
	if (name != NULL)
		fb_obj_set(o, "Name", g_variant_new_string(name), FALSE);
	fb_obj_set(o, "Alias", g_variant_new_string(name != NULL ? name : d->address), FALSE);
	fb_obj_set(o, "Paired", g_variant_new_boolean(d->paired), FALSE);
	fb_obj_set(o, "Bonded", g_variant_new_boolean(d->bonded), FALSE);
	fb_obj_set(o, "Trusted", g_variant_new_boolean(d->trusted), FALSE);
	fb_obj_set(o, "Blocked", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "LegacyPairing", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "Connected", g_variant_new_boolean(FALSE), FALSE);
	fb_obj_set(o, "UUIDs", g_variant_builder_end(&uuids), FALSE);
	fb_obj_set(o, "Adapter", g_variant_new_object_path(d->adapter->obj->path), FALSE);
	fb_obj_set(o, "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
	return o;
}

/* bluetoothd learns of a device (storage at start, or discovery). */
void
fb_device_know(Device *d)
{
	if (d->known)
		return;
	d->known = TRUE;
	fb_obj_export(d->obj);
}

static void
reply_disconnects(Device *d)
{
	while (d->disconnects->len > 0) {
		GDBusMethodInvocation *inv = g_ptr_array_steal_index(d->disconnects, 0);
		fb_reply(inv, NULL);
	}
}

/* The link is gone (device_remove_connection in device.c): ServicesResolved
 * false, waiting Disconnect calls answered, then Connected false; GATT
 * objects stay when the cache keeps them. */
void
fb_device_disconnect(Device *d)
{
	g_clear_handle_id(&d->disconnect_timer, g_source_remove);
	g_clear_handle_id(&d->resolve_source, g_source_remove);
	if (d->connect != NULL) {
		fb_error(d->connect, ERR "Failed", "le-connection-abort-by-local");
		d->connect = NULL;
		g_clear_handle_id(&d->connect_timeout, g_source_remove);
	}
	if (!d->connected)
		return;
	d->connected = FALSE;
	lactd_emu_set_link(d->emu, FALSE);
	if (d->resolved) {
		d->resolved = FALSE;
		fb_obj_set(d->obj, "ServicesResolved", g_variant_new_boolean(FALSE), FALSE);
	}
	reply_disconnects(d);
	fb_obj_set(d->obj, "Connected", g_variant_new_boolean(FALSE), FALSE);
	if (d->chrcs != NULL) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			Chrc *c = v;
			for (guint i = 0; i < c->sessions->len; i++)
				((Session *)g_ptr_array_index(c->sessions, i))->registered = FALSE;
			c->emu_on = FALSE; /* the emulator dropped it with the link */
		}
		/* MTU exists only with a link (characteristic_mtu_exists). */
		for (guint i = 0; i < d->gatt->len; i++) {
			FbObj *o = g_ptr_array_index(d->gatt, i);
			if (g_str_equal(fb_obj_iface(o), CHRC))
				fb_obj_unset(o, "MTU");
		}
	}
	if (!cache_enabled(d) || d->gatt_partial)
		fb_device_drop_gatt(d, FALSE);
}

/* Service discovery ended: export the database the first time, re-enable
 * the notify sessions kept from before, then ServicesResolved. */
static gboolean
resolve_cb(gpointer user_data)
{
	Device *d = user_data;

	d->resolve_source = 0;
	if (!d->connected || d->never_resolve)
		return G_SOURCE_REMOVE;
	if (d->gatt == NULL) {
		fb_device_export_gatt(d);
	} else {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			Chrc *c = v;
			fb_obj_set(c->obj, "MTU", g_variant_new_uint16(247), FALSE);
			for (guint i = 0; i < c->sessions->len; i++)
				((Session *)g_ptr_array_index(c->sessions, i))->registered = TRUE;
			fb_chrc_update_notifying(c);
		}
	}
	d->resolved = TRUE;
	fb_obj_set(d->obj, "ServicesResolved", g_variant_new_boolean(TRUE), FALSE);
	return G_SOURCE_REMOVE;
}

/* The link is up (att_connect_cb): Connected, the Connect reply, then
 * service discovery. */
static void
device_link_up(Device *d)
{
	g_clear_handle_id(&d->connect_timeout, g_source_remove);
	d->connected = TRUE;
	if (d->connected_unannounced)
		fb_obj_set_unannounced(d->obj, "Connected", g_variant_new_boolean(TRUE));
	else
		fb_obj_set(d->obj, "Connected", g_variant_new_boolean(TRUE), FALSE);
	if (d->connect != NULL) {
		fb_reply(d->connect, NULL);
		d->connect = NULL;
	}
	lactd_emu_set_link(d->emu, TRUE);
	if (!d->started) {
		d->started = TRUE;
		fb_ensure_tick();
	}
	d->resolve_source = g_timeout_add(20, resolve_cb, d);
}

static gboolean
connect_timeout_cb(gpointer user_data)
{
	Device *d = user_data;

	d->connect_timeout = 0;
	if (d->connect != NULL) {
		fb_error(d->connect, ERR "Failed", "le-connection-abort-by-local");
		d->connect = NULL;
	}
	return G_SOURCE_REMOVE;
}

/* The device is in range again: a waiting Connect completes. */
void
fb_device_set_present(Device *d, gboolean present)
{
	d->present = present;
	if (!present) {
		fb_device_disconnect(d);
		if (d->known)
			fb_obj_unset(d->obj, "RSSI");
		return;
	}
	fb_device_show_advert(d);
	if (d->connect != NULL && d->connectable && d->adapter->powered)
		device_link_up(d);
}

static gboolean
disconnect_timer_cb(gpointer user_data)
{
	Device *d = user_data;

	d->disconnect_timer = 0;
	fb_device_disconnect(d);
	return G_SOURCE_REMOVE;
}

/* bluetoothd forgets the device: RemoveDevice, or a temporary device when
 * the adapter goes off. */
void
fb_device_forget(Device *d)
{
	fb_device_disconnect(d);
	fb_device_drop_gatt(d, FALSE);
	fb_obj_unexport(d->obj, FALSE);
	d->known = FALSE;
	d->stored = FALSE; /* removal deletes its storage too */
	if (d->paired) {
		d->paired = d->bonded = FALSE;
		fb_obj_set(d->obj, "Paired", g_variant_new_boolean(FALSE), FALSE);
		fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(FALSE), FALSE);
	}
	fb_obj_unset(d->obj, "RSSI");
}

void
fb_device_method(GDBusMethodInvocation *inv, Device *d, const char *method, GVariant *params)
{
	if (g_str_equal(method, "Connect")) {
		if (d->stale_bond && !d->connected) {
			/* The device forgot the bond; bluetoothd still has its
			 * keys and fails the link with the kernel's status text. */
			fb_error(inv, ERR "Failed", "PIN or Key Missing");
		} else if (d->connected) {
			fb_reply(inv, NULL);
		} else if (d->connect != NULL) {
			/* device_connect_le: -EALREADY */
			fb_error(inv, ERR "Failed", g_strerror(EALREADY));
		} else if (!d->adapter->powered) {
			/* bt_io_connect fails at once without a powered controller */
			fb_error(inv, ERR "Failed", g_strerror(EIO));
		} else {
			d->connect = inv;
			if (d->present && d->connectable)
				device_link_up(d);
			else
				d->connect_timeout =
				    g_timeout_add(fake.connect_timeout_ms, connect_timeout_cb, d);
		}
	} else if (g_str_equal(method, "Disconnect")) {
		if (!d->connected && d->connect == NULL) {
			fb_reply(inv, NULL);
			return;
		}
		if (d->connect != NULL && !d->connected) {
			fb_device_disconnect(d); /* cancels the attempt */
			fb_reply(inv, NULL);
			return;
		}
		g_ptr_array_add(d->disconnects, inv);
		if (d->disconnect_timer == 0)
			d->disconnect_timer =
			    g_timeout_add(fake.disconnect_delay_ms, disconnect_timer_cb, d);
	} else if (g_str_equal(method, "Pair")) {
		if (d->paired) {
			fb_error(inv, ERR "AlreadyExists", "Already Exists");
		} else if (!d->present || !d->connectable || !d->adapter->powered) {
			fb_error(inv, ERR "ConnectionAttemptFailed", "Page Timeout");
		} else {
			d->paired = d->bonded = TRUE;
			fb_obj_set(d->obj, "Paired", g_variant_new_boolean(TRUE), FALSE);
			fb_obj_set(d->obj, "Bonded", g_variant_new_boolean(TRUE), FALSE);
			fb_reply(inv, NULL);
		}
	} else if (g_str_equal(method, "CancelPairing")) {
		fb_error(inv, ERR "DoesNotExist", "Does Not Exist");
	} else {
		/* ConnectProfile/DisconnectProfile: no BR/EDR profiles here. */
		fb_error(inv, ERR "NotAvailable", "Operation currently not available");
	}
}

void
fb_device_free(Device *d)
{
	g_clear_handle_id(&d->connect_timeout, g_source_remove);
	g_clear_handle_id(&d->disconnect_timer, g_source_remove);
	g_clear_handle_id(&d->resolve_source, g_source_remove);
	g_clear_handle_id(&d->back_source, g_source_remove);
	if (d->gatt != NULL)
		fb_device_drop_gatt(d, TRUE);
	if (d->obj != NULL) {
		fb_obj_unexport(d->obj, TRUE);
		fb_obj_free(d->obj);
	}
	g_clear_pointer(&d->emu, lactd_emu_free);
	g_clear_pointer(&d->mfr_data, g_variant_unref);
	g_clear_pointer(&d->svc_data, g_variant_unref);
	g_ptr_array_unref(d->disconnects);
	g_free(d->address);
	g_free(d->hide_uuid);
	g_free(d->address_type);
	g_free(d->name);
	g_free(d);
}
