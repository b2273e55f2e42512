/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture: turns devices' normalised readings into sessions, samples and
 * weighings. The rule everywhere: store first, announce after.
 *
 * A live pump session starts at the first active phase or volume and ends
 * at the idle phase, at an idle gap (no reading for IdleGap seconds) or when
 * a lost link has not come back within DisconnectGrace seconds; then it is
 * kept, marked interrupted, and resumed if the same device session returns.
 *
 * Two single-side units (one per breast) pumping at the same time make one
 * session: the second joins the first's live session for its own side.
 *
 * Sample times follow each device's own elapsed-seconds counter from its
 * session start, so a session keeps its true length whatever the link did.
 */
#include "config.h"

#include <math.h>

#include "lactd-capture-private.h"
#include "lactd-error.h"
#include "lactd-util.h"

static void leave_session(Dev *dev, gboolean interrupted);

/* Which side a single-channel reading belongs to: the device's Side
 * setting, else the channel the device reported. */
static gboolean
single_side_is_right(const Dev *dev, guint32 channels)
{
	if (g_strcmp0(dev->side, "right") == 0)
		return TRUE;
	if (g_strcmp0(dev->side, "left") == 0)
		return FALSE;
	return channels == LACTD_CHANNEL_RIGHT;
}

static gboolean
is_single_side(const Dev *dev)
{
	return g_strcmp0(dev->side, "left") == 0 || g_strcmp0(dev->side, "right") == 0;
}

/* ---- live sessions ------------------------------------------------------- */

/* A write failed for @reason, or (NULL) one succeeded. */
static void
storage_failed(LactdCapture *capture, const char *reason)
{
	if (capture->listener->storage_changed != NULL)
		capture->listener->storage_changed(capture->listener_data, reason);
}

/* Tells the listener what moved in a live session it knows. */
static void
live_changed(Live *live, LactdCaptureLiveField what)
{
	LactdCapture *capture = live->capture;

	if (!live->announced || capture->listener->session_changed == NULL)
		return;
	live->values.id = live->session->id;
	capture->listener->session_changed(capture->listener_data, &live->values, what);
}

static void
live_free(Live *live)
{
	g_clear_handle_id(&live->idle_source, g_source_remove);
	for (guint i = 0; i < live->members->len; i++)
		((Dev *)g_ptr_array_index(live->members, i))->live = NULL;
	g_ptr_array_unref(live->members);
	lactd_session_free(live->session);
	g_free(live);
}

static void
live_announce(Live *live, const char *device_path)
{
	LactdCapture *capture = live->capture;

	live->values.id = live->session->id;
	live->values.left_ml = live->session->left_ml;
	live->values.right_ml = live->session->right_ml;
	live->values.phase = LACTD_PHASE_IDLE;
	live->announced = TRUE;
	if (capture->listener->session_started != NULL)
		capture->listener->session_started(capture->listener_data, live->session,
						   device_path);
}

static gboolean
idle_gap_cb(gpointer user_data)
{
	Live *live = user_data;
	gint64 gap_us = (gint64)live->capture->config->idle_gap_s * G_USEC_PER_SEC;
	gint64 quiet_us = g_get_monotonic_time() - live->last_reading_us;

	live->idle_source = 0;
	/* Readings came after the timer was set: wait for the rest of the gap
	 * after the last one. */
	if (quiet_us < gap_us) {
		live->idle_source =
		    g_timeout_add((guint)((gap_us - quiet_us + 999) / 1000), idle_gap_cb, live);
		return G_SOURCE_REMOVE;
	}
	g_message("no reading for %u s, ending session %" G_GUINT64_FORMAT,
		  live->capture->config->idle_gap_s, live->session->id);
	{
		/* The last member to leave frees the live session: walk a copy. */
		g_autoptr(GPtrArray) members = g_ptr_array_copy(live->members, NULL, NULL);
		for (guint i = 0; i < members->len; i++)
			leave_session(g_ptr_array_index(members, i), FALSE);
	}
	return G_SOURCE_REMOVE;
}

/* One timer per live session, set at the first reading and not moved by
 * the next ones (each would cost a timer removed and added): when it fires
 * it looks at the time of the last reading, and waits again for the rest
 * of the gap if one came since. Not while a link is down: the pump may well
 * be pumping, and the grace period decides then. */
static void
live_touch(Live *live)
{
	live->last_reading_us = g_get_monotonic_time();
	for (guint i = 0; i < live->members->len; i++) {
		if (((Dev *)g_ptr_array_index(live->members, i))->grace_source != 0) {
			g_clear_handle_id(&live->idle_source, g_source_remove);
			return;
		}
	}
	if (live->idle_source == 0)
		live->idle_source = g_timeout_add_seconds(live->capture->config->idle_gap_s,
							  idle_gap_cb, live);
}

/* Stores the session and its compacted samples, then announces the end. */
static void
live_end(Live *live, gboolean interrupted)
{
	LactdCapture *capture = live->capture;
	LactdSession *session = live->session;
	g_autoptr(GError) error = NULL;

	session->live = FALSE;
	session->interrupted = interrupted;
	if (!lactd_store_update_session(capture->store, session, &error) ||
	    !lactd_store_compact_samples(capture->store, session->id, &error)) {
		/* The samples are safe as live rows; the session stays readable. */
		g_message("ending session %" G_GUINT64_FORMAT ": %s", session->id, error->message);
		storage_failed(capture, error->message);
	}
	/* Volumes are health data: the journal at its default level gets the
	 * event, only debug output the values (lactd(8), LOGGING). */
	g_message("session %" G_GUINT64_FORMAT " ended%s", session->id,
		  interrupted ? " (interrupted)" : "");
	g_debug("session %" G_GUINT64_FORMAT ": left %.1f mL, right %.1f mL", session->id,
		session->left_ml, session->right_ml);
	if (live->announced && capture->listener->session_ended != NULL)
		capture->listener->session_ended(capture->listener_data, session);
	g_ptr_array_remove(capture->lives, live);
}

/* ---- devices ------------------------------------------------------------- */

static void
dev_free(Dev *dev)
{
	if (dev->live != NULL)
		g_ptr_array_remove(dev->live->members, dev);
	g_clear_handle_id(&dev->grace_source, g_source_remove);
	g_clear_handle_id(&dev->settle_source, g_source_remove);
	g_free(dev->pending_role);
	g_free(dev->address);
	g_free(dev->device_path);
	g_free(dev->side);
	g_free(dev);
}

static Dev *
dev_get(LactdCapture *capture, const LactdCaptureDevice *device)
{
	Dev *dev = g_hash_table_lookup(capture->devices, device->address);

	if (dev == NULL) {
		dev = g_new0(Dev, 1);
		dev->capture = capture;
		dev->address = g_strdup(device->address);
		g_hash_table_insert(capture->devices, dev->address, dev);
	}
	if (device->object_path != NULL && g_strcmp0(dev->device_path, device->object_path) != 0) {
		g_free(dev->device_path);
		dev->device_path = g_strdup(device->object_path);
	}
	if (g_strcmp0(dev->side, device->side) != 0) {
		g_free(dev->side);
		dev->side = g_strdup(device->side != NULL ? device->side : "unknown");
	}
	return dev;
}

/* The device leaves its live session; the last to leave ends it. */
static void
leave_session(Dev *dev, gboolean interrupted)
{
	Live *live = dev->live;

	g_clear_handle_id(&dev->grace_source, g_source_remove);
	if (live == NULL)
		return;
	g_ptr_array_remove(live->members, dev);
	dev->live = NULL;
	dev->device_session = 0;
	/* Interrupted only if a part of it was cut off and never came back. */
	if (interrupted)
		live->session->interrupted = TRUE;
	if (live->members->len == 0)
		live_end(live, live->session->interrupted);
}

/* A live session of single-side units on the other breast that this
 * device's session can join. */
static Live *
find_partner(LactdCapture *capture, Dev *dev)
{
	if (!is_single_side(dev))
		return NULL;
	for (guint i = 0; i < capture->lives->len; i++) {
		Live *live = g_ptr_array_index(capture->lives, i);
		gboolean fits = live->members->len > 0;

		for (guint k = 0; k < live->members->len; k++) {
			Dev *m = g_ptr_array_index(live->members, k);
			if (!is_single_side(m) || g_strcmp0(m->side, dev->side) == 0)
				fits = FALSE;
		}
		if (fits)
			return live;
	}
	return NULL;
}

static Live *
live_adopt(LactdCapture *capture, LactdSession *session)
{
	Live *live = g_new0(Live, 1);

	live->capture = capture;
	live->session = session;
	live->members = g_ptr_array_new();
	g_ptr_array_add(capture->lives, live);
	return live;
}

/* Starts the device's part in a live session: the one stored for this
 * device session (resumed, never duplicated), a partner's, or a new one. */
static gboolean
join_session(Dev *dev, guint32 device_session, guint32 elapsed_s, gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(LactdSession) stored = NULL;
	g_autoptr(GError) local = NULL;
	Live *live = NULL;
	gboolean fresh = FALSE;
	gint64 start_us = now_us - (gint64)elapsed_s * G_USEC_PER_SEC;

	if (device_session != 0) {
		stored = lactd_store_find_device_session(capture->store, dev->address,
							 device_session, &local);
		if (local != NULL) {
			g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
	}
	if (stored != NULL) {
		for (guint i = 0; i < capture->lives->len && live == NULL; i++) {
			Live *l = g_ptr_array_index(capture->lives, i);
			if (l->session->id == stored->id)
				live = l;
		}
		if (live == NULL) {
			gboolean kept;

			/* The same device session came back after it was closed as
			 * interrupted: resume it (in memory while the disk is
			 * full, announced once a write for it succeeds). */
			stored->live = TRUE;
			stored->interrupted = FALSE;
			if (!lactd_store_resume_session(capture->store, stored, &kept, error))
				return FALSE;
			live = live_adopt(capture, g_steal_pointer(&stored));
			fresh = !kept;
		}
		/* The device's clock for this session started when the
		 * session did: samples after the gap continue those before
		 * it, whatever the delay with which the link came back. */
		if (g_strcmp0(live->session->device, dev->address) == 0)
			start_us = live->session->start_us;
		g_message("%s: resumed session %" G_GUINT64_FORMAT " (device session %u)",
			  dev->address, live->session->id, device_session);
	} else if ((live = find_partner(capture, dev)) != NULL) {
		if (device_session != 0 &&
		    !lactd_store_add_session_part(capture->store, live->session->id, dev->address,
						  device_session, error))
			return FALSE;
		g_message("%s: joined session %" G_GUINT64_FORMAT " as its %s side", dev->address,
			  live->session->id, dev->side);
	} else {
		LactdSession *s = g_new0(LactdSession, 1);
		gboolean kept;
		s->kind = LACTD_SESSION_PUMP;
		s->source = LACTD_SOURCE_DEVICE;
		s->start_us = now_us - (gint64)elapsed_s * G_USEC_PER_SEC;
		s->end_us = s->start_us;
		s->device = g_strdup(dev->address);
		s->device_session = device_session;
		s->live = TRUE;
		/* Kept in memory while the disk is full: announced once a
		 * write for it succeeds (take_volume), durable then. */
		if (!lactd_store_start_session(capture->store, s, &kept, error)) {
			lactd_session_free(s);
			return FALSE;
		}
		live = live_adopt(capture, s);
		fresh = !kept;
		g_message("%s: session %" G_GUINT64_FORMAT " started (device session %u)",
			  dev->address, s->id, device_session);
	}
	dev->live = live;
	dev->device_session = device_session;
	dev->start_us = start_us;
	dev->last_elapsed_s = elapsed_s;
	g_ptr_array_add(live->members, dev);
	if (fresh)
		live_announce(live, dev->device_path);
	return TRUE;
}

static void
set_elapsed(Dev *dev, guint32 elapsed_s)
{
	LactdSession *s = dev->live->session;
	gint64 end;

	if (elapsed_s < dev->last_elapsed_s)
		return;
	dev->last_elapsed_s = elapsed_s;
	end = dev->start_us + (gint64)elapsed_s * G_USEC_PER_SEC;
	if (end > s->end_us)
		s->end_us = end;
	dev->live->values.elapsed_s = (guint32)((s->end_us - s->start_us) / G_USEC_PER_SEC);
	live_changed(dev->live, LACTD_CAPTURE_LIVE_ELAPSED);
}

/* A different device session while one is live: the old one ended unseen. */
static void
check_same_session(Dev *dev, guint32 device_session)
{
	if (dev->live != NULL && device_session != 0 && dev->device_session != 0 &&
	    device_session != dev->device_session)
		leave_session(dev, FALSE);
}

static gboolean
take_phase(Dev *dev, const LactdReading *r, gint64 now_us, GError **error)
{
	check_same_session(dev, r->phase.device_session);
	if (r->phase.phase == LACTD_PHASE_IDLE) {
		leave_session(dev, FALSE);
		return TRUE;
	}
	if (dev->live == NULL &&
	    !join_session(dev, r->phase.device_session, r->phase.elapsed_s, now_us, error))
		return FALSE;
	set_elapsed(dev, r->phase.elapsed_s);
	dev->live->values.phase = r->phase.phase;
	live_changed(dev->live, LACTD_CAPTURE_LIVE_PHASE);
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
take_volume(Dev *dev, const LactdReading *r, gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	guint32 channels = r->volume.channels;
	g_autoptr(LactdSession) updated = NULL;
	LactdSample sample;
	guint32 elapsed = r->volume.elapsed_s;

	check_same_session(dev, r->volume.device_session);
	if (dev->live == NULL &&
	    !join_session(dev, r->volume.device_session, elapsed, now_us, error))
		return FALSE;

	updated = lactd_session_copy(dev->live->session);
	if (channels == LACTD_CHANNEL_LEFT || channels == LACTD_CHANNEL_RIGHT) {
		double v = channels == LACTD_CHANNEL_LEFT ? r->volume.left_ml : r->volume.right_ml;
		if (single_side_is_right(dev, channels)) {
			updated->right_ml = v;
			updated->right_seconds = elapsed;
			updated->right_measured = TRUE;
		} else {
			updated->left_ml = v;
			updated->left_seconds = elapsed;
			updated->left_measured = TRUE;
		}
	} else {
		if (channels & LACTD_CHANNEL_LEFT) {
			updated->left_ml = r->volume.left_ml;
			updated->left_seconds = elapsed;
			updated->left_measured = TRUE;
		}
		if (channels & LACTD_CHANNEL_RIGHT) {
			updated->right_ml = r->volume.right_ml;
			updated->right_seconds = elapsed;
			updated->right_measured = TRUE;
		}
	}
	if (!volume_ok("left", updated->left_ml, dev->live->session->left_ml, error) ||
	    !volume_ok("right", updated->right_ml, dev->live->session->right_ml, error))
		return FALSE;
	updated->left_ml = lactd_round_ml(updated->left_ml);
	updated->right_ml = lactd_round_ml(updated->right_ml);
	updated->has_volume = TRUE;

	set_elapsed(dev, elapsed);
	updated->end_us = dev->live->session->end_us;
	sample.time_us = dev->start_us + (gint64)elapsed * G_USEC_PER_SEC;
	sample.left_ml = updated->left_ml;
	sample.right_ml = updated->right_ml;
	/* Sample and running totals durable together, then announced. */
	if (!lactd_store_add_live_sample(capture->store, updated, &sample, error))
		return FALSE;
	lactd_session_free(dev->live->session);
	dev->live->session = g_steal_pointer(&updated);
	if (!dev->live->announced) /* its start is written now, with this */
		live_announce(dev->live, dev->device_path);
	dev->live->values.left_ml = sample.left_ml;
	dev->live->values.right_ml = sample.right_ml;
	live_changed(dev->live, LACTD_CAPTURE_LIVE_VOLUME);
	return TRUE;
}

/* A record from the device's history is authoritative: it replaces what was
 * captured live for the same device session (for its own side, when it is a
 * single-side unit sharing a session), or fills in one lactd missed. */
static gboolean
take_record(Dev *dev, const LactdReading *r, gint64 now_us, GError **error)
{
	LactdCapture *capture = dev->capture;
	g_autoptr(LactdSession) s = NULL;
	g_autoptr(GError) local = NULL;
	guint32 channels = r->record.channels;
	gboolean is_new, single;
	gint64 start;
	Live *live = NULL;

	if (r->record.device_session == 0) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "record without a device session id");
		return FALSE;
	}
	if (!volume_ok("left", (channels & LACTD_CHANNEL_LEFT) ? r->record.left_ml : 0, 0, error) ||
	    !volume_ok("right", (channels & LACTD_CHANNEL_RIGHT) ? r->record.right_ml : 0, 0, error))
		return FALSE;
	s = lactd_store_find_device_session(capture->store, dev->address, r->record.device_session,
					    &local);
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	is_new = s == NULL;
	/* No clock on the device: the best estimate is that it just ended. */
	start = r->record.start_us != 0 ? r->record.start_us
					: now_us - (gint64)r->record.duration_s * G_USEC_PER_SEC;
	if (is_new) {
		s = g_new0(LactdSession, 1);
		s->kind = LACTD_SESSION_PUMP;
		s->source = LACTD_SOURCE_DEVICE;
		s->device = g_strdup(dev->address);
		s->device_session = r->record.device_session;
		s->start_us = start;
		s->end_us = start;
	}
	if (dev->live != NULL && dev->live->session->id == s->id) {
		live = dev->live;
		/* Values held live are newer than the stored row. */
		lactd_session_free(s);
		s = lactd_session_copy(live->session);
	}
	single = channels == LACTD_CHANNEL_LEFT || channels == LACTD_CHANNEL_RIGHT;
	if (single) {
		double v = channels == LACTD_CHANNEL_LEFT ? r->record.left_ml : r->record.right_ml;
		if (single_side_is_right(dev, channels)) {
			s->right_ml = v;
			s->right_seconds = r->record.duration_s;
			s->right_measured = TRUE;
		} else {
			s->left_ml = v;
			s->left_seconds = r->record.duration_s;
			s->left_measured = TRUE;
		}
		/* A shared session spans both units' times. */
		if (is_new || r->record.start_us != 0)
			s->start_us = is_new ? start : MIN(s->start_us, start);
		s->end_us = MAX(s->end_us, start + (gint64)r->record.duration_s * G_USEC_PER_SEC);
	} else {
		s->start_us = start;
		s->end_us = start + (gint64)r->record.duration_s * G_USEC_PER_SEC;
		s->left_ml = (channels & LACTD_CHANNEL_LEFT) ? r->record.left_ml : 0;
		s->right_ml = (channels & LACTD_CHANNEL_RIGHT) ? r->record.right_ml : 0;
		s->left_seconds = (channels & LACTD_CHANNEL_LEFT) ? r->record.duration_s : 0;
		s->right_seconds = (channels & LACTD_CHANNEL_RIGHT) ? r->record.duration_s : 0;
	}
	if (!single) {
		s->left_measured = (channels & LACTD_CHANNEL_LEFT) != 0;
		s->right_measured = (channels & LACTD_CHANNEL_RIGHT) != 0;
	}
	s->has_volume = s->left_measured || s->right_measured;
	/* The pump knows whether its session was cut off; lactd closing it as
	 * interrupted only meant lactd did not see the end. A shared session
	 * stays interrupted if either unit's part was. */
	if (r->record.flags & LACTD_RECORD_INTERRUPTED)
		s->interrupted = TRUE;
	else if (!single)
		s->interrupted = FALSE;
	/* Session and "record stored" in one transaction: the next sync asks
	 * again for any record not marked. */
	if (!lactd_store_begin(capture->store, error))
		return FALSE;
	if ((is_new ? !lactd_store_add_session(capture->store, s, error)
		    : !lactd_store_update_session(capture->store, s, error)) ||
	    !lactd_store_set_part_recorded(capture->store, dev->address, r->record.device_session,
					   error)) {
		lactd_store_rollback(capture->store);
		return FALSE;
	}
	if (!lactd_store_commit(capture->store, error))
		return FALSE;
	if (live != NULL) {
		/* The record closes this device's part of the live session. */
		lactd_session_free(live->session);
		live->session = g_steal_pointer(&s);
		live->session->live = TRUE;
		leave_session(dev, FALSE);
	} else if (is_new) {
		g_message("%s: history record %u stored as session %" G_GUINT64_FORMAT,
			  dev->address, r->record.device_session, s->id);
	}
	return TRUE;
}

gboolean
lactd_capture_reading(LactdCapture *capture, const LactdCaptureDevice *device,
		      const LactdReading *reading, GError **error)
{
	Dev *dev = dev_get(capture, device);
	gint64 now_us = reading->time_us != 0 ? reading->time_us : g_get_real_time();
	gboolean ok = TRUE;
	g_autoptr(GError) local = NULL;

	switch (reading->type) {
	case LACTD_READING_PHASE:
		ok = take_phase(dev, reading, now_us, &local);
		break;
	case LACTD_READING_VOLUME:
		ok = take_volume(dev, reading, now_us, &local);
		break;
	case LACTD_READING_RECORD:
		ok = take_record(dev, reading, now_us, &local);
		break;
	case LACTD_READING_WEIGHT:
		ok = lactd_capture_take_weight(dev, device, reading, now_us, &local);
		break;
	case LACTD_READING_SUCTION:
		if (dev->live != NULL) {
			dev->live->values.suction = reading->suction.level;
			live_changed(dev->live, LACTD_CAPTURE_LIVE_SUCTION);
		}
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
			storage_failed(capture, local->message);
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	/* These were written: a failed write before is over. */
	if (reading->type == LACTD_READING_VOLUME || reading->type == LACTD_READING_RECORD)
		storage_failed(capture, NULL);
	if (dev->live != NULL)
		live_touch(dev->live);
	return TRUE;
}

static gboolean
grace_cb(gpointer user_data)
{
	Dev *dev = user_data;

	dev->grace_source = 0;
	g_message("%s: link not back after %u s, its part of session %" G_GUINT64_FORMAT
		  " kept as interrupted",
		  dev->address, dev->capture->config->disconnect_grace_s,
		  dev->live->session->id);
	leave_session(dev, TRUE);
	return G_SOURCE_REMOVE;
}

void
lactd_capture_link_changed(LactdCapture *capture, const LactdCaptureDevice *device,
			   gboolean connected)
{
	Dev *dev = dev_get(capture, device);

	if (dev->live == NULL)
		return;
	if (connected) {
		g_clear_handle_id(&dev->grace_source, g_source_remove);
		live_touch(dev->live);
		return;
	}
	g_clear_handle_id(&dev->live->idle_source, g_source_remove);
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
lactd_capture_new(LactdStore *store, const LactdConfig *config,
		  const LactdCaptureListener *listener, gpointer listener_data)
{
	static const LactdCaptureListener nobody = {0};
	LactdCapture *capture = g_new0(LactdCapture, 1);

	capture->store = store;
	capture->config = config;
	capture->listener = listener != NULL ? listener : &nobody;
	capture->listener_data = listener_data;
	capture->devices =
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)dev_free);
	capture->lives = g_ptr_array_new_with_free_func((GDestroyNotify)live_free);
	return capture;
}

void
lactd_capture_free(LactdCapture *capture)
{
	if (capture == NULL)
		return;
	/* Live sessions stay marked live in the store: the next start closes
	 * them as interrupted, or the same device session resumes them. */
	g_ptr_array_unref(capture->lives);
	g_hash_table_destroy(capture->devices);
	g_free(capture);
}
