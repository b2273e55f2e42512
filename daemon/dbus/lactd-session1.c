/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The live sessions on the bus. Capture stores first and announces after;
 * this file turns each announcement into a Session1 object, a property
 * change or a Manager1 signal, and StorageState follows its write results.
 */
#include "config.h"

#include "lactd-session1.h"

struct _LactdSessionObjects {
	LactdApi *api;
	GHashTable *live; /* id (guint64 *) -> LactdObjectSkeleton */
};

static char *
session_path(guint64 id)
{
	return g_strdup_printf("/org/lactd/sessions/%" G_GUINT64_FORMAT, id);
}

/* Session1.Phase */
static const char *
phase_name(LactdPhase phase)
{
	switch (phase) {
	case LACTD_PHASE_STIMULATION:
		return "stimulation";
	case LACTD_PHASE_EXPRESSION:
		return "expression";
	case LACTD_PHASE_PAUSED:
		return "paused";
	case LACTD_PHASE_IDLE:
	default:
		return "idle";
	}
}

static void
on_started(gpointer data, const LactdSession *session, const char *device_path)
{
	LactdSessionObjects *o = data;
	g_autofree char *path = session_path(session->id);
	g_autoptr(LactdObjectSkeleton) object = lactd_object_skeleton_new(path);
	g_autoptr(LactdSession1) iface = lactd_session1_skeleton_new();

	lactd_session1_set_id(iface, session->id);
	lactd_session1_set_device(iface, device_path != NULL ? device_path : "/");
	lactd_session1_set_kind(iface, lactd_session_kind_to_string(session->kind));
	lactd_session1_set_start(iface, session->start_us);
	lactd_session1_set_left_ml(iface, session->left_ml);
	lactd_session1_set_right_ml(iface, session->right_ml);
	lactd_session1_set_phase(iface, phase_name(LACTD_PHASE_IDLE));
	lactd_object_skeleton_set_session1(object, iface);
	g_dbus_object_manager_server_export(lactd_api_get_object_manager(o->api),
					    G_DBUS_OBJECT_SKELETON(object));
	g_hash_table_replace(o->live, g_memdup2(&session->id, sizeof(session->id)),
			     g_steal_pointer(&object));
	lactd_manager1_emit_session_started(lactd_api_get_manager(o->api), session->id, path);
}

static void
on_changed(gpointer data, const LactdCaptureLive *live, LactdCaptureLiveField what)
{
	LactdSessionObjects *o = data;
	LactdObjectSkeleton *object = g_hash_table_lookup(o->live, &live->id);
	g_autoptr(LactdSession1) iface = NULL;

	if (object == NULL)
		return;
	iface = lactd_object_get_session1(LACTD_OBJECT(object));
	switch (what) {
	case LACTD_CAPTURE_LIVE_VOLUME:
		lactd_session1_set_left_ml(iface, live->left_ml);
		lactd_session1_set_right_ml(iface, live->right_ml);
		break;
	case LACTD_CAPTURE_LIVE_PHASE:
		lactd_session1_set_phase(iface, phase_name(live->phase));
		break;
	case LACTD_CAPTURE_LIVE_SUCTION:
		lactd_session1_set_suction(iface, live->suction);
		break;
	case LACTD_CAPTURE_LIVE_ELAPSED:
		lactd_session1_set_elapsed(iface, live->elapsed_s);
		break;
	}
}

static void
unexport(LactdSessionObjects *o, guint64 id)
{
	g_autofree char *path = session_path(id);

	if (g_hash_table_remove(o->live, &id))
		g_dbus_object_manager_server_unexport(lactd_api_get_object_manager(o->api), path);
}

static void
on_ended(gpointer data, const LactdSession *session)
{
	LactdSessionObjects *o = data;

	unexport(o, session->id);
	lactd_manager1_emit_session_ended(lactd_api_get_manager(o->api), session->id,
					  lactd_api_session_to_variant(session, NULL));
}

static void
on_weight(gpointer data, const LactdWeighing *weighing)
{
	LactdSessionObjects *o = data;

	lactd_manager1_emit_weight_measured(lactd_api_get_manager(o->api),
					    lactd_api_weighing_to_variant(weighing));
}

static void
on_storage(gpointer data, const char *reason)
{
	LactdSessionObjects *o = data;

	if (reason != NULL)
		lactd_api_set_storage_degraded(o->api, reason);
	else
		lactd_api_storage_ok(o->api);
}

const LactdCaptureListener *
lactd_session_objects_listener(void)
{
	static const LactdCaptureListener listener = {
	    .session_started = on_started,
	    .session_changed = on_changed,
	    .session_ended = on_ended,
	    .weight_measured = on_weight,
	    .storage_changed = on_storage,
	};
	return &listener;
}

LactdSessionObjects *
lactd_session_objects_new(LactdApi *api)
{
	LactdSessionObjects *o = g_new0(LactdSessionObjects, 1);

	o->api = api;
	o->live = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_object_unref);
	return o;
}

void
lactd_session_objects_free(LactdSessionObjects *o)
{
	GHashTableIter iter;
	gpointer key;

	if (o == NULL)
		return;
	/* Sessions still live stay live in the store; their objects go. */
	g_hash_table_iter_init(&iter, o->live);
	while (g_hash_table_iter_next(&iter, &key, NULL)) {
		g_autofree char *path = session_path(*(guint64 *)key);
		g_dbus_object_manager_server_unexport(lactd_api_get_object_manager(o->api), path);
	}
	g_hash_table_destroy(o->live);
	g_free(o);
}
