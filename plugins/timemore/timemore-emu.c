/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Timemore Black Mirror scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   interval_ms= time between weight frames (default 100)
 *
 * Like the real scale (the GaggiMate library's timemore.cpp) it indicates
 * weight frames on 0x2A9D once indications are on and the central wrote
 * the request 02 00, and stops when no heartbeat (00) came for
 * STARVE_MS. Commands (tare) on the command characteristic.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "lactd-emu-scale.h"
#include "timemore-encode.h"

#define STARVE_MS 6000
#define HOLD_MS	  20000

typedef struct {
	LactdEmuScale scale;
	gboolean requested;
	gint64 last_beat_ms;
	double tare;
} Timemore;

static const LactdEmuChar timemore_chars[] = {
    {TIMEMORE_WEIGHT, "indicate,write"},
    {TIMEMORE_COMMAND, "write"},
    {NULL, NULL},
};

static const LactdEmuService timemore_services[] = {
    {TIMEMORE_SERVICE, timemore_chars},
    {NULL, NULL},
};

static gboolean
timemore_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Timemore *s = emu->priv;

	s->scale.max_grams = 2000.0;
	return lactd_emu_scale_init(&s->scale, kf, group, "timemore", NULL, 100, error);
}

static void
timemore_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Timemore *)emu->priv)->scale);
}

static void
timemore_advance(LactdEmu *emu)
{
	Timemore *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 buf[TIMEMORE_FRAME_LEN];
		double g;

		if (!s->requested || s->scale.done_ms - s->last_beat_ms > STARVE_MS)
			continue;
		g = lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL) - s->tare;
		g = round(g * 10) / 10;
		timemore_encode_weight(buf, g, g);
		lactd_emu_send(emu, TIMEMORE_WEIGHT, buf, sizeof(buf));
	}
}

static gboolean
timemore_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Timemore *s = emu->priv;

	if (g_str_equal(uuid, TIMEMORE_WEIGHT)) {
		if (len == 2 && data[0] == 0x02 && data[1] == 0x00) {
			s->requested = TRUE;
			s->last_beat_ms = emu->sim_ms;
		} else if (len == 1 && data[0] == 0x00) {
			s->last_beat_ms = emu->sim_ms;
		} else {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
				    "neither the request nor the heartbeat");
			return FALSE;
		}
		return TRUE;
	}
	if (g_str_equal(uuid, TIMEMORE_COMMAND) && len == 1) {
		if (data[0] == TIMEMORE_CMD_TARE)
			s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
		return TRUE;
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "not a Timemore command");
	return FALSE;
}

static void
timemore_link(LactdEmu *emu, gboolean up)
{
	Timemore *s = emu->priv;

	/* A new link asks again. */
	s->requested = FALSE;
}

static gboolean
timemore_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Timemore *)emu->priv)->scale, HOLD_MS);
}

const LactdEmuClass lactd_emu_timemore = {
    .name = "timemore",
    .default_name = "Timemore Scale",
    .services = timemore_services,
    .priv_size = sizeof(Timemore),
    .init = timemore_init,
    .advance = timemore_advance,
    .write = timemore_write,
    .link = timemore_link,
    .finished = timemore_finished,
    .finalize = timemore_finalize,
};
