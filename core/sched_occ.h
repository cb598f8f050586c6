/* sched_occ: the occurrences the schedule engine holds in memory, from a
 * plugin's generate() (or the audit workflow) to the reconciliation that
 * stores them, or to `qa-scheduler next`, which only shows them. */
#ifndef QA_SCHED_OCC_H
#define QA_SCHED_OCC_H

#include <stddef.h>
#include <time.h>

#include "qa-scheduler/plugin.h"

/* One occurrence as a plugin emitted it and the engine completed it. */
struct sched_occ {
	char *activity;
	char *subject; /* "" for an audience-wide series */
	char *key;
	enum qa_occurrence_kind kind;
	enum qa_occurrence_status status;
	qa_day date;
	int start_minute; /* EVENT only, else -1 */
	int duration;     /* EVENT: minutes; ALLDAY: days; DUE: 0 */
	time_t dtstart_utc, dtend_utc; /* EVENT only, else 0 */
	qa_day done_on;                /* QA_DAY_NONE while open */
	/* When done, the date it was due, if the plugin says (ABI 1.3:
	 * supervision); else QA_DAY_NONE. Not stored: reports read it. */
	qa_day due_on;
	char *summary;
	char *detail;
	char *with_staff_id;
	char *also; /* a third participant (occurrence_attendees), or NULL */
	char *home; /* the home it is for (reg44_visit), or NULL */
	/* The date its rule gave, when on_non_working_day moved it; else
	 * QA_DAY_NONE. */
	qa_day moved_from;
};

#define SCHED_SALT_SIZE 16

/* The UID of (activity, subject, key): 32 hex digits of a BLAKE2b hash keyed
 * with the installation's salt (sched_uid_salt), then "@qa-scheduler".
 * Opaque, so a feed's UIDs give away no staff id, and two organisations'
 * UIDs never collide. An occurrence is named when it is written
 * (reconcile.c), not when generated: most are unchanged and need none. */
void sched_uid(const unsigned char salt[SCHED_SALT_SIZE], const char *activity,
	       const char *subject, const char *key, char uid[64]);

/* The list owns its occurrences and their strings. {0} is an empty list. */
struct sched_occ_list {
	struct sched_occ *items;
	size_t n, cap;
};

/* A new occurrence at the end of list, all zeros, already counted in
 * list->n; the caller fills it (strings it allocates become the list's).
 * NULL when out of memory, list unchanged. */
struct sched_occ *sched_occ_list_push(struct sched_occ_list *list);

/* Drop the occurrences from index keep on, freeing their strings. */
void sched_occ_list_truncate(struct sched_occ_list *list, size_t keep);

/* Free every occurrence and the array; *list is left empty. */
void sched_occ_list_done(struct sched_occ_list *list);

#endif
