/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest session the daemon accepts or records: a bound for range queries. */
#define LACTD_MAX_SESSION_US ((gint64)24 * G_TIME_SPAN_HOUR)

/* The local calendar day (YYYY-MM-DD, TZ rules) of a UTC time. */
void lactd_local_day(gint64 time_us, char day[11]);
/* Minutes after local midnight of a UTC time. */
guint lactd_local_minute_of_day(gint64 time_us);
/* UTC time of local midnight starting the day that holds time_us; DST-safe. */
gint64 lactd_local_day_start(gint64 time_us);
/* UTC time of local midnight of the next day. */
gint64 lactd_local_next_day_start(gint64 time_us);
/* Parses "HH:MM" into minutes after midnight. */
gboolean lactd_parse_hhmm(const char *str, guint *minutes);
/* Rounds a volume to the API's 0.1 mL resolution. */
double lactd_round_ml(double ml);

/* A GATT characteristic, as BlueZ lists it and as a recording keeps it. */
typedef struct {
	char *uuid;	    /* lowercase */
	char *flags;	    /* GattCharacteristic1.Flags joined by commas */
	guint16 handle;	    /* ATT value handle, 0 when unknown */
	char *service_uuid; /* lowercase, NULL when unknown */
} LactdGattChar;
void lactd_gatt_char_free(LactdGattChar *chr);

G_END_DECLS
