/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The heap of the large replies.
 *
 * By default glibc hands every freed block of 128 KiB or more at the top of
 * the heap (or mapped on its own) back to the kernel at once. A year of
 * sessions as columns is 634 KB in arrays that grow while the rows are read,
 * so each ListSessionsFd then took all its memory from the kernel again,
 * page by page: on the 2-core VM of docs/BENCHMARKS.md those page faults
 * were a third of the call. A chart that asks for its range again as it is
 * scrolled pays that each time.
 *
 * So the daemon keeps freed heap memory (blocks under 8 MiB come from the
 * heap, and up to 16 MiB of free heap stays), and gives it all back with
 * malloc_trim() LACTD_REPLY_MEMORY_KEEP_S after the last large reply: an
 * idle daemon holds no more than it did before the queries. Other C
 * libraries than glibc keep their own policy, and nothing is trimmed.
 */
#include "config.h"

#include <stdlib.h> /* defines __GLIBC__ where it is glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "lactd-reply-memory.h"

#define MMAP_THRESHOLD (8 * 1024 * 1024)
#define TRIM_THRESHOLD (16 * 1024 * 1024)

static guint trim_source;
static guint trims;
static guint keep_ms = LACTD_REPLY_MEMORY_KEEP_S * 1000;

gboolean
lactd_reply_memory_init(void)
{
#ifdef __GLIBC__
	/* Setting either also stops glibc from moving the thresholds itself. */
	if (mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 &&
	    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1)
		return TRUE;
#endif
	g_message("memory: the allocator keeps its own thresholds; "
		  "each large reply takes its memory from the kernel again");
	return FALSE;
}

static gboolean
trim(gpointer user_data)
{
	trim_source = 0;
#ifdef __GLIBC__
	malloc_trim(0);
#endif
	trims++;
	g_debug("memory: the heap of the last large replies given back");
	return G_SOURCE_REMOVE;
}

void
lactd_reply_memory_used(void)
{
	g_clear_handle_id(&trim_source, g_source_remove);
	trim_source = keep_ms % 1000 == 0 ? g_timeout_add_seconds(keep_ms / 1000, trim, NULL)
					  : g_timeout_add(keep_ms, trim, NULL);
	g_source_set_name_by_id(trim_source, "[lactd] reply memory trim");
}

guint
lactd_reply_memory_trims(void)
{
	return trims;
}

void
lactd_reply_memory_set_keep_ms(guint ms)
{
	keep_ms = ms;
}
