/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl report: the consultant's page as PDF, HTML, PNG or SVG. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* argv[0] is "report", the rest the command's words. Returns 0, 1 (an
 * error from the daemon or writing the file) or 2 (usage). */
int lactctl_report_main(GDBusConnection *bus, int argc, char **argv);

G_END_DECLS
