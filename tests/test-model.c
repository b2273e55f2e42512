/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The field tables (daemon/shared/lactd-model.c): every record round-trips
 * through a{sv} and JSON, a client's bad key or type is refused naming the
 * key, and a side that was not measured is absent, never 0.
 */
#include "config.h"

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-model.h"
#include "lactd-store-private.h"
#include "lactd-store.h"

static LactdSession *
make_session(void)
{
	LactdSession *s = g_new0(LactdSession, 1);

	s->id = 42;
	s->kind = LACTD_SESSION_PUMP;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = 1700000000000000;
	s->end_us = s->start_us + 20 * G_TIME_SPAN_MINUTE;
	s->left_ml = 45.5;
	s->right_ml = 38.0;
	s->has_volume = s->left_measured = s->right_measured = TRUE;
	s->left_seconds = 600;
	s->right_seconds = 540;
	s->note = g_strdup("morning, \"quiet\"\n");
	return s;
}

/* What a client may set travels out and back in unchanged. */
static void
test_session_roundtrip(void)
{
	g_autoptr(LactdSession) s = make_session();
	g_autoptr(LactdSession) back = g_new0(LactdSession, 1);
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_session_to_variant(s, NULL));
	g_autoptr(GVariant) settable = NULL;
	g_autoptr(GError) error = NULL;
	GVariantBuilder b;

	/* Every key of the reply that a client may set goes back in. */
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	for (guint i = 0; i < lactd_session_table.n_fields; i++) {
		const LactdField *f = &lactd_session_table.fields[i];
		g_autoptr(GVariant) x = NULL;

		if (f->dbus_key == NULL)
			continue;
		x = g_variant_lookup_value(v, f->dbus_key, NULL);
		if (f->present == NULL || f->present(s) || (f->flags & LACTD_FIELD_DBUS_ALWAYS))
			g_assert_nonnull(x);
		if (x != NULL)
			g_assert_true(g_variant_is_of_type(x, lactd_field_type(f)));
		if (x != NULL && (f->flags & LACTD_FIELD_SETTABLE))
			g_variant_builder_add(&b, "{sv}", f->dbus_key, x);
	}
	settable = g_variant_ref_sink(g_variant_builder_end(&b));
	g_assert_true(lactd_record_from_variant(&lactd_session_table, back, settable, &error));
	g_assert_no_error(error);
	g_assert_cmpint(back->kind, ==, s->kind);
	g_assert_cmpint(back->start_us, ==, s->start_us);
	g_assert_cmpint(back->end_us, ==, s->end_us);
	g_assert_cmpfloat(back->left_ml, ==, s->left_ml);
	g_assert_cmpfloat(back->right_ml, ==, s->right_ml);
	g_assert_true(back->left_measured && back->right_measured && back->has_volume);
	g_assert_cmpuint(back->left_seconds, ==, s->left_seconds);
	g_assert_cmpuint(back->right_seconds, ==, s->right_seconds);
	g_assert_cmpstr(back->note, ==, s->note);
	/* What only the daemon sets is in the reply, and refused from a client. */
	{
		guint64 id = 0;
		const char *source = NULL;
		double total = 0;
		g_assert_true(g_variant_lookup(v, "id", "t", &id));
		g_assert_cmpuint(id, ==, 42);
		g_assert_true(g_variant_lookup(v, "source", "&s", &source));
		g_assert_cmpstr(source, ==, "manual");
		g_assert_true(g_variant_lookup(v, "total_ml", "d", &total));
		g_assert_cmpfloat_with_epsilon(total, 83.5, 1e-9);
	}
}

static JsonObject *
parse_object(JsonNode *node, JsonParser *parser)
{
	g_autoptr(JsonGenerator) gen = json_generator_new();
	g_autoptr(GError) error = NULL;
	g_autofree char *text = NULL;

	json_generator_set_root(gen, node);
	text = json_generator_to_data(gen, NULL);
	/* Through text, so that escaping is part of the round trip. */
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	return json_node_get_object(json_parser_get_root(parser));
}

static void
test_session_json(void)
{
	g_autoptr(LactdSession) s = make_session();
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o;

	s->right_measured = FALSE;
	s->right_ml = 0;
	node = lactd_record_to_json(&lactd_session_table, s);
	o = parse_object(node, parser);
	g_assert_cmpint(json_object_get_int_member(o, "id"), ==, 42);
	g_assert_cmpstr(json_object_get_string_member(o, "kind"), ==, "pump");
	g_assert_cmpint(json_object_get_int_member(o, "start_us"), ==, s->start_us);
	g_assert_cmpfloat(json_object_get_double_member(o, "left_ml"), ==, 45.5);
	g_assert_cmpstr(json_object_get_string_member(o, "note"), ==, s->note);
	/* Not measured: null, never 0. */
	g_assert_true(json_object_has_member(o, "right_ml"));
	g_assert_true(json_object_get_null_member(o, "right_ml"));
	g_assert_true(json_object_get_null_member(o, "weighed_ml"));
	/* Supplement fields belong to supplements only. */
	g_assert_true(json_object_get_null_member(o, "supplement_ml"));
}

/* A side not measured: left_ml stays on D-Bus for old clients, but the
 * measured list and every other form leave it out. */
static void
test_session_unmeasured(void)
{
	g_autoptr(LactdSession) s = make_session();
	g_autoptr(GVariant) v = NULL;
	g_autofree const char **measured = NULL;
	g_auto(GStrv) header = lactd_record_csv_header(&lactd_session_table);
	g_auto(GStrv) row = NULL;
	gboolean left = TRUE, right = FALSE;

	s->left_measured = FALSE;
	s->left_ml = 0;
	v = g_variant_ref_sink(lactd_session_to_variant(s, NULL));
	g_assert_true(g_variant_lookup(v, "left_measured", "b", &left));
	g_assert_false(left);
	g_assert_true(g_variant_lookup(v, "right_measured", "b", &right));
	g_assert_true(right);
	g_assert_true(g_variant_lookup(v, "measured", "^a&s", &measured));
	g_assert_false(g_strv_contains(measured, "left"));
	g_assert_true(g_strv_contains(measured, "right"));
	g_assert_false(g_variant_lookup(v, "weighed_ml", "d", NULL));
	g_assert_false(g_variant_lookup(v, "supplement_ml", "d", NULL));

	row = lactd_record_csv_row(&lactd_session_table, s);
	g_assert_cmpuint(g_strv_length(row), ==, g_strv_length(header));
	for (guint i = 0; header[i] != NULL; i++) {
		if (g_str_equal(header[i], "left_ml"))
			g_assert_cmpstr(row[i], ==, "");
		if (g_str_equal(header[i], "right_ml"))
			g_assert_cmpstr(row[i], ==, "38.0");
	}

	/* Nothing measured at all: no total either. */
	s->has_volume = s->right_measured = FALSE;
	s->right_ml = 0;
	g_clear_pointer(&v, g_variant_unref);
	v = g_variant_ref_sink(lactd_session_to_variant(s, NULL));
	g_clear_pointer(&measured, g_free);
	g_assert_true(g_variant_lookup(v, "measured", "^a&s", &measured));
	g_assert_cmpuint(g_strv_length((GStrv)measured), ==, 0);
}

static void
expect_refused(const LactdRecord *table, gpointer record, GVariant *dict, const char *prefix)
{
	g_autoptr(GVariant) d = g_variant_ref_sink(dict);
	g_autoptr(GError) error = NULL;

	g_assert_false(lactd_record_from_variant(table, record, d, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_assert_true(g_str_has_prefix(error->message, prefix));
}

static GVariant *
one(const char *key, GVariant *value)
{
	GVariantBuilder b;

	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", key, value);
	return g_variant_builder_end(&b);
}

static void
test_refused(void)
{
	g_autoptr(LactdSession) s = make_session();
	LactdPlan plan = {.sessions_min = 8};

	expect_refused(&lactd_session_table, s, one("colour", g_variant_new_string("red")),
		       "colour: unknown key");
	expect_refused(&lactd_session_table, s, one("left_ml", g_variant_new_string("45")),
		       "left_ml: expected type 'd', got 's'");
	expect_refused(&lactd_session_table, s, one("id", g_variant_new_uint64(7)),
		       "id: set by the daemon");
	expect_refused(&lactd_session_table, s, one("kind", g_variant_new_string("cow")),
		       "kind: unknown kind 'cow' (pump, hand, nursing or supplement)");
	expect_refused(&lactd_session_table, s, one("milk", g_variant_new_string("oat")),
		       "milk: unknown milk 'oat' (expressed, donor or formula)");
	expect_refused(&lactd_session_table, s, one("right_ml", g_variant_new_double(-1)),
		       "right_ml: negative volume");
	expect_refused(&lactd_plan_table, &plan, one("sessions_min", g_variant_new_int32(8)),
		       "sessions_min: expected type 'u', got 'i'");
	expect_refused(&lactd_plan_table, &plan,
		       one("overnight_end", g_variant_new_string("25:00")),
		       "overnight_end: expected a local time HH:MM");
	expect_refused(&lactd_plan_table, &plan,
		       one("start_date", g_variant_new_string("2024-02-30")),
		       "start_date: expected a date YYYY-MM-DD");
	expect_refused(&lactd_plan_table, &plan, one("name", g_variant_new_string("a\nb")),
		       "name: expected at most");
	expect_refused(&lactd_progress_table, &plan, one("sessions_24h", g_variant_new_uint32(1)),
		       "sessions_24h: set by the daemon");
	expect_refused(&lactd_plan_table, &plan, g_variant_new_string("x"),
		       "plan: expected a dictionary");
	g_assert_cmpuint(plan.sessions_min, ==, 8);
}

static void
test_weighing(void)
{
	LactdWeighing w = {.id = 3, .time_us = 1700000000000000, .grams = 123.45, .stable = TRUE};
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_weighing_to_variant(&w));
	g_autoptr(JsonNode) node = lactd_record_to_json(&lactd_weighing_table, &w);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = parse_object(node, parser);
	const char *role = NULL, *device = NULL;
	guint64 session = 1;

	/* No role stored: a bottle; attributed to none: 0 on D-Bus, null in JSON. */
	g_assert_true(g_variant_lookup(v, "role", "&s", &role));
	g_assert_cmpstr(role, ==, "bottle");
	g_assert_true(g_variant_lookup(v, "device", "&s", &device));
	g_assert_cmpstr(device, ==, "");
	g_assert_true(g_variant_lookup(v, "session", "t", &session));
	g_assert_cmpuint(session, ==, 0);
	g_assert_true(json_object_get_null_member(o, "session"));
	g_assert_cmpfloat(json_object_get_double_member(o, "grams"), ==, 123.45);
	g_assert_cmpint(json_object_get_int_member(o, "time_us"), ==, w.time_us);
}

static void
test_day(void)
{
	LactdDaySummary d = {.day = "2024-03-10", .sessions = 3, .minutes = 50};
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_record_to_variant(&lactd_day_table, &d));
	g_autoptr(GVariant) m = NULL;
	g_autoptr(JsonNode) node = NULL;
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o;
	double total = -1;

	/* Feeds at the breast only: a day without a measurement has no volume keys. */
	g_assert_cmpuint(g_variant_n_children(v), ==, 4);
	g_assert_false(g_variant_lookup(v, "total_ml", "d", &total));
	g_assert_false(g_variant_lookup(v, "supplement_ml", "d", &total));

	d.measured = TRUE;
	d.total_ml = 80.5;
	m = g_variant_ref_sink(lactd_record_to_variant(&lactd_day_table, &d));
	g_assert_true(g_variant_lookup(m, "total_ml", "d", &total));
	g_assert_cmpfloat(total, ==, 80.5);
	node = lactd_record_to_json(&lactd_day_table, &d);
	o = parse_object(node, parser);
	g_assert_cmpstr(json_object_get_string_member(o, "day"), ==, "2024-03-10");
	g_assert_cmpfloat(json_object_get_double_member(o, "total_ml"), ==, 80.5);
	g_assert_true(json_object_get_null_member(o, "supplement_ml"));
}

static void
test_plan_roundtrip(void)
{
	LactdPlan p = {.sessions_min = 8, .sessions_max = 12, .overnight_start = 30,
		       .overnight_end = 6 * 60 + 15, .minutes_min = 15, .minutes_max = 20,
		       .start_date = "2024-03-01", .name = "Zoë"};
	LactdPlan back = {0};
	g_autoptr(GVariant) v = g_variant_ref_sink(lactd_record_to_variant(&lactd_plan_table, &p));
	g_autoptr(GError) error = NULL;
	g_autoptr(JsonNode) node = lactd_record_to_json(&lactd_plan_table, &p);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = parse_object(node, parser);
	const char *start = NULL;

	g_assert_true(g_variant_lookup(v, "overnight_start", "&s", &start));
	g_assert_cmpstr(start, ==, "00:30");
	g_assert_true(lactd_record_from_variant(&lactd_plan_table, &back, v, &error));
	g_assert_no_error(error);
	g_assert_cmpmem(&back, sizeof(back), &p, sizeof(p));
	g_assert_cmpstr(json_object_get_string_member(o, "overnight_end"), ==, "06:15");
	g_assert_cmpint(json_object_get_int_member(o, "sessions_max"), ==, 12);
	/* The name is at the top of an export, not in its plan. */
	g_assert_false(json_object_has_member(o, "name"));
}

static void
test_progress(void)
{
	LactdProgress p = {.sessions_24h = 9,
			   .overnight_ok = TRUE,
			   .minutes_per_breast_7d = NAN,
			   .volume_today_ml = NAN,
			   .volume_7d_avg_ml = 410.5,
			   .volume_trend_ml_per_week = NAN,
			   .supplement_7d_avg_ml = NAN,
			   .supplement_trend_ml_per_week = NAN,
			   .days_since_start = 12};
	g_autoptr(GVariant) v =
		g_variant_ref_sink(lactd_record_to_variant(&lactd_progress_table, &p));
	g_autoptr(JsonNode) node = lactd_record_to_json(&lactd_progress_table, &p);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = parse_object(node, parser);
	guint32 n = 0;
	double avg = 0;

	g_assert_true(g_variant_lookup(v, "sessions_24h", "u", &n));
	g_assert_cmpuint(n, ==, 9);
	g_assert_true(g_variant_lookup(v, "volume_7d_avg_ml", "d", &avg));
	g_assert_cmpfloat(avg, ==, 410.5);
	/* The five figures that are NAN are absent, not 0: minutes, today,
	 * the trends and the supplement's average. */
	g_assert_cmpuint(g_variant_n_children(v), ==, lactd_progress_table.n_fields - 5);
	g_assert_false(g_variant_lookup(v, "volume_today_ml", "d", &avg));
	{
		JsonNode *m = json_object_get_member(o, "minutes_per_breast_7d");
		g_assert_true(m == NULL || JSON_NODE_HOLDS_NULL(m));
	}
	g_assert_true(json_object_get_boolean_member(o, "overnight_ok"));
	g_assert_cmpint(json_object_get_int_member(o, "days_since_start"), ==, 12);
}

static void
test_samples(void)
{
	g_autoptr(LactdSession) s = make_session();
	g_autoptr(GArray) samples = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	LactdSample x = {.time_us = s->start_us, .left_ml = 1.5, .right_ml = 2.5};
	g_autoptr(GVariant) v = NULL;
	g_autoptr(GVariant) sv = NULL;
	gint64 t;
	double l, r;

	g_array_append_val(samples, x);
	v = g_variant_ref_sink(lactd_session_to_variant(s, samples));
	sv = g_variant_lookup_value(v, "samples", G_VARIANT_TYPE("a(xdd)"));
	g_assert_nonnull(sv);
	g_assert_cmpuint(g_variant_n_children(sv), ==, 1);
	g_variant_get_child(sv, 0, "(xdd)", &t, &l, &r);
	g_assert_cmpint(t, ==, x.time_us);
	g_assert_cmpfloat(l, ==, 1.5);
	g_assert_cmpfloat(r, ==, 2.5);
}

static void
test_capture(void)
{
	LactdRecInfo info = {.id = 5, .address = (char *)"AA:BB:CC:DD:EE:FF", .name = NULL,
			     .source = (char *)"lactd", .start_us = 1700000000000000, .events = 12,
			     .active = TRUE};
	g_autoptr(GVariant) v =
		g_variant_ref_sink(lactd_record_to_variant(&lactd_capture_table, &info));
	g_autoptr(JsonNode) node = lactd_record_to_json(&lactd_capture_table, &info);
	g_autoptr(JsonParser) parser = json_parser_new();
	JsonObject *o = parse_object(node, parser);
	const char *name = NULL;
	gint64 start = 0;
	gboolean active = FALSE;

	g_assert_true(g_variant_lookup(v, "start", "x", &start));
	g_assert_cmpint(start, ==, info.start_us);
	g_assert_true(g_variant_lookup(v, "name", "&s", &name));
	g_assert_cmpstr(name, ==, "");
	g_assert_true(g_variant_lookup(v, "active", "b", &active));
	g_assert_true(active);
	/* JSON names the time by its unit, as the export does. */
	g_assert_cmpint(json_object_get_int_member(o, "start_us"), ==, info.start_us);
	g_assert_false(json_object_has_member(o, "start"));
	g_assert_cmpint(json_object_get_int_member(o, "events"), ==, 12);
}

/* A session's copy holds its own copy of every text the table names, and
 * both free (ASan and valgrind run this test: a text missed is a leak or a
 * double free there). */
static void
test_session_copy(void)
{
	LactdSession *s = g_new0(LactdSession, 1);
	LactdSession *copy;
	guint texts = 0;

	s->id = 7;
	s->kind = LACTD_SESSION_SUPPLEMENT;
	s->device = g_strdup("C0:FF:EE:00:00:01");
	s->note = g_strdup("after the night feed");
	s->method = g_strdup("cup");
	s->milk = g_strdup("donor");
	s->supplement_ml = 30;
	copy = lactd_session_copy(s);
	g_assert_cmpmem(copy, sizeof(guint64), s, sizeof(guint64));
	for (guint i = 0; i < lactd_session_table.n_fields; i++) {
		const LactdField *f = &lactd_session_table.fields[i];
		char *mine, *theirs;

		if (f->type != LACTD_FIELD_STRING || lactd_field_is_derived(f))
			continue;
		mine = G_STRUCT_MEMBER(char *, s, f->offset);
		theirs = G_STRUCT_MEMBER(char *, copy, f->offset);
		g_assert_nonnull(mine);
		g_assert_true(mine != theirs);
		g_assert_cmpstr(mine, ==, theirs);
		texts++;
	}
	g_assert_cmpuint(texts, ==, 4);
	g_assert_cmpfloat(copy->supplement_ml, ==, 30);
	lactd_session_free(s);
	g_assert_cmpstr(copy->milk, ==, "donor");
	lactd_session_free(copy);
	lactd_session_free(NULL);
	lactd_weighing_free(NULL);
	lactd_rec_info_free(NULL);
}

/* The store's columns come from the tables. */
static void
test_sql(void)
{
	guint n = 0;
	g_autofree char *cols = lactd_record_sql_columns(&lactd_session_table, &n);

	g_assert_true(g_str_has_prefix(cols, "id, kind, source, start_us, end_us, left_ml"));
	g_assert_nonnull(strstr(cols, "extra_ml"));
	g_assert_null(strstr(cols, "total_ml"));
	g_assert_nonnull(strstr(cols, ", weighed"));
	g_assert_cmpuint(n, ==, 21);
	g_assert_cmpstr(lactd_record_sql_field(&lactd_session_table, "left_s")->dbus_key, ==,
			"left_seconds");
	g_assert_null(lactd_record_sql_field(&lactd_session_table, "nothing"));
}

/* Every SQL column a table names exists in the store's schema, so that the
 * store can select and insert by the table's list. */
static void
test_sql_schema(void)
{
	g_autofree char *dir = g_dir_make_tmp("test-model-XXXXXX", NULL);
	g_autofree char *path = g_build_filename(dir, "lactd.db", NULL);
	g_autoptr(GError) error = NULL;
	g_autofree char *why = NULL;
	g_autoptr(LactdStore) store = lactd_store_open(path, &why, &error);
	const struct {
		const LactdRecord *table;
		const char *sql_table;
	} stored[] = {
	    {&lactd_session_table, "sessions"},
	    {&lactd_weighing_table, "weighings"},
	    {&lactd_capture_table, "captures"},
	};

	g_assert_no_error(error);
	g_assert_null(why);
	for (guint i = 0; i < G_N_ELEMENTS(stored); i++) {
		g_autofree char *cols = lactd_record_sql_columns(stored[i].table, NULL);
		g_autofree char *sql = g_strdup_printf("SELECT %s FROM %s", cols, stored[i].sql_table);
		g_autoptr(LactdStoreStmt) stmt = lactd_store_stmt(store, sql, &error);

		g_assert_no_error(error);
		g_assert_nonnull(stmt);
	}
	g_clear_pointer(&store, lactd_store_close);
	{
		g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
		const char *name;

		while (d != NULL && (name = g_dir_read_name(d)) != NULL) {
			g_autofree char *file = g_build_filename(dir, name, NULL);
			g_assert_cmpint(g_unlink(file), ==, 0);
		}
	}
	g_assert_cmpint(g_rmdir(dir), ==, 0);
}

int
main(int argc, char **argv)
{
	g_test_init(&argc, &argv, NULL);
	g_test_add_func("/model/session/roundtrip", test_session_roundtrip);
	g_test_add_func("/model/session/json", test_session_json);
	g_test_add_func("/model/session/unmeasured", test_session_unmeasured);
	g_test_add_func("/model/session/samples", test_samples);
	g_test_add_func("/model/session/copy", test_session_copy);
	g_test_add_func("/model/refused", test_refused);
	g_test_add_func("/model/weighing", test_weighing);
	g_test_add_func("/model/day", test_day);
	g_test_add_func("/model/plan/roundtrip", test_plan_roundtrip);
	g_test_add_func("/model/progress", test_progress);
	g_test_add_func("/model/capture", test_capture);
	g_test_add_func("/model/sql", test_sql);
	g_test_add_func("/model/sql/schema", test_sql_schema);
	return g_test_run();
}
