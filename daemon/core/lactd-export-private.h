/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What the export formats share: the data read from the store once, each
 * session's volumes as what was measured (never a 0 for what was not), and
 * the time formats. One file per format builds its document from this.
 */
#pragma once

#include <glib.h>

#include "lactd-plan.h"
#include "lactd-store.h"

G_BEGIN_DECLS

/* One session as exported: every value below is absent (FALSE has_*) when
 * nothing measured it. */
typedef struct {
	LactdSession s; /* a shallow copy: LactdExportData.owned holds its strings */
	gboolean has_left, has_right;
	/* Measured for both sides together by weighing the bottle. */
	gboolean has_bottle;
	double bottle_ml;
	/* left + right + bottle, when any of them was measured. */
	gboolean has_total;
	double total_ml;
	/* What the baby took, by weighing before and after a feed. */
	gboolean has_intake;
	double intake_ml;
} LactdExportSession;

typedef struct {
	LactdStore *store;
	gint64 from_us, to_us;
	GArray *sessions;     /* LactdExportSession, by start */
	GPtrArray *owned;     /* the LactdSession the array points at */
	GPtrArray *weighings; /* LactdWeighing in [from, to) */
	LactdPlan plan;
	char *installation_id; /* UUID */
	char *time_zone;       /* "Europe/Berlin", or the offset when unnamed */
	char *exported_at;     /* ISO 8601 UTC */
} LactdExportData;

/* The intake's method, for the method field of each format. */
#define LACTD_EXPORT_INTAKE_METHOD "test-weighing"

LactdExportData *lactd_export_data_load(LactdStore *store, gint64 from_us, gint64 to_us,
					GError **error);
void lactd_export_data_free(LactdExportData *data);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdExportData, lactd_export_data_free)

/* "2024-03-10T06:30:00Z"; NULL outside the years 1 to 9999. */
char *lactd_export_iso_utc(gint64 time_us);
/* strftime-like format of the local time (GDateTime syntax). */
char *lactd_export_local_format(gint64 time_us, const char *format);
/* Minutes, for durations. */
double lactd_export_duration_min(const LactdSession *s);
/* The plan in one line of text, for headers. */
char *lactd_export_plan_text(const LactdPlan *plan);

/* The field tables of the documents' rows (lactd-export-fields.c): a
 * LactdExportSession, and a LactdWeighing. */
extern const LactdRecord lactd_export_session_table;
extern const LactdRecord lactd_export_weighing_table;

/* Each format's document. */
GBytes *lactd_export_csv(const LactdExportData *data, GError **error);
GBytes *lactd_export_csv_weighings(const LactdExportData *data, GError **error);
/* Whether a spreadsheet would take this text for a formula (CSV guard). */
gboolean lactd_export_csv_formula_like(const char *value);
GBytes *lactd_export_json(const LactdExportData *data, GError **error);
/* A JSON document as one line ended by a newline. */
GBytes *lactd_export_json_bytes(JsonNode *root);
GBytes *lactd_export_fhir(const LactdExportData *data, gboolean transaction, GError **error);

G_END_DECLS
