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

/* The descriptor's parse() as a type. */
typedef int (*LactdFuzzParse)(void *state, const char *char_uuid, const uint8_t *data,
			      size_t len, LactdReading *out, size_t max_out, const char **reason);

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


/* The whole input as one notification on @uuid through @parse with
 * @state (may be NULL), checked by lactd_fuzz_check(). */
static inline void
lactd_fuzz_one(LactdFuzzParse parse, void *state, const char *uuid, const uint8_t *data,
	       size_t size, int max_n, guint types, gboolean never_stable)
{
	LactdReading out[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = parse(state, uuid, data, size, out, LACTD_READINGS_MAX, &reason);

	lactd_fuzz_check(n, reason, out, max_n, types, never_stable);
}

/* A stateful parser under lactd_fuzz_stream(). */
typedef struct {
	LactdFuzzParse parse;
	void *state;
	/* A notification's characteristic: uuids[0], or with uuids[1] set, the
	 * one a selector byte's low bit picks. */
	const char *uuids[2];
	int max_n;	  /* readings one notification may give */
	guint types;	  /* LACTD_FUZZ_TYPE bits allowed */
	gboolean never_stable;
	/* May be NULL: FALSE when the state broke a bound after a call; it may
	 * also clear what the caller reads once per call. */
	gboolean (*state_ok)(void *state);
} LactdFuzzStream;

/*
 * lactd_fuzz_stream:
 * Splits a fuzz input into notifications for a stateful parser, so that
 * frames split across and packed into notifications are exercised: each
 * is a selector byte (only when @f->uuids[1] is set), one byte of length,
 * then that many bytes (fewer at the end). Every result goes through
 * lactd_fuzz_check() and @f->state_ok.
 */
static inline void
lactd_fuzz_stream(const LactdFuzzStream *f, const uint8_t *data, size_t size)
{
	size_t head = f->uuids[1] != NULL ? 2 : 1;
	size_t pos = 0;

	while (pos + head <= size) {
		const char *uuid = head == 2 ? f->uuids[data[pos] & 1] : f->uuids[0];
		size_t len = data[pos + head - 1];
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n;

		pos += head;
		if (len > size - pos)
			len = size - pos;
		n = f->parse(f->state, uuid, data + pos, len, out, LACTD_READINGS_MAX, &reason);
		lactd_fuzz_check(n, reason, out, f->max_n, f->types, f->never_stable);
		if (f->state_ok != NULL && !f->state_ok(f->state))
			__builtin_trap();
		pos += len;
	}
}
