/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The store tests' fixture: a database in a fresh temporary folder. */
#include "config.h"

#include <glib/gstdio.h>

#include "store-fixture.h"

void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;

	f->dir = g_dir_make_tmp("lactd-store-XXXXXX", &error);
	g_assert_no_error(error);
	f->path = g_build_filename(f->dir, "lactd.db", NULL);
}

void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = g_dir_open(f->dir, 0, NULL);
	const char *name;

	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
	g_free(f->path);
}

LactdStore *
open_store(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	LactdStore *store = lactd_store_open(f->path, &degraded, &error);

	g_assert_no_error(error);
	g_assert_nonnull(store);
	g_assert_null(degraded);
	return store;
}

LactdSession *
make_session(gint64 start_us, gint64 minutes, double left, double right)
{
	LactdSession *s = g_new0(LactdSession, 1);

	s->kind = LACTD_SESSION_PUMP;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = start_us;
	s->end_us = start_us + minutes * G_TIME_SPAN_MINUTE;
	s->left_ml = left;
	s->right_ml = right;
	s->has_volume = TRUE;
	s->note = g_strdup("a note with 'quotes' and ünïcode");
	return s;
}
