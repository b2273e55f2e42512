/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the devices service knows of each device (LactdDeviceInfo): each
 * field set here, and the listener told of those that changed, so that
 * Device1 (daemon/dbus/lactd-device1.c) shows them without this service
 * knowing D-Bus.
 */
#include "config.h"

#include "lactd-devices-private.h"

static void
announce(Entry *e, LactdDeviceField fields)
{
	const LactdDevicesListener *l = e->devices->listener;

	if (l != NULL && l->changed != NULL)
		l->changed(&e->info, fields, e->devices->listener_data);
}

static char **
str_field(Entry *e, LactdDeviceField field)
{
	switch (field) {
	case LACTD_DEVICE_NAME:
		return &e->info.name;
	case LACTD_DEVICE_KIND:
		return &e->info.kind;
	case LACTD_DEVICE_PLUGIN:
		return &e->info.plugin;
	case LACTD_DEVICE_SIDE:
		return &e->info.side;
	case LACTD_DEVICE_ROLE:
		return &e->info.role;
	default:
		return &e->info.problem;
	}
}

void
lactd_devices_set_str(Entry *e, LactdDeviceField field, const char *value)
{
	char **p = str_field(e, field);

	if (g_strcmp0(*p, value) == 0)
		return;
	g_free(*p);
	*p = g_strdup(value);
	announce(e, field);
}

void
lactd_devices_set_bool(Entry *e, LactdDeviceField field, gboolean value)
{
	gboolean *p = field == LACTD_DEVICE_ENABLED ? &e->info.enabled : &e->info.connected;

	if (*p == !!value)
		return;
	*p = !!value;
	announce(e, field);
}

void
lactd_devices_set_battery(Entry *e, guint8 percent)
{
	if (e->info.battery == percent)
		return;
	e->info.battery = percent;
	announce(e, LACTD_DEVICE_BATTERY);
}

void
lactd_devices_set_last_seen(Entry *e, gint64 when_us)
{
	if (e->info.last_seen_us == when_us)
		return;
	e->info.last_seen_us = when_us;
	announce(e, LACTD_DEVICE_LAST_SEEN);
}

void
lactd_devices_set_rejected(Entry *e, guint32 n)
{
	if (e->info.rejected_packets == n)
		return;
	e->info.rejected_packets = n;
	announce(e, LACTD_DEVICE_REJECTED);
}

void
lactd_devices_info_clear(LactdDeviceInfo *info)
{
	g_free(info->address);
	g_free(info->object_path);
	g_free(info->name);
	g_free(info->kind);
	g_free(info->plugin);
	g_free(info->side);
	g_free(info->role);
	g_free(info->problem);
}
