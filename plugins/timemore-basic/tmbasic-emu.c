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

#include "lactd-emu.h"
#include "tmbasic-encode.h"

#define SETTLE_MS    1000
#define INTERVAL_MS  100
#define BATTERY_MS   5000
#define MAX_GRAMS    2000.0

typedef struct {
	GArray *weighings;
	gboolean dot;
	gboolean encrypted;
	guint8 battery;
	guint chunk;
	gint64 done_ms;
	double tare;
	guint8 pending[TMBASIC_NOTIFY_MAX + TMBASIC_FRAME_MAX];
	gsize npending;
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

static const char *const known_keys[] = {"emulator", "name",	"model", "encrypted",
					 "weighings", "battery", "chunk", NULL};

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
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *model = g_key_file_get_string(kf, group, "model", NULL);
	g_autofree char *enc = g_key_file_get_string(kf, group, "encrypted", NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	g_autofree char *battery = g_key_file_get_string(kf, group, "battery", NULL);
	g_autofree char *chunk = g_key_file_get_string(kf, group, "chunk", NULL);
	guint64 v;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	s->battery = 70;
	s->encrypted = TRUE;
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++)
		if (!g_strv_contains(known_keys, keys[i]))
			return bad(error, group, "not a key of the timemore-basic emulator");
	if (model != NULL && !g_str_equal(model, "basic3") && !g_str_equal(model, "dot"))
		return bad(error, group, "model: basic3 or dot");
	s->dot = model != NULL && g_str_equal(model, "dot");
	if (enc != NULL) {
		if (!g_str_equal(enc, "true") && !g_str_equal(enc, "false"))
			return bad(error, group, "encrypted: true or false");
		s->encrypted = g_str_equal(enc, "true");
	}
	if (battery != NULL) {
		if (!g_ascii_string_to_unsigned(battery, 10, 0, 100, &v, NULL))
			return bad(error, group, "battery: 0 to 100");
		s->battery = (guint8)v;
	}
	if (chunk != NULL) {
		if (!g_ascii_string_to_unsigned(chunk, 10, 1, TMBASIC_NOTIFY_MAX, &v, NULL))
			return bad(error, group, "chunk: 1 to 244");
		s->chunk = (guint)v;
	}
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
tmbasic_finalize(LactdEmu *emu)
{
	Tmbasic *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
}

static double
load_at(Tmbasic *s, gint64 t)
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
	if (since >= 0 && t - since < SETTLE_MS)
		return before + (now - before) * (double)(t - since) / SETTLE_MS;
	return now;
}

static void
queue(LactdEmu *emu, Tmbasic *s, const guint8 *f, gsize n)
{
	if (s->chunk == 0) {
		lactd_emu_send(emu, TMBASIC_NOTIFY, f, n);
		return;
	}
	memcpy(s->pending + s->npending, f, n);
	s->npending += n;
	while (s->npending >= s->chunk) {
		lactd_emu_send(emu, TMBASIC_NOTIFY, s->pending, s->chunk);
		memmove(s->pending, s->pending + s->chunk, s->npending - s->chunk);
		s->npending -= s->chunk;
	}
}

static void
tmbasic_advance(LactdEmu *emu)
{
	Tmbasic *s = emu->priv;

	while (s->done_ms + INTERVAL_MS <= emu->sim_ms) {
		guint8 f[TMBASIC_FRAME_MAX];
		gsize n;

		s->done_ms += INTERVAL_MS;
		if (!emu->connected || !lactd_emu_is_subscribed(emu, TMBASIC_NOTIFY))
			continue;
		/* The Dot keeps silent on a link that is not encrypted. */
		if (s->dot && !s->encrypted)
			continue;
		n = tmbasic_encode_weight(f, load_at(s, s->done_ms) - s->tare);
		if (n > 0)
			queue(emu, s, f, n);
		if (s->done_ms % BATTERY_MS == 0) {
			n = tmbasic_encode_battery(f, s->battery);
			queue(emu, s, f, n);
		}
	}
}

static gboolean
tmbasic_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Tmbasic *s = emu->priv;
	gsize dlen;

	if (!g_str_equal(uuid, TMBASIC_WRITE)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
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
		s->tare = load_at(s, emu->sim_ms);
	return TRUE;
}

static void
tmbasic_link(LactdEmu *emu, gboolean up)
{
	Tmbasic *s = emu->priv;

	if (!up)
		s->npending = 0;
}

static gboolean
tmbasic_finished(LactdEmu *emu)
{
	Tmbasic *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 3000;
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
