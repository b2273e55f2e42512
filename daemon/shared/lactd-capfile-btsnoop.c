/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * btsnoop logs into captures: Android's btsnoop_hci.log (datalink 1002,
 * HCI UART/H4) and BlueZ's `btmon -w` (datalink 2001, Linux monitor).
 *
 * Sources of the layouts (read, not copied): the btsnoop format as BlueZ's
 * src/shared/btsnoop.h and doc/btsnoop.rst describe it (header, big-endian
 * records, the monitor opcodes in the record flags); the Bluetooth Core
 * specification 5.3 for HCI ACL data packets (Vol 4 Part E 5.4.2), the LE
 * Connection Complete events (Vol 4 Part E 7.7.65.1 and .10), L2CAP basic
 * frames (Vol 3 Part A 3.1) and the ATT PDUs (Vol 3 Part F 3.4).
 *
 * Framing errors (bad magic, a truncated record, an absurd length, an ACL
 * or L2CAP length that disagrees with its packet) refuse the whole log with
 * the byte offset of the record at fault. ATT PDUs the import does not use
 * are skipped.
 */
#include "config.h"

#include "lactd-capfile.h"

#include <gio/gio.h>
#include <string.h>

#define DATALINK_H4 1002
#define DATALINK_MONITOR 2001

/* Monitor opcodes (record flags, low 16 bits; the controller index is the
 * high 16 bits). */
#define MON_DEL_INDEX 1
#define MON_COMMAND 2
#define MON_EVENT 3
#define MON_ACL_TX 4
#define MON_ACL_RX 5

/* H4 packet types (Core Vol 4 Part A 2). */
#define H4_COMMAND 0x01
#define H4_ACL 0x02
#define H4_EVENT 0x04

/* btsnoop times count microseconds from midnight, 1 January of year 0. */
#define BTSNOOP_EPOCH_DELTA G_GINT64_CONSTANT(0x00dcddb30f2f8000)

/* A record bigger than the largest HCI packet (an ACL packet with a 16-bit
 * length, plus headers) is corruption, not data. */
#define MAX_RECORD (4 + 0xffff + 16)
/* Reassembly buffers and peers are bounded: a log that needs more is not a
 * phone talking to a few devices. */
#define MAX_CONNS 64
#define MAX_PEERS 256

#define ATT_CID 0x0004

enum { DIR_TX = 0, DIR_RX = 1 }; /* host to controller, controller to host */

typedef struct {
	GHashTable *uuids;  /* handle -> char* UUID: from Find Information / declarations */
	GPtrArray *chars;   /* Decl, in discovery order */
	GArray *services;   /* Service */
	char *address;	    /* "" when the connection event is not in the log */
	guint n_events;
} Peer;

typedef struct {
	guint16 decl;
	guint16 value_handle;
	guint8 props;
	char *uuid;
} Decl;

typedef struct {
	guint16 start, end;
	char *uuid;
} Service;

typedef struct {
	guint8 opcode;	   /* pending request, 0 when none */
	guint16 handle;	   /* of a Read Request */
	gboolean char_decl; /* a Read By Type for characteristic declarations */
} Pending;

typedef struct {
	guint32 key; /* index << 12 | handle */
	Peer *peer;
	GByteArray *frag[2]; /* L2CAP reassembly per direction */
	guint16 want[2];     /* expected L2CAP payload + header length */
	Pending pending[2];  /* request sent in that direction */
} Conn;

typedef struct {
	LactdCapFile *cap;
	const char *want_address;
	GHashTable *conns; /* key -> Conn */
	GPtrArray *peers;  /* Peer */
	GPtrArray *event_peer; /* Peer* of each event in cap->events, for UUID lookup */
	gsize offset;	   /* of the current record, for errors */
	gint64 time_us;
	gint64 first_us, last_us; /* of the log's records */
} Import;

static void
decl_free(gpointer p)
{
	Decl *d = p;

	g_free(d->uuid);
	g_free(d);
}

static void
service_clear(gpointer p)
{
	Service *s = p;

	g_free(s->uuid);
}

static void
peer_free(gpointer p)
{
	Peer *peer = p;

	g_hash_table_unref(peer->uuids);
	g_ptr_array_unref(peer->chars);
	g_array_unref(peer->services);
	g_free(peer->address);
	g_free(peer);
}

static Peer *
peer_new(Import *im, const char *address)
{
	Peer *peer;

	for (guint i = 0; address[0] != '\0' && i < im->peers->len; i++) {
		peer = g_ptr_array_index(im->peers, i);
		if (g_ascii_strcasecmp(peer->address, address) == 0)
			return peer;
	}
	if (im->peers->len >= MAX_PEERS)
		return NULL;
	peer = g_new0(Peer, 1);
	peer->uuids = g_hash_table_new_full(NULL, NULL, NULL, g_free);
	peer->chars = g_ptr_array_new_with_free_func(decl_free);
	peer->services = g_array_new(FALSE, TRUE, sizeof(Service));
	g_array_set_clear_func(peer->services, service_clear);
	peer->address = g_strdup(address);
	g_ptr_array_add(im->peers, peer);
	return peer;
}

static void
conn_free(gpointer p)
{
	Conn *c = p;

	for (int d = 0; d < 2; d++)
		if (c->frag[d])
			g_byte_array_unref(c->frag[d]);
	g_free(c);
}

static gboolean
fail(Import *im, GError **error, const char *why)
{
	g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "offset %" G_GSIZE_FORMAT ": %s",
		    im->offset, why);
	return FALSE;
}

static guint32
be32(const guint8 *p)
{
	return (guint32)p[0] << 24 | (guint32)p[1] << 16 | (guint32)p[2] << 8 | p[3];
}

static guint16
le16(const guint8 *p)
{
	return (guint16)(p[0] | p[1] << 8);
}

/* A 16- or 128-bit UUID as ATT carries it (little-endian), in the
 * lowercase 128-bit text form. */
static char *
att_uuid(const guint8 *p, gsize len)
{
	if (len == 2)
		return g_strdup_printf("0000%04x-0000-1000-8000-00805f9b34fb", le16(p));
	return g_strdup_printf("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       p[15], p[14], p[13], p[12], p[11], p[10], p[9], p[8], p[7], p[6],
			       p[5], p[4], p[3], p[2], p[1], p[0]);
}

/* ---- events ---- */

static gboolean
add_event(Import *im, Conn *c, LactdCapKind kind, guint16 handle, const guint8 *value, gsize len,
	  GError **error)
{
	LactdCapEvent *ev;

	if (im->want_address != NULL &&
	    g_ascii_strcasecmp(c->peer->address, im->want_address) != 0)
		return TRUE;
	if (im->cap->events->len >= LACTD_CAPFILE_MAX_EVENTS)
		return fail(im, error, "more events than a capture may hold");
	if (len > LACTD_CAPFILE_MAX_VALUE)
		return fail(im, error, "attribute value longer than 512 bytes");
	/* Appended unsorted and sorted once at the end: a log whose clock
	 * steps back must not cost a scan per event. */
	ev = g_new0(LactdCapEvent, 1);
	ev->time_us = im->time_us;
	ev->kind = kind;
	ev->handle = handle;
	ev->value = g_bytes_new(value, len);
	g_ptr_array_add(im->cap->events, ev);
	g_ptr_array_add(im->event_peer, c->peer);
	c->peer->n_events++;
	return TRUE;
}

/* ---- ATT ---- */

static void
learn_uuid(Peer *peer, guint16 handle, char *uuid)
{
	g_hash_table_replace(peer->uuids, GUINT_TO_POINTER(handle), uuid);
}

static gboolean
att_pdu(Import *im, Conn *c, int dir, const guint8 *p, gsize len, GError **error)
{
	Pending *mine = &c->pending[dir];	/* a request this side sends */
	Pending *theirs = &c->pending[!dir]; /* the request this answers */
	guint8 op;

	if (len < 1)
		return fail(im, error, "empty ATT PDU");
	op = p[0];
	p++;
	len--;

	switch (op) {
	case 0x01: /* Error Response ends the request it answers */
		memset(theirs, 0, sizeof(*theirs));
		return TRUE;
	case 0x08: /* Read By Type Request: start, end, type */
		if (len != 6 && len != 20)
			return fail(im, error, "bad Read By Type Request length");
		mine->opcode = op;
		mine->char_decl = len == 6 && le16(p + 4) == 0x2803;
		return TRUE;
	case 0x09: { /* Read By Type Response: length, (handle, value)... */
		gboolean decl = theirs->opcode == 0x08 && theirs->char_decl;
		gsize each;

		memset(theirs, 0, sizeof(*theirs));
		if (len < 1 || p[0] < 2 || (len - 1) % p[0] != 0)
			return fail(im, error, "bad Read By Type Response length");
		each = p[0];
		if (!decl)
			return TRUE;
		if (each != 7 && each != 21)
			return fail(im, error, "bad characteristic declaration length");
		for (gsize i = 1; i < len; i += each) {
			const guint8 *e = p + i;
			Decl *d = NULL;

			/* A reconnection may discover again: keep one of each. */
			for (guint k = 0; k < c->peer->chars->len; k++) {
				Decl *old = g_ptr_array_index(c->peer->chars, k);
				if (old->value_handle == le16(e + 3))
					d = old;
			}
			if (d != NULL) {
				g_free(d->uuid);
				d->decl = le16(e);
				d->props = e[2];
				d->uuid = att_uuid(e + 5, each - 5);
				learn_uuid(c->peer, d->value_handle, g_strdup(d->uuid));
				continue;
			}
			if (c->peer->chars->len >= LACTD_CAPFILE_MAX_CHARS)
				return fail(im, error, "more characteristics than a capture may hold");
			d = g_new0(Decl, 1);
			d->decl = le16(e);
			d->props = e[2];
			d->value_handle = le16(e + 3);
			d->uuid = att_uuid(e + 5, each - 5);
			learn_uuid(c->peer, d->value_handle, g_strdup(d->uuid));
			g_ptr_array_add(c->peer->chars, d);
		}
		return TRUE;
	}
	case 0x05: { /* Find Information Response: format, (handle, UUID)... */
		gsize each;

		memset(theirs, 0, sizeof(*theirs));
		if (len < 1 || (p[0] != 1 && p[0] != 2))
			return fail(im, error, "bad Find Information Response format");
		each = p[0] == 1 ? 4 : 18;
		if ((len - 1) % each != 0 || len == 1)
			return fail(im, error, "bad Find Information Response length");
		for (gsize i = 1; i < len; i += each) {
			guint16 h = le16(p + i);
			char *uuid = att_uuid(p + i + 2, each - 2);

			/* Declarations say nothing about the value handles the
			 * events use; Read By Type gives those. */
			if (g_str_has_prefix(uuid, "00002800-") || g_str_has_prefix(uuid, "00002801-") ||
			    g_str_has_prefix(uuid, "00002803-"))
				g_free(uuid);
			else
				learn_uuid(c->peer, h, uuid);
		}
		return TRUE;
	}
	case 0x10: /* Read By Group Type Request */
		if (len != 6 && len != 20)
			return fail(im, error, "bad Read By Group Type Request length");
		mine->opcode = op;
		return TRUE;
	case 0x11: { /* Read By Group Type Response: length, (start, end, UUID)... */
		gsize each;

		memset(theirs, 0, sizeof(*theirs));
		if (len < 1 || (p[0] != 6 && p[0] != 20) || (len - 1) % p[0] != 0 || len == 1)
			return fail(im, error, "bad Read By Group Type Response length");
		each = p[0];
		for (gsize i = 1; i < len; i += each) {
			Service s = { le16(p + i), le16(p + i + 2), att_uuid(p + i + 4, each - 4) };

			if (c->peer->services->len >= LACTD_CAPFILE_MAX_CHARS) {
				g_free(s.uuid);
				return fail(im, error, "more services than a capture may hold");
			}
			g_array_append_val(c->peer->services, s);
		}
		return TRUE;
	}
	case 0x0a: /* Read Request: handle */
		if (len != 2)
			return fail(im, error, "bad Read Request length");
		mine->opcode = op;
		mine->handle = le16(p);
		return TRUE;
	case 0x0b: { /* Read Response: the value of the pending Read Request */
		Pending req = *theirs;

		memset(theirs, 0, sizeof(*theirs));
		/* Only the host reading the device is a device value; the
		 * device reading the phone's own server is not. */
		if (req.opcode != 0x0a || dir != DIR_RX)
			return TRUE;
		return add_event(im, c, LACTD_CAP_READ, req.handle, p, len, error);
	}
	case 0x12: /* Write Request */
	case 0x52: /* Write Command */
	case 0xd2: /* Signed Write Command: the value then a 12-byte signature */
		if (len < 2 || (op == 0xd2 && len < 14))
			return fail(im, error, "bad Write length");
		if (op == 0x12)
			mine->opcode = op;
		if (dir != DIR_TX)
			return TRUE;
		return add_event(im, c, LACTD_CAP_WRITE, le16(p), p + 2,
				 len - 2 - (op == 0xd2 ? 12 : 0), error);
	case 0x1b: /* Handle Value Notification */
	case 0x1d: /* Handle Value Indication */
		if (len < 2)
			return fail(im, error, "bad Handle Value length");
		if (dir != DIR_RX)
			return TRUE;
		return add_event(im, c, op == 0x1b ? LACTD_CAP_NOTIFY : LACTD_CAP_INDICATE, le16(p),
				 p + 2, len - 2, error);
	case 0x23: /* Multiple Handle Value Notification: (handle, length, value)... */
		if (dir != DIR_RX)
			return TRUE;
		for (gsize i = 0; i < len;) {
			gsize vlen;

			if (len - i < 4 || (vlen = le16(p + i + 2)) > len - i - 4)
				return fail(im, error, "bad Multiple Handle Value Notification");
			if (!add_event(im, c, LACTD_CAP_NOTIFY, le16(p + i), p + i + 4, vlen, error))
				return FALSE;
			i += 4 + vlen;
		}
		return TRUE;
	default:
		/* Anything else (MTU exchange, blob reads, confirmations...)
		 * carries nothing a capture keeps. */
		if (!(op & 0x01) && op != 0x1e && op != 0x52)
			mine->opcode = op; /* an unknown request supersedes */
		return TRUE;
	}
}

/* ---- L2CAP and ACL ---- */

static Conn *
conn_get(Import *im, guint16 index, guint16 handle, GError **error)
{
	guint32 key = (guint32)index << 12 | handle;
	Conn *c = g_hash_table_lookup(im->conns, GUINT_TO_POINTER(key));

	if (c != NULL)
		return c;
	if (g_hash_table_size(im->conns) >= MAX_CONNS) {
		fail(im, error, "more simultaneous connections than an import follows");
		return NULL;
	}
	c = g_new0(Conn, 1);
	c->key = key;
	/* Traffic on a connection made before the log started: its peer
	 * is unknown. */
	c->peer = peer_new(im, "");
	if (c->peer == NULL) {
		g_free(c);
		fail(im, error, "more peers than an import follows");
		return NULL;
	}
	g_hash_table_insert(im->conns, GUINT_TO_POINTER(key), c);
	return c;
}

static gboolean
acl_packet(Import *im, guint16 index, int dir, const guint8 *p, gsize len, GError **error)
{
	guint16 hf, dlen, handle;
	guint pb;
	Conn *c;
	GByteArray *buf;

	if (len < 4)
		return fail(im, error, "ACL packet shorter than its header");
	hf = le16(p);
	dlen = le16(p + 2);
	if (dlen != len - 4)
		return fail(im, error, "ACL length disagrees with the packet");
	handle = hf & 0x0fff;
	pb = (hf >> 12) & 0x3;
	p += 4;
	len -= 4;
	c = conn_get(im, index, handle, error);
	if (c == NULL)
		return FALSE;

	if (pb != 0x1) {
		/* A start: anything left half-assembled was lost (the
		 * controller flushed it); the new frame starts afresh. */
		if (c->frag[dir])
			g_byte_array_set_size(c->frag[dir], 0);
		else
			c->frag[dir] = g_byte_array_new();
		if (len < 4)
			return fail(im, error, "L2CAP start fragment shorter than its header");
		c->want[dir] = 0;
		/* want holds the payload length; the 4-byte header is added
		 * when comparing, so that 0xffff + 4 cannot overflow. */
		c->want[dir] = le16(p);
	} else if (c->frag[dir] == NULL || c->frag[dir]->len == 0) {
		return fail(im, error, "ACL continuation without a start");
	}
	buf = c->frag[dir];
	if ((gsize)buf->len + len > (gsize)c->want[dir] + 4)
		return fail(im, error, "ACL fragments longer than their L2CAP frame");
	g_byte_array_append(buf, p, (guint)len);
	if (buf->len < (gsize)c->want[dir] + 4)
		return TRUE;

	/* A whole L2CAP frame. */
	{
		guint16 cid = le16(buf->data + 2);
		gboolean ok = TRUE;

		if (cid == ATT_CID)
			ok = att_pdu(im, c, dir, buf->data + 4, buf->len - 4, error);
		g_byte_array_set_size(buf, 0);
		return ok;
	}
}

/* ---- HCI events ---- */

static gboolean
hci_event(Import *im, guint16 index, const guint8 *p, gsize len, GError **error)
{
	if (len < 2 || p[1] != len - 2)
		return fail(im, error, "HCI event length disagrees with the packet");
	if (p[0] == 0x05 && len >= 6) { /* Disconnection Complete */
		guint32 key = (guint32)index << 12 | (le16(p + 3) & 0x0fff);

		if (p[2] == 0)
			g_hash_table_remove(im->conns, GUINT_TO_POINTER(key));
		return TRUE;
	}
	/* LE Meta: Connection Complete (0x01), Enhanced (0x0a) and its v2
	 * (0x29) begin alike: status, handle, role, peer type, peer address. */
	if (p[0] == 0x3e && len >= 14 && (p[2] == 0x01 || p[2] == 0x0a || p[2] == 0x29)) {
		const guint8 *a = p + 8;
		guint16 handle = le16(p + 4) & 0x0fff;
		guint32 key = (guint32)index << 12 | handle;
		g_autofree char *addr = NULL;
		Conn *c;

		if (p[3] != 0)
			return TRUE; /* failed: no connection */
		addr = g_strdup_printf("%02X:%02X:%02X:%02X:%02X:%02X", a[5], a[4], a[3], a[2],
				       a[1], a[0]);
		g_hash_table_remove(im->conns, GUINT_TO_POINTER(key));
		c = conn_get(im, index, handle, error);
		if (c == NULL)
			return FALSE;
		c->peer = peer_new(im, addr);
		if (c->peer == NULL)
			return fail(im, error, "more peers than an import follows");
	}
	return TRUE;
}

static void
drop_index(Import *im, guint16 index)
{
	GHashTableIter iter;
	gpointer key;

	g_hash_table_iter_init(&iter, im->conns);
	while (g_hash_table_iter_next(&iter, &key, NULL))
		if ((GPOINTER_TO_UINT(key) >> 12) == index)
			g_hash_table_iter_remove(&iter);
}

/* ---- the result ---- */

static const char *const prop_names[] = {
	"broadcast", "read",	 "write-without-response",	"write",
	"notify",    "indicate", "authenticated-signed-writes", "extended-properties",
};

static char *
flags_from_props(guint8 props)
{
	GString *s = g_string_new(NULL);

	for (guint i = 0; i < 8; i++)
		if (props & (1u << i))
			g_string_append_printf(s, "%s%s", s->len ? "," : "", prop_names[i]);
	return g_string_free(s, FALSE);
}

static gint
event_cmp(gconstpointer a, gconstpointer b)
{
	const LactdCapEvent *x = *(LactdCapEvent *const *)a;
	const LactdCapEvent *y = *(LactdCapEvent *const *)b;

	return x->time_us < y->time_us ? -1 : x->time_us > y->time_us;
}

static void
finish(Import *im)
{
	LactdCapFile *cap = im->cap;
	Peer *only = NULL;
	guint npeers = 0;

	/* Handles are resolved at the end: Android caches the GATT database
	 * and may log the discovery after the traffic, or not at all. */
	for (guint i = 0; i < cap->events->len; i++) {
		LactdCapEvent *ev = g_ptr_array_index(cap->events, i);
		Peer *peer = g_ptr_array_index(im->event_peer, i);
		const char *uuid = g_hash_table_lookup(peer->uuids, GUINT_TO_POINTER(ev->handle));

		ev->uuid = g_strdup(uuid);
	}
	g_ptr_array_sort(cap->events, event_cmp); /* stable */

	for (guint i = 0; i < im->peers->len; i++) {
		Peer *peer = g_ptr_array_index(im->peers, i);

		if (im->want_address && g_ascii_strcasecmp(peer->address, im->want_address) != 0)
			continue;
		/* The one device the log talks to names the capture. */
		if (peer->address[0] != '\0' && (peer->n_events > 0 || peer->chars->len > 0)) {
			npeers++;
			only = peer;
		}
		for (guint j = 0; j < peer->chars->len; j++) {
			Decl *d = g_ptr_array_index(peer->chars, j);
			g_autofree char *flags = flags_from_props(d->props);
			const char *service = NULL;

			if (cap->chars->len >= LACTD_CAPFILE_MAX_CHARS)
				break;
			for (guint k = 0; k < peer->services->len; k++) {
				Service *s = &g_array_index(peer->services, Service, k);
				if (d->decl >= s->start && d->decl <= s->end)
					service = s->uuid;
			}
			lactd_capfile_add_char(cap, d->uuid, flags, d->value_handle, service);
		}
	}
	if (im->want_address != NULL) {
		g_free(cap->address);
		cap->address = g_ascii_strup(im->want_address, -1);
	} else if (npeers == 1) {
		g_free(cap->address);
		cap->address = g_strdup(only->address);
	}
	if (cap->events->len > 0) {
		const LactdCapEvent *first = g_ptr_array_index(cap->events, 0);
		const LactdCapEvent *last = g_ptr_array_index(cap->events, cap->events->len - 1);

		cap->start_us = first->time_us;
		cap->end_us = last->time_us;
	} else {
		cap->start_us = im->first_us;
		cap->end_us = im->last_us;
	}
}

static gboolean
record(Import *im, guint32 datalink, guint32 flags, const guint8 *p, gsize len, GError **error)
{
	if (datalink == DATALINK_H4) {
		/* Flags bit 0: received (controller to host). */
		int dir = flags & 0x01 ? DIR_RX : DIR_TX;

		if (len < 1)
			return fail(im, error, "empty H4 packet");
		switch (p[0]) {
		case H4_ACL:
			return acl_packet(im, 0, dir, p + 1, len - 1, error);
		case H4_EVENT:
			return hci_event(im, 0, p + 1, len - 1, error);
		default:
			return TRUE; /* commands, SCO, ISO, vendor */
		}
	}
	switch (flags & 0xffff) {
	case MON_ACL_TX:
	case MON_ACL_RX:
		return acl_packet(im, (guint16)(flags >> 16),
				  (flags & 0xffff) == MON_ACL_RX ? DIR_RX : DIR_TX, p, len, error);
	case MON_EVENT:
		return hci_event(im, (guint16)(flags >> 16), p, len, error);
	case MON_DEL_INDEX:
		drop_index(im, (guint16)(flags >> 16));
		return TRUE;
	default:
		return TRUE; /* commands, index and system notes, SCO, ISO */
	}
}

LactdCapFile *
lactd_capfile_from_btsnoop(const guint8 *data, gsize len, const char *address, GError **error)
{
	static const guint8 magic[8] = { 'b', 't', 's', 'n', 'o', 'o', 'p', 0 };
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autoptr(GHashTable) conns = g_hash_table_new_full(NULL, NULL, NULL, conn_free);
	g_autoptr(GPtrArray) peers = g_ptr_array_new_with_free_func(peer_free);
	g_autoptr(GPtrArray) event_peer = g_ptr_array_new();
	Import im = { .cap = cap, .want_address = address, .conns = conns, .peers = peers,
		      .event_peer = event_peer };
	guint32 datalink;
	gsize pos = 16;

	if (len < 16 || memcmp(data, magic, 8) != 0)
		return fail(&im, error, "not a btsnoop log (no \"btsnoop\" magic)"), NULL;
	if (be32(data + 8) != 1) {
		im.offset = 8;
		return fail(&im, error, "btsnoop version is not 1"), NULL;
	}
	datalink = be32(data + 12);
	if (datalink != DATALINK_H4 && datalink != DATALINK_MONITOR) {
		g_autofree char *why = g_strdup_printf(
			"btsnoop datalink %u is not supported (1002 HCI UART/H4 or 2001 Linux "
			"monitor are)",
			datalink);
		im.offset = 12;
		return fail(&im, error, why), NULL;
	}
	g_free(cap->source);
	cap->source = g_strdup(datalink == DATALINK_H4 ? "btsnoop-h4" : "btsnoop-monitor");

	while (pos < len) {
		guint32 orig, incl, flags;
		guint64 ts;

		im.offset = pos;
		if (len - pos < 24)
			return fail(&im, error, "record header cut short (truncated log)"), NULL;
		orig = be32(data + pos);
		incl = be32(data + pos + 4);
		flags = be32(data + pos + 8);
		ts = (guint64)be32(data + pos + 16) << 32 | be32(data + pos + 20);
		if (incl > MAX_RECORD || orig > MAX_RECORD)
			return fail(&im, error, "record length beyond any HCI packet"), NULL;
		if (incl > orig)
			return fail(&im, error, "record includes more than its original length"),
			       NULL;
		if (len - pos - 24 < incl)
			return fail(&im, error, "record data cut short (truncated log)"), NULL;
		if (ts < (guint64)BTSNOOP_EPOCH_DELTA ||
		    ts - (guint64)BTSNOOP_EPOCH_DELTA > (guint64)G_MAXINT64 / 2)
			return fail(&im, error, "record time outside 1970 to the far future"), NULL;
		im.time_us = (gint64)(ts - (guint64)BTSNOOP_EPOCH_DELTA);
		if (pos == 16)
			im.first_us = im.time_us;
		im.last_us = MAX(im.last_us, im.time_us);
		/* A record the logger cut (Android's filtered snoop mode keeps
		 * only headers) cannot be parsed, and is not an error. */
		if (incl == orig && !record(&im, datalink, flags, data + pos + 24, incl, error))
			return NULL;
		pos += 24 + incl;
	}
	finish(&im);
	return g_steal_pointer(&cap);
}
