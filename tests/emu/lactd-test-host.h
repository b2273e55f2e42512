/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A recording LactdHost for a plugin's unit test: the plugin module is
 * loaded and attached as lactd would, its subscriptions and writes go to an
 * emulator (or are only noted), and every call it makes is logged as a
 * line, so that a test asserts the host procedure and the readings.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

#include "lactd-emu.h"

G_BEGIN_DECLS

typedef struct {
	const char *address;	    /* what host->address returns */
	const LactdPluginDesc *desc; /* lactd_test_host_notify() feeds its value() */
	LactdEmu *emu;		    /* subscriptions and writes go to it; NULL: noted only */
	gboolean owns_emu;	    /* lactd_test_host_free() frees emu */
	/* "subscribe U", "read U", "write U HEX", "timer MS", "timer-stop ID",
	 * "reject REASON", "log MESSAGE" */
	GPtrArray *log;
	GArray *emitted;     /* LactdReading */
	gboolean fail_emit;  /* emit fails, as when the store cannot take it */
	guint drop_writes;   /* the next writes are noted but never reach the emulator */
	uint32_t timer_id;   /* what timer_start returns; timer_stop must get it back */
	guint timers;	     /* started and not stopped */
	guint64 state[256];  /* the plugin's per-device state */
	guint writes_with_response; /* of the writes logged, how many asked for a response */
} LactdTestHost;

/* The host functions; they act on the LactdTestHost made last. */
extern const LactdHost lactd_test_host;

/* A host for the plugin @desc at @address, with empty log and readings,
 * timer id 1 and no emulator. One at a time: the previous one must be freed. */
LactdTestHost *lactd_test_host_new(const char *address, const LactdPluginDesc *desc);
void lactd_test_host_free(LactdTestHost *th);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdTestHost, lactd_test_host_free)

/* Empties the log, the readings and the plugin's state, for a new attach. */
void lactd_test_host_reset(LactdTestHost *th);

/* An emulator's notify callback: hands the value to the plugin's value(). */
void lactd_test_host_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
			    gpointer user_data);

/* How many log lines start with @prefix. */
guint lactd_test_host_count(const LactdTestHost *th, const char *prefix);

G_END_DECLS
