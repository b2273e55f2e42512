/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated DiFluid Microbalance, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default "Microbalance")
 *   weighings=   "at_s:grams;...": at at_s seconds the load becomes grams
 *                (0: taken off); it settles one second later
 *   interval_ms= time between sensor data frames (default 100)
 *   unit=        g (default), oz or grain: the unit the scale was left in
 *   battery=     percent the device status reports (default 70)
 *   packing=     single (default: one frame a notification), split (each
 *                frame in two notifications) or packed (two frames a
 *                notification)
 *
 * As DiFluid's protocol document says, the scale sends sensor data only
 * once "auto send" is on, answers every command with a reply of the same
 * func and cmd, and takes the unit command. A command without its DF DF
 * start or checksum is refused. A new link starts with auto send off.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-emu.h"
#include "difluid-encode.h"

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
	guint8 held[DIFLUID_MAX_FRAME]; /* PACK_PACKED: a frame waiting for its pair */
	gsize held_len;
	gboolean holding;
	guint8 unit;
	guint8 battery;
	gboolean auto_send;
} Difluid;

static const LactdEmuChar difluid_chars[] = {
    {DIFLUID_CHAR, "notify,write"},
    {NULL, NULL},
};

static const LactdEmuService difluid_services[] = {
    {DIFLUID_SERVICE, difluid_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator", "name", "weighings", "interval_ms",
					 "packing", "unit", "battery", NULL};

static gboolean
difluid_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Difluid *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *interval = g_key_file_get_string(kf, group, "interval_ms", NULL);
	g_autofree char *packing = g_key_file_get_string(kf, group, "packing", NULL);
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->interval_ms = 100;
	s->battery = 70;
	if (unit == NULL || g_str_equal(unit, "g"))
		s->unit = DIFLUID_UNIT_GRAM;
	else if (g_str_equal(unit, "oz"))
		s->unit = DIFLUID_UNIT_OUNCE;
	else if (g_str_equal(unit, "grain"))
		s->unit = DIFLUID_UNIT_OTHER;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] unit: g, oz or grain", group);
		return FALSE;
	}
	if (battery != NULL) {
		guint64 v;

		if (!g_ascii_string_to_unsigned(battery, 10, 0, 100, &v, NULL)) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] battery: 0 to 100", group);
			return FALSE;
		}
		s->battery = (guint8)v;
	}
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the difluid emulator", group,
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
difluid_finalize(LactdEmu *emu)
{
	Difluid *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

/* The load at time t, and whether it has settled. */
static double
load_at(Difluid *s, gint64 t, gboolean *stable)
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
send_frame(LactdEmu *emu, Difluid *s, const guint8 *f, gsize len)
{
	guint8 two[2 * DIFLUID_MAX_FRAME];

	switch (s->packing) {
	case PACK_SINGLE:
		lactd_emu_send(emu, DIFLUID_CHAR, f, len);
		break;
	case PACK_SPLIT:
		lactd_emu_send(emu, DIFLUID_CHAR, f, len / 2);
		lactd_emu_send(emu, DIFLUID_CHAR, f + len / 2, len - len / 2);
		break;
	case PACK_PACKED:
		if (!s->holding) {
			memcpy(s->held, f, len);
			s->held_len = len;
			s->holding = TRUE;
			break;
		}
		memcpy(two, s->held, s->held_len);
		memcpy(two + s->held_len, f, len);
		s->holding = FALSE;
		lactd_emu_send(emu, DIFLUID_CHAR, two, s->held_len + len);
		break;
	}
}

static void
difluid_advance(LactdEmu *emu)
{
	Difluid *s = emu->priv;

	while (s->done_ms + s->interval_ms <= emu->sim_ms) {
		guint8 f[DIFLUID_MAX_FRAME];
		gboolean stable;
		gsize n;

		s->done_ms += s->interval_ms;
		if (!emu->connected || !s->auto_send || !lactd_emu_is_subscribed(emu, DIFLUID_CHAR))
			continue;
		n = difluid_encode_sensor(f, load_at(s, s->done_ms, &stable), s->unit,
					  (guint32)s->done_ms);
		if (n > 0)
			send_frame(emu, s, f, n);
	}
}

static GBytes *
difluid_read(LactdEmu *emu, const char *uuid, GError **error)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
difluid_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	Difluid *s = emu->priv;
	guint8 reply[DIFLUID_MAX_FRAME];
	gsize n;

	if (!g_str_equal(uuid, DIFLUID_CHAR)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (len < DIFLUID_HEAD_LEN + 1 || data[0] != DIFLUID_MAGIC || data[1] != DIFLUID_MAGIC ||
	    len != DIFLUID_HEAD_LEN + data[4] + 1u || difluid_sum(data, len - 1) != data[len - 1]) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a DF DF command with its length and checksum");
		return FALSE;
	}
	if (data[2] == DIFLUID_FUNC_SETTINGS && data[3] == DIFLUID_SET_AUTO_SEND && data[4] == 1)
		s->auto_send = data[5] != 0;
	else if (data[2] == DIFLUID_FUNC_SETTINGS && data[3] == DIFLUID_SET_UNIT && data[4] == 1 &&
		 data[5] <= DIFLUID_UNIT_OTHER) {
		s->unit = data[5];
	}
	if (data[2] == DIFLUID_FUNC_DATA && data[3] == DIFLUID_CMD_STATUS)
		n = difluid_encode_status(reply, s->battery);
	else /* the document's replies repeat the command */
		n = difluid_build(reply, data[2], data[3], data + DIFLUID_HEAD_LEN, data[4]);
	if (emu->connected && lactd_emu_is_subscribed(emu, DIFLUID_CHAR))
		send_frame(emu, s, reply, n);
	return TRUE;
}

static void
difluid_link(LactdEmu *emu, gboolean up)
{
	Difluid *s = emu->priv;

	s->holding = FALSE;
	if (!up)
		s->auto_send = FALSE;
}

static gboolean
difluid_finished(LactdEmu *emu)
{
	Difluid *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3 * s->interval_ms;
}

const LactdEmuClass lactd_emu_difluid = {
    .name = "difluid",
    .default_name = "Microbalance",
    .services = difluid_services,
    .priv_size = sizeof(Difluid),
    .init = difluid_init,
    .advance = difluid_advance,
    .read = difluid_read,
    .write = difluid_write,
    .link = difluid_link,
    .finished = difluid_finished,
    .finalize = difluid_finalize,
};
