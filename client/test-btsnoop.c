/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * btsnoop import: logs written here, in both datalinks, with fragmented ACL,
 * GATT discovery, reads, writes, notifications and indications; then every
 * framing error and every truncation.
 *
 * The layouts follow the btsnoop format as BlueZ's src/shared/btsnoop.h
 * describes it and the Bluetooth Core specification 5.3 (HCI ACL Vol 4
 * Part E 5.4.2, LE Connection Complete 7.7.65.1/.10, ATT Vol 3 Part F 3.4).
 */
#include "config.h"

#include "lactd-capfile.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#define ADDR "C0:FF:EE:00:00:01"
#define OTHER "11:22:33:44:55:66"
#define EPOCH_DELTA G_GINT64_CONSTANT(0x00dcddb30f2f8000)
#define T0 G_GINT64_CONSTANT(1700000000000000)
#define HR "00002a37-0000-1000-8000-00805f9b34fb"
#define CP "00002a39-0000-1000-8000-00805f9b34fb"
#define CCC "00002902-0000-1000-8000-00805f9b34fb"
#define NUS_TX "6e400003-b5a3-f393-e0a9-e50e24dcca9e"
#define NUS "6e400001-b5a3-f393-e0a9-e50e24dcca9e"

enum { TX = 0, RX = 1 };

typedef struct {
	GByteArray *buf;
	guint32 datalink;
	gint64 t;		  /* unix microseconds of the next record */
	GArray *starts; /* record offsets */
} Snoop;

static void
put_be32(GByteArray *b, guint32 v)
{
	guint8 x[4] = { v >> 24, v >> 16, v >> 8, v };
	g_byte_array_append(b, x, 4);
}

static Snoop *
snoop_new(guint32 datalink)
{
	Snoop *s = g_new0(Snoop, 1);

	s->buf = g_byte_array_new();
	s->datalink = datalink;
	s->t = T0;
	s->starts = g_array_new(FALSE, FALSE, sizeof(guint));
	g_byte_array_append(s->buf, (const guint8 *)"btsnoop", 8);
	put_be32(s->buf, 1);
	put_be32(s->buf, datalink);
	return s;
}

static void
snoop_free(Snoop *s)
{
	g_byte_array_unref(s->buf);
	g_array_unref(s->starts);
	g_free(s);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Snoop, snoop_free)

static void
raw_record(Snoop *s, guint32 orig, guint32 flags, gint64 ts, const guint8 *d, gsize len)
{
	guint64 t = (guint64)(ts + EPOCH_DELTA);

	g_array_append_val(s->starts, s->buf->len);
	put_be32(s->buf, orig);
	put_be32(s->buf, (guint32)len);
	put_be32(s->buf, flags);
	put_be32(s->buf, 0);
	put_be32(s->buf, (guint32)(t >> 32));
	put_be32(s->buf, (guint32)t);
	g_byte_array_append(s->buf, d, (guint)len);
}

/* One HCI packet: H4 prefixes its type byte and flags the direction;
 * the monitor puts the opcode in the flags. */
static void
hci(Snoop *s, guint8 h4type, int dir, const guint8 *d, gsize len)
{
	g_autoptr(GByteArray) b = g_byte_array_new();
	guint32 flags;

	if (s->datalink == 1002) {
		g_byte_array_append(b, &h4type, 1);
		flags = (dir == RX ? 1 : 0) | (h4type == 0x04 || h4type == 0x01 ? 2 : 0);
	} else {
		flags = h4type == 0x04 ? 3 : h4type == 0x01 ? 2 : dir == RX ? 5 : 4;
	}
	g_byte_array_append(b, d, (guint)len);
	raw_record(s, b->len, flags, s->t, b->data, b->len);
	s->t += 1000;
}

static void
conn_complete(Snoop *s, guint8 subevent, guint16 handle, const char *addr)
{
	guint8 ev[2 + 31] = { 0x3e, 0, subevent, 0x00, handle & 0xff, handle >> 8, 0x00, 0x00 };
	guint a[6];

	g_assert_cmpint(sscanf(addr, "%x:%x:%x:%x:%x:%x", &a[0], &a[1], &a[2], &a[3], &a[4],
			       &a[5]),
			==, 6);
	for (int i = 0; i < 6; i++)
		ev[8 + i] = (guint8)a[5 - i];
	ev[1] = subevent == 0x01 ? 18 : 30;
	hci(s, 0x04, RX, ev, 2 + ev[1]);
}

/* An ATT PDU in an L2CAP frame, in ACL fragments of at most @frag bytes. */
static void
att(Snoop *s, int dir, guint16 handle, const guint8 *pdu, gsize len, gsize frag)
{
	g_autoptr(GByteArray) l2 = g_byte_array_new();
	guint8 hdr[4] = { len & 0xff, len >> 8, 0x04, 0x00 };

	g_byte_array_append(l2, hdr, 4);
	g_byte_array_append(l2, pdu, (guint)len);
	for (gsize off = 0; off < l2->len; off += frag) {
		gsize n = MIN(frag, l2->len - off);
		guint pb = off == 0 ? (dir == TX ? 0x0 : 0x2) : 0x1;
		guint16 hf = (guint16)(handle | pb << 12);
		g_autoptr(GByteArray) acl = g_byte_array_new();
		guint8 ah[4] = { hf & 0xff, hf >> 8, n & 0xff, n >> 8 };

		g_byte_array_append(acl, ah, 4);
		g_byte_array_append(acl, l2->data + off, (guint)n);
		hci(s, 0x02, dir, acl->data, acl->len);
	}
}

#define ATT(s, dir, h, ...)                                                                  \
	do {                                                                                 \
		const guint8 pdu_[] = { __VA_ARGS__ };                                       \
		att(s, dir, h, pdu_, sizeof(pdu_), 27);                                      \
	} while (0)

/* A phone connecting to the pump, discovering it, reading, subscribing and
 * receiving; a second device's notification on the side. */
static Snoop *
session(guint32 datalink)
{
	Snoop *s = snoop_new(datalink);
	guint8 ind[1 + 2 + 40] = { 0x1d, 0x13, 0x00 };
	guint8 cmd[] = { 0x01, 0x03, 0x0c, 0x00 }; /* HCI Reset, ignored */

	hci(s, 0x01, TX, cmd, sizeof(cmd));
	conn_complete(s, 0x0a, 0x0040, ADDR);
	conn_complete(s, 0x01, 0x0041, OTHER);
	/* A notification before the discovery: resolved at the end. */
	ATT(s, RX, 0x0040, 0x1b, 0x03, 0x00, 0xaa);
	/* Services: Read By Group Type, 16-bit then 128-bit. */
	ATT(s, TX, 0x0040, 0x10, 0x01, 0x00, 0xff, 0xff, 0x00, 0x28);
	ATT(s, RX, 0x0040, 0x11, 0x06, 0x01, 0x00, 0x10, 0x00, 0x0d, 0x18);
	ATT(s, TX, 0x0040, 0x10, 0x11, 0x00, 0xff, 0xff, 0x00, 0x28);
	ATT(s, RX, 0x0040, 0x11, 0x14, 0x11, 0x00, 0x20, 0x00, 0x9e, 0xca, 0xdc, 0x24, 0x0e, 0xe5,
	    0xa9, 0xe0, 0x93, 0xf3, 0xa3, 0xb5, 0x01, 0x00, 0x40, 0x6e);
	/* Characteristics: Read By Type 0x2803. */
	ATT(s, TX, 0x0040, 0x08, 0x01, 0x00, 0xff, 0xff, 0x03, 0x28);
	ATT(s, RX, 0x0040, 0x09, 0x07, 0x02, 0x00, 0x12, 0x03, 0x00, 0x37, 0x2a, 0x05, 0x00, 0x08,
	    0x06, 0x00, 0x39, 0x2a);
	ATT(s, TX, 0x0040, 0x08, 0x07, 0x00, 0xff, 0xff, 0x03, 0x28);
	ATT(s, RX, 0x0040, 0x09, 0x15, 0x12, 0x00, 0x10, 0x13, 0x00, 0x9e, 0xca, 0xdc, 0x24, 0x0e,
	    0xe5, 0xa9, 0xe0, 0x93, 0xf3, 0xa3, 0xb5, 0x03, 0x00, 0x40, 0x6e);
	/* A Read By Type for another type is not a declaration list. */
	ATT(s, TX, 0x0040, 0x08, 0x01, 0x00, 0xff, 0xff, 0x00, 0x2a);
	ATT(s, RX, 0x0040, 0x09, 0x07, 0x30, 0x00, 0x41, 0x42, 0x43, 0x44, 0x45);
	/* Descriptors: Find Information. */
	ATT(s, TX, 0x0040, 0x04, 0x04, 0x00, 0x04, 0x00);
	ATT(s, RX, 0x0040, 0x05, 0x01, 0x04, 0x00, 0x02, 0x29);
	/* Subscribe, read, a refused read, a write command. */
	ATT(s, TX, 0x0040, 0x12, 0x04, 0x00, 0x01, 0x00);
	ATT(s, RX, 0x0040, 0x13);
	ATT(s, TX, 0x0040, 0x0a, 0x03, 0x00);
	ATT(s, RX, 0x0040, 0x0b, 0x10, 0x20);
	ATT(s, TX, 0x0040, 0x0a, 0x06, 0x00);
	ATT(s, RX, 0x0040, 0x01, 0x0a, 0x06, 0x00, 0x02);
	ATT(s, TX, 0x0040, 0x52, 0x06, 0x00, 0x01);
	/* A notification in 5-byte ACL fragments. */
	{
		const guint8 n[] = { 0x1b, 0x03, 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
		att(s, RX, 0x0040, n, sizeof(n), 5);
	}
	/* An indication bigger than one default-MTU ACL packet. */
	for (guint i = 0; i < 40; i++)
		ind[3 + i] = (guint8)i;
	att(s, RX, 0x0040, ind, sizeof(ind), 27);
	ATT(s, TX, 0x0040, 0x1e);
	/* Another device, and a handle nobody discovered. */
	ATT(s, RX, 0x0041, 0x1b, 0x03, 0x00, 0xee);
	ATT(s, RX, 0x0040, 0x1b, 0x99, 0x00, 0xbb);
	return s;
}

static void
check_event(const LactdCapFile *cap, guint i, LactdCapKind kind, const char *uuid, guint16 handle,
	    const char *value, gsize len)
{
	const LactdCapEvent *ev = g_ptr_array_index(cap->events, i);

	g_test_message("event %u: %s %s 0x%04x", i, lactd_cap_kind_to_string(ev->kind), ev->uuid,
		       ev->handle);
	g_assert_cmpint(ev->kind, ==, kind);
	g_assert_cmpstr(ev->uuid, ==, uuid);
	g_assert_cmpuint(ev->handle, ==, handle);
	g_assert_cmpmem(g_bytes_get_data(ev->value, NULL), g_bytes_get_size(ev->value), value,
			len);
	if (i > 0) {
		const LactdCapEvent *prev = g_ptr_array_index(cap->events, i - 1);
		g_assert_cmpint(prev->time_us, <=, ev->time_us);
	}
	g_assert_cmpint(ev->time_us, >=, T0);
}

static void
check_session(gconstpointer data)
{
	guint32 datalink = GPOINTER_TO_UINT(data);
	g_autoptr(Snoop) s = session(datalink);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;
	g_autoptr(LactdCapFile) all = NULL;
	g_autoptr(LactdCapFile) back = NULL;
	g_autofree char *text = NULL;
	const LactdCapChar *c;
	guint8 ind[40];

	cap = lactd_capfile_from_btsnoop(s->buf->data, s->buf->len, "c0:ff:ee:00:00:01", &error);
	g_assert_no_error(error);
	g_assert_cmpstr(cap->address, ==, ADDR);
	g_assert_cmpstr(cap->source, ==, datalink == 1002 ? "btsnoop-h4" : "btsnoop-monitor");

	g_assert_cmpuint(cap->chars->len, ==, 3);
	c = g_ptr_array_index(cap->chars, 0);
	g_assert_cmpstr(c->uuid, ==, HR);
	g_assert_cmpstr(c->flags, ==, "read,notify");
	g_assert_cmpuint(c->handle, ==, 0x0003);
	g_assert_cmpstr(c->service_uuid, ==, "0000180d-0000-1000-8000-00805f9b34fb");
	c = g_ptr_array_index(cap->chars, 1);
	g_assert_cmpstr(c->uuid, ==, CP);
	g_assert_cmpstr(c->flags, ==, "write");
	g_assert_cmpuint(c->handle, ==, 0x0006);
	c = g_ptr_array_index(cap->chars, 2);
	g_assert_cmpstr(c->uuid, ==, NUS_TX);
	g_assert_cmpstr(c->flags, ==, "notify");
	g_assert_cmpuint(c->handle, ==, 0x0013);
	g_assert_cmpstr(c->service_uuid, ==, NUS);

	for (guint i = 0; i < 40; i++)
		ind[i] = (guint8)i;
	g_assert_cmpuint(cap->events->len, ==, 7);
	check_event(cap, 0, LACTD_CAP_NOTIFY, HR, 0x0003, "\xaa", 1);
	check_event(cap, 1, LACTD_CAP_WRITE, CCC, 0x0004, "\x01\x00", 2);
	check_event(cap, 2, LACTD_CAP_READ, HR, 0x0003, "\x10\x20", 2);
	check_event(cap, 3, LACTD_CAP_WRITE, CP, 0x0006, "\x01", 1);
	check_event(cap, 4, LACTD_CAP_NOTIFY, HR, 0x0003, "\x01\x02\x03\x04\x05\x06\x07", 7);
	check_event(cap, 5, LACTD_CAP_INDICATE, NUS_TX, 0x0013, (const char *)ind, 40);
	check_event(cap, 6, LACTD_CAP_NOTIFY, NULL, 0x0099, "\xbb", 1);
	g_assert_cmpint(cap->start_us, ==,
			((LactdCapEvent *)g_ptr_array_index(cap->events, 0))->time_us);
	g_assert_cmpint(cap->end_us, ==,
			((LactdCapEvent *)g_ptr_array_index(cap->events, 6))->time_us);

	/* The import is a capture like any other: it saves and reads back. */
	text = lactd_capfile_to_string(cap);
	back = lactd_capfile_parse(text, strlen(text), &error);
	g_assert_no_error(error);
	g_assert_cmpuint(back->events->len, ==, 7);

	/* Unfiltered: both devices, so no one address. */
	all = lactd_capfile_from_btsnoop(s->buf->data, s->buf->len, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->events->len, ==, 8);
	g_assert_cmpstr(all->address, ==, "");
	g_clear_pointer(&all, lactd_capfile_free);
	/* A device not in the log gives an empty capture, not an error. */
	all = lactd_capfile_from_btsnoop(s->buf->data, s->buf->len, "00:00:00:00:00:00", &error);
	g_assert_no_error(error);
	g_assert_cmpuint(all->events->len, ==, 0);
	g_assert_cmpuint(all->chars->len, ==, 0);
}

/* Cut anywhere: at a record boundary the shorter log is valid; anywhere
 * else the error names the offset of the record cut short. */
static void
test_truncated(gconstpointer data)
{
	g_autoptr(Snoop) s = session(GPOINTER_TO_UINT(data));
	guint next = 0;

	for (gsize cut = 0; cut < s->buf->len; cut++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdCapFile) cap = lactd_capfile_from_btsnoop(s->buf->data, cut, NULL,
									 &error);
		g_autofree char *want = NULL;
		guint start;

		while (next < s->starts->len && g_array_index(s->starts, guint, next) < cut)
			next++;
		if (cut < 16) {
			g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
			continue;
		}
		if (next < s->starts->len && g_array_index(s->starts, guint, next) == cut) {
			g_assert_no_error(error);
			g_assert_nonnull(cap);
			continue;
		}
		start = g_array_index(s->starts, guint, next - 1);
		want = g_strdup_printf("offset %u: ", start);
		g_assert_null(cap);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		if (!g_str_has_prefix(error->message, want))
			g_error("cut %" G_GSIZE_FORMAT ": %s", cut, error->message);
		g_assert_nonnull(strstr(error->message, "truncated log"));
	}
}

static void
expect_error(const GByteArray *b, const char *want)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_from_btsnoop(b->data, b->len, NULL, &error);

	g_test_message("want %s, got %s", want, error ? error->message : "(accepted)");
	g_assert_null(cap);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_true(g_str_has_prefix(error->message, want));
}

static void
test_errors(void)
{
	g_autoptr(Snoop) s = NULL;
	g_autoptr(GByteArray) b = g_byte_array_new();
	const guint8 good_acl[] = { 0x40, 0x20, 0x05, 0x00, 0x01, 0x00, 0x04, 0x00, 0x1e };

	/* The file header. */
	g_byte_array_append(b, (const guint8 *)"btsnoof\0\0\0\0\1\0\0\x03\xea", 16);
	expect_error(b, "offset 0: not a btsnoop log");
	g_byte_array_set_size(b, 0);
	g_byte_array_append(b, (const guint8 *)"btsnoop\0\0\0\0\2\0\0\x03\xea", 16);
	expect_error(b, "offset 8: btsnoop version is not 1");
	g_byte_array_set_size(b, 0);
	g_byte_array_append(b, (const guint8 *)"btsnoop\0\0\0\0\1\0\0\x03\xe9", 16);
	expect_error(b, "offset 12: btsnoop datalink 1001 is not supported");
	g_byte_array_set_size(b, 0);
	expect_error(b, "offset 0: not a btsnoop log");

#define FRESH()                                                                              \
	do {                                                                                 \
		g_clear_pointer(&s, snoop_free);                                             \
		s = snoop_new(1002);                                                         \
	} while (0)
	/* Records: absurd, inconsistent, before 1970. */
	FRESH();
	raw_record(s, 0x7fffffff, 0, T0, (const guint8 *)"\x02", 1);
	s->buf->data[20] = 0x7f; /* included length too */
	expect_error(s->buf, "offset 16: record length beyond any HCI packet");
	FRESH();
	raw_record(s, 1, 0, T0, (const guint8 *)"\x02\x00", 2);
	expect_error(s->buf, "offset 16: record includes more than its original length");
	FRESH();
	raw_record(s, 1, 0, -EPOCH_DELTA, (const guint8 *)"\x04", 1);
	expect_error(s->buf, "offset 16: record time outside");
	FRESH();
	raw_record(s, 0, 0, T0, NULL, 0);
	expect_error(s->buf, "offset 16: empty H4 packet");
	/* A record the logger cut short of its original is skipped. */
	FRESH();
	raw_record(s, 9, 0, T0, (const guint8 *)"\x02\x40", 2);
	{
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdCapFile) cap = lactd_capfile_from_btsnoop(s->buf->data, s->buf->len,
									 NULL, &error);
		g_assert_no_error(error);
		g_assert_cmpuint(cap->events->len, ==, 0);
	}

	/* HCI events and ACL framing; the offset is the record's. */
	FRESH();
	hci(s, 0x04, RX, (const guint8 *)"\x3e\x05\x01", 3);
	expect_error(s->buf, "offset 16: HCI event length disagrees");
	FRESH();
	hci(s, 0x02, RX, good_acl, sizeof(good_acl));
	hci(s, 0x02, RX, (const guint8 *)"\x40\x20\x05", 3);
	expect_error(s->buf, "offset 50: ACL packet shorter than its header");
	FRESH();
	hci(s, 0x02, RX, (const guint8 *)"\x40\x20\x06\x00\x01\x00\x04\x00\x1e", 9);
	expect_error(s->buf, "offset 16: ACL length disagrees");
	FRESH();
	hci(s, 0x02, RX, (const guint8 *)"\x40\x10\x01\x00\x1e", 5);
	expect_error(s->buf, "offset 16: ACL continuation without a start");
	FRESH();
	hci(s, 0x02, RX, (const guint8 *)"\x40\x20\x02\x00\x01\x00", 6);
	expect_error(s->buf, "offset 16: L2CAP start fragment shorter");
	FRESH();
	hci(s, 0x02, RX, (const guint8 *)"\x40\x20\x06\x00\x01\x00\x04\x00\x1e\x1e", 10);
	expect_error(s->buf, "offset 16: ACL fragments longer than their L2CAP frame");
	FRESH();
	hci(s, 0x02, RX, (const guint8 *)"\x40\x20\x04\x00\x00\x00\x04\x00", 8);
	expect_error(s->buf, "offset 16: empty ATT PDU");

	/* ATT PDUs the import uses, malformed. */
	FRESH();
	ATT(s, TX, 0x0040, 0x0a, 0x03);
	expect_error(s->buf, "offset 16: bad Read Request length");
	FRESH();
	ATT(s, RX, 0x0040, 0x1b, 0x03);
	expect_error(s->buf, "offset 16: bad Handle Value length");
	FRESH();
	ATT(s, TX, 0x0040, 0xd2, 0x03, 0x00, 0x01);
	expect_error(s->buf, "offset 16: bad Write length");
	FRESH();
	ATT(s, RX, 0x0040, 0x23, 0x03, 0x00, 0x05, 0x00, 0x01);
	expect_error(s->buf, "offset 16: bad Multiple Handle Value Notification");
	FRESH();
	ATT(s, RX, 0x0040, 0x09, 0x07, 0x02, 0x00);
	expect_error(s->buf, "offset 16: bad Read By Type Response length");
	FRESH();
	ATT(s, TX, 0x0040, 0x08, 0x01, 0x00, 0xff, 0xff, 0x03, 0x28);
	ATT(s, RX, 0x0040, 0x09, 0x04, 0x02, 0x00, 0x12, 0x03);
	expect_error(s->buf, "offset 56: bad characteristic declaration length");
	FRESH();
	ATT(s, TX, 0x0040, 0x08, 0x01, 0x00, 0xff);
	expect_error(s->buf, "offset 16: bad Read By Type Request length");
	FRESH();
	ATT(s, RX, 0x0040, 0x05, 0x03, 0x04, 0x00, 0x02, 0x29);
	expect_error(s->buf, "offset 16: bad Find Information Response format");
	FRESH();
	ATT(s, RX, 0x0040, 0x05, 0x01, 0x04, 0x00, 0x02);
	expect_error(s->buf, "offset 16: bad Find Information Response length");
	FRESH();
	ATT(s, RX, 0x0040, 0x11, 0x06, 0x01, 0x00);
	expect_error(s->buf, "offset 16: bad Read By Group Type Response length");
	FRESH();
	ATT(s, TX, 0x0040, 0x10, 0x01);
	expect_error(s->buf, "offset 16: bad Read By Group Type Request length");
#undef FRESH
}

/* A Multiple Handle Value Notification is one event per value; a Signed
 * Write keeps the value without its signature. */
static void
test_multiple(void)
{
	g_autoptr(Snoop) s = snoop_new(2001);
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;

	ATT(s, RX, 0x0001, 0x23, 0x03, 0x00, 0x01, 0x00, 0xaa, 0x06, 0x00, 0x02, 0x00, 0xbb, 0xcc);
	ATT(s, TX, 0x0001, 0xd2, 0x06, 0x00, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	cap = lactd_capfile_from_btsnoop(s->buf->data, s->buf->len, NULL, &error);
	g_assert_no_error(error);
	g_assert_cmpuint(cap->events->len, ==, 3);
	check_event(cap, 0, LACTD_CAP_NOTIFY, NULL, 0x0003, "\xaa", 1);
	check_event(cap, 1, LACTD_CAP_NOTIFY, NULL, 0x0006, "\xbb\xcc", 2);
	check_event(cap, 2, LACTD_CAP_WRITE, NULL, 0x0006, "\x42", 1);
}

/* `test-btsnoop --write-seeds DIR` writes the logs above as the fuzz
 * target's seed corpus (client/fuzzing-btsnoop). */
static int
write_seeds(const char *dir)
{
	g_autoptr(Snoop) h4 = session(1002);
	g_autoptr(Snoop) mon = session(2001);
	g_autoptr(Snoop) multi = snoop_new(2001);
	g_autoptr(GError) error = NULL;
	struct {
		const char *name;
		Snoop *s;
	} seeds[] = { { "session-h4", h4 }, { "session-monitor", mon }, { "multiple", multi } };

	ATT(multi, RX, 0x0001, 0x23, 0x03, 0x00, 0x01, 0x00, 0xaa, 0x06, 0x00, 0x02, 0x00, 0xbb);
	ATT(multi, TX, 0x0001, 0xd2, 0x06, 0x00, 0x42, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
	for (guint i = 0; i < G_N_ELEMENTS(seeds); i++) {
		g_autofree char *path = g_build_filename(dir, seeds[i].name, NULL);

		if (!g_file_set_contents(path, (const char *)seeds[i].s->buf->data,
					 seeds[i].s->buf->len, &error)) {
			g_printerr("%s\n", error->message);
			return 1;
		}
	}
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--write-seeds") == 0)
		return write_seeds(argv[2]);
	g_test_init(&argc, &argv, NULL);
	g_test_add_data_func("/capfile/btsnoop/h4", GUINT_TO_POINTER(1002), check_session);
	g_test_add_data_func("/capfile/btsnoop/monitor", GUINT_TO_POINTER(2001), check_session);
	g_test_add_data_func("/capfile/btsnoop/truncated/h4", GUINT_TO_POINTER(1002),
			     test_truncated);
	g_test_add_data_func("/capfile/btsnoop/truncated/monitor", GUINT_TO_POINTER(2001),
			     test_truncated);
	g_test_add_func("/capfile/btsnoop/errors", test_errors);
	g_test_add_func("/capfile/btsnoop/multiple", test_multiple);
	return g_test_run();
}
