/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * An emulated Acaia scale, driven by a scenario.
 *
 * Scenario keys (a key file group; anything else is refused):
 *   name=        Device1.Name
 *   generation=  new (default: service 49535343-..., separate write and
 *                notify characteristics) or old (service 0x1820, one 0x2a80)
 *   weighings=   "at_s:grams;...": at at_s seconds (scenario time) the load
 *                becomes grams (0: taken off); it settles one second later
 *   battery=     percent in its status messages (default 75)
 *   chunk=       most bytes per notification (default 20, the payload of
 *                the smallest ATT MTU); frames are cut across notifications
 *                at this size
 *
 * Like the real scales it sends nothing until the central has identified
 * itself and asked for events; then a weight event every 200 ms at 0.1 g
 * and a status message (battery) at once and every 5 s. Without a
 * heartbeat for 5 s it stops and waits for a new identify.
 */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "acaia-encode.h"
#include "lactd-emu.h"

#define STEP_MS		  200
#define SETTLE_MS	  1000
#define STATUS_EVERY	  25 /* steps */
#define HEARTBEAT_TIMEOUT 5000
#define MAX_GRAMS	  3000.0

typedef LactdEmuWeighing Weighing;

typedef struct {
	gboolean newer;
	guint8 battery;
	guint chunk;
	GArray *weighings;
	gint64 done_ms;
	gboolean identified;
	gboolean requested;
	gint64 heartbeat_ms;
	guint steps;
	double tare;
	GByteArray *out; /* frames waiting to be cut into notifications */
} Acaia;

static const LactdEmuChar new_chars[] = {
    {ACAIA_NEW_WRITE, "write-without-response,write"},
    {ACAIA_NEW_NOTIFY, "notify"},
    {NULL, NULL},
};
static const LactdEmuChar old_chars[] = {
    {ACAIA_OLD_CHAR, "write-without-response,write,notify"},
    {NULL, NULL},
};
/* Both generations in one GATT table would make one device of each; the
 * transport only ever sees the table of the generation chosen. */
static const LactdEmuService new_services[] = {{ACAIA_NEW_SERVICE, new_chars}, {NULL, NULL}};
static const LactdEmuService old_services[] = {{ACAIA_OLD_SERVICE, old_chars}, {NULL, NULL}};

static const char *const known_keys[] = {"emulator", "name",	"generation", "weighings",
					 "battery",  "chunk", NULL};

static gboolean
get_uint(GKeyFile *kf, const char *group, const char *key, guint def, guint min, guint max,
	 guint *out, GError **error)
{
	g_autoptr(GError) local = NULL;
	guint64 v;

	if (!g_key_file_has_key(kf, group, key, NULL)) {
		*out = def;
		return TRUE;
	}
	v = g_key_file_get_uint64(kf, group, key, &local);
	if (local != NULL || v < min || v > max) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] %s: expected a number from %u to %u", group, key, min, max);
		return FALSE;
	}
	*out = (guint)v;
	return TRUE;
}

static gboolean
acaia_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Acaia *s = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *generation = g_key_file_get_string(kf, group, "generation", NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	guint battery;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(Weighing));
	s->out = g_byte_array_new();
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the acaia emulator", group, keys[i]);
			return FALSE;
		}
	}
	if (generation == NULL || g_str_equal(generation, "new"))
		s->newer = TRUE;
	else if (!g_str_equal(generation, "old")) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] generation: new or old", group);
		return FALSE;
	}
	if (!get_uint(kf, group, "battery", 75, 0, 100, &battery, error) ||
	    !get_uint(kf, group, "chunk", 20, 1, 244, &s->chunk, error))
		return FALSE;
	s->battery = (guint8)battery;
	return weighings == NULL || lactd_emu_parse_weighings(weighings, group, MAX_GRAMS, s->weighings, error);
}

static void
acaia_finalize(LactdEmu *emu)
{
	Acaia *s = emu->priv;

	if (s->weighings != NULL)
		g_array_unref(s->weighings);
	if (s->out != NULL)
		g_byte_array_unref(s->out);
}

static double
load_at(Acaia *s, gint64 t)
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

static const char *
notify_uuid(Acaia *s)
{
	return s->newer ? ACAIA_NEW_NOTIFY : ACAIA_OLD_CHAR;
}

/* Sends what is queued, cut at the chunk size. */
static void
flush(LactdEmu *emu, Acaia *s)
{
	gsize pos = 0;

	while (pos < s->out->len) {
		gsize n = MIN(s->chunk, s->out->len - pos);
		lactd_emu_send(emu, notify_uuid(s), s->out->data + pos, n);
		pos += n;
	}
	g_byte_array_set_size(s->out, 0);
}

static void
queue_status(Acaia *s)
{
	guint8 buf[ACAIA_STATUS_FRAME_LEN];
	gsize n = acaia_encode_status(buf, s->battery);

	g_byte_array_append(s->out, buf, (guint)n);
}

static void
acaia_advance(LactdEmu *emu)
{
	Acaia *s = emu->priv;

	while (s->done_ms + STEP_MS <= emu->sim_ms) {
		guint8 buf[ACAIA_WEIGHT_FRAME_LEN];
		gsize n;

		s->done_ms += STEP_MS;
		if (!s->identified || !s->requested)
			continue;
		if (s->done_ms - s->heartbeat_ms > HEARTBEAT_TIMEOUT) {
			/* The central is gone as far as the scale knows. */
			s->identified = s->requested = FALSE;
			continue;
		}
		n = acaia_encode_weight(buf, load_at(s, s->done_ms) - s->tare, 1);
		g_byte_array_append(s->out, buf, (guint)n);
		if (++s->steps % STATUS_EVERY == 0)
			queue_status(s);
		flush(emu, s);
	}
}

static gboolean
acaia_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	Acaia *s = emu->priv;
	const char *reason = NULL;
	const guint8 *p;
	gsize plen;
	guint8 type;

	if (!g_str_equal(uuid, s->newer ? ACAIA_NEW_WRITE : ACAIA_OLD_CHAR)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
		return FALSE;
	}
	if (!acaia_check_command(data, len, &type, &p, &plen, &reason)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "%s", reason);
		return FALSE;
	}
	switch (type) {
	case ACAIA_MSG_IDENTIFY:
		if (plen == 15) {
			s->identified = TRUE;
			s->heartbeat_ms = s->done_ms;
		}
		break;
	case ACAIA_MSG_EVENT:
		/* The notification request: events only after an identify. */
		if (s->identified && plen >= 1 && p[0] == plen) {
			s->requested = TRUE;
			s->heartbeat_ms = s->done_ms;
			queue_status(s);
			flush(emu, s);
		}
		break;
	case ACAIA_MSG_HEARTBEAT:
		s->heartbeat_ms = s->done_ms;
		break;
	case ACAIA_MSG_TARE:
		s->tare = load_at(s, s->done_ms);
		break;
	default:
		break;
	}
	return TRUE;
}

static GBytes *
acaia_read(LactdEmu *emu, const char *uuid, GError **error)
{
	/* Nothing on these scales is readable. */
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not readable", uuid);
	return NULL;
}

static void
acaia_link(LactdEmu *emu, gboolean up)
{
	Acaia *s = emu->priv;

	s->identified = s->requested = FALSE;
	g_byte_array_set_size(s->out, 0);
}

static gboolean
acaia_finished(LactdEmu *emu)
{
	Acaia *s = emu->priv;
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, Weighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + SETTLE_MS + 2000;
}

/* The GATT table of this scenario's generation (LactdEmuClass.get_services). */
const LactdEmuService *lactd_emu_acaia_services(LactdEmu *emu);

const LactdEmuService *
lactd_emu_acaia_services(LactdEmu *emu)
{
	return ((Acaia *)emu->priv)->newer ? new_services : old_services;
}

const LactdEmuClass lactd_emu_acaia = {
    .name = "acaia",
    .default_name = "LUNAR",
    .services = new_services,
    .priv_size = sizeof(Acaia),
    .init = acaia_init,
    .advance = acaia_advance,
    .read = acaia_read,
    .write = acaia_write,
    .link = acaia_link,
    .finished = acaia_finished,
    .finalize = acaia_finalize,
    .get_services = lactd_emu_acaia_services,
};
