/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Plugins for test-plugins, built from this one file:
 *   TEST_PLUGIN_ALPHA   value callback, writes, timers; priority 5
 *   TEST_PLUGIN_BETA    no value callback (the host parses); priority 20
 *   TEST_PLUGIN_BADABI  says ABI version 1 (built against the plugin.h before name
 *                       patterns; its descriptor is shorter and must not be read)
 *   TEST_PLUGIN_NODESC  exports the ABI symbol only
 * What a plugin does is seen by the test through the host's operations.
 */
#include <string.h>

#include <lactd/plugin.h>

#define UUID_A "0000aaaa-0000-1000-8000-00805f9b34fb"
#define UUID_B "0000bbbb-0000-1000-8000-00805f9b34fb"
#define UUID_C "0000cccc-0000-1000-8000-00805f9b34fb"
#define UUID_FEED "0000feed-0000-1000-8000-00805f9b34fb"

#if defined(TEST_PLUGIN_ALPHA)

typedef struct {
	uint32_t counted;  /* stops itself after 3 */
	uint32_t forever;
	uint32_t fired;
} AlphaState;

static int
alpha_attach(LactdDevice *dev, const LactdHost *host)
{
	AlphaState *st = host->state(dev);
	static const uint8_t one = 1, two = 2, three = 3;

	/* Device ...:0F is one this plugin gives up on. */
	if (strcmp(host->address(dev), "00:00:00:00:00:0F") == 0) {
		st->forever = host->timer_start(dev, 1000);
		host->write(dev, UUID_A, &one, 1, true);
		return -1;
	}
	if (host->subscribe(dev, UUID_A) < 0)
		return -1;
	host->write(dev, UUID_A, &one, 1, true);
	host->write(dev, UUID_A, &two, 1, false);
	host->write(dev, UUID_B, &three, 1, true);
	st->counted = host->timer_start(dev, 5);
	st->forever = host->timer_start(dev, 7);
	return st->counted != 0 && st->forever != 0 ? 0 : -1;
}

static void
alpha_value(LactdDevice *dev, const LactdHost *host, const char *char_uuid, const uint8_t *data,
	    size_t len, LactdValueOrigin origin)
{
	LactdReading r = {0};

	if (len != 1 || data[0] > 100) {
		host->reject(dev, "alpha: bad battery byte");
		return;
	}
	r.type = LACTD_READING_BATTERY;
	r.battery.percent = data[0];
	host->emit(dev, &r);
}

static void
alpha_timer(LactdDevice *dev, const LactdHost *host, uint32_t timer_id)
{
	AlphaState *st = host->state(dev);
	LactdReading r = {0};

	if (timer_id == st->forever) {
		r.type = LACTD_READING_SUCTION;
		host->emit(dev, &r);
		return;
	}
	if (timer_id != st->counted)
		return;
	r.type = LACTD_READING_PHASE;
	r.phase.phase = LACTD_PHASE_IDLE;
	host->emit(dev, &r);
	if (++st->fired == 3)
		host->timer_stop(dev, timer_id);
}

static void
alpha_detach(LactdDevice *dev, const LactdHost *host)
{
	host->log(dev, LACTD_LOG_DEBUG, "alpha detached");
}

static const char *const alpha_uuids[] = {UUID_A, UUID_C, NULL};
static const LactdAdvMatch alpha_adv[] = {{0x1234, NULL}, {0, NULL}};

static const LactdPluginDesc desc = {
	.abi_version = LACTD_PLUGIN_ABI_VERSION,
	.name = "alpha",
	.description = "test plugin with a value callback",
	.kind = LACTD_KIND_PUMP,
	.priority = 5,
	.state_size = sizeof(AlphaState),
	.service_uuids = alpha_uuids,
	.adv_matches = alpha_adv,
	.attach = alpha_attach,
	.value = alpha_value,
	.timer = alpha_timer,
	.detach = alpha_detach,
};
LACTD_PLUGIN_DEFINE(desc);

#elif defined(TEST_PLUGIN_BETA)

static int
beta_attach(LactdDevice *dev, const LactdHost *host)
{
	return 0;
}

static void
beta_detach(LactdDevice *dev, const LactdHost *host)
{
}

/* One byte: a stable weight in grams; anything else is refused. */
static int
beta_parse(void *state, const char *char_uuid, const uint8_t *data, size_t len, LactdReading *out,
	   size_t max_out, const char **reason)
{
	if (len != 1) {
		*reason = "beta: wrong length";
		return -1;
	}
	memset(&out[0], 0, sizeof(out[0]));
	out[0].type = LACTD_READING_WEIGHT;
	out[0].weight.grams = data[0];
	out[0].weight.stable = strcmp(char_uuid, UUID_FEED) == 0;
	return 1;
}

static const char *const beta_uuids[] = {UUID_B, UUID_C, NULL};
static const LactdAdvMatch beta_adv[] = {{0, UUID_FEED}, {0, NULL}};

static const LactdPluginDesc desc = {
	.abi_version = LACTD_PLUGIN_ABI_VERSION,
	.name = "beta",
	.description = "test plugin parsed by the host",
	.kind = LACTD_KIND_SCALE,
	.priority = 20,
	.service_uuids = beta_uuids,
	.adv_matches = beta_adv,
	.attach = beta_attach,
	.detach = beta_detach,
	.parse = beta_parse,
};
LACTD_PLUGIN_DEFINE(desc);

#elif defined(TEST_PLUGIN_BADABI)

static int
bad_attach(LactdDevice *dev, const LactdHost *host)
{
	return 0;
}

static const char *const bad_uuids[] = {UUID_A, NULL};
static const LactdPluginDesc desc = {
	.abi_version = 1,
	.name = "badabi",
	.kind = LACTD_KIND_PUMP,
	.priority = 100,
	.service_uuids = bad_uuids,
	.attach = bad_attach,
};
/* Written out: a plugin built against the ABI 1 plugin.h. */
LACTD_PLUGIN_EXPORT extern const uint32_t lactd_plugin_abi;
LACTD_PLUGIN_EXPORT const uint32_t lactd_plugin_abi = 1;
LACTD_PLUGIN_EXPORT extern const LactdPluginDesc *const lactd_plugin_desc;
LACTD_PLUGIN_EXPORT const LactdPluginDesc *const lactd_plugin_desc = &desc;

#elif defined(TEST_PLUGIN_NODESC)

LACTD_PLUGIN_EXPORT extern const uint32_t lactd_plugin_abi;
LACTD_PLUGIN_EXPORT const uint32_t lactd_plugin_abi = LACTD_PLUGIN_ABI_VERSION;

#else
#error "define one TEST_PLUGIN_*"
#endif
