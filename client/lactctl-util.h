/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl's parsing and formatting: strict, local-time aware, testable. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* "20m", "1h30m", "90s", "2h": microseconds. Nothing else. */
gboolean lactctl_parse_duration(const char *text, gint64 *us, GError **error);
/* "7d", "12h", "30m" ago, "today" (local midnight), "YYYY-MM-DD" (local midnight). */
gboolean lactctl_parse_when(const char *text, gint64 *us, GError **error);
/* "YYYY-MM-DD HH:MM" in local time. */
gboolean lactctl_parse_local_time(const char *text, gint64 *us, GError **error);
/* Dates and times are read and shown in this zone: the daemon's, once
 * lactctl has connected (NULL: the local zone again). */
void lactctl_set_time_zone(GTimeZone *tz);
GTimeZone *lactctl_time_zone(void);
/* Whether lactctl_time_zone() is lactd's (TRUE once connected to a lactd
 * that says its zone). */
gboolean lactctl_time_zone_is_daemon(void);
/* A volume in mL: a plain non-negative number, at most 1000; a decimal comma
 * ("45,5") where the locale uses one. */
gboolean lactctl_parse_ml(const char *text, double *ml, GError **error);
gboolean lactctl_parse_ml_with(const char *text, gboolean decimal_comma, double *ml,
			       GError **error);
/* "YYYY-MM-DD HH:MM" and "YYYY-MM-DD HH:MM:SS", local time. */
char *lactctl_format_local(gint64 us);
char *lactctl_format_local_seconds(gint64 us);
char *lactctl_format_time_of_day(gint64 us);
/* An elapsed time that cannot be read as a clock: "14 min 02 s". */
char *lactctl_format_minutes(guint64 seconds);
/* JSON for any GVariant lactd sends: dictionaries become objects, arrays and
 * tuples arrays; strings are escaped; non-finite numbers become null. */
void lactctl_json_value(GString *out, GVariant *value);
void lactctl_json_vardict(GString *out, GVariant *dict);

G_END_DECLS
