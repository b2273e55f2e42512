/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The worked example of docs/plugin-guide.md: a plugin for an imaginary
 * "Simple Scale" that notifies its weight as one 5-byte value:
 *
 *   byte 0..3  int32 little-endian, weight in 0.1 g
 *   byte 4     flags: bit 0 stable, other bits reserved (0)
 *
 * Build it outside the lactd tree:
 *   cc -shared -fPIC -fvisibility=hidden $(pkg-config --cflags lactd-plugin) \
 *      -o simple-scale.so simple-scale.c
 * and copy simple-scale.so into lactd's plugin directory
 * (pkg-config --variable=plugindir lactd-plugin).
 */
#include <lactd/plugin.h>
#include <string.h>

#define SIMPLE_SERVICE "5e1e0001-0000-4000-8000-00805f9b34fb"
#define SIMPLE_WEIGHT  "5e1e0002-0000-4000-8000-00805f9b34fb"

/* Pure: bytes in, readings out. No I/O, no globals. */
static int
simple_parse(void *state, const char *char_uuid, const uint8_t *data, size_t len,
	     LactdReading *out, size_t max_out, const char **reason)
{
	int32_t tenths;

	(void)state;
	if (strcmp(char_uuid, SIMPLE_WEIGHT) != 0)
		return 0; /* not a characteristic we read: nothing to report */
	if (len != 5) {
		*reason = "weight: expected 5 bytes";
		return -1;
	}
	if (data[4] & ~0x01u) {
		*reason = "weight: reserved flag bits set";
		return -1;
	}
	tenths = (int32_t)((uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 |
			   (uint32_t)data[3] << 24);
	if (tenths > LACTD_MAX_WEIGHT_G * 10 || tenths < -LACTD_MAX_WEIGHT_G * 10) {
		*reason = "weight: out of range";
		return -1;
	}
	if (max_out < 1)
		return 0;
	memset(&out[0], 0, sizeof(out[0]));
	out[0].type = LACTD_READING_WEIGHT;
	out[0].weight.grams = tenths / 10.0;
	out[0].weight.stable = (data[4] & 0x01) != 0;
	return 1;
}

/* Services resolved: ask for notifications. The host does the D-Bus part. */
static int
simple_attach(LactdDevice *dev, const LactdHost *host)
{
	return host->subscribe(dev, SIMPLE_WEIGHT);
}

static const char *const simple_services[] = {SIMPLE_SERVICE, NULL};

static const LactdPluginDesc simple_desc = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .name = "simple-scale",
    .description = "Simple Scale (the plugin guide's example)",
    .kind = LACTD_KIND_SCALE,
    .priority = 0,
    .state_size = 0,
    .service_uuids = simple_services,
    .attach = simple_attach,
    /* .value left NULL: the host runs parse() and emits what it returns. */
    .parse = simple_parse,
};

LACTD_PLUGIN_DEFINE(simple_desc);
