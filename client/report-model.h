/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The consultant's report as numbers: the rows fetched from lactd (sessions,
 * daily summaries, baby weighings, plan) and what the page shows from them
 * (every day of the range, 7-day averages, weeks, trends). Pure: no D-Bus, no
 * drawing, so it is tested on its own.
 *
 * A value that was not measured is NAN here, never 0.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
	REPORT_KIND_PUMP,
	REPORT_KIND_HAND,
	REPORT_KIND_NURSING,
	REPORT_KIND_SUPPLEMENT,
	REPORT_KIND_OTHER,
} ReportKind;

typedef enum {
	REPORT_MILK_EXPRESSED,
	REPORT_MILK_DONOR,
	REPORT_MILK_FORMULA,
	REPORT_MILK_OTHER,
	REPORT_N_MILKS,
} ReportMilk;

typedef struct {
	gint64 start_us;
	gint64 end_us;
	ReportKind kind;
	/* NAN when not measured; left and right both NAN with a total: measured
	 * for both sides together (a bottle on a scale, a test-weighing). */
	double left_ml;
	double right_ml;
	double total_ml;
	double left_min; /* NAN when not timed */
	double right_min;
	double supplement_ml; /* supplements only, else NAN */
	ReportMilk milk;
	char *note;
	/* The daemon's local day (julian day number), set by whoever fetched
	 * the rows, and the start's time of day in hours (0 to 24). */
	guint32 julian;
	double hour;
} ReportSession;

typedef struct {
	gint64 time_us;
	double grams;
	guint32 julian;
} ReportWeight;

/* A GetDailySummary row. */
typedef struct {
	guint32 julian;
	guint sessions;
	double total_ml;
	double left_ml;
	double right_ml;
	guint minutes;
	gboolean overnight;
	double supplement_ml;
} ReportSummary;

typedef struct {
	guint sessions_min;
	guint sessions_max;
	guint minutes_min;
	guint minutes_max;
	char *overnight_start;
	char *overnight_end;
	char *start_date; /* YYYY-MM-DD or NULL */
	char *name;	  /* whose log, or NULL */
} ReportPlan;

/* One day of the range as the page shows it. */
typedef struct {
	GDate date;
	gboolean recorded;	  /* the daemon had anything on this day */
	guint sessions;		  /* milk-removal sessions */
	double total_ml;	  /* NAN: nothing measured that day */
	double sided_left_ml;	  /* volumes measured per side */
	double sided_right_ml;
	double unsided_ml; /* measured for both sides together */
	gboolean overnight;
	double supplement_ml;		     /* NAN: no supplement recorded */
	double supplement_by_milk[REPORT_N_MILKS]; /* 0 for kinds not given */
	double minutes_median; /* per breast, NAN when no session was timed */
	double avg7_ml;	       /* NAN before the first day with a volume */
	double hours;	       /* 23, 24 or 25 across a DST change */
} ReportDay;

/* Seven days from the range's first day (the last may be shorter). */
typedef struct {
	guint first;  /* index of its first day */
	guint n_days; /* days in the range */
	guint days_recorded;
	guint sessions;
	double volume_ml;     /* NAN when nothing measured in the week */
	double supplement_ml; /* 0 when none recorded */
	guint nights;	      /* nights with an overnight session */
	double sessions_per_day;
	double volume_per_day;	   /* over the days with a volume measured */
	double supplement_per_day; /* over the days in the week */
	double trend_ml_per_day;   /* volume per day minus the week before's; NAN for the first */
} ReportWeek;

typedef struct {
	/* Input, filled by the caller. */
	GDate first; /* inclusive */
	GDate last;  /* inclusive */
	GTimeZone *tz; /* for day lengths: the zone days were counted in */
	char *tz_label;
	gboolean tz_is_daemon; /* FALSE: times of day are this computer's */
	ReportPlan plan;
	GArray *sessions;  /* ReportSession, by start */
	GArray *summaries; /* ReportSummary */
	GArray *weights;   /* ReportWeight (baby) */

	/* Computed by report_model_compute(). */
	GArray *days;  /* ReportDay, one per day first..last */
	GArray *weeks; /* ReportWeek */
	guint n_recorded;
	double volume_trend_ml_per_week;     /* least squares; NAN under 7 days */
	double supplement_trend_ml_per_week; /* least squares; NAN under 7 days */
	double supplement_fit_a;	     /* fit: a + b * day index */
	double supplement_fit_b;
	double volume_max_ml; /* largest daily volume (for scales) */
	int days_since_start; /* -1 without a start date */
} ReportModel;

ReportModel *report_model_new(const GDate *first, const GDate *last, GTimeZone *tz);
void report_model_free(ReportModel *model);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(ReportModel, report_model_free)

/* Adds rows; the strings are copied. */
void report_model_add_session(ReportModel *model, const ReportSession *session);
void report_model_compute(ReportModel *model);

/* Length of a local day in hours in tz (24, or 23/25 at a DST change). */
double report_day_hours(const GDate *date, GTimeZone *tz);
/* UTC microseconds of a day's local midnight in tz. */
gint64 report_day_start_us(const GDate *date, GTimeZone *tz);
/* Least-squares slope of y over x = 0..n-1, skipping NAN; NAN with fewer than 2 points. */
double report_slope(const double *y, guint n, double *intercept);
gboolean report_milk_from_string(const char *text, ReportMilk *milk);
const char *report_milk_label(ReportMilk milk);
/* "YYYY-MM-DD", strictly. */
gboolean report_parse_date(const char *text, GDate *date);
/* Whether the range is folded into weeks (long ranges). */
gboolean report_model_weekly(const ReportModel *model);
/* The median of per-breast minutes over the range's timed sessions, NAN when none. */
double report_model_minutes_median(const ReportModel *model);

G_END_DECLS
