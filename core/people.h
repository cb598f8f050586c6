/* people: the staff as the schedule engine and the reminders go through
 * them, read once for a run: who they are, their line manager, their
 * effective roles and the days that bound their duties. (staff.c owns the
 * table: adding, importing, leaving, listing.) */
#ifndef QA_PEOPLE_H
#define QA_PEOPLE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>

#include "qa-scheduler/plugin.h"

struct person {
	char *id, *name, *email;
	char *manager_id; /* NULL at the top of the line */
	char *team;
	/* Effective (roles_effective); 0 when the stored words do not parse,
	 * so a word a later version dropped counts for nothing. */
	unsigned roles;
	/* since: from when their obligations are tracked (by default the day
	 * they were added); QA_DAY_NONE when unset. */
	qa_day since, nqsw_start, left_on;
};

struct people {
	struct person *items; /* in id order */
	size_t n;
};

/* people_load's flags. PEOPLE_WARN_ROLES: log a warning for each person
 * whose stored roles do not parse. The schedule does, once a regeneration;
 * the reminders, which read everyone each time they plan or send, do not. */
#define PEOPLE_WARN_ROLES 0x1u

/* Everyone in the staff table, leavers too, or only the person with id
 * `only` (none when there is no such id). 0 with *out (free with
 * people_done), or -1 after logging, *out empty. */
int people_load(sqlite3 *db, const char *only, unsigned flags,
		struct people *out);

/* Frees the people and their strings; *people is left empty. */
void people_done(struct people *people);

/* The person with id, or NULL (id NULL too). people must be in id order,
 * as people_load reads them. */
const struct person *people_find(const struct people *people, const char *id);

/* Is p (NULL: nobody) still in post on today: not left, or leaving today
 * or later? */
bool people_in_post(const struct person *p, qa_day today);

#endif
