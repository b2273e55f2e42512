/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A live session's running totals, written with its samples.
 *
 * Each volume a pump reports is one sample and new running totals for its
 * session (both sides' volumes and seconds, and the end). Writing both the
 * sample row and the session's row in one transaction costs a second page
 * in every commit. So when a sample changes nothing of the session's row
 * but those totals, the totals go into the sample's own row (live_samples'
 * left_s, right_s and end_us, with its volumes) in one statement, and the
 * session's row is brought up to date later: before the next statement of
 * any other kind (a read included), before a transaction, and at close.
 *
 * Durability is the sample's: after a kill, lactd_store_close_live_sessions
 * rebuilds the row from its last sample that holds totals. For that to be
 * right, a sample that holds totals must always be newer than the row: any
 * full write of the row (a history record replacing the live figures, the
 * end, an edit) clears the totals of the session's samples in the same
 * transaction (lactd_store_totals_written).
 *
 * What is known of each live session (LiveTotals) is kept only while it is
 * exact: a write inside a transaction is taken as done when the transaction
 * commits, and a rollback makes the next sample write the whole row again.
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"
#include "lactd-util.h"

typedef struct {
	guint64 id;
	LactdSession *row;  /* the row as written; NULL: not known, write it whole */
	gboolean dirty;	    /* the row's totals are newer than the file's (and durable
			     * in the last sample) */
	gboolean seconds;   /* some samples of it may hold totals */
	gboolean in_tx;	    /* written whole in the open transaction */
	gboolean said;	    /* its totals' failed write is in the log */
} LiveTotals;

/* The columns the fast path leaves to the sample. */
static const char *const totals_columns[] = {"end_us", "left_ml", "right_ml", "left_s",
					     "right_s", NULL};

static void
totals_free(LiveTotals *t)
{
	g_clear_pointer(&t->row, lactd_session_free);
	g_free(t);
}

static LiveTotals *
lookup(LactdStore *store, guint64 id)
{
	return store->totals != NULL ? g_hash_table_lookup(store->totals, &id) : NULL;
}

static void
set_dirty(LactdStore *store, LiveTotals *t, gboolean dirty)
{
	if (t->dirty == dirty)
		return;
	t->dirty = dirty;
	if (dirty)
		store->totals_dirty++;
	else
		store->totals_dirty--;
}

static void
forget(LactdStore *store, guint64 id)
{
	LiveTotals *t = lookup(store, id);

	if (t == NULL)
		return;
	set_dirty(store, t, FALSE);
	g_hash_table_remove(store->totals, &id);
}

static gboolean
write_totals(LactdStore *store, const LactdSession *s, GError **error)
{
	return lactd_store_run(store,
			       "UPDATE sessions SET end_us = ?2, left_ml = ?3, right_ml = ?4, "
			       "left_s = ?5, right_s = ?6 WHERE id = ?1",
			       "writing a session's totals", error, "txdduu", s->id, s->end_us,
			       lactd_round_ml(s->left_ml), lactd_round_ml(s->right_ml),
			       (guint)s->left_seconds, (guint)s->right_seconds);
}

void
lactd_store_totals_flush(LactdStore *store)
{
	GHashTableIter it;
	LiveTotals *t;

	if (store->totals_dirty == 0 || store->totals_busy || store->db == NULL ||
	    !sqlite3_get_autocommit(store->db))
		return;
	store->totals_busy = TRUE;
	g_hash_table_iter_init(&it, store->totals);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&t)) {
		g_autoptr(GError) local = NULL;

		if (!t->dirty)
			continue;
		/* Not written: still durable in the sample, and written with
		 * the next write of the row or rebuilt at the next start. */
		if (!write_totals(store, t->row, &local)) {
			/* Tried again before each statement: said once. */
			if (!t->said)
				g_message("storage: the running totals of session %" G_GUINT64_FORMAT
					  " stay in its last sample until the disk takes them: %s",
					  t->id, local->message);
			t->said = TRUE;
			continue;
		}
		t->said = FALSE;
		set_dirty(store, t, FALSE);
	}
	store->totals_busy = FALSE;
}

gboolean
lactd_store_totals_clear_samples(LactdStore *store, guint64 session_id, GError **error)
{
	LiveTotals *t = lookup(store, session_id);

	if (t == NULL || !t->seconds)
		return TRUE;
	return lactd_store_run(store,
			       "UPDATE live_samples SET left_s = NULL, right_s = NULL, "
			       "end_us = NULL WHERE session = ?1 AND end_us IS NOT NULL",
			       "clearing the totals of samples", error, "t", session_id);
}

void
lactd_store_totals_row_written(LactdStore *store, const LactdSession *session)
{
	LiveTotals *t = lookup(store, session->id);

	if (t == NULL)
		return;
	if (sqlite3_get_autocommit(store->db)) {
		/* Durable now. */
		if (!session->live) {
			forget(store, session->id);
			return;
		}
		set_dirty(store, t, FALSE);
		t->seconds = FALSE;
		g_clear_pointer(&t->row, lactd_session_free);
		t->row = lactd_session_copy(session);
		return;
	}
	t->in_tx = TRUE;
	set_dirty(store, t, FALSE);
	g_clear_pointer(&t->row, lactd_session_free);
	if (session->live)
		t->row = lactd_session_copy(session);
}

void
lactd_store_totals_tx_end(LactdStore *store, gboolean committed)
{
	GHashTableIter it;
	LiveTotals *t;

	if (store->totals == NULL)
		return;
	g_hash_table_iter_init(&it, store->totals);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&t)) {
		if (!t->in_tx)
			continue;
		t->in_tx = FALSE;
		if (committed) {
			t->seconds = FALSE;
			if (t->row == NULL) { /* no longer live */
				g_hash_table_iter_remove(&it);
				continue;
			}
		} else {
			/* The row is as before the transaction; its samples'
			 * totals may be too. */
			g_clear_pointer(&t->row, lactd_session_free);
			t->seconds = TRUE;
			/* If the row was behind its last sample, reads see it
			 * so until the next sample writes it whole; a restart
			 * takes the totals from that sample. */
		}
	}
}

/* Only the totals differ from the row as written: the sample may carry them. */
static gboolean
totals_only(LiveTotals *t, const LactdSession *session)
{
	return t != NULL && t->row != NULL && !t->in_tx &&
	       lactd_store_record_same_columns(&lactd_session_table, t->row, session,
					       totals_columns);
}

static gboolean
insert_with_totals(LactdStore *store, const LactdSession *s, const LactdSample *sample,
		   GError **error)
{
	gboolean ok;

	store->totals_busy = TRUE;
	ok = lactd_store_run(store,
			     "INSERT INTO live_samples (session, time_us, left_ml, right_ml, left_s, "
			     "right_s, end_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
			     "adding a sample", error, "txdduux", s->id, sample->time_us,
			     lactd_round_ml(sample->left_ml), lactd_round_ml(sample->right_ml),
			     (guint)s->left_seconds, (guint)s->right_seconds, s->end_us);
	store->totals_busy = FALSE;
	return ok;
}

/* The sample and the whole row, in one transaction. A live session is
 * followed from here on: the row written is known once the transaction
 * commits (lactd_store_totals_row_written, _tx_end). */
static gboolean
write_whole(LactdStore *store, const LactdSession *session, const LactdSample *sample,
	    GError **error)
{
	if (session->live && lookup(store, session->id) == NULL) {
		LiveTotals *t = g_new0(LiveTotals, 1);

		if (store->totals == NULL)
			store->totals = g_hash_table_new_full(g_int64_hash, g_int64_equal, NULL,
							      (GDestroyNotify)totals_free);
		t->id = session->id;
		g_hash_table_insert(store->totals, &t->id, t);
	}
	if (!lactd_store_begin(store, error))
		return FALSE;
	if (!lactd_store_append_sample(store, session->id, sample, error) ||
	    !lactd_store_update_session(store, session, error)) {
		lactd_store_rollback(store);
		return FALSE;
	}
	return lactd_store_commit(store, error);
}

gboolean
lactd_store_add_live_sample(LactdStore *store, const LactdSession *session,
			    const LactdSample *sample, GError **error)
{
	LiveTotals *t = lookup(store, session->id);
	g_autoptr(GError) local = NULL;

	if (store->depth > 0 || lactd_store_pending_count(store) > 0 ||
	    !sqlite3_get_autocommit(store->db) || !totals_only(t, session))
		return write_whole(store, session, sample, error);
	if (!insert_with_totals(store, session, sample, &local)) {
		/* The whole write says and keeps what the disk refuses. */
		g_debug("a sample with its totals: %s; written whole", local->message);
		return write_whole(store, session, sample, error);
	}
	t->seconds = TRUE;
	t->row->end_us = session->end_us;
	t->row->left_ml = session->left_ml;
	t->row->right_ml = session->right_ml;
	t->row->left_seconds = session->left_seconds;
	t->row->right_seconds = session->right_seconds;
	set_dirty(store, t, TRUE);
	return TRUE;
}

gboolean
lactd_store_totals_rebuild(LactdStore *store, guint64 session_id, GError **error)
{
	/* The last sample written, by rowid: rowids only grow within a session,
	 * whose rows stay until it is compacted. */
	return lactd_store_run(
	    store,
	    "UPDATE sessions SET (end_us, left_ml, right_ml, left_s, right_s) = "
	    "(SELECT end_us, left_ml, right_ml, left_s, right_s FROM live_samples "
	    " WHERE session = ?1 AND end_us IS NOT NULL ORDER BY rowid DESC LIMIT 1) "
	    "WHERE id = ?1 AND EXISTS "
	    "(SELECT 1 FROM live_samples WHERE session = ?1 AND end_us IS NOT NULL)",
	    "taking a session's totals from its last sample", error, "t", session_id);
}

void
lactd_store_totals_free(LactdStore *store)
{
	g_clear_pointer(&store->totals, g_hash_table_unref);
	store->totals_dirty = 0;
}
