/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Atomax Skale 2, driven by a scenario.
 *
 * Scenario keys: those of every scale emulator (lactd-emu-scale.h), and
 *   unit=      g (default) or oz: what the display shows at switch-on;
 *              the commands 03 and 02 set it. The weight frames are grams
 *              whatever it shows.
 *   exponent=  the frames' exponent, -4 to 2 (default -1, as every Skale
 *              sends)
 *
 * It streams weight frames on EF81 while notifications are on and takes
 * the one-byte commands on EF80.
 */
#include "config.h"

#include <gio/gio.h>

#include "lactd-emu-scale.h"
#include "skale-encode.h"

#define HOLD_MS 20000

typedef struct {
	LactdEmuScale scale;
	gboolean ounces; /* the display's unit */
	gboolean display_on;
	int exponent;
	double tare;
} Skale;

static const LactdEmuChar skale_chars[] = {
    {SKALE_WRITE, "write"},
    {SKALE_NOTIFY, "notify"},
    {SKALE_BUTTON, "notify"},
    {NULL, NULL},
};

static const LactdEmuService skale_services[] = {
    {SKALE_SERVICE, skale_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"unit", "exponent", NULL};

static gboolean
skale_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Skale *s = emu->priv;
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *exponent = g_key_file_get_string(kf, group, "exponent", NULL);
	gint64 e = -1;

	if (!lactd_emu_scale_init(&s->scale, kf, group, "skale", own_keys, 100, error))
		return FALSE;
	if (unit != NULL && !g_str_equal(unit, "g") && !g_str_equal(unit, "oz")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] unit: g or oz",
			    group);
		return FALSE;
	}
	if (exponent != NULL && !g_ascii_string_to_signed(exponent, 10, SKALE_EXP_MIN,
							  SKALE_EXP_MAX, &e, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] exponent: %d to %d", group, SKALE_EXP_MIN, SKALE_EXP_MAX);
		return FALSE;
	}
	s->ounces = g_strcmp0(unit, "oz") == 0;
	s->exponent = (int)e;
	return TRUE;
}

static void
skale_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Skale *)emu->priv)->scale);
}

static void
skale_advance(LactdEmu *emu)
{
	Skale *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[SKALE_FRAME_LEN];
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;

		if (skale_encode_weight(f, grams, s->exponent))
			lactd_emu_send(emu, SKALE_NOTIFY, f, sizeof(f));
	}
}

static gboolean
skale_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Skale *s = emu->priv;

	if (!lactd_emu_scale_check_write(uuid, SKALE_WRITE, error))
		return FALSE;
	if (len != 1) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a Skale command");
		return FALSE;
	}
	switch (data[0]) {
	case SKALE_CMD_GRAMS:
	case SKALE_CMD_OUNCES:
		s->ounces = data[0] == SKALE_CMD_OUNCES;
		return TRUE;
	case SKALE_CMD_DISPLAY_ON:
	case SKALE_CMD_DISPLAY_OFF:
		s->display_on = data[0] == SKALE_CMD_DISPLAY_ON;
		return TRUE;
	case SKALE_CMD_WEIGHT:
		return TRUE;
	case SKALE_CMD_TARE:
		s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
		return TRUE;
	default:
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "unknown Skale command");
		return FALSE;
	}
}

static gboolean
skale_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Skale *)emu->priv)->scale, HOLD_MS);
}

const char *
skale_emu_display_unit(LactdEmu *emu)
{
	return ((Skale *)emu->priv)->ounces ? "oz" : "g";
}

const LactdEmuClass lactd_emu_skale = {
    .name = "skale",
    .default_name = "Skale",
    .services = skale_services,
    .priv_size = sizeof(Skale),
    .init = skale_init,
    .advance = skale_advance,
    .write = skale_write,
    .finished = skale_finished,
    .finalize = skale_finalize,
};
