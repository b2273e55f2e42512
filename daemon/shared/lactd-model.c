/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The shared record types: names of their enums, copies, frees, and the
 * field table of each. */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-model.h"
#include "lactd-util.h"

const char *const lactd_session_kind_names[] = {"pump", "hand", "nursing", "supplement", NULL};
const char *const lactd_session_source_names[] = {"device", "scale", "manual", NULL};

/* The name of @value in @names (@n_names long, NULL last), or "unknown". */
static const char *
enum_name(const char *const *names, gsize n_names, guint value)
{
	return value < n_names - 1 ? names[value] : "unknown";
}

const char *
lactd_session_kind_to_string(LactdSessionKind kind)
{
	return enum_name(lactd_session_kind_names, G_N_ELEMENTS(lactd_session_kind_names), kind);
}

gboolean
lactd_session_kind_from_string(const char *str, LactdSessionKind *kind)
{
	for (guint i = 0; lactd_session_kind_names[i] != NULL; i++) {
		if (g_strcmp0(str, lactd_session_kind_names[i]) == 0) {
			*kind = (LactdSessionKind)i;
			return TRUE;
		}
	}
	return FALSE;
}

const char *
lactd_session_source_to_string(LactdSessionSource source)
{
	return enum_name(lactd_session_source_names, G_N_ELEMENTS(lactd_session_source_names),
			 source);
}

void
lactd_session_free(LactdSession *session)
{
	lactd_record_free(&lactd_session_table, session);
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

gboolean
lactd_session_weighed(const LactdSession *session)
{
	/* extra_ml > 0: a writer that sets only the volume (older code,
	 * benchmarks) still weighed something. */
	return session->weighed || session->extra_ml > 0;
}

gboolean
lactd_session_measured(const LactdSession *session)
{
	return lactd_session_sides(session) != 0 || lactd_session_weighed(session);
}

double
lactd_session_total_ml(const LactdSession *session)
{
	return session->left_ml + session->right_ml + session->extra_ml;
}

LactdSession *
lactd_session_copy(const LactdSession *session)
{
	return lactd_record_copy(&lactd_session_table, session, sizeof(*session));
}

void
lactd_weighing_free(LactdWeighing *weighing)
{
	lactd_record_free(&lactd_weighing_table, weighing);
}

void
lactd_rec_info_free(LactdRecInfo *info)
{
	lactd_record_free(&lactd_capture_table, info);
}

void
lactd_device_row_free(LactdDeviceRow *row)
{
	lactd_record_free(&lactd_device_table, row);
}

/* ---- the field tables ------------------------------------------------------ */

#define SESSION(member) .offset = G_STRUCT_OFFSET(LactdSession, member)

static const char *const method_values[] = {"bottle", "supplementer", "cup", "syringe", "spoon",
					    NULL};
static const char *const milk_values[] = {"expressed", "donor", "formula", NULL};

#define MAX_NOTE_BYTES 4096
#define MAX_ML 1000.0

static gboolean
check_ml(gpointer record, const char *key, GVariant *value, GError **error)
{
	double v = g_variant_get_double(value);

	if (isnan(v) || isinf(v))
		return lactd_error_invalid_args(error, "%s: not a number", key);
	if (v < 0)
		return lactd_error_invalid_args(error, "%s: negative volume %.1f mL", key, v);
	if (v > MAX_ML)
		return lactd_error_invalid_args(
			error, "%s: more than %.0f mL on one side (%.1f mL)", key, MAX_ML, v);
	return TRUE;
}

/* A side a client gives is a side measured. */
static gboolean
check_left_ml(gpointer record, const char *key, GVariant *value, GError **error)
{
	LactdSession *s = record;

	s->has_volume = s->left_measured = TRUE;
	return check_ml(record, key, value, error);
}

static gboolean
check_right_ml(gpointer record, const char *key, GVariant *value, GError **error)
{
	LactdSession *s = record;

	s->has_volume = s->right_measured = TRUE;
	return check_ml(record, key, value, error);
}

static gboolean
check_note(gpointer record, const char *key, GVariant *value, GError **error)
{
	if (strlen(g_variant_get_string(value, NULL)) > MAX_NOTE_BYTES)
		return lactd_error_invalid_args(error, "%s: longer than %u bytes", key,
						MAX_NOTE_BYTES);
	return TRUE;
}

static gboolean
left_present(gconstpointer record)
{
	return (lactd_session_sides(record) & 1) != 0;
}

static gboolean
right_present(gconstpointer record)
{
	return (lactd_session_sides(record) & 2) != 0;
}

static gboolean
weighed_present(gconstpointer record)
{
	return lactd_session_weighed(record);
}

static gboolean
total_present(gconstpointer record)
{
	return lactd_session_measured(record);
}

static gboolean
is_supplement(gconstpointer record)
{
	return ((const LactdSession *)record)->kind == LACTD_SESSION_SUPPLEMENT;
}

static void
derive_total(gconstpointer record, LactdFieldValue *out)
{
	out->d = lactd_session_total_ml(record);
}

static void
derive_left_measured(gconstpointer record, LactdFieldValue *out)
{
	out->b = left_present(record);
}

static void
derive_right_measured(gconstpointer record, LactdFieldValue *out)
{
	out->b = right_present(record);
}

/* What a client shows as measured, the rest as "not measured": each side
 * whose flag is set, and "weighed" when a weight was assigned. */
static const char *const measured_words[] = {
    "left", "left_measured", "right", "right_measured", "weighed", "weighed_ml", NULL,
};

static void
derive_measured(gconstpointer record, LactdFieldValue *out)
{
	static const LactdField *said[G_N_ELEMENTS(measured_words) / 2];
	static gsize resolved;

	if (g_once_init_enter(&resolved)) {
		for (guint k = 0; measured_words[2 * k] != NULL; k++) {
			said[k] = lactd_record_lookup(&lactd_session_table, measured_words[2 * k + 1]);
			g_assert(said[k] != NULL);
		}
		g_once_init_leave(&resolved, 1);
	}
	lactd_record_words(measured_words, said, record, out);
}

static void
derive_sides(gconstpointer record, LactdFieldValue *out)
{
	out->u32 = lactd_session_sides(record);
}

#define SAMPLE(member) .offset = G_STRUCT_OFFSET(LactdSample, member)
#define ML (LACTD_FIELD_ROUND)
#define SET (LACTD_FIELD_SETTABLE)

/* A session. D-Bus keys in the order ListSessions always sent them; the
 * lines without a D-Bus key are the store's own. */
static const LactdField session_fields[] = {
    {"id", LACTD_FIELD_UINT64, NULL, "id", "id", "id", "id", SESSION(id)},
    {"kind", LACTD_FIELD_ENUM, NULL, "kind", "kind", "kind", "kind", SESSION(kind),
     .flags = SET, .values = lactd_session_kind_names},
    {"source", LACTD_FIELD_ENUM, NULL, "source", "source", "source", "source", SESSION(source),
     .values = lactd_session_source_names},
    {"start", LACTD_FIELD_INT64, "us", "start", "start_us", "start_us", "start_us",
     SESSION(start_us), .flags = SET},
    {"end", LACTD_FIELD_INT64, "us", "end", "end_us", "end_us", "end_us", SESSION(end_us),
     .flags = SET},
    {"left_ml", LACTD_FIELD_DOUBLE, "mL", "left_ml", "left_ml", "left_ml", "left_ml",
     SESSION(left_ml), .flags = ML | SET | LACTD_FIELD_DBUS_ALWAYS, .present = left_present,
     .check = check_left_ml},
    {"right_ml", LACTD_FIELD_DOUBLE, "mL", "right_ml", "right_ml", "right_ml", "right_ml",
     SESSION(right_ml), .flags = ML | SET | LACTD_FIELD_DBUS_ALWAYS, .present = right_present,
     .check = check_right_ml},
    {"total_ml", LACTD_FIELD_DOUBLE, "mL", "total_ml", "total_ml", "total_ml", NULL, 0,
     .flags = ML | LACTD_FIELD_DBUS_ALWAYS, .present = total_present, .derive = derive_total},
    {"extra_ml", LACTD_FIELD_DOUBLE, "mL", "weighed_ml", "weighed_ml", "weighed_ml", "extra_ml",
     SESSION(extra_ml), .flags = ML, .present = weighed_present},
    {"left_measured", LACTD_FIELD_BOOLEAN, NULL, "left_measured", NULL, NULL, NULL, 0,
     .derive = derive_left_measured},
    {"right_measured", LACTD_FIELD_BOOLEAN, NULL, "right_measured", NULL, NULL, NULL, 0,
     .derive = derive_right_measured},
    {"measured", LACTD_FIELD_STRV, NULL, "measured", "measured", "measured", NULL, 0,
     .derive = derive_measured, .words = measured_words},
    {"left_seconds", LACTD_FIELD_UINT32, "s", "left_seconds", "left_seconds", "left_seconds",
     "left_s", SESSION(left_seconds), .flags = SET},
    {"right_seconds", LACTD_FIELD_UINT32, "s", "right_seconds", "right_seconds",
     "right_seconds", "right_s", SESSION(right_seconds), .flags = SET},
    {"device", LACTD_FIELD_STRING, NULL, "device", "device", "device", "device",
     SESSION(device), .flags = LACTD_FIELD_TEXT},
    {"interrupted", LACTD_FIELD_BOOLEAN, NULL, "interrupted", "interrupted", "interrupted",
     "interrupted", SESSION(interrupted)},
    {"note", LACTD_FIELD_STRING, NULL, "note", "note", "note", "note", SESSION(note),
     .flags = SET | LACTD_FIELD_TEXT, .check = check_note},
    {"supplement_ml", LACTD_FIELD_DOUBLE, "mL", "supplement_ml", "supplement_ml",
     "supplement_ml", "supplement_ml", SESSION(supplement_ml), .flags = ML | SET,
     .present = is_supplement, .check = check_ml},
    {"method", LACTD_FIELD_STRING, NULL, "method", "method", "method", "method",
     SESSION(method), .flags = SET | LACTD_FIELD_TEXT, .values = method_values,
     .present = is_supplement},
    {"milk", LACTD_FIELD_STRING, NULL, "milk", "milk", "milk", "milk", SESSION(milk),
     .flags = SET | LACTD_FIELD_TEXT, .values = milk_values, .present = is_supplement},
    {"has_volume", LACTD_FIELD_BOOLEAN, NULL, NULL, NULL, NULL, "has_volume",
     SESSION(has_volume)},
    {"device_session", LACTD_FIELD_UINT32, NULL, NULL, NULL, NULL, "device_session",
     SESSION(device_session)},
    {"live", LACTD_FIELD_BOOLEAN, NULL, NULL, "live", NULL, "live", SESSION(live)},
    {"sides", LACTD_FIELD_UINT32, NULL, NULL, NULL, NULL, "sides", 0, .derive = derive_sides},
    /* Said on D-Bus, in JSON and CSV by weighed_ml being present. */
    {"weighed", LACTD_FIELD_BOOLEAN, NULL, NULL, NULL, NULL, "weighed", SESSION(weighed)},
};

const LactdRecord lactd_session_table = {"session", session_fields,
					  G_N_ELEMENTS(session_fields)};

/* One sample: a(xdd) on D-Bus, the store keeps them packed in a blob. */
static const LactdField sample_fields[] = {
    {"time_us", LACTD_FIELD_INT64, "us", "time", "time_us", "time_us", NULL,
     SAMPLE(time_us)},
    {"left_ml", LACTD_FIELD_DOUBLE, "mL", "left_ml", "left_ml", "left_ml", NULL,
     SAMPLE(left_ml)},
    {"right_ml", LACTD_FIELD_DOUBLE, "mL", "right_ml", "right_ml", "right_ml", NULL,
     SAMPLE(right_ml)},
};

const LactdRecord lactd_sample_table = {"sample", sample_fields, G_N_ELEMENTS(sample_fields)};

#define WEIGHING(member) .offset = G_STRUCT_OFFSET(LactdWeighing, member)

static const LactdField weighing_fields[] = {
    {"id", LACTD_FIELD_UINT64, NULL, "id", "id", "id", "id", WEIGHING(id)},
    {"time_us", LACTD_FIELD_INT64, "us", "time", "time_us", "time_us", "time_us",
     WEIGHING(time_us)},
    {"grams", LACTD_FIELD_DOUBLE, "g", "grams", "grams", "grams", "grams", WEIGHING(grams)},
    {"stable", LACTD_FIELD_BOOLEAN, NULL, "stable", "stable", "stable", "stable",
     WEIGHING(stable)},
    {"device", LACTD_FIELD_STRING, NULL, "device", "device", "device", "device",
     WEIGHING(device), .flags = LACTD_FIELD_TEXT},
    {"role", LACTD_FIELD_STRING, NULL, "role", "role", "role", "role", WEIGHING(role),
     .fallback = "bottle"},
    /* 0: attributed to none. */
    {"session", LACTD_FIELD_UINT64, NULL, "session", "session", "session", "session",
     WEIGHING(session), .flags = LACTD_FIELD_ZERO_NONE},
};

const LactdRecord lactd_weighing_table = {"weighing", weighing_fields,
					   G_N_ELEMENTS(weighing_fields)};

#define DAY(member) .offset = G_STRUCT_OFFSET(LactdDaySummary, member)

static gboolean
day_measured(gconstpointer record)
{
	return ((const LactdDaySummary *)record)->measured;
}

static gboolean
day_supplemented(gconstpointer record)
{
	return ((const LactdDaySummary *)record)->supplements > 0;
}

/* A day: volumes only where something was measured (a day of feeds at the
 * breast without test-weighing has no volume, not 0 mL). */
static const LactdField day_fields[] = {
    {"day", LACTD_FIELD_CHARS, NULL, "day", "day", "day", NULL, DAY(day), sizeof(char[11])},
    {"sessions", LACTD_FIELD_UINT32, NULL, "sessions", "sessions", "sessions", NULL,
     DAY(sessions)},
    {"total_ml", LACTD_FIELD_DOUBLE, "mL", "total_ml", "total_ml", "total_ml", NULL,
     DAY(total_ml), .present = day_measured},
    {"left_ml", LACTD_FIELD_DOUBLE, "mL", "left_ml", "left_ml", "left_ml", NULL, DAY(left_ml),
     .present = day_measured},
    {"right_ml", LACTD_FIELD_DOUBLE, "mL", "right_ml", "right_ml", "right_ml", NULL,
     DAY(right_ml), .present = day_measured},
    {"weighed_ml", LACTD_FIELD_DOUBLE, "mL", "weighed_ml", "weighed_ml", "weighed_ml", NULL,
     DAY(weighed_ml), .present = day_measured},
    {"minutes", LACTD_FIELD_UINT32, "min", "minutes", "minutes", "minutes", NULL,
     DAY(minutes)},
    {"overnight", LACTD_FIELD_BOOLEAN, NULL, "overnight", "overnight", "overnight", NULL,
     DAY(overnight)},
    {"supplement_ml", LACTD_FIELD_DOUBLE, "mL", "supplement_ml", "supplement_ml",
     "supplement_ml", NULL, DAY(supplement_ml), .present = day_supplemented},
};

const LactdRecord lactd_day_table = {"day", day_fields, G_N_ELEMENTS(day_fields)};

#define PLAN(member) .offset = G_STRUCT_OFFSET(LactdPlan, member)

static gboolean
check_date(gpointer record, const char *key, GVariant *value, GError **error)
{
	const char *str = g_variant_get_string(value, NULL);
	unsigned y, m, d;
	char extra;

	if (str[0] == '\0' ||
	    (strlen(str) == 10 && sscanf(str, "%4u-%2u-%2u%c", &y, &m, &d, &extra) == 3 &&
	     g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y) && y >= 1970))
		return TRUE;
	return lactd_error_invalid_args(error, "%s: expected a date YYYY-MM-DD", key);
}

/* A name printed on a report and put in exports: text a person typed, so
 * no control characters (a newline would forge a CSV header line). */
static gboolean
check_name(gpointer record, const char *key, GVariant *value, GError **error)
{
	const char *str = g_variant_get_string(value, NULL);

	if (strlen(str) <= LACTD_PLAN_NAME_MAX && g_utf8_validate(str, -1, NULL)) {
		const char *p;
		for (p = str; *p != '\0'; p = g_utf8_next_char(p)) {
			gunichar c = g_utf8_get_char(p);
			if (g_unichar_iscntrl(c) || c == 0x2028 || c == 0x2029)
				break;
		}
		if (*p == '\0')
			return TRUE;
	}
	return lactd_error_invalid_args(error,
		       "%s: expected at most %u bytes of UTF-8 text without control characters",
		       key, LACTD_PLAN_NAME_MAX);
}

static const LactdField plan_fields[] = {
    {"sessions_min", LACTD_FIELD_UINT32, NULL, "sessions_min", "sessions_min", NULL, NULL,
     PLAN(sessions_min), .flags = SET},
    {"sessions_max", LACTD_FIELD_UINT32, NULL, "sessions_max", "sessions_max", NULL, NULL,
     PLAN(sessions_max), .flags = SET},
    {"overnight_start", LACTD_FIELD_HHMM, NULL, "overnight_start", "overnight_start", NULL,
     NULL, PLAN(overnight_start), .flags = SET},
    {"overnight_end", LACTD_FIELD_HHMM, NULL, "overnight_end", "overnight_end", NULL, NULL,
     PLAN(overnight_end), .flags = SET},
    {"minutes_min", LACTD_FIELD_UINT32, "min", "minutes_min", "minutes_min", NULL, NULL,
     PLAN(minutes_min), .flags = SET},
    {"minutes_max", LACTD_FIELD_UINT32, "min", "minutes_max", "minutes_max", NULL, NULL,
     PLAN(minutes_max), .flags = SET},
    {"start_date", LACTD_FIELD_CHARS, NULL, "start_date", "start_date", NULL, NULL,
     PLAN(start_date), sizeof(char[11]), .flags = SET | LACTD_FIELD_ZERO_NONE,
     .check = check_date},
    /* The export puts the name at the top of the document, not in the plan. */
    {"name", LACTD_FIELD_CHARS, NULL, "name", NULL, NULL, NULL, PLAN(name),
     LACTD_PLAN_NAME_MAX + 1, .flags = SET | LACTD_FIELD_TEXT, .check = check_name},
};

const LactdRecord lactd_plan_table = {"plan", plan_fields, G_N_ELEMENTS(plan_fields)};

#define PROGRESS(member) .offset = G_STRUCT_OFFSET(LactdProgress, member)
#define PROGRESS_FIELD(member, type, unit)                                                       \
	{#member, type, unit, #member, #member, #member, NULL, PROGRESS(member)}
#define PROGRESS_MEASURED(member, unit)                                                          \
	{#member, LACTD_FIELD_DOUBLE, unit, #member, #member, #member, NULL, PROGRESS(member),    \
	 .flags = LACTD_FIELD_NAN_ABSENT}

static const LactdField progress_fields[] = {
    PROGRESS_FIELD(sessions_24h, LACTD_FIELD_UINT32, NULL),
    PROGRESS_FIELD(sessions_min, LACTD_FIELD_UINT32, NULL),
    PROGRESS_FIELD(sessions_max, LACTD_FIELD_UINT32, NULL),
    PROGRESS_FIELD(overnight_ok, LACTD_FIELD_BOOLEAN, NULL),
    PROGRESS_MEASURED(minutes_per_breast_7d, "min"),
    PROGRESS_MEASURED(volume_today_ml, "mL"),
    PROGRESS_MEASURED(volume_7d_avg_ml, "mL"),
    PROGRESS_MEASURED(volume_trend_ml_per_week, "mL/week"),
    PROGRESS_MEASURED(supplement_7d_avg_ml, "mL"),
    PROGRESS_MEASURED(supplement_trend_ml_per_week, "mL/week"),
    PROGRESS_FIELD(days_counted_7d, LACTD_FIELD_UINT32, NULL),
    PROGRESS_FIELD(days_since_start, LACTD_FIELD_UINT32, NULL),
};

const LactdRecord lactd_progress_table = {"progress", progress_fields,
					   G_N_ELEMENTS(progress_fields)};

#define CAPTURE(member) .offset = G_STRUCT_OFFSET(LactdRecInfo, member)

/* A recording's header: ListCaptures, GetCapture. */
static const LactdField capture_fields[] = {
    {"id", LACTD_FIELD_UINT64, NULL, "id", "id", "id", "id", CAPTURE(id)},
    {"address", LACTD_FIELD_STRING, NULL, "address", "address", "address", "address",
     CAPTURE(address), .flags = LACTD_FIELD_TEXT},
    {"name", LACTD_FIELD_STRING, NULL, "name", "name", "name", "name", CAPTURE(name),
     .flags = LACTD_FIELD_TEXT},
    {"source", LACTD_FIELD_STRING, NULL, "source", "source", "source", "source",
     CAPTURE(source), .flags = LACTD_FIELD_TEXT},
    {"start", LACTD_FIELD_INT64, "us", "start", "start_us", "start_us", "start_us",
     CAPTURE(start_us)},
    {"end", LACTD_FIELD_INT64, "us", "end", "end_us", "end_us", "end_us", CAPTURE(end_us)},
    {"events", LACTD_FIELD_UINT32, NULL, "events", "events", "events", NULL, CAPTURE(events)},
    {"active", LACTD_FIELD_BOOLEAN, NULL, "active", "active", "active", NULL, CAPTURE(active)},
    {"raw", LACTD_FIELD_BOOLEAN, NULL, "raw", "raw", "raw", "raw", CAPTURE(raw)},
};

const LactdRecord lactd_capture_table = {"capture", capture_fields, G_N_ELEMENTS(capture_fields)};

#define DEVICE(member) .offset = G_STRUCT_OFFSET(LactdDeviceRow, member)

/* A device's row in the store, and nothing else: Device1 shows what the
 * devices service knows (lactd_device_info_table), of which this is kept. */
static const LactdField device_fields[] = {
    {"address", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "address", DEVICE(address)},
    {"name", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "name", DEVICE(name)},
    {"kind", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "kind", DEVICE(kind),
     .fallback = "unknown"},
    {"plugin", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "plugin", DEVICE(plugin)},
    {"side", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "side", DEVICE(side),
     .fallback = "unknown"},
    {"role", LACTD_FIELD_STRING, NULL, NULL, NULL, NULL, "role", DEVICE(role),
     .fallback = "bottle"},
    {"enabled", LACTD_FIELD_BOOLEAN, NULL, NULL, NULL, NULL, "enabled", DEVICE(enabled)},
    {"last_seen_us", LACTD_FIELD_INT64, "us", NULL, NULL, NULL, "last_seen",
     DEVICE(last_seen_us)},
    {"rejected_packets", LACTD_FIELD_UINT32, NULL, NULL, NULL, NULL, "rejected",
     DEVICE(rejected_packets)},
};

const LactdRecord lactd_device_table = {"device", device_fields, G_N_ELEMENTS(device_fields)};

GVariant *
lactd_session_to_variant(const LactdSession *session, GArray *samples)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	lactd_record_add_to_builder(&lactd_session_table, session, &b);
	if (samples != NULL) {
		GVariantBuilder sb;

		g_variant_builder_init(&sb, G_VARIANT_TYPE("a(xdd)"));
		for (guint i = 0; i < samples->len; i++)
			g_variant_builder_add_value(
			    &sb, lactd_record_to_tuple(&lactd_sample_table,
						       &g_array_index(samples, LactdSample, i)));
		g_variant_builder_add(&b, "{sv}", "samples", g_variant_builder_end(&sb));
	}
	return g_variant_builder_end(&b);
}

GVariant *
lactd_weighing_to_variant(const LactdWeighing *weighing)
{
	return lactd_record_to_variant(&lactd_weighing_table, weighing);
}
