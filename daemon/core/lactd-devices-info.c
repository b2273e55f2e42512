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
	/* The link down: LastSeen as it is, before Connected says so. */
	if (field == LACTD_DEVICE_CONNECTED && !value)
		lactd_devices_show_last_seen(e);
	announce(e, field);
}

/* The numbers' setters differ only in the member, its type and the field
 * announced. */
#define NUMBER_SETTER(func, type, member, field)                                                  \
	void func(Entry *e, type value)                                                           \
	{                                                                                         \
		if (e->info.member == value)                                                      \
			return;                                                                   \
		e->info.member = value;                                                           \
		announce(e, field);                                                               \
	}

NUMBER_SETTER(lactd_devices_set_battery, guint8, battery, LACTD_DEVICE_BATTERY)
NUMBER_SETTER(lactd_devices_set_rejected, guint32, rejected_packets, LACTD_DEVICE_REJECTED)

/* LastSeen changes with every packet, 1 to 10 a second while a pump is
 * pumping; each change shown would be a PropertiesChanged to every client.
 * It is kept exact (and stored so) but shown at most every
 * LACTD_DEVICES_LAST_SEEN_STEP_US, and as it is when the link goes down. */
static void
show_last_seen(Entry *e)
{
	e->last_seen_shown_us = e->info.last_seen_us;
	announce(e, LACTD_DEVICE_LAST_SEEN);
}

void
lactd_devices_set_last_seen(Entry *e, gint64 when_us)
{
	if (e->info.last_seen_us == when_us)
		return;
	e->info.last_seen_us = when_us;
	if (e->last_seen_shown_us == 0 || when_us < e->last_seen_shown_us ||
	    when_us - e->last_seen_shown_us >= LACTD_DEVICES_LAST_SEEN_STEP_US)
		show_last_seen(e);
}

void
lactd_devices_show_last_seen(Entry *e)
{
	if (e->info.last_seen_us != e->last_seen_shown_us)
		show_last_seen(e);
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
