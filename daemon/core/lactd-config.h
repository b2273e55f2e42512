/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The daemon's configuration: a GKeyFile (/etc/lactd/lactd.conf). A missing
 * file means the defaults; a malformed one is an error naming the line.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
	/* [Daemon] */
	char *database;	  /* Database= */
	char *plugin_dir; /* PluginDir= */
	/* [Capture] */
	char **allowed_addresses;    /* AllowedAddresses=: broadcasters captured without pairing */
	char **adapters;	     /* Adapters=: hciN or addresses; empty: every adapter */
	guint idle_gap_s;	     /* IdleGap=, seconds, default 600 */
	guint disconnect_grace_s;    /* DisconnectGrace=, seconds, default 300 */
	guint reconnect_min_ms;	     /* ReconnectMin=, ms, default 1000 */
	guint reconnect_max_ms;	     /* ReconnectMax=, ms, default 300000 */
	guint bluez_timeout_ms;	     /* BluezTimeout=, ms, default 25000 */
	/* [Weighing] */
	double milk_density;	      /* MilkDensity=, g/mL, default 1.03 */
	guint attribution_window_s;   /* AttributionWindow=, seconds, default 1800 */
	guint test_weigh_window_s;    /* TestWeighWindow=, seconds, default 5400 */
	double container_grams;	      /* ContainerGrams=, default 0 (scale tared) */
	guint settle_ms; /* SettleTime=, ms a flagless scale's weight must hold, default 1500 */
} LactdConfig;

LactdConfig *lactd_config_new_default(void);
/* Loads path over the defaults. A missing file is not an error when
 * missing_ok; any malformed content or unknown value is, naming the line
 * or the key. */
LactdConfig *lactd_config_load(const char *path, gboolean missing_ok, GError **error);
void lactd_config_free(LactdConfig *config);
gboolean lactd_config_address_allowed(const LactdConfig *config, const char *address);
/* Whether lactd uses the adapter named name (hciN) with that address (or
 * NULL when unknown): every adapter when Adapters= is empty. */
gboolean lactd_config_adapter_used(const LactdConfig *config, const char *name,
				   const char *address);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdConfig, lactd_config_free)

G_END_DECLS
