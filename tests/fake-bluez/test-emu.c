/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A tiny emulated device for the fake BlueZ's own tests: one service with a
 * counter that notifies its value every interval of scenario time, an echo
 * characteristic that notifies back whatever is written to it, and a
 * read-only characteristic.
 *
 * Scenario keys: name=, interval_ms= (default 1000), count= (the scenario is
 * finished after that many counter notifications; 0, the default, never),
 * advertise= (manufacturer data bytes as hex, sent once at scenario start,
 * under company id 0xffff, the id the SIG reserves for tests), indicate=
 * (true: the counter indicates instead of notifying, flags "read,indicate").
 * The counter is a little-endian uint32 starting at 1. Reading it returns
 * the last value sent (0 before any). Writes to the echo characteristic
 * longer than 20 bytes are refused as a device refuses an invalid length.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactd-emu.h"
#include "test-emu.h"

typedef struct {
	gint64 interval_ms;
	guint32 count;	   /* notifications that finish the scenario, 0: never */
	guint32 counter;   /* last value sent */
	gint64 next_ms;	   /* scenario time of the next tick */
	GBytes *advert;	   /* manufacturer data, or NULL */
	gboolean advertised;
	gboolean indicate; /* the counter indicates */
} Counter;

static const LactdEmuChar counter_chars[] = {
    {TEST_EMU_COUNTER, "read,notify"},
    {TEST_EMU_ECHO, "write-without-response,write,notify"},
    {TEST_EMU_LABEL, "read"},
    {NULL, NULL},
};

static const LactdEmuService counter_services[] = {
    {TEST_EMU_SERVICE, counter_chars},
    {NULL, NULL},
};

static const LactdEmuChar indicating_chars[] = {
    {TEST_EMU_COUNTER, "read,indicate"},
    {TEST_EMU_ECHO, "write-without-response,write,notify"},
    {TEST_EMU_LABEL, "read"},
    {NULL, NULL},
};

static const LactdEmuService indicating_services[] = {
    {TEST_EMU_SERVICE, indicating_chars},
    {NULL, NULL},
};

static const char *const known_keys[] = {"emulator",  "name",	"interval_ms", "count",
					 "advertise", "indicate", NULL};

static gboolean
counter_init(LactdEmu *emu, GKeyFile *kf, const char *group, GError **error)
{
	Counter *c = emu->priv;
	g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
	g_autofree char *hex = g_key_file_get_string(kf, group, "advertise", NULL);

	for (guint i = 0; keys != NULL && keys[i] != NULL; i++) {
		if (!g_strv_contains(known_keys, keys[i])) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] %s: not a key of the counter emulator", group, keys[i]);
			return FALSE;
		}
	}
	c->interval_ms = 1000;
	if (g_key_file_has_key(kf, group, "interval_ms", NULL))
		c->interval_ms = g_key_file_get_int64(kf, group, "interval_ms", NULL);
	if (c->interval_ms <= 0 || c->interval_ms > 3600000) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
			    "[%s] interval_ms: 1 to 3600000", group);
		return FALSE;
	}
	c->count = (guint32)CLAMP(g_key_file_get_int64(kf, group, "count", NULL), 0, G_MAXUINT32);
	if (g_key_file_has_key(kf, group, "indicate", NULL)) {
		g_autoptr(GError) bad = NULL;

		c->indicate = g_key_file_get_boolean(kf, group, "indicate", &bad);
		if (bad != NULL) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] indicate: true or false", group);
			return FALSE;
		}
	}
	c->next_ms = c->interval_ms;
	if (hex != NULL) {
		gsize n = strlen(hex);
		g_autofree guint8 *data = g_malloc0(n / 2 + 1);
		if (n % 2 != 0 || n > 62) {
			g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
				    "[%s] advertise: an even number of hex digits, at most 62", group);
			return FALSE;
		}
		for (gsize i = 0; i < n / 2; i++) {
			int hi = g_ascii_xdigit_value(hex[2 * i]);
			int lo = g_ascii_xdigit_value(hex[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
					    "[%s] advertise: not hex", group);
				return FALSE;
			}
			data[i] = (guint8)(hi << 4 | lo);
		}
		c->advert = g_bytes_new(data, n / 2);
	}
	return TRUE;
}

static void
counter_advance(LactdEmu *emu)
{
	Counter *c = emu->priv;

	if (c->advert != NULL && !c->advertised && emu->advertise != NULL) {
		c->advertised = TRUE;
		emu->advertise(emu, 0xffff, NULL, g_bytes_get_data(c->advert, NULL),
			       g_bytes_get_size(c->advert), emu->user_data);
	}
	/* Ticks are due whether or not anyone listens, like a real sensor;
	 * only subscribed ones reach the central. */
	while (emu->sim_ms >= c->next_ms) {
		guint32 le;

		c->next_ms += c->interval_ms;
		if (!lactd_emu_is_subscribed(emu, TEST_EMU_COUNTER))
			continue;

		c->counter++;
		le = GUINT32_TO_LE(c->counter);
		lactd_emu_send(emu, TEST_EMU_COUNTER, (const guint8 *)&le, sizeof(le));
	}
}

static GBytes *
counter_read(LactdEmu *emu, const char *uuid, GError **error)
{
	Counter *c = emu->priv;
	guint32 le = GUINT32_TO_LE(c->counter);

	if (g_str_equal(uuid, TEST_EMU_COUNTER))
		return g_bytes_new(&le, sizeof(le));
	if (g_str_equal(uuid, TEST_EMU_LABEL))
		return g_bytes_new_static("counter", 7);
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s is not readable", uuid);
	return NULL;
}

static gboolean
counter_write(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len, GError **error)
{
	if (!g_str_equal(uuid, TEST_EMU_ECHO)) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "%s is not writable",
			    uuid);
		return FALSE;
	}
	if (len > 20) {
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "%zu bytes: at most 20",
			    len);
		return FALSE;
	}
	lactd_emu_send(emu, TEST_EMU_ECHO, data, len);
	return TRUE;
}

static gboolean
counter_finished(LactdEmu *emu)
{
	Counter *c = emu->priv;

	return c->count > 0 && c->counter >= c->count;
}

static const LactdEmuService *
counter_get_services(LactdEmu *emu)
{
	Counter *c = emu->priv;

	return c->indicate ? indicating_services : counter_services;
}

static void
counter_finalize(LactdEmu *emu)
{
	Counter *c = emu->priv;

	g_clear_pointer(&c->advert, g_bytes_unref);
}

const LactdEmuClass lactd_emu_counter = {
    .name = "counter",
    .default_name = "Counter",
    .services = counter_services,
    .get_services = counter_get_services,
    .priv_size = sizeof(Counter),
    .init = counter_init,
    .advance = counter_advance,
    .read = counter_read,
    .write = counter_write,
    .finished = counter_finished,
    .finalize = counter_finalize,
};
