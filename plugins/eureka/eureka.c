/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Eureka Precisa plugin (protocol: eureka-parse.h).
 *
 * On connection: set the scale to grams (its frames carry no unit, and it
 * may have been left in ounces or millilitres), written without response as
 * the scale requires, then notifications on FFF1: the status frames only
 * start once the scale took the unit command. No tare: a bottle may
 * already stand on the scale. The host parses, emits and decides
 * stability.
 */
#include "config.h"

#include "eureka-parse.h"

static int
eureka_attach(LactdDevice *dev, const LactdHost *host)
{
	guint8 grams[4];

	eureka_build_unit(grams, EUREKA_UNIT_GRAMS);
	if (host->write(dev, EUREKA_WRITE, grams, sizeof(grams), false) < 0)
		return -1;
	return host->subscribe(dev, EUREKA_NOTIFY);
}

static const char *const eureka_services[] = {EUREKA_SERVICE, NULL};
/* FFF0 is shared by several scales: the Precisa by its names. */
static const char *const eureka_names[] = {"CFS-9002*", "*Eureka*", "*EUREKA*", "*eureka*",
					   "*Precisa*", "*PRECISA*", "*precisa*", "LSJ-001*",
					   NULL};
static const char *const eureka_chars[] = {EUREKA_NOTIFY, EUREKA_WRITE, NULL};

static const LactdPluginDesc eureka_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "eureka",
    .description = "Eureka Precisa and Solo Barista scales",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = 0,
    .service_uuids = eureka_services,
    .attach = eureka_attach,
    .parse = eureka_parse,
    .name_patterns = eureka_names,
    .required_chars = eureka_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(eureka_desc);
