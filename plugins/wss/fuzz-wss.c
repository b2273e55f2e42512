/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Fuzzes the Weight Scale parser: the first byte picks the characteristic. */
#include "config.h"

#include <stdint.h>

#include "wss-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LactdReading r;
	const char *reason = NULL;
	int n;

	if (size < 1)
		return 0;
	n = wss_parse(NULL, data[0] & 1 ? WSS_FEATURE : WSS_MEASUREMENT, data + 1, size - 1, &r, 1,
		      &reason);
	if (n < 0 && reason == NULL)
		__builtin_trap();
	if (n == 1 && !(r.weight.grams >= 0 && r.weight.grams <= LACTD_MAX_WEIGHT_G))
		__builtin_trap();
	return 0;
}
