/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Sessions as columns: the reply of Manager1.ListSessionsColumns, one typed
 * array per key, which D-Bus marshals without a cost per element.
 */
#pragma once

#include <glib.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/*
 * lactd_session_columns_new:
 * @sessions: (element-type LactdSession): the rows, in their order
 *
 * Returns: (transfer floating): the a{sv} of ListSessionsColumns, every
 * column holding @sessions->len elements (keys and types in
 * daemon/dbus/org.lactd.Manager1.xml).
 */
GVariant *lactd_session_columns_new(GPtrArray *sessions);

G_END_DECLS
