/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The DiFluid Microbalance plugin (protocol: difluid-parse.h).
 *
 * On connection: subscribe to AA01, set the unit to grams (the scale may
 * have been left in ounces by a double click), switch automatic sensor
 * data on (without it the scale sends nothing), ask for the device status
 * (the battery), and start a timer that asks for the status again every
 * DIFLUID_STATUS_MS; when weights in another unit came since the last
 * tick, the timer also sets grams again. Weights in ounces are converted
 * meanwhile. The scale has no stable flag: lactd decides stability, so a
 * weight is emitted when it changes and again every DIFLUID_REPEAT
 * identical frames, for the host to see it held.
 */
#include "config.h"

#include "difluid-parse.h"

#define DIFLUID_STATUS_MS 60000
#define DIFLUID_REPEAT	  10

typedef struct {
	DifluidParseState parse;
	guint32 timer;
	guint64 other_unit_seen; /* parse.other_unit at the last unit command */
	gboolean have_last;
	double last_grams;
	guint same;
} DifluidDevice;

static void
write_cmd(LactdDevice *dev, const LactdHost *host, const guint8 *cmd, gsize len)
{
	host->write(dev, DIFLUID_CHAR, cmd, len, TRUE);
}

static void
set_grams(LactdDevice *dev, const LactdHost *host)
{
	guint8 cmd[DIFLUID_MAX_FRAME];

	write_cmd(dev, host, cmd, difluid_build_unit_grams(cmd));
}

static int
difluid_attach(LactdDevice *dev, const LactdHost *host)
{
	DifluidDevice *st = host->state(dev);
	guint8 cmd[DIFLUID_MAX_FRAME];

	if (host->subscribe(dev, DIFLUID_CHAR) < 0)
		return -1;
	set_grams(dev, host);
	write_cmd(dev, host, cmd, difluid_build_auto_send(cmd, TRUE));
	write_cmd(dev, host, cmd, difluid_build_status_request(cmd));
	st->timer = host->timer_start(dev, DIFLUID_STATUS_MS);
	return st->timer != 0 ? 0 : -1;
}

static void
difluid_timer(LactdDevice *dev, const LactdHost *host, uint32_t timer_id)
{
	DifluidDevice *st = host->state(dev);
	guint8 cmd[DIFLUID_MAX_FRAME];

	if (st->parse.other_unit != st->other_unit_seen) {
		host->log(dev, LACTD_LOG_INFO, "difluid: scale not in grams; setting grams again");
		st->other_unit_seen = st->parse.other_unit;
		set_grams(dev, host);
	}
	write_cmd(dev, host, cmd, difluid_build_status_request(cmd));
}

static void
difluid_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
	      const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	DifluidDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = difluid_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (r[i].type != LACTD_READING_WEIGHT) {
			host->emit(dev, &r[i]);
			continue;
		}
		if (st->have_last && st->last_grams == r[i].weight.grams &&
		    ++st->same < DIFLUID_REPEAT)
			continue;
		if (host->emit(dev, &r[i]) < 0)
			continue;
		st->have_last = TRUE;
		st->last_grams = r[i].weight.grams;
		st->same = 0;
	}
	if (st->parse.late_reason != NULL) {
		host->reject(dev, st->parse.late_reason);
		st->parse.late_reason = NULL;
	}
}

static void
difluid_detach(LactdDevice *dev, const LactdHost *host)
{
	DifluidDevice *st = host->state(dev);

	if (st->timer != 0)
		host->timer_stop(dev, st->timer);
	st->timer = 0;
}

static int
difluid_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		  LactdReading *out, size_t max_out, const char **reason)
{
	return difluid_parse(&((DifluidDevice *)state)->parse, char_uuid, data, len, out, max_out,
			     reason);
}

static const char *const difluid_services[] = {DIFLUID_SERVICE, NULL};
/* Beanconqueror matches "microbalance" anywhere in the name, ignoring
 * case; GLib's patterns are case-sensitive, hence the spellings. */
static const char *const difluid_names[] = {"*Microbalance*", "*microbalance*",
					    "*MicroBalance*", "*MICROBALANCE*", NULL};
static const char *const difluid_chars[] = {DIFLUID_CHAR, NULL};

static const LactdPluginDesc difluid_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "difluid",
    .description = "DiFluid Microbalance",
    .kind = LACTD_KIND_SCALE,
    .priority = 20,
    .state_size = sizeof(DifluidDevice),
    .service_uuids = difluid_services,
    .attach = difluid_attach,
    .value = difluid_value,
    .timer = difluid_timer,
    .detach = difluid_detach,
    .parse = difluid_parse_any,
    .name_patterns = difluid_names,
    .required_chars = difluid_chars,
    .weight_resolution_g = 0.1,
    .flags = LACTD_PLUGIN_FLAG_HOST_STABILITY,
};

LACTD_PLUGIN_DEFINE(difluid_desc);
