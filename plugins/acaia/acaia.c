/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Acaia scale plugin (protocol: acaia-parse.h).
 *
 * On connection: subscribe (the newer scales' notify characteristic, else
 * the older scales' single one), identify, ask for events, then a heartbeat
 * every ACAIA_HEARTBEAT_MS, without which the scale stops sending. If two
 * heartbeats pass with no frame from the scale, the handshake is sent
 * again, as Beanconqueror does. A settled weight is emitted once, not once
 * per repeated event; a failed emit is retried on the next repeat.
 */
#include "config.h"

#include <string.h>

#include "common/lactd-weight-dedup.h"
#include "acaia-parse.h"

typedef struct {
	AcaiaParseState parse;
	gboolean newer;
	guint32 timer;
	guint64 frames_seen; /* parse.frames at the last heartbeat */
	guint quiet;	     /* heartbeats since a frame came */
	LactdWeightDedup dedup;
} AcaiaDevice;

static const char *
write_uuid(const AcaiaDevice *st)
{
	return st->newer ? ACAIA_NEW_WRITE : ACAIA_OLD_CHAR;
}

static void
handshake(LactdDevice *dev, const LactdHost *host, AcaiaDevice *st)
{
	guint8 buf[20];
	gsize n;

	n = acaia_build_identify(buf, st->newer);
	host->write(dev, write_uuid(st), buf, n, FALSE);
	n = acaia_build_notification_request(buf);
	host->write(dev, write_uuid(st), buf, n, FALSE);
}

static int
acaia_attach(LactdDevice *dev, const LactdHost *host)
{
	AcaiaDevice *st = host->state(dev);

	if (host->subscribe(dev, ACAIA_NEW_NOTIFY) == 0)
		st->newer = TRUE;
	else if (host->subscribe(dev, ACAIA_OLD_CHAR) == 0)
		st->newer = FALSE;
	else
		return -1;
	handshake(dev, host, st);
	st->timer = host->timer_start(dev, ACAIA_HEARTBEAT_MS);
	return st->timer != 0 ? 0 : -1;
}

static void
acaia_timer(LactdDevice *dev, const LactdHost *host, uint32_t timer_id)
{
	AcaiaDevice *st = host->state(dev);
	guint8 buf[7];
	gsize n = acaia_build_heartbeat(buf);

	host->write(dev, write_uuid(st), buf, n, FALSE);
	if (st->parse.frames != st->frames_seen) {
		st->frames_seen = st->parse.frames;
		st->quiet = 0;
	} else if (++st->quiet >= 2) {
		host->log(dev, LACTD_LOG_INFO, "acaia: the scale is silent; identifying again");
		handshake(dev, host, st);
		st->quiet = 0;
	}
}

static void
acaia_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	    size_t len, LactdValueOrigin origin)
{
	AcaiaDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = acaia_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	/* One refusal for each frame refused, even when others were good. */
	for (guint i = 0; i < st->parse.call_refused; i++)
		host->reject(dev, st->parse.call_reasons[MIN(i, ACAIA_REASONS_MAX - 1)]);
	lactd_weight_dedup_emit(&st->dedup, dev, host, r, n);
}

static void
acaia_detach(LactdDevice *dev, const LactdHost *host)
{
	AcaiaDevice *st = host->state(dev);

	if (st->timer != 0)
		host->timer_stop(dev, st->timer);
	st->timer = 0;
}

static int
acaia_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		LactdReading *out, size_t max_out, const char **reason)
{
	return acaia_parse(&((AcaiaDevice *)state)->parse, char_uuid, data, len, out, max_out,
			   reason);
}

static const char *const acaia_services[] = {ACAIA_NEW_SERVICE, ACAIA_OLD_SERVICE, NULL};

static const LactdPluginDesc acaia_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "acaia",
    .description = "Acaia scales (Pearl, Lunar, Pyxis and others)",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(AcaiaDevice),
    .service_uuids = acaia_services,
    .attach = acaia_attach,
    .value = acaia_value,
    .timer = acaia_timer,
    .detach = acaia_detach,
    .parse = acaia_parse_any,
};

LACTD_PLUGIN_DEFINE(acaia_desc);
