/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "lactd-config.h"

typedef enum { KEY_STRING, KEY_LIST, KEY_ADAPTERS, KEY_UINT, KEY_DOUBLE } KeyType;

typedef struct {
	const char *group;
	const char *key;
	KeyType type;
	gsize offset;
	double min; /* numbers only */
	double max;
} KeyDef;

#define OFF(field) G_STRUCT_OFFSET(LactdConfig, field)

static const KeyDef keys[] = {
    {"Daemon", "Database", KEY_STRING, OFF(database), 0, 0},
    {"Daemon", "PluginDir", KEY_STRING, OFF(plugin_dir), 0, 0},
    {"Capture", "AllowedAddresses", KEY_LIST, OFF(allowed_addresses), 0, 0},
    {"Capture", "Adapters", KEY_ADAPTERS, OFF(adapters), 0, 0},
    {"Capture", "IdleGap", KEY_UINT, OFF(idle_gap_s), 10, 24 * 3600},
    {"Capture", "DisconnectGrace", KEY_UINT, OFF(disconnect_grace_s), 0, 24 * 3600},
    {"Capture", "ReconnectMin", KEY_UINT, OFF(reconnect_min_ms), 100, 3600 * 1000},
    {"Capture", "ReconnectMax", KEY_UINT, OFF(reconnect_max_ms), 100, 24 * 3600 * 1000.0},
    {"Capture", "BluezTimeout", KEY_UINT, OFF(bluez_timeout_ms), 100, 600 * 1000},
    {"Weighing", "MilkDensity", KEY_DOUBLE, OFF(milk_density), 0.9, 1.2},
    {"Weighing", "AttributionWindow", KEY_UINT, OFF(attribution_window_s), 0, 24 * 3600},
    {"Weighing", "TestWeighWindow", KEY_UINT, OFF(test_weigh_window_s), 0, 24 * 3600},
    {"Weighing", "ContainerGrams", KEY_DOUBLE, OFF(container_grams), 0, 5000},
    {"Weighing", "SettleTime", KEY_UINT, OFF(settle_ms), 200, 60 * 1000},
};

LactdConfig *
lactd_config_new_default(void)
{
	LactdConfig *config = g_new0(LactdConfig, 1);

	config->database = g_strdup(LACTD_DATABASE);
	config->plugin_dir = g_strdup(LACTD_PLUGIN_DIR);
	config->allowed_addresses = g_new0(char *, 1);
	config->adapters = g_new0(char *, 1);
	config->idle_gap_s = 600;
	config->disconnect_grace_s = 300;
	config->reconnect_min_ms = 1000;
	config->reconnect_max_ms = 300000;
	config->bluez_timeout_ms = 25000;
	config->milk_density = 1.03;
	config->attribution_window_s = 1800;
	config->test_weigh_window_s = 5400;
	config->container_grams = 0;
	config->settle_ms = 1500;
	return config;
}

void
lactd_config_free(LactdConfig *config)
{
	if (config == NULL)
		return;
	g_free(config->database);
	g_free(config->plugin_dir);
	g_strfreev(config->allowed_addresses);
	g_strfreev(config->adapters);
	g_free(config);
}

/* The line a key sits on, for error messages: GKeyFile does not say. */
static guint
line_of_key(const char *text, const char *group, const char *key)
{
	g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
	g_autofree char *header = g_strdup_printf("[%s]", group);
	gboolean in_group = FALSE;

	for (guint i = 0; lines[i] != NULL; i++) {
		g_autofree char *line = g_strstrip(g_strdup(lines[i]));
		if (line[0] == '[') {
			in_group = g_strcmp0(line, header) == 0;
			continue;
		}
		if (in_group && g_str_has_prefix(line, key)) {
			const char *rest = line + strlen(key);
			while (*rest == ' ' || *rest == '\t')
				rest++;
			if (*rest == '=')
				return i + 1;
		}
	}
	return 0;
}

static gboolean
valid_address(const char *addr)
{
	if (strlen(addr) != 17)
		return FALSE;
	for (guint i = 0; i < 17; i++) {
		if (i % 3 == 2 ? addr[i] != ':' : !g_ascii_isxdigit(addr[i]))
			return FALSE;
	}
	return TRUE;
}

/* hciN, as the kernel and BlueZ's object paths name adapters. */
static gboolean
valid_adapter_name(const char *name)
{
	if (!g_str_has_prefix(name, "hci") || name[3] == '\0' || strlen(name) > 8)
		return FALSE;
	for (const char *c = name + 3; *c; c++) {
		if (!g_ascii_isdigit(*c))
			return FALSE;
	}
	return TRUE;
}

static const KeyDef *
find_key(const char *group, const char *key)
{
	for (guint i = 0; i < G_N_ELEMENTS(keys); i++) {
		if (g_strcmp0(keys[i].group, group) == 0 && g_strcmp0(keys[i].key, key) == 0)
			return &keys[i];
	}
	return NULL;
}

static gboolean
load_key(LactdConfig *config, GKeyFile *kf, const char *text, const char *path,
	 const KeyDef *def, GError **error)
{
	g_autoptr(GError) local = NULL;
	guint8 *base = (guint8 *)config;
	guint line = line_of_key(text, def->group, def->key);
	g_autofree char *raw = g_key_file_get_value(kf, def->group, def->key, NULL);

	switch (def->type) {
	case KEY_STRING: {
		char **field = (char **)(void *)(base + def->offset);
		g_autofree char *value = g_key_file_get_string(kf, def->group, def->key, &local);
		if (value == NULL || value[0] == '\0') {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "%s:%u: %s= needs a value", path, line, def->key);
			return FALSE;
		}
		g_free(*field);
		*field = g_steal_pointer(&value);
		return TRUE;
	}
	case KEY_LIST:
	case KEY_ADAPTERS: {
		char ***field = (char ***)(void *)(base + def->offset);
		g_auto(GStrv) list = g_key_file_get_string_list(kf, def->group, def->key, NULL, &local);
		if (list == NULL)
			list = g_new0(char *, 1);
		for (guint i = 0; list[i] != NULL; i++) {
			gboolean adapters = def->type == KEY_ADAPTERS;

			g_strstrip(list[i]);
			if (adapters && valid_adapter_name(list[i]))
				continue;
			if (!valid_address(list[i])) {
				g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
					    "%s:%u: %s=: '%s' is %s (AA:BB:CC:DD:EE:FF)", path, line,
					    def->key, list[i],
					    adapters ? "neither an adapter name (hci0) nor an address"
						     : "not a Bluetooth address");
				return FALSE;
			}
			for (char *c = list[i]; *c; c++)
				*c = g_ascii_toupper(*c);
		}
		g_strfreev(*field);
		*field = g_steal_pointer(&list);
		return TRUE;
	}
	case KEY_UINT:
	case KEY_DOUBLE: {
		char *end = NULL;
		double v = g_ascii_strtod(raw != NULL ? g_strstrip(raw) : "", &end);
		if (raw == NULL || end == raw || *end != '\0' || !isfinite(v) ||
		    (def->type == KEY_UINT && v != floor(v)) || v < def->min || v > def->max) {
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
				    "%s:%u: %s=%s: expected %s from %g to %g", path, line, def->key,
				    raw != NULL ? raw : "", def->type == KEY_UINT ? "a whole number"
										  : "a number",
				    def->min, def->max);
			return FALSE;
		}
		if (def->type == KEY_UINT)
			*(guint *)(void *)(base + def->offset) = (guint)v;
		else
			*(double *)(void *)(base + def->offset) = v;
		return TRUE;
	}
	}
	g_assert_not_reached();
}

LactdConfig *
lactd_config_load(const char *path, gboolean missing_ok, GError **error)
{
	g_autoptr(LactdConfig) config = lactd_config_new_default();
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autofree char *text = NULL;
	gsize len = 0;
	g_autoptr(GError) local = NULL;
	g_auto(GStrv) groups = NULL;

	if (!g_file_get_contents(path, &text, &len, &local)) {
		if (missing_ok && g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
			return g_steal_pointer(&config);
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
		return NULL;
	}
	/* GKeyFile's parse errors quote the line but do not number it. */
	{
		g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
		for (guint i = 0; lines[i] != NULL; i++) {
			g_autofree char *line = g_strstrip(g_strdup(lines[i]));
			if (line[0] == '\0' || line[0] == '#' || line[0] == '[' ||
			    strchr(line, '=') != NULL)
				continue;
			g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_PARSE,
				    "%s:%u: '%s' is neither KEY=VALUE, a [Group] nor a # comment",
				    path, i + 1, line);
			return NULL;
		}
	}
	if (!g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
		g_propagate_prefixed_error(error, g_steal_pointer(&local), "%s: ", path);
		return NULL;
	}
	groups = g_key_file_get_groups(kf, NULL);
	for (guint g = 0; groups[g] != NULL; g++) {
		g_auto(GStrv) names = g_key_file_get_keys(kf, groups[g], NULL, NULL);
		for (guint k = 0; names != NULL && names[k] != NULL; k++) {
			const KeyDef *def = find_key(groups[g], names[k]);
			if (def == NULL) {
				g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
					    "%s:%u: unknown key %s in [%s]", path,
					    line_of_key(text, groups[g], names[k]), names[k], groups[g]);
				return NULL;
			}
			if (!load_key(config, kf, text, path, def, error))
				return NULL;
		}
	}
	if (config->reconnect_min_ms > config->reconnect_max_ms) {
		g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_INVALID_VALUE,
			    "%s:%u: ReconnectMin= is above ReconnectMax=", path,
			    line_of_key(text, "Capture", "ReconnectMin"));
		return NULL;
	}
	return g_steal_pointer(&config);
}

gboolean
lactd_config_adapter_used(const LactdConfig *config, const char *name, const char *address)
{
	if (config->adapters == NULL || config->adapters[0] == NULL)
		return TRUE;
	for (guint i = 0; config->adapters[i] != NULL; i++) {
		if (g_strcmp0(config->adapters[i], name) == 0 ||
		    (address != NULL && g_ascii_strcasecmp(config->adapters[i], address) == 0))
			return TRUE;
	}
	return FALSE;
}

gboolean
lactd_config_address_allowed(const LactdConfig *config, const char *address)
{
	for (guint i = 0; config->allowed_addresses[i] != NULL; i++) {
		if (g_ascii_strcasecmp(config->allowed_addresses[i], address) == 0)
			return TRUE;
	}
	return FALSE;
}
