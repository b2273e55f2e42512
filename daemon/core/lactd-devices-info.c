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
announce(Entry *e, LactdDeviceField field)
{
	const LactdDevicesListener *l = e->devices->listener;

	if (l != NULL && l->changed != NULL)
		l->changed(&e->info, 1u << field, e->devices->listener_data);
}

#define INFO(member) .offset = G_STRUCT_OFFSET(LactdDeviceInfo, member)

/* In the order of LactdDeviceField; the D-Bus keys are Device1's
 * properties. */
static const LactdField info_fields[] = {
    {"name", LACTD_FIELD_STRING, NULL, "Name", NULL, NULL, NULL, INFO(name)},
    {"kind", LACTD_FIELD_STRING, NULL, "Kind", NULL, NULL, NULL, INFO(kind)},
    {"plugin", LACTD_FIELD_STRING, NULL, "Plugin", NULL, NULL, NULL, INFO(plugin)},
    {"side", LACTD_FIELD_STRING, NULL, "Side", NULL, NULL, NULL, INFO(side)},
    {"role", LACTD_FIELD_STRING, NULL, "Role", NULL, NULL, NULL, INFO(role)},
    {"problem", LACTD_FIELD_STRING, NULL, "Problem", NULL, NULL, NULL, INFO(problem)},
    {"enabled", LACTD_FIELD_BOOLEAN, NULL, "Enabled", NULL, NULL, NULL, INFO(enabled)},
    {"connected", LACTD_FIELD_BOOLEAN, NULL, "Connected", NULL, NULL, NULL, INFO(connected)},
    {"battery", LACTD_FIELD_UINT32, "%", "Battery", NULL, NULL, NULL, INFO(battery)},
    {"last_seen_us", LACTD_FIELD_INT64, "us", "LastSeen", NULL, NULL, NULL,
     INFO(last_seen_us)},
    {"rejected_packets", LACTD_FIELD_UINT32, NULL, "RejectedPackets", NULL, NULL, NULL,
     INFO(rejected_packets)},
    /* Set once, when the device appears. */
    {"address", LACTD_FIELD_STRING, NULL, "Address", NULL, NULL, NULL, INFO(address)},
    {"object_path", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, NULL, INFO(object_path)},
};

const LactdRecord lactd_device_info_table = {"device", info_fields, G_N_ELEMENTS(info_fields)};

/* The member of @field in @e's info, of @type. */
static gpointer
member(Entry *e, LactdDeviceField field, LactdFieldType type)
{
	/* A field of another type is a mistake in this file, not input. */
	g_assert(field < G_N_ELEMENTS(info_fields) && info_fields[field].type == type);
	return G_STRUCT_MEMBER_P(&e->info, info_fields[field].offset);
}

void
lactd_devices_set_str(Entry *e, LactdDeviceField field, const char *value)
{
	char **p = member(e, field, LACTD_FIELD_STRING);

	if (g_strcmp0(*p, value) == 0)
		return;
	g_free(*p);
	*p = g_strdup(value);
	announce(e, field);
}

void
lactd_devices_set_bool(Entry *e, LactdDeviceField field, gboolean value)
{
	gboolean *p = member(e, field, LACTD_FIELD_BOOLEAN);

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
	lactd_record_clear(&lactd_device_info_table, info);
}
