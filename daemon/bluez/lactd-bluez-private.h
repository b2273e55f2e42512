/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The BlueZ client's insides, shared by its files: the client and device
 * structs, the link states, and the helpers one file offers the others.
 * Nothing outside daemon/bluez includes this.
 */
#pragma once

#include "lactd-bluez.h"

G_BEGIN_DECLS

#define BLUEZ_NAME "org.bluez"
#define IFACE_ADAPTER "org.bluez.Adapter1"
#define IFACE_DEVICE "org.bluez.Device1"
#define IFACE_SERVICE "org.bluez.GattService1"
#define IFACE_CHAR "org.bluez.GattCharacteristic1"

typedef enum {
	LINK_IDLE,	 /* nothing under way */
	LINK_CONNECTING, /* Connect() in flight */
	LINK_RESOLVING,	 /* waiting for ServicesResolved, bounded */
	LINK_READY,	 /* reported ready */
	LINK_BACKOFF,	 /* waiting before the next attempt */
} LinkState;

typedef struct {
	GDBusProxy *proxy;
	gboolean discovery_started;
} Adapter;

struct _LactdBluezDevice {
	LactdBluez *bluez;
	char *path;
	char *address;
	GDBusProxy *proxy;
	gpointer user_data;
	gboolean wanted;
	LinkState state;
	gboolean link_owner;	 /* we asked for this link */
	gboolean seen_connected; /* Connected was TRUE since RESOLVING began */
	guint timer;		 /* resolve timeout or back-off */
	guint backoff_ms;
	/* Backing off from a link it is taking down: the back-off counts from
	 * the moment the link is down, not from the Disconnect call, so that
	 * the next attempt finds a new link and not the old one. */
	gboolean backoff_after_down;
	gboolean away; /* the last attempt failed and BlueZ does not see it in range */
	gint64 lost_us; /* monotonic time a ready link was last lost, 0 never */
	gint64 ready_us; /* monotonic time the link was last reported ready */
	guint quick_losses; /* links lost within QUICK_LOSS_US of coming up, in a row */
	gboolean got_value; /* a value arrived on the current link */
	gboolean pairing_lost; /* a stale bond: no attempt until paired again */
	/* Its plugin needs an encrypted link: no attempt until it is paired. */
	gboolean needs_pairing;
	gboolean waiting_pairing; /* the listener was told it must be paired first */
	GCancellable *link_cancellable;
	GHashTable *notifying; /* characteristic paths we subscribed to */
	/* Characteristic paths subscribed on an earlier link. bluetoothd keeps
	 * the session and enables it again when the next link is up, before
	 * lactd is ready and subscribes anew: what comes
	 * meanwhile (a scale's measurements stored while out of range) waits
	 * in `early` until then (lactd-bluez-gatt.c). */
	GHashTable *resumed;
	GQueue early; /* (ss@ay): characteristic path, UUID, bytes */
	guint early_source;
};

struct _LactdBluez {
	GDBusConnection *bus;
	const LactdConfig *config;
	const LactdBluezListener *listener;
	gpointer user_data;
	guint watch_id;
	char *owner; /* unique name of org.bluez while owned */
	GCancellable *cancellable;
	GDBusObjectManager *manager;
	guint retry_timer;
	guint retry_ms;
	gboolean discovery;
	gboolean loading; /* reading org.bluez's objects after it appeared */
	gboolean dropping; /* forgetting every object: org.bluez went, or lactd stops */
	GHashTable *adapters; /* path -> Adapter */
	GHashTable *devices;  /* path -> LactdBluezDevice */
	GHashTable *services; /* path -> GDBusProxy */
	GHashTable *chars;    /* path -> GDBusProxy */
};

/* lactd-bluez.c: evaluates every device's link (a snapshot: a listener may
 * change the table meanwhile). */
void lactd_bluez_evaluate_all(LactdBluez *bluez);

/* lactd-bluez-device.c: cached properties and the object tree. */
gboolean lactd_bluez_prop_bool(GDBusProxy *proxy, const char *name);
char *lactd_bluez_prop_str(GDBusProxy *proxy, const char *name);
/* The object a GATT object belongs to: its property, else its parent path. */
char *lactd_bluez_owner_path(GDBusProxy *proxy, const char *prop);
LactdBluezDevice *lactd_bluez_char_device(LactdBluez *bluez, GDBusProxy *chr);
GDBusProxy *lactd_bluez_find_char(LactdBluezDevice *dev, const char *uuid);
gboolean lactd_bluez_has_chars(LactdBluezDevice *dev);
gboolean lactd_bluez_link_up(LactdBluezDevice *dev);
gboolean lactd_bluez_has_rssi(LactdBluezDevice *dev);
gboolean lactd_bluez_is_cancelled(const GError *error);
void lactd_bluez_device_add(LactdBluez *bluez, GDBusProxy *proxy);
/* Device1 properties changed: pairing, name, advertisements, the link. */
void lactd_bluez_device_properties_changed(LactdBluezDevice *dev, GVariant *changed);
void lactd_bluez_device_remove(LactdBluez *bluez, const char *path);
/* Whether any of names is in a PropertiesChanged dictionary. */
gboolean lactd_bluez_changed_any(GVariant *changed, const char *const *names);

/* lactd-bluez-adapter.c: adapters and discovery. */
gboolean lactd_bluez_adapter_used(LactdBluez *bluez, const char *path);
char *lactd_bluez_device_adapter_path(GDBusProxy *proxy);
gboolean lactd_bluez_adapter_powered(LactdBluezDevice *dev);
void lactd_bluez_adapter_add(LactdBluez *bluez, GDBusProxy *proxy);
void lactd_bluez_adapter_free(Adapter *a);
/* Adapter1 properties changed: discovery and links follow Powered. */
void lactd_bluez_adapter_properties_changed(LactdBluez *bluez, const char *path,
					    GVariant *changed);
/* Starts or stops discovery on one adapter as bluez->discovery says. */
void lactd_bluez_apply_discovery(LactdBluez *bluez, Adapter *a);

/* lactd-bluez-link.c: the link state machine. */
/* Moves the link one step toward what is wanted, on every change. */
void lactd_bluez_evaluate(LactdBluezDevice *dev);
/* Cancels what the old link state started. */
void lactd_bluez_new_epoch(LactdBluezDevice *dev);
/* Leaves READY, telling the listener, which may call back into us. */
void lactd_bluez_leave_ready(LactdBluezDevice *dev);

/* lactd-bluez-bond.c: stale bonds and devices that must be paired first. */
gboolean lactd_bluez_is_key_error(const char *remote, const char *message);
/* A stale bond: no attempt until the device is paired again. */
void lactd_bluez_lose_pairing(LactdBluezDevice *dev, const char *what);
void lactd_bluez_pairing_back(LactdBluezDevice *dev, const char *why);
/* TRUE while the device must be paired before a connection is of any use
 * (the problem is reported once); FALSE clears that problem. */
gboolean lactd_bluez_hold_for_pairing(LactdBluezDevice *dev);
/* Device1 Paired or Bonded changed: what waited for them goes on. */
void lactd_bluez_pairing_changed(LactdBluezDevice *dev, GVariant *changed);

/* lactd-bluez-gatt.c */
/* A characteristic's Value changed: delivered when we subscribed to it. */
void lactd_bluez_char_value_changed(LactdBluez *bluez, GDBusProxy *chr, GVariant *changed);
/* The link's subscriptions become ones bluetoothd resumes on the next link. */
void lactd_bluez_subscriptions_resume(LactdBluezDevice *dev);
/* A characteristic gone, or the device: nothing more is held for it (NULL:
 * for any). */
void lactd_bluez_early_forget(LactdBluezDevice *dev, const char *char_path);

G_END_DECLS
