#include "db.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "log.h"

/* Dates a person reads are stored as YYYY-MM-DD text: they sort and compare
 * correctly as text and stay readable in the sqlite3 shell. */
#define DATE_GLOB "'[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'"

/*
 * The migrations, in order: migrations[i] takes the schema from version i to
 * i + 1. Append only; a released migration is never edited, because a
 * database that already ran it would not run it again.
 *
 * Tables are STRICT so that a value of the wrong type (a qa_day bound where
 * a date text belongs) fails loudly instead of being stored.
 */
static const char *const migrations_sql[] = {
	/* 1: staff, completions, the schedule, feed tokens, reminders. */
	"CREATE TABLE staff ("
	" id TEXT PRIMARY KEY NOT NULL CHECK (length(id) BETWEEN 1 AND 64),"
	" name TEXT NOT NULL CHECK (name <> ''),"
	" email TEXT NOT NULL CHECK (email LIKE '%_@_%._%'),"
	" team TEXT NOT NULL CHECK (team <> ''),"
	/* Deferred, so a bulk import may name a manager defined later in the
	 * same transaction. */
	" manager_id TEXT NULL REFERENCES staff(id)"
	"  DEFERRABLE INITIALLY DEFERRED CHECK (manager_id <> id),"
	" nqsw_start TEXT NULL CHECK (nqsw_start GLOB " DATE_GLOB "),"
	" added_on TEXT NOT NULL CHECK (added_on GLOB " DATE_GLOB "),"
	" left_on TEXT NULL CHECK (left_on GLOB " DATE_GLOB
	"  AND left_on >= added_on),"
	" updated_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX staff_by_manager ON staff(manager_id);"
	"CREATE INDEX staff_by_team ON staff(team);"
	/* The role words as given (not implied ones); staff.c validates them
	 * against the fixed list, so a later role needs no table rebuild. */
	"CREATE TABLE staff_roles ("
	" staff_id TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,"
	" role TEXT NOT NULL CHECK (role <> ''),"
	" PRIMARY KEY (staff_id, role)"
	") STRICT;"
	"CREATE TABLE completions ("
	" id INTEGER PRIMARY KEY,"
	" activity TEXT NOT NULL CHECK (activity <> ''),"
	" staff_id TEXT NOT NULL REFERENCES staff(id),"
	" done_on TEXT NOT NULL CHECK (done_on GLOB " DATE_GLOB "),"
	" practitioner_id TEXT NULL REFERENCES staff(id),"
	" grade TEXT NULL CHECK (grade IN ('outstanding', 'good',"
	"  'requires_improvement', 'inadequate')),"
	" safeguarding INTEGER NOT NULL DEFAULT 0 CHECK (safeguarding IN (0, "
	"1)),"
	" note TEXT NULL,"
	" recorded_at INTEGER NOT NULL"
	") STRICT;"
	"CREATE INDEX completions_by_activity_staff"
	" ON completions(activity, staff_id, done_on);"
	/* Audit actions are found by the practitioner whose case was audited.
	 */
	"CREATE INDEX completions_by_practitioner ON "
	"completions(practitioner_id)"
	" WHERE practitioner_id IS NOT NULL;"
	"CREATE TABLE occurrences ("
	" uid TEXT PRIMARY KEY NOT NULL,"
	" activity TEXT NOT NULL,"
	/* '' for an audience-wide series: NULL would defeat the UNIQUE below.
	 */
	" subject TEXT NOT NULL,"
	" occ_key TEXT NOT NULL,"
	" kind TEXT NOT NULL CHECK (kind IN ('event', 'due', 'allday')),"
	" status TEXT NOT NULL"
	"  CHECK (status IN ('confirmed', 'tentative', 'cancelled')),"
	" start_date TEXT NOT NULL CHECK (start_date GLOB " DATE_GLOB "),"
	" start_minute INTEGER NULL CHECK (start_minute BETWEEN 0 AND 1439),"
	" duration INTEGER NOT NULL CHECK (duration >= 0),"
	" dtstart_utc INTEGER NULL,"
	" dtend_utc INTEGER NULL,"
	" done_on TEXT NULL CHECK (done_on GLOB " DATE_GLOB "),"
	" summary TEXT NOT NULL,"
	" detail TEXT NULL,"
	" with_staff_id TEXT NULL,"
	" sequence INTEGER NOT NULL DEFAULT 0 CHECK (sequence >= 0),"
	" content_hash TEXT NOT NULL,"
	" created_at INTEGER NOT NULL,"
	" last_modified INTEGER NOT NULL,"
	" cancelled_at INTEGER NULL,"
	" UNIQUE (activity, subject, occ_key)"
	") STRICT;"
	"CREATE INDEX occurrences_by_subject ON occurrences(subject);"
	"CREATE INDEX occurrences_by_status_date"
	" ON occurrences(status, start_date);"
	"CREATE TABLE occurrence_attendees ("
	" uid TEXT NOT NULL REFERENCES occurrences(uid) ON DELETE CASCADE,"
	" staff_id TEXT NOT NULL,"
	" PRIMARY KEY (uid, staff_id)"
	") STRICT;"
	"CREATE INDEX occurrence_attendees_by_staff"
	" ON occurrence_attendees(staff_id);"
	"CREATE TABLE feed_tokens ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('staff', 'team', 'manager', "
	"'admin')),"
	" subject TEXT NOT NULL,"
	" token_hash BLOB NOT NULL UNIQUE,"
	" created_at INTEGER NOT NULL,"
	" revoked_at INTEGER NULL"
	") STRICT;"
	/* One live token per feed; revoked ones stay for the record. */
	"CREATE UNIQUE INDEX feed_tokens_live ON feed_tokens(kind, subject)"
	" WHERE revoked_at IS NULL;"
	"CREATE TABLE reminders_outbox ("
	" id INTEGER PRIMARY KEY,"
	/* Pruning an old occurrence takes its delivery history with it. */
	" occurrence_uid TEXT NOT NULL"
	"  REFERENCES occurrences(uid) ON DELETE CASCADE,"
	" stage TEXT NOT NULL,"
	" channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook', 'log')),"
	" recipient TEXT NOT NULL,"
	" due_at INTEGER NOT NULL,"
	/* Sent with the delivery, so a receiver can drop a repeat after a
	 * commit that landed without its acknowledgement (kill -9). */
	" idempotency_key TEXT NOT NULL UNIQUE,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),"
	" attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	" next_attempt_at INTEGER NULL,"
	" last_error TEXT NULL,"
	" sent_at INTEGER NULL,"
	" UNIQUE (occurrence_uid, stage, channel, recipient)"
	") STRICT;"
	"CREATE INDEX reminders_outbox_by_state"
	" ON reminders_outbox(state, next_attempt_at);"
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY NOT NULL,"
	" value TEXT NULL"
	") STRICT;",
	/* 2: each person's series with its next due date, written by the
	 * engine as it reconciles, so `due` reads one row per person and
	 * activity instead of scanning every occurrence. */
	"CREATE TABLE series ("
	" activity TEXT NOT NULL,"
	" subject TEXT NOT NULL REFERENCES staff(id) ON DELETE CASCADE,"
	" next_due TEXT NULL CHECK (next_due GLOB " DATE_GLOB "),"
	" PRIMARY KEY (activity, subject)"
	") STRICT;"
	"CREATE INDEX series_by_subject ON series(subject);",
	/* 3: feeds find the occurrences a manager takes part in. */
	"CREATE INDEX occurrences_by_with_staff ON occurrences(with_staff_id)"
	" WHERE with_staff_id IS NOT NULL;",
	/* 4: the audit workflow read in full (issue 6). A completion may
	 * name the audit it belongs to (an action signed off, a moderation),
	 * the moderator asked for at audit time, who signed an action off,
	 * and the home a Regulation 44 visit was to. A series may be one
	 * shared by a team, owned by one person (completions by anyone count),
	 * and may say which home its next due date is for. The 0.1.0 closes
	 * get their audits in C (migrate_4_actions). */
	"ALTER TABLE completions ADD COLUMN audit_id INTEGER NULL"
	" REFERENCES completions(id);"
	"ALTER TABLE completions ADD COLUMN moderator_id TEXT NULL"
	" REFERENCES staff(id);"
	"ALTER TABLE completions ADD COLUMN signed_off_by TEXT NULL"
	" REFERENCES staff(id);"
	"ALTER TABLE completions ADD COLUMN home TEXT NULL CHECK (home <> '');"
	"CREATE INDEX completions_by_audit ON completions(audit_id)"
	" WHERE audit_id IS NOT NULL;"
	/* Each person's moderations are found by the moderator asked. */
	"CREATE INDEX completions_by_moderator ON completions(moderator_id)"
	" WHERE moderator_id IS NOT NULL;"
	"ALTER TABLE series ADD COLUMN shared INTEGER NOT NULL DEFAULT 0"
	" CHECK (shared IN (0, 1));"
	"ALTER TABLE series ADD COLUMN home TEXT NULL;",
	/* 5: since when a person's obligations are tracked (issue 8): by
	 * default the day they were added, earlier for history back-filled at
	 * go-live. 0.1.0's people are tracked from the day they were added. */
	"ALTER TABLE staff ADD COLUMN since TEXT NULL"
	" CHECK (since GLOB " DATE_GLOB ");"
	"UPDATE staff SET since = added_on;",
	/* 6: digests (issue 10): one message per person a working day, per
	 * manager a week, and the QA team's monthly word about the holiday
	 * calendar, each at most once per (kind, period, channel, recipient)
	 * as reminders_outbox does per occurrence. Composed when planned and
	 * kept here, so a retry sends the same words with the same key. */
	"CREATE TABLE digests_outbox ("
	" id INTEGER PRIMARY KEY,"
	" kind TEXT NOT NULL CHECK (kind IN ('daily', 'weekly', 'holidays')),"
	/* 2026-12-03, 2026-W49 or 2026-12. */
	" period TEXT NOT NULL CHECK (period <> ''),"
	" channel TEXT NOT NULL CHECK (channel IN ('email', 'webhook', 'log')),"
	" recipient TEXT NOT NULL,"
	" due_at INTEGER NOT NULL,"
	" idempotency_key TEXT NOT NULL UNIQUE,"
	" state TEXT NOT NULL DEFAULT 'pending'"
	"  CHECK (state IN ('pending', 'sent', 'failed', 'skipped')),"
	" attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),"
	" next_attempt_at INTEGER NULL,"
	" last_error TEXT NULL,"
	" sent_at INTEGER NULL,"
	" title TEXT NOT NULL,"
	" body TEXT NOT NULL,"
	" json TEXT NOT NULL,"
	" UNIQUE (kind, period, channel, recipient)"
	") STRICT;"
	"CREATE INDEX digests_outbox_by_state"
	" ON digests_outbox(state, next_attempt_at);",
};

static int migrate_4_actions(sqlite3 *db);

/* A migration's C step, run after its SQL in the same transaction, for
 * what SQL alone cannot say; NULL for most. */
static int (*const migrations_c[])(sqlite3 *db) = {
	NULL, NULL, NULL, migrate_4_actions, NULL, NULL,
};

_Static_assert(sizeof(migrations_sql) / sizeof(migrations_sql[0]) ==
		       DB_SCHEMA_VERSION,
	       "one migration per schema version");
_Static_assert(sizeof(migrations_c) / sizeof(migrations_c[0]) ==
		       DB_SCHEMA_VERSION,
	       "one C step (or NULL) per schema version");

static const char *db_path(sqlite3 *db)
{
	const char *path = sqlite3_db_filename(db, "main");
	return path && *path ? path : ":memory:";
}

/* One integer from a PRAGMA or a query without parameters. */
static int query_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	*out = sqlite3_column_int64(stmt, 0);
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

static int query_text(sqlite3 *db, const char *sql, char *buf, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	if (sqlite3_step(stmt) != SQLITE_ROW)
		goto out;
	const unsigned char *text = sqlite3_column_text(stmt, 0);
	snprintf(buf, size, "%s", text ? (const char *)text : "");
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/* What to tell the operator for the error code SQLite left on db. */
static const char *hint_for(sqlite3 *db)
{
	switch (sqlite3_errcode(db) & 0xff) {
	case SQLITE_NOTADB:
		return "; it is not a SQLite database: check [database] path";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return "; another process holds the database locked: try "
		       "again, "
		       "or look for a stuck qa-scheduler or sqlite3 process";
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return "; check that the file and its directory exist and are "
		       "writable by this user (SQLite keeps -wal and -shm "
		       "files "
		       "beside it)";
	case SQLITE_FULL:
		return "; the disk is full";
	case SQLITE_CORRUPT:
		return "; restore a backup";
	}
	return "";
}

static void log_db_error(sqlite3 *db, const char *doing)
{
	log_err("db: %s: %s: %s%s", db_path(db), doing, sqlite3_errmsg(db),
		hint_for(db));
}

/*
 * Refuse a file that is not ours to change, before anything writes to it:
 * even switching it to WAL rewrites its header.
 */
static int check_ours(sqlite3 *db, const char *path, long long *version)
{
	long long app_id, objects;
	if (query_int(db, "PRAGMA user_version", version) ||
	    query_int(db, "PRAGMA application_id", &app_id)) {
		if ((sqlite3_errcode(db) & 0xff) == SQLITE_NOTADB)
			log_err("db: %s is not a SQLite database; check "
				"[database] path, or move the file away and "
				"a new database is created there",
				path);
		else
			log_db_error(db, "cannot read the schema version");
		return -1;
	}
	if (app_id != 0 && app_id != DB_APPLICATION_ID) {
		log_err("db: %s is a SQLite database of another program "
			"(application_id %lld); check [database] path",
			path, app_id);
		return -1;
	}
	if (*version > DB_SCHEMA_VERSION) {
		log_err("db: %s has schema version %lld, newer than this "
			"qa-scheduler understands (%d); upgrade qa-scheduler "
			"or restore a backup",
			path, *version, DB_SCHEMA_VERSION);
		return -1;
	}
	if (*version == 0) {
		if (query_int(db, "SELECT count(*) FROM sqlite_schema",
			      &objects)) {
			log_db_error(db, "cannot read the schema");
			return -1;
		}
		if (objects > 0) {
			log_err("db: %s holds tables of another program and no "
				"qa-scheduler schema; check [database] path",
				path);
			return -1;
		}
	}
	return 0;
}

static int set_pragmas(sqlite3 *db, const char *path, int readonly)
{
	char mode[16];
	if (sqlite3_exec(db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_db_error(db, "cannot enable foreign keys");
		return -1;
	}
	if (readonly) {
		/* A reader cannot switch the journal mode; the writers keep
		 * the file in WAL. query_only guards against a stray write. */
		if (sqlite3_exec(db, "PRAGMA query_only = ON", NULL, NULL,
				 NULL) != SQLITE_OK) {
			log_db_error(db, "cannot set query_only");
			return -1;
		}
		return 0;
	}
	/* WAL lets the daemon read while the CLI writes; FULL makes every
	 * commit survive a power cut, not only a crash. */
	if (query_text(db, "PRAGMA journal_mode = WAL", mode, sizeof(mode))) {
		log_db_error(db, "cannot switch to WAL");
		return -1;
	}
	if (strcmp(mode, "wal") != 0) {
		log_err("db: %s: SQLite kept journal mode %s instead of wal; "
			"the database must be on a local file system that "
			"supports shared memory",
			path, mode);
		return -1;
	}
	if (sqlite3_exec(db, "PRAGMA synchronous = FULL", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_db_error(db, "cannot set synchronous");
		return -1;
	}
	/* The tests' full disk (issue 14): they run as root, whom no quota
	 * stops, so QA_TEST_DB_FULL=1 caps this connection's file at the
	 * size it has now, as SQLite's own tests do with max_page_count. */
	const char *full = getenv("QA_TEST_DB_FULL");
	long long pages;
	if (full && strcmp(full, "1") == 0 &&
	    query_int(db, "PRAGMA page_count", &pages) == 0) {
		char sql[64];
		snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
			 pages);
		sqlite3_exec(db, sql, NULL, NULL, NULL);
	}
	return 0;
}

static int open_connection(const char *path, int flags, sqlite3 **out)
{
	sqlite3 *db = NULL;
	/* Every connection belongs to one thread (the daemon's loop, an HTTP
	 * loop, a CLI): SQLite's per-call mutexes would only cost time (a
	 * tenth of a feed render). */
	int rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		if (!db) {
			log_err("db: %s: cannot open: out of memory", path);
			return -1;
		}
		log_err("db: %s: cannot open: %s%s", path, sqlite3_errmsg(db),
			hint_for(db));
		sqlite3_close(db);
		return -1;
	}
	sqlite3_extended_result_codes(db, 1);
	/* Needed before the first read: another process may be switching the
	 * file to WAL or migrating it at this very moment. */
	sqlite3_busy_timeout(db, DB_BUSY_TIMEOUT_MS);
	*out = db;
	return 0;
}

int db_open(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	long long version;
	int rc = -1;
	if (open_connection(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    &db))
		return -1;
	/* SQLite quietly opens a write-protected file read-only; say so now
	 * rather than fail at the first write (or the first read, for a file
	 * in WAL mode, which needs its -shm file writable). */
	if (sqlite3_db_readonly(db, "main") == 1) {
		log_err("db: %s is read-only for this user; qa-scheduler needs "
			"to write it: check its owner and mode",
			path);
		goto out;
	}
	if (check_ours(db, path, &version))
		goto out;
	if (set_pragmas(db, path, 0))
		goto out;
	if (db_migrate_to(db, DB_SCHEMA_VERSION))
		goto out;
	*out = db;
	db = NULL;
	rc = 0;
out:
	if (db)
		sqlite3_close(db);
	return rc;
}

int db_open_readonly(const char *path, sqlite3 **out)
{
	sqlite3 *db = NULL;
	long long version;
	int rc = -1;
	if (open_connection(path, SQLITE_OPEN_READONLY, &db))
		return -1;
	if (check_ours(db, path, &version))
		goto out;
	/* Without the migrations the queries of this build would fail in
	 * confusing ways; a writer migrates on open. */
	if (version < DB_SCHEMA_VERSION) {
		log_err("db: %s has schema version %lld, older than this "
			"qa-scheduler's (%d); run any command that writes "
			"(e.g. qa-scheduler staff list) or start the daemon to "
			"migrate it",
			path, version, DB_SCHEMA_VERSION);
		goto out;
	}
	if (set_pragmas(db, path, 1))
		goto out;
	*out = db;
	db = NULL;
	rc = 0;
out:
	if (db)
		sqlite3_close(db);
	return rc;
}

static bool is_kept(sqlite3_stmt *stmt)
{
	const char *sql = sqlite3_sql(stmt);
	return sql && strncmp(sql, DB_KEPT, sizeof(DB_KEPT) - 1) == 0;
}

int db_prepare_kept(sqlite3 *db, const char *sql, sqlite3_stmt **out)
{
	*out = NULL;
	/* Checked first: the text is what tells kept statements apart. */
	if (strncmp(sql, DB_KEPT, sizeof(DB_KEPT) - 1) != 0) {
		log_err("db: a kept statement must start with DB_KEPT: %.40s",
			sql);
		return -1;
	}
	for (sqlite3_stmt *stmt = sqlite3_next_stmt(db, NULL); stmt;
	     stmt = sqlite3_next_stmt(db, stmt)) {
		/* Not busy: reset (or never stepped), so not in use. */
		const char *text = sqlite3_sql(stmt);
		if (!sqlite3_stmt_busy(stmt) && text &&
		    strcmp(text, sql) == 0) {
			*out = stmt;
			return 0;
		}
	}
	if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, out,
			       NULL) != SQLITE_OK) {
		log_db_error(db, "cannot prepare a query");
		sqlite3_finalize(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

void db_release_kept(sqlite3_stmt *stmt)
{
	if (!stmt)
		return;
	sqlite3_reset(stmt);
	sqlite3_clear_bindings(stmt);
}

void db_close(sqlite3 *db)
{
	if (!db)
		return;
	/* Finalizing moves the list on: start again from its head. */
	for (sqlite3_stmt *stmt = sqlite3_next_stmt(db, NULL); stmt;) {
		if (is_kept(stmt)) {
			sqlite3_finalize(stmt);
			stmt = sqlite3_next_stmt(db, NULL);
		} else {
			stmt = sqlite3_next_stmt(db, stmt);
		}
	}
	/* Statements left unfinalized would keep the connection open. */
	if (sqlite3_close(db) != SQLITE_OK)
		log_err("db: %s: cannot close: %s (a statement was not "
			"finalized)",
			db_path(db), sqlite3_errmsg(db));
}

qa_day db_column_day(sqlite3_stmt *stmt, int column)
{
	qa_day day;
	const char *text = (const char *)sqlite3_column_text(stmt, column);
	return text && date_parse(text, &day) == 0 ? day : QA_DAY_NONE;
}

char *db_column_dup(sqlite3_stmt *stmt, int column)
{
	const char *text = (const char *)sqlite3_column_text(stmt, column);
	return text ? strdup(text) : NULL;
}

/* Binds that could not copy their text (out of memory), by this thread. */
static _Thread_local unsigned long bind_failures;

unsigned long db_bind_failures(void)
{
	return bind_failures;
}

/* A text SQLite could not copy leaves the parameter NULL, and a statement
 * run so would store or match NULL: a wrong date written, a completion not
 * found (issue 14). Bound as a zero-length blob instead, which allocates
 * nothing and which no STRICT table takes into a TEXT column, so a write
 * fails and its transaction goes back; readers check db_bind_failures. */
static int bound(sqlite3_stmt *stmt, int index, int rc)
{
	if (rc == SQLITE_NOMEM) {
		bind_failures++;
		sqlite3_bind_zeroblob(stmt, index, 0);
	}
	return rc;
}

int db_bind_day(sqlite3_stmt *stmt, int index, qa_day day)
{
	char text[DATE_TEXT_SIZE];
	if (day == QA_DAY_NONE)
		return sqlite3_bind_null(stmt, index);
	return bound(stmt, index,
		     sqlite3_bind_text(stmt, index, date_format(day, text), -1,
				       SQLITE_TRANSIENT));
}

int db_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
	return text ? bound(stmt, index,
			    sqlite3_bind_text(stmt, index, text, -1,
					      SQLITE_TRANSIENT))
		    : sqlite3_bind_null(stmt, index);
}

/* db_bind_failures when this thread's write transaction began. */
static _Thread_local unsigned long failures_at_begin;

int db_begin(sqlite3 *db)
{
	failures_at_begin = bind_failures;
	/* IMMEDIATE takes the write lock now, waiting up to the busy timeout:
	 * a deferred transaction that reads then writes fails at once with
	 * SQLITE_BUSY when another connection wrote in between. */
	if (sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_db_error(db, "cannot start a write transaction");
		return -1;
	}
	return 0;
}

int db_commit(sqlite3 *db)
{
	/* A read inside the transaction may have missed rows for want of a
	 * bound value, and what was written from it be wrong: nothing of it
	 * is kept (issue 14). The caller rolls back. */
	if (bind_failures != failures_at_begin) {
		log_err("db: %s: out of memory binding a value; nothing of "
			"this change is stored",
			db_path(db));
		return -1;
	}
	if (sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		log_db_error(db, "cannot commit");
		return -1;
	}
	return 0;
}

void db_rollback(sqlite3 *db)
{
	/* An error may already have rolled the transaction back. */
	if (sqlite3_get_autocommit(db))
		return;
	if (sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
		log_db_error(db, "cannot roll back");
}

int db_schema_version(sqlite3 *db)
{
	long long version;
	if (query_int(db, "PRAGMA user_version", &version)) {
		log_db_error(db, "cannot read the schema version");
		return -1;
	}
	return (int)version;
}

int db_data_version(sqlite3 *db, long long *out)
{
	if (query_int(db, "PRAGMA data_version", out)) {
		log_db_error(db, "cannot read data_version");
		return -1;
	}
	return 0;
}

/* 0.1.0 closed audit actions by position: `record audit_action --staff SW`
 * stored a close with no audit, and the engine gave each of SW's audits, in
 * (date, id) order, the earliest close not yet used that is dated on or
 * after it. The same rule, run once here, names each old close's audit, so
 * what 0.1.0 showed as closed stays closed and what it showed open stays
 * open. A close no audit takes keeps no audit_id (it closed nothing). */
static int migrate_4_actions(sqlite3 *db)
{
	static const char audits_sql[] =
		"SELECT id, done_on FROM completions WHERE activity ="
		" 'collaborative_audit' AND practitioner_id = ?1"
		" ORDER BY done_on, id";
	static const char closes_sql[] =
		"SELECT id, done_on FROM completions WHERE activity ="
		" 'audit_action' AND staff_id = ?1 AND audit_id IS NULL"
		" ORDER BY done_on, id";
	static const char people_sql[] =
		"SELECT DISTINCT staff_id FROM completions WHERE activity ="
		" 'audit_action' AND audit_id IS NULL";
	static const char set_sql[] =
		"UPDATE completions SET audit_id = ?2 WHERE id = ?1";
	sqlite3_stmt *people = NULL, *audits = NULL, *closes = NULL,
		     *set = NULL;
	struct close {
		long long id;
		char day[11];
		bool used;
	} *list = NULL;
	size_t cap = 0;
	int rc = -1;
	if (sqlite3_prepare_v2(db, people_sql, -1, &people, NULL) ||
	    sqlite3_prepare_v2(db, audits_sql, -1, &audits, NULL) ||
	    sqlite3_prepare_v2(db, closes_sql, -1, &closes, NULL) ||
	    sqlite3_prepare_v2(db, set_sql, -1, &set, NULL))
		goto out;
	int step;
	while ((step = sqlite3_step(people)) == SQLITE_ROW) {
		size_t n = 0;
		sqlite3_bind_value(closes, 1, sqlite3_column_value(people, 0));
		while ((step = sqlite3_step(closes)) == SQLITE_ROW) {
			if (n == cap) {
				cap = cap ? 2 * cap : 16;
				struct close *grown =
					realloc(list, cap * sizeof(*grown));
				if (!grown)
					goto out;
				list = grown;
			}
			list[n].id = sqlite3_column_int64(closes, 0);
			snprintf(list[n].day, sizeof(list[n].day), "%s",
				 (const char *)sqlite3_column_text(closes, 1));
			list[n++].used = false;
		}
		sqlite3_reset(closes);
		if (step != SQLITE_DONE)
			goto out;
		sqlite3_bind_value(audits, 1, sqlite3_column_value(people, 0));
		while ((step = sqlite3_step(audits)) == SQLITE_ROW) {
			const char *audited =
				(const char *)sqlite3_column_text(audits, 1);
			for (size_t k = 0; k < n; k++) {
				/* YYYY-MM-DD compares as text. */
				if (list[k].used ||
				    strcmp(list[k].day, audited) < 0)
					continue;
				list[k].used = true;
				sqlite3_bind_int64(set, 1, list[k].id);
				sqlite3_bind_int64(
					set, 2,
					sqlite3_column_int64(audits, 0));
				int done = sqlite3_step(set);
				sqlite3_reset(set);
				if (done != SQLITE_DONE)
					goto out;
				break;
			}
		}
		sqlite3_reset(audits);
		if (step != SQLITE_DONE)
			goto out;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	free(list);
	sqlite3_finalize(people);
	sqlite3_finalize(audits);
	sqlite3_finalize(closes);
	sqlite3_finalize(set);
	return rc;
}

int db_set_busy_timeout(sqlite3 *db, int ms)
{
	if (sqlite3_busy_timeout(db, ms) != SQLITE_OK) {
		log_db_error(db, "cannot set busy_timeout");
		return -1;
	}
	return 0;
}

/* Run migration `version` (1-based) and record it, in one transaction, so a
 * crash leaves either the old schema or the new one. */
static int apply_migration(sqlite3 *db, int version)
{
	char set_version[96];
	long long current;
	int rc = -1;
	if (db_begin(db))
		return -1;
	/* Another process may have migrated while we waited for the lock. */
	if (query_int(db, "PRAGMA user_version", &current)) {
		log_db_error(db, "cannot read the schema version");
		goto out;
	}
	if (current >= version) {
		rc = db_commit(db);
		goto out;
	}
	if (sqlite3_exec(db, migrations_sql[version - 1], NULL, NULL, NULL) !=
		    SQLITE_OK ||
	    (migrations_c[version - 1] && migrations_c[version - 1](db))) {
		char doing[64];
		snprintf(doing, sizeof(doing), "migration %d failed", version);
		log_db_error(db, doing);
		goto out;
	}
	/* PRAGMA takes no bound parameters; these are our own integers. */
	snprintf(set_version, sizeof(set_version),
		 "PRAGMA user_version = %d; PRAGMA application_id = %d",
		 version, DB_APPLICATION_ID);
	if (sqlite3_exec(db, set_version, NULL, NULL, NULL) != SQLITE_OK) {
		log_db_error(db, "cannot record the schema version");
		goto out;
	}
	if (db_commit(db))
		goto out;
	log_info("db: %s: migrated to schema version %d", db_path(db), version);
	rc = 0;
out:
	if (rc)
		db_rollback(db);
	return rc;
}

int db_migrate_to(sqlite3 *db, int target)
{
	int current = db_schema_version(db);
	if (current < 0)
		return -1;
	if (target < 0 || target > DB_SCHEMA_VERSION) {
		log_err("db: %s: cannot migrate to schema version %d; this "
			"qa-scheduler knows versions 0 to %d",
			db_path(db), target, DB_SCHEMA_VERSION);
		return -1;
	}
	if (current > target) {
		log_err("db: %s has schema version %d, newer than %d; "
			"migrations only go forward: restore a backup",
			db_path(db), current, target);
		return -1;
	}
	for (int version = current + 1; version <= target; version++)
		if (apply_migration(db, version))
			return -1;
	return 0;
}
