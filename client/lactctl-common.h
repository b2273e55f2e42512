/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What every lactctl command shares: the connection to lactd, option
 * parsing in one style, errors in the user's words, and table cells. */
#pragma once

#include <gio/gio.h>

#include "lactd-dbus.h"

G_BEGIN_DECLS

#define LACTCTL_EXIT_DAEMON   1
#define LACTCTL_EXIT_USAGE    2
#define LACTCTL_EXIT_NOBUS    3
#define LACTCTL_EXIT_NOTFOUND 4

typedef struct {
	const char *command; /* "sessions", "device set" */
	GDBusConnection *bus;
	LactdManager1 *manager;
	gboolean json;
} LactctlCtx;

/* Parses a command's options with GOption: help as "lactctl COMMAND
 * [OPTION…] PARAMS", unknown options refused. On FALSE *rc holds the exit
 * code (usage). --help prints the help and exits 0, as GOption does. */
gboolean lactctl_options(LactctlCtx *ctx, const char *params, const char *summary,
			 const char *description, const GOptionEntry *entries, int *argc,
			 char ***argv, int *rc);
/* Refuses words past the expected ones: argv[0] is the command, then
 * `expected` words. Returns 0 or the usage exit code. */
int lactctl_expect_words(LactctlCtx *ctx, int argc, char **argv, int min, int max,
			 const char *what);
int lactctl_usage(LactctlCtx *ctx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Connects to lactd and adopts its time zone for every date and time that
 * lactctl reads or shows. Returns 0 or an exit code, having said why. */
int lactctl_connect(LactctlCtx *ctx);
/* An error from lactd or the bus, in the user's words: the option typed
 * instead of a D-Bus key, and what to do next. Returns the exit code. */
int lactctl_fail(LactctlCtx *ctx, GError *error);
/* Prints any lactd value as one line of JSON. */
void lactctl_print_json(GVariant *value);
/* The cell of a value that may not have been measured: "—" (or "-" where
 * the terminal's charset is not UTF-8). */
const char *lactctl_not_measured(void);
/* Text safe for one table cell: newlines and other control characters
 * become spaces; at most max_chars characters, "…" when cut (0: no limit). */
char *lactctl_cell_text(const char *text, guint max_chars);

/* A plain-text table: columns sized to their widest cell (in characters). */
typedef struct _LactctlTable LactctlTable;
/* Headers; a leading ">" right-aligns the column (">LEFT mL"). */
LactctlTable *lactctl_table_new(const char *const *headers);
void lactctl_table_add(LactctlTable *table, ...) G_GNUC_NULL_TERMINATED;
void lactctl_table_add_strv(LactctlTable *table, char **cells);
void lactctl_table_print(LactctlTable *table);
void lactctl_table_free(LactctlTable *table);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(LactctlTable, lactctl_table_free)

/* A command that lists rows over a time range as a table (sessions,
 * weighings): what differs between them. */
typedef struct {
	const char *summary;	 /* --help's first line */
	const char *description; /* --help's text after the options */
	const char *none;	 /* said when there are no rows */
	/* The rows (aa{sv}) of [from, to). */
	gboolean (*fetch)(LactctlCtx *ctx, gint64 from, gint64 to, GVariant **list,
			  GError **error);
	LactctlTable *(*table_new)(void);
	void (*add_row)(LactctlTable *table, GVariant *row);
} LactctlListing;
/* Runs such a command: --since, --until and --json parsed, other words
 * refused, the range read in lactd's time zone, the rows printed as a
 * table (or JSON). Returns the exit code. */
int lactctl_range_listing(LactctlCtx *ctx, const LactctlListing *listing, int argc, char **argv);

/* Commands, one function each; argv[0] is the command's name. */
int lactctl_cmd_status(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_log(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_sessions(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_show(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_edit(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_delete(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_summary(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_weighings(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_watch(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_device(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_plan(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_progress(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_export(LactctlCtx *ctx, int argc, char **argv);
int lactctl_cmd_capture(LactctlCtx *ctx, int argc, char **argv);

/* Shared by status and device list. */
int lactctl_print_devices(LactctlCtx *ctx, GDBusObjectManager *om);
GDBusObjectManager *lactctl_object_manager(LactctlCtx *ctx, GError **error);
/* The cached properties of every object's @iface (org.lactd.Device1,
 * org.lactd.Session1), as aa{sv} named as on the bus; floating. */
GVariant *lactctl_objects_properties(GDBusObjectManager *om, const char *iface);
/* The start of a command that takes no word and reads lactd's objects: its
 * options, no word after them, the connection, the object manager. NULL,
 * with *rc the exit code, when the command ends there (help, usage, no
 * daemon). */
GDBusObjectManager *lactctl_begin_objects(LactctlCtx *ctx, const char *summary,
					  const char *description, const GOptionEntry *entries,
					  int *argc, char ***argv, int *rc);
gboolean lactctl_parse_id(const char *text, guint64 *id);

G_END_DECLS
