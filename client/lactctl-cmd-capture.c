/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl capture: recording a device's GATT traffic to decode its protocol. */
#include "config.h"

#include <string.h>

#include "lactctl-capture.h"
#include "lactctl-common.h"
#include "lactctl-util.h"

/* ---- capture: recording a device's GATT traffic ------------------------------------ */

static const char capture_usage[] =
    "Commands:\n"
    "  lactctl capture start ADDRESS [--raw]\n"
    "  lactctl capture stop [ID]\n"
    "  lactctl capture mark TEXT [--id ID]\n"
    "  lactctl capture list [--json]\n"
    "  lactctl capture show ID\n"
    "  lactctl capture export ID [FILE|-]\n"
    "  lactctl capture import FILE [--address AA:BB:CC:DD:EE:FF]\n"
    "  lactctl capture delete ID\n"
    "\n"
    "Records what a paired device says over Bluetooth LE, to decode a protocol\n"
    "lactd does not know yet. --raw also records a device a plugin captures,\n"
    "without disturbing its capture. A running capture goes on after a restart\n"
    "of lactd. ID 0 or none: the one capture running.\n"
    "show prints every event and, per characteristic, the bytes that never\n"
    "change and those that count up. export writes the capture file format\n"
    "(docs/capture-format.md) that lactd-replay reads; import reads such a file\n"
    "or a btsnoop log (Android's btsnoop_hci.log, btmon -w).\n";

static void
print_capture_row(GVariant *c)
{
	guint64 id = 0;
	const char *address = "", *name = "", *source = "";
	gint64 start = 0, end = 0;
	guint32 events = 0;
	gboolean active = FALSE;
	g_autofree char *when = NULL;

	g_variant_lookup(c, "id", "t", &id);
	g_variant_lookup(c, "address", "&s", &address);
	g_variant_lookup(c, "name", "&s", &name);
	g_variant_lookup(c, "source", "&s", &source);
	g_variant_lookup(c, "start", "x", &start);
	g_variant_lookup(c, "end", "x", &end);
	g_variant_lookup(c, "events", "u", &events);
	g_variant_lookup(c, "active", "b", &active);
	when = lactctl_format_local(start);
	if (active)
		g_print("%6" G_GUINT64_FORMAT "  %-16s %9s  %-17s %8u  %-8s %s\n", id, when,
			"recording", address, events, source, name);
	else
		g_print("%6" G_GUINT64_FORMAT "  %-16s %8" G_GINT64_FORMAT "s  %-17s %8u  %-8s %s\n",
			id, when, (end - start) / G_TIME_SPAN_SECOND, address, events, source, name);
}

static int
capture_list(LactctlCtx *ctx)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) list = NULL;
	int rc;

	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!lactd_manager1_call_list_captures_sync(ctx->manager, &list, NULL, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(list);
		return 0;
	}
	if (g_variant_n_children(list) == 0) {
		g_print("No captures. 'lactctl capture start ADDRESS' records a device.\n");
		return 0;
	}
	g_print("%6s  %-16s %10s  %-17s %8s  %-8s %s\n", "ID", "START", "LENGTH", "ADDRESS",
		"EVENTS", "SOURCE", "NAME");
	for (gsize i = 0; i < g_variant_n_children(list); i++) {
		g_autoptr(GVariant) c = g_variant_get_child_value(list, i);
		print_capture_row(c);
	}
	return 0;
}

/* Events asked for a GetCapturePage call: what lactd answers at most. */
#define CAPTURE_PAGE 10000

/* A capture as a capture file, read a page at a time with GetCapturePage:
 * a full capture (200000 events) is more than one D-Bus message carries. */
static LactdCapFile *
fetch_capture(LactctlCtx *ctx, guint64 id, int *rc)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	guint32 total = 0;

	if ((*rc = lactctl_connect(ctx)) != 0)
		return NULL;
	do {
		g_autoptr(GVariant) info = NULL, chars = NULL, events = NULL;
		guint first = cap != NULL ? cap->events->len : 0;
		gboolean ok;

		if (!lactd_manager1_call_get_capture_page_sync(ctx->manager, id, first,
							       CAPTURE_PAGE, &info, &chars, &events,
							       NULL, &error)) {
			*rc = lactctl_fail(ctx, error);
			return NULL;
		}
		/* A running capture's total grows between pages. */
		if (!g_variant_lookup(info, "events", "u", &total))
			total = 0;
		if (cap == NULL) {
			cap = lactctl_capture_from_variant(info, chars, events, &error);
			ok = cap != NULL;
		} else {
			ok = lactctl_capture_append_page(cap, info, events, &error);
		}
		if (!ok) {
			g_printerr("lactctl: capture %" G_GUINT64_FORMAT ": %s\n", id,
				   error->message);
			*rc = LACTCTL_EXIT_DAEMON;
			return NULL;
		}
		if (g_variant_n_children(events) == 0)
			break;
	} while (cap->events->len < total);
	return g_steal_pointer(&cap);
}

/* Events an ImportCaptureAppend carries (the daemon takes up to 2000):
 * small pages keep each of the daemon's transactions short. */
#define IMPORT_PAGE_EVENTS 1000

static GVariant *
import_call(LactctlCtx *ctx, const char *method, GVariant *args, const char *reply_type, GError **error)
{
	return g_dbus_connection_call_sync(ctx->bus, "org.lactd", "/org/lactd",
					   "org.lactd.Manager1", method, args,
					   reply_type != NULL ? G_VARIANT_TYPE(reply_type) : NULL,
					   G_DBUS_CALL_FLAGS_NONE, 120000, NULL, error);
}

/* A capture of any size in pages far below the bus's message limit; on a
 * failure the import is aborted, so nothing of it stays. */
static gboolean
import_paged(LactctlCtx *ctx, const LactdCapFile *cap, guint64 *id, GError **error)
{
	g_autoptr(GVariant) reply = NULL;

	reply = import_call(ctx, "ImportCaptureBegin", lactctl_capture_info_to_variant(cap, "import"),
			    "(t)", error);
	if (reply == NULL)
		return FALSE;
	g_variant_get(reply, "(t)", id);
	for (guint first = 0; first < cap->events->len; first += IMPORT_PAGE_EVENTS) {
		g_autoptr(GVariant) done = import_call(
		    ctx, "ImportCaptureAppend",
		    g_variant_new("(t@a(xssqays))", *id,
				  lactctl_capture_events_to_variant(cap, first, IMPORT_PAGE_EVENTS)),
		    NULL, error);

		if (done == NULL) {
			/* Best effort: lactd also deletes it when lactctl leaves. */
			g_autoptr(GVariant) aborted = import_call(
			    ctx, "ImportCaptureAbort", g_variant_new("(t)", *id), NULL, NULL);

			(void)aborted;

			/* The error keeps its D-Bus name for lactctl_fail(). */
			g_printerr("lactctl capture import: events %u to %u were not imported; nothing was kept\n",
				   first, MIN(first + IMPORT_PAGE_EVENTS, cap->events->len) - 1);
			return FALSE;
		}
	}
	g_clear_pointer(&reply, g_variant_unref);
	reply = import_call(ctx, "ImportCaptureCommit", g_variant_new("(t)", *id), NULL, error);
	return reply != NULL;
}

static int
capture_import(LactctlCtx *ctx, const char *path, const char *address)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) reply = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;
	guint64 id = 0;
	int rc;

	if (!g_file_get_contents(path, &data, &len, &error)) {
		g_printerr("lactctl: %s\n", error->message);
		return LACTCTL_EXIT_DAEMON;
	}
	/* A btsnoop log starts with its magic; anything else must be a
	 * capture file, whose parser names the line it cannot read. */
	if (len >= 8 && memcmp(data, "btsnoop\0", 8) == 0)
		cap = lactd_capfile_from_btsnoop((const guint8 *)data, len, address, &error);
	else
		cap = lactd_capfile_parse(data, len, &error);
	if (cap == NULL) {
		g_printerr("lactctl: %s: %s\n", path, error->message);
		return LACTCTL_EXIT_DAEMON;
	}
	if (cap->events->len == 0) {
		g_printerr("lactctl: %s: no GATT traffic to import\n", path);
		return LACTCTL_EXIT_DAEMON;
	}
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (!import_paged(ctx, cap, &id, &error)) {
		g_autofree char *remote = g_dbus_error_get_remote_error(error);

		if (g_strcmp0(remote, "org.freedesktop.DBus.Error.UnknownMethod") != 0)
			return lactctl_fail(ctx, error);
		/* A lactd from before the paged import: all in one message. */
		g_clear_error(&error);
		args = g_variant_ref_sink(lactctl_capture_to_variant(cap, "import"));
		reply = g_dbus_connection_call_sync(ctx->bus, "org.lactd", "/org/lactd",
						    "org.lactd.Manager1", "ImportCapture", args,
						    G_VARIANT_TYPE("(t)"), G_DBUS_CALL_FLAGS_NONE,
						    120000, NULL, &error);
		if (reply == NULL)
			return lactctl_fail(ctx, error);
		g_variant_get(reply, "(t)", &id);
	}
	g_print("Imported %u events from %s as capture %" G_GUINT64_FORMAT
		". 'lactctl capture show %" G_GUINT64_FORMAT "' lists them.\n",
		cap->events->len, path, id, id);
	return 0;
}

typedef struct {
	const char *name;
	const char *params;
	const char *summary;
	int min, max; /* words after the subcommand */
} CaptureCommand;

static const CaptureCommand capture_commands[] = {
    {"start", "ADDRESS", "Starts recording a paired device.", 1, 1},
    {"stop", "[ID]", "Stops a recording (ID 0 or none: the one running).", 0, 1},
    {"mark", "TEXT", "Notes what the device shows now, in the running capture.", 1, 1},
    {"list", NULL, "Lists the captures.", 0, 0},
    {"show", "ID", "Prints every event and what changes in each characteristic.", 1, 1},
    {"export", "ID [FILE|-]", "Writes the capture file that lactd-replay reads.", 1, 2},
    {"import", "FILE", "Imports a capture file or a btsnoop log.", 1, 1},
    {"delete", "ID", "Deletes a capture.", 1, 1},
};

int
lactctl_cmd_capture(LactctlCtx *ctx, int argc, char **argv)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *command = NULL;
	const CaptureCommand *cc = NULL;
	gboolean raw = FALSE;
	gint64 mark_id = 0;
	const GOptionEntry start_entries[] = {
	    {"raw", 0, 0, G_OPTION_ARG_NONE, &raw, "Also a device a plugin captures, without disturbing it", NULL},
	    {0}};
	const GOptionEntry mark_entries[] = {
	    {"id", 0, 0, G_OPTION_ARG_INT64, &mark_id, "The capture (default: the one running)", "ID"},
	    {0}};
	g_autofree char *address = NULL;
	const GOptionEntry import_entries[] = {
	    {"address", 0, 0, G_OPTION_ARG_STRING, &address, "From a btsnoop log, only this device's traffic", "AA:BB:CC:DD:EE:FF"},
	    {0}};
	const GOptionEntry list_entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON array, for scripts", NULL},
	    {0}};
	const GOptionEntry *entries = NULL;
	guint64 id = 0;
	int rc;

	for (guint i = 0; argc > 1 && i < G_N_ELEMENTS(capture_commands); i++)
		if (g_str_equal(argv[1], capture_commands[i].name))
			cc = &capture_commands[i];
	if (cc == NULL) {
		if (!lactctl_options(ctx, "COMMAND", "Records what a device says, to decode its protocol.",
				     capture_usage, NULL, &argc, &argv, &rc))
			return rc;
		return argc > 1 ? lactctl_usage(ctx, "unknown command '%s'", argv[1])
				: lactctl_usage(ctx, "needs a COMMAND");
	}
	command = g_strdup_printf("capture %s", cc->name);
	ctx->command = command;
	argc--;
	argv++;
	if (g_str_equal(cc->name, "start"))
		entries = start_entries;
	else if (g_str_equal(cc->name, "mark"))
		entries = mark_entries;
	else if (g_str_equal(cc->name, "list"))
		entries = list_entries;
	else if (g_str_equal(cc->name, "import"))
		entries = import_entries;
	if (!lactctl_options(ctx, cc->params, cc->summary, NULL, entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, cc->min, cc->max, cc->params)) != 0)
		return rc;
	if (g_str_equal(cc->name, "list"))
		return capture_list(ctx);
	if (g_str_equal(cc->name, "import"))
		return capture_import(ctx, argv[1], address);
	if (!g_str_equal(cc->name, "start") && !g_str_equal(cc->name, "mark") && argc > 1 &&
	    !lactctl_parse_id(argv[1], &id))
		return lactctl_usage(ctx, "'%s' is not a capture ID", argv[1]);
	if (g_str_equal(cc->name, "show") || g_str_equal(cc->name, "export")) {
		g_autoptr(LactdCapFile) cap = fetch_capture(ctx, id, &rc);
		const char *out = argc == 3 ? argv[2] : "-";

		if (cap == NULL)
			return rc;
		if (g_str_equal(cc->name, "show")) {
			g_autofree char *text = lactd_capfile_describe(cap);
			g_print("%s", text);
		} else if (g_str_equal(out, "-")) {
			g_autofree char *text = lactd_capfile_to_string(cap);
			g_print("%s", text);
		} else if (!lactd_capfile_save(cap, out, &error)) {
			g_printerr("lactctl %s: %s\n", ctx->command, error->message);
			return LACTCTL_EXIT_DAEMON;
		}
		return 0;
	}
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (g_str_equal(cc->name, "start")) {
		if (!lactd_manager1_call_start_capture_sync(ctx->manager, argv[1], raw, &id, NULL,
							    &error))
			return lactctl_fail(ctx, error);
		g_print("Recording %s as capture %" G_GUINT64_FORMAT ". "
			"'lactctl capture mark TEXT' notes what the device shows; "
			"'lactctl capture stop' ends it.\n",
			argv[1], id);
		return 0;
	}
	if (g_str_equal(cc->name, "mark")) {
		if (argv[1][0] == '\0')
			return lactctl_usage(ctx, "needs a TEXT");
		if (mark_id < 0)
			return lactctl_usage(ctx, "--id: '%" G_GINT64_FORMAT "' is not a capture ID", mark_id);
		if (!lactd_manager1_call_mark_capture_sync(ctx->manager, (guint64)mark_id, argv[1],
							   NULL, &error))
			return lactctl_fail(ctx, error);
		return 0;
	}
	if (g_str_equal(cc->name, "delete")) {
		if (!lactd_manager1_call_delete_capture_sync(ctx->manager, id, NULL, &error))
			return lactctl_fail(ctx, error);
		g_print("Capture %" G_GUINT64_FORMAT " deleted.\n", id);
		return 0;
	}
	if (!lactd_manager1_call_stop_capture_sync(ctx->manager, id, NULL, &error))
		return lactctl_fail(ctx, error);
	g_print("Recording stopped.\n");
	return 0;
}
