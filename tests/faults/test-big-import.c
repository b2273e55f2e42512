/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A large capture imported with `lactctl capture import` (the paged
 * ImportCaptureBegin/Append/Commit) while a probe asks GetPlan every 50 ms:
 * the daemon's main loop must never stall over LACTD_PROBE_STALL_US, every
 * event must arrive, and the daemon's peak RSS is printed beside the file's
 * size. 20,000 events of 512 bytes by default; the documented maximum,
 * 200,000, with LACTD_FAULTS_LONG=1. Then a paged import abandoned by its
 * caller leaves nothing behind, and the per-caller bound is enforced.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "lactd-capfile.h"
#include "lactd-test.h"
#include "probe.h"

#define UUID "0000fff1-0000-1000-8000-00805f9b34fb"

typedef struct {
	gboolean done;
	int status;
} Child;

static void
child_exited(GPid pid, int status, gpointer user_data)
{
	Child *child = user_data;

	child->status = status;
	child->done = TRUE;
	g_spawn_close_pid(pid);
}

static gboolean
child_done(gpointer user_data)
{
	return ((Child *)user_data)->done;
}

/* A /proc/PID/status field in kB, or -1. */
static gint64
proc_status_kb(GPid pid, const char *field)
{
	g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
	g_autofree char *text = NULL;
	const char *p;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return -1;
	p = strstr(text, field);
	if (p == NULL)
		return -1;
	return g_ascii_strtoll(p + strlen(field) + 1, NULL, 10);
}

static char *
write_capture(const char *dir, guint n, gsize *size)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(dir, "big.lactdcap", NULL);
	gint64 t0 = G_GINT64_CONSTANT(1700000000) * G_USEC_PER_SEC;
	guint8 value[512];
	GStatBuf st;

	/* lactd_capfile_new() filled them: replaced, not leaked. */
	g_free(cap->address);
	g_free(cap->name);
	g_free(cap->source);
	cap->address = g_strdup("C0:FF:EE:00:00:09");
	cap->name = g_strdup("Big");
	cap->source = g_strdup("fault-test");
	lactd_capfile_add_char(cap, UUID, "read,notify", 0x10, NULL);
	for (guint i = 0; i < n; i++) {
		memset(value, (int)(i & 0xff), sizeof(value));
		value[0] = (guint8)(i >> 8);
		lactd_capfile_add_event(cap, t0 + (gint64)i * 1000, LACTD_CAP_NOTIFY, UUID, 0x10,
					value, sizeof(value), NULL);
	}
	g_assert_true(lactd_capfile_save(cap, path, &error));
	g_assert_no_error(error);
	g_assert_cmpint(g_stat(path, &st), ==, 0);
	*size = (gsize)st.st_size;
	return g_steal_pointer(&path);
}

static guint32
capture_events(GDBusConnection *c, guint64 id)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "GetCapturePage",
						g_variant_new("(tuu)", id, 0, 1),
						"(a{sv}a(ssqs)a(xssqays))", &error);
	g_autoptr(GVariant) info = NULL;
	guint32 events = 0;

	g_assert_no_error(error);
	info = g_variant_get_child_value(r, 0);
	g_assert_true(g_variant_lookup(info, "events", "u", &events));
	return events;
}

static void
test_big_import(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_autoptr(LactdProbe) probe = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *lactctl = lactd_test_build_path("client", "lactctl", NULL);
	gboolean lng = g_strcmp0(g_getenv("LACTD_FAULTS_LONG"), "1") == 0;
	guint n = lng ? 200000 : 20000;
	gsize size = 0;
	g_autofree char *file = write_capture(lactd_test_bus_tmpdir(bus), n, &size);
	const char *argv[] = {lactctl, "capture", "import", file, NULL};
	int out_fd = -1;
	g_autoptr(GIOChannel) channel = NULL;
	g_autofree char *out = NULL;
	Child child = {0};
	gint64 rss_before, hwm, t0, took;
	guint64 id = 0;
	const char *p;
	GPid pid;

	rss_before = proc_status_kb(lactd_test_daemon_pid(daemon), "VmRSS:");
	probe = lactd_probe_start(c);
	t0 = g_get_monotonic_time();
	g_spawn_async_with_pipes(NULL, (char **)argv, NULL,
				 G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
				 &pid, NULL, &out_fd, NULL, &error);
	g_assert_no_error(error);
	g_child_watch_add(pid, child_exited, &child);
	g_assert_true(lactd_test_wait_for(child_done, &child, 600000));
	took = g_get_monotonic_time() - t0;
	lactd_probe_stop(probe);
	hwm = proc_status_kb(lactd_test_daemon_pid(daemon), "VmHWM:");

	channel = g_io_channel_unix_new(out_fd);
	g_io_channel_set_close_on_unref(channel, TRUE);
	g_io_channel_read_to_end(channel, &out, NULL, &error);
	g_assert_no_error(error);
	g_test_message("import of %u events (%.1f MiB file) in %.1f s; GetPlan: %u replies, worst "
		       "%.1f ms; daemon RSS %.1f MiB before, peak %.1f MiB (%.2fx the file)",
		       n, size / 1048576.0, took / 1e6, lactd_probe_replies(probe),
		       lactd_probe_worst_us(probe) / 1e3, rss_before / 1024.0, hwm / 1024.0,
		       hwm * 1024.0 / (double)size);
	g_assert_true(WIFEXITED(child.status));
	g_assert_cmpint(WEXITSTATUS(child.status), ==, 0);
	p = strstr(out, "as capture ");
	g_assert_nonnull(p);
	id = g_ascii_strtoull(p + strlen("as capture "), NULL, 10);
	/* No loss, no stall, no failed probe. */
	g_assert_cmpuint(capture_events(c, id), ==, n);
	g_assert_cmpuint(lactd_probe_failures(probe), ==, 0);
	g_assert_cmpint(lactd_probe_worst_us(probe), <, LACTD_PROBE_STALL_US);
	lactd_test_daemon_stop(daemon);
}

static GVariant *
begin_args(void)
{
	GVariantBuilder info;

	g_variant_builder_init(&info, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&info, "{sv}", "source", g_variant_new_string("fault-test"));
	g_variant_builder_add(&info, "{sv}", "start", g_variant_new_int64(1700000000000000));
	g_variant_builder_add(&info, "{sv}", "end", g_variant_new_int64(1700000001000000));
	return g_variant_new("(@a{sv}@a(ssqs))", g_variant_builder_end(&info),
			     g_variant_new_array(G_VARIANT_TYPE("(ssqs)"), NULL, 0));
}

static guint
n_captures(GDBusConnection *c)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = lactd_test_call(c, "ListCaptures", NULL, "(aa{sv})", &error);
	g_autoptr(GVariant) list = NULL;

	g_assert_no_error(error);
	list = g_variant_get_child_value(r, 0);
	return (guint)g_variant_n_children(list);
}

static gboolean
no_captures(gpointer user_data)
{
	return n_captures(user_data) == 0;
}

static void
test_import_abandoned(void)
{
	g_autoptr(LactdTestBus) bus = lactd_test_bus_new();
	g_autoptr(GDBusConnection) c = lactd_test_bus_connect(bus);
	g_autoptr(LactdTestDaemon) daemon = lactd_test_daemon_start(bus, NULL, NULL);
	g_autoptr(GDBusConnection) leaver = lactd_test_bus_connect(bus);
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) r = NULL;
	guint64 id = 0;
	guint8 value[4] = {1, 2, 3, 4};
	GVariantBuilder events;

	/* Two open imports per caller; the third is refused by name. */
	for (guint i = 0; i < 3; i++) {
		g_autoptr(GVariant) b = lactd_test_call(leaver, "ImportCaptureBegin", begin_args(),
							"(t)", &error);
		if (i < 2) {
			g_assert_no_error(error);
			g_variant_get(b, "(t)", &id);
		} else {
			g_autofree char *name = g_dbus_error_get_remote_error(error);

			g_assert_cmpstr(name, ==, "org.lactd.Error.LimitExceeded");
			g_clear_error(&error);
		}
	}
	g_variant_builder_init(&events, G_VARIANT_TYPE("a(xssqays)"));
	g_variant_builder_add(&events, "(xssq@ays)", (gint64)1700000000500000, "notify", UUID,
			      (guint16)0x10,
			      g_variant_new_fixed_array(G_VARIANT_TYPE_BYTE, value, 4, 1), "");
	r = lactd_test_call(leaver, "ImportCaptureAppend",
			    g_variant_new("(t@a(xssqays))", id, g_variant_builder_end(&events)), "()",
			    &error);
	g_assert_no_error(error);
	/* Another caller cannot touch it. */
	g_clear_pointer(&r, g_variant_unref);
	r = lactd_test_call(c, "ImportCaptureCommit", g_variant_new("(t)", id), "()", &error);
	{
		g_autofree char *name = g_dbus_error_get_remote_error(error);

		g_assert_cmpstr(name, ==, "org.lactd.Error.NotFound");
		g_clear_error(&error);
	}
	g_assert_cmpuint(n_captures(c), ==, 2);
	/* The caller leaves the bus: both imports are deleted. */
	g_dbus_connection_close_sync(leaver, NULL, NULL);
	g_assert_true(lactd_test_wait_for(no_captures, c, 10000));
	lactd_test_daemon_stop(daemon);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/faults/import/big", test_big_import);
	g_test_add_func("/faults/import/abandoned", test_import_abandoned);
	return g_test_run();
}
