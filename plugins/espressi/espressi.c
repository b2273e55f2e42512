/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The EspressiScale plugin (protocol: espressi-parse.h).
 *
 * On connection: subscribe to FFF4, nothing else. The scale streams
 * without being asked and needs no keep-alive, so lactd writes nothing to
 * it: no tare, since a bottle may already stand on the scale. Its GATT
 * table is the Decent Scale's, so its name is what makes the match: the
 * name pattern makes this plugin the more specific match for the host. A
 * weight is emitted when it or its stable flag changes; a failed emit is
 * retried on the next frame.
 */
#include "config.h"

#include "common/lactd-weight-dedup.h"
#include "espressi-parse.h"

typedef struct {
	EspressiParseState parse;
	LactdWeightDedup dedup;
} EspressiDevice;

static int
espressi_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, ESPRESSI_NOTIFY) < 0 ? -1 : 0;
}

static void
espressi_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
		  const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	EspressiDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = espressi_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	lactd_weight_dedup_emit(&st->dedup, dev, host, r, n);
	if (st->parse.late_reason != NULL) {
		host->reject(dev, st->parse.late_reason);
		st->parse.late_reason = NULL;
	}
}

static void
espressi_detach(LactdDevice *dev, const LactdHost *host)
{
	/* No timer and no pending command: nothing to stop. */
}

static int
espressi_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		      LactdReading *out, size_t max_out, const char **reason)
{
	return espressi_parse(&((EspressiDevice *)state)->parse, char_uuid, data, len, out,
			      max_out, reason);
}

static const char *const espressi_services[] = {ESPRESSI_SERVICE, NULL};
/* Beanconqueror matches names starting with "espressiscale", ignoring
 * case; GLib's patterns are case-sensitive, hence the spellings. */
static const char *const espressi_names[] = {"EspressiScale*", "Espressiscale*",
					     "espressiscale*", "ESPRESSISCALE*", NULL};
static const char *const espressi_chars[] = {ESPRESSI_NOTIFY, ESPRESSI_WRITE, NULL};

static const LactdPluginDesc espressi_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "espressi",
    .description = "EspressiScale",
    .kind = LACTD_KIND_SCALE,
    .priority = 20,
    .state_size = sizeof(EspressiDevice),
    .service_uuids = espressi_services,
    .attach = espressi_attach,
    .value = espressi_value,
    .detach = espressi_detach,
    .parse = espressi_parse_any,
    .name_patterns = espressi_names,
    .required_chars = espressi_chars,
    .weight_resolution_g = 0.1,
    .flags = 0,
};

LACTD_PLUGIN_DEFINE(espressi_desc);
