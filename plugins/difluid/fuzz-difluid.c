/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the DiFluid Microbalance parser. The input is a sequence of notifications,
 * each one byte choosing the characteristic (low bit: AA01 or another), one
 * byte of length, then the bytes; all go through one parser state, so that
 * frames split across and packed into notifications are exercised.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "difluid-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {DIFLUID_CHAR, DIFLUID_SERVICE};
	DifluidParseState st = {0};
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
		n = difluid_parse(&st, uuid, data + pos, len, out, G_N_ELEMENTS(out), &reason);
		if (n < 0 && reason == NULL)
			__builtin_trap(); /* every refusal says why */
		if (n > (int)G_N_ELEMENTS(out) || st.len >= DIFLUID_MAX_FRAME)
			__builtin_trap();
		for (int i = 0; i < n; i++) {
			if (out[i].type == LACTD_READING_BATTERY && out[i].battery.percent <= 100)
				continue;
			if (out[i].type != LACTD_READING_WEIGHT || out[i].weight.stable ||
			    !(fabs(out[i].weight.grams) <= LACTD_MAX_WEIGHT_G))
				__builtin_trap();
		}
		st.late_reason = NULL;
		pos += len;
	}
	return 0;
}
