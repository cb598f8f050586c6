/* manager: what a manager's page shows (SPEC section 2: "see for their team
 * who is due or overdue for supervision ... sign off audit actions;
 * moderate; see the team's compliance over the last year"), gathered once
 * from the stored schedule, the audits and the reports, for the page and
 * the API alike. */
#ifndef QA_MANAGER_H
#define QA_MANAGER_H

#include <sqlite3.h>
#include <stdbool.h>

#include "audit.h"
#include "due.h"
#include "errlist.h"
#include "rows.h"
#include "schedule.h"
#include "staff.h"
#include "token.h"

/* An audit whose action, or whose Stage 2 moderation, is waiting. */
struct manager_audit {
	struct audit audit;
	char *auditor_name, *practitioner_name; /* as staff_get reads them */
	qa_day due;
	bool urgent; /* its action: inadequate with a safeguarding concern, as
			it stands after any moderation */
};

struct manager_audits {
	struct manager_audit *items;
	size_t n;
};

/* A team in the manager's line, for a senior manager's summary. */
struct manager_team {
	char *team;
	int staff, in_date, overdue; /* supervision today */
	int open_actions, overdue_actions;
};

struct manager_view {
	struct staff manager;
	const char *team; /* the team shown: NULL, the manager's direct
			     reports */
	qa_day today;
	struct due_list supervision;       /* of those shown, overdue first */
	struct manager_audits actions;     /* open, of those shown's cases */
	struct manager_audits moderations; /* waiting for the manager */
	struct due_list own;               /* the manager's own deadlines */
	struct manager_team *teams;        /* every team in the line */
	size_t n_teams;
	struct rows months; /* report supervision, the last 12 months, of
			       those shown: per team and month */
	/* Whom the forms may name: those shown (practitioners), and who may
	 * be asked to moderate (every practice manager and senior in post). */
	struct staff_array people, moderators;
};

/* Gather the page of manager_id (who must manage someone) for team (NULL:
 * their direct reports; else a team in their line). 0; 1 when team is not
 * in their line; -1 on an error (logged, or in errs). The view is
 * initialised either way: manager_view_done it. */
int manager_view_load(sqlite3 *db, const struct sched_env *env,
		      const char *manager_id, const char *team,
		      struct manager_view *out, struct errlist *errs);

void manager_view_done(struct manager_view *view);

/* Every open item of activity (SCHED_AUDIT_ACTION or SCHED_MODERATION) in
 * the organisation, each with its audit, for the weekly digests (issue 10)
 * to share out by line. 0, or -1 (logged); manager_audits_done out either
 * way. */
int manager_audits_open(sqlite3 *db, const char *activity,
			struct manager_audits *out);
void manager_audits_done(struct manager_audits *l);

/* Is staff_id in manager_id's line (under them, at any depth)? 1, 0, or -1
 * on an error (logged). */
int manager_in_line(sqlite3 *db, const char *manager_id, const char *staff_id);

/* Is team the team of someone in manager_id's line? 1, 0, or -1 (logged). */
int manager_team_in_line(sqlite3 *db, const char *manager_id, const char *team);

/* The manager a manager-page token's text names, still in post on today:
 * 1 with their id (a new string) and the token's hash; 0 for a token of
 * another shape, unknown, revoked, a feed's, or a manager who has left;
 * -1 on an error (logged). The page and the API both answer by it. */
int manager_by_token(sqlite3 *db, const char *token, qa_day today,
		     unsigned char hash[TOKEN_HASH_SIZE], char **id);

#endif
