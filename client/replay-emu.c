/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A recorded device played back: the `replay` emulator shows the GATT
 * database of a capture file (docs/capture-format.md) and sends the
 * capture's notifications and indications at their times, so the whole
 * daemon can run against a recorded pump.
 *
 * Scenario keys (any other key is refused):
 *   capture=   the capture file; a relative name is taken from the scenario
 *              file's folder (lactd_emu_set_scenario_dir), else the current one
 *   name=      Device1.Name (read by the transport; default "Recorded device")
 *   emulator=  replay
 *
 * Behaviour: the services and characteristics are the capture's (a
 * characteristic whose service is unknown goes into one service of its own,
 * REPLAY_SERVICE; one whose flags were not recorded gets them from what the
 * capture did with it). Playback starts when the central first subscribes:
 * each notification or indication is sent at its offset from the capture's
 * start, if its characteristic is subscribed then (a real device drops it
 * otherwise). A read answers the capture's last value read at or before the
 * playback position (before playback, its first read; for a characteristic
 * never read, the last value it sent); writes are accepted and ignored.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-capfile.h"
#include "lactd-emu.h"

/* For characteristics a capture holds without their service. */
#define REPLAY_SERVICE "0000fffe-0000-1000-8000-00805f9b34fb"

typedef struct {
	LactdCapFile *cap;
	GPtrArray *strings;   /* owned strings the services point into */
	GArray *services;     /* LactdEmuService, NULL-terminated */
	GPtrArray *char_lists; /* LactdEmuChar arrays, owned */
	gint64 t0_ms;	      /* sim time of the first subscription, -1 before */
	guint next;	      /* next event to play */
} Replay;

static const char *
keep(Replay *r, char *s)
{
	g_ptr_array_add(r->strings, s);
	return s;
}

static gboolean
is_descriptor(const char *uuid)
{
	/* 0x2900-0x29ff: descriptors (CCCD writes are in every capture). */
	return g_str_has_prefix(uuid, "000029") && g_str_has_suffix(uuid, "-0000-1000-8000-00805f9b34fb");
}

static char *
flags_from_events(const LactdCapFile *cap, const char *uuid)
{
	gboolean seen[LACTD_CAP_MARK] = { FALSE };
	static const char *const names[] = { "notify", "indicate", "read", "write" };
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		if (ev->kind != LACTD_CAP_MARK && g_strcmp0(ev->uuid, uuid) == 0)
			seen[ev->kind] = TRUE;
	}
	/* BlueZ's order: read before write before notify. */
	if (seen[LACTD_CAP_READ])
		g_string_append(s, names[2]);
	if (seen[LACTD_CAP_WRITE])
		g_string_append_printf(s, "%s%s", s->len ? "," : "", names[3]);
	if (seen[LACTD_CAP_NOTIFY])
		g_string_append_printf(s, "%s%s", s->len ? "," : "", names[0]);
	if (seen[LACTD_CAP_INDICATE])
		g_string_append_printf(s, "%s%s", s->len ? "," : "", names[1]);
	return g_string_free(s, FALSE);
}

static void
add_char(Replay *r, GHashTable *by_service, GPtrArray *order, const char *service,
	 const char *uuid, const char *flags)
{
	GArray *list = g_hash_table_lookup(by_service, service);
	LactdEmuChar c = { uuid, flags };

	if (list == NULL) {
		list = g_array_new(TRUE, TRUE, sizeof(LactdEmuChar));
		g_hash_table_insert(by_service, (gpointer)service, list);
		g_ptr_array_add(order, (gpointer)service);
		g_ptr_array_add(r->char_lists, list);
	}
	for (guint i = 0; i < list->len; i++)
		if (g_str_equal(g_array_index(list, LactdEmuChar, i).uuid, uuid))
			return;
	g_array_append_val(list, c);
}

static gboolean
replay_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	static const char *const known[] = { "emulator", "name", "capture", NULL };
	Replay *r = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *file = g_key_file_get_string(kf, group, "capture", NULL);
	g_autofree char *path = NULL;
	g_autoptr(GHashTable) by_service = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GPtrArray) order = g_ptr_array_new();

	r->strings = g_ptr_array_new_with_free_func(g_free);
	r->char_lists = g_ptr_array_new_with_free_func((GDestroyNotify)g_array_unref);
	r->services = g_array_new(TRUE, TRUE, sizeof(LactdEmuService));
	r->t0_ms = -1;
	for (guint i = 0; keys && keys[i]; i++) {
		if (!g_strv_contains(known, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: unknown key for the replay emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (file == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] capture: a capture file is required", group);
		return FALSE;
	}
	path = g_path_is_absolute(file) || lactd_emu_scenario_dir() == NULL
		       ? g_strdup(file)
		       : g_build_filename(lactd_emu_scenario_dir(), file, NULL);
	r->cap = lactd_capfile_load(path, error);
	if (r->cap == NULL) {
		g_prefix_error(error, "[%s] capture: ", group);
		return FALSE;
	}

	for (guint i = 0; i < r->cap->chars->len; i++) {
		const LactdCapChar *c = g_ptr_array_index(r->cap->chars, i);
		const char *flags = c->flags && *c->flags
					    ? c->flags
					    : keep(r, flags_from_events(r->cap, c->uuid));

		add_char(r, by_service, order, c->service_uuid ? c->service_uuid : REPLAY_SERVICE,
			 c->uuid, flags);
	}
	/* Characteristics the capture used but did not list. */
	for (guint i = 0; i < r->cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(r->cap->events, i);
		gboolean listed = FALSE;

		if (ev->uuid == NULL || is_descriptor(ev->uuid))
			continue;
		for (guint k = 0; k < r->cap->chars->len && !listed; k++)
			listed = g_str_equal(
				((LactdCapChar *)g_ptr_array_index(r->cap->chars, k))->uuid, ev->uuid);
		if (!listed)
			add_char(r, by_service, order, REPLAY_SERVICE, ev->uuid,
				 keep(r, flags_from_events(r->cap, ev->uuid)));
	}
	for (guint i = 0; i < order->len; i++) {
		GArray *list = g_hash_table_lookup(by_service, order->pdata[i]);
		LactdEmuService s = { order->pdata[i], (const LactdEmuChar *)list->data };

		g_array_append_val(r->services, s);
	}
	return TRUE;
}

static const LactdEmuService *
replay_get_services(LactdEmu *emu)
{
	Replay *r = emu->priv;

	return (const LactdEmuService *)r->services->data;
}

static void
replay_advance(LactdEmu *emu)
{
	Replay *r = emu->priv;

	if (r->t0_ms < 0)
		return;
	for (; r->next < r->cap->events->len; r->next++) {
		const LactdCapEvent *ev = g_ptr_array_index(r->cap->events, r->next);
		gint64 due = r->t0_ms + (ev->time_us - r->cap->start_us) / 1000;

		if (due > emu->sim_ms)
			break;
		if ((ev->kind == LACTD_CAP_NOTIFY || ev->kind == LACTD_CAP_INDICATE) &&
		    ev->uuid != NULL)
			lactd_emu_send(emu, ev->uuid, g_bytes_get_data(ev->value, NULL),
				       g_bytes_get_size(ev->value));
	}
}

static void
replay_subscribed(LactdEmu *emu, const char *uuid, gboolean on)
{
	Replay *r = emu->priv;

	(void)uuid;
	if (on && r->t0_ms < 0) {
		r->t0_ms = emu->sim_ms;
		replay_advance(emu);
	}
}

static GBytes *
replay_read(LactdEmu *emu, const char *uuid, GError **error)
{
	Replay *r = emu->priv;
	GBytes *read = NULL, *first_read = NULL, *sent = NULL;

	for (guint i = 0; i < r->cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(r->cap->events, i);
		gboolean played = i < r->next && r->t0_ms >= 0;

		if (g_strcmp0(ev->uuid, uuid) != 0 || ev->kind == LACTD_CAP_WRITE)
			continue;
		if (ev->kind == LACTD_CAP_READ) {
			if (first_read == NULL)
				first_read = ev->value;
			if (played)
				read = ev->value;
		} else if (played) {
			sent = ev->value;
		}
	}
	if (read == NULL)
		read = first_read ? first_read : sent;
	if (read == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
			    "the capture holds no value to read for %s", uuid);
		return NULL;
	}
	return g_bytes_ref(read);
}

static gboolean
replay_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	(void)emu, (void)uuid, (void)data, (void)len, (void)error;
	return TRUE;
}

static gboolean
replay_finished(LactdEmu *emu)
{
	Replay *r = emu->priv;

	return r->t0_ms >= 0 && r->next >= r->cap->events->len;
}

static void
replay_finalize(LactdEmu *emu)
{
	Replay *r = emu->priv;

	g_clear_pointer(&r->cap, lactd_capfile_free);
	g_clear_pointer(&r->services, g_array_unref);
	g_clear_pointer(&r->char_lists, g_ptr_array_unref);
	g_clear_pointer(&r->strings, g_ptr_array_unref);
}

const LactdEmuClass lactd_emu_replay = {
	.name = "replay",
	.default_name = "Recorded device",
	.priv_size = sizeof(Replay),
	.init = replay_init,
	.advance = replay_advance,
	.read = replay_read,
	.write = replay_write,
	.subscribed = replay_subscribed,
	.finished = replay_finished,
	.finalize = replay_finalize,
	.get_services = replay_get_services,
};
