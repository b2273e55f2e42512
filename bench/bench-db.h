/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A synthetic history written through the store API, shared by the
 * benchmarks that need a database of a given age. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes `years` of history into the database at path (12 pump sessions a
 * day, 20 minutes each, one sample a second per side, up to yesterday);
 * *n_sessions is how many sessions that made. */
void bench_db_build(const char *path, guint years, guint64 *n_sessions);

G_END_DECLS
