/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Open Pump Profile, the pump's side: the bytes a pump sends. */
#pragma once

#include <glib.h>

#include "opp-parse.h"

G_BEGIN_DECLS

typedef struct {
	guint32 id;
	guint32 start; /* seconds since the epoch, 0 when unknown */
	guint16 duration;
	guint16 left; /* 0.1 mL, OPP_NO_CHANNEL when absent */
	guint16 right;
	guint8 flags;
} OppRecord;

void opp_encode_feature(guint8 buf[OPP_FEATURE_LEN], guint16 flags, guint8 max_suction);
void opp_encode_status(guint8 buf[OPP_STATUS_LEN], guint8 state, guint32 session,
		       guint16 elapsed, guint8 suction, guint8 battery);
void opp_encode_measurement(guint8 buf[OPP_MEASUREMENT_LEN], guint32 session, guint16 sequence,
			    guint16 elapsed, guint16 left, guint16 right);
void opp_encode_record(guint8 buf[OPP_RECORD_LEN], const OppRecord *record);
/* A Control Point response; count is sent only for a successful Request
 * Records. Returns the length written: 3 or 5. */
gsize opp_encode_response(guint8 buf[5], guint8 request, guint8 result, guint16 count);

/*
 * opp_decode_request:
 * Decodes a Control Point request as the pump receives it. Returns
 * OPP_RESULT_SUCCESS with *opcode and *value set, OPP_RESULT_NOT_SUPPORTED for
 * an opcode the profile does not define (or an empty write, opcode 0), or
 * OPP_RESULT_INVALID when the parameters are not one u32. *opcode is set
 * whenever there was a byte, so that the response can name the request.
 */
guint8 opp_decode_request(const guint8 *data, gsize len, guint8 *opcode, guint32 *value);

G_END_DECLS
