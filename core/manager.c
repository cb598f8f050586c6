#include "manager.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "report.h"

/* Everyone under ?1 at any depth: the line, as report.c and due.c read it. */
#define LINE_CTE                                                      \
	"WITH RECURSIVE line(id) AS (SELECT id FROM staff WHERE "     \
	"manager_id = ?1 UNION SELECT s.id FROM staff s JOIN line l " \
	"ON s.manager_id = l.id) "

/* Those the page shows, as st: ?1's direct reports, or with ?2 the people
 * of team ?2 in ?1's line. */
#define SHOWN                                                          \
	"((?2 IS NULL AND st.manager_id = ?1) OR (?2 IS NOT NULL AND " \
	"st.team = ?2 AND st.id IN (SELECT id FROM line)))"

/* "What falls due within that many days" counts as due, as `due` says. */
#define DUE_WITHIN_DAYS 7

int manager_in_line(sqlite3 *db, const char *manager_id, const char *staff_id)
{
	static const char sql[] =
		LINE_CTE "SELECT EXISTS (SELECT 1 FROM line WHERE id = ?2)";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, manager_id);
		db_bind_text(stmt, 2, staff_id);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			rc = sqlite3_column_int(stmt, 0);
	}
	if (rc < 0)
		log_err("manager: the line of %s: %s", manager_id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* Append the people whose ids stmt (bound, not yet stepped) gives. */
static int load_people(sqlite3 *db, sqlite3_stmt *stmt, struct staff_array *out)
{
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct staff *grown =
			realloc(out->people, (out->n + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		out->people = grown;
		const char *id = (const char *)sqlite3_column_text(stmt, 0);
		if (staff_get(db, id, &out->people[out->n]) <= 0)
			return -1;
		out->n++;
	}
	return step == SQLITE_DONE ? 0 : -1;
}

/* Those shown, and who may be asked to moderate (by name). */
static int load_form_people(sqlite3 *db, struct manager_view *v)
{
	static const char shown_sql[] =
		LINE_CTE "SELECT st.id FROM staff st WHERE " SHOWN
			 " AND (st.left_on IS NULL OR st.left_on >= ?3)"
			 " ORDER BY st.name, st.id";
	static const char moderators_sql[] =
		"SELECT DISTINCT st.id, st.name FROM staff st JOIN "
		"staff_roles r ON r.staff_id = st.id WHERE r.role IN "
		"('practice_manager', 'group_manager', 'service_lead', "
		"'assistant_director', 'dcs', 'qa_team') AND (st.left_on IS "
		"NULL OR st.left_on >= ?1) AND st.id <> ?2 ORDER BY st.name, "
		"st.id";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, shown_sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, v->manager.id);
	db_bind_text(stmt, 2, v->team);
	db_bind_day(stmt, 3, v->today);
	if (load_people(db, stmt, &v->people))
		goto out;
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(db, moderators_sql, -1, &stmt, NULL) !=
	    SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, v->today);
	db_bind_text(stmt, 2, v->manager.id);
	rc = load_people(db, stmt, &v->moderators);
out:
	if (rc)
		log_err("manager: people for %s's page: %s", v->manager.id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static void manager_audit_done(struct manager_audit *m)
{
	free(m->auditor_name);
	free(m->practitioner_name);
}

void manager_audits_done(struct manager_audits *l)
{
	for (size_t i = 0; i < l->n; i++)
		manager_audit_done(&l->items[i]);
	free(l->items);
}

/* A person's name (their id when they are not found), a new string. 0 or
 * -1. */
static int name_of(sqlite3 *db, const char *id, char **out)
{
	struct staff s = {0};
	int found = staff_get(db, id, &s);
	*out = strdup(found > 0 ? s.name : id);
	staff_done(&s);
	return found < 0 || !*out ? -1 : 0;
}

/* Open audit actions of those shown (or, with all, of everyone), or
 * moderations waiting for the manager (or, with all, for anyone): the
 * stored schedule's open occurrences of activity, each with its audit. */
static int load_audits(sqlite3 *db, const char *manager_id, const char *team,
		       bool all, const char *activity,
		       struct manager_audits *out)
{
	static const char sql[] =
		LINE_CTE "SELECT o.occ_key, o.start_date FROM occurrences o "
			 "JOIN staff st ON st.id = o.subject WHERE o.activity "
			 "= ?3 AND o.done_on IS NULL AND o.status <> "
			 "'cancelled' AND (CASE WHEN ?4 THEN 1 WHEN ?3 = "
			 "'moderation' THEN st.id = ?1 ELSE " SHOWN " END)"
			 " ORDER BY o.start_date, o.occ_key";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, manager_id);
	db_bind_text(stmt, 2, team);
	db_bind_text(stmt, 3, activity);
	sqlite3_bind_int(stmt, 4, all);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		long long id;
		struct manager_audit m = {.due = db_column_day(stmt, 1)};
		if (sscanf(key, "audit-%lld", &id) != 1)
			continue;
		int found = audit_get(db, id, &m.audit);
		if (found < 0)
			goto out;
		if (!found)
			continue;
		m.urgent = strcmp(activity, SCHED_AUDIT_ACTION) == 0 &&
			   workflow_action_urgent(db, key);
		if (name_of(db, m.audit.auditor, &m.auditor_name) ||
		    name_of(db, m.audit.practitioner, &m.practitioner_name)) {
			manager_audit_done(&m);
			goto out;
		}
		struct manager_audit *grown =
			realloc(out->items, (out->n + 1) * sizeof(*grown));
		if (!grown) {
			manager_audit_done(&m);
			goto out;
		}
		out->items = grown;
		out->items[out->n++] = m;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("manager: %s for %s: %s", activity,
			manager_id ? manager_id : "everyone",
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static struct manager_team *team_of(struct manager_view *v, const char *team)
{
	for (size_t i = 0; i < v->n_teams; i++)
		if (strcmp(v->teams[i].team, team) == 0)
			return &v->teams[i];
	struct manager_team *grown =
		realloc(v->teams, (v->n_teams + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	v->teams = grown;
	struct manager_team *t = &v->teams[v->n_teams];
	memset(t, 0, sizeof(*t));
	if (!(t->team = strdup(team)))
		return NULL;
	v->n_teams++;
	return t;
}

static int cmp_teams(const void *a, const void *b)
{
	return strcmp(((const struct manager_team *)a)->team,
		      ((const struct manager_team *)b)->team);
}

/* Every team in the line: supervision today, and audit actions open. */
static int load_teams(sqlite3 *db, struct manager_view *v)
{
	static const char sql[] =
		LINE_CTE "SELECT st.team, o.start_date < ?2 FROM occurrences o "
			 "JOIN staff st ON st.id = o.subject WHERE o.activity "
			 "= 'audit_action' AND o.done_on IS NULL AND o.status "
			 "<> 'cancelled' AND st.id IN (SELECT id FROM line)";
	struct due_filter f = {.line_of = v->manager.id,
			       .activity = "supervision",
			       .as_of = v->today,
			       .within_days = DUE_WITHIN_DAYS};
	struct due_list all = {0};
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (due_query(db, &f, &all))
		return -1;
	for (size_t i = 0; i < all.n; i++) {
		struct manager_team *t = team_of(v, all.rows[i].team);
		if (!t)
			goto out;
		t->staff++;
		if (all.rows[i].status == DUE_OVERDUE)
			t->overdue++;
		else
			t->in_date++;
	}
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, v->manager.id);
	db_bind_day(stmt, 2, v->today);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct manager_team *t =
			team_of(v, (const char *)sqlite3_column_text(stmt, 0));
		if (!t)
			goto out;
		t->open_actions++;
		t->overdue_actions += sqlite3_column_int(stmt, 1);
	}
	if (step != SQLITE_DONE)
		goto out;
	if (v->n_teams)
		qsort(v->teams, v->n_teams, sizeof(*v->teams), cmp_teams);
	rc = 0;
out:
	if (rc)
		log_err("manager: teams of %s: %s", v->manager.id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	due_list_done(&all);
	return rc;
}

int manager_by_token(sqlite3 *db, const char *token, qa_day today,
		     unsigned char hash[TOKEN_HASH_SIZE], char **id)
{
	enum token_kind kind;
	*id = NULL;
	if (!token_text_valid(token, strlen(token)))
		return 0;
	token_hash(token, TOKEN_TEXT_LEN, hash);
	int found = token_find(db, hash, &kind, id);
	if (found > 0 && kind == TOKEN_MANAGER) {
		struct staff s = {0};
		found = staff_get(db, *id, &s);
		if (found > 0 && s.left_on != QA_DAY_NONE && s.left_on < today)
			found = 0;
		staff_done(&s);
	} else if (found > 0) {
		found = 0; /* a feed's token opens no manager's page */
	}
	if (found <= 0) {
		free(*id);
		*id = NULL;
	}
	return found;
}

int manager_team_in_line(sqlite3 *db, const char *manager_id, const char *team)
{
	static const char sql[] = LINE_CTE
		"SELECT EXISTS (SELECT 1 FROM staff st JOIN line l ON l.id = "
		"st.id WHERE st.team = ?2)";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, manager_id);
		db_bind_text(stmt, 2, team);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			rc = sqlite3_column_int(stmt, 0);
	}
	if (rc < 0)
		log_err("manager: teams of %s: %s", manager_id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

/* A manager's own deadlines (as `due` lists them on today): not their
 * supervision (their manager's to record) nor the workflow's items, which
 * have sections of their own. */
static int load_own(sqlite3 *db, const char *manager_id, qa_day today,
		    struct due_list *own)
{
	struct due_filter f = {.staff_id = manager_id,
			       .as_of = today,
			       .within_days = DUE_WITHIN_DAYS};
	if (due_query(db, &f, own))
		return -1;
	size_t kept = 0;
	for (size_t i = 0; i < own->n; i++) {
		struct due_row *r = &own->rows[i];
		if (strcmp(r->activity, "supervision") == 0 ||
		    strcmp(r->activity, SCHED_AUDIT_ACTION) == 0 ||
		    strcmp(r->activity, SCHED_MODERATION) == 0) {
			due_row_done(r);
			continue;
		}
		own->rows[kept++] = *r;
	}
	own->n = kept;
	return 0;
}

int manager_view_load(sqlite3 *db, const struct sched_env *env,
		      const char *manager_id, const char *team,
		      struct manager_view *out, struct errlist *errs)
{
	memset(out, 0, sizeof(*out));
	out->today = env->today;
	int found = staff_get(db, manager_id, &out->manager);
	if (found <= 0) {
		if (found == 0)
			errlist_add(errs, "manager \"%s\": no such person",
				    manager_id);
		return -1;
	}
	if (team) {
		int in = manager_team_in_line(db, manager_id, team);
		if (in <= 0)
			return in < 0 ? -1 : 1;
		out->team = team;
	}
	struct due_filter f = {.manager_id = team ? NULL : manager_id,
			       .line_of = team ? manager_id : NULL,
			       .team = team,
			       .activity = "supervision",
			       .as_of = env->today,
			       .within_days = DUE_WITHIN_DAYS};
	struct report_filter months = {.team = team, .manager_id = manager_id};
	report_default_range(env->today, &months.from, &months.to);
	if (due_query(db, &f, &out->supervision) ||
	    load_audits(db, manager_id, out->team, false, SCHED_AUDIT_ACTION,
			&out->actions) ||
	    load_audits(db, manager_id, out->team, false, SCHED_MODERATION,
			&out->moderations) ||
	    load_own(db, manager_id, env->today, &out->own) ||
	    load_teams(db, out) || load_form_people(db, out))
		return -1;
	return report_supervision(db, env, &months, &out->months, errs);
}

void manager_view_done(struct manager_view *v)
{
	staff_done(&v->manager);
	due_list_done(&v->supervision);
	manager_audits_done(&v->actions);
	manager_audits_done(&v->moderations);
	due_list_done(&v->own);
	for (size_t i = 0; i < v->n_teams; i++)
		free(v->teams[i].team);
	free(v->teams);
	rows_done(&v->months);
	staff_array_done(&v->people);
	staff_array_done(&v->moderators);
	memset(v, 0, sizeof(*v));
}

int manager_audits_open(sqlite3 *db, const char *activity,
			struct manager_audits *out)
{
	memset(out, 0, sizeof(*out));
	return load_audits(db, NULL, NULL, true, activity, out);
}
