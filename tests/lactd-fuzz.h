/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every plugin's fuzz target checks of a parse() result, and the one
 * input shape the stream parsers share. Header only, so that a fuzz target
 * stays one parser source and one file of its own.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>
#include <math.h>

/* A reading type allowed in a result, for lactd_fuzz_check's @types. */
#define LACTD_FUZZ_TYPE(t) (1u << (t))

/*
 * lactd_fuzz_check:
 * Traps unless the parser kept the ABI's promises: a refusal says why; no
 * more than @max_n readings; only @types (LACTD_FUZZ_TYPE bits); a weight
 * finite and within 30 kg, and never stable when @never_stable; a battery
 * within 100 %.
 */
static inline void
lactd_fuzz_check(int n, const char *reason, const LactdReading *out, int max_n, guint types,
		 gboolean never_stable)
{
	if (n < 0 && reason == NULL)
		__builtin_trap();
	if (n > max_n)
		__builtin_trap();
	for (int i = 0; i < n; i++) {
		const LactdReading *r = &out[i];

		if ((types & LACTD_FUZZ_TYPE(r->type)) == 0)
			__builtin_trap();
		if (r->type == LACTD_READING_WEIGHT &&
		    (!(fabs(r->weight.grams) <= LACTD_MAX_WEIGHT_G) ||
		     (never_stable && r->weight.stable)))
			__builtin_trap();
		if (r->type == LACTD_READING_BATTERY && r->battery.percent > 100)
			__builtin_trap();
	}
}

/*
 * lactd_fuzz_chunks:
 * Splits a fuzz input into notifications for a stateful parser: each is
 * one byte whose low bit picks @uuids[0] or @uuids[1], one byte of length,
 * then that many bytes (fewer at the end). Calls @feed on each in order.
 */
static inline void
lactd_fuzz_chunks(const uint8_t *data, size_t size, const char *const uuids[2],
		  void (*feed)(const char *uuid, const uint8_t *data, size_t len, void *user),
		  void *user)
{
	size_t pos = 0;

	while (pos + 2 <= size) {
		const char *uuid = uuids[data[pos] & 1];
		size_t len = data[pos + 1];

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		feed(uuid, data + pos, len, user);
		pos += len;
	}
}
