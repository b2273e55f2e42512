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
 *   battery=     percent the device status reports (default 80)
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

#include "difluid-encode.h"
#include "lactd-emu-scale.h"

typedef struct {
	LactdEmuScale scale;
	guint64 battery;
	LactdEmuPacker packer;
	guint8 unit;
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

static const char *const own_keys[] = {"packing", "unit", "battery", NULL};

static gboolean
difluid_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Difluid *s = emu->priv;
	g_autofree char *unit = g_key_file_get_string(kf, group, "unit", NULL);

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
	s->battery = 80;
	return lactd_emu_scale_init(&s->scale, kf, group, "difluid", own_keys, 100, error) &&
	       lactd_emu_key_uint(kf, group, "battery", 0, 100, &s->battery, error) &&
	       lactd_emu_packer_init(&s->packer, kf, group, error);
}

static void
difluid_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Difluid *)emu->priv)->scale);
}

static void
difluid_advance(LactdEmu *emu)
{
	Difluid *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[DIFLUID_MAX_FRAME];
		gsize n;

		if (!s->auto_send)
			continue;
		n = difluid_encode_sensor(f, lactd_emu_scale_load_at(&s->scale, s->scale.done_ms, NULL),
					  s->unit, (guint32)s->scale.done_ms);
		if (n > 0)
			lactd_emu_packer_send(&s->packer, emu, DIFLUID_CHAR, f, n, 0);
	}
}

static gboolean
difluid_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		  GError **error)
{
	Difluid *s = emu->priv;
	guint8 reply[DIFLUID_MAX_FRAME];
	gsize n;

	if (!lactd_emu_scale_check_write(uuid, DIFLUID_CHAR, error))
		return FALSE;
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
		n = difluid_encode_status(reply, (guint8)s->battery);
	else /* the document's replies repeat the command */
		n = difluid_build(reply, data[2], data[3], data + DIFLUID_HEAD_LEN, data[4]);
	if (emu->connected)
		lactd_emu_packer_send(&s->packer, emu, DIFLUID_CHAR, reply, n, 0);
	return TRUE;
}

static void
difluid_link(LactdEmu *emu, gboolean up)
{
	Difluid *s = emu->priv;

	lactd_emu_packer_reset(&s->packer);
	if (!up)
		s->auto_send = FALSE;
}

static gboolean
difluid_finished(LactdEmu *emu)
{
	Difluid *s = emu->priv;

	return lactd_emu_scale_finished(&s->scale, 3 * s->scale.interval_ms);
}

const LactdEmuClass lactd_emu_difluid = {
    .name = "difluid",
    .default_name = "Microbalance",
    .services = difluid_services,
    .priv_size = sizeof(Difluid),
    .init = difluid_init,
    .advance = difluid_advance,
    .write = difluid_write,
    .link = difluid_link,
    .finished = difluid_finished,
    .finalize = difluid_finalize,
};
