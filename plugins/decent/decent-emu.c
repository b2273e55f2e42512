/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Decent Scale or Half Decent Scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   firmware=    hds (default: the Half Decent Scale, 7-byte frames, 0xCE
 *                for every weight, heartbeat), v1.0 (7-byte frames, 0xCA
 *                while the load moves) or v1.2 (10-byte frames with a
 *                timestamp, 0xCA while the load moves)
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   battery=     percent the 0x0A reply reports (default 80), or "usb"
 *   interval_ms= time between weight frames (default 100: ten a second, as
 *                Decent documents; tests through D-Bus may ask for fewer)
 *
 * Like the real scale (decentscale_api, openscale ble.h) it sends no weight
 * until a command has been written; LED on is answered with the 0x0A
 * reply; tare zeroes the present load. LED on or tare with their last data
 * byte 01 make a Half Decent Scale require the heartbeat (00 switches the
 * requirement off): without one for 5 s the real scale drops the link, and
 * this one falls silent until the link goes down and a new connection
 * writes a command.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "decent-encode.h"
#include "lactd-emu.h"

#define SETTLE_MS 1000
#define MAX_GRAMS 3000.0 /* the Decent Scale weighs up to 2 kg, the HDS 3 kg */

typedef enum {
	FW_HDS,
	FW_V10,
	FW_V12,
} Firmware;

typedef LactdEmuWeighing Weighing;

typedef struct {
	Firmware fw;
	guint8 battery;
	gint64 interval_ms;
	GArray *weighings; /* Weighing, by time */
	gint64 done_ms;
	double tare;
	gboolean awake;		 /* a command was written on this connection */
	gboolean need_heartbeat; /* the host asked for the heartbeat requirement */
	gint64 heartbeat_ms;	 /* the last heartbeat, or the command that armed it */
	gboolean dropped;	 /* the heartbeat stopped: silent until a new link */
	guint heartbeats;
} Decent;

static const LactdEmuChar decent_chars[] = {
    {DECENT_NOTIFY, "read,notify"},
    {DECENT_WRITE, "write"},
    {NULL, NULL},
};

static const LactdEmuService decent_services[] = {
    {DECENT_SERVICE, decent_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name",	"firmware",
					 "weighings", "battery", "interval_ms", NULL};

static gboolean
bad_key(GError **error, const char *group, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] %s", group, what);
	return FALSE;
}

static gboolean
decent_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Decent *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *fw = g_key_file_get_string(kf, group, "firmware", NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->battery = 80;
	s->interval_ms = 100;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the decent emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (fw == NULL || g_str_equal(fw, "hds"))
		s->fw = FW_HDS;
	else if (g_str_equal(fw, "v1.0"))
		s->fw = FW_V10;
	else if (g_str_equal(fw, "v1.2"))
		s->fw = FW_V12;
	else
		return bad_key(error, group, "firmware: hds, v1.0 or v1.2");
	if (battery != NULL) {
		guint64 v;

		if (g_str_equal(battery, "usb"))
			s->battery = 0xff;
		else if (g_ascii_string_to_unsigned(battery, 10, 0, 100, &v, NULL))
			s->battery = (guint8)v;
		else
			return bad_key(error, group, "battery: 0 to 100, or usb");
	}
	if (interval != NULL) {
		guint64 v;

		if (!g_ascii_string_to_unsigned(interval, 10, 10, 5000, &v, NULL))
			return bad_key(error, group, "interval_ms: 10 to 5000");
		s->interval_ms = (gint64)v;
	}
	return weighings == NULL || lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
decent_finalize(LactdEmu *emu)
{
	Decent *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Decent *s, gint64 t, gboolean *stable)
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

static gboolean
streaming(LactdEmu *emu, Decent *s)
{
	return emu->connected && s->awake && !s->dropped &&
	       lactd_emu_is_subscribed(emu, DECENT_NOTIFY);
}

static void
decent_advance(LactdEmu *emu)
{
	Decent *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 buf[DECENT_WEIGHT_TS_LEN];
		gboolean stable;
		double grams;
		gsize n;

		s->done_ms += s->interval_ms;
		if (s->awake && s->need_heartbeat && !s->dropped &&
		    s->done_ms - s->heartbeat_ms > DECENT_HEARTBEAT_TIMEOUT_MS)
			s->dropped = TRUE;
		if (!streaming(emu, s))
			continue;
		grams = load_at(s, s->done_ms, &stable) - s->tare;
		/* The Half Decent Scale calls every weight stable. */
		n = decent_encode_weight(buf, grams, stable || s->fw == FW_HDS,
					 s->fw == FW_V12 ? s->done_ms : -1);
		if (n > 0)
			lactd_emu_send(emu, DECENT_NOTIFY, buf, n);
	}
}

static GBytes *
decent_read(LactdEmu *emu, const char *uuid, GError **error)
{
	Decent *s = emu->priv;
	guint8 buf[DECENT_WEIGHT_TS_LEN];
	gboolean stable = FALSE;
	gsize n;

	if (!g_str_equal(uuid, DECENT_NOTIFY)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
		return NULL;
	}
	/* The characteristic's value is the last frame the scale set. */
	n = decent_encode_weight(buf, load_at(s, s->done_ms, &stable) - s->tare,
				 stable || s->fw == FW_HDS, s->fw == FW_V12 ? s->done_ms : -1);
	return g_bytes_new(buf, n);
}

static gboolean
decent_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Decent *s = emu->priv;
	gboolean stable = FALSE;

	if (!g_str_equal(uuid, DECENT_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len != DECENT_FRAME_LEN || data[0] != DECENT_MODEL ||
	    decent_xor(data, len - 1) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a 7-byte Decent command with its checksum");
		return FALSE;
	}
	if (s->dropped)
		return TRUE; /* the real scale has let go of the link already */
	if (decent_is_heartbeat(data, len)) {
		s->heartbeat_ms = emu->sim_ms;
		s->heartbeats++;
		return TRUE;
	}
	if (data[1] == DECENT_LED && data[2] == 0x01) {
		guint8 reply[DECENT_FRAME_LEN];

		s->need_heartbeat = s->fw == FW_HDS && data[5] == 0x01;
		s->heartbeat_ms = emu->sim_ms;
		if (decent_encode_led_reply(reply, load_at(s, emu->sim_ms, &stable) - s->tare,
					    s->battery, s->fw == FW_HDS ? 0x03 : 0x02) != 0)
			lactd_emu_send(emu, DECENT_NOTIFY, reply, sizeof(reply));
	} else if (data[1] == DECENT_TARE) {
		s->need_heartbeat = s->fw == FW_HDS && data[5] == 0x01;
		s->heartbeat_ms = emu->sim_ms;
		s->tare = load_at(s, emu->sim_ms, &stable);
	}
	/* Timer, LED off and the HDS's other commands change nothing emulated,
	 * but any command wakes the scale. */
	s->awake = TRUE;
	return TRUE;
}

static void
decent_link(LactdEmu *emu, gboolean up)
{
	Decent *s = emu->priv;

	if (up)
		return;
	/* A new connection starts from a scale waiting for its first command. */
	s->awake = FALSE;
	s->dropped = FALSE;
	s->need_heartbeat = FALSE;
}

static gboolean
decent_finished(LactdEmu *emu)
{
	Decent *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	/* Settled, and repeated long enough for the host to call it stable. */
	return s->done_ms >= last + SETTLE_MS + (DECENT_STABLE_COUNT + 1) * s->interval_ms;
}

const LactdEmuClass lactd_emu_decent = {
    .name = "decent",
    .default_name = "Decent Scale",
    .services = decent_services,
    .priv_size = sizeof(Decent),
    .init = decent_init,
    .advance = decent_advance,
    .read = decent_read,
    .write = decent_write,
    .link = decent_link,
    .finished = decent_finished,
    .finalize = decent_finalize,
};
