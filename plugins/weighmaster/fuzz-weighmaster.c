/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the WeighMaster parser. The input is a sequence of notifications,
 * each one byte choosing the characteristic (low bit: FFF4 or FFF1), one
 * byte of length, then the bytes; all go through one parser state, so that
 * frames split across and packed into notifications are exercised.
 */
#include "config.h"

#include "weighmaster-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static gboolean
state_ok(void *state)
{
	WeighmasterParseState *st = state;

	st->late_reason = NULL;
	return st->len < WEIGHMASTER_FRAME_LEN;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	WeighmasterParseState st = {0};
	const LactdFuzzStream f = {weighmaster_parse, &st, {WEIGHMASTER_NOTIFY, WEIGHMASTER_WRITE}, LACTD_READINGS_MAX,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), FALSE, state_ok};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
