/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The buffers of the bulk replies' columns (a year of sessions, five years
 * of days): kept between queries that come close together, freed when the
 * daemon has been idle a while.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long the buffers of the last replies are kept. */
#define LACTD_REPLY_MEMORY_KEEP_S 10
/* At most this much is kept; a buffer given back beyond it is freed. */
#define LACTD_REPLY_MEMORY_MAX_BYTES (16 * 1024 * 1024)

/* A buffer of at least @want bytes for the use named by @tag (any pointer
 * that tells one column's buffer from another's): the one that use gave
 * back last when it is large enough, else the smallest kept one that is,
 * else a new one; @cap gets its size. Freed with g_free() or given back
 * with lactd_reply_memory_give(). Thread-safe. */
guint8 *lactd_reply_memory_take(gconstpointer tag, gsize want, gsize *cap);

/* Keeps @data (of @cap bytes, from lactd_reply_memory_take() or g_malloc())
 * for the next reply's @tag, or frees it when enough is kept. Thread-safe:
 * a reply's GVariant may be freed by GDBus's worker thread. */
void lactd_reply_memory_give(gconstpointer tag, guint8 *data, gsize cap);

/* A bulk reply is being built (main thread): what is kept is freed
 * LACTD_REPLY_MEMORY_KEEP_S after the last such call. */
void lactd_reply_memory_used(void);

/* How many bytes are kept now, and how many times they were freed after
 * the replies stopped (for tests and the benchmark). */
gsize lactd_reply_memory_kept_bytes(void);
guint lactd_reply_memory_releases(void);

/* Tests: how long the buffers are kept, in milliseconds. */
void lactd_reply_memory_set_keep_ms(guint ms);

G_END_DECLS
