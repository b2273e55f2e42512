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

#include "lactd-emu.h"
#include "timemore-encode.h"

#define SETTLE_MS 1000
#define STARVE_MS 6000
#define HOLD_MS	  20000
#define MAX_GRAMS 2000.0

typedef LactdEmuWeighing Weighing;

typedef struct {
	gint64 interval_ms;
	GArray *weighings;
	gint64 done_ms;
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

static const char *const known_keys[] = {"emulator", "name", "weighings", "interval_ms", NULL};

static gboolean
timemore_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Timemore *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the timemore emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (interval != NULL) {
		if (!g_ascii_string_to_unsigned(interval, 10, 10, 5000, &v, NULL)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] interval_ms: 10 to 5000", group);
			return FALSE;
		}
		s->interval_ms = (gint64)v;
	}
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
timemore_finalize(LactdEmu *emu)
{
	Timemore *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Timemore *s, gint64 t)
{
	double before = 0, now = 0;
	gint64 since = -1;

	for (guint i = 0; i < s->weighings->len; i++) {
		const Weighing *w = &g_array_index(s->weighings, Weighing, i);

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
timemore_advance(LactdEmu *emu)
{
	Timemore *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 buf[TIMEMORE_FRAME_LEN];
		double g;

		s->done_ms += s->interval_ms;
		if (!s->requested || s->done_ms - s->last_beat_ms > STARVE_MS)
			continue;
		g = round((load_at(s, s->done_ms) - s->tare) * 10) / 10;
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
			s->tare = load_at(s, emu->sim_ms);
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
	Timemore *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + HOLD_MS;
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
