/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the btsnoop import. The input is a whole log; it is read once for
 * every peer and once for the peer the seeds connect to. What the import
 * accepts must also survive the capture file's own round trip, so a value
 * the writer cannot express shows up here as an abort.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lactd-capfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const uint8_t *data, size_t size, const char *address)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_from_btsnoop(data, size, address, &error);
	g_autoptr(LactdCapFile) back = NULL;
	g_autofree char *text = NULL;

	if (cap == NULL) {
		if (error == NULL || !g_str_has_prefix(error->message, "offset "))
			abort();
		return;
	}
	text = lactd_capfile_to_string(cap);
	back = lactd_capfile_parse(text, strlen(text), &error);
	if (back == NULL || back->events->len != cap->events->len)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size, NULL);
	check(data, size, "C0:FF:EE:00:00:01");
	return 0;
}
