/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Replays a fuzz target's corpus without libFuzzer, so that `make check`
 * runs every seed (and every crash once fixed) through the target.
 *
 * Usage: fuzz-NAME [FILE|DIR]...; with no argument, the corpus directory the
 * target was built with (FUZZ_CORPUS_DIR, relative to G_TEST_SRCDIR).
 */
#include "config.h"

#include <glib.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static guint
run_path(const char *path)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *data = NULL;
	gsize len = 0;

	if (g_file_test(path, G_FILE_TEST_IS_DIR)) {
		g_autoptr(GDir) dir = g_dir_open(path, 0, &error);
		g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
		const char *name;
		guint n = 0;

		if (dir == NULL) {
			g_printerr("%s\n", error->message);
			exit(1);
		}
		while ((name = g_dir_read_name(dir)) != NULL)
			g_ptr_array_add(names, g_build_filename(path, name, NULL));
		g_ptr_array_sort(names, (GCompareFunc)g_strcmp0);
		for (guint i = 0; i < names->len; i++)
			n += run_path(g_ptr_array_index(names, i));
		return n;
	}
	if (!g_file_get_contents(path, &data, &len, &error)) {
		g_printerr("%s\n", error->message);
		exit(1);
	}
	LLVMFuzzerTestOneInput((const uint8_t *)data, len);
	return 1;
}

int
main(int argc, char **argv)
{
	guint n = 0;

	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			n += run_path(argv[i]);
	} else {
		const char *srcdir = g_getenv("G_TEST_SRCDIR");
		g_autofree char *dir = g_build_filename(srcdir ? srcdir : ".", FUZZ_CORPUS_DIR, NULL);
		n = run_path(dir);
	}
	if (n == 0) {
		g_printerr("no corpus input found\n");
		return 1;
	}
	g_print("%u inputs replayed\n", n);
	return 0;
}
