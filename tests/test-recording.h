/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/test-recording share: the fixture (the fake
 * BlueZ and lactd on a private bus), calls and checks on captures, and the
 * function with which each file registers its cases (called by
 * test-recording.c's main()). */
#pragma once

#include "lactd-test.h"

#define SPEED "60"
#define COUNTER_ADDR "C0:FF:EE:00:00:09"
#define PUMP_ADDR "C0:FF:EE:00:00:01"
#define COUNTER_UUID "8a2f0002-6c61-6374-6400-00000000c0de"
#define INDICATOR_ADDR "C0:FF:EE:00:00:0B"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint ended;
	guint sub;
} Fixture;

typedef struct {
	Fixture *f;
	guint64 id;
	guint32 events;
} Want;

/* test-recording.c */
gboolean start(Fixture *f);
void setup(Fixture *f, gconstpointer data);
void teardown(Fixture *f, gconstpointer data);
gboolean device_known(Fixture *f);
guint64 start_capture(Fixture *f, const char *address, gboolean raw, GError **error);
GVariant *capture_info(Fixture *f, guint64 id);
gboolean has_events(gpointer user_data);
GVariant *get_capture(Fixture *f, guint64 id, GVariant **chars, GVariant **events);
guint count_kind(GVariant *events, const char *kind, const char *uuid);
void assert_contains(const char *text, const char *part);
void expect_error(GError *error, const char *name, const char *part);

/* A case with the fixture. */
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)

/* test-recording-live.c */
void add_live_tests(void);

/* test-recording-stored.c */
void add_stored_tests(void);
