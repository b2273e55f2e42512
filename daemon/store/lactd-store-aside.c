/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A damaged database is moved aside, never deleted and never overwritten:
 * each set-aside file gets a name that did not exist (microseconds, then a
 * counter), and the rename refuses to replace a file (renameat2 with
 * RENAME_NOREPLACE, or link and unlink where the file system lacks it).
 * A marker beside the database keeps the user told after a restart.
 */
/* renameat2 and RENAME_NOREPLACE (glibc 2.28) */
#define _GNU_SOURCE 1
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-store-aside.h"

#define MAX_TRIES 100

/* rename(2) that fails with EEXIST instead of replacing @to. */
static int
rename_noreplace(const char *from, const char *to)
{
#ifdef RENAME_NOREPLACE
	if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
#endif
	/* link(2) never replaces either; the second name goes once both exist. */
	if (link(from, to) != 0)
		return -1;
	if (unlink(from) != 0) {
		int saved = errno;
		(void)unlink(to);
		errno = saved;
		return -1;
	}
	return 0;
}

char *
lactd_store_aside_move(const char *path, GError **error)
{
	g_autoptr(GDateTime) now = g_date_time_new_now_utc();
	g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%S");
	g_autofree char *aside = NULL;
	const char *suffixes[] = {"-wal", "-shm"};
	int saved = 0;

	for (guint n = 0; n < MAX_TRIES; n++) {
		g_free(aside);
		aside = n == 0 ? g_strdup_printf("%s.corrupt-%s.%06dZ", path, stamp,
						 g_date_time_get_microsecond(now))
			       : g_strdup_printf("%s.corrupt-%s.%06dZ-%u", path, stamp,
						 g_date_time_get_microsecond(now), n);
		/* The -wal must not land on an older set-aside's either. */
		{
			g_autofree char *wal = g_strconcat(aside, "-wal", NULL);
			if (g_file_test(wal, G_FILE_TEST_EXISTS))
				continue;
		}
		if (rename_noreplace(path, aside) == 0) {
			saved = 0;
			break;
		}
		saved = errno;
		if (saved != EEXIST)
			break;
	}
	if (saved != 0 || aside == NULL) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
			    "could not move %s aside: %s", path,
			    saved != 0 ? g_strerror(saved) : "no free name");
		return NULL;
	}
	for (guint i = 0; i < G_N_ELEMENTS(suffixes); i++) {
		g_autofree char *from = g_strconcat(path, suffixes[i], NULL);
		g_autofree char *to = g_strconcat(aside, suffixes[i], NULL);

		if (rename_noreplace(from, to) != 0 && errno != ENOENT)
			g_message("could not move %s aside to %s: %s", from, to, g_strerror(errno));
	}
	return g_steal_pointer(&aside);
}

char *
lactd_store_aside_marker_path(const char *path)
{
	return g_strconcat(path, ".set-aside", NULL);
}

gboolean
lactd_store_aside_mark(const char *path, const char *reason, GError **error)
{
	g_autofree char *marker = lactd_store_aside_marker_path(path);
	g_autofree char *text = g_strconcat(reason, "\n", NULL);
	g_autoptr(GError) local = NULL;

	if (!g_file_set_contents_full(marker, text, -1,
				      G_FILE_SET_CONTENTS_CONSISTENT | G_FILE_SET_CONTENTS_DURABLE,
				      0600, &local)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE, "%s", local->message);
		return FALSE;
	}
	return TRUE;
}

char *
lactd_store_aside_marked(const char *path)
{
	g_autofree char *marker = lactd_store_aside_marker_path(path);
	g_autofree char *text = NULL;

	if (!g_file_get_contents(marker, &text, NULL, NULL))
		return NULL;
	g_strstrip(text);
	/* A marker emptied by hand still says something was set aside. */
	if (text[0] == '\0')
		return g_strdup_printf("a damaged database was set aside earlier (%s)", marker);
	/* One line in StorageState, whatever the file holds. */
	g_strdelimit(text, "\r\n", ' ');
	if (g_utf8_strlen(text, -1) > 1024 || !g_utf8_validate(text, -1, NULL))
		return g_strdup_printf("a damaged database was set aside earlier (%s)", marker);
	return g_steal_pointer(&text);
}
