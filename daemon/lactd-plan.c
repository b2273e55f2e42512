/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-plan.h"
#include "lactd-util.h"

#define MAX_MINUTES 120
#define MAX_SESSIONS 48

void
lactd_plan_init_default(LactdPlan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->sessions_min = 8;
	plan->sessions_max = 12;
	plan->overnight_start = 0;
	plan->overnight_end = 6 * 60;
	plan->minutes_min = 15;
	plan->minutes_max = 20;
}

typedef struct {
	const char *key;
	gsize offset; /* of a guint; G_MAXSIZE for the strings handled apart */
} PlanKey;

static const PlanKey uint_keys[] = {
    {"sessions_min", G_STRUCT_OFFSET(LactdPlan, sessions_min)},
    {"sessions_max", G_STRUCT_OFFSET(LactdPlan, sessions_max)},
    {"minutes_min", G_STRUCT_OFFSET(LactdPlan, minutes_min)},
    {"minutes_max", G_STRUCT_OFFSET(LactdPlan, minutes_max)},
};

static gboolean
invalid(GError **error, const char *key, const char *why)
{
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "%s: %s", key, why);
	return FALSE;
}

static gboolean
valid_date(const char *str)
{
	unsigned y, m, d;
	char extra;

	if (strlen(str) != 10 || sscanf(str, "%4u-%2u-%2u%c", &y, &m, &d, &extra) != 3)
		return FALSE;
	return g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) && y >= 1970;
}

/* A name printed on a report and put in exports: text a person typed, so
 * no control characters (a newline would forge a CSV header line). */
static gboolean
valid_name(const char *str)
{
	if (strlen(str) > LACTD_PLAN_NAME_MAX || !g_utf8_validate(str, -1, NULL))
		return FALSE;
	for (const char *p = str; *p != '\0'; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029)
			return FALSE;
	}
	return TRUE;
}

static char *
format_hhmm(guint minutes)
{
	return g_strdup_printf("%02u:%02u", minutes / 60, minutes % 60);
}

gboolean
lactd_plan_apply(LactdPlan *plan, GVariant *changes, GError **error)
{
	LactdPlan p = *plan;
	GVariantIter iter;
	const char *key;
	GVariant *value_raw;

	/* iter_next with a scoped reference: an early return must not leak. */
	g_variant_iter_init(&iter, changes);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value_raw)) {
		g_autoptr(GVariant) value = value_raw;
		gboolean known = FALSE;

		for (guint i = 0; i < G_N_ELEMENTS(uint_keys); i++) {
			if (strcmp(key, uint_keys[i].key) != 0)
				continue;
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_UINT32))
				return invalid(error, key, "expected type 'u'");
			*(guint *)(void *)((guint8 *)&p + uint_keys[i].offset) =
			    g_variant_get_uint32(value);
			known = TRUE;
		}
		if (known)
			continue;
		if (strcmp(key, "overnight_start") == 0 || strcmp(key, "overnight_end") == 0) {
			guint minutes;
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				return invalid(error, key, "expected type 's'");
			if (!lactd_parse_hhmm(g_variant_get_string(value, NULL), &minutes))
				return invalid(error, key, "expected a local time HH:MM");
			if (key[10] == 's')
				p.overnight_start = minutes;
			else
				p.overnight_end = minutes;
		} else if (strcmp(key, "start_date") == 0) {
			const char *date;
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				return invalid(error, key, "expected type 's'");
			date = g_variant_get_string(value, NULL);
			if (date[0] != '\0' && !valid_date(date))
				return invalid(error, key, "expected a date YYYY-MM-DD");
			g_strlcpy(p.start_date, date, sizeof(p.start_date));
		} else if (strcmp(key, "name") == 0) {
			const char *name;
			if (!g_variant_is_of_type(value, G_VARIANT_TYPE_STRING))
				return invalid(error, key, "expected type 's'");
			name = g_variant_get_string(value, NULL);
			if (!valid_name(name))
				return invalid(error, key,
					       "expected at most 200 bytes of UTF-8 text without "
					       "control characters");
			g_strlcpy(p.name, name, sizeof(p.name));
		} else {
			return invalid(error, key, "unknown key");
		}
	}
	if (p.sessions_min == 0)
		return invalid(error, "sessions_min", "must be at least 1");
	if (p.sessions_max > MAX_SESSIONS)
		return invalid(error, "sessions_max", "more than 48 in 24 hours");
	if (p.sessions_min > p.sessions_max)
		return invalid(error, "sessions_min", "above sessions_max");
	if (p.minutes_max > MAX_MINUTES)
		return invalid(error, "minutes_max", "more than 120 minutes");
	if (p.minutes_min > p.minutes_max)
		return invalid(error, "minutes_min", "above minutes_max");
	if (p.overnight_start == p.overnight_end)
		return invalid(error, "overnight_end", "the overnight window has zero length");
	*plan = p;
	return TRUE;
}

gboolean
lactd_plan_load(LactdStore *store, LactdPlan *plan, GError **error)
{
	g_autofree char *text = NULL;
	g_autoptr(GVariant) stored = NULL;
	g_autoptr(GError) local = NULL;

	lactd_plan_init_default(plan);
	text = lactd_store_get_setting(store, "plan", &local);
	if (local != NULL) {
		g_propagate_error(error, g_steal_pointer(&local));
		return FALSE;
	}
	if (text == NULL)
		return TRUE;
	stored = g_variant_parse(G_VARIANT_TYPE_VARDICT, text, NULL, NULL, &local);
	if (stored == NULL || !lactd_plan_apply(plan, stored, &local)) {
		/* A damaged setting must not stop the daemon: say so, use defaults. */
		g_message("stored plan is unreadable (%s); using the defaults", local->message);
		lactd_plan_init_default(plan);
	}
	return TRUE;
}

GVariant *
lactd_plan_to_variant(const LactdPlan *plan)
{
	GVariantBuilder b;
	g_autofree char *start = format_hhmm(plan->overnight_start);
	g_autofree char *end = format_hhmm(plan->overnight_end);

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "sessions_min", g_variant_new_uint32(plan->sessions_min));
	g_variant_builder_add(&b, "{sv}", "sessions_max", g_variant_new_uint32(plan->sessions_max));
	g_variant_builder_add(&b, "{sv}", "overnight_start", g_variant_new_string(start));
	g_variant_builder_add(&b, "{sv}", "overnight_end", g_variant_new_string(end));
	g_variant_builder_add(&b, "{sv}", "minutes_min", g_variant_new_uint32(plan->minutes_min));
	g_variant_builder_add(&b, "{sv}", "minutes_max", g_variant_new_uint32(plan->minutes_max));
	g_variant_builder_add(&b, "{sv}", "start_date", g_variant_new_string(plan->start_date));
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(plan->name));
	return g_variant_builder_end(&b);
}

gboolean
lactd_plan_save(LactdStore *store, const LactdPlan *plan, GError **error)
{
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_plan_to_variant(plan));
	g_autofree char *text = g_variant_print(v, TRUE);

	return lactd_store_set_setting(store, "plan", text, error);
}
