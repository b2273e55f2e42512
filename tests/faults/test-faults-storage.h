/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/faults/test-faults-storage share: the fixture (a
 * private bus and a folder for the database), sessions added and counted,
 * the daemon's StorageState and log, and the function with which each file
 * registers its cases (called by test-faults-storage.c's main()). */
#pragma once

#include "lactd-test.h"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	char *dir; /* the database's folder */
	char *db;
	gboolean mounted; /* a tmpfs on dir, unmounted in any case */
} Fixture;

/* test-faults-storage.c */
void setup(Fixture *f, gconstpointer data);
void teardown(Fixture *f, gconstpointer data);
GVariant *session_dict(guint i);
guint64 add_session(GDBusConnection *c, guint i, const char *note, GError **error);
guint count_sessions(GDBusConnection *c);
char *storage_state(GDBusConnection *c);
void make_db(Fixture *f, guint n);
GBytes *file_bytes(const char *path);
gboolean log_has(LactdTestDaemon *daemon, const char *text);
char *aside_path(const char *state);

/* A case with the fixture. */
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)

/* test-faults-storage-damaged.c */
void add_damaged_tests(void);

/* test-faults-storage-full.c */
void add_full_tests(void);
