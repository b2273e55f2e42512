/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Timemore Black Mirror plugin (protocol: timemore-parse.h).
 *
 * On connection: indications on 0x2A9D, the notification request 02 00,
 * then the heartbeat 00 every TIMEMORE_HEARTBEAT_MS while the link is up
 * (the timer is the host's, stopped at detach: a scale switched off costs
 * no wakeup). No tare: a bottle may already stand on the scale. The host
 * parses and emits, and decides stability.
 */
#include "config.h"

#include "timemore-parse.h"

typedef struct {
	guint32 timer;
} TimemoreDevice;

static int
timemore_attach(LactdDevice *dev, const LactdHost *host)
{
	TimemoreDevice *st = host->state(dev);
	static const guint8 request[] = {0x02, 0x00};

	if (host->subscribe(dev, TIMEMORE_WEIGHT) < 0)
		return -1;
	if (host->write(dev, TIMEMORE_WEIGHT, request, sizeof(request), true) < 0)
		return -1;
	st->timer = host->timer_start(dev, TIMEMORE_HEARTBEAT_MS);
	return st->timer != 0 ? 0 : -1;
}

static void
timemore_timer(LactdDevice *dev, const LactdHost *host, uint32_t timer_id)
{
	static const guint8 heartbeat[] = {0x00};

	host->write(dev, TIMEMORE_WEIGHT, heartbeat, sizeof(heartbeat), true);
}

static void
timemore_detach(LactdDevice *dev, const LactdHost *host)
{
	TimemoreDevice *st = host->state(dev);

	if (st->timer != 0)
		host->timer_stop(dev, st->timer);
	st->timer = 0;
}

static const char *const timemore_services[] = {TIMEMORE_SERVICE, NULL};
/* 0x181D is the SIG Weight Scale's: a Timemore by its name, and its own
 * command characteristic, which no SIG scale has. */
static const char *const timemore_names[] = {"Timemore*", "TIMEMORE*", "timemore*", NULL};
static const char *const timemore_chars[] = {TIMEMORE_WEIGHT, TIMEMORE_COMMAND, NULL};

static const LactdPluginDesc timemore_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "timemore",
    .description = "Timemore Black Mirror scales",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(TimemoreDevice),
    .service_uuids = timemore_services,
    .attach = timemore_attach,
    .timer = timemore_timer,
    .detach = timemore_detach,
    .parse = timemore_parse,
    .name_patterns = timemore_names,
    .required_chars = timemore_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(timemore_desc);
