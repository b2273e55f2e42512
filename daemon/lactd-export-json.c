/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * JSON (RFC 8259) through json-glib: the whole log of the range, samples
 * and weighings included. A value that was not measured is null, never 0.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>

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

/* mL, grams and minutes at the API's 0.1 resolution; null when not measured. */
static void
add_dec1(JsonBuilder *b, const char *key, gboolean has, double value)
{
	json_builder_set_member_name(b, key);
	if (!has || !isfinite(value))
		json_builder_add_null_value(b);
	else
		json_builder_add_double_value(b, lactd_round_ml(value));
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

static void
add_session(JsonBuilder *b, const LactdExportSession *e, GArray *samples)
{
	const LactdSession *s = e->s;
	gint64 end = MAX(s->end_us, s->start_us);
	g_autofree char *start_local = lactd_export_iso_local(s->start_us);
	g_autofree char *end_local = lactd_export_iso_local(end);

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, (gint64)s->id);
	add_string(b, "kind", lactd_session_kind_to_string(s->kind));
	add_string(b, "source", lactd_session_source_to_string(s->source));
	add_time(b, "start", s->start_us);
	add_time(b, "end", end);
	add_string(b, "start_local", start_local);
	add_string(b, "end_local", end_local);
	add_dec1(b, "duration_min", TRUE, lactd_export_duration_min(s));
	add_dec1(b, "left_ml", e->has_left, s->left_ml);
	add_dec1(b, "right_ml", e->has_right, s->right_ml);
	add_dec1(b, "bottle_ml", e->has_bottle, e->bottle_ml);
	add_dec1(b, "total_ml", e->has_total, e->total_ml);
	add_dec1(b, "intake_ml", e->has_intake, e->intake_ml);
	add_string(b, "intake_method", e->has_intake ? LACTD_EXPORT_INTAKE_METHOD : NULL);
	json_builder_set_member_name(b, "left_seconds");
	json_builder_add_int_value(b, s->left_seconds);
	json_builder_set_member_name(b, "right_seconds");
	json_builder_add_int_value(b, s->right_seconds);
	json_builder_set_member_name(b, "interrupted");
	json_builder_add_boolean_value(b, s->interrupted);
	json_builder_set_member_name(b, "live");
	json_builder_add_boolean_value(b, s->live);
	add_string(b, "device", s->device);
	add_string(b, "note", s->note != NULL ? s->note : "");
	if (s->kind == LACTD_SESSION_SUPPLEMENT) {
		add_dec1(b, "supplement_ml", TRUE, s->supplement_ml);
		add_string(b, "method", s->method);
		add_string(b, "milk", s->milk);
	}
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

static void
add_weighing(JsonBuilder *b, const LactdWeighing *w)
{
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "id");
	json_builder_add_int_value(b, (gint64)w->id);
	add_time(b, "time", w->time_us);
	add_dec1(b, "grams", TRUE, w->grams);
	json_builder_set_member_name(b, "stable");
	json_builder_add_boolean_value(b, w->stable);
	add_string(b, "device", w->device);
	add_string(b, "role", w->role);
	json_builder_set_member_name(b, "session");
	if (w->session != 0)
		json_builder_add_int_value(b, (gint64)w->session);
	else
		json_builder_add_null_value(b);
	json_builder_end_object(b);
}

static void
add_plan(JsonBuilder *b, const LactdPlan *p)
{
	g_autofree char *on_start =
	    g_strdup_printf("%02u:%02u", p->overnight_start / 60, p->overnight_start % 60);
	g_autofree char *on_end =
	    g_strdup_printf("%02u:%02u", p->overnight_end / 60, p->overnight_end % 60);

	json_builder_set_member_name(b, "plan");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "sessions_min");
	json_builder_add_int_value(b, p->sessions_min);
	json_builder_set_member_name(b, "sessions_max");
	json_builder_add_int_value(b, p->sessions_max);
	add_string(b, "overnight_start", on_start);
	add_string(b, "overnight_end", on_end);
	json_builder_set_member_name(b, "minutes_min");
	json_builder_add_int_value(b, p->minutes_min);
	json_builder_set_member_name(b, "minutes_max");
	json_builder_add_int_value(b, p->minutes_max);
	add_string(b, "start_date", p->start_date[0] != '\0' ? p->start_date : NULL);
	json_builder_end_object(b);
}

GBytes *
lactd_export_json(const LactdExportData *data, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(JsonNode) root = NULL;
	gsize len;
	char *text;

	json_builder_begin_object(b);
	add_string(b, "format", "lactd-export");
	json_builder_set_member_name(b, "format_version");
	json_builder_add_int_value(b, FORMAT_VERSION);
	add_string(b, "lactd_version", PACKAGE_VERSION);
	add_string(b, "exported", data->exported_at);
	add_string(b, "name", data->plan.name[0] != '\0' ? data->plan.name : NULL);
	add_string(b, "time_zone", data->time_zone);
	add_string(b, "installation", data->installation_id);
	add_plan(b, &data->plan);
	json_builder_set_member_name(b, "range");
	json_builder_begin_object(b);
	add_time(b, "from", data->from_us);
	add_time(b, "to", data->to_us);
	json_builder_end_object(b);
	json_builder_set_member_name(b, "sessions");
	json_builder_begin_array(b);
	for (guint i = 0; i < data->sessions->len; i++) {
		const LactdExportSession *e = &g_array_index(data->sessions, LactdExportSession, i);
		g_autoptr(GArray) samples = lactd_store_get_samples(data->store, e->s->id, error);

		if (samples == NULL)
			return NULL;
		add_session(b, e, samples);
	}
	json_builder_end_array(b);
	json_builder_set_member_name(b, "weighings");
	json_builder_begin_array(b);
	for (guint i = 0; i < data->weighings->len; i++)
		add_weighing(b, g_ptr_array_index(data->weighings, i));
	json_builder_end_array(b);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	json_generator_set_root(gen, root);
	text = json_generator_to_data(gen, &len);
	/* One line, ended like a text file. */
	text = g_realloc(text, len + 2);
	text[len] = '\n';
	text[len + 1] = '\0';
	return g_bytes_new_take(text, len + 1);
}
