/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Device emulators: the device side of each protocol, driven by a scenario.
 *
 * An emulator lives beside its plugin (plugins/<name>/<name>-emu.c) and uses
 * the same protocol's encoder. The fake BlueZ (tests/fake-bluez) turns an
 * emulator into D-Bus GATT objects; the real-BlueZ VM test turns it into a
 * GATT application registered with bluetoothd. The emulator itself knows
 * nothing of D-Bus: it describes its GATT database, answers reads and
 * writes, and sends notifications through a callback as scenario time
 * advances.
 *
 * Scenario time is milliseconds since the device was switched on. The
 * transport advances it (faster than real time in tests) and the emulator
 * sends whatever became due.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _LactdEmu LactdEmu;

typedef struct {
	const char *uuid;  /* 128-bit, lowercase */
	const char *flags; /* GattCharacteristic1.Flags, comma-separated: "read,notify" */
} LactdEmuChar;

typedef struct {
	const char *uuid;	    /* NULL ends a service list */
	const LactdEmuChar *chars; /* ends with uuid NULL */
} LactdEmuService;

/* Sends a notification (or indication) on a characteristic. */
typedef void (*LactdEmuNotifyFunc)(LactdEmu *emu, const char *char_uuid, const guint8 *data,
				   gsize len, gpointer user_data);
/* Sets advertising data, for broadcasters: manufacturer data (service_uuid
 * NULL) or service data. */
typedef void (*LactdEmuAdvertiseFunc)(LactdEmu *emu, guint16 manufacturer_id,
				      const char *service_uuid, const guint8 *data, gsize len,
				      gpointer user_data);

typedef struct {
	const char *name;		  /* matches the plugin: "opp", "wss", ... */
	const char *default_name;	  /* Device1.Name when a scenario gives none */
	const LactdEmuService *services; /* ends with uuid NULL */
	gsize priv_size;		  /* emulator state, zeroed, at emu->priv */
	/* Reads the scenario from a key file group; unknown keys are an error. */
	gboolean (*init)(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error);
	/* Scenario time moved to emu->sim_ms: send what became due. */
	void (*advance)(LactdEmu *emu);
	/* A GATT read; NULL with error set (G_IO_ERROR_*) when refused. */
	GBytes *(*read)(LactdEmu *emu, const char *char_uuid, GError **error);
	/* A GATT write from the central. */
	gboolean (*write)(LactdEmu *emu, const char *char_uuid, const guint8 *data, gsize len,
			  GError **error);
	/* The central connected (TRUE) or the link went away (FALSE). */
	void (*link)(LactdEmu *emu, gboolean up);
	/* Notifications on a characteristic were enabled or disabled. */
	void (*subscribed)(LactdEmu *emu, const char *char_uuid, gboolean on);
	/* The scenario has nothing more to do. */
	gboolean (*finished)(LactdEmu *emu);
	void (*finalize)(LactdEmu *emu);
	/* Optional: the GATT database of this instance, for emulators whose
	 * services depend on the scenario (a device generation, a recorded
	 * capture played back). NULL uses the class's @services. */
	const LactdEmuService *(*get_services)(LactdEmu *emu);
} LactdEmuClass;

struct _LactdEmu {
	const LactdEmuClass *klass;
	gint64 sim_ms;	      /* scenario time, set by the transport before advance() */
	gint64 epoch_us;      /* wall-clock time at sim_ms 0, for device clocks */
	gboolean connected;   /* a central is connected */
	LactdEmuNotifyFunc notify;
	LactdEmuAdvertiseFunc advertise;
	gpointer user_data;
	gpointer priv;
	GHashTable *subscribed; /* char UUIDs with notifications on; kept by lactd_emu_* */
};

/* A weight put on a scale at a moment of the scenario. */
typedef struct {
	gint64 at_ms;
	double grams;
} LactdEmuWeighing;

/*
 * lactd_emu_parse_weighings:
 * Reads a scale scenario's `weighings=` value, "AT_S:GRAMS;AT_S:GRAMS..."
 * (seconds from switch-on, up to a week; grams from 0 to @max_grams), and
 * appends them to @out (of LactdEmuWeighing) sorted by time. A bad entry is
 * an error naming the group and the entry.
 */
gboolean lactd_emu_parse_weighings(const char *text, const char *group, double max_grams,
				   GArray *out, GError **error);

/* All emulators the tree builds; NULL-terminated. */
extern const LactdEmuClass *const lactd_emu_classes[];

const LactdEmuClass *lactd_emu_class_find(const char *name);
/* Creates an emulator from a scenario group ("emulator=NAME" names the class). */
LactdEmu *lactd_emu_new(GKeyFile *kf, const char *group, GError **error);
void lactd_emu_free(LactdEmu *emu);
/* The GATT database this emulator shows: get_services() or the class's. */
const LactdEmuService *lactd_emu_services(LactdEmu *emu);
/* Moves scenario time forward and lets the emulator send what is due. */
void lactd_emu_advance_to(LactdEmu *emu, gint64 sim_ms);
/* For transports: subscription and link changes. */
void lactd_emu_set_subscribed(LactdEmu *emu, const char *char_uuid, gboolean on);
void lactd_emu_set_link(LactdEmu *emu, gboolean up);
/* The folder a scenario's relative file names are taken from (the
 * scenario file's; the transport sets it before lactd_emu_new). NULL: the
 * current directory. */
void lactd_emu_set_scenario_dir(const char *dir);
const char *lactd_emu_scenario_dir(void);
/* Helpers for emulators. */
gboolean lactd_emu_is_subscribed(LactdEmu *emu, const char *char_uuid);
void lactd_emu_send(LactdEmu *emu, const char *char_uuid, const guint8 *data, gsize len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdEmu, lactd_emu_free)

G_END_DECLS
