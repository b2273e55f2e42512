/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For scale plugins whose scale repeats the same weight many times a
 * second: hand the host a weight only when it or its stable flag changed.
 * Compiled into each plugin that uses it (not part of the plugin ABI).
 */
#pragma once

#include <lactd/plugin.h>

typedef struct {
	bool have_last;
	double last_grams;
	bool last_stable;
} LactdWeightDedup;

/*
 * lactd_weight_dedup_emit:
 * Emits the @n readings of @r through @host, except a weight equal in
 * grams and stable flag to the last weight emitted. A weight the host
 * failed to take is not remembered, so the next frame offers it again.
 * Other readings are emitted as they come.
 */
void lactd_weight_dedup_emit(LactdWeightDedup *d, LactdDevice *dev, const LactdHost *host,
			     const LactdReading *r, int n);
