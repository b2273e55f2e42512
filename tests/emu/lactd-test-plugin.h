/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every plugin's unit test does the same way: frames written as hex,
 * a table of frames with the readings or the refusal each must give, the
 * plugin module loaded from the build tree with its ABI checked, and an
 * emulator made from a scenario (or refusing a bad one). A plugin's test
 * keeps only what is its protocol's own.
 */
#pragma once

#include <glib.h>
#include <gmodule.h>
#include <lactd/plugin.h>

#include "lactd-emu.h"
#include "lactd-test-host.h"

G_BEGIN_DECLS

/* The descriptor's parse() as a type. */
typedef int (*LactdTestParseFunc)(void *state, const char *char_uuid, const uint8_t *data,
				  size_t len, LactdReading *out, size_t max_out,
				  const char **reason);

/* Hex digits to bytes, anything else (spaces) skipped; asserts that the
 * digits pair up and fit @max. Returns the byte count. */
gsize lactd_test_unhex(const char *hex, guint8 *buf, gsize max);

/* @hex through @parse on @uuid with @state (may be NULL), into at most
 * @max readings: parse()'s result, *reason set on a refusal. */
int lactd_test_parse_hex(LactdTestParseFunc parse, void *state, const char *uuid,
			 const char *hex, LactdReading *r, gsize max, const char **reason);

/* One notification and what the parser must make of it. */
typedef struct {
	const char *hex;
	int n;		    /* readings; -1: refused */
	const char *reason; /* with n -1: the reason, exactly */
	LactdReadingType type; /* with n >= 1: the first reading's type (0: not checked) */
	double value;	       /* its grams (weight) or percent (battery) */
	int stable;	       /* a weight's flag: 0, 1, or -1 not checked */
} LactdParseCase;

/* A frame refused with @reason; a frame giving @n readings, the first a
 * weight of @grams with stable flag @stable (-1: not checked). */
#define LACTD_PARSE_REFUSED(hex, reason) {(hex), -1, (reason), 0, 0, -1}
#define LACTD_PARSE_WEIGHT(hex, n, grams, stable)                                          \
	{(hex), (n), NULL, LACTD_READING_WEIGHT, (grams), (stable)}

/* Runs each case through @parse on @char_uuid without state (NULL: a
 * stream parser takes the notification alone), and asserts the outcome;
 * the failing case is named. */
void lactd_test_parse_cases(LactdTestParseFunc parse, const char *char_uuid,
			    const LactdParseCase *cases, gsize n_cases);

/*
 * lactd_test_plugin_open:
 * Loads plugins/@name/.libs/@name.so from the build tree as lactd does:
 * the ABI symbol first, then the descriptor, which must be a @kind plugin
 * named @name. @hidden is a symbol of the plugin's sources (its parser)
 * that the module must not export. The module stays open until
 * g_module_close(*module).
 */
const LactdPluginDesc *lactd_test_plugin_open(const char *name, LactdKind kind,
					      const char *hidden, GModule **module);
/* The same for a plugin @name built in folder plugins/@dir. */
const LactdPluginDesc *lactd_test_plugin_open_in(const char *dir, const char *name,
						 LactdKind kind, const char *hidden,
						 GModule **module);

/* Asserts a scale plugin's match data: its first service @service, its
 * required characteristics exactly @chars (NULL-terminated), its @flags
 * and its @resolution in grams. */
void lactd_test_assert_scale_desc(const LactdPluginDesc *desc, const char *service,
				  const char *const *chars, uint32_t flags, double resolution);

/* Whether any of the descriptor's name patterns matches @name. */
gboolean lactd_test_plugin_name_matches(const LactdPluginDesc *desc, const char *name);

/* An emulator from scenario lines ("emulator=NAME\n..."): asserts it is
 * accepted. */
LactdEmu *lactd_test_emu_new(const char *scenario);

/* Asserts that @emulator refuses a scenario with each of @lines added,
 * with G_IO_ERROR_INVALID_ARGUMENT. */
void lactd_test_emu_refuses(const char *emulator, const char *const *lines, gsize n_lines);

/* Notifications of an emulator, collected as GBytes on one characteristic
 * (any other is a failure). */
typedef struct {
	const char *uuid;
	GPtrArray *values; /* GBytes */
} LactdTestSent;

/* An emulator's notify callback; user_data is a LactdTestSent. */
void lactd_test_collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
			gpointer user_data);

/* An emulator from @scenario, link up and notifications on @uuid enabled,
 * collecting what it notifies there into @sent (values made here). */
LactdEmu *lactd_test_emu_collecting(const char *scenario, const char *uuid, LactdTestSent *sent);

/*
 * lactd_test_emu_stream:
 * Runs @emu (made with lactd_test_emu_new) with the link up: asserts that
 * nothing comes before notifications on @uuid are enabled at @subscribe_ms,
 * then returns what it notified on @uuid up to @until_ms (GBytes).
 */
GPtrArray *lactd_test_emu_stream(LactdEmu *emu, const char *uuid, gint64 subscribe_ms,
				 gint64 until_ms);

/* Every notification of @values through @parse with one @state, in order,
 * none refused; the readings (LactdReading). */
GArray *lactd_test_parse_all(LactdTestParseFunc parse, void *state, const char *uuid,
			     GPtrArray *values);

/* Asserts that the weights that became stable in @readings (LactdReading:
 * a stable weight after an unstable one, or after another stable weight)
 * are @want, in order. */
void lactd_test_assert_settled(GArray *readings, const double *want, gsize n_want);

/* How many weights in @readings (LactdReading) are within @tolerance of
 * @grams. */
guint lactd_test_count_weights(GArray *readings, double grams, double tolerance);

/* Whether @emu takes the write of @hex on @uuid (a refusal's error is
 * dropped). */
gboolean lactd_test_emu_takes(LactdEmu *emu, const char *uuid, const char *hex);

/* A test host for @desc wired to an emulator made from @scenario, link up:
 * what the plugin subscribes and writes reaches the emulator, what the
 * emulator notifies reaches the plugin. Freed with lactd_test_host_free(),
 * emulator included. */
LactdTestHost *lactd_test_host_with_emu(const char *address, const LactdPluginDesc *desc,
					const char *scenario);

G_END_DECLS
