#include "schedule.h"

#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "db.h"
#include "log.h"
#include "people.h"
#include "plugin_services.h"
#include "reconcile.h"
#include "staff.h"

int sched_uid_salt(sqlite3 *db, bool create,
		   unsigned char salt[SCHED_SALT_SIZE])
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	memset(salt, 0, SCHED_SALT_SIZE);
	if (sqlite3_prepare_v2(db,
			       "SELECT value FROM meta WHERE key = 'uid_salt'",
			       -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	int step = sqlite3_step(stmt);
	if (step == SQLITE_ROW) {
		const char *hex = (const char *)sqlite3_column_text(stmt, 0);
		size_t got = 0;
		rc = hex &&
				     sodium_hex2bin(salt, SCHED_SALT_SIZE, hex,
						    strlen(hex), NULL, &got,
						    NULL) == 0 &&
				     got == SCHED_SALT_SIZE
			     ? 0
			     : -1;
		goto out;
	}
	if (step != SQLITE_DONE)
		goto out;
	if (!create) {
		rc = 0;
		goto out;
	}
	sqlite3_finalize(stmt);
	stmt = NULL;
	char hex[2 * SCHED_SALT_SIZE + 1];
	randombytes_buf(salt, SCHED_SALT_SIZE);
	sodium_bin2hex(hex, sizeof(hex), salt, SCHED_SALT_SIZE);
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO meta (key, value) VALUES "
			       "('uid_salt', ?1)",
			       -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, hex, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("sched: the UID salt in meta is unreadable: %s",
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

void sched_uid(const unsigned char salt[SCHED_SALT_SIZE], const char *activity,
	       const char *subject, const char *key, char uid[64])
{
	unsigned char hash[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, salt, SCHED_SALT_SIZE, sizeof(hash));
	/* NUL separators: ("a", "bc") and ("ab", "c") differ. */
	crypto_generichash_update(&st, (const unsigned char *)activity,
				  strlen(activity) + 1);
	crypto_generichash_update(&st, (const unsigned char *)subject,
				  strlen(subject) + 1);
	crypto_generichash_update(&st, (const unsigned char *)key,
				  strlen(key) + 1);
	crypto_generichash_final(&st, hash, sizeof(hash));
	char hex[33];
	sodium_bin2hex(hex, sizeof(hex), hash, sizeof(hash));
	snprintf(uid, 64, "%s@qa-scheduler", hex);
}

/* Name occurrences [from, n) of list: the engine, not emit, gives UIDs, as
 * they are the stored identity (a preview stores nothing). */
static void name_occurrences(const unsigned char salt[SCHED_SALT_SIZE],
			     struct sched_occ_list *list, size_t from)
{
	for (size_t i = from; i < list->n; i++) {
		struct sched_occ *o = &list->items[i];
		sched_uid(salt, o->activity, o->subject, o->key, o->uid);
	}
}

/* ---- generating ---- */

static bool concerns(const struct qa_plugin *d, const struct person *person)
{
	if (strcmp(d->roles, "*") == 0)
		return person->manager_id != NULL;
	unsigned mask = 0;
	char why[256];
	if (roles_parse(d->roles, &mask, why, sizeof(why)))
		return false;
	/* Only the person's roles imply others: an activity for
	 * early_help_service_lead is not for every service lead. */
	return (mask & person->roles) != 0;
}

/* Run p for one subject (person NULL: the audience) into out. */
static int generate_one(sqlite3 *db, const struct sched_env *env,
			struct gen_queries *queries, struct plugin *p,
			const struct person *person, qa_day from, qa_day to,
			struct sched_occ_list *out)
{
	struct qa_subject subject = {
		.struct_size = sizeof(subject),
		.added_on = QA_DAY_NONE,
		.nqsw_start = QA_DAY_NONE,
		.left_on = QA_DAY_NONE,
		.today = env->today,
	};
	if (person) {
		subject.staff_id = person->id;
		subject.name = person->name;
		subject.manager_id = person->manager_id;
		subject.added_on = person->added_on;
		subject.nqsw_start = person->nqsw_start;
		subject.left_on = person->left_on;
	}
	struct gen g = {
		.db = db,
		.today = env->today,
		.tzid = env->tzid,
		.holidays = env->holidays,
		.plugin = p,
		.subject_id = person ? person->id : "",
		.out = out,
		.queries = queries,
	};
	services_lend(p, &g);
	size_t before = out->n;
	int rc = p->desc->generate(p->state, &subject, from, to, &p->host);
	p->host_data = NULL;
	if (rc != 0 || g.failed) {
		/* Nothing half-generated may reach the schedule. */
		sched_occ_list_truncate(out, before);
		return -1;
	}
	return 0;
}

/* ---- running ---- */

/* One regeneration: what each of its steps works with. */
struct run {
	sqlite3 *db;
	const struct sched_env *env;
	const char *only_staff; /* a run for one person, else NULL */
	qa_day from, to;        /* the window */
	unsigned char salt[SCHED_SALT_SIZE]; /* for UIDs */
	struct gen_queries queries;
	struct reconciler rec;
	struct sched_stats *stats;
};

static void disable_plugin(struct plugin *p, const char *why)
{
	if (p->disabled)
		return;
	p->disabled = true;
	free(p->disabled_reason);
	p->disabled_reason = strdup(why);
	log_err("plugin %s: disabled: %s; its schedule is left as it was, the "
		"other activities go on. Fix it and reload (SIGHUP).",
		p->desc->id, why);
}

/* The day id was added, or QA_DAY_NONE. */
static qa_day added_on(sqlite3 *db, const char *id)
{
	sqlite3_stmt *stmt = NULL;
	qa_day day = QA_DAY_NONE;
	if (sqlite3_prepare_v2(db, "SELECT added_on FROM staff WHERE id = ?1",
			       -1, &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			day = db_column_day(stmt, 0);
	}
	sqlite3_finalize(stmt);
	return day;
}

/* The series of an audience-wide activity, one for everyone it concerns.
 * When it has deadlines, they are owned by one person (issue 6: the
 * framework names one responsible officer): each deadline names the owner
 * as its second participant, and the series is kept against them, so it
 * appears in their `due`, reminds them and escalates to their manager. */
static int run_shared(struct run *run, struct plugin *p,
		      struct sched_occ_list *occs)
{
	bool deadlines = false;
	char *owner = NULL;
	int rc = -1;
	for (size_t i = 0; i < occs->n; i++)
		deadlines = deadlines || occs->items[i].kind == QA_OCC_DUE;
	if (deadlines) {
		struct config_list holders;
		if (sched_owner(run->db, p, run->env->today, &owner, &holders))
			goto out;
		config_list_free(&holders);
		/* Every regeneration would say it again: check-config warns
		 * once, where an operator looks. */
		if (!owner)
			log_debug(
				"sched: %s has no owner: nobody in post holds "
				"its role and [activity.%s] owner names "
				"nobody in post; its deadlines are in no one's "
				"`due`",
				p->desc->id, p->desc->id);
		for (size_t i = 0; owner && i < occs->n; i++) {
			struct sched_occ *o = &occs->items[i];
			if (o->kind != QA_OCC_DUE)
				continue;
			free(o->with_staff_id);
			if (!(o->with_staff_id = strdup(owner)))
				goto out;
		}
	}
	if (reconcile(&run->rec, p->desc->id, "", occs->items, occs->n,
		      RECONCILE_SINCE_DONE))
		goto out;
	/* Owed from the day the owner was added: nothing before the day we
	 * learnt of them can be known. */
	if (reconcile_owner(&run->rec, p->desc->id, owner,
			    owner ? added_on(run->db, owner) : QA_DAY_NONE,
			    occs->items, occs->n))
		goto out;
	rc = 0;
out:
	free(owner);
	return rc;
}

int sched_owner(sqlite3 *db, const struct plugin *p, qa_day today, char **owner,
		struct config_list *holders)
{
	static const char sql[] =
		"SELECT s.id, (SELECT group_concat(role) FROM staff_roles r"
		"  WHERE r.staff_id = s.id), s.id = ?2"
		" FROM staff s WHERE s.left_on IS NULL OR s.left_on >= ?1"
		" ORDER BY s.id";
	sqlite3_stmt *stmt = NULL;
	char lead[64], why[256];
	unsigned lead_mask = 0;
	int rc = -1, step;
	*owner = NULL;
	memset(holders, 0, sizeof(*holders));
	/* The lead role: the first of the activity's roles. */
	snprintf(lead, sizeof(lead), "%.*s", (int)strcspn(p->desc->roles, ", "),
		 p->desc->roles);
	if (roles_parse(lead, &lead_mask, why, sizeof(why)))
		lead_mask = 0;
	const char *configured = plugin_value(p, "owner");
	if (configured && !*configured)
		configured = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, today);
	db_bind_text(stmt, 2, configured);
	char *named = NULL, *first = NULL;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		const char *roles = (const char *)sqlite3_column_text(stmt, 1);
		unsigned mask = 0;
		if (sqlite3_column_int(stmt, 2) && !named &&
		    !(named = strdup(id)))
			break;
		if (roles && roles_parse(roles, &mask, why, sizeof(why)))
			mask = 0;
		if (!(roles_effective(mask) & lead_mask))
			continue;
		char **grown = realloc(holders->items,
				       (holders->n + 1) * sizeof(*grown));
		if (!grown)
			break;
		holders->items = grown;
		if (!(holders->items[holders->n] = strdup(id)))
			break;
		holders->n++;
		if (!first && !(first = strdup(id)))
			break;
	}
	*owner = named ? named : first;
	if (named)
		free(first);
	if (step != SQLITE_DONE)
		goto out;
	rc = 0;
out:
	if (rc) {
		log_err("sched: the owner of %s: %s", p->desc->id,
			sqlite3_errmsg(db));
		free(*owner);
		*owner = NULL;
		config_list_free(holders);
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* Generate and reconcile one plugin. */
static int run_plugin(struct run *run, struct plugin *p,
		      const struct people *people)
{
	struct sched_occ_list occs = {0};
	struct people concerned = {0};
	int rc = -1;
	run->stats->plugins_run++;
	if (p->desc->scope == QA_SCOPE_AUDIENCE) {
		if (generate_one(run->db, run->env, &run->queries, p, NULL,
				 run->from, run->to, &occs)) {
			disable_plugin(p, "generate() failed for the audience "
					  "series");
			run->stats->plugins_failed++;
			rc = 0;
			goto out;
		}
		name_occurrences(run->salt, &occs, 0);
		/* An activity that was one series per person before (0.1.0's
		 * lado_audit) leaves those series behind: cancelled, before
		 * the owner's series is written (the owner may be one). */
		rc = reconcile_orphans(&run->rec, p->desc->id, NULL,
				       run->only_staff) ||
				     run_shared(run, p, &occs)
			     ? -1
			     : 0;
		goto out;
	}
	concerned.items =
		calloc(people->n ? people->n : 1, sizeof(*concerned.items));
	if (!concerned.items)
		goto out;
	for (size_t i = 0; i < people->n; i++) {
		const struct person *person = &people->items[i];
		if (!concerns(p->desc, person))
			continue;
		concerned.items[concerned.n++] = *person; /* borrowed */
		size_t before = occs.n;
		if (generate_one(run->db, run->env, &run->queries, p, person,
				 run->from, run->to, &occs)) {
			char why[160];
			snprintf(why, sizeof(why),
				 "generate() failed for staff %s", person->id);
			disable_plugin(p, why);
			run->stats->plugins_failed++;
			rc = 0;
			goto out;
		}
		name_occurrences(run->salt, &occs, before);
		if (reconcile(&run->rec, p->desc->id, person->id,
			      &occs.items[before], occs.n - before,
			      RECONCILE_SINCE_DONE))
			goto out;
		/* Only the series in hand is needed in memory. */
		sched_occ_list_truncate(&occs, before);
	}
	rc = reconcile_orphans(&run->rec, p->desc->id, &concerned,
			       run->only_staff);
out:
	free(concerned.items); /* the people themselves are borrowed */
	sched_occ_list_free(&occs);
	return rc;
}

/* ---- the audit workflow (built in) ---- */

/* [activity.collaborative_audit] moderation_within and moderation_time,
 * or their defaults when the plugin is not loaded. */
struct workflow {
	int moderation_within; /* working days */
	int moderation_minute;
};

static void workflow_config(const struct sched_env *env, struct workflow *w)
{
	w->moderation_within = 10;
	w->moderation_minute = 10 * 60;
	const struct plugin *p =
		plugins_find(env->plugins, "collaborative_audit");
	const char *within = p ? plugin_value(p, "moderation_within") : NULL;
	const char *time = p ? plugin_value(p, "moderation_time") : NULL;
	char *end;
	long days = within ? strtol(within, &end, 10) : 0;
	/* The plugin's init refused anything else. */
	if (within && !*end && days >= 1 && days <= 60)
		w->moderation_within = (int)days;
	int minute;
	if (time && qa_time_parse(time, &minute) == 0)
		w->moderation_minute = minute;
}

/* An action's deadline counted from `from` (the audit, or the moderation
 * that regraded it): 5 working days for an inadequate grade with a
 * safeguarding concern, else 28 days, moved to the working day before
 * when that is not one (framework lines 176-178). */
static qa_day action_due(const struct sched_env *env, qa_day from, bool urgent)
{
	return urgent ? working_days_add(env->holidays, from, 5)
		      : working_day_shift(env->holidays, from + 28, -1);
}

static bool is_urgent(const char *grade, int safeguarding)
{
	return grade && strcmp(grade, "inadequate") == 0 && safeguarding;
}

/* Emit one occurrence of a built-in series for subject into out, through
 * the same checks as a plugin's. */
static int emit_builtin(struct run *run, const char *activity,
			const char *title, const char *subject,
			const struct qa_occurrence *occ,
			struct sched_occ_list *out)
{
	struct qa_plugin desc = {.id = activity, .title = title};
	struct plugin builtin = {.desc = &desc};
	struct gen g = {.db = run->db,
			.today = run->env->today,
			.tzid = run->env->tzid,
			.holidays = run->env->holidays,
			.plugin = &builtin,
			.subject_id = subject,
			.out = out,
			.queries = &run->queries};
	return services_emit(&g, occ);
}

/* The practitioner's actions: one per audit of their case, due as
 * action_due says from the audit, or from its moderation when that
 * regraded it before the action was closed (line 198: a regrading after
 * the close is kept on the audit and reopens nothing). Closed by the
 * `record audit_action` that names the audit. */
static int actions_of(struct run *run, sqlite3_stmt *audits,
		      const struct person *sw, struct sched_occ_list *occs)
{
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
			retimed ? action_due(run->env, moderated, new_urgent)
				: action_due(run->env, audited, urgent);
		if (retimed)
			urgent = new_urgent;
		/* Every action, open or closed, whatever the window: one
		 * still open from a year ago is still a duty, and closing one
		 * late must reach its stored row. */
		if (due < run->env->today - SCHED_MAX_SPAN_DAYS)
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
		if (emit_builtin(run, SCHED_AUDIT_ACTION, "Audit actions",
				 sw->id, &occ, occs))
			goto fail;
	}
	sqlite3_reset(audits);
	if (step == SQLITE_DONE)
		return 0;
	log_err("sched: audit actions: %s", sqlite3_errmsg(run->db));
fail:
	sqlite3_reset(audits);
	return -1;
}

/* Was the audit behind an open audit action graded inadequate with a
 * safeguarding concern, as it stands: after its Stage 2 moderation, which
 * may have regraded it: actions_of's rule, for an action still open (it
 * re-times the action from the moderation). */
bool sched_action_urgent(sqlite3 *db, const char *key)
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
static int moderations_of(struct run *run, const struct workflow *w,
			  sqlite3_stmt *asked, const struct person *moderator,
			  struct sched_occ_list *occs)
{
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
		qa_day due = working_days_add(run->env->holidays, audited,
					      w->moderation_within);
		if ((held == QA_DAY_NONE ? due : held) <
		    run->env->today - SCHED_MAX_SPAN_DAYS)
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
		if (emit_builtin(run, SCHED_MODERATION, "Stage 2 moderation",
				 moderator->id, &occ, occs))
			goto fail;
		struct sched_occ *emitted = &occs->items[occs->n - 1];
		if (!(emitted->also = strdup(practitioner))) {
			log_err("sched: out of memory");
			goto fail;
		}
	}
	sqlite3_reset(asked);
	if (step == SQLITE_DONE)
		return 0;
	log_err("sched: moderations: %s", sqlite3_errmsg(run->db));
fail:
	sqlite3_reset(asked);
	return -1;
}

/* The built-in series of the audit workflow, for everyone (or the one
 * person filter names): each practitioner's `audit_action`s and each
 * moderator's `moderation`s. */
static int run_audit_workflow(struct run *run, const struct people *people)
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
	sqlite3_stmt *audits = NULL, *asked = NULL;
	struct workflow w;
	int rc = -1;
	sqlite3 *db = run->db;
	workflow_config(run->env, &w);
	if (sqlite3_prepare_v2(db, audits_sql, -1, &audits, NULL) ||
	    sqlite3_prepare_v2(db, asked_sql, -1, &asked, NULL)) {
		log_err("sched: audit workflow: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (size_t i = 0; i < people->n; i++) {
		const struct person *p = &people->items[i];
		if (run->only_staff && strcmp(run->only_staff, p->id) != 0)
			continue;
		struct sched_occ_list occs = {0};
		int failed = actions_of(run, audits, p, &occs);
		name_occurrences(run->salt, &occs, 0);
		failed = failed ||
			 reconcile(&run->rec, SCHED_AUDIT_ACTION, p->id,
				   occs.items, occs.n, RECONCILE_EVERY_OPEN);
		sched_occ_list_truncate(&occs, 0);
		failed = failed || moderations_of(run, &w, asked, p, &occs);
		name_occurrences(run->salt, &occs, 0);
		failed = failed ||
			 reconcile(&run->rec, SCHED_MODERATION, p->id,
				   occs.items, occs.n, RECONCILE_EVERY_OPEN);
		sched_occ_list_free(&occs);
		if (failed)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(audits);
	sqlite3_finalize(asked);
	return rc;
}

/* ---- entry points ---- */

static int set_generated_for(sqlite3 *db, qa_day today)
{
	static const char sql[] =
		"INSERT INTO meta (key, value) VALUES ('generated_for', ?1)"
		" ON CONFLICT (key) DO UPDATE SET value = excluded.value";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		db_bind_day(stmt, 1, today);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		log_err("sched: meta: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

bool sched_is_current(sqlite3 *db, qa_day today)
{
	static const char sql[] =
		"SELECT value FROM meta WHERE key = 'generated_for'";
	sqlite3_stmt *stmt = NULL;
	bool current = false;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		current = db_column_day(stmt, 0) == today;
	sqlite3_finalize(stmt);
	return current;
}

int sched_regenerate(sqlite3 *db, const struct sched_env *env,
		     const struct sched_filter *filter,
		     struct sched_stats *stats)
{
	struct sched_stats local = {0};
	struct people people = {0};
	bool own_tx = sqlite3_get_autocommit(db) != 0;
	int rc = -1;
	if (!stats)
		stats = &local;
	memset(stats, 0, sizeof(*stats));
	const char *only_activity = filter ? filter->activity : NULL;
	struct run run = {
		.db = db,
		.env = env,
		.only_staff = filter ? filter->staff_id : NULL,
		.from = qa_day_add_months(env->today, -SCHED_MONTHS_BACK),
		.to = qa_day_add_months(env->today, SCHED_MONTHS_AHEAD),
		.stats = stats,
	};

	if (own_tx && db_begin(db))
		return -1;
	if (reconciler_prepare(&run.rec, db, env->now, run.from) ||
	    sched_uid_salt(db, true, run.salt))
		goto out;
	if (people_load(db, run.only_staff, PEOPLE_WARN_ROLES, &people))
		goto out;
	for (size_t i = 0; i < env->plugins->n; i++) {
		struct plugin *p = &env->plugins->items[i];
		if (p->disabled)
			continue;
		if (only_activity && strcmp(only_activity, p->desc->id) != 0)
			continue;
		/* One person's change: not the audience, unless it has
		 * deadlines, whose owner the change may have made or unmade. */
		if (run.only_staff && p->desc->scope == QA_SCOPE_AUDIENCE &&
		    only_activity == NULL &&
		    strcmp(p->desc->duration, "0") != 0)
			continue;
		if (run_plugin(&run, p, &people))
			goto out;
	}
	if (!only_activity || strcmp(only_activity, SCHED_AUDIT_ACTION) == 0 ||
	    strcmp(only_activity, SCHED_MODERATION) == 0 ||
	    strcmp(only_activity, "collaborative_audit") == 0)
		if (run_audit_workflow(&run, &people))
			goto out;
	if (!filter || (!filter->activity && !filter->staff_id))
		if (set_generated_for(db, env->today))
			goto out;
	rc = 0;
out:
	stats->inserted = run.rec.counts.inserted;
	stats->updated = run.rec.counts.updated;
	stats->cancelled = run.rec.counts.cancelled;
	stats->unchanged = run.rec.counts.unchanged;
	reconciler_finish(&run.rec);
	services_queries_finish(&run.queries);
	people_free(&people);
	if (own_tx) {
		if (rc == 0 && db_commit(db) == 0) {
			log_debug("sched: %zu new, %zu changed, %zu cancelled, "
				  "%zu unchanged",
				  stats->inserted, stats->updated,
				  stats->cancelled, stats->unchanged);
		} else {
			db_rollback(db);
			rc = -1;
		}
	}
	return rc;
}

static int cmp_occ(const void *a, const void *b)
{
	const struct sched_occ *x = a, *y = b;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->start_minute != y->start_minute)
		return x->start_minute < y->start_minute ? -1 : 1;
	return strcmp(x->key, y->key);
}

int sched_preview(sqlite3 *db, const struct sched_env *env,
		  const char *activity, const char *staff_id, qa_day from,
		  qa_day to, struct sched_occ_list *out)
{
	struct people people = {0};
	int rc = -1;
	memset(out, 0, sizeof(*out));
	struct plugin *p = plugins_find(env->plugins, activity);
	if (!p) {
		log_err("next: no activity \"%s\" is loaded; `qa-scheduler "
			"plugins` lists them",
			activity);
		return -1;
	}
	if (p->desc->scope == QA_SCOPE_PERSON) {
		if (!staff_id) {
			log_err("next: %s is one series per person; name one "
				"with --staff ID",
				activity);
			return -1;
		}
		if (people_load(db, staff_id, PEOPLE_WARN_ROLES, &people))
			return -1;
		if (people.n == 0) {
			log_err("next: no staff with id \"%s\"", staff_id);
			goto out;
		}
		if (!concerns(p->desc, &people.items[0])) {
			log_err("next: %s does not concern %s (%s)", activity,
				staff_id,
				strcmp(p->desc->roles, "*") == 0
					? "no line manager"
					: p->desc->roles);
			goto out;
		}
	}
	struct gen_queries queries = {0};
	int generated =
		generate_one(db, env, &queries, p,
			     people.n ? &people.items[0] : NULL, from, to, out);
	services_queries_finish(&queries);
	if (generated) {
		log_err("next: plugin %s failed to generate", activity);
		goto out;
	}
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), cmp_occ);
	rc = 0;
out:
	people_free(&people);
	return rc;
}
