/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The heap of the large replies (a year of sessions, five years of days):
 * kept between queries that come close together, given back when the
 * daemon has been idle a while.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How long the heap of a large reply is kept after the last one. */
#define LACTD_REPLY_MEMORY_KEEP_S 10

/* Sets the allocator's policy for the process: heap memory is kept when
 * freed, rather than given back to the kernel at once. Called once, before
 * any query is answered. FALSE (and a line in the log) where the allocator
 * is not glibc's or refuses (a sanitizer's). */
gboolean lactd_reply_memory_init(void);

/* A large reply was built: the heap is given back LACTD_REPLY_MEMORY_KEEP_S
 * after the last such call. */
void lactd_reply_memory_used(void);

/* How many times the heap was given back (for tests and the benchmark). */
guint lactd_reply_memory_trims(void);

/* Tests: how long the heap is kept, in milliseconds, instead of
 * LACTD_REPLY_MEMORY_KEEP_S. */
void lactd_reply_memory_set_keep_ms(guint ms);

G_END_DECLS
