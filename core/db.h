/* db: the SQLite store. One database file, opened the same way by the daemon
 * and the CLI (they may use it at the same time):
 *   WAL, synchronous=FULL, busy_timeout, foreign_keys=ON on every connection;
 *   the schema is created and migrated by numbered migrations tracked in
 *   PRAGMA user_version. A database written by a newer qa-scheduler
 *   (user_version > DB_SCHEMA_VERSION) is refused and left untouched. */
#ifndef QA_DB_H
#define QA_DB_H

#include <sqlite3.h>

/* The schema version this build writes. */
#define DB_SCHEMA_VERSION 1
#define DB_BUSY_TIMEOUT_MS 5000

/* Open (creating if needed) and migrate path. Returns 0 and sets *out, or -1
 * after logging "db: PATH: reason". */
int db_open(const char *path, sqlite3 **out);

/* Open an existing database without migrating or creating it, for
 * read-only use. Returns 0 or -1. */
int db_open_readonly(const char *path, sqlite3 **out);

void db_close(sqlite3 *db);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. 0 or -1 (logged). */
int db_begin(sqlite3 *db);
int db_commit(sqlite3 *db);
void db_rollback(sqlite3 *db);

/* The current user_version, or -1. */
int db_schema_version(sqlite3 *db);

/* PRAGMA data_version: changes when another connection commits. */
int db_data_version(sqlite3 *db, long long *out);

/* Apply migrations up to `target` (tests use it to build old schemas).
 * 0 or -1. */
int db_migrate_to(sqlite3 *db, int target);

#endif
