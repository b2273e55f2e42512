/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * org.lactd.Manager1: the queries and manual entries. Every write reaches the
 * disk before the reply leaves; nothing is stored when a request is refused.
 */
#include "config.h"

#include "lactd-api.h"
#include "lactd-auth.h"
#include "lactd-error.h"
#include "lactd-manager-export.h"
#include "lactd-plan.h"
#include "lactd-progress.h"
#include "lactd-reply-memory.h"
#include "lactd-session-columns.h"
#include "lactd-util.h"
#include "lactd-validate.h"
#include "lactd-weighing.h"

struct _LactdApi {
	GDBusConnection *connection;
	LactdStore *store;
	const LactdConfig *config;
	LactdManager1 *manager;
	GDBusObjectManagerServer *objects;
	LactdApiAuthorizeFunc authorize;
	gpointer authorize_data;
	GQueue held;	     /* write calls waiting for the store's check */
};

GVariant *
lactd_api_session_to_variant(const LactdSession *s, GArray *samples)
{
	return lactd_session_to_variant(s, samples);
}

/* ListSessions' reply: one builder for the whole array, each session a
 * container opened in it rather than a variant of its own. */
static GVariant *
sessions_to_variant(GPtrArray *sessions)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < sessions->len; i++) {
		g_variant_builder_open(&b, G_VARIANT_TYPE_VARDICT);
		lactd_record_add_to_builder(&lactd_session_table, g_ptr_array_index(sessions, i), &b);
		g_variant_builder_close(&b);
	}
	return g_variant_builder_end(&b);
}

GVariant *
lactd_api_weighing_to_variant(const LactdWeighing *w)
{
	return lactd_weighing_to_variant(w);
}

/*
 * StorageState joins two things: what is wrong with the database file (from
 * the store: locked, unusable, or set aside earlier; it stays until that is
 * fixed) and the last failed write (a full disk, an I/O error; it clears as
 * soon as a write succeeds). Whoever writes reports to the store, whose
 * health listener (on_store_health) brings both here.
 */
void
lactd_api_storage_refresh(LactdApi *api)
{
	g_autofree char *problem = api->store != NULL ? lactd_store_get_problem(api->store) : NULL;
	const char *write_failure =
	    api->store != NULL ? lactd_store_get_write_failure(api->store) : NULL;
	g_autofree char *state = NULL;

	if (write_failure != NULL && problem != NULL)
		state = g_strdup_printf("degraded: %s; %s", write_failure, problem);
	else if (write_failure != NULL || problem != NULL)
		state = g_strdup_printf("degraded: %s",
					write_failure != NULL ? write_failure : problem);
	else if (api->store != NULL && lactd_store_is_checking(api->store))
		state = g_strdup("checking: the database is being checked; writes wait for it");
	else
		state = g_strdup("ok");
	if (g_strcmp0(lactd_manager1_get_storage_state(api->manager), state) == 0)
		return;
	if (g_str_equal(state, "ok"))
		g_message("storage ok again");
	else
		g_message("storage %s", state);
	lactd_manager1_set_storage_state(api->manager, state);
}

static void
on_store_health(LactdStore *store, gpointer user_data)
{
	lactd_api_storage_refresh(user_data);
}

void
lactd_api_set_storage_degraded(LactdApi *api, const char *reason)
{
	if (api->store != NULL)
		lactd_store_write_failed(api->store, reason);
}

gboolean
lactd_api_reply_error(LactdApi *api, GDBusMethodInvocation *invocation, GError *error)
{
	if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
		lactd_api_set_storage_degraded(api, error->message);
	g_debug("%s: %s", g_dbus_method_invocation_get_method_name(invocation), error->message);
	g_dbus_method_invocation_return_gerror(invocation, error);
	return TRUE;
}

void
lactd_api_storage_ok(LactdApi *api)
{
	if (api->store != NULL)
		lactd_store_write_ok(api->store);
}

/*
 * Write calls that arrive while the store checks its file are kept here
 * and answered only after the check: then they run from the start against
 * the file that passed, or the new one that replaced a damaged file. The
 * main loop goes on meanwhile. How many one client can have waiting is
 * bounded with all its other calls (lactd-limits.h).
 */
gboolean
lactd_api_hold_write(LactdApi *api, GDBusMethodInvocation *invocation)
{
	if (api->store == NULL || !lactd_store_is_checking(api->store))
		return FALSE;
	/* The handler's reference to the invocation is now ours. */
	g_queue_push_tail(&api->held, invocation);
	return TRUE;
}

void
lactd_api_storage_checked(LactdApi *api)
{
	GDBusMethodInvocation *invocation;

	lactd_api_storage_refresh(api);
	if (api->held.length > 0)
		g_message("storage checked: %u write call(s) held meanwhile go on",
			  api->held.length);
	while ((invocation = g_queue_pop_head(&api->held)) != NULL)
		lactd_dispatch_again(G_DBUS_INTERFACE_SKELETON(api->manager), invocation);
}

gboolean
lactd_api_authorized(LactdApi *api, GDBusMethodInvocation *invocation, const char *action)
{
	if (lactd_api_hold_write(api, invocation))
		return FALSE;
	if (api->authorize == NULL)
		return TRUE;
	return api->authorize(G_DBUS_INTERFACE_SKELETON(api->manager), invocation, action,
			      api->authorize_data);
}

/* The sessions of [from, to), the range checked: streamed to @func as the
 * store reads them (ListSessionsFd, see lactd_store_each_session), or as a
 * list (ListSessions, ListSessionsColumns). */
static gboolean
each_session(LactdApi *api, gint64 from, gint64 to, LactdStoreSessionFunc func, gpointer data,
	     GError **error)
{
	lactd_reply_memory_used();
	return lactd_validate_range(from, to, error) &&
	       lactd_store_each_session(api->store, from, to, func, data, error);
}

static GPtrArray *
list_sessions(LactdApi *api, gint64 from, gint64 to, GError **error)
{
	lactd_reply_memory_used();
	if (!lactd_validate_range(from, to, error))
		return NULL;
	return lactd_store_list_sessions(api->store, from, to, error);
}

static gboolean
handle_list_sessions(LactdManager1 *manager, GDBusMethodInvocation *invocation, gint64 from,
		     gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sessions = list_sessions(api, from, to, &error);

	if (sessions == NULL)
		return lactd_api_reply_error(api, invocation, error);
	lactd_manager1_complete_list_sessions(manager, invocation, sessions_to_variant(sessions));
	return TRUE;
}

static gboolean
handle_list_sessions_columns(LactdManager1 *manager, GDBusMethodInvocation *invocation,
			     gint64 from, gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) sessions = list_sessions(api, from, to, &error);

	if (sessions == NULL)
		return lactd_api_reply_error(api, invocation, error);
	lactd_manager1_complete_list_sessions_columns(manager, invocation,
						      lactd_session_columns_new(sessions));
	return TRUE;
}

static gboolean
handle_get_session(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
		   LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) session = lactd_store_get_session(api->store, id, &error);
	g_autoptr(GArray) samples = NULL;

	if (session == NULL)
		return lactd_api_reply_error(api, invocation, error);
	samples = lactd_store_get_samples(api->store, id, &error);
	if (samples == NULL)
		return lactd_api_reply_error(api, invocation, error);
	lactd_manager1_complete_get_session(manager, invocation,
					    lactd_api_session_to_variant(session, samples));
	return TRUE;
}

static gboolean
handle_add_session(LactdManager1 *manager, GDBusMethodInvocation *invocation, GVariant *dict,
		   LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) session = g_new0(LactdSession, 1);

	if (lactd_api_hold_write(api, invocation))
		return TRUE;
	session->source = LACTD_SOURCE_MANUAL;
	if (!lactd_validate_session(session, dict, TRUE, g_get_real_time(), &error))
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_store_add_session(api->store, session, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_api_storage_ok(api);
	g_info("session %" G_GUINT64_FORMAT " added by %s", session->id,
	       g_dbus_method_invocation_get_sender(invocation));
	lactd_manager1_complete_add_session(manager, invocation, session->id);
	return TRUE;
}

/* A stored session that capture no longer writes to: a live one is refused
 * (InvalidArgs naming the id), so a client never edits under capture. */
static LactdSession *
get_finished_session(LactdApi *api, guint64 id, GError **error)
{
	g_autoptr(LactdSession) session = lactd_store_get_session(api->store, id, error);

	if (session == NULL)
		return NULL;
	if (session->live) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "id: session %" G_GUINT64_FORMAT " is still being recorded", id);
		return NULL;
	}
	return g_steal_pointer(&session);
}

static gboolean
handle_update_session(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
		      GVariant *changes, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) session = NULL;

	if (!lactd_api_authorized(api, invocation, "org.lactd.change-data"))
		return TRUE;
	session = get_finished_session(api, id, &error);
	if (session == NULL)
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_validate_session(session, changes, FALSE, g_get_real_time(), &error))
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_store_update_session(api->store, session, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_api_storage_ok(api);
	lactd_manager1_complete_update_session(manager, invocation);
	return TRUE;
}

static gboolean
handle_delete_session(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
		      LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdSession) session = NULL;

	if (!lactd_api_authorized(api, invocation, "org.lactd.delete-data"))
		return TRUE;
	session = get_finished_session(api, id, &error);
	if (session == NULL)
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_store_delete_session(api->store, id, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_api_storage_ok(api);
	g_info("session %" G_GUINT64_FORMAT " deleted by %s", id,
	       g_dbus_method_invocation_get_sender(invocation));
	lactd_manager1_complete_delete_session(manager, invocation);
	return TRUE;
}

static gboolean
handle_list_weighings(LactdManager1 *manager, GDBusMethodInvocation *invocation, gint64 from,
		      gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) weighings = NULL;
	GVariantBuilder b;

	if (!lactd_validate_range(from, to, &error))
		return lactd_api_reply_error(api, invocation, error);
	weighings = lactd_store_list_weighings(api->store, from, to, &error);
	if (weighings == NULL)
		return lactd_api_reply_error(api, invocation, error);
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < weighings->len; i++)
		g_variant_builder_add_value(
		    &b, lactd_api_weighing_to_variant(g_ptr_array_index(weighings, i)));
	lactd_manager1_complete_list_weighings(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

static gboolean
handle_assign_weighing(LactdManager1 *manager, GDBusMethodInvocation *invocation,
		       guint64 weighing, guint64 session, LactdApi *api)
{
	g_autoptr(GError) error = NULL;

	if (!lactd_api_authorized(api, invocation, "org.lactd.change-data"))
		return TRUE;
	if (!lactd_weighing_assign(api->store, api->config, weighing, session, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_api_storage_ok(api);
	lactd_manager1_complete_assign_weighing(manager, invocation);
	return TRUE;
}

static GVariant *
day_to_variant(const LactdDaySummary *d)
{
	return lactd_record_to_variant(&lactd_day_table, d);
}

/* A day with nothing recorded: no volume keys, since nothing was measured. */
static GVariant *
empty_day_to_variant(const char *day)
{
	LactdDaySummary d = {0};

	g_strlcpy(d.day, day, sizeof(d.day));
	return day_to_variant(&d);
}

/* The days of [from, to) for both summary methods, the range checked. */
static GArray *
daily_summary(LactdApi *api, gint64 from, gint64 to, GError **error)
{
	LactdPlan plan;

	lactd_reply_memory_used();
	if (!lactd_validate_range(from, to, error) || !lactd_plan_load(api->store, &plan, error))
		return NULL;
	return lactd_store_daily_summary(api->store, from, to, plan.overnight_start,
					 plan.overnight_end, error);
}

static void
add_session_row(const LactdSession *session, gpointer cols)
{
	lactd_columns_add(cols, session);
}

static gboolean
handle_list_sessions_fd(LactdManager1 *manager, GDBusMethodInvocation *invocation,
			GUnixFDList *in_fds, gint64 from, gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdColumns) cols = lactd_columns_begin(&lactd_session_table, 0);

	/* Straight from the store's rows into the columns, without a session
	 * struct each. */
	if (!each_session(api, from, to, add_session_row, cols, &error))
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_columns_reply_fd(invocation, lactd_columns_end(g_steal_pointer(&cols)), &error))
		return lactd_api_reply_error(api, invocation, error);
	return TRUE;
}

static gboolean
handle_get_daily_summary_fd(LactdManager1 *manager, GDBusMethodInvocation *invocation,
			    GUnixFDList *in_fds, gint64 from, gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) days = daily_summary(api, from, to, &error);

	if (days == NULL)
		return lactd_api_reply_error(api, invocation, error);
	if (!lactd_columns_reply_fd(invocation, lactd_day_columns_new(days), &error))
		return lactd_api_reply_error(api, invocation, error);
	return TRUE;
}

static gboolean
handle_get_daily_summary(LactdManager1 *manager, GDBusMethodInvocation *invocation, gint64 from,
			 gint64 to, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) days = daily_summary(api, from, to, &error);
	GVariantBuilder b;

	if (days == NULL)
		return lactd_api_reply_error(api, invocation, error);
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < days->len; i++)
		g_variant_builder_add_value(&b, day_to_variant(&g_array_index(days, LactdDaySummary, i)));
	lactd_manager1_complete_get_daily_summary(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

#define RECENT_DAYS_MAX 3660

static gboolean
handle_get_recent_days(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint count,
		       LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GArray) days = NULL;
	LactdPlan plan;
	GVariantBuilder b;
	gint64 first, end, day;
	guint next = 0;

	if (count < 1 || count > RECENT_DAYS_MAX) {
		g_set_error(&error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "count: from 1 to %u days", RECENT_DAYS_MAX);
		return lactd_api_reply_error(api, invocation, error);
	}
	if (!lactd_plan_load(api->store, &plan, &error))
		return lactd_api_reply_error(api, invocation, error);
	/* Midnight by midnight backwards: days are 23 to 25 hours long. */
	end = lactd_local_next_day_start(g_get_real_time());
	first = lactd_local_day_start(g_get_real_time());
	for (guint i = 1; i < count; i++)
		first = lactd_local_day_start(first - 1);
	days = lactd_store_daily_summary(api->store, first, end, plan.overnight_start,
					 plan.overnight_end, &error);
	if (days == NULL)
		return lactd_api_reply_error(api, invocation, error);
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (day = first; day < end; day = lactd_local_next_day_start(day)) {
		char label[11];

		lactd_local_day(day, label);
		if (next < days->len &&
		    g_str_equal(g_array_index(days, LactdDaySummary, next).day, label))
			g_variant_builder_add_value(
			    &b, day_to_variant(&g_array_index(days, LactdDaySummary, next++)));
		else
			g_variant_builder_add_value(&b, empty_day_to_variant(label));
	}
	lactd_manager1_complete_get_recent_days(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

static gboolean
handle_get_plan(LactdManager1 *manager, GDBusMethodInvocation *invocation, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	LactdPlan plan;

	if (!lactd_plan_load(api->store, &plan, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_manager1_complete_get_plan(manager, invocation, lactd_plan_to_variant(&plan));
	return TRUE;
}

static gboolean
handle_set_plan(LactdManager1 *manager, GDBusMethodInvocation *invocation, GVariant *changes,
		LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	LactdPlan plan;

	if (!lactd_api_authorized(api, invocation, "org.lactd.change-data"))
		return TRUE;
	if (!lactd_plan_load(api->store, &plan, &error) ||
	    !lactd_plan_apply(&plan, changes, &error) ||
	    !lactd_plan_save(api->store, &plan, &error))
		return lactd_api_reply_error(api, invocation, error);
	lactd_api_storage_ok(api);
	lactd_manager1_complete_set_plan(manager, invocation);
	return TRUE;
}

static gboolean
handle_get_progress(LactdManager1 *manager, GDBusMethodInvocation *invocation, LactdApi *api)
{
	g_autoptr(GError) error = NULL;
	GVariant *progress = NULL;
	LactdPlan plan;

	if (lactd_plan_load(api->store, &plan, &error))
		progress = lactd_progress_compute(api->store, &plan, g_get_real_time(), &error);
	if (progress == NULL)
		return lactd_api_reply_error(api, invocation, error);
	lactd_manager1_complete_get_progress(manager, invocation, progress);
	return TRUE;
}

static gboolean
handle_export(LactdManager1 *manager, GDBusMethodInvocation *invocation, GUnixFDList *fds,
	      const char *format, gint64 from, gint64 to, GVariant *fd, LactdApi *api)
{
	lactd_manager_export(api, invocation, fds, format, from, to, g_variant_get_handle(fd));
	return TRUE;
}

void
lactd_api_set_authorize(LactdApi *api, LactdApiAuthorizeFunc authorize, gpointer user_data)
{
	api->authorize = authorize;
	api->authorize_data = user_data;
}

LactdApi *
lactd_api_new(GDBusConnection *connection, LactdStore *store, const LactdConfig *config,
	      GError **error)
{
	g_autoptr(LactdApi) api = g_new0(LactdApi, 1);

	api->connection = g_object_ref(connection);
	api->store = store;
	api->config = config;
	api->manager = lactd_manager1_skeleton_new();
	lactd_manager1_set_version(api->manager, PACKAGE_VERSION);
	lactd_manager1_set_storage_state(api->manager, "ok");
	{
		g_autoptr(GTimeZone) tz = g_time_zone_new_local();
		lactd_manager1_set_time_zone(api->manager, g_time_zone_get_identifier(tz));
	}
	lactd_api_storage_refresh(api);
	if (store != NULL)
		lactd_store_set_health_listener(store, on_store_health, api);

	g_signal_connect(api->manager, "handle-list-sessions", G_CALLBACK(handle_list_sessions), api);
	g_signal_connect(api->manager, "handle-list-sessions-columns",
			 G_CALLBACK(handle_list_sessions_columns), api);
	g_signal_connect(api->manager, "handle-get-session", G_CALLBACK(handle_get_session), api);
	g_signal_connect(api->manager, "handle-add-session", G_CALLBACK(handle_add_session), api);
	g_signal_connect(api->manager, "handle-update-session", G_CALLBACK(handle_update_session),
			 api);
	g_signal_connect(api->manager, "handle-delete-session", G_CALLBACK(handle_delete_session),
			 api);
	g_signal_connect(api->manager, "handle-list-weighings", G_CALLBACK(handle_list_weighings),
			 api);
	g_signal_connect(api->manager, "handle-assign-weighing", G_CALLBACK(handle_assign_weighing),
			 api);
	g_signal_connect(api->manager, "handle-get-daily-summary",
			 G_CALLBACK(handle_get_daily_summary), api);
	g_signal_connect(api->manager, "handle-list-sessions-fd",
			 G_CALLBACK(handle_list_sessions_fd), api);
	g_signal_connect(api->manager, "handle-get-daily-summary-fd",
			 G_CALLBACK(handle_get_daily_summary_fd), api);
	g_signal_connect(api->manager, "handle-get-recent-days", G_CALLBACK(handle_get_recent_days),
			 api);
	g_signal_connect(api->manager, "handle-get-plan", G_CALLBACK(handle_get_plan), api);
	g_signal_connect(api->manager, "handle-set-plan", G_CALLBACK(handle_set_plan), api);
	g_signal_connect(api->manager, "handle-get-progress", G_CALLBACK(handle_get_progress), api);
	g_signal_connect(api->manager, "handle-export", G_CALLBACK(handle_export), api);

	/* Manager1 and the ObjectManager share /org/lactd; devices and live
	 * sessions are children of it. */
	if (!g_dbus_interface_skeleton_export(G_DBUS_INTERFACE_SKELETON(api->manager), connection,
					      "/org/lactd", error))
		return NULL;
	api->objects = g_dbus_object_manager_server_new("/org/lactd");
	g_dbus_object_manager_server_set_connection(api->objects, connection);
	return g_steal_pointer(&api);
}

void
lactd_api_free(LactdApi *api)
{
	GDBusMethodInvocation *held;

	if (api == NULL)
		return;
	while ((held = g_queue_pop_head(&api->held)) != NULL)
		g_dbus_method_invocation_return_error_literal(
		    held, LACTD_ERROR, LACTD_ERROR_STORAGE,
		    "lactd stopped before the database check answered: nothing was stored");
	if (api->objects != NULL) {
		g_dbus_object_manager_server_set_connection(api->objects, NULL);
		g_object_unref(api->objects);
	}
	if (api->manager != NULL) {
		g_dbus_interface_skeleton_unexport(G_DBUS_INTERFACE_SKELETON(api->manager));
		g_object_unref(api->manager);
	}
	if (api->store != NULL)
		lactd_store_set_health_listener(api->store, NULL, NULL);
	g_clear_object(&api->connection);
	g_free(api);
}

GDBusObjectManagerServer *
lactd_api_get_object_manager(LactdApi *api)
{
	return api->objects;
}

LactdManager1 *
lactd_api_get_manager(LactdApi *api)
{
	return api->manager;
}

LactdStore *
lactd_api_get_store(LactdApi *api)
{
	return api->store;
}

GArray *
lactd_api_connect(LactdApi *api, const LactdApiHandler *handlers, gpointer user_data)
{
	GArray *ids = g_array_new(FALSE, FALSE, sizeof(gulong));

	for (const LactdApiHandler *h = handlers; h->signal != NULL; h++) {
		gulong id = g_signal_connect(api->manager, h->signal, h->callback, user_data);

		g_array_append_val(ids, id);
	}
	return ids;
}

void
lactd_api_disconnect(LactdApi *api, GArray *ids)
{
	for (guint i = 0; i < ids->len; i++)
		g_signal_handler_disconnect(api->manager, g_array_index(ids, gulong, i));
	g_array_unref(ids);
}
