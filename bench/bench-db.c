/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A synthetic history for the benchmarks, written through the store API as
 * the daemon writes it (bench-db.h). */
#include "config.h"

#include <math.h>

#include "bench-db.h"
#include "lactd-store.h"

void
bench_db_build(const char *path, guint years, guint64 *n_sessions)
{
	g_autoptr(GError) error = NULL;
	g_autofree char *degraded = NULL;
	g_autoptr(LactdStore) store = lactd_store_open(path, &degraded, &error);
	gint64 now = g_get_real_time();
	gint64 first = now - (gint64)years * 365 * G_TIME_SPAN_DAY;
	g_autoptr(GArray) samples = g_array_sized_new(FALSE, FALSE, sizeof(LactdSample), 1200);
	GRand *rand = g_rand_new_with_seed(42);

	g_assert_no_error(error);
	*n_sessions = 0;
	for (gint64 day = first; day < now - G_TIME_SPAN_DAY; day += G_TIME_SPAN_DAY) {
		g_assert_true(lactd_store_begin(store, &error));
		for (guint k = 0; k < 12; k++) {
			g_autoptr(LactdSession) s = g_new0(LactdSession, 1);
			double left = g_rand_double_range(rand, 5, 90);
			double right = g_rand_double_range(rand, 5, 90);

			s->kind = LACTD_SESSION_PUMP;
			s->source = LACTD_SOURCE_DEVICE;
			s->start_us = day + (gint64)k * 2 * G_TIME_SPAN_HOUR;
			s->end_us = s->start_us + 20 * G_TIME_SPAN_MINUTE;
			s->left_ml = round(left * 10) / 10;
			s->right_ml = round(right * 10) / 10;
			s->has_volume = TRUE;
			s->left_seconds = s->right_seconds = 1200;
			s->device = g_strdup("C0:FF:EE:00:00:01");
			s->device_session = (guint32)(*n_sessions + 1);
			g_assert_true(lactd_store_add_session(store, s, &error));
			g_array_set_size(samples, 0);
			for (guint i = 0; i < 1200; i++) {
				LactdSample x = {s->start_us + (gint64)(i + 1) * G_USEC_PER_SEC,
						 round(left * i / 1199.0 * 10) / 10,
						 round(right * i / 1199.0 * 10) / 10};
				g_array_append_val(samples, x);
			}
			g_assert_true(lactd_store_put_samples(store, s->id,
							      (LactdSample *)(void *)samples->data,
							      samples->len, &error));
			(*n_sessions)++;
		}
		g_assert_true(lactd_store_commit(store, &error));
	}
	g_rand_free(rand);
}
