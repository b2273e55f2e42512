/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Varia AKU plugin (protocol: varia-parse.h).
 *
 * On connection: subscribe to FFF1, nothing written (no tare: a bottle may
 * already stand on the scale), no timer. The host parses and emits, and
 * decides stability: the AKU sends no flag.
 */
#include "config.h"

#include "varia-parse.h"

static int
varia_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, VARIA_NOTIFY);
}

static const char *const varia_services[] = {VARIA_SERVICE, NULL};
/* FFF0 is shared by several scales: the AKU by its name ("Varia AKU",
 * "AKU Mini", "AKU Pro"), and both its characteristics. */
static const char *const varia_names[] = {"*AKU*", "*Aku*", "*aku*", "Varia*", "VARIA*", NULL};
static const char *const varia_chars[] = {VARIA_NOTIFY, VARIA_WRITE, NULL};

static const LactdPluginDesc varia_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "varia",
    .description = "Varia AKU, AKU Mini and AKU Pro scales",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = 0,
    .service_uuids = varia_services,
    .attach = varia_attach,
    .parse = varia_parse,
    .name_patterns = varia_names,
    .required_chars = varia_chars,
    .weight_resolution_g = 0.01,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(varia_desc);
