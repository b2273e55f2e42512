/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weights handed on only as they change (lactd-weight-dedup.h). */
#include "config.h"

#include "lactd-weight-dedup.h"

void
lactd_weight_dedup_emit(LactdWeightDedup *d, LactdDevice *dev, const LactdHost *host,
			const LactdReading *r, int n)
{
	for (int i = 0; i < n; i++) {
		if (r[i].type != LACTD_READING_WEIGHT) {
			host->emit(dev, &r[i]);
			continue;
		}
		if (d->have_last && d->last_grams == r[i].weight.grams &&
		    d->last_stable == r[i].weight.stable)
			continue;
		if (host->emit(dev, &r[i]) < 0)
			continue;
		d->have_last = true;
		d->last_grams = r[i].weight.grams;
		d->last_stable = r[i].weight.stable;
	}
}
