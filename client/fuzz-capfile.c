/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Fuzzes the capture file reader. Whatever it accepts must be written back
 * to text that reads back to the same text: a file a person edited is read
 * exactly, or refused with its line number.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lactd-capfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_parse((const char *)data, size, &error);
	g_autoptr(LactdCapFile) back = NULL;
	g_autofree char *text = NULL;
	g_autofree char *again = NULL;
	g_autofree char *dump = NULL;

	if (cap == NULL) {
		if (error == NULL || !g_str_has_prefix(error->message, "line "))
			abort();
		return 0;
	}
	text = lactd_capfile_to_string(cap);
	back = lactd_capfile_parse(text, strlen(text), &error);
	if (back == NULL)
		abort();
	again = lactd_capfile_to_string(back);
	if (strcmp(text, again) != 0)
		abort();
	dump = lactd_capfile_describe(cap);
	if (dump == NULL)
		abort();
	return 0;
}
