/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactd-replay: feeds a capture's device values, in order and with their
 * times, through a plugin's pure parser, and prints the normalised readings
 * and every refusal. A plugin for a new pump is tested from the recording
 * that motivated it (docs/new-device.md); see docs/lactd-replay.1.
 *
 * Plugins are loaded by the daemon's own host (daemon/shared/lactd-plugins.c, in the shared library), so
 * a plugin the replay accepts is one the daemon loads.
 */
#include "config.h"

#include <gio/gio.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "lactd-capfile.h"
#include "lactd-plugins.h"

enum { EXIT_REJECTED = 1, EXIT_BAD = 2 };

typedef struct {
	const LactdCapFile *cap;
	gboolean json;
	GString *out;
	guint n_values;
	guint n_readings;
	guint n_rejected;
	gboolean first; /* JSON: no comma before the first element */
} Replay;

static const char *const phase_names[] = { "idle", "stimulation", "expression", "paused" };

static const char *
phase_name(LactdPhase p)
{
	return (guint)p < G_N_ELEMENTS(phase_names) ? phase_names[p] : "unknown";
}

static const char *
reading_name(LactdReadingType t)
{
	switch (t) {
	case LACTD_READING_PHASE:
		return "phase";
	case LACTD_READING_VOLUME:
		return "volume";
	case LACTD_READING_SUCTION:
		return "suction";
	case LACTD_READING_BATTERY:
		return "battery";
	case LACTD_READING_WEIGHT:
		return "weight";
	case LACTD_READING_RECORD:
		return "record";
	case LACTD_READING_FEATURES:
		return "features";
	}
	return "unknown";
}

static char *
iso8601(gint64 time_us)
{
	g_autoptr(GDateTime) dt = NULL;
	g_autofree char *base = NULL;

	if (time_us < 0 || (dt = g_date_time_new_from_unix_utc(time_us / G_USEC_PER_SEC)) == NULL)
		return g_strdup("?");
	base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
	return g_strdup_printf("%s.%06" G_GINT64_FORMAT "Z", base, time_us % G_USEC_PER_SEC);
}

static char *
seconds(gint64 d_us)
{
	guint64 a = d_us < 0 ? (guint64)0 - (guint64)d_us : (guint64)d_us;

	return g_strdup_printf("%s%" G_GUINT64_FORMAT ".%06" G_GUINT64_FORMAT, d_us < 0 ? "-" : "+",
			       a / G_USEC_PER_SEC, a % G_USEC_PER_SEC);
}

static void
json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const guchar *p = (const guchar *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p < 0x20)
			g_string_append_printf(out, "\\u%04x", *p);
		else
			g_string_append_c(out, (char)*p);
	}
	g_string_append_c(out, '"');
}

static void
json_number(GString *out, const char *key, double v)
{
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	g_string_append_printf(out, ", \"%s\": %s", key, g_ascii_dtostr(buf, sizeof(buf), v));
}

/* The start of one output line or JSON object: its time, from the start
 * of the capture and absolute. */
static void
begin(Replay *r, gint64 time_us, const char *type)
{
	g_autofree char *iso = iso8601(time_us);
	g_autofree char *rel = seconds(time_us - r->cap->start_us);

	if (r->json) {
		g_string_append_printf(r->out, "%s\n    {\"time_us\": %" G_GINT64_FORMAT
					       ", \"time\": \"%s\", \"offset\": \"%s\", \"type\": \"%s\"",
				       r->first ? "" : ",", time_us, iso, rel, type);
		r->first = FALSE;
	} else {
		g_string_append_printf(r->out, "%12s  %s  %-9s", rel, iso, type);
	}
}

static void
end(Replay *r)
{
	g_string_append(r->out, r->json ? "}" : "\n");
}

static void
field_uint(Replay *r, const char *key, guint64 v)
{
	if (r->json)
		g_string_append_printf(r->out, ", \"%s\": %" G_GUINT64_FORMAT, key, v);
	else
		g_string_append_printf(r->out, " %s=%" G_GUINT64_FORMAT, key, v);
}

static void
field_str(Replay *r, const char *key, const char *v)
{
	if (r->json) {
		g_string_append_printf(r->out, ", \"%s\": ", key);
		json_string(r->out, v);
	} else {
		g_string_append_printf(r->out, " %s=%s", key, v);
	}
}

static void
field_ml(Replay *r, const char *key, double v)
{
	if (r->json)
		json_number(r->out, key, v);
	else
		g_string_append_printf(r->out, " %s=%.1f mL", key, v);
}

/* The volumes of the sides a reading carries. */
static void
field_sides(Replay *r, guint channels, double left_ml, double right_ml)
{
	if (channels & LACTD_CHANNEL_LEFT)
		field_ml(r, "left_ml", left_ml);
	if (channels & LACTD_CHANNEL_RIGHT)
		field_ml(r, "right_ml", right_ml);
}

static void
field_bool(Replay *r, const char *key, gboolean v)
{
	if (r->json)
		g_string_append_printf(r->out, ", \"%s\": %s", key, v ? "true" : "false");
	else
		g_string_append_printf(r->out, " %s=%s", key, v ? "yes" : "no");
}

/* What a device says it can do. */
static void
print_features(Replay *r, const LactdReading *rd)
{
	field_uint(r, "channels", rd->features.channels);
	field_bool(r, "measures_volume", rd->features.measures_volume);
	field_uint(r, "max_suction", rd->features.max_suction);
	field_bool(r, "stores_records", rd->features.stores_records);
	field_bool(r, "has_clock", rd->features.has_clock);
}

static void
print_reading(Replay *r, const LactdReading *rd, gint64 time_us)
{
	begin(r, rd->time_us != 0 ? rd->time_us : time_us, reading_name(rd->type));
	switch (rd->type) {
	case LACTD_READING_PHASE:
		field_str(r, "phase", phase_name(rd->phase.phase));
		field_uint(r, "session", rd->phase.device_session);
		field_uint(r, "elapsed_s", rd->phase.elapsed_s);
		break;
	case LACTD_READING_VOLUME:
		field_uint(r, "session", rd->volume.device_session);
		field_uint(r, "sequence", rd->volume.sequence);
		field_uint(r, "elapsed_s", rd->volume.elapsed_s);
		field_sides(r, rd->volume.channels, rd->volume.left_ml, rd->volume.right_ml);
		break;
	case LACTD_READING_SUCTION:
		field_uint(r, "level", rd->suction.level);
		field_uint(r, "max_level", rd->suction.max_level);
		break;
	case LACTD_READING_BATTERY:
		field_uint(r, "percent", rd->battery.percent);
		break;
	case LACTD_READING_WEIGHT:
		if (r->json)
			json_number(r->out, "grams", rd->weight.grams);
		else
			g_string_append_printf(r->out, " grams=%.1f", rd->weight.grams);
		field_bool(r, "stable", rd->weight.stable);
		break;
	case LACTD_READING_RECORD: {
		g_autofree char *start = iso8601(rd->record.start_us);

		field_uint(r, "session", rd->record.device_session);
		field_str(r, "start", rd->record.start_us != 0 ? start : "unknown");
		field_uint(r, "duration_s", rd->record.duration_s);
		field_sides(r, rd->record.channels, rd->record.left_ml, rd->record.right_ml);
		field_uint(r, "flags", rd->record.flags);
		break;
	}
	case LACTD_READING_FEATURES:
		print_features(r, rd);
		break;
	}
	end(r);
}

static void
print_rejected(Replay *r, const LactdCapEvent *ev, const char *reason)
{
	g_autoptr(GString) hex = g_string_new(NULL);
	gsize len = 0;
	const guint8 *d = g_bytes_get_data(ev->value, &len);
	g_autofree char *handle = g_strdup_printf("0x%04x", ev->handle);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(hex, "%02x", d[i]);
	begin(r, ev->time_us, "rejected");
	field_str(r, "reason", reason);
	field_str(r, "uuid", ev->uuid ? ev->uuid : "-");
	field_str(r, "handle", handle);
	field_str(r, "value", len ? hex->str : "-");
	end(r);
}

/* The capture's characteristic UUID for an event recorded by handle only. */
static const char *
event_uuid(const LactdCapFile *cap, const LactdCapEvent *ev)
{
	if (ev->uuid != NULL || ev->handle == 0)
		return ev->uuid;
	for (guint i = 0; i < cap->chars->len; i++) {
		const LactdCapChar *c = g_ptr_array_index(cap->chars, i);
		if (c->handle == ev->handle)
			return c->uuid;
	}
	return NULL;
}

static void
replay(Replay *r, const LactdPluginDesc *desc)
{
	g_autofree guint8 *state = g_malloc0(MAX(desc->state_size, 1));

	for (guint i = 0; i < r->cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(r->cap->events, i);
		LactdReading out[LACTD_READINGS_MAX];
		const char *reason = NULL;
		const char *uuid;
		gsize len = 0;
		const guint8 *d;
		int n;

		if (ev->kind == LACTD_CAP_MARK) {
			begin(r, ev->time_us, "mark");
			field_str(r, "text", ev->text);
			end(r);
			continue;
		}
		/* Only what the device said: what the host wrote is not the
		 * parser's input. */
		if (ev->kind == LACTD_CAP_WRITE)
			continue;
		uuid = event_uuid(r->cap, ev);
		if (uuid == NULL)
			continue;
		d = g_bytes_get_data(ev->value, &len);
		r->n_values++;
		memset(out, 0, sizeof(out));
		n = desc->parse(state, uuid, d, len, out, G_N_ELEMENTS(out), &reason);
		if (n < 0 || n > (int)G_N_ELEMENTS(out)) {
			r->n_rejected++;
			print_rejected(r, ev, n < 0 && reason ? reason : "the parser failed");
			continue;
		}
		for (int k = 0; k < n; k++) {
			r->n_readings++;
			print_reading(r, &out[k], ev->time_us);
		}
	}
}

static const LactdPluginDesc *
find_plugin(LactdPluginHost *host, const char *name)
{
	const LactdPluginDesc *const *list = lactd_plugin_host_list(host);

	for (guint i = 0; list[i] != NULL; i++)
		if (g_strcmp0(list[i]->name, name) == 0)
			return list[i];
	return NULL;
}

/* A capture file, or a btsnoop log read as one (so that a log from a phone
 * can be looked at and replayed without a daemon). */
static LactdCapFile *
load(const char *path, const char *address, GError **error)
{
	g_autofree char *data = NULL;
	gsize len = 0;
	LactdCapFile *cap;

	if (!g_file_get_contents(path, &data, &len, error))
		return NULL;
	if (len >= 8 && memcmp(data, "btsnoop", 8) == 0)
		cap = lactd_capfile_from_btsnoop((const guint8 *)data, len, address, error);
	else
		cap = lactd_capfile_parse(data, len, error);
	if (cap == NULL)
		g_prefix_error(error, "%s: ", path);
	return cap;
}

int
main(int argc, char **argv)
{
	g_autofree char *plugin = NULL;
	g_autofree char *plugin_dir = NULL;
	gboolean json = FALSE;
	gboolean show = FALSE;
	g_autofree char *address = NULL;
	g_auto(GStrv) files = NULL;
	const GOptionEntry entries[] = {
		{ "plugin", 'p', 0, G_OPTION_ARG_STRING, &plugin,
		  "The plugin whose parser reads the capture (its name: opp, wss, ...)", "NAME" },
		{ "plugin-dir", 'd', 0, G_OPTION_ARG_FILENAME, &plugin_dir,
		  "Where to load plugins from (default " LACTD_PLUGIN_DIR
		  "); several separated by ':'",
		  "DIR" },
		{ "json", 'j', 0, G_OPTION_ARG_NONE, &json, "Print JSON instead of text", NULL },
		{ "show", 's', 0, G_OPTION_ARG_NONE, &show,
		  "Print the capture as a hex dump with a summary per characteristic instead", NULL },
		{ "address", 'a', 0, G_OPTION_ARG_STRING, &address,
		  "From a btsnoop log, only this device's traffic", "ADDR" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &files, NULL, "CAPTURE" },
		{ 0 },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new(NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	g_autoptr(LactdPluginHost) host = NULL;
	g_autoptr(GString) out = g_string_new(NULL);
	const LactdPluginDesc *desc;
	Replay r = { 0 };

	setlocale(LC_ALL, "");
	g_option_context_set_summary(
		ctx, "Feeds a capture's values from the device, in order, through a plugin's "
		     "parser,\nand prints the readings it makes and every value it refuses.");
	g_option_context_set_description(
		ctx, "Exit status: 0 every value was accepted, 1 the plugin refused some,\n"
		     "2 the capture, the plugin or the command line is bad.\n"
		     "See lactd-replay(1) and docs/capture-format.md.\n");
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("lactd-replay: %s\n", error->message);
		return EXIT_BAD;
	}
	if (files == NULL || files[0] == NULL || files[1] != NULL || (plugin == NULL && !show)) {
		g_printerr("lactd-replay: give one CAPTURE and --plugin NAME (see --help)\n");
		return EXIT_BAD;
	}
	cap = load(files[0], address, &error);
	if (cap == NULL) {
		g_printerr("lactd-replay: %s\n", error->message);
		return EXIT_BAD;
	}
	if (show) {
		g_autofree char *dump = lactd_capfile_describe(cap);

		fputs(dump, stdout);
		return 0;
	}
	host = lactd_plugin_host_new(plugin_dir ? plugin_dir : LACTD_PLUGIN_DIR, &error);
	if (host == NULL) {
		g_printerr("lactd-replay: %s\n", error->message);
		return EXIT_BAD;
	}
	desc = find_plugin(host, plugin);
	if (desc == NULL) {
		g_printerr("lactd-replay: no plugin named \"%s\" in %s\n", plugin,
			   plugin_dir ? plugin_dir : LACTD_PLUGIN_DIR);
		return EXIT_BAD;
	}
	if (desc->parse == NULL) {
		g_printerr("lactd-replay: plugin \"%s\" has no parser\n", plugin);
		return EXIT_BAD;
	}

	r.cap = cap;
	r.json = json;
	r.out = out;
	r.first = TRUE;
	if (json) {
		g_string_append(out, "{\n  \"capture\": ");
		json_string(out, files[0]);
		g_string_append(out, ",\n  \"plugin\": ");
		json_string(out, desc->name);
		g_string_append(out, ",\n  \"address\": ");
		json_string(out, cap->address);
		g_string_append(out, ",\n  \"events\": [");
	} else {
		g_string_append_printf(out, "# %s through plugin %s (%s)\n", files[0], desc->name,
				       desc->description ? desc->description : "");
	}
	replay(&r, desc);
	if (json)
		g_string_append_printf(out,
				       "\n  ],\n  \"values\": %u,\n  \"readings\": %u,\n"
				       "  \"rejected\": %u\n}\n",
				       r.n_values, r.n_readings, r.n_rejected);
	else
		g_string_append_printf(out, "# %u values, %u readings, %u rejected\n", r.n_values,
				       r.n_readings, r.n_rejected);
	fputs(out->str, stdout);
	return r.n_rejected > 0 ? EXIT_REJECTED : 0;
}
