/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>

#include "lactctl-capture.h"

LactdCapFile *
lactctl_capture_from_variant(GVariant *info, GVariant *chars, GVariant *events, GError **error)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	const char *s, *uuid, *flags, *service;
	guint16 handle;
	GVariantIter it;

	if (g_variant_lookup(info, "address", "&s", &s)) {
		g_free(cap->address);
		cap->address = g_strdup(s);
	}
	if (g_variant_lookup(info, "name", "&s", &s)) {
		g_free(cap->name);
		cap->name = g_strdup(s);
	}
	if (g_variant_lookup(info, "source", "&s", &s)) {
		g_free(cap->source);
		cap->source = g_strdup(s);
	}
	g_variant_lookup(info, "start", "x", &cap->start_us);
	g_variant_lookup(info, "end", "x", &cap->end_us);

	g_variant_iter_init(&it, chars);
	while (g_variant_iter_next(&it, "(&s&sq&s)", &uuid, &flags, &handle, &service))
		lactd_capfile_add_char(cap, uuid, flags, handle, service[0] != '\0' ? service : NULL);

	if (!lactctl_capture_append_page(cap, info, events, error))
		return NULL;
	return g_steal_pointer(&cap);
}

gboolean
lactctl_capture_append_page(LactdCapFile *cap, GVariant *info, GVariant *events, GError **error)
{
	const guint first = cap->events->len;
	const char *uuid, *kind_s, *text;
	gint64 t;
	guint16 handle;

	for (gsize i = 0; i < g_variant_n_children(events); i++) {
		g_autoptr(GVariant) ev = g_variant_get_child_value(events, i);
		g_autoptr(GVariant) value = NULL;
		LactdCapKind kind;
		const guint8 *data;
		gsize len = 0;

		g_variant_get(ev, "(x&s&sq@ay&s)", &t, &kind_s, &uuid, &handle, &value, &text);
		if (!lactd_cap_kind_from_string(kind_s, &kind)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "event %" G_GSIZE_FORMAT ": unknown kind '%s'", first + i, kind_s);
			return FALSE;
		}
		data = g_variant_get_fixed_array(value, &len, 1);
		lactd_capfile_add_event(cap, t, kind, uuid[0] != '\0' ? uuid : NULL, handle,
					kind == LACTD_CAP_MARK ? NULL : data,
					kind == LACTD_CAP_MARK ? 0 : len,
					kind == LACTD_CAP_MARK ? text : NULL);
	}
	/* Events widen the span; the daemon's own span is the truth. */
	g_variant_lookup(info, "start", "x", &cap->start_us);
	g_variant_lookup(info, "end", "x", &cap->end_us);
	return TRUE;
}

GVariant *
lactctl_capture_info_to_variant(const LactdCapFile *cap, const char *source)
{
	GVariantBuilder info, chars;

	g_variant_builder_init(&info, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&info, "{sv}", "address",
			      g_variant_new_string(cap->address != NULL ? cap->address : ""));
	g_variant_builder_add(&info, "{sv}", "name",
			      g_variant_new_string(cap->name != NULL ? cap->name : ""));
	g_variant_builder_add(&info, "{sv}", "source",
			      g_variant_new_string(cap->source != NULL && cap->source[0] != '\0'
						       ? cap->source
						       : source));
	g_variant_builder_add(&info, "{sv}", "start", g_variant_new_int64(cap->start_us));
	g_variant_builder_add(&info, "{sv}", "end", g_variant_new_int64(cap->end_us));

	g_variant_builder_init(&chars, G_VARIANT_TYPE("a(ssqs)"));
	for (guint i = 0; i < cap->chars->len; i++) {
		const LactdCapChar *c = g_ptr_array_index(cap->chars, i);
		g_variant_builder_add(&chars, "(ssqs)", c->uuid, c->flags != NULL ? c->flags : "",
				      c->handle, c->service_uuid != NULL ? c->service_uuid : "");
	}
	return g_variant_new("(@a{sv}@a(ssqs))", g_variant_builder_end(&info),
			     g_variant_builder_end(&chars));
}

GVariant *
lactctl_capture_events_to_variant(const LactdCapFile *cap, guint first, guint max)
{
	GVariantBuilder events;

	g_variant_builder_init(&events, G_VARIANT_TYPE("a(xssqays)"));
	for (guint i = first; i < cap->events->len && i - first < max; i++) {
		const LactdCapEvent *e = g_ptr_array_index(cap->events, i);
		gsize len = 0;
		gconstpointer data = e->value != NULL ? g_bytes_get_data(e->value, &len) : NULL;

		g_variant_builder_add(
		    &events, "(xssq@ays)", e->time_us, lactd_cap_kind_to_string(e->kind),
		    e->uuid != NULL ? e->uuid : "", e->handle,
		    g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, data != NULL ? data : "", len, 1),
		    e->text != NULL ? e->text : "");
	}
	return g_variant_builder_end(&events);
}

GVariant *
lactctl_capture_to_variant(const LactdCapFile *cap, const char *source)
{
	g_autoptr(GVariant) head = g_variant_ref_sink(lactctl_capture_info_to_variant(cap, source));
	/* Children are full references, which g_variant_new() does not take. */
	g_autoptr(GVariant) info = g_variant_get_child_value(head, 0);
	g_autoptr(GVariant) chars = g_variant_get_child_value(head, 1);

	return g_variant_new("(@a{sv}@a(ssqs)@a(xssqays))", info, chars,
			     lactctl_capture_events_to_variant(cap, 0, G_MAXUINT));
}
