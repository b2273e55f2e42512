/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Open Pump Profile plugin: the host procedure of
 * docs/open-pump-profile.md. On connection: read Pump Feature, subscribe
 * to Pump Status, Expression Measurement, Session Record and Control Point,
 * set the pump's clock, and ask for every record newer than the last one
 * stored. Records are deleted on the pump only once every announced one is
 * durably stored (host->emit returned 0).
 */
#include "config.h"

#include <string.h>

#include "opp-parse.h"

typedef struct {
	OppParseState parse;
	gboolean syncing;     /* a Request Records answer is being received */
	guint32 announced;    /* records it said would follow */
	guint32 received;
	guint32 highest;      /* highest id stored in this sync */
	gboolean sync_failed; /* a record was not stored: delete nothing */
} OppDevice;

static void
send_request(LactdDevice *dev, const LactdHost *host, guint8 opcode, guint32 value)
{
	guint8 buf[5];

	opp_build_request(buf, opcode, value);
	host->write(dev, OPP_CONTROL, buf, sizeof(buf), TRUE);
}

static int
opp_attach(LactdDevice *dev, const LactdHost *host)
{
	const char *subscribe[] = {OPP_STATUS, OPP_MEASUREMENT, OPP_RECORD, OPP_CONTROL};

	if (host->read(dev, OPP_FEATURE) < 0)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(subscribe); i++) {
		if (host->subscribe(dev, subscribe[i]) < 0)
			return -1;
	}
	/* The host sends writes one at a time in order: Set Time is answered
	 * before Request Records goes out. */
	send_request(dev, host, OPP_OP_SET_TIME, (guint32)(host->now_us(dev) / G_USEC_PER_SEC));
	send_request(dev, host, OPP_OP_REQUEST_RECORDS, host->last_record(dev));
	return 0;
}

static void
finish_sync(LactdDevice *dev, const LactdHost *host, OppDevice *st)
{
	st->syncing = FALSE;
	if (st->sync_failed) {
		host->log(dev, LACTD_LOG_WARNING,
			  "not every record was stored: the pump keeps them for the next sync");
		return;
	}
	if (st->highest != 0)
		send_request(dev, host, OPP_OP_DELETE_RECORDS, st->highest);
}

static void
take_response(LactdDevice *dev, const LactdHost *host, OppDevice *st, const guint8 *data,
	      gsize len)
{
	OppResponse resp;
	const char *reason = NULL;

	if (!opp_parse_response(data, len, &resp, &reason)) {
		host->reject(dev, reason);
		return;
	}
	if (resp.result != OPP_RESULT_SUCCESS) {
		g_autofree char *msg = g_strdup_printf("Control Point request 0x%02x failed: result %u",
						       resp.request, resp.result);
		host->log(dev, LACTD_LOG_WARNING, msg);
		return;
	}
	if (resp.request == OPP_OP_REQUEST_RECORDS) {
		st->syncing = resp.count > 0;
		st->announced = resp.count;
		st->received = 0;
		st->highest = 0;
		st->sync_failed = FALSE;
	}
}

static void
take_record(LactdDevice *dev, const LactdHost *host, OppDevice *st, const guint8 *data,
	    gsize len)
{
	LactdReading r;
	const char *reason = NULL;
	int n = opp_parse(&st->parse, OPP_RECORD, data, len, &r, 1, &reason);
	gboolean stored;

	if (n < 0) {
		host->reject(dev, reason);
		if (st->syncing)
			st->sync_failed = TRUE;
	}
	stored = n == 1 && host->emit(dev, &r) == 0;
	if (!st->syncing) {
		/* A record indicated unasked at the end of a live session. */
		if (stored)
			send_request(dev, host, OPP_OP_DELETE_RECORDS, r.record.device_session);
		return;
	}
	st->received++;
	if (!stored)
		st->sync_failed = TRUE;
	else if (r.record.device_session > st->highest)
		st->highest = r.record.device_session;
	if (st->received >= st->announced)
		finish_sync(dev, host, st);
}

static void
opp_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	  size_t len, LactdValueOrigin origin)
{
	OppDevice *st = host->state(dev);
	LactdReading readings[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n;

	if (g_strcmp0(char_uuid, OPP_CONTROL) == 0) {
		take_response(dev, host, st, data, len);
		return;
	}
	if (g_strcmp0(char_uuid, OPP_RECORD) == 0) {
		take_record(dev, host, st, data, len);
		return;
	}
	n = opp_parse(&st->parse, char_uuid, data, len, readings, G_N_ELEMENTS(readings), &reason);
	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	for (int i = 0; i < n; i++)
		host->emit(dev, &readings[i]);
}

static int
opp_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
	      LactdReading *out, size_t max_out, const char **reason)
{
	return opp_parse(&((OppDevice *)state)->parse, char_uuid, data, len, out, max_out, reason);
}

static const char *const opp_services[] = {OPP_SERVICE, NULL};

static const LactdPluginDesc opp_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "opp",
    .description = "Open Pump Profile (docs/open-pump-profile.md)",
    .kind = LACTD_KIND_PUMP,
    .priority = 10,
    .state_size = sizeof(OppDevice),
    .service_uuids = opp_services,
    .attach = opp_attach,
    .value = opp_value,
    .parse = opp_parse_any,
};

LACTD_PLUGIN_DEFINE(opp_desc);
