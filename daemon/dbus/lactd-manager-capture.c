/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Manager1's capture methods: each parses its arguments, asks polkit where
 * the method changes something, calls the recorder service and builds the
 * reply. The recorder (daemon/core/lactd-recorder.c) knows no invocation.
 */
#include "config.h"

#include <string.h>

#include "lactd-error.h"
#include "lactd-manager-capture.h"
#include "lactd-recstore.h"

#define CHANGE_ACTION "org.lactd.change-data"
#define DELETE_ACTION "org.lactd.delete-data"

struct _LactdManagerCapture {
	LactdApi *api;
	LactdRecorder *rec;
	GArray *handlers; /* signal ids on the manager */
	LactdManagerImport *import; /* the paged import's methods */
};



static gboolean
invalid(GDBusMethodInvocation *invocation, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
invalid(GDBusMethodInvocation *invocation, const char *fmt, ...)
{
	va_list ap;
	g_autofree char *msg = NULL;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_dbus_method_invocation_return_error_literal(invocation, LACTD_ERROR,
						      LACTD_ERROR_INVALID_ARGS, msg);
	return TRUE;
}

static gboolean
handle_start(LactdManager1 *manager, GDBusMethodInvocation *invocation, const char *address_in,
	     gboolean raw, LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *address = g_ascii_strup(address_in, -1);
	guint64 id = 0;

	if (!lactd_recorder_check_start(mc->rec, address, raw, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	if (!lactd_api_authorized(mc->api, invocation, CHANGE_ACTION))
		return TRUE;
	if (!lactd_recorder_start(mc->rec, address, raw,
				  g_dbus_method_invocation_get_sender(invocation), &id, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	lactd_manager1_complete_start_capture(manager, invocation, id);
	return TRUE;
}

static gboolean
handle_stop(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	    LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;

	if (!lactd_recorder_running(mc->rec, id, &id, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	if (!lactd_api_authorized(mc->api, invocation, CHANGE_ACTION))
		return TRUE;
	lactd_recorder_stop(mc->rec, id);
	lactd_manager1_complete_stop_capture(manager, invocation);
	return TRUE;
}

static gboolean
handle_mark(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	    const char *text, LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;

	if (text[0] == '\0' || strlen(text) > LACTD_REC_MAX_TEXT)
		return invalid(invocation, "text: 1 to %u bytes", LACTD_REC_MAX_TEXT);
	if (!lactd_recorder_running(mc->rec, id, &id, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	if (!lactd_api_authorized(mc->api, invocation, CHANGE_ACTION))
		return TRUE;
	if (!lactd_recorder_mark(mc->rec, id, text, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	lactd_manager1_complete_mark_capture(manager, invocation);
	return TRUE;
}

static GVariant *
info_variant(LactdManagerCapture *mc, const LactdRecInfo *info)
{
	LactdRecInfo shown = *info;

	shown.active = lactd_recorder_is_active(mc->rec, info->id);
	return lactd_record_to_variant(&lactd_capture_table, &shown);
}

static gboolean
handle_list(LactdManager1 *manager, GDBusMethodInvocation *invocation, LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = lactd_recstore_list(lactd_recorder_get_store(mc->rec), &error);
	GVariantBuilder b;

	if (list == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (guint i = 0; i < list->len; i++)
		g_variant_builder_add_value(&b, info_variant(mc, list->pdata[i]));
	lactd_manager1_complete_list_captures(manager, invocation, g_variant_builder_end(&b));
	return TRUE;
}

static GVariant *
chars_variant(GPtrArray *chars)
{
	GVariantBuilder cb;

	g_variant_builder_init(&cb, G_VARIANT_TYPE("a(ssqs)"));
	for (guint i = 0; i < chars->len; i++) {
		LactdRecChar *c = chars->pdata[i];
		g_variant_builder_add(&cb, "(ssqs)", c->uuid, c->flags, c->handle,
				      c->service_uuid != NULL ? c->service_uuid : "");
	}
	return g_variant_builder_end(&cb);
}

static GVariant *
events_variant(GPtrArray *events)
{
	GVariantBuilder eb;

	g_variant_builder_init(&eb, G_VARIANT_TYPE("a(xssqays)"));
	for (guint i = 0; i < events->len; i++) {
		LactdRecEvent *e = events->pdata[i];
		gsize len = 0;
		gconstpointer data = e->value != NULL ? g_bytes_get_data(e->value, &len) : NULL;

		g_variant_builder_add(&eb, "(xssq@ays)", e->time_us, e->kind,
				      e->uuid != NULL ? e->uuid : "", e->handle,
				      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE,
								len > 0 ? data : "", len, 1),
				      e->text != NULL ? e->text : "");
	}
	return g_variant_builder_end(&eb);
}

/* GetCapture and GetCapturePage: the whole capture, or @max events from
 * the @first. GetCapture (@paged FALSE) refuses a capture too large for one
 * message before reading its events, naming the call that pages. */
static gboolean
reply_capture(LactdManagerCapture *mc, GDBusMethodInvocation *invocation, guint64 id,
	      gboolean paged, guint first, guint max)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdRecInfo) info = lactd_recstore_get(lactd_recorder_get_store(mc->rec), id, &error);
	g_autoptr(GPtrArray) chars = NULL;
	g_autoptr(GPtrArray) events = NULL;
	LactdManager1 *manager = lactd_api_get_manager(mc->api);

	if (info == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	if (!paged) {
		guint64 bytes = 0;

		if (!lactd_recstore_events_bytes(lactd_recorder_get_store(mc->rec), id, &bytes, &error))
			return lactd_api_reply_error(mc->api, invocation, error);
		if (bytes > LACTD_REC_MAX_REPLY)
			return invalid(invocation,
				       "capture %" G_GUINT64_FORMAT ": its %u events take up to "
				       "%" G_GUINT64_FORMAT " bytes, more than the %u one "
				       "GetCapture reply carries; read them with GetCapturePage",
				       id, info->events, bytes, LACTD_REC_MAX_REPLY);
	}
	chars = lactd_recstore_chars(lactd_recorder_get_store(mc->rec), id, &error);
	if (chars == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	events = paged ? lactd_recstore_events_range(lactd_recorder_get_store(mc->rec), id, first, max, &error)
		       : lactd_recstore_events(lactd_recorder_get_store(mc->rec), id, &error);
	if (events == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	if (paged)
		lactd_manager1_complete_get_capture_page(manager, invocation,
							 info_variant(mc, info),
							 chars_variant(chars),
							 events_variant(events));
	else
		lactd_manager1_complete_get_capture(manager, invocation, info_variant(mc, info),
						    chars_variant(chars), events_variant(events));
	return TRUE;
}

static gboolean
handle_get(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	   LactdManagerCapture *mc)
{
	return reply_capture(mc, invocation, id, FALSE, 0, 0);
}

static gboolean
handle_get_page(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
		guint first, guint max, LactdManagerCapture *mc)
{
	if (max == 0)
		return invalid(invocation, "max: 1 or more (at most %u are returned)",
			       LACTD_REC_PAGE_EVENTS);
	return reply_capture(mc, invocation, id, TRUE, first, MIN(max, LACTD_REC_PAGE_EVENTS));
}

/* 128-bit UUID text, any case: 8-4-4-4-12 hex digits. */
static gboolean
handle_import(LactdManager1 *manager, GDBusMethodInvocation *invocation, GVariant *dict,
	      GVariant *chars_v, GVariant *events_v, LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdRecInfo) info = g_new0(LactdRecInfo, 1);
	g_autoptr(GPtrArray) chars = NULL;
	g_autoptr(GPtrArray) events = NULL;

	if (!lactd_capture_args_info(dict, info, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	chars = lactd_capture_args_chars(chars_v, &error);
	if (chars == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	events = lactd_capture_args_events(events_v, info, lactd_recorder_get_max_events(mc->rec), &error);
	if (events == NULL)
		return lactd_api_reply_error(mc->api, invocation, error);
	if (!lactd_api_authorized(mc->api, invocation, CHANGE_ACTION))
		return TRUE;
	if (!lactd_recstore_import(lactd_recorder_get_store(mc->rec), info, chars, events, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	g_message("capture %" G_GUINT64_FORMAT " imported by %s: %u events from %s", info->id,
		  g_dbus_method_invocation_get_sender(invocation), events->len, info->source);
	lactd_manager1_complete_import_capture(manager, invocation, info->id);
	return TRUE;
}

static gboolean
handle_delete(LactdManager1 *manager, GDBusMethodInvocation *invocation, guint64 id,
	      LactdManagerCapture *mc)
{
	g_autoptr(GError) error = NULL;

	if (lactd_recorder_is_active(mc->rec, id))
		return invalid(invocation,
			       "id: capture %" G_GUINT64_FORMAT " is recording; stop it first", id);
	if (!lactd_api_authorized(mc->api, invocation, DELETE_ACTION))
		return TRUE;
	if (!lactd_recstore_delete(lactd_recorder_get_store(mc->rec), id, &error))
		return lactd_api_reply_error(mc->api, invocation, error);
	g_message("capture %" G_GUINT64_FORMAT " deleted by %s", id,
		  g_dbus_method_invocation_get_sender(invocation));
	lactd_manager1_complete_delete_capture(manager, invocation);
	return TRUE;
}

static const LactdApiHandler handlers[] = {
	{"handle-start-capture", G_CALLBACK(handle_start)},
	{"handle-stop-capture", G_CALLBACK(handle_stop)},
	{"handle-mark-capture", G_CALLBACK(handle_mark)},
	{"handle-list-captures", G_CALLBACK(handle_list)},
	{"handle-get-capture", G_CALLBACK(handle_get)},
	{"handle-get-capture-page", G_CALLBACK(handle_get_page)},
	{"handle-import-capture", G_CALLBACK(handle_import)},
	{"handle-delete-capture", G_CALLBACK(handle_delete)},
	{NULL, NULL},
};

LactdManagerCapture *
lactd_manager_capture_new(LactdApi *api, LactdRecorder *rec)
{
	LactdManagerCapture *mc = g_new0(LactdManagerCapture, 1);

	mc->api = api;
	mc->rec = rec;
	mc->handlers = lactd_api_connect(api, handlers, mc);
	mc->import = lactd_manager_import_new(api, lactd_recorder_get_import(rec));
	return mc;
}

void
lactd_manager_capture_free(LactdManagerCapture *mc)
{
	if (mc == NULL)
		return;
	g_clear_pointer(&mc->import, lactd_manager_import_free);
	lactd_api_disconnect(mc->api, mc->handlers);
	g_free(mc);
}
