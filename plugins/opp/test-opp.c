/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Open Pump Profile tests. The profile publishes no sample packets, so the
 * vectors of test-opp-parse.c were built from docs/open-pump-profile.md
 * field by field (little-endian, offsets as the profile lists them; version
 * 1.1: the Session Record is 15 bytes, and bytes past the fields are
 * ignored). Then: every refusal, encoder to parser round trips, the emulated
 * pump through whole scenarios and its Control Point, and the plugin module
 * itself, loaded with GModule and driven by a recording LactdHost, alone and
 * wired to the emulator.
 *
 * This file: main() and the parser call the cases share; the cases are in
 * test-opp-parse.c, test-opp-emulator.c and test-opp-module.c.
 */
#include "config.h"

#include "test-opp.h"

/* Flags 0x003f: both channels, volume, suction, records, clock; level 9. */
const guint8 feature_full[] = {0x3f, 0x00, 0x09};

int
parse(OppParseState *st, const char *uuid, const guint8 *d, gsize len, LactdReading *out,
      const char **reason)
{
	return opp_parse(st, uuid, d, len, out, LACTD_READINGS_MAX, reason);
}

int
main(int argc, char **argv)
{
	int ret;

	g_test_init(&argc, &argv, NULL);
	add_parse_tests();
	add_emulator_tests();
	add_module_tests();
	ret = g_test_run();
	if (plugin_module != NULL)
		g_module_close(plugin_module);
	return ret;
}
