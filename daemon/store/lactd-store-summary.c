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

GArray *
lactd_store_daily_summary(LactdStore *store, gint64 from_us, gint64 to_us,
			  guint overnight_start_min, guint overnight_end_min, GError **error)
{
	/* Only the columns a summary needs: over years of history, reading
	 * whole sessions (notes and all) costs more than the sums. */
	g_autoptr(LactdStoreStmt) stmt =
	    lactd_store_stmt(store,
			     "SELECT kind, start_us, end_us, left_ml, right_ml, extra_ml, "
			     "supplement_ml, has_volume FROM sessions "
			     "WHERE start_us >= ?1 AND start_us < ?2 ORDER BY start_us",
			     error);
	g_autoptr(GArray) days = g_array_new(FALSE, TRUE, sizeof(LactdDaySummary));
	gint64 day_start = 0, day_end = 0;
	int rc;

	if (stmt == NULL || !lactd_store_bind(store, stmt, error, "xx", from_us, to_us))
		return NULL;
	while ((rc = lactd_store_step(store, stmt, "summing days", error)) == SQLITE_ROW) {
		LactdSessionKind kind = (LactdSessionKind)sqlite3_column_int(stmt, 0);
		gint64 start = sqlite3_column_int64(stmt, 1);
		gint64 end = sqlite3_column_int64(stmt, 2);
		double left = sqlite3_column_double(stmt, 3);
		double right = sqlite3_column_double(stmt, 4);
		double extra = sqlite3_column_double(stmt, 5);
		LactdDaySummary *day;
		guint minute;

		/* A session counts for the local day it started on. Sessions come
		 * by start time: find each local day's bounds once, not once a
		 * session (time zone lookups dominate otherwise). */
		if (days->len == 0 || start >= day_end) {
			LactdDaySummary fresh = {0};
			day_start = lactd_local_day_start(start);
			day_end = lactd_local_next_day_start(start);
			lactd_local_day(start, fresh.day);
			g_array_append_val(days, fresh);
		}
		day = &g_array_index(days, LactdDaySummary, days->len - 1);
		if (kind == LACTD_SESSION_SUPPLEMENT) {
			day->supplement_ml += sqlite3_column_double(stmt, 6);
			day->supplements++;
			continue;
		}
		if (sqlite3_column_int(stmt, 7) != 0 || extra > 0)
			day->measured = TRUE;
		/* Wall-clock minutes equal elapsed ones except on a DST day. */
		minute = day_end - day_start == 24 * G_TIME_SPAN_HOUR
			     ? (guint)((start - day_start) / G_TIME_SPAN_MINUTE)
			     : lactd_local_minute_of_day(start);
		day->sessions++;
		day->left_ml += left;
		day->right_ml += right;
		day->total_ml += left + right + extra;
		day->weighed_ml += extra;
		day->minutes += (guint)((MAX(end, start) - start) / G_TIME_SPAN_MINUTE);
		if (in_window(minute, overnight_start_min, overnight_end_min))
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
