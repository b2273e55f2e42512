/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* lactctl device and plan. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lactctl-common.h"
#include "lactctl-util.h"

GDBusObjectManager *
lactctl_object_manager(LactctlCtx *ctx, GError **error)
{
	return lactd_object_manager_client_new_sync(
	    ctx->bus, G_DBUS_OBJECT_MANAGER_CLIENT_FLAGS_DO_NOT_AUTO_START, "org.lactd",
	    "/org/lactd", NULL, error);
}

GDBusObjectManager *
lactctl_begin_objects(LactctlCtx *ctx, const char *summary, const char *description,
		      const GOptionEntry *entries, int *argc, char ***argv, int *rc)
{
	g_autoptr(GError) error = NULL;
	GDBusObjectManager *om;

	if (!lactctl_options(ctx, NULL, summary, description, entries, argc, argv, rc))
		return NULL;
	if ((*rc = lactctl_expect_words(ctx, *argc, *argv, 0, 0, "")) != 0 ||
	    (*rc = lactctl_connect(ctx)) != 0)
		return NULL;
	om = lactctl_object_manager(ctx, &error);
	if (om == NULL)
		*rc = lactctl_fail(ctx, error);
	return om;
}

GVariant *
lactctl_objects_properties(GDBusObjectManager *om, const char *iface)
{
	g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE("aa{sv}"));
	for (GList *l = objects; l != NULL; l = l->next) {
		g_autoptr(GDBusInterface) proxy = g_dbus_object_get_interface(l->data, iface);
		g_auto(GStrv) names = NULL;
		GVariantBuilder props;

		if (proxy == NULL)
			continue;
		names = g_dbus_proxy_get_cached_property_names(G_DBUS_PROXY(proxy));
		g_variant_builder_init(&props, G_VARIANT_TYPE_VARDICT);
		for (guint i = 0; names != NULL && names[i] != NULL; i++) {
			g_autoptr(GVariant) v =
			    g_dbus_proxy_get_cached_property(G_DBUS_PROXY(proxy), names[i]);
			if (v != NULL)
				g_variant_builder_add(&props, "{sv}", names[i], v);
		}
		g_variant_builder_add_value(&b, g_variant_builder_end(&props));
	}
	return g_variant_builder_end(&b);
}

int
lactctl_print_devices(LactctlCtx *ctx, GDBusObjectManager *om)
{
	static const char *const headers[] = {"ADDRESS", "NAME", "KIND", "PLUGIN", "SIDE", "ROLE",
					      "CONNECTED", ">BATTERY", ">REJECTED", "", NULL};
	g_autolist(GDBusObject) objects = g_dbus_object_manager_get_objects(om);
	g_autoptr(LactctlTable) table = lactctl_table_new(headers);
	gboolean any = FALSE;

	(void)ctx;
	for (GList *l = objects; l != NULL; l = l->next) {
		LactdDevice1 *d = lactd_object_peek_device1(LACTD_OBJECT(l->data));
		const char *plugin, *kind;
		char **row;

		if (d == NULL)
			continue;
		any = TRUE;
		plugin = lactd_device1_get_plugin(d);
		kind = lactd_device1_get_kind(d);
		row = g_new0(char *, 11);
		row[0] = g_strdup(lactd_device1_get_address(d));
		row[1] = lactctl_cell_text(lactd_device1_get_name(d), 24);
		row[2] = g_strdup(kind);
		row[3] = g_strdup(plugin != NULL && plugin[0] ? plugin : lactctl_not_measured());
		/* Side is a pump's, role a scale's. */
		row[4] = g_strdup(g_strcmp0(kind, "scale") == 0 ? "" : lactd_device1_get_side(d));
		row[5] = g_strdup(g_strcmp0(kind, "scale") == 0 ? lactd_device1_get_role(d) : "");
		row[6] = g_strdup(lactd_device1_get_connected(d) ? "yes" : "no");
		row[7] = lactd_device1_get_battery(d) != 255
			     ? g_strdup_printf("%u%%", lactd_device1_get_battery(d))
			     : g_strdup(lactctl_not_measured());
		row[8] = g_strdup_printf("%u", lactd_device1_get_rejected_packets(d));
		row[9] = g_strdup(lactd_device1_get_enabled(d) ? "" : "(disabled)");
		lactctl_table_add_strv(table, row);
	}
	if (!any) {
		g_print("No devices yet: pair a pump or scale with bluetoothctl (README, First day).\n");
		return 0;
	}
	lactctl_table_print(table);
	/* Why a device is listed but not captured, in lactd's words. */
	for (GList *l = objects; l != NULL; l = l->next) {
		LactdDevice1 *d = lactd_object_peek_device1(LACTD_OBJECT(l->data));
		const char *problem = d != NULL ? lactd_device1_get_problem(d) : NULL;
		if (problem != NULL && problem[0] != '\0')
			g_print("%s: %s\n", lactd_device1_get_address(d), problem);
	}
	return 0;
}

/* lactctl device list --help */
static const char list_help[] = "SIDE: the breast a single-side pump is on. ROLE: what a scale "
				"weighs (bottle or baby).\nREJECTED: packets from the device "
				"that lactd refused as malformed.";

static int
device_list(LactctlCtx *ctx, int argc, char **argv)
{
	const GOptionEntry entries[] = {
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "One JSON array, for scripts", NULL},
	    {0},
	};
	g_autoptr(GDBusObjectManager) om = NULL;
	int rc;

	om = lactctl_begin_objects(ctx, "Lists the paired pumps and scales lactd knows.", list_help,
				   entries, &argc, &argv, &rc);
	if (om == NULL)
		return rc;
	if (ctx->json) {
		lactctl_print_json(lactctl_objects_properties(om, "org.lactd.Device1"));
		return 0;
	}
	return lactctl_print_devices(ctx, om);
}

static int
set_property(LactctlCtx *ctx, const char *address, const char *name, GVariant *value)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autoptr(GVariant) r = NULL;
	g_autoptr(LactdDevice1) dev = NULL;
	int rc;

	g_variant_ref_sink(value);
	if ((rc = lactctl_connect(ctx)) != 0) {
		g_variant_unref(value);
		return rc;
	}
	path = g_strdup_printf("/org/lactd/devices/%s", address);
	g_strdelimit(path + strlen("/org/lactd/devices/"), ":", '_');
	if (!g_variant_is_object_path(path)) {
		g_variant_unref(value);
		return lactctl_usage(ctx, "'%s' is not a device address (AA:BB:CC:DD:EE:FF)", address);
	}
	dev = lactd_device1_proxy_new_sync(ctx->bus, G_DBUS_PROXY_FLAGS_NONE, "org.lactd", path,
					   NULL, &error);
	if (dev == NULL) {
		g_variant_unref(value);
		return lactctl_fail(ctx, error);
	}
	if (lactd_device1_get_address(dev) == NULL) {
		g_variant_unref(value);
		g_printerr("lactctl %s: no device %s: 'lactctl device list' shows the devices lactd "
			   "knows\n",
			   ctx->command, address);
		return LACTCTL_EXIT_NOTFOUND;
	}
	if (name == NULL) {
		g_variant_unref(value);
		if (!lactd_device1_call_forget_sync(dev, NULL, &error))
			return lactctl_fail(ctx, error);
	} else {
		r = g_dbus_connection_call_sync(ctx->bus, "org.lactd", path,
						"org.freedesktop.DBus.Properties", "Set",
						g_variant_new("(ssv)", "org.lactd.Device1", name, value),
						NULL, G_DBUS_CALL_FLAGS_NONE, 30000, NULL, &error);
		g_variant_unref(value);
		if (r == NULL)
			return lactctl_fail(ctx, error);
	}
	g_print("Done.\n");
	return 0;
}

static const char device_description[] =
    "Commands:\n"
    "  lactctl device [list] [--json]\n"
    "  lactctl device set ADDRESS side left|right|both\n"
    "  lactctl device set ADDRESS role bottle|baby\n"
    "  lactctl device enable|disable|forget ADDRESS\n"
    "'lactctl device COMMAND --help' describes each.";

int
lactctl_cmd_device(LactctlCtx *ctx, int argc, char **argv)
{
	const char *verb = argc > 1 && argv[1][0] != '-' ? argv[1] : "list";
	g_autofree char *command = NULL;
	int rc;

	if (!g_str_equal(verb, "list") && !g_str_equal(verb, "set") && !g_str_equal(verb, "enable") &&
	    !g_str_equal(verb, "disable") && !g_str_equal(verb, "forget")) {
		if (!lactctl_options(ctx, "[COMMAND]", "Lists devices and changes their settings.",
				     device_description, NULL, &argc, &argv, &rc))
			return rc;
		return lactctl_usage(ctx, "unknown command '%s'", verb);
	}
	command = g_strdup_printf("device %s", verb);
	ctx->command = command;
	if (argc > 1 && argv[1][0] != '-') {
		argc--;
		argv++;
	}
	if (g_str_equal(verb, "list"))
		return device_list(ctx, argc, argv);
	if (g_str_equal(verb, "set")) {
		static const char *const sides[] = {"left", "right", "both", "unknown", NULL};
		static const char *const roles[] = {"bottle", "baby", NULL};
		if (!lactctl_options(ctx, "ADDRESS side|role VALUE",
				     "Sets which breast a single-side pump is on, or what a scale weighs.",
				     "side: left, right or both (a pump).\nrole: bottle (expressed milk "
				     "is weighed in its bottle) or baby (test-weighing before and after "
				     "a feed).",
				     NULL, &argc, &argv, &rc))
			return rc;
		if ((rc = lactctl_expect_words(ctx, argc, argv, 3, 3,
					       "an ADDRESS, side or role, and a value")) != 0)
			return rc;
		if (g_str_equal(argv[2], "side") && g_strv_contains(sides, argv[3]))
			return set_property(ctx, argv[1], "Side", g_variant_new_string(argv[3]));
		if (g_str_equal(argv[2], "role") && g_strv_contains(roles, argv[3]))
			return set_property(ctx, argv[1], "Role", g_variant_new_string(argv[3]));
		return lactctl_usage(ctx, "'%s %s': side is left, right or both; role is bottle or baby",
				     argv[2], argv[3]);
	}
	if (!lactctl_options(ctx, "ADDRESS",
			     g_str_equal(verb, "forget")
				 ? "Forgets a device and its settings; its sessions are kept."
				 : g_str_equal(verb, "enable") ? "Captures the device again."
							       : "Stops capturing the device; it stays listed.",
			     NULL, NULL, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 1, 1, "a device ADDRESS")) != 0)
		return rc;
	if (g_str_equal(verb, "forget"))
		return set_property(ctx, argv[1], NULL, g_variant_new_boolean(FALSE));
	return set_property(ctx, argv[1], "Enabled", g_variant_new_boolean(g_str_equal(verb, "enable")));
}

/* ---- plan ------------------------------------------------------------------------ */

static gboolean
add_range(GVariantBuilder *b, const char *option, const char *text, const char *kmin,
	  const char *kmax, GError **error)
{
	unsigned lo, hi;
	char extra;

	if (text == NULL)
		return TRUE;
	if (sscanf(text, "%u-%u%c", &lo, &hi, &extra) != 2) {
		g_set_error(error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
			    "%s: '%s' is not MIN-MAX, such as 8-12", option, text);
		return FALSE;
	}
	g_variant_builder_add(b, "{sv}", kmin, g_variant_new_uint32(lo));
	g_variant_builder_add(b, "{sv}", kmax, g_variant_new_uint32(hi));
	return TRUE;
}

int
lactctl_cmd_plan(LactctlCtx *ctx, int argc, char **argv)
{
	g_autofree char *sessions = NULL, *overnight = NULL, *minutes = NULL, *start = NULL;
	g_autofree char *name = NULL;
	const GOptionEntry entries[] = {
	    {"sessions", 0, 0, G_OPTION_ARG_STRING, &sessions, "Sessions per 24 hours", "8-12"},
	    {"overnight", 0, 0, G_OPTION_ARG_STRING, &overnight, "The overnight window, local time", "00:00-06:00"},
	    {"minutes", 0, 0, G_OPTION_ARG_STRING, &minutes, "Minutes per breast", "15-20"},
	    {"start", 0, 0, G_OPTION_ARG_STRING, &start, "The day the plan started (today: today)", "YYYY-MM-DD"},
	    {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Whose log this is, for reports and exports (\"\" for none)", "NAME"},
	    {"json", 0, 0, G_OPTION_ARG_NONE, &ctx->json, "JSON, for scripts", NULL},
	    {0},
	};
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) plan = NULL;
	gboolean set = FALSE;
	int rc;

	if (!lactctl_options(ctx, "[show|set]", "Shows or sets your plan's targets.",
			     "The defaults follow common guidance for relactation: 8 to 12 sessions "
			     "in 24 hours,\none of them overnight, 15 to 20 minutes per breast. Your "
			     "consultant may set others.\nExample: lactctl plan set --start today "
			     "--sessions 8-10",
			     entries, &argc, &argv, &rc))
		return rc;
	if ((rc = lactctl_expect_words(ctx, argc, argv, 0, 1, "")) != 0)
		return rc;
	if (argc == 2 && !g_str_equal(argv[1], "show") && !g_str_equal(argv[1], "set"))
		return lactctl_usage(ctx, "unknown plan command '%s': show or set", argv[1]);
	set = argc == 2 && g_str_equal(argv[1], "set");
	if (!set && (sessions || overnight || minutes || start || name))
		return lactctl_usage(ctx, "the options change the plan: 'lactctl plan set ...'");
	if ((rc = lactctl_connect(ctx)) != 0)
		return rc;
	if (set) {
		GVariantBuilder b;
		g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
		if (!add_range(&b, "--sessions", sessions, "sessions_min", "sessions_max", &error) ||
		    !add_range(&b, "--minutes", minutes, "minutes_min", "minutes_max", &error)) {
			g_variant_builder_clear(&b);
			return lactctl_usage(ctx, "%s", error->message);
		}
		if (overnight != NULL) {
			g_auto(GStrv) hm = g_strsplit(overnight, "-", 2);
			if (hm[0] == NULL || hm[1] == NULL) {
				g_variant_builder_clear(&b);
				return lactctl_usage(ctx, "--overnight: HH:MM-HH:MM, such as 00:00-06:00");
			}
			g_variant_builder_add(&b, "{sv}", "overnight_start", g_variant_new_string(hm[0]));
			g_variant_builder_add(&b, "{sv}", "overnight_end", g_variant_new_string(hm[1]));
		}
		if (start != NULL) {
			g_autofree char *date = NULL;
			if (g_str_equal(start, "today")) {
				g_autoptr(GTimeZone) tz = lactctl_time_zone();
				g_autoptr(GDateTime) now = g_date_time_new_now(tz);
				date = g_date_time_format(now, "%Y-%m-%d");
			} else {
				date = g_strdup(start);
			}
			g_variant_builder_add(&b, "{sv}", "start_date", g_variant_new_string(date));
		}
		if (name != NULL)
			g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(name));
		if (!lactd_manager1_call_set_plan_sync(ctx->manager, g_variant_builder_end(&b), NULL,
						       &error))
			return lactctl_fail(ctx, error);
	}
	if (!lactd_manager1_call_get_plan_sync(ctx->manager, &plan, NULL, &error))
		return lactctl_fail(ctx, error);
	if (ctx->json) {
		lactctl_print_json(plan);
	} else {
		guint32 smin = 0, smax = 0, mmin = 0, mmax = 0;
		const char *os = "", *oe = "", *sd = "", *who = "";
		g_variant_lookup(plan, "sessions_min", "u", &smin);
		g_variant_lookup(plan, "sessions_max", "u", &smax);
		g_variant_lookup(plan, "minutes_min", "u", &mmin);
		g_variant_lookup(plan, "minutes_max", "u", &mmax);
		g_variant_lookup(plan, "overnight_start", "&s", &os);
		g_variant_lookup(plan, "overnight_end", "&s", &oe);
		g_variant_lookup(plan, "start_date", "&s", &sd);
		g_variant_lookup(plan, "name", "&s", &who);
		if (who[0] != '\0')
			g_print("Whose log:              %s\n", who);
		g_print("Sessions per 24 hours:  %u to %u\nOvernight window:       %s to %s\n"
			"Minutes per breast:     %u to %u\nStarted:                %s\n",
			smin, smax, os, oe, mmin, mmax,
			sd[0] ? sd : "(not set: 'lactctl plan set --start today')");
	}
	return 0;
}
