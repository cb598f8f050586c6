#include "backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "db.h"

int backup_hold(const char *db_path, bool exclusive, struct errlist *errs)
{
	char *path = NULL;
	if (asprintf(&path, "%s.lock", db_path) < 0) {
		errlist_add(errs, "%s.lock: out of memory", db_path);
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
	} else if (flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB)) {
		if (errno == EWOULDBLOCK && exclusive)
			errlist_add(errs,
				    "%s: qa-scheduler serve is running on this "
				    "database; stop it first (systemctl stop "
				    "qa-scheduler)",
				    db_path);
		else if (errno == EWOULDBLOCK)
			errlist_add(
				errs,
				"%s: a restore is running on this database; "
				"start again when it has finished",
				db_path);
		else
			errlist_add(errs, "%s: cannot lock: %s", path,
				    strerror(errno));
		close(fd);
		fd = -1;
	}
	free(path);
	return fd;
}

/* fsync path (a file, or with dir its folder). 0 or -1 (errno). */
static int flush(const char *path, bool dir)
{
	int fd = open(path, (dir ? O_DIRECTORY : 0) | O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int rc = fsync(fd);
	int saved = errno;
	close(fd);
	errno = saved;
	return rc;
}

int backup_write(sqlite3 *db, const char *path, struct errlist *errs)
{
	char *partial = NULL, *copy = NULL;
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (asprintf(&partial, "%s.partial", path) < 0 ||
	    !(copy = strdup(path))) {
		errlist_add(errs, "%s: out of memory", path);
		goto out;
	}
	/* VACUUM INTO will not write over a file: one left by a copy that
	 * was cut short goes. */
	if (unlink(partial) && errno != ENOENT) {
		errlist_add(errs, "%s: cannot remove: %s", partial,
			    strerror(errno));
		goto out;
	}
	if (sqlite3_prepare_v2(db, "VACUUM INTO ?1", -1, &stmt, NULL) !=
		    SQLITE_OK ||
	    db_bind_text(stmt, 1, partial) != SQLITE_OK ||
	    sqlite3_step(stmt) != SQLITE_DONE) {
		errlist_add(errs, "%s: cannot copy the database: %s", path,
			    sqlite3_errmsg(db));
		unlink(partial);
		goto out;
	}
	if (flush(partial, false) || rename(partial, path) ||
	    flush(dirname(copy), true)) {
		errlist_add(errs, "%s: cannot write the copy: %s", path,
			    strerror(errno));
		unlink(partial);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	free(partial);
	free(copy);
	return rc;
}

/* Run a check pragma and add up to a few of its complaints to errs. 0 when
 * it said only "ok". */
static int check_pragma(sqlite3 *db, const char *sql, const char *path,
			struct errlist *errs)
{
	sqlite3_stmt *stmt = NULL;
	int bad = 0, step;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		errlist_add(errs, "%s: cannot be checked: %s", path,
			    sqlite3_errmsg(db));
		return -1;
	}
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *said = (const char *)sqlite3_column_text(stmt, 0);
		if (said && strcmp(said, "ok") == 0)
			continue;
		if (bad++ < 5)
			errlist_add(errs, "%s: damaged: %s", path,
				    said ? said : "(no reason)");
	}
	if (step != SQLITE_DONE) {
		errlist_add(errs, "%s: damaged: %s", path, sqlite3_errmsg(db));
		bad++;
	}
	sqlite3_finalize(stmt);
	return bad ? -1 : 0;
}

int backup_quick_check(sqlite3 *db, const char *path, struct errlist *errs)
{
	return check_pragma(db, "PRAGMA quick_check", path, errs);
}

static int pragma_int(sqlite3 *db, const char *sql, long long *out)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW) {
		*out = sqlite3_column_int64(stmt, 0);
		rc = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Is copy a whole database of ours that this build can read? */
static int check_copy(sqlite3 *src, const char *copy, struct errlist *errs)
{
	long long id, version;
	if (pragma_int(src, "PRAGMA application_id", &id) ||
	    pragma_int(src, "PRAGMA user_version", &version)) {
		errlist_add(errs, "%s: not a SQLite database: %s", copy,
			    sqlite3_errmsg(src));
		return -1;
	}
	if (check_pragma(src, "PRAGMA integrity_check", copy, errs))
		return -1;
	if (id != DB_APPLICATION_ID || version < 1) {
		errlist_add(errs, "%s: not a qa-scheduler database", copy);
		return -1;
	}
	if (version > DB_SCHEMA_VERSION) {
		errlist_add(errs,
			    "%s: written by a newer qa-scheduler (schema %lld; "
			    "this one knows up to %d)",
			    copy, version, DB_SCHEMA_VERSION);
		return -1;
	}
	return 0;
}

int backup_restore(const char *db_path, const char *copy, struct errlist *errs)
{
	sqlite3 *src = NULL, *dst = NULL;
	int rc = -1;
	int lock = backup_hold(db_path, true, errs);
	if (lock < 0)
		return -1;
	if (access(copy, R_OK)) {
		errlist_add(errs, "%s: cannot read: %s", copy, strerror(errno));
		goto out;
	}
	if (sqlite3_open_v2(copy, &src, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		errlist_add(errs, "%s: cannot open: %s", copy,
			    src ? sqlite3_errmsg(src) : "out of memory");
		goto out;
	}
	if (check_copy(src, copy, errs))
		goto out;
	if (db_open(db_path, &dst)) {
		errlist_add(errs, "%s: cannot open (see above)", db_path);
		goto out;
	}
	/* One write transaction on the live file: its readers see all of
	 * the old or all of the copy, and its WAL stays its own. */
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int step = b ? sqlite3_backup_step(b, -1) : SQLITE_ERROR;
	if ((b && sqlite3_backup_finish(b) != SQLITE_OK) ||
	    step != SQLITE_DONE) {
		errlist_add(errs, "%s: cannot restore into it: %s", db_path,
			    sqlite3_errmsg(dst));
		goto out;
	}
	db_close(dst);
	dst = NULL;
	/* An older copy is brought up to this build's schema now. */
	if (db_open(db_path, &dst) || backup_quick_check(dst, db_path, errs)) {
		errlist_add(errs, "%s: restored, but it does not open cleanly",
			    db_path);
		goto out;
	}
	rc = 0;
out:
	db_close(dst);
	sqlite3_close(src);
	close(lock);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)b, *(char *const *)a); /* newest first */
}

/* A name backup_rotate keeps or removes: BACKUP_PREFIX, the time, ".db". */
static bool rotated_name(const char *name)
{
	size_t len = strlen(name), prefix = strlen(BACKUP_PREFIX);
	return len == prefix + 16 + 3 &&
	       strncmp(name, BACKUP_PREFIX, prefix) == 0 &&
	       strcmp(name + len - 3, ".db") == 0 &&
	       strspn(name + prefix, "0123456789TZ") == 16;
}

int backup_rotate(const char *dir, int keep, struct errlist *errs)
{
	DIR *d = opendir(dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	int rc = -1;
	if (!d) {
		errlist_add(errs, "%s: cannot read: %s", dir, strerror(errno));
		return -1;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!rotated_name(e->d_name))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			char **grown = reallocarray(names, cap, sizeof(*grown));
			if (!grown)
				goto oom;
			names = grown;
		}
		if (!(names[n] = strdup(e->d_name)))
			goto oom;
		n++;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	rc = 0;
	for (size_t i = (size_t)keep; i < n; i++) {
		char *path = NULL;
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0 ||
		    unlink(path)) {
			errlist_add(errs, "%s/%s: cannot remove: %s", dir,
				    names[i], strerror(errno));
			rc = -1;
		}
		free(path);
	}
	goto out;
oom:
	errlist_add(errs, "%s: out of memory", dir);
out:
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(d);
	return rc;
}
