/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactd plugin ABI: the one public header a device plugin is built against.
 *
 * A plugin is a shared object in the plugin directory. It exports two
 * symbols, made by LACTD_PLUGIN_DEFINE(): `lactd_plugin_abi`, checked by the
 * host before anything else, and `lactd_plugin_desc`, the descriptor.
 *
 * A plugin never touches D-Bus, SQLite or the main loop: everything goes
 * through the LactdHost helpers. Its parsing is a pure function (`parse`),
 * so that the same code serves the plugin, its tests, its fuzz target and
 * the replay tool.
 *
 * Conventions: UUIDs are 128-bit, lowercase, as BlueZ presents them
 * ("0000181d-0000-1000-8000-00805f9b34fb"); times are UTC microseconds since
 * the Unix epoch; volumes are mL, weights grams.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change to the structures below.
 * 2: LactdPluginDesc gained name_patterns, required_chars,
 *    weight_resolution_g and flags (matching that tells scales apart). */
#define LACTD_PLUGIN_ABI_VERSION 2u

/* Most readings one packet can produce. */
#define LACTD_READINGS_MAX 8

typedef enum {
	LACTD_KIND_PUMP = 1,
	LACTD_KIND_SCALE = 2,
} LactdKind;

typedef enum {
	LACTD_READING_PHASE = 1, /* pump state changed or was repeated */
	LACTD_READING_VOLUME,	 /* cumulative per-side volume of a live session */
	LACTD_READING_SUCTION,	 /* suction level */
	LACTD_READING_BATTERY,	 /* battery percent */
	LACTD_READING_WEIGHT,	 /* weight in grams */
	LACTD_READING_RECORD,	 /* a completed session from the device's history */
	LACTD_READING_FEATURES,	 /* what the device says it can do */
} LactdReadingType;

typedef enum {
	LACTD_PHASE_IDLE = 0,
	LACTD_PHASE_STIMULATION = 1,
	LACTD_PHASE_EXPRESSION = 2,
	LACTD_PHASE_PAUSED = 3,
} LactdPhase;

/* Channels: which breast a reading or device covers. */
#define LACTD_CHANNEL_LEFT  (1u << 0)
#define LACTD_CHANNEL_RIGHT (1u << 1)

/* Flags of a LACTD_READING_RECORD. */
#define LACTD_RECORD_ENDED_BY_USER   (1u << 0)
#define LACTD_RECORD_INTERRUPTED     (1u << 1)
#define LACTD_RECORD_START_ESTIMATED (1u << 2)

typedef struct {
	LactdReadingType type;
	int64_t time_us; /* 0: the host stamps the time the packet arrived */
	union {
		struct {
			LactdPhase phase;
			uint32_t device_session; /* 0 when idle or unknown */
			uint32_t elapsed_s;
		} phase;
		struct {
			uint32_t device_session;
			uint32_t sequence;
			uint32_t elapsed_s;
			uint32_t channels; /* LACTD_CHANNEL_* present in this reading */
			double left_ml;	   /* cumulative; meaningful if the channel is present */
			double right_ml;
		} volume;
		struct {
			uint32_t level;
			uint32_t max_level;
		} suction;
		struct {
			uint32_t percent; /* 0..100 */
		} battery;
		struct {
			double grams;
			bool stable;
			/* With LACTD_PLUGIN_FLAG_MEASUREMENTS: the device's own
			 * name for this measurement (such as its time stamp),
			 * 0 when it gives none. A device that sends a
			 * measurement again (its confirmation was lost with the
			 * link) sends it with the same id: the host stores it
			 * once. The plugin zeroes the reading, so 0 is what a
			 * plugin that does not know the field sends. */
			uint64_t measurement_id;
		} weight;
		struct {
			uint32_t device_session;
			int64_t start_us; /* 0: the device did not know */
			uint32_t duration_s;
			uint32_t channels;
			double left_ml;
			double right_ml;
			uint32_t flags; /* LACTD_RECORD_* */
		} record;
		struct {
			uint32_t channels;
			bool measures_volume;
			uint32_t max_suction;
			bool stores_records;
			bool has_clock;
		} features;
	};
} LactdReading;

/* Opaque: one device as the host tracks it. */
typedef struct LactdDevice LactdDevice;

typedef enum {
	LACTD_VALUE_NOTIFY = 0, /* notification or indication */
	LACTD_VALUE_READ = 1,	/* the reply to host->read() */
} LactdValueOrigin;

typedef enum {
	LACTD_LOG_DEBUG = 0,
	LACTD_LOG_INFO = 1,
	LACTD_LOG_WARNING = 2,
} LactdLogLevel;

/*
 * What the host does for a plugin. Calls return 0 on success and a negative
 * value on failure; a failure is already logged by the host.
 */
typedef struct {
	uint32_t abi_version;
	/* "AA:BB:CC:DD:EE:FF" */
	const char *(*address)(LactdDevice *dev);
	/* The plugin's per-device state: desc->state_size bytes, zeroed at attach. */
	void *(*state)(LactdDevice *dev);
	/* Enable notifications or indications on a characteristic. */
	int (*subscribe)(LactdDevice *dev, const char *char_uuid);
	/* Read a characteristic once; the value arrives through desc->value. */
	int (*read)(LactdDevice *dev, const char *char_uuid);
	/* Write a characteristic, queued in order with the device's other writes. */
	int (*write)(LactdDevice *dev, const char *char_uuid, const uint8_t *data, size_t len,
		     bool with_response);
	/* Hand a reading to the host. Returns 0 once it is durably stored (or
	 * accepted, for live values), negative if it was refused or not stored. */
	int (*emit)(LactdDevice *dev, const LactdReading *reading);
	/* Count and log a packet the plugin refused. */
	void (*reject)(LactdDevice *dev, const char *reason);
	/* A periodic timer that calls desc->timer; returns its id (never 0). */
	uint32_t (*timer_start)(LactdDevice *dev, uint32_t interval_ms);
	void (*timer_stop)(LactdDevice *dev, uint32_t timer_id);
	/* Highest device session id already stored for this device, 0 if none. */
	uint32_t (*last_record)(LactdDevice *dev);
	/* Wall clock, UTC microseconds. */
	int64_t (*now_us)(LactdDevice *dev);
	void (*log)(LactdDevice *dev, LactdLogLevel level, const char *message);
} LactdHost;

/* Advertisement matching, for devices that broadcast. A list ends with an
 * entry whose manufacturer_id is 0 and service_data_uuid is NULL. */
typedef struct {
	uint16_t manufacturer_id;      /* 0: any */
	const char *service_data_uuid; /* NULL: any */
} LactdAdvMatch;

typedef struct {
	uint32_t abi_version; /* LACTD_PLUGIN_ABI_VERSION */
	const char *name;     /* short, lowercase: "opp", "decent" */
	const char *description;
	LactdKind kind;
	int priority; /* higher wins when two plugins match one device */
	size_t state_size;
	/* GATT primary service UUIDs that identify a device; NULL-terminated. */
	const char *const *service_uuids;
	/* Advertisements that identify a broadcasting device; may be NULL. */
	const LactdAdvMatch *adv_matches;

	/* Services resolved: subscribe, read, write the commands that start the
	 * device. Returns 0, or negative to give up on the device. */
	int (*attach)(LactdDevice *dev, const LactdHost *host);
	/* A value from a characteristic. NULL: the host runs parse and emits. */
	void (*value)(LactdDevice *dev, const LactdHost *host, const char *char_uuid,
		      const uint8_t *data, size_t len, LactdValueOrigin origin);
	/* Advertisement data: manufacturer data (service_uuid NULL) or service
	 * data (manufacturer_id 0). May be NULL. */
	void (*advertisement)(LactdDevice *dev, const LactdHost *host, uint16_t manufacturer_id,
			      const char *service_uuid, const uint8_t *data, size_t len);
	/* A timer started with host->timer_start fired. May be NULL. */
	void (*timer)(LactdDevice *dev, const LactdHost *host, uint32_t timer_id);
	/* The link is gone or capture stops; the state is freed after this. */
	void (*detach)(LactdDevice *dev, const LactdHost *host);

	/*
	 * The pure parser: bytes of one characteristic (or advertisement, with
	 * char_uuid the service data UUID or "manufacturer") in, readings out.
	 * No I/O, no globals; `state` is the plugin's per-device state (it may
	 * keep what validation needs, such as the last volume of a session).
	 * Returns the number of readings written to out (0 is fine: a packet with
	 * nothing to report), or -1 with *reason set to a static string when
	 * the packet is refused (wrong length, bad checksum, reserved or
	 * out-of-range value).
	 */
	int (*parse)(void *state, const char *char_uuid, const uint8_t *data, size_t len,
		     LactdReading *out, size_t max_out, const char **reason);

	/* ABI 2. Matching that tells protocols apart. */
	/* Device name patterns ('*' and '?' wildcards, as GLib's
	 * g_pattern_match_simple), NULL-terminated; NULL: any name. When set,
	 * a device whose name matches none of them is not this plugin's. */
	const char *const *name_patterns;
	/* Characteristic UUIDs that must all be present once services are
	 * resolved, NULL-terminated; NULL: none. Checked before attach, so a
	 * plugin never writes to a device that lacks them. */
	const char *const *required_chars;
	/* Smallest weight step the scale reports, in grams (0: unknown, the
	 * host assumes 0.1 g). Used by host-computed stability. */
	double weight_resolution_g;
	uint32_t flags; /* LACTD_PLUGIN_FLAG_* */
} LactdPluginDesc;

/* The scale sends no stable flag: the host decides when a weight is stable
 * (unchanged within weight_resolution_g for a set time) and ignores
 * LactdReading.weight.stable. */
#define LACTD_PLUGIN_FLAG_HOST_STABILITY (1u << 0)
/* The device sends nothing until the link is encrypted (bonded). */
#define LACTD_PLUGIN_FLAG_NEEDS_ENCRYPTION (1u << 1)
/* Each weight reading is one finished measurement, as a Weight Scale
 * Service indication is: the host stores every one, even one equal to the
 * last (a baby weighed again at the same weight), instead of one weighing
 * per placement of a weight that is streamed; one sent again with the
 * same weight.measurement_id as the last is stored once. A host that does
 * not know the flag stores one per placement, as before. */
#define LACTD_PLUGIN_FLAG_MEASUREMENTS (1u << 2)

#if defined(__GNUC__)
#define LACTD_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define LACTD_PLUGIN_EXPORT
#endif

/* Defines the two exported symbols from a descriptor variable. */
#define LACTD_PLUGIN_DEFINE(desc_var)                                                     \
	LACTD_PLUGIN_EXPORT extern const uint32_t lactd_plugin_abi;                        \
	LACTD_PLUGIN_EXPORT const uint32_t lactd_plugin_abi = LACTD_PLUGIN_ABI_VERSION;    \
	LACTD_PLUGIN_EXPORT extern const LactdPluginDesc *const lactd_plugin_desc;         \
	LACTD_PLUGIN_EXPORT const LactdPluginDesc *const lactd_plugin_desc = &(desc_var)

/* Limits every parser enforces. */
#define LACTD_MAX_SIDE_ML 1000.0
#define LACTD_MAX_WEIGHT_G 30000.0

/* Bluetooth SIG 16-bit UUID to the 128-bit string form. */
#define LACTD_UUID16(x) "0000" x "-0000-1000-8000-00805f9b34fb"

#ifdef __cplusplus
}
#endif
