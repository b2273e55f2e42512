/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* For the store's tests: migrating a raw database to a given version. */
#pragma once

#include <glib.h>
#include <sqlite3.h>

G_BEGIN_DECLS

gboolean lactd_store_migrate(sqlite3 *db, guint target, GError **error);

typedef struct _LactdStore LactdStore;
/* The connection, for tests that simulate a full disk (max_page_count). */
sqlite3 *lactd_store_get_db(LactdStore *store);

G_END_DECLS
