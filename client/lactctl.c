/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * lactctl: the command-line client of lactd (org.lactd on the system bus).
 *
 * Exit codes: 0 ok; 1 an error from the daemon or bad data; 2 usage;
 * 3 the daemon is not running or not reachable; 4 not found.
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include "lactctl-common.h"
#include "lactctl-report.h"

typedef struct {
	const char *name;
	int (*func)(LactctlCtx *, int, char **);
	const char *summary;
} Command;

static int
cmd_report(LactctlCtx *ctx, int argc, char **argv)
{
	int rc;

	/* Its help needs no daemon: GOption prints it before the bus is used. */
	for (int i = 1; i < argc; i++)
		if (g_str_equal(argv[i], "--help") || g_str_equal(argv[i], "-h") ||
		    g_str_equal(argv[i], "-?") || g_str_equal(argv[i], "--help-all"))
			return lactctl_report_main(NULL, argc, argv);
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	return lactctl_report_main(ctx->bus, argc, argv);
}

static const Command commands[] = {
    {"status", lactctl_cmd_status, "the daemon, devices, live sessions, today"},
    {"watch", lactctl_cmd_watch, "follow the running session live"},
    {"log", lactctl_cmd_log, "record a session by hand"},
    {"sessions", lactctl_cmd_sessions, "list recorded sessions"},
    {"show", lactctl_cmd_show, "show one session with its samples"},
    {"edit", lactctl_cmd_edit, "change a recorded session"},
    {"delete", lactctl_cmd_delete, "delete a session"},
    {"summary", lactctl_cmd_summary, "totals per day"},
    {"weighings", lactctl_cmd_weighings, "list scale weighings"},
    {"progress", lactctl_cmd_progress, "today, the last 24 hours and the weeks, beside your plan"},
    {"plan", lactctl_cmd_plan, "show or set your plan's targets"},
    {"device", lactctl_cmd_device, "list devices, set side or role, enable, disable, forget"},
    {"export", lactctl_cmd_export, "export csv, json or fhir for a consultant"},
    {"report", cmd_report, "the consultant's page: pdf, html or png"},
    {"capture", lactctl_cmd_capture, "record a device's Bluetooth traffic to decode it"},
};

static char *
commands_text(void)
{
	GString *s = g_string_new("Commands:\n");

	for (guint i = 0; i < G_N_ELEMENTS(commands); i++)
		g_string_append_printf(s, "  %-10s %s\n", commands[i].name, commands[i].summary);
	g_string_append(s, "\n'lactctl COMMAND --help' describes each; lactctl(1) has the rest.");
	return g_string_free(s, FALSE);
}

int
main(int argc, char **argv)
{
	gboolean version = FALSE;
	const GOptionEntry entries[] = {
	    {"version", 0, 0, G_OPTION_ARG_NONE, &version, "Print lactctl's version", NULL},
	    {0},
	};
	g_autoptr(GOptionContext) oc = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = commands_text();
	LactctlCtx ctx = {0};
	int rc;

	setlocale(LC_ALL, "");
	g_set_prgname("lactctl");
	/* Global options come before the command; the command's own after it. */
	for (int i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (g_str_equal(argv[i], "--")) {
			break;
		}
		if (!g_str_equal(argv[i], "--version") && !g_str_equal(argv[i], "--help") &&
		    !g_str_equal(argv[i], "-h") && !g_str_equal(argv[i], "--help-all") &&
		    !g_str_equal(argv[i], "-?")) {
			g_printerr("lactctl: unknown option %s before the command\n"
				   "Try 'lactctl --help'.\n",
				   argv[i]);
			return LACTCTL_EXIT_USAGE;
		}
	}
	if (argc > 1 && argv[1][0] == '-') {
		oc = g_option_context_new("COMMAND [OPTION…]");
		g_option_context_set_summary(oc, "Talks to lactd, which records milk expression and "
						 "feeding sessions.");
		g_option_context_set_description(oc, text);
		g_option_context_add_main_entries(oc, entries, NULL);
		g_option_context_set_strict_posix(oc, TRUE);
		if (!g_option_context_parse(oc, &argc, &argv, &error)) {
			g_printerr("lactctl: %s\nTry 'lactctl --help'.\n", error->message);
			return LACTCTL_EXIT_USAGE;
		}
		if (version) {
			g_print("lactctl %s\n", PACKAGE_VERSION);
			return 0;
		}
	}
	if (argc < 2) {
		g_printerr("Usage: lactctl COMMAND [OPTION…]\n\n%s\n", text);
		return LACTCTL_EXIT_USAGE;
	}
	if (g_str_equal(argv[1], "help")) {
		g_print("Usage: lactctl COMMAND [OPTION…]\n\n%s\n", text);
		return 0;
	}
	for (guint i = 0; i < G_N_ELEMENTS(commands); i++) {
		if (g_str_equal(argv[1], commands[i].name)) {
			ctx.command = commands[i].name;
			rc = commands[i].func(&ctx, argc - 1, argv + 1);
			g_clear_object(&ctx.manager);
			g_clear_object(&ctx.bus);
			return rc;
		}
	}
	g_printerr("lactctl: unknown command '%s'\nTry 'lactctl --help'.\n", argv[1]);
	return LACTCTL_EXIT_USAGE;
}
