/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the Atomax Skale parser: the input is one notification. */
#include "config.h"

#include "lactd-fuzz.h"
#include "skale-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lactd_fuzz_one(skale_parse, NULL, SKALE_NOTIFY, data, size, 1,
		       LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), TRUE);
	return 0;
}
