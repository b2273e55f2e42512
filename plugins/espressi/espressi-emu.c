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
#include <string.h>

#include "lactd-emu.h"
#include "espressi-encode.h"

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
	GArray *buttons;   /* gint64 ms, by time */
	guint next_button;
	double tare;
	gint64 done_ms;
	guint8 held[ESPRESSI_FRAME_LEN]; /* PACK_PACKED: a frame waiting for its pair */
	gboolean holding;
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

static const char *const known_keys[] = {"emulator", "name", "weighings", "interval_ms",
					 "packing", "buttons", NULL};

static gboolean
espressi_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Espressi *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	g_autofree char *packing = g_key_file_get_string(kf, group, "packing", NULL);
	g_auto(GStrv) buttons = g_key_file_get_string_list(kf, group, "buttons", NULL, NULL);

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->interval_ms = 100;
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
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the espressi emulator", group,
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
espressi_finalize(LactdEmu *emu)
{
	Espressi *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
	if (s->buttons != NULL)
		g_array_unref(s->buttons);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Espressi *s, gint64 t, gboolean *stable)
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
send_frame(LactdEmu *emu, Espressi *s, const guint8 *f)
{
	guint8 two[2 * ESPRESSI_FRAME_LEN];

	switch (s->packing) {
	case PACK_SINGLE:
		lactd_emu_send(emu, ESPRESSI_NOTIFY, f, ESPRESSI_FRAME_LEN);
		break;
	case PACK_SPLIT:
		lactd_emu_send(emu, ESPRESSI_NOTIFY, f, 3);
		lactd_emu_send(emu, ESPRESSI_NOTIFY, f + 3, ESPRESSI_FRAME_LEN - 3);
		break;
	case PACK_PACKED:
		if (!s->holding) {
			memcpy(s->held, f, ESPRESSI_FRAME_LEN);
			s->holding = TRUE;
			break;
		}
		memcpy(two, s->held, ESPRESSI_FRAME_LEN);
		memcpy(two + ESPRESSI_FRAME_LEN, f, ESPRESSI_FRAME_LEN);
		s->holding = FALSE;
		lactd_emu_send(emu, ESPRESSI_NOTIFY, two, sizeof(two));
		break;
	}
}

static void
espressi_advance(LactdEmu *emu)
{
	Espressi *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 f[ESPRESSI_FRAME_LEN];
		gboolean stable;
		double grams;

		s->done_ms += s->interval_ms;
		if (!emu->connected || !lactd_emu_is_subscribed(emu, ESPRESSI_NOTIFY))
			continue;
		if (s->next_button < s->buttons->len &&
		    g_array_index(s->buttons, gint64, s->next_button) <= s->done_ms) {
			s->next_button++;
			s->tare = load_at(s, s->done_ms, &stable);
			espressi_encode_button(f, 1);
			send_frame(emu, s, f);
		}
		grams = load_at(s, s->done_ms, &stable) - s->tare;
		if (espressi_encode_weight(f, grams, stable))
			send_frame(emu, s, f);
	}
}

static GBytes *
espressi_read(LactdEmu *emu, const char *uuid, GError **error)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
espressi_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	if (!g_str_equal(uuid, ESPRESSI_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
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
	Espressi *s = emu->priv;

	s->holding = FALSE;
}

static gboolean
espressi_finished(LactdEmu *emu)
{
	Espressi *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3 * s->interval_ms;
}

const LactdEmuClass lactd_emu_espressi = {
    .name = "espressi",
    .default_name = "EspressiScale",
    .services = espressi_services,
    .priv_size = sizeof(Espressi),
    .init = espressi_init,
    .advance = espressi_advance,
    .read = espressi_read,
    .write = espressi_write,
    .link = espressi_link,
    .finished = espressi_finished,
    .finalize = espressi_finalize,
};
