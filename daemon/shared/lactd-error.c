/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include "lactd-error.h"

static const GDBusErrorEntry error_entries[] = {
	{LACTD_ERROR_INVALID_ARGS, "org.lactd.Error.InvalidArgs"},
	{LACTD_ERROR_NOT_FOUND, "org.lactd.Error.NotFound"},
	{LACTD_ERROR_ACCESS_DENIED, "org.lactd.Error.AccessDenied"},
	{LACTD_ERROR_STORAGE, "org.lactd.Error.Storage"},
	{LACTD_ERROR_WRITE, "org.lactd.Error.Write"},
	{LACTD_ERROR_LIMIT_EXCEEDED, "org.lactd.Error.LimitExceeded"},
};

G_STATIC_ASSERT(G_N_ELEMENTS(error_entries) == LACTD_ERROR_LAST);

GQuark
lactd_error_quark(void)
{
	static gsize quark = 0;

	g_dbus_error_register_error_domain("lactd-error-quark", &quark, error_entries,
					   G_N_ELEMENTS(error_entries));
	return (GQuark)quark;
}

gboolean
lactd_error_invalid_args(GError **error, const char *format, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, format);
	msg = g_strdup_vprintf(format, ap);
	va_end(ap);
	g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, msg);
	return FALSE;
}
