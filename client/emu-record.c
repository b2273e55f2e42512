/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * emu-record: records a device emulator (tests/emu) driven through a
 * scenario into a capture file, as `lactctl capture start` would record the
 * real device: subscribe to every notify/indicate characteristic (the CCCD
 * writes are recorded), read every readable one once, then take what the
 * device sends until its scenario is over. Deterministic, so a recording
 * made this way can be committed and made again.
 *
 * Usage: emu-record SCENARIO GROUP OUTPUT [--address ADDR] [--epoch UNIX_S]
 *        [--until SECONDS] [--mark SECONDS:TEXT]... [--write SECONDS:UUID:HEX]...
 *
 * It makes plugins/opp/recordings/ and the worked example of
 * docs/new-device.md.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-capfile.h"
#include "lactd-emu.h"

#define STEP_MS 250
#define CCC_UUID "00002902-0000-1000-8000-00805f9b34fb"

typedef struct {
	LactdCapFile *cap;
	LactdEmu *emu;
	gint64 epoch_us;
	GHashTable *handles; /* char UUID -> value handle */
	GHashTable *indicate; /* char UUIDs that indicate rather than notify */
} Recorder;

static gint64
now_us(Recorder *r)
{
	return r->epoch_us + r->emu->sim_ms * 1000;
}

static void
on_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, gpointer user_data)
{
	Recorder *r = user_data;
	guint16 handle = (guint16)GPOINTER_TO_UINT(g_hash_table_lookup(r->handles, uuid));

	(void)emu;
	lactd_capfile_add_event(r->cap, now_us(r),
				g_hash_table_contains(r->indicate, uuid) ? LACTD_CAP_INDICATE
									 : LACTD_CAP_NOTIFY,
				uuid, handle, data, len, NULL);
}

static gboolean
has_flag(const char *flags, const char *flag)
{
	g_auto(GStrv) v = g_strsplit(flags, ",", -1);

	return g_strv_contains((const char *const *)v, flag);
}

typedef struct {
	gint64 at_ms;
	char *uuid; /* NULL: a mark */
	GBytes *value;
	char *text;
} Action;

static void
action_clear(gpointer p)
{
	Action *a = p;

	g_free(a->uuid);
	g_clear_pointer(&a->value, g_bytes_unref);
	g_free(a->text);
}

static gboolean
parse_seconds(const char *s, gint64 *ms)
{
	double v;
	char *end = NULL;

	v = g_ascii_strtod(s, &end);
	if (end == s || *end != '\0' || v < 0 || v > 7 * 86400)
		return FALSE;
	*ms = (gint64)(v * 1000 + 0.5);
	return TRUE;
}

static gint
action_cmp(gconstpointer a, gconstpointer b)
{
	const Action *x = a, *y = b;

	return x->at_ms < y->at_ms ? -1 : x->at_ms > y->at_ms;
}

int
main(int argc, char **argv)
{
	g_autofree char *address = NULL;
	g_auto(GStrv) marks = NULL;
	g_auto(GStrv) writes = NULL;
	g_auto(GStrv) args = NULL;
	gint64 epoch_s = 1772434800; /* 2026-03-02 07:00 UTC */
	double until_s = 4 * 3600;
	const GOptionEntry entries[] = {
		{ "address", 0, 0, G_OPTION_ARG_STRING, &address, "Device address", "ADDR" },
		{ "epoch", 0, 0, G_OPTION_ARG_INT64, &epoch_s, "UTC seconds at scenario time 0",
		  "S" },
		{ "until", 0, 0, G_OPTION_ARG_DOUBLE, &until_s, "Stop after this scenario time",
		  "SECONDS" },
		{ "mark", 0, 0, G_OPTION_ARG_STRING_ARRAY, &marks, "A mark", "SECONDS:TEXT" },
		{ "write", 0, 0, G_OPTION_ARG_STRING_ARRAY, &writes, "A write to the device",
		  "SECONDS:UUID:HEX" },
		{ G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &args, NULL, NULL },
		{ 0 },
	};
	g_autoptr(GOptionContext) ctx = g_option_context_new("SCENARIO GROUP OUTPUT");
	g_autoptr(GError) error = NULL;
	g_autoptr(GKeyFile) kf = g_key_file_new();
	g_autoptr(LactdEmu) emu = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autoptr(GHashTable) handles = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GHashTable) indicate = g_hash_table_new(g_str_hash, g_str_equal);
	g_autoptr(GArray) actions = g_array_new(FALSE, TRUE, sizeof(Action));
	g_autofree char *name = NULL;
	const LactdEmuService *svc;
	Recorder r = { 0 };
	guint16 next = 0x0010;
	guint ai = 0;

	g_array_set_clear_func(actions, action_clear);
	g_option_context_add_main_entries(ctx, entries, NULL);
	if (!g_option_context_parse(ctx, &argc, &argv, &error)) {
		g_printerr("emu-record: %s\n", error->message);
		return 2;
	}
	if (args == NULL || g_strv_length(args) != 3) {
		g_printerr("emu-record: give SCENARIO GROUP OUTPUT\n");
		return 2;
	}
	for (guint i = 0; marks && marks[i]; i++) {
		g_auto(GStrv) p = g_strsplit(marks[i], ":", 2);
		Action a = { 0 };

		if (g_strv_length(p) != 2 || !parse_seconds(p[0], &a.at_ms)) {
			g_printerr("emu-record: bad --mark %s\n", marks[i]);
			return 2;
		}
		a.text = g_strdup(p[1]);
		g_array_append_val(actions, a);
	}
	for (guint i = 0; writes && writes[i]; i++) {
		g_auto(GStrv) p = g_strsplit(writes[i], ":", 3);
		g_autoptr(GByteArray) b = g_byte_array_new();
		Action a = { 0 };
		gsize n = p[0] && p[1] && p[2] ? strlen(p[2]) : 1;

		if (g_strv_length(p) != 3 || !parse_seconds(p[0], &a.at_ms) || n % 2 != 0 ||
		    (a.uuid = lactd_capfile_normalise_uuid(p[1])) == NULL) {
			g_printerr("emu-record: bad --write %s\n", writes[i]);
			g_free(a.uuid);
			return 2;
		}
		for (gsize k = 0; k < n; k += 2) {
			int hi = g_ascii_xdigit_value(p[2][k]), lo = g_ascii_xdigit_value(p[2][k + 1]);
			guint8 byte = (guint8)(hi * 16 + lo);

			if (hi < 0 || lo < 0) {
				g_printerr("emu-record: bad --write %s\n", writes[i]);
				g_free(a.uuid);
				return 2;
			}
			g_byte_array_append(b, &byte, 1);
		}
		a.value = g_byte_array_free_to_bytes(g_steal_pointer(&b));
		g_array_append_val(actions, a);
	}
	g_array_sort(actions, action_cmp);

	if (!g_key_file_load_from_file(kf, args[0], G_KEY_FILE_NONE, &error) ||
	    (emu = lactd_emu_new(kf, args[1], &error)) == NULL) {
		g_printerr("emu-record: %s: %s\n", args[0], error->message);
		return 2;
	}
	name = g_key_file_get_string(kf, args[1], "name", NULL);
	r.cap = cap;
	r.emu = emu;
	r.epoch_us = epoch_s * G_USEC_PER_SEC;
	r.handles = handles;
	r.indicate = indicate;
	emu->epoch_us = r.epoch_us;
	emu->notify = on_notify;
	emu->user_data = &r;
	g_free(cap->address);
	cap->address = g_strdup(address ? address : "C0:FF:EE:00:00:01");
	g_free(cap->name);
	cap->name = g_strdup(name ? name : emu->klass->default_name);
	g_free(cap->source);
	cap->source = g_strdup_printf("emu-record %s", emu->klass->name);
	cap->start_us = r.epoch_us;

	/* Handles as a GATT server lays them out: the service declaration,
	 * then each characteristic's declaration, value and CCCD. */
	svc = lactd_emu_services(emu);
	for (guint s = 0; svc[s].uuid != NULL; s++) {
		next++;
		for (guint c = 0; svc[s].chars[c].uuid != NULL; c++) {
			const LactdEmuChar *ch = &svc[s].chars[c];
			guint16 value = (guint16)(next + 1);

			lactd_capfile_add_char(cap, ch->uuid, ch->flags, value, svc[s].uuid);
			g_hash_table_insert(handles, (gpointer)ch->uuid, GUINT_TO_POINTER(value));
			if (has_flag(ch->flags, "indicate") && !has_flag(ch->flags, "notify"))
				g_hash_table_add(indicate, (gpointer)ch->uuid);
			next = (guint16)(value + (has_flag(ch->flags, "notify") ||
							  has_flag(ch->flags, "indicate")
						  ? 1
						  : 0));
			next++;
		}
	}

	/* Connect, subscribe, read: what lactd does when it records. */
	lactd_emu_set_link(emu, TRUE);
	for (guint s = 0; svc[s].uuid != NULL; s++) {
		for (guint c = 0; svc[s].chars[c].uuid != NULL; c++) {
			const LactdEmuChar *ch = &svc[s].chars[c];
			guint16 h = (guint16)GPOINTER_TO_UINT(g_hash_table_lookup(handles, ch->uuid));
			gboolean ind = g_hash_table_contains(indicate, ch->uuid);

			if (!has_flag(ch->flags, "notify") && !has_flag(ch->flags, "indicate"))
				continue;
			lactd_capfile_add_event(cap, now_us(&r), LACTD_CAP_WRITE, CCC_UUID,
						(guint16)(h + 1),
						(const guint8 *)(ind ? "\x02\x00" : "\x01\x00"), 2,
						NULL);
			lactd_emu_set_subscribed(emu, ch->uuid, TRUE);
		}
	}
	for (guint s = 0; svc[s].uuid != NULL; s++) {
		for (guint c = 0; svc[s].chars[c].uuid != NULL; c++) {
			const LactdEmuChar *ch = &svc[s].chars[c];
			g_autoptr(GBytes) v = NULL;
			g_autoptr(GError) local = NULL;
			gsize len = 0;
			const guint8 *d;

			if (!has_flag(ch->flags, "read") || emu->klass->read == NULL)
				continue;
			v = emu->klass->read(emu, ch->uuid, &local);
			if (v == NULL)
				continue; /* refused reads are not values */
			d = g_bytes_get_data(v, &len);
			lactd_capfile_add_event(
				cap, now_us(&r), LACTD_CAP_READ, ch->uuid,
				(guint16)GPOINTER_TO_UINT(g_hash_table_lookup(handles, ch->uuid)), d,
				len, NULL);
		}
	}

	for (gint64 t = 0; t <= (gint64)(until_s * 1000); t += STEP_MS) {
		lactd_emu_advance_to(emu, t);
		for (; ai < actions->len && g_array_index(actions, Action, ai).at_ms <= t; ai++) {
			Action *a = &g_array_index(actions, Action, ai);

			if (a->uuid == NULL) {
				lactd_capfile_add_event(cap, now_us(&r), LACTD_CAP_MARK, NULL, 0,
							NULL, 0, a->text);
				continue;
			}
			lactd_capfile_add_event(
				cap, now_us(&r), LACTD_CAP_WRITE, a->uuid,
				(guint16)GPOINTER_TO_UINT(g_hash_table_lookup(handles, a->uuid)),
				g_bytes_get_data(a->value, NULL), g_bytes_get_size(a->value), NULL);
			if (emu->klass->write &&
			    !emu->klass->write(emu, a->uuid, g_bytes_get_data(a->value, NULL),
					       g_bytes_get_size(a->value), &error)) {
				g_printerr("emu-record: write refused: %s\n", error->message);
				return 1;
			}
		}
		if (ai >= actions->len && emu->klass->finished && emu->klass->finished(emu))
			break;
	}
	cap->end_us = MAX(cap->end_us, now_us(&r));
	if (!lactd_capfile_save(cap, args[2], &error)) {
		g_printerr("emu-record: %s\n", error->message);
		return 1;
	}
	return 0;
}
