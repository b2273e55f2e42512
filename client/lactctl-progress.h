/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * `lactctl progress` in words: the daemon's GetProgress figures beside the
 * plan, for a tired parent to read at a glance. Pure functions, so that the
 * words can be tested for every state without a daemon.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Whether to colour the output: only on a terminal whose TERM is set and is
 * not "dumb", and never when NO_COLOR is set to anything but "" (no-color.org). */
gboolean lactctl_progress_use_colour(gboolean is_tty, const char *term, const char *no_color);

/* The human view of a GetProgress answer (progress, a{sv}) and a GetPlan
 * answer (plan, a{sv}). today is the local date "YYYY-MM-DD", to tell a plan
 * that starts today from one that starts later. Every amount is counted as
 * progress; nothing is judged and no advice is given (docs/progress.md). */
char *lactctl_progress_text(GVariant *progress, GVariant *plan, const char *today,
			    gboolean colour);

G_END_DECLS
