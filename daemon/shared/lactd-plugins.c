/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The plugin host. Loading follows BlueZ src/plugin.c and ModemManager's
 * load_plugin(): the ABI version symbol is checked before anything else is
 * touched, and a plugin that does not fit is skipped with one log line.
 */
#include "config.h"

#include <gmodule.h>
#include <math.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-plugins.h"

/* Rejected packets logged per device and per window; the counter is exact. */
#define REJECT_LOG_BURST 10
#define REJECT_LOG_WINDOW_US (60 * G_TIME_SPAN_SECOND)

typedef struct {
	GModule *module;
	const LactdPluginDesc *desc;
	char *file;
} Plugin;

struct _LactdPluginHost {
	GPtrArray *plugins; /* Plugin, highest priority first */
	GPtrArray *descs;   /* NULL-terminated view of the same */
};

typedef struct {
	char *char_uuid;
	GBytes *data;
	gboolean with_response;
} Write;

typedef struct {
	LactdDevice *dev;
	guint32 id;
	guint source;
} Timer;

struct LactdDevice {
	const LactdPluginDesc *desc;
	char *address;
	const LactdPluginDeviceOps *ops;
	gpointer user_data;
	gboolean attached;
	void *state;
	GQueue writes; /* Write; the head is in flight when write_busy */
	gboolean write_busy;
	GHashTable *timers; /* id -> Timer */
	guint32 next_timer_id;
	gint64 reject_window_start;
	guint reject_logged;
	guint reject_suppressed;
};

static void
plugin_free(Plugin *p)
{
	/* The descriptor lives in the module: unloading comes last. */
	if (p->module != NULL)
		g_module_close(p->module);
	g_free(p->file);
	g_free(p);
}

static gboolean
desc_valid(const LactdPluginDesc *d, const char **why)
{
	if (d->abi_version != LACTD_PLUGIN_ABI_VERSION) {
		*why = "descriptor ABI version differs from lactd_plugin_abi";
		return FALSE;
	}
	if (d->name == NULL || d->name[0] == '\0') {
		*why = "no name";
		return FALSE;
	}
	if (d->kind != LACTD_KIND_PUMP && d->kind != LACTD_KIND_SCALE) {
		*why = "unknown device kind";
		return FALSE;
	}
	/* A device found by its services has to be told what to subscribe;
	 * detach is optional (a plugin without state has nothing to undo). */
	if (d->service_uuids != NULL && d->service_uuids[0] != NULL && d->attach == NULL) {
		*why = "matches GATT services but has no attach callback";
		return FALSE;
	}
	if (d->value == NULL && d->parse == NULL) {
		*why = "neither a value callback nor a parser";
		return FALSE;
	}
	if (d->service_uuids == NULL && d->adv_matches == NULL) {
		*why = "matches no device";
		return FALSE;
	}
	if (!isfinite(d->weight_resolution_g) || d->weight_resolution_g < 0) {
		*why = "weight_resolution_g is not a finite number of grams";
		return FALSE;
	}
	return TRUE;
}

static void
load_one(LactdPluginHost *host, const char *path)
{
	g_autofree char *base = g_path_get_basename(path);
	GModule *module = g_module_open(path, G_MODULE_BIND_LOCAL | G_MODULE_BIND_LAZY);
	gpointer abi_sym = NULL, desc_sym = NULL;
	const LactdPluginDesc *desc;
	const char *why = NULL;
	Plugin *p;

	if (module == NULL) {
		g_message("skipped plugin %s: %s", base, g_module_error());
		return;
	}
	if (!g_module_symbol(module, "lactd_plugin_abi", &abi_sym) || abi_sym == NULL) {
		g_message("skipped plugin %s: no lactd_plugin_abi symbol", base);
		g_module_close(module);
		return;
	}
	if (*(const guint32 *)abi_sym != LACTD_PLUGIN_ABI_VERSION) {
		g_message("skipped plugin %s: ABI version %u, this lactd speaks %u", base,
			  *(const guint32 *)abi_sym, LACTD_PLUGIN_ABI_VERSION);
		g_module_close(module);
		return;
	}
	if (!g_module_symbol(module, "lactd_plugin_desc", &desc_sym) || desc_sym == NULL ||
	    *(const LactdPluginDesc *const *)desc_sym == NULL) {
		g_message("skipped plugin %s: no lactd_plugin_desc symbol", base);
		g_module_close(module);
		return;
	}
	desc = *(const LactdPluginDesc *const *)desc_sym;
	if (!desc_valid(desc, &why)) {
		g_message("skipped plugin %s: %s", base, why);
		g_module_close(module);
		return;
	}
	for (guint i = 0; i < host->plugins->len; i++) {
		Plugin *other = g_ptr_array_index(host->plugins, i);
		if (g_strcmp0(other->desc->name, desc->name) == 0) {
			g_message("skipped plugin %s: plugin \"%s\" already loaded from %s", base,
				  desc->name, other->file);
			g_module_close(module);
			return;
		}
	}
	p = g_new0(Plugin, 1);
	p->module = module;
	p->desc = desc;
	p->file = g_steal_pointer(&base);
	g_ptr_array_add(host->plugins, p);
	g_debug("loaded plugin %s (%s, priority %d) from %s", desc->name,
		desc->kind == LACTD_KIND_PUMP ? "pump" : "scale", desc->priority, path);
}

static gint
compare_files(gconstpointer a, gconstpointer b)
{
	return g_strcmp0(*(const char *const *)a, *(const char *const *)b);
}

static gboolean
load_dir(LactdPluginHost *host, const char *dir, GError **error)
{
	g_autoptr(GDir) d = g_dir_open(dir, 0, error);
	g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func(g_free);
	const char *name;

	if (d == NULL) {
		g_prefix_error(error, "plugin directory: ");
		return FALSE;
	}
	while ((name = g_dir_read_name(d)) != NULL) {
		if (g_str_has_suffix(name, ".so"))
			g_ptr_array_add(files, g_build_filename(dir, name, NULL));
	}
	/* Name order, so that equal priorities resolve the same way each start. */
	g_ptr_array_sort(files, compare_files);
	for (guint i = 0; i < files->len; i++)
		load_one(host, g_ptr_array_index(files, i));
	return TRUE;
}

static gint
compare_priority(gconstpointer a, gconstpointer b)
{
	const Plugin *pa = *(const Plugin *const *)a;
	const Plugin *pb = *(const Plugin *const *)b;

	if (pa->desc->priority != pb->desc->priority)
		return pa->desc->priority > pb->desc->priority ? -1 : 1;
	return g_strcmp0(pa->desc->name, pb->desc->name);
}

LactdPluginHost *
lactd_plugin_host_new(const char *plugin_dir, GError **error)
{
	g_autoptr(LactdPluginHost) host = g_new0(LactdPluginHost, 1);
	g_auto(GStrv) dirs = NULL;

	g_return_val_if_fail(plugin_dir != NULL, NULL);
	if (!g_module_supported()) {
		g_set_error_literal(error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
				    "loadable modules are not supported on this system");
		return NULL;
	}
	host->plugins = g_ptr_array_new_with_free_func((GDestroyNotify)plugin_free);
	host->descs = g_ptr_array_new();
	dirs = g_strsplit(plugin_dir, G_SEARCHPATH_SEPARATOR_S, -1);
	for (guint i = 0; dirs[i] != NULL; i++) {
		if (dirs[i][0] == '\0')
			continue;
		g_autoptr(GError) local = NULL;
		if (!load_dir(host, dirs[i], &local)) {
			/* A plugin directory that is not there yet (nothing installed in
			 * it) leaves lactd running with what it has; one it cannot read
			 * is an error. */
			if (!g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
				g_propagate_error(error, g_steal_pointer(&local));
				return NULL;
			}
			g_message("no plugin directory %s: %s", dirs[i], local->message);
		}
	}
	g_ptr_array_sort(host->plugins, compare_priority);
	for (guint i = 0; i < host->plugins->len; i++)
		g_ptr_array_add(host->descs,
				(gpointer)((Plugin *)g_ptr_array_index(host->plugins, i))->desc);
	g_ptr_array_add(host->descs, NULL);
	g_message("%u device plugin(s) loaded", host->plugins->len);
	return g_steal_pointer(&host);
}

void
lactd_plugin_host_free(LactdPluginHost *host)
{
	if (host == NULL)
		return;
	if (host->descs != NULL)
		g_ptr_array_free(host->descs, TRUE);
	if (host->plugins != NULL)
		g_ptr_array_free(host->plugins, TRUE);
	g_free(host);
}

guint
lactd_plugin_host_count(LactdPluginHost *host)
{
	return host->plugins->len;
}

const LactdPluginDesc *const *
lactd_plugin_host_list(LactdPluginHost *host)
{
	return (const LactdPluginDesc *const *)host->descs->pdata;
}

const LactdPluginDesc *
lactd_plugin_host_match(LactdPluginHost *host, const char *const *service_uuids,
			const guint16 *manufacturer_ids, gsize n_manufacturer_ids,
			const char *const *service_data_uuids, LactdPluginMatch *how)
{
	LactdPluginMatchInput in = {
	    .service_uuids = service_uuids,
	    .manufacturer_ids = manufacturer_ids,
	    .n_manufacturer_ids = n_manufacturer_ids,
	    .service_data_uuids = service_data_uuids,
	};

	return lactd_plugin_match_select(lactd_plugin_host_list(host), &in, how, NULL);
}

/* --- the LactdHost helpers --------------------------------------------------- */

static const LactdHost host_vtable;

static void
write_free(Write *w)
{
	g_free(w->char_uuid);
	g_bytes_unref(w->data);
	g_free(w);
}

static const char *
host_address(LactdDevice *dev)
{
	return dev->address;
}

static void *
host_state(LactdDevice *dev)
{
	return dev->state;
}

/* A subscribe or a read the plugin asked for: 0, or -1 (logged) when the
 * transport refused it. */
static int
host_gatt(LactdDevice *dev, const char *what,
	  gboolean (*op)(gpointer user_data, const char *char_uuid, GError **error),
	  const char *char_uuid)
{
	g_autoptr(GError) error = NULL;

	if (char_uuid == NULL || !dev->attached)
		return -1;
	if (!op(dev->user_data, char_uuid, &error)) {
		g_message("%s: %s: %s %s: %s", dev->address, dev->desc->name, what, char_uuid,
			  error->message);
		return -1;
	}
	return 0;
}

static int
host_subscribe(LactdDevice *dev, const char *char_uuid)
{
	return host_gatt(dev, "subscribe", dev->ops->subscribe, char_uuid);
}

static int
host_read(LactdDevice *dev, const char *char_uuid)
{
	return host_gatt(dev, "read", dev->ops->read, char_uuid);
}

/* Starts queued writes until one is in flight or the queue is empty: a
 * write that fails to start is dropped, logged, and the next one goes. */
static void
write_next(LactdDevice *dev)
{
	while (!dev->write_busy && !g_queue_is_empty(&dev->writes)) {
		Write *w = g_queue_peek_head(&dev->writes);
		g_autoptr(GError) error = NULL;

		if (dev->ops->write(dev->user_data, w->char_uuid, w->data, w->with_response,
				    &error)) {
			dev->write_busy = TRUE;
			return;
		}
		g_message("%s: %s: write %s: %s", dev->address, dev->desc->name, w->char_uuid,
			  error->message);
		write_free(g_queue_pop_head(&dev->writes));
	}
}

static int
host_write(LactdDevice *dev, const char *char_uuid, const uint8_t *data, size_t len,
	   bool with_response)
{
	Write *w;

	if (char_uuid == NULL || (data == NULL && len > 0) || !dev->attached)
		return -1;
	/* A plugin must not be able to grow the queue without bound. */
	if (g_queue_get_length(&dev->writes) >= 64) {
		g_message("%s: %s: write %s: too many writes queued", dev->address,
			  dev->desc->name, char_uuid);
		return -1;
	}
	w = g_new0(Write, 1);
	w->char_uuid = g_strdup(char_uuid);
	w->data = g_bytes_new(data, len);
	w->with_response = with_response;
	g_queue_push_tail(&dev->writes, w);
	write_next(dev);
	return 0;
}

void
lactd_plugin_device_write_done(LactdDevice *dev, const GError *error)
{
	Write *w;

	if (!dev->write_busy)
		return;
	w = g_queue_pop_head(&dev->writes);
	dev->write_busy = FALSE;
	if (error != NULL)
		g_message("%s: %s: write %s: %s", dev->address, dev->desc->name, w->char_uuid,
			  error->message);
	write_free(w);
	write_next(dev);
}

static void
reject(LactdDevice *dev, const char *reason)
{
	gint64 now = g_get_monotonic_time();

	if (reason == NULL)
		reason = "no reason given";
	dev->ops->rejected(dev->user_data, reason);
	if (dev->reject_window_start == 0 || now - dev->reject_window_start > REJECT_LOG_WINDOW_US) {
		if (dev->reject_suppressed > 0)
			g_message("%s: %s: %u more rejected packet(s) not logged", dev->address,
				  dev->desc->name, dev->reject_suppressed);
		dev->reject_window_start = now;
		dev->reject_logged = 0;
		dev->reject_suppressed = 0;
	}
	if (dev->reject_logged < REJECT_LOG_BURST) {
		dev->reject_logged++;
		g_message("%s: %s: rejected packet: %s", dev->address, dev->desc->name, reason);
	} else {
		dev->reject_suppressed++;
	}
}

static void
host_reject(LactdDevice *dev, const char *reason)
{
	reject(dev, reason);
}

static int
host_emit(LactdDevice *dev, const LactdReading *reading)
{
	g_autoptr(GError) error = NULL;

	if (reading == NULL)
		return -1;
	if (dev->ops->reading(dev->user_data, reading, &error))
		return 0;
	/* Refused values are the device's fault and count; a storage failure
	 * is ours, and the capture already marks the store degraded. */
	if (g_error_matches(error, LACTD_ERROR, LACTD_ERROR_STORAGE))
		g_message("%s: %s: reading not stored: %s", dev->address, dev->desc->name,
			  error->message);
	else
		reject(dev, error != NULL ? error->message : "reading refused");
	return -1;
}

static gboolean
timer_cb(gpointer user_data)
{
	Timer *t = user_data;
	LactdDevice *dev = t->dev;
	guint32 id = t->id;

	if (dev->desc->timer != NULL)
		dev->desc->timer(dev, &host_vtable, id);
	/* The plugin may have stopped this timer: then t is gone. */
	if (!g_hash_table_contains(dev->timers, GUINT_TO_POINTER(id)))
		return G_SOURCE_REMOVE;
	return G_SOURCE_CONTINUE;
}

static void
timer_free(Timer *t)
{
	g_source_remove(t->source);
	g_free(t);
}

static uint32_t
host_timer_start(LactdDevice *dev, uint32_t interval_ms)
{
	Timer *t;

	if (!dev->attached)
		return 0;
	if (g_hash_table_size(dev->timers) >= 16) {
		g_message("%s: %s: too many timers", dev->address, dev->desc->name);
		return 0;
	}
	t = g_new0(Timer, 1);
	t->dev = dev;
	do
		t->id = ++dev->next_timer_id;
	while (t->id == 0 || g_hash_table_contains(dev->timers, GUINT_TO_POINTER(t->id)));
	t->source = g_timeout_add(MAX(interval_ms, 1u), timer_cb, t);
	g_hash_table_insert(dev->timers, GUINT_TO_POINTER(t->id), t);
	return t->id;
}

static void
host_timer_stop(LactdDevice *dev, uint32_t timer_id)
{
	g_hash_table_remove(dev->timers, GUINT_TO_POINTER(timer_id));
}

static uint32_t
host_last_record(LactdDevice *dev)
{
	return dev->ops->last_record(dev->user_data);
}

static int64_t
host_now_us(LactdDevice *dev)
{
	return g_get_real_time();
}

static void
host_log(LactdDevice *dev, LactdLogLevel level, const char *message)
{
	if (message == NULL)
		return;
	/* A plugin's warning is about its device, not a fault of the daemon. */
	if (level >= LACTD_LOG_WARNING)
		g_message("%s: %s: %s", dev->address, dev->desc->name, message);
	else if (level == LACTD_LOG_INFO)
		g_info("%s: %s: %s", dev->address, dev->desc->name, message);
	else
		g_debug("%s: %s: %s", dev->address, dev->desc->name, message);
}

static const LactdHost host_vtable = {
	.abi_version = LACTD_PLUGIN_ABI_VERSION,
	.address = host_address,
	.state = host_state,
	.subscribe = host_subscribe,
	.read = host_read,
	.write = host_write,
	.emit = host_emit,
	.reject = host_reject,
	.timer_start = host_timer_start,
	.timer_stop = host_timer_stop,
	.last_record = host_last_record,
	.now_us = host_now_us,
	.log = host_log,
};

/* --- one device ----------------------------------------------------------------- */

LactdDevice *
lactd_plugin_device_new(const LactdPluginDesc *desc, const char *address,
			const LactdPluginDeviceOps *ops, gpointer user_data)
{
	LactdDevice *dev = g_new0(LactdDevice, 1);

	dev->desc = desc;
	dev->address = g_strdup(address);
	dev->ops = ops;
	dev->user_data = user_data;
	g_queue_init(&dev->writes);
	dev->timers = g_hash_table_new_full(NULL, NULL, NULL, (GDestroyNotify)timer_free);
	return dev;
}

void
lactd_plugin_device_free(LactdDevice *dev)
{
	if (dev == NULL)
		return;
	lactd_plugin_device_detach(dev);
	g_hash_table_destroy(dev->timers);
	g_free(dev->address);
	g_free(dev);
}

const LactdPluginDesc *
lactd_plugin_device_get_desc(LactdDevice *dev)
{
	return dev->desc;
}

gboolean
lactd_plugin_device_is_attached(LactdDevice *dev)
{
	return dev->attached;
}

gboolean
lactd_plugin_device_attach(LactdDevice *dev, GError **error)
{
	int rc;

	g_return_val_if_fail(!dev->attached, FALSE);
	dev->state = dev->desc->state_size > 0 ? g_malloc0(dev->desc->state_size) : NULL;
	dev->attached = TRUE;
	rc = dev->desc->attach != NULL ? dev->desc->attach(dev, &host_vtable) : 0;
	if (rc < 0) {
		lactd_plugin_device_detach(dev);
		g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "plugin %s gave up on the device (%d)",
			    dev->desc->name, rc);
		return FALSE;
	}
	return TRUE;
}

void
lactd_plugin_device_detach(LactdDevice *dev)
{
	if (!dev->attached)
		return;
	if (dev->desc->detach != NULL)
		dev->desc->detach(dev, &host_vtable);
	dev->attached = FALSE;
	g_hash_table_remove_all(dev->timers);
	g_queue_clear_full(&dev->writes, (GDestroyNotify)write_free);
	dev->write_busy = FALSE;
	g_clear_pointer(&dev->state, g_free);
	if (dev->reject_suppressed > 0)
		g_message("%s: %s: %u more rejected packet(s) not logged", dev->address,
			  dev->desc->name, dev->reject_suppressed);
	dev->reject_window_start = 0;
	dev->reject_logged = 0;
	dev->reject_suppressed = 0;
}

static void
parse_and_emit(LactdDevice *dev, const char *what, const guint8 *data, gsize len)
{
	LactdReading out[LACTD_READINGS_MAX];
	const char *reason = NULL;
	int n;

	memset(out, 0, sizeof(out));
	n = dev->desc->parse(dev->state, what, data, len, out, G_N_ELEMENTS(out), &reason);
	if (n < 0) {
		reject(dev, reason);
		return;
	}
	for (int i = 0; i < MIN(n, LACTD_READINGS_MAX); i++)
		host_emit(dev, &out[i]);
}

/* What a plugin is handed for no bytes: a pointer it may read, never NULL. */
static const guint8 no_bytes[1];

void
lactd_plugin_device_value(LactdDevice *dev, const char *char_uuid, const guint8 *data, gsize len,
			  LactdValueOrigin origin)
{
	if (!dev->attached)
		return;
	if (data == NULL)
		data = no_bytes;
	if (dev->desc->value != NULL)
		dev->desc->value(dev, &host_vtable, char_uuid, data, len, origin);
	else
		parse_and_emit(dev, char_uuid, data, len);
}

void
lactd_plugin_device_advertisement(LactdDevice *dev, guint16 manufacturer_id,
				  const char *service_uuid, const guint8 *data, gsize len)
{
	if (!dev->attached)
		return;
	if (data == NULL)
		data = no_bytes;
	if (dev->desc->advertisement != NULL)
		dev->desc->advertisement(dev, &host_vtable, service_uuid != NULL ? 0 : manufacturer_id,
					 service_uuid, data, len);
	else if (dev->desc->parse != NULL)
		parse_and_emit(dev, service_uuid != NULL ? service_uuid : "manufacturer", data, len);
}

guint
lactd_plugin_device_pending_writes(LactdDevice *dev)
{
	return g_queue_get_length(&dev->writes);
}

guint
lactd_plugin_device_timer_count(LactdDevice *dev)
{
	return g_hash_table_size(dev->timers);
}
