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

#include <gio/gio.h>

#include "lactd-emu.h"
#include "blackcoffee-encode.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 3000.0

typedef struct {
	gint64 interval_ms;
	GArray *weighings; /* LactdEmuWeighing, by time */
	gint64 done_ms;
} Blackcoffee;

static const LactdEmuChar blackcoffee_chars[] = {
    {BLACKCOFFEE_NOTIFY, "notify"},
    {NULL, NULL},
};

static const LactdEmuService blackcoffee_services[] = {
    {BLACKCOFFEE_SERVICE, blackcoffee_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name", "weighings", "interval_ms", NULL};

static gboolean
blackcoffee_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Blackcoffee *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the blackcoffee emulator", group,
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
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
blackcoffee_finalize(LactdEmu *emu)
{
	Blackcoffee *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Blackcoffee *s, gint64 t, gboolean *stable)
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
blackcoffee_advance(LactdEmu *emu)
{
	Blackcoffee *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 f[BLACKCOFFEE_EMU_LEN];
		gboolean stable;
		double grams;

		s->done_ms += s->interval_ms;
		if (!emu->connected || !lactd_emu_is_subscribed(emu, BLACKCOFFEE_NOTIFY))
			continue;
		grams = load_at(s, s->done_ms, &stable);
		if (blackcoffee_encode_weight(f, grams, stable))
			lactd_emu_send(emu, BLACKCOFFEE_NOTIFY, f, sizeof(f));
	}
}

static GBytes *
blackcoffee_read(LactdEmu *emu, const char *uuid, GError **error)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
blackcoffee_finished(LactdEmu *emu)
{
	Blackcoffee *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3 * s->interval_ms;
}

const LactdEmuClass lactd_emu_blackcoffee = {
    .name = "blackcoffee",
    .default_name = "BlackCoffee",
    .services = blackcoffee_services,
    .priv_size = sizeof(Blackcoffee),
    .init = blackcoffee_init,
    .advance = blackcoffee_advance,
    .read = blackcoffee_read,
    .finished = blackcoffee_finished,
    .finalize = blackcoffee_finalize,
};
