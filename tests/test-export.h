/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/test-export share: the fixture, a store with
 * sessions and weighings around T0, and the function with which each file
 * registers its cases (called by test-export.c's main()). */
#pragma once

#include "lactd-store.h"

#define NOTE "comma, \"quoted\"\r\nnew line; ünïcode ✓ tab\there \\ \x01 end"
#define NAME "Anna Müller, \"Mama\""
#define BABY_SCALE "AA:BB:CC:DD:EE:01"
#define T0 ((gint64)1715680800 * G_USEC_PER_SEC) /* 2024-05-14 10:00 UTC */

typedef struct {
	char *dir;
	LactdStore *store;
	guint n_sessions;
} Fixture;

/* test-export.c */
void add(Fixture *f, LactdSessionKind kind, gint64 start, const char *note, gboolean volume);
void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);
char *export(Fixture *f, const char *format);

/* test-export-csv.c */
void add_csv_tests(void);

/* test-export-json.c */
void add_json_tests(void);
