/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Daily summaries: totals per local day, summed from the sessions table. */
#include "config.h"

#include "lactd-store-private.h"
#include "lactd-util.h"

static gboolean
in_window(guint minute, guint start, guint end)
{
	if (start < end)
		return minute >= start && minute < end;
	/* A window across midnight, such as 22:00 to 04:00. */
	return minute >= start || minute < end;
}

/*
 * Local time without a GDateTime a session: one time zone for the whole
 * call, and the offset of the interval (between two DST changes) each
 * start falls in, a binary search in the zone's table. The local day is
 * then arithmetic, and so is the wall-clock minute, DST days included.
 */
typedef struct {
	GTimeZone *tz;
	gint64 day;    /* days since 1970-01-01, local */
	guint minute;  /* of the local day */
} LocalTime;

static void
local_time(LocalTime *lt, gint64 time_us)
{
	gint64 secs = time_us >= 0 ? time_us / G_USEC_PER_SEC
				   : -((-time_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC);
	gint interval = g_time_zone_find_interval(lt->tz, G_TIME_TYPE_UNIVERSAL, secs);
	gint64 local = secs + (interval >= 0 ? g_time_zone_get_offset(lt->tz, interval) : 0);
	gint64 rem = local % 86400;

	if (rem < 0)
		rem += 86400;
	lt->day = (local - rem) / 86400;
	lt->minute = (guint)(rem / 60);
}

static void
format_day(gint64 day, char out[11])
{
	/* GDate's Julian days count from 0001-01-01, day 1; 1970-01-01 is 719163. */
	GDate date;

	g_date_clear(&date, 1);
	g_date_set_julian(&date, (guint32)(day + 719163));
	g_snprintf(out, 11, "%04u-%02u-%02u", g_date_get_year(&date), g_date_get_month(&date),
		   g_date_get_day(&date));
}

GArray *
lactd_store_daily_summary(LactdStore *store, gint64 from_us, gint64 to_us,
			  guint overnight_start_min, guint overnight_end_min, GError **error)
{
	/* Only the columns a summary needs: over years of history, reading
	 * whole sessions (notes and all) costs more than the sums. */
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_query(store,
			      "SELECT kind, start_us, end_us, left_ml, right_ml, extra_ml, "
			      "supplement_ml, has_volume, weighed FROM sessions "
			      "WHERE start_us >= ?1 AND start_us < ?2 ORDER BY start_us",
			      error, "xx", from_us, to_us);
	g_autoptr(GArray) days = g_array_new(FALSE, TRUE, sizeof(LactdDaySummary));
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	LocalTime lt = {tz, 0, 0};
	gint64 current_day = 0;
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = lactd_store_step(store, stmt, "summing days", error)) == SQLITE_ROW) {
		LactdSessionKind kind = (LactdSessionKind)sqlite3_column_int(stmt, 0);
		gint64 start = sqlite3_column_int64(stmt, 1);
		gint64 end = sqlite3_column_int64(stmt, 2);
		double left = sqlite3_column_double(stmt, 3);
		double right = sqlite3_column_double(stmt, 4);
		double extra = sqlite3_column_double(stmt, 5);
		LactdDaySummary *day;

		/* A session counts for the local day it started on; sessions
		 * come by start time. */
		local_time(&lt, start);
		if (days->len == 0 || lt.day != current_day) {
			LactdDaySummary fresh = {0};
			current_day = lt.day;
			format_day(lt.day, fresh.day);
			g_array_append_val(days, fresh);
		}
		day = &g_array_index(days, LactdDaySummary, days->len - 1);
		if (kind == LACTD_SESSION_SUPPLEMENT) {
			day->supplement_ml += sqlite3_column_double(stmt, 6);
			day->supplements++;
			continue;
		}
		/* The model's rule, on the columns read: a side, or a weighing
		 * (of 0 g too). */
		{
			LactdSession m = {.has_volume = sqlite3_column_int(stmt, 7) != 0,
					  .weighed = sqlite3_column_int(stmt, 8) != 0,
					  .extra_ml = extra};
			if (lactd_session_measured(&m))
				day->measured = TRUE;
		}
		day->sessions++;
		day->left_ml += left;
		day->right_ml += right;
		day->total_ml += left + right + extra;
		day->weighed_ml += extra;
		day->minutes += (guint)((MAX(end, start) - start) / G_TIME_SPAN_MINUTE);
		if (in_window(lt.minute, overnight_start_min, overnight_end_min))
			day->overnight = TRUE;
	}
	if (rc != SQLITE_DONE)
		return NULL;
	for (guint i = 0; i < days->len; i++) {
		LactdDaySummary *day = &g_array_index(days, LactdDaySummary, i);
		day->left_ml = lactd_round_ml(day->left_ml);
		day->right_ml = lactd_round_ml(day->right_ml);
		day->total_ml = lactd_round_ml(day->total_ml);
		day->supplement_ml = lactd_round_ml(day->supplement_ml);
		day->weighed_ml = lactd_round_ml(day->weighed_ml);
	}
	return g_steal_pointer(&days);
}
