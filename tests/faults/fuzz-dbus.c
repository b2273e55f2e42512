/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * D-Bus input fuzz of the real daemon: every method and every writable
 * property of every org.lactd interface the daemon exports (found by
 * introspection, so a new method is covered without touching this file)
 * is called with random and edge arguments: wrong types, empty and 1 MiB
 * strings, integer extremes, NaN and infinities, unknown keys, nested
 * variants, huge arrays. A pump and a scale on the fake BlueZ give the
 * daemon Device1 and Session1 objects too.
 *
 * Fails on a daemon crash (it must still answer and stop cleanly), a
 * sanitizer report in its log, an error reply whose name is neither
 * org.lactd.Error.* nor org.freedesktop.DBus.Error.*, or a call unanswered
 * for 5 s. Runs LACTD_DBUS_FUZZ_SECONDS (default 30: make check runs it in
 * each build, the plain and the sanitizer one), 600 with
 * LACTD_FAULTS_LONG=1; LACTD_DBUS_FUZZ_SEED replays a run. Everything
 * lives in the test's scratch directory.
 */
#include "config.h"

#include <fcntl.h>
#include <gio/gunixfdlist.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "lactd-test.h"

#define CALL_TIMEOUT_MS 5000

static const char devices_conf[] = LACTD_TEST_ADAPTER_CONF "[device pump]\n"
							   "adapter=hci0\n"
							   "address=C0:FF:EE:00:00:01\n"
							   "name=Open Pump\n"
							   "paired=true\n"
							   "present=true\n"
							   "emulator=opp\n"
							   "channels=left,right\n"
							   "phases=stimulation:60;expression:600;idle\n"
							   "start_at=2\n"
							   "left_ml=30.0\n"
							   "right_ml=20.0\n\n"
							   "[device scale]\n"
							   "adapter=hci0\n"
							   "address=C0:FF:EE:00:00:02\n"
							   "name=Scale\n"
							   "paired=true\n"
							   "present=true\n"
							   "emulator=wss\n"
							   "weighings=30:118.5\n\n";

/* Words the daemon's parsers know, so that random calls get past the first
 * check now and then. */
static const char *const words[] = {
    "",	      "csv",	  "json",      "fhir",	    "pump",	   "hand",
    "nursing", "supplement", "manual",  "device",    "scale",	   "left",
    "right",   "both",	   "unknown",  "bottle",    "baby",	   "expressed",
    "donor",   "formula",	   "cup",      "00:00",	    "23:59",	   "24:00",
    "2024-02-29", "C0:FF:EE:00:00:01", "C0:FF:EE:00:00:02", "AA:BB:CC:DD:EE:FF",
    "0000fff1-0000-1000-8000-00805f9b34fb", "notify", "mark", "write", "lactd",
    "\357\274\2351+1" /* full-width = */, " =1+1", "x;=1+1", "../../etc/passwd", "%s%n%x", "importing:x",
};

/* Keys of the daemon's dictionaries, and some it does not know. */
static const char *const keys[] = {
    "id",	    "kind",	    "source",	   "start",	"end",		"left_ml",
    "right_ml",	    "total_ml",	    "left_seconds", "right_seconds", "device",	"interrupted",
    "note",	    "supplement_ml", "method",	   "milk",	"sessions_min", "sessions_max",
    "overnight_start", "overnight_end", "minutes_min", "minutes_max", "start_date", "address",
    "name",	    "role",	    "grams",	   "time",	"session",	"no-such-key",
    "",
};

typedef struct {
	char *path;
	char *iface;
	char *method; /* "Set" for a property write */
	char *property; /* the property, for "Set" */
	char *signature; /* of the in arguments, "(...)" */
} Target;

typedef struct {
	GRand *rand;
	int null_fd;
	guint64 huge_bytes; /* bytes of big values made this call */
} Gen;

static void
target_free(Target *t)
{
	g_free(t->path);
	g_free(t->iface);
	g_free(t->method);
	g_free(t->property);
	g_free(t->signature);
	g_free(t);
}

static void
introspect(GDBusConnection *c, const char *path, GPtrArray *targets)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = g_dbus_connection_call_sync(
	    c, "org.lactd", path, "org.freedesktop.DBus.Introspectable", "Introspect", NULL,
	    G_VARIANT_TYPE("(s)"), G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS, NULL, &error);
	g_autoptr(GDBusNodeInfo) node = NULL;
	const char *xml;

	g_assert_no_error(error);
	g_variant_get(r, "(&s)", &xml);
	node = g_dbus_node_info_new_for_xml(xml, &error);
	g_assert_no_error(error);
	for (guint i = 0; node->interfaces != NULL && node->interfaces[i] != NULL; i++) {
		GDBusInterfaceInfo *iface = node->interfaces[i];

		if (!g_str_has_prefix(iface->name, "org.lactd."))
			continue;
		for (guint m = 0; iface->methods != NULL && iface->methods[m] != NULL; m++) {
			GDBusMethodInfo *mi = iface->methods[m];
			g_autoptr(GString) sig = g_string_new("(");
			Target *t = g_new0(Target, 1);

			for (guint a = 0; mi->in_args != NULL && mi->in_args[a] != NULL; a++)
				g_string_append(sig, mi->in_args[a]->signature);
			g_string_append_c(sig, ')');
			t->path = g_strdup(path);
			t->iface = g_strdup(iface->name);
			t->method = g_strdup(mi->name);
			t->signature = g_string_free(g_steal_pointer(&sig), FALSE);
			g_ptr_array_add(targets, t);
		}
		for (guint p = 0; iface->properties != NULL && iface->properties[p] != NULL; p++) {
			GDBusPropertyInfo *pi = iface->properties[p];
			Target *t;

			if (!(pi->flags & G_DBUS_PROPERTY_INFO_FLAGS_WRITABLE))
				continue;
			t = g_new0(Target, 1);
			t->path = g_strdup(path);
			t->iface = g_strdup(iface->name);
			t->method = g_strdup("Set");
			t->property = g_strdup(pi->name);
			t->signature = g_strdup_printf("(%s)", pi->signature);
			g_ptr_array_add(targets, t);
		}
	}
	for (guint i = 0; node->nodes != NULL && node->nodes[i] != NULL; i++) {
		g_autofree char *child = g_strcmp0(path, "/") == 0
					     ? g_strdup_printf("/%s", node->nodes[i]->path)
					     : g_strdup_printf("%s/%s", path, node->nodes[i]->path);
		introspect(c, child, targets);
	}
}

static GVariant *gen_value(Gen *g, const GVariantType *type, guint depth);

static char *
gen_string(Gen *g)
{
	guint pick = g_rand_int_range(g->rand, 0, 100);

	if (pick < 1 && g->huge_bytes == 0) {
		/* A 1 MiB string, at most one such value a call. */
		g->huge_bytes += 1 << 20;
		return g_strnfill(1 << 20, 'x');
	}
	if (pick < 60)
		return g_strdup(words[g_rand_int_range(g->rand, 0, G_N_ELEMENTS(words))]);
	{
		guint len = (guint)g_rand_int_range(g->rand, 0, 40);
		char *s = g_malloc(len + 1);

		for (guint i = 0; i < len; i++)
			s[i] = (char)g_rand_int_range(g->rand, 0x20, 0x7f);
		s[len] = '\0';
		return s;
	}
}

static gint64
gen_int(Gen *g, gint64 min, gint64 max)
{
	switch (g_rand_int_range(g->rand, 0, 8)) {
	case 0:
		return min;
	case 1:
		return max;
	case 2:
		return 0;
	case 3:
		return MAX(min, -1);
	case 4:
		/* around now, in microseconds: times get past range checks */
		return CLAMP(g_get_real_time() + g_rand_int_range(g->rand, -1000000, 1000000) *
						     (gint64)G_USEC_PER_SEC / 10,
			     min, max);
	default:
		return CLAMP((gint64)g_rand_int_range(g->rand, -1000, 100000), min, max);
	}
}

static double
gen_double(Gen *g)
{
	static const double edges[] = {0.0, -0.0, 1.0, -1.0, 0.1, 62.4, 1e308, -1e308, 5e-324};

	switch (g_rand_int_range(g->rand, 0, 6)) {
	case 0:
		return NAN;
	case 1:
		return g_rand_boolean(g->rand) ? INFINITY : -INFINITY;
	case 2:
		return edges[g_rand_int_range(g->rand, 0, G_N_ELEMENTS(edges))];
	default:
		return g_rand_double_range(g->rand, -10, 2000);
	}
}

/* A random type, for wrong-typed arguments and variants. */
static GVariantType *
gen_type(Gen *g, guint depth)
{
	static const char *const basic[] = {"b", "y", "n", "q", "i", "u", "x",
					    "t", "d", "s", "o", "g", "v"};
	guint pick = g_rand_int_range(g->rand, 0, depth > 3 ? 10 : 16);

	if (pick < 10)
		return g_variant_type_new(basic[g_rand_int_range(g->rand, 0, G_N_ELEMENTS(basic))]);
	if (pick < 12) {
		g_autoptr(GVariantType) e = gen_type(g, depth + 1);
		return g_variant_type_new_array(e);
	}
	if (pick < 14)
		return g_variant_type_new("a{sv}");
	{
		g_autoptr(GVariantType) a = gen_type(g, depth + 1);
		g_autoptr(GVariantType) b = gen_type(g, depth + 1);
		const GVariantType *items[] = {a, b};
		return g_variant_type_new_tuple(items, 2);
	}
}

static GVariant *
gen_dict_entry(Gen *g, const GVariantType *type, guint depth)
{
	const GVariantType *kt = g_variant_type_key(type);
	const GVariantType *vt = g_variant_type_value(type);
	GVariant *k;

	if (g_variant_type_equal(kt, G_VARIANT_TYPE_STRING) && g_rand_int_range(g->rand, 0, 4) != 0)
		k = g_variant_new_string(keys[g_rand_int_range(g->rand, 0, G_N_ELEMENTS(keys))]);
	else
		k = gen_value(g, kt, depth + 1);
	return g_variant_new_dict_entry(k, gen_value(g, vt, depth + 1));
}

static GVariant *
gen_array(Gen *g, const GVariantType *type, guint depth)
{
	const GVariantType *et = g_variant_type_element(type);
	GVariantBuilder b;
	guint n;

	switch (g_rand_int_range(g->rand, 0, 20)) {
	case 0:
		n = 0;
		break;
	case 1:
		/* huge: many elements, bounded in bytes so the bus takes it */
		n = g->huge_bytes == 0 && depth < 2 ? 100000 : 8;
		g->huge_bytes += n;
		break;
	default:
		n = (guint)g_rand_int_range(g->rand, 1, 6);
	}
	if (n >= 100000 && g_variant_type_is_basic(et) && !g_variant_type_equal(et, G_VARIANT_TYPE_STRING) &&
	    !g_variant_type_equal(et, G_VARIANT_TYPE_OBJECT_PATH) &&
	    !g_variant_type_equal(et, G_VARIANT_TYPE_SIGNATURE)) {
		/* fixed-size basics: zeros, made in one go */
		char c = g_variant_type_peek_string(et)[0];
		gsize size = strchr("yb", c) != NULL ? 1 : strchr("nq", c) != NULL ? 2
						  : strchr("iuh", c) != NULL ? 4 : 8;
		g_autofree guint8 *zero = g_malloc0(size * n);

		return g_variant_new_fixed_array(et, zero, n, size);
	}
	if (n >= 100000)
		n = 20000;
	g_variant_builder_init(&b, type);
	for (guint i = 0; i < n; i++) {
		if (g_variant_type_is_dict_entry(et))
			g_variant_builder_add_value(&b, gen_dict_entry(g, et, depth));
		else
			g_variant_builder_add_value(&b, gen_value(g, et, n > 100 ? 9 : depth + 1));
	}
	return g_variant_builder_end(&b);
}

static GVariant *
gen_value(Gen *g, const GVariantType *type, guint depth)
{
	switch (g_variant_type_peek_string(type)[0]) {
	case 'b':
		return g_variant_new_boolean(g_rand_boolean(g->rand));
	case 'y':
		return g_variant_new_byte((guint8)gen_int(g, 0, G_MAXUINT8));
	case 'n':
		return g_variant_new_int16((gint16)gen_int(g, G_MININT16, G_MAXINT16));
	case 'q':
		return g_variant_new_uint16((guint16)gen_int(g, 0, G_MAXUINT16));
	case 'i':
		return g_variant_new_int32((gint32)gen_int(g, G_MININT32, G_MAXINT32));
	case 'u':
		return g_variant_new_uint32((guint32)gen_int(g, 0, G_MAXUINT32));
	case 'x':
		return g_variant_new_int64(gen_int(g, G_MININT64, G_MAXINT64));
	case 't':
		return g_variant_new_uint64(g_rand_int_range(g->rand, 0, 4) == 0
						? G_MAXUINT64
						: (guint64)gen_int(g, 0, G_MAXINT64));
	case 'h':
		/* index 0 is /dev/null when the call carries it, else dangling */
		return g_variant_new_handle(g_rand_int_range(g->rand, 0, 8) == 0 ? 7 : 0);
	case 'd':
		return g_variant_new_double(gen_double(g));
	case 's': {
		g_autofree char *s = gen_string(g);
		return g_variant_new_string(s);
	}
	case 'o':
		return g_variant_new_object_path(g_rand_boolean(g->rand) ? "/org/lactd"
									: "/org/lactd/sessions/1");
	case 'g':
		return g_variant_new_signature(g_rand_boolean(g->rand) ? "" : "a{sv}");
	case 'v': {
		/* nested variants, up to a depth */
		g_autoptr(GVariantType) inner = depth < 6 && g_rand_int_range(g->rand, 0, 5) == 0
						    ? g_variant_type_new("v")
						    : gen_type(g, depth + 1);
		return g_variant_new_variant(gen_value(g, inner, depth + 1));
	}
	case 'm':
		return g_variant_new_maybe(g_variant_type_element(type),
					   g_rand_boolean(g->rand)
					       ? gen_value(g, g_variant_type_element(type), depth + 1)
					       : NULL);
	case 'a':
		return gen_array(g, type, depth);
	case '(': {
		GVariantBuilder b;

		g_variant_builder_init(&b, type);
		for (const GVariantType *t = g_variant_type_first(type); t != NULL;
		     t = g_variant_type_next(t))
			g_variant_builder_add_value(&b, gen_value(g, t, depth + 1));
		return g_variant_builder_end(&b);
	}
	default:
		g_assert_not_reached();
	}
}

/* Arguments for a target: mostly of the right type, sometimes of a wrong one. */
static GVariant *
gen_args(Gen *g, const Target *t)
{
	g_autoptr(GVariantType) type = NULL;

	g->huge_bytes = 0;
	if (t->property != NULL && g_rand_int_range(g->rand, 0, 5) != 0) {
		/* Properties.Set(iface, name, value): the value of the
		 * property's type or of another, sometimes an unknown name. */
		const char *prop =
		    g_rand_int_range(g->rand, 0, 8) == 0 ? "NoSuchProperty" : t->property;
		g_autoptr(GVariantType) tuple = g_variant_type_new(t->signature);
		g_autoptr(GVariantType) vt = g_rand_int_range(g->rand, 0, 3) == 0
						 ? gen_type(g, 1)
						 : g_variant_type_copy(g_variant_type_first(tuple));

		return g_variant_new("(ssv)", t->iface, prop, gen_value(g, vt, 1));
	}
	if (t->property != NULL || g_rand_int_range(g->rand, 0, 5) == 0) {
		g_autoptr(GVariantType) wrong = gen_type(g, 1);
		const GVariantType *items[] = {wrong};

		type = g_variant_type_new_tuple(items, g_rand_int_range(g->rand, 0, 2));
	} else {
		type = g_variant_type_new(t->signature);
	}
	return gen_value(g, type, 0);
}

static gboolean
name_ok(const char *name)
{
	return g_str_has_prefix(name, "org.lactd.Error.") ||
	       g_str_has_prefix(name, "org.freedesktop.DBus.Error.");
}

static void
test_fuzz(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestFake) fake = lactd_test_fake_start(bus, devices_conf, "60");
	g_autoptr(LactdTestDaemon) daemon = NULL;
	g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func((GDestroyNotify)target_free);
	g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *log = NULL;
	const char *env = g_getenv("LACTD_DBUS_FUZZ_SECONDS");
	const char *seed_env = g_getenv("LACTD_DBUS_FUZZ_SEED");
	gboolean lng = g_strcmp0(g_getenv("LACTD_FAULTS_LONG"), "1") == 0;
	guint64 seconds = lng ? 600 : 30;
	guint32 seed = seed_env != NULL ? (guint32)g_ascii_strtoull(seed_env, NULL, 10)
					 : (guint32)g_get_real_time();
	Gen g = {0};
	guint64 calls = 0, ok = 0;
	gint64 deadline;
	GHashTableIter it;
	gpointer key, value;
	g_autoptr(GString) names = g_string_new(NULL);

	if (fake == NULL)
		return;
	daemon = lactd_test_daemon_start(bus, NULL, NULL);
	if (env != NULL)
		seconds = g_ascii_strtoull(env, NULL, 10);
	g.rand = g_rand_new_with_seed(seed);
	g.null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	g_assert_cmpint(g.null_fd, >=, 0);
	/* Let the devices appear, so that their objects are fuzzed too. */
	lactd_test_wait_property(c, "org.lactd", "/org/lactd/devices/C0_FF_EE_00_00_02",
				 "org.lactd.Device1", "Address", 20000);
	introspect(c, "/", targets);
	g_assert_cmpuint(targets->len, >, 10);
	g_test_message("seed %u: %u methods and writable properties, for %" G_GUINT64_FORMAT " s",
		       seed, targets->len, seconds);

	deadline = g_get_monotonic_time() + (gint64)seconds * G_USEC_PER_SEC;
	while (g_get_monotonic_time() < deadline) {
		const Target *t = g_ptr_array_index(targets, g_rand_int_range(g.rand, 0, targets->len));
		g_autoptr(GVariant) args = g_variant_ref_sink(gen_args(&g, t));
		g_autoptr(GUnixFDList) fds = g_unix_fd_list_new();
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) reply = NULL;
		gboolean prop = t->property != NULL;

		/* Every call carries /dev/null at index 0, for methods taking h. */
		g_unix_fd_list_append(fds, g.null_fd, NULL);
		reply = g_dbus_connection_call_with_unix_fd_list_sync(
		    c, "org.lactd", t->path, prop ? "org.freedesktop.DBus.Properties" : t->iface,
		    prop ? "Set" : t->method, args, NULL, G_DBUS_CALL_FLAGS_NONE, CALL_TIMEOUT_MS,
		    fds, NULL, NULL, &error);
		calls++;
		if (reply != NULL) {
			ok++;
			continue;
		}
		if (g_error_matches(error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
			g_error("%s.%s on %s unanswered for %u ms (seed %u)", t->iface, t->method,
				t->path, CALL_TIMEOUT_MS, seed);
		if (g_dbus_error_is_remote_error(error)) {
			g_autofree char *name = g_dbus_error_get_remote_error(error);

			if (!name_ok(name))
				g_error("%s.%s on %s: error %s is no org.lactd.Error nor "
					"org.freedesktop.DBus.Error (seed %u): %s",
					t->iface, t->method, t->path, name, seed, error->message);
			if (!g_hash_table_contains(seen, name))
				g_hash_table_insert(seen, g_strdup(name), GUINT_TO_POINTER(0));
			g_hash_table_insert(seen, g_strdup(name),
					    GUINT_TO_POINTER(GPOINTER_TO_UINT(
								 g_hash_table_lookup(seen, name)) +
							     1));
			continue;
		}
		g_error("%s.%s on %s: %s (seed %u)", t->iface, t->method, t->path, error->message,
			seed);
	}
	g_hash_table_iter_init(&it, seen);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_string_append_printf(names, " %s=%u", (const char *)key, GPOINTER_TO_UINT(value));
	g_test_message("%" G_GUINT64_FORMAT " calls, %" G_GUINT64_FORMAT " succeeded; errors:%s",
		       calls, ok, names->str);
	close(g.null_fd);
	g_rand_free(g.rand);

	/* Still alive and answering, then a clean stop (no crash, no leak
	 * report under valgrind), and no sanitizer report in its log. */
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(GVariant) plan = lactd_test_call(c, "GetPlan", NULL, "(a{sv})", &error);

		g_assert_no_error(error);
		g_assert_nonnull(plan);
	}
	g_assert_true(g_file_get_contents(lactd_test_daemon_log_path(daemon), &log, NULL, NULL));
	lactd_test_daemon_stop(daemon);
	g_clear_pointer(&log, g_free);
	g_assert_true(g_file_get_contents(lactd_test_daemon_log_path(daemon), &log, NULL, NULL));
	g_assert_null(strstr(log, "AddressSanitizer"));
	g_assert_null(strstr(log, "LeakSanitizer"));
	g_assert_null(strstr(log, "runtime error:"));
	g_assert_cmpuint(calls, >, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/dbus-fuzz", test_fuzz);
	return g_test_run();
}
