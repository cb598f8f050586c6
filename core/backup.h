/* backup: a consistent copy of the live database while the daemon runs and
 * writes, and putting a copy back while it does not (issue 14).
 *
 * The daemon holds a shared lock on "<database>.lock" for as long as it
 * runs (backup_hold); restore takes it exclusively, so it refuses while a
 * daemon runs and no daemon starts while it restores. */
#ifndef QA_BACKUP_H
#define QA_BACKUP_H

#include <sqlite3.h>
#include <stdbool.h>

#include "errlist.h"

/* Lock db_path's lock file, shared (a daemon) or exclusive (restore),
 * without waiting. The descriptor (close it to let go), or -1 with why in
 * errs: held by another, or the file cannot be made. */
int backup_hold(const char *db_path, bool exclusive, struct errlist *errs);

/* Write a consistent copy of db (one read snapshot: VACUUM INTO) to path,
 * through a file beside it that is flushed to disk and then renamed over
 * path, the folder flushed too: path is the old copy or the whole new one,
 * never half. 0, or -1 with what went wrong in errs (path left as it
 * was). */
int backup_write(sqlite3 *db, const char *path, struct errlist *errs);

/* backup --keep's copies: BACKUP_PREFIX, the UTC time as
 * YYYYMMDDTHHMMSSZ, ".db", so that their names sort by age. */
#define BACKUP_PREFIX "qa-scheduler-"

/* Remove all but the newest keep copies in dir named as above (nothing
 * else there is touched). 0, or -1 with what failed in errs. */
int backup_rotate(const char *dir, int keep, struct errlist *errs);

/* Check copy (it opens as SQLite, PRAGMA integrity_check says ok, it is
 * ours by application_id, its schema no newer than this build's) and, with
 * no daemon running (backup_hold), put it in place of db_path's content in
 * one transaction (SQLite's backup API, which keeps db_path's WAL right),
 * then migrate it to this build's schema. A copy that fails a check
 * changes nothing. 0, or -1 with the reasons in errs. */
int backup_restore(const char *db_path, const char *copy, struct errlist *errs);

/* PRAGMA quick_check on db: 0 when it says ok, else -1 with its first
 * complaints in errs. */
int backup_quick_check(sqlite3 *db, const char *path, struct errlist *errs);

#endif
