/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture: turns a device's normalised readings into sessions, samples and
 * weighings. The rule everywhere: store first, announce after.
 *
 * A live pump session starts at the first active phase or volume and ends
 * at the idle phase, at an idle gap (no reading for IdleGap seconds) or when
 * a lost link has not come back within DisconnectGrace seconds; then it is
 * kept, marked interrupted, and resumed if the same device session returns.
 * Sample times follow the device's own elapsed-seconds counter from the
 * session start, so a session keeps its true length whatever the link did.
 */
#include "config.h"

#include <math.h>

#include "lactd-api.h"
#include "lactd-capture.h"
#include "lactd-error.h"
#include "lactd-util.h"
#include "lactd-weighing.h"

typedef struct {
	LactdCapture *capture;
	char *address;
	char *device_path;
	/* the live session, if any */
	LactdSession *session;
	LactdObjectSkeleton *object;
	LactdSession1 *iface;
	gint64 last_reading_us;
	guint32 last_elapsed_s;
	guint idle_source;
	guint grace_source;
} DevState;

struct _LactdCapture {
	LactdStore *store;
	LactdApi *api;
	const LactdConfig *config;
	GHashTable *devices; /* address -> DevState */
};

static void end_session(DevState *dev, gboolean interrupted);

static void
dev_state_free(DevState *dev)
{
	g_clear_handle_id(&dev->idle_source, g_source_remove);
	g_clear_handle_id(&dev->grace_source, g_source_remove);
	if (dev->object != NULL) {
		g_autofree char *path =
		    g_strdup(g_dbus_object_get_object_path(G_DBUS_OBJECT(dev->object)));
		g_dbus_object_manager_server_unexport(lactd_api_get_object_manager(dev->capture->api),
						      path);
	}
	g_clear_object(&dev->iface);
	g_clear_object(&dev->object);
	lactd_session_free(dev->session);
	g_free(dev->address);
	g_free(dev->device_path);
	g_free(dev);
}

static DevState *
dev_state(LactdCapture *capture, const LactdCaptureDevice *device)
{
	DevState *dev = g_hash_table_lookup(capture->devices, device->address);

	if (dev == NULL) {
		dev = g_new0(DevState, 1);
		dev->capture = capture;
		dev->address = g_strdup(device->address);
		g_hash_table_insert(capture->devices, dev->address, dev);
	}
	if (device->object_path != NULL && g_strcmp0(dev->device_path, device->object_path) != 0) {
		g_free(dev->device_path);
		dev->device_path = g_strdup(device->object_path);
	}
	return dev;
}

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

static gboolean
idle_gap_cb(gpointer user_data)
{
	DevState *dev = user_data;

	dev->idle_source = 0;
	g_message("%s: no reading for %u s, ending session %" G_GUINT64_FORMAT, dev->address,
		  dev->capture->config->idle_gap_s, dev->session->id);
	end_session(dev, FALSE);
	return G_SOURCE_REMOVE;
}

/* One timer per live session, moved forward by each reading: no wakeup while
 * readings keep coming, one when they stop. */
static void
touch(DevState *dev)
{
	dev->last_reading_us = g_get_real_time();
	g_clear_handle_id(&dev->idle_source, g_source_remove);
	if (dev->session != NULL)
		dev->idle_source =
		    g_timeout_add_seconds(dev->capture->config->idle_gap_s, idle_gap_cb, dev);
}

static void
export_session(DevState *dev)
{
	g_autofree char *path =
	    g_strdup_printf("/org/lactd/sessions/%" G_GUINT64_FORMAT, dev->session->id);

	dev->object = lactd_object_skeleton_new(path);
	dev->iface = lactd_session1_skeleton_new();
	lactd_session1_set_id(dev->iface, dev->session->id);
	lactd_session1_set_device(dev->iface, dev->device_path != NULL ? dev->device_path : "/");
	lactd_session1_set_kind(dev->iface, lactd_session_kind_to_string(dev->session->kind));
	lactd_session1_set_start(dev->iface, dev->session->start_us);
	lactd_session1_set_left_ml(dev->iface, dev->session->left_ml);
	lactd_session1_set_right_ml(dev->iface, dev->session->right_ml);
	lactd_session1_set_phase(dev->iface, "idle");
	lactd_object_skeleton_set_session1(dev->object, dev->iface);
	g_dbus_object_manager_server_export(lactd_api_get_object_manager(dev->capture->api),
					    G_DBUS_OBJECT_SKELETON(dev->object));
	lactd_manager1_emit_session_started(lactd_api_get_manager(dev->capture->api),
					    dev->session->id, path);
}

/* Starts a live session for a device session, or resumes the one already
 * stored for it. */
static gboolean
start_session(DevState *dev, guint32 device_session, guint32 elapsed_s, gint64 now_us,
	      GError **error)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(LactdSession) session = NULL;
	g_autoptr(GError) local = NULL;

	if (device_session != 0) {
		session = lactd_store_find_device_session(capture->store, dev->address,
							  device_session, &local);
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
	}
	if (session != NULL) {
		/* The same device session came back: resume it, never duplicate. */
		if (!session->live) {
			session->live = TRUE;
			session->interrupted = FALSE;
			if (!lactd_store_update_session(capture->store, session, error))
				return FALSE;
		}
		g_message("%s: resumed session %" G_GUINT64_FORMAT " (device session %u)",
			  dev->address, session->id, device_session);
	} else {
		session = g_new0(LactdSession, 1);
		session->kind = LACTD_SESSION_PUMP;
		session->source = LACTD_SOURCE_DEVICE;
		session->start_us = now_us - (gint64)elapsed_s * G_USEC_PER_SEC;
		session->end_us = now_us;
		session->device = g_strdup(dev->address);
		session->device_session = device_session;
		session->live = TRUE;
		if (!lactd_store_add_session(capture->store, session, error))
			return FALSE;
		g_message("%s: session %" G_GUINT64_FORMAT " started (device session %u)",
			  dev->address, session->id, device_session);
	}
	dev->session = g_steal_pointer(&session);
	dev->last_elapsed_s = elapsed_s;
	export_session(dev);
	return TRUE;
}

static void
unexport_session(DevState *dev)
{
	if (dev->object == NULL)
		return;
	g_dbus_object_manager_server_unexport(
	    lactd_api_get_object_manager(dev->capture->api),
	    g_dbus_object_get_object_path(G_DBUS_OBJECT(dev->object)));
	g_clear_object(&dev->iface);
	g_clear_object(&dev->object);
}

/* Ends the live session: stored (samples compacted) before SessionEnded. */
static void
end_session(DevState *dev, gboolean interrupted)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) session = g_steal_pointer(&dev->session);

	g_clear_handle_id(&dev->idle_source, g_source_remove);
	g_clear_handle_id(&dev->grace_source, g_source_remove);
	if (session == NULL)
		return;
	session->live = FALSE;
	session->interrupted = interrupted;
	if (!lactd_store_update_session(capture->store, session, &error) ||
	    !lactd_store_compact_samples(capture->store, session->id, &error)) {
		/* The samples are safe as live rows; the session stays readable. */
		g_message("%s: ending session %" G_GUINT64_FORMAT ": %s", dev->address, session->id,
			  error->message);
		lactd_api_set_storage_degraded(capture->api, error->message);
	}
	unexport_session(dev);
	g_message("%s: session %" G_GUINT64_FORMAT " ended%s: left %.1f mL, right %.1f mL",
		  dev->address, session->id, interrupted ? " (interrupted)" : "", session->left_ml,
		  session->right_ml);
	lactd_manager1_emit_session_ended(lactd_api_get_manager(capture->api), session->id,
					  lactd_api_session_to_variant(session, NULL));
}

static void
set_elapsed(DevState *dev, guint32 elapsed_s)
{
	LactdSession *s = dev->session;

	if (elapsed_s < dev->last_elapsed_s)
		return;
	dev->last_elapsed_s = elapsed_s;
	s->end_us = s->start_us + (gint64)elapsed_s * G_USEC_PER_SEC;
	if (dev->iface != NULL)
		lactd_session1_set_elapsed(dev->iface, elapsed_s);
}

static gboolean
take_phase(DevState *dev, const LactdReading *r, gint64 now_us, GError **error)
{
	if (dev->session != NULL && r->phase.device_session != 0 &&
	    dev->session->device_session != 0 &&
	    r->phase.device_session != dev->session->device_session) {
		/* A new device session while one is live: the old one ended unseen. */
		end_session(dev, FALSE);
	}
	if (r->phase.phase == LACTD_PHASE_IDLE) {
		if (dev->session != NULL)
			end_session(dev, FALSE);
		return TRUE;
	}
	if (dev->session == NULL &&
	    !start_session(dev, r->phase.device_session, r->phase.elapsed_s, now_us, error))
		return FALSE;
	set_elapsed(dev, r->phase.elapsed_s);
	if (dev->iface != NULL)
		lactd_session1_set_phase(dev->iface, phase_name(r->phase.phase));
	return TRUE;
}

static gboolean
volume_ok(const char *side, double ml, double previous, GError **error)
{
	if (isnan(ml) || ml < 0 || ml > LACTD_MAX_SIDE_ML) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "%s volume %.1f mL out of range", side, ml);
		return FALSE;
	}
	if (ml + 0.05 < previous) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "%s volume decreased from %.1f to %.1f mL within a session", side,
			    previous, ml);
		return FALSE;
	}
	return TRUE;
}

static gboolean
take_volume(DevState *dev, const LactdCaptureDevice *device, const LactdReading *r,
	    gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	guint32 channels = r->volume.channels;
	double left, right;
	LactdSample sample;

	if (dev->session != NULL && dev->session->device_session != 0 &&
	    r->volume.device_session != dev->session->device_session)
		end_session(dev, FALSE);
	if (dev->session == NULL &&
	    !start_session(dev, r->volume.device_session, r->volume.elapsed_s, now_us, error))
		return FALSE;

	left = dev->session->left_ml;
	right = dev->session->right_ml;
	/* A single-side unit reports one channel; the user's Side setting says
	 * which breast it is on. */
	if (channels == LACTD_CHANNEL_LEFT || channels == LACTD_CHANNEL_RIGHT) {
		double v = channels == LACTD_CHANNEL_LEFT ? r->volume.left_ml : r->volume.right_ml;
		if (g_strcmp0(device->side, "right") == 0)
			right = v;
		else
			left = v;
	} else {
		if (channels & LACTD_CHANNEL_LEFT)
			left = r->volume.left_ml;
		if (channels & LACTD_CHANNEL_RIGHT)
			right = r->volume.right_ml;
	}
	if (!volume_ok("left", left, dev->session->left_ml, error) ||
	    !volume_ok("right", right, dev->session->right_ml, error))
		return FALSE;

	set_elapsed(dev, r->volume.elapsed_s);
	sample.time_us = dev->session->end_us;
	sample.left_ml = lactd_round_ml(left);
	sample.right_ml = lactd_round_ml(right);
	{
		g_autoptr(LactdSession) updated = lactd_session_copy(dev->session);
		updated->left_ml = sample.left_ml;
		updated->right_ml = sample.right_ml;
		updated->has_volume = TRUE;
		if (channels & LACTD_CHANNEL_LEFT || g_strcmp0(device->side, "left") == 0)
			updated->left_seconds = r->volume.elapsed_s;
		if (channels & LACTD_CHANNEL_RIGHT || g_strcmp0(device->side, "right") == 0)
			updated->right_seconds = r->volume.elapsed_s;
		/* Sample and running totals in one durable transaction. */
		if (!lactd_store_begin(capture->store, error))
			return FALSE;
		if (!lactd_store_append_sample(capture->store, updated->id, &sample, error) ||
		    !lactd_store_update_session(capture->store, updated, error)) {
			lactd_store_rollback(capture->store);
			return FALSE;
		}
		if (!lactd_store_commit(capture->store, error))
			return FALSE;
		lactd_session_free(dev->session);
		dev->session = g_steal_pointer(&updated);
	}
	if (dev->iface != NULL) {
		lactd_session1_set_left_ml(dev->iface, sample.left_ml);
		lactd_session1_set_right_ml(dev->iface, sample.right_ml);
	}
	return TRUE;
}

/* A record from the device's history is authoritative: it replaces what was
 * captured live for the same device session, or fills in one lactd missed. */
static gboolean
take_record(DevState *dev, const LactdCaptureDevice *device, const LactdReading *r,
	    gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(LactdSession) s = NULL;
	g_autoptr(GError) local = NULL;
	gboolean is_new;
	gboolean was_live = dev->session != NULL &&
			    dev->session->device_session == r->record.device_session;
	guint32 channels = r->record.channels;

	if (r->record.device_session == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "record without a device session id");
		return FALSE;
	}
	s = lactd_store_find_device_session(capture->store, dev->address, r->record.device_session,
					    &local);
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	is_new = s == NULL;
	if (is_new) {
		s = g_new0(LactdSession, 1);
		s->kind = LACTD_SESSION_PUMP;
		s->source = LACTD_SOURCE_DEVICE;
		s->device = g_strdup(dev->address);
		s->device_session = r->record.device_session;
		/* No clock on the device: the best estimate is that it just ended. */
		s->start_us = r->record.start_us != 0
				  ? r->record.start_us
				  : now_us - (gint64)r->record.duration_s * G_USEC_PER_SEC;
	} else if (r->record.start_us != 0) {
		s->start_us = r->record.start_us;
	}
	s->end_us = s->start_us + (gint64)r->record.duration_s * G_USEC_PER_SEC;
	s->left_ml = 0;
	s->right_ml = 0;
	if (channels == LACTD_CHANNEL_LEFT || channels == LACTD_CHANNEL_RIGHT) {
		double v = channels == LACTD_CHANNEL_LEFT ? r->record.left_ml : r->record.right_ml;
		if (g_strcmp0(device->side, "right") == 0)
			s->right_ml = v;
		else
			s->left_ml = v;
	} else {
		s->left_ml = (channels & LACTD_CHANNEL_LEFT) ? r->record.left_ml : 0;
		s->right_ml = (channels & LACTD_CHANNEL_RIGHT) ? r->record.right_ml : 0;
	}
	if (!volume_ok("left", s->left_ml, 0, error) || !volume_ok("right", s->right_ml, 0, error))
		return FALSE;
	s->has_volume = channels != 0;
	s->left_seconds = s->left_ml > 0 || (channels & LACTD_CHANNEL_LEFT) ? r->record.duration_s : 0;
	s->right_seconds =
	    s->right_ml > 0 || (channels & LACTD_CHANNEL_RIGHT) ? r->record.duration_s : 0;
	s->interrupted = (r->record.flags & LACTD_RECORD_INTERRUPTED) != 0;
	s->live = FALSE;
	if (is_new ? !lactd_store_add_session(capture->store, s, error)
		   : !lactd_store_update_session(capture->store, s, error))
		return FALSE;
	if (was_live) {
		/* The live copy is superseded by the record just stored. */
		lactd_session_free(dev->session);
		dev->session = lactd_session_copy(s);
		dev->session->live = TRUE;
		end_session(dev, s->interrupted);
	} else if (!is_new) {
		g_autoptr(GError) compact_error = NULL;
		if (!lactd_store_compact_samples(capture->store, s->id, &compact_error))
			g_message("%s: %s", dev->address, compact_error->message);
	}
	if (is_new)
		g_message("%s: history record %u stored as session %" G_GUINT64_FORMAT,
			  dev->address, r->record.device_session, s->id);
	return TRUE;
}

static gboolean
take_weight(DevState *dev, const LactdCaptureDevice *device, const LactdReading *r,
	    gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(LactdWeighing) w = NULL;
	guint64 changed = 0;

	if (isnan(r->weight.grams) || fabs(r->weight.grams) > LACTD_MAX_WEIGHT_G) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "weight %.1f g out of range", r->weight.grams);
		return FALSE;
	}
	/* Only a settled weight is a weighing; the rest is the scale moving. */
	if (!r->weight.stable || r->weight.grams <= 0)
		return TRUE;
	w = g_new0(LactdWeighing, 1);
	w->time_us = now_us;
	w->grams = r->weight.grams;
	w->stable = TRUE;
	w->device = g_strdup(dev->address);
	w->role = g_strdup(device->role != NULL ? device->role : "bottle");
	if (!lactd_weighing_record(capture->store, capture->config, w, &changed, error))
		return FALSE;
	g_message("%s: weighing %" G_GUINT64_FORMAT ": %.1f g (%s), session %" G_GUINT64_FORMAT,
		  dev->address, w->id, w->grams, w->role, w->session);
	lactd_manager1_emit_weight_measured(lactd_api_get_manager(capture->api),
					    lactd_api_weighing_to_variant(w));
	return TRUE;
}

gboolean
lactd_capture_reading(LactdCapture *capture, const LactdCaptureDevice *device,
		      const LactdReading *reading, GError **error)
{
	DevState *dev = dev_state(capture, device);
	gint64 now_us = reading->time_us != 0 ? reading->time_us : g_get_real_time();
	gboolean ok = TRUE;
	g_autoptr(GError) local = NULL;

	switch (reading->type) {
	case LACTD_READING_PHASE:
		ok = take_phase(dev, reading, now_us, &local);
		break;
	case LACTD_READING_VOLUME:
		ok = take_volume(dev, device, reading, now_us, &local);
		break;
	case LACTD_READING_RECORD:
		ok = take_record(dev, device, reading, now_us, &local);
		break;
	case LACTD_READING_WEIGHT:
		ok = take_weight(dev, device, reading, now_us, &local);
		break;
	case LACTD_READING_SUCTION:
		if (dev->iface != NULL)
			lactd_session1_set_suction(dev->iface, reading->suction.level);
		break;
	case LACTD_READING_BATTERY:
	case LACTD_READING_FEATURES:
		break;
	default:
		g_set_error(&local, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "unknown reading type %d",
			    reading->type);
		ok = FALSE;
	}
	if (!ok) {
		if (g_error_matches(local, LACTD_ERROR, LACTD_ERROR_STORAGE))
			lactd_api_set_storage_degraded(capture->api, local->message);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (dev->session != NULL)
		touch(dev);
	return TRUE;
}

static gboolean
grace_cb(gpointer user_data)
{
	DevState *dev = user_data;

	dev->grace_source = 0;
	g_message("%s: link not back after %u s, session %" G_GUINT64_FORMAT " kept as interrupted",
		  dev->address, dev->capture->config->disconnect_grace_s, dev->session->id);
	end_session(dev, TRUE);
	return G_SOURCE_REMOVE;
}

void
lactd_capture_link_changed(LactdCapture *capture, const LactdCaptureDevice *device,
			   gboolean connected)
{
	DevState *dev = dev_state(capture, device);

	if (dev->session == NULL)
		return;
	if (connected) {
		g_clear_handle_id(&dev->grace_source, g_source_remove);
		return;
	}
	/* While the link is down the idle gap does not apply: the pump may
	 * well be pumping. The grace period decides. */
	g_clear_handle_id(&dev->idle_source, g_source_remove);
	if (dev->grace_source == 0)
		dev->grace_source =
		    g_timeout_add_seconds(MAX(capture->config->disconnect_grace_s, 1), grace_cb, dev);
}

guint32
lactd_capture_last_record(LactdCapture *capture, const char *address)
{
	g_autoptr(GError) error = NULL;
	guint32 last = lactd_store_last_device_session(capture->store, address, &error);

	if (error != NULL)
		g_message("%s: %s", address, error->message);
	return last;
}

LactdCapture *
lactd_capture_new(LactdStore *store, LactdApi *api, const LactdConfig *config)
{
	LactdCapture *capture = g_new0(LactdCapture, 1);

	capture->store = store;
	capture->api = api;
	capture->config = config;
	capture->devices =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)dev_state_free);
	return capture;
}

void
lactd_capture_free(LactdCapture *capture)
{
	if (capture == NULL)
		return;
	g_hash_table_destroy(capture->devices);
	g_free(capture);
}
