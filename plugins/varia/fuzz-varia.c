/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Varia AKU parser: the input is one notification, as many
 * frames back to back as it holds.
 */
#include "config.h"

#include "lactd-fuzz.h"
#include "varia-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	lactd_fuzz_one(varia_parse, NULL, VARIA_NOTIFY, data, size, 2,
		       LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), TRUE);
	return 0;
}
