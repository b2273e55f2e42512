/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile, version 1 (docs/open-pump-profile.md): the host side's
 * pure parser and the Control Point requests it writes. All fields are
 * little-endian.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

#define OPP_UUID(n)	"df84000" n "-84b3-444b-a8f5-c3bc3142a562"
#define OPP_SERVICE	OPP_UUID("1")
#define OPP_FEATURE	OPP_UUID("2")
#define OPP_STATUS	OPP_UUID("3")
#define OPP_MEASUREMENT OPP_UUID("4")
#define OPP_RECORD	OPP_UUID("5")
#define OPP_CONTROL	OPP_UUID("6")

#define OPP_FEATURE_LEN	    3
#define OPP_STATUS_LEN	    9
#define OPP_MEASUREMENT_LEN 12
#define OPP_RECORD_LEN	    15

/* Pump Feature flags */
#define OPP_FEAT_LEFT	     (1u << 0)
#define OPP_FEAT_RIGHT	     (1u << 1)
#define OPP_FEAT_VOLUME	     (1u << 2)
#define OPP_FEAT_SUCTION     (1u << 3)
#define OPP_FEAT_RECORDS     (1u << 4)
#define OPP_FEAT_CLOCK	     (1u << 5)
#define OPP_FEAT_RESERVED    0xffc0u

#define OPP_NO_CHANNEL 0xffffu

/*
 * The profile bounds a record's duration only by its u16 (18 h). lactd takes
 * anything over 12 hours for a stuck counter or a corrupt value: no expression
 * session, even a forgotten wearable, runs that long.
 */
#define OPP_MAX_DURATION_S (12u * 3600u)

/* Control Point */
#define OPP_OP_SET_TIME	       0x01
#define OPP_OP_REQUEST_RECORDS 0x02
#define OPP_OP_DELETE_RECORDS  0x03
#define OPP_OP_RESPONSE	       0x80

#define OPP_RESULT_SUCCESS	 0
#define OPP_RESULT_NOT_SUPPORTED 1
#define OPP_RESULT_INVALID	 2
#define OPP_RESULT_FAILED	 3

/* What validation across packets needs; zeroed for a new device. */
typedef struct {
	gboolean have_features;
	guint16 features;
	guint8 max_suction;
	guint32 session;     /* session of the last measurement */
	guint16 last_left;   /* its cumulative volumes, 0.1 mL */
	guint16 last_right;
} OppParseState;

typedef struct {
	guint8 request;
	guint8 result;
	gboolean has_count;
	guint16 count; /* Request Records: records that follow */
} OppResponse;

/* The descriptor's parse(): readings from Pump Feature, Pump Status, Expression
 * Measurement and Session Record; nothing from Control Point responses. */
int opp_parse(void *state, const char *char_uuid, const guint8 *data, gsize len,
	      LactdReading *out, gsize max_out, const char **reason);
/* A Control Point indication. */
gboolean opp_parse_response(const guint8 *data, gsize len, OppResponse *response,
			    const char **reason);
/* Control Point requests: five bytes each (opcode, u32). */
void opp_build_request(guint8 buf[5], guint8 opcode, guint32 value);

static inline guint16
opp_get_u16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

static inline guint32
opp_get_u32(const guint8 *p)
{
	return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

static inline void
opp_put_u16(guint8 *p, guint16 v)
{
	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static inline void
opp_put_u32(guint8 *p, guint32 v)
{
	p[0] = v & 0xff;
	p[1] = (v >> 8) & 0xff;
	p[2] = (v >> 16) & 0xff;
	p[3] = v >> 24;
}

G_END_DECLS
