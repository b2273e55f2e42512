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

#include <gio/gio.h>
#include <string.h>

#include "lactd-emu.h"
#include "weighmaster-encode.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 3000.0

typedef enum {
	PACK_SINGLE,
	PACK_SPLIT,
	PACK_PACKED,
} Packing;

typedef struct {
	gint64 interval_ms;
	Packing packing;
	GArray *weighings; /* LactdEmuWeighing, by time */
	gint64 done_ms;
	guint8 held[WEIGHMASTER_FRAME_LEN]; /* PACK_PACKED: a frame waiting for its pair */
	gboolean holding;
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

static const char *const known_keys[] = {"emulator", "name", "weighings", "interval_ms",
					 "packing", NULL};

static gboolean
weighmaster_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Weighmaster *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	g_autofree char *packing = g_key_file_get_string(kf, group, "packing", NULL);

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the weighmaster emulator", group,
				    keys[i]);
			return FALSE;
		}
	}
	if (interval != NULL) {
		guint64 v;

		if (!g_ascii_string_to_unsigned(interval, 10, 10, 5000, &v, NULL)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] interval_ms: 10 to 5000", group);
			return FALSE;
		}
		s->interval_ms = (gint64)v;
	}
	if (packing == NULL || g_str_equal(packing, "single"))
		s->packing = PACK_SINGLE;
	else if (g_str_equal(packing, "split"))
		s->packing = PACK_SPLIT;
	else if (g_str_equal(packing, "packed"))
		s->packing = PACK_PACKED;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] packing: single, split or packed", group);
		return FALSE;
	}
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
weighmaster_finalize(LactdEmu *emu)
{
	Weighmaster *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Weighmaster *s, gint64 t, gboolean *stable)
{
	double before = 0, now = 0;
	gint64 since = -1;

	for (guint i = 0; i < s->weighings->len; i++) {
		const LactdEmuWeighing *w = &g_array_index(s->weighings, LactdEmuWeighing, i);

		if (w->at_ms > t)
			break;
		before = now;
		now = w->grams;
		since = w->at_ms;
	}
	if (since >= 0 && t - since < SETTLE_MS) {
		*stable = FALSE;
		return before + (now - before) * (double)(t - since) / SETTLE_MS;
	}
	*stable = TRUE;
	return now;
}

static void
send_frame(LactdEmu *emu, Weighmaster *s, const guint8 *f)
{
	guint8 two[2 * WEIGHMASTER_FRAME_LEN];

	switch (s->packing) {
	case PACK_SINGLE:
		lactd_emu_send(emu, WEIGHMASTER_NOTIFY, f, WEIGHMASTER_FRAME_LEN);
		break;
	case PACK_SPLIT:
		lactd_emu_send(emu, WEIGHMASTER_NOTIFY, f, 3);
		lactd_emu_send(emu, WEIGHMASTER_NOTIFY, f + 3, WEIGHMASTER_FRAME_LEN - 3);
		break;
	case PACK_PACKED:
		if (!s->holding) {
			memcpy(s->held, f, WEIGHMASTER_FRAME_LEN);
			s->holding = TRUE;
			break;
		}
		memcpy(two, s->held, WEIGHMASTER_FRAME_LEN);
		memcpy(two + WEIGHMASTER_FRAME_LEN, f, WEIGHMASTER_FRAME_LEN);
		s->holding = FALSE;
		lactd_emu_send(emu, WEIGHMASTER_NOTIFY, two, sizeof(two));
		break;
	}
}

static void
weighmaster_advance(LactdEmu *emu)
{
	Weighmaster *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 f[WEIGHMASTER_FRAME_LEN];
		gboolean stable;
		double grams;

		s->done_ms += s->interval_ms;
		if (!emu->connected || !lactd_emu_is_subscribed(emu, WEIGHMASTER_NOTIFY))
			continue;
		grams = load_at(s, s->done_ms, &stable);
		if (weighmaster_encode_weight(f, grams, stable))
			send_frame(emu, s, f);
	}
}

static GBytes *
weighmaster_read(LactdEmu *emu, const char *uuid, GError **error)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
weighmaster_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	if (!g_str_equal(uuid, WEIGHMASTER_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	return TRUE;
}

static void
weighmaster_link(LactdEmu *emu, gboolean up)
{
	Weighmaster *s = emu->priv;

	s->holding = FALSE;
}

static gboolean
weighmaster_finished(LactdEmu *emu)
{
	Weighmaster *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3 * s->interval_ms;
}

const LactdEmuClass lactd_emu_weighmaster = {
    .name = "weighmaster",
    .default_name = "WeighMaster ECS-02",
    .services = weighmaster_services,
    .priv_size = sizeof(Weighmaster),
    .init = weighmaster_init,
    .advance = weighmaster_advance,
    .read = weighmaster_read,
    .write = weighmaster_write,
    .link = weighmaster_link,
    .finished = weighmaster_finished,
    .finalize = weighmaster_finalize,
};
