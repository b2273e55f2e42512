/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactctl's table columns over a record of the model: the header's unit and
 * alignment, and each cell's text, come from the record's field table.
 */
#pragma once

#include <gio/gio.h>

#include "lactd-model.h"

G_BEGIN_DECLS

typedef struct {
	const char *title; /* "LEFT"; a volume's unit is added from the model */
	const char *key;   /* the D-Bus key, NULL for a column lactctl works out */
} LactctlColumn;

/* The headers of a table, NULL-terminated: numbers right-aligned (">"),
 * a volume with its unit ("LEFT mL"). A column without key is its title. */
GStrv lactctl_columns_headers(const LactdRecord *record, const LactctlColumn *cols, guint n);
/* One field of a record's a{sv} as text: "%.1f" for volumes, the "not
 * measured" dash when the key is absent. */
char *lactctl_column_cell(const LactdRecord *record, const char *key, GVariant *dict);

G_END_DECLS
