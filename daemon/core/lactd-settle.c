/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Stable weights and one weighing per placement (lactd-settle.h).
 */
#include "config.h"

#include <math.h>

#include "lactd-settle.h"

double
lactd_settle_tolerance(double resolution_g)
{
	if (!isfinite(resolution_g) || resolution_g < LACTD_SETTLE_MIN_TOLERANCE_G)
		return LACTD_SETTLE_MIN_TOLERANCE_G;
	return resolution_g;
}

gboolean
lactd_settle_take(LactdSettle *s, double grams, gboolean scale_stable, gboolean host_stability,
		  double resolution_g, guint settle_ms, gint64 now_us)
{
	double tol = lactd_settle_tolerance(resolution_g);
	gboolean stable;

	/* Half a step of slack: a weight that jitters by exactly one step is
	 * still the same placement. */
	if (s->have_stored && fabs(grams - s->stored_g) > tol * 1.5)
		s->rearmed = TRUE;
	if (!s->have_anchor || fabs(grams - s->anchor_g) > tol * 1.5 || now_us < s->anchor_us) {
		s->have_anchor = TRUE;
		s->anchor_g = grams;
		s->anchor_us = now_us;
	}
	if (host_stability)
		stable = now_us - s->anchor_us >= (gint64)settle_ms * 1000;
	else
		stable = scale_stable;
	if (!stable || grams <= 0)
		return FALSE;
	return !s->have_stored || s->rearmed;
}

void
lactd_settle_stored(LactdSettle *s, double grams)
{
	s->have_stored = TRUE;
	s->stored_g = grams;
	s->rearmed = FALSE;
}
