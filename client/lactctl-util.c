/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lactctl-util.h"

/* The daemon's time zone once connected; until then, the local one. */
static GTimeZone *zone;

void
lactctl_set_time_zone(GTimeZone *tz)
{
	g_clear_pointer(&zone, g_time_zone_unref);
	zone = tz != NULL ? g_time_zone_ref(tz) : NULL;
}

gboolean
lactctl_time_zone_is_daemon(void)
{
	return zone != NULL;
}

GTimeZone *
lactctl_time_zone(void)
{
	return zone != NULL ? g_time_zone_ref(zone) : g_time_zone_new_local();
}

static gboolean
bad(GError **error, const char *what, const char *text)
{
	g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "'%s' is not %s", text, what);
	return FALSE;
}

gboolean
lactctl_parse_duration(const char *text, gint64 *us, GError **error)
{
	const char *p = text;
	gint64 total = 0;
	gboolean any = FALSE;

	if (text == NULL || *text == '\0')
		return bad(error, "a duration such as 20m, 1h30m or 90s", "");
	while (*p != '\0') {
		char *end = NULL;
		guint64 n;
		gint64 unit;

		if (!g_ascii_isdigit(*p))
			return bad(error, "a duration such as 20m, 1h30m or 90s", text);
		n = g_ascii_strtoull(p, &end, 10);
		switch (*end) {
		case 'd': unit = G_TIME_SPAN_DAY; break;
		case 'h': unit = G_TIME_SPAN_HOUR; break;
		case 'm': unit = G_TIME_SPAN_MINUTE; break;
		case 's': unit = G_TIME_SPAN_SECOND; break;
		default:
			return bad(error, "a duration such as 20m, 1h30m or 90s", text);
		}
		if (n > 10000 * 24)
			return bad(error, "a sensible duration", text);
		total += (gint64)n * unit;
		any = TRUE;
		p = end + 1;
	}
	*us = total;
	return any;
}

static gint64
local_midnight(int y, int m, int d)
{
	g_autoptr(GTimeZone) tz = lactctl_time_zone();
	g_autoptr(GDateTime) dt = g_date_time_new(tz, y, m, d, 0, 0, 0);

	return dt != NULL ? g_date_time_to_unix(dt) * G_USEC_PER_SEC : -1;
}

gboolean
lactctl_parse_when(const char *text, gint64 *us, GError **error)
{
	unsigned y, m, d;
	char extra;
	gint64 ago;

	if (g_strcmp0(text, "today") == 0 || g_strcmp0(text, "yesterday") == 0) {
		g_autoptr(GTimeZone) tz = lactctl_time_zone();
		g_autoptr(GDateTime) now = g_date_time_new_now(tz);
		g_autoptr(GDateTime) day =
		    g_date_time_add_days(now, g_strcmp0(text, "yesterday") == 0 ? -1 : 0);
		*us = local_midnight(g_date_time_get_year(day), g_date_time_get_month(day),
				     g_date_time_get_day_of_month(day));
		return TRUE;
	}
	if (text != NULL && sscanf(text, "%4u-%2u-%2u%c", &y, &m, &d, &extra) == 3 &&
	    strlen(text) == 10 && g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
		*us = local_midnight((int)y, (int)m, (int)d);
		return *us >= 0 || bad(error, "a date", text);
	}
	if (text != NULL && lactctl_parse_duration(text, &ago, NULL)) {
		*us = g_get_real_time() - ago;
		return TRUE;
	}
	return bad(error, "a time: 7d, 12h, today, yesterday or YYYY-MM-DD", text != NULL ? text : "");
}

gboolean
lactctl_parse_local_time(const char *text, gint64 *us, GError **error)
{
	unsigned y, mo, d, h, mi;
	char extra;
	g_autoptr(GTimeZone) tz = lactctl_time_zone();
	g_autoptr(GDateTime) dt = NULL;

	if (text == NULL || sscanf(text, "%4u-%2u-%2u %2u:%2u%c", &y, &mo, &d, &h, &mi, &extra) != 5 ||
	    !g_date_valid_dmy((GDateDay)d, (GDateMonth)mo, (GDateYear)y) || h > 23 || mi > 59)
		return bad(error, "a local time YYYY-MM-DD HH:MM", text != NULL ? text : "");
	dt = g_date_time_new(tz, (int)y, (int)mo, (int)d, (int)h, (int)mi, 0);
	if (dt == NULL)
		return bad(error, "a local time YYYY-MM-DD HH:MM", text);
	*us = g_date_time_to_unix(dt) * G_USEC_PER_SEC;
	return TRUE;
}

gboolean
lactctl_parse_ml_with(const char *text, gboolean decimal_comma, double *ml, GError **error)
{
	g_autofree char *copy = NULL;
	char *end = NULL;
	double v;

	if (text == NULL)
		return bad(error, "a volume in mL", "");
	copy = g_strdup(text);
	/* "45,5" where the locale writes numbers so. */
	if (decimal_comma)
		g_strdelimit(copy, ",", '.');
	/* Digits and one point: no signs, exponents, hex or words. */
	if (copy[0] == '\0' || strspn(copy, "0123456789.") != strlen(copy) ||
	    strchr(copy, '.') != strrchr(copy, '.'))
		return bad(error, "a volume in mL", text);
	v = g_ascii_strtod(copy, &end);
	if (*end != '\0' || !isfinite(v) || v < 0 || v > 1000)
		return bad(error, "a volume from 0 to 1000 mL", text);
	*ml = v;
	return TRUE;
}

gboolean
lactctl_parse_ml(const char *text, double *ml, GError **error)
{
	const struct lconv *lc = localeconv();

	return lactctl_parse_ml_with(text, lc != NULL && g_strcmp0(lc->decimal_point, ",") == 0, ml,
				     error);
}

static char *
format(gint64 us, const char *fmt)
{
	g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(us / G_USEC_PER_SEC);
	g_autoptr(GTimeZone) tz = lactctl_time_zone();
	g_autoptr(GDateTime) local = utc != NULL ? g_date_time_to_timezone(utc, tz) : NULL;

	return local != NULL ? g_date_time_format(local, fmt) : g_strdup("?");
}

char *
lactctl_format_local(gint64 us)
{
	return format(us, "%Y-%m-%d %H:%M");
}

char *
lactctl_format_local_seconds(gint64 us)
{
	return format(us, "%Y-%m-%d %H:%M:%S");
}

char *
lactctl_format_time_of_day(gint64 us)
{
	return format(us, "%H:%M");
}

char *
lactctl_format_minutes(guint64 seconds)
{
	if (seconds < 60)
		return g_strdup_printf("%" G_GUINT64_FORMAT " s", seconds);
	if (seconds < 3600)
		return g_strdup_printf("%" G_GUINT64_FORMAT " min %02" G_GUINT64_FORMAT " s",
				       seconds / 60, seconds % 60);
	return g_strdup_printf("%" G_GUINT64_FORMAT " h %02" G_GUINT64_FORMAT " min", seconds / 3600,
			       seconds / 60 % 60);
}

static void
json_string(GString *out, const char *s)
{
	g_string_append_c(out, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': g_string_append(out, "\\\""); break;
		case '\\': g_string_append(out, "\\\\"); break;
		case '\n': g_string_append(out, "\\n"); break;
		case '\r': g_string_append(out, "\\r"); break;
		case '\t': g_string_append(out, "\\t"); break;
		default:
			if (*p < 0x20)
				g_string_append_printf(out, "\\u%04x", *p);
			else
				g_string_append_c(out, (char)*p);
		}
	}
	g_string_append_c(out, '"');
}

void
lactctl_json_vardict(GString *out, GVariant *dict)
{
	GVariantIter iter;
	const char *key;
	GVariant *v;
	gboolean first = TRUE;

	g_string_append_c(out, '{');
	g_variant_iter_init(&iter, dict);
	while (g_variant_iter_loop(&iter, "{&sv}", &key, &v)) {
		if (!first)
			g_string_append_c(out, ',');
		first = FALSE;
		json_string(out, key);
		g_string_append_c(out, ':');
		lactctl_json_value(out, v);
	}
	g_string_append_c(out, '}');
}

void
lactctl_json_value(GString *out, GVariant *v)
{
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARIANT)) {
		g_autoptr(GVariant) inner = g_variant_get_variant(v);
		lactctl_json_value(out, inner);
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_VARDICT)) {
		lactctl_json_vardict(out, v);
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_STRING) ||
		   g_variant_is_of_type(v, G_VARIANT_TYPE_OBJECT_PATH)) {
		json_string(out, g_variant_get_string(v, NULL));
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
		g_string_append(out, g_variant_get_boolean(v) ? "true" : "false");
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_DOUBLE)) {
		double d = g_variant_get_double(v);
		char buf[G_ASCII_DTOSTR_BUF_SIZE];
		if (isfinite(d))
			g_string_append(out, g_ascii_formatd(buf, sizeof(buf), "%.1f", d));
		else
			g_string_append(out, "null");
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT64)) {
		g_string_append_printf(out, "%" G_GINT64_FORMAT, g_variant_get_int64(v));
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT64)) {
		g_string_append_printf(out, "%" G_GUINT64_FORMAT, g_variant_get_uint64(v));
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_UINT32)) {
		g_string_append_printf(out, "%u", g_variant_get_uint32(v));
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_INT32)) {
		g_string_append_printf(out, "%d", g_variant_get_int32(v));
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_BYTE)) {
		g_string_append_printf(out, "%u", g_variant_get_byte(v));
	} else if (g_variant_is_container(v)) {
		g_string_append_c(out, '[');
		for (gsize i = 0; i < g_variant_n_children(v); i++) {
			g_autoptr(GVariant) c = g_variant_get_child_value(v, i);
			if (i > 0)
				g_string_append_c(out, ',');
			lactctl_json_value(out, c);
		}
		g_string_append_c(out, ']');
	} else {
		g_string_append(out, "null");
	}
}
