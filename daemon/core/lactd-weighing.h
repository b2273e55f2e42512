/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What a scale's weighing means for the sessions around it.
 *
 * Role "bottle": the milk in the bottle, (grams - ContainerGrams) divided by
 * MilkDensity, is volume of the pump session that ended within
 * AttributionWindow before it and that the pump did not measure itself;
 * failing one, it is a session of its own with source "scale".
 * Role "baby": two weighings within TestWeighWindow of each other are a
 * test-weighing (clinical practice: 1 g = 1 mL); the gain is the intake of
 * the nursing session between them, or of a new one.
 */
#pragma once

#include <glib.h>

#include "lactd-config.h"
#include "lactd-store.h"

G_BEGIN_DECLS

/* Stores a stable weighing and attributes it, in one transaction.
 * *changed_session is the session whose volume changed (0: none). */
gboolean lactd_weighing_record(LactdStore *store, const LactdConfig *config,
			       LactdWeighing *weighing, guint64 *changed_session, GError **error);
/* Moves a weighing to another session (0: to none), recomputing the scale
 * volume of the sessions it leaves and joins, in one transaction. */
gboolean lactd_weighing_assign(LactdStore *store, const LactdConfig *config, guint64 weighing_id,
			       guint64 session_id, GError **error);
/* The volume a bottle weighing stands for, in mL. */
double lactd_weighing_bottle_ml(const LactdConfig *config, double grams);
/* Whether a weighing is of the baby (role "baby"), else of a bottle. */
gboolean lactd_weighing_is_baby(const LactdWeighing *weighing);
/* The intake a test-weighing shows among one session's weighings, by time:
 * the baby's gain from the first baby weighing to the last (1 g = 1 mL, never
 * below 0). FALSE, *intake_ml untouched, with fewer than two of them. */
gboolean lactd_weighing_intake(GPtrArray *weighings, double *intake_ml);

G_END_DECLS
