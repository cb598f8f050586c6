#include "audit_workflow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "people.h"
#include "plugin_services.h"
/* [activity.collaborative_audit] moderation_within and moderation_time,
 * typed and in range (the host checked them at load), or their defaults
 * when the plugin is not loaded. */
static void workflow_config(const struct plugin_set *plugins,
			    struct workflow *w)
{
	w->moderation_within = 10;
	w->moderation_minute = 10 * 60;
	const struct plugin *p =
		plugin_set_find(plugins, "collaborative_audit");
	char why[128];
	int value;
	if (p && plugin_config_int(p, "moderation_within", &value, why,
				   sizeof(why)) == 0)
		w->moderation_within = value;
	if (p && plugin_config_int(p, "moderation_time", &value, why,
				   sizeof(why)) == 0)
		w->moderation_minute = value;
}

int workflow_prepare(struct workflow *w, sqlite3 *db,
		     const struct plugin_set *plugins)
{
	/* The moderation, if any: the first recorded. */
#define MODERATION_OF(a)                                                \
	" LEFT JOIN completions m ON m.id = (SELECT min(x.id) FROM"     \
	" completions x WHERE x.activity = 'moderation' AND x.audit_id" \
	" = " a ".id)"
	static const char audits_sql[] =
		"SELECT a.id, a.staff_id, a.grade, a.safeguarding, a.done_on,"
		" (SELECT min(c.done_on) FROM completions c WHERE c.activity ="
		"  'audit_action' AND c.audit_id = a.id),"
		" m.done_on, m.grade, m.safeguarding"
		" FROM completions a" MODERATION_OF(
			"a") " WHERE a.activity = 'collaborative_audit'"
			     " AND a.practitioner_id = ?1 ORDER BY a.done_on, "
			     "a.id";
	/* The names from the staff table: a run for one person has loaded
	 * only them. */
	static const char asked_sql[] =
		"SELECT a.id, a.staff_id, a.practitioner_id, a.done_on,"
		" m.done_on,"
		" (SELECT name FROM staff WHERE id = a.staff_id),"
		" (SELECT name FROM staff WHERE id = a.practitioner_id)"
		" FROM completions a" MODERATION_OF(
			"a") " WHERE a.activity = 'collaborative_audit'"
			     " AND a.moderator_id = ?1 ORDER BY a.done_on, "
			     "a.id";
#undef MODERATION_OF
	memset(w, 0, sizeof(*w));
	workflow_config(plugins, w);
	if (sqlite3_prepare_v2(db, audits_sql, -1, &w->audits, NULL) ||
	    sqlite3_prepare_v2(db, asked_sql, -1, &w->asked, NULL)) {
		log_err("sched: audit workflow: %s", sqlite3_errmsg(db));
		return -1;
	}
	return 0;
}

void workflow_finish(struct workflow *w)
{
	sqlite3_finalize(w->audits);
	sqlite3_finalize(w->asked);
	w->audits = w->asked = NULL;
}

/* An action's deadline counted from `from` (the audit, or the moderation
 * that regraded it): 5 working days for an inadequate grade with a
 * safeguarding concern, else 28 days, moved to the working day before
 * when that is not one (framework lines 176-178). */
static qa_day action_due(const struct holidays *holidays, qa_day from,
			 bool urgent)
{
	return urgent ? holidays_add_working_days(holidays, from, 5)
		      : holidays_shift(holidays, from + 28, -1);
}

static bool is_urgent(const char *grade, int safeguarding)
{
	return grade && strcmp(grade, "inadequate") == 0 && safeguarding;
}

/* Emit one occurrence of a built-in series for subject, through the same
 * checks as a plugin's, into what gen (a caller's, with no plugin) emits
 * into. */
static int emit_builtin(const struct gen *gen, const char *activity,
			const char *title, const char *subject,
			const struct qa_occurrence *occ)
{
	struct qa_plugin desc = {.id = activity, .title = title};
	struct plugin builtin = {.desc = &desc};
	struct gen g = *gen;
	g.plugin = &builtin;
	g.subject_id = subject;
	return services_emit(&g, occ);
}

/* The practitioner's actions: one per audit of their case, due as
 * action_due says from the audit, or from its moderation when that
 * regraded it before the action was closed (line 198: a regrading after
 * the close is kept on the audit and reopens nothing). Closed by the
 * `record audit_action` that names the audit. */
int workflow_actions(struct workflow *w, const struct gen *g,
		     const struct person *sw)
{
	sqlite3_stmt *audits = w->audits;
	int step;
	db_bind_text(audits, 1, sw->id);
	while ((step = sqlite3_step(audits)) == SQLITE_ROW) {
		long long audit_id = sqlite3_column_int64(audits, 0);
		const char *grade =
			(const char *)sqlite3_column_text(audits, 2);
		bool urgent = is_urgent(grade, sqlite3_column_int(audits, 3));
		qa_day audited = db_column_day(audits, 4);
		qa_day closed = db_column_day(audits, 5);
		qa_day moderated = db_column_day(audits, 6);
		const char *new_grade =
			(const char *)sqlite3_column_text(audits, 7);
		bool new_urgent =
			is_urgent(new_grade, sqlite3_column_int(audits, 8));
		bool regraded = moderated != QA_DAY_NONE && new_grade &&
				(strcmp(new_grade, grade ? grade : "") != 0 ||
				 sqlite3_column_int(audits, 8) !=
					 sqlite3_column_int(audits, 3));
		bool retimed = regraded &&
			       (closed == QA_DAY_NONE || closed > moderated);
		qa_day due =
			retimed ? action_due(g->holidays, moderated, new_urgent)
				: action_due(g->holidays, audited, urgent);
		if (retimed)
			urgent = new_urgent;
		/* Every action, open or closed, whatever the window: one
		 * still open from a year ago is still a duty, and closing one
		 * late must reach its stored row. */
		if (due < g->today - SCHED_MAX_SPAN_DAYS)
			continue;
		char key[32], detail[300], audited_text[DATE_TEXT_SIZE];
		char moderated_text[DATE_TEXT_SIZE], retimed_text[80] = "";
		snprintf(key, sizeof(key), "audit-%lld", audit_id);
		if (retimed)
			snprintf(retimed_text, sizeof(retimed_text),
				 " Re-timed from its moderation on %s.",
				 date_format(moderated, moderated_text));
		snprintf(detail, sizeof(detail),
			 "Actions from the collaborative audit of %s: %s, "
			 "signed off by the line manager.%s",
			 date_format(audited, audited_text),
			 urgent ? "complete within 5 working days"
				: "complete within 4 weeks",
			 retimed_text);
		struct qa_occurrence occ = {
			.struct_size = sizeof(occ),
			.key = key,
			.kind = QA_OCC_DUE,
			.status = QA_STATUS_CONFIRMED,
			.date = due,
			.summary = "Audit actions",
			.detail = detail,
			.with_staff_id = sw->manager_id,
			.done_on = closed,
		};
		if (emit_builtin(g, SCHED_AUDIT_ACTION, "Audit actions", sw->id,
				 &occ))
			goto fail;
	}
	sqlite3_reset(audits);
	if (step == SQLITE_DONE)
		return 0;
	log_err("sched: audit actions: %s", sqlite3_errmsg(g->db));
fail:
	sqlite3_reset(audits);
	return -1;
}

/* Was the audit behind an open audit action graded inadequate with a
 * safeguarding concern, as it stands: after its Stage 2 moderation, which
 * may have regraded it: workflow_actions' rule for an action still open
 * (it re-times the action from the moderation). */
bool workflow_action_urgent(sqlite3 *db, const char *key)
{
	long long id;
	if (sscanf(key, "audit-%lld", &id) != 1)
		return false;
	sqlite3_stmt *stmt = NULL;
	bool urgent = false;
	if (sqlite3_prepare_v2(
		    db,
		    "SELECT CASE WHEN m.id IS NOT NULL"
		    " THEN m.grade = 'inadequate' AND m.safeguarding"
		    " ELSE a.grade = 'inadequate' AND a.safeguarding END"
		    " FROM completions a LEFT JOIN completions m ON m.id ="
		    " (SELECT min(x.id) FROM completions x WHERE x.activity ="
		    " 'moderation' AND x.audit_id = a.id)"
		    " WHERE a.id = ?1",
		    -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id);
		urgent = sqlite3_step(stmt) == SQLITE_ROW &&
			 sqlite3_column_int(stmt, 0);
	}
	sqlite3_finalize(stmt);
	return urgent;
}

/* The Stage 2 moderations asked of moderator (framework lines 160-175):
 * one per audit naming them, a one-hour session with the auditor and the
 * practitioner, tentative on the last day it may be held
 * (moderation_within working days after the audit) until recorded, then
 * on the day it was held, whoever held it. */
int workflow_moderations(struct workflow *w, const struct gen *g,
			 const struct person *moderator)
{
	sqlite3_stmt *asked = w->asked;
	int step;
	db_bind_text(asked, 1, moderator->id);
	while ((step = sqlite3_step(asked)) == SQLITE_ROW) {
		long long audit_id = sqlite3_column_int64(asked, 0);
		const char *auditor =
			(const char *)sqlite3_column_text(asked, 1);
		const char *practitioner =
			(const char *)sqlite3_column_text(asked, 2);
		qa_day audited = db_column_day(asked, 3);
		qa_day held = db_column_day(asked, 4);
		qa_day due = holidays_add_working_days(g->holidays, audited,
						       w->moderation_within);
		if ((held == QA_DAY_NONE ? due : held) <
		    g->today - SCHED_MAX_SPAN_DAYS)
			continue;
		char key[32], summary[300], detail[400];
		char audited_text[DATE_TEXT_SIZE], due_text[DATE_TEXT_SIZE];
		snprintf(key, sizeof(key), "audit-%lld", audit_id);
		const char *auditor_name =
			(const char *)sqlite3_column_text(asked, 5);
		const char *practitioner_name =
			(const char *)sqlite3_column_text(asked, 6);
		snprintf(summary, sizeof(summary),
			 "Stage 2 moderation: %s's case, audited by %s%s",
			 practitioner_name ? practitioner_name : practitioner,
			 auditor_name ? auditor_name : auditor,
			 held == QA_DAY_NONE ? " (to arrange)" : "");
		snprintf(detail, sizeof(detail),
			 "A reflective discussion of the collaborative audit "
			 "of %s between the moderator, the auditor and the "
			 "social worker: one hour at most, held by %s (%d "
			 "working days after the audit). The time shown is a "
			 "placeholder until it is arranged.",
			 date_format(audited, audited_text),
			 date_format(due, due_text), w->moderation_within);
		struct qa_occurrence occ = {
			.struct_size = sizeof(occ),
			.key = key,
			.kind = QA_OCC_EVENT,
			.status = held == QA_DAY_NONE ? QA_STATUS_TENTATIVE
						      : QA_STATUS_CONFIRMED,
			.date = held == QA_DAY_NONE ? due : held,
			.start_minute = w->moderation_minute,
			.duration = 60,
			.summary = summary,
			.detail = detail,
			.with_staff_id = auditor,
			.done_on = held,
		};
		if (emit_builtin(g, SCHED_MODERATION, "Stage 2 moderation",
				 moderator->id, &occ))
			goto fail;
		struct sched_occ *emitted = &g->out->items[g->out->n - 1];
		if (!(emitted->also = strdup(practitioner))) {
			log_err("sched: out of memory");
			goto fail;
		}
	}
	sqlite3_reset(asked);
	if (step == SQLITE_DONE)
		return 0;
	log_err("sched: moderations: %s", sqlite3_errmsg(g->db));
fail:
	sqlite3_reset(asked);
	return -1;
}
