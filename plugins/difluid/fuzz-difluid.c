/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the DiFluid Microbalance parser. The input is a sequence of notifications,
 * each one byte choosing the characteristic (low bit: AA01 or another), one
 * byte of length, then the bytes; all go through one parser state, so that
 * frames split across and packed into notifications are exercised.
 */
#include "config.h"

#include "difluid-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
state_ok(void *state)
{
	DifluidParseState *st = state;

	st->late_reason = NULL;
	return st->len < DIFLUID_MAX_FRAME;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	DifluidParseState st = {0};
	const LactdFuzzStream f = {difluid_parse, &st, {DIFLUID_CHAR, DIFLUID_SERVICE}, LACTD_READINGS_MAX,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), TRUE, state_ok};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
