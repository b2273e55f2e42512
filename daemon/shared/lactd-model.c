/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared record types: names of their enums, copies and frees. */
#include "config.h"

#include "lactd-model.h"

static const char *const kind_names[] = {"pump", "hand", "nursing", "supplement"};
static const char *const source_names[] = {"device", "scale", "manual"};

const char *
lactd_session_kind_to_string(LactdSessionKind kind)
{
	return (guint)kind < G_N_ELEMENTS(kind_names) ? kind_names[kind] : "unknown";
}

gboolean
lactd_session_kind_from_string(const char *str, LactdSessionKind *kind)
{
	for (guint i = 0; i < G_N_ELEMENTS(kind_names); i++) {
		if (g_strcmp0(str, kind_names[i]) == 0) {
			*kind = (LactdSessionKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *
lactd_session_source_to_string(LactdSessionSource source)
{
	return (guint)source < G_N_ELEMENTS(source_names) ? source_names[source] : "unknown";
}

void
lactd_session_free(LactdSession *session)
{
	if (session == NULL)
		return;
	g_free(session->device);
	g_free(session->note);
	g_free(session->method);
	g_free(session->milk);
	g_free(session);
}

guint
lactd_session_sides(const LactdSession *s)
{
	guint sides = (s->left_measured ? 1u : 0u) | (s->right_measured ? 2u : 0u);

	/* A writer that says only "measured" (older code, benchmarks) meant
	 * both sides, as lactd always showed them. */
	if (s->has_volume && sides == 0)
		sides = 3;
	return s->has_volume ? sides : 0;
}

double
lactd_session_total_ml(const LactdSession *session)
{
	return session->left_ml + session->right_ml + session->extra_ml;
}

LactdSession *
lactd_session_copy(const LactdSession *session)
{
	LactdSession *copy = g_memdup2(session, sizeof(*session));

	copy->device = g_strdup(session->device);
	copy->note = g_strdup(session->note);
	copy->method = g_strdup(session->method);
	copy->milk = g_strdup(session->milk);
	return copy;
}

void
lactd_weighing_free(LactdWeighing *weighing)
{
	if (weighing == NULL)
		return;
	g_free(weighing->device);
	g_free(weighing->role);
	g_free(weighing);
}

void
lactd_device_row_free(LactdDeviceRow *row)
{
	if (row == NULL)
		return;
	g_free(row->address);
	g_free(row->name);
	g_free(row->kind);
	g_free(row->plugin);
	g_free(row->side);
	g_free(row->role);
	g_free(row);
}
