/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "lactd-util.h"

static GDateTime *
local_from_us(gint64 time_us)
{
	/* Floor division, so that times before the epoch land on the right second. */
	gint64 secs = time_us / G_USEC_PER_SEC;
	gint64 rem = time_us % G_USEC_PER_SEC;

	if (rem < 0) {
		secs--;
		rem += G_USEC_PER_SEC;
	}
	{
		g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc(secs);
		g_autoptr(GDateTime) utc_us = g_date_time_add(utc, rem);
		return g_date_time_to_local(utc_us);
	}
}

void
lactd_local_day(gint64 time_us, char day[11])
{
	g_autoptr(GDateTime) dt = local_from_us(time_us);

	g_snprintf(day, 11, "%04d-%02d-%02d", g_date_time_get_year(dt),
		   g_date_time_get_month(dt), g_date_time_get_day_of_month(dt));
}

guint
lactd_local_minute_of_day(gint64 time_us)
{
	g_autoptr(GDateTime) dt = local_from_us(time_us);

	return (guint)(g_date_time_get_hour(dt) * 60 + g_date_time_get_minute(dt));
}

static gint64
to_us(GDateTime *dt)
{
	return g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
}

gint64
lactd_local_day_start(gint64 time_us)
{
	g_autoptr(GDateTime) dt = local_from_us(time_us);
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	/* g_date_time_new() picks the right offset for local midnight itself;
	 * where midnight does not exist (a DST jump at 00:00) it moves forward. */
	g_autoptr(GDateTime) midnight =
	    g_date_time_new(tz, g_date_time_get_year(dt), g_date_time_get_month(dt),
			    g_date_time_get_day_of_month(dt), 0, 0, 0);

	return midnight != NULL ? to_us(midnight) : time_us;
}

gint64
lactd_local_next_day_start(gint64 time_us)
{
	gint64 start = lactd_local_day_start(time_us);
	/* Days are 23 to 25 hours long: 26 h after midnight is always in the next
	 * day and never in the one after it. */
	return lactd_local_day_start(start + 26 * G_TIME_SPAN_HOUR);
}

gboolean
lactd_parse_hhmm(const char *str, guint *minutes)
{
	unsigned h, m;
	char extra;

	if (str == NULL || sscanf(str, "%2u:%2u%c", &h, &m, &extra) != 2)
		return FALSE;
	if (strlen(str) != 5 || h > 23 || m > 59)
		return FALSE;
	*minutes = h * 60 + m;
	return TRUE;
}

double
lactd_round_ml(double ml)
{
	return round(ml * 10.0) / 10.0;
}

void
lactd_gatt_char_free(LactdGattChar *chr)
{
	if (chr == NULL)
		return;
	g_free(chr->uuid);
	g_free(chr->flags);
	g_free(chr->service_uuid);
	g_free(chr);
}
