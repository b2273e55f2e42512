/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ListSessionsColumns' reply. Numbers go into plain C arrays and become one
 * fixed-size GVariant array each (a single copy); strings become one "as"
 * each. No dictionary and no variant per session: that per-element cost is
 * what makes a year of ListSessions slow.
 */
#include "config.h"

#include "lactd-session-columns.h"
#include "lactd-util.h"

enum { MEASURED_LEFT = 1, MEASURED_RIGHT = 2, MEASURED_WEIGHED = 4 };

typedef struct {
	GArray *id, *start, *end, *left_ml, *right_ml, *total_ml, *weighed_ml, *supplement_ml;
	GArray *measured, *left_seconds, *right_seconds, *interrupted;
	GPtrArray *kind, *source, *device, *note, *method, *milk;
} Columns;

static GArray *
numbers(gsize element, guint n)
{
	return g_array_sized_new(FALSE, FALSE, element, n);
}

static GPtrArray *
strings(guint n)
{
	return g_ptr_array_sized_new(n);
}

static void
put_fixed(GVariantBuilder *b, const char *key, const GVariantType *element, GArray *a)
{
	g_variant_builder_add(b, "{sv}", key,
			      g_variant_new_fixed_array(element, a->data, a->len,
							g_array_get_element_size(a)));
	g_array_unref(a);
}

static void
put_strv(GVariantBuilder *b, const char *key, GPtrArray *a)
{
	g_variant_builder_add(b, "{sv}", key,
			      g_variant_new_strv((const char *const *)a->pdata, a->len));
	g_ptr_array_unref(a);
}

static const char *
or_empty(const char *s)
{
	return s != NULL ? s : "";
}

GVariant *
lactd_session_columns_new(GPtrArray *sessions)
{
	guint n = sessions->len;
	Columns c = {
	    .id = numbers(sizeof(guint64), n),
	    .start = numbers(sizeof(gint64), n),
	    .end = numbers(sizeof(gint64), n),
	    .left_ml = numbers(sizeof(double), n),
	    .right_ml = numbers(sizeof(double), n),
	    .total_ml = numbers(sizeof(double), n),
	    .weighed_ml = numbers(sizeof(double), n),
	    .supplement_ml = numbers(sizeof(double), n),
	    .measured = numbers(sizeof(guint8), n),
	    .left_seconds = numbers(sizeof(guint32), n),
	    .right_seconds = numbers(sizeof(guint32), n),
	    /* A GVariant boolean is one byte. */
	    .interrupted = numbers(sizeof(guint8), n),
	    .kind = strings(n),
	    .source = strings(n),
	    .device = strings(n),
	    .note = strings(n),
	    .method = strings(n),
	    .milk = strings(n),
	};
	GVariantBuilder b;

	for (guint i = 0; i < n; i++) {
		const LactdSession *s = g_ptr_array_index(sessions, i);
		gboolean supplement = s->kind == LACTD_SESSION_SUPPLEMENT;
		guint sides = lactd_session_sides(s);
		guint8 measured = ((sides & 1) ? MEASURED_LEFT : 0) |
				  ((sides & 2) ? MEASURED_RIGHT : 0) |
				  (s->extra_ml > 0 ? MEASURED_WEIGHED : 0);
		guint8 interrupted = s->interrupted ? 1 : 0;
		double left = lactd_round_ml(s->left_ml), right = lactd_round_ml(s->right_ml);
		double total = lactd_round_ml(lactd_session_total_ml(s));
		double weighed = s->extra_ml > 0 ? lactd_round_ml(s->extra_ml) : 0;
		double supplement_ml = supplement ? lactd_round_ml(s->supplement_ml) : 0;

		g_array_append_val(c.id, s->id);
		g_array_append_val(c.start, s->start_us);
		g_array_append_val(c.end, s->end_us);
		g_array_append_val(c.left_ml, left);
		g_array_append_val(c.right_ml, right);
		g_array_append_val(c.total_ml, total);
		g_array_append_val(c.weighed_ml, weighed);
		g_array_append_val(c.supplement_ml, supplement_ml);
		g_array_append_val(c.measured, measured);
		g_array_append_val(c.left_seconds, s->left_seconds);
		g_array_append_val(c.right_seconds, s->right_seconds);
		g_array_append_val(c.interrupted, interrupted);
		g_ptr_array_add(c.kind, (gpointer)lactd_session_kind_to_string(s->kind));
		g_ptr_array_add(c.source, (gpointer)lactd_session_source_to_string(s->source));
		g_ptr_array_add(c.device, (gpointer)or_empty(s->device));
		g_ptr_array_add(c.note, (gpointer)or_empty(s->note));
		g_ptr_array_add(c.method, (gpointer)(supplement ? or_empty(s->method) : ""));
		g_ptr_array_add(c.milk, (gpointer)(supplement ? or_empty(s->milk) : ""));
	}

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	put_fixed(&b, "id", G_VARIANT_TYPE_UINT64, c.id);
	put_strv(&b, "kind", c.kind);
	put_strv(&b, "source", c.source);
	put_fixed(&b, "start", G_VARIANT_TYPE_INT64, c.start);
	put_fixed(&b, "end", G_VARIANT_TYPE_INT64, c.end);
	put_fixed(&b, "left_ml", G_VARIANT_TYPE_DOUBLE, c.left_ml);
	put_fixed(&b, "right_ml", G_VARIANT_TYPE_DOUBLE, c.right_ml);
	put_fixed(&b, "total_ml", G_VARIANT_TYPE_DOUBLE, c.total_ml);
	put_fixed(&b, "weighed_ml", G_VARIANT_TYPE_DOUBLE, c.weighed_ml);
	put_fixed(&b, "measured", G_VARIANT_TYPE_BYTE, c.measured);
	put_fixed(&b, "left_seconds", G_VARIANT_TYPE_UINT32, c.left_seconds);
	put_fixed(&b, "right_seconds", G_VARIANT_TYPE_UINT32, c.right_seconds);
	put_strv(&b, "device", c.device);
	put_fixed(&b, "interrupted", G_VARIANT_TYPE_BOOLEAN, c.interrupted);
	put_strv(&b, "note", c.note);
	put_fixed(&b, "supplement_ml", G_VARIANT_TYPE_DOUBLE, c.supplement_ml);
	put_strv(&b, "method", c.method);
	put_strv(&b, "milk", c.milk);
	return g_variant_builder_end(&b);
}
