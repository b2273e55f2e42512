/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated WeighMaster ECS-02 / MantaBrew scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default "WeighMaster ECS-02")
 *   weighings=   "at_s:grams;...": at at_s seconds the load becomes grams
 *                (0: taken off); it settles one second later
 *   interval_ms= time between weight frames (default 100)
 *   packing=     single (default: one frame a notification), split (each
 *                frame in two notifications, 3 and 4 bytes) or packed (two
 *                frames a notification), as radios and firmwares do
 *
 * Like the real scale (Beanconqueror's weighMasterScale.ts) it notifies a
 * frame per weight once notifications are on, with the stable bit set once
 * the load has settled. Writes to FFF1 are taken and change nothing.
 */
#include "config.h"

#include "lactd-emu-scale.h"
#include "weighmaster-encode.h"

typedef struct {
	LactdEmuScale scale;
	LactdEmuPacker packer;
} Weighmaster;

static const LactdEmuChar weighmaster_chars[] = {
    {WEIGHMASTER_NOTIFY, "notify"},
    {WEIGHMASTER_WRITE, "write-without-response"},
    {NULL, NULL},
};

static const LactdEmuService weighmaster_services[] = {
    {WEIGHMASTER_SERVICE, weighmaster_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"packing", NULL};

static gboolean
weighmaster_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Weighmaster *s = emu->priv;

	return lactd_emu_scale_init(&s->scale, kf, group, "weighmaster", own_keys, 100, error) &&
	       lactd_emu_packer_init(&s->packer, kf, group, error);
}

static void
weighmaster_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Weighmaster *)emu->priv)->scale);
}

static void
weighmaster_advance(LactdEmu *emu)
{
	Weighmaster *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[WEIGHMASTER_FRAME_LEN];
		gboolean stable;
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, &stable);

		if (weighmaster_encode_weight(f, grams, stable))
			lactd_emu_packer_send(&s->packer, emu, WEIGHMASTER_NOTIFY, f, sizeof(f), 3);
	}
}

static gboolean
weighmaster_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	return lactd_emu_scale_check_write(uuid, WEIGHMASTER_WRITE, error);
}

static void
weighmaster_link(LactdEmu *emu, gboolean up)
{
	lactd_emu_packer_reset(&((Weighmaster *)emu->priv)->packer);
}

static gboolean
weighmaster_finished(LactdEmu *emu)
{
	Weighmaster *s = emu->priv;

	return lactd_emu_scale_finished(&s->scale, 3 * s->scale.interval_ms);
}

const LactdEmuClass lactd_emu_weighmaster = {
    .name = "weighmaster",
    .default_name = "WeighMaster ECS-02",
    .services = weighmaster_services,
    .priv_size = sizeof(Weighmaster),
    .init = weighmaster_init,
    .advance = weighmaster_advance,
    .write = weighmaster_write,
    .link = weighmaster_link,
    .finished = weighmaster_finished,
    .finalize = weighmaster_finalize,
};
