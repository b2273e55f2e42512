/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Open Pump Profile plugin: the host procedure of
 * docs/open-pump-profile.md. On connection: read Pump Feature, subscribe
 * to Pump Status, Expression Measurement, Session Record and Control Point,
 * set the pump's clock, and ask for every record newer than the last one
 * stored. Records are deleted on the pump only once every announced one is
 * durably stored (host->emit returned 0), and never again on a connection
 * where one was not.
 */
#include "config.h"

#include <string.h>

#include "opp-parse.h"

typedef enum {
	SYNC_WAITING = 0, /* Request Records written, not answered yet */
	SYNC_RECEIVING,	  /* the answer announced records that are arriving */
	SYNC_DONE,	  /* every announced record stored: deleting is safe */
	SYNC_FAILED,	  /* refused, or a record not stored: delete nothing */
} SyncState;

typedef struct {
	OppParseState parse;
	SyncState sync;
	guint32 announced;     /* records the Request Records answer said would follow */
	guint32 received;
	guint32 highest;       /* highest id stored in this sync */
	guint32 live_session;  /* session of the last active Pump Status */
	gboolean store_failed; /* a record was refused or not stored on this connection */
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
	OppDevice *st = host->state(dev);

	if (host->read(dev, OPP_FEATURE) < 0)
		return -1;
	for (guint i = 0; i < G_N_ELEMENTS(subscribe); i++) {
		if (host->subscribe(dev, subscribe[i]) < 0)
			return -1;
	}
	/*
	 * Both requests go out now, without waiting for Set Time's answer. The
	 * host queues writes in order, and every response names the opcode it
	 * answers, so the two answers cannot be confused whatever their timing.
	 * Waiting would gain nothing: Set Time does not change records already
	 * stored (their start is 0 or estimated by the pump either way), and a
	 * pump that refuses Set Time (no clock) or never answers it must still
	 * give up its records.
	 */
	st->sync = SYNC_WAITING;
	send_request(dev, host, OPP_OP_SET_TIME, (guint32)(host->now_us(dev) / G_USEC_PER_SEC));
	send_request(dev, host, OPP_OP_REQUEST_RECORDS, host->last_record(dev));
	return 0;
}

static void
finish_sync(LactdDevice *dev, const LactdHost *host, OppDevice *st)
{
	if (st->store_failed) {
		st->sync = SYNC_FAILED;
		host->log(dev, LACTD_LOG_WARNING,
			  "not every record was stored: the pump keeps them for the next sync");
		return;
	}
	st->sync = SYNC_DONE;
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
		/* Without the list of stored records, deleting any of them
		 * could take older ones that were never sent. */
		if (resp.request == OPP_OP_REQUEST_RECORDS)
			st->sync = SYNC_FAILED;
		return;
	}
	if (resp.request != OPP_OP_REQUEST_RECORDS)
		return;
	if (st->sync != SYNC_WAITING) {
		/* Asked once per connection: a second count cannot be matched
		 * with the records it announces. */
		host->reject(dev, "Control Point: Request Records answered twice");
		st->sync = SYNC_FAILED;
		return;
	}
	st->announced = resp.count;
	st->received = 0;
	st->highest = 0;
	st->sync = SYNC_RECEIVING;
	if (resp.count == 0)
		finish_sync(dev, host, st);
}

/*
 * A Session Record: stored through host->emit, then counted towards the
 * sync it was announced by, or, sent unasked at the end of a live session,
 * deleted on its own once stored. Delete Records forgets every record up to
 * its id, so an unasked record is deleted only after a clean sync, when every
 * older record on the pump is known to be stored here.
 */
static void
take_record(LactdDevice *dev, const LactdHost *host, OppDevice *st, const guint8 *data,
	    gsize len)
{
	LactdReading r;
	const char *reason = NULL;
	gboolean stored = FALSE;
	gboolean unasked;
	int n;

	memset(&r, 0, sizeof(r));
	n = opp_parse(&st->parse, OPP_RECORD, data, len, &r, 1, &reason);
	if (n < 0)
		host->reject(dev, reason);
	else if (n == 1)
		stored = host->emit(dev, &r) == 0;
	if (!stored)
		st->store_failed = TRUE;

	/* The record of the session this connection saw live was not asked
	 * for, even when it arrives in the middle of a sync. */
	unasked = st->sync != SYNC_RECEIVING ||
		  (stored && st->live_session != 0 && r.record.device_session == st->live_session);
	if (unasked) {
		if (stored && st->sync == SYNC_DONE && !st->store_failed)
			send_request(dev, host, OPP_OP_DELETE_RECORDS, r.record.device_session);
		else if (stored)
			host->log(dev, LACTD_LOG_INFO,
				  "session record stored; the pump keeps it until a complete sync");
		return;
	}
	st->received++;
	if (stored && r.record.device_session > st->highest)
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
	for (int i = 0; i < n; i++) {
		if (readings[i].type == LACTD_READING_PHASE && readings[i].phase.device_session != 0)
			st->live_session = readings[i].phase.device_session;
		host->emit(dev, &readings[i]);
	}
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
