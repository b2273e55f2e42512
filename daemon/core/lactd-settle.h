/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * When a scale's weight is a weighing. Pure: readings and times in, a
 * decision out; no timer, so a scale that is off costs no wakeups.
 *
 * Stable: the scale's own flag, or, for a scale that has none
 * (LACTD_PLUGIN_FLAG_HOST_STABILITY), the weight held within the
 * tolerance for the settle time. A stable weight is stored once per
 * placement: the next weighing only after the weight moved beyond the
 * tolerance (the bottle was lifted, filled or changed).
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The smallest tolerance whatever the scale says of its resolution: a
 * 0.01 g scale jitters by more than one step. */
#define LACTD_SETTLE_MIN_TOLERANCE_G 0.1

typedef struct {
	gboolean have_anchor;
	double anchor_g;   /* the weight the current hold started at */
	gint64 anchor_us;  /* monotonic or real time of that start */
	gboolean have_stored;
	double stored_g;   /* the last weighing stored */
	gboolean rearmed;  /* the weight left stored_g since */
} LactdSettle;

/*
 * lactd_settle_take:
 * @scale_stable: the scale's flag (ignored when @host_stability)
 * @resolution_g: the plugin's weight_resolution_g (0: unknown)
 *
 * TRUE when @grams, seen at @now_us, is to be stored as a weighing; the
 * caller then calls lactd_settle_stored() once it is.
 */
gboolean lactd_settle_take(LactdSettle *s, double grams, gboolean scale_stable,
			   gboolean host_stability, double resolution_g, guint settle_ms,
			   gint64 now_us);
/* The weighing of @grams was stored. */
void lactd_settle_stored(LactdSettle *s, double grams);
/* The tolerance used for a resolution. */
double lactd_settle_tolerance(double resolution_g);

G_END_DECLS
