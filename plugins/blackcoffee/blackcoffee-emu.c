/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Blackcoffee.io scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default "BlackCoffee")
 *   weighings=   "at_s:grams;...": at at_s seconds the load becomes grams
 *                (0: taken off); it settles one second later
 *   interval_ms= time between weight frames (default 100)
 *
 * Like the real scale (Beanconqueror's blackcoffeeScale.ts) it notifies a
 * frame per weight once notifications are on, still once the load has
 * settled. It has no writable characteristic.
 */
#include "config.h"

#include "blackcoffee-encode.h"
#include "lactd-emu-scale.h"

typedef struct {
	LactdEmuScale scale;
} Blackcoffee;

static const LactdEmuChar blackcoffee_chars[] = {
    {BLACKCOFFEE_NOTIFY, "notify"},
    {NULL, NULL},
};

static const LactdEmuService blackcoffee_services[] = {
    {BLACKCOFFEE_SERVICE, blackcoffee_chars},
    {NULL, NULL},
};

static gboolean
blackcoffee_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Blackcoffee *s = emu->priv;

	return lactd_emu_scale_init(&s->scale, kf, group, "blackcoffee", NULL, 100, error);
}

static void
blackcoffee_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Blackcoffee *)emu->priv)->scale);
}

static void
blackcoffee_advance(LactdEmu *emu)
{
	Blackcoffee *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[BLACKCOFFEE_EMU_LEN];
		gboolean stable;
		double grams = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, &stable);

		if (blackcoffee_encode_weight(f, grams, stable))
			lactd_emu_send(emu, BLACKCOFFEE_NOTIFY, f, sizeof(f));
	}
}

static gboolean
blackcoffee_finished(LactdEmu *emu)
{
	Blackcoffee *s = emu->priv;

	return lactd_emu_scale_finished(&s->scale, 3 * s->scale.interval_ms);
}

const LactdEmuClass lactd_emu_blackcoffee = {
    .name = "blackcoffee",
    .default_name = "BlackCoffee",
    .services = blackcoffee_services,
    .priv_size = sizeof(Blackcoffee),
    .init = blackcoffee_init,
    .advance = blackcoffee_advance,
    .finished = blackcoffee_finished,
    .finalize = blackcoffee_finalize,
};
