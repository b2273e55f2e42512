/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Samples in the store: while a session is live each sample is its own
 * durable row (live_samples), so that what a client saw survives kill -9;
 * when the session ends they are compacted into session_samples, one blob
 * a session (lactd-samples.h).
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-samples.h"
#include "lactd-store-private.h"
#include "lactd-util.h"

gboolean
lactd_store_write_sample(LactdStore *store, guint64 session_id, const LactdSample *sample,
			 GError **error)
{
	return lactd_store_run(
	    store,
	    "INSERT INTO live_samples (session, time_us, left_ml, right_ml) VALUES (?1, ?2, ?3, ?4)",
	    "adding a sample", error, "txdd", session_id, sample->time_us,
	    lactd_round_ml(sample->left_ml), lactd_round_ml(sample->right_ml));
}

gboolean
lactd_store_append_sample(LactdStore *store, guint64 session_id, const LactdSample *sample,
			  GError **error)
{
	gboolean ok;

	/* What the disk refused earlier goes first, if it can now. */
	(void)lactd_store_pending_flush(store, NULL);
	if (lactd_store_pending_holds(store, session_id))
		return lactd_store_pending_keep(store, session_id, sample, NULL, error);
	ok = lactd_store_write_sample(store, session_id, sample, error);
	lactd_store_pending_record(store, session_id, sample, NULL, !ok);
	return ok;
}

static GArray *
live_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store,
	    "SELECT time_us, left_ml, right_ml FROM live_samples WHERE session = ?1 "
	    "ORDER BY time_us, rowid",
	    error, "t", session_id);
	g_autoptr(GArray) out = g_array_new(FALSE, FALSE, sizeof(LactdSample));
	int rc;

	if (stmt == NULL)
		return NULL;
	while ((rc = lactd_store_step(store, stmt, "reading samples", error)) == SQLITE_ROW) {
		LactdSample s = {
		    .time_us = sqlite3_column_int64(stmt, 0),
		    .left_ml = sqlite3_column_double(stmt, 1),
		    .right_ml = sqlite3_column_double(stmt, 2),
		};
		g_array_append_val(out, s);
	}
	return rc == SQLITE_DONE ? g_steal_pointer(&out) : NULL;
}

static gboolean
blob_samples(LactdStore *store, guint64 session_id, GArray **out, GError **error)
{
	g_autoptr(LactdStoreStmt) stmt = lactd_store_query(
	    store,
	    "SELECT x.samples FROM sessions s LEFT JOIN session_samples x ON x.session = s.id "
	    "WHERE s.id = ?1",
	    error, "t", session_id);
	int rc;

	if (stmt == NULL)
		return FALSE;
	rc = lactd_store_step(store, stmt, "reading samples", error);
	if (rc == SQLITE_DONE)
		return lactd_store_not_found(error, "session", session_id);
	if (rc != SQLITE_ROW)
		return FALSE;
	return lactd_samples_decode(sqlite3_column_blob(stmt, 0),
				    (gsize)sqlite3_column_bytes(stmt, 0), out, error);
}

GArray *
lactd_store_get_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(GArray) out = NULL;
	g_autoptr(GArray) live = NULL;

	if (!blob_samples(store, session_id, &out, error))
		return NULL;
	live = live_samples(store, session_id, error);
	if (live == NULL)
		return NULL;
	g_array_append_vals(out, live->data, live->len);
	return g_steal_pointer(&out);
}

gboolean
lactd_store_put_samples(LactdStore *store, guint64 session_id, const LactdSample *samples,
			gsize n, GError **error)
{
	g_autoptr(GBytes) blob = lactd_samples_encode(samples, n);

	/* Only for a session that exists; the foreign key would refuse it
	 * too, but with a constraint error rather than "not found". */
	if (!lactd_store_run(store,
			     "INSERT OR REPLACE INTO session_samples (session, samples) "
			     "SELECT id, ?2 FROM sessions WHERE id = ?1",
			     "writing samples", error, "tB", session_id, blob))
		return FALSE;
	if (lactd_store_changes(store) == 0)
		return lactd_store_not_found(error, "session", session_id);
	return TRUE;
}

gboolean
lactd_store_move_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_autoptr(GArray) all = lactd_store_get_samples(store, session_id, error);

	return all != NULL &&
	       lactd_store_put_samples(store, session_id, (const LactdSample *)(void *)all->data,
				       all->len, error) &&
	       lactd_store_run(store, "DELETE FROM live_samples WHERE session = ?1",
			       "compacting samples", error, "t", session_id);
}

gboolean
lactd_store_compact_samples(LactdStore *store, guint64 session_id, GError **error)
{
	g_auto(LactdStoreTx) tx = LACTD_STORE_TX_INIT;

	if (!lactd_store_tx_begin(&tx, store, error))
		return FALSE;
	/* Not written yet: the queue's flush compacts it (lactd-store-pending.c). */
	if (lactd_store_pending_holds(store, session_id)) {
		g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
			    "session %" G_GUINT64_FORMAT " is kept in memory until the disk takes "
			    "writes again; its samples are compacted then",
			    session_id);
		return FALSE;
	}
	if (!lactd_store_move_samples(store, session_id, error))
		return FALSE;
	return lactd_store_tx_commit(&tx, error);
}
