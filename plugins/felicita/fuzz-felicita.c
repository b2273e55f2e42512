/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Felicita parser. The input is a sequence of notifications,
 * each one byte of length then the bytes, all through one parser state so
 * that reassembly across notifications is exercised.
 */
#include "config.h"

#include "felicita-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
state_ok(void *state)
{
	FelicitaParseState *st = state;

	return st->have < FELICITA_FRAME_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	FelicitaParseState st = {0};
	const LactdFuzzStream f = {felicita_parse, &st, {FELICITA_CHAR, NULL}, LACTD_READINGS_MAX,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), FALSE, state_ok};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
