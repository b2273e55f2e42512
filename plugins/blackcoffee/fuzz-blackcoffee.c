/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Blackcoffee.io parser. The input is a sequence of
 * notifications, each one byte choosing the characteristic (low bit: FFB2
 * or another), one byte of length, then the bytes.
 */
#include "config.h"

#include "blackcoffee-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	BlackcoffeeParseState st = {0};
	const LactdFuzzStream f = {blackcoffee_parse, &st, {BLACKCOFFEE_NOTIFY, BLACKCOFFEE_SERVICE}, 1,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), FALSE, NULL};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
