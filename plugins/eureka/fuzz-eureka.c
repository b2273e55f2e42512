/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Eureka Precisa parser: the input is one
 * notification.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "eureka-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	LactdReading out[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = eureka_parse(NULL, EUREKA_NOTIFY, data, size, out, G_N_ELEMENTS(out), &reason);

	if (n < 0 && reason == NULL)
		__builtin_trap(); /* every refusal says why */
	if (n > 1)
		__builtin_trap();
	for (int i = 0; i < n; i++) {
		if (out[i].type == LACTD_READING_WEIGHT &&
		    (!(fabs(out[i].weight.grams) <= LACTD_MAX_WEIGHT_G) || out[i].weight.stable))
			__builtin_trap();
		if (out[i].type == LACTD_READING_BATTERY && out[i].battery.percent > 100)
			__builtin_trap();
		if (out[i].type != LACTD_READING_WEIGHT && out[i].type != LACTD_READING_BATTERY)
			__builtin_trap();
	}
	return 0;
}
