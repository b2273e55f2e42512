/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared parts of the plugins' unit tests (lactd-test-plugin.h). */
#include "config.h"

#include <gio/gio.h>
#include <math.h>
#include <string.h>

#include "lactd-test-plugin.h"

gsize
lactd_test_unhex(const char *hex, guint8 *buf, gsize max)
{
	gsize n = 0;

	for (const char *p = hex; p[0] != '\0';) {
		if (!g_ascii_isxdigit(p[0])) {
			p++;
			continue;
		}
		g_assert_true(g_ascii_isxdigit(p[1]));
		g_assert_cmpuint(n, <, max);
		buf[n++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
		p += 2;
	}
	return n;
}

int
lactd_test_parse_hex(LactdTestParseFunc parse, void *state, const char *uuid, const char *hex,
		     LactdReading *r, gsize max, const char **reason)
{
	guint8 buf[256];
	gsize len = lactd_test_unhex(hex, buf, sizeof(buf));

	*reason = NULL;
	return parse(state, uuid, buf, len, r, max, reason);
}

void
lactd_test_parse_cases(LactdTestParseFunc parse, const char *char_uuid,
		       const LactdParseCase *cases, gsize n_cases)
{
	for (gsize i = 0; i < n_cases; i++) {
		const LactdParseCase *c = &cases[i];
		LactdReading r[LACTD_READINGS_MAX];
		guint8 buf[256];
		const char *reason = NULL;
		gsize len = lactd_test_unhex(c->hex, buf, sizeof(buf));
		int n;

		g_test_message("frame \"%s\"", c->hex);
		memset(r, 0, sizeof(r));
		n = parse(NULL, char_uuid, buf, len, r, G_N_ELEMENTS(r), &reason);
		g_assert_cmpint(n, ==, c->n);
		if (n < 0) {
			g_assert_cmpstr(reason, ==, c->reason);
			continue;
		}
		if (n == 0 || c->type == 0)
			continue;
		g_assert_cmpint(r[0].type, ==, c->type);
		if (c->type == LACTD_READING_WEIGHT) {
			g_assert_cmpfloat_with_epsilon(r[0].weight.grams, c->value, 1e-6);
			if (c->stable >= 0)
				g_assert_cmpint(r[0].weight.stable, ==, c->stable);
		} else if (c->type == LACTD_READING_BATTERY) {
			g_assert_cmpfloat(r[0].battery.percent, ==, c->value);
		}
	}
}

const LactdPluginDesc *
lactd_test_plugin_open(const char *name, LactdKind kind, const char *hidden, GModule **module)
{
	return lactd_test_plugin_open_in(name, name, kind, hidden, module);
}

const LactdPluginDesc *
lactd_test_plugin_open_in(const char *dir, const char *name, LactdKind kind, const char *hidden,
			  GModule **module)
{
	g_autofree char *file = g_strdup_printf("%s.so", name);
	g_autofree char *path = g_test_build_filename(G_TEST_BUILT, "plugins", dir, ".libs", file,
						      NULL);
	const uint32_t *abi = NULL;
	const LactdPluginDesc *const *descp = NULL;
	gpointer other = NULL;

	*module = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_assert_nonnull(*module);
	g_assert_true(g_module_symbol(*module, "lactd_plugin_abi", (gpointer *)&abi));
	g_assert_cmpuint(*abi, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_true(g_module_symbol(*module, "lactd_plugin_desc", (gpointer *)&descp));
	if (hidden != NULL)
		g_assert_false(g_module_symbol(*module, hidden, &other));
	g_assert_cmpuint((*descp)->abi_version, ==, LACTD_PLUGIN_ABI_VERSION);
	g_assert_cmpstr((*descp)->name, ==, name);
	g_assert_cmpint((*descp)->kind, ==, kind);
	return *descp;
}

void
lactd_test_assert_scale_desc(const LactdPluginDesc *desc, const char *service,
			     const char *const *chars, uint32_t flags, double resolution)
{
	guint i = 0;

	g_assert_cmpint(desc->kind, ==, LACTD_KIND_SCALE);
	g_assert_cmpstr(desc->service_uuids[0], ==, service);
	g_assert_nonnull(desc->name_patterns);
	for (; chars[i] != NULL; i++)
		g_assert_cmpstr(desc->required_chars[i], ==, chars[i]);
	g_assert_null(desc->required_chars[i]);
	g_assert_cmphex(desc->flags, ==, flags);
	g_assert_cmpfloat(desc->weight_resolution_g, ==, resolution);
	g_assert_cmpuint(desc->state_size, <=, sizeof(((LactdTestHost *)NULL)->state));
}

gboolean
lactd_test_plugin_name_matches(const LactdPluginDesc *desc, const char *name)
{
	for (guint i = 0; desc->name_patterns != NULL && desc->name_patterns[i] != NULL; i++) {
		if (g_pattern_match_simple(desc->name_patterns[i], name))
			return TRUE;
	}
	return FALSE;
}

LactdEmu *
lactd_test_emu_new(const char *scenario)
{
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = g_strdup_printf("[d]\n%s\n", scenario);
	LactdEmu *emu;

	g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
	emu = lactd_emu_new(kf, "d", &error);
	g_assert_no_error(error);
	return emu;
}

void
lactd_test_emu_refuses(const char *emulator, const char *const *lines, gsize n_lines)
{
	for (gsize i = 0; i < n_lines; i++) {
		g_autoptr(GKeyFile) kf = g_key_file_new();
		g_autoptr(GError) error = NULL;
		g_autofree char *text = g_strdup_printf("[d]\nemulator=%s\n%s\n", emulator, lines[i]);
		g_autoptr(LactdEmu) emu = NULL;

		g_test_message("%s", lines[i]);
		g_assert_true(g_key_file_load_from_data(kf, text, -1, 0, NULL));
		emu = lactd_emu_new(kf, "d", &error);
		g_assert_null(emu);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
	}
}

void
lactd_test_collect(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		   gpointer user_data)
{
	LactdTestSent *s = user_data;

	g_assert_cmpstr(uuid, ==, s->uuid);
	g_ptr_array_add(s->values, g_bytes_new(data, len));
}

LactdEmu *
lactd_test_emu_collecting(const char *scenario, const char *uuid, LactdTestSent *sent)
{
	LactdEmu *emu = lactd_test_emu_new(scenario);

	sent->uuid = uuid;
	sent->values = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	emu->notify = lactd_test_collect;
	emu->user_data = sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_set_subscribed(emu, uuid, TRUE);
	return emu;
}

GPtrArray *
lactd_test_emu_stream(LactdEmu *emu, const char *uuid, gint64 subscribe_ms, gint64 until_ms)
{
	LactdTestSent sent = {uuid, g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref)};

	emu->notify = lactd_test_collect;
	emu->user_data = &sent;
	lactd_emu_set_link(emu, TRUE);
	lactd_emu_advance_to(emu, subscribe_ms);
	g_assert_cmpuint(sent.values->len, ==, 0);
	lactd_emu_set_subscribed(emu, uuid, TRUE);
	lactd_emu_advance_to(emu, until_ms);
	emu->notify = NULL;
	emu->user_data = NULL;
	return sent.values;
}

GArray *
lactd_test_parse_all(LactdTestParseFunc parse, void *state, const char *uuid, GPtrArray *values)
{
	GArray *readings = g_array_new(FALSE, TRUE, sizeof(LactdReading));

	for (guint i = 0; i < values->len; i++) {
		gsize len;
		const guint8 *d = g_bytes_get_data(g_ptr_array_index(values, i), &len);
		LactdReading r[LACTD_READINGS_MAX];
		const char *reason = NULL;
		int n = parse(state, uuid, d, len, r, G_N_ELEMENTS(r), &reason);

		if (n < 0)
			g_error("notification %u refused: %s", i, reason);
		g_array_append_vals(readings, r, (guint)n);
	}
	return readings;
}

void
lactd_test_assert_settled(GArray *readings, const double *want, gsize n_want)
{
	gboolean was_stable = FALSE;
	double last = 0;
	gsize settled = 0;

	for (guint i = 0; i < readings->len; i++) {
		const LactdReading *r = &g_array_index(readings, LactdReading, i);

		if (r->type != LACTD_READING_WEIGHT)
			continue;
		if (r->weight.stable && (!was_stable || r->weight.grams != last)) {
			g_assert_cmpuint(settled, <, n_want);
			g_assert_cmpfloat_with_epsilon(r->weight.grams, want[settled], 1e-9);
			settled++;
		}
		was_stable = r->weight.stable;
		last = r->weight.grams;
	}
	g_assert_cmpuint(settled, ==, n_want);
}

guint
lactd_test_count_weights(GArray *readings, double grams, double tolerance)
{
	guint n = 0;

	for (guint i = 0; i < readings->len; i++) {
		const LactdReading *r = &g_array_index(readings, LactdReading, i);

		n += r->type == LACTD_READING_WEIGHT && fabs(r->weight.grams - grams) <= tolerance;
	}
	return n;
}

gboolean
lactd_test_emu_takes(LactdEmu *emu, const char *uuid, const char *hex)
{
	g_autoptr(GError) error = NULL;
	guint8 buf[256];
	gsize len = lactd_test_unhex(hex, buf, sizeof(buf));
	gboolean ok = emu->klass->write(emu, uuid, buf, len, &error);

	g_assert_true(ok == (error == NULL));
	return ok;
}

LactdTestHost *
lactd_test_host_with_emu(const char *address, const LactdPluginDesc *desc, const char *scenario)
{
	LactdTestHost *th = lactd_test_host_new(address, desc);

	th->emu = lactd_test_emu_new(scenario);
	th->emu->notify = lactd_test_host_notify;
	th->owns_emu = TRUE;
	lactd_emu_set_link(th->emu, TRUE);
	return th;
}
