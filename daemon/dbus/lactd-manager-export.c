/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1.Export: the D-Bus side of an export. The export service
 * (lactd-export.c) builds the document and writes it off the main loop;
 * this file takes the caller's fd and holds the bounds on exports in
 * flight, counted in total and per caller from the call to its reply.
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-export.h"
#include "lactd-manager-export.h"

static guint exports_running;
/* Unique bus name -> exports of that caller being written. */
static GHashTable *exports_by_caller;
static guint64 refused_per_caller;

typedef struct {
	LactdApi *api;
	GDBusMethodInvocation *invocation;
	char *format;
} Export;

static guint
running_for(const char *sender)
{
	if (exports_by_caller == NULL)
		return 0;
	return GPOINTER_TO_UINT(g_hash_table_lookup(exports_by_caller, sender));
}

static void
count(const char *sender, int delta)
{
	guint n = running_for(sender) + (guint)delta;

	if (exports_by_caller == NULL)
		exports_by_caller = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (n == 0)
		g_hash_table_remove(exports_by_caller, sender);
	else
		g_hash_table_replace(exports_by_caller, g_strdup(sender), GUINT_TO_POINTER(n));
	exports_running += (guint)delta;
}

static void
written(GObject *source, GAsyncResult *result, gpointer user_data)
{
	Export *e = user_data;
	const char *sender = g_dbus_method_invocation_get_sender(e->invocation);
	g_autoptr(GError) error = NULL;

	count(sender, -1);
	if (!lactd_export_write_finish(result, &error)) {
		if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
			lactd_api_set_storage_degraded(e->api, error->message);
		g_message("export for %s failed: %s", sender, error->message);
		g_dbus_method_invocation_return_gerror(e->invocation, error);
	} else {
		g_info("%s export for %s", e->format, sender);
		g_dbus_method_invocation_return_value(e->invocation, NULL);
	}
	g_object_unref(e->invocation);
	g_free(e->format);
	g_free(e);
}

/* The bounds: FALSE with the error to reply when this export is one too many. */
static gboolean
within_bounds(const char *sender, GError **error)
{
	if (exports_running >= LACTD_EXPORTS_MAX) {
		g_message("export for %s refused: %u exports under way", sender, exports_running);
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_WRITE,
			    "%u exports are being written; try again when one has finished",
			    exports_running);
		return FALSE;
	}
	if (running_for(sender) >= LACTD_EXPORTS_MAX_PER_CALLER) {
		refused_per_caller++;
		g_message("export for %s refused: %u of its exports under way "
			  "(%" G_GUINT64_FORMAT " refused so far)",
			  sender, running_for(sender), refused_per_caller);
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_LIMIT_EXCEEDED,
			    "%u exports of this client are being written; wait for them "
			    "(docs/service.md)",
			    LACTD_EXPORTS_MAX_PER_CALLER);
		return FALSE;
	}
	return TRUE;
}

void
lactd_manager_export(LactdApi *api, GDBusMethodInvocation *invocation, GUnixFDList *fds,
		     const char *format, gint64 from, gint64 to, gint32 index)
{
	const char *sender = g_dbus_method_invocation_get_sender(invocation);
	g_autoptr(GError) error = NULL;
	Export *e;
	int fd, flags;

	if (!lactd_export_check(format, from, to, &error)) {
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	if (fds == NULL || index < 0 || index >= g_unix_fd_list_get_length(fds)) {
		g_dbus_method_invocation_return_error(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS,
						      "fd: no file descriptor at index %d", index);
		return;
	}
	fd = g_unix_fd_list_get(fds, index, NULL);
	flags = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
	if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY) {
		if (fd >= 0)
			close(fd);
		g_dbus_method_invocation_return_error(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS,
						      "fd: not open for writing");
		return;
	}
	if (!within_bounds(sender, &error)) {
		close(fd);
		g_dbus_method_invocation_return_gerror(invocation, error);
		return;
	}
	e = g_new0(Export, 1);
	e->api = api;
	e->invocation = g_object_ref(invocation);
	e->format = g_strdup(format);
	count(sender, +1);
	lactd_export_write_async(lactd_api_get_store(api), format, from, to, fd, written, e);
}

guint64
lactd_manager_export_refused(void)
{
	return refused_per_caller;
}
