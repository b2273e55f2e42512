/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Felicita plugin: Arc, Parallel and Incline (protocol:
 * felicita-parse.h).
 *
 * On connection: subscribe to FFE1; the scale streams at once and needs no
 * keep-alive. It has no "grams" command, only a unit toggle: when a frame
 * says the scale shows ounces, the toggle is written once per connection
 * (readings meanwhile are converted, so nothing is stored wrong). A weight
 * is emitted when it changes; the host decides stability.
 */
#include "config.h"

#include <string.h>

#include "felicita-parse.h"

typedef struct {
	FelicitaParseState parse;
	gboolean have_last;
	double last_grams;
	guint last_battery; /* 0: none yet, else percent + 1 */
	gboolean toggled;
} FelicitaDevice;

static int
felicita_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, FELICITA_CHAR) < 0 ? -1 : 0;
}

static void
felicita_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
	       const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	FelicitaDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = felicita_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	for (guint i = 0; i < st->parse.n_rejects; i++)
		host->reject(dev, st->parse.rejects[i]);
	for (int i = 0; i < n; i++) {
		if (r[i].type == LACTD_READING_BATTERY) {
			if (st->last_battery == r[i].battery.percent + 1)
				continue;
			if (host->emit(dev, &r[i]) == 0)
				st->last_battery = r[i].battery.percent + 1;
			continue;
		}
		if (st->have_last && st->last_grams == r[i].weight.grams)
			continue;
		if (host->emit(dev, &r[i]) < 0)
			continue;
		st->have_last = TRUE;
		st->last_grams = r[i].weight.grams;
	}
	if (n > 0 && st->parse.oz && !st->toggled) {
		const guint8 cmd = FELICITA_CMD_UNIT;

		host->log(dev, LACTD_LOG_INFO, "felicita: scale shows ounces; switching it to grams");
		host->write(dev, FELICITA_CHAR, &cmd, 1, TRUE);
		st->toggled = TRUE;
	}
}

static int
felicita_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		   LactdReading *out, size_t max_out, const char **reason)
{
	return felicita_parse(&((FelicitaDevice *)state)->parse, char_uuid, data, len, out, max_out,
			      reason);
}

static const char *const felicita_services[] = {FELICITA_SERVICE, NULL};
static const char *const felicita_names[] = {"FELICITA*", "Felicita*", NULL};
static const char *const felicita_chars[] = {FELICITA_CHAR, NULL};

static const LactdPluginDesc felicita_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "felicita",
    .description = "Felicita Arc, Parallel and Incline",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(FelicitaDevice),
    .service_uuids = felicita_services,
    .attach = felicita_attach,
    .value = felicita_value,
    .parse = felicita_parse_any,
    .name_patterns = felicita_names,
    .required_chars = felicita_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(felicita_desc);
