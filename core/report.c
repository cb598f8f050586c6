#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "db.h"
#include "due.h"
#include "log.h"
#include "people.h"
#include "qa-scheduler/util.h"

void report_default_range(qa_day today, qa_day *from, qa_day *to)
{
	qa_day month = qa_period_start(today, QA_PERIOD_MONTH);
	*to = month - 1;
	*from = qa_day_add_months(month, -12);
}

/* The ids in manager_id's line (everyone under them, at any depth), sorted,
 * or an empty list for no manager. 0, or -1 with the problem. */
static int line_of(sqlite3 *db, const char *manager_id, struct config_list *out,
		   struct errlist *errs)
{
	static const char sql[] = "WITH RECURSIVE line(id) AS ("
				  " SELECT id FROM staff WHERE manager_id = ?1"
				  " UNION SELECT s.id FROM staff s JOIN line l"
				  "  ON s.manager_id = l.id)"
				  " SELECT id FROM line ORDER BY id";
	memset(out, 0, sizeof(*out));
	if (!manager_id)
		return 0;
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(db, "SELECT 1 FROM staff WHERE id = ?1", -1,
			       &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, manager_id);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		errlist_add(errs, "manager \"%s\": no such person", manager_id);
		sqlite3_finalize(stmt);
		return -1;
	}
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, manager_id);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		char **grown =
			realloc(out->items, (out->n + 1) * sizeof(*grown));
		if (!grown)
			goto out;
		out->items = grown;
		if (!(out->items[out->n] = db_column_dup(stmt, 0)))
			goto out;
		out->n++;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("report: the line of %s: %s", manager_id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_line(const struct config_list *line, const char *id)
{
	return bsearch(&id, line->items, line->n, sizeof(*line->items),
		       cmp_text) != NULL;
}

/* Is the person id of team among those filter asks for (its team, its
 * manager's line)? A series nobody owns (id or team NULL) is only when
 * neither is asked. */
static bool wanted(const struct report_filter *f,
		   const struct config_list *line, const char *id,
		   const char *team)
{
	return (!f->team || (team && strcmp(team, f->team) == 0)) &&
	       (!f->manager_id || (id && in_line(line, id)));
}

/* A report's filter and line, for sched_history's keep: the people out of
 * it are not generated at all. */
struct scope {
	const struct report_filter *filter;
	const struct config_list *line;
};

static bool in_scope(const struct person *person, void *arg)
{
	const struct scope *s = arg;
	return wanted(s->filter, s->line, person->id, person->team);
}

/* The period a deadline's key names ("2026-07", "2026-W27", "2026-Q3",
 * "2026"), or false when it names none. */
static bool period_of(const char *key, qa_day *start, qa_day *end)
{
	int y, n;
	char c;
	enum qa_period period;
	if (sscanf(key, "%4d-W%2d%c", &y, &n, &c) == 2) {
		/* ISO week n: the week holding 4 January is week 1. */
		qa_day jan4 = qa_day_from_ymd(y, 1, 4);
		*start = jan4 - (qa_day_weekday(jan4) - 1) + (n - 1) * 7;
		period = QA_PERIOD_WEEK;
	} else if (sscanf(key, "%4d-Q%1d%c", &y, &n, &c) == 2 && n >= 1 &&
		   n <= 4) {
		*start = qa_day_from_ymd(y, (n - 1) * 3 + 1, 1);
		period = QA_PERIOD_QUARTER;
	} else if (sscanf(key, "%4d-%2d%c", &y, &n, &c) == 2 && n >= 1 &&
		   n <= 12) {
		*start = qa_day_from_ymd(y, n, 1);
		period = QA_PERIOD_MONTH;
	} else if (sscanf(key, "%4d%c", &y, &c) == 1 && strlen(key) == 4) {
		*start = qa_day_from_ymd(y, 1, 1);
		period = QA_PERIOD_YEAR;
	} else {
		return false;
	}
	*end = qa_period_end(*start, period);
	return true;
}

struct activity_report {
	const struct report_filter *filter;
	struct config_list line;
	qa_day today;
	struct rows *out;
	size_t deadlines; /* seen, filtered or not */
	size_t others;    /* occurrences that are no deadline */
};

static const char *team_of(const struct person *person, const char *owner,
			   sqlite3 *db, char *buf, size_t size)
{
	if (person)
		return person->team;
	buf[0] = '\0';
	sqlite3_stmt *stmt = NULL;
	if (owner && sqlite3_prepare_v2(db,
					"SELECT team FROM staff WHERE"
					" id = ?1",
					-1, &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, owner);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			snprintf(buf, size, "%s",
				 (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	return buf[0] ? buf : NULL;
}

struct activity_call {
	struct activity_report *report;
	sqlite3 *db;
};

static int activity_rows(const struct person *person, const char *owner,
			 const struct sched_occ_list *occs, void *arg)
{
	struct activity_call *call = arg;
	struct activity_report *rp = call->report;
	const struct report_filter *f = rp->filter;
	char team_buf[128];
	const char *team =
		team_of(person, owner, call->db, team_buf, sizeof(team_buf));
	if (!wanted(f, &rp->line, owner, team))
		return 0;
	for (size_t i = 0; i < occs->n; i++) {
		const struct sched_occ *o = &occs->items[i];
		if (o->kind != QA_OCC_DUE) {
			rp->others++;
			continue;
		}
		rp->deadlines++;
		if (o->date < f->from || o->date > f->to)
			continue;
		qa_day start, end;
		if (!period_of(o->key, &start, &end))
			start = end = o->date;
		const char *status = o->done_on != QA_DAY_NONE ? "done"
				     : end < rp->today         ? "missed"
							       : "open";
		char s[DATE_TEXT_SIZE], e[DATE_TEXT_SIZE], d[DATE_TEXT_SIZE],
			done[DATE_TEXT_SIZE];
		const char *cells[] = {owner,
				       team,
				       date_format(start, s),
				       date_format(end, e),
				       date_format(o->date, d),
				       status,
				       o->done_on != QA_DAY_NONE
					       ? date_format(o->done_on, done)
					       : NULL};
		if (rows_add(rp->out, cells))
			return -1;
	}
	return 0;
}

static const struct rows_column activity_columns[] = {
	{"staff_id", ROWS_TEXT},     {"team", ROWS_TEXT},
	{"period_start", ROWS_TEXT}, {"period_end", ROWS_TEXT},
	{"due", ROWS_TEXT},          {"status", ROWS_TEXT},
	{"done_on", ROWS_TEXT},
};

int report_activity(sqlite3 *db, const struct sched_env *env,
		    const struct report_filter *filter, const char *activity,
		    struct rows *out, struct errlist *errs)
{
	rows_init(out, activity_columns,
		  sizeof(activity_columns) / sizeof(activity_columns[0]));
	struct activity_report rp = {
		.filter = filter, .today = env->today, .out = out};
	int rc = -1;
	if (line_of(db, filter->manager_id, &rp.line, errs))
		goto out;
	struct activity_call call = {&rp, db};
	struct scope scope = {filter, &rp.line};
	if (sched_history(db, env, activity, filter->from, filter->to, in_scope,
			  &scope, activity_rows, &call, errs))
		goto out;
	if (rp.deadlines == 0 && rp.others > 0) {
		errlist_add(errs,
			    "%s has no deadlines to report, only meetings or "
			    "sessions; `report supervision` reports "
			    "supervision",
			    activity);
		goto out;
	}
	rc = 0;
out:
	config_list_done(&rp.line);
	return rc;
}

static const struct rows_column deadline_columns[] = {
	{"activity", ROWS_TEXT}, {"title", ROWS_TEXT},    {"due", ROWS_NUMBER},
	{"done", ROWS_NUMBER},   {"missed", ROWS_NUMBER}, {"open", ROWS_NUMBER},
};

int report_deadlines(sqlite3 *db, const struct sched_env *env,
		     const struct report_filter *filter, struct rows *out,
		     struct errlist *errs)
{
	rows_init(out, deadline_columns,
		  sizeof(deadline_columns) / sizeof(deadline_columns[0]));
	struct rows one = {0};
	for (size_t i = 0; i < env->plugins->n; i++) {
		const struct plugin *p = &env->plugins->items[i];
		if (p->disabled || !plugin_has_deadlines(p))
			continue;
		/* Counted from `report activity`'s own rows, so the two
		 * cannot disagree. */
		rows_done(&one);
		if (report_activity(db, env, filter, p->desc->id, &one, errs))
			goto fail;
		long long n[3] = {0}; /* done, missed, open */
		for (size_t r = 0; r < one.n; r++) {
			const char *status = rows_cell(&one, r, "status");
			n[strcmp(status, "done") == 0     ? 0
			  : strcmp(status, "missed") == 0 ? 1
							  : 2]++;
		}
		char texts[4][24];
		snprintf(texts[0], sizeof(texts[0]), "%zu", one.n);
		for (int k = 0; k < 3; k++)
			snprintf(texts[k + 1], sizeof(texts[k + 1]), "%lld",
				 n[k]);
		const char *cells[] = {p->desc->id, p->desc->title, texts[0],
				       texts[1],    texts[2],       texts[3]};
		if (rows_add(out, cells))
			goto fail;
	}
	rows_done(&one);
	return 0;
fail:
	rows_done(&one);
	return -1;
}

static const struct rows_column action_columns[] = {
	{"audit", ROWS_NUMBER},      {"practitioner", ROWS_TEXT},
	{"auditor", ROWS_TEXT},      {"grade", ROWS_TEXT},
	{"safeguarding", ROWS_TEXT}, {"audit_date", ROWS_TEXT},
	{"due", ROWS_TEXT},          {"closed_on", ROWS_TEXT},
	{"status", ROWS_TEXT},       {"days_open", ROWS_NUMBER},
};

struct actions_call {
	sqlite3 *db;
	const struct report_filter *filter;
	const struct config_list *line;
	qa_day today;
	struct rows *out;
};

static int action_rows(const struct person *person, const char *owner,
		       const struct sched_occ_list *occs, void *arg)
{
	(void)owner;
	struct actions_call *call = arg;
	const struct report_filter *f = call->filter;
	if ((f->team && strcmp(person->team, f->team) != 0) ||
	    (f->manager_id && !in_line(call->line, person->id)))
		return 0;
	for (size_t i = 0; i < occs->n; i++) {
		const struct sched_occ *o = &occs->items[i];
		long long id;
		struct audit a;
		if (sscanf(o->key, "audit-%lld", &id) != 1 ||
		    audit_get(call->db, id, &a) <= 0)
			continue;
		if (a.date < f->from || a.date > f->to)
			continue;
		bool closed = o->done_on != QA_DAY_NONE;
		const char *status = closed ? o->done_on <= o->date
						      ? "closed_on_time"
						      : "closed_late"
				     : call->today > o->date ? "overdue"
							     : "open";
		char number[24], days[24], audited[DATE_TEXT_SIZE],
			due[DATE_TEXT_SIZE], closed_on[DATE_TEXT_SIZE];
		snprintf(number, sizeof(number), "%lld", id);
		snprintf(days, sizeof(days), "%d",
			 (closed ? o->done_on : call->today) - a.date);
		/* The grade and flag the auditor gave (a regrading shows in
		 * the due date it re-timed). */
		const char *cells[] = {
			number,
			a.practitioner,
			a.auditor,
			a.grade[0] ? a.grade : NULL,
			a.safeguarding ? "yes" : "no",
			date_format(a.date, audited),
			date_format(o->date, due),
			closed ? date_format(o->done_on, closed_on) : NULL,
			status,
			days};
		if (rows_add(call->out, cells))
			return -1;
	}
	return 0;
}

int report_actions(sqlite3 *db, const struct sched_env *env,
		   const struct report_filter *filter, struct rows *out,
		   struct errlist *errs)
{
	rows_init(out, action_columns,
		  sizeof(action_columns) / sizeof(action_columns[0]));
	struct config_list line;
	int rc = -1;
	if (line_of(db, filter->manager_id, &line, errs))
		return -1;
	struct actions_call call = {db, filter, &line, env->today, out};
	/* The audit workflow's history is read whole; action_rows filters. */
	if (sched_history(db, env, SCHED_AUDIT_ACTION, filter->from, filter->to,
			  NULL, NULL, action_rows, &call, errs) == 0)
		rc = 0;
	config_list_done(&line);
	return rc;
}

/* ---- counters by month and team (report audits, report supervision) ---- */

enum {
	A_EXPECTED,
	A_DONE,
	A_OUTSTANDING,
	A_GOOD,
	A_RI,
	A_INADEQUATE,
	A_SAFEGUARDING,
	A_MODERATED,
	A_REGRADED,
	A_COUNT
};

struct month_cell {
	char month[8]; /* YYYY-MM */
	char *team;
	long long n[12]; /* a report's counters: A_* or S_* */
};

/* The cells, and an open-addressed index of them by (month, team): a
 * report over 5,000 people looks a cell up for every person and month. */
struct month_table {
	struct month_cell *cells;
	size_t n, cap;
	size_t *slots; /* cell index + 1; 0: empty. n_slots a power of 2 */
	size_t n_slots;
};

static size_t month_cell_hash(const char *month, const char *team)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (const char *p = month; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	for (const char *p = team; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return h;
}

/* Put cell i in the index (which has room). */
static void month_index_put(struct month_table *t, size_t i)
{
	size_t mask = t->n_slots - 1;
	size_t s = month_cell_hash(t->cells[i].month, t->cells[i].team) & mask;
	while (t->slots[s])
		s = (s + 1) & mask;
	t->slots[s] = i + 1;
}

/* Room for one more cell, the index kept at most half full. 0, or -1. */
static int month_table_grow(struct month_table *t)
{
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 32;
		struct month_cell *grown =
			realloc(t->cells, cap * sizeof(*grown));
		if (!grown)
			return -1;
		t->cells = grown;
		t->cap = cap;
	}
	if (2 * (t->n + 1) <= t->n_slots)
		return 0;
	size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
	size_t *slots = calloc(n_slots, sizeof(*slots));
	if (!slots)
		return -1;
	free(t->slots);
	t->slots = slots;
	t->n_slots = n_slots;
	for (size_t i = 0; i < t->n; i++)
		month_index_put(t, i);
	return 0;
}

static struct month_cell *month_cell(struct month_table *t, qa_day day,
				     const char *team)
{
	char month[DATE_TEXT_SIZE];
	date_format(day, month);
	month[7] = '\0';
	if (t->n_slots) {
		size_t mask = t->n_slots - 1;
		for (size_t s = month_cell_hash(month, team) & mask;
		     t->slots[s]; s = (s + 1) & mask) {
			struct month_cell *c = &t->cells[t->slots[s] - 1];
			if (strcmp(c->month, month) == 0 &&
			    strcmp(c->team, team) == 0)
				return c;
		}
	}
	if (month_table_grow(t))
		return NULL;
	struct month_cell *c = &t->cells[t->n];
	memset(c, 0, sizeof(*c));
	memcpy(c->month, month, 8);
	if (!(c->team = strdup(team)))
		return NULL;
	month_index_put(t, t->n++);
	return c;
}

static void month_table_done(struct month_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->cells[i].team);
	free(t->cells);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* The counters of cell as text, for rows_add. */
static void counter_texts(const struct month_cell *cell, int n,
			  char texts[][24])
{
	for (int k = 0; k < n; k++)
		snprintf(texts[k], sizeof(texts[k]), "%lld", cell->n[k]);
}

/* ---- report audits ---- */

struct audits_call {
	const struct report_filter *filter;
	const struct config_list *line;
	struct month_table *table;
	bool failed;
};

static int expected_audits(const struct person *person, const char *owner,
			   const struct sched_occ_list *occs, void *arg)
{
	(void)owner;
	struct audits_call *call = arg;
	if (!person ||
	    !wanted(call->filter, call->line, person->id, person->team))
		return 0;
	for (size_t i = 0; i < occs->n; i++) {
		const struct sched_occ *o = &occs->items[i];
		if (o->kind != QA_OCC_DUE || o->date < call->filter->from ||
		    o->date > call->filter->to)
			continue;
		struct month_cell *c =
			month_cell(call->table, o->date, person->team);
		if (!c) {
			call->failed = true;
			return -1;
		}
		c->n[A_EXPECTED]++;
		c->n[A_DONE] += o->done_on != QA_DAY_NONE;
	}
	return 0;
}

/* The audits dated in the range, by their auditor's team. */
static int count_audits(sqlite3 *db, struct audits_call *call)
{
	static const char sql[] =
		"SELECT a.done_on, s.id, s.team, a.grade, a.safeguarding,"
		" m.id IS NOT NULL,"
		" m.id IS NOT NULL AND (m.grade IS NOT a.grade"
		"  OR m.safeguarding <> a.safeguarding)"
		" FROM completions a JOIN staff s ON s.id = a.staff_id"
		" LEFT JOIN completions m ON m.activity = 'moderation'"
		"  AND m.audit_id = a.id"
		" WHERE a.activity = 'collaborative_audit'"
		" AND a.practitioner_id IS NOT NULL"
		" AND a.done_on BETWEEN ?1 AND ?2";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, call->filter->from);
	db_bind_day(stmt, 2, call->filter->to);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *id = (const char *)sqlite3_column_text(stmt, 1);
		const char *team = (const char *)sqlite3_column_text(stmt, 2);
		if (!wanted(call->filter, call->line, id, team))
			continue;
		struct month_cell *c =
			month_cell(call->table, db_column_day(stmt, 0), team);
		if (!c)
			goto out;
		const char *grade = (const char *)sqlite3_column_text(stmt, 3);
		static const char *const grades[] = {"outstanding", "good",
						     "requires_improvement",
						     "inadequate"};
		for (int g = 0; grade && g < 4; g++)
			c->n[A_OUTSTANDING + g] +=
				strcmp(grade, grades[g]) == 0;
		c->n[A_SAFEGUARDING] += sqlite3_column_int(stmt, 4) != 0;
		c->n[A_MODERATED] += sqlite3_column_int(stmt, 5) != 0;
		c->n[A_REGRADED] += sqlite3_column_int(stmt, 6) != 0;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("report: audits: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static int cmp_cells(const void *a, const void *b)
{
	const struct month_cell *x = a, *y = b;
	int by_month = strcmp(x->month, y->month);
	return by_month ? by_month : strcmp(x->team, y->team);
}

static const struct rows_column audit_columns[] = {
	{"month", ROWS_TEXT},
	{"team", ROWS_TEXT},
	{"expected", ROWS_NUMBER},
	{"done", ROWS_NUMBER},
	{"outstanding", ROWS_NUMBER},
	{"good", ROWS_NUMBER},
	{"requires_improvement", ROWS_NUMBER},
	{"inadequate", ROWS_NUMBER},
	{"safeguarding", ROWS_NUMBER},
	{"moderated", ROWS_NUMBER},
	{"regraded", ROWS_NUMBER},
};

int report_audits(sqlite3 *db, const struct sched_env *env,
		  const struct report_filter *filter, struct rows *out,
		  struct errlist *errs)
{
	rows_init(out, audit_columns,
		  sizeof(audit_columns) / sizeof(audit_columns[0]));
	struct config_list line;
	struct month_table table = {0};
	int rc = -1;
	if (line_of(db, filter->manager_id, &line, errs))
		return -1;
	struct audits_call call = {filter, &line, &table, false};
	struct scope scope = {filter, &line};
	if (sched_history(db, env, "collaborative_audit", filter->from,
			  filter->to, in_scope, &scope, expected_audits, &call,
			  errs) ||
	    call.failed || count_audits(db, &call))
		goto out;
	if (table.n)
		qsort(table.cells, table.n, sizeof(*table.cells), cmp_cells);
	for (size_t i = 0; i < table.n; i++) {
		char numbers[A_COUNT][24];
		const char *cells[2 + A_COUNT] = {table.cells[i].month,
						  table.cells[i].team};
		counter_texts(&table.cells[i], A_COUNT, numbers);
		for (int k = 0; k < A_COUNT; k++)
			cells[2 + k] = numbers[k];
		if (rows_add(out, cells))
			goto out;
	}
	rc = 0;
out:
	month_table_done(&table);
	config_list_done(&line);
	return rc;
}

/* ---- report supervision ---- */

enum {
	S_STAFF,
	S_IN_DATE,
	S_OVERDUE,
	S_SESSIONS,
	S_ON_TIME,
	S_LATE,
	S_WEEKLY,
	S_FORTNIGHTLY,
	S_COUNT
};

_Static_assert(A_COUNT <= 12 && S_COUNT <= 12,
	       "struct month_cell holds every report's counters");

struct supervision_call {
	const struct report_filter *filter;
	const struct config_list *line;
	struct month_table *table; /* its cells' counters, S_* */
	qa_day today;
	bool failed;
};

static int supervision_rows(const struct person *person, const char *owner,
			    const struct sched_occ_list *occs, void *arg)
{
	(void)owner;
	struct supervision_call *call = arg;
	const struct report_filter *f = call->filter;
	if (!person || !wanted(f, call->line, person->id, person->team))
		return 0;
	/* The next due as generated today: the first session not held. */
	qa_day next_due = QA_DAY_NONE;
	for (size_t i = 0; i < occs->n && next_due == QA_DAY_NONE; i++)
		if (occs->items[i].done_on == QA_DAY_NONE)
			next_due = occs->items[i].date;
	for (qa_day month = f->from; month <= f->to;
	     month = qa_period_end(month, QA_PERIOD_MONTH) + 1) {
		qa_day end = qa_period_end(month, QA_PERIOD_MONTH);
		struct month_cell *c = NULL;
		if (person->since == QA_DAY_NONE || person->since > end)
			continue; /* not tracked yet */
		/* Sessions held in the month, against the due date each met. */
		for (size_t i = 0; i < occs->n; i++) {
			const struct sched_occ *o = &occs->items[i];
			if (o->done_on == QA_DAY_NONE || o->date < month ||
			    o->date > end)
				continue;
			if (!c &&
			    !(c = month_cell(call->table, month, person->team)))
				goto oom;
			c->n[S_SESSIONS]++;
			if (o->due_on != QA_DAY_NONE && o->date > o->due_on)
				c->n[S_LATE]++;
			else
				c->n[S_ON_TIME]++;
		}
		/* In date or overdue at the month's end: due then is the one
		 * the next session held after it met, or today's next due. */
		if (person->left_on != QA_DAY_NONE && person->left_on <= end)
			continue;
		qa_day due = next_due;
		for (size_t i = 0; i < occs->n; i++)
			if (occs->items[i].done_on != QA_DAY_NONE &&
			    occs->items[i].date > end) {
				due = occs->items[i].due_on;
				break;
			}
		if (due == QA_DAY_NONE)
			continue; /* nothing due: not listed by due either */
		if (!c && !(c = month_cell(call->table, month, person->team)))
			goto oom;
		c->n[S_STAFF]++;
		c->n[due < end ? S_OVERDUE : S_IN_DATE]++;
		const char *phase =
			due_supervision_phase(person->nqsw_start, end);
		c->n[S_WEEKLY] += strcmp(phase, "nqsw_weekly") == 0;
		c->n[S_FORTNIGHTLY] += strcmp(phase, "nqsw_fortnightly") == 0;
	}
	return 0;
oom:
	call->failed = true;
	log_err("report: out of memory");
	return -1;
}

static const struct rows_column supervision_columns[] = {
	{"month", ROWS_TEXT},
	{"team", ROWS_TEXT},
	{"staff", ROWS_NUMBER},
	{"in_date", ROWS_NUMBER},
	{"overdue", ROWS_NUMBER},
	{"percent_in_date", ROWS_NUMBER},
	{"sessions", ROWS_NUMBER},
	{"on_time", ROWS_NUMBER},
	{"late", ROWS_NUMBER},
	{"nqsw_weekly", ROWS_NUMBER},
	{"nqsw_fortnightly", ROWS_NUMBER},
};

int report_supervision(sqlite3 *db, const struct sched_env *env,
		       const struct report_filter *filter, struct rows *out,
		       struct errlist *errs)
{
	rows_init(out, supervision_columns,
		  sizeof(supervision_columns) / sizeof(supervision_columns[0]));
	struct config_list line;
	struct month_table table = {0};
	int rc = -1;
	if (line_of(db, filter->manager_id, &line, errs))
		return -1;
	struct supervision_call call = {filter, &line, &table, env->today,
					false};
	/* Up to today too, since a session held after the range says what
	 * was due at its last month's end; and a little beyond, where today's
	 * next due falls (at most one interval on). */
	qa_day to = (filter->to > env->today ? filter->to : env->today) + 62;
	struct scope scope = {filter, &line};
	if (sched_history(db, env, "supervision", filter->from, to, in_scope,
			  &scope, supervision_rows, &call, errs) ||
	    call.failed)
		goto out;
	if (table.n)
		qsort(table.cells, table.n, sizeof(*table.cells), cmp_cells);
	for (size_t i = 0; i < table.n; i++) {
		const long long *n = table.cells[i].n;
		char numbers[S_COUNT][24], percent[24];
		const char *cells[3 + S_COUNT] = {table.cells[i].month,
						  table.cells[i].team};
		counter_texts(&table.cells[i], S_COUNT, numbers);
		snprintf(percent, sizeof(percent), "%.1f",
			 n[S_STAFF] ? 100.0 * (double)n[S_IN_DATE] /
					      (double)n[S_STAFF]
				    : 0.0);
		int c = 2;
		cells[c++] = numbers[S_STAFF];
		cells[c++] = numbers[S_IN_DATE];
		cells[c++] = numbers[S_OVERDUE];
		cells[c++] = n[S_STAFF] ? percent : NULL;
		for (int k = S_SESSIONS; k < S_COUNT; k++)
			cells[c++] = numbers[k];
		if (rows_add(out, cells))
			goto out;
	}
	rc = 0;
out:
	month_table_done(&table);
	config_list_done(&line);
	return rc;
}
