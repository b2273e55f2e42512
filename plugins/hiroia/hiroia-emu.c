/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Hiroia Jimmy, driven by a scenario.
 *
 * Scenario keys: those of every scale emulator (lactd-emu-scale.h), and
 *   unit=   g (default) or oz: what the scale shows at switch-on; the
 *           unit toggle command 0B 00 switches it
 *   mode=   1 to 6 (default 1, scale only)
 *
 * It streams status frames on ...1824 while notifications are on and
 * takes the two-byte commands on ...1823.
 */
#include "config.h"

#include <gio/gio.h>

#include "hiroia-encode.h"
#include "lactd-emu-scale.h"

#define HOLD_MS 20000

typedef struct {
	LactdEmuScale scale;
	gboolean ounces;
	guint8 mode;
	double tare;
	guint unit_toggles;
} Hiroia;

static const LactdEmuChar hiroia_chars[] = {
    {HIROIA_WRITE, "write"},
    {HIROIA_NOTIFY, "notify"},
    {NULL, NULL},
};

static const LactdEmuService hiroia_services[] = {
    {HIROIA_SERVICE, hiroia_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"unit", "mode", NULL};

static gboolean
hiroia_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Hiroia *s = emu->priv;
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	guint64 mode = 1;

	if (!lactd_emu_scale_init(&s->scale, kf, group, "hiroia", own_keys, 100, error) ||
	    !lactd_emu_key_uint(kf, group, "mode", 1, 6, &mode, error))
		return FALSE;
	s->mode = (guint8)mode;
	if (unit != NULL && !g_str_equal(unit, "g") && !g_str_equal(unit, "oz")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] unit: g or oz",
			    group);
		return FALSE;
	}
	s->ounces = g_strcmp0(unit, "oz") == 0;
	return TRUE;
}

static void
hiroia_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Hiroia *)emu->priv)->scale);
}

static void
hiroia_advance(LactdEmu *emu)
{
	Hiroia *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[HIROIA_FRAME_LEN];
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;

		if (hiroia_encode_status(f, s->mode, s->ounces, grams))
			lactd_emu_send(emu, HIROIA_NOTIFY, f, sizeof(f));
	}
}

static gboolean
hiroia_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Hiroia *s = emu->priv;

	if (!lactd_emu_scale_check_write(uuid, HIROIA_WRITE, error))
		return FALSE;
	if (len != 2 || data[1] != 0x00) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a Jimmy command");
		return FALSE;
	}
	switch (data[0]) {
	case HIROIA_CMD_UNIT:
		s->ounces = !s->ounces;
		s->unit_toggles++;
		return TRUE;
	case HIROIA_CMD_TARE:
		s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
		return TRUE;
	case HIROIA_CMD_MODE:
		s->mode = (guint8)(s->mode % 6 + 1);
		return TRUE;
	case HIROIA_CMD_TIMER:
		return TRUE;
	default:
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown Jimmy command");
		return FALSE;
	}
}

static gboolean
hiroia_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Hiroia *)emu->priv)->scale, HOLD_MS);
}

const LactdEmuClass lactd_emu_hiroia = {
    .name = "hiroia",
    .default_name = "HIROIA JIMMY",
    .services = hiroia_services,
    .priv_size = sizeof(Hiroia),
    .init = hiroia_init,
    .advance = hiroia_advance,
    .write = hiroia_write,
    .finished = hiroia_finished,
    .finalize = hiroia_finalize,
};
