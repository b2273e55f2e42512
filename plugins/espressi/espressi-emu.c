/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated EspressiScale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default "EspressiScale")
 *   weighings=   "at_s:grams;...": at at_s seconds the load becomes grams
 *                (0: taken off); it settles one second later
 *   interval_ms= time between weight frames (default 100)
 *   packing=     single (default: one frame a notification), split (each
 *                frame in two notifications, 3 and 4 bytes) or packed (two
 *                frames a notification), as radios and firmwares do
 *
 *   buttons=     "at_s;at_s...": moments the tare button is pressed (a
 *                button frame, then the weight tared to zero)
 *
 * Like the real scale (Beanconqueror's espressiScale.ts) it notifies a
 * frame per weight once notifications are on, 0xCE once the load has
 * settled and 0xCA while it moves. Commands to 36F5 must be 7 bytes with
 * their XOR; they change nothing emulated.
 */
#include "config.h"

#include <gio/gio.h>

#include "espressi-encode.h"
#include "lactd-emu-scale.h"

typedef struct {
	LactdEmuScale scale;
	LactdEmuPacker packer;
	GArray *buttons; /* gint64 ms, by time */
	guint next_button;
	double tare;
} Espressi;

static const LactdEmuChar espressi_chars[] = {
    {ESPRESSI_NOTIFY, "notify"},
    {ESPRESSI_WRITE, "write"},
    {NULL, NULL},
};

static const LactdEmuService espressi_services[] = {
    {ESPRESSI_SERVICE, espressi_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"packing", "buttons", NULL};

static gboolean
espressi_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Espressi *s = emu->priv;
	g_auto(GStrv) buttons = g_key_file_get_string_list(kf, group, "buttons", NULL, NULL);

	s->buttons = g_array_new(FALSE, FALSE, sizeof(gint64));
	for (guint i = 0; buttons != NULL && buttons[i] != NULL; i++) {
		guint64 v;
		gint64 ms;

		if (!g_ascii_string_to_unsigned(g_strstrip(buttons[i]), 10, 0, 7 * 24 * 3600, &v,
						NULL)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] buttons: seconds, separated by ';'", group);
			return FALSE;
		}
		ms = (gint64)v * 1000;
		g_array_append_val(s->buttons, ms);
	}
	return lactd_emu_scale_init(&s->scale, kf, group, "espressi", own_keys, 100, error) &&
	       lactd_emu_packer_init(&s->packer, kf, group, error);
}

static void
espressi_finalize(LactdEmu *emu)
{
	Espressi *s = emu->priv;

	lactd_emu_scale_clear(&s->scale);
	g_clear_pointer(&s->buttons, g_array_unref);
}

static void
espressi_advance(LactdEmu *emu)
{
	Espressi *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[ESPRESSI_FRAME_LEN];
		gboolean stable;
		double grams;

		if (!lactd_emu_is_subscribed(emu, ESPRESSI_NOTIFY))
			continue;
		if (s->next_button < s->buttons->len &&
		    g_array_index(s->buttons, gint64, s->next_button) <= s->scale.done_ms) {
			s->next_button++;
			s->tare = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL);
			espressi_encode_button(f, 1);
			lactd_emu_packer_send(&s->packer, emu, ESPRESSI_NOTIFY, f, sizeof(f), 3);
		}
		grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, &stable) - s->tare;
		if (espressi_encode_weight(f, grams, stable))
			lactd_emu_packer_send(&s->packer, emu, ESPRESSI_NOTIFY, f, sizeof(f), 3);
	}
}

static gboolean
espressi_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	if (!lactd_emu_scale_check_write(uuid, ESPRESSI_WRITE, error))
		return FALSE;
	if (len != ESPRESSI_FRAME_LEN || data[0] != ESPRESSI_HEADER ||
	    espressi_xor(data, len - 1) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a 7-byte command with its checksum");
		return FALSE;
	}
	return TRUE;
}

static void
espressi_link(LactdEmu *emu, gboolean up)
{
	lactd_emu_packer_reset(&((Espressi *)emu->priv)->packer);
}

static gboolean
espressi_finished(LactdEmu *emu)
{
	Espressi *s = emu->priv;

	return lactd_emu_scale_finished(&s->scale, 3 * s->scale.interval_ms);
}

const LactdEmuClass lactd_emu_espressi = {
    .name = "espressi",
    .default_name = "EspressiScale",
    .services = espressi_services,
    .priv_size = sizeof(Espressi),
    .init = espressi_init,
    .advance = espressi_advance,
    .write = espressi_write,
    .link = espressi_link,
    .finished = espressi_finished,
    .finalize = espressi_finalize,
};
