/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What the files of tests/vm/lactd-peripheral share: its state, its GATT
 * application (lactd-peripheral-gatt.c) and pairing (lactd-peripheral-pair.c). */
#pragma once

#include <gio/gio.h>

#include "lactd-emu.h"

#define ROOT "/org/lactd/peripheral"
#define ADV_PATH ROOT "/advertisement"

typedef struct {
	char *path;
	char *uuid;
	char *service_path;
	GStrv flags;
	GBytes *value; /* last notified or read */
	gboolean notifying;
} Chrc;

typedef struct {
	char *path;
	char *uuid;
} Service;

typedef struct {
	GDBusConnection *bus;
	GDBusNodeInfo *info;
	GMainLoop *loop;
	char *adapter;
	char *adapter_path;
	LactdEmu *emu;
	GPtrArray *services; /* Service */
	GPtrArray *chrcs;    /* Chrc */
	double speed;
	gboolean clock_on;
	gint64 last_tick_us;
	gint64 sim_ms;
	gboolean away;	       /* SIGUSR1: out of range */
	gboolean bluez_up;     /* org.bluez has an owner */
	gboolean registered;   /* application and advertisement accepted */
	GHashTable *connected; /* device paths on our adapter with Connected */
	/* --pair */
	char *pair_address;
	int status;
} Peripheral;

extern Peripheral P;

/* lactd-peripheral.c */
void say(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* lactd-peripheral-gatt.c: the emulator's values as a GATT application */
void on_notify(LactdEmu *emu, const char *char_uuid, const guint8 *data, gsize len,
	       gpointer user_data);
void on_advertise(LactdEmu *emu, guint16 manufacturer_id, const char *service_uuid,
		  const guint8 *data, gsize len, gpointer user_data);
void export(const char *path, const char *iface, const GDBusInterfaceVTable *vtable);
void build_application(void);

/* lactd-peripheral-pair.c: --pair */
int run_pair(void);
