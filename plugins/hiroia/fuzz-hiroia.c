/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the Hiroia Jimmy parser: the input is one notification. */
#include "config.h"

#include "hiroia-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	HiroiaParseState st = {0};

	lactd_fuzz_one(hiroia_parse, &st, HIROIA_NOTIFY, data, size, 1,
		       LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), TRUE);
	return 0;
}
