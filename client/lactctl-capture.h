/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Captures between their D-Bus form (Manager1.GetCapture, ImportCapture)
 * and their file form (lactd-capfile.h), for lactctl capture show, export
 * and import.
 */
#pragma once

#include <glib.h>

#include "lactd-capfile.h"

G_BEGIN_DECLS

/*
 * lactctl_capture_from_variant:
 * @info: a{sv} as GetCapture returns it
 * @chars: a(ssqs)
 * @events: a(xssqays)
 *
 * Returns: the capture as a LactdCapFile, or NULL with @error set when an
 * event names a kind that capture files do not know.
 */
LactdCapFile *lactctl_capture_from_variant(GVariant *info, GVariant *chars, GVariant *events,
					   GError **error);

/*
 * lactctl_capture_to_variant:
 *
 * The arguments of ImportCapture, as one floating (a{sv}a(ssqs)a(xssqays))
 * tuple. @source replaces the file's source when the file names none.
 */
GVariant *lactctl_capture_to_variant(const LactdCapFile *cap, const char *source);

G_END_DECLS
