/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Capture of scales: a weight is a weighing once it has settled, stored
 * once per placement of the bottle (lactd-settle.c judges the hold, with
 * the scale's own stability flag or, for a scale without one, lactd's).
 */
#include "config.h"

#include <math.h>

#include "lactd-capture-private.h"
#include "lactd-error.h"
#include "lactd-util.h"
#include "lactd-weighing.h"

static gboolean settle_timeout(gpointer user_data);

/* A measurement the scale sent again because the link went before its
 * confirmation came: the same name and weight as the last one stored. */
static gboolean
is_resent(Dev *dev, const LactdReading *r)
{
	return r->weight.measurement_id != 0 &&
	       r->weight.measurement_id == dev->last_measurement_id &&
	       r->weight.grams == dev->last_measurement_g;
}

/* Whether the reading is a weighing to store. Only a settled weight is, once
 * per placement; the rest is the scale moving or repeating itself. A scale
 * that sends finished measurements sends each once, or again when the link
 * went before it was confirmed: every stable one is, but a measurement sent
 * again. */
static gboolean
is_weighing(Dev *dev, const LactdCaptureDevice *device, const LactdReading *r, guint settle_ms,
	    gint64 now_us)
{
	if (device->measurements) {
		if (is_resent(dev, r)) {
			g_message("%s: a measurement sent again (its confirmation was lost) is "
				  "stored once",
				  dev->address);
			return FALSE;
		}
		return r->weight.stable && r->weight.grams > 0;
	}
	return lactd_settle_take(&dev->settle, r->weight.grams, r->weight.stable,
				 device->host_stability, device->weight_resolution_g, settle_ms,
				 now_us);
}

gboolean
lactd_capture_take_weight(Dev *dev, const LactdCaptureDevice *device, const LactdReading *r,
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
	g_clear_handle_id(&dev->settle_source, g_source_remove);
	if (!is_weighing(dev, device, r, capture->config->settle_ms, now_us)) {
		if (device->host_stability) {
			/* Many scales send a weight only when it changes: without
			 * a later packet the hold would never be seen. One
			 * timeout per reading, none once the scale is quiet and
			 * settled. */
			/* device->role may be pending_role itself (the timeout's
			 * second look): copy before freeing. */
			char *role = g_strdup(device->role);

			dev->pending_g = r->weight.grams;
			g_free(dev->pending_role);
			dev->pending_role = role;
			dev->pending_resolution_g = device->weight_resolution_g;
			dev->settle_source = g_timeout_add(capture->config->settle_ms + 50,
							   settle_timeout, dev);
		}
		return TRUE;
	}
	w = g_new0(LactdWeighing, 1);
	w->time_us = now_us;
	w->grams = r->weight.grams;
	w->stable = TRUE;
	w->device = g_strdup(dev->address);
	w->role = g_strdup(device->role != NULL ? device->role : "bottle");
	if (!lactd_weighing_record(capture->store, capture->config, w, &changed, error))
		return FALSE;
	lactd_settle_stored(&dev->settle, w->grams);
	dev->last_measurement_id = r->weight.measurement_id;
	dev->last_measurement_g = r->weight.grams;
	g_message("%s: weighing %" G_GUINT64_FORMAT " stored (%s), session %" G_GUINT64_FORMAT,
		  dev->address, w->id, w->role, w->session);
	g_debug("weighing %" G_GUINT64_FORMAT ": %.1f g", w->id, w->grams);
	if (capture->listener->weight_measured != NULL)
		capture->listener->weight_measured(capture->listener_data, w);
	return TRUE;
}

static gboolean
settle_timeout(gpointer user_data)
{
	Dev *dev = user_data;
	g_autoptr(GError) error = NULL;
	LactdCaptureDevice device = {.address = dev->address,
				     .kind = LACTD_KIND_SCALE,
				     .role = dev->pending_role,
				     .host_stability = TRUE,
				     .weight_resolution_g = dev->pending_resolution_g};
	LactdReading r = {.type = LACTD_READING_WEIGHT, .weight = {.grams = dev->pending_g}};

	dev->settle_source = 0;
	if (!lactd_capture_take_weight(dev, &device, &r, g_get_real_time(), &error))
		g_message("%s: a settled weight was not stored: %s", dev->address, error->message);
	return G_SOURCE_REMOVE;
}
