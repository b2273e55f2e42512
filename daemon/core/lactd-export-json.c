/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON (RFC 8259) through json-glib: the whole log of the range, samples
 * and weighings included. A value that was not measured is null, never 0.
 */
#include "config.h"

#include <json-glib/json-glib.h>

#include "lactd-export-private.h"
#include "lactd-util.h"

#define FORMAT_VERSION 2

/* A string member; json-glib needs UTF-8, so a stray byte becomes U+FFFD. */
static void
add_string(JsonBuilder *b, const char *key, const char *value)
{
	g_autofree char *valid = NULL;

	json_builder_set_member_name(b, key);
	if (value == NULL) {
		json_builder_add_null_value(b);
		return;
	}
	if (!g_utf8_validate(value, -1, NULL))
		value = valid = g_utf8_make_valid(value, -1);
	json_builder_add_string_value(b, value);
}

static void
add_time(JsonBuilder *b, const char *key, gint64 time_us)
{
	g_autofree char *iso = lactd_export_iso_utc(time_us);
	g_autofree char *key_us = g_strconcat(key, "_us", NULL);

	add_string(b, key, iso);
	json_builder_set_member_name(b, key_us);
	json_builder_add_int_value(b, time_us);
}

/* A session's members from its table, then its volume curve. */
static void
add_session(JsonBuilder *b, const LactdExportSession *e, GArray *samples)
{
	json_builder_begin_object(b);
	lactd_record_add_json_members(&lactd_export_session_table, e, b);
	json_builder_set_member_name(b, "samples");
	json_builder_begin_array(b);
	for (guint i = 0; i < samples->len; i++) {
		const LactdSample *x = &g_array_index(samples, LactdSample, i);

		json_builder_begin_array(b);
		json_builder_add_int_value(b, x->time_us);
		/* A side the session did not measure has no curve either. */
		if (e->has_left)
			json_builder_add_double_value(b, lactd_round_ml(x->left_ml));
		else
			json_builder_add_null_value(b);
		if (e->has_right)
			json_builder_add_double_value(b, lactd_round_ml(x->right_ml));
		else
			json_builder_add_null_value(b);
		json_builder_end_array(b);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);
}

GBytes *
lactd_export_json_bytes(JsonNode *root)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	gsize len;
	char *text;

	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, &len);
	/* One line, ended like a text file. */
	text = g_realloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	return g_bytes_new_take(text, len + 1);
}

GBytes *
lactd_export_json(const LactdExportData *data, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;

	json_builder_begin_object(b);
	add_string(b, "format", "lactd-export");
	json_builder_set_member_name(b, "format_version");
	json_builder_add_int_value(b, FORMAT_VERSION);
	add_string(b, "lactd_version", PACKAGE_VERSION);
	add_string(b, "exported", data->exported_at);
	add_string(b, "name", data->plan.name[0] != '\0' ? data->plan.name : NULL);
	add_string(b, "time_zone", data->time_zone);
	add_string(b, "installation", data->installation_id);
	json_builder_set_member_name(b, "plan");
	json_builder_add_value(b, lactd_record_to_json(&lactd_plan_table, &data->plan));
	json_builder_set_member_name(b, "range");
	json_builder_begin_object(b);
	add_time(b, "from", data->from_us);
	add_time(b, "to", data->to_us);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "sessions");
	json_builder_begin_array(b);
	for (guint i = 0; i < data->sessions->len; i++) {
		const LactdExportSession *e = &g_array_index(data->sessions, LactdExportSession, i);
		g_autoptr(GArray) samples = lactd_store_get_samples(data->store, e->s.id, error);

		if (samples == NULL)
			return NULL;
		add_session(b, e, samples);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "weighings");
	json_builder_begin_array(b);
	for (guint i = 0; i < data->weighings->len; i++)
		json_builder_add_value(b,
				       lactd_record_to_json(&lactd_export_weighing_table,
							    g_ptr_array_index(data->weighings, i)));
	json_builder_end_array(b);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	return lactd_export_json_bytes(root);
}
