/* schedule: the schedule engine (functions prefixed sched_).
 *
 * Asks each enabled plugin for its occurrences in a rolling window (6 months
 * back, 12 ahead of today) for every subject it concerns, and reconciles
 * them into the occurrences table: insert new, update changed (SEQUENCE+1,
 * a new LAST-MODIFIED), mark vanished as cancelled. UIDs are derived from
 * (activity, subject, key), so they are stable across runs and restarts.
 * It also runs the built-in series of the audit workflow, derived from
 * recorded collaborative audits: `audit_action` and `moderation`.
 *
 * This file drives a run; its parts live beside it: the host services
 * plugins call while generating (emit, RRULE expansion, working days,
 * completions) in plugin_services.c, the audit workflow in
 * audit_workflow.c, the writing of what was generated in reconcile.c, the
 * people it goes through in people.c. None of them calls back into it. */
#ifndef QA_SCHEDULE_H
#define QA_SCHEDULE_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "audit_workflow.h" /* SCHED_AUDIT_ACTION, SCHED_MODERATION */
#include "errlist.h"
#include "holidays.h"
#include "plugin_host.h"
#include "sched_occ.h"

/* Months of the rolling window. */
#define SCHED_MONTHS_BACK 6
#define SCHED_MONTHS_AHEAD 12

struct sched_env {
	struct plugin_set *plugins; /* a plugin that fails is disabled */
	const struct holidays *holidays;
	const char *tzid;
	qa_day today;
	time_t now; /* stamps last_modified and cancelled_at */
};

/* Restrict a regeneration: NULL fields mean "all". */
struct sched_filter {
	const char *activity; /* a plugin id or SCHED_AUDIT_ACTION */
	const char *staff_id; /* one subject (audience series still run) */
};

struct sched_stats {
	size_t inserted, updated, cancelled, unchanged;
	size_t plugins_run, plugins_failed;
};

/* Regenerate the schedule (or the part filter names) and reconcile it into
 * the database. Runs inside the caller's transaction when one is open, else
 * its own (BEGIN IMMEDIATE). A plugin whose generate() fails is disabled
 * (logged, reason kept) and its stored occurrences are left as they were;
 * the others go on. Returns 0, or -1 on a database error (rolled back). */
int sched_regenerate(sqlite3 *db, const struct sched_env *env,
		     const struct sched_filter *filter,
		     struct sched_stats *stats);

/* Run one activity for one subject (staff_id NULL for an audience series)
 * over [from, to] without touching the schedule, for `qa-scheduler next`.
 * Occurrences are returned sorted by date and time. 0;
 * SCHED_PREVIEW_WHO when the activity is one series per person and staff_id
 * is NULL; or -1 with what the reader must fix in errs (an unknown activity
 * or person, one the activity does not concern, a plugin that failed) or,
 * on a database error, logged. */
#define SCHED_PREVIEW_WHO (-2)
int sched_preview(sqlite3 *db, const struct sched_env *env,
		  const char *activity, const char *staff_id, qa_day from,
		  qa_day to, struct sched_occ_list *out, struct errlist *errs);

/* The installation's UID salt: 16 random bytes kept in meta, made on first
 * use when create is true (else zeros when there is none yet). 0 or -1. */
int sched_uid_salt(sqlite3 *db, bool create,
		   unsigned char salt[SCHED_SALT_SIZE]);

/* The owner of audience-wide activity p's deadlines on today:
 * [activity.<id>] owner when that person is in post, else the person in
 * post holding the first of its roles (the lowest id). *owner is a new
 * string, or NULL when there is nobody; *holders the ids of everyone in post
 * holding that role, in id order (free with config_list_done). 0, or -1 on
 * a database error (logged). */
int sched_owner(sqlite3 *db, const struct plugin *p, qa_day today, char **owner,
		struct config_list *holders);

/* Is the stored schedule generated for `today`? Reads meta. */
bool sched_is_current(sqlite3 *db, qa_day today);

/* Each subject's occurrences of one activity over [from, to], generated
 * afresh from what is recorded (for reports; nothing stored): cb gets, in
 * id order, every person the activity concerns who is tracked at some time
 * in [from, to], or once the audience series with its owner (NULL when
 * nobody owns it), and the occurrences sorted by date; a non-zero return
 * stops. 0, or -1 with what to fix in errs (an unknown activity, a plugin
 * that failed) or, on a database error, logged. */
struct person;
typedef int (*sched_history_cb)(const struct person *person, const char *owner,
				const struct sched_occ_list *occs, void *arg);
/* Which people to generate for at all (NULL: everyone): a report of one
 * team or line need not generate the rest of a large organisation. */
typedef bool (*sched_history_keep)(const struct person *person, void *arg);
int sched_history(sqlite3 *db, const struct sched_env *env,
		  const char *activity, qa_day from, qa_day to,
		  sched_history_keep keep, void *keep_arg, sched_history_cb cb,
		  void *arg, struct errlist *errs);

/* Call cb with each status of the stored occurrences ("confirmed",
 * "tentative", "cancelled"...) and how many have it. 0, or -1 on a database
 * error. */
int sched_count_by_status(sqlite3 *db,
			  void (*cb)(const char *status, long long n,
				     void *arg),
			  void *arg);

#endif
