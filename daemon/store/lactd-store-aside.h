/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Setting a damaged database aside, and remembering that it was. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Renames PATH (and its -wal and -shm) to PATH.corrupt-TIMESTAMP[-N], a
 * name that exists nowhere yet: never overwrites an earlier one. Returns
 * the new path, or NULL with @error set when PATH itself could not be moved
 * (it is then left as it was). */
char *lactd_store_aside_move(const char *path, GError **error);

/* The marker file beside the database that keeps the set-aside state over
 * restarts, until the user removes it: PATH.set-aside. */
char *lactd_store_aside_marker_path(const char *path);
/* Writes the marker with @reason; FALSE with @error when it cannot. */
gboolean lactd_store_aside_mark(const char *path, const char *reason, GError **error);
/* The marker's reason, or NULL when there is none. */
char *lactd_store_aside_marked(const char *path);

G_END_DECLS
