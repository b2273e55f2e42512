/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Blackcoffee.io parser. The input is a sequence of
 * notifications, each one byte choosing the characteristic (low bit: FFB2
 * or another), one byte of length, then the bytes.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "blackcoffee-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {BLACKCOFFEE_NOTIFY, BLACKCOFFEE_SERVICE};
	BlackcoffeeParseState st = {0};
	size_t pos = 0;

	while (pos + 2 <= size) {
		const char *uuid = uuids[data[pos] & 1];
		size_t len = data[pos + 1];
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		n = blackcoffee_parse(&st, uuid, data + pos, len, out, G_N_ELEMENTS(out), &reason);
		if (n < 0 && reason == NULL)
			__builtin_trap(); /* every refusal says why */
		if (n > 1)
			__builtin_trap();
		if (n == 1 && (out[0].type != LACTD_READING_WEIGHT ||
			       !(fabs(out[0].weight.grams) <= LACTD_MAX_WEIGHT_G)))
			__builtin_trap();
		pos += len;
	}
	return 0;
}
