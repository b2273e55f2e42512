/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bluetoothd's object export rules, from BlueZ 5.66 gdbus/object.c:
 * - every object carries org.freedesktop.DBus.Introspectable, its own
 *   interface, then org.freedesktop.DBus.Properties, in that order, in
 *   GetManagedObjects and InterfacesAdded; InterfacesRemoved lists them in
 *   reverse (remove_interface prepends);
 * - g_dbus_emit_property_changed queues the name; one PropertiesChanged per
 *   interface carries every queued property, in the order queued, with the
 *   value at sending time, and those that no longer exist as invalidated;
 * - the queue is sent when the loop is idle or before any other message
 *   goes out (g_dbus_send_message calls g_dbus_flush), so a method's reply
 *   follows the changes it caused.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "fake-bluez-objects.h"

#define INTROSPECTABLE "org.freedesktop.DBus.Introspectable"
#define PROPERTIES "org.freedesktop.DBus.Properties"

typedef struct {
	GDBusInterfaceInfo *info;
	GHashTable *props;  /* name -> GVariant; absent: does not exist */
	GPtrArray *pending; /* names queued for PropertiesChanged */
	guint reg_id;
} FbIface;

static GDBusConnection *conn;
static GDBusNodeInfo *node;
static const GDBusInterfaceVTable *vtable;
static GHashTable *exported; /* path -> FbObj */
static GPtrArray *queue;     /* FbObj with changes, in order */
static guint idle_id;
static gboolean serving;

void
fb_objects_init(GDBusConnection *c, GDBusNodeInfo *n, const GDBusInterfaceVTable *v)
{
	conn = c;
	node = n;
	vtable = v;
	exported = g_hash_table_new(g_str_hash, g_str_equal);
	queue = g_ptr_array_new();
}

void
fb_objects_set_serving(gboolean on)
{
	serving = on;
}

gboolean
fb_objects_serving(void)
{
	return serving;
}

static FbIface *
obj_iface(FbObj *o)
{
	return g_ptr_array_index(o->ifaces, 0);
}

FbObj *
fb_obj_new(const char *path, const char *iface, gpointer owner)
{
	FbObj *o = g_new0(FbObj, 1);
	FbIface *f = g_new0(FbIface, 1);

	o->path = g_strdup(path);
	o->owner = owner;
	o->ifaces = g_ptr_array_new();
	f->info = g_dbus_node_info_lookup_interface(node, iface);
	g_assert(f->info != NULL);
	f->props = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)g_variant_unref);
	f->pending = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(o->ifaces, f);
	return o;
}

void
fb_obj_free(FbObj *o)
{
	if (o == NULL)
		return;
	fb_obj_unexport(o, FALSE);
	g_ptr_array_remove(queue, o);
	for (guint i = 0; i < o->ifaces->len; i++) {
		FbIface *f = g_ptr_array_index(o->ifaces, i);
		g_hash_table_unref(f->props);
		g_ptr_array_unref(f->pending);
		g_free(f);
	}
	g_ptr_array_unref(o->ifaces);
	g_free(o->path);
	g_free(o);
}

const char *
fb_obj_iface(FbObj *o)
{
	return obj_iface(o)->info->name;
}

GVariant *
fb_obj_get(FbObj *o, const char *name)
{
	return g_hash_table_lookup(obj_iface(o)->props, name);
}

/* The interface's properties in the order bluetoothd's table lists them. */
static GVariant *
iface_props(FbIface *f)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; f->info->properties != NULL && f->info->properties[i] != NULL; i++) {
		const char *name = f->info->properties[i]->name;
		GVariant *v = g_hash_table_lookup(f->props, name);
		if (v != NULL)
			g_variant_builder_add(&b, "{sv}", name, v);
	}
	return g_variant_builder_end(&b);
}

static GVariant *
obj_ifaces(FbObj *o)
{
	GVariantBuilder b;
	GVariant *none = g_variant_new_array(G_VARIANT_TYPE("{sv}"), NULL, 0);

	g_variant_builder_init(&b, G_VARIANT_TYPE("a{sa{sv}}"));
	g_variant_builder_add(&b, "{s@a{sv}}", INTROSPECTABLE, none);
	g_variant_builder_add(&b, "{s@a{sv}}", fb_obj_iface(o), iface_props(obj_iface(o)));
	g_variant_builder_add(&b, "{s@a{sv}}", PROPERTIES, none);
	return g_variant_builder_end(&b);
}

static void
send_obj_changes(FbObj *o)
{
	FbIface *f = obj_iface(o);
	GVariantBuilder changed, invalidated;

	o->queued = FALSE;
	if (f->pending->len == 0)
		return;
	g_variant_builder_init(&changed, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_init(&invalidated, G_VARIANT_TYPE_STRING_ARRAY);
	for (guint i = 0; i < f->pending->len; i++) {
		const char *name = g_ptr_array_index(f->pending, i);
		GVariant *v = g_hash_table_lookup(f->props, name);
		if (v != NULL)
			g_variant_builder_add(&changed, "{sv}", name, v);
		else
			g_variant_builder_add(&invalidated, "s", name);
	}
	g_ptr_array_set_size(f->pending, 0);
	if (o->exported && serving)
		g_dbus_connection_emit_signal(conn, NULL, o->path, PROPERTIES, "PropertiesChanged",
					      g_variant_new("(sa{sv}as)", f->info->name, &changed,
							    &invalidated),
					      NULL);
	else {
		g_variant_builder_clear(&changed);
		g_variant_builder_clear(&invalidated);
	}
}

void
fb_flush(void)
{
	/* Sending never queues more, so the queue only shrinks here. */
	while (queue->len > 0) {
		FbObj *o = g_ptr_array_steal_index(queue, 0);
		send_obj_changes(o);
	}
	g_clear_handle_id(&idle_id, g_source_remove);
}

static gboolean
idle_cb(gpointer user_data)
{
	idle_id = 0;
	fb_flush();
	return G_SOURCE_REMOVE;
}

static void
queue_change(FbObj *o, const char *name)
{
	FbIface *f = obj_iface(o);

	if (!o->exported || !serving)
		return;
	for (guint i = 0; i < f->pending->len; i++) {
		if (g_str_equal(g_ptr_array_index(f->pending, i), name))
			goto queued;
	}
	g_ptr_array_add(f->pending, g_strdup(name));
queued:
	if (!o->queued) {
		o->queued = TRUE;
		g_ptr_array_add(queue, o);
	}
	if (idle_id == 0)
		idle_id = g_idle_add(idle_cb, NULL);
}

void
fb_obj_set(FbObj *o, const char *name, GVariant *value, gboolean flush)
{
	FbIface *f = obj_iface(o);
	g_autoptr(GVariant) sunk = g_variant_ref_sink(value);
	GVariant *old = g_hash_table_lookup(f->props, name);
	gboolean changed = old == NULL || !g_variant_equal(old, sunk);

	g_hash_table_insert(f->props, g_strdup(name), g_variant_ref(sunk));
	if (changed || flush)
		queue_change(o, name);
	if (flush)
		fb_flush();
}

void
fb_obj_set_unannounced(FbObj *o, const char *name, GVariant *value)
{
	g_autoptr(GVariant) sunk = g_variant_ref_sink(value);

	g_hash_table_insert(obj_iface(o)->props, g_strdup(name), g_variant_ref(sunk));
}

void
fb_obj_unset(FbObj *o, const char *name)
{
	if (g_hash_table_remove(obj_iface(o)->props, name))
		queue_change(o, name);
}

void
fb_emit(const char *path, const char *iface, const char *signal, GVariant *args)
{
	fb_flush();
	g_dbus_connection_emit_signal(conn, NULL, path, iface, signal, args, NULL);
}

void
fb_reply(GDBusMethodInvocation *inv, GVariant *value)
{
	fb_flush();
	g_dbus_method_invocation_return_value(inv, value);
}

void
fb_error(GDBusMethodInvocation *inv, const char *name, const char *message)
{
	fb_flush();
	g_dbus_method_invocation_return_dbus_error(inv, name, message);
}

void
fb_obj_export(FbObj *o)
{
	if (!serving || o->exported)
		return;
	for (guint i = 0; i < o->ifaces->len; i++) {
		FbIface *f = g_ptr_array_index(o->ifaces, i);
		g_autoptr(GError) error = NULL;
		f->reg_id =
		    g_dbus_connection_register_object(conn, o->path, f->info, vtable, o, NULL, &error);
		g_assert_no_error(error);
		g_ptr_array_set_size(f->pending, 0);
	}
	o->exported = TRUE;
	g_hash_table_insert(exported, o->path, o);
	fb_emit("/", "org.freedesktop.DBus.ObjectManager", "InterfacesAdded",
		g_variant_new("(o@a{sa{sv}})", o->path, obj_ifaces(o)));
}

void
fb_obj_unexport(FbObj *o, gboolean quiet)
{
	if (!o->exported)
		return;
	/* Changes queued on the object go out before it goes. */
	if (o->queued) {
		g_ptr_array_remove(queue, o);
		if (!quiet)
			send_obj_changes(o);
		o->queued = FALSE;
	}
	for (guint i = 0; i < o->ifaces->len; i++) {
		FbIface *f = g_ptr_array_index(o->ifaces, i);
		if (f->reg_id != 0)
			g_dbus_connection_unregister_object(conn, f->reg_id);
		f->reg_id = 0;
		g_ptr_array_set_size(f->pending, 0);
	}
	o->exported = FALSE;
	g_hash_table_remove(exported, o->path);
	if (!quiet && serving) {
		const char *names[] = {PROPERTIES, INTROSPECTABLE, fb_obj_iface(o), NULL};
		fb_emit("/", "org.freedesktop.DBus.ObjectManager", "InterfacesRemoved",
			g_variant_new("(o^as)", o->path, names));
	}
}

static int
path_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GVariant *
fb_managed_objects(void)
{
	GVariantBuilder b;
	g_autofree gpointer *paths = g_hash_table_get_keys_as_array(exported, NULL);
	guint n = g_hash_table_size(exported);

	/* bluetoothd walks its object tree depth first in registration order;
	 * sorted paths give the same parent-before-child order. */
	qsort(paths, n, sizeof(gpointer), path_cmp);
	g_variant_builder_init(&b, G_VARIANT_TYPE("a{oa{sa{sv}}}"));
	for (guint i = 0; i < n; i++) {
		FbObj *o = g_hash_table_lookup(exported, paths[i]);
		g_variant_builder_add(&b, "{o@a{sa{sv}}}", o->path, obj_ifaces(o));
	}
	return g_variant_new("(@a{oa{sa{sv}}})", g_variant_builder_end(&b));
}
