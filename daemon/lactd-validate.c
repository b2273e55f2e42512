/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-util.h"
#include "lactd-validate.h"

/* Clock skew between a client and the daemon that is still "now". */
#define FUTURE_SLACK_US (60 * G_TIME_SPAN_SECOND)

static gboolean
has_key(GVariant *dict, const char *key)
{
	g_autoptr(GVariant) v = g_variant_lookup_value(dict, key, NULL);

	return v != NULL;
}

gboolean
lactd_validate_session(LactdSession *session, GVariant *changes, gboolean is_new, gint64 now_us,
		       GError **error)
{
	g_autoptr(LactdSession) s = lactd_session_copy(session);
	gint64 duration;

	/* Each value's type and range, from the session's field table. */
	if (!lactd_record_from_variant(&lactd_session_table, s, changes, error))
		return FALSE;
	if (!is_new && s->kind != session->kind)
		return lactd_error_invalid_args(error, "kind: cannot be changed; add a new session");
	if (is_new) {
		if (!has_key(changes, "kind"))
			return lactd_error_invalid_args(error, "kind: missing");
		if (!has_key(changes, "start"))
			return lactd_error_invalid_args(error, "start: missing");
		if (!has_key(changes, "end"))
			return lactd_error_invalid_args(error, "end: missing");
		if (s->kind == LACTD_SESSION_SUPPLEMENT && !has_key(changes, "supplement_ml"))
			return lactd_error_invalid_args(error, "supplement_ml: missing for a supplement");
	}
	if (s->start_us <= 0)
		return lactd_error_invalid_args(error, "start: before 1970");
	if (s->end_us < s->start_us)
		return lactd_error_invalid_args(error, "end: before start");
	if (s->start_us > now_us + FUTURE_SLACK_US)
		return lactd_error_invalid_args(error, "start: in the future");
	if (s->end_us > now_us + FUTURE_SLACK_US)
		return lactd_error_invalid_args(error, "end: in the future");
	duration = s->end_us - s->start_us;
	if (duration > LACTD_MAX_SESSION_US)
		return lactd_error_invalid_args(error, "end: a session lasts at most 24 hours");
	if ((gint64)s->left_seconds * G_USEC_PER_SEC > duration)
		return lactd_error_invalid_args(error, "left_seconds: longer than the session");
	if ((gint64)s->right_seconds * G_USEC_PER_SEC > duration)
		return lactd_error_invalid_args(error, "right_seconds: longer than the session");
	if (s->kind == LACTD_SESSION_SUPPLEMENT) {
		if (s->left_ml != 0 || s->right_ml != 0)
			return lactd_error_invalid_args(error,
				       "left_ml: not used for supplements; use supplement_ml");
	} else if (s->supplement_ml != 0 || s->method != NULL || s->milk != NULL) {
		return lactd_error_invalid_args(error, "%s: only for supplements",
			       s->supplement_ml != 0 ? "supplement_ml"
			       : s->method != NULL   ? "method"
						     : "milk");
	}

	/* Everything checked: now it may change the caller's session. */
	{
		LactdSession tmp = *session;
		*session = *s;
		*s = tmp;
	}
	return TRUE;
}

gboolean
lactd_validate_range(gint64 from_us, gint64 to_us, GError **error)
{
	if (to_us < from_us)
		return lactd_error_invalid_args(error, "to: before from");
	return TRUE;
}
