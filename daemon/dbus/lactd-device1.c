/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device1 on the bus: a skeleton whose writable properties and Forget are
 * checked, authorized and handed to the devices service, which stores them
 * before the reply.
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
typedef struct {
	LactdDevice1Skeleton parent;
	LactdDevices *devices;
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
	if (!authorized(skel, invocation))
		return;
	if (!lactd_devices_apply_setting(skel->devices, skel->address, prop, value,
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

	if (!authorized(skel, invocation))
		return G_DBUS_METHOD_INVOCATION_HANDLED;
	if (!lactd_devices_forget(skel->devices, skel->address,
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

LactdDevice1 *
lactd_device1_checked_new(LactdDevices *devices, const char *address)
{
	DeviceSkel *skel = g_object_new(device_skel_get_type(), NULL);

	skel->devices = devices;
	skel->address = g_strdup(address);
	g_signal_connect(skel, "handle-forget", G_CALLBACK(handle_forget), skel);
	return LACTD_DEVICE1(skel);
}

void
lactd_device1_set_authorize(LactdApiAuthorizeFunc authorize, gpointer user_data)
{
	authorize_func = authorize;
	authorize_data = user_data;
}
