/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The relactation plan (targets the user sets) and the progress against it.
 * lactd records and summarises; it gives no medical advice.
 */
#pragma once

#include <glib.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/* LactdPlan and its field table are in lactd-model.h. */

/* The defaults, from the clinical guidance in DESIGN.md. */
void lactd_plan_init_default(LactdPlan *plan);
/* Reads the stored plan over the defaults. */
gboolean lactd_plan_load(LactdStore *store, LactdPlan *plan, GError **error);
/* Applies SetPlan's a{sv} to *plan after checking the whole result;
 * *plan is untouched on error (LACTD_ERROR_INVALID_ARGS naming the key). */
gboolean lactd_plan_apply(LactdPlan *plan, GVariant *changes, GError **error);
/* Stores the plan durably, in one transaction. */
gboolean lactd_plan_save(LactdStore *store, const LactdPlan *plan, GError **error);
GVariant *lactd_plan_to_variant(const LactdPlan *plan);

G_END_DECLS
