/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Hiroia Jimmy plugin (protocol: hiroia-parse.h).
 *
 * On connection: subscribe to ...1824, nothing written (no tare: a bottle
 * may already stand on the scale). The scale's unit can only be toggled,
 * and which unit it shows is known only from a frame, so the first frame
 * in ounces makes the plugin send the toggle once for this connection;
 * until the scale takes it, and if it never does, ounces are converted to
 * grams. The host decides stability: the Jimmy sends no flag.
 */
#include "config.h"

#include "hiroia-parse.h"

static int
hiroia_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, HIROIA_NOTIFY);
}

static void
hiroia_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
	     const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	static const uint8_t grams[] = {HIROIA_CMD_UNIT, 0x00};
	HiroiaParseState *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = hiroia_parse(st, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	for (int i = 0; i < n; i++)
		host->emit(dev, &r[i]);
	if (n > 0 && st->ounces && !st->unit_sent) {
		st->unit_sent = TRUE;
		host->write(dev, HIROIA_WRITE, grams, sizeof(grams), true);
	}
}

static const char *const hiroia_services[] = {HIROIA_SERVICE, NULL};
/* Beanconqueror takes any name starting with "hiroia", ignoring case. */
static const char *const hiroia_names[] = {"HIROIA*", "Hiroia*", "hiroia*", NULL};
static const char *const hiroia_chars[] = {HIROIA_NOTIFY, HIROIA_WRITE, NULL};

static const LactdPluginDesc hiroia_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "hiroia",
    .description = "Hiroia Jimmy scale",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(HiroiaParseState),
    .service_uuids = hiroia_services,
    .attach = hiroia_attach,
    .value = hiroia_value,
    .parse = hiroia_parse,
    .name_patterns = hiroia_names,
    .required_chars = hiroia_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(hiroia_desc);
