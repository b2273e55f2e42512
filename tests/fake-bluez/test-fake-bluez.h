/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/fake-bluez/test-fake-bluez share: the fixture (a
 * private bus with the fake BlueZ on it and every signal recorded), calls
 * and waits, and the function with which each file registers its cases
 * (called by test-fake-bluez.c's main()). */
#pragma once

#include "lactd-test.h"

#define DEV "/org/bluez/hci0/dev_C0_FF_EE_00_00_10"
#define STRANGER "/org/bluez/hci0/dev_C0_FF_EE_00_00_20"
#define SVC DEV "/service000a"
#define COUNTER SVC "/char000b"
#define ECHO SVC "/char000e"
#define LABEL SVC "/char0011"
#define WAIT_MS 5000

typedef struct {
	char *path;
	char *member;
	GVariant *args;
} Signal;

typedef struct {
	LactdTestBus *bus;
	GDBusConnection *c;
	GPid fake;
	char *log;
	GPtrArray *signals; /* Signal, in arrival order */
	guint sub;
} Fixture;

typedef struct {
	Fixture *f;
	guint from;
	const char *member, *path, *property;
	int expect;
} Wanted;

/* test-fake-bluez.c */
void setup(Fixture *f, gconstpointer data);
void teardown(Fixture *f, gconstpointer data);
/* A case with the fixture; cache: NULL, "no" (gatt_cache=no), or "finish" (a
 * counter that finishes after 3 notifications). */
#define ADD(path, fn, cache) \
	g_test_add("/fake-bluez/" path, Fixture, cache, setup, fn, teardown)
void drain(void);
GVariant *call(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
	       GError **error);
void call_ok(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args);
void call_fails(Fixture *f, const char *path, const char *iface, const char *method, GVariant *args,
		const char *name, const char *message);
GVariant *control(Fixture *f, const char *method, GVariant *args);
void control_ok(Fixture *f, const char *method, GVariant *args);
GVariant *objects(Fixture *f);
GVariant *prop(Fixture *f, const char *path, const char *iface, const char *name);
gboolean has_object(Fixture *f, const char *path);
int find_signal(Fixture *f, guint from, const char *member, const char *path, const char *property,
		int expect);
gboolean signal_arrived(gpointer user_data);
int wait_signal(Fixture *f, guint from, const char *member, const char *path, const char *property,
		int expect);
guint count_signals(Fixture *f, guint from, const char *member, const char *path,
		    const char *property);
guint connect_resolved(Fixture *f);
GVariant *no_options(void);
GVariant *bytes(const void *data, gsize len);

/* test-fake-bluez-api.c */
void add_api_tests(void);

/* test-fake-bluez-control.c */
void add_control_tests(void);
