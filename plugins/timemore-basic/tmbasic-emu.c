/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Timemore Basic 3 or Dot, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name (default "Timemore Basic3", or "Timemore Dot")
 *   model=       basic3 (default) or dot
 *   encrypted=   true (default) or false: whether the link is encrypted;
 *                a Dot on an unencrypted link sends nothing
 *   weighings=   "at_s:grams;...": the load becomes grams at at_s seconds
 *                and settles one second later
 *   battery=     percent (default 70), reported every 5 s
 *   chunk=       bytes per notification, 1 to 244 (default 0: one frame
 *                each); other values split or pack frames
 *
 * Weight frames come ten a second once FFF1 is subscribed. Commands are
 * taken on FFF2 only with a good CRC; set-grams and standard mode are
 * counted, tare zeroes the load.
 */
#include "config.h"

#include <gio/gio.h>

#include "lactd-emu-scale.h"
#include "tmbasic-encode.h"

#define BATTERY_MS 5000

typedef struct {
	LactdEmuScale scale;
	gboolean dot;
	gboolean encrypted;
	guint64 battery;
	gint64 battery_ms; /* when the battery was last sent */
	LactdEmuChunker out;
	double tare;
	guint set_grams; /* commands taken, for tests */
	guint set_mode;
} Tmbasic;

static const LactdEmuChar tmbasic_chars[] = {
    {TMBASIC_NOTIFY, "notify"},
    {TMBASIC_WRITE, "write-without-response"},
    {NULL, NULL},
};

static const LactdEmuService tmbasic_services[] = {
    {TMBASIC_SERVICE, tmbasic_chars},
    {NULL, NULL},
};

static const char *const own_keys[] = {"model", "encrypted", "battery", "chunk", NULL};

static gboolean
bad(GError **error, const char *group, const char *what)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "[%s] %s", group, what);
	return FALSE;
}

static gboolean
tmbasic_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Tmbasic *s = emu->priv;
	g_autofree char *model = g_key_file_get_string(kf, group, "model", NULL);
	g_autofree char *enc = g_key_file_get_string(kf, group, "encrypted", NULL);

	s->battery = 70;
	s->encrypted = TRUE;
	s->scale.max_grams = 2000.0;
	if (!lactd_emu_scale_init(&s->scale, kf, group, "timemore-basic", own_keys, 100, error) ||
	    !lactd_emu_key_uint(kf, group, "battery", 0, 100, &s->battery, error) ||
	    !lactd_emu_key_uint(kf, group, "chunk", 1, TMBASIC_NOTIFY_MAX, &s->out.chunk, error))
		return FALSE;
	if (model != NULL && !g_str_equal(model, "basic3") && !g_str_equal(model, "dot"))
		return bad(error, group, "model: basic3 or dot");
	s->dot = model != NULL && g_str_equal(model, "dot");
	if (enc != NULL) {
		if (!g_str_equal(enc, "true") && !g_str_equal(enc, "false"))
			return bad(error, group, "encrypted: true or false");
		s->encrypted = g_str_equal(enc, "true");
	}
	return TRUE;
}

static void
tmbasic_finalize(LactdEmu *emu)
{
	lactd_emu_scale_clear(&((Tmbasic *)emu->priv)->scale);
}

static void
tmbasic_advance(LactdEmu *emu)
{
	Tmbasic *s = emu->priv;

	while (lactd_emu_scale_tick(&s->scale, emu->sim_ms)) {
		guint8 f[TMBASIC_FRAME_MAX];
		gsize n;

		/* The Dot keeps silent on a link that is not encrypted. */
		if (!lactd_emu_is_subscribed(emu, TMBASIC_NOTIFY) || (s->dot && !s->encrypted))
			continue;
		n = tmbasic_encode_weight(f, lactd_emu_scale_load_at(&s->scale, s->scale.done_ms,
								     NULL) -
						 s->tare);
		if (n > 0)
			lactd_emu_chunker_send(&s->out, emu, TMBASIC_NOTIFY, f, n);
		if (s->scale.done_ms - s->battery_ms >= BATTERY_MS) {
			s->battery_ms = s->scale.done_ms;
			n = tmbasic_encode_battery(f, (guint8)s->battery);
			lactd_emu_chunker_send(&s->out, emu, TMBASIC_NOTIFY, f, n);
		}
	}
}

static gboolean
tmbasic_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Tmbasic *s = emu->priv;
	gsize dlen;

	if (!lactd_emu_scale_check_write(uuid, TMBASIC_WRITE, error))
		return FALSE;
	dlen = len >= 6 ? ((gsize)data[4] << 8 | data[5]) : 0;
	if (len < 8 || data[0] != 0xa5 || data[1] != 0x5a || len != 8 + dlen ||
	    tmbasic_crc16(data, 6 + dlen) != (guint16)(data[6 + dlen] << 8 | data[7 + dlen]) ||
	    data[2] != TMBASIC_OP_COMMAND) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
			    "not a Timemore command with its CRC");
		return FALSE;
	}
	if (data[3] == TMBASIC_SET_UNIT && dlen == 1 && data[6] == 0x00)
		s->set_grams++;
	else if (data[3] == TMBASIC_SET_MODE)
		s->set_mode++;
	else if (data[3] == TMBASIC_TARE)
		s->tare = lactd_emu_scale_load_at(&s->scale, emu->sim_ms, NULL);
	return TRUE;
}

static void
tmbasic_link(LactdEmu *emu, gboolean up)
{
	Tmbasic *s = emu->priv;

	if (!up)
		s->out.npending = 0;
}

static gboolean
tmbasic_finished(LactdEmu *emu)
{
	return lactd_emu_scale_finished(&((Tmbasic *)emu->priv)->scale, 3000);
}

/* What the emulator counted, for tests: set-grams and set-mode commands. */
void tmbasic_emu_counts(LactdEmu *emu, guint *set_grams, guint *set_mode);

void
tmbasic_emu_counts(LactdEmu *emu, guint *set_grams, guint *set_mode)
{
	Tmbasic *s = emu->priv;

	*set_grams = s->set_grams;
	*set_mode = s->set_mode;
}

const LactdEmuClass lactd_emu_timemore_basic = {
    .name = "timemore-basic",
    .default_name = "Timemore Basic3",
    .services = tmbasic_services,
    .priv_size = sizeof(Tmbasic),
    .init = tmbasic_init,
    .advance = tmbasic_advance,
    .write = tmbasic_write,
    .link = tmbasic_link,
    .finished = tmbasic_finished,
    .finalize = tmbasic_finalize,
};
