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
 * lactctl_capture_append_page:
 * @cap: a capture made by lactctl_capture_from_variant() from the first page
 * @info: a{sv} of this page (its start and end replace @cap's: a running
 *   capture's end moves)
 * @events: a(xssqays), the page's events, appended to @cap's
 *
 * Adds the next page of GetCapturePage to a capture.
 *
 * Returns: FALSE with @error set, naming the event by its index in the
 * whole capture, when an event names a kind that capture files do not
 * know; the events before it are added.
 */
gboolean lactctl_capture_append_page(LactdCapFile *cap, GVariant *info, GVariant *events,
				     GError **error);

/*
 * lactctl_capture_to_variant:
 *
 * The arguments of ImportCapture, as one floating (a{sv}a(ssqs)a(xssqays))
 * tuple. @source replaces the file's source when the file names none.
 */
GVariant *lactctl_capture_to_variant(const LactdCapFile *cap, const char *source);

/* The arguments of ImportCaptureBegin, as one floating (a{sv}a(ssqs)). */
GVariant *lactctl_capture_info_to_variant(const LactdCapFile *cap, const char *source);
/* Events @first to @first + @max - 1 (fewer at the end) as a floating
 * a(xssqays), a page of ImportCaptureAppend. */
GVariant *lactctl_capture_events_to_variant(const LactdCapFile *cap, guint first, guint max);

G_END_DECLS
