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
#include "lactd-emu-scale.h"

typedef struct {
	LactdEmuScale scale;
	gboolean oz;
	guint64 battery;
	LactdEmuChunker out;
	double tare;
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

static const char *const own_keys[] = {"unit", "battery", "chunk", NULL};

static gboolean
felicita_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Felicita *s = emu->priv;
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);

	s->battery = 150;
	s->out.chunk = FELICITA_FRAME_LEN;
	s->scale.max_grams = 2000.0; /* the Arc weighs up to 2 kg */
	if (!lactd_emu_scale_init(&s->scale, kf, group, "felicita", own_keys, 100, error) ||
	    !lactd_emu_key_uint(kf, group, "battery", FELICITA_BATTERY_MIN, FELICITA_BATTERY_MAX,
				&s->battery, error) ||
	    !lactd_emu_key_uint(kf, group, "chunk", 1, FELICITA_NOTIFY_MAX, &s->out.chunk, error))
		return FALSE;
	if (unit != NULL && !g_str_equal(unit, "g") && !g_str_equal(unit, "oz")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] unit: g or oz",
			    group);
		return FALSE;
	}
	s->oz = unit != NULL && g_str_equal(unit, "oz");
	return TRUE;
}

static void
felicita_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Felicita *)emu->priv)->scale);
}

static void
felicita_advance(LactdEmu *emu)
{
	Felicita *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[FELICITA_FRAME_LEN];
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;

		if (!lactd_emu_is_subscribed(emu, FELICITA_CHAR) ||
		    !felicita_encode(f, grams, s->oz, (guint8)s->battery))
			continue;
		lactd_emu_chunker_send(&s->out, emu, FELICITA_CHAR, f, sizeof(f));
	}
}

static gboolean
felicita_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Felicita *s = emu->priv;

	if (!lactd_emu_scale_check_write(uuid, FELICITA_CHAR, error))
		return FALSE;
	if (len != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a one-byte command");
		return FALSE;
	}
	if (data[0] == FELICITA_CMD_TARE)
		s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
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
		s->out.npending = 0;
}

static gboolean
felicita_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Felicita *)emu->priv)->scale, 3000);
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
