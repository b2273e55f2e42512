/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the Open Pump Profile parser. The input is a sequence of packets,
 * each one byte choosing the characteristic (low 3 bits), one byte of
 * length, then the bytes; all go through one parser state, so the checks
 * that span packets (features, volumes within a session) are reached. Each
 * packet also goes through the Control Point response parser and the pump's
 * request decoder.
 */
#include "config.h"

#include <stdint.h>

#include "opp-encode.h"
#include "opp-parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const uuids[] = {OPP_FEATURE, OPP_STATUS, OPP_MEASUREMENT,
					    OPP_RECORD,	 OPP_CONTROL, "unknown"};
	OppParseState st = {0};
	size_t pos = 0;

	while (pos + 2 <= size) {
		const char *uuid = uuids[(data[pos] & 0x07) % G_N_ELEMENTS(uuids)];
		size_t len = data[pos + 1];
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		OppResponse resp;
		guint8 opcode;
		guint32 value;
		int n;

		pos += 2;
		if (len > size - pos)
			len = size - pos;
		n = opp_parse(&st, uuid, data + pos, len, out, G_N_ELEMENTS(out), &reason);
		if (n < 0 && reason == NULL)
			__builtin_trap(); /* every refusal says why */
		if (n > LACTD_READINGS_MAX)
			__builtin_trap();
		if (!opp_parse_response(data + pos, len, &resp, &reason) && reason == NULL)
			__builtin_trap();
		if (opp_decode_request(data + pos, len, &opcode, &value) > OPP_RESULT_INVALID)
			__builtin_trap();
		pos += len;
	}
	return 0;
}
