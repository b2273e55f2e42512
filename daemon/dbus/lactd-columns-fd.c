/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The columns of a bulk reply in a sealed memfd (ListSessionsFd,
 * GetDailySummaryFd).
 *
 * Each column is already one serialised GVariant array (see
 * lactd-session-columns.c). Asking the a{sv} around them for its data would
 * copy every column once more into a new buffer as large as the reply
 * (551 KB for a year of sessions), and on the 2-core VM of
 * docs/BENCHMARKS.md the fresh pages of that buffer cost more than the copy
 * itself. So the a{sv}'s own bytes (keys, padding, variant type strings,
 * framing offsets) are laid out here, following GVariant's serialisation
 * rules, and written with the columns' bytes as they are in one writev():
 * the file holds exactly what g_variant_get_data() would have given, which
 * tests/test-api-bulk checks byte for byte.
 *
 * The layout, for an a{sv} of n entries (GVariant specification, "Arrays"
 * and "Structures"): each entry, aligned to 8 from the start, is its key
 * with its NUL, zeros up to a multiple of 8, the variant (its value's bytes,
 * a NUL, the value's type string), then where the key ends, as one framing
 * offset in the entry's width. After the last entry, where each entry ends,
 * in the array's width.
 */
#include "config.h"

#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <gio/gunixfdlist.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-session-columns.h"

/* The memfd of a bulk reply could not be made (out of memory, or of file
 * descriptors): org.lactd.Error.Write by name, and a line in the log. */
static void
fd_failed(GError **error, const char *what, int e)
{
	g_warning("bulk reply: %s: %s", what, g_strerror(e));
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_WRITE, "the reply's memfd: %s: %s", what,
		    g_strerror(e));
}

/* Writes every byte of @iov into @fd, however the kernel splits it. */
static gboolean
write_iov(int fd, struct iovec *iov, gsize n, GError **error)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, (int)MIN(n, (gsize)IOV_MAX));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fd_failed(error, "writing the reply", w < 0 ? errno : ENOSPC);
			return FALSE;
		}
		/* Past the buffers written whole (and the empty ones), then
		 * into the one written in part. */
		while (n > 0 && (gsize)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0) {
			iov->iov_base = (guint8 *)iov->iov_base + w;
			iov->iov_len -= (gsize)w;
		}
	}
	return TRUE;
}

/* @value little-endian in @width bytes at the end of @out. */
static void
put_offset(GByteArray *out, gsize value, gsize width)
{
	for (gsize b = 0; b < width; b++) {
		guint8 byte = (guint8)(value >> (8 * b));
		g_byte_array_append(out, &byte, 1);
	}
}

static void
put_zeros(GByteArray *out, gsize n)
{
	static const guint8 zeros[8];

	g_byte_array_append(out, zeros, (guint)n);
}

/* One entry of the a{sv}: what is written from the variants as they are,
 * and where in `glue` the bytes between them are. */
typedef struct {
	GVariant *key;	 /* "s": the key and its NUL */
	GVariant *value; /* the variant's value, serialised */
	gsize glue_at, glue_len;
} Entry;

static void
entry_clear(Entry *e)
{
	g_clear_pointer(&e->key, g_variant_unref);
	g_clear_pointer(&e->value, g_variant_unref);
}

/* Writes the a{sv} @dict into @fd, as g_variant_get_data() would give it on
 * a little-endian machine. */
static gboolean
write_vardict(int fd, GVariant *dict, GError **error)
{
	gsize n = g_variant_n_children(dict), offset = 0, total, width;
	g_autofree Entry *entries = g_new0(Entry, n + 1);
	g_autofree gsize *ends = g_new(gsize, n + 1);
	g_autofree struct iovec *iov = g_new(struct iovec, 4 * n + 1);
	g_autoptr(GByteArray) glue = g_byte_array_new();
	gsize n_iov = 0;
	gboolean ok;

	for (gsize i = 0; i < n; i++) {
		Entry *e = &entries[i];
		g_autoptr(GVariant) entry = g_variant_get_child_value(dict, i);
		g_autoptr(GVariant) boxed = g_variant_get_child_value(entry, 1);
		const char *type;
		gsize key_size, key_pad, body, entry_size, entry_width;

		e->key = g_variant_get_child_value(entry, 0);
		e->value = g_variant_get_variant(boxed);
		type = g_variant_get_type_string(e->value);
		key_size = g_variant_get_size(e->key);
		key_pad = (8 - key_size % 8) % 8;
		body = key_size + key_pad + g_variant_get_size(e->value) + 1 + strlen(type);
		entry_width = lactd_columns_frame_width(body, 1, &entry_size);

		/* The key's padding opens this entry's glue; the NUL, the type
		 * and the key's end close it, with the next entry's alignment. */
		e->glue_at = glue->len;
		put_zeros(glue, key_pad);
		g_byte_array_append(glue, (const guint8 *)"", 1);
		g_byte_array_append(glue, (const guint8 *)type, (guint)strlen(type));
		put_offset(glue, key_size, entry_width);
		offset += entry_size;
		ends[i] = offset;
		if (i + 1 < n) {
			gsize pad = (8 - offset % 8) % 8;
			put_zeros(glue, pad);
			offset += pad;
		}
		e->glue_len = glue->len - e->glue_at;
	}
	width = lactd_columns_frame_width(offset, n, &total);
	for (gsize i = 0; i < n; i++)
		put_offset(glue, ends[i], width);
	if (n > 0)
		entries[n - 1].glue_len = glue->len - entries[n - 1].glue_at;

	/* Key, glue before the value (the key's padding), value, the rest of
	 * the glue: the glue is split at the key's padding. */
	for (gsize i = 0; i < n; i++) {
		Entry *e = &entries[i];
		gsize key_size = g_variant_get_size(e->key), key_pad = (8 - key_size % 8) % 8;

		iov[n_iov++] = (struct iovec){(void *)g_variant_get_data(e->key), key_size};
		iov[n_iov++] = (struct iovec){glue->data + e->glue_at, key_pad};
		if (g_variant_get_size(e->value) > 0) {
			iov[n_iov].iov_base = (void *)g_variant_get_data(e->value);
			iov[n_iov++].iov_len = g_variant_get_size(e->value);
		}
		iov[n_iov++] =
		    (struct iovec){glue->data + e->glue_at + key_pad, e->glue_len - key_pad};
	}
	ok = write_iov(fd, iov, n_iov, error);
	for (gsize i = 0; i < n; i++)
		entry_clear(&entries[i]);
	return ok;
}

/* The whole reply serialised into the heap and written: a big-endian
 * machine, whose bytes are swapped first. */
static gboolean
write_swapped(int fd, GVariant *columns, GError **error)
{
	g_autoptr(GVariant) little = g_variant_byteswap(columns);
	struct iovec iov = {(void *)g_variant_get_data(little), g_variant_get_size(little)};

	return write_iov(fd, &iov, 1, error);
}

int
lactd_columns_to_memfd(GVariant *columns, GError **error)
{
	g_autoptr(GVariant) sunk = g_variant_ref_sink(columns);
	gboolean ok;
	int fd;

	g_return_val_if_fail(g_variant_is_of_type(sunk, G_VARIANT_TYPE_VARDICT), -1);
	fd = memfd_create("lactd-columns", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		int e = errno;
		fd_failed(error, "memfd_create", e);
		return -1;
	}
	/* The format is little-endian whatever the daemon's machine. */
	ok = G_BYTE_ORDER == G_LITTLE_ENDIAN ? write_vardict(fd, sunk, error)
					     : write_swapped(fd, sunk, error);
	if (!ok) {
		close(fd);
		return -1;
	}
	/* Sealed, so that a client may map it without fearing that it changes
	 * or shrinks under it (SIGBUS). */
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		int e = errno;
		fd_failed(error, "sealing the reply", e);
		close(fd);
		return -1;
	}
	/* A client may read() it as well as map it: from the start. */
	if (lseek(fd, 0, SEEK_SET) != 0) {
		int e = errno;
		fd_failed(error, "rewinding the reply", e);
		close(fd);
		return -1;
	}
	return fd;
}

gboolean
lactd_columns_reply_fd(GDBusMethodInvocation *invocation, GVariant *columns, GError **error)
{
	g_autoptr(GUnixFDList) fds = NULL;
	int fd = lactd_columns_to_memfd(columns, error);

	if (fd < 0)
		return FALSE;
	/* The list takes the fd; GDBus duplicates it into the reply. */
	fds = g_unix_fd_list_new_from_array(&fd, 1);
	g_dbus_method_invocation_return_value_with_unix_fd_list(invocation,
								g_variant_new("(h)", 0), fds);
	return TRUE;
}
