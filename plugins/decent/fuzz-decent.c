/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Decent Scale parser. The input is a sequence of packets, each
 * one byte choosing the characteristic (low bit: FFF4 or the write one),
 * one byte of length, then the bytes; all go through one parser state, so
 * that the settling count is exercised across frames.
 */
#include "config.h"

#include "decent-parse.h"
#include "lactd-fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	DecentParseState st = {0};
	const LactdFuzzStream f = {decent_parse, &st, {DECENT_NOTIFY, DECENT_WRITE}, 1,
				   LACTD_FUZZ_TYPE(LACTD_READING_WEIGHT) | LACTD_FUZZ_TYPE(LACTD_READING_BATTERY), FALSE, NULL};

	lactd_fuzz_stream(&f, data, size);
	return 0;
}
