/* report: what was done on time, late or missed (issue 8), from what is
 * recorded now, each subject's schedule generated afresh over the months
 * asked for (sched_history), never from what the stored window still
 * holds. */
#ifndef QA_REPORT_H
#define QA_REPORT_H

#include <sqlite3.h>

#include "errlist.h"
#include "rows.h"
#include "schedule.h"

struct report_filter {
	qa_day from, to;        /* the first and last day reported */
	const char *team;       /* only this team; NULL: all */
	const char *manager_id; /* only everyone in this manager's line */
};

/* The default range: the last 12 whole months before today. */
void report_default_range(qa_day today, qa_day *from, qa_day *to);

/* `report activity ID`: one row per person (or owner, for a single series)
 * and deadline falling due in the range, with the columns staff_id, team,
 * period_start, period_end, due, status (done: a completion dated in the
 * period; missed: the period ended without one; open) and done_on. 0, or
 * -1 with what to fix in errs (an unknown activity or manager, an activity
 * that has no deadlines) or, on a database error, logged. out is initialised
 * either way: rows_done it. */
int report_activity(sqlite3 *db, const struct sched_env *env,
		    const struct report_filter *filter, const char *activity,
		    struct rows *out, struct errlist *errs);

/* Each loaded activity with deadlines (plugin_has_deadlines), with the
 * columns activity, title, and of its deadlines falling due in the range as
 * `report activity` gives them: due (all), done, missed and open. Rows in
 * the activities' order (by id). 0, or -1 (errs, or logged); rows_done out
 * either way. */
int report_deadlines(sqlite3 *db, const struct sched_env *env,
		     const struct report_filter *filter, struct rows *out,
		     struct errlist *errs);

/* `report actions`: every audit action of an audit dated in the range,
 * with the columns audit, practitioner, auditor, grade and safeguarding
 * ("yes"/"no") as the auditor gave them, audit_date, due (as the audit workflow
 * sets it, re-timed by a regrading), closed_on, status (closed_on_time,
 * closed_late, open, overdue: today past its due date) and days_open (to its
 * close, or to today). Filtered by the practitioner's team and line. 0, or -1
 * (errs, or logged). out is initialised either way: rows_done it. */
int report_actions(sqlite3 *db, const struct sched_env *env,
		   const struct report_filter *filter, struct rows *out,
		   struct errlist *errs);

/* `report audits`: per team and month, the collaborative audits expected
 * (deadlines falling due that month for the team's practice managers) and
 * done (those met by an audit dated in their month), and of the audits
 * dated in the month by the team's auditors: how many were graded
 * outstanding, good, requires_improvement and inadequate (as the auditor
 * graded them), raised a safeguarding concern, were moderated, and were
 * regraded by the moderation (grade or flag changed). Rows by month, then
 * team. 0, or -1 (errs, or logged); rows_done out either way. */
int report_audits(sqlite3 *db, const struct sched_env *env,
		  const struct report_filter *filter, struct rows *out,
		  struct errlist *errs);

/* `report supervision`: per team and month, `staff` (people with a
 * supervision due at the month's end, as `due --as-of` that day lists
 * them), `in_date` and `overdue` then (overdue: due before that day),
 * `percent_in_date` (one decimal; null with no staff), `sessions` held in the
 * month, `on_time` and `late` of them (held on or before the due date each
 * met), and of the staff `nqsw_weekly` and `nqsw_fortnightly` by their phase
 * at the month's end. Rows by month, then team. 0, or -1 (errs, or logged);
 * rows_done out either way. */
int report_supervision(sqlite3 *db, const struct sched_env *env,
		       const struct report_filter *filter, struct rows *out,
		       struct errlist *errs);

#endif
