/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Acaia parser. The input is a sequence of notifications, each
 * one byte choosing the characteristic, one byte of length, then the
 * bytes; all go through one parser state, so that frames split across
 * notifications and the reassembly buffer's bounds are exercised.
 */
#include "config.h"

#include <math.h>
#include <stdint.h>

#include "acaia-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {ACAIA_NEW_NOTIFY, ACAIA_OLD_CHAR, ACAIA_NEW_WRITE};
	AcaiaParseState st = {0};
	size_t pos = 0;

	while (pos + 2 <= size) {
		const char *uuid = uuids[data[pos] % G_N_ELEMENTS(uuids)];
		size_t len = data[pos + 1];
		/* A few readings at most, so that running out of room is reached. */
		size_t room = (size_t)(data[pos] >> 4) % LACTD_READINGS_MAX + 1;
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		const guint8 *p;
		gsize plen;
		guint8 type;
		int n;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		n = acaia_parse(&st, uuid, data + pos, len, out, room, &reason);
		if (n < 0 && reason == NULL)
			__builtin_trap();
		if (n > (int)room || st.buf_len > ACAIA_BUF_MAX)
			__builtin_trap();
		for (int i = 0; i < n; i++) {
			if (out[i].type == LACTD_READING_WEIGHT &&
			    !(fabs(out[i].weight.grams) <= LACTD_MAX_WEIGHT_G))
				__builtin_trap();
			if (out[i].type == LACTD_READING_BATTERY && out[i].battery.percent > 100)
				__builtin_trap();
		}
		(void)acaia_check_command(data + pos, len, &type, &p, &plen, &reason);
		pos += len;
	}
	return 0;
}
