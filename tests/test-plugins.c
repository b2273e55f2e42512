/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin host on its own: loading and refusing modules, matching, and
 * the LactdHost helpers over fake device operations. The modules are
 * tests/test-plugin.c, built four ways.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-plugins.h"

#define UUID_A "0000aaaa-0000-1000-8000-00805f9b34fb"
#define UUID_B "0000bbbb-0000-1000-8000-00805f9b34fb"
#define UUID_C "0000cccc-0000-1000-8000-00805f9b34fb"
#define UUID_FEED "0000feed-0000-1000-8000-00805f9b34fb"

/* --- log capture: the host's refusals are g_message lines ------------------ */

static GPtrArray *messages;

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
	if (level & G_LOG_LEVEL_MESSAGE) {
		for (gsize i = 0; i < n_fields; i++) {
			if (g_strcmp0(fields[i].key, "MESSAGE") == 0)
				g_ptr_array_add(messages, g_strdup(fields[i].value));
		}
	}
	return g_log_writer_default(level, fields, n_fields, user_data);
}

static guint
count_messages(const char *needle)
{
	guint n = 0;

	for (guint i = 0; i < messages->len; i++)
		n += strstr(g_ptr_array_index(messages, i), needle) != NULL;
	return n;
}

/* --- a directory of the test modules --------------------------------------- */

static char *
module_path(const char *name)
{
	g_autofree char *file = g_strconcat(name, ".so", NULL);

	return g_test_build_filename(G_TEST_BUILT, "tests", "test-modules", ".libs", file, NULL);
}

static char *
make_plugin_dir(const char *const *names, gboolean with_garbage)
{
	g_autoptr(GError) error = NULL;
	char *dir = g_dir_make_tmp("lactd-test-plugins-XXXXXX", &error);

	g_assert_no_error(error);
	for (guint i = 0; names[i] != NULL; i++) {
		g_autofree char *target = module_path(names[i]);
		g_autofree char *file = g_strconcat(names[i], ".so", NULL);
		g_autofree char *link = g_build_filename(dir, file, NULL);

		g_assert_true(g_file_test(target, G_FILE_TEST_EXISTS));
		g_assert_cmpint(symlink(target, link), ==, 0);
	}
	if (with_garbage) {
		g_autofree char *bad = g_build_filename(dir, "garbage.so", NULL);
		g_autofree char *txt = g_build_filename(dir, "README.txt", NULL);

		g_assert_true(g_file_set_contents(bad, "not an ELF file\n", -1, &error));
		g_assert_true(g_file_set_contents(txt, "not a plugin\n", -1, &error));
	}
	return dir;
}

static void
remove_dir(const char *dir)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
	const char *name;

	while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
		g_autofree char *path = g_build_filename(dir, name, NULL);
		g_assert_cmpint(g_unlink(path), ==, 0);
	}
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

static LactdPluginHost *
load_good(char **dir_out)
{
	static const char *const names[] = {"alpha", "beta", NULL};
	g_autoptr(GError) error = NULL;
	char *dir = make_plugin_dir(names, FALSE);
	LactdPluginHost *host = lactd_plugin_host_new(dir, &error);

	g_assert_no_error(error);
	g_assert_nonnull(host);
	*dir_out = dir;
	return host;
}

/* --- loading ----------------------------------------------------------------- */

static void
test_load(void)
{
	static const char *const names[] = {"alpha", "badabi", "beta", "nodesc", NULL};
	g_autofree char *dir = make_plugin_dir(names, TRUE);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdPluginHost) host = NULL;
	const LactdPluginDesc *const *list;

	g_ptr_array_set_size(messages, 0);
	host = lactd_plugin_host_new(dir, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(lactd_plugin_host_count(host), ==, 2);
	list = lactd_plugin_host_list(host);
	/* Highest priority first. */
	g_assert_cmpstr(list[0]->name, ==, "beta");
	g_assert_cmpstr(list[1]->name, ==, "alpha");
	g_assert_null(list[2]);

	/* Exactly one line for each refused file, none for the rest. */
	g_assert_cmpuint(count_messages("skipped plugin badabi.so: ABI version 1, this lactd "
					"speaks 2"),
			 ==, 1);
	g_assert_cmpuint(count_messages("badabi"), ==, 1);
	g_assert_cmpuint(count_messages("skipped plugin nodesc.so: no lactd_plugin_desc symbol"),
			 ==, 1);
	g_assert_cmpuint(count_messages("nodesc"), ==, 1);
	g_assert_cmpuint(count_messages("skipped plugin garbage.so: "), ==, 1);
	g_assert_cmpuint(count_messages("README"), ==, 0);
	g_assert_cmpuint(count_messages("skipped plugin alpha"), ==, 0);
	g_assert_cmpuint(count_messages("skipped plugin beta"), ==, 0);
	remove_dir(dir);
}

static void
test_load_path(void)
{
	static const char *const first[] = {"alpha", NULL};
	static const char *const second[] = {"alpha", "beta", NULL};
	g_autofree char *dir1 = make_plugin_dir(first, FALSE);
	g_autofree char *dir2 = make_plugin_dir(second, FALSE);
	g_autofree char *path = g_strjoin(G_SEARCHPATH_SEPARATOR_S, dir1, dir2, NULL);
	g_autofree char *missing = g_build_filename(dir1, "nowhere", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdPluginHost) host = NULL;
	g_autoptr(LactdPluginHost) none = NULL;

	g_ptr_array_set_size(messages, 0);
	host = lactd_plugin_host_new(path, &error);
	g_assert_no_error(error);
	/* The second alpha is the same plugin again: skipped, one line. */
	g_assert_cmpuint(lactd_plugin_host_count(host), ==, 2);
	g_assert_cmpuint(count_messages("plugin \"alpha\" already loaded"), ==, 1);

	/* A directory that does not exist: no plugins, one line, no failure. */
	g_ptr_array_set_size(messages, 0);
	none = lactd_plugin_host_new(missing, &error);
	g_assert_no_error(error);
	g_assert_nonnull(none);
	g_assert_cmpuint(lactd_plugin_host_count(none), ==, 0);
	g_assert_cmpuint(count_messages("no plugin directory"), ==, 1);
	remove_dir(dir1);
	remove_dir(dir2);
}

/* --- matching ---------------------------------------------------------------------- */

static void
test_match(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	const char *const only_a[] = {"0000180F-0000-1000-8000-00805F9B34FB", UUID_A, NULL};
	const char *const upper_b[] = {"0000BBBB-0000-1000-8000-00805F9B34FB", NULL};
	const char *const both[] = {UUID_A, UUID_C, NULL};
	const char *const other[] = {"00001800-0000-1000-8000-00805f9b34fb", NULL};
	const char *const feed[] = {UUID_FEED, NULL};
	const guint16 mfr_alpha[] = {0x004c, 0x1234};
	const guint16 mfr_other[] = {0x9999};
	LactdPluginMatch how = LACTD_PLUGIN_MATCH_NONE;
	const LactdPluginDesc *d;

	d = lactd_plugin_host_match(host, only_a, NULL, 0, NULL, &how);
	g_assert_cmpstr(d->name, ==, "alpha");
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_SERVICE);

	/* UUIDs compare without regard to case. */
	d = lactd_plugin_host_match(host, upper_b, NULL, 0, NULL, &how);
	g_assert_cmpstr(d->name, ==, "beta");

	/* Both match UUID_C: the higher priority wins. */
	d = lactd_plugin_host_match(host, both, NULL, 0, NULL, &how);
	g_assert_cmpstr(d->name, ==, "beta");
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_SERVICE);

	d = lactd_plugin_host_match(host, other, mfr_alpha, G_N_ELEMENTS(mfr_alpha), NULL, &how);
	g_assert_cmpstr(d->name, ==, "alpha");
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_ADVERTISEMENT);

	d = lactd_plugin_host_match(host, NULL, mfr_other, 1, feed, &how);
	g_assert_cmpstr(d->name, ==, "beta");
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_ADVERTISEMENT);

	d = lactd_plugin_host_match(host, other, mfr_other, 1, other, &how);
	g_assert_null(d);
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_NONE);
	d = lactd_plugin_host_match(host, NULL, NULL, 0, NULL, NULL);
	g_assert_null(d);
	remove_dir(dir);
}

/* Specificity (ABI 2): descriptors made here, as three protocols sharing
 * service FFF0 would declare them. */
#define FFF0 "0000fff0-0000-1000-8000-00805f9b34fb"
#define FFF1 "0000fff1-0000-1000-8000-00805f9b34fb"
#define FFF2 "0000fff2-0000-1000-8000-00805f9b34fb"
#define FFF4 "0000fff4-0000-1000-8000-00805f9b34fb"

static const char *const fff0[] = {FFF0, NULL};
static const char *const generic_chars[] = {FFF1, NULL};
static const char *const decent_chars[] = {FFF4, NULL};
static const char *const decent_names[] = {"Decent Scale*", NULL};
static const char *const aku_names[] = {"*AKU*", NULL};
static const char *const aku_chars[] = {FFF1, FFF2, NULL};

static const LactdPluginDesc any_fff0 = {
    .abi_version = 2, .name = "anyfff0", .kind = LACTD_KIND_SCALE, .priority = 50,
    .service_uuids = fff0};
static const LactdPluginDesc one_char = {
    .abi_version = 2, .name = "onechar", .kind = LACTD_KIND_SCALE, .priority = 1,
    .service_uuids = fff0, .required_chars = generic_chars};
static const LactdPluginDesc decentish = {
    .abi_version = 2, .name = "decentish", .kind = LACTD_KIND_SCALE, .priority = 10,
    .service_uuids = fff0, .name_patterns = decent_names, .required_chars = decent_chars};
static const LactdPluginDesc akuish = {
    .abi_version = 2, .name = "akuish", .kind = LACTD_KIND_SCALE, .priority = 0,
    .service_uuids = fff0, .name_patterns = aku_names, .required_chars = aku_chars};

static void
test_match_specific(void)
{
	const LactdPluginDesc *const descs[] = {&any_fff0, &one_char, &decentish, &akuish, NULL};
	const char *const aku_has[] = {FFF1, FFF2, NULL};
	const char *const decent_has[] = {FFF1, FFF4, NULL};
	LactdPluginMatchInput in = {.service_uuids = fff0};
	LactdPluginMatch how = LACTD_PLUGIN_MATCH_NONE;
	const LactdPluginDesc *d;
	g_autofree char *why = NULL;

	/* A name pattern beats required characteristics beats service only,
	 * whatever the priorities. */
	in.name = "Varia AKU Pro";
	d = lactd_plugin_match_select(descs, &in, &how, &why);
	g_assert_true(d == &akuish);
	g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_SERVICE);
	g_assert_nonnull(strstr(why, "name pattern \"*AKU*\""));
	g_assert_nonnull(strstr(why, "preferred to anyfff0 (service UUID only"));
	g_assert_nonnull(strstr(why, "preferred to onechar (1 required characteristic(s)"));
	g_clear_pointer(&why, g_free);

	/* Not named like either: the one requiring a characteristic, over the
	 * higher priority that requires none. */
	in.name = "CFS-9002";
	d = lactd_plugin_match_select(descs, &in, &how, NULL);
	g_assert_true(d == &one_char);
	/* A name pattern never matches an unknown name. */
	in.name = NULL;
	d = lactd_plugin_match_select(descs, &in, &how, NULL);
	g_assert_true(d == &one_char);

	/* Once the characteristics are known, a plugin missing one is out. */
	in.name = "Decent Scale 1";
	in.char_uuids = aku_has;
	d = lactd_plugin_match_select(descs, &in, &how, &why);
	g_assert_true(d == &one_char);
	g_assert_nonnull(strstr(why, "plugin decentish needs characteristic " FFF4));
	g_clear_pointer(&why, g_free);
	in.char_uuids = decent_has;
	d = lactd_plugin_match_select(descs, &in, &how, NULL);
	g_assert_true(d == &decentish);

	/* Named like an AKU but without its command characteristic: nothing
	 * that requires more fits; the one requiring less does. */
	{
		const LactdPluginDesc *const only_named[] = {&decentish, &akuish, NULL};
		const char *const fff1_only[] = {FFF1, NULL};

		in.name = "AKU Mini";
		in.char_uuids = fff1_only;
		d = lactd_plugin_match_select(only_named, &in, &how, &why);
		g_assert_null(d);
		g_assert_cmpint(how, ==, LACTD_PLUGIN_MATCH_NONE);
		g_assert_cmpstr(why, ==,
				"plugin akuish needs characteristic " FFF2 ", which the device lacks");
	}
}

/* --- the host helpers over fake operations ----------------------------------------- */

typedef struct {
	GPtrArray *calls;    /* "subscribe UUID", "write UUID 01 req", ... */
	GArray *readings;    /* LactdReading */
	guint rejected;
	gboolean refuse;     /* reading() refuses: the device's fault */
	gboolean storage;    /* reading() fails to store */
	gboolean write_fails; /* write() cannot start */
} Fake;

static gboolean
fake_subscribe(gpointer user_data, const char *char_uuid, GError **error)
{
	Fake *f = user_data;

	g_ptr_array_add(f->calls, g_strdup_printf("subscribe %.8s", char_uuid));
	return TRUE;
}

static gboolean
fake_read(gpointer user_data, const char *char_uuid, GError **error)
{
	Fake *f = user_data;

	g_ptr_array_add(f->calls, g_strdup_printf("read %.8s", char_uuid));
	return TRUE;
}

static gboolean
fake_write(gpointer user_data, const char *char_uuid, GBytes *data, gboolean with_response,
	   GError **error)
{
	Fake *f = user_data;
	gsize len;
	const guint8 *d = g_bytes_get_data(data, &len);

	if (f->write_fails) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_CONNECTED, "not connected");
		return FALSE;
	}
	g_assert_cmpuint(len, ==, 1);
	g_ptr_array_add(f->calls, g_strdup_printf("write %.8s %02x %s", char_uuid, d[0],
						  with_response ? "req" : "cmd"));
	return TRUE;
}

static gboolean
fake_reading(gpointer user_data, const LactdReading *reading, GError **error)
{
	Fake *f = user_data;

	if (f->refuse) {
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS, "volume decreased");
		return FALSE;
	}
	if (f->storage) {
		g_set_error_literal(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "disk full");
		return FALSE;
	}
	g_array_append_val(f->readings, *reading);
	return TRUE;
}

static void
fake_rejected(gpointer user_data, const char *reason)
{
	Fake *f = user_data;

	g_assert_nonnull(reason);
	f->rejected++;
}

static guint32
fake_last_record(gpointer user_data)
{
	return 42;
}

static const LactdPluginDeviceOps fake_ops = {
	.subscribe = fake_subscribe,
	.read = fake_read,
	.write = fake_write,
	.reading = fake_reading,
	.rejected = fake_rejected,
	.last_record = fake_last_record,
};

static void
fake_init(Fake *f)
{
	memset(f, 0, sizeof(*f));
	f->calls = g_ptr_array_new_with_free_func(g_free);
	f->readings = g_array_new(FALSE, TRUE, sizeof(LactdReading));
}

static void
fake_clear(Fake *f)
{
	g_ptr_array_unref(f->calls);
	g_array_unref(f->readings);
}

static const LactdPluginDesc *
find_desc(LactdPluginHost *host, const char *name)
{
	const LactdPluginDesc *const *list = lactd_plugin_host_list(host);

	for (guint i = 0; list[i] != NULL; i++) {
		if (g_strcmp0(list[i]->name, name) == 0)
			return list[i];
	}
	g_assert_not_reached();
	return NULL;
}

static void
test_writes(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	g_autoptr(GError) error = NULL;
	g_autoptr(GError) failed = g_error_new_literal(G_IO_ERROR, G_IO_ERROR_FAILED, "ATT error");
	LactdDevice *dev;
	Fake f;

	fake_init(&f);
	dev = lactd_plugin_device_new(find_desc(host, "alpha"), "00:00:00:00:00:01", &fake_ops, &f);
	g_assert_false(lactd_plugin_device_is_attached(dev));
	g_assert_true(lactd_plugin_device_attach(dev, &error));
	g_assert_no_error(error);

	/* Subscribed, then only the first of three writes goes out. */
	g_assert_cmpuint(f.calls->len, ==, 2);
	g_assert_cmpstr(f.calls->pdata[0], ==, "subscribe 0000aaaa");
	g_assert_cmpstr(f.calls->pdata[1], ==, "write 0000aaaa 01 req");
	g_assert_cmpuint(lactd_plugin_device_pending_writes(dev), ==, 3);

	lactd_plugin_device_write_done(dev, NULL);
	g_assert_cmpuint(f.calls->len, ==, 3);
	g_assert_cmpstr(f.calls->pdata[2], ==, "write 0000aaaa 02 cmd");
	/* A failed write is logged and the queue goes on. */
	g_ptr_array_set_size(messages, 0);
	lactd_plugin_device_write_done(dev, failed);
	g_assert_cmpuint(count_messages("ATT error"), ==, 1);
	g_assert_cmpuint(f.calls->len, ==, 4);
	g_assert_cmpstr(f.calls->pdata[3], ==, "write 0000bbbb 03 req");
	lactd_plugin_device_write_done(dev, NULL);
	g_assert_cmpuint(lactd_plugin_device_pending_writes(dev), ==, 0);
	/* A stray completion changes nothing. */
	lactd_plugin_device_write_done(dev, NULL);
	g_assert_cmpuint(f.calls->len, ==, 4);

	/* Detach drops queued writes; so does a write that cannot start. */
	lactd_plugin_device_detach(dev);
	g_assert_cmpuint(lactd_plugin_device_pending_writes(dev), ==, 0);
	f.write_fails = TRUE;
	g_assert_true(lactd_plugin_device_attach(dev, &error));
	g_assert_cmpuint(lactd_plugin_device_pending_writes(dev), ==, 0);
	lactd_plugin_device_free(dev);
	fake_clear(&f);
	remove_dir(dir);
}

static gboolean
quit_cb(gpointer user_data)
{
	*(gboolean *)user_data = TRUE;
	return G_SOURCE_REMOVE;
}

static void
run_for(guint ms)
{
	gboolean done = FALSE;

	g_timeout_add(ms, quit_cb, &done);
	while (!done)
		g_main_context_iteration(NULL, TRUE);
}

static guint
count_readings(Fake *f, LactdReadingType type)
{
	guint n = 0;

	for (guint i = 0; i < f->readings->len; i++)
		n += g_array_index(f->readings, LactdReading, i).type == type;
	return n;
}

static void
test_timers(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	g_autoptr(GError) error = NULL;
	LactdDevice *dev;
	gint64 deadline = g_get_monotonic_time() + 5 * G_TIME_SPAN_SECOND;
	guint n;
	Fake f;

	fake_init(&f);
	dev = lactd_plugin_device_new(find_desc(host, "alpha"), "00:00:00:00:00:02", &fake_ops, &f);
	g_assert_true(lactd_plugin_device_attach(dev, &error));
	g_assert_cmpuint(lactd_plugin_device_timer_count(dev), ==, 2);

	/* The counted timer emits three times and stops itself. */
	while (lactd_plugin_device_timer_count(dev) > 1 && g_get_monotonic_time() < deadline)
		g_main_context_iteration(NULL, TRUE);
	g_assert_cmpuint(lactd_plugin_device_timer_count(dev), ==, 1);
	g_assert_cmpuint(count_readings(&f, LACTD_READING_PHASE), ==, 3);
	run_for(30);
	g_assert_cmpuint(count_readings(&f, LACTD_READING_PHASE), ==, 3);
	/* The other one goes on. */
	g_assert_cmpuint(count_readings(&f, LACTD_READING_SUCTION), >=, 2);

	/* Detach removes it: nothing fires afterwards. */
	lactd_plugin_device_detach(dev);
	g_assert_cmpuint(lactd_plugin_device_timer_count(dev), ==, 0);
	n = f.readings->len;
	run_for(30);
	g_assert_cmpuint(f.readings->len, ==, n);

	/* A plugin that gives up at attach leaves no timer or write behind. */
	lactd_plugin_device_free(dev);
	dev = lactd_plugin_device_new(find_desc(host, "alpha"), "00:00:00:00:00:0F", &fake_ops, &f);
	g_assert_false(lactd_plugin_device_attach(dev, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_FAILED);
	g_assert_false(lactd_plugin_device_is_attached(dev));
	g_assert_cmpuint(lactd_plugin_device_timer_count(dev), ==, 0);
	g_assert_cmpuint(lactd_plugin_device_pending_writes(dev), ==, 0);
	lactd_plugin_device_free(dev);
	fake_clear(&f);
	remove_dir(dir);
}

static void
test_emit(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	g_autoptr(GError) error = NULL;
	const guint8 fifty = 50, bad = 0xff;
	LactdDevice *dev;
	Fake f;

	fake_init(&f);
	dev = lactd_plugin_device_new(find_desc(host, "alpha"), "00:00:00:00:00:03", &fake_ops, &f);
	/* Nothing reaches a plugin that is not attached. */
	lactd_plugin_device_value(dev, UUID_A, &fifty, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.readings->len, ==, 0);
	g_assert_true(lactd_plugin_device_attach(dev, &error));

	lactd_plugin_device_value(dev, UUID_A, &fifty, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.readings->len, ==, 1);
	g_assert_cmpint(g_array_index(f.readings, LactdReading, 0).type, ==, LACTD_READING_BATTERY);
	g_assert_cmpuint(g_array_index(f.readings, LactdReading, 0).battery.percent, ==, 50);

	/* The plugin's own refusal. */
	g_ptr_array_set_size(messages, 0);
	lactd_plugin_device_value(dev, UUID_A, &bad, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.rejected, ==, 1);
	g_assert_cmpuint(count_messages("rejected packet: alpha: bad battery byte"), ==, 1);
	lactd_plugin_device_value(dev, UUID_A, NULL, 0, LACTD_VALUE_READ);
	g_assert_cmpuint(f.rejected, ==, 2);

	/* The capture's refusal counts; a storage failure does not. */
	f.refuse = TRUE;
	lactd_plugin_device_value(dev, UUID_A, &fifty, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.rejected, ==, 3);
	g_assert_cmpuint(count_messages("volume decreased"), ==, 1);
	f.refuse = FALSE;
	f.storage = TRUE;
	lactd_plugin_device_value(dev, UUID_A, &fifty, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.rejected, ==, 3);
	g_assert_cmpuint(count_messages("disk full"), ==, 1);
	g_assert_cmpuint(f.readings->len, ==, 1);
	lactd_plugin_device_free(dev);
	fake_clear(&f);
	remove_dir(dir);
}

static void
test_parse(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	g_autoptr(GError) error = NULL;
	const guint8 w = 120, two[2] = {1, 2};
	LactdDevice *dev;
	Fake f;

	fake_init(&f);
	dev = lactd_plugin_device_new(find_desc(host, "beta"), "00:00:00:00:00:04", &fake_ops, &f);
	g_assert_true(lactd_plugin_device_attach(dev, &error));

	/* No value callback: the host parses and emits. */
	lactd_plugin_device_value(dev, UUID_B, &w, 1, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.readings->len, ==, 1);
	g_assert_cmpint(g_array_index(f.readings, LactdReading, 0).type, ==, LACTD_READING_WEIGHT);
	g_assert_cmpfloat(g_array_index(f.readings, LactdReading, 0).weight.grams, ==, 120.0);
	g_assert_false(g_array_index(f.readings, LactdReading, 0).weight.stable);
	lactd_plugin_device_value(dev, UUID_B, two, 2, LACTD_VALUE_NOTIFY);
	g_assert_cmpuint(f.rejected, ==, 1);

	/* No advertisement callback either: parse with the service data UUID. */
	lactd_plugin_device_advertisement(dev, 0, UUID_FEED, &w, 1);
	g_assert_cmpuint(f.readings->len, ==, 2);
	g_assert_true(g_array_index(f.readings, LactdReading, 1).weight.stable);
	lactd_plugin_device_advertisement(dev, 0x1234, NULL, two, 2);
	g_assert_cmpuint(f.rejected, ==, 2);
	lactd_plugin_device_free(dev);
	fake_clear(&f);
	remove_dir(dir);
}

static void
test_reject_rate(void)
{
	g_autofree char *dir = NULL;
	g_autoptr(LactdPluginHost) host = load_good(&dir);
	g_autoptr(GError) error = NULL;
	const guint8 bad = 0xff;
	LactdDevice *dev;
	Fake f;

	fake_init(&f);
	dev = lactd_plugin_device_new(find_desc(host, "alpha"), "00:00:00:00:00:05", &fake_ops, &f);
	g_assert_true(lactd_plugin_device_attach(dev, &error));
	g_ptr_array_set_size(messages, 0);
	for (guint i = 0; i < 1000; i++)
		lactd_plugin_device_value(dev, UUID_A, &bad, 1, LACTD_VALUE_NOTIFY);
	/* Every packet counted, a bounded number logged, the rest summed up. */
	g_assert_cmpuint(f.rejected, ==, 1000);
	g_assert_cmpuint(count_messages("rejected packet"), <=, 20);
	g_assert_cmpuint(count_messages("rejected packet"), >=, 1);
	lactd_plugin_device_detach(dev);
	g_assert_cmpuint(count_messages("more rejected packet(s) not logged"), ==, 1);
	lactd_plugin_device_free(dev);
	fake_clear(&f);
	remove_dir(dir);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	messages = g_ptr_array_new_with_free_func(g_free);
	g_log_set_writer_func(log_writer, NULL, NULL);

	g_test_add_func("/plugins/load/refuse", test_load);
	g_test_add_func("/plugins/load/path", test_load_path);
	g_test_add_func("/plugins/match/specific", test_match_specific);
	g_test_add_func("/plugins/match", test_match);
	g_test_add_func("/plugins/host/writes", test_writes);
	g_test_add_func("/plugins/host/timers", test_timers);
	g_test_add_func("/plugins/host/emit", test_emit);
	g_test_add_func("/plugins/host/parse", test_parse);
	g_test_add_func("/plugins/host/reject-rate", test_reject_rate);
	return g_test_run();
}
