/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "opp-encode.h"

void
opp_encode_feature(guint8 buf[OPP_FEATURE_LEN], guint16 flags, guint8 max_suction)
{
	opp_put_u16(buf, flags);
	buf[2] = max_suction;
}

void
opp_encode_status(guint8 buf[OPP_STATUS_LEN], guint8 state, guint32 session, guint16 elapsed,
		  guint8 suction, guint8 battery)
{
	buf[0] = state;
	opp_put_u32(buf + 1, session);
	opp_put_u16(buf + 5, elapsed);
	buf[7] = suction;
	buf[8] = battery;
}

void
opp_encode_measurement(guint8 buf[OPP_MEASUREMENT_LEN], guint32 session, guint16 sequence,
		       guint16 elapsed, guint16 left, guint16 right)
{
	opp_put_u32(buf, session);
	opp_put_u16(buf + 4, sequence);
	opp_put_u16(buf + 6, elapsed);
	opp_put_u16(buf + 8, left);
	opp_put_u16(buf + 10, right);
}

void
opp_encode_record(guint8 buf[OPP_RECORD_LEN], const OppRecord *r)
{
	memset(buf, 0, OPP_RECORD_LEN);
	opp_put_u32(buf, r->id);
	opp_put_u32(buf + 4, r->start);
	opp_put_u16(buf + 8, r->duration);
	opp_put_u16(buf + 10, r->left);
	opp_put_u16(buf + 12, r->right);
	buf[14] = r->flags;
}

gsize
opp_encode_response(guint8 buf[5], guint8 request, guint8 result, guint16 count)
{
	buf[0] = OPP_OP_RESPONSE;
	buf[1] = request;
	buf[2] = result;
	if (request == OPP_OP_REQUEST_RECORDS && result == OPP_RESULT_SUCCESS) {
		opp_put_u16(buf + 3, count);
		return 5;
	}
	return 3;
}

guint8
opp_decode_request(const guint8 *data, gsize len, guint8 *opcode, guint32 *value)
{
	*opcode = len > 0 ? data[0] : 0;
	*value = 0;
	if (*opcode < OPP_OP_SET_TIME || *opcode > OPP_OP_DELETE_RECORDS)
		return OPP_RESULT_NOT_SUPPORTED;
	if (len != 5)
		return OPP_RESULT_INVALID;
	*value = opp_get_u32(data + 1);
	return OPP_RESULT_SUCCESS;
}
