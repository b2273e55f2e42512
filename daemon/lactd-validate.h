/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Checks what a client sends before anything is stored. Every refusal is
 * LACTD_ERROR_INVALID_ARGS with a message that starts with the field.
 */
#pragma once

#include <glib.h>

#include "lactd-store.h"

G_BEGIN_DECLS

/* Applies a{sv} `changes` to `session` (all of a new session for AddSession,
 * some keys for UpdateSession) and checks the result; `session` is left
 * untouched on error. now_us bounds times in the future. */
gboolean lactd_validate_session(LactdSession *session, GVariant *changes, gboolean is_new,
				gint64 now_us, GError **error);
/* Checks a range [from, to). */
gboolean lactd_validate_range(gint64 from_us, gint64 to_us, GError **error);

G_END_DECLS
