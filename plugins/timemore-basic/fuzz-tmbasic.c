/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Timemore Basic 3 and Dot parser. The input is a sequence of notifications,
 * each one byte of length then the bytes, all through one parser state so
 * that reassembly across notifications is exercised.
 */
#include "config.h"

#include "tmbasic-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
state_ok(void *state)
{
	TmbasicParseState *st = state;

	return st->have < TMBASIC_FRAME_MAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TmbasicParseState st = {0};
	const LactdFuzzStream f = {tmbasic_parse, &st, {TMBASIC_NOTIFY, NULL}, LACTD_READINGS_MAX,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), FALSE, state_ok};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
