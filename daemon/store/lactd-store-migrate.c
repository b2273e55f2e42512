/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The schema and its migrations. PRAGMA user_version is the version; each
 * step is one transaction with its version bump, so a crash leaves a whole
 * version. Tested from every older version (tests/test-store.c) and from a
 * database written at version 4 (tests/test-store-v4.c).
 */
#include "config.h"

#include "lactd-error.h"
#include "lactd-samples.h"
#include "lactd-store-private.h"

/* Migrations: entry N takes the schema from version N to N + 1, in one
 * transaction. Never edit a shipped entry; append a new one. */
static const char *const migrations_sql[] = {
	/* 0 -> 1 */
	"CREATE TABLE devices ("
	"  address TEXT PRIMARY KEY NOT NULL,"
	"  name TEXT NOT NULL DEFAULT '',"
	"  kind TEXT NOT NULL DEFAULT 'unknown',"
	"  plugin TEXT NOT NULL DEFAULT '',"
	"  side TEXT NOT NULL DEFAULT 'unknown',"
	"  role TEXT NOT NULL DEFAULT 'bottle',"
	"  enabled INTEGER NOT NULL DEFAULT 1,"
	"  last_seen INTEGER NOT NULL DEFAULT 0,"
	"  rejected INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE sessions ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  kind INTEGER NOT NULL,"
	"  source INTEGER NOT NULL,"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER NOT NULL,"
	"  left_ml REAL NOT NULL DEFAULT 0,"
	"  right_ml REAL NOT NULL DEFAULT 0,"
	"  has_volume INTEGER NOT NULL DEFAULT 0,"
	"  left_s INTEGER NOT NULL DEFAULT 0,"
	"  right_s INTEGER NOT NULL DEFAULT 0,"
	"  device TEXT,"
	"  device_session INTEGER NOT NULL DEFAULT 0,"
	"  interrupted INTEGER NOT NULL DEFAULT 0,"
	"  live INTEGER NOT NULL DEFAULT 0,"
	"  note TEXT NOT NULL DEFAULT '',"
	"  supplement_ml REAL NOT NULL DEFAULT 0,"
	"  method TEXT,"
	"  milk TEXT,"
	"  samples BLOB,"
	"  extra_ml REAL NOT NULL DEFAULT 0);"
	"CREATE INDEX sessions_by_start ON sessions(start_us);"
	/* Which device sessions a session holds: one, or two single-side
	 * units pumping together. A device's own session id is unique. */
	"CREATE TABLE session_parts ("
	"  session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  device TEXT NOT NULL,"
	"  device_session INTEGER NOT NULL,"
	"  UNIQUE (device, device_session));"
	"CREATE INDEX session_parts_by_session ON session_parts(session);"
	/* Samples of live sessions, one durable row each; compacted into
	 * sessions.samples when the session ends. */
	"CREATE TABLE live_samples ("
	"  session INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,"
	"  time_us INTEGER NOT NULL,"
	"  left_ml REAL NOT NULL,"
	"  right_ml REAL NOT NULL);"
	"CREATE INDEX live_samples_by_session ON live_samples(session, time_us);"
	"CREATE TABLE weighings ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  time_us INTEGER NOT NULL,"
	"  grams REAL NOT NULL,"
	"  stable INTEGER NOT NULL,"
	"  device TEXT NOT NULL DEFAULT '',"
	"  role TEXT NOT NULL DEFAULT 'bottle',"
	"  session INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX weighings_by_time ON weighings(time_us);"
	"CREATE TABLE settings ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL);",
	/* 1 -> 2: recordings of a device's GATT traffic (lactd-recstore.c).
	 * end_us is 0 while the recording runs. */
	"CREATE TABLE captures ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  address TEXT NOT NULL DEFAULT '',"
	"  name TEXT NOT NULL DEFAULT '',"
	"  source TEXT NOT NULL DEFAULT 'lactd',"
	"  start_us INTEGER NOT NULL,"
	"  end_us INTEGER NOT NULL DEFAULT 0,"
	"  raw INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE capture_chars ("
	"  capture INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,"
	"  seq INTEGER NOT NULL,"
	"  uuid TEXT NOT NULL,"
	"  flags TEXT NOT NULL DEFAULT '',"
	"  handle INTEGER NOT NULL DEFAULT 0,"
	"  service_uuid TEXT,"
	"  PRIMARY KEY (capture, seq));"
	"CREATE TABLE capture_events ("
	"  capture INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,"
	"  time_us INTEGER NOT NULL,"
	"  kind TEXT NOT NULL,"
	"  uuid TEXT,"
	"  handle INTEGER NOT NULL DEFAULT 0,"
	"  value BLOB,"
	"  text TEXT);"
	"CREATE INDEX capture_events_by_capture ON capture_events(capture, time_us);",
	/* 2 -> 3: which side was measured (bit 0 left, bit 1 right), since
	 * has_volume alone cannot tell "right not measured" from "right 0 mL".
	 * Rows from before said only "measured": both sides, as they were
	 * shown. And the installation's identity (a random version 4 UUID,
	 * made once here), from which exports derive their identifiers so
	 * that two installations never give the same one. */
	"ALTER TABLE sessions ADD COLUMN sides INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sessions SET sides = 3 WHERE has_volume != 0;"
	"CREATE TABLE meta ("
	"  key TEXT PRIMARY KEY NOT NULL,"
	"  value TEXT NOT NULL);"
	"INSERT INTO meta (key, value) VALUES ('installation_id',"
	"  lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2))) || '-4' ||"
	"  substr(lower(hex(randomblob(2))), 2) || '-' ||"
	"  substr('89ab', 1 + (abs(random()) % 4), 1) || substr(lower(hex(randomblob(2))), 2) ||"
	"  '-' || lower(hex(randomblob(6))));",
	/* 3 -> 4: whether the device's own record of a part is stored. A part
	 * captured live and cut off (lactd stopped, link lost) has none yet;
	 * its record is still to be asked for. Parts of sessions that ended
	 * normally before this version are taken as complete. */
	"ALTER TABLE session_parts ADD COLUMN has_record INTEGER NOT NULL DEFAULT 0;"
	"UPDATE session_parts SET has_record = 1 WHERE session IN "
	"  (SELECT id FROM sessions WHERE live = 0 AND interrupted = 0);",
	/* 4 -> 5: a finished session's samples move to a table of their own,
	 * so that the rows that lists and summaries scan stay small (a blob
	 * inline made each session row ~1 kB); sessions.samples stays, empty.
	 * Then, in C below, each blob is rewritten in format 2. */
	"CREATE TABLE session_samples ("
	"  session INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,"
	"  samples BLOB NOT NULL);"
	"INSERT INTO session_samples (session, samples) "
	"  SELECT id, samples FROM sessions WHERE samples IS NOT NULL;"
	"UPDATE sessions SET samples = NULL WHERE samples IS NOT NULL;",
	/* 5 -> 6: live_samples holds only the samples of sessions still live
	 * (compacted when they end), a few thousand rows at most, which a scan
	 * reads in well under a millisecond. Its index cost a page written and
	 * synced with every sample captured: a third of each sample's commit. */
	"DROP INDEX IF EXISTS live_samples_by_session;",
	/* 6 -> 7: a live sample may hold its session's running totals (both
	 * sides' seconds and the end; its volumes are the totals' volumes), so
	 * that one row, not two, is written for it (lactd-store-totals.c).
	 * NULL: the session's row holds them. */
	"ALTER TABLE live_samples ADD COLUMN left_s INTEGER;"
	"ALTER TABLE live_samples ADD COLUMN right_s INTEGER;"
	"ALTER TABLE live_samples ADD COLUMN end_us INTEGER;",
	/* 7 -> 8: whether a weighing measured the session's extra_ml. A baby
	 * who took nothing (an intake of 0 g) is measured, yet extra_ml > 0
	 * could not say so, and lists showed "not measured". Rows from before:
	 * those with a volume from weighings, and those with the weighings
	 * that measure one (a bottle, or a baby weighed twice). */
	"ALTER TABLE sessions ADD COLUMN weighed INTEGER NOT NULL DEFAULT 0;"
	"UPDATE sessions SET weighed = 1 WHERE extra_ml > 0 OR id IN "
	"  (SELECT session FROM weighings WHERE session != 0 GROUP BY session "
	"   HAVING SUM(role != 'baby') > 0 OR SUM(role = 'baby') >= 2);",
};

/*
 * 4 -> 5: every finished session's samples, written in format 1, are
 * decoded and written again in format 2, in the migration's transaction. A
 * blob that does not decode is left as it is (it was unreadable before,
 * and still says so when read) rather than fail the whole migration.
 */
static gboolean
migrate_samples_v2(sqlite3 *db, GError **error)
{
	g_autoptr(sqlite3_stmt) sel = NULL;
	g_autoptr(sqlite3_stmt) put = NULL;
	int rc = sqlite3_prepare_v2(db, "SELECT session, samples FROM session_samples "
				    "WHERE length(samples) > 0 AND substr(samples, 1, 1) = x'01'",
				    -1, &sel, NULL);

	if (rc != SQLITE_OK)
		return lactd_store_sql_fail(db, rc, "reading samples to migrate", error);
	rc = sqlite3_prepare_v2(db, "UPDATE session_samples SET samples = ?2 WHERE session = ?1", -1,
				&put, NULL);
	if (rc != SQLITE_OK)
		return lactd_store_sql_fail(db, rc, "migrating samples", error);
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(sel, 0);
		g_autoptr(GArray) samples = NULL;
		g_autoptr(GBytes) blob = NULL;
		g_autoptr(GError) local = NULL;
		gsize len;
		gconstpointer data;

		if (!lactd_samples_decode(sqlite3_column_blob(sel, 1),
					  (gsize)sqlite3_column_bytes(sel, 1), &samples, &local)) {
			g_message("session %lld: samples left as they were: %s", (long long)id,
				  local->message);
			continue;
		}
		blob = lactd_samples_encode((const LactdSample *)(void *)samples->data,
					    samples->len);
		data = g_bytes_get_data(blob, &len);
		if ((rc = sqlite3_bind_int64(put, 1, id)) != SQLITE_OK ||
		    (rc = sqlite3_bind_blob64(put, 2, data, len, SQLITE_STATIC)) != SQLITE_OK ||
		    (rc = sqlite3_step(put)) != SQLITE_DONE)
			return lactd_store_sql_fail(db, rc, "migrating samples", error);
		if ((rc = sqlite3_reset(put)) != SQLITE_OK)
			return lactd_store_sql_fail(db, rc, "migrating samples", error);
	}
	if (rc != SQLITE_DONE)
		return lactd_store_sql_fail(db, rc, "reading samples to migrate", error);
	return TRUE;
}

typedef gboolean (*MigrateFunc)(sqlite3 *db, GError **error);

/* Entry N: the C part of step N -> N + 1, after its SQL (if any). */
static const MigrateFunc migrations_c[] = {
	NULL, NULL, NULL, NULL,
	migrate_samples_v2,
	NULL,
	NULL,
	NULL,
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations_sql) == LACTD_STORE_SCHEMA_VERSION);
G_STATIC_ASSERT(G_N_ELEMENTS(migrations_c) == LACTD_STORE_SCHEMA_VERSION);

static gboolean
read_version(sqlite3 *db, guint *version, GError **error)
{
	g_autoptr(sqlite3_stmt) stmt = NULL;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &stmt, NULL);

	if (rc == SQLITE_OK)
		rc = sqlite3_step(stmt);
	if (rc != SQLITE_ROW)
		return lactd_store_sql_fail(db, rc, "reading the schema version", error);
	*version = (guint)sqlite3_column_int(stmt, 0);
	return TRUE;
}

static gboolean
migrate_step(sqlite3 *db, guint version, GError **error)
{
	g_autofree char *bump = g_strdup_printf("PRAGMA user_version = %u", version + 1);

	return (migrations_sql[version] == NULL ||
		lactd_store_exec(db, migrations_sql[version], error)) &&
	       (migrations_c[version] == NULL || migrations_c[version](db, error)) &&
	       lactd_store_exec(db, bump, error);
}

gboolean
lactd_store_migrate(sqlite3 *db, guint target, GError **error)
{
	for (;;) {
		guint version;

		if (!read_version(db, &version, error))
			return FALSE;
		if (version == target)
			return TRUE;
		if (version > target) {
			g_set_error(error, LACTD_ERROR, LACTD_ERROR_STORAGE,
				    "the database has schema version %u, newer than this lactd "
				    "(%u): refusing to touch it",
				    version, target);
			return FALSE;
		}
		if (!lactd_store_exec(db, "BEGIN IMMEDIATE", error))
			return FALSE;
		if (!migrate_step(db, version, error)) {
			lactd_store_rollback_db(db);
			g_prefix_error(error, "migrating the schema to version %u: ", version + 1);
			return FALSE;
		}
		if (!lactd_store_exec(db, "COMMIT", error)) {
			lactd_store_rollback_db(db);
			return FALSE;
		}
	}
}

guint
lactd_store_schema_version(LactdStore *store)
{
	guint version = 0;

	return read_version(store->db, &version, NULL) ? version : 0;
}
