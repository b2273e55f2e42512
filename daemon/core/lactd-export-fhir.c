/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * FHIR R4 Bundle, "collection" (fhir) or "transaction" (fhir-transaction).
 *
 * Every resource's identity is a name-based UUID (RFC 9562 version 5) in the
 * installation's namespace, a random UUID the database made once: the same
 * session exported twice keeps its identity, and two installations never
 * share one. The identity is both the entry's fullUrl and the resource's
 * identifier (system urn:ietf:rfc:3986), so that a transaction creates each
 * resource only if no resource has that identifier yet (request.ifNoneExist):
 * posting the same export twice creates nothing the second time.
 *
 * Resources: the Patient whose log it is (named by the plan's name when
 * set), the infant as a second Patient when the baby was weighed, one
 * Device per Bluetooth address, one Observation per session, and one
 * body-weight Observation (LOINC 29463-7) per stable baby weighing. LOINC
 * has no code for an expressed breast-milk volume, a test-weighed intake, a
 * milk expression session or per-breast duration, so those use lactd's own
 * CodeSystem, published in docs/fhir-codesystem.md and
 * docs/fhir-codesystem.json. A value that was not measured is absent.
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lactd-error.h"
#include "lactd-export-private.h"
#include "lactd-util.h"

#define LACTD_CS "https://lactd.org/fhir/CodeSystem/lactd"
#define CATEGORY_CS "http://terminology.hl7.org/CodeSystem/observation-category"
#define LOINC "http://loinc.org"
#define UCUM "http://unitsofmeasure.org"
#define URI_SYSTEM "urn:ietf:rfc:3986"
#define BT_ADDRESS_SYSTEM "https://lactd.org/fhir/bluetooth-address"

typedef struct {
	JsonBuilder *b;
	guint8 ns[16]; /* the installation's namespace */
	gboolean transaction;
} Fhir;

static gboolean
parse_uuid(const char *text, guint8 out[16])
{
	guint n = 0;

	for (const char *p = text; *p != '\0'; p++) {
		int hi, lo;
		if (*p == '-')
			continue;
		hi = g_ascii_xdigit_value(p[0]);
		lo = p[1] != '\0' ? g_ascii_xdigit_value(p[1]) : -1;
		if (hi < 0 || lo < 0 || n >= 16)
			return FALSE;
		out[n++] = (guint8)(hi << 4 | lo);
		p++;
	}
	return n == 16;
}

/* "urn:uuid:" + version 5 UUID of name in the installation's namespace. */
static char *
urn(const Fhir *f, const char *name)
{
	g_autoptr(GChecksum) sha = g_checksum_new(G_CHECKSUM_SHA1);
	guint8 d[20];
	gsize len = sizeof(d);

	g_checksum_update(sha, f->ns, sizeof(f->ns));
	g_checksum_update(sha, (const guchar *)name, (gssize)strlen(name));
	g_checksum_get_digest(sha, d, &len);
	d[6] = (guint8)((d[6] & 0x0f) | 0x50);
	d[8] = (guint8)((d[8] & 0x3f) | 0x80);
	return g_strdup_printf("urn:uuid:%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-"
			       "%02x%02x%02x%02x%02x%02x",
			       d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], d[8], d[9], d[10],
			       d[11], d[12], d[13], d[14], d[15]);
}

static void
member_string(JsonBuilder *b, const char *key, const char *value)
{
	g_autofree char *valid = NULL;

	if (!g_utf8_validate(value, -1, NULL))
		value = valid = g_utf8_make_valid(value, -1);
	json_builder_set_member_name(b, key);
	json_builder_add_string_value(b, value);
}

/* {"system": system, key: value}, as an identifier or a tag */
static void
system_object(JsonBuilder *b, const char *system, const char *key, const char *value)
{
	json_builder_begin_object(b);
	member_string(b, "system", system);
	member_string(b, key, value);
	json_builder_end_object(b);
}

/* "coding": [{system, code, display}] */
static void
coding_array(JsonBuilder *b, const char *system, const char *code, const char *display)
{
	json_builder_set_member_name(b, "coding");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	member_string(b, "system", system);
	member_string(b, "code", code);
	member_string(b, "display", display);
	json_builder_end_object(b);
	json_builder_end_array(b);
}

static void
coding(JsonBuilder *b, const char *key, const char *system, const char *code,
       const char *display)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_object(b);
	coding_array(b, system, code, display);
	member_string(b, "text", display);
	json_builder_end_object(b);
}

static void
quantity(JsonBuilder *b, const char *key, double value, const char *unit)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "value");
	json_builder_add_double_value(b, lactd_round_ml(value));
	member_string(b, "unit", unit);
	member_string(b, "system", UCUM);
	member_string(b, "code", unit);
	json_builder_end_object(b);
}

static void
reference(JsonBuilder *b, const char *key, const char *target)
{
	json_builder_set_member_name(b, key);
	json_builder_begin_object(b);
	member_string(b, "reference", target);
	json_builder_end_object(b);
}

/* Opens an entry and its resource, with its identity as identifier and,
 * when given, a second identifier; entry_end closes both and adds the
 * transaction's request. */
static void
entry_begin(Fhir *f, const char *id, const char *type, const char *system2, const char *value2)
{
	JsonBuilder *b = f->b;

	json_builder_begin_object(b);
	member_string(b, "fullUrl", id);
	json_builder_set_member_name(b, "resource");
	json_builder_begin_object(b);
	member_string(b, "resourceType", type);
	json_builder_set_member_name(b, "identifier");
	json_builder_begin_array(b);
	system_object(b, URI_SYSTEM, "value", id);
	if (system2 != NULL)
		system_object(b, system2, "value", value2);
	json_builder_end_array(b);
}

static void
entry_end(Fhir *f, const char *id, const char *type)
{
	JsonBuilder *b = f->b;

	json_builder_end_object(b); /* resource */
	if (f->transaction) {
		g_autofree char *cond = g_strconcat("identifier=" URI_SYSTEM "|", id, NULL);

		json_builder_set_member_name(b, "request");
		json_builder_begin_object(b);
		member_string(b, "method", "POST");
		member_string(b, "url", type);
		member_string(b, "ifNoneExist", cond);
		json_builder_end_object(b);
	}
	json_builder_end_object(b); /* entry */
}

static void
category(JsonBuilder *b, const char *code, const char *display)
{
	json_builder_set_member_name(b, "category");
	json_builder_begin_array(b);
	json_builder_begin_object(b);
	coding_array(b, CATEGORY_CS, code, display);
	json_builder_end_object(b);
	json_builder_end_array(b);
}

/* A session's components: each one value of the export's session table
 * (lactd-export-fields.c), which says its unit and when it is absent. */
typedef struct {
	const char *field;
	const char *code; /* in lactd's CodeSystem */
	const char *display;
} Component;

static const Component session_components[] = {
    {"method", "supplement-method", "Supplement feeding method"},
    {"milk", "supplement-milk", "Supplement milk"},
    {"left_ml", "left-breast-volume", "Expressed milk volume, left breast"},
    {"right_ml", "right-breast-volume", "Expressed milk volume, right breast"},
    {"bottle_ml", "bottle-volume", "Expressed milk volume, both breasts, by weighing the bottle"},
    {"total_ml", "expressed-volume", "Expressed milk volume, total"},
    {"intake_ml", "test-weighed-intake", "Milk intake at the breast, by test-weighing"},
    {"left_min", "left-breast-duration", "Duration, left breast"},
    {"right_min", "right-breast-duration", "Duration, right breast"},
    {"interrupted", "interrupted", "Session interrupted"},
};

/* One component, when its value was measured (absent otherwise). */
static void
component(JsonBuilder *b, const Component *c, const LactdExportSession *e)
{
	const LactdField *field = lactd_record_field(&lactd_export_session_table, c->field);
	g_autoptr(GVariant) v = lactd_field_shown(field, e);

	if (v == NULL)
		return;
	json_builder_begin_object(b);
	coding(b, "code", LACTD_CS, c->code, c->display);
	if (g_variant_is_of_type(v, G_VARIANT_TYPE_DOUBLE)) {
		quantity(b, "valueQuantity", g_variant_get_double(v), field->unit);
	} else if (g_variant_is_of_type(v, G_VARIANT_TYPE_BOOLEAN)) {
		json_builder_set_member_name(b, "valueBoolean");
		json_builder_add_boolean_value(b, g_variant_get_boolean(v));
	} else {
		member_string(b, "valueString", g_variant_get_string(v, NULL));
	}
	json_builder_end_object(b);
}

static void
period(JsonBuilder *b, gint64 start_us, gint64 end_us)
{
	g_autofree char *start = lactd_export_iso_utc(start_us);
	g_autofree char *end = lactd_export_iso_utc(MAX(end_us, start_us));

	json_builder_set_member_name(b, "effectivePeriod");
	json_builder_begin_object(b);
	if (start != NULL)
		member_string(b, "start", start);
	if (end != NULL)
		member_string(b, "end", end);
	json_builder_end_object(b);
}

static void
session_entry(Fhir *f, const LactdExportSession *e, const char *patient)
{
	JsonBuilder *b = f->b;
	const LactdSession *s = &e->s;
	g_autofree char *name = g_strdup_printf("session/%" G_GUINT64_FORMAT, s->id);
	g_autofree char *id = urn(f, name);
	const char *code, *display;

	switch (s->kind) {
	case LACTD_SESSION_NURSING:
		code = "breastfeeding-session";
		display = "Breastfeeding session";
		break;
	case LACTD_SESSION_SUPPLEMENT:
		code = "supplement-feed";
		display = "Supplement feed";
		break;
	case LACTD_SESSION_HAND:
		code = "milk-expression-session";
		display = "Milk expression session (hand)";
		break;
	case LACTD_SESSION_PUMP:
	default:
		code = "milk-expression-session";
		display = "Milk expression session (pump)";
		break;
	}
	entry_begin(f, id, "Observation", NULL, NULL);
	/* A session still being recorded may change: not final yet. */
	member_string(b, "status", s->live ? "preliminary" : "final");
	category(b, "activity", "Activity");
	coding(b, "code", LACTD_CS, code, display);
	reference(b, "subject", patient);
	period(b, s->start_us, s->end_us);
	if (s->device != NULL && s->device[0] != '\0') {
		g_autofree char *dname = g_strconcat("device/", s->device, NULL);
		g_autofree char *dev = urn(f, dname);
		reference(b, "device", dev);
	}
	if (s->kind == LACTD_SESSION_SUPPLEMENT)
		quantity(b, "valueQuantity", s->supplement_ml, "mL");
	if (e->has_intake)
		coding(b, "method", LACTD_CS, "test-weighing",
		       "Test-weighing: the baby weighed before and after the feed");
	if (s->note != NULL && s->note[0] != '\0') {
		json_builder_set_member_name(b, "note");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		member_string(b, "text", s->note);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	json_builder_set_member_name(b, "component");
	json_builder_begin_array(b);
	for (guint i = 0; i < G_N_ELEMENTS(session_components); i++)
		component(b, &session_components[i], e);
	json_builder_end_array(b);
	entry_end(f, id, "Observation");
}

static void
weight_entry(Fhir *f, const LactdWeighing *w, const char *infant)
{
	JsonBuilder *b = f->b;
	g_autofree char *name = g_strdup_printf("weighing/%" G_GUINT64_FORMAT, w->id);
	g_autofree char *id = urn(f, name);
	g_autofree char *when = lactd_export_iso_utc(w->time_us);

	entry_begin(f, id, "Observation", NULL, NULL);
	member_string(b, "status", "final");
	category(b, "vital-signs", "Vital Signs");
	coding(b, "code", LOINC, "29463-7", "Body weight");
	reference(b, "subject", infant);
	if (when != NULL)
		member_string(b, "effectiveDateTime", when);
	if (w->device != NULL && w->device[0] != '\0') {
		g_autofree char *dname = g_strconcat("device/", w->device, NULL);
		g_autofree char *dev = urn(f, dname);
		reference(b, "device", dev);
	}
	quantity(b, "valueQuantity", w->grams, "g");
	entry_end(f, id, "Observation");
}

static gboolean
is_body_weight(const LactdWeighing *w)
{
	return w->stable && g_strcmp0(w->role, "baby") == 0 && isfinite(w->grams) && w->grams > 0;
}

static void
patient_entry(Fhir *f, const char *id, const char *name, const char *description)
{
	JsonBuilder *b = f->b;

	entry_begin(f, id, "Patient", NULL, NULL);
	if (name != NULL && name[0] != '\0') {
		json_builder_set_member_name(b, "name");
		json_builder_begin_array(b);
		json_builder_begin_object(b);
		member_string(b, "text", name);
		json_builder_end_object(b);
		json_builder_end_array(b);
	}
	/* Which of the two Patients this is, for a person reading the Bundle. */
	json_builder_set_member_name(b, "meta");
	json_builder_begin_object(b);
	json_builder_set_member_name(b, "tag");
	json_builder_begin_array(b);
	system_object(b, LACTD_CS, "code", description);
	json_builder_end_array(b);
	json_builder_end_object(b);
	entry_end(f, id, "Patient");
}

static void
device_entry(Fhir *f, const char *address)
{
	JsonBuilder *b = f->b;
	g_autofree char *name = g_strconcat("device/", address, NULL);
	g_autofree char *id = urn(f, name);

	entry_begin(f, id, "Device", BT_ADDRESS_SYSTEM, address);
	json_builder_set_member_name(b, "type");
	json_builder_begin_object(b);
	member_string(b, "text", "Bluetooth LE breast pump or scale");
	json_builder_end_object(b);
	entry_end(f, id, "Device");
}

static int
compare_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GBytes *
lactd_export_fhir(const LactdExportData *data, gboolean transaction, GError **error)
{
	g_autoptr(JsonBuilder) b = json_builder_new();
	g_autoptr(JsonNode) root = NULL;
	g_autoptr(GHashTable) devices = g_hash_table_new(g_str_hash, g_str_equal);
	Fhir f = {.b = b, .transaction = transaction};
	g_autofree char *patient = NULL;
	g_autofree char *infant = NULL;
	gboolean weights = FALSE;

	if (!parse_uuid(data->installation_id, f.ns)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
			    "the installation id is not a UUID");
		return NULL;
	}
	patient = urn(&f, "patient");
	infant = urn(&f, "infant");
	for (guint i = 0; i < data->sessions->len; i++) {
		const LactdSession *s = &g_array_index(data->sessions, LactdExportSession, i).s;
		if (s->device != NULL && s->device[0] != '\0')
			g_hash_table_add(devices, s->device);
	}
	for (guint i = 0; i < data->weighings->len; i++) {
		const LactdWeighing *w = g_ptr_array_index(data->weighings, i);
		if (!is_body_weight(w))
			continue;
		weights = TRUE;
		if (w->device != NULL && w->device[0] != '\0')
			g_hash_table_add(devices, w->device);
	}

	json_builder_begin_object(b);
	member_string(b, "resourceType", "Bundle");
	member_string(b, "type", transaction ? "transaction" : "collection");
	member_string(b, "timestamp", data->exported_at);
	json_builder_set_member_name(b, "entry");
	json_builder_begin_array(b);
	patient_entry(&f, patient, data->plan.name, "lactating-parent");
	if (weights)
		patient_entry(&f, infant, NULL, "infant");
	{
		g_autofree const char **addrs =
		    (const char **)g_hash_table_get_keys_as_array(devices, NULL);
		guint n = g_hash_table_size(devices);

		/* Sorted, so the same data gives the same document. */
		qsort(addrs, n, sizeof(*addrs), compare_str);
		for (guint i = 0; i < n; i++)
			device_entry(&f, addrs[i]);
	}
	for (guint i = 0; i < data->sessions->len; i++)
		session_entry(&f, &g_array_index(data->sessions, LactdExportSession, i), patient);
	for (guint i = 0; i < data->weighings->len; i++) {
		const LactdWeighing *w = g_ptr_array_index(data->weighings, i);
		if (is_body_weight(w))
			weight_entry(&f, w, infant);
	}
	json_builder_end_array(b);
	json_builder_end_object(b);

	root = json_builder_get_root(b);
	return lactd_export_json_bytes(root);
}
