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
#include <math.h>

#include "eureka-encode.h"
#include "lactd-emu.h"

#define SETTLE_MS 1000
#define HOLD_MS	  20000
#define MAX_GRAMS 2000.0
#define OUNCE_G	  28.349523125

typedef LactdEmuWeighing Weighing;

typedef struct {
	gint64 interval_ms;
	GArray *weighings;
	gint64 done_ms;
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

static const char *const known_keys[] = {"emulator", "name", "weighings", "unit", "interval_ms",
					 NULL};

static gboolean
eureka_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Eureka *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->interval_ms = 100;
	s->unit = EUREKA_UNIT_GRAMS;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the eureka emulator", group, keys[i]);
			return FALSE;
		}
	}
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
eureka_finalize(LactdEmu *emu)
{
	Eureka *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Eureka *s, gint64 t)
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
eureka_advance(LactdEmu *emu)
{
	Eureka *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 buf[EUREKA_FRAME_LEN];
		double g;

		s->done_ms += s->interval_ms;
		g = load_at(s, s->done_ms) - s->tare;
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

	if (!g_str_equal(uuid, EUREKA_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len == 4 && data[0] == EUREKA_HEADER && data[1] == 0x03 && data[2] == EUREKA_CMD_UNIT &&
	    data[3] <= EUREKA_UNIT_MILLILITRES) {
		s->unit = data[3];
		return TRUE;
	}
	if (len == 4 && data[0] == EUREKA_HEADER && data[1] == 0x02 && data[2] == data[3]) {
		if (data[2] == EUREKA_CMD_TARE)
			s->tare = load_at(s, emu->sim_ms);
		return TRUE;
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a Eureka command");
	return FALSE;
}

static gboolean
eureka_finished(LactdEmu *emu)
{
	Eureka *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + HOLD_MS;
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
