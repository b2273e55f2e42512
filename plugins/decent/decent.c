/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Decent Scale plugin (protocol: decent-parse.h).
 *
 * On connection: subscribe to FFF4, then LED on with the heartbeat flag set
 * (the scale weighs nothing until a command is written, and Decent asks
 * apps that send the heartbeat to say so), then the heartbeat every
 * DECENT_HEARTBEAT_MS, without which a Half Decent Scale drops the link
 * after 5 s. No tare: a bottle may already stand on the scale. Firmware
 * v1.0 may drop a command (Decent's API page says to send commands twice),
 * so LED on is sent again at each heartbeat until a frame has come.
 * A weight is emitted when it or its stability changes, so a settled
 * weight is offered once; a failed emit is retried on the next repeat.
 */
#include "config.h"

#include <string.h>

#include "common/lactd-weight-dedup.h"
#include "decent-parse.h"

typedef struct {
	DecentParseState parse;
	guint32 timer;
	LactdWeightDedup dedup;
} DecentDevice;

static void
led_on(LactdDevice *dev, const LactdHost *host)
{
	guint8 cmd[DECENT_FRAME_LEN];

	decent_build_led_on(cmd, TRUE);
	host->write(dev, DECENT_WRITE, cmd, sizeof(cmd), TRUE);
}

static int
decent_attach(LactdDevice *dev, const LactdHost *host)
{
	DecentDevice *st = host->state(dev);

	if (host->subscribe(dev, DECENT_NOTIFY) < 0)
		return -1;
	led_on(dev, host);
	st->timer = host->timer_start(dev, DECENT_HEARTBEAT_MS);
	return st->timer != 0 ? 0 : -1;
}

static void
decent_timer(LactdDevice *dev, const LactdHost *host, uint32_t timer_id)
{
	DecentDevice *st = host->state(dev);
	guint8 cmd[DECENT_FRAME_LEN];

	decent_build_heartbeat(cmd);
	host->write(dev, DECENT_WRITE, cmd, sizeof(cmd), TRUE);
	if (st->parse.frames == 0) {
		host->log(dev, LACTD_LOG_DEBUG, "decent: nothing from the scale yet; LED on again");
		led_on(dev, host);
	}
}

static void
decent_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	     size_t len, LactdValueOrigin origin)
{
	DecentDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = decent_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	lactd_weight_dedup_emit(&st->dedup, dev, host, r, n);
}

static void
decent_detach(LactdDevice *dev, const LactdHost *host)
{
	DecentDevice *st = host->state(dev);

	if (st->timer != 0)
		host->timer_stop(dev, st->timer);
	st->timer = 0;
}

static int
decent_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		 LactdReading *out, size_t max_out, const char **reason)
{
	return decent_parse(&((DecentDevice *)state)->parse, char_uuid, data, len, out, max_out,
			    reason);
}

static const char *const decent_services[] = {DECENT_SERVICE, NULL};
/* FFF0 is shared by many scales (Varia, Eureka, WeighMaster...): Decent's
 * by its advertised name, as the Decent app and de1app find it, and its
 * own two characteristics, so the LED and heartbeat commands never reach
 * another vendor's scale. */
static const char *const decent_names[] = {"Decent Scale*", "DECENT SCALE*", "decent scale*",
					   NULL};
static const char *const decent_chars[] = {DECENT_NOTIFY, DECENT_WRITE, NULL};

static const LactdPluginDesc decent_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "decent",
    .description = "Decent Scale and Half Decent Scale",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(DecentDevice),
    .service_uuids = decent_services,
    .attach = decent_attach,
    .value = decent_value,
    .timer = decent_timer,
    .detach = decent_detach,
    .parse = decent_parse_any,
    .name_patterns = decent_names,
    .required_chars = decent_chars,
    .weight_resolution_g = 0.1,
};

LACTD_PLUGIN_DEFINE(decent_desc);
