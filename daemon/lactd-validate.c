/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-util.h"
#include "lactd-validate.h"

/* Clock skew between a client and the daemon that is still "now". */
#define FUTURE_SLACK_US (60 * G_TIME_SPAN_SECOND)
#define MAX_NOTE_BYTES 4096
#define MAX_ML 1000.0

static const char *const methods[] = {"bottle", "supplementer", "cup", "syringe", "spoon", NULL};
static const char *const milks[] = {"expressed", "donor", "formula", NULL};

typedef struct {
	const char *key;
	const char *type;
	gboolean client_may_set;
} Field;

static const Field fields[] = {
    {"id", "t", FALSE},		 {"source", "s", FALSE},	{"device", "s", FALSE},
    {"kind", "s", TRUE},	 {"start", "x", TRUE},		{"end", "x", TRUE},
    {"left_ml", "d", TRUE},	 {"right_ml", "d", TRUE},	{"total_ml", "d", FALSE},
    {"left_seconds", "u", TRUE}, {"right_seconds", "u", TRUE}, {"interrupted", "b", FALSE},
    {"note", "s", TRUE},	 {"supplement_ml", "d", TRUE}, {"method", "s", TRUE},
    {"milk", "s", TRUE},	 {"left_measured", "b", FALSE}, {"right_measured", "b", FALSE},
};

static gboolean
invalid(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

static gboolean
invalid(GError **error, const char *format, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, format);
	msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, msg);
	return FALSE;
}

static gboolean
check_ml(const char *key, double v, GError **error)
{
	if (isnan(v) || isinf(v))
		return invalid(error, "%s: not a number", key);
	if (v < 0)
		return invalid(error, "%s: negative volume %.1f mL", key, v);
	if (v > MAX_ML)
		return invalid(error, "%s: more than %.0f mL on one side (%.1f mL)", key, MAX_ML, v);
	return TRUE;
}

static gboolean
in_list(const char *const *list, const char *value)
{
	return g_strv_contains(list, value);
}

gboolean
lactd_validate_session(LactdSession *session, GVariant *changes, gboolean is_new, gint64 now_us,
		       GError **error)
{
	g_autoptr(LactdSession) s = lactd_session_copy(session);
	GVariantIter iter;
	const char *key;
	GVariant *value_raw;
	gboolean seen_kind = FALSE, seen_start = FALSE, seen_end = FALSE;
	gboolean seen_supplement = FALSE;
	gint64 duration;

	if (!g_variant_is_of_type(changes, G_VARIANT_TYPE_VARDICT))
		return invalid(error, "session: expected a dictionary a{sv}");

	/* iter_next with a scoped reference: an early return must not leak. */
	g_variant_iter_init(&iter, changes);
	while (g_variant_iter_next(&iter, "{&sv}", &key, &value_raw)) {
		g_autoptr(GVariant) value = value_raw;
		const Field *field = NULL;

		for (guint i = 0; i < G_N_ELEMENTS(fields); i++) {
			if (strcmp(fields[i].key, key) == 0)
				field = &fields[i];
		}
		if (field == NULL)
			return invalid(error, "%s: unknown key", key);
		if (!field->client_may_set)
			return invalid(error, "%s: set by the daemon, not by clients", key);
		if (!g_variant_is_of_type(value, G_VARIANT_TYPE(field->type)))
			return invalid(error, "%s: expected type '%s', got '%s'", key, field->type,
				       g_variant_get_type_string(value));

		if (strcmp(key, "kind") == 0) {
			if (!lactd_session_kind_from_string(g_variant_get_string(value, NULL),
							    &s->kind))
				return invalid(error,
					       "kind: unknown kind '%s' (pump, hand, nursing or "
					       "supplement)",
					       g_variant_get_string(value, NULL));
			if (!is_new && s->kind != session->kind)
				return invalid(error, "kind: cannot be changed; add a new session");
			seen_kind = TRUE;
		} else if (strcmp(key, "start") == 0) {
			s->start_us = g_variant_get_int64(value);
			seen_start = TRUE;
		} else if (strcmp(key, "end") == 0) {
			s->end_us = g_variant_get_int64(value);
			seen_end = TRUE;
		} else if (strcmp(key, "left_ml") == 0) {
			s->left_ml = g_variant_get_double(value);
			if (!check_ml(key, s->left_ml, error))
				return FALSE;
			s->has_volume = TRUE;
			s->left_measured = TRUE;
		} else if (strcmp(key, "right_ml") == 0) {
			s->right_ml = g_variant_get_double(value);
			if (!check_ml(key, s->right_ml, error))
				return FALSE;
			s->has_volume = TRUE;
			s->right_measured = TRUE;
		} else if (strcmp(key, "left_seconds") == 0) {
			s->left_seconds = g_variant_get_uint32(value);
		} else if (strcmp(key, "right_seconds") == 0) {
			s->right_seconds = g_variant_get_uint32(value);
		} else if (strcmp(key, "note") == 0) {
			const char *note = g_variant_get_string(value, NULL);
			if (strlen(note) > MAX_NOTE_BYTES)
				return invalid(error, "note: longer than %u bytes", MAX_NOTE_BYTES);
			g_free(s->note);
			s->note = g_strdup(note);
		} else if (strcmp(key, "supplement_ml") == 0) {
			s->supplement_ml = g_variant_get_double(value);
			if (!check_ml(key, s->supplement_ml, error))
				return FALSE;
			seen_supplement = TRUE;
		} else if (strcmp(key, "method") == 0) {
			const char *m = g_variant_get_string(value, NULL);
			if (!in_list(methods, m))
				return invalid(error,
					       "method: unknown method '%s' (bottle, supplementer, "
					       "cup, syringe or spoon)",
					       m);
			g_free(s->method);
			s->method = g_strdup(m);
		} else if (strcmp(key, "milk") == 0) {
			const char *m = g_variant_get_string(value, NULL);
			if (!in_list(milks, m))
				return invalid(error,
					       "milk: unknown milk '%s' (expressed, donor or formula)",
					       m);
			g_free(s->milk);
			s->milk = g_strdup(m);
		}
	}

	if (is_new) {
		if (!seen_kind)
			return invalid(error, "kind: missing");
		if (!seen_start)
			return invalid(error, "start: missing");
		if (!seen_end)
			return invalid(error, "end: missing");
		if (s->kind == LACTD_SESSION_SUPPLEMENT && !seen_supplement)
			return invalid(error, "supplement_ml: missing for a supplement");
	}
	if (s->start_us <= 0)
		return invalid(error, "start: before 1970");
	if (s->end_us < s->start_us)
		return invalid(error, "end: before start");
	if (s->start_us > now_us + FUTURE_SLACK_US)
		return invalid(error, "start: in the future");
	if (s->end_us > now_us + FUTURE_SLACK_US)
		return invalid(error, "end: in the future");
	duration = s->end_us - s->start_us;
	if (duration > LACTD_MAX_SESSION_US)
		return invalid(error, "end: a session lasts at most 24 hours");
	if ((gint64)s->left_seconds * G_USEC_PER_SEC > duration)
		return invalid(error, "left_seconds: longer than the session");
	if ((gint64)s->right_seconds * G_USEC_PER_SEC > duration)
		return invalid(error, "right_seconds: longer than the session");
	if (s->kind == LACTD_SESSION_SUPPLEMENT) {
		if (s->left_ml != 0 || s->right_ml != 0)
			return invalid(error,
				       "left_ml: not used for supplements; use supplement_ml");
	} else if (s->supplement_ml != 0 || s->method != NULL || s->milk != NULL) {
		return invalid(error, "%s: only for supplements",
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
		return invalid(error, "to: before from");
	return TRUE;
}
