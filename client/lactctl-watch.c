/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl watch and export. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <stdio.h>
#include <unistd.h>

#include "lactctl-common.h"
#include "lactctl-util.h"

typedef struct {
	LactctlCtx *ctx;
	GDBusObjectManager *om;
	GMainLoop *loop;
	gboolean follow;
	gboolean tty;	  /* one line, redrawn in place */
	char *last_phase; /* a log or pipe gets a line when the phase changes */
} Watch;

static void
on_session_ended(GDBusConnection *c, const char *sender, const char *path, const char *iface,
		 const char *name, GVariant *params, gpointer user_data)
{
	Watch *w = user_data;
	guint64 id;
	g_autoptr(GVariant) s = NULL;
	g_autofree const char **measured = NULL;
	double left = 0, right = 0, total = 0;

	g_variant_get(params, "(t@a{sv})", &id, &s);
	if (w->ctx->json) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "event", g_variant_new_string("ended"));
		g_variant_builder_add(&b, "{sv}", "session", s);
		lactctl_print_json(g_variant_builder_end(&b));
	} else {
		g_variant_lookup(s, "left_ml", "d", &left);
		g_variant_lookup(s, "right_ml", "d", &right);
		g_variant_lookup(s, "total_ml", "d", &total);
		if (g_variant_lookup(s, "measured", "^a&s", &measured) &&
		    !g_strv_contains(measured, "left") && !g_strv_contains(measured, "right"))
			g_print("%sSession %" G_GUINT64_FORMAT " ended; no volume was measured. "
				"Every session counts.\n",
				w->tty ? "\n" : "", id);
		else
			g_print("%sSession %" G_GUINT64_FORMAT " ended: left %.1f mL, right %.1f mL, "
				"%.1f mL in all. Well done.\n",
				w->tty ? "\n" : "", id, left, right, total);
	}
	fflush(stdout);
	if (!w->follow)
		g_main_loop_quit(w->loop);
}

static void
on_session_props(GDBusProxy *proxy, GVariant *changed, GStrv invalidated, gpointer user_data)
{
	Watch *w = user_data;
	LactdSession1 *s = LACTD_SESSION1(proxy);
	g_autofree char *elapsed = lactctl_format_minutes(lactd_session1_get_elapsed(s));
	const char *phase = lactd_session1_get_phase(s);
	g_autofree char *text = g_strdup_printf(
	    "%-11s %-14s left %6.1f mL  right %6.1f mL", phase != NULL ? phase : "", elapsed,
	    lactd_session1_get_left_ml(s), lactd_session1_get_right_ml(s));

	if (w->ctx->json) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		g_variant_builder_add(&b, "{sv}", "event", g_variant_new_string("progress"));
		g_variant_builder_add(&b, "{sv}", "id", g_variant_new_uint64(lactd_session1_get_id(s)));
		g_variant_builder_add(&b, "{sv}", "phase", g_variant_new_string(phase ? phase : ""));
		g_variant_builder_add(&b, "{sv}", "elapsed",
				      g_variant_new_uint32(lactd_session1_get_elapsed(s)));
		g_variant_builder_add(&b, "{sv}", "left_ml",
				      g_variant_new_double(lactd_session1_get_left_ml(s)));
		g_variant_builder_add(&b, "{sv}", "right_ml",
				      g_variant_new_double(lactd_session1_get_right_ml(s)));
		lactctl_print_json(g_variant_builder_end(&b));
	} else if (w->tty) {
		g_print("\r%s   ", text);
	} else if (g_strcmp0(phase, w->last_phase) != 0) {
		/* A pipe or a log: a line when the phase changes, not one per
		 * notification. */
		g_free(w->last_phase);
		w->last_phase = g_strdup(phase);
		g_print("%s\n", text);
	}
	fflush(stdout);
}

static void
watch_session(Watch *w, GDBusObject *obj)
{
	LactdSession1 *s = lactd_object_peek_session1(LACTD_OBJECT(obj));

	if (s == NULL)
		return;
	if (!w->ctx->json) {
		const char *path = lactd_session1_get_device(s);
		g_autoptr(GDBusObject) dev_obj =
		    path != NULL ? g_dbus_object_manager_get_object(w->om, path) : NULL;
		LactdDevice1 *dev = dev_obj != NULL ? lactd_object_peek_device1(LACTD_OBJECT(dev_obj))
						    : NULL;
		g_print("Session %" G_GUINT64_FORMAT " live on %s (%s):\n", lactd_session1_get_id(s),
			dev != NULL ? lactd_device1_get_name(dev) : "a device",
			dev != NULL ? lactd_device1_get_address(dev) : path);
	}
	g_signal_connect(s, "g-properties-changed", G_CALLBACK(on_session_props), w);
	on_session_props(G_DBUS_PROXY(s), NULL, NULL, w);
}

static void
on_object_added(GDBusObjectManager *om, GDBusObject *obj, gpointer user_data)
{
	watch_session(user_data, obj);
}

/* lactctl watch --help */
static const char watch_help[] =
    "On a terminal one line is redrawn; into a pipe or a file, a line at each change of "
    "phase.\nWith --json, one object per line: {\"event\":\"progress\",...} and "
    "{\"event\":\"ended\",...}.";

int
lactctl_cmd_watch(LactctlCtx *ctx, int argc, char **argv)
{
	gboolean follow = FALSE;
	const GOptionEntry entries[] = {
	    {"follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Keep watching for the next session", NULL},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON object per line, for scripts", NULL},
	    {0},
	};
	g_autoptr(GDBusObjectManager) om = NULL;
	Watch w = {0};
	int rc;

	om = lactctl_begin_objects(ctx, "Follows the running session live.", watch_help, entries,
				   &argc, &argv, &rc);
	if (om == NULL)
		return rc;
	w.ctx = ctx;
	w.om = om;
	w.loop = g_main_loop_new(NULL, FALSE);
	w.follow = follow;
	/* Redrawing with CR needs a terminal that honours it. */
	w.tty = !ctx->json && isatty(STDOUT_FILENO) && g_getenv("TERM") != NULL &&
		g_strcmp0(g_getenv("TERM"), "dumb") != 0 && *g_getenv("TERM") != '\0';
	g_dbus_connection_signal_subscribe(ctx->bus, "org.lactd", "org.lactd.Manager1", "SessionEnded",
					   "/org/lactd", NULL, G_DBUS_SIGNAL_FLAGS_NONE,
					   on_session_ended, &w, NULL);
	g_signal_connect(om, "object-added", G_CALLBACK(on_object_added), &w);
	{
		g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
		gboolean live = FALSE;
		for (GList *l = objects; l != NULL; l = l->next) {
			if (lactd_object_peek_session1(LACTD_OBJECT(l->data)) != NULL) {
				watch_session(&w, l->data);
				live = TRUE;
			}
		}
		if (!live && !ctx->json)
			g_print("Waiting for a session to start (switch the pump on)...\n");
		fflush(stdout);
	}
	g_main_loop_run(w.loop);
	g_main_loop_unref(w.loop);
	g_free(w.last_phase);
	return 0;
}

/* ---- export ------------------------------------------------------------------------ */

/* lactctl export --help */
static const char export_help[] =
    "FORMAT: csv (sessions, for a spreadsheet), csv-weighings (the scales'\n"
    "weighings), json, fhir (an HL7 FHIR R4 Bundle) or fhir-transaction (a\n"
    "Bundle a FHIR server takes; a second upload of the same data creates\n"
    "nothing). A value that was not measured is left empty (docs/exports.md).\n"
    "Example: lactctl export csv --since 2026-03-01 --until 2026-03-15 -o march.csv";

int
lactctl_cmd_export(LactctlCtx *ctx, int argc, char **argv)
{
	g_autofree char *since = NULL, *until = NULL, *output = NULL;
	const GOptionEntry entries[] = {
	    {"since", 's', 0, G_OPTION_ARG_STRING, &since, "From WHEN (default: everything)", "WHEN"},
	    {"until", 'u', 0, G_OPTION_ARG_STRING, &until, "Until WHEN, exclusive (default: now)", "WHEN"},
	    {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: standard output)", "FILE"},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
	g_autoptr(GVariant) r = NULL;
	gint64 from = 0, to = G_MAXINT64;
	int fd, idx, rc;

	if (!lactctl_options(ctx, "FORMAT", "Exports sessions for a consultant or a doctor.",
			     export_help, entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 1, 1,
				       "a FORMAT: csv, csv-weighings, json, fhir or fhir-transaction")) != 0)
		return rc;
	if ((since != NULL && !lactctl_parse_when(since, &from, &error)) ||
	    (until != NULL && !lactctl_parse_when(until, &to, &error)))
		return lactctl_usage(ctx, "%s", error->message);
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (since != NULL)
		lactctl_parse_when(since, &from, NULL);
	if (until != NULL)
		lactctl_parse_when(until, &to, NULL);
	fd = output != NULL ? open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)
			    : dup(STDOUT_FILENO);
	if (fd < 0) {
		g_printerr("lactctl export: %s: %s\n", output, g_strerror(errno));
		return LACTCTL_EXIT_DAEMON;
	}
	idx = g_unix_fd_list_append(fds, fd, &error);
	close(fd);
	if (idx < 0)
		return lactctl_fail(ctx, error);
	r = g_dbus_connection_call_with_unix_fd_list_sync(
	    ctx->bus, "org.lactd", "/org/lactd", "org.lactd.Manager1", "Export",
	    g_variant_new("(sxxh)", argv[1], from, to, idx), NULL, G_DBUS_CALL_FLAGS_NONE, 120000,
	    fds, NULL, NULL, &error);
	if (r == NULL)
		return lactctl_fail(ctx, error);
	if (output != NULL)
		g_printerr("Written to %s.\n", output);
	return 0;
}
