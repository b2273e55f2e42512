/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The field tables of the exported documents: a session and a weighing as
 * CSV rows and JSON objects (docs/exports.md). Each line is one value with
 * its JSON member and its CSV column; both documents follow the table's
 * order. A value that was not measured is null in JSON and an empty cell in
 * CSV, never 0.
 */
#include "config.h"

#include "lactd-export-private.h"

#define EXPORT(member) .offset = G_STRUCT_OFFSET(LactdExportSession, member)
#define ML (LACTD_FIELD_ROUND)
/* A text column of CSV only, such as the local date. */
#define CSV_TEXT(column, fn) {column, LACTD_FIELD_STRING, NULL, NULL, NULL, column, .compute = fn}
#define TEXT (LACTD_FIELD_TEXT)

static gint64
end_of(const LactdSession *s)
{
	return MAX(s->end_us, s->start_us);
}

/* A time as text: GDateTime's `format` of the local time, or ISO 8601 in
 * UTC when NULL; absent outside a calendar's years. */
static GVariant *
time_text(gint64 time_us, const char *format)
{
	g_autofree char *text = format != NULL ? lactd_export_local_format(time_us, format)
					       : lactd_export_iso_utc(time_us);

	return text != NULL ? g_variant_new_string(text) : NULL;
}

#define TIME_TEXT(fn, type, when, format)                                                        \
	static GVariant *fn(gconstpointer record)                                                \
	{                                                                                        \
		const type *r = record;                                                          \
		return time_text(when, format);                                                  \
	}

#define ISO_LOCAL "%Y-%m-%dT%H:%M:%S%:z"

TIME_TEXT(start_date_local, LactdExportSession, r->s.start_us, "%Y-%m-%d")
TIME_TEXT(start_time_local, LactdExportSession, r->s.start_us, "%H:%M:%S")
TIME_TEXT(end_date_local, LactdExportSession, end_of(&r->s), "%Y-%m-%d")
TIME_TEXT(end_time_local, LactdExportSession, end_of(&r->s), "%H:%M:%S")
TIME_TEXT(start_offset, LactdExportSession, r->s.start_us, "%:z")
TIME_TEXT(start_utc, LactdExportSession, r->s.start_us, NULL)
TIME_TEXT(end_utc, LactdExportSession, end_of(&r->s), NULL)
TIME_TEXT(start_local, LactdExportSession, r->s.start_us, ISO_LOCAL)
TIME_TEXT(end_local, LactdExportSession, end_of(&r->s), ISO_LOCAL)
TIME_TEXT(weighing_date_local, LactdWeighing, r->time_us, "%Y-%m-%d")
TIME_TEXT(weighing_time_local, LactdWeighing, r->time_us, "%H:%M:%S")
TIME_TEXT(weighing_offset, LactdWeighing, r->time_us, "%:z")
TIME_TEXT(weighing_utc, LactdWeighing, r->time_us, NULL)

static GVariant *
end_us(gconstpointer record)
{
	return g_variant_new_int64(end_of(&((const LactdExportSession *)record)->s));
}

static GVariant *
duration_min(gconstpointer record)
{
	return g_variant_new_double(
	    lactd_export_duration_min(&((const LactdExportSession *)record)->s));
}

/* Minutes per breast are measured by the pump or entered; 0 is "none given". */
static GVariant *
left_min(gconstpointer record)
{
	guint32 sec = ((const LactdExportSession *)record)->s.left_seconds;

	return sec != 0 ? g_variant_new_double(sec / 60.0) : NULL;
}

static GVariant *
right_min(gconstpointer record)
{
	guint32 sec = ((const LactdExportSession *)record)->s.right_seconds;

	return sec != 0 ? g_variant_new_double(sec / 60.0) : NULL;
}

static GVariant *
intake_method(gconstpointer record)
{
	return ((const LactdExportSession *)record)->has_intake
		   ? g_variant_new_string(LACTD_EXPORT_INTAKE_METHOD)
		   : NULL;
}

#define HAS(fn, expr)                                                                            \
	static gboolean fn(gconstpointer record)                                                 \
	{                                                                                        \
		const LactdExportSession *e = record;                                            \
		return expr;                                                                     \
	}

HAS(has_left, e->has_left)
HAS(has_right, e->has_right)
HAS(has_bottle, e->has_bottle)
HAS(has_total, e->has_total)
HAS(has_intake, e->has_intake)
HAS(is_supplement, e->s.kind == LACTD_SESSION_SUPPLEMENT)

static const LactdField export_session_fields[] = {
    {"id", LACTD_FIELD_UINT64, NULL, NULL, "id", "id", NULL, EXPORT(s.id)},
    CSV_TEXT("date_local", start_date_local),
    CSV_TEXT("start_time_local", start_time_local),
    CSV_TEXT("end_date_local", end_date_local),
    CSV_TEXT("end_time_local", end_time_local),
    CSV_TEXT("utc_offset", start_offset),
    {"start", LACTD_FIELD_STRING, NULL, NULL, "start", "start_utc", .compute = start_utc},
    {"start_us", LACTD_FIELD_INT64, "us", NULL, "start_us", NULL, NULL, EXPORT(s.start_us)},
    {"end", LACTD_FIELD_STRING, NULL, NULL, "end", "end_utc", .compute = end_utc},
    {"end_us", LACTD_FIELD_INT64, "us", NULL, "end_us", NULL, .compute = end_us},
    {"start_local", LACTD_FIELD_STRING, NULL, NULL, "start_local", NULL, .compute = start_local},
    {"end_local", LACTD_FIELD_STRING, NULL, NULL, "end_local", NULL, .compute = end_local},
    {"duration_min", LACTD_FIELD_DOUBLE, "min", NULL, "duration_min", "duration_min",
     .flags = ML, .compute = duration_min},
    {"kind", LACTD_FIELD_ENUM, NULL, NULL, "kind", "kind", NULL, EXPORT(s.kind),
     .values = lactd_session_kind_names},
    {"source", LACTD_FIELD_ENUM, NULL, NULL, "source", "source", NULL, EXPORT(s.source),
     .values = lactd_session_source_names},
    {"left_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "left_ml", "left_ml", NULL, EXPORT(s.left_ml),
     .flags = ML, .present = has_left},
    {"right_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "right_ml", "right_ml", NULL,
     EXPORT(s.right_ml), .flags = ML, .present = has_right},
    {"bottle_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "bottle_ml", "bottle_ml", NULL,
     EXPORT(bottle_ml), .flags = ML, .present = has_bottle},
    {"total_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "total_ml", "total_ml", NULL,
     EXPORT(total_ml), .flags = ML, .present = has_total},
    {"intake_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "intake_ml", "intake_ml", NULL,
     EXPORT(intake_ml), .flags = ML, .present = has_intake},
    {"intake_method", LACTD_FIELD_STRING, NULL, NULL, "intake_method", "intake_method",
     .compute = intake_method},
    {"left_min", LACTD_FIELD_DOUBLE, "min", NULL, NULL, "left_min", .flags = ML,
     .compute = left_min},
    {"right_min", LACTD_FIELD_DOUBLE, "min", NULL, NULL, "right_min", .flags = ML,
     .compute = right_min},
    {"left_seconds", LACTD_FIELD_UINT32, "s", NULL, "left_seconds", NULL, NULL,
     EXPORT(s.left_seconds)},
    {"right_seconds", LACTD_FIELD_UINT32, "s", NULL, "right_seconds", NULL, NULL,
     EXPORT(s.right_seconds)},
    {"interrupted", LACTD_FIELD_BOOLEAN, NULL, NULL, "interrupted", "interrupted", NULL,
     EXPORT(s.interrupted)},
    {"live", LACTD_FIELD_BOOLEAN, NULL, NULL, "live", NULL, NULL, EXPORT(s.live)},
    {"supplement_ml", LACTD_FIELD_DOUBLE, "mL", NULL, "supplement_ml", "supplement_ml", NULL,
     EXPORT(s.supplement_ml), .flags = ML | LACTD_FIELD_JSON_OMIT, .present = is_supplement},
    {"method", LACTD_FIELD_STRING, NULL, NULL, "method", "method", NULL, EXPORT(s.method),
     .flags = TEXT | LACTD_FIELD_ZERO_NONE | LACTD_FIELD_JSON_OMIT, .present = is_supplement},
    {"milk", LACTD_FIELD_STRING, NULL, NULL, "milk", "milk", NULL, EXPORT(s.milk),
     .flags = TEXT | LACTD_FIELD_ZERO_NONE | LACTD_FIELD_JSON_OMIT, .present = is_supplement},
    {"note", LACTD_FIELD_STRING, NULL, NULL, "note", "note", NULL, EXPORT(s.note), .flags = TEXT},
    /* null in JSON when entered by hand */
    {"device", LACTD_FIELD_STRING, NULL, NULL, "device", "device", NULL, EXPORT(s.device),
     .flags = TEXT | LACTD_FIELD_ZERO_NONE},
};

const LactdRecord lactd_export_session_table = {"session", export_session_fields,
						G_N_ELEMENTS(export_session_fields)};

#define WEIGHING(member) .offset = G_STRUCT_OFFSET(LactdWeighing, member)

static const LactdField export_weighing_fields[] = {
    {"id", LACTD_FIELD_UINT64, NULL, NULL, "id", "id", NULL, WEIGHING(id)},
    CSV_TEXT("date_local", weighing_date_local),
    CSV_TEXT("time_local", weighing_time_local),
    CSV_TEXT("utc_offset", weighing_offset),
    {"time", LACTD_FIELD_STRING, NULL, NULL, "time", "time_utc", .compute = weighing_utc},
    {"time_us", LACTD_FIELD_INT64, "us", NULL, "time_us", NULL, NULL, WEIGHING(time_us)},
    {"grams", LACTD_FIELD_DOUBLE, "g", NULL, "grams", "grams", NULL, WEIGHING(grams),
     .flags = ML},
    {"stable", LACTD_FIELD_BOOLEAN, NULL, NULL, "stable", "stable", NULL, WEIGHING(stable)},
    {"role", LACTD_FIELD_STRING, NULL, NULL, "role", "role", NULL, WEIGHING(role),
     .flags = LACTD_FIELD_ZERO_NONE},
    /* 0: attributed to none */
    {"session", LACTD_FIELD_UINT64, NULL, NULL, "session", "session", NULL, WEIGHING(session),
     .flags = LACTD_FIELD_ZERO_NONE},
    {"device", LACTD_FIELD_STRING, NULL, NULL, "device", "device", NULL, WEIGHING(device),
     .flags = TEXT | LACTD_FIELD_ZERO_NONE},
};

const LactdRecord lactd_export_weighing_table = {"weighing", export_weighing_fields,
						 G_N_ELEMENTS(export_weighing_fields)};
