/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Eureka Precisa parser: the input is one
 * notification.
 */
#include "config.h"

#include "lactd-fuzz.h"
#include "eureka-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lactd_fuzz_one(eureka_parse, NULL, EUREKA_NOTIFY, data, size, 1,
		       LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), TRUE);
	return 0;
}
