/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Timemore Black Mirror parser: the input is one
 * indication.
 */
#include "config.h"

#include "lactd-fuzz.h"
#include "timemore-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lactd_fuzz_one(timemore_parse, NULL, TIMEMORE_WEIGHT, data, size, 1,
		       LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), TRUE);
	return 0;
}
