/* history: the schedule as it stood on a day, from what is recorded now
 * (issue 8): `due --as-of D` for a D other than today. */
#ifndef QA_HISTORY_H
#define QA_HISTORY_H

#include <sqlite3.h>

#include "schedule.h"

/* A copy of db (a private temporary database on disk, deleted when closed)
 * as it would have been on env->today: completions dated after it left out,
 * the whole schedule generated for that day (a person tracked only from a
 * later day owes nothing yet). db is only read. 0 with *copy (db_close it),
 * or -1 (logged). */
int history_as_of(sqlite3 *db, const struct sched_env *env, sqlite3 **copy);

#endif
