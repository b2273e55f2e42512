/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GetProgress: the figures a parent and a consultant follow over weeks
 * (docs/progress.md says how each is computed). lactd records and
 * summarises; it gives no medical advice.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-plan.h"
#include "lactd-store.h"

G_BEGIN_DECLS

/* The a{sv} of GetProgress at now_us: sessions_24h, sessions_min,
 * sessions_max, overnight_ok, minutes_per_breast_7d, volume_today_ml,
 * volume_7d_avg_ml, volume_trend_ml_per_week, supplement_7d_avg_ml,
 * supplement_trend_ml_per_week, days_counted_7d, days_since_start; a
 * figure nothing measured is left out. Local days follow TZ.
 * Returns a floating reference, or NULL with the store's error. */
GVariant *lactd_progress_compute(LactdStore *store, const LactdPlan *plan, gint64 now_us,
				 GError **error);

/* The GetProgress hook (LactdApiHookFunc): user_data is the LactdApi. */
G_END_DECLS
