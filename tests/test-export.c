/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Export: CSV quoting and shape, JSON and FHIR read back, what was not
 * measured left out, refusals, and write errors on the client's fd.
 *
 * This file: the fixture, refusals and write errors, and main(); CSV cases
 * are in test-export-csv.c, JSON and FHIR ones in test-export-json.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lactd-error.h"
#include "lactd-export.h"
#include "lactd-plan.h"
#include "test-export.h"

void
add(Fixture *f, LactdSessionKind kind, gint64 start, const char *note, gboolean volume)
{
	g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
	g_autoptr(GError) error = NULL;

	s->kind = kind;
	s->source = LACTD_SOURCE_MANUAL;
	s->start_us = start;
	s->end_us = start + 17 * G_TIME_SPAN_MINUTE + 30 * G_USEC_PER_SEC;
	s->has_volume = volume;
	s->left_measured = s->right_measured = volume;
	s->left_ml = volume ? 42.5 : 0;
	s->right_ml = volume ? 38 : 0;
	s->left_seconds = 600;
	s->note = g_strdup(note);
	if (kind == LACTD_SESSION_SUPPLEMENT) {
		s->supplement_ml = 60;
		s->method = g_strdup("bottle");
		s->milk = g_strdup("donor");
	}
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	g_assert_no_error(error);
	f->n_sessions++;
	if (kind == LACTD_SESSION_PUMP) {
		LactdSample samples[] = {{start, 0, 0}, {start + 60000000, 10.5, 9}, {start + 120000000, 42.5, 38}};
		g_assert_true(lactd_store_put_samples(f->store, s->id, samples, G_N_ELEMENTS(samples), &error));
		g_assert_no_error(error);
	}
}

static guint64
add_session(Fixture *f, LactdSession *s)
{
	g_autoptr(GError) error = NULL;

	s->source = LACTD_SOURCE_MANUAL;
	s->end_us = s->start_us + 17 * G_TIME_SPAN_MINUTE + 30 * G_USEC_PER_SEC;
	s->left_seconds = 600;
	g_assert_true(lactd_store_add_session(f->store, s, &error));
	g_assert_no_error(error);
	f->n_sessions++;
	return s->id;
}

static void
add_weighing(Fixture *f, gint64 t, double grams, const char *role, guint64 session)
{
	g_autoptr(GError) error = NULL;
	LactdWeighing w = {.time_us = t, .grams = grams, .stable = TRUE,
			   .device = (char *)(g_str_equal(role, "baby") ? BABY_SCALE
									: "AA:BB:CC:DD:EE:FF"),
			   .role = (char *)role};

	g_assert_true(lactd_store_add_weighing(f->store, &w, &error));
	g_assert_no_error(error);
	if (session != 0)
		g_assert_true(lactd_store_set_weighing_session(f->store, w.id, session, &error));
	g_assert_no_error(error);
}

/* Volumes measured in part: `log pump --left 10`, a test-weighed feed of
 * 45 mL, a bottle of 123.5 g weighed for a pump that measured nothing. */
static void
add_special(Fixture *f)
{
	g_autoptr(GError) error = NULL;
	LactdSession left = {.kind = LACTD_SESSION_PUMP, .start_us = T0 + 390 * G_TIME_SPAN_MINUTE,
			     .has_volume = TRUE, .left_measured = TRUE, .left_ml = 10};
	LactdSession feed = {.kind = LACTD_SESSION_NURSING, .start_us = T0 + 8 * G_TIME_SPAN_HOUR,
			     .extra_ml = 45};
	LactdSession bottle = {.kind = LACTD_SESSION_PUMP, .start_us = T0 + 9 * G_TIME_SPAN_HOUR,
			       .extra_ml = 119.9};
	LactdPlan plan;
	GVariantBuilder b;

	add_session(f, &left);
	add_session(f, &feed);
	add_weighing(f, feed.start_us - G_TIME_SPAN_MINUTE, 3500, "baby", feed.id);
	add_weighing(f, feed.end_us + G_TIME_SPAN_MINUTE, 3545, "baby", feed.id);
	add_session(f, &bottle);
	add_weighing(f, bottle.end_us + G_TIME_SPAN_MINUTE, 123.5, "bottle", bottle.id);
	g_assert_true(lactd_plan_load(f->store, &plan, &error));
	g_variant_builder_init(&b, G_VARIANT_TYPE_VARDICT);
	g_variant_builder_add(&b, "{sv}", "name", g_variant_new_string(NAME));
	{
		g_autoptr(GVariant) v = g_variant_ref_sink(g_variant_builder_end(&b));
		g_assert_true(lactd_plan_apply(&plan, v, &error));
	}
	g_assert_true(lactd_plan_save(f->store, &plan, &error));
	g_assert_no_error(error);
}

void
fixture_setup(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = NULL;
	g_autofree char *degraded = NULL;
	LactdWeighing w = {.time_us = T0 + G_TIME_SPAN_HOUR, .grams = 123.45, .stable = TRUE,
			   .device = (char *)"AA:BB:CC:DD:EE:FF", .role = (char *)"bottle"};

	f->dir = g_dir_make_tmp("lactd-export-XXXXXX", &error);
	g_assert_no_error(error);
	path = g_build_filename(f->dir, "lactd.db", NULL);
	f->store = lactd_store_open(path, &degraded, &error);
	g_assert_no_error(error);
	g_assert_null(degraded);

	add(f, LACTD_SESSION_PUMP, T0, NOTE, TRUE);
	add(f, LACTD_SESSION_HAND, T0 + 3 * G_TIME_SPAN_HOUR, "", TRUE);
	add(f, LACTD_SESSION_NURSING, T0 + 5 * G_TIME_SPAN_HOUR, "plain", FALSE);
	add(f, LACTD_SESSION_SUPPLEMENT, T0 + 6 * G_TIME_SPAN_HOUR, "after, \"nursing\"", FALSE);
	add_special(f);
	/* Outside the exported range. */
	add(f, LACTD_SESSION_PUMP, T0 + 3 * G_TIME_SPAN_DAY, "later", TRUE);
	f->n_sessions--;
	g_assert_true(lactd_store_add_weighing(f->store, &w, &error));
	g_assert_no_error(error);
}

void
fixture_teardown(Fixture *f, gconstpointer data)
{
	g_autoptr(GDir) dir = NULL;
	const char *name;

	g_clear_pointer(&f->store, lactd_store_close);
	dir = g_dir_open(f->dir, 0, NULL);
	while (dir != NULL && (name = g_dir_read_name(dir)) != NULL) {
		g_autofree char *p = g_build_filename(f->dir, name, NULL);
		g_unlink(p);
	}
	g_rmdir(f->dir);
	g_free(f->dir);
}

/* The export of [T0 - 1 h, T0 + 1 day) read back from a file. */
char *
export(Fixture *f, const char *format)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *path = g_build_filename(f->dir, "export.out", NULL);
	char *contents = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	g_assert_cmpint(fd, >=, 0);
	g_assert_true(lactd_export_write(f->store, format, T0 - G_TIME_SPAN_HOUR,
					 T0 + G_TIME_SPAN_DAY, fd, &error));
	g_assert_no_error(error);
	g_assert_cmpint(close(fd), ==, 0);
	g_assert_true(g_file_get_contents(path, &contents, NULL, &error));
	g_assert_no_error(error);
	g_assert_true(g_utf8_validate(contents, -1, NULL));
	return contents;
}

/* The time of the export, taken out of a document. */
static char *
without_stamp(const char *doc)
{
	g_autoptr(GRegex) re =
	    g_regex_new("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z", 0, 0, NULL);

	return g_regex_replace_literal(re, doc, -1, 0, "T", 0, NULL);
}

/* The same export twice is the same document (but for the time it was made). */
static void
test_stable(Fixture *f, gconstpointer data)
{
	const char *formats[] = {"csv", "csv-weighings", "json", "fhir", "fhir-transaction"};

	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autofree char *a = export(f, formats[i]);
		g_autofree char *b = export(f, formats[i]);
		g_autofree char *sa = without_stamp(a);
		g_autofree char *sb = without_stamp(b);

		g_assert_cmpstr(sa, ==, sb);
	}
}

static void
test_refused(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	const char *bad[] = {"xml", "", "CSV", "csv ", NULL};

	for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
		g_assert_false(lactd_export_write(f->store, bad[i], 0, 1, STDERR_FILENO, &error));
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
		g_assert_true(g_str_has_prefix(error->message, "format"));
		g_clear_error(&error);
	}
	g_assert_false(lactd_export_write(f->store, "csv", 10, 1, STDERR_FILENO, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
	g_clear_error(&error);
	g_assert_false(lactd_export_write(f->store, "json", 0, 1, -1, &error));
	g_assert_nonnull(error);
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_INVALID_ARGS);
}

/* A reader that went away: an error for the caller, not a dead daemon. */
static void
test_closed_pipe(Fixture *f, gconstpointer data)
{
	const char *formats[] = {"csv", "json", "fhir"};

	for (guint i = 0; i < G_N_ELEMENTS(formats); i++) {
		g_autoptr(GError) error = NULL;
		int p[2];

		g_assert_cmpint(pipe(p), ==, 0);
		close(p[0]);
		g_assert_false(
		    lactd_export_write(f->store, formats[i], 0, G_MAXINT64, p[1], &error));
		g_assert_error(error, LACTD_ERROR, LACTD_ERROR_WRITE);
		g_assert_nonnull(strstr(error->message, g_strerror(EPIPE)));
		close(p[1]);
	}
}

/* A full disk on the client's side. */
static void
test_full(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	int fd = open("/dev/full", O_WRONLY | O_CLOEXEC);

	if (fd < 0) {
		g_test_skip("no /dev/full");
		return;
	}
	g_assert_false(lactd_export_write(f->store, "json", 0, G_MAXINT64, fd, &error));
	g_assert_error(error, LACTD_ERROR, LACTD_ERROR_WRITE);
	g_assert_nonnull(strstr(error->message, g_strerror(ENOSPC)));
	close(fd);
}

/* Larger than a pipe's buffer, through a pipe read as it is written. */
static gpointer
drain(gpointer data)
{
	int fd = GPOINTER_TO_INT(data);
	char buf[4096];
	gsize total = 0;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		total += (gsize)n;
	return GSIZE_TO_POINTER(total);
}

static void
test_pipe_large(Fixture *f, gconstpointer data)
{
	g_autoptr(GError) error = NULL;
	g_autoptr(GThread) reader = NULL;
	int p[2];
	gsize total;

	g_assert_true(lactd_store_begin(f->store, &error));
	for (guint i = 0; i < 2000; i++)
		add(f, LACTD_SESSION_PUMP, T0 + (gint64)i * G_TIME_SPAN_MINUTE, NOTE, TRUE);
	g_assert_true(lactd_store_commit(f->store, &error));
	g_assert_cmpint(pipe(p), ==, 0);
	reader = g_thread_new("drain", drain, GINT_TO_POINTER(p[0]));
	g_assert_true(lactd_export_write(f->store, "json", 0, G_MAXINT64, p[1], &error));
	g_assert_no_error(error);
	close(p[1]);
	total = GPOINTER_TO_SIZE(g_thread_join(g_steal_pointer(&reader)));
	close(p[0]);
	g_assert_cmpuint(total, >, 1 << 20);
}

int
main(int argc, char **argv)
{
	g_setenv("TZ", "Europe/Berlin", TRUE);
	tzset();
	g_test_init(&argc, &argv, NULL);
	/* As in the daemon (GIO's sockets need it too): a closed pipe is EPIPE. */
	signal(SIGPIPE, SIG_IGN);

	add_csv_tests();
	add_json_tests();
	g_test_add("/export/stable", Fixture, NULL, fixture_setup, test_stable, fixture_teardown);
	g_test_add("/export/refused", Fixture, NULL, fixture_setup, test_refused,
		   fixture_teardown);
	g_test_add("/export/closed-pipe", Fixture, NULL, fixture_setup, test_closed_pipe,
		   fixture_teardown);
	g_test_add("/export/full", Fixture, NULL, fixture_setup, test_full, fixture_teardown);
	g_test_add("/export/pipe-large", Fixture, NULL, fixture_setup, test_pipe_large,
		   fixture_teardown);
	return g_test_run();
}
