/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The health of the store's writes: whoever wrote reports a write the disk
 * refused (a full disk, an I/O error) and a write that succeeded again; one
 * listener, the D-Bus layer's StorageState, hears each change. The layers
 * below the bus report here instead of calling up into it.
 */
#include "config.h"

#include "lactd-store-private.h"

void
lactd_store_set_health_listener(LactdStore *store, LactdStoreHealthFunc changed,
				gpointer user_data)
{
	store->health_changed = changed;
	store->health_data = user_data;
}

static void
announce(LactdStore *store)
{
	if (store->health_changed != NULL)
		store->health_changed(store, store->health_data);
}

void
lactd_store_write_failed(LactdStore *store, const char *reason)
{
	g_free(store->write_failure);
	store->write_failure = g_strdup(reason);
	announce(store);
}

void
lactd_store_write_ok(LactdStore *store)
{
	if (store->write_failure == NULL)
		return;
	g_clear_pointer(&store->write_failure, g_free);
	announce(store);
}

const char *
lactd_store_get_write_failure(LactdStore *store)
{
	return store->write_failure;
}

void
lactd_store_health_clear(LactdStore *store)
{
	g_clear_pointer(&store->write_failure, g_free);
	store->health_changed = NULL;
}
