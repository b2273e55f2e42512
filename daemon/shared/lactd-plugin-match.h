/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Which plugin a device belongs to. Pure: descriptors and what BlueZ says
 * of the device in, one descriptor and the reason out.
 *
 * Several protocols share a service UUID (FFF0: Decent, Varia, Eureka,
 * WeighMaster; 0x181D: the SIG Weight Scale and Timemore's own payload).
 * A plugin may therefore narrow its match with device-name patterns and
 * required characteristics (ABI 2). Among the plugins that match, the most
 * specific wins: a name-pattern match before one without, then the one that
 * requires more characteristics, then a service match before an
 * advertisement one, then priority, then the name.
 */
#pragma once

#include <glib.h>
#include <lactd/plugin.h>

G_BEGIN_DECLS

typedef enum {
	LACTD_PLUGIN_MATCH_NONE = 0,
	/* By a GATT service UUID: the device must be connected. */
	LACTD_PLUGIN_MATCH_SERVICE,
	/* By its advertisements only: no connection needed. */
	LACTD_PLUGIN_MATCH_ADVERTISEMENT,
} LactdPluginMatch;

typedef struct {
	/* Device1.UUIDs and the GattService1 UUIDs; may be NULL. */
	const char *const *service_uuids;
	/* Company ids of its ManufacturerData. */
	const guint16 *manufacturer_ids;
	gsize n_manufacturer_ids;
	/* UUIDs of its ServiceData; may be NULL. */
	const char *const *service_data_uuids;
	/* Device1.Name, else Alias; NULL or "" when unknown. */
	const char *name;
	/* The characteristic UUIDs once services are resolved; NULL before
	 * (required characteristics are then not checked yet). */
	const char *const *char_uuids;
} LactdPluginMatchInput;

/*
 * lactd_plugin_match_select:
 * @descs: NULL-terminated descriptors
 * @how: (out) (optional): whether a service or an advertisement matched
 * @why: (out) (optional) (transfer full): for the log: why this plugin
 *   was chosen over the others that matched, or, when none is returned,
 *   why a plugin that matched the services does not fit (NULL if none
 *   came close). Carries no health data.
 *
 * The most specific matching plugin, or NULL.
 */
const LactdPluginDesc *lactd_plugin_match_select(const LactdPluginDesc *const *descs,
						 const LactdPluginMatchInput *in,
						 LactdPluginMatch *how, char **why);

/* Whether @name matches one of @desc's name patterns (TRUE when it has none). */
gboolean lactd_plugin_match_name(const LactdPluginDesc *desc, const char *name,
				 const char **pattern);

G_END_DECLS
