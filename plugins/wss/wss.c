/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Bluetooth SIG Weight Scale plugin: subscribe to Weight Measurement
 * indications; each is a final, settled weight.
 */
#include "config.h"

#include "wss-parse.h"

static int
wss_attach(LactdDevice *dev, const LactdHost *host)
{
	if (host->read(dev, WSS_FEATURE) < 0)
		return -1;
	return host->subscribe(dev, WSS_MEASUREMENT);
}

static const char *const wss_services[] = {WSS_SERVICE, NULL};

static const LactdPluginDesc wss_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "wss",
    .description = "Bluetooth SIG Weight Scale Service",
    .kind = LACTD_KIND_SCALE,
    .priority = 5,
    .state_size = 0,
    .service_uuids = wss_services,
    .attach = wss_attach,
    /* .value NULL: the host parses and emits */
    .parse = wss_parse,
    /* A baby weighed after a feed at the weight she had before is a
     * second weighing (an intake of 0 g), not the first one repeated. */
    .flags = LACTD_PLUGIN_FLAG_MEASUREMENTS,
};

LACTD_PLUGIN_DEFINE(wss_desc);
