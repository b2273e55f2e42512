/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Writes tests/data/store-v4.db: a small database made through the store as
 * it was at schema version 4 (main at c8098d4, before the store was split
 * and the samples re-encoded). It was built and run once against that tree;
 * kept here so the fixture's contents can be read and remade. tests/test-store-v4.c
 * opens the committed file with today's code and checks every value below.
 *
 * Usage (in a build of that tree): make-store-v4 OUTPUT.db
 */
#include "config.h"

#include <glib/gstdio.h>

#include "lactd-recstore.h"
#include "lactd-store.h"

/* 2024-03-01 08:00:00 UTC */
#define T0 G_GINT64_CONSTANT(1709280000000000)
#define MINUTE G_TIME_SPAN_MINUTE
#define SEC G_TIME_SPAN_SECOND

static void
check(gboolean ok, GError *error)
{
	if (!ok) {
		g_printerr("make-store-v4: %s\n", error != NULL ? error->message : "failed");
		exit(1);
	}
}

static LactdSession *
pump(gint64 start, gint64 minutes, double left, double right, guint sides)
{
	LactdSession *s = g_new0(LactdSession, 1);

	s->kind = LACTD_SESSION_PUMP;
	s->source = LACTD_SOURCE_DEVICE;
	s->start_us = start;
	s->end_us = start + minutes * MINUTE;
	s->left_ml = left;
	s->right_ml = right;
	s->has_volume = TRUE;
	s->left_measured = (sides & 1) != 0;
	s->right_measured = (sides & 2) != 0;
	s->left_seconds = (sides & 1) ? (guint32)(minutes * 60) : 0;
	s->right_seconds = (sides & 2) ? (guint32)(minutes * 60) : 0;
	s->device = g_strdup("C0:FF:EE:00:00:01");
	return s;
}

/* One sample a second: left rises by 0.1 mL every @lstep s, right every @rstep s. */
static void
samples(LactdStore *store, guint64 id, gint64 start, guint n, guint lstep, guint rstep,
	gboolean compact)
{
	GError *error = NULL;

	for (guint i = 0; i < n; i++) {
		LactdSample x = {start + (gint64)(i + 1) * SEC, lstep ? (i / lstep) / 10.0 : 0,
				 rstep ? (i / rstep) / 10.0 : 0};
		check(lactd_store_append_sample(store, id, &x, &error), error);
	}
	if (compact)
		check(lactd_store_compact_samples(store, id, &error), error);
}

int
main(int argc, char **argv)
{
	GError *error = NULL;
	g_autofree char *degraded = NULL;
	LactdStore *store;

	if (argc != 2) {
		g_printerr("usage: make-store-v4 OUTPUT.db\n");
		return 2;
	}
	g_unlink(argv[1]);
	store = lactd_store_open(argv[1], &degraded, &error);
	check(store != NULL, error);

	/* 1: both sides, 120 samples, ended normally, with the device's record. */
	{
		g_autoptr(LactdSession) s = pump(T0, 2, 12.3, 11.9, 3);
		s->device_session = 41;
		s->note = g_strdup("both sides, 'quoted' ünïcode");
		check(lactd_store_add_session(store, s, &error), error);
		samples(store, s->id, s->start_us, 120, 10, 11, TRUE);
		check(lactd_store_set_part_recorded(store, s->device, 41, &error), error);
	}
	/* 2: left only, 60 samples. */
	{
		g_autoptr(LactdSession) s = pump(T0 + 3 * G_TIME_SPAN_HOUR, 1, 6.1, 0, 1);
		s->device_session = 42;
		check(lactd_store_add_session(store, s, &error), error);
		samples(store, s->id, s->start_us, 60, 10, 0, TRUE);
	}
	/* 3: two single-side units together: a second device's part. */
	{
		g_autoptr(LactdSession) s = pump(T0 + 6 * G_TIME_SPAN_HOUR, 1, 5.0, 4.5, 3);
		s->device_session = 43;
		check(lactd_store_add_session(store, s, &error), error);
		check(lactd_store_add_session_part(store, s->id, "C0:FF:EE:00:00:02", 7, &error),
		      error);
		check(lactd_store_set_part_recorded(store, "C0:FF:EE:00:00:02", 7, &error), error);
		samples(store, s->id, s->start_us, 60, 12, 13, TRUE);
	}
	/* 4: interrupted: live when lactd stopped, closed at the next start. */
	{
		g_autoptr(LactdSession) s = pump(T0 + 9 * G_TIME_SPAN_HOUR, 1, 3.0, 2.9, 3);
		s->device_session = 44;
		s->live = TRUE;
		check(lactd_store_add_session(store, s, &error), error);
		samples(store, s->id, s->start_us, 30, 10, 10, FALSE);
		check(lactd_store_close_live_sessions(store, &error) == 1, error);
	}
	/* 5: still live, its samples as rows (as after kill -9). */
	{
		g_autoptr(LactdSession) s = pump(T0 + 12 * G_TIME_SPAN_HOUR, 0, 0.9, 0.8, 3);
		s->device_session = 45;
		s->live = TRUE;
		check(lactd_store_add_session(store, s, &error), error);
		samples(store, s->id, s->start_us, 10, 1, 1, FALSE);
	}
	/* 6: hand expression, manual, no samples. */
	{
		g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
		s->kind = LACTD_SESSION_HAND;
		s->source = LACTD_SOURCE_MANUAL;
		s->start_us = T0 + 14 * G_TIME_SPAN_HOUR;
		s->end_us = s->start_us + 15 * MINUTE;
		s->has_volume = TRUE;
		s->left_measured = s->right_measured = TRUE;
		s->left_ml = 4.2;
		s->right_ml = 3.8;
		s->left_seconds = 420;
		s->right_seconds = 480;
		s->note = g_strdup("hand");
		check(lactd_store_add_session(store, s, &error), error);
	}
	/* 7: nursing with a test-weighing (baby scale, before and after). */
	{
		g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
		LactdWeighing pre = {0, T0 + 16 * G_TIME_SPAN_HOUR - MINUTE, 4210.0, TRUE,
				     "C0:FF:EE:00:00:03", "baby", 0};
		LactdWeighing post = {0, T0 + 16 * G_TIME_SPAN_HOUR + 21 * MINUTE, 4236.0, TRUE,
				      "C0:FF:EE:00:00:03", "baby", 0};
		s->kind = LACTD_SESSION_NURSING;
		s->source = LACTD_SOURCE_MANUAL;
		s->start_us = T0 + 16 * G_TIME_SPAN_HOUR;
		s->end_us = s->start_us + 20 * MINUTE;
		s->extra_ml = 26.0;
		s->left_seconds = 600;
		s->right_seconds = 540;
		check(lactd_store_add_session(store, s, &error), error);
		pre.session = post.session = s->id;
		check(lactd_store_add_weighing(store, &pre, &error), error);
		check(lactd_store_add_weighing(store, &post, &error), error);
	}
	/* 8: a supplement. */
	{
		g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
		s->kind = LACTD_SESSION_SUPPLEMENT;
		s->source = LACTD_SOURCE_MANUAL;
		s->start_us = s->end_us = T0 + 17 * G_TIME_SPAN_HOUR;
		s->supplement_ml = 30.5;
		s->method = g_strdup("at-breast");
		s->milk = g_strdup("donor");
		check(lactd_store_add_session(store, s, &error), error);
	}
	/* A bottle weighing attributed to none, and an unstable one. */
	{
		LactdWeighing w1 = {0, T0 + 18 * G_TIME_SPAN_HOUR, 152.4, TRUE,
				    "C0:FF:EE:00:00:04", "bottle", 0};
		LactdWeighing w2 = {0, T0 + 18 * G_TIME_SPAN_HOUR + SEC, 150.1, FALSE,
				    "C0:FF:EE:00:00:04", "bottle", 0};
		check(lactd_store_add_weighing(store, &w1, &error), error);
		check(lactd_store_add_weighing(store, &w2, &error), error);
	}
	/* Devices. */
	{
		LactdDeviceRow pumpdev = {"C0:FF:EE:00:00:01", "Open Pump", "pump", "openpump",
					  "both", "bottle", TRUE, T0 + 13 * G_TIME_SPAN_HOUR, 3};
		LactdDeviceRow scale = {"C0:FF:EE:00:00:03", "Baby Scale", "scale", "acaia",
					"unknown", "baby", FALSE, T0 + 16 * G_TIME_SPAN_HOUR, 0};
		check(lactd_store_put_device(store, &pumpdev, &error), error);
		check(lactd_store_put_device(store, &scale, &error), error);
	}
	/* The plan, as lactd_plan_save prints it. */
	check(lactd_store_set_setting(store, "plan",
				      "{'sessions_min': <uint32 9>, 'sessions_max': <uint32 11>, "
				      "'overnight_start': <'23:30'>, 'overnight_end': <'05:00'>, "
				      "'minutes_min': <uint32 16>, 'minutes_max': <uint32 19>, "
				      "'start_date': <'2024-02-20'>, 'name': <'relactation'>}",
				      &error),
	      error);
	/* A recording of a device's traffic. */
	{
		LactdRecInfo info = {0, "C0:FF:EE:00:00:09", "Mystery Pump", "lactd", T0, 0, TRUE, 0};
		LactdRecChar chr = {"0000fff1-0000-1000-8000-00805f9b34fb", "notify", 0x2a,
				    "0000fff0-0000-1000-8000-00805f9b34fb"};
		static const guint8 bytes[] = {0x01, 0x02, 0xfe};
		g_autoptr(GBytes) value = g_bytes_new_static(bytes, sizeof(bytes));
		LactdRecEvent ev = {T0 + SEC, LACTD_REC_NOTIFY, chr.uuid, 0x2a, value, NULL};
		LactdRecEvent mark = {T0 + 2 * SEC, LACTD_REC_MARK, NULL, 0, NULL, "start"};
		check(lactd_recstore_add(store, &info, &error), error);
		check(lactd_recstore_add_char(store, info.id, &chr, &error), error);
		check(lactd_recstore_add_event(store, info.id, &ev, &error), error);
		check(lactd_recstore_add_event(store, info.id, &mark, &error), error);
		check(lactd_recstore_finish(store, info.id, T0 + 3 * SEC, &error), error);
	}
	lactd_store_close(store);
	return 0;
}
