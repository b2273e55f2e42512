/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The fake bluetoothd's GATT side: the database of a device exported as
 * gatt-client.c exports it, notify sessions, notifications, and the
 * GattCharacteristic1 and GattDescriptor1 methods.
 */
#include "config.h"

#include "fake-bluez.h"

GVariant *
fb_bytes_variant(const guint8 *data, gsize len)
{
	return g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data, len, 1);
}

static gboolean
has_flag(Chrc *c, const char *flag)
{
	return g_strv_contains((const char *const *)c->flags, flag);
}

static void
session_free(Session *s)
{
	if (s->watch != 0)
		g_bus_unwatch_name(s->watch);
	g_free(s->sender);
	g_free(s);
}

void
fb_chrc_update_notifying(Chrc *c)
{
	gboolean any = FALSE;

	for (guint i = 0; i < c->sessions->len; i++)
		any |= ((Session *)g_ptr_array_index(c->sessions, i))->registered;
	/* bluetoothd only clears Notifying when the last session stops; a
	 * lost link leaves it set (update_notifying in gatt-client.c). */
	if (any && !c->notifying) {
		c->notifying = TRUE;
		fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(TRUE), FALSE);
	} else if (c->sessions->len == 0 && c->notifying) {
		c->notifying = FALSE;
		fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(FALSE), FALSE);
	}
	if (c->device->connected && any != c->emu_on) {
		c->emu_on = any;
		lactd_emu_set_subscribed(c->device->emu, c->uuid, any);
	}
}

static void
chrc_free(Chrc *c)
{
	g_ptr_array_unref(c->sessions);
	g_strfreev(c->flags);
	g_free(c->uuid);
	g_free(c);
}

/* The client that started notifications left the bus: its session ends
 * (notify_client_disconnect in gatt-client.c). */
static void
on_session_vanished(GDBusConnection *c, const char *name, gpointer user_data)
{
	Session *s = user_data;
	Chrc *chrc = s->chrc;

	g_ptr_array_remove(chrc->sessions, s);
	fb_chrc_update_notifying(chrc);
}

/* The GATT database appears as bluetoothd's gatt-client exports it:
 * serviceXXXX, charYYYY (declaration handle) and descZZZZ by handle, each
 * characteristic taking a declaration and a value handle, plus a CCC
 * descriptor when it can notify or indicate. */
void
fb_device_export_gatt(Device *d)
{
	guint16 handle = 0x000a;
	g_autoptr(GVariant) mtu = g_variant_ref_sink(g_variant_new_uint16(247));

	d->gatt = g_ptr_array_new_with_free_func((GDestroyNotify)fb_obj_free);
	d->chrcs = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)chrc_free);
	for (const LactdEmuService *s = lactd_emu_services(d->emu); s->uuid != NULL; s++) {
		g_autofree char *spath = g_strdup_printf("%s/service%04x", d->obj->path, handle);
		FbObj *so = fb_obj_new(spath, SERVICE, NULL);

		fb_obj_set(so, "UUID", g_variant_new_string(s->uuid), FALSE);
		fb_obj_set(so, "Device", g_variant_new_object_path(d->obj->path), FALSE);
		fb_obj_set(so, "Primary", g_variant_new_boolean(TRUE), FALSE);
		fb_obj_set(so, "Includes", g_variant_new_objv(NULL, 0), FALSE);
		g_ptr_array_add(d->gatt, so);
		fb_obj_export(so);
		handle++;
		for (const LactdEmuChar *ch = s->chars; ch->uuid != NULL; ch++) {
			g_autofree char *cpath = g_strdup_printf("%s/char%04x", spath, handle);
			Chrc *c;

			if (d->hide_discoveries > 0 && g_strcmp0(ch->uuid, d->hide_uuid) == 0) {
				d->gatt_partial = TRUE;
				handle += 3;
				continue;
			}
			c = g_new0(Chrc, 1);

			c->obj = fb_obj_new(cpath, CHRC, c);
			c->device = d;
			c->uuid = g_strdup(ch->uuid);
			c->flags = g_strsplit(ch->flags, ",", -1);
			c->sessions = g_ptr_array_new_with_free_func((GDestroyNotify)session_free);
			fb_obj_set(c->obj, "UUID", g_variant_new_string(ch->uuid), FALSE);
			fb_obj_set(c->obj, "Service", g_variant_new_object_path(spath), FALSE);
			if (has_flag(c, "notify") || has_flag(c, "indicate"))
				fb_obj_set(c->obj, "Notifying", g_variant_new_boolean(FALSE), FALSE);
			fb_obj_set(c->obj, "Flags",
				   g_variant_new_strv((const char *const *)c->flags, -1), FALSE);
			fb_obj_set(c->obj, "MTU", mtu, FALSE);
			g_ptr_array_add(d->gatt, c->obj);
			g_hash_table_insert(d->chrcs, c->uuid, c);
			fb_obj_export(c->obj);
			handle += 2;
			if (has_flag(c, "notify") || has_flag(c, "indicate")) {
				g_autofree char *dpath = g_strdup_printf("%s/desc%04x", cpath, handle);
				c->desc = fb_obj_new(dpath, DESC, c);
				fb_obj_set(c->desc, "UUID", g_variant_new_string(CCC_UUID), FALSE);
				fb_obj_set(c->desc, "Characteristic", g_variant_new_object_path(cpath),
					   FALSE);
				g_ptr_array_add(d->gatt, c->desc);
				fb_obj_export(c->desc);
				handle++;
			}
		}
	}
	if (d->hide_discoveries > 0)
		d->hide_discoveries--;
}

void
fb_device_drop_gatt(Device *d, gboolean quiet)
{
	if (d->gatt == NULL)
		return;
	/* Children go before parents, as unregister_service removes them. */
	for (guint i = d->gatt->len; i > 0; i--)
		fb_obj_unexport(g_ptr_array_index(d->gatt, i - 1), quiet);
	if (d->connected) {
		GHashTableIter it;
		gpointer v;
		g_hash_table_iter_init(&it, d->chrcs);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			if (((Chrc *)v)->emu_on)
				lactd_emu_set_subscribed(d->emu, ((Chrc *)v)->uuid, FALSE);
		}
	}
	g_clear_pointer(&d->chrcs, g_hash_table_unref);
	g_clear_pointer(&d->gatt, g_ptr_array_unref);
	d->gatt_partial = FALSE;
}

/* A notification from the device: a PropertiesChanged of Value every time,
 * even with the same bytes (notify_cb in gatt-client.c flushes it). */
void
fb_deliver_notification(Device *d, const char *uuid, const guint8 *data, gsize len)
{
	Chrc *c = d->chrcs != NULL ? g_hash_table_lookup(d->chrcs, uuid) : NULL;
	gboolean registered = FALSE;

	if (c == NULL || !d->connected)
		return;
	for (guint i = 0; i < c->sessions->len; i++)
		registered |= ((Session *)g_ptr_array_index(c->sessions, i))->registered;
	/* An unpaired link is not encrypted: such a device keeps silent. */
	if (!registered || (d->needs_encryption && !d->paired && !d->bonded))
		return;
	fake.notifications++;
	fb_obj_set(c->obj, "Value", fb_bytes_variant(data, len), TRUE);
}

/* Parses ReadValue/WriteValue options as parse_options in gatt-client.c. */
static gboolean
parse_options(GVariant *options, guint16 *offset, const char **type)
{
	GVariantIter iter;
	const char *key;
	GVariant *value;

	g_variant_iter_init(&iter, options);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &value)) {
		if (g_ascii_strcasecmp(key, "offset") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_UINT16))
				return FALSE;
			*offset = g_variant_get_uint16(value);
		}
		if (type != NULL && g_ascii_strcasecmp(key, "type") == 0) {
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				return FALSE;
			*type = g_variant_get_string(value, NULL);
		}
	}
	return TRUE;
}

/* An emulator's refusal as the ATT error bluetoothd maps to D-Bus
 * (create_gatt_dbus_error in gatt-client.c). */
static void
att_error(GDBusMethodInvocation *inv, const GError *error, gboolean read)
{
	if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED))
		fb_error(inv, ERR "NotPermitted", read ? "Read not permitted" : "Write not permitted");
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
		fb_error(inv, ERR "InvalidArguments", "Invalid Length");
	else if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED))
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
	else
		fb_error(inv, ERR "Failed", "Operation failed with ATT error: 0x0e");
}

static void
chrc_start_notify(GDBusMethodInvocation *inv, Chrc *c)
{
	const char *sender = g_dbus_method_invocation_get_sender(inv);
	Session *s;

	if (c->device->disconnect_timer != 0) {
		fb_error(inv, ERR "NotConnected", "Not Connected");
		return;
	}
	if (!has_flag(c, "notify") && !has_flag(c, "indicate")) {
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
		return;
	}
	for (guint i = 0; i < c->sessions->len; i++) {
		s = g_ptr_array_index(c->sessions, i);
		if (g_strcmp0(s->sender, sender) == 0) {
			/* One session a client: fine when active, else pending. */
			if (s->registered)
				fb_reply(inv, NULL);
			else
				fb_error(inv, ERR "InProgress", "In Progress");
			return;
		}
	}
	s = g_new0(Session, 1);
	s->sender = g_strdup(sender);
	s->chrc = c;
	s->registered = c->device->connected && c->device->resolved;
	g_ptr_array_add(c->sessions, s);
	if (sender != NULL)
		s->watch = g_bus_watch_name_on_connection(fake.conn, sender,
							  G_BUS_NAME_WATCHER_FLAGS_NONE, NULL,
							  on_session_vanished, s, NULL);
	/* Disconnected, it succeeds and waits for the next link. */
	fb_chrc_update_notifying(c);
	fb_reply(inv, NULL);
}

static void
chrc_stop_notify(GDBusMethodInvocation *inv, Chrc *c)
{
	const char *sender = g_dbus_method_invocation_get_sender(inv);

	for (guint i = 0; i < c->sessions->len; i++) {
		Session *s = g_ptr_array_index(c->sessions, i);
		if (g_strcmp0(s->sender, sender) == 0) {
			g_ptr_array_remove_index(c->sessions, i);
			fb_chrc_update_notifying(c);
			fb_reply(inv, NULL);
			return;
		}
	}
	fb_error(inv, ERR "Failed", "No notify session started");
}

static void
chrc_write(GDBusMethodInvocation *inv, Chrc *c, GVariant *params)
{
	Device *d = c->device;
	g_autoptr(GVariant) bytes = g_variant_get_child_value(params, 0);
	g_autoptr(GVariant) options = g_variant_get_child_value(params, 1);
	g_autoptr(GError) error = NULL;
	const char *type = NULL;
	guint16 offset = 0;
	gsize len;
	const guint8 *data = g_variant_get_fixed_array(bytes, &len, 1);
	gboolean request, command;

	if (!parse_options(options, &offset, &type)) {
		fb_error(inv, ERR "InvalidArguments", "Invalid arguments in method call");
		return;
	}
	/* The procedure bluetoothd picks: a request when asked or when the
	 * characteristic has "write", else a command when asked or allowed. */
	request = type != NULL ? g_ascii_strcasecmp(type, "request") == 0 : has_flag(c, "write");
	command = !request && offset == 0 &&
		  (type != NULL ? g_ascii_strcasecmp(type, "command") == 0
				: has_flag(c, "write-without-response"));
	if (!request && !command) {
		fb_error(inv, ERR "NotSupported", "Operation is not supported");
		return;
	}
	if (d->emu->klass->write == NULL) {
		fb_error(inv, ERR "NotPermitted", "Write not permitted");
		return;
	}
	if (command) {
		/* No response on air: the call returns before the device acts,
		 * and a refusal is never heard of. */
		fb_reply(inv, NULL);
		if (!d->emu->klass->write(d->emu, c->uuid, data, len, &error))
			g_message("write command to %s dropped: %s", c->uuid, error->message);
		return;
	}
	if (offset != 0 || !d->emu->klass->write(d->emu, c->uuid, data, len, &error)) {
		if (error == NULL)
			g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "offset");
		att_error(inv, error, FALSE);
		return;
	}
	fb_reply(inv, NULL);
}

void
fb_chrc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params)
{
	Device *d = c->device;

	if (g_str_equal(method, "StartNotify")) {
		chrc_start_notify(inv, c);
		return;
	}
	if (g_str_equal(method, "StopNotify")) {
		chrc_stop_notify(inv, c);
		return;
	}
	/* gatt-client.c: no bt_gatt_client without a link. */
	if (!d->connected) {
		fb_error(inv, ERR "Failed", "Not connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		g_autoptr(GVariant) options = g_variant_get_child_value(params, 0);
		g_autoptr(GError) error = NULL;
		g_autoptr(GBytes) value = NULL;
		guint16 offset = 0;
		gsize len;
		const guint8 *data;

		if (!parse_options(options, &offset, NULL)) {
			fb_error(inv, ERR "InvalidArguments", "Invalid arguments in method call");
			return;
		}
		if (!has_flag(c, "read")) {
			fb_error(inv, ERR "NotPermitted", "Read not permitted");
			return;
		}
		value = d->emu->klass->read != NULL ? d->emu->klass->read(d->emu, c->uuid, &error)
						    : NULL;
		if (value == NULL) {
			if (error == NULL)
				g_set_error_literal(&error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED,
						    "no read");
			att_error(inv, error, TRUE);
			return;
		}
		data = g_bytes_get_data(value, &len);
		if (offset > len) {
			fb_error(inv, ERR "InvalidArguments", "Invalid offset");
			return;
		}
		/* The read value is stored and announced before the reply
		 * (chrc_read_cb: write_characteristic_cb flushes Value). */
		fb_obj_set(c->obj, "Value", fb_bytes_variant(data + offset, len - offset), TRUE);
		fb_reply(inv, g_variant_new("(@ay)", fb_bytes_variant(data + offset, len - offset)));
	} else if (g_str_equal(method, "WriteValue")) {
		chrc_write(inv, c, params);
	}
}

void
fb_desc_method(GDBusMethodInvocation *inv, Chrc *c, const char *method, GVariant *params)
{
	if (!c->device->connected) {
		fb_error(inv, ERR "Failed", "Not connected");
		return;
	}
	if (g_str_equal(method, "ReadValue")) {
		guint8 ccc[2] = {c->notifying ? (has_flag(c, "notify") ? 1 : 2) : 0, 0};
		fb_obj_set(c->desc, "Value", fb_bytes_variant(ccc, 2), FALSE);
		fb_reply(inv, g_variant_new("(@ay)", fb_bytes_variant(ccc, 2)));
	} else {
		/* bluetoothd refuses CCC writes from D-Bus: use StartNotify. */
		fb_error(inv, ERR "NotPermitted", "Write not permitted");
	}
}
