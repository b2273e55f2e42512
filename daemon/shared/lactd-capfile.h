/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Captures of a device's GATT traffic, as files: what `lactctl capture
 * export` writes, what `lactctl capture import` and `lactd-replay` read,
 * and what the fake BlueZ plays back as a device. The format is documented
 * in docs/capture-format.md; it is line-oriented text so that a recording
 * can be read, annotated and diffed by a person, and kept in git as a
 * plugin's test.
 *
 * btsnoop logs (Android's btsnoop_hci.log, BlueZ's `btmon -w`) are turned
 * into the same structure by lactd_capfile_from_btsnoop().
 */
#pragma once

#include <glib.h>

#include "lactd-util.h"

G_BEGIN_DECLS

typedef enum {
	LACTD_CAP_NOTIFY,   /* a notification from the device */
	LACTD_CAP_INDICATE, /* an indication from the device */
	LACTD_CAP_READ,	    /* a value read from the device */
	LACTD_CAP_WRITE,    /* a value written to the device (with or without response) */
	LACTD_CAP_MARK,	    /* a note the user made while recording */
} LactdCapKind;

/* A characteristic in a capture file: uuid and service_uuid in lowercase
 * 128-bit form (service_uuid NULL when unknown), flags comma-separated
 * ("read,notify", may be ""), handle 0 when unknown. */
typedef LactdGattChar LactdCapChar;

typedef struct {
	gint64 time_us;	  /* UTC microseconds since the epoch */
	LactdCapKind kind;
	char *uuid;	  /* characteristic UUID (lowercase 128-bit); NULL for marks or when unknown */
	guint16 handle;	  /* ATT handle, 0 when unknown */
	GBytes *value;	  /* NULL for marks */
	char *text;	  /* the mark's text; NULL for other kinds */
} LactdCapEvent;

typedef struct {
	char *address; /* device address, "" when unknown */
	char *name;    /* device name, "" when unknown */
	char *source;  /* "lactd", "btsnoop-h4", "btsnoop-monitor" or another tool's name */
	gint64 start_us;
	gint64 end_us;
	GPtrArray *chars;  /* LactdCapChar, in discovery order */
	GPtrArray *events; /* LactdCapEvent, by time */
} LactdCapFile;

/* Limits a file may not exceed; bigger input is refused, not truncated. */
#define LACTD_CAPFILE_MAX_EVENTS 2000000
#define LACTD_CAPFILE_MAX_VALUE 512 /* bytes: the largest ATT attribute value */
#define LACTD_CAPFILE_MAX_CHARS 4096 /* characteristics of one device */
#define LACTD_CAPFILE_MAX_TEXT 4096  /* bytes of a mark, name, address or flags */

LactdCapFile *lactd_capfile_new(void);
void lactd_capfile_free(LactdCapFile *cap);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactdCapFile, lactd_capfile_free)

const char *lactd_cap_kind_to_string(LactdCapKind kind);
gboolean lactd_cap_kind_from_string(const char *str, LactdCapKind *kind);

/*
 * Adds a characteristic / an event; the capture copies what it is given.
 * UUIDs are stored in the lowercase 128-bit form (16- and 32-bit ones are
 * expanded with the Bluetooth Base UUID). Events are kept in time order, and
 * start_us/end_us widen to include the event (start_us 0 counts as unset).
 */
void lactd_capfile_add_char(LactdCapFile *cap, const char *uuid, const char *flags,
			    guint16 handle, const char *service_uuid);
void lactd_capfile_add_event(LactdCapFile *cap, gint64 time_us, LactdCapKind kind,
			     const char *uuid, guint16 handle, const guint8 *value, gsize len,
			     const char *text);

/*
 * lactd_capfile_parse:
 * Reads a capture file's text. A malformed line is an error naming its line
 * number (G_IO_ERROR_INVALID_DATA); nothing is returned half-read.
 */
LactdCapFile *lactd_capfile_parse(const char *text, gsize len, GError **error);
LactdCapFile *lactd_capfile_load(const char *path, GError **error);

/* Writes the capture as text; lactd_capfile_parse() reads it back equal. */
char *lactd_capfile_to_string(const LactdCapFile *cap);
gboolean lactd_capfile_save(const LactdCapFile *cap, const char *path, GError **error);

/*
 * lactd_capfile_normalise_uuid:
 * The lowercase 128-bit form of a 16-bit ("2a37"), 32-bit or 128-bit UUID;
 * NULL when @uuid is none of these.
 */
char *lactd_capfile_normalise_uuid(const char *uuid);

/*
 * lactd_capfile_describe:
 * A readable dump for a person decoding a device: every event with its time
 * (from the start and absolute UTC), kind, handle, UUID and value in hex,
 * marks in line; then per characteristic the count, the lengths seen, the
 * byte positions that never change (with their value) and those that count
 * up by one or rise monotonically. What `lactctl capture show` prints.
 */
char *lactd_capfile_describe(const LactdCapFile *cap);

/*
 * lactd_capfile_from_btsnoop:
 * Reads a btsnoop log (datalink 1002 HCI UART/H4, or 2001 Linux monitor),
 * reassembles ACL fragments into L2CAP, takes the ATT channel (CID 4), and
 * returns its notifications, indications, reads and writes as events, with
 * handles mapped to UUIDs where the log holds the discovery responses. With
 * @address non-NULL only that peer's traffic is kept. A malformed or
 * truncated log is an error naming the byte offset (G_IO_ERROR_INVALID_DATA).
 */
LactdCapFile *lactd_capfile_from_btsnoop(const guint8 *data, gsize len, const char *address,
					 GError **error);

G_END_DECLS
