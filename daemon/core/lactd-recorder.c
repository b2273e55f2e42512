/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Recording a device's GATT traffic. Every event is stored (committed) as
 * it comes; a capture stops itself at its cap (LACTD_REC_MAX_EVENTS). What the
 * recorder subscribed to on its own it unsubscribes when stopped; on a
 * device a plugin runs it only listens, so the plugin's capture is never
 * disturbed.
 */
#include "config.h"

#include <string.h>

#include "lactd-error.h"
#include "lactd-recorder.h"
#include "lactd-import.h"
#include "lactd-recstore.h"


typedef struct {
	char *flags;
	guint16 handle;
} CharInfo;

typedef struct {
	guint64 id;
	char *address;
	gboolean raw;
	guint events;
	gboolean have_chars; /* the characteristics are stored */
	GHashTable *chars;   /* lowercase uuid -> CharInfo, while connected */
	GHashTable *subscribed; /* uuids the recorder itself subscribed to */
	LactdBluezDevice *bdev; /* while ready */
} Rec;

struct _LactdRecorder {
	LactdStore *store;
	const LactdRecorderHost *host;
	gpointer host_data;
	GHashTable *active; /* address -> Rec */
	guint max_events;   /* events one capture holds, recorded or imported */
	LactdImport *import; /* ImportCaptureBegin ... Commit */
};

static void
char_info_free(CharInfo *ci)
{
	g_free(ci->flags);
	g_free(ci);
}

static void
rec_free(Rec *r)
{
	g_free(r->address);
	g_hash_table_destroy(r->chars);
	g_hash_table_destroy(r->subscribed);
	g_free(r);
}

static Rec *
rec_new(guint64 id, const char *address, gboolean raw)
{
	Rec *r = g_new0(Rec, 1);

	r->id = id;
	r->address = g_strdup(address);
	r->raw = raw;
	r->chars = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
					 (GDestroyNotify)char_info_free);
	r->subscribed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	return r;
}

static Rec *
rec_by_id(LactdRecorder *rec, guint64 id)
{
	GHashTableIter it;
	Rec *r;

	g_hash_table_iter_init(&it, rec->active);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&r)) {
		if (r->id == id)
			return r;
	}
	return NULL;
}

static gboolean
has_flag(const char *flags, const char *flag)
{
	g_auto(GStrv) v = g_strsplit(flags != NULL ? flags : "", ",", -1);

	return g_strv_contains((const char *const *)v, flag);
}

/* --- recording ----------------------------------------------------------------------- */

static void stop(LactdRecorder *rec, Rec *r, const char *why);

static void
add_event(LactdRecorder *rec, Rec *r, const char *kind, const char *uuid, guint16 handle,
	  const guint8 *data, gsize len, gboolean has_value, const char *text)
{
	g_autoptr(GError) error = NULL;
	LactdRecEvent ev = {
	    .time_us = g_get_real_time(),
	    .kind = kind,
	    .uuid = (char *)uuid,
	    .handle = handle,
	    .text = (char *)text,
	};
	g_autoptr(GBytes) value = has_value ? g_bytes_new(data, len) : NULL;

	if (r->events >= rec->max_events)
		return;
	ev.value = value;
	if (!lactd_recstore_add_event(rec->store, r->id, &ev, &error)) {
		/* An oversized value is the device's doing: count it out, keep on. */
		g_message("capture %" G_GUINT64_FORMAT ": %s %s not recorded: %s", r->id, kind,
			  uuid != NULL ? uuid : "", error->message);
		if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
			lactd_store_write_failed(rec->store, error->message);
		return;
	}
	r->events++;
	if (r->events >= rec->max_events)
		stop(rec, r, "it holds the most events a capture may hold");
}

static void
load_chars(LactdRecorder *rec, Rec *r, LactdBluezDevice *bdev)
{
	g_autoptr(GPtrArray) chars = lactd_bluez_device_dup_chars(bdev);

	g_hash_table_remove_all(r->chars);
	for (guint i = 0; i < chars->len; i++) {
		LactdBluezChar *c = chars->pdata[i];
		CharInfo *ci = g_new0(CharInfo, 1);

		ci->flags = g_strdup(c->flags);
		ci->handle = c->handle;
		/* A second characteristic of the same UUID cannot be told
		 * apart by the BlueZ client (it works by UUID): keep the first. */
		if (!g_hash_table_contains(r->chars, c->uuid))
			g_hash_table_insert(r->chars, g_strdup(c->uuid), ci);
		else
			char_info_free(ci);
		if (!r->have_chars && i < LACTD_REC_MAX_CHARS) {
			g_autoptr(GError) error = NULL;
			LactdRecChar rc = {c->uuid, c->flags, c->handle, c->service_uuid};

			if (!lactd_recstore_add_char(rec->store, r->id, &rc, &error))
				g_message("capture %" G_GUINT64_FORMAT ": %s", r->id, error->message);
		}
	}
	r->have_chars = TRUE;
}

static CharInfo *
char_info(Rec *r, const char *uuid, char **lower)
{
	*lower = g_ascii_strdown(uuid, -1);
	return g_hash_table_lookup(r->chars, *lower);
}

void
lactd_recorder_ready(LactdRecorder *rec, LactdBluezDevice *bdev, gboolean plugin_runs)
{
	Rec *r = g_hash_table_lookup(rec->active, lactd_bluez_device_get_address(bdev));
	GHashTableIter it;
	const char *uuid;
	CharInfo *ci;

	if (r == NULL)
		return;
	r->bdev = bdev;
	g_hash_table_remove_all(r->subscribed);
	load_chars(rec, r, bdev);
	g_message("capture %" G_GUINT64_FORMAT ": recording %s (%u characteristics)%s", r->id,
		  r->address, g_hash_table_size(r->chars),
		  plugin_runs ? ", alongside its plugin" : "");
	if (plugin_runs)
		return;
	g_hash_table_iter_init(&it, r->chars);
	while (g_hash_table_iter_next(&it, (gpointer *)&uuid, (gpointer *)&ci)) {
		g_autoptr(GError) error = NULL;

		/* Each read is bounded by the BlueZ call timeout; its reply
		 * comes through lactd_recorder_value(). */
		if (has_flag(ci->flags, "read") && !lactd_bluez_device_read(bdev, uuid, &error)) {
			g_message("capture %" G_GUINT64_FORMAT ": read %s: %s", r->id, uuid,
				  error->message);
			g_clear_error(&error);
		}
		if ((has_flag(ci->flags, "notify") || has_flag(ci->flags, "indicate")) &&
		    !lactd_bluez_device_is_subscribed(bdev, uuid)) {
			if (lactd_bluez_device_subscribe(bdev, uuid, &error))
				g_hash_table_add(r->subscribed, g_strdup(uuid));
			else
				g_message("capture %" G_GUINT64_FORMAT ": subscribe %s: %s", r->id,
					  uuid, error->message);
		}
	}
}

void
lactd_recorder_lost(LactdRecorder *rec, LactdBluezDevice *bdev)
{
	Rec *r = g_hash_table_lookup(rec->active, lactd_bluez_device_get_address(bdev));

	if (r == NULL || r->bdev != bdev)
		return;
	/* BlueZ drops subscriptions with the link. */
	r->bdev = NULL;
	g_hash_table_remove_all(r->subscribed);
}

void
lactd_recorder_value(LactdRecorder *rec, LactdBluezDevice *bdev, const char *char_uuid,
		     const guint8 *data, gsize len, LactdValueOrigin origin)
{
	Rec *r = g_hash_table_lookup(rec->active, lactd_bluez_device_get_address(bdev));
	g_autofree char *uuid = NULL;
	CharInfo *ci;
	const char *kind = LACTD_REC_READ;

	if (r == NULL)
		return;
	ci = char_info(r, char_uuid, &uuid);
	if (origin == LACTD_VALUE_NOTIFY) {
		/* BlueZ reports both as a Value change; the flags tell which. */
		kind = ci != NULL && has_flag(ci->flags, "indicate") && !has_flag(ci->flags, "notify")
			   ? LACTD_REC_INDICATE
			   : LACTD_REC_NOTIFY;
	}
	add_event(rec, r, kind, uuid, ci != NULL ? ci->handle : 0, data, len, TRUE, NULL);
}

void
lactd_recorder_write(LactdRecorder *rec, LactdBluezDevice *bdev, const char *char_uuid,
		     GBytes *data)
{
	Rec *r = g_hash_table_lookup(rec->active, lactd_bluez_device_get_address(bdev));
	g_autofree char *uuid = NULL;
	CharInfo *ci;
	gsize len = 0;
	const guint8 *bytes;

	if (r == NULL)
		return;
	bytes = g_bytes_get_data(data, &len);
	ci = char_info(r, char_uuid, &uuid);
	add_event(rec, r, LACTD_REC_WRITE, uuid, ci != NULL ? ci->handle : 0, bytes, len, TRUE, NULL);
}

gboolean
lactd_recorder_wants(LactdRecorder *rec, const char *address)
{
	return g_hash_table_contains(rec->active, address);
}

/* Ends a running capture: stored closed, subscriptions of its own undone,
 * the device let go unless something else wants it. */
static void
stop(LactdRecorder *rec, Rec *r, const char *why)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *address = g_strdup(r->address);
	GHashTableIter it;
	const char *uuid;

	if (!lactd_recstore_finish(rec->store, r->id, g_get_real_time(), &error))
		g_message("capture %" G_GUINT64_FORMAT ": not closed: %s", r->id, error->message);
	g_message("capture %" G_GUINT64_FORMAT " of %s stopped after %u events: %s", r->id,
		  r->address, r->events, why);
	if (r->bdev != NULL) {
		g_hash_table_iter_init(&it, r->subscribed);
		while (g_hash_table_iter_next(&it, (gpointer *)&uuid, NULL))
			lactd_bluez_device_unsubscribe(r->bdev, uuid);
	}
	g_hash_table_remove(rec->active, address);
	rec->host->changed(rec->host_data, address);
}

/* --- what the Manager1 capture methods call ------------------------------------------ */

gboolean
lactd_recorder_address_valid(const char *a)
{
	if (strlen(a) != 17)
		return FALSE;
	for (guint i = 0; i < 17; i++) {
		if (i % 3 == 2 ? a[i] != ':' : !g_ascii_isxdigit(a[i]))
			return FALSE;
	}
	return TRUE;
}

gboolean
lactd_recorder_check_start(LactdRecorder *rec, const char *address, gboolean raw, GError **error)
{
	LactdRecorderDevice d = {0};

	if (!lactd_recorder_address_valid(address)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "address: '%s' is not of the form AA:BB:CC:DD:EE:FF", address);
		return FALSE;
	}
	if (!rec->host->lookup(rec->host_data, address, &d) || d.bdev == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_NOT_FOUND,
			    "address: BlueZ knows no device %s", address);
		return FALSE;
	}
	if (!lactd_bluez_device_get_paired(d.bdev)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "address: %s is not paired; pair it first", address);
		return FALSE;
	}
	if (d.plugin != NULL && !raw) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "raw: plugin %s claims %s; record it as well with raw set", d.plugin,
			    address);
		return FALSE;
	}
	if (g_hash_table_contains(rec->active, address)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "address: capture %" G_GUINT64_FORMAT " is already recording %s",
			    ((Rec *)g_hash_table_lookup(rec->active, address))->id, address);
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_recorder_start(LactdRecorder *rec, const char *address, gboolean raw, const char *who,
		     guint64 *id, GError **error)
{
	g_autoptr(LactdRecInfo) info = NULL;
	LactdRecorderDevice d = {0};
	Rec *r;

	/* Checked again: the device may have gone while polkit thought. */
	if (!lactd_recorder_check_start(rec, address, raw, error))
		return FALSE;
	rec->host->lookup(rec->host_data, address, &d);
	info = g_new0(LactdRecInfo, 1);
	info->address = g_strdup(address);
	info->name = lactd_bluez_device_dup_name(d.bdev);
	info->source = g_strdup("lactd");
	info->start_us = g_get_real_time();
	info->raw = raw;
	if (!lactd_recstore_add(rec->store, info, error))
		return FALSE;
	r = rec_new(info->id, address, raw);
	g_hash_table_insert(rec->active, r->address, r);
	g_message("capture %" G_GUINT64_FORMAT " of %s started by %s%s", r->id, address, who,
		  raw ? " (raw)" : "");
	*id = info->id;
	rec->host->changed(rec->host_data, address);
	/* Already connected (its plugin runs): nothing will report it ready. */
	if (g_hash_table_lookup(rec->active, address) == r && r->bdev == NULL &&
	    rec->host->lookup(rec->host_data, address, &d) && d.bdev != NULL &&
	    lactd_bluez_device_is_ready(d.bdev))
		lactd_recorder_ready(rec, d.bdev, d.plugin_runs);
	return TRUE;
}

gboolean
lactd_recorder_running(LactdRecorder *rec, guint64 id, guint64 *running_id, GError **error)
{
	GHashTableIter it;
	Rec *r = NULL;

	if (id != 0) {
		if (rec_by_id(rec, id) == NULL) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
				    "id: capture %" G_GUINT64_FORMAT " is not running", id);
			return FALSE;
		}
		*running_id = id;
		return TRUE;
	}
	if (g_hash_table_size(rec->active) != 1) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "id: %u captures are running; name one", g_hash_table_size(rec->active));
		return FALSE;
	}
	g_hash_table_iter_init(&it, rec->active);
	g_hash_table_iter_next(&it, NULL, (gpointer *)&r);
	*running_id = r->id;
	return TRUE;
}

void
lactd_recorder_stop(LactdRecorder *rec, guint64 id)
{
	Rec *r = rec_by_id(rec, id);

	if (r != NULL)
		stop(rec, r, "asked to");
}

gboolean
lactd_recorder_mark(LactdRecorder *rec, guint64 id, const char *text, GError **error)
{
	Rec *r = rec_by_id(rec, id);
	guint before;

	if (r == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS,
			    "id: capture %" G_GUINT64_FORMAT " is not running", id);
		return FALSE;
	}
	before = r->events;
	add_event(rec, r, LACTD_REC_MARK, NULL, 0, NULL, 0, FALSE, text);
	/* The mark may have filled the capture, which then stopped (and is freed). */
	r = rec_by_id(rec, id);
	if (r != NULL && r->events == before) {
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "the mark was not stored");
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_recorder_is_active(LactdRecorder *rec, guint64 id)
{
	return rec_by_id(rec, id) != NULL;
}

LactdStore *
lactd_recorder_get_store(LactdRecorder *rec)
{
	return rec->store;
}

guint
lactd_recorder_get_max_events(LactdRecorder *rec)
{
	return rec->max_events;
}

LactdImport *
lactd_recorder_get_import(LactdRecorder *rec)
{
	return rec->import;
}


/* --- life ---------------------------------------------------------------------------- */

LactdRecorder *
lactd_recorder_new(LactdStore *store, const LactdRecorderHost *host, gpointer host_data)
{
	return lactd_recorder_new_full(store, host, host_data, LACTD_REC_MAX_EVENTS);
}

LactdRecorder *
lactd_recorder_new_full(LactdStore *store, const LactdRecorderHost *host, gpointer host_data,
			guint max_events)
{
	LactdRecorder *rec = g_new0(LactdRecorder, 1);
	g_autoptr(GError) error = NULL;
	g_autoptr(GPtrArray) list = NULL;

	rec->store = store;
	rec->host = host;
	rec->host_data = host_data;
	rec->max_events = CLAMP(max_events, 1, LACTD_REC_MAX_EVENTS);
	rec->active = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)rec_free);
	rec->import = lactd_import_new(store, rec->max_events);

	/* Captures running when lactd stopped go on when their device returns. */
	list = lactd_recstore_list(store, &error);
	if (list == NULL)
		g_message("running captures not readable: %s", error->message);
	for (guint i = 0; list != NULL && i < list->len; i++) {
		LactdRecInfo *info = list->pdata[i];
		g_autoptr(GPtrArray) chars = NULL;
		Rec *r;

		if (lactd_import_forget_unfinished(store, info))
			continue;
		if (info->end_us != 0 || g_strcmp0(info->source, "lactd") != 0 ||
		    !lactd_recorder_address_valid(info->address) ||
		    g_hash_table_contains(rec->active, info->address))
			continue;
		/* Full before it could be closed (lactd killed between its
		 * last event and the close): nothing more would be recorded,
		 * so it would wait for its device for ever. Close it now. */
		if (info->events >= rec->max_events) {
			g_autoptr(GError) ferr = NULL;

			if (!lactd_recstore_finish(store, info->id, g_get_real_time(), &ferr))
				g_message("capture %" G_GUINT64_FORMAT ": not closed: %s", info->id,
					  ferr->message);
			g_message("capture %" G_GUINT64_FORMAT " of %s stopped after %u events: it "
				  "holds the most events a capture may hold",
				  info->id, info->address, info->events);
			continue;
		}
		r = rec_new(info->id, info->address, info->raw);
		r->events = info->events;
		chars = lactd_recstore_chars(store, info->id, NULL);
		r->have_chars = chars != NULL && chars->len > 0;
		g_hash_table_insert(rec->active, r->address, r);
		g_message("capture %" G_GUINT64_FORMAT " of %s resumes when it connects (%u events "
			  "so far)",
			  r->id, r->address, r->events);
	}
	return rec;
}

void
lactd_recorder_free(LactdRecorder *rec)
{
	if (rec == NULL)
		return;
	lactd_import_free(rec->import);
	/* Running captures stay open in the store: they resume at the next start. */
	g_hash_table_destroy(rec->active);
	g_free(rec);
}
