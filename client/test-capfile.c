/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capture files: the text format's round trips and refusals, the dump. */
#include "config.h"

#include "lactd-capfile.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#define HR "00002a37-0000-1000-8000-00805f9b34fb"
#define HRS "0000180d-0000-1000-8000-00805f9b34fb"
#define CP "00002a39-0000-1000-8000-00805f9b34fb"
#define T0 G_GINT64_CONSTANT(1700000000000000)

static LactdCapFile *
sample(void)
{
	LactdCapFile *cap = lactd_capfile_new();
	guint8 big[LACTD_CAPFILE_MAX_VALUE];

	for (guint i = 0; i < sizeof(big); i++)
		big[i] = (guint8)(i * 7);
	g_free(cap->address);
	cap->address = g_strdup("C0:FF:EE:00:00:01");
	g_free(cap->name);
	cap->name = g_strdup("Pump \"Deluxe\" \\ 2\tü");
	lactd_capfile_add_char(cap, "2A37", "notify", 0x0012, "180d");
	lactd_capfile_add_char(cap, CP, "", 0x0015, NULL);
	lactd_capfile_add_event(cap, T0, LACTD_CAP_READ, HR, 0x0012, (const guint8 *)"\x01\x02", 2,
				NULL);
	lactd_capfile_add_event(cap, T0 + 1, LACTD_CAP_NOTIFY, HR, 0x0012, big, sizeof(big), NULL);
	lactd_capfile_add_event(cap, T0 + 1, LACTD_CAP_INDICATE, NULL, 0x0020, NULL, 0, NULL);
	lactd_capfile_add_event(cap, T0 + 2500000, LACTD_CAP_MARK, NULL, 0, NULL, 0,
				"left shows \"40 mL\"\n\\ \x01 # not a comment ✓");
	lactd_capfile_add_event(cap, T0 + 3000001, LACTD_CAP_WRITE, CP, 0x0015,
				(const guint8 *)"\xff", 1, NULL);
	return cap;
}

static void
assert_equal(const LactdCapFile *a, const LactdCapFile *b)
{
	g_assert_cmpstr(a->address, ==, b->address);
	g_assert_cmpstr(a->name, ==, b->name);
	g_assert_cmpstr(a->source, ==, b->source);
	g_assert_cmpint(a->start_us, ==, b->start_us);
	g_assert_cmpint(a->end_us, ==, b->end_us);
	g_assert_cmpuint(a->chars->len, ==, b->chars->len);
	for (guint i = 0; i < a->chars->len; i++) {
		const LactdCapChar *x = g_ptr_array_index(a->chars, i);
		const LactdCapChar *y = g_ptr_array_index(b->chars, i);

		g_assert_cmpstr(x->uuid, ==, y->uuid);
		g_assert_cmpstr(x->flags, ==, y->flags);
		g_assert_cmpuint(x->handle, ==, y->handle);
		g_assert_cmpstr(x->service_uuid, ==, y->service_uuid);
	}
	g_assert_cmpuint(a->events->len, ==, b->events->len);
	for (guint i = 0; i < a->events->len; i++) {
		const LactdCapEvent *x = g_ptr_array_index(a->events, i);
		const LactdCapEvent *y = g_ptr_array_index(b->events, i);

		g_assert_cmpint(x->time_us, ==, y->time_us);
		g_assert_cmpint(x->kind, ==, y->kind);
		g_assert_cmpstr(x->uuid, ==, y->uuid);
		g_assert_cmpuint(x->handle, ==, y->handle);
		g_assert_cmpstr(x->text, ==, y->text);
		g_assert_true((x->value == NULL) == (y->value == NULL));
		if (x->value)
			g_assert_true(g_bytes_equal(x->value, y->value));
	}
}

static void
test_new(void)
{
	g_autoptr(LactdCapFile) cap = sample();
	const LactdCapChar *c = g_ptr_array_index(cap->chars, 0);
	const LactdCapEvent *ev;

	/* Short UUIDs are stored in the 128-bit form. */
	g_assert_cmpstr(c->uuid, ==, HR);
	g_assert_cmpstr(c->service_uuid, ==, HRS);
	c = g_ptr_array_index(cap->chars, 1);
	g_assert_null(c->service_uuid);
	g_assert_cmpstr(c->flags, ==, "");
	g_assert_cmpint(cap->start_us, ==, T0);
	g_assert_cmpint(cap->end_us, ==, T0 + 3000001);
	ev = g_ptr_array_index(cap->events, 2);
	g_assert_null(ev->uuid);
	g_assert_cmpuint(g_bytes_get_size(ev->value), ==, 0);
	ev = g_ptr_array_index(cap->events, 3);
	g_assert_null(ev->value);
	g_assert_null(ev->uuid);
	g_assert_nonnull(strstr(ev->text, "40 mL"));
}

static void
test_order(void)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	const LactdCapEvent *ev;

	lactd_capfile_add_event(cap, 200, LACTD_CAP_NOTIFY, HR, 1, (const guint8 *)"a", 1, NULL);
	lactd_capfile_add_event(cap, 300, LACTD_CAP_NOTIFY, HR, 1, (const guint8 *)"b", 1, NULL);
	/* A mark made late lands at its time, after events of the same time. */
	lactd_capfile_add_event(cap, 200, LACTD_CAP_MARK, NULL, 0, NULL, 0, "m");
	lactd_capfile_add_event(cap, 100, LACTD_CAP_MARK, NULL, 0, NULL, 0, "first");
	g_assert_cmpuint(cap->events->len, ==, 4);
	ev = g_ptr_array_index(cap->events, 0);
	g_assert_cmpstr(ev->text, ==, "first");
	ev = g_ptr_array_index(cap->events, 2);
	g_assert_cmpstr(ev->text, ==, "m");
	g_assert_cmpint(cap->start_us, ==, 100);
	g_assert_cmpint(cap->end_us, ==, 300);
}

static void
test_kind(void)
{
	for (LactdCapKind k = LACTD_CAP_NOTIFY; k <= LACTD_CAP_MARK; k++) {
		LactdCapKind back = (LactdCapKind)99;

		g_assert_true(lactd_cap_kind_from_string(lactd_cap_kind_to_string(k), &back));
		g_assert_cmpint(back, ==, k);
	}
	g_assert_false(lactd_cap_kind_from_string("Notify", &(LactdCapKind){ 0 }));
	g_assert_cmpstr(lactd_cap_kind_to_string((LactdCapKind)42), ==, "unknown");
}

static void
test_uuid(void)
{
	struct {
		const char *in, *out;
	} cases[] = {
		{ "2a37", HR },
		{ "2A37", HR },
		{ "0000fff1", "0000fff1-0000-1000-8000-00805f9b34fb" },
		{ "6E400001-B5A3-F393-E0A9-E50E24DCCA9E", "6e400001-b5a3-f393-e0a9-e50e24dcca9e" },
		{ "2a3", NULL },
		{ "", NULL },
		{ "zz37", NULL },
		{ "6e400001b5a3-f393-e0a9-e50e24dcca9e0", NULL },
		{ "6e400001-b5a3-f393-e0a9-e50e24dcca9", NULL },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autofree char *got = lactd_capfile_normalise_uuid(cases[i].in);
		g_assert_cmpstr(got, ==, cases[i].out);
	}
	g_assert_null(lactd_capfile_normalise_uuid(NULL));
}

static void
test_round_trip(void)
{
	g_autoptr(LactdCapFile) cap = sample();
	g_autoptr(LactdCapFile) back = NULL;
	g_autoptr(LactdCapFile) empty = lactd_capfile_new();
	g_autoptr(LactdCapFile) empty_back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *text = lactd_capfile_to_string(cap);
	g_autofree char *again = NULL;
	g_autofree char *etext = NULL;

	g_test_message("%s", text);
	g_assert_true(g_str_has_prefix(text, "lactd-capture 1 chars=2 events=5\n"));
	/* Readable times beside the exact ones. */
	g_assert_nonnull(strstr(text, "# 2023-11-14T22:13:20.000000Z +0.000000"));
	g_assert_nonnull(strstr(text, "# 2023-11-14T22:13:23.000001Z +3.000001"));
	back = lactd_capfile_parse(text, strlen(text), &error);
	g_assert_no_error(error);
	assert_equal(cap, back);
	again = lactd_capfile_to_string(back);
	g_assert_cmpstr(text, ==, again);

	etext = lactd_capfile_to_string(empty);
	empty_back = lactd_capfile_parse(etext, strlen(etext), &error);
	g_assert_no_error(error);
	assert_equal(empty, empty_back);
}

/* A person may annotate and reformat: comments, blank lines, CRLF, tabs,
 * upper-case hex and any order of the header fields are all read. */
static void
test_lenient(void)
{
	const char *text = "lactd-capture 1 chars=1 events=2 # written by hand\r\n"
			   "\n"
			   "# the pump in the kitchen\r\n"
			   "end 20\n"
			   "start 10\n"
			   "source \"hand\"\n"
			   "name \"\"\n"
			   "address \"AA:BB:CC:DD:EE:FF\"\n"
			   "char\t" HR " 0x00AB \"notify\" -\n"
			   "  notify 10 " HR " 0x00ab 0A0b # first\n"
			   "mark 20 \"a \\x01 b\" # note\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_parse(text, strlen(text), &error);
	const LactdCapEvent *ev;
	const LactdCapChar *c;

	g_assert_no_error(error);
	g_assert_cmpstr(cap->source, ==, "hand");
	g_assert_cmpstr(cap->address, ==, "AA:BB:CC:DD:EE:FF");
	g_assert_cmpint(cap->start_us, ==, 10);
	c = g_ptr_array_index(cap->chars, 0);
	g_assert_cmpuint(c->handle, ==, 0xab);
	ev = g_ptr_array_index(cap->events, 0);
	g_assert_cmpmem(g_bytes_get_data(ev->value, NULL), 2, "\x0a\x0b", 2);
	ev = g_ptr_array_index(cap->events, 1);
	g_assert_cmpstr(ev->text, ==, "a \x01 b");
}

/* Quoted text is a JSON string: JSON's escapes are read, and a control
 * character is written the way JSON writes it (not the older \xHH). */
static void
test_json_text(void)
{
	const char *text = "lactd-capture 1 chars=0 events=0\n"
			   "address \"\\u0041\\/\\b\"\nname \"\\u00e9 \\x7f\"\n"
			   "source \"\\ud83d\\ude00\"\nstart 1\nend 2\n";
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = lactd_capfile_parse(text, strlen(text), &error);
	g_autofree char *out = NULL;

	g_assert_no_error(error);
	g_assert_cmpstr(cap->address, ==, "A/\b");
	g_assert_cmpstr(cap->name, ==, "\xc3\xa9 \x7f");
	out = lactd_capfile_to_string(cap);
	g_assert_nonnull(strstr(out, "address \"A/\\b\"\n"));
	g_assert_nonnull(strstr(out, "name \"\xc3\xa9 \\u007f\"\n"));
	/* A surrogate pair is one character (U+1F600), written as UTF-8. */
	g_assert_cmpstr(cap->source, ==, "\xf0\x9f\x98\x80");
	g_assert_nonnull(strstr(out, "source \"\xf0\x9f\x98\x80\"\n"));
}

static void
test_save_load(void)
{
	g_autoptr(LactdCapFile) cap = sample();
	g_autoptr(LactdCapFile) back = NULL;
	g_autoptr(GError) error = NULL;
	g_autofree char *dir = g_dir_make_tmp("test-capfile-XXXXXX", &error);
	g_autofree char *path = NULL;

	g_assert_no_error(error);
	path = g_build_filename(dir, "c.lactdcap", NULL);
	g_assert_true(lactd_capfile_save(cap, path, &error));
	g_assert_no_error(error);
	back = lactd_capfile_load(path, &error);
	g_assert_no_error(error);
	assert_equal(cap, back);
	g_assert_cmpint(g_unlink(path), ==, 0);

	/* A missing file names itself; a bad one names file and line. */
	g_assert_null(lactd_capfile_load(path, &error));
	g_assert_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
	g_clear_error(&error);
	g_assert_true(g_file_set_contents(path, "lactd-capture 1 chars=0 events=0\nbogus\n", -1,
					  &error));
	g_assert_null(lactd_capfile_load(path, &error));
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_true(g_str_has_prefix(error->message, path));
	g_assert_nonnull(strstr(error->message, "line 2: unknown keyword"));
	g_assert_cmpint(g_unlink(path), ==, 0);
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

#define HDR(c, e) "lactd-capture 1 chars=" #c " events=" #e "\n"
#define META "address \"\"\nname \"\"\nsource \"x\"\nstart 1\nend 2\n"

static void
test_errors(void)
{
	/* Every refusal, with the line it must name and a piece of its reason. */
	static const struct {
		const char *text;
		guint line;
		const char *why;
	} cases[] = {
		{ "", 1, "empty file" },
		{ "# comment first\n", 1, "not a lactd capture" },
		{ "lactd-capture\n", 1, "no version" },
		{ "lactd-capture x\n", 1, "no version" },
		{ "lactd-capture 2 chars=0 events=0\n", 1, "version 2 is not supported" },
		{ "lactd-capture 1\n", 1, "header must be" },
		{ "lactd-capture 1 events=0 chars=0\n", 1, "header must be" },
		{ "lactd-capture 1 chars=0 events=0 more=1\n", 1, "header must be" },
		{ "lactd-capture 1 chars=x events=0\n", 1, "not numbers" },
		{ "lactd-capture 1 chars=-1 events=0\n", 1, "not numbers" },
		{ "lactd-capture 1 chars=01 events=0\n", 1, "not numbers" },
		{ "lactd-capture 1 chars=4097 events=0\n", 1, "limit (4096)" },
		{ "lactd-capture 1 chars=0 events=2000001\n", 1, "limit (2000000)" },
		{ "lactd-capture 1 chars=0 events=99999999999999999999999\n", 1, "not numbers" },
		{ HDR(0, 0) "address \"a\"\naddress \"b\"\n", 3, "given twice" },
		{ HDR(0, 0) "name x\n", 2, "one quoted text" },
		{ HDR(0, 0) "name \"a\" \"b\"\n", 2, "one quoted text" },
		{ HDR(0, 0) "name \"a\n", 2, "unterminated quoted" },
		{ HDR(0, 0) "name \"a\\\n", 2, "unterminated escape" },
		{ HDR(0, 0) "name \"a\\q\"\n", 2, "unknown escape" },
		{ HDR(0, 0) "name \"a\\x0\"\n", 2, "bad \\x escape" },
		{ HDR(0, 0) "name \"a\\x00\"\n", 2, "bad \\x escape" },
		{ HDR(0, 0) "name \"a\\xg0\"\n", 2, "bad \\x escape" },
		{ HDR(0, 0) "name \"a\\u00\"\n", 2, "bad \\u escape" },
		{ HDR(0, 0) "name \"a\\u0000\"\n", 2, "bad \\u escape" },
		{ HDR(0, 0) "name \"a\\u00g0\"\n", 2, "bad \\u escape" },
		/* Found by fuzz-capfile: a lone surrogate read as bytes that are
		 * not UTF-8, which could not be written back the same. */
		{ HDR(0, 0) "name \"a\\uDDeC b\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"a\\ud83d b\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"a\\ud83d\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"\\ude00\\ud83d\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"\\ud83d\\u0041\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"\\ud83d\\ud83d\\ude00\"\n", 2, "surrogate without its pair" },
		{ HDR(0, 0) "name \"a\tb\"\n", 2, "control character" },
		{ HDR(0, 0) "name \"a\"b\n", 2, "no space after" },
		{ HDR(0, 0) "name \"\xff\"\n", 2, "not UTF-8" },
		{ HDR(0, 0) "name a\"b\n", 2, "unexpected character" },
		{ HDR(0, 0) "name \xc3\xa9\n", 2, "unexpected character" },
		{ HDR(0, 0) "name \"x\"\nsta\0rt 1\n", 3, "NUL byte" },
		{ HDR(0, 0) "\"name\" \"x\"\n", 2, "starts with a keyword" },
		{ HDR(0, 0) "start\n", 2, "time in microseconds" },
		{ HDR(0, 0) "start -1\n", 2, "time in microseconds" },
		{ HDR(0, 0) "start 9223372036854775808\n", 2, "time in microseconds" },
		{ HDR(0, 0) "start 1\nstart 1\n", 3, "given twice" },
		{ HDR(0, 0) "end \"1\"\n", 2, "time in microseconds" },
		{ HDR(0, 0) "frobnicate 1\n", 2, "unknown keyword" },
		{ HDR(1, 0) "char " HR " 0x0001 \"n\"\n", 2, "expected: char" },
		{ HDR(1, 0) "char 2a37 0x0001 \"n\" -\n", 2, "not a lowercase 128-bit" },
		{ HDR(1, 0) "char 00002A37-0000-1000-8000-00805f9b34fb 0x0001 \"n\" -\n", 2,
		  "not a lowercase 128-bit" },
		{ HDR(1, 0) "char " HR " 1 \"n\" -\n", 2, "handle is not" },
		{ HDR(1, 0) "char " HR " 0x10000 \"n\" -\n", 2, "handle is not" },
		{ HDR(1, 0) "char " HR " 0x00g1 \"n\" -\n", 2, "handle is not" },
		{ HDR(1, 0) "char " HR " 0x0001 n -\n", 2, "expected: char" },
		{ HDR(1, 0) "char " HR " 0x0001 \"n\" 180d\n", 2, "service UUID" },
		{ HDR(0, 0) "char " HR " 0x0001 \"n\" -\n", 2, "more characteristics than" },
		{ HDR(0, 1) "notify\n", 2, "no time" },
		{ HDR(0, 1) "notify x " HR " 0x0001 00\n", 2, "no time" },
		{ HDR(0, 1) "notify 1 " HR " 0x0001\n", 2, "expected: KIND" },
		{ HDR(0, 1) "notify 1 " HR " 0x0001 00 00\n", 2, "expected: KIND" },
		{ HDR(0, 1) "notify 1 " HR " 0x0001 \"00\"\n", 2, "expected: KIND" },
		{ HDR(0, 1) "notify 1 2a37 0x0001 00\n", 2, "not a lowercase 128-bit" },
		{ HDR(0, 1) "notify 1 " HR " 0x1 00\n", 2, "handle is not" },
		{ HDR(0, 1) "notify 1 " HR " 0x0001 0\n", 2, "odd number" },
		{ HDR(0, 1) "notify 1 " HR " 0x0001 0g\n", 2, "not hex" },
		{ HDR(0, 2) "read 5 - 0x0001 00\nwrite 4 - 0x0001 00\n", 3, "earlier than" },
		{ HDR(0, 1) "read 5 - 0x0001 00\nwrite 6 - 0x0001 00\n", 3, "more events than" },
		{ HDR(0, 1) "mark 5 text\n", 2, "expected: mark" },
		{ HDR(0, 1) "mark 5 \"a\" \"b\"\n", 2, "expected: mark" },
		{ HDR(0, 1) "mark 5\n", 2, "expected: mark" },
		{ HDR(0, 0) "address \"\"\n", 2, "without its start and end" },
		{ HDR(0, 0) "start 1\n", 2, "without its start and end" },
		{ HDR(1, 0) META, 6, "the header declares 1 and 0 (truncated?)" },
		{ HDR(0, 1) META, 6, "the header declares 0 and 1 (truncated?)" },
	};

	for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_autoptr(GError) error = NULL;
		g_autoptr(LactdCapFile) cap = NULL;
		g_autofree char *want = g_strdup_printf("line %u: ", cases[i].line);
		/* Some cases hold a NUL: measure up to the last newline. */
		gsize len = strlen(cases[i].text);

		if (strstr(cases[i].why, "NUL"))
			len = sizeof(HDR(0, 0) "name \"x\"\nsta\0rt 1\n") - 1;
		cap = lactd_capfile_parse(cases[i].text, len, &error);
		g_test_message("case %u: %s", i, error ? error->message : "(accepted)");
		g_assert_null(cap);
		g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
		g_assert_true(g_str_has_prefix(error->message, want));
		g_assert_nonnull(strstr(error->message, cases[i].why));
	}
}

/* Too long a value or text is refused, not cut. */
static void
test_limits(void)
{
	g_autoptr(GString) text = g_string_new(HDR(0, 1) META "notify 1 - 0x0001 ");
	g_autoptr(GString) mark = g_string_new(HDR(0, 1) META "mark 1 \"");
	g_autoptr(GError) error = NULL;
	g_autoptr(LactdCapFile) cap = NULL;

	for (guint i = 0; i <= LACTD_CAPFILE_MAX_VALUE; i++)
		g_string_append(text, "ab");
	g_string_append_c(text, '\n');
	cap = lactd_capfile_parse(text->str, text->len, &error);
	g_assert_null(cap);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message, ==, "line 7: value longer than 512 bytes");
	g_clear_error(&error);

	for (guint i = 0; i <= LACTD_CAPFILE_MAX_TEXT; i++)
		g_string_append_c(mark, 'm');
	g_string_append(mark, "\"\n");
	cap = lactd_capfile_parse(mark->str, mark->len, &error);
	g_assert_null(cap);
	g_assert_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
	g_assert_cmpstr(error->message, ==, "line 7: quoted text too long");
}

static void
test_describe(void)
{
	g_autoptr(LactdCapFile) cap = lactd_capfile_new();
	g_autofree char *out = NULL;

	g_free(cap->address);
	cap->address = g_strdup("C0:FF:EE:00:00:01");
	lactd_capfile_add_char(cap, HR, "notify", 0x0012, HRS);
	for (guint i = 0; i < 6; i++) {
		/* byte 0 constant 0xa5, byte 1 counts by one through a wrap,
		 * byte 2 rises by uneven steps, byte 3 varies, bytes 4-5 a
		 * little-endian counter whose low byte wraps. */
		guint v = 250 + i * 3;
		guint8 pkt[6] = { 0xa5, (guint8)(0xfd + i), (guint8)(i * i), (guint8)(i % 2 ? 9 : 1),
				  (guint8)(v & 0xff), (guint8)(v >> 8) };

		lactd_capfile_add_event(cap, T0 + i * 1000000, LACTD_CAP_NOTIFY, HR, 0x0012, pkt,
					i == 5 ? 5 : 6, NULL);
		if (i == 2)
			lactd_capfile_add_event(cap, T0 + 2500000, LACTD_CAP_MARK, NULL, 0, NULL, 0,
						"screen: 12 mL");
	}
	lactd_capfile_add_event(cap, T0 + 9000000, LACTD_CAP_WRITE, NULL, 0x0015,
				(const guint8 *)"\x01\x02", 2, NULL);
	out = lactd_capfile_describe(cap);
	g_test_message("%s", out);
	g_assert_nonnull(strstr(out, "Capture of C0:FF:EE:00:00:01 from lactd"));
	g_assert_nonnull(strstr(out, "0x0012 " HR " [notify] in service " HRS));
	g_assert_nonnull(strstr(out, "   +0.000000  2023-11-14T22:13:20.000000Z  notify   0x0012 " HR));
	g_assert_nonnull(strstr(out, "a5 fd 00 01 fa 00\n"));
	g_assert_nonnull(strstr(out, "   +2.500000  2023-11-14T22:13:22.500000Z  ---- mark \"screen: 12 mL\""));
	g_assert_nonnull(strstr(out, "  " HR " (handle 0x0012): 6 notify, 0 indicate, 0 read, 0 write\n"
				     "   from the device (6 values):\n"
				     "    lengths: 6, 5\n"
				     "    constant bytes (position=value): 0=a5\n"
				     "    count up by one: 1\n"
				     "    rise monotonically: 2 5\n"
				     "    rise as 16-bit little-endian: 4-5\n"));
	g_assert_nonnull(strstr(out, "  handle 0x0015: 0 notify, 0 indicate, 0 read, 1 write\n"
				     "   written to the device (1 values):\n"
				     "    lengths: 2\n"));
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/capfile/new", test_new);
	g_test_add_func("/capfile/order", test_order);
	g_test_add_func("/capfile/kind", test_kind);
	g_test_add_func("/capfile/uuid", test_uuid);
	g_test_add_func("/capfile/round-trip", test_round_trip);
	g_test_add_func("/capfile/json-text", test_json_text);
	g_test_add_func("/capfile/lenient", test_lenient);
	g_test_add_func("/capfile/save-load", test_save_load);
	g_test_add_func("/capfile/errors", test_errors);
	g_test_add_func("/capfile/limits", test_limits);
	g_test_add_func("/capfile/describe", test_describe);
	return g_test_run();
}
