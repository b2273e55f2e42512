/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared parts of the scale emulators (lactd-emu-scale.h). */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-emu-scale.h"

static const char *const common_keys[] = {"emulator", "name", "weighings", "interval_ms", NULL};

gboolean
lactd_emu_key_uint(GKeyFile *kf, const char *group, const char *key, guint64 min, guint64 max,
		   guint64 *out, GError **error)
{
	g_autofree char *text = g_key_file_get_string(kf, group, key, NULL);

	if (text == NULL)
		return TRUE;
	if (!g_ascii_string_to_unsigned(text, 10, min, max, out, NULL)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] %s: %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT, group, key,
			    min, max);
		return FALSE;
	}
	return TRUE;
}

gboolean
lactd_emu_scale_init(LactdEmuScale *s, GKeyFile *kf, const char *group, const char *emulator,
		     const char *const *extra_keys, gint64 interval_ms, GError **error)
{
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *weighings = g_key_file_get_string(kf, group, "weighings", NULL);
	guint64 interval = (guint64)interval_ms;

	s->weighings = g_array_new(FALSE, FALSE, sizeof(LactdEmuWeighing));
	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(common_keys, keys[i]) &&
		    (extra_keys == NULL || !g_strv_contains(extra_keys, keys[i]))) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the %s emulator", group, keys[i],
				    emulator);
			return FALSE;
		}
	}
	if (!lactd_emu_key_uint(kf, group, "interval_ms", 10, 5000, &interval, error))
		return FALSE;
	s->interval_ms = (gint64)interval;
	if (s->max_grams <= 0)
		s->max_grams = LACTD_EMU_SCALE_MAX_GRAMS;
	return weighings == NULL ||
	       lactd_emu_parse_weighings(weighings, group, s->max_grams, s->weighings, error);
}

void
lactd_emu_scale_clear(LactdEmuScale *s)
{
	g_clear_pointer(&s->weighings, g_array_unref);
}

double
lactd_emu_scale_load_at(const LactdEmuScale *s, gint64 t, gboolean *stable)
{
	double before = 0, now = 0;
	gint64 since = -1;
	gboolean settled = TRUE;

	for (guint i = 0; i < s->weighings->len; i++) {
		const LactdEmuWeighing *w = &g_array_index(s->weighings, LactdEmuWeighing, i);

		if (w->at_ms > t)
			break;
		before = now;
		now = w->grams;
		since = w->at_ms;
	}
	if (since >= 0 && t - since < LACTD_EMU_SCALE_SETTLE_MS) {
		settled = FALSE;
		now = before + (now - before) * (double)(t - since) / LACTD_EMU_SCALE_SETTLE_MS;
	}
	if (stable != NULL)
		*stable = settled;
	return now;
}

gboolean
lactd_emu_scale_tick(LactdEmuScale *s, gint64 sim_ms)
{
	if (s->done_ms + s->interval_ms > sim_ms)
		return FALSE;
	s->done_ms += s->interval_ms;
	return TRUE;
}

gboolean
lactd_emu_scale_finished(const LactdEmuScale *s, gint64 hold_ms)
{
	gint64 last = 0;

	if (s->weighings->len > 0)
		last = g_array_index(s->weighings, LactdEmuWeighing, s->weighings->len - 1).at_ms;
	return s->done_ms >= last + LACTD_EMU_SCALE_SETTLE_MS + hold_ms;
}

gboolean
lactd_emu_scale_check_write(const char *uuid, const char *writable, GError **error)
{
	if (g_strcmp0(uuid, writable) == 0)
		return TRUE;
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s is not writable", uuid);
	return FALSE;
}

gboolean
lactd_emu_packer_init(LactdEmuPacker *p, GKeyFile *kf, const char *group, GError **error)
{
	g_autofree char *packing = g_key_file_get_string(kf, group, "packing", NULL);

	if (packing == NULL || g_str_equal(packing, "single"))
		p->packing = LACTD_EMU_PACK_SINGLE;
	else if (g_str_equal(packing, "split"))
		p->packing = LACTD_EMU_PACK_SPLIT;
	else if (g_str_equal(packing, "packed"))
		p->packing = LACTD_EMU_PACK_PACKED;
	else {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] packing: single, split or packed", group);
		return FALSE;
	}
	return TRUE;
}

void
lactd_emu_packer_send(LactdEmuPacker *p, LactdEmu *emu, const char *uuid, const guint8 *f,
		      gsize len, gsize split_at)
{
	guint8 two[2 * LACTD_EMU_FRAME_MAX];

	g_assert(len <= LACTD_EMU_FRAME_MAX);
	if (split_at == 0 || split_at >= len)
		split_at = len / 2;
	switch (p->packing) {
	case LACTD_EMU_PACK_SINGLE:
		lactd_emu_send(emu, uuid, f, len);
		break;
	case LACTD_EMU_PACK_SPLIT:
		lactd_emu_send(emu, uuid, f, split_at);
		lactd_emu_send(emu, uuid, f + split_at, len - split_at);
		break;
	case LACTD_EMU_PACK_PACKED:
		if (!p->holding) {
			memcpy(p->held, f, len);
			p->held_len = len;
			p->holding = TRUE;
			break;
		}
		memcpy(two, p->held, p->held_len);
		memcpy(two + p->held_len, f, len);
		p->holding = FALSE;
		lactd_emu_send(emu, uuid, two, p->held_len + len);
		break;
	}
}

void
lactd_emu_packer_reset(LactdEmuPacker *p)
{
	p->holding = FALSE;
}

void
lactd_emu_chunker_send(LactdEmuChunker *c, LactdEmu *emu, const char *uuid, const guint8 *f,
		       gsize len)
{
	if (c->chunk == 0) {
		lactd_emu_send(emu, uuid, f, len);
		return;
	}
	g_assert(len <= LACTD_EMU_STREAM_MAX / 2 && c->chunk <= LACTD_EMU_STREAM_MAX / 2);
	memcpy(c->pending + c->npending, f, len);
	c->npending += len;
	while (c->npending >= c->chunk) {
		lactd_emu_send(emu, uuid, c->pending, c->chunk);
		memmove(c->pending, c->pending + c->chunk, c->npending - c->chunk);
		c->npending -= c->chunk;
	}
}
