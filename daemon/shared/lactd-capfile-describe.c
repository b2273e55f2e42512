/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A capture's readable dump, what `lactctl capture show` prints: every
 * event in line, then per characteristic what a person decoding a device
 * looks for first (lengths, fixed bytes, counters).
 */
#include "config.h"

#include <string.h>

#include "lactd-capfile-private.h"

typedef struct {
	char *label;		/* UUID, or "handle 0xHHHH" when unknown */
	guint16 handle;
	guint counts[LACTD_CAP_MARK]; /* by kind */
	GPtrArray *from_device; /* GBytes: notify, indicate, read */
	GPtrArray *written;	/* GBytes: write */
} Summary;

static void
summary_free(gpointer p)
{
	Summary *s = p;

	g_free(s->label);
	g_ptr_array_unref(s->from_device);
	g_ptr_array_unref(s->written);
	g_free(s);
}

static char *
event_label(const LactdCapEvent *ev)
{
	if (ev->uuid != NULL)
		return g_strdup(ev->uuid);
	return g_strdup_printf("handle 0x%04x", ev->handle);
}

static void
append_hex_spaced(GString *out, const guint8 *d, gsize len, const char *indent)
{
	if (len == 0) {
		g_string_append(out, "(empty)");
		return;
	}
	for (gsize i = 0; i < len; i++) {
		if (i > 0 && i % 16 == 0)
			g_string_append_printf(out, "\n%s", indent);
		else if (i > 0)
			g_string_append_c(out, ' ');
		g_string_append_printf(out, "%02x", d[i]);
	}
}

/* What a person decoding a device looks for first: the lengths, the bytes
 * that never move (headers, flags, type codes) and the bytes that count
 * up (sequence numbers, cumulative volumes, timers). */
static void
append_analysis(GString *out, GPtrArray *values)
{
	g_autoptr(GString) lens = g_string_new(NULL);
	g_autoptr(GString) constant = g_string_new(NULL);
	g_autoptr(GString) by_one = g_string_new(NULL);
	g_autoptr(GString) mono = g_string_new(NULL);
	g_autoptr(GString) le16 = g_string_new(NULL);
	g_autoptr(GHashTable) seen = g_hash_table_new(NULL, NULL);
	gsize max_len = 0;

	for (guint i = 0; i < values->len; i++) {
		gsize len = g_bytes_get_size(g_ptr_array_index(values, i));

		if (!g_hash_table_contains(seen, GSIZE_TO_POINTER(len + 1))) {
			g_hash_table_add(seen, GSIZE_TO_POINTER(len + 1));
			g_string_append_printf(lens, "%s%" G_GSIZE_FORMAT,
					       lens->len ? ", " : "", len);
		}
		max_len = MAX(max_len, len);
	}
	g_string_append_printf(out, "    lengths: %s\n", lens->str);
	if (values->len < 2)
		return;

	for (gsize p = 0; p < max_len; p++) {
		gboolean is_const = TRUE, is_by_one = TRUE, is_mono = TRUE, rose = FALSE;
		gboolean w_mono = p + 1 < max_len, w_rose = FALSE;
		int prev = -1, first = -1;
		gint64 wprev = -1;
		guint n = 0;

		for (guint i = 0; i < values->len; i++) {
			gsize len;
			const guint8 *d = g_bytes_get_data(g_ptr_array_index(values, i), &len);

			if (p + 1 < len) {
				gint64 w = d[p] | (d[p + 1] << 8);
				if (wprev >= 0 && w < wprev)
					w_mono = FALSE;
				if (wprev >= 0 && w > wprev)
					w_rose = TRUE;
				wprev = w;
			}
			if (p >= len)
				continue;
			n++;
			if (first < 0)
				first = d[p];
			if (d[p] != first)
				is_const = FALSE;
			if (prev >= 0) {
				if (d[p] != ((prev + 1) & 0xff))
					is_by_one = FALSE;
				if (d[p] < prev)
					is_mono = FALSE;
				if (d[p] > prev)
					rose = TRUE;
			}
			prev = d[p];
		}
		if (n < 2)
			continue;
		if (is_const)
			g_string_append_printf(constant, "%s%" G_GSIZE_FORMAT "=%02x",
					       constant->len ? " " : "", p, (guint)first);
		else if (is_by_one)
			g_string_append_printf(by_one, "%s%" G_GSIZE_FORMAT,
					       by_one->len ? " " : "", p);
		else if (is_mono && rose)
			g_string_append_printf(mono, "%s%" G_GSIZE_FORMAT, mono->len ? " " : "",
					       p);
		/* A 16-bit little-endian counter whose low byte wraps is not
		 * monotonic byte by byte: show it as a pair. */
		else if (w_mono && w_rose)
			g_string_append_printf(le16, "%s%" G_GSIZE_FORMAT "-%" G_GSIZE_FORMAT,
					       le16->len ? " " : "", p, p + 1);
	}
	g_string_append_printf(out, "    constant bytes (position=value): %s\n",
			       constant->len ? constant->str : "none");
	g_string_append_printf(out, "    count up by one: %s\n",
			       by_one->len ? by_one->str : "none");
	g_string_append_printf(out, "    rise monotonically: %s\n",
			       mono->len ? mono->str : "none");
	if (le16->len)
		g_string_append_printf(out, "    rise as 16-bit little-endian: %s\n", le16->str);
}

char *
lactd_capfile_describe(const LactdCapFile *cap)
{
	GString *out = g_string_new(NULL);
	g_autoptr(GPtrArray) sums = g_ptr_array_new_with_free_func(summary_free);
	g_autoptr(GHashTable) by_label = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autofree char *start = lactd_capfile_iso8601(cap->start_us);
	g_autofree char *end = lactd_capfile_iso8601(cap->end_us);
	g_autofree char *dur = lactd_capfile_relative(cap->end_us, cap->start_us);

	g_string_append_printf(out, "Capture of %s", *cap->address ? cap->address : "(unknown)");
	if (cap->name && *cap->name)
		g_string_append_printf(out, " \"%s\"", cap->name);
	g_string_append_printf(out, " from %s\n", cap->source ? cap->source : "?");
	g_string_append_printf(out, "From %s to %s (%s s), %u events\n", start, end, dur + 1,
			       cap->events->len);

	if (cap->chars->len > 0) {
		g_string_append(out, "\nCharacteristics:\n");
		for (guint i = 0; i < cap->chars->len; i++) {
			const LactdCapChar *c = g_ptr_array_index(cap->chars, i);

			g_string_append_printf(out, "  0x%04x %s [%s]", c->handle, c->uuid,
					       c->flags);
			if (c->service_uuid)
				g_string_append_printf(out, " in service %s", c->service_uuid);
			g_string_append_c(out, '\n');
		}
	}

	g_string_append(out, "\nEvents (seconds from start, UTC time):\n");
	for (guint i = 0; i < cap->events->len; i++) {
		const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		g_autofree char *rel = lactd_capfile_relative(ev->time_us, cap->start_us);
		g_autofree char *iso = lactd_capfile_iso8601(ev->time_us);
		g_autofree char *label = NULL;
		g_autofree char *key = NULL;
		Summary *s;
		gsize len = 0;
		const guint8 *d;

		g_string_append_printf(out, "%12s  %s  ", rel, iso);
		if (ev->kind == LACTD_CAP_MARK) {
			g_autoptr(GString) q = g_string_new(NULL);

			lactd_capfile_append_quoted(q, ev->text ? ev->text : "");
			g_string_append_printf(out, "---- mark %s\n", q->str);
			continue;
		}
		label = event_label(ev);
		d = ev->value ? g_bytes_get_data(ev->value, &len) : NULL;
		g_string_append_printf(out, "%-8s 0x%04x %s\n%40s", lactd_cap_kind_to_string(ev->kind),
				       ev->handle, label, "");
		append_hex_spaced(out, d, len, "                                        ");
		g_string_append_c(out, '\n');

		/* One summary per characteristic: by UUID and handle, so that
		 * each CCCD (one UUID, many handles) is its own. */
		key = g_strdup_printf("%s@%04x", label, ev->handle);
		s = g_hash_table_lookup(by_label, key);
		if (s == NULL) {
			s = g_new0(Summary, 1);
			s->label = g_strdup(label);
			s->handle = ev->handle;
			s->from_device = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			s->written = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
			g_ptr_array_add(sums, s);
			g_hash_table_insert(by_label, g_steal_pointer(&key), s);
		}
		if ((guint)ev->kind < G_N_ELEMENTS(s->counts))
			s->counts[ev->kind]++;
		g_ptr_array_add(ev->kind == LACTD_CAP_WRITE ? s->written : s->from_device,
				g_bytes_ref(ev->value));
	}

	g_string_append(out, "\nSummary by characteristic:\n");
	if (sums->len == 0)
		g_string_append(out, "  (no values)\n");
	for (guint i = 0; i < sums->len; i++) {
		Summary *s = g_ptr_array_index(sums, i);

		g_string_append_printf(out, "  %s", s->label);
		if (!g_str_has_prefix(s->label, "handle "))
			g_string_append_printf(out, " (handle 0x%04x)", s->handle);
		g_string_append_printf(out, ": %u notify, %u indicate, %u read, %u write\n",
				       s->counts[LACTD_CAP_NOTIFY],
				       s->counts[LACTD_CAP_INDICATE], s->counts[LACTD_CAP_READ],
				       s->counts[LACTD_CAP_WRITE]);
		if (s->from_device->len > 0) {
			g_string_append_printf(out, "   from the device (%u values):\n",
					       s->from_device->len);
			append_analysis(out, s->from_device);
		}
		if (s->written->len > 0) {
			g_string_append_printf(out, "   written to the device (%u values):\n",
					       s->written->len);
			append_analysis(out, s->written);
		}
	}
	return g_string_free(out, FALSE);
}
