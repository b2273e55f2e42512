/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Eureka Precisa scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   unit=        g (default), oz or ml: the unit the scale was left in. Its
 *                frames then show that unit (ounces, or millilitres of
 *                water, 1 g/mL) with nothing in the frame to say so, until
 *                the central sends the grams command
 *   interval_ms= time between status frames (default 100)
 *
 * Status frames on FFF1 while notifications are on; commands (unit, tare)
 * on FFF2, which takes writes without response only.
 */
#include "config.h"

#include <gio/gio.h>

#include "eureka-encode.h"
#include "lactd-emu-scale.h"

#define HOLD_MS	20000
#define OUNCE_G 28.349523125

typedef struct {
	LactdEmuScale scale;
	guint8 unit;
	double tare;
} Eureka;

static const LactdEmuChar eureka_chars[] = {
    {EUREKA_NOTIFY, "notify"},
    {EUREKA_WRITE, "write-without-response"},
    {NULL, NULL},
};

static const LactdEmuService eureka_services[] = {
    {EUREKA_SERVICE, eureka_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"unit", NULL};

static gboolean
eureka_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Eureka *s = emu->priv;
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);

	s->unit = EUREKA_UNIT_GRAMS;
	if (unit != NULL) {
		if (g_str_equal(unit, "g"))
			s->unit = EUREKA_UNIT_GRAMS;
		else if (g_str_equal(unit, "oz"))
			s->unit = EUREKA_UNIT_OUNCES;
		else if (g_str_equal(unit, "ml"))
			s->unit = EUREKA_UNIT_MILLILITRES;
		else {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] unit: g, oz or ml", group);
			return FALSE;
		}
	}
	s->scale.max_grams = 2000.0;
	return lactd_emu_scale_init(&s->scale, kf, group, "eureka", own_keys, 100, error);
}

static void
eureka_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Eureka *)emu->priv)->scale);
}

static void
eureka_advance(LactdEmu *emu)
{
	Eureka *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 buf[EUREKA_FRAME_LEN];
		double g = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;

		if (s->unit == EUREKA_UNIT_OUNCES)
			g /= OUNCE_G;
		if (eureka_encode_status(buf, g, FALSE, 0))
			lactd_emu_send(emu, EUREKA_NOTIFY, buf, sizeof(buf));
	}
}

static gboolean
eureka_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Eureka *s = emu->priv;

	if (!lactd_emu_scale_check_write(uuid, EUREKA_WRITE, error))
		return FALSE;
	if (len == 4 && data[0] == EUREKA_HEADER && data[1] == 0x03 && data[2] == EUREKA_CMD_UNIT &&
	    data[3] <= EUREKA_UNIT_MILLILITRES) {
		s->unit = data[3];
		return TRUE;
	}
	if (len == 4 && data[0] == EUREKA_HEADER && data[1] == 0x02 && data[2] == data[3]) {
		if (data[2] == EUREKA_CMD_TARE)
			s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
		return TRUE;
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a Eureka command");
	return FALSE;
}

static gboolean
eureka_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Eureka *)emu->priv)->scale, HOLD_MS);
}

const LactdEmuClass lactd_emu_eureka = {
    .name = "eureka",
    .default_name = "CFS-9002",
    .services = eureka_services,
    .priv_size = sizeof(Eureka),
    .init = eureka_init,
    .advance = eureka_advance,
    .write = eureka_write,
    .finished = eureka_finished,
    .finalize = eureka_finalize,
};
