/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The Timemore Basic 3 and Dot plugins (protocol: tmbasic-parse.h). One
 * source, two modules: built with TMBASIC_DOT it is the Dot's, whose
 * descriptor says the scale needs an encrypted link.
 *
 * On connection: subscribe to FFF1, then set grams and the standard mode,
 * both written without response as the scale takes them. No keep-alive is
 * needed. A weight is emitted when it changes; the host decides
 * stability.
 */
#include "config.h"

#include <string.h>

#include "tmbasic-parse.h"

typedef struct {
	TmbasicParseState parse;
	gboolean have_last;
	double last_grams;
	guint last_battery; /* 0: none yet, else percent + 1 */
} TmbasicDevice;

static int
tmbasic_attach(LactdDevice *dev, const LactdHost *host)
{
	static const guint8 grams[] = {0x00};
	static const guint8 standard[] = {0x01, 0x00};
	guint8 cmd[TMBASIC_FRAME_MAX];
	gsize n;

	if (host->subscribe(dev, TMBASIC_NOTIFY) < 0)
		return -1;
	n = tmbasic_build(cmd, TMBASIC_OP_COMMAND, TMBASIC_SET_UNIT, grams, sizeof(grams));
	host->write(dev, TMBASIC_WRITE, cmd, n, FALSE);
	n = tmbasic_build(cmd, TMBASIC_OP_COMMAND, TMBASIC_SET_MODE, standard, sizeof(standard));
	host->write(dev, TMBASIC_WRITE, cmd, n, FALSE);
	return 0;
}

static void
tmbasic_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
	      const uint8_t *data, size_t len, LactdValueOrigin origin)
{
	TmbasicDevice *st = host->state(dev);
	LactdReading r[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n = tmbasic_parse(&st->parse, char_uuid, data, len, r, G_N_ELEMENTS(r), &reason);

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
}

static int
tmbasic_parse_any(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		  LactdReading *out, size_t max_out, const char **reason)
{
	return tmbasic_parse(&((TmbasicDevice *)state)->parse, char_uuid, data, len, out, max_out,
			     reason);
}

static const char *const tmbasic_services[] = {TMBASIC_SERVICE, NULL};
static const char *const tmbasic_chars[] = {TMBASIC_NOTIFY, TMBASIC_WRITE, NULL};

#ifdef TMBASIC_DOT
/* Beanconqueror: a name containing "dot", or the model number TES017. */
static const char *const tmbasic_names[] = {"*Dot*", "*DOT*", "*dot*", "TES017*", NULL};
#define TMBASIC_NAME	    "timemore-dot"
#define TMBASIC_DESCRIPTION "Timemore Dot"
#define TMBASIC_FLAGS	    (LACTD_PLUGIN_FLAG_HOST_STABILITY | LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION)
#else
/* Beanconqueror: "basic3", "basic 3", or "timemore" with "basic". */
static const char *const tmbasic_names[] = {"*basic3*", "*Basic3*", "*BASIC3*", "*basic 3*",
					    "*Basic 3*", "*BASIC 3*", "*imemore*asic*",
					    "*IMEMORE*ASIC*", NULL};
#define TMBASIC_NAME	    "timemore-basic"
#define TMBASIC_DESCRIPTION "Timemore Basic 3"
#define TMBASIC_FLAGS	    LACTD_PLUGIN_FLAG_HOST_STABILITY
#endif

static const LactdPluginDesc tmbasic_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = TMBASIC_NAME,
    .description = TMBASIC_DESCRIPTION,
    .kind = LACTD_KIND_SCALE,
    .priority = 10,
    .state_size = sizeof(TmbasicDevice),
    .service_uuids = tmbasic_services,
    .attach = tmbasic_attach,
    .value = tmbasic_value,
    .parse = tmbasic_parse_any,
    .name_patterns = tmbasic_names,
    .required_chars = tmbasic_chars,
    .weight_resolution_g = 0.1,
    .flags = TMBASIC_FLAGS,
};

LACTD_PLUGIN_DEFINE(tmbasic_desc);
