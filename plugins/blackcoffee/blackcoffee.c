/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Blackcoffee.io plugin (protocol: blackcoffee-parse.h).
 *
 * On connection: subscribe to FFB2, nothing else; the scale takes no
 * documented command and needs no keep-alive. "my_scale", one of the
 * names Beanconqueror knows it by, is generic, so the match also wants
 * the FFB0 service and its FFB2 characteristic. A weight is emitted when
 * it or its stable flag changes; a failed emit is retried on the next
 * frame.
 *
 * Frames are not split or joined: no public source documents a frame
 * start, a length or a checksum (Beanconqueror's blackcoffeeScale.ts takes
 * any notification of 15 bytes or more as one frame, REA's blackcoffee
 * scale any of 7 or more), so each notification is one frame, and a
 * frame cut across two notifications is refused and counted rather than
 * guessed at.
 */
#include "config.h"

#include "common/lactd-weight-dedup.h"
#include "blackcoffee-parse.h"

typedef struct {
	BlackcoffeeParseState parse;
	LactdWeightDedup dedup;
} BlackcoffeeDevice;

static int
blackcoffee_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, BLACKCOFFEE_NOTIFY) < 0 ? -1 : 0;
}

static void
blackcoffee_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
		  const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	BlackcoffeeDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = blackcoffee_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	lactd_weight_dedup_emit(&st->dedup, dev, host, r, n);
}

static void
blackcoffee_detach(LactdDevice *dev, const LactdHost *host)
{
	/* No timer and no pending command: nothing to stop. */
}

static int
blackcoffee_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		      LactdReading *out, size_t max_out, const char **reason)
{
	return blackcoffee_parse(&((BlackcoffeeDevice *)state)->parse, char_uuid, data, len, out,
				 max_out, reason);
}

static const char *const blackcoffee_services[] = {BLACKCOFFEE_SERVICE, NULL};
/* Beanconqueror matches "blackcoffee" or "my_scale" anywhere in the name,
 * ignoring case; GLib's patterns are case-sensitive, hence the spellings. */
static const char *const blackcoffee_names[] = {
    "*blackcoffee*", "*BlackCoffee*", "*Blackcoffee*", "*BLACKCOFFEE*",
    "*my_scale*",    "*My_Scale*",    "*My_scale*",    "*MY_SCALE*",    NULL};
static const char *const blackcoffee_chars[] = {BLACKCOFFEE_NOTIFY, NULL};

static const LactdPluginDesc blackcoffee_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "blackcoffee",
    .description = "Blackcoffee.io scales",
    .kind = LACTD_KIND_SCALE,
    .priority = 20,
    .state_size = sizeof(BlackcoffeeDevice),
    .service_uuids = blackcoffee_services,
    .attach = blackcoffee_attach,
    .value = blackcoffee_value,
    .detach = blackcoffee_detach,
    .parse = blackcoffee_parse_any,
    .name_patterns = blackcoffee_names,
    .required_chars = blackcoffee_chars,
    .weight_resolution_g = 0.1, /* mg in the frame, 0.1 g on the display */
    .flags = 0,
};

LACTD_PLUGIN_DEFINE(blackcoffee_desc);
