/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the ESN00 parser. The input is a sequence of packets, each one
 * byte choosing the characteristic (low bit: notify or another one), one
 * byte of length, then the bytes; all go through one parser state.
 */
#include "config.h"

#include "esn00-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Esn00ParseState st = {0};
	const LactdFuzzStream f = {esn00_parse, &st, {ESN00_NOTIFY, ESN00_READ}, 1,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT), FALSE, NULL};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
