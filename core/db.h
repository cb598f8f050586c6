/* db: the SQLite store. One database file, opened the same way by the daemon
 * and the CLI (they may use it at the same time):
 *   WAL, synchronous=FULL, busy_timeout, foreign_keys=ON on every connection;
 *   the schema is created and migrated by numbered migrations tracked in
 *   PRAGMA user_version. A database written by a newer qa-scheduler
 *   (user_version > DB_SCHEMA_VERSION) is refused and left untouched. */
#ifndef QA_DB_H
#define QA_DB_H

#include <sqlite3.h>

#include "qa-scheduler/plugin.h"

/* The schema version this build writes. */
#define DB_SCHEMA_VERSION 6
#define DB_BUSY_TIMEOUT_MS 5000
/* Marks the file as ours (PRAGMA application_id, "QASC"), so a database of
 * another program is refused rather than having our tables added to it. */
#define DB_APPLICATION_ID 0x51415343

/* Open (creating if needed) and migrate path. Returns 0 and sets *out, or -1
 * after logging "db: PATH: reason". Refused, and left byte for byte as it
 * was: a file that is not SQLite, a SQLite database of another program, a
 * schema newer than DB_SCHEMA_VERSION, a file this user cannot write. */
int db_open(const char *path, sqlite3 **out);

/* Open an existing database without migrating or creating it, for
 * read-only use (PRAGMA query_only). Its schema must be DB_SCHEMA_VERSION:
 * an older one is refused with a hint to migrate it. Returns 0 or -1. */
int db_open_readonly(const char *path, sqlite3 **out);

/* NULL is fine. Every statement must have been finalized, but for those
 * kept by db_prepare_kept, which this finalizes. */
void db_close(sqlite3 *db);

/* Statements kept prepared on their connection between uses, for a query
 * that takes longer to compile than to run (a feed's: three SELECTs of
 * twenty columns). SQLite 3.40 keeps no data of ours per connection, so the
 * statement is found again among the connection's own (sqlite3_next_stmt)
 * by its text, which must start with DB_KEPT so that db_close can tell it
 * from one a caller forgot to finalize.
 *
 * db_prepare_kept sets *out to an idle kept statement of db with exactly
 * this text, or prepares one (SQLITE_PREPARE_PERSISTENT). 0, or -1 (logged,
 * *out NULL). Hand it back with db_release_kept (NULL is fine): it is reset
 * and its bindings cleared, never finalized. One connection is used by one
 * thread at a time, so a statement is never handed out twice at once. */
#define DB_KEPT "-- kept by db_prepare_kept\n"
int db_prepare_kept(sqlite3 *db, const char *sql, sqlite3_stmt **out);
void db_release_kept(sqlite3_stmt *stmt);

/* Columns and parameters of the kinds every module reads and binds. Dates
 * are stored as YYYY-MM-DD text (see the schema in db.c).
 *
 * db_column_day: the day in a date column, or QA_DAY_NONE for NULL and for
 * text that is not a real YYYY-MM-DD date (the schema's CHECKs keep such
 * text out; reading it as "no day" is what every reader did).
 * db_column_dup: a new copy of a text column (free it), or NULL for NULL
 * and when out of memory: tell them apart with sqlite3_column_type.
 * db_bind_day: day as YYYY-MM-DD text, or NULL for QA_DAY_NONE.
 * db_bind_text: text, or NULL for a NULL pointer.
 * Both binders copy what they bind (SQLITE_TRANSIENT) and return
 * sqlite3_bind_*'s code. */
qa_day db_column_day(sqlite3_stmt *stmt, int column);
char *db_column_dup(sqlite3_stmt *stmt, int column);
int db_bind_day(sqlite3_stmt *stmt, int index, qa_day day);
int db_bind_text(sqlite3_stmt *stmt, int index, const char *text);
/* How many of this thread's db_bind_text and db_bind_day could not copy
 * their text (out of memory): such a parameter is a zero-length blob,
 * which every STRICT table refuses in a TEXT column, so a write fails; a
 * read that must not quietly miss rows compares this before and after. */
unsigned long db_bind_failures(void);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1 (logged). db_begin waits up
 * to the busy timeout for another writer. db_rollback does nothing outside
 * a transaction (SQLite may already have rolled back after an error). */
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);

/* The current user_version, or -1. */
int db_schema_version(sqlite3 *db);

/* PRAGMA data_version: changes when another connection commits (not when
 * this one does). */
int db_data_version(sqlite3 *db, long long *out);

/* Replace the busy timeout of db (DB_BUSY_TIMEOUT_MS after open); tests use
 * a short one to see a locked database refused. 0 or -1. */
int db_set_busy_timeout(sqlite3 *db, int ms);

/* Apply migrations up to `target` (tests use it to build old schemas).
 * 0 or -1. */
int db_migrate_to(sqlite3 *db, int target);

#endif
