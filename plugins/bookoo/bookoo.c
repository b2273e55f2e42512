/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Bookoo Themis plugin (protocol: bookoo-parse.h).
 *
 * The scale streams weight frames once notifications are on and needs no
 * command and no heartbeat: attach only subscribes. Nothing is written,
 * so no tare upsets a bottle already on the scale. Every frame carries
 * the battery, which is emitted only when it changes; a weight when it
 * or its stability changes, so a settled weight is offered once (and
 * again if the host could not store it).
 */
#include "config.h"

#include <string.h>

#include "bookoo-parse.h"

typedef struct {
	BookooParseState parse;
	gboolean have_last;
	double last_grams;
	gboolean last_stable;
	gboolean have_battery;
	guint32 last_battery;
} BookooDevice;

static int
bookoo_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, BOOKOO_NOTIFY) < 0 ? -1 : 0;
}

static void
bookoo_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	     size_t len, LactdValueOrigin origin)
{
	BookooDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = bookoo_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

	if (n < 0) {
		host->reject(dev, reason);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (r[i].type == LACTD_READING_BATTERY) {
			if (st->have_battery && st->last_battery == r[i].battery.percent)
				continue;
			if (host->emit(dev, &r[i]) < 0)
				continue;
			st->have_battery = TRUE;
			st->last_battery = r[i].battery.percent;
			continue;
		}
		if (st->have_last && st->last_grams == r[i].weight.grams &&
		    st->last_stable == r[i].weight.stable)
			continue;
		if (host->emit(dev, &r[i]) < 0)
			continue;
		st->have_last = TRUE;
		st->last_grams = r[i].weight.grams;
		st->last_stable = r[i].weight.stable;
	}
}

static int
bookoo_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		 LactdReading *out, size_t max_out, const char **reason)
{
	return bookoo_parse(&((BookooDevice *)state)->parse, char_uuid, data, len, out, max_out,
			    reason);
}

static const char *const bookoo_services[] = {BOOKOO_SERVICE, NULL};

static const LactdPluginDesc bookoo_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "bookoo",
    .description = "Bookoo Themis scales (Mini, Ultra)",
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(BookooDevice),
    .service_uuids = bookoo_services,
    .attach = bookoo_attach,
    .value = bookoo_value,
    .parse = bookoo_parse_any,
};

LACTD_PLUGIN_DEFINE(bookoo_desc);
