/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Atomax Skale plugin (protocol: skale-parse.h).
 *
 * On connection: subscribe to EF81, then display on, show the weight and
 * grams, each one byte on EF80 with a response, as Beanconqueror does; the
 * Skale may have been left showing ounces. No tare: a bottle may already
 * stand on the scale. The host parses, emits and decides stability.
 */
#include "config.h"

#include "skale-parse.h"

static int
skale_attach(LactdDevice *dev, const LactdHost *host)
{
	static const uint8_t commands[] = {SKALE_CMD_DISPLAY_ON, SKALE_CMD_WEIGHT,
					   SKALE_CMD_GRAMS};

	if (host->subscribe(dev, SKALE_NOTIFY) < 0)
		return -1;
	for (size_t i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (host->write(dev, SKALE_WRITE, &commands[i], 1, true) < 0)
			return -1;
	}
	return 0;
}

static const char *const skale_services[] = {SKALE_SERVICE, NULL};
/* Beanconqueror takes any name starting with "skale", ignoring case. */
static const char *const skale_names[] = {"Skale*", "SKALE*", "skale*", NULL};
static const char *const skale_chars[] = {SKALE_NOTIFY, SKALE_WRITE, NULL};

static const LactdPluginDesc skale_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "skale",
    .description = "Atomax Skale 2 scale",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = 0,
    .service_uuids = skale_services,
    .attach = skale_attach,
    .parse = skale_parse,
    .name_patterns = skale_names,
    .required_chars = skale_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(skale_desc);
