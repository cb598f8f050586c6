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
	/* [reminders] mode = digest (issue 10): only urgent items go one by
	 * one; the rest go in a digest a working day per person at
	 * digest_minute and a weekly one per manager on weekly_day. */
	bool digest;
	int digest_minute, weekly_day;
	bool sign_on; /* [server] auth_header: /manager signs a manager on */
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

/* Point job->msg at its buffers: title, text, json, key, email, name and
 * (or NULL) the .ics, in that order; id is the outbox row's (a digest's
 * negated). */
void remind_job_ready(struct remind_job *job, long long id,
		      const char *channel);
/* Is id among in_flight's n (sorted)? */
bool remind_in_flight(long long id, const long long *in_flight, size_t n);
/* Mark outbox row id (a digest's negated) skipped: its reason has gone.
 * 0 or -1. */
int remind_skip(sqlite3 *db, long long id);

/* Record a delivery's outcome: sent, or another attempt later with
 * exponential back-off (1 minute doubling, at most an hour), or failed after
 * REMIND_MAX_ATTEMPTS. 0 or -1. */
int remind_record(sqlite3 *db, long long id, bool ok, const char *error,
		  time_t now);

struct remind_counts {
	long long pending, sent, failed, skipped;
};
/* The outbox's rows by state: reminders_outbox's, or with digests
 * digests_outbox's. 0 or -1. */
int remind_counts(sqlite3 *db, bool digests, struct remind_counts *out);
/* cb once per (channel, state) with rows, by channel then state. 0 or -1. */
int remind_count_by_channel(sqlite3 *db, bool digests,
			    void (*cb)(const char *channel, const char *state,
				       long long n, void *arg),
			    void *arg);

/* ---- the rules digest.c shares ---- */

/* An open occurrence, as the planners read it. */
struct remind_occ {
	const char *uid, *activity, *subject, *kind, *with_staff_id, *key;
	const char *also; /* a third participant, or NULL */
	qa_day date;
	time_t dtstart_utc;
};

/* The instant a reminder is measured from: an event's start, else 09:00
 * local on its date. */
time_t remind_reference(const struct remind_env *env,
			const struct remind_occ *o);
/* REMIND_DAY_MINUTE local on day. */
time_t remind_day_instant(const struct remind_env *env, qa_day day);
/* lead seconds before ref, whole days counted on the local calendar. */
time_t remind_lead_instant(const struct remind_env *env, time_t ref, long lead);
/* The first instant at or after t inside the send window on a working day
 * (t itself when there is no window). */
time_t remind_in_window(const struct remind_env *env, time_t t);
/* The catalog's entry of activity, or NULL. */
const struct feed_activity *remind_activity(const struct remind_env *env,
					    const char *activity);

struct person;
struct people;
/* The line manager of id in post on today; one who has left is skipped for
 * the next one up. NULL at the top. */
const struct person *remind_manager_of(const struct people *people,
				       const char *id, qa_day today);
/* cb for everyone in post taking part in o (of activity a): its subject,
 * manager and third participant, or for an audience-wide series everyone
 * holding its roles and its owner. Stops at cb's first non-zero: -1. */
int remind_each_participant(const struct people *people,
			    const struct feed_activity *a,
			    const struct remind_occ *o, qa_day today,
			    int (*cb)(const struct person *p, void *arg),
			    void *arg);

#define REMIND_WHAT_SIZE 300
/* What an item is, as its reminder names it to `to`: "Supervision: Alice
 * Smith with Bob Jones", or its summary with its subject's name when it is
 * someone else's. */
void remind_what(const char *activity, const char *summary, const char *subject,
		 const char *subject_name, const char *with_name,
		 const char *to, char out[REMIND_WHAT_SIZE]);
/* "Tuesday 1 December 2026, 10:00" (an event), or the date alone. */
void remind_when_text(const struct remind_env *env, const char *kind,
		      qa_day date, time_t start, char *buf, size_t size);

#define REMIND_KEY_SIZE 33
/* An idempotency key: 32 hex digits hashing the four parts. */
void remind_key(const char *const parts[4], char out[REMIND_KEY_SIZE]);

#endif
