/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Felicita Arc, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default FELICITA)
 *   weighings=   "at_s:grams;...": the load becomes grams at at_s seconds
 *                and settles one second later
 *   unit=        g (default) or oz: what the display shows at switch-on
 *   battery=     the raw battery byte, 129 to 158 (default 150)
 *   interval_ms= time between frames (default 100)
 *   chunk=       bytes per notification, 1 to 64 (default 18: one frame
 *                each); other values split frames across notifications or
 *                pack several into one
 *
 * Like the real scale it streams frames as soon as FFE1 is subscribed;
 * 'T' tares, 'U' toggles the unit.
 */
#include "config.h"

#include <gio/gio.h>

#include "felicita-encode.h"
#include "lactd-emu.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 2000.0 /* the Arc weighs up to 2 kg */

typedef struct {
	GArray *weighings; /* LactdEmuWeighing */
	gboolean oz;
	guint8 battery;
	gint64 interval_ms;
	guint chunk;
	gint64 done_ms;
	double tare;
	guint8 pending[FELICITA_NOTIFY_MAX + FELICITA_FRAME_LEN];
	gsize npending;
	guint units_toggled;
} Felicita;

static const LactdEmuChar felicita_chars[] = {
    {FELICITA_CHAR, "read,write,write-without-response,notify"},
    {NULL, NULL},
};

static const LactdEmuService felicita_services[] = {
    {FELICITA_SERVICE, felicita_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name", "weighings", "unit",
					 "battery",  "interval_ms", "chunk", NULL};

static gboolean
bad(GError **error, const char *group, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] %s", group, what);
	return FALSE;
}

static gboolean
felicita_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Felicita *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	g_autofree char *chunk = g_key_file_get_string(kf, group, "chunk", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->battery = 150;
	s->interval_ms = 100;
	s->chunk = FELICITA_FRAME_LEN;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(known_keys, keys[i]))
			return bad(error, group, "not a key of the felicita emulator");
	if (unit != NULL && !g_str_equal(unit, "g") && !g_str_equal(unit, "oz"))
		return bad(error, group, "unit: g or oz");
	s->oz = unit != NULL && g_str_equal(unit, "oz");
	if (battery != NULL) {
		if (!g_ascii_string_to_unsigned(battery, 10, FELICITA_BATTERY_MIN,
						FELICITA_BATTERY_MAX, &v, NULL))
			return bad(error, group, "battery: 129 to 158");
		s->battery = (guint8)v;
	}
	if (interval != NULL) {
		if (!g_ascii_string_to_unsigned(interval, 10, 10, 5000, &v, NULL))
			return bad(error, group, "interval_ms: 10 to 5000");
		s->interval_ms = (gint64)v;
	}
	if (chunk != NULL) {
		if (!g_ascii_string_to_unsigned(chunk, 10, 1, FELICITA_NOTIFY_MAX, &v, NULL))
			return bad(error, group, "chunk: 1 to 64");
		s->chunk = (guint)v;
	}
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
felicita_finalize(LactdEmu *emu)
{
	Felicita *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Felicita *s, gint64 t)
{
	double before = 0, now = 0;
	gint64 since = -1;

	for (guint i = 0; i < s->weighings->len; i++) {
		const LactdEmuWeighing *w = &g_array_index(s->weighings, LactdEmuWeighing, i);

		if (w->at_ms > t)
			break;
		before = now;
		now = w->grams;
		since = w->at_ms;
	}
	if (since >= 0 && t - since < SETTLE_MS)
		return before + (now - before) * (double)(t - since) / SETTLE_MS;
	return now;
}

static void
felicita_advance(LactdEmu *emu)
{
	Felicita *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 f[FELICITA_FRAME_LEN];

		s->done_ms += s->interval_ms;
		if (!emu->connected || !lactd_emu_is_subscribed(emu, FELICITA_CHAR))
			continue;
		if (!felicita_encode(f, load_at(s, s->done_ms) - s->tare, s->oz, s->battery))
			continue;
		memcpy(s->pending + s->npending, f, sizeof(f));
		s->npending += sizeof(f);
		/* Whole chunks go out; the rest waits for the next frame. */
		while (s->npending >= s->chunk) {
			lactd_emu_send(emu, FELICITA_CHAR, s->pending, s->chunk);
			memmove(s->pending, s->pending + s->chunk, s->npending - s->chunk);
			s->npending -= s->chunk;
		}
	}
}

static gboolean
felicita_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Felicita *s = emu->priv;

	if (!g_str_equal(uuid, FELICITA_CHAR)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a one-byte command");
		return FALSE;
	}
	if (data[0] == FELICITA_CMD_TARE)
		s->tare = load_at(s, emu->sim_ms);
	else if (data[0] == FELICITA_CMD_UNIT) {
		s->oz = !s->oz;
		s->units_toggled++;
	}
	return TRUE;
}

static void
felicita_link(LactdEmu *emu, gboolean up)
{
	Felicita *s = emu->priv;

	if (!up)
		s->npending = 0;
}

static gboolean
felicita_finished(LactdEmu *emu)
{
	Felicita *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3000;
}

const LactdEmuClass lactd_emu_felicita = {
    .name = "felicita",
    .default_name = "FELICITA",
    .services = felicita_services,
    .priv_size = sizeof(Felicita),
    .init = felicita_init,
    .advance = felicita_advance,
    .write = felicita_write,
    .link = felicita_link,
    .finished = felicita_finished,
    .finalize = felicita_finalize,
};
