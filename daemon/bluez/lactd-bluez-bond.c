/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pairing and bonds, for the BlueZ client's link state machine: a stale
 * bond (BlueZ answers that a key is missing, or the link aborts right after
 * it comes up) and a device whose plugin needs an encrypted link but that
 * is not paired. Both stop every attempt, say so once (a log line and the
 * listener's problem) and wait for Device1.Paired or Bonded to turn true,
 * rather than reconnect in a loop.
 */
#include "config.h"

#include <string.h>

#include "lactd-bluez-private.h"

#define PAIRING_LOST_PROBLEM "pairing lost: pair the scale again with bluetoothctl"

static void
tell_problem(LactdBluezDevice *dev, const char *problem)
{
	if (dev->bluez->listener->problem != NULL)
		dev->bluez->listener->problem(dev, problem, dev->bluez->user_data);
}

/* BlueZ's answers to Connect when the keys do not match (BlueZ 5.66
 * doc/device-api.txt errors; the message is the kernel's status text). */
gboolean
lactd_bluez_is_key_error(const char *remote, const char *message)
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
void
lactd_bluez_lose_pairing(LactdBluezDevice *dev, const char *what)
{
	lactd_bluez_new_epoch(dev);
	dev->state = LINK_IDLE;
	if (dev->pairing_lost)
		return;
	dev->pairing_lost = TRUE;
	dev->quick_losses = 0;
	g_message("%s: %s: the pairing is lost; pair the device again (bluetoothctl remove, "
		  "then pair); no further attempt until then",
		  dev->address, what);
	tell_problem(dev, PAIRING_LOST_PROBLEM);
}

void
lactd_bluez_pairing_back(LactdBluezDevice *dev, const char *why)
{
	if (!dev->pairing_lost)
		return;
	g_message("%s: %s: trying again", dev->address, why);
	dev->pairing_lost = FALSE;
	dev->quick_losses = 0;
	dev->backoff_ms = 0;
	tell_problem(dev, NULL);
}

/* No longer held for pairing: the problem goes with it. */
static void
stop_waiting(LactdBluezDevice *dev, const char *why)
{
	if (!dev->waiting_pairing)
		return;
	dev->waiting_pairing = FALSE;
	g_message("%s: %s: connecting", dev->address, why);
	tell_problem(dev, NULL);
}

gboolean
lactd_bluez_hold_for_pairing(LactdBluezDevice *dev)
{
	g_autofree char *problem = NULL;

	if (!dev->needs_pairing || lactd_bluez_device_get_paired(dev)) {
		stop_waiting(dev, "paired");
		return FALSE;
	}
	if (dev->waiting_pairing)
		return TRUE;
	dev->waiting_pairing = TRUE;
	g_message("%s: its plugin needs an encrypted link and the device is not paired: "
		  "no connection until it is (bluetoothctl pair %s)",
		  dev->address, dev->address);
	problem = g_strdup_printf("not paired: the device sends nothing until it is paired; "
				  "pair it first with: bluetoothctl pair %s",
				  dev->address);
	tell_problem(dev, problem);
	return TRUE;
}

void
lactd_bluez_device_set_needs_pairing(LactdBluezDevice *dev, gboolean needs)
{
	if (dev->needs_pairing == needs)
		return;
	dev->needs_pairing = needs;
	if (!needs)
		stop_waiting(dev, "its plugin needs no pairing");
	lactd_bluez_evaluate(dev);
}

gboolean
lactd_bluez_device_get_needs_pairing(LactdBluezDevice *dev)
{
	return dev->needs_pairing;
}

static gboolean
changed_true(GVariant *changed, const char *name)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(changed, name, G_VARIANT_TYPE_BOOLEAN);

	return v != NULL && g_variant_get_boolean(v);
}

void
lactd_bluez_pairing_changed(LactdBluezDevice *dev, GVariant *changed)
{
	if (!(changed_true(changed, "Paired") || changed_true(changed, "Bonded")))
		return;
	if (!dev->pairing_lost && !dev->waiting_pairing)
		return;
	lactd_bluez_pairing_back(dev, "paired again");
	lactd_bluez_evaluate(dev);
}
