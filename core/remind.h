/* remind: which reminders and escalations are due, and the outbox that
 * makes each delivered at most once after success (SPEC section 7).
 *
 * For every open occurrence and every lead time of its activity there is a
 * reminder to each person taking part; when a person's series becomes
 * overdue, one escalation to their line manager (for an audit action with a
 * safeguarding concern, to the manager's manager too; a manager who has left
 * is skipped for the next one up). remind_plan writes one outbox row per
 * (occurrence, stage, channel, recipient) in the transaction that finds it
 * due; a row is marked sent only after its channel accepted it. */
#ifndef QA_REMIND_H
#define QA_REMIND_H

#include <sqlite3.h>
#include <stdbool.h>
#include <time.h>

#include "deliver.h"
#include "feed.h"
#include "holidays.h"

/* Reminders for all-day items and deadlines, and escalations, go out at
 * this local time (minutes after midnight): 09:00. */
#define REMIND_DAY_MINUTE (9 * 60)
/* Attempts before a delivery is given up (marked failed). */
#define REMIND_MAX_ATTEMPTS 8

struct remind_env {
	const struct feed_catalog *catalog; /* lead times, audiences */
	const struct holidays *holidays;    /* the send window's working days */
	const char *tzid;
	int window_start, window_end; /* minutes; -1: send at once */
	bool email, webhook;          /* channels configured (log always) */
	const char *base_url;         /* for "where to see it" */
};

/* Write the outbox rows that have come due by now (pending; "skipped" when
 * the occurrence is already past, so a long downtime never floods), in one
 * transaction. *next gets the instant of the next reminder, escalation,
 * held delivery or retry (0: none). 0, or -1 on a database error. */
int remind_plan(sqlite3 *db, const struct remind_env *env, time_t now,
		time_t *next);

/* A pending delivery, ready to go. */
struct remind_job {
	long long id;
	struct deliver_message msg;
	char *buffers[8]; /* owned strings msg points into */
};

/* Pending rows whose time has come and that are not in in_flight (sorted
 * ids, n_in_flight of them), up to max; none while the send window is shut
 * (a retry waits for it too); rows whose reason has gone (the
 * occurrence was done, cancelled or has passed) are marked skipped instead.
 * 0 with *jobs (free with remind_jobs_free) and *n, or -1. */
int remind_take(sqlite3 *db, const struct remind_env *env, time_t now,
		const long long *in_flight, size_t n_in_flight, size_t max,
		struct remind_job **jobs, size_t *n);
void remind_jobs_free(struct remind_job *jobs, size_t n);

/* Record a delivery's outcome: sent, or another attempt later with
 * exponential back-off (1 minute doubling, at most an hour), or failed after
 * REMIND_MAX_ATTEMPTS. 0 or -1. */
int remind_record(sqlite3 *db, long long id, bool ok, const char *error,
		  time_t now);

struct remind_counts {
	long long pending, sent, failed, skipped;
};
int remind_counts(sqlite3 *db, struct remind_counts *out);

#endif
