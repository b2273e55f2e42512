/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Timemore Basic 3 and Dot parser. The input is a sequence of notifications,
 * each one byte of length then the bytes, all through one parser state so
 * that reassembly across notifications is exercised.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "tmbasic-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	TmbasicParseState st = {0};
	size_t pos = 0;

	while (pos + 1 <= size) {
		size_t len = data[pos];
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n;

		pos += 1;
		if (len > size - pos)
			len = size - pos;
		n = tmbasic_parse(&st, TMBASIC_NOTIFY, data + pos, len, out, G_N_ELEMENTS(out),
				   &reason);
		if (n < 0 && reason == NULL)
			__builtin_trap();
		if (n > (int)G_N_ELEMENTS(out) || st.have >= TMBASIC_FRAME_MAX)
			__builtin_trap();
		for (int i = 0; i < n; i++) {
			if (out[i].type == LACTD_READING_WEIGHT &&
			    !(fabs(out[i].weight.grams) <= LACTD_MAX_WEIGHT_G))
				__builtin_trap();
			if (out[i].type == LACTD_READING_BATTERY && out[i].battery.percent > 100)
				__builtin_trap();
		}
		pos += len;
	}
	return 0;
}
