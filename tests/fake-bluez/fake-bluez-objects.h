/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * D-Bus objects as bluetoothd's gdbus layer (gdbus/object.c in BlueZ 5.66)
 * exports them: an ObjectManager at "/", interfaces listed as
 * Introspectable, the org.bluez interface, Properties; property changes
 * queued and sent as one PropertiesChanged per interface when the main loop
 * goes idle or before any other message leaves, unless flushed at once.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _FbObj FbObj;

struct _FbObj {
	char *path;
	GPtrArray *ifaces; /* FbIface, private */
	gpointer owner;	   /* the adapter, device, characteristic... */
	gboolean exported;
	gboolean queued; /* has property changes waiting */
};

/* Starts the layer: node holds every interface an object may carry. */
void fb_objects_init(GDBusConnection *conn, GDBusNodeInfo *node,
		     const GDBusInterfaceVTable *vtable);
/* Whether objects are on the bus (FALSE while "bluetoothd" is down). */
void fb_objects_set_serving(gboolean serving);
gboolean fb_objects_serving(void);

FbObj *fb_obj_new(const char *path, const char *iface, gpointer owner);
void fb_obj_free(FbObj *o);
/* Sets a property; announced (queued) when the object is exported and the
 * value changed; flush sends every queued change at once, always including
 * this one (bluetoothd's G_DBUS_PROPERTY_CHANGED_FLAG_FLUSH). */
/* value: floating or not, a reference is taken. */
void fb_obj_set(FbObj *o, const char *name, GVariant *value, gboolean flush);
/* Sets a property that Get and GetManagedObjects return, with no
 * PropertiesChanged (as bluetoothd does when it forgets to announce). */
void fb_obj_set_unannounced(FbObj *o, const char *name, GVariant *value);
/* Removes an optional property (its exists() turns false): announced as
 * invalidated. */
void fb_obj_unset(FbObj *o, const char *name);
GVariant *fb_obj_get(FbObj *o, const char *name);
const char *fb_obj_iface(FbObj *o);

void fb_obj_export(FbObj *o);
/* quiet: no InterfacesRemoved (bluetoothd died). */
void fb_obj_unexport(FbObj *o, gboolean quiet);

/* Sends every queued change; call before any reply or other signal. */
void fb_flush(void);
void fb_reply(GDBusMethodInvocation *inv, GVariant *value);
void fb_error(GDBusMethodInvocation *inv, const char *name, const char *message);
void fb_emit(const char *path, const char *iface, const char *signal, GVariant *args);
/* GetManagedObjects' reply value. */
GVariant *fb_managed_objects(void);

G_END_DECLS
