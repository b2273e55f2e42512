/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The fixture of tests/test-capture and tests/test-capture-links: the fake
 * BlueZ with emulated devices and the real lactd on a private bus, the
 * signals counted, and checks of the pump's session. */
#pragma once

#include "lactd-test.h"

/* The pump's clock at 240x: its 20-minute session takes 5 s. */
#define SPEED "240"

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	LactdTestFake *fake;
	LactdTestDaemon *daemon;
	guint ended;
	guint weighed;
	GVariant *last_ended;
	guint sub;
} Fixture;

/* A pump whose session is 20 minutes long and a scale with one weighing,
 * as [device] groups of the fake BlueZ. */
extern const char pump_conf[];
extern const char scale_conf[];

/* For ended_n and weighed_n: at least n sessions ended, or n weighings. */
typedef struct {
	Fixture *f;
	guint n;
} Count;

void start_at(Fixture *f, const char *devices, const char *lactd_conf, const char *speed);
void start(Fixture *f, const char *devices, const char *lactd_conf);
void setup(Fixture *f, gconstpointer data);
void teardown(Fixture *f, gconstpointer data);
gboolean ended_n(gpointer user_data);
gboolean weighed_n(gpointer user_data);
void wait_elapsed(Fixture *f, guint32 seconds);
GVariant *list_sessions(Fixture *f);
void check_pump_session(Fixture *f);
gboolean device_listed(gpointer user_data);
