#include "history.h"

#include "date.h"
#include "db.h"
#include "log.h"

int history_as_of(sqlite3 *db, const struct sched_env *env, sqlite3 **copy)
{
	sqlite3 *mem = NULL;
	sqlite3_backup *backup = NULL;
	sqlite3_stmt *stmt = NULL;
	struct sched_stats stats;
	char day[DATE_TEXT_SIZE];
	*copy = NULL;
	/* "": a private temporary database on disk, which SQLite deletes
	 * when it is closed; in memory (":memory:") the copy of a council's
	 * schedule held the whole file in RAM (160 MB at 5,000 staff). Its
	 * page cache is SQLite's default, as for the database itself. */
	if (sqlite3_open_v2("", &mem,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
			    NULL) != SQLITE_OK)
		goto fail;
	/* The copy is read once and thrown away, and the same code writes the
	 * real schedule, where the CHECKs stay on: here they would guard
	 * nothing that lasts, and an IN list's CHECK builds a temporary table
	 * for every row written (a third of the time). */
	if (sqlite3_exec(mem, "PRAGMA ignore_check_constraints = ON", NULL,
			 NULL, NULL) != SQLITE_OK)
		goto fail;
	backup = sqlite3_backup_init(mem, "main", db, "main");
	if (!backup || sqlite3_backup_step(backup, -1) != SQLITE_DONE)
		goto fail;
	sqlite3_backup_finish(backup);
	backup = NULL;
	/* What happened after the day was not known on it: the completions
	 * dated after (the moderations and closes of an audit come after
	 * it, so none left refers to one taken out). */
	if (sqlite3_prepare_v2(mem,
			       "DELETE FROM completions WHERE done_on > ?1", -1,
			       &stmt, NULL) != SQLITE_OK)
		goto fail;
	date_format(env->today, day);
	sqlite3_bind_text(stmt, 1, day, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(stmt);
	stmt = NULL;
	if (sched_regenerate(mem, env, NULL, &stats))
		goto fail;
	*copy = mem;
	return 0;
fail:
	log_err("history: the schedule as of %s: %s",
		date_format(env->today, day),
		mem ? sqlite3_errmsg(mem) : "out of memory");
	if (backup)
		sqlite3_backup_finish(backup);
	sqlite3_finalize(stmt);
	sqlite3_close(mem);
	return -1;
}
