/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Etekcity ESN00 nutrition scale plugin (protocol: esn00-parse.h).
 *
 * The scale streams a measurement frame many times a second whether or not
 * anything changed, and needs no command to start: attach only subscribes.
 * Nothing is written, so the unit the user chose on the scale stays. As the
 * host takes every stable weight as a weighing, a settled weight is
 * emitted once, not once per repeated frame; a failed emit is retried on
 * the next repeat.
 */
#include "config.h"

#include <string.h>

#include "common/lactd-weight-dedup.h"
#include "esn00-parse.h"

typedef struct {
	Esn00ParseState parse;
	LactdWeightDedup dedup;
} Esn00Device;

static int
esn00_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, ESN00_NOTIFY) < 0 ? -1 : 0;
}

static void
esn00_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	    size_t len, LactdValueOrigin origin)
{
	Esn00Device *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = esn00_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	lactd_weight_dedup_emit(&st->dedup, dev, host, r, n);
}

static int
esn00_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		LactdReading *out, size_t max_out, const char **reason)
{
	return esn00_parse(&((Esn00Device *)state)->parse, char_uuid, data, len, out, max_out,
			   reason);
}

static const char *const esn00_services[] = {ESN00_SERVICE, NULL};

static const LactdPluginDesc esn00_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "esn00",
    .description = "Etekcity ESN00 Smart Nutrition Scale",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(Esn00Device),
    .service_uuids = esn00_services,
    .attach = esn00_attach,
    .value = esn00_value,
    .parse = esn00_parse_any,
};

LACTD_PLUGIN_DEFINE(esn00_desc);
