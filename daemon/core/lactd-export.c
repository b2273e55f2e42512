/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Export. The document is built on the main loop from one read of the store
 * (the store is not shared between threads), then written to the client's
 * fd from a worker thread, so that a reader that stalls or trickles delays
 * nobody else. The write has a total deadline (EXPORT_DEADLINE_S), after
 * which the export is abandoned and the fd closed; the method's reply comes
 * when the write has completed or failed.
 *
 * The fd belongs to a client: the daemon must not die of a closed pipe
 * (SIGPIPE is ignored process-wide, as GIO's sockets already require).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "lactd-error.h"
#include "lactd-export-private.h"
#include "lactd-export.h"
#include "lactd-util.h"
#include "lactd-validate.h"
#include "lactd-weighing.h"

/* The whole write, however the reader reads. docs/progress.md says so. */
#define EXPORT_DEADLINE_S 60
static const char *const formats[] = {"csv", "csv-weighings", "json", "fhir",
				      "fhir-transaction", NULL};

/* ---- the data ------------------------------------------------------------------------- */

void
lactd_export_data_free(LactdExportData *data)
{
	if (data == NULL)
		return;
	g_clear_pointer(&data->sessions, g_array_unref);
	g_clear_pointer(&data->owned, g_ptr_array_unref);
	g_clear_pointer(&data->weighings, g_ptr_array_unref);
	g_free(data->installation_id);
	g_free(data->time_zone);
	g_free(data->exported_at);
	g_free(data);
}

/* Bottle and intake apart, from the weighings attributed to the session:
 * the store keeps only their sum (extra_ml) and whether it was weighed. */
static gboolean
split_extra(LactdStore *store, LactdExportSession *e, GError **error)
{
	g_autoptr(GPtrArray) ws = lactd_store_session_weighings(store, e->s.id, error);
	gboolean bottle = FALSE;
	double intake = 0;

	if (ws == NULL)
		return FALSE;
	for (guint i = 0; i < ws->len && !bottle; i++)
		bottle = !lactd_weighing_is_baby(g_ptr_array_index(ws, i));
	if (lactd_weighing_intake(ws, &intake)) {
		e->has_intake = TRUE;
		e->intake_ml = lactd_round_ml(intake);
	}
	if (bottle) {
		e->has_bottle = TRUE;
		e->bottle_ml = lactd_round_ml(MAX(0.0, e->s.extra_ml - e->intake_ml));
	}
	return TRUE;
}

static char *
local_zone_name(void)
{
	g_autoptr(GTimeZone) tz = g_time_zone_new_local();
	const char *id = g_time_zone_get_identifier(tz);

	return g_strdup(id != NULL && id[0] != '\0' ? id : "UTC");
}

LactdExportData *
lactd_export_data_load(LactdStore *store, gint64 from_us, gint64 to_us, GError **error)
{
	g_autoptr(LactdExportData) data = g_new0(LactdExportData, 1);
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();

	data->store = store;
	data->from_us = from_us;
	data->to_us = to_us;
	data->owned = lactd_store_list_sessions(store, from_us, to_us, error);
	if (data->owned == NULL)
		return NULL;
	data->weighings = lactd_store_list_weighings(store, from_us, to_us, error);
	if (data->weighings == NULL)
		return NULL;
	if (!lactd_plan_load(store, &data->plan, error))
		return NULL;
	data->installation_id = lactd_store_installation_id(store, error);
	if (data->installation_id == NULL)
		return NULL;
	data->time_zone = local_zone_name();
	data->exported_at = g_date_time_format(now, "%Y-%m-%dT%H:%M:%SZ");
	data->sessions = g_array_sized_new(FALSE, TRUE, sizeof(LactdExportSession),
					   data->owned->len);
	for (guint i = 0; i < data->owned->len; i++) {
		const LactdSession *s = g_ptr_array_index(data->owned, i);
		LactdExportSession e = {.s = *s};
		guint sides = lactd_session_sides(s);

		if (s->kind != LACTD_SESSION_SUPPLEMENT) {
			e.has_left = (sides & 1) != 0;
			e.has_right = (sides & 2) != 0;
			if (!split_extra(store, &e, error))
				return NULL;
			e.has_total = e.has_left || e.has_right || e.has_bottle;
			e.total_ml = (e.has_left ? s->left_ml : 0) +
				     (e.has_right ? s->right_ml : 0) + (e.has_bottle ? e.bottle_ml : 0);
		}
		g_array_append_val(data->sessions, e);
	}
	return g_steal_pointer(&data);
}

/* ---- times ---------------------------------------------------------------------------- */

static GDateTime *
datetime_utc(gint64 time_us)
{
	/* Whole seconds, floored, so times before the epoch are right too. */
	gint64 secs = time_us / G_USEC_PER_SEC - (time_us % G_USEC_PER_SEC < 0 ? 1 : 0);

	return g_date_time_new_from_unix_utc(secs);
}

char *
lactd_export_iso_utc(gint64 time_us)
{
	g_autoptr(GDateTime) dt = datetime_utc(time_us);

	return dt != NULL ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

char *
lactd_export_local_format(gint64 time_us, const char *format)
{
	g_autoptr(GDateTime) dt = datetime_utc(time_us);
	g_autoptr(GDateTime) local = dt != NULL ? g_date_time_to_local(dt) : NULL;

	return local != NULL ? g_date_time_format(local, format) : NULL;
}

double
lactd_export_duration_min(const LactdSession *s)
{
	return s->end_us > s->start_us ? (double)(s->end_us - s->start_us) / G_TIME_SPAN_MINUTE : 0;
}

char *
lactd_export_plan_text(const LactdPlan *p)
{
	return g_strdup_printf("%u-%u sessions per 24 h; overnight %02u:%02u-%02u:%02u; "
			       "%u-%u minutes per breast; start date %s",
			       p->sessions_min, p->sessions_max, p->overnight_start / 60,
			       p->overnight_start % 60, p->overnight_end / 60,
			       p->overnight_end % 60, p->minutes_min, p->minutes_max,
			       p->start_date[0] != '\0' ? p->start_date : "not set");
}

/* ---- writing -------------------------------------------------------------------------- */

/* Writes all of bytes to fd within @seconds from now, never blocking past
 * that: the fd is made non-blocking and each write waits in poll(). */
static gboolean
write_bytes(int fd, GBytes *bytes, gint64 seconds, GError **error)
{
	gint64 deadline_us = g_get_monotonic_time() + seconds * G_USEC_PER_SEC;
	gsize len;
	const char *data = g_bytes_get_data(bytes, &len);
	int flags = fcntl(fd, F_GETFL);

	/* The client may share this open file description; it gets its
	 * blocking mode back once the export is written. */
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	while (len > 0) {
		gint64 left_ms = (deadline_us - g_get_monotonic_time()) / 1000;
		struct pollfd pfd = {.fd = fd, .events = POLLOUT};
		ssize_t n;
		int rc;

		if (left_ms <= 0) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_WRITE,
				    "the export's reader did not take it within %" G_GINT64_FORMAT " s",
				    seconds);
			goto out;
		}
		rc = poll(&pfd, 1, (int)MIN(left_ms, G_MAXINT));
		if (rc < 0 && errno == EINTR)
			continue;
		if (rc < 0) {
			int e = errno;
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_WRITE,
				    "waiting to write the export: %s", g_strerror(e));
			goto out;
		}
		if (rc == 0)
			continue;
		n = write(fd, data, len);
		if (n < 0) {
			int e = errno;
			if (e == EINTR || e == EAGAIN || e == EWOULDBLOCK)
				continue;
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_WRITE, "writing the export: %s",
				    g_strerror(e));
			goto out;
		}
		if (n == 0) {
			g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_WRITE,
					    "writing the export: nothing was written");
			goto out;
		}
		data += n;
		len -= (gsize)n;
	}
out:
	if (flags >= 0 && !(flags & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, flags);
	return len == 0;
}

/* ---- entry points --------------------------------------------------------------------- */

gboolean
lactd_export_format_valid(const char *format)
{
	return format != NULL && g_strv_contains(formats, format);
}

static gboolean
check_format(const char *format, GError **error)
{
	if (lactd_export_format_valid(format))
		return TRUE;
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
		    "format: expected csv, csv-weighings, json, fhir or fhir-transaction");
	return FALSE;
}

GBytes *
lactd_export_build(LactdStore *store, const char *format, gint64 from_us, gint64 to_us,
		   GError **error)
{
	g_autoptr(LactdExportData) data = NULL;

	if (!check_format(format, error) || !lactd_validate_range(from_us, to_us, error))
		return NULL;
	/* Everything is read first: a store error leaves nothing half-written. */
	data = lactd_export_data_load(store, from_us, to_us, error);
	if (data == NULL)
		return NULL;
	if (g_str_equal(format, "csv"))
		return lactd_export_csv(data, error);
	if (g_str_equal(format, "csv-weighings"))
		return lactd_export_csv_weighings(data, error);
	if (g_str_equal(format, "json"))
		return lactd_export_json(data, error);
	return lactd_export_fhir(data, g_str_equal(format, "fhir-transaction"), error);
}

gboolean
lactd_export_write(LactdStore *store, const char *format, gint64 from_us, gint64 to_us, int fd,
		   GError **error)
{
	g_autoptr(GBytes) doc = NULL;
	struct stat st;

	if (!check_format(format, error) || !lactd_validate_range(from_us, to_us, error))
		return FALSE;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "fd: %s", g_strerror(e));
		return FALSE;
	}
	doc = lactd_export_build(store, format, from_us, to_us, error);
	return doc != NULL &&
	       write_bytes(fd, doc, EXPORT_DEADLINE_S, error);
}

/* ---- writing off the main loop -------------------------------------------------------- */

typedef struct {
	int fd;
	GBytes *doc;
	gint64 deadline_s;
} WriteJob;

static void
write_job_free(WriteJob *job)
{
	if (job->fd >= 0)
		close(job->fd);
	g_bytes_unref(job->doc);
	g_free(job);
}

static void
write_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
	WriteJob *job = task_data;
	GError *error = NULL;
	gboolean ok = write_bytes(job->fd, job->doc, job->deadline_s, &error);
	int fd = job->fd;

	job->fd = -1;
	/* A close error on a file (a delayed write failing) is a failed export. */
	if (close(fd) != 0 && ok) {
		int e = errno;
		g_set_error(&error, LACTD_ERROR, LACTD_ERROR_WRITE, "closing the export: %s",
			    g_strerror(e));
		ok = FALSE;
	}
	if (ok)
		g_task_return_boolean(task, TRUE);
	else
		g_task_return_error(task, error);
}

static gint64
deadline_s(void)
{
	/* Tests shorten it; nothing else should. */
	const char *env = g_getenv("LACTD_EXPORT_DEADLINE_S");
	guint64 v;

	if (env != NULL && g_ascii_string_to_unsigned(env, 10, 1, 3600, &v, NULL))
		return (gint64)v;
	return EXPORT_DEADLINE_S;
}

gboolean
lactd_export_check(const char *format, gint64 from_us, gint64 to_us, GError **error)
{
	return check_format(format, error) && lactd_validate_range(from_us, to_us, error);
}

void
lactd_export_write_async(LactdStore *store, const char *format, gint64 from_us, gint64 to_us,
			 int fd, GAsyncReadyCallback callback, gpointer user_data)
{
	g_autoptr(GTask) task = g_task_new(NULL, NULL, callback, user_data);
	g_autoptr(GError) error = NULL;
	g_autoptr(GBytes) doc = NULL;
	WriteJob *job;

	g_task_set_source_tag(task, lactd_export_write_async);
	doc = lactd_export_build(store, format, from_us, to_us, &error);
	if (doc == NULL) {
		close(fd);
		g_task_return_error(task, g_steal_pointer(&error));
		return;
	}
	job = g_new0(WriteJob, 1);
	job->fd = fd;
	job->doc = g_steal_pointer(&doc);
	job->deadline_s = deadline_s();
	g_task_set_task_data(task, job, (GDestroyNotify)write_job_free);
	g_task_run_in_thread(task, write_thread);
}

gboolean
lactd_export_write_finish(GAsyncResult *result, GError **error)
{
	return g_task_propagate_boolean(G_TASK(result), error);
}
