/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The WeighMaster ECS-02 / MantaBrew plugin (protocol: weighmaster-parse.h).
 *
 * On connection: subscribe to FFF4, nothing else. The scale streams
 * without being asked and needs no keep-alive, so lactd writes nothing to
 * it at all: FFF0 is shared with other vendors, and no command is worth
 * the risk of one reaching the wrong scale. The device name pattern and
 * the two characteristics keep the Decent plugin, which wants FFF4 and
 * 36F5, from taking it. A weight is emitted when it or its stable flag
 * changes; a failed emit is retried on the next frame.
 */
#include "config.h"

#include "common/lactd-weight-dedup.h"
#include "weighmaster-parse.h"

typedef struct {
	WeighmasterParseState parse;
	LactdWeightDedup dedup;
} WeighmasterDevice;

static int
weighmaster_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, WEIGHMASTER_NOTIFY) < 0 ? -1 : 0;
}

static void
weighmaster_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
		  const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	WeighmasterDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = weighmaster_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

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
weighmaster_detach(LactdDevice *dev, const LactdHost *host)
{
	/* No timer and no pending command: nothing to stop. */
}

static int
weighmaster_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		      LactdReading *out, size_t max_out, const char **reason)
{
	return weighmaster_parse(&((WeighmasterDevice *)state)->parse, char_uuid, data, len, out,
				 max_out, reason);
}

static const char *const weighmaster_services[] = {WEIGHMASTER_SERVICE, NULL};
/* Beanconqueror matches "weighmaster" or "mantabrew" anywhere in the name,
 * ignoring case; GLib's patterns are case-sensitive, hence the spellings. */
static const char *const weighmaster_names[] = {
    "*WeighMaster*", "*Weighmaster*", "*weighmaster*", "*WEIGHMASTER*",
    "*MantaBrew*",   "*Mantabrew*",   "*mantabrew*",   "*MANTABREW*",   NULL};
static const char *const weighmaster_chars[] = {WEIGHMASTER_NOTIFY, WEIGHMASTER_WRITE, NULL};

static const LactdPluginDesc weighmaster_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "weighmaster",
    .description = "WeighMaster ECS-02 and MantaBrew scales",
    .kind = LACTD_KIND_SCALE,
    .priority = 20,
    .state_size = sizeof(WeighmasterDevice),
    .service_uuids = weighmaster_services,
    .attach = weighmaster_attach,
    .value = weighmaster_value,
    .detach = weighmaster_detach,
    .parse = weighmaster_parse_any,
    .name_patterns = weighmaster_names,
    .required_chars = weighmaster_chars,
    .weight_resolution_g = 0.1,
    .flags = 0,
};

LACTD_PLUGIN_DEFINE(weighmaster_desc);
