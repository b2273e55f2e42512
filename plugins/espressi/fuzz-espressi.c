/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the EspressiScale parser. The input is a sequence of notifications,
 * each one byte choosing the characteristic (low bit: FFF4 or 36F5), one
 * byte of length, then the bytes; all go through one parser state, so that
 * frames split across and packed into notifications are exercised.
 */
#include "config.h"

#include "espressi-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
state_ok(void *state)
{
	EspressiParseState *st = state;

	st->late_reason = NULL;
	return st->len < ESPRESSI_FRAME_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	EspressiParseState st = {0};
	const LactdFuzzStream f = {espressi_parse, &st, {ESPRESSI_NOTIFY, ESPRESSI_WRITE}, LACTD_READINGS_MAX,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), FALSE, state_ok};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
