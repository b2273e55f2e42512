/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Etekcity ESN00 nutrition scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=       Device1.Name
 *   unit=       what the scale displays: g (default), lboz, ml, floz,
 *               ml-milk, floz-milk, oz
 *   weighings=  "at_s:grams;...": at at_s seconds (scenario time) the load
 *               on the scale becomes grams (0: taken off); it settles one
 *               second later
 *
 * Like the real scale (hertzg/metekcity notes.txt) it streams a measurement
 * frame every 500 ms, moving (not settled) while the load changes, reports
 * an item placed or removed, and when notifications are enabled sends the
 * sequence seen after connecting: item state, frame 0xD2, measurement. It
 * takes Set Unit and Set Tare commands on the write characteristic.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "esn00-encode.h"
#include "lactd-emu.h"

#define REPORT_MS 500
#define SETTLE_MS 1000
#define MAX_GRAMS 5000.0 /* the ESN00 is sold as a 5 kg scale */

typedef LactdEmuWeighing Weighing;

typedef struct {
	guint unit;
	GArray *weighings; /* Weighing, by time */
	gint64 done_ms;
	double tare;
	gboolean item_on;
	gboolean item_known;
} Esn00;

static const LactdEmuChar esn00_chars[] = {
    {ESN00_READ, "read"},
    {ESN00_WRITE, "write-without-response,write"},
    {ESN00_NOTIFY, "notify,indicate"},
    {NULL, NULL},
};

static const LactdEmuService esn00_services[] = {
    {ESN00_SERVICE, esn00_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name", "unit", "weighings", NULL};
static const char *const unit_names[] = {"g", "lboz", "ml", "floz", "ml-milk", "floz-milk", "oz"};

/* The shared reader, and each weight one the chosen unit can show. */
static gboolean
parse_weighings(Esn00 *s, const char *text, const char *group, GError **error)
{
	if (!lactd_emu_parse_weighings(text, group, MAX_GRAMS, s->weighings, error))
		return FALSE;
	for (guint i = 0; i < s->weighings->len; i++) {
		gint32 v;
		double grams = g_array_index(s->weighings, Weighing, i).grams;

		if (!esn00_grams_to_value(s->unit, grams, &v)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] weighings: %.1f g cannot be shown in this unit", group,
				    grams);
			return FALSE;
		}
	}
	return TRUE;
}

static gboolean
esn00_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Esn00 *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	gboolean found = unit == NULL;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the esn00 emulator", group, keys[i]);
			return FALSE;
		}
	}
	for (guint i = 0; unit != NULL && i < G_N_ELEMENTS(unit_names); i++) {
		if (g_str_equal(unit, unit_names[i])) {
			s->unit = i;
			found = TRUE;
		}
	}
	if (!found) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] unit: g, lboz, ml, floz, ml-milk, floz-milk or oz", group);
		return FALSE;
	}
	return weighings == NULL || parse_weighings(s, weighings, group, error);
}

static void
esn00_finalize(LactdEmu *emu)
{
	Esn00 *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Esn00 *s, gint64 t, gboolean *stable)
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
	if (since >= 0 && t - since < SETTLE_MS) {
		*stable = FALSE;
		return before + (now - before) * (double)(t - since) / SETTLE_MS;
	}
	*stable = TRUE;
	return now;
}

static void
send_measurement(LactdEmu *emu, Esn00 *s, gint64 t)
{
	guint8 buf[ESN00_MEASUREMENT_LEN];
	gboolean stable;
	double gross = load_at(s, t, &stable);

	if (esn00_encode_measurement(buf, s->unit, gross - s->tare, stable) != 0)
		lactd_emu_send(emu, ESN00_NOTIFY, buf, sizeof(buf));
}

static void
send_state(LactdEmu *emu, guint8 type, guint8 value)
{
	guint8 buf[8];

	esn00_encode_state(buf, type, value);
	lactd_emu_send(emu, ESN00_NOTIFY, buf, sizeof(buf));
}

static void
esn00_advance(LactdEmu *emu)
{
	Esn00 *s = emu->priv;

	while (s->done_ms + REPORT_MS <= emu->sim_ms) {
		gboolean stable;
		gboolean on;

		s->done_ms += REPORT_MS;
		on = load_at(s, s->done_ms, &stable) > 0;
		if (!s->item_known || on != s->item_on) {
			s->item_known = TRUE;
			s->item_on = on;
			/* 0: an item is on the scale, 1: none */
			send_state(emu, ESN00_ITEM_STATE, on ? 0 : 1);
		}
		send_measurement(emu, s, s->done_ms);
	}
}

static void
esn00_subscribed(LactdEmu *emu, const char *uuid, gboolean on)
{
	Esn00 *s = emu->priv;
	gboolean stable;
	guint8 buf[8];
	const guint8 unknown = 0x1d;

	if (!on || !g_str_equal(uuid, ESN00_NOTIFY))
		return;
	send_state(emu, ESN00_ITEM_STATE, load_at(s, s->done_ms, &stable) > 0 ? 0 : 1);
	esn00_build_frame(buf, sizeof(buf), 0xd2, &unknown, 1);
	lactd_emu_send(emu, ESN00_NOTIFY, buf, sizeof(buf));
	send_measurement(emu, s, s->done_ms);
}

static GBytes *
esn00_read(LactdEmu *emu, const char *uuid, GError **error)
{
	if (g_str_equal(uuid, ESN00_READ)) {
		const guint8 zero = 0;
		return g_bytes_new(&zero, 1);
	}
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
esn00_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Esn00 *s = emu->priv;
	const char *reason = NULL;
	const guint8 *p;
	gsize plen;
	guint8 type;
	gboolean stable;

	if (!g_str_equal(uuid, ESN00_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (!esn00_frame_check(data, len, &type, &p, &plen, &reason)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", reason);
		return FALSE;
	}
	if (type == ESN00_CMD_SET_UNIT && plen == 1 && p[0] <= ESN00_UNIT_MAX) {
		s->unit = p[0];
		send_state(emu, ESN00_UNIT_STATE, p[0]);
	} else if (type == ESN00_CMD_SET_TARE && plen == 1 && p[0] <= 1) {
		/* 0 tares at the present load, 1 clears the tare. */
		s->tare = p[0] == 0 ? load_at(s, s->done_ms, &stable) : 0;
		send_state(emu, ESN00_TARE_STATE, p[0]);
	}
	/* Other commands (nutrition, auto-off) change nothing emulated. */
	return TRUE;
}

static gboolean
esn00_finished(LactdEmu *emu)
{
	Esn00 *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + REPORT_MS;
}

const LactdEmuClass lactd_emu_esn00 = {
    .name = "esn00",
    .default_name = "Etekcity Nutrition Scale",
    .services = esn00_services,
    .priv_size = sizeof(Esn00),
    .init = esn00_init,
    .advance = esn00_advance,
    .read = esn00_read,
    .write = esn00_write,
    .subscribed = esn00_subscribed,
    .finished = esn00_finished,
    .finalize = esn00_finalize,
};
