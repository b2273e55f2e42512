/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The record types that the daemon, its store and its clients share: a
 * session, its samples, a weighing, a device's settings, a day's totals, the
 * plan and the progress against it. Each has one field table (the
 * lactd_*_record below, lactd-record.h says how to read one) from which its
 * a{sv}, JSON, CSV and SQL columns come.
 */
#pragma once

#include <glib.h>

#include "lactd-record.h"

G_BEGIN_DECLS

typedef enum {
	LACTD_SESSION_PUMP = 0,
	LACTD_SESSION_HAND,
	LACTD_SESSION_NURSING,
	LACTD_SESSION_SUPPLEMENT,
} LactdSessionKind;

typedef enum {
	LACTD_SOURCE_DEVICE = 0,
	LACTD_SOURCE_SCALE,
	LACTD_SOURCE_MANUAL,
} LactdSessionSource;

/* One sample of a session: cumulative volumes at a time. */
typedef struct {
	gint64 time_us;
	double left_ml;
	double right_ml;
} LactdSample;

typedef struct {
	guint64 id;
	LactdSessionKind kind;
	LactdSessionSource source;
	gint64 start_us;
	gint64 end_us; /* == start_us while live and nothing measured yet */
	double left_ml;
	double right_ml;
	gboolean has_volume; /* FALSE: nothing measured (a scale may fill it in) */
	/* Which sides were measured when has_volume: a side not measured has
	 * no volume at all (its left_ml/right_ml is 0 and means nothing).
	 * has_volume with neither set means both. */
	gboolean left_measured;
	gboolean right_measured;
	double extra_ml;     /* measured for both sides together: a bottle on a
			      * scale, or a baby's test-weighing intake */
	/* A weighing measured extra_ml: a bottle weighed, or a baby weighed
	 * before and after. An intake of 0 g is measured too; extra_ml > 0
	 * alone could not say so. */
	gboolean weighed;
	guint32 left_seconds;
	guint32 right_seconds;
	char *device;	       /* address, or NULL */
	guint32 device_session; /* the device's own session id, 0 when none */
	gboolean interrupted;
	gboolean live;
	char *note;
	/* supplements */
	double supplement_ml;
	char *method;
	char *milk;
} LactdSession;

void lactd_session_free(LactdSession *session);
/* left + right + what was measured for both together. */
double lactd_session_total_ml(const LactdSession *session);
/* Bit 0: left measured, bit 1: right measured; 0 when nothing was. */
guint lactd_session_sides(const LactdSession *session);
/* Whether extra_ml was measured (by a weighing), even when it is 0. */
gboolean lactd_session_weighed(const LactdSession *session);
/* Whether any of the session's volume was measured: a side or a weighing.
 * When not, its total_ml (0) means nothing. */
gboolean lactd_session_measured(const LactdSession *session);
LactdSession *lactd_session_copy(const LactdSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdSession, lactd_session_free)

const char *lactd_session_kind_to_string(LactdSessionKind kind);
gboolean lactd_session_kind_from_string(const char *str, LactdSessionKind *kind);
const char *lactd_session_source_to_string(LactdSessionSource source);
/* The names of the kinds and sources, by value, NULL-terminated. */
extern const char *const lactd_session_kind_names[];
extern const char *const lactd_session_source_names[];

typedef struct {
	guint64 id;
	gint64 time_us;
	double grams;
	gboolean stable;
	char *device;
	char *role;	  /* "bottle" or "baby" */
	guint64 session; /* 0: attributed to none */
} LactdWeighing;

void lactd_weighing_free(LactdWeighing *weighing);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdWeighing, lactd_weighing_free)

/* A device's user settings and last known state, kept across restarts. */
typedef struct {
	char *address;
	char *name;
	char *kind;   /* "pump", "scale", "unknown" */
	char *plugin; /* "" when none */
	char *side;   /* "left", "right", "both", "unknown" */
	char *role;   /* "bottle", "baby" */
	gboolean enabled;
	gint64 last_seen_us;
	guint32 rejected_packets;
} LactdDeviceRow;

void lactd_device_row_free(LactdDeviceRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdDeviceRow, lactd_device_row_free)

typedef struct {
	char day[11]; /* YYYY-MM-DD, local */
	guint sessions;
	double total_ml;
	double left_ml;
	double right_ml;
	guint minutes;
	gboolean overnight;
	double supplement_ml;
	double weighed_ml; /* intake by test-weighing, part of total_ml */
	gboolean measured; /* some session of the day had a volume measured */
	guint supplements; /* supplement sessions */
} LactdDaySummary;

#define LACTD_PLAN_NAME_MAX 200

/* The relactation plan: targets the user sets. */
typedef struct {
	guint sessions_min; /* per 24 h */
	guint sessions_max;
	guint overnight_start; /* minutes after local midnight */
	guint overnight_end;
	guint minutes_min; /* per breast per session */
	guint minutes_max;
	char start_date[11]; /* YYYY-MM-DD, "" when not set */
	/* Whose log: the name the user sets for reports and exports, "" when
	 * none. At most LACTD_PLAN_NAME_MAX bytes of UTF-8 without control
	 * characters. */
	char name[LACTD_PLAN_NAME_MAX + 1];
} LactdPlan;

/* GetProgress (docs/progress.md says how each figure is computed). A
 * figure that nothing measured, or that cannot be worked out yet, is NAN:
 * absent from the reply, never 0. */
typedef struct {
	guint sessions_24h;
	guint sessions_min;
	guint sessions_max;
	gboolean overnight_ok;
	double minutes_per_breast_7d; /* median */
	double volume_today_ml;
	double volume_7d_avg_ml;
	double volume_trend_ml_per_week;
	double supplement_7d_avg_ml;
	double supplement_trend_ml_per_week;
	guint days_counted_7d; /* days the 7-day averages are over */
	guint days_since_start;
} LactdProgress;

/* A recording of a device's GATT traffic (lactctl capture): its header. */
typedef struct {
	guint64 id;
	char *address; /* "" when unknown */
	char *name;
	char *source; /* "lactd" for a recording made here */
	gint64 start_us;
	gint64 end_us; /* 0 while recording */
	gboolean raw;
	guint events;	 /* filled in by get and list */
	gboolean active; /* being recorded now: set by the recorder */
} LactdRecInfo;

void lactd_rec_info_free(LactdRecInfo *info);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdRecInfo, lactd_rec_info_free)

/* The field tables. */
extern const LactdRecord lactd_session_table;
extern const LactdRecord lactd_sample_table;
extern const LactdRecord lactd_weighing_table;
extern const LactdRecord lactd_day_table;
extern const LactdRecord lactd_plan_table;
extern const LactdRecord lactd_progress_table;
extern const LactdRecord lactd_capture_table;
extern const LactdRecord lactd_device_table;

/* A session's a{sv} (ListSessions, GetSession, SessionEnded), with its
 * samples as a(xdd) when `samples` (LactdSample) is not NULL. Floating. */
GVariant *lactd_session_to_variant(const LactdSession *session, GArray *samples);
/* A weighing's a{sv} (ListWeighings, WeightMeasured). Floating. */
GVariant *lactd_weighing_to_variant(const LactdWeighing *weighing);

G_END_DECLS
