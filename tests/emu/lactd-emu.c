/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <gio/gio.h>
#include <math.h>

#include "lactd-emu.h"

const LactdEmuClass *
lactd_emu_class_find(const char *name)
{
	for (guint i = 0; lactd_emu_classes[i] != NULL; i++) {
		if (g_strcmp0(lactd_emu_classes[i]->name, name) == 0)
			return lactd_emu_classes[i];
	}
	return NULL;
}

/**
 * lactd_emu_new:
 * Creates the emulator named by the group's `emulator` key and lets it read
 * the rest of its scenario from the same group.
 */
LactdEmu *
lactd_emu_new(GKeyFile *kf, const char *group, GError **error)
{
	g_autofree char *name = g_key_file_get_string(kf, group, "emulator", error);
	const LactdEmuClass *klass;
	g_autoptr(LactdEmu) emu = NULL;

	if (name == NULL)
		return NULL;
	klass = lactd_emu_class_find(name);
	if (klass == NULL) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
			    "[%s]: no emulator named '%s'", group, name);
		return NULL;
	}
	emu = g_new0(LactdEmu, 1);
	emu->klass = klass;
	emu->epoch_us = g_get_real_time();
	emu->priv = g_malloc0(MAX(klass->priv_size, 1));
	emu->subscribed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	if (klass->init != NULL && !klass->init(emu, kf, group, error))
		return NULL;
	return g_steal_pointer(&emu);
}

void
lactd_emu_free(LactdEmu *emu)
{
	if (emu == NULL)
		return;
	if (emu->klass->finalize != NULL)
		emu->klass->finalize(emu);
	g_hash_table_unref(emu->subscribed);
	g_free(emu->priv);
	g_free(emu);
}

void
lactd_emu_advance_to(LactdEmu *emu, gint64 sim_ms)
{
	if (sim_ms < emu->sim_ms)
		return;
	emu->sim_ms = sim_ms;
	if (emu->klass->advance != NULL)
		emu->klass->advance(emu);
}

gboolean
lactd_emu_is_subscribed(LactdEmu *emu, const char *char_uuid)
{
	return emu->connected && g_hash_table_contains(emu->subscribed, char_uuid);
}

/**
 * lactd_emu_send:
 * Sends a notification if the central is connected and subscribed; a real
 * device drops it otherwise, and so does the emulator.
 */
void
lactd_emu_send(LactdEmu *emu, const char *char_uuid, const guint8 *data, gsize len)
{
	if (!lactd_emu_is_subscribed(emu, char_uuid) || emu->notify == NULL)
		return;
	emu->notify(emu, char_uuid, data, len, emu->user_data);
}

/* Called by the transport when the central enables or disables notifications. */
void
lactd_emu_set_subscribed(LactdEmu *emu, const char *char_uuid, gboolean on)
{
	if (on)
		g_hash_table_add(emu->subscribed, g_strdup(char_uuid));
	else
		g_hash_table_remove(emu->subscribed, char_uuid);
	if (emu->klass->subscribed != NULL)
		emu->klass->subscribed(emu, char_uuid, on);
}

/* Called by the transport when the link comes up or goes down; a lost link
 * loses every subscription, as on a real device. */
void
lactd_emu_set_link(LactdEmu *emu, gboolean up)
{
	if (emu->connected == up)
		return;
	emu->connected = up;
	if (!up)
		g_hash_table_remove_all(emu->subscribed);
	if (emu->klass->link != NULL)
		emu->klass->link(emu, up);
}

const LactdEmuService *
lactd_emu_services(LactdEmu *emu)
{
	static const LactdEmuService none[] = {{NULL, NULL}};

	if (emu->klass->get_services != NULL)
		return emu->klass->get_services(emu);
	return emu->klass->services != NULL ? emu->klass->services : none;
}

static char *scenario_dir;

void
lactd_emu_set_scenario_dir(const char *dir)
{
	g_free(scenario_dir);
	scenario_dir = g_strdup(dir);
}

const char *
lactd_emu_scenario_dir(void)
{
	return scenario_dir;
}

static int
cmp_weighing(gconstpointer a, gconstpointer b)
{
	const LactdEmuWeighing *x = a, *y = b;

	return x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
}

gboolean
lactd_emu_parse_weighings(const char *text, const char *group, double max_grams, GArray *out,
			  GError **error)
{
	g_auto(GStrv) parts = g_strsplit(text, ";", -1);

	for (guint i = 0; parts[i] != NULL; i++) {
		g_auto(GStrv) f = g_strsplit(g_strstrip(parts[i]), ":", -1);
		LactdEmuWeighing w;
		char *end_at = NULL, *end_g = NULL;
		double at;

		if (f[0] == NULL || f[0][0] == '\0')
			continue;
		if (g_strv_length(f) != 2)
			goto bad;
		at = g_ascii_strtod(f[0], &end_at);
		w.grams = g_ascii_strtod(f[1], &end_g);
		if (*end_at != '\0' || *end_g != '\0' || end_at == f[0] || end_g == f[1] ||
		    !(at >= 0 && at <= 7 * 86400) || !(w.grams >= 0 && w.grams <= max_grams))
			goto bad;
		w.at_ms = (gint64)llround(at * 1000);
		g_array_append_val(out, w);
		continue;
	bad:
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] weighings: '%s' is not at_s:grams (0 to %.0f g)", group, parts[i],
			    max_grams);
		return FALSE;
	}
	g_array_sort(out, cmp_weighing);
	return TRUE;
}
