/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Bookoo Themis scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   battery=     percent in every frame (default 90)
 *   unit=        g (default) or oz: the unit code shown; the frame's weight
 *                stays grams, as Bookoo documents
 *   interval_ms= time between weight frames (default 100; tests through
 *                D-Bus may ask for fewer)
 *
 * Like the real scale (Bookoo's protocol documents) it streams weight
 * frames while notifications are on, with the flow rate in g/s and its
 * timer, and takes the tare and timer commands on FF12.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "bookoo-encode.h"
#include "lactd-emu.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 2000.0 /* the Themis weighs up to 2 kg */

typedef LactdEmuWeighing Weighing;

typedef struct {
	guint8 battery;
	guint8 unit;
	gint64 interval_ms;
	GArray *weighings;
	gint64 done_ms;
	double tare;
	double last_net;
	gboolean timer_running;
	gint64 timer_base_ms; /* timer value at timer_since_ms */
	gint64 timer_since_ms;
} Bookoo;

static const LactdEmuChar bookoo_chars[] = {
    {BOOKOO_NOTIFY, "notify"},
    {BOOKOO_WRITE, "write-without-response,write"},
    {NULL, NULL},
};

static const LactdEmuService bookoo_services[] = {
    {BOOKOO_SERVICE, bookoo_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name",	 "weighings",
					 "battery",  "unit", "interval_ms", NULL};

static gboolean
bad_key(GError **error, const char *group, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] %s", group, what);
	return FALSE;
}

static gboolean
bookoo_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Bookoo *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->battery = 90;
	s->unit = 1;
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the bookoo emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (battery != NULL) {
		if (!g_ascii_string_to_unsigned(battery, 10, 0, 100, &v, NULL))
			return bad_key(error, group, "battery: 0 to 100");
		s->battery = (guint8)v;
	}
	if (unit != NULL) {
		if (g_str_equal(unit, "g"))
			s->unit = 1;
		else if (g_str_equal(unit, "oz"))
			s->unit = 2;
		else
			return bad_key(error, group, "unit: g or oz");
	}
	if (interval != NULL) {
		if (!g_ascii_string_to_unsigned(interval, 10, 10, 5000, &v, NULL))
			return bad_key(error, group, "interval_ms: 10 to 5000");
		s->interval_ms = (gint64)v;
	}
	return weighings == NULL || lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
bookoo_finalize(LactdEmu *emu)
{
	Bookoo *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Bookoo *s, gint64 t)
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

static gint64
timer_at(Bookoo *s, gint64 t)
{
	return s->timer_base_ms + (s->timer_running ? t - s->timer_since_ms : 0);
}

static void
bookoo_advance(LactdEmu *emu)
{
	Bookoo *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 buf[BOOKOO_FRAME_LEN];
		BookooWeight w = {0};
		double net;

		s->done_ms += s->interval_ms;
		/* Shown to 0.1 g, as the scale's display does. */
		net = round((load_at(s, s->done_ms) - s->tare) * 10) / 10;
		w.timer_ms = (guint32)MIN(timer_at(s, s->done_ms), 0xffffff);
		w.unit = s->unit;
		w.grams = net;
		w.flow_g_s = (net - s->last_net) * 1000.0 / (double)s->interval_ms;
		w.battery = s->battery;
		w.standby = 5;
		w.buzzer = 1;
		s->last_net = net;
		if (bookoo_encode_weight(buf, &w) != 0)
			lactd_emu_send(emu, BOOKOO_NOTIFY, buf, sizeof(buf));
	}
}

static gboolean
bookoo_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Bookoo *s = emu->priv;
	gint64 t = emu->sim_ms;

	if (!g_str_equal(uuid, BOOKOO_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len != BOOKOO_CMD_LEN || data[0] != BOOKOO_PRODUCT || data[1] != BOOKOO_COMMAND ||
	    bookoo_xor(data, len - 1) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a 6-byte Bookoo command with its checksum");
		return FALSE;
	}
	switch (data[2]) {
	case BOOKOO_CMD_TARE:
		s->tare = load_at(s, t);
		break;
	case BOOKOO_CMD_TIMER_START:
		s->timer_base_ms = timer_at(s, t);
		s->timer_since_ms = t;
		s->timer_running = TRUE;
		break;
	case BOOKOO_CMD_TIMER_STOP:
		s->timer_base_ms = timer_at(s, t);
		s->timer_running = FALSE;
		break;
	case BOOKOO_CMD_TIMER_RESET:
		s->timer_base_ms = 0;
		s->timer_since_ms = t;
		break;
	case BOOKOO_CMD_TARE_AND_START:
		s->tare = load_at(s, t);
		s->timer_base_ms = 0;
		s->timer_since_ms = t;
		s->timer_running = TRUE;
		break;
	default:
		/* Beeper, auto-off, smoothing and the Ultra's others: nothing emulated. */
		break;
	}
	return TRUE;
}

static gboolean
bookoo_finished(LactdEmu *emu)
{
	Bookoo *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	/* Settled, and repeated long enough for the host to call it stable. */
	return s->done_ms >= last + SETTLE_MS + (BOOKOO_STABLE_COUNT + 1) * s->interval_ms;
}

const LactdEmuClass lactd_emu_bookoo = {
    .name = "bookoo",
    .default_name = "BOOKOO_SC",
    .services = bookoo_services,
    .priv_size = sizeof(Bookoo),
    .init = bookoo_init,
    .advance = bookoo_advance,
    .write = bookoo_write,
    .finished = bookoo_finished,
    .finalize = bookoo_finalize,
};
