/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The arguments of ImportCapture and the paged import, parsed once and
 * checked against the recorder's bounds: InvalidArgs naming the field for
 * anything out of bounds. What the services get is plain LactdRecInfo,
 * LactdRecChar and LactdRecEvent values.
 */
#include "config.h"

#include <string.h>

#include "lactd-error.h"
#include "lactd-manager-capture.h"

static gboolean
uuid_valid(const char *u)
{
	if (strlen(u) != 36)
		return FALSE;
	for (guint i = 0; i < 36; i++) {
		gboolean dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? u[i] != '-' : !g_ascii_isxdigit(u[i]))
			return FALSE;
	}
	return TRUE;
}

static gboolean
flags_valid(const char *f)
{
	if (strlen(f) > LACTD_REC_MAX_TEXT)
		return FALSE;
	for (const char *p = f; *p != '\0'; p++) {
		if (!(g_ascii_islower(*p) || *p == '-' || *p == ','))
			return FALSE;
	}
	return TRUE;
}

gboolean
lactd_capture_args_info(GVariant *dict, LactdRecInfo *info, GError **error)
{
	static const struct {
		const char *key;
		const char *type;
	} keys[] = {{"address", "s"}, {"name", "s"}, {"source", "s"}, {"start", "x"}, {"end", "x"}};
	GVariantIter it;
	const char *key;
	GVariant *v;
	gboolean have_start = FALSE, have_end = FALSE;

	g_variant_iter_init(&it, dict);
	while (g_variant_iter_next(&it, "{&sv}", &key, &v)) {
		g_autoptr(GVariant) value = v;
		guint k;

		for (k = 0; k < G_N_ELEMENTS(keys); k++) {
			if (g_str_equal(key, keys[k].key))
				break;
		}
		if (k == G_N_ELEMENTS(keys)) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "info.%s: not a key of a capture", key);
			return FALSE;
		}
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE(keys[k].type))) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "info.%s: must be of type %s", key, keys[k].type);
			return FALSE;
		}
		if (keys[k].type[0] == 's' &&
		    strlen(g_variant_get_string(value, NULL)) > LACTD_REC_MAX_TEXT) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "info.%s: longer than %u bytes", key, LACTD_REC_MAX_TEXT);
			return FALSE;
		}
		switch (k) {
		case 0:
			g_free(info->address);
			info->address = g_ascii_strup(g_variant_get_string(value, NULL), -1);
			break;
		case 1:
			g_free(info->name);
			info->name = g_variant_dup_string(value, NULL);
			break;
		case 2:
			g_free(info->source);
			info->source = g_variant_dup_string(value, NULL);
			break;
		case 3:
			info->start_us = g_variant_get_int64(value);
			have_start = TRUE;
			break;
		default:
			info->end_us = g_variant_get_int64(value);
			have_end = TRUE;
			break;
		}
	}
	if (info->address != NULL && info->address[0] != '\0' && !lactd_recorder_address_valid(info->address)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "info.address: '%s' is not of the form AA:BB:CC:DD:EE:FF", info->address);
		return FALSE;
	}
	if (info->source == NULL || info->source[0] == '\0') {
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "info.source: required (the tool the capture came from)");
		return FALSE;
	}
	if (!have_start || !have_end || info->start_us <= 0 || info->end_us < info->start_us) {
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "info.end: start and end are required, positive, end not "
				    "before start");
		return FALSE;
	}
	return TRUE;
}

GPtrArray *
lactd_capture_args_chars(GVariant *array, GError **error)
{
	g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func((GDestroyNotify)lactd_gatt_char_free);
	GVariantIter it;
	const char *uuid, *flags, *service;
	guint16 handle;
	guint i = 0;

	if (g_variant_n_children(array) > LACTD_REC_MAX_CHARS) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "characteristics: more than %u", LACTD_REC_MAX_CHARS);
		return NULL;
	}
	g_variant_iter_init(&it, array);
	for (; g_variant_iter_next(&it, "(&s&sq&s)", &uuid, &flags, &handle, &service); i++) {
		LactdRecChar *c;

		if (!uuid_valid(uuid)) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "characteristics[%u].uuid: not a 128-bit UUID", i);
			return NULL;
		}
		if (!flags_valid(flags)) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "characteristics[%u].flags: comma-separated lowercase names", i);
			return NULL;
		}
		if (service[0] != '\0' && !uuid_valid(service)) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "characteristics[%u].service: not a 128-bit UUID", i);
			return NULL;
		}
		c = g_new0(LactdRecChar, 1);
		c->uuid = g_ascii_strdown(uuid, -1);
		c->flags = g_strdup(flags);
		c->handle = handle;
		c->service_uuid = service[0] != '\0' ? g_ascii_strdown(service, -1) : NULL;
		g_ptr_array_add(out, c);
	}
	return g_steal_pointer(&out);
}

GPtrArray *
lactd_capture_args_events(GVariant *array, const LactdRecInfo *info, guint max_events,
			    GError **error)
{
	g_autoptr(GPtrArray) out =
	    g_ptr_array_new_with_free_func((GDestroyNotify)lactd_rec_event_free);
	gsize n = g_variant_n_children(array);

	if (n > max_events) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "events: %" G_GSIZE_FORMAT ", more than the %u a capture may hold", n,
			    max_events);
		return NULL;
	}
	for (gsize i = 0; i < n; i++) {
		g_autoptr(GVariant) ev = g_variant_get_child_value(array, i);
		g_autoptr(GVariant) value = g_variant_get_child_value(ev, 4);
		const char *kind_s, *uuid, *text;
		gint64 t;
		guint16 handle;
		gsize len = 0;
		const guint8 *data = g_variant_get_fixed_array(value, &len, 1);
		const char *kind;
		LactdRecEvent *e;

		g_variant_get(ev, "(x&s&sq@ay&s)", &t, &kind_s, &uuid, &handle, NULL, &text);
		kind = lactd_rec_kind_intern(kind_s);
		if (kind == NULL) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "events[%" G_GSIZE_FORMAT "].kind: '%s' is none of notify, "
				    "indicate, read, write, mark",
				    i, kind_s);
			return NULL;
		}
		if (t < info->start_us || t > info->end_us) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "events[%" G_GSIZE_FORMAT "].time: outside the capture's start "
				    "and end",
				    i);
			return NULL;
		}
		if (uuid[0] != '\0' && !uuid_valid(uuid)) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "events[%" G_GSIZE_FORMAT "].uuid: not a 128-bit UUID", i);
			return NULL;
		}
		if (len > LACTD_REC_MAX_VALUE) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "events[%" G_GSIZE_FORMAT "].value: more than %u bytes", i,
				    LACTD_REC_MAX_VALUE);
			return NULL;
		}
		if (g_str_equal(kind, LACTD_REC_MARK)) {
			if (text[0] == '\0' || strlen(text) > LACTD_REC_MAX_TEXT || len > 0 ||
			    uuid[0] != '\0') {
				g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
					    "events[%" G_GSIZE_FORMAT "].text: a mark has a text of "
					    "1 to %u bytes, no uuid and no value",
					    i, LACTD_REC_MAX_TEXT);
				return NULL;
			}
		} else if (text[0] != '\0') {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "events[%" G_GSIZE_FORMAT "].text: only marks have a text", i);
			return NULL;
		}
		e = g_new0(LactdRecEvent, 1);
		e->time_us = t;
		e->kind = kind;
		e->uuid = uuid[0] != '\0' ? g_ascii_strdown(uuid, -1) : NULL;
		e->handle = handle;
		if (!g_str_equal(kind, LACTD_REC_MARK))
			e->value = g_bytes_new(data, len);
		e->text = text[0] != '\0' ? g_strdup(text) : NULL;
		g_ptr_array_add(out, e);
	}
	return g_steal_pointer(&out);
}
