/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Live readings kept in memory while the disk refuses them. When a sample
 * append or a session update fails with SQLITE_FULL or an I/O error (or the
 * transaction holding it cannot commit), the call still fails, as nothing
 * it wrote is durable, but the sample or the session's state is queued
 * here. The queue is written, in order and in one transaction, before the
 * next write (so as soon as a write can succeed again) and at close.
 *
 * A live session that starts while the disk is full is kept here too: its
 * INSERT is queued under an id reserved in memory (above every id written,
 * deleted or reserved), its samples and updates queue behind it (an update
 * replaces the INSERT's values, so the row is written with the newest), and
 * writes for it go straight to the queue until the row is written. The
 * reserved ids are above every other row's: lactd_store_add_session gives a
 * session added meanwhile an id past them. If lactd stops while the queue
 * holds a reserved id and cannot write it, the id was never on disk and the
 * next start may use it for another session: nothing on disk refers to it.
 *
 * Bound: LACTD_STORE_PENDING_MAX entries. A session's updates replace each
 * other in the queue, so a capture at 1 Hz on both sides of one pump takes
 * one entry a second: about 27 hours of it. Past the bound new readings are
 * dropped, and said once in the log and in the store's problem.
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-store-private.h"

typedef struct {
	guint64 session_id;
	gboolean is_sample;
	gboolean insert; /* the session's row is not written yet */
	LactdSample sample;
	LactdSession *session; /* when !is_sample */
} PendingOp;

struct _LactdStorePending {
	GQueue queue;	       /* PendingOp, oldest first */
	GHashTable *sessions;  /* session id -> its PendingOp in queue */
	GPtrArray *tx_ops;     /* PendingOp written in the open transaction */
	gboolean tx_failed;    /* a write in it failed for the disk */
	gboolean full_logged;  /* the bound was reached and said */
	guint dropped;	       /* readings lost past the bound */
	gboolean flushing;
	gboolean refused;      /* the last transaction failed for the disk */
	guint64 reserved;      /* the highest id reserved by a queued INSERT */
};

static void
op_free(PendingOp *op)
{
	if (op->session != NULL)
		lactd_session_free(op->session);
	g_free(op);
}

static LactdStorePending *
pending(LactdStore *store)
{
	if (store->pending == NULL) {
		store->pending = g_new0(LactdStorePending, 1);
		g_queue_init(&store->pending->queue);
		store->pending->sessions = g_hash_table_new(g_int64_hash, g_int64_equal);
		store->pending->tx_ops = g_ptr_array_new_with_free_func((GDestroyNotify)op_free);
	}
	return store->pending;
}

gboolean
lactd_store_disk_failed(LactdStore *store)
{
	int rc = sqlite3_errcode(store->db) & 0xff;

	return rc == SQLITE_FULL || rc == SQLITE_IOERR;
}

/* FALSE when the bound is reached: @op is dropped. */
static gboolean
enqueue(LactdStore *store, PendingOp *op)
{
	LactdStorePending *p = pending(store);
	PendingOp *older;

	if (!op->is_sample &&
	    (older = g_hash_table_lookup(p->sessions, &op->session_id)) != NULL) {
		/* The newer state of the same session replaces the older. */
		lactd_session_free(older->session);
		older->session = g_steal_pointer(&op->session);
		op_free(op);
		return TRUE;
	}
	if (p->queue.length >= LACTD_STORE_PENDING_MAX) {
		if (!p->full_logged)
			g_message("storage: %u readings kept in memory, the most there is room "
				  "for; newer ones are lost until the disk takes writes again",
				  LACTD_STORE_PENDING_MAX);
		p->full_logged = TRUE;
		p->dropped++;
		op_free(op);
		return FALSE;
	}
	g_queue_push_tail(&p->queue, op);
	if (!op->is_sample)
		g_hash_table_insert(p->sessions, &op->session_id, op);
	if (op->insert)
		p->reserved = MAX(p->reserved, op->session_id);
	return TRUE;
}

static PendingOp *
op_new(guint64 session_id, const LactdSample *sample, const LactdSession *session)
{
	PendingOp *op = g_new0(PendingOp, 1);

	op->session_id = session_id;
	op->is_sample = sample != NULL;
	if (sample != NULL)
		op->sample = *sample;
	else
		op->session = lactd_session_copy(session);
	return op;
}

/* Queued now, or with the open transaction's writes if it fails. */
static void
keep(LactdStore *store, PendingOp *op, gboolean failed)
{
	if (store->depth == 0) {
		(void)enqueue(store, op);
		return;
	}
	g_ptr_array_add(pending(store)->tx_ops, op);
	if (failed)
		pending(store)->tx_failed = TRUE;
}

void
lactd_store_pending_record(LactdStore *store, guint64 session_id, const LactdSample *sample,
			   const LactdSession *session, gboolean failed)
{
	PendingOp *op;

	if (store->pending != NULL && store->pending->flushing)
		return;
	/* A write that succeeded outside a transaction is durable. */
	if (!failed && store->depth == 0)
		return;
	if (failed && !lactd_store_disk_failed(store))
		return;
	op = op_new(session_id, sample, session);
	keep(store, op, failed);
}

gboolean
lactd_store_pending_holds(LactdStore *store, guint64 session_id)
{
	PendingOp *op;

	if (store->pending == NULL || store->pending->flushing)
		return FALSE;
	op = g_hash_table_lookup(store->pending->sessions, &session_id);
	return op != NULL && op->insert;
}

gboolean
lactd_store_pending_keep(LactdStore *store, guint64 session_id, const LactdSample *sample,
			 const LactdSession *session, GError **error)
{
	keep(store, op_new(session_id, sample, session), TRUE);
	g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
		    "session %" G_GUINT64_FORMAT " is kept in memory until the disk takes "
		    "writes again",
		    session_id);
	return FALSE;
}

gboolean
lactd_store_pending_has(LactdStore *store, guint64 session_id)
{
	return store->pending != NULL &&
	       g_hash_table_contains(store->pending->sessions, &session_id);
}

LactdSession *
lactd_store_pending_find_device_session(LactdStore *store, const char *device,
					guint32 device_session)
{
	GHashTableIter it;
	PendingOp *op;

	if (store->pending == NULL || device == NULL || device_session == 0)
		return NULL;
	g_hash_table_iter_init(&it, store->pending->sessions);
	while (g_hash_table_iter_next(&it, NULL, (gpointer *)&op)) {
		if (op->insert && op->session->device_session == device_session &&
		    g_strcmp0(op->session->device, device) == 0)
			return lactd_session_copy(op->session);
	}
	return NULL;
}

gboolean
lactd_store_pending_start(LactdStore *store, const LactdSession *session)
{
	PendingOp *op = op_new(session->id, NULL, session);

	g_return_val_if_fail(store->depth == 0, FALSE);
	op->insert = TRUE;
	return enqueue(store, op);
}

guint64
lactd_store_pending_reserved(LactdStore *store)
{
	return store->pending != NULL ? store->pending->reserved : 0;
}

gboolean
lactd_store_pending_refused(LactdStore *store)
{
	return store->pending != NULL && store->pending->refused;
}

void
lactd_store_pending_tx_end(LactdStore *store, gboolean committed)
{
	LactdStorePending *p = store->pending;
	gboolean refused =
	    !committed && ((p != NULL && p->tx_failed) || lactd_store_disk_failed(store));

	/* Said before the ROLLBACK that follows resets SQLite's error. */
	if (refused)
		pending(store)->refused = TRUE;
	else if (p != NULL)
		p->refused = FALSE;
	p = store->pending;
	if (p == NULL || p->tx_ops->len == 0) {
		if (p != NULL)
			p->tx_failed = FALSE;
		return;
	}
	if (refused) {
		for (guint i = 0; i < p->tx_ops->len; i++)
			enqueue(store, g_ptr_array_steal_index(p->tx_ops, i--));
	}
	g_ptr_array_set_size(p->tx_ops, 0);
	p->tx_failed = FALSE;
}

guint
lactd_store_pending_count(LactdStore *store)
{
	return store->pending != NULL ? store->pending->queue.length : 0;
}

char *
lactd_store_pending_problem(LactdStore *store)
{
	LactdStorePending *p = store->pending;

	if (p == NULL || (p->queue.length == 0 && p->dropped == 0))
		return NULL;
	/* A loss is said until lactd restarts: it is not undone by space. */
	if (p->dropped > 0 && p->queue.length == 0)
		return g_strdup_printf("%u readings were lost while the disk was full (more "
				       "than the %u lactd keeps in memory)",
				       p->dropped, LACTD_STORE_PENDING_MAX);
	if (p->dropped > 0)
		return g_strdup_printf("%u readings kept in memory until the disk takes writes "
				       "again, %u more lost (the bound is %u)",
				       p->queue.length, p->dropped, LACTD_STORE_PENDING_MAX);
	return g_strdup_printf("%u readings kept in memory until the disk takes writes again",
			       p->queue.length);
}

static gboolean
replay(LactdStore *store, PendingOp *op, GError **error)
{
	if (op->is_sample)
		return lactd_store_write_sample(store, op->session_id, &op->sample, error);
	if (op->insert)
		return lactd_store_write_new_session(store, op->session, NULL, error);
	return lactd_store_write_session(store, op->session, error);
}

/* Sessions that ended while their writes were kept: their samples are
 * compacted now, as the end would have done (lactd-store-samples.c). */
static gboolean
compact_ended(LactdStore *store, LactdStorePending *p, GError **error)
{
	for (GList *l = p->queue.head; l != NULL; l = l->next) {
		PendingOp *op = l->data;
		g_autoptr(GError) local = NULL;

		if (op->is_sample || op->session->live)
			continue;
		if (lactd_store_move_samples(store, op->session_id, &local))
			continue;
		if (lactd_store_disk_failed(store)) {
			g_propagate_error(error, g_steal_pointer(&local));
			return FALSE;
		}
		/* Its rows stay live samples, which are read as well. */
		g_message("samples of session %" G_GUINT64_FORMAT " not compacted: %s",
			  op->session_id, local->message);
	}
	return TRUE;
}

gboolean
lactd_store_pending_flush(LactdStore *store, GError **error)
{
	LactdStorePending *p = store->pending;
	gboolean ok = TRUE;
	guint n;

	if (p == NULL || p->queue.length == 0 || p->flushing || store->depth > 0)
		return TRUE;
	n = p->queue.length;
	p->flushing = TRUE;
	if (!lactd_store_exec(store->db, "BEGIN IMMEDIATE", error)) {
		p->flushing = FALSE;
		return FALSE;
	}
	for (GList *l = p->queue.head; l != NULL && ok; l = l->next) {
		g_autoptr(GError) local = NULL;

		if (replay(store, l->data, &local))
			continue;
		if (lactd_store_disk_failed(store)) {
			g_propagate_error(error, g_steal_pointer(&local));
			ok = FALSE;
		} else {
			/* Not the disk: the row is gone (its session deleted
			 * meanwhile). Nothing to keep it for. */
			g_message("a reading kept in memory cannot be written: %s",
				  local->message);
		}
	}
	if (ok)
		ok = compact_ended(store, p, error);
	if (ok)
		ok = lactd_store_exec(store->db, "COMMIT", error);
	if (!ok)
		lactd_store_rollback_db(store->db);
	lactd_store_totals_tx_end(store, ok);
	p->flushing = FALSE;
	if (!ok)
		return FALSE;
	g_queue_clear_full(&p->queue, (GDestroyNotify)op_free);
	g_hash_table_remove_all(p->sessions);
	p->reserved = 0;
	g_message("storage: %u readings kept in memory are written", n);
	return TRUE;
}

void
lactd_store_pending_free(LactdStore *store)
{
	LactdStorePending *p = g_steal_pointer(&store->pending);

	if (p == NULL)
		return;
	if (p->queue.length > 0) {
		guint starts = 0;

		for (GList *l = p->queue.head; l != NULL; l = l->next)
			starts += ((PendingOp *)l->data)->insert ? 1 : 0;
		g_message("storage: %u readings kept in memory could not be written and are lost "
			  "(%u of them sessions begun while the disk was full, with their samples)",
			  p->queue.length, starts);
	}
	g_queue_clear_full(&p->queue, (GDestroyNotify)op_free);
	g_hash_table_unref(p->sessions);
	g_ptr_array_unref(p->tx_ops);
	g_free(p);
}
