/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What every streaming scale emulator shares: the scenario keys they all
 * take, the load on the pan over scenario time (a weighing settles over
 * one second), the frame clock, and when the scenario is over. Each
 * emulator keeps one LactdEmuScale in its state and adds only its
 * protocol: its GATT table, its encoder, its commands.
 */
#pragma once

#include <glib.h>

#include "lactd-emu.h"

G_BEGIN_DECLS

/* A weighing ramps from the previous load to its own over this time. */
#define LACTD_EMU_SCALE_SETTLE_MS 1000
/* Heaviest load a scenario may put on an emulated scale. */
#define LACTD_EMU_SCALE_MAX_GRAMS 3000.0

typedef struct {
	GArray *weighings;  /* LactdEmuWeighing, by time */
	gint64 interval_ms; /* between two frames */
	gint64 done_ms;	    /* scenario time of the last frame due */
	double max_grams;   /* set before init: the scale's capacity (0: 3 kg) */
} LactdEmuScale;

/*
 * lactd_emu_scale_init:
 * Reads the keys every scale emulator takes: `weighings=` and
 * `interval_ms=` (10 to 5000, default @interval_ms) besides `emulator=` and
 * `name=`; @extra_keys (NULL-terminated, may be NULL) are the emulator's
 * own, read by it. Any other key is an error naming @emulator; so is a
 * value out of range.
 */
gboolean lactd_emu_scale_init(LactdEmuScale *s, GKeyFile *kf, const char *group,
			      const char *emulator, const char *const *extra_keys,
			      gint64 interval_ms, GError **error);
void lactd_emu_scale_clear(LactdEmuScale *s);

/*
 * lactd_emu_key_uint:
 * Reads an unsigned integer key from @min to @max into @out, left as it is
 * when the key is absent. FALSE with an error naming the group and the key
 * for a value that is not a number in range.
 */
gboolean lactd_emu_key_uint(GKeyFile *kf, const char *group, const char *key, guint64 min,
			    guint64 max, guint64 *out, GError **error);

/* The load on the pan at scenario time @t; *stable (may be NULL) is TRUE
 * once the last weighing has settled. */
double lactd_emu_scale_load_at(const LactdEmuScale *s, gint64 t, gboolean *stable);

/* Whether another frame is due by @sim_ms; if so, done_ms moves to it. */
gboolean lactd_emu_scale_tick(LactdEmuScale *s, gint64 sim_ms);

/* The scenario is over: the last weighing settled and held @hold_ms. */
gboolean lactd_emu_scale_finished(const LactdEmuScale *s, gint64 hold_ms);

/* A write to any characteristic but @writable is refused (G_IO_ERROR). */
gboolean lactd_emu_scale_check_write(const char *uuid, const char *writable, GError **error);

/* How frames go into notifications (`packing=`): one frame each, each
 * frame cut in two notifications, or two frames a notification, as radios
 * and firmwares do. */
typedef enum {
	LACTD_EMU_PACK_SINGLE,
	LACTD_EMU_PACK_SPLIT,
	LACTD_EMU_PACK_PACKED,
} LactdEmuPacking;

#define LACTD_EMU_FRAME_MAX 64

typedef struct {
	LactdEmuPacking packing;
	guint8 held[LACTD_EMU_FRAME_MAX]; /* packed: a frame waiting for its pair */
	gsize held_len;
	gboolean holding;
} LactdEmuPacker;

/* Reads `packing=` (single, the default, split or packed). */
gboolean lactd_emu_packer_init(LactdEmuPacker *p, GKeyFile *kf, const char *group,
			       GError **error);
/* Sends frame @f (at most LACTD_EMU_FRAME_MAX bytes) on @uuid as packed:
 * split cuts it after @split_at bytes (0: half way). */
void lactd_emu_packer_send(LactdEmuPacker *p, LactdEmu *emu, const char *uuid, const guint8 *f,
			   gsize len, gsize split_at);
/* The link went away: a frame held for its pair is dropped. */
void lactd_emu_packer_reset(LactdEmuPacker *p);

/* A device that writes a byte stream and notifies it in chunks of a fixed
 * size, cutting frames anywhere (`chunk=`). */
#define LACTD_EMU_STREAM_MAX 512

typedef struct {
	guint64 chunk; /* 0: each frame as it is */
	guint8 pending[LACTD_EMU_STREAM_MAX];
	gsize npending;
} LactdEmuChunker;

/* Queues frame @f and sends every whole chunk on @uuid; @len and chunk
 * must each stay within LACTD_EMU_STREAM_MAX / 2. */
void lactd_emu_chunker_send(LactdEmuChunker *c, LactdEmu *emu, const char *uuid, const guint8 *f,
			    gsize len);

G_END_DECLS
