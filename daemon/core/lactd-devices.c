/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The devices. Each BlueZ device is announced to the listener (which shows
 * it as an org.lactd.Device1 object); one that
 * the user paired (or listed in AllowedAddresses), that a plugin matches and
 * that is Enabled is captured: kept connected by lactd-bluez when the
 * plugin matched a GATT service, only listened to when it matched an
 * advertisement. Settings are stored before they are announced.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez.h"
#include "lactd-devices-private.h"
#include "lactd-error.h"
#include "lactd-recorder.h"

#define BATTERY_UNKNOWN 255

/* --- helpers ------------------------------------------------------------------------ */

char *
lactd_devices_object_path(const char *address)
{
	g_autofree char *part = g_strdup(address);

	for (char *p = part; *p != '\0'; p++) {
		if (!g_ascii_isalnum(*p))
			*p = '_';
	}
	return g_strconcat("/org/lactd/devices/", part, NULL);
}

static const char *
kind_name(const LactdPluginDesc *desc)
{
	if (desc == NULL)
		return "unknown";
	return desc->kind == LACTD_KIND_PUMP ? "pump" : "scale";
}

gboolean
lactd_devices_side_valid(const char *side)
{
	return g_strcmp0(side, "left") == 0 || g_strcmp0(side, "right") == 0 ||
	       g_strcmp0(side, "both") == 0 || g_strcmp0(side, "unknown") == 0;
}

gboolean
lactd_devices_role_valid(const char *role)
{
	return g_strcmp0(role, "bottle") == 0 || g_strcmp0(role, "baby") == 0;
}

static LactdCaptureDevice
capture_device(Entry *e)
{
	LactdCaptureDevice cd = {
	    .address = e->info.address,
	    .plugin = e->desc != NULL ? e->desc->name : "",
	    .kind = e->desc != NULL ? e->desc->kind : LACTD_KIND_PUMP,
	    .side = e->info.side,
	    .role = e->info.role,
	    .object_path = e->info.object_path,
	    .host_stability =
		e->desc != NULL && (e->desc->flags & LACTD_PLUGIN_FLAG_HOST_STABILITY) != 0,
	    .weight_resolution_g = e->desc != NULL ? e->desc->weight_resolution_g : 0,
	    .measurements =
		e->desc != NULL && (e->desc->flags & LACTD_PLUGIN_FLAG_MEASUREMENTS) != 0,
	};
	return cd;
}

LactdDeviceRow *
lactd_devices_entry_row(Entry *e)
{
	LactdDeviceRow *row = g_new0(LactdDeviceRow, 1);

	row->address = g_strdup(e->info.address);
	row->name = g_strdup(e->info.name);
	row->kind = g_strdup(e->info.kind);
	row->plugin = g_strdup(e->info.plugin);
	/* A side read from the device is re-read on each connection; only the
	 * user's choice is remembered. */
	row->side = g_strdup(e->side_user_set ? e->info.side : "unknown");
	row->role = g_strdup(e->info.role);
	row->enabled = e->info.enabled;
	row->last_seen_us = e->info.last_seen_us;
	row->rejected_packets = e->info.rejected_packets;
	return row;
}

/* Keeps what the device did (last seen, rejected packets) across restarts. */
static void
save_state(Entry *e)
{
	g_autoptr(LactdDeviceRow) row = NULL;
	g_autoptr(GError) error = NULL;

	if (e->desc == NULL)
		return;
	row = lactd_devices_entry_row(e);
	if (!lactd_store_put_device(e->devices->store, row, &error))
		g_message("%s: device state not stored: %s", e->info.address, error->message);
}

static gboolean
captured(Entry *e)
{
	return e->desc != NULL && !e->blocked && e->info.enabled &&
	       (lactd_bluez_device_get_paired(e->bdev) ||
		lactd_config_address_allowed(e->devices->config, e->info.address));
}

static void
link_down(Entry *e)
{
	if (e->pdev != NULL)
		lactd_plugin_device_detach(e->pdev);
	lactd_devices_set_bool(e, LACTD_DEVICE_CONNECTED, FALSE);
	if (e->link_reported) {
		LactdCaptureDevice cd = capture_device(e);

		e->link_reported = FALSE;
		lactd_capture_link_changed(e->devices->capture, &cd, FALSE);
	}
	save_state(e);
}

static void
update_discovery(LactdDevices *devices)
{
	gboolean on = devices->config->allowed_addresses != NULL &&
		      devices->config->allowed_addresses[0] != NULL;
	GHashTableIter it;
	Entry *e;

	/* Not before BlueZ is followed, nor while the client stops. */
	if (!lactd_bluez_is_started(devices->bluez))
		return;
	g_hash_table_iter_init(&it, devices->entries);
	while (!on && g_hash_table_iter_next(&it, NULL, (gpointer *)&e))
		on = e->how == LACTD_PLUGIN_MATCH_ADVERTISEMENT && captured(e);
	lactd_bluez_set_discovery(devices->bluez, on);
}

/* --- the plugin's device operations ------------------------------------------------- */

static gboolean
op_subscribe(gpointer user_data, const char *char_uuid, GError **error)
{
	Entry *e = user_data;

	return lactd_bluez_device_subscribe(e->bdev, char_uuid, error);
}

static gboolean
op_read(gpointer user_data, const char *char_uuid, GError **error)
{
	Entry *e = user_data;

	return lactd_bluez_device_read(e->bdev, char_uuid, error);
}

static gboolean
op_write(gpointer user_data, const char *char_uuid, GBytes *data, gboolean with_response,
	 GError **error)
{
	Entry *e = user_data;

	if (!lactd_bluez_device_write(e->bdev, char_uuid, data, with_response, error))
		return FALSE;
	lactd_recorder_write(e->devices->recorder, e->bdev, char_uuid, data);
	return TRUE;
}

static void
features(Entry *e, const LactdReading *r)
{
	const char *side = NULL;
	guint32 ch = r->features.channels & (LACTD_CHANNEL_LEFT | LACTD_CHANNEL_RIGHT);

	/* Open Pump Profile, Pump Feature: a single-side unit that says which
	 * breast it is on; the user's own setting wins. */
	if (e->side_user_set)
		return;
	if (ch == LACTD_CHANNEL_LEFT)
		side = "left";
	else if (ch == LACTD_CHANNEL_RIGHT)
		side = "right";
	if (side != NULL && g_strcmp0(e->info.side, side) != 0) {
		g_message("%s: single-side unit on the %s", e->info.address, side);
		lactd_devices_set_str(e, LACTD_DEVICE_SIDE, side);
	}
}

static gboolean
op_reading(gpointer user_data, const LactdReading *reading, GError **error)
{
	Entry *e = user_data;
	LactdCaptureDevice cd;

	if (reading->type == LACTD_READING_FEATURES)
		features(e, reading);
	cd = capture_device(e);
	if (!lactd_capture_reading(e->devices->capture, &cd, reading, error))
		return FALSE;
	if (reading->type == LACTD_READING_BATTERY)
		lactd_devices_set_battery(e, (guchar)MIN(reading->battery.percent, 100u));
	return TRUE;
}

static void
op_rejected(gpointer user_data, const char *reason)
{
	Entry *e = user_data;
	guint n = e->info.rejected_packets;

	if (n < G_MAXUINT32)
		lactd_devices_set_rejected(e, n + 1);
}

static guint32
op_last_record(gpointer user_data)
{
	Entry *e = user_data;

	return lactd_capture_last_record(e->devices->capture, e->info.address);
}

static const LactdPluginDeviceOps plugin_ops = {
	.subscribe = op_subscribe,
	.read = op_read,
	.write = op_write,
	.reading = op_reading,
	.rejected = op_rejected,
	.last_record = op_last_record,
};

/* --- policy ------------------------------------------------------------------------ */

/* The plugin that fits what BlueZ says of the device (@name is its name),
 * with its characteristics once its services are resolved (@with_chars). */
static const LactdPluginDesc *
match(Entry *e, const char *name, gboolean with_chars, LactdPluginMatch *how, char **why)
{
	g_auto(GStrv) uuids = lactd_bluez_device_dup_uuids(e->bdev);
	g_autoptr(GArray) ids = lactd_bluez_device_dup_manufacturer_ids(e->bdev);
	g_auto(GStrv) sd = lactd_bluez_device_dup_service_data_uuids(e->bdev);
	g_autoptr(GPtrArray) chars = NULL;
	g_autoptr(GPtrArray) char_uuids = NULL;
	LactdPluginMatchInput in = {
	    .service_uuids = (const char *const *)uuids,
	    .manufacturer_ids = (const guint16 *)(gpointer)ids->data,
	    .n_manufacturer_ids = ids->len,
	    .service_data_uuids = (const char *const *)sd,
	    .name = name,
	};

	if (with_chars) {
		chars = lactd_bluez_device_dup_chars(e->bdev);
		char_uuids = g_ptr_array_new();
		for (guint i = 0; i < chars->len; i++)
			g_ptr_array_add(char_uuids, ((LactdBluezChar *)chars->pdata[i])->uuid);
		g_ptr_array_add(char_uuids, NULL);
		in.char_uuids = (const char *const *)char_uuids->pdata;
	}
	return lactd_plugin_match_select(lactd_plugin_host_list(e->devices->plugins), &in, how, why);
}

static gboolean
attach(Entry *e)
{
	g_autoptr(GError) error = NULL;

	if (e->pdev == NULL)
		e->pdev = lactd_plugin_device_new(e->desc, e->info.address, &plugin_ops, e);
	if (lactd_plugin_device_is_attached(e->pdev))
		return TRUE;
	if (!lactd_plugin_device_attach(e->pdev, &error)) {
		g_message("%s: %s", e->info.address, error->message);
		return FALSE;
	}
	g_message("%s: capturing with plugin %s", e->info.address, e->desc->name);
	e->incomplete_tries = 0;
	g_hash_table_replace(e->devices->captured, g_strdup(e->info.address), (gpointer)e->desc);
	lactd_devices_set_str(e, LACTD_DEVICE_PROBLEM, "");
	save_state(e);
	return TRUE;
}

static void
set_desc(Entry *e, const LactdPluginDesc *desc, LactdPluginMatch how)
{
	g_clear_pointer(&e->pdev, lactd_plugin_device_free);
	e->desc = desc;
	e->how = how;
	lactd_devices_set_str(e, LACTD_DEVICE_PLUGIN, desc != NULL ? desc->name : "");
	lactd_devices_set_str(e, LACTD_DEVICE_KIND, kind_name(desc));
}

/* Matches again and applies the policy after any change. */
void
lactd_devices_update(Entry *e)
{
	LactdDevices *devices = e->devices;
	g_autofree char *name = lactd_bluez_device_dup_name(e->bdev);
	LactdPluginMatch how = LACTD_PLUGIN_MATCH_NONE;
	g_autofree char *why = NULL;
	const LactdPluginDesc *desc = match(e, name, FALSE, &how, &why);
	gboolean want, recording;

	if (g_strcmp0(name, e->info.name) != 0 && name[0] != '\0')
		lactd_devices_set_str(e, LACTD_DEVICE_NAME, name);
	/* Keep a plugin that is running; a new match applies from the next link. */
	if (desc != e->desc && (e->pdev == NULL || !lactd_plugin_device_is_attached(e->pdev)) &&
	    !e->blocked) {
		set_desc(e, desc, how);
		if (desc != NULL)
			g_message("%s: %s matches plugin %s (%s)", e->info.address,
				  name[0] != '\0' ? name : "device", desc->name, why);
	}
	lactd_bluez_device_set_needs_pairing(
	    e->bdev, e->desc != NULL && (e->desc->flags & LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION) != 0);
	want = captured(e);
	recording = devices->recorder != NULL && lactd_recorder_wants(devices->recorder, e->info.address);
	if (e->how == LACTD_PLUGIN_MATCH_ADVERTISEMENT) {
		lactd_bluez_device_set_wanted(e->bdev, recording);
		if (want && !(e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev)))
			attach(e);
		else if (!want && e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev))
			link_down(e);
	} else {
		lactd_bluez_device_set_wanted(e->bdev, want || recording);
	}
	update_discovery(devices);
}

/* --- entries ----------------------------------------------------------------------- */

static Entry *
entry_new(LactdDevices *devices, LactdBluezDevice *bdev)
{
	Entry *e = g_new0(Entry, 1);
	LactdDeviceInfo *info = &e->info;
	g_autoptr(LactdDeviceRow) row = NULL;
	g_autoptr(GError) error = NULL;

	e->devices = devices;
	e->bdev = bdev;
	info->address = g_strdup(lactd_bluez_device_get_address(bdev));
	info->object_path = lactd_devices_object_path(info->address);
	e->others = g_ptr_array_new();
	info->kind = g_strdup("unknown");
	info->plugin = g_strdup("");
	info->enabled = TRUE;
	info->battery = BATTERY_UNKNOWN;
	info->problem = g_strdup("");

	row = lactd_store_get_device(devices->store, info->address, &error);
	if (error != NULL)
		g_message("%s: stored settings not readable: %s", info->address, error->message);
	if (row != NULL) {
		if (lactd_devices_side_valid(row->side) && g_strcmp0(row->side, "unknown") != 0) {
			info->side = g_strdup(row->side);
			e->side_user_set = TRUE;
		}
		if (lactd_devices_role_valid(row->role))
			info->role = g_strdup(row->role);
		info->enabled = row->enabled;
		info->last_seen_us = row->last_seen_us;
		e->last_seen_shown_us = row->last_seen_us;
		info->rejected_packets = row->rejected_packets;
		info->name = g_strdup(row->name);
	}
	if (info->name == NULL)
		info->name = g_strdup("");
	if (info->side == NULL)
		info->side = g_strdup("unknown");
	if (info->role == NULL)
		info->role = g_strdup("bottle");
	if (devices->listener != NULL && devices->listener->added != NULL)
		devices->listener->added(info, devices->listener_data);
	return e;
}

static void
entry_free(Entry *e)
{
	LactdDevices *devices = e->devices;
	LactdDeviceInfo *info = &e->info;

	if (e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev))
		link_down(e);
	g_clear_pointer(&e->pdev, lactd_plugin_device_free);
	if (devices->listener != NULL && devices->listener->removed != NULL)
		devices->listener->removed(info, devices->listener_data);
	g_ptr_array_unref(e->others);
	lactd_devices_info_clear(info);
	g_free(e);
}

/* --- BlueZ events ------------------------------------------------------------------ */

/*
 * An address has one BlueZ object per adapter that saw it. lactd follows
 * one: the first, until another is paired while it is not. A pump paired
 * through the laptop's own controller also appears under a USB dongle that
 * scans; connecting through the dongle, where it has no keys, would fail at
 * its first encrypted read. A link that is up is never moved.
 */
static void
prefer(Entry *e, LactdBluezDevice *bdev)
{
	LactdBluezDevice *old = e->bdev;

	if (bdev == old || lactd_bluez_device_is_ready(old) ||
	    lactd_bluez_device_get_paired(old) || !lactd_bluez_device_get_paired(bdev))
		return;
	g_message("%s: following %s, where it is paired, instead of %s", e->info.address,
		  lactd_bluez_device_get_path(bdev), lactd_bluez_device_get_path(old));
	if (e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev))
		link_down(e);
	lactd_bluez_device_set_wanted(old, FALSE);
	g_ptr_array_remove(e->others, bdev);
	g_ptr_array_add(e->others, old);
	e->bdev = bdev;
	lactd_devices_update(e);
}

static void
on_device_added(LactdBluezDevice *bdev, gpointer user_data)
{
	LactdDevices *devices = user_data;
	Entry *e = g_hash_table_lookup(devices->entries, lactd_bluez_device_get_address(bdev));

	if (e != NULL) {
		/* Seen by a second adapter: one object, following the better. */
		g_ptr_array_add(e->others, bdev);
		lactd_bluez_device_set_user_data(bdev, e);
		prefer(e, bdev);
		return;
	}
	e = entry_new(devices, bdev);
	g_hash_table_insert(devices->entries, e->info.address, e);
	lactd_bluez_device_set_user_data(bdev, e);
	lactd_devices_update(e);
}

static Entry *
entry_of(LactdBluezDevice *bdev)
{
	Entry *e = lactd_bluez_device_get_user_data(bdev);

	return e != NULL && e->bdev == bdev ? e : NULL;
}

static void
on_device_changed(LactdBluezDevice *bdev, gpointer user_data)
{
	Entry *e = lactd_bluez_device_get_user_data(bdev);

	if (e == NULL)
		return;
	if (e->bdev == bdev)
		lactd_devices_update(e);
	else
		prefer(e, bdev); /* paired now, perhaps */
}

static void
on_advertisement(LactdBluezDevice *bdev, guint16 manufacturer_id, const char *service_uuid,
		 const guint8 *data, gsize len, gpointer user_data)
{
	Entry *e = entry_of(bdev);

	if (e == NULL || e->pdev == NULL || !lactd_plugin_device_is_attached(e->pdev))
		return;
	lactd_devices_set_last_seen(e, g_get_real_time());
	lactd_plugin_device_advertisement(e->pdev, manufacturer_id, service_uuid, data, len);
}

/* Services resolved: the match again, now with the characteristics, so a
 * plugin attaches only to a device that has all it requires. FALSE when
 * the device was left alone. */
static gboolean
recheck(Entry *e)
{
	g_autofree char *name = lactd_bluez_device_dup_name(e->bdev);
	g_autofree char *why = NULL;
	LactdPluginMatch how = LACTD_PLUGIN_MATCH_NONE;
	const LactdPluginDesc *desc = match(e, name, TRUE, &how, &why);
	const LactdPluginDesc *before = lactd_devices_captured_with(e);

	if (desc == e->desc && (before == NULL || desc == before))
		return TRUE;
	if (before != NULL && desc != before) {
		g_autofree char *what = g_strdup_printf(
		    "with its characteristics, %s%s", desc != NULL ? "plugin " : "no plugin fits",
		    desc != NULL ? desc->name : "");

		if (lactd_devices_retry_incomplete(e, what))
			return FALSE;
	}
	if (desc == e->desc)
		return TRUE;
	if (desc == NULL || how != LACTD_PLUGIN_MATCH_SERVICE) {
		g_autofree char *problem =
		    g_strdup_printf("no plugin fits: %s", why != NULL ? why : "no match");
		set_desc(e, NULL, LACTD_PLUGIN_MATCH_NONE);
		lactd_devices_block(e, problem);
		return FALSE;
	}
	g_message("%s: with its characteristics, plugin %s instead of %s (%s)", e->info.address,
		  desc->name, e->desc->name, why);
	set_desc(e, desc, how);
	return TRUE;
}

static void
on_device_ready(LactdBluezDevice *bdev, gpointer user_data)
{
	Entry *e = entry_of(bdev);
	LactdCaptureDevice cd;

	if (e != NULL && lactd_recorder_wants(e->devices->recorder, e->info.address)) {
		gboolean runs = e->desc != NULL && e->how != LACTD_PLUGIN_MATCH_ADVERTISEMENT &&
				captured(e);

		/* Before the plugin attaches, so that its first writes are recorded. */
		lactd_recorder_ready(e->devices->recorder, bdev, runs);
		if (!runs) {
			lactd_devices_set_bool(e, LACTD_DEVICE_CONNECTED, TRUE);
			return;
		}
	}
	if (e == NULL || e->desc == NULL || e->how == LACTD_PLUGIN_MATCH_ADVERTISEMENT) {
		lactd_bluez_device_set_wanted(bdev, FALSE);
		return;
	}
	if (!recheck(e))
		return;
	if (!attach(e)) {
		g_autofree char *problem =
		    g_strdup_printf("plugin %s could not attach to the device", e->desc->name);

		/* A link lost during attach is the radio's doing: try again later. */
		if (!lactd_bluez_device_is_ready(bdev)) {
			lactd_bluez_device_give_up(bdev, "the link went while the plugin attached");
			return;
		}
		if (lactd_devices_retry_incomplete(e, problem))
			return;
		lactd_devices_block(e, problem);
		return;
	}
	/* attach() may have lost the link again through a failed call. */
	if (!lactd_bluez_device_is_ready(bdev))
		return;
	lactd_devices_set_bool(e, LACTD_DEVICE_CONNECTED, TRUE);
	cd = capture_device(e);
	e->link_reported = TRUE;
	lactd_capture_link_changed(e->devices->capture, &cd, TRUE);
}

static void
on_device_lost(LactdBluezDevice *bdev, gpointer user_data)
{
	Entry *e = entry_of(bdev);

	if (e == NULL)
		return;
	lactd_recorder_lost(e->devices->recorder, bdev);
	link_down(e);
}

static void
on_device_removed(LactdBluezDevice *bdev, gpointer user_data)
{
	LactdDevices *devices = user_data;
	const char *address = lactd_bluez_device_get_address(bdev);
	Entry *e = g_hash_table_lookup(devices->entries, address);

	if (e == NULL)
		return;
	if (e->bdev != bdev) {
		g_ptr_array_remove(e->others, bdev);
		return;
	}
	if (e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev))
		link_down(e);
	if (e->others->len > 0) {
		guint best = 0;

		for (guint i = 1; i < e->others->len; i++) {
			if (lactd_bluez_device_get_paired(e->others->pdata[i]) &&
			    !lactd_bluez_device_get_paired(e->others->pdata[best]))
				best = i;
		}
		e->bdev = g_ptr_array_steal_index(e->others, best);
		lactd_devices_update(e);
		return;
	}
	g_hash_table_remove(devices->entries, address);
	update_discovery(devices);
}

static void
on_value(LactdBluezDevice *bdev, const char *char_uuid, const guint8 *data, gsize len,
	 LactdValueOrigin origin, gpointer user_data)
{
	Entry *e = entry_of(bdev);

	if (e == NULL)
		return;
	lactd_recorder_value(e->devices->recorder, bdev, char_uuid, data, len, origin);
	if (e->pdev == NULL)
		return;
	lactd_devices_set_last_seen(e, g_get_real_time());
	lactd_plugin_device_value(e->pdev, char_uuid, data, len, origin);
}

static void
on_write_done(LactdBluezDevice *bdev, const GError *error, gpointer user_data)
{
	Entry *e = entry_of(bdev);

	if (e != NULL && e->pdev != NULL)
		lactd_plugin_device_write_done(e->pdev, error);
}

/* --- the recorder's view of the devices -------------------------------------------- */

static gboolean
rec_lookup(gpointer user_data, const char *address, LactdRecorderDevice *out)
{
	LactdDevices *devices = user_data;
	Entry *e = g_hash_table_lookup(devices->entries, address);

	if (e == NULL)
		return FALSE;
	out->bdev = e->bdev;
	out->plugin = e->desc != NULL ? e->desc->name : NULL;
	out->plugin_runs = e->pdev != NULL && lactd_plugin_device_is_attached(e->pdev) &&
			   e->how != LACTD_PLUGIN_MATCH_ADVERTISEMENT;
	return TRUE;
}

static void
rec_changed(gpointer user_data, const char *address)
{
	LactdDevices *devices = user_data;
	Entry *e = g_hash_table_lookup(devices->entries, address);

	if (e == NULL)
		return;
	lactd_devices_update(e);
	/* A device only the recording kept connected is let go: no longer connected. */
	if (!lactd_recorder_wants(devices->recorder, address) && !captured(e))
		lactd_devices_set_bool(e, LACTD_DEVICE_CONNECTED, FALSE);
}

static const LactdRecorderHost recorder_host = {
	.lookup = rec_lookup,
	.changed = rec_changed,
};

static void
on_problem(LactdBluezDevice *bdev, const char *problem, gpointer user_data)
{
	Entry *e = entry_of(bdev);

	if (e == NULL || e->blocked)
		return;
	lactd_devices_set_str(e, LACTD_DEVICE_PROBLEM, problem != NULL ? problem : "");
}

static const LactdBluezListener bluez_listener = {
	.device_added = on_device_added,
	.device_changed = on_device_changed,
	.advertisement = on_advertisement,
	.device_ready = on_device_ready,
	.device_lost = on_device_lost,
	.device_removed = on_device_removed,
	.value = on_value,
	.write_done = on_write_done,
	.problem = on_problem,
};

/* --- public ------------------------------------------------------------------------ */

LactdDevices *
lactd_devices_new(LactdBluez *bluez, LactdStore *store, LactdCapture *capture,
		  LactdPluginHost *plugins, const LactdConfig *config,
		  const LactdDevicesListener *listener, gpointer listener_data, GError **error)
{
	LactdDevices *devices;

	g_return_val_if_fail(bluez != NULL, NULL);
	g_return_val_if_fail(store != NULL && capture != NULL, NULL);
	g_return_val_if_fail(plugins != NULL && config != NULL, NULL);

	devices = g_new0(LactdDevices, 1);
	devices->store = store;
	devices->listener = listener;
	devices->listener_data = listener_data;
	devices->capture = capture;
	devices->plugins = plugins;
	devices->config = config;
	devices->entries =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)entry_free);
	devices->captured = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	devices->recorder = lactd_recorder_new(store, &recorder_host, devices);
	devices->bluez = bluez;
	/* While the store checks its file, a device's history sync would read
	 * the sessions cut off by the last stop before they are closed: BlueZ
	 * is followed once the check has answered (lactd_devices_store_checked). */
	if (!lactd_store_is_checking(store))
		lactd_devices_store_checked(devices);
	return devices;
}

void
lactd_devices_store_checked(LactdDevices *devices)
{
	if (lactd_bluez_is_started(devices->bluez))
		return;
	lactd_bluez_start(devices->bluez, &bluez_listener, devices);
}

LactdRecorder *
lactd_devices_get_recorder(LactdDevices *devices)
{
	return devices->recorder;
}

void
lactd_devices_free(LactdDevices *devices)
{
	if (devices == NULL)
		return;
	/* Reports every device lost and removed: plugins detach, objects go. */
	lactd_bluez_stop(devices->bluez);
	g_hash_table_destroy(devices->entries);
	g_hash_table_destroy(devices->captured);
	g_clear_pointer(&devices->recorder, lactd_recorder_free);
	g_free(devices);
}
