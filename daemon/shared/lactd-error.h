/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* One error domain, registered as the org.lactd.Error.* D-Bus names, so a
 * GError crosses the bus with its name intact. */
#define LACTD_ERROR (lactd_error_quark())

typedef enum {
	LACTD_ERROR_INVALID_ARGS,  /* org.lactd.Error.InvalidArgs */
	LACTD_ERROR_NOT_FOUND,	   /* org.lactd.Error.NotFound */
	LACTD_ERROR_ACCESS_DENIED, /* org.lactd.Error.AccessDenied */
	LACTD_ERROR_STORAGE,	   /* org.lactd.Error.Storage */
	LACTD_ERROR_WRITE,	   /* org.lactd.Error.Write: a client's fd took no data */
	LACTD_ERROR_LIMIT_EXCEEDED, /* org.lactd.Error.LimitExceeded: a per-caller bound */
	LACTD_ERROR_LAST,
} LactdError;

GQuark lactd_error_quark(void);

/* Sets LACTD_ERROR_INVALID_ARGS with a message that starts with the field
 * ("start: before 1970") and returns FALSE, for `return` lines. */
gboolean lactd_error_invalid_args(GError **error, const char *format, ...) G_GNUC_PRINTF(2, 3);

G_END_DECLS
