/* digest: reminders people read (issue 10).
 *
 * With [reminders] mode = digest (the default), each person gets one
 * message a working day at digest_time listing what is overdue, what is
 * today, what falls in the next 7 days within its lead time, and what
 * further ahead reached its lead time since the last digest; a manager's
 * lines include what has escalated to them. Each manager gets a weekly one
 * on weekly_day (or the first working day after it that week): their
 * line's supervision in date now and 7 days before, who is overdue, open
 * audit actions by age, moderations waiting, their own deadlines this
 * week. In either mode the QA team gets one message a month while a
 * holiday calendar is running out.
 *
 * Planned inside remind_plan's transaction, composed then and kept in
 * digests_outbox with an idempotency key of (kind, period, channel,
 * recipient), so each goes at most once after success, as reminders do.
 * After downtime the day's (or week's, or month's) goes once, late; one
 * whose day has passed is skipped, never sent. */
#ifndef QA_DIGEST_H
#define QA_DIGEST_H

#include <sqlite3.h>
#include <time.h>

#include "remind.h"

/* Compose and store the digests that have come due by now and have not
 * been yet, in a transaction of its own; *next gets the next instant one
 * may (0: none). 0, or -1 on a database error (logged). */
int digest_plan(sqlite3 *db, const struct remind_env *env, time_t now,
		time_t *next);

/* Pending digests whose time has come, as remind_take gives reminders (up
 * to max, none outside the send window, skipping ids in in_flight; free
 * *jobs with remind_jobs_free); each job's id (and outbox_id) is the row's
 * id negated, so remind_record knows it for a digest. One whose day, week
 * or month has passed, or whose recipient has left, is marked skipped. 0,
 * or -1 (logged). */
int digest_take(sqlite3 *db, const struct remind_env *env, time_t now,
		const long long *in_flight, size_t n_in_flight, size_t max,
		struct remind_job **jobs, size_t *n);

#endif
