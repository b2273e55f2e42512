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
#include <math.h>

#include "lactd-emu.h"
#include "varia-encode.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 3000.0
/* After the last weighing: time enough for a host to see it hold. */
#define HOLD_MS 20000

typedef LactdEmuWeighing Weighing;

typedef struct {
	guint8 battery;
	gint64 interval_ms;
	GArray *weighings;
	gint64 done_ms;
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

static const char *const known_keys[] = {"emulator", "name", "weighings", "battery",
					 "interval_ms", NULL};

static gboolean
varia_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Varia *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->battery = 80;
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the varia emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (battery != NULL) {
		if (!g_ascii_string_to_unsigned(battery, 10, 0, 100, &v, NULL)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] battery: 0 to 100", group);
			return FALSE;
		}
		s->battery = (guint8)v;
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
varia_finalize(LactdEmu *emu)
{
	Varia *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Varia *s, gint64 t)
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
varia_advance(LactdEmu *emu)
{
	Varia *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 buf[2 * VARIA_FRAME_MAX + 4];
		gsize n;

		s->done_ms += s->interval_ms;
		n = varia_encode_weight(buf, load_at(s, s->done_ms) - s->tare);
		if (n == 0)
			continue;
		/* Two frames in one notification now and then. */
		if (++s->sent % 10 == 0)
			n += varia_encode_battery(buf + n, s->battery);
		lactd_emu_send(emu, VARIA_NOTIFY, buf, n);
	}
}

static gboolean
varia_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Varia *s = emu->priv;

	if (!g_str_equal(uuid, VARIA_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len < 4 || data[0] != VARIA_HEADER || len != 4 + (gsize)data[2] ||
	    varia_xor(data + 1, len - 2) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a Varia command with its checksum");
		return FALSE;
	}
	if (data[1] == VARIA_TARE)
		s->tare = load_at(s, emu->sim_ms);
	return TRUE;
}

static gboolean
varia_finished(LactdEmu *emu)
{
	Varia *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + HOLD_MS;
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
