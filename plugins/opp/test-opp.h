/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of plugins/opp/test-opp share, and the function with
 * which each registers its cases (called by test-opp.c's main()). */
#pragma once

#include <gmodule.h>

#include "lactd-emu.h"
#include "lactd-test-plugin.h"
#include "opp-encode.h"
#include "opp-parse.h"

/* test-opp.c */
/* Flags 0x003f: both channels, volume, suction, records, clock; level 9. */
extern const guint8 feature_full[3];

int parse(OppParseState *st, const char *uuid, const guint8 *d, gsize len, LactdReading *out,
	  const char **reason);

/* test-opp-parse.c */
void add_parse_tests(void);

/* test-opp-emulator.c: an emulated pump whose notifications are collected */
void sent_free(gpointer p);
void collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data);
LactdEmu *make_emu_full(const char *scenario, GPtrArray *sent, gboolean connect);
void last_response(GPtrArray *sent, guint back, OppResponse *resp);
void write_request(LactdEmu *emu, guint8 opcode, guint32 value);
void add_emulator_tests(void);

/* test-opp-module.c */
extern GModule *plugin_module;
void add_module_tests(void);
