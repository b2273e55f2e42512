/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store tests' fixture (tests/test-store.c, tests/test-store-migrate.c,
 * tests/test-store-samples.c). */
#pragma once

#include "lactd-store.h"

typedef struct {
	char *dir;
	char *path; /* lactd.db in dir, not created */
} Fixture;

void fixture_setup(Fixture *f, gconstpointer data);
/* Removes the folder and everything in it. */
void fixture_teardown(Fixture *f, gconstpointer data);
/* The store at f->path, which must open without a problem. */
LactdStore *open_store(Fixture *f);
/* A manual pump session with both sides measured and a note. */
LactdSession *make_session(gint64 start_us, gint64 minutes, double left, double right);

#define ADD(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
