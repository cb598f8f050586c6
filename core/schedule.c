#include "schedule.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_workflow.h"
#include "db.h"
#include "log.h"
#include "people.h"
#include "plugin_services.h"
#include "qa-scheduler/util.h"
#include "reconcile.h"
#include "staff.h"

/* ---- UIDs ---- */

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
		subject.added_on =
			person->since; /* ABI name: obligations start */
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
	unsigned long binds_failed = db_bind_failures();
	int rc = p->desc->generate(p->state, &subject, from, to, &p->host);
	p->host_data = NULL;
	/* A service the host could not give (host_failed, or a query run
	 * with a value it could not bind) may have been read by the plugin
	 * as "none": what it made is not to be trusted even when it says it
	 * succeeded. */
	if (db_bind_failures() != binds_failed)
		g.host_failed = 1;
	if (rc != 0 || g.failed || g.host_failed) {
		/* Nothing half-generated may reach the schedule. */
		sched_occ_list_truncate(out, before);
		return g.host_failed ? -2 : -1;
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
	struct gen_queries queries;
	struct reconciler rec;
	struct sched_stats *stats;
};

/* Make the stored series match occurrences [from, n) of list, all of
 * activity for subject. */
static int store(struct run *run, const char *activity, const char *subject,
		 struct sched_occ_list *list, size_t from,
		 enum reconcile_due due)
{
	return reconcile(&run->rec, activity, subject, &list->items[from],
			 list->n - from, due);
}

static void disable_plugin(struct plugin *p, const char *why)
{
	p->generate_errors++;
	if (p->disabled)
		return;
	p->disabled = true;
	free(p->disabled_reason);
	p->disabled_reason = strdup(why);
	log_err("plugin %s: disabled: %s; its schedule is left as it was, the "
		"other activities go on. Fix it and reload (SIGHUP).",
		p->desc->id, why);
}

/* Since when id's obligations are tracked, or QA_DAY_NONE. */
static qa_day tracked_since(sqlite3 *db, const char *id)
{
	sqlite3_stmt *stmt = NULL;
	qa_day day = QA_DAY_NONE;
	if (sqlite3_prepare_v2(db,
			       "SELECT coalesce(since, added_on) FROM staff"
			       " WHERE id = ?1",
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
		config_list_done(&holders);
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
	if (store(run, p->desc->id, "", occs, 0, RECONCILE_SINCE_DONE))
		goto out;
	/* Owed from the day the owner is tracked from: nothing before it can
	 * be known. */
	if (reconcile_owner(&run->rec, p->desc->id, owner,
			    owner ? tracked_since(run->db, owner) : QA_DAY_NONE,
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
	const char *configured = plugin_config_value(p, "owner");
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
		config_list_done(holders);
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
		int generated =
			generate_one(run->db, run->env, &run->queries, p, NULL,
				     run->from, run->to, &occs);
		if (generated == -2)
			goto host_failed;
		if (generated) {
			disable_plugin(p, "generate() failed for the audience "
					  "series");
			run->stats->plugins_failed++;
			rc = 0;
			goto out;
		}
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
		int generated =
			generate_one(run->db, run->env, &run->queries, p,
				     person, run->from, run->to, &occs);
		if (generated == -2)
			goto host_failed;
		if (generated) {
			char why[160];
			snprintf(why, sizeof(why),
				 "generate() failed for staff %s", person->id);
			disable_plugin(p, why);
			run->stats->plugins_failed++;
			rc = 0;
			goto out;
		}
		if (store(run, p->desc->id, person->id, &occs, before,
			  RECONCILE_SINCE_DONE))
			goto out;
		/* Only the series in hand is needed in memory. */
		sched_occ_list_truncate(&occs, before);
	}
	rc = reconcile_orphans(&run->rec, p->desc->id, &concerned,
			       run->only_staff);
	goto out;
host_failed:
	/* Out of memory or a database error in the host's own services: the
	 * whole regeneration fails (its transaction goes back), rather than
	 * the plugin being disabled and the schedule left part-made. */
	log_err("schedule: %s could not be generated (reason above); the "
		"regeneration stops",
		p->desc->id);
	rc = -1;
out:
	free(concerned.items); /* the people themselves are borrowed */
	sched_occ_list_done(&occs);
	return rc;
}

/* ---- the audit workflow (built in) ---- */

/* The built-in series of the audit workflow, for everyone (or the one
 * person filter names): each practitioner's `audit_action`s and each
 * moderator's `moderation`s. */
static int run_audit_workflow(struct run *run, const struct people *people)
{
	struct workflow w;
	struct sched_occ_list occs = {0};
	struct gen g = {
		.db = run->db,
		.today = run->env->today,
		.tzid = run->env->tzid,
		.holidays = run->env->holidays,
		.out = &occs,
		.queries = &run->queries,
	};
	int rc = -1;
	if (workflow_prepare(&w, run->db, run->env->plugins))
		goto out;
	for (size_t i = 0; i < people->n; i++) {
		const struct person *p = &people->items[i];
		if (run->only_staff && strcmp(run->only_staff, p->id) != 0)
			continue;
		if (workflow_actions(&w, &g, p) ||
		    store(run, SCHED_AUDIT_ACTION, p->id, &occs, 0,
			  RECONCILE_EVERY_OPEN))
			goto out;
		sched_occ_list_truncate(&occs, 0);
		if (workflow_moderations(&w, &g, p) ||
		    store(run, SCHED_MODERATION, p->id, &occs, 0,
			  RECONCILE_EVERY_OPEN))
			goto out;
		sched_occ_list_truncate(&occs, 0);
	}
	rc = 0;
out:
	workflow_finish(&w);
	sched_occ_list_done(&occs);
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

/* A regeneration rewrites pages all over the occurrences' five indexes in
 * one transaction: with SQLite's default cache (2 MB) a cold one at 5,000
 * staff spilled dirty pages to the WAL before its commit and read pages
 * back again and again. 8 MB keeps them, within the daemon's 50 MB. */
#define SCHED_CACHE_KB 8192

/* Set db's page cache to size, in the PRAGMA's units (pages, or KiB when
 * negative; it takes no bound parameters: this is our own integer); *was
 * (if not NULL) gets what it was. */
static void set_cache_size(sqlite3 *db, int size, int *was)
{
	char sql[48];
	sqlite3_stmt *stmt = NULL;
	if (was &&
	    sqlite3_prepare_v2(db, "PRAGMA cache_size", -1, &stmt, NULL) ==
		    SQLITE_OK &&
	    sqlite3_step(stmt) == SQLITE_ROW)
		*was = sqlite3_column_int(stmt, 0);
	sqlite3_finalize(stmt);
	snprintf(sql, sizeof(sql), "PRAGMA cache_size = %d", size);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
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

	int cache_was = 0;
	set_cache_size(db, -SCHED_CACHE_KB, &cache_was);
	if (own_tx && db_begin(db)) {
		set_cache_size(db, cache_was, NULL);
		return -1;
	}
	if (reconcile_prepare(&run.rec, db, env->now, run.from) ||
	    sched_uid_salt(db, true, run.rec.salt))
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
		    only_activity == NULL && !plugin_has_deadlines(p))
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
	reconcile_finish(&run.rec);
	services_queries_finish(&run.queries);
	people_done(&people);
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
	set_cache_size(db, cache_was, NULL);
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
		  qa_day to, struct sched_occ_list *out, struct errlist *errs)
{
	struct people people = {0};
	int rc = -1;
	memset(out, 0, sizeof(*out));
	struct plugin *p = plugin_set_find(env->plugins, activity);
	if (!p) {
		errlist_add(errs,
			    "no activity \"%s\" is loaded; `qa-scheduler "
			    "plugins` lists them",
			    activity);
		return -1;
	}
	if (p->desc->scope == QA_SCOPE_PERSON) {
		if (!staff_id)
			return SCHED_PREVIEW_WHO;
		if (people_load(db, staff_id, PEOPLE_WARN_ROLES, &people))
			return -1;
		if (people.n == 0) {
			errlist_add(errs, "no staff with id \"%s\"", staff_id);
			goto out;
		}
		if (!concerns(p->desc, &people.items[0])) {
			errlist_add(errs, "%s does not concern %s (%s)",
				    activity, staff_id,
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
		errlist_add(errs,
			    "plugin %s failed to generate (reason "
			    "above)",
			    activity);
		goto out;
	}
	if (out->n)
		qsort(out->items, out->n, sizeof(*out->items), cmp_occ);
	rc = 0;
out:
	people_done(&people);
	return rc;
}

/* sched_history of the audit workflow's built-in series: every person's
 * actions (or moderations asked of them), whatever their dates. */
static int history_of_workflow(sqlite3 *db, const struct sched_env *env,
			       bool moderations, sched_history_cb cb, void *arg)
{
	struct workflow w;
	struct people people = {0};
	struct gen_queries queries = {0};
	struct sched_occ_list occs = {0};
	struct gen g = {
		.db = db,
		.today = env->today,
		.tzid = env->tzid,
		.holidays = env->holidays,
		.out = &occs,
		.queries = &queries,
	};
	int rc = -1;
	if (workflow_prepare(&w, db, env->plugins) ||
	    people_load(db, NULL, 0, &people))
		goto out;
	for (size_t i = 0; i < people.n; i++) {
		const struct person *who = &people.items[i];
		sched_occ_list_truncate(&occs, 0);
		if (moderations ? workflow_moderations(&w, &g, who)
				: workflow_actions(&w, &g, who))
			goto out;
		if (occs.n)
			qsort(occs.items, occs.n, sizeof(*occs.items), cmp_occ);
		if (occs.n && cb(who, who->id, &occs, arg))
			goto out;
	}
	rc = 0;
out:
	workflow_finish(&w);
	services_queries_finish(&queries);
	sched_occ_list_done(&occs);
	people_done(&people);
	return rc;
}

int sched_history(sqlite3 *db, const struct sched_env *env,
		  const char *activity, qa_day from, qa_day to,
		  sched_history_keep keep, void *keep_arg, sched_history_cb cb,
		  void *arg, struct errlist *errs)
{
	struct people people = {0};
	struct gen_queries queries = {0};
	struct sched_occ_list occs = {0};
	char *owner = NULL;
	struct config_list holders = {0};
	int rc = -1;
	bool actions = strcmp(activity, SCHED_AUDIT_ACTION) == 0;
	bool moderations = strcmp(activity, SCHED_MODERATION) == 0;
	struct plugin *p = plugin_set_find(env->plugins, activity);
	if (!p && !actions && !moderations) {
		errlist_add(errs,
			    "no activity \"%s\" is loaded; `qa-scheduler "
			    "plugins` lists them",
			    activity);
		return -1;
	}
	if (!p) {
		rc = history_of_workflow(db, env, moderations, cb, arg);
		goto out;
	}
	if (p->desc->scope != QA_SCOPE_PERSON) {
		/* One series for everyone: its deadlines are its owner's. */
		if (sched_owner(db, p, env->today, &owner, &holders) ||
		    generate_one(db, env, &queries, p, NULL, from, to, &occs))
			goto out;
		if (occs.n)
			qsort(occs.items, occs.n, sizeof(*occs.items), cmp_occ);
		rc = cb(NULL, owner, &occs, arg);
		goto out;
	}
	if (people_load(db, NULL, 0, &people))
		goto out;
	for (size_t i = 0; i < people.n; i++) {
		const struct person *who = &people.items[i];
		if (!concerns(p->desc, who) ||
		    (who->since != QA_DAY_NONE && who->since > to) ||
		    (who->left_on != QA_DAY_NONE && who->left_on < from) ||
		    (keep && !keep(who, keep_arg)))
			continue;
		sched_occ_list_done(&occs);
		if (generate_one(db, env, &queries, p, who, from, to, &occs)) {
			errlist_add(errs,
				    "plugin %s failed to generate for %s "
				    "(reason above)",
				    activity, who->id);
			goto out;
		}
		if (occs.n)
			qsort(occs.items, occs.n, sizeof(*occs.items), cmp_occ);
		if (cb(who, who->id, &occs, arg))
			goto out;
	}
	rc = 0;
out:
	services_queries_finish(&queries);
	sched_occ_list_done(&occs);
	people_done(&people);
	free(owner);
	config_list_done(&holders);
	return rc;
}

int sched_count_by_status(sqlite3 *db,
			  void (*cb)(const char *status, long long n,
				     void *arg),
			  void *arg)
{
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db,
			       "SELECT status, count(*) FROM occurrences "
			       "GROUP BY status",
			       -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	int rc;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(stmt, 0),
		   (long long)sqlite3_column_int64(stmt, 1), arg);
	sqlite3_finalize(stmt);
	return rc == SQLITE_DONE ? 0 : -1;
}
