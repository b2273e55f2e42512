/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the devices service does with a device its plugin cannot serve:
 * leave it alone (no reconnection in a loop), or, for a device the plugin
 * captured a moment ago, try again a bounded number of times first.
 */
#include "config.h"

#include "lactd-devices-private.h"

/*
 * Leaves the device alone: no reconnection in a loop for a device that no
 * plugin can serve. Retried when something changes: the device removed and
 * back (a new entry), BlueZ or lactd restarted (new entries), or the user
 * writing Enabled.
 */
void
lactd_devices_block(Entry *e, const char *problem)
{
	g_message("%s: not captured: %s; retried when it is paired or enabled again", e->info.address,
		  problem);
	e->blocked = TRUE;
	lactd_devices_set_str(e, LACTD_DEVICE_PROBLEM, problem);
	lactd_devices_update(e);
}

/*
 * A device its plugin captured a moment ago whose services come back
 * without what the plugin needs is not a device that never fitted: after
 * bluetoothd restarts, the kernel keeps the link and the new bluetoothd
 * may list a GATT database the peer is still setting up (tests/vm shows
 * it). Disconnect and try again, backing off from ReconnectMin, before
 * leaving it alone; FALSE when the tries are spent (or it never attached).
 */
#define INCOMPLETE_TRIES 8

/* The plugin that last attached to the device since lactd started: kept
 * per address, as entries go with bluetoothd. */
const LactdPluginDesc *
lactd_devices_captured_with(Entry *e)
{
	return g_hash_table_lookup(e->devices->captured, e->info.address);
}

gboolean
lactd_devices_retry_incomplete(Entry *e, const char *what)
{
	const LactdConfig *c = e->devices->config;
	g_autofree char *problem = NULL;
	guint64 delay_ms;

	if (lactd_devices_captured_with(e) == NULL || e->incomplete_tries >= INCOMPLETE_TRIES)
		return FALSE;
	delay_ms = MIN((guint64)MAX(c->reconnect_min_ms, 1u) << e->incomplete_tries,
		       (guint64)MAX(c->reconnect_max_ms, 1u));
	e->incomplete_tries++;
	problem = g_strdup_printf("%s, although plugin %s captured it before: services "
				  "incomplete? trying again in %.1f s (%u of %u)",
				  what, lactd_devices_captured_with(e)->name, delay_ms / 1000.0,
				  e->incomplete_tries, INCOMPLETE_TRIES);
	lactd_devices_set_str(e, LACTD_DEVICE_PROBLEM, problem);
	lactd_bluez_device_retry_in(e->bdev, problem, (guint)delay_ms);
	return TRUE;
}
