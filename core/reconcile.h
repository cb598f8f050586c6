/* reconcile: make the stored schedule match what was generated, one series
 * (activity, subject) at a time, from the window's first day on: a new
 * occurrence is inserted, a changed one updated (SEQUENCE+1, a new
 * LAST-MODIFIED), a vanished one cancelled, and an unchanged one (the same
 * content hash) not written at all, so a feed's LAST-MODIFIED stays put.
 * Each person's series row keeps its next due date, for due lists and
 * escalations. Writes inside the caller's transaction. */
#ifndef QA_RECONCILE_H
#define QA_RECONCILE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "people.h"
#include "sched_occ.h"

struct reconcile_counts {
	size_t inserted, updated, cancelled, unchanged;
};

/* The statements of one run, prepared once. */
struct reconciler {
	sqlite3 *db;
	time_t now;         /* stamps last_modified and cancelled_at */
	qa_day window_from; /* stored occurrences before it are history */
	struct reconcile_counts counts; /* what this run wrote */
	/* Names what is written (sched_uid); the caller fills it after
	 * reconcile_prepare. */
	unsigned char salt[SCHED_SALT_SIZE];
	sqlite3_stmt *existing, *upsert, *cancel, *series, *series_clear;
	sqlite3_stmt *attendees_clear, *attendee_add, *owners_clear;
};

/* Prepare r for a run on db. 0, or -1 after logging; reconcile_finish
 * either way (it is fine on a {0} reconciler too). */
int reconcile_prepare(struct reconciler *r, sqlite3 *db, time_t now,
		      qa_day window_from);
void reconcile_finish(struct reconciler *r);

/* Which open occurrence a person's series is next due by. */
enum reconcile_due {
	/* The earliest open one after the latest done (at the same home,
	 * when the series has homes): a missed period is forgiven once a
	 * later one is done ("overdue = nothing recorded since"). */
	RECONCILE_SINCE_DONE,
	/* The earliest open one: each is a duty of its own (the audit
	 * workflow's actions and moderations). */
	RECONCILE_EVERY_OPEN,
};

/* Make the stored series (activity, subject) match occs[0..n), the
 * occurrences of it (n 0: cancel what is stored). For a person (subject
 * not "") also their series row, its next due date chosen as `due` says, or
 * cleared when nothing is open. 0, or -1 after logging. */
int reconcile(struct reconciler *r, const char *activity, const char *subject,
	      const struct sched_occ *occs, size_t n, enum reconcile_due due);

/* Cancel activity's stored series that this run generated nothing for: a
 * role changed, or the plugin now concerns nobody. Kept are the people in
 * `kept` (in id order; NULL: the audience-wide series "" alone, for an
 * activity that was one series a person before). only_subject NULL looks at
 * every subject, else at that one only (a run for one person). 0 or -1. */
int reconcile_orphans(struct reconciler *r, const char *activity,
		      const struct people *kept, const char *only_subject);

/* The deadlines of audience-wide activity are kept against its owner
 * (NULL: nobody): any other person's series row of it is dropped, and the
 * owner's written from occs[0..n) (the audience series), due from `since`
 * on (RECONCILE_SINCE_DONE). 0 or -1. */
int reconcile_owner(struct reconciler *r, const char *activity,
		    const char *owner, qa_day since,
		    const struct sched_occ *occs, size_t n);

#endif
