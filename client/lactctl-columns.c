/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl's table columns from the model's field tables. */
#include "config.h"

#include "lactctl-columns.h"
#include "lactctl-common.h"

GStrv
lactctl_columns_headers(const LactdRecord *record, const LactctlColumn *cols, guint n)
{
	GStrv headers = g_new0(char *, n + 1);

	for (guint i = 0; i < n; i++) {
		const LactdField *f = cols[i].key != NULL ? lactd_record_lookup(record, cols[i].key)
							  : NULL;

		if (f == NULL)
			headers[i] = g_strdup(cols[i].title);
		else if (f->type == LACTD_FIELD_DOUBLE && f->unit != NULL)
			headers[i] = g_strdup_printf(">%s %s", cols[i].title, f->unit);
		else if (f->type == LACTD_FIELD_DOUBLE || f->type == LACTD_FIELD_UINT32)
			headers[i] = g_strdup_printf(">%s", cols[i].title);
		else
			headers[i] = g_strdup(cols[i].title);
	}
	return headers;
}

char *
lactctl_column_cell(const LactdRecord *record, const char *key, GVariant *dict)
{
	const LactdField *f = lactd_record_lookup(record, key);
	g_autoptr(GVariant) v = NULL;

	g_return_val_if_fail(f != NULL, NULL);
	v = g_variant_lookup_value(dict, key, lactd_field_type(f));
	if (v == NULL)
		return g_strdup(lactctl_not_measured());
	switch (f->type) {
	case LACTD_FIELD_DOUBLE:
		return g_strdup_printf("%.1f", g_variant_get_double(v));
	case LACTD_FIELD_UINT32:
		return g_strdup_printf("%u", g_variant_get_uint32(v));
	case LACTD_FIELD_UINT64:
		return g_strdup_printf("%" G_GUINT64_FORMAT, g_variant_get_uint64(v));
	case LACTD_FIELD_INT64:
		return g_strdup_printf("%" G_GINT64_FORMAT, g_variant_get_int64(v));
	case LACTD_FIELD_BOOLEAN:
		return g_strdup(g_variant_get_boolean(v) ? "yes" : "no");
	case LACTD_FIELD_STRV: {
		g_autofree const char **strv = g_variant_get_strv(v, NULL);
		return g_strjoinv(" ", (GStrv)strv);
	}
	default:
		return g_variant_dup_string(v, NULL);
	}
}
