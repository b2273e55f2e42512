/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>

#include "lactd-error.h"
#include "lactd-util.h"
#include "lactd-weighing.h"

double
lactd_weighing_bottle_ml(const LactdConfig *config, double grams)
{
	return lactd_round_ml(MAX(0.0, grams - config->container_grams) / config->milk_density);
}

gboolean
lactd_weighing_is_baby(const LactdWeighing *weighing)
{
	return g_strcmp0(weighing->role, "baby") == 0;
}

gboolean
lactd_weighing_intake(GPtrArray *weighings, double *intake_ml)
{
	const LactdWeighing *first = NULL, *last = NULL;

	for (guint i = 0; i < weighings->len; i++) {
		const LactdWeighing *w = g_ptr_array_index(weighings, i);

		if (!lactd_weighing_is_baby(w))
			continue;
		if (first == NULL)
			first = w;
		last = w;
	}
	if (first == NULL || last == first)
		return FALSE;
	*intake_ml = MAX(0.0, last->grams - first->grams);
	return TRUE;
}

/* A session's scale volume follows from the weighings attributed to it:
 * bottles add up; a baby's weighings give the gain from first to last. */
static gboolean
recompute(LactdStore *store, const LactdConfig *config, guint64 session_id, GError **error)
{
	g_autoptr(LactdSession) session = NULL;
	g_autoptr(GPtrArray) weighings = NULL;
	double bottle = 0, intake = 0;
	gboolean weighed = FALSE;

	if (session_id == 0)
		return TRUE;
	session = lactd_store_get_session(store, session_id, error);
	if (session == NULL)
		return FALSE;
	weighings = lactd_store_session_weighings(store, session_id, error);
	if (weighings == NULL)
		return FALSE;
	for (guint i = 0; i < weighings->len; i++) {
		const LactdWeighing *w = g_ptr_array_index(weighings, i);

		if (!lactd_weighing_is_baby(w)) {
			bottle += lactd_weighing_bottle_ml(config, w->grams);
			weighed = TRUE;
		}
	}
	/* A baby who took nothing was weighed all the same: 0 mL, measured. */
	if (lactd_weighing_intake(weighings, &intake))
		weighed = TRUE;
	session->extra_ml = lactd_round_ml(bottle + intake);
	session->weighed = weighed;
	return lactd_store_update_session(store, session, error);
}

static gboolean
is_milk_removal(const LactdSession *s)
{
	return s->kind == LACTD_SESSION_PUMP || s->kind == LACTD_SESSION_HAND;
}

static guint64
find_bottle_session(GPtrArray *sessions, gint64 time_us, gint64 window_us)
{
	guint64 best = 0;
	gint64 best_end = G_MININT64;

	for (guint i = 0; i < sessions->len; i++) {
		const LactdSession *s = g_ptr_array_index(sessions, i);
		if (!is_milk_removal(s) || s->has_volume || s->live)
			continue;
		if (s->end_us > time_us || s->end_us < time_us - window_us)
			continue;
		/* The most recent one: the bottle just filled. */
		if (s->end_us > best_end) {
			best = s->id;
			best_end = s->end_us;
		}
	}
	return best;
}

static gboolean
record_bottle(LactdStore *store, const LactdConfig *config, LactdWeighing *w,
	      guint64 *changed, GError **error)
{
	gint64 window = (gint64)config->attribution_window_s * G_USEC_PER_SEC;
	g_autoptr(GPtrArray) sessions =
	    lactd_store_list_sessions(store, w->time_us - window, w->time_us + 1, error);

	if (sessions == NULL)
		return FALSE;
	w->session = find_bottle_session(sessions, w->time_us, window);
	if (w->session == 0) {
		/* Pumped without a connected pump: the bottle is the session. */
		g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
		s->kind = LACTD_SESSION_PUMP;
		s->source = LACTD_SOURCE_SCALE;
		s->start_us = s->end_us = w->time_us;
		s->device = g_strdup(w->device);
		if (!lactd_store_add_session(store, s, error))
			return FALSE;
		w->session = s->id;
	}
	if (!lactd_store_add_weighing(store, w, error))
		return FALSE;
	*changed = w->session;
	return recompute(store, config, w->session, error);
}

static gboolean
record_baby(LactdStore *store, const LactdConfig *config, LactdWeighing *w, guint64 *changed,
	    GError **error)
{
	gint64 window = (gint64)config->test_weigh_window_s * G_USEC_PER_SEC;
	g_autoptr(GPtrArray) earlier = lactd_store_list_weighings(store, w->time_us - window,
								  w->time_us + 1, error);
	const LactdWeighing *pre = NULL;

	if (earlier == NULL)
		return FALSE;
	/* The latest unattributed baby weighing on the same scale: the pre-feed one. */
	for (guint i = 0; i < earlier->len; i++) {
		const LactdWeighing *x = g_ptr_array_index(earlier, i);
		if (x->session == 0 && lactd_weighing_is_baby(x) &&
		    g_strcmp0(x->device, w->device) == 0)
			pre = x;
	}
	if (pre == NULL) {
		/* A pre-feed weight: kept until its post-feed partner comes. */
		return lactd_store_add_weighing(store, w, error);
	}
	{
		g_autoptr(GPtrArray) sessions =
		    lactd_store_list_sessions(store, pre->time_us, w->time_us + 1, error);
		guint64 nursing = 0;

		if (sessions == NULL)
			return FALSE;
		for (guint i = 0; i < sessions->len; i++) {
			const LactdSession *s = g_ptr_array_index(sessions, i);
			if (s->kind == LACTD_SESSION_NURSING && s->start_us >= pre->time_us &&
			    s->end_us <= w->time_us)
				nursing = s->id;
		}
		if (nursing == 0) {
			g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
			s->kind = LACTD_SESSION_NURSING;
			s->source = LACTD_SOURCE_SCALE;
			s->start_us = pre->time_us;
			s->end_us = w->time_us;
			s->device = g_strdup(w->device);
			if (!lactd_store_add_session(store, s, error))
				return FALSE;
			nursing = s->id;
		}
		w->session = nursing;
		if (!lactd_store_add_weighing(store, w, error) ||
		    !lactd_store_set_weighing_session(store, pre->id, nursing, error))
			return FALSE;
		*changed = nursing;
		return recompute(store, config, nursing, error);
	}
}

gboolean
lactd_weighing_record(LactdStore *store, const LactdConfig *config, LactdWeighing *weighing,
		      guint64 *changed_session, GError **error)
{
	gboolean ok;

	*changed_session = 0;
	if (!lactd_store_begin(store, error))
		return FALSE;
	if (lactd_weighing_is_baby(weighing))
		ok = record_baby(store, config, weighing, changed_session, error);
	else
		ok = record_bottle(store, config, weighing, changed_session, error);
	if (!ok) {
		lactd_store_rollback(store);
		return FALSE;
	}
	return lactd_store_commit(store, error);
}

gboolean
lactd_weighing_assign(LactdStore *store, const LactdConfig *config, guint64 weighing_id,
		      guint64 session_id, GError **error)
{
	g_autoptr(LactdWeighing) w = NULL;
	g_autoptr(LactdSession) target = NULL;

	if (!lactd_store_begin(store, error))
		return FALSE;
	w = lactd_store_get_weighing(store, weighing_id, error);
	if (w == NULL)
		goto fail;
	if (session_id != 0) {
		target = lactd_store_get_session(store, session_id, error);
		if (target == NULL)
			goto fail;
		if (target->kind == LACTD_SESSION_SUPPLEMENT) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "session: a weighing cannot belong to a supplement");
			goto fail;
		}
	}
	if (!lactd_store_set_weighing_session(store, weighing_id, session_id, error) ||
	    !recompute(store, config, w->session, error) ||
	    !recompute(store, config, session_id, error))
		goto fail;
	return lactd_store_commit(store, error);
fail:
	lactd_store_rollback(store);
	return FALSE;
}
