/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/test-progress share: the fixture (a store in a
 * temporary folder), sessions added in local time, GetProgress's figures,
 * and the function with which test-progress-random.c registers its cases. */
#pragma once

#include "lactd-plan.h"
#include "lactd-store.h"

typedef struct {
	char *dir;
	LactdStore *store;
	guint n_stores;
} Fixture;

/* test-progress.c */
void set_tz(const char *tz);
LactdStore *new_store(Fixture *f);
void fixture_setup(Fixture *f, gconstpointer data);
void fixture_teardown(Fixture *f, gconstpointer data);
gint64 local_us(int y, int mo, int d, int h, int mi);
void add(LactdStore *store, LactdSessionKind kind, gint64 start, double minutes, double left,
	 double right, double supplement);
/* A milk-removal session whose volume nobody measured. */
void add_unmeasured(LactdStore *store, LactdSessionKind kind, gint64 start, double minutes);
GVariant *progress(LactdStore *store, const LactdPlan *plan, gint64 now);
guint get_u(GVariant *p, const char *key);
double get_d(GVariant *p, const char *key);
gboolean get_b(GVariant *p, const char *key);
/* Whether the figure is there: one not measured is absent, never 0. */
gboolean has(GVariant *p, const char *key);

/* test-progress-random.c */
void add_random_tests(void);
