/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export tests: JSON and FHIR, checked against an RFC 8259 checker and
 * read back with json-glib. */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "test-export.h"

/* ---- a JSON checker (RFC 8259), recursive descent --------------------------------------- */

typedef struct {
	const char *p;
	guint depth;
} Json;

static gboolean json_value(Json *j);

static void
json_ws(Json *j)
{
	while (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r')
		j->p++;
}

static gboolean
json_lit(Json *j, const char *lit)
{
	gsize n = strlen(lit);

	if (strncmp(j->p, lit, n) != 0)
		return FALSE;
	j->p += n;
	return TRUE;
}

static gboolean
json_str(Json *j)
{
	if (*j->p != '"')
		return FALSE;
	for (j->p++; *j->p != '"'; j->p++) {
		if ((unsigned char)*j->p < 0x20)
			return FALSE;
		if (*j->p == '\\') {
			j->p++;
			if (*j->p == 'u') {
				for (int i = 1; i <= 4; i++)
					if (!g_ascii_isxdigit(j->p[i]))
						return FALSE;
				j->p += 4;
			} else if (strchr("\"\\/bfnrt", *j->p) == NULL || *j->p == '\0') {
				return FALSE;
			}
		}
	}
	j->p++;
	return TRUE;
}

static gboolean
json_num(Json *j)
{
	if (*j->p == '-')
		j->p++;
	if (*j->p == '0')
		j->p++;
	else if (*j->p >= '1' && *j->p <= '9')
		while (g_ascii_isdigit(*j->p))
			j->p++;
	else
		return FALSE;
	if (*j->p == '.') {
		j->p++;
		if (!g_ascii_isdigit(*j->p))
			return FALSE;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	if (*j->p == 'e' || *j->p == 'E') {
		j->p++;
		if (*j->p == '+' || *j->p == '-')
			j->p++;
		if (!g_ascii_isdigit(*j->p))
			return FALSE;
		while (g_ascii_isdigit(*j->p))
			j->p++;
	}
	return TRUE;
}

static gboolean
json_container(Json *j, char close, gboolean object)
{
	if (++j->depth > 64)
		return FALSE;
	j->p++;
	json_ws(j);
	if (*j->p == close) {
		j->p++;
		j->depth--;
		return TRUE;
	}
	for (;;) {
		if (object) {
			json_ws(j);
			if (!json_str(j))
				return FALSE;
			json_ws(j);
			if (*j->p++ != ':')
				return FALSE;
		}
		if (!json_value(j))
			return FALSE;
		json_ws(j);
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		if (*j->p != close)
			return FALSE;
		j->p++;
		j->depth--;
		return TRUE;
	}
}

static gboolean
json_value(Json *j)
{
	json_ws(j);
	switch (*j->p) {
	case '{':
		return json_container(j, '}', TRUE);
	case '[':
		return json_container(j, ']', FALSE);
	case '"':
		return json_str(j);
	case 't':
		return json_lit(j, "true");
	case 'f':
		return json_lit(j, "false");
	case 'n':
		return json_lit(j, "null");
	default:
		return json_num(j);
	}
}

static gboolean
json_valid(const char *text)
{
	Json j = {text, 0};

	if (!json_value(&j))
		return FALSE;
	json_ws(&j);
	return *j.p == '\0';
}

static void
test_json_checker(void)
{
	/* The checker itself must refuse what is not JSON. */
	g_assert_true(json_valid("{\"a\":[1,-2.5e3,true,null,\"x\\u00e9\\n\"]}"));
	g_assert_false(json_valid("{\"a\":1,}"));
	g_assert_false(json_valid("{\"a\" 1}"));
	g_assert_false(json_valid("[01]"));
	g_assert_false(json_valid("[1.]"));
	g_assert_false(json_valid("[NaN]"));
	g_assert_false(json_valid("[\"a\nb\"]"));
	g_assert_false(json_valid("[\"\\x\"]"));
	g_assert_false(json_valid("[1] 2"));
	g_assert_false(json_valid("{\"a\":1"));
}

static JsonNode *
parse_json(const char *text)
{
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;

	g_assert_true(json_valid(text));
	g_assert_true(json_parser_load_from_data(parser, text, -1, &error));
	g_assert_no_error(error);
	return json_node_copy(json_parser_get_root(parser));
}

static JsonObject *
array_object(JsonArray *a, guint i)
{
	return json_array_get_object_element(a, i);
}

static void
test_json(Fixture *f, gconstpointer data)
{
	g_autofree char *json = export(f, "json");
	g_autoptr(JsonNode) root = parse_json(json);
	JsonObject *o = json_node_get_object(root);
	JsonArray *sessions = json_object_get_array_member(o, "sessions");
	JsonObject *s;

	g_assert_cmpstr(json_object_get_string_member(o, "lactd_version"), ==, PACKAGE_VERSION);
	g_assert_cmpint(json_object_get_int_member(o, "format_version"), ==, 2);
	g_assert_cmpstr(json_object_get_string_member(o, "name"), ==, NAME);
	g_assert_cmpstr(json_object_get_string_member(o, "time_zone"), ==, "Europe/Berlin");
	g_assert_cmpint(json_object_get_int_member(json_object_get_object_member(o, "plan"),
						   "sessions_min"), ==, 8);
	g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(o, "range"),
						      "from"), ==, "2024-05-14T09:00:00Z");
	g_assert_cmpuint(json_array_get_length(sessions), ==, f->n_sessions);
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(o, "weighings")), ==, 4);
	s = array_object(sessions, 0);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "left_ml"), 42.5, 1e-9);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "right_ml"), 38, 1e-9);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "total_ml"), 80.5, 1e-9);
	g_assert_cmpstr(json_object_get_string_member(s, "note"), ==, NOTE);
	g_assert_cmpstr(json_object_get_string_member(s, "end_local"), ==,
			"2024-05-14T12:17:30+02:00");
	g_assert_cmpuint(json_array_get_length(json_object_get_array_member(s, "samples")), ==, 3);
	/* Not measured: null, never 0. */
	s = array_object(sessions, 2);
	g_assert_true(json_object_get_null_member(s, "left_ml"));
	g_assert_true(json_object_get_null_member(s, "total_ml"));
	g_assert_true(json_object_get_null_member(s, "intake_ml"));
	s = array_object(sessions, 4);
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "left_ml"), 10, 1e-9);
	g_assert_true(json_object_get_null_member(s, "right_ml"));
	s = array_object(sessions, 5);
	g_assert_true(json_object_get_null_member(s, "left_ml"));
	g_assert_true(json_object_get_null_member(s, "right_ml"));
	g_assert_true(json_object_get_null_member(s, "total_ml"));
	g_assert_cmpfloat_with_epsilon(json_object_get_double_member(s, "intake_ml"), 45, 1e-9);
	g_assert_cmpstr(json_object_get_string_member(s, "intake_method"), ==, "test-weighing");
	g_assert_null(strstr(json, "nan"));
	g_assert_null(strstr(json, "later"));
}

/* The resources of a Bundle by type, and checks common to both kinds. */
static guint
count_type(JsonArray *entries, const char *type)
{
	guint n = 0;

	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *r = json_object_get_object_member(array_object(entries, i), "resource");
		if (g_str_equal(json_object_get_string_member(r, "resourceType"), type))
			n++;
	}
	return n;
}

/* The component codes of an Observation, joined by spaces. */
static char *
component_codes(JsonObject *r)
{
	GString *out = g_string_new(NULL);
	JsonArray *c = json_object_get_array_member(r, "component");

	for (guint i = 0; i < json_array_get_length(c); i++) {
		JsonObject *code = json_object_get_object_member(array_object(c, i), "code");
		JsonObject *coding = array_object(json_object_get_array_member(code, "coding"), 0);
		g_string_append_printf(out, "%s%s", i > 0 ? " " : "",
				       json_object_get_string_member(coding, "code"));
	}
	return g_string_free(out, FALSE);
}

static JsonObject *
observation_at(JsonArray *entries, guint n)
{
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *r = json_object_get_object_member(array_object(entries, i), "resource");
		if (g_str_equal(json_object_get_string_member(r, "resourceType"), "Observation") &&
		    n-- == 0)
			return r;
	}
	g_assert_not_reached();
}

static void
test_fhir(Fixture *f, gconstpointer data)
{
	g_autofree char *fhir = export(f, "fhir");
	g_autoptr(JsonNode) root = parse_json(fhir);
	JsonObject *o = json_node_get_object(root);
	JsonArray *entries = json_object_get_array_member(o, "entry");
	g_autoptr(GHashTable) urls = g_hash_table_new(g_str_hash, g_str_equal);
	g_autofree char *c0 = NULL, *c2 = NULL, *c4 = NULL, *c5 = NULL, *c6 = NULL;
	JsonObject *patient = NULL, *device = NULL;

	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "collection");
	/* The sessions, and the two stable baby weighings as body weights. */
	g_assert_cmpuint(count_type(entries, "Observation"), ==, f->n_sessions + 2);
	g_assert_cmpuint(count_type(entries, "Patient"), ==, 2);
	g_assert_cmpuint(count_type(entries, "Device"), ==, 1);
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *e = array_object(entries, i);
		JsonObject *r = json_object_get_object_member(e, "resource");
		const char *url = json_object_get_string_member(e, "fullUrl");
		JsonObject *ident = array_object(json_object_get_array_member(r, "identifier"), 0);
		const char *type = json_object_get_string_member(r, "resourceType");

		g_assert_true(g_str_has_prefix(url, "urn:uuid:"));
		g_assert_cmpuint(strlen(url), ==, 9 + 36);
		g_assert_cmpint(url[9 + 14], ==, '5'); /* version 5 */
		g_assert_true(g_hash_table_add(urls, (gpointer)url));
		g_assert_cmpstr(json_object_get_string_member(ident, "system"), ==,
				"urn:ietf:rfc:3986");
		g_assert_cmpstr(json_object_get_string_member(ident, "value"), ==, url);
		g_assert_false(json_object_has_member(e, "request"));
		if (g_str_equal(type, "Patient") && patient == NULL)
			patient = r;
		if (g_str_equal(type, "Device"))
			device = r;
		if (g_str_equal(type, "Observation")) {
			g_assert_true(json_object_has_member(r, "category"));
			g_assert_true(g_str_has_prefix(
			    json_object_get_string_member(
				json_object_get_object_member(r, "subject"), "reference"),
			    "urn:uuid:"));
		}
	}
	g_assert_nonnull(patient);
	g_assert_cmpstr(json_object_get_string_member(
			    array_object(json_object_get_array_member(patient, "name"), 0), "text"),
			==, NAME);
	g_assert_nonnull(device);
	g_assert_cmpstr(json_object_get_string_member(
			    array_object(json_object_get_array_member(device, "identifier"), 1),
			    "value"),
			==, BABY_SCALE);
	c0 = component_codes(observation_at(entries, 0));
	g_assert_cmpstr(c0, ==,
			"left-breast-volume right-breast-volume expressed-volume "
			"left-breast-duration interrupted");
	/* Nursing without a measurement: no volume at all. */
	c2 = component_codes(observation_at(entries, 2));
	g_assert_cmpstr(c2, ==, "left-breast-duration interrupted");
	c4 = component_codes(observation_at(entries, 4));
	g_assert_cmpstr(c4, ==, "left-breast-volume expressed-volume left-breast-duration interrupted");
	c5 = component_codes(observation_at(entries, 5));
	g_assert_cmpstr(c5, ==, "test-weighed-intake left-breast-duration interrupted");
	g_assert_true(json_object_has_member(observation_at(entries, 5), "method"));
	c6 = component_codes(observation_at(entries, 6));
	g_assert_cmpstr(c6, ==, "bottle-volume expressed-volume left-breast-duration interrupted");
	/* Body weight, LOINC 29463-7, in g, of the infant. */
	g_assert_nonnull(strstr(fhir, "\"system\":\"http://loinc.org\",\"code\":\"29463-7\""));
	g_assert_nonnull(strstr(fhir, "\"code\":\"vital-signs\""));
	g_assert_nonnull(strstr(fhir, "\"value\":3545.0,\"unit\":\"g\""));
	g_assert_nonnull(strstr(fhir, "\"effectivePeriod\":{\"start\":\"2024-05-14T10:00:00Z\","
				      "\"end\":\"2024-05-14T10:17:30Z\"}"));
}

/* Every code of lactd's CodeSystem that the export uses is published in
 * docs/fhir-codesystem.json. */
static void
test_fhir_codesystem(Fixture *f, gconstpointer data)
{
	g_autofree char *path = g_test_build_filename(G_TEST_DIST, "docs", "fhir-codesystem.json",
						       NULL);
	g_autofree char *fhir = export(f, "fhir");
	g_autoptr(JsonParser) parser = json_parser_new();
	g_autoptr(GError) error = NULL;
	g_autoptr(GHashTable) codes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	g_autoptr(GRegex) re = g_regex_new(
	    "\"system\":\"https://lactd.org/fhir/CodeSystem/lactd\",\"code\":\"([a-z-]+)\"", 0,
	    0, NULL);
	g_autoptr(GMatchInfo) m = NULL;
	JsonObject *cs;
	JsonArray *concepts;
	guint used = 0;

	g_assert_true(json_parser_load_from_file(parser, path, &error));
	g_assert_no_error(error);
	cs = json_node_get_object(json_parser_get_root(parser));
	g_assert_cmpstr(json_object_get_string_member(cs, "url"), ==,
			"https://lactd.org/fhir/CodeSystem/lactd");
	concepts = json_object_get_array_member(cs, "concept");
	for (guint i = 0; i < json_array_get_length(concepts); i++)
		g_hash_table_add(codes, g_strdup(json_object_get_string_member(
					    array_object(concepts, i), "code")));
	g_assert_cmpint(json_object_get_int_member(cs, "count"), ==, g_hash_table_size(codes));
	for (g_regex_match(re, fhir, 0, &m); g_match_info_matches(m); g_match_info_next(m, NULL)) {
		g_autofree char *code = g_match_info_fetch(m, 1);
		if (!g_hash_table_contains(codes, code))
			g_error("code %s is not in docs/fhir-codesystem.json", code);
		used++;
	}
	g_assert_cmpuint(used, >, 20);
}

/* A transaction a FHIR server takes: every entry is a conditional create
 * on its identifier, so posting it twice creates nothing the second time. */
static void
test_fhir_transaction(Fixture *f, gconstpointer data)
{
	g_autofree char *fhir = export(f, "fhir-transaction");
	g_autofree char *collection = export(f, "fhir");
	g_autoptr(JsonNode) root = parse_json(fhir);
	g_autoptr(JsonNode) croot = parse_json(collection);
	JsonObject *o = json_node_get_object(root);
	JsonArray *entries = json_object_get_array_member(o, "entry");
	JsonArray *centries = json_object_get_array_member(json_node_get_object(croot), "entry");

	g_assert_cmpstr(json_object_get_string_member(o, "type"), ==, "transaction");
	g_assert_cmpuint(json_array_get_length(entries), ==, json_array_get_length(centries));
	for (guint i = 0; i < json_array_get_length(entries); i++) {
		JsonObject *e = array_object(entries, i);
		JsonObject *r = json_object_get_object_member(e, "resource");
		JsonObject *req = json_object_get_object_member(e, "request");
		JsonObject *ident = array_object(json_object_get_array_member(r, "identifier"), 0);
		g_autofree char *cond = g_strdup_printf(
		    "identifier=%s|%s", json_object_get_string_member(ident, "system"),
		    json_object_get_string_member(ident, "value"));

		g_assert_nonnull(req);
		g_assert_cmpstr(json_object_get_string_member(req, "method"), ==, "POST");
		g_assert_cmpstr(json_object_get_string_member(req, "url"), ==,
				json_object_get_string_member(r, "resourceType"));
		g_assert_cmpstr(json_object_get_string_member(req, "ifNoneExist"), ==, cond);
		/* Same identities in both kinds of Bundle. */
		g_assert_cmpstr(json_object_get_string_member(e, "fullUrl"), ==,
				json_object_get_string_member(array_object(centries, i), "fullUrl"));
	}
}

/* Two installations: the same session, different identities. */
static void
test_fhir_installations(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "other.db", NULL);
	g_autofree char *degraded = NULL;
	g_autofree char *a = export(f, "fhir");
	g_autofree char *b = NULL;
	g_autoptr(JsonNode) ra = NULL;
	g_autoptr(JsonNode) rb = NULL;
	LactdStore *first = f->store;
	JsonArray *ea, *eb;

	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	add(f, LACTD_SESSION_PUMP, T0, NOTE, TRUE);
	b = export(f, "fhir");
	lactd_store_close(f->store);
	f->store = first;
	ra = parse_json(a);
	rb = parse_json(b);
	ea = json_object_get_array_member(json_node_get_object(ra), "entry");
	eb = json_object_get_array_member(json_node_get_object(rb), "entry");
	/* Patient, Device? no: the other has Patient and the one session. */
	for (guint i = 0; i < json_array_get_length(eb); i++)
		for (guint j = 0; j < json_array_get_length(ea); j++)
			g_assert_cmpstr(
			    json_object_get_string_member(array_object(eb, i), "fullUrl"), !=,
			    json_object_get_string_member(array_object(ea, j), "fullUrl"));
	/* Session 1 in both. */
	g_assert_cmpstr(json_object_get_string_member(
			    json_object_get_object_member(observation_at(eb, 0), "effectivePeriod"),
			    "start"),
			==,
			json_object_get_string_member(
			    json_object_get_object_member(observation_at(ea, 0), "effectivePeriod"),
			    "start"));
	g_unlink(path);
}

void
add_json_tests(void)
{
	g_test_add_func("/export/json/checker", test_json_checker);
	g_test_add("/export/json", Fixture, NULL, fixture_setup, test_json, fixture_teardown);
	g_test_add("/export/fhir", Fixture, NULL, fixture_setup, test_fhir, fixture_teardown);
	g_test_add("/export/fhir/codesystem", Fixture, NULL, fixture_setup, test_fhir_codesystem,
		   fixture_teardown);
	g_test_add("/export/fhir/transaction", Fixture, NULL, fixture_setup,
		   test_fhir_transaction, fixture_teardown);
	g_test_add("/export/fhir/installations", Fixture, NULL, fixture_setup,
		   test_fhir_installations, fixture_teardown);
}
