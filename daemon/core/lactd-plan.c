/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

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

static gboolean
invalid(GError **error, const char *key, const char *why)
{
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "%s: %s", key, why);
	return FALSE;
}

gboolean
lactd_plan_apply(LactdPlan *plan, GVariant *changes, GError **error)
{
	LactdPlan p = *plan;

	if (!lactd_record_from_variant(&lactd_plan_table, &p, changes, error))
		return FALSE;
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
	return lactd_record_to_variant(&lactd_plan_table, plan);
}

gboolean
lactd_plan_save(LactdStore *store, const LactdPlan *plan, GError **error)
{
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_plan_to_variant(plan));
	g_autofree char *text = g_variant_print(v, TRUE);

	return lactd_store_set_setting(store, "plan", text, error);
}
