/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "config.h"

#include <string.h>

#include "lactd-test-host.h"

/* The plugin ABI passes no host data to the host functions: a test passes
 * NULL as the device, so they find their host here. */
static LactdTestHost *current;

static const char *
h_address(LactdDevice *dev)
{
	return current->address;
}

static void *
h_state(LactdDevice *dev)
{
	return current->state;
}

/* With an emulator, only a characteristic that notifies or indicates can
 * be subscribed to, as BlueZ refuses StartNotify on any other. */
static int
h_subscribe(LactdDevice *dev, const char *uuid)
{
	if (current->emu != NULL) {
		gboolean found = FALSE;

		for (const LactdEmuService *s = lactd_emu_services(current->emu);
		     s->uuid != NULL && !found; s++) {
			for (const LactdEmuChar *c = s->chars; c->uuid != NULL; c++) {
				if (g_str_equal(c->uuid, uuid) &&
				    (strstr(c->flags, "notify") != NULL ||
				     strstr(c->flags, "indicate") != NULL)) {
					found = TRUE;
					break;
				}
			}
		}
		if (!found)
			return -1;
	}
	g_ptr_array_add(current->log, g_strdup_printf("subscribe %s", uuid));
	if (current->emu != NULL)
		lactd_emu_set_subscribed(current->emu, uuid, TRUE);
	return 0;
}

/* The emulators answer no reads through this host: with one, a read fails. */
static int
h_read(LactdDevice *dev, const char *uuid)
{
	if (current->emu != NULL)
		return -1;
	g_ptr_array_add(current->log, g_strdup_printf("read %s", uuid));
	return 0;
}

static int
h_write(LactdDevice *dev, const char *uuid, const uint8_t *data, size_t len, bool resp)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GString) s = g_string_new(NULL);

	for (gsize i = 0; i < len; i++)
		g_string_append_printf(s, "%02x", data[i]);
	g_ptr_array_add(current->log, g_strdup_printf("write %s %s", uuid, s->str));
	if (resp)
		current->writes_with_response++;
	if (current->emu == NULL)
		return 0;
	if (current->drop_writes > 0) {
		current->drop_writes--;
		return 0;
	}
	return current->emu->klass->write(current->emu, uuid, data, len, &error) ? 0 : -1;
}

static int
h_emit(LactdDevice *dev, const LactdReading *r)
{
	if (current->fail_emit)
		return -1;
	g_array_append_val(current->emitted, *r);
	return 0;
}

static void
h_reject(LactdDevice *dev, const char *reason)
{
	g_ptr_array_add(current->log, g_strdup_printf("reject %s", reason));
}

static uint32_t
h_timer_start(LactdDevice *dev, uint32_t ms)
{
	g_ptr_array_add(current->log, g_strdup_printf("timer %u", ms));
	current->timers++;
	return current->timer_id;
}

static void
h_timer_stop(LactdDevice *dev, uint32_t id)
{
	g_assert_cmpuint(id, ==, current->timer_id);
	g_assert_cmpuint(current->timers, >, 0);
	g_ptr_array_add(current->log, g_strdup_printf("timer-stop %u", id));
	current->timers--;
}

static uint32_t
h_last(LactdDevice *dev)
{
	return 0;
}

static int64_t
h_now(LactdDevice *dev)
{
	return (int64_t)1767100000 * G_USEC_PER_SEC;
}

static void
h_log(LactdDevice *dev, LactdLogLevel level, const char *msg)
{
	g_ptr_array_add(current->log, g_strdup_printf("log %s", msg));
}

const LactdHost lactd_test_host = {
    .abi_version = LACTD_PLUGIN_ABI_VERSION,
    .address = h_address,
    .state = h_state,
    .subscribe = h_subscribe,
    .read = h_read,
    .write = h_write,
    .emit = h_emit,
    .reject = h_reject,
    .timer_start = h_timer_start,
    .timer_stop = h_timer_stop,
    .last_record = h_last,
    .now_us = h_now,
    .log = h_log,
};

LactdTestHost *
lactd_test_host_new(const char *address, const LactdPluginDesc *desc)
{
	LactdTestHost *th = g_new0(LactdTestHost, 1);

	g_assert_null(current);
	g_assert_cmpuint(desc->state_size, <=, sizeof(th->state));
	th->address = address;
	th->desc = desc;
	th->log = g_ptr_array_new_with_free_func(g_free);
	th->emitted = g_array_new(FALSE, FALSE, sizeof(LactdReading));
	th->timer_id = 1;
	current = th;
	return th;
}

void
lactd_test_host_free(LactdTestHost *th)
{
	if (th == NULL)
		return;
	g_ptr_array_unref(th->log);
	g_array_unref(th->emitted);
	if (th->owns_emu)
		g_clear_pointer(&th->emu, lactd_emu_free);
	if (current == th)
		current = NULL;
	g_free(th);
}

void
lactd_test_host_reset(LactdTestHost *th)
{
	memset(th->state, 0, sizeof(th->state));
	g_ptr_array_set_size(th->log, 0);
	g_array_set_size(th->emitted, 0);
	th->fail_emit = FALSE;
	th->drop_writes = 0;
	th->timers = 0;
	th->writes_with_response = 0;
}

void
lactd_test_host_notify(LactdEmu *emu, const char *uuid, const guint8 *data, gsize len,
		       gpointer user_data)
{
	LactdReading out[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n;

	if (current->desc->value != NULL) {
		current->desc->value(NULL, &lactd_test_host, uuid, data, len, LACTD_VALUE_NOTIFY);
		return;
	}
	/* No value callback: the host parses and emits, as lactd does. */
	memset(out, 0, sizeof(out));
	n = current->desc->parse(current->state, uuid, data, len, out, G_N_ELEMENTS(out), &reason);
	if (n < 0) {
		h_reject(NULL, reason);
		return;
	}
	for (int i = 0; i < MIN(n, LACTD_READINGS_MAX); i++)
		h_emit(NULL, &out[i]);
}

guint
lactd_test_host_count(const LactdTestHost *th, const char *prefix)
{
	guint n = 0;

	for (guint i = 0; i < th->log->len; i++)
		n += g_str_has_prefix(g_ptr_array_index(th->log, i), prefix);
	return n;
}
