/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client's link state machine: connect a wanted device, wait
 * (bounded) for its services, report it ready, notice the link's loss,
 * and back off before the next attempt, longer for a device out of range.
 * A stale bond and a device that must be paired first stop the attempts
 * altogether (lactd-bluez-bond.c).
 */
#include "config.h"

#include "lactd-bluez-private.h"

gboolean
lactd_bluez_is_cancelled(const GError *error)
{
	return g_error_matches(error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* Cancels what the old link state started. */
void
lactd_bluez_new_epoch(LactdBluezDevice *dev)
{
	g_cancellable_cancel(dev->link_cancellable);
	g_object_unref(dev->link_cancellable);
	dev->link_cancellable = g_cancellable_new();
	g_clear_handle_id(&dev->timer, g_source_remove);
	lactd_bluez_subscriptions_resume(dev);
}

static void
disconnect_cb(GObject *source, GAsyncResult *res, gpointer user_data)
{
	g_autofree char *address = user_data;
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) ret = g_dbus_proxy_call_finish(G_DBUS_PROXY(source), res, &error);

	if (ret == NULL && !lactd_bluez_is_cancelled(error))
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
void
lactd_bluez_leave_ready(LactdBluezDevice *dev)
{
	if (dev->state != LINK_READY)
		return;
	dev->state = LINK_IDLE;
	lactd_bluez_new_epoch(dev);
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
	dev->backoff_after_down = FALSE;
	lactd_bluez_evaluate(dev);
	return G_SOURCE_REMOVE;
}

static void
backoff(LactdBluezDevice *dev)
{
	const LactdConfig *c = dev->bluez->config;

	lactd_bluez_new_epoch(dev);
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
	dev->backoff_after_down = FALSE;
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
		  lactd_bluez_prop_bool(dev->proxy, "Connected") ? "true" : "false",
		  lactd_bluez_prop_bool(dev->proxy, "ServicesResolved") ? "true" : "false",
		  lactd_bluez_has_chars(dev) ? "characteristics listed" : "no characteristic listed");
	disconnect(dev);
	backoff(dev);
	return G_SOURCE_REMOVE;
}

static void
start_resolving(LactdBluezDevice *dev)
{
	dev->state = LINK_RESOLVING;
	dev->seen_connected = lactd_bluez_link_up(dev);
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

	if (ret == NULL && lactd_bluez_is_cancelled(error))
		return;
	dev = user_data;
	if (ret == NULL) {
		remote = g_dbus_error_get_remote_error(error);
		if (g_strcmp0(remote, "org.bluez.Error.AlreadyConnected") != 0) {
			g_dbus_error_strip_remote_error(error);
			if (lactd_bluez_is_key_error(remote, error->message)) {
				g_autofree char *what =
				    g_strdup_printf("connect: %s: %s", remote, error->message);
				disconnect(dev);
				lactd_bluez_lose_pairing(dev, what);
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
			if (!lactd_bluez_has_rssi(dev) && !recently_lost(dev)) {
				dev->away = TRUE;
				dev->backoff_ms = MAX(dev->bluez->config->reconnect_max_ms, 1u);
				g_message("%s: out of range: waiting for it to appear", dev->address);
			}
			backoff(dev);
			return;
		}
	}
	start_resolving(dev);
	lactd_bluez_evaluate(dev);
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
void
lactd_bluez_evaluate(LactdBluezDevice *dev)
{
	gboolean connected = lactd_bluez_link_up(dev);
	gboolean resolved = lactd_bluez_prop_bool(dev->proxy, "ServicesResolved");

	/* A device already connected when lactd (or bluetoothd) starts is
	 * ServicesResolved before lactd has read all of its characteristics:
	 * wait for the whole tree. */
	if (dev->bluez->loading || dev->bluez->dropping)
		return;
	/* Held: unwanted, no powered adapter, or a device that sends nothing
	 * until it is paired and is not (a link would be of no use). */
	if (!dev->wanted || !lactd_bluez_adapter_powered(dev) ||
	    lactd_bluez_hold_for_pairing(dev)) {
		lactd_bluez_leave_ready(dev);
		lactd_bluez_new_epoch(dev);
		/* A link someone else made (bluetoothctl pairing it) is theirs. */
		if ((!dev->wanted || dev->waiting_pairing) && dev->link_owner && connected)
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
		lactd_bluez_leave_ready(dev);
		if (dev->quick_losses >= QUICK_LOSSES) {
			lactd_bluez_lose_pairing(dev, "the link aborted right after connecting, again");
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
		if (dev->backoff_after_down && !connected) {
			dev->backoff_after_down = FALSE;
			g_clear_handle_id(&dev->timer, g_source_remove);
			dev->timer = g_timeout_add(dev->backoff_ms, backoff_cb, dev);
			return;
		}
		/* Back in range, or connected by BlueZ itself: try now. */
		if (dev->away && (connected || lactd_bluez_has_rssi(dev))) {
			g_message("%s: back in range", dev->address);
			dev->away = FALSE;
			dev->backoff_ms = 0;
			lactd_bluez_new_epoch(dev);
			dev->state = LINK_IDLE;
			lactd_bluez_evaluate(dev);
		}
		return;
	case LINK_RESOLVING:
		dev->seen_connected = dev->seen_connected || connected;
		if (!connected && dev->seen_connected) {
			g_message("%s: link lost before the services were resolved", dev->address);
			backoff(dev);
		} else if (connected && resolved && lactd_bluez_has_chars(dev)) {
			go_ready(dev);
		}
		return;
	case LINK_IDLE:
		if (dev->pairing_lost && !connected)
			return;
		if (connected && resolved && lactd_bluez_has_chars(dev))
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
		lactd_bluez_pairing_back(dev, "wanted again");
	}
	lactd_bluez_evaluate(dev);
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
	lactd_bluez_leave_ready(dev);
	if (lactd_bluez_link_up(dev))
		disconnect(dev);
	if (dev->wanted)
		backoff(dev);
}

void
lactd_bluez_device_retry_in(LactdBluezDevice *dev, const char *reason, guint delay_ms)
{
	g_message("%s: giving up on this link: %s", dev->address, reason);
	lactd_bluez_leave_ready(dev);
	if (lactd_bluez_link_up(dev))
		disconnect(dev);
	if (!dev->wanted)
		return;
	lactd_bluez_new_epoch(dev);
	dev->backoff_ms = MAX(delay_ms, 1u);
	dev->state = LINK_BACKOFF;
	/* BlueZ answers Disconnect when the link is down, seconds later; until
	 * then the old link still looks resolved. The timer starts again when
	 * it is down, and runs at most the BlueZ timeout if it never goes. */
	dev->backoff_after_down = lactd_bluez_link_up(dev);
	dev->timer = g_timeout_add(dev->backoff_after_down
				       ? MAX(dev->backoff_ms, dev->bluez->config->bluez_timeout_ms)
				       : dev->backoff_ms,
				   backoff_cb, dev);
}
