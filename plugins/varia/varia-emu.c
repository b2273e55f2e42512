/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Varia AKU scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   battery=     percent (default 80), sent every 10th notification packed
 *                behind a weight frame, as the AKU packs frames
 *   interval_ms= time between weight frames (default 100)
 *
 * It streams weight frames on FFF1 while notifications are on and takes the
 * tare command on FFF2, which only allows writes without response.
 */
#include "config.h"

#include <gio/gio.h>

#include "lactd-emu-scale.h"
#include "varia-encode.h"

/* After the last weighing: time enough for a host to see it hold. */
#define HOLD_MS 20000

typedef struct {
	LactdEmuScale scale;
	guint64 battery;
	guint sent;
	double tare;
} Varia;

static const LactdEmuChar varia_chars[] = {
    {VARIA_NOTIFY, "notify"},
    {VARIA_WRITE, "write-without-response"},
    {NULL, NULL},
};

static const LactdEmuService varia_services[] = {
    {VARIA_SERVICE, varia_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"battery", NULL};

static gboolean
varia_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Varia *s = emu->priv;

	s->battery = 80;
	return lactd_emu_scale_init(&s->scale, kf, group, "varia", own_keys, 100, error) &&
	       lactd_emu_key_uint(kf, group, "battery", 0, 100, &s->battery, error);
}

static void
varia_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Varia *)emu->priv)->scale);
}

static void
varia_advance(LactdEmu *emu)
{
	Varia *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 buf[2 * VARIA_FRAME_MAX + 4];
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;
		gsize n = varia_encode_weight(buf, grams);

		if (n == 0)
			continue;
		/* Two frames in one notification now and then. */
		if (++s->sent % 10 == 0)
			n += varia_encode_battery(buf + n, (guint8)s->battery);
		lactd_emu_send(emu, VARIA_NOTIFY, buf, n);
	}
}

static gboolean
varia_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Varia *s = emu->priv;

	if (!lactd_emu_scale_check_write(uuid, VARIA_WRITE, error))
		return FALSE;
	if (len < 4 || data[0] != VARIA_HEADER || len != 4 + (gsize)data[2] ||
	    varia_xor(data + 1, len - 2) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a Varia command with its checksum");
		return FALSE;
	}
	if (data[1] == VARIA_TARE)
		s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
	return TRUE;
}

static gboolean
varia_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Varia *)emu->priv)->scale, HOLD_MS);
}

const LactdEmuClass lactd_emu_varia = {
    .name = "varia",
    .default_name = "Varia AKU",
    .services = varia_services,
    .priv_size = sizeof(Varia),
    .init = varia_init,
    .advance = varia_advance,
    .write = varia_write,
    .finished = varia_finished,
    .finalize = varia_finalize,
};
