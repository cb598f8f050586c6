/* due: what is due or overdue, one row per person and activity, read from
 * the occurrences table (SPEC section 5). This is what a manager reads. */
#ifndef QA_DUE_H
#define QA_DUE_H

#include <sqlite3.h>
#include <stdio.h>

#include "qa-scheduler/plugin.h"

struct due_filter {
	const char *manager_id; /* direct reports of this manager */
	const char *line_of;    /* everyone under this manager, at any depth */
	const char *staff_id;   /* one person */
	const char *team;
	const char *activity;
	qa_day as_of;
	int within_days; /* "due" when due no later than as_of + within */
};

enum due_status { DUE_OVERDUE, DUE_DUE, DUE_UPCOMING };

struct due_row {
	char *staff_id, *name, *team, *manager_id, *activity;
	qa_day due, last_done; /* last_done QA_DAY_NONE: never */
	enum due_status status;
	const char *phase; /* supervision only, else NULL */
	char *home;        /* reg44_visit: the home due soonest, else NULL */
};

struct due_list {
	struct due_row *rows;
	size_t n;
};

/* Rows for filter, overdue first, then by due date. 0 or -1 (logged). Staff
 * who left on or before as_of are left out; the last completion counts only
 * up to as_of. */
int due_query(sqlite3 *db, const struct due_filter *filter,
	      struct due_list *out);
void due_list_done(struct due_list *list);
/* Free one row's strings (not the row). */
void due_row_done(struct due_row *row);

/* How many people are overdue on day, by team and activity (the rows `due
 * --as-of day` lists as overdue, counted): cb is called once per team and
 * activity with any, in that order. 0, or -1 (logged). */
int due_count_overdue(sqlite3 *db, qa_day day,
		      void (*cb)(const char *team, const char *activity,
				 long long n, void *arg),
		      void *arg);

enum due_format { DUE_FORMAT_TABLE, DUE_FORMAT_JSON, DUE_FORMAT_CSV };

/* Write the rows. JSON: an array of objects with exactly the keys staff_id,
 * name, team, manager_id, activity, due, last_done, status, phase, home;
 * CSV: a header of the same names, then a row each. */
int due_print(const struct due_list *list, enum due_format format, FILE *out);

/* The rows as due_print's JSON has them: a new array (json_decref it), or
 * NULL out of memory. */
typedef struct json_t json_t;
json_t *due_json(const struct due_list *list);

/* The NQSW phase of supervision on day: "nqsw_weekly" in
 * [start, start+6 months), "nqsw_fortnightly" in [start+6m, start+12m),
 * else "experienced" (and with no nqsw_start). Before the start date the
 * person is treated as weekly: that is the phase they begin in. */
const char *due_supervision_phase(qa_day nqsw_start, qa_day day);

#endif
