/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The buffers of the bulk replies' columns, kept between replies.
 *
 * A year of sessions as columns is some forty buffers of 35 KB to 64 KB.
 * Freed together when a reply is done, they went back to the kernel (glibc
 * trims the top of its heap), and the next reply took every page again,
 * one fault each: on the 2-core VM of docs/BENCHMARKS.md that was a third
 * of ListSessionsFd. A chart that asks for its range again as it is
 * scrolled pays that each time.
 *
 * So the columns take their buffers here and give them back when their
 * reply is done; up to LACTD_REPLY_MEMORY_MAX_BYTES are kept for the next
 * reply, and all are freed LACTD_REPLY_MEMORY_KEEP_S after the last reply.
 * Nothing else in the daemon changes how it allocates, and an idle daemon
 * holds none of it.
 */
#include "config.h"

#include "lactd-reply-memory.h"

typedef struct {
	gconstpointer tag;
	guint8 *data;
	gsize cap;
} Kept;

static GMutex lock;
static GArray *kept; /* of Kept, under `lock` */
static gsize kept_bytes;
static guint releases;
static guint release_source;
static guint keep_ms = LACTD_REPLY_MEMORY_KEEP_S * 1000;

static guint8 *
take_at(guint i, gsize *cap)
{
	Kept k = g_array_index(kept, Kept, i);

	g_array_remove_index_fast(kept, i);
	kept_bytes -= k.cap;
	*cap = k.cap;
	return k.data;
}

guint8 *
lactd_reply_memory_take(gconstpointer tag, gsize want, gsize *cap)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);
	guint best = G_MAXUINT;

	for (guint i = 0; kept != NULL && i < kept->len; i++) {
		const Kept *k = &g_array_index(kept, Kept, i);

		if (k->cap < want)
			continue;
		/* The same column's buffer: the size it grew to last time. */
		if (k->tag == tag)
			return take_at(i, cap);
		if (best == G_MAXUINT || k->cap < g_array_index(kept, Kept, best).cap)
			best = i;
	}
	if (best != G_MAXUINT)
		return take_at(best, cap);
	*cap = MAX(want, 1);
	return g_malloc(*cap);
}

void
lactd_reply_memory_give(gconstpointer tag, guint8 *data, gsize cap)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);
	Kept k = {tag, data, cap};

	if (data == NULL)
		return;
	if (kept_bytes + cap > LACTD_REPLY_MEMORY_MAX_BYTES) {
		g_free(data);
		return;
	}
	if (kept == NULL)
		kept = g_array_new(FALSE, FALSE, sizeof(Kept));
	g_array_append_val(kept, k);
	kept_bytes += cap;
}

static gboolean
release(gpointer user_data)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);

	release_source = 0;
	for (guint i = 0; kept != NULL && i < kept->len; i++)
		g_free(g_array_index(kept, Kept, i).data);
	g_clear_pointer(&kept, g_array_unref);
	kept_bytes = 0;
	releases++;
	g_debug("memory: the buffers of the last bulk replies freed");
	return G_SOURCE_REMOVE;
}

void
lactd_reply_memory_used(void)
{
	g_clear_handle_id(&release_source, g_source_remove);
	release_source = keep_ms % 1000 == 0 ? g_timeout_add_seconds(keep_ms / 1000, release, NULL)
					     : g_timeout_add(keep_ms, release, NULL);
	g_source_set_name_by_id(release_source, "[lactd] reply memory release");
}

gsize
lactd_reply_memory_kept_bytes(void)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);

	return kept_bytes;
}

guint
lactd_reply_memory_releases(void)
{
	g_autoptr(GMutexLocker) locker = g_mutex_locker_new(&lock);

	return releases;
}

void
lactd_reply_memory_set_keep_ms(guint ms)
{
	keep_ms = ms;
}
