/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "opp-parse.h"

#define MAX_DECILITRES ((guint16)(LACTD_MAX_SIDE_ML * 10))

static int
refuse(const char **reason, const char *why)
{
	*reason = why;
	return -1;
}

static LactdReading *
next(LactdReading *out, gsize max_out, int *n, LactdReadingType type)
{
	LactdReading *r;

	if ((gsize)*n >= max_out)
		return NULL;
	r = &out[(*n)++];
	memset(r, 0, sizeof(*r));
	r->type = type;
	return r;
}

static int
parse_feature(OppParseState *st, const guint8 *d, gsize len, LactdReading *out, gsize max_out,
	      const char **reason)
{
	guint16 flags;
	LactdReading *r;
	int n = 0;

	if (len < OPP_FEATURE_LEN)
		return refuse(reason, "Pump Feature: shorter than 3 bytes");
	flags = opp_get_u16(d);
	if (flags & OPP_FEAT_RESERVED)
		return refuse(reason, "Pump Feature: reserved flag bits set");
	if ((flags & (OPP_FEAT_LEFT | OPP_FEAT_RIGHT)) == 0)
		return refuse(reason, "Pump Feature: neither channel");
	if (!(flags & OPP_FEAT_SUCTION) && d[2] != 0)
		return refuse(reason, "Pump Feature: suction level without the suction flag");
	st->have_features = TRUE;
	st->features = flags;
	st->max_suction = d[2];
	if ((r = next(out, max_out, &n, LACTD_READING_FEATURES)) != NULL) {
		r->features.channels = (flags & OPP_FEAT_LEFT ? LACTD_CHANNEL_LEFT : 0) |
				       (flags & OPP_FEAT_RIGHT ? LACTD_CHANNEL_RIGHT : 0);
		r->features.measures_volume = (flags & OPP_FEAT_VOLUME) != 0;
		r->features.max_suction = d[2];
		r->features.stores_records = (flags & OPP_FEAT_RECORDS) != 0;
		r->features.has_clock = (flags & OPP_FEAT_CLOCK) != 0;
	}
	return n;
}

static int
parse_status(OppParseState *st, const guint8 *d, gsize len, LactdReading *out, gsize max_out,
	     const char **reason)
{
	guint8 state, suction, battery;
	guint32 session;
	LactdReading *r;
	int n = 0;

	if (len < OPP_STATUS_LEN)
		return refuse(reason, "Pump Status: shorter than 9 bytes");
	state = d[0];
	session = opp_get_u32(d + 1);
	suction = d[7];
	battery = d[8];
	if (state > LACTD_PHASE_PAUSED)
		return refuse(reason, "Pump Status: invalid state");
	if ((state == LACTD_PHASE_IDLE) != (session == 0))
		return refuse(reason, "Pump Status: session id 0 if and only if idle");
	/* Without the suction flag the highest level is 0, so any level is out
	 * of range; before the features are read nothing bounds it but the u8. */
	if (st->have_features && suction > st->max_suction)
		return refuse(reason, "Pump Status: suction above the highest level");
	if (battery > 100 && battery != 255)
		return refuse(reason, "Pump Status: battery over 100 %");
	if ((r = next(out, max_out, &n, LACTD_READING_PHASE)) != NULL) {
		r->phase.phase = (LactdPhase)state;
		r->phase.device_session = session;
		r->phase.elapsed_s = opp_get_u16(d + 5);
	}
	if ((!st->have_features || (st->features & OPP_FEAT_SUCTION)) &&
	    (r = next(out, max_out, &n, LACTD_READING_SUCTION)) != NULL) {
		r->suction.level = suction;
		r->suction.max_level = st->max_suction;
	}
	if (battery != 255 && (r = next(out, max_out, &n, LACTD_READING_BATTERY)) != NULL)
		r->battery.percent = battery;
	return n;
}

static int
parse_measurement(OppParseState *st, const guint8 *d, gsize len, LactdReading *out,
		  gsize max_out, const char **reason)
{
	guint32 session;
	guint16 left, right;
	LactdReading *r;
	int n = 0;

	if (len < OPP_MEASUREMENT_LEN)
		return refuse(reason, "Expression Measurement: shorter than 12 bytes");
	session = opp_get_u32(d);
	left = opp_get_u16(d + 8);
	right = opp_get_u16(d + 10);
	if (session == 0)
		return refuse(reason, "Expression Measurement: session id 0");
	if (left == OPP_NO_CHANNEL && right == OPP_NO_CHANNEL)
		return refuse(reason, "Expression Measurement: no channel");
	if ((left != OPP_NO_CHANNEL && left > MAX_DECILITRES) ||
	    (right != OPP_NO_CHANNEL && right > MAX_DECILITRES))
		return refuse(reason, "Expression Measurement: over 1000 mL a side");
	if (session == st->session &&
	    ((left != OPP_NO_CHANNEL && left < st->last_left) ||
	     (right != OPP_NO_CHANNEL && right < st->last_right)))
		return refuse(reason, "Expression Measurement: volume decreased within a session");
	if (session != st->session) {
		st->session = session;
		st->last_left = st->last_right = 0;
	}
	if (left != OPP_NO_CHANNEL)
		st->last_left = left;
	if (right != OPP_NO_CHANNEL)
		st->last_right = right;
	if ((r = next(out, max_out, &n, LACTD_READING_VOLUME)) != NULL) {
		r->volume.device_session = session;
		r->volume.sequence = opp_get_u16(d + 4);
		r->volume.elapsed_s = opp_get_u16(d + 6);
		r->volume.channels = (left != OPP_NO_CHANNEL ? LACTD_CHANNEL_LEFT : 0) |
				     (right != OPP_NO_CHANNEL ? LACTD_CHANNEL_RIGHT : 0);
		r->volume.left_ml = left != OPP_NO_CHANNEL ? left / 10.0 : 0;
		r->volume.right_ml = right != OPP_NO_CHANNEL ? right / 10.0 : 0;
	}
	return n;
}

/*
 * Profile 1.1: the record's fields take 15 bytes: id (4), start (4),
 * duration (2), left (2), right (2), flags (1). A shorter value is refused;
 * bytes past the flags (version 1's 17-byte heading, or fields a later
 * version appends) are ignored, whatever they hold.
 */
static int
parse_record(const guint8 *d, gsize len, LactdReading *out, gsize max_out, const char **reason)
{
	guint32 session, start;
	guint16 left, right;
	guint8 flags;
	LactdReading *r;
	int n = 0;

	if (len < OPP_RECORD_LEN)
		return refuse(reason, "Session Record: shorter than 15 bytes");
	session = opp_get_u32(d);
	start = opp_get_u32(d + 4);
	left = opp_get_u16(d + 10);
	right = opp_get_u16(d + 12);
	flags = d[14];
	if (session == 0)
		return refuse(reason, "Session Record: session id 0");
	if (flags & ~0x07u)
		return refuse(reason, "Session Record: reserved flag bits set");
	if (opp_get_u16(d + 8) > OPP_MAX_DURATION_S)
		return refuse(reason, "Session Record: duration over 12 hours");
	if ((left != OPP_NO_CHANNEL && left > MAX_DECILITRES) ||
	    (right != OPP_NO_CHANNEL && right > MAX_DECILITRES))
		return refuse(reason, "Session Record: over 1000 mL a side");
	if ((r = next(out, max_out, &n, LACTD_READING_RECORD)) != NULL) {
		r->record.device_session = session;
		r->record.start_us = (gint64)start * G_USEC_PER_SEC;
		r->record.duration_s = opp_get_u16(d + 8);
		r->record.channels = (left != OPP_NO_CHANNEL ? LACTD_CHANNEL_LEFT : 0) |
				     (right != OPP_NO_CHANNEL ? LACTD_CHANNEL_RIGHT : 0);
		r->record.left_ml = left != OPP_NO_CHANNEL ? left / 10.0 : 0;
		r->record.right_ml = right != OPP_NO_CHANNEL ? right / 10.0 : 0;
		r->record.flags = (flags & 0x01 ? LACTD_RECORD_ENDED_BY_USER : 0) |
				  (flags & 0x02 ? LACTD_RECORD_INTERRUPTED : 0) |
				  (flags & 0x04 ? LACTD_RECORD_START_ESTIMATED : 0);
	}
	return n;
}

gboolean
opp_parse_response(const guint8 *data, gsize len, OppResponse *response, const char **reason)
{
	memset(response, 0, sizeof(*response));
	if (len < 3 || data[0] != OPP_OP_RESPONSE) {
		*reason = "Control Point: not a response";
		return FALSE;
	}
	response->request = data[1];
	response->result = data[2];
	if (response->result > OPP_RESULT_FAILED) {
		*reason = "Control Point: unknown result code";
		return FALSE;
	}
	if (response->request == OPP_OP_REQUEST_RECORDS && response->result == OPP_RESULT_SUCCESS) {
		if (len != 5) {
			*reason = "Control Point: Request Records response needs a count";
			return FALSE;
		}
		response->has_count = TRUE;
		response->count = opp_get_u16(data + 3);
	} else if (len != 3) {
		*reason = "Control Point: unexpected response data";
		return FALSE;
	}
	return TRUE;
}

void
opp_build_request(guint8 buf[5], guint8 opcode, guint32 value)
{
	buf[0] = opcode;
	opp_put_u32(buf + 1, value);
}

int
opp_parse(void *state, const char *char_uuid, const guint8 *data, gsize len, LactdReading *out,
	  gsize max_out, const char **reason)
{
	OppParseState *st = state;

	if (g_strcmp0(char_uuid, OPP_FEATURE) == 0)
		return parse_feature(st, data, len, out, max_out, reason);
	if (g_strcmp0(char_uuid, OPP_STATUS) == 0)
		return parse_status(st, data, len, out, max_out, reason);
	if (g_strcmp0(char_uuid, OPP_MEASUREMENT) == 0)
		return parse_measurement(st, data, len, out, max_out, reason);
	if (g_strcmp0(char_uuid, OPP_RECORD) == 0)
		return parse_record(data, len, out, max_out, reason);
	return 0;
}
