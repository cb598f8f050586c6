/* audit_workflow: the built-in series of the audit workflow (framework
 * lines 148-198), derived from the collaborative audits recorded rather
 * than from a rule: each practitioner's actions after an audit of their
 * case, and each moderator's Stage 2 moderations. The schedule engine runs
 * them beside the plugins; they reach the schedule through the same emit
 * checks (plugin_services.h) and the same reconciliation. */
#ifndef QA_AUDIT_WORKFLOW_H
#define QA_AUDIT_WORKFLOW_H

#include <sqlite3.h>
#include <stdbool.h>

/* The activity ids of the built-in series: a practitioner's actions after
 * an audit, and the Stage 2 moderations asked of a moderator. */
#define SCHED_AUDIT_ACTION "audit_action"
#define SCHED_MODERATION "moderation"

struct gen;
struct person;
struct plugin_set;

/* One run's statements and settings. */
struct workflow {
	/* [activity.collaborative_audit] moderation_within (working days)
	 * and moderation_time, or their defaults when that plugin is not
	 * loaded. */
	int moderation_within;
	int moderation_minute;
	sqlite3_stmt *audits, *asked;
};

/* Read the settings from plugins and prepare the queries on db. 0, or -1
 * after logging; workflow_finish either way. */
int workflow_prepare(struct workflow *w, sqlite3 *db,
		     const struct plugin_set *plugins);
void workflow_finish(struct workflow *w);

/* Emit practitioner sw's audit actions, one per audit of their case, open
 * or closed and whatever the window (an action open from a year ago is
 * still a duty), into g->out: due 28 days after the audit (5 working days
 * for an inadequate grade with a safeguarding concern), re-timed from a
 * moderation that regraded it before the action was closed. g is the
 * caller's generation context (db, today, holidays, tzid, out, queries);
 * its plugin is not used. 0, or -1 after logging. */
int workflow_actions(struct workflow *w, const struct gen *g,
		     const struct person *sw);

/* Emit the Stage 2 moderations asked of moderator into g->out: an hour
 * with the auditor and the practitioner (the third participant, `also`),
 * tentative on the last day it may be held until it is recorded, then on
 * the day it was held. 0, or -1 after logging. */
int workflow_moderations(struct workflow *w, const struct gen *g,
			 const struct person *moderator);

/* Is the open audit action with occurrence key `key` ("audit-<id>")
 * urgent, its audit as it stands after any moderation inadequate with a
 * safeguarding concern? Reminders escalate such an action two levels up.
 * False for another key or on an error. */
bool workflow_action_urgent(sqlite3 *db, const char *key);

#endif
