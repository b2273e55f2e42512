/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device1 on the bus: one object per device the devices service announces,
 * its properties set from what the service says; a skeleton whose writable
 * properties and Forget are checked, authorized and handed to the service,
 * which stores them before the reply.
 */
#include "config.h"

#include "lactd-device1.h"
#include "lactd-devices.h"
#include "lactd-error.h"

#define CHANGE_ACTION "org.lactd.change-data"


/*
 * The generated skeleton sets any well-typed value a client writes. Giving
 * GDBus no set_property makes it route Properties.Set to method_call with
 * the invocation, where the value is checked, authorized and stored before
 * it is set, and a refusal goes back as an org.lactd.Error.
 */
struct _LactdDeviceObjects {
	LactdApi *api;
	LactdDevices *devices;
	GHashTable *objects; /* address -> LactdObjectSkeleton */
};

typedef struct {
	LactdDevice1Skeleton parent;
	LactdDeviceObjects *objects;
	char *address;
} DeviceSkel;

typedef struct {
	LactdDevice1SkeletonClass parent_class;
} DeviceSkelClass;

static GType device_skel_get_type(void);
G_DEFINE_TYPE(DeviceSkel, device_skel, LACTD_TYPE_DEVICE1_SKELETON)

static GDBusInterfaceVTable *(*parent_get_vtable)(GDBusInterfaceSkeleton *skeleton);
static GDBusInterfaceMethodCallFunc parent_method_call;

static LactdApiAuthorizeFunc authorize_func;
static gpointer authorize_data;

/* FALSE after replying NotFound when no devices service is set yet. */
static gboolean
has_service(DeviceSkel *skel, GDBusMethodInvocation *invocation)
{
	if (skel->objects->devices != NULL)
		return TRUE;
	g_dbus_method_invocation_return_error_literal(invocation, LACTD_ERROR,
						      LACTD_ERROR_NOT_FOUND, "the device is gone");
	return FALSE;
}

static gboolean
authorized(DeviceSkel *skel, GDBusMethodInvocation *invocation)
{
	if (authorize_func == NULL)
		return TRUE;
	return authorize_func(G_DBUS_INTERFACE_SKELETON(skel), invocation, CHANGE_ACTION,
			      authorize_data);
}

/* Properties.Set: the value checked, then polkit, then the service. */
static void
handle_set(DeviceSkel *skel, GDBusMethodInvocation *invocation, GVariant *parameters)
{
	const char *iface_name, *prop;
	g_autoptr(GVariant) value = NULL;
	g_autoptr(GError) error = NULL;

	g_variant_get(parameters, "(&s&sv)", &iface_name, &prop, &value);
	if (!lactd_devices_check_setting(prop, value, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	if (!has_service(skel, invocation) || !authorized(skel, invocation))
		return;
	if (!lactd_devices_apply_setting(skel->objects->devices, skel->address, prop, value,
					 g_dbus_method_invocation_get_sender(invocation), &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	g_dbus_method_invocation_return_value(invocation, NULL);
}

static gboolean
handle_forget(LactdDevice1 *iface, GDBusMethodInvocation *invocation, gpointer user_data)
{
	DeviceSkel *skel = user_data;
	g_autoptr(GError) error = NULL;

	if (!has_service(skel, invocation) || !authorized(skel, invocation))
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	if (!lactd_devices_forget(skel->objects->devices, skel->address,
				  g_dbus_method_invocation_get_sender(invocation), &error))
		g_dbus_method_invocation_return_gerror(invocation, error);
	else
		lactd_device1_complete_forget(iface, invocation);
	return G_DBUS_METHOD_INVOCATION_HANDLED;
}

static void
skel_method_call(GDBusConnection *connection, const char *sender, const char *object_path,
		 const char *interface_name, const char *method_name, GVariant *parameters,
		 GDBusMethodInvocation *invocation, gpointer user_data)
{
	DeviceSkel *skel = user_data;

	if (g_strcmp0(interface_name, "org.freedesktop.DBus.Properties") == 0 &&
	    g_strcmp0(method_name, "Set") == 0) {
		handle_set(skel, invocation, parameters);
		return;
	}
	parent_method_call(connection, sender, object_path, interface_name, method_name, parameters,
			   invocation, user_data);
}

static GDBusInterfaceVTable *
skel_get_vtable(GDBusInterfaceSkeleton *skeleton)
{
	static GDBusInterfaceVTable vtable;

	if (vtable.method_call == NULL) {
		GDBusInterfaceVTable *parent = parent_get_vtable(skeleton);

		parent_method_call = parent->method_call;
		vtable.get_property = parent->get_property;
		vtable.set_property = NULL;
		vtable.method_call = skel_method_call;
	}
	return &vtable;
}

static void
device_skel_finalize(GObject *object)
{
	g_free(((DeviceSkel *)object)->address);
	G_OBJECT_CLASS(device_skel_parent_class)->finalize(object);
}

static void
device_skel_class_init(DeviceSkelClass *klass)
{
	GDBusInterfaceSkeletonClass *skeleton_class = G_DBUS_INTERFACE_SKELETON_CLASS(klass);

	G_OBJECT_CLASS(klass)->finalize = device_skel_finalize;
	parent_get_vtable = skeleton_class->get_vtable;
	skeleton_class->get_vtable = skel_get_vtable;
}

static void
device_skel_init(DeviceSkel *skel)
{
}

static LactdDevice1 *
checked_new(LactdDeviceObjects *objects, const char *address)
{
	DeviceSkel *skel = g_object_new(device_skel_get_type(), NULL);

	skel->objects = objects;
	skel->address = g_strdup(address);
	g_signal_connect(skel, "handle-forget", G_CALLBACK(handle_forget), skel);
	return LACTD_DEVICE1(skel);
}

/* --- the objects, from what the devices service announces ---------------------- */

/* The skeleton's GObject property for a D-Bus property, named as
 * gdbus-codegen names it: a hyphen where a capital follows a small letter
 * or a digit ("LastSeen" is "last-seen", "RSSI" would be "rssi"). */
static char *
property_name(const char *dbus_name)
{
	GString *name = g_string_new(NULL);

	for (const char *c = dbus_name; *c != '\0'; c++) {
		if (g_ascii_isupper(*c) && c != dbus_name && !g_ascii_isupper(c[-1]))
			g_string_append_c(name, '-');
		g_string_append_c(name, g_ascii_tolower(*c));
	}
	return g_string_free(name, FALSE);
}

/* Sets the properties of @fields (bit i: field i of the info table) from
 * @info; the skeleton tells clients of those that changed. */
static void
apply(LactdDevice1 *iface, const LactdDeviceInfo *info, guint fields)
{
	const LactdRecord *rec = &lactd_device_info_table;

	for (guint i = 0; i < rec->n_fields; i++) {
		const LactdField *f = &rec->fields[i];
		g_autoptr(GVariant) v = NULL;
		g_auto(GValue) value = G_VALUE_INIT;
		g_autofree char *prop = NULL;

		if (f->dbus_key == NULL || (fields & 1u << i) == 0)
			continue;
		v = g_variant_ref_sink(lactd_field_get(f, info));
		g_dbus_gvariant_to_gvalue(v, &value);
		prop = property_name(f->dbus_key);
		g_object_set_property(G_OBJECT(iface), prop, &value);
	}
}

static void
on_added(const LactdDeviceInfo *info, gpointer user_data)
{
	LactdDeviceObjects *objects = user_data;
	g_autoptr(LactdDevice1) iface = checked_new(objects, info->address);
	LactdObjectSkeleton *object = lactd_object_skeleton_new(info->object_path);

	apply(iface, info, ~0u);
	lactd_object_skeleton_set_device1(object, iface);
	g_hash_table_replace(objects->objects, g_strdup(info->address), object);
	g_dbus_object_manager_server_export(lactd_api_get_object_manager(objects->api),
					    G_DBUS_OBJECT_SKELETON(object));
}

static void
on_changed(const LactdDeviceInfo *info, guint fields, gpointer user_data)
{
	LactdDeviceObjects *objects = user_data;
	LactdObjectSkeleton *object = g_hash_table_lookup(objects->objects, info->address);
	g_autoptr(LactdDevice1) iface = object != NULL ? lactd_object_get_device1(LACTD_OBJECT(object))
						       : NULL;

	if (iface != NULL)
		apply(iface, info, fields);
}

static void
unexport(LactdDeviceObjects *objects, LactdObjectSkeleton *object)
{
	g_dbus_object_manager_server_unexport(
	    lactd_api_get_object_manager(objects->api),
	    g_dbus_object_get_object_path(G_DBUS_OBJECT(object)));
}

static void
on_removed(const LactdDeviceInfo *info, gpointer user_data)
{
	LactdDeviceObjects *objects = user_data;
	LactdObjectSkeleton *object = g_hash_table_lookup(objects->objects, info->address);

	/* A client call may still hold the skeleton: it finds no device. */
	if (object != NULL) {
		unexport(objects, object);
		g_hash_table_remove(objects->objects, info->address);
	}
}

static const LactdDevicesListener listener = {
	.added = on_added,
	.changed = on_changed,
	.removed = on_removed,
};

LactdDeviceObjects *
lactd_device_objects_new(LactdApi *api)
{
	LactdDeviceObjects *objects = g_new0(LactdDeviceObjects, 1);

	objects->api = api;
	objects->objects = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_object_unref);
	return objects;
}

const LactdDevicesListener *
lactd_device_objects_listener(void)
{
	return &listener;
}

void
lactd_device_objects_set_devices(LactdDeviceObjects *objects, LactdDevices *devices)
{
	objects->devices = devices;
}

void
lactd_device_objects_free(LactdDeviceObjects *objects)
{
	GHashTableIter it;
	LactdObjectSkeleton *object;

	if (objects == NULL)
		return;
	g_hash_table_iter_init(&it, objects->objects);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&object))
		unexport(objects, object);
	g_hash_table_destroy(objects->objects);
	g_free(objects);
}

void
lactd_device1_set_authorize(LactdApiAuthorizeFunc authorize, gpointer user_data)
{
	authorize_func = authorize;
	authorize_data = user_data;
}
