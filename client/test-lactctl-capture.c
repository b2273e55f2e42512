/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Captures between the file form and the D-Bus form used by lactctl
 * capture show, export and import: the project's OPP recording goes to
 * ImportCapture's arguments and back without a byte changed.
 */
#include "config.h"

#include <gio/gio.h>
#include <string.h>

#include "lactctl-capture.h"

static void
test_round_trip(void)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "plugins", "opp", "recordings",
						      "opp-session.lactdcap", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_load(path, &error);
	g_autoptr(LactdCapFile) back = NULL;
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) info = NULL, chars = NULL, events = NULL;
	g_autofree char *a = NULL, *b = NULL;

	g_assert_no_error(error);
	g_assert_nonnull(cap);
	g_assert_cmpuint(cap->events->len, >, 100);
	args = g_variant_ref_sink(lactctl_capture_to_variant(cap, "import"));
	g_assert_true(g_variant_is_of_type(args, G_VARIANT_TYPE("(a{sv}a(ssqs)a(xssqays))")));
	g_variant_get(args, "(@a{sv}@a(ssqs)@a(xssqays))", &info, &chars, &events);
	g_assert_cmpuint(g_variant_n_children(chars), ==, cap->chars->len);
	g_assert_cmpuint(g_variant_n_children(events), ==, cap->events->len);

	back = lactctl_capture_from_variant(info, chars, events, &error);
	g_assert_no_error(error);
	a = lactd_capfile_to_string(cap);
	b = lactd_capfile_to_string(back);
	g_assert_cmpstr(a, ==, b);
}

static void
test_source_default(void)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) info = NULL;
	const char *source = NULL;

	/* A file that names no tool it came from. */
	g_free(cap->source);
	cap->source = g_strdup("");
	cap->start_us = 1000;
	lactd_capfile_add_event(cap, 2000, LACTD_CAP_MARK, NULL, 0, NULL, 0, "switched on");
	args = g_variant_ref_sink(lactctl_capture_to_variant(cap, "import"));
	info = g_variant_get_child_value(args, 0);
	g_assert_true(g_variant_lookup(info, "source", "&s", &source));
	g_assert_cmpstr(source, ==, "import");
}

static void
test_unknown_kind(void)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GVariant) info = g_variant_ref_sink(g_variant_new_parsed("@a{sv} {}"));
	g_autoptr(GVariant) chars = g_variant_ref_sink(g_variant_new_parsed("@a(ssqs) []"));
	g_autoptr(GVariant) events = g_variant_ref_sink(
	    g_variant_new_parsed("[(int64 5, 'shout', '', uint16 0, @ay [], '')]"));
	g_autoptr(LactdCapFile) cap = lactctl_capture_from_variant(info, chars, events, &error);

	g_assert_null(cap);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_nonnull(strstr(error->message, "shout"));
}

/* A capture read in pages of 7 events (as GetCapturePage hands them out)
 * is the same capture as read whole; a bad kind is named by its index in
 * the whole capture. */
static void
test_pages(void)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "plugins", "opp", "recordings",
						      "opp-session.lactdcap", NULL);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_load(path, &error);
	g_autoptr(LactdCapFile) paged = NULL;
	g_autoptr(GVariant) args = NULL;
	g_autoptr(GVariant) info = NULL, chars = NULL, events = NULL;
	g_autofree char *a = NULL, *b = NULL;
	gsize n;

	g_assert_no_error(error);
	args = g_variant_ref_sink(lactctl_capture_to_variant(cap, "import"));
	g_variant_get(args, "(@a{sv}@a(ssqs)@a(xssqays))", &info, &chars, &events);
	n = g_variant_n_children(events);
	g_assert_cmpuint(n, >, 3 * 7);
	for (gsize first = 0; first < n; first += 7) {
		g_autoptr(GVariant) page = NULL;
		GVariantBuilder pb;

		g_variant_builder_init(&pb, G_VARIANT_TYPE("a(xssqays)"));
		for (gsize i = first; i < MIN(first + 7, n); i++) {
			g_autoptr(GVariant) ev = g_variant_get_child_value(events, i);
			g_variant_builder_add_value(&pb, ev);
		}
		page = g_variant_ref_sink(g_variant_builder_end(&pb));
		if (paged == NULL) {
			paged = lactctl_capture_from_variant(info, chars, page, &error);
			g_assert_nonnull(paged);
		} else {
			g_assert_true(lactctl_capture_append_page(paged, info, page, &error));
		}
		g_assert_no_error(error);
	}
	a = lactd_capfile_to_string(cap);
	b = lactd_capfile_to_string(paged);
	g_assert_cmpstr(a, ==, b);

	{
		g_autoptr(GVariant) bad = g_variant_ref_sink(
		    g_variant_new_parsed("[(int64 5, 'notify', '', uint16 0, @ay [], ''), "
					 "(int64 6, 'shout', '', uint16 0, @ay [], '')]"));
		g_autofree char *want = g_strdup_printf("event %" G_GSIZE_FORMAT ":", n + 1);

		g_assert_false(lactctl_capture_append_page(paged, info, bad, &error));
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		if (strstr(error->message, "shout") == NULL)
			g_error("no kind in '%s'", error->message);
		g_assert_true(g_str_has_prefix(error->message, want));
	}
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/lactctl/capture/round-trip", test_round_trip);
	g_test_add_func("/lactctl/capture/source-default", test_source_default);
	g_test_add_func("/lactctl/capture/unknown-kind", test_unknown_kind);
	g_test_add_func("/lactctl/capture/pages", test_pages);
	return g_test_run();
}
