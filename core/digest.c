#include "digest.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_workflow.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "manager.h"
#include "people.h"
#include "roles.h"

/* Delivered digests are kept this long for the record, then pruned. */
#define DIGEST_KEEP_DAYS 35

static const char *const channel_names[] = {"email", "webhook", "log"};

/* ---- when ---- */

/* The local digest_time on day, before the send window has its say. */
static time_t digest_instant(const struct remind_env *env, qa_day day)
{
	time_t t = 0;
	date_local_to_utc(env->tzid, day, env->digest_minute, &t);
	return t;
}

/* "2026-W49": the ISO 8601 week holding day (the week's Thursday decides
 * its year). */
static void iso_week(qa_day day, char out[32])
{
	qa_day thursday = day - (qa_day_weekday(day) - 1) + 3;
	int y, m, d;
	qa_day_to_ymd(thursday, &y, &m, &d);
	snprintf(out, 32, "%04d-W%02d", y,
		 (int)((thursday - qa_day_from_ymd(y, 1, 1)) / 7) + 1);
}

static void month_text(qa_day day, char out[32])
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	snprintf(out, 32, "%04d-%02d", y, m);
}

/* The weekly digest's day in the week holding today: weekly_day, or the
 * first working day after it in the same week; QA_DAY_NONE when there is
 * none that week. */
static qa_day weekly_send_day(const struct remind_env *env, qa_day today)
{
	qa_day monday = today - (qa_day_weekday(today) - 1);
	qa_day day =
		holidays_shift(env->holidays, monday + env->weekly_day - 1, 1);
	return day <= monday + 6 ? day : QA_DAY_NONE;
}

/* ---- the outbox ---- */

struct planner {
	sqlite3 *db;
	const struct remind_env *env;
	const struct people *people; /* &staff once loaded, else NULL */
	struct people staff;
	qa_day today;
	time_t now;
	sqlite3_stmt *insert;
	long long inserted;
};

static int meta_get(sqlite3 *db, const char *key, char *out, size_t size)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1,
			       &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, key);
		int step = sqlite3_step(stmt);
		if (step == SQLITE_ROW && sqlite3_column_text(stmt, 0))
			snprintf(out, size, "%s",
				 (const char *)sqlite3_column_text(stmt, 0));
		rc = step == SQLITE_ROW || step == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int meta_set(sqlite3 *db, const char *key, const char *value)
{
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db,
			       "INSERT INTO meta (key, value) VALUES (?1, ?2)"
			       " ON CONFLICT (key) DO UPDATE SET value = ?2",
			       -1, &stmt, NULL) == SQLITE_OK) {
		db_bind_text(stmt, 1, key);
		db_bind_text(stmt, 2, value);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(stmt);
	return rc;
}

/* One row per configured channel for `to`, each with its own key, which
 * the webhook's JSON carries too. json is the body without its key. */
static int add_digest(struct planner *pl, const char *kind, const char *period,
		      const struct person *to, time_t due, const char *title,
		      const char *body, json_t *json)
{
	for (int ch = 0; ch < 3; ch++) {
		if ((ch == DELIVER_EMAIL && !pl->env->email) ||
		    (ch == DELIVER_WEBHOOK && !pl->env->webhook))
			continue;
		char key[REMIND_KEY_SIZE];
		remind_key((const char *const[]){kind, period,
						 channel_names[ch], to->id},
			   key);
		if (json_object_set_new(json, "idempotency_key",
					json_string(key)))
			return -1;
		char *text =
			json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!text)
			return -1;
		sqlite3_stmt *s = pl->insert;
		db_bind_text(s, 1, kind);
		db_bind_text(s, 2, period);
		db_bind_text(s, 3, channel_names[ch]);
		db_bind_text(s, 4, to->id);
		sqlite3_bind_int64(s, 5, due);
		db_bind_text(s, 6, key);
		db_bind_text(s, 7, title);
		db_bind_text(s, 8, body);
		db_bind_text(s, 9, text);
		int step = sqlite3_step(s);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		free(text);
		if (step != SQLITE_DONE) {
			log_err("digest: outbox: %s", sqlite3_errmsg(pl->db));
			return -1;
		}
		pl->inserted += sqlite3_changes(pl->db);
	}
	return 0;
}

/* "recipient": who it is for, as reminders' JSON says it. */
static json_t *recipient_json(const struct person *to)
{
	return json_pack("{s:s, s:s, s:s}", "id", to->id, "name", to->name,
			 "email", to->email);
}

/* The text a FILE built, or NULL. */
static char *closed(FILE *f, char **buf)
{
	if (!f)
		return NULL;
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed) {
		free(*buf);
		*buf = NULL;
	}
	return *buf;
}

/* ---- the daily digest ---- */

enum section { S_OVERDUE, S_TODAY, S_WEEK, S_LATER, N_SECTIONS };

static const char *const section_titles[N_SECTIONS] = {
	"Overdue", "Today", "Next 7 days", "Coming up"};
static const char *const section_keys[N_SECTIONS] = {
	"overdue", "today", "next_7_days", "coming_up"};

struct line {
	const struct person *to;
	enum section section;
	qa_day date;
	time_t start; /* an event's start, else 0 */
	char *uid, *activity, *kind, *what, *subject, *subject_name;
	bool urgent;
	int step;   /* 0: their own; 1, 2: escalated to them at that step */
	bool fresh; /* escalated to them today */
};

struct lines {
	struct line *items;
	size_t n, cap;
	bool failed;
};

static void line_done(struct line *l)
{
	free(l->uid);
	free(l->activity);
	free(l->kind);
	free(l->what);
	free(l->subject);
	free(l->subject_name);
}

static void lines_done(struct lines *ls)
{
	for (size_t i = 0; i < ls->n; i++)
		line_done(&ls->items[i]);
	free(ls->items);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

/* Add a copy of l (its strings copied). */
static int lines_add(struct lines *ls, const struct line *l)
{
	if (ls->n == ls->cap) {
		size_t cap = ls->cap ? ls->cap * 2 : 64;
		struct line *grown =
			reallocarray(ls->items, cap, sizeof(*grown));
		if (!grown)
			goto oom;
		ls->items = grown;
		ls->cap = cap;
	}
	struct line *c = &ls->items[ls->n];
	*c = *l;
	c->uid = dup_or_empty(l->uid);
	c->activity = dup_or_empty(l->activity);
	c->kind = dup_or_empty(l->kind);
	c->what = dup_or_empty(l->what);
	c->subject = dup_or_empty(l->subject);
	c->subject_name = l->subject_name ? strdup(l->subject_name) : NULL;
	if (!c->uid || !c->activity || !c->kind || !c->what || !c->subject ||
	    (l->subject_name && !c->subject_name)) {
		line_done(c);
		goto oom;
	}
	ls->n++;
	return 0;
oom:
	log_err("digest: out of memory");
	ls->failed = true;
	return -1;
}

/* What one occurrence row says, before it is someone's line. */
struct item {
	struct planner *pl;
	struct lines *lines;
	struct line line; /* to and what are filled per person */
	const char *summary, *with_name;
};

static int add_item_line(const struct person *p, void *arg)
{
	struct item *it = arg;
	char what[REMIND_WHAT_SIZE];
	remind_what(it->line.activity, it->summary, it->line.subject,
		    it->line.subject_name, it->with_name, p->id, what);
	struct line l = it->line;
	l.to = p;
	l.what = what;
	return lines_add(it->lines, &l);
}

static const char *column(sqlite3_stmt *stmt, int i)
{
	return (const char *)sqlite3_column_text(stmt, i);
}

/* Today's and the coming days' items within their lead time, to everyone
 * taking part; further ahead only on the day a lead time arrives (the
 * first working day on or after it). */
static int daily_ahead(struct planner *pl, struct lines *lines)
{
	static const char sql[] =
		"SELECT o.uid, o.activity, o.subject, o.kind, o.start_date,"
		" coalesce(o.dtstart_utc, 0), o.with_staff_id, o.occ_key,"
		" (SELECT min(a.staff_id) FROM occurrence_attendees a"
		"  WHERE a.uid = o.uid), o.summary, ss.name, ws.name"
		" FROM occurrences o LEFT JOIN staff ss ON ss.id = o.subject"
		" LEFT JOIN staff ws ON ws.id = o.with_staff_id"
		" WHERE o.status <> 'cancelled' AND o.done_on IS NULL"
		" AND o.start_date BETWEEN ?1 AND ?2"
		" ORDER BY o.start_date, o.uid";
	const struct remind_env *env = pl->env;
	long max_lead = 0;
	for (size_t i = 0; i < env->catalog->n; i++)
		for (size_t l = 0; l < env->catalog->items[i].n_leads; l++)
			if (env->catalog->items[i].leads[l] > max_lead)
				max_lead = env->catalog->items[i].leads[l];
	qa_day previous =
		holidays_add_working_days(env->holidays, pl->today, -1);
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(pl->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, pl->today);
	db_bind_day(stmt, 2, pl->today + (qa_day)(max_lead / 86400) + 1);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		struct remind_occ o = {
			.uid = column(stmt, 0),
			.activity = column(stmt, 1),
			.subject = column(stmt, 2),
			.kind = column(stmt, 3),
			.date = db_column_day(stmt, 4),
			.dtstart_utc = (time_t)sqlite3_column_int64(stmt, 5),
			.with_staff_id = column(stmt, 6),
			.key = column(stmt, 7),
			.also = column(stmt, 8),
		};
		const struct feed_activity *a =
			remind_activity(env, o.activity);
		if (!a)
			continue;
		time_t ref = remind_reference(env, &o);
		bool reached = false, arrived = false;
		for (size_t l = 0; l < a->n_leads; l++) {
			qa_day day;
			int minute;
			long offset;
			if (date_local_time(
				    remind_lead_instant(env, ref, a->leads[l]),
				    env->tzid, &day, &minute, &offset))
				continue;
			reached = reached || day <= pl->today;
			arrived =
				arrived || (day > previous && day <= pl->today);
		}
		enum section section = o.date == pl->today       ? S_TODAY
				       : o.date <= pl->today + 6 ? S_WEEK
								 : S_LATER;
		if (!reached || (section == S_LATER && !arrived))
			continue;
		struct item it = {
			.pl = pl,
			.lines = lines,
			.line = {.section = section,
				 .date = o.date,
				 .start = strcmp(o.kind, "event") == 0
						  ? o.dtstart_utc
						  : 0,
				 .uid = (char *)o.uid,
				 .activity = (char *)o.activity,
				 .kind = (char *)o.kind,
				 .subject = (char *)o.subject,
				 .subject_name = (char *)column(stmt, 10),
				 .urgent =
					 strcmp(o.activity,
						SCHED_AUDIT_ACTION) == 0 &&
					 workflow_action_urgent(pl->db, o.key)},
			.summary = column(stmt, 9),
			.with_name = column(stmt, 11),
		};
		if (remind_each_participant(pl->people, a, &o, pl->today,
					    add_item_line, &it))
			goto out;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc && !lines->failed)
		log_err("digest: %s", sqlite3_errmsg(pl->db));
	sqlite3_finalize(stmt);
	return rc;
}

/* Everyone's overdue series, to them, and to each manager up the line it
 * has escalated to by today ([activity.<id>] escalate, as remind.c's
 * escalations when mode = each). */
static int daily_overdue(struct planner *pl, struct lines *lines)
{
	static const char sql[] =
		"SELECT o.uid, se.subject, o.start_date, o.activity,"
		" o.occ_key, o.kind, coalesce(o.dtstart_utc, 0), o.summary,"
		" ss.name, ws.name"
		" FROM series se JOIN occurrences o ON o.activity = se.activity"
		" AND o.subject = CASE se.shared WHEN 1 THEN '' ELSE"
		" se.subject END AND o.start_date = se.next_due"
		" LEFT JOIN staff ss ON ss.id = se.subject"
		" LEFT JOIN staff ws ON ws.id = o.with_staff_id"
		" WHERE se.next_due < ?1 AND o.done_on IS NULL"
		" AND o.status <> 'cancelled'"
		" ORDER BY o.start_date, o.uid";
	const struct remind_env *env = pl->env;
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(pl->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, pl->today);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *subject = column(stmt, 1);
		const char *activity = column(stmt, 3);
		const struct person *who = people_find(pl->people, subject);
		const struct feed_activity *a = remind_activity(env, activity);
		qa_day due = db_column_day(stmt, 2);
		if (!people_in_post(who, pl->today) || !a || due == QA_DAY_NONE)
			continue;
		bool urgent = strcmp(activity, SCHED_AUDIT_ACTION) == 0 &&
			      workflow_action_urgent(pl->db, column(stmt, 4));
		struct item it = {
			.pl = pl,
			.lines = lines,
			.line = {.section = S_OVERDUE,
				 .date = due,
				 .start =
					 strcmp(column(stmt, 5), "event") == 0
						 ? (time_t)sqlite3_column_int64(
							   stmt, 6)
						 : 0,
				 .uid = (char *)column(stmt, 0),
				 .activity = (char *)activity,
				 .kind = (char *)column(stmt, 5),
				 .subject = (char *)subject,
				 .subject_name = (char *)column(stmt, 8),
				 .urgent = urgent},
			.summary = column(stmt, 7),
			.with_name = column(stmt, 9),
		};
		if (add_item_line(who, &it))
			goto out;
		const int *steps = urgent ? a->urgent_escalate : a->escalate;
		size_t n_steps = urgent ? a->n_urgent_escalate : a->n_escalate;
		const struct person *to = who;
		for (size_t k = 0; k < n_steps && to; k++) {
			to = remind_manager_of(pl->people, to->id, pl->today);
			qa_day day = holidays_add_working_days(env->holidays,
							       due, steps[k]);
			if (day > pl->today)
				break;
			if (!to)
				continue;
			it.line.step = (int)k + 1;
			it.line.fresh = day == pl->today;
			if (add_item_line(to, &it))
				goto out;
		}
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc && !lines->failed)
		log_err("digest: overdue: %s", sqlite3_errmsg(pl->db));
	sqlite3_finalize(stmt);
	return rc;
}

static int cmp_lines(const void *a, const void *b)
{
	const struct line *x = a, *y = b;
	int c = strcmp(x->to->id, y->to->id);
	if (c)
		return c;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	if (x->date != y->date)
		return x->date < y->date ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if ((c = strcmp(x->uid, y->uid)))
		return c;
	return x->step - y->step;
}

static const char *const step_words[] = {
	"", "; escalated to you as the line manager",
	"; escalated to you as the next manager up"};

static void line_text(FILE *f, const struct remind_env *env,
		      const struct line *l)
{
	char when[64];
	remind_when_text(env, l->kind, l->date, l->start, when, sizeof(when));
	if (l->section == S_OVERDUE)
		fprintf(f, "  - %s: was due %s%s%s%s\n", l->what, when,
			l->urgent ? " (urgent)" : "", step_words[l->step],
			l->fresh ? " today" : "");
	else
		fprintf(f, "  - %s: %s%s%s\n", l->what,
			strcmp(l->kind, "due") == 0 ? "due by the end of " : "",
			when, l->urgent ? " (urgent)" : "");
}

static json_t *line_json(const struct remind_env *env, const struct line *l)
{
	char when[64], date[DATE_TEXT_SIZE];
	remind_when_text(env, l->kind, l->date, l->start, when, sizeof(when));
	date_format(l->date, date);
	json_t *subject = *l->subject
				  ? json_pack("{s:s, s:s?}", "id", l->subject,
					      "name", l->subject_name)
				  : json_null();
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:b, s:i, s:b}", "uid",
			 l->uid, "activity", l->activity, "summary", l->what,
			 "date", date, "when", when, "subject", subject,
			 "urgent", l->urgent, "escalation", l->step,
			 "escalated_today", l->fresh);
}

/* One person's digest from lines[0..n), all theirs. */
static int daily_one(struct planner *pl, const struct line *lines, size_t n,
		     const char *period, time_t due)
{
	const struct remind_env *env = pl->env;
	const struct person *to = lines[0].to;
	size_t count[N_SECTIONS] = {0};
	for (size_t i = 0; i < n; i++)
		count[lines[i].section]++;
	char day[64], *title = NULL, *body = NULL;
	size_t body_len = 0;
	remind_when_text(env, "due", pl->today, 0, day, sizeof(day));
	FILE *f = open_memstream(&body, &body_len);
	json_t *json = json_pack("{s:s, s:s, s:s, s:o}", "type", "daily_digest",
				 "idempotency_key", "", "period", period,
				 "recipient", recipient_json(to));
	int rc = -1;
	if (!f || !json)
		goto out;
	fprintf(f, "Dear %s,\n\nYour QA schedule for %s.\n", to->name, day);
	char summary[160] = "";
	size_t used = 0;
	for (int s = 0; s < N_SECTIONS; s++) {
		json_t *items = json_array();
		if (!items || json_object_set_new(json, section_keys[s], items))
			goto out;
		if (!count[s])
			continue;
		fprintf(f, "\n%s\n", section_titles[s]);
		for (size_t i = 0; i < n; i++)
			if (lines[i].section == (enum section)s) {
				line_text(f, env, &lines[i]);
				if (json_array_append_new(
					    items, line_json(env, &lines[i])))
					goto out;
			}
		int w = snprintf(summary + used, sizeof(summary) - used,
				 "%s%zu %s", used ? ", " : "", count[s],
				 s == S_WEEK    ? "in the next 7 days"
				 : s == S_LATER ? "coming up"
				 : s == S_TODAY ? "today"
						: "overdue");
		if (w > 0 && (size_t)w < sizeof(summary) - used)
			used += (size_t)w;
	}
	fprintf(f,
		"\nEach is in your calendar feed too (qa-scheduler feed-url "
		"--staff %s gives its address).\n\n-- \nqa-scheduler, %s\n",
		to->id, env->base_url);
	if (!closed(f, &body))
		goto out_closed;
	f = NULL;
	if (asprintf(&title, "QA schedule, %s: %s", day, summary) < 0) {
		title = NULL;
		goto out;
	}
	if (json_object_set_new(json, "text", json_string(body)))
		goto out;
	rc = add_digest(pl, "daily", period, to, due, title, body, json);
out:
	if (f)
		closed(f, &body);
out_closed:
	if (rc)
		log_err("digest: the daily digest of %s failed", to->id);
	json_decref(json);
	free(title);
	free(body);
	return rc;
}

static int plan_daily(struct planner *pl, const char *period, time_t due)
{
	struct lines lines = {0};
	int rc = -1;
	if (daily_overdue(pl, &lines) || daily_ahead(pl, &lines))
		goto out;
	if (lines.n)
		qsort(lines.items, lines.n, sizeof(*lines.items), cmp_lines);
	for (size_t i = 0, j; i < lines.n; i = j) {
		for (j = i + 1;
		     j < lines.n && lines.items[j].to == lines.items[i].to; j++)
			;
		if (daily_one(pl, &lines.items[i], j - i, period, due))
			goto out;
	}
	rc = 0;
out:
	lines_done(&lines);
	return rc;
}

/* ---- the weekly digest ---- */

/* Pointers into the organisation's lists: one manager's share. */
struct refs {
	const void **items;
	size_t n, cap;
};

static int refs_add(struct refs *r, const void *item)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 8;
		const void **grown =
			reallocarray(r->items, cap, sizeof(*grown));
		if (!grown)
			return -1;
		r->items = grown;
		r->cap = cap;
	}
	r->items[r->n++] = item;
	return 0;
}

enum { W_NOW, W_BEFORE, W_ACTIONS, W_MODERATIONS, W_OWN, W_COUNT };

/* The organisation's lists, read once per weekly run, and each person's
 * share of them (by index in people): what `due --as-of` lists over the
 * line and what manager.c's page reads, without a query per manager. */
struct week {
	struct due_list now, before, own; /* supervision today, 7 days ago;
					     everything due within 7 days */
	struct manager_audits actions, moderations;
	struct refs (*of)[W_COUNT];
};

static void week_done(struct week *w, size_t n)
{
	due_list_done(&w->now);
	due_list_done(&w->before);
	due_list_done(&w->own);
	manager_audits_done(&w->actions);
	manager_audits_done(&w->moderations);
	for (size_t i = 0; w->of && i < n; i++)
		for (int k = 0; k < W_COUNT; k++)
			free(w->of[i][k].items);
	free(w->of);
}

/* Add item to the share of everyone above id in the line (as LINE_CTE
 * reads it: by manager_id, whether they are still in post or not). */
static int share_up(struct planner *pl, struct week *w, const char *id,
		    int list, const void *item)
{
	const struct person *p = people_find(pl->people, id);
	for (int guard = 0; p && p->manager_id && guard < 32; guard++) {
		p = people_find(pl->people, p->manager_id);
		if (p && refs_add(&w->of[p - pl->people->items][list], item))
			return -1;
	}
	return 0;
}

static int share_to(struct planner *pl, struct week *w, const char *id,
		    int list, const void *item)
{
	const struct person *p = people_find(pl->people, id);
	return p ? refs_add(&w->of[p - pl->people->items][list], item) : 0;
}

static int cmp_audit_age(const void *a, const void *b)
{
	const struct manager_audit *x = a, *y = b;
	if (x->audit.date != y->audit.date)
		return x->audit.date < y->audit.date ? -1 : 1;
	return (x->audit.id > y->audit.id) - (x->audit.id < y->audit.id);
}

static int week_load(struct planner *pl, struct week *w)
{
	struct due_filter f = {.activity = "supervision",
			       .as_of = pl->today,
			       .within_days = 7};
	struct due_filter own = {.as_of = pl->today, .within_days = 7};
	memset(w, 0, sizeof(*w));
	if (!(w->of = calloc(pl->people->n ? pl->people->n : 1,
			     sizeof(*w->of))))
		return -1;
	if (due_query(pl->db, &f, &w->now))
		return -1;
	f.as_of = pl->today - 7;
	if (due_query(pl->db, &f, &w->before) ||
	    due_query(pl->db, &own, &w->own) ||
	    manager_audits_open(pl->db, SCHED_AUDIT_ACTION, &w->actions) ||
	    manager_audits_open(pl->db, SCHED_MODERATION, &w->moderations))
		return -1;
	if (w->actions.n)
		qsort(w->actions.items, w->actions.n, sizeof(*w->actions.items),
		      cmp_audit_age);
	for (size_t i = 0; i < w->now.n; i++)
		if (share_up(pl, w, w->now.rows[i].staff_id, W_NOW,
			     &w->now.rows[i]))
			return -1;
	for (size_t i = 0; i < w->before.n; i++)
		if (share_up(pl, w, w->before.rows[i].staff_id, W_BEFORE,
			     &w->before.rows[i]))
			return -1;
	for (size_t i = 0; i < w->actions.n; i++)
		if (share_up(pl, w, w->actions.items[i].audit.practitioner,
			     W_ACTIONS, &w->actions.items[i]))
			return -1;
	for (size_t i = 0; i < w->moderations.n; i++)
		if (share_to(pl, w, w->moderations.items[i].audit.moderator,
			     W_MODERATIONS, &w->moderations.items[i]))
			return -1;
	/* Their own deadlines this week: not their supervision (their
	 * manager's to record) nor the workflow's items, listed above. */
	for (size_t i = 0; i < w->own.n; i++) {
		const struct due_row *r = &w->own.rows[i];
		if (strcmp(r->activity, "supervision") != 0 &&
		    strcmp(r->activity, SCHED_AUDIT_ACTION) != 0 &&
		    strcmp(r->activity, SCHED_MODERATION) != 0 &&
		    r->due <= pl->today + 6 &&
		    share_to(pl, w, r->staff_id, W_OWN, r))
			return -1;
	}
	return 0;
}

struct figures {
	int staff, in_date, overdue;
};

static struct figures figures_of(const struct refs *rows)
{
	struct figures f = {0};
	for (size_t i = 0; i < rows->n; i++) {
		const struct due_row *r = rows->items[i];
		f.staff++;
		if (r->status == DUE_OVERDUE)
			f.overdue++;
		else
			f.in_date++;
	}
	return f;
}

/* "7 of 9 (77.8%)", as report supervision rounds percent_in_date. */
static void figures_text(const struct figures *f, char *buf, size_t size)
{
	if (f->staff)
		snprintf(buf, size, "%d of %d (%.1f%%)", f->in_date, f->staff,
			 100.0 * f->in_date / f->staff);
	else
		snprintf(buf, size, "no one due");
}

static json_t *figures_json(const struct figures *f, qa_day as_of)
{
	char date[DATE_TEXT_SIZE], percent[16];
	date_format(as_of, date);
	snprintf(percent, sizeof(percent), "%.1f",
		 f->staff ? 100.0 * f->in_date / f->staff : 0.0);
	return json_pack(
		"{s:s, s:i, s:i, s:i, s:o}", "as_of", date, "staff", f->staff,
		"in_date", f->in_date, "overdue", f->overdue, "percent_in_date",
		f->staff ? json_real(strtod(percent, NULL)) : json_null());
}

static json_t *audit_json(const struct manager_audit *m, qa_day today,
			  bool action)
{
	char date[DATE_TEXT_SIZE], due[DATE_TEXT_SIZE];
	date_format(m->audit.date, date);
	date_format(m->due, due);
	json_t *o = json_pack("{s:I, s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:s}",
			      "audit", (json_int_t)m->audit.id, "practitioner",
			      "id", m->audit.practitioner, "name",
			      m->practitioner_name, "auditor", "id",
			      m->audit.auditor, "name", m->auditor_name,
			      "audit_date", date, "due", due);
	if (o && action &&
	    (json_object_set_new(o, "days_open",
				 json_integer(today - m->audit.date)) ||
	     json_object_set_new(o, "overdue", json_boolean(m->due < today)) ||
	     json_object_set_new(o, "urgent", json_boolean(m->urgent)))) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int week_text(struct planner *pl, const struct person *to,
		     struct refs *share, const char *page, FILE *f,
		     json_t *json)
{
	const struct remind_env *env = pl->env;
	char day[64], ago[64], now_text[64], before_text[64];
	struct figures now = figures_of(&share[W_NOW]),
		       before = figures_of(&share[W_BEFORE]);
	remind_when_text(env, "due", pl->today, 0, day, sizeof(day));
	remind_when_text(env, "due", pl->today - 7, 0, ago, sizeof(ago));
	figures_text(&now, now_text, sizeof(now_text));
	figures_text(&before, before_text, sizeof(before_text));
	fprintf(f,
		"Dear %s,\n\nYour line's week, as of %s.\n\n"
		"Supervision in date\n  now:        %s\n  a week ago: %s "
		"(%s)\n",
		to->name, day, now_text, before_text, ago);
	json_t *sup =
		json_pack("{s:o, s:o}", "now", figures_json(&now, pl->today),
			  "week_before", figures_json(&before, pl->today - 7));
	json_t *overdue = json_array(), *actions = json_array(),
	       *moderations = json_array(), *own = json_array();
	if (json_object_set_new(json, "supervision", sup) ||
	    json_object_set_new(json, "overdue", overdue) ||
	    json_object_set_new(json, "actions", actions) ||
	    json_object_set_new(json, "moderations", moderations) ||
	    json_object_set_new(json, "own", own) || !sup || !overdue ||
	    !actions || !moderations || !own)
		return -1;

	if (now.overdue)
		fprintf(f, "\nOverdue for supervision\n");
	for (size_t i = 0; i < share[W_NOW].n; i++) {
		const struct due_row *r = share[W_NOW].items[i];
		if (r->status != DUE_OVERDUE)
			continue;
		char due[64], date[DATE_TEXT_SIZE];
		remind_when_text(env, "due", r->due, 0, due, sizeof(due));
		date_format(r->due, date);
		fprintf(f, "  - %s (%s): due %s, overdue %d day(s)\n", r->name,
			r->team, due, (int)(pl->today - r->due));
		if (json_array_append_new(
			    overdue,
			    json_pack("{s:s, s:s, s:s, s:s, s:i}", "staff_id",
				      r->staff_id, "name", r->name, "team",
				      r->team, "due", date, "days_overdue",
				      (int)(pl->today - r->due))))
			return -1;
	}

	if (share[W_ACTIONS].n)
		fprintf(f, "\nOpen audit actions, oldest first\n");
	for (size_t i = 0; i < share[W_ACTIONS].n; i++) {
		const struct manager_audit *m = share[W_ACTIONS].items[i];
		char due[64];
		remind_when_text(env, "due", m->due, 0, due, sizeof(due));
		fprintf(f,
			"  - %s's case, audited by %s: open %d day(s), due "
			"%s%s%s\n",
			m->practitioner_name, m->auditor_name,
			(int)(pl->today - m->audit.date), due,
			m->due < pl->today ? " (overdue)" : "",
			m->urgent ? " (urgent)" : "");
		if (json_array_append_new(actions,
					  audit_json(m, pl->today, true)))
			return -1;
	}

	if (share[W_MODERATIONS].n)
		fprintf(f, "\nModerations waiting for you\n");
	for (size_t i = 0; i < share[W_MODERATIONS].n; i++) {
		const struct manager_audit *m = share[W_MODERATIONS].items[i];
		char due[64];
		remind_when_text(env, "due", m->due, 0, due, sizeof(due));
		fprintf(f, "  - %s's case, audited by %s: due %s\n",
			m->practitioner_name, m->auditor_name, due);
		if (json_array_append_new(moderations,
					  audit_json(m, pl->today, false)))
			return -1;
	}

	if (share[W_OWN].n)
		fprintf(f, "\nYour own deadlines this week\n");
	for (size_t i = 0; i < share[W_OWN].n; i++) {
		const struct due_row *r = share[W_OWN].items[i];
		const struct feed_activity *a =
			remind_activity(env, r->activity);
		char due[64], date[DATE_TEXT_SIZE];
		remind_when_text(env, "due", r->due, 0, due, sizeof(due));
		date_format(r->due, date);
		fprintf(f, "  - %s: due %s%s\n", a ? a->title : r->activity,
			due, r->status == DUE_OVERDUE ? " (overdue)" : "");
		if (json_array_append_new(
			    own, json_pack("{s:s, s:s, s:s}", "activity",
					   r->activity, "due", date, "status",
					   r->status == DUE_OVERDUE ? "overdue"
								    : "due")))
			return -1;
	}
	if (page)
		fprintf(f, "\nYour page: %s\n", page);
	else
		fprintf(f,
			"\nYour page is at the address `qa-scheduler "
			"manager-url --staff %s` gave you; the QA team can "
			"issue a new one.\n",
			to->id);
	fprintf(f, "\n-- \nqa-scheduler, %s\n", env->base_url);
	return json_object_set_new(json, "page",
				   page ? json_string(page) : json_null());
}

static int weekly_one(struct planner *pl, const struct person *to,
		      struct refs *share, const char *period, time_t due)
{
	char *body = NULL, *title = NULL, *page = NULL, day[64];
	size_t body_len = 0;
	int rc = -1;
	FILE *f = NULL;
	json_t *json = NULL;
	if (pl->env->sign_on &&
	    asprintf(&page, "%s/manager", pl->env->base_url) < 0) {
		page = NULL;
		goto out;
	}
	char as_of[DATE_TEXT_SIZE];
	date_format(pl->today, as_of);
	json = json_pack("{s:s, s:s, s:s, s:s, s:o}", "type", "weekly_digest",
			 "idempotency_key", "", "period", period, "as_of",
			 as_of, "recipient", recipient_json(to));
	f = open_memstream(&body, &body_len);
	if (!json || !f || week_text(pl, to, share, page, f, json))
		goto out;
	bool ok = closed(f, &body) != NULL;
	f = NULL;
	remind_when_text(pl->env, "due", pl->today, 0, day, sizeof(day));
	struct figures now = figures_of(&share[W_NOW]);
	if (!ok ||
	    asprintf(&title,
		     "Your line this week (%s): %d of %d in date for "
		     "supervision, %zu open audit action(s), %zu "
		     "moderation(s) waiting",
		     day, now.in_date, now.staff, share[W_ACTIONS].n,
		     share[W_MODERATIONS].n) < 0 ||
	    json_object_set_new(json, "text", json_string(body)))
		goto out;
	rc = add_digest(pl, "weekly", period, to, due, title, body, json);
out:
	if (f)
		closed(f, &body);
	if (rc)
		log_err("digest: the weekly digest of %s failed", to->id);
	json_decref(json);
	free(title);
	free(body);
	free(page);
	return rc;
}

/* Everyone in post who manages someone in post. */
static int plan_weekly(struct planner *pl, const char *period, time_t due)
{
	const struct people *people = pl->people;
	struct week w = {0};
	bool *manages = calloc(people->n ? people->n : 1, sizeof(*manages));
	int rc = -1;
	if (!manages || week_load(pl, &w)) {
		log_err("digest: cannot gather the weekly digests");
		goto out;
	}
	for (size_t i = 0; i < people->n; i++) {
		const struct person *p = &people->items[i];
		const struct person *m = people_find(people, p->manager_id);
		if (m && people_in_post(p, pl->today))
			manages[m - people->items] = true;
	}
	for (size_t i = 0; i < people->n; i++)
		if (manages[i] &&
		    people_in_post(&people->items[i], pl->today) &&
		    weekly_one(pl, &people->items[i], w.of[i], period, due))
			goto out;
	rc = 0;
out:
	week_done(&w, people->n);
	free(manages);
	return rc;
}

/* ---- the holiday calendar ---- */

/* While a holiday calendar is running out (holidays_running_out), one
 * message a month to each of the QA team. */
static int plan_holidays(struct planner *pl, const char *period, time_t due)
{
	char why[1024];
	const struct holidays_file *file = holidays_running_out(
		pl->env->holidays, pl->today, why, sizeof(why));
	if (!file)
		return 0;
	char covers_to[DATE_TEXT_SIZE];
	date_format(file->covers_to, covers_to);
	for (size_t i = 0; i < pl->people->n; i++) {
		const struct person *to = &pl->people->items[i];
		if (!people_in_post(to, pl->today) ||
		    !(to->roles & ROLE_QA_TEAM))
			continue;
		char *title = NULL, *body = NULL;
		json_t *json = NULL;
		int rc = -1;
		if (asprintf(&title, "The holiday calendar %s runs out on %s",
			     file->path, covers_to) < 0)
			title = NULL;
		if (asprintf(&body,
			     "Dear %s,\n\n%s.\n\nUntil it is replaced, due "
			     "dates after %s are worked out as if there were "
			     "no bank holidays. Put the new file in place of "
			     "the old (or add it to [calendars] holidays), "
			     "check it with `qa-scheduler check-config`, then "
			     "`systemctl reload qa-scheduler`.\n\nYou will "
			     "hear this once a month until then.\n\n-- "
			     "\nqa-scheduler, %s\n",
			     to->name, why, covers_to, pl->env->base_url) < 0)
			body = NULL;
		if (title && body)
			json = json_pack("{s:s, s:s, s:s, s:o, s:s, s:s, s:i, "
					 "s:s}",
					 "type", "holiday_calendar",
					 "idempotency_key", "", "period",
					 period, "recipient",
					 recipient_json(to), "file", file->path,
					 "covers_to", covers_to, "days_left",
					 (int)(file->covers_to - pl->today),
					 "text", body);
		if (json)
			rc = add_digest(pl, "holidays", period, to, due, title,
					body, json);
		json_decref(json);
		free(title);
		free(body);
		if (rc) {
			log_err("digest: the holiday calendar message to %s "
				"failed",
				to->id);
			return -1;
		}
	}
	return 0;
}

/* ---- planning ---- */

/* Run plan for the period marked in meta key `mark`, once: when day has
 * come (it is today or before), its instant has, and mark does not say
 * it was done. */
static int once(struct planner *pl, const char *mark, const char *period,
		qa_day day,
		int (*plan)(struct planner *pl, const char *period, time_t due))
{
	char done[32];
	if (day == QA_DAY_NONE || day > pl->today)
		return 0;
	time_t at = digest_instant(pl->env, day);
	if (at > pl->now)
		return 0;
	if (meta_get(pl->db, mark, done, sizeof(done)))
		return -1;
	if (strcmp(done, period) == 0)
		return 0;
	struct timespec start, end;
	long long before = pl->inserted;
	clock_gettime(CLOCK_MONOTONIC, &start);
	/* Everyone, read only when there is something to plan. */
	if (!pl->people) {
		if (people_load(pl->db, NULL, 0, &pl->staff)) {
			log_err("digest: %s", sqlite3_errmsg(pl->db));
			return -1;
		}
		pl->people = &pl->staff;
	}
	if (plan(pl, period, remind_in_window(pl->env, at)) ||
	    meta_set(pl->db, mark, period))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &end);
	if (pl->inserted > before)
		log_info("digest: %s %s: %lld outbox row(s) planned in %ld ms",
			 mark + strlen("digest_"), period,
			 pl->inserted - before,
			 (long)((end.tv_sec - start.tv_sec) * 1000 +
				(end.tv_nsec - start.tv_nsec) / 1000000));
	return 0;
}

int digest_plan(sqlite3 *db, const struct remind_env *env, time_t now,
		time_t *next)
{
	static const char insert_sql[] =
		"INSERT INTO digests_outbox (kind, period, channel, recipient,"
		" due_at, idempotency_key, title, body, json)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
		" ON CONFLICT DO NOTHING";
	struct planner pl = {.db = db,
			     .env = env,
			     .today = date_today(env->tzid, now),
			     .now = now};
	int rc = -1;
	*next = 0;
	if (db_begin(db))
		return -1;
	if (sqlite3_prepare_v2(db, insert_sql, -1, &pl.insert, NULL) !=
	    SQLITE_OK) {
		log_err("digest: %s", sqlite3_errmsg(db));
		goto out;
	}
	char day[DATE_TEXT_SIZE], week[32], month[32];
	date_format(pl.today, day);
	iso_week(pl.today, week);
	month_text(pl.today, month);
	/* Digests go on working days only: one caught up after downtime
	 * waits for the next working day, still in its week or month. The
	 * QA team's monthly one goes in either mode, from the month's first
	 * working day. */
	if (holidays_is_working_day(env->holidays, pl.today) &&
	    ((env->digest &&
	      (once(&pl, "digest_daily", day, pl.today, plan_daily) ||
	       once(&pl, "digest_weekly", week, weekly_send_day(env, pl.today),
		    plan_weekly))) ||
	     once(&pl, "digest_holidays", month,
		  holidays_shift(env->holidays,
				 qa_period_start(pl.today, QA_PERIOD_MONTH), 1),
		  plan_holidays)))
		goto out;
	/* Delivered digests are kept a while for the record. */
	sqlite3_stmt *prune = NULL;
	if (sqlite3_prepare_v2(db,
			       "DELETE FROM digests_outbox WHERE state <> "
			       "'pending' AND due_at < ?1",
			       -1, &prune, NULL) != SQLITE_OK) {
		log_err("digest: %s", sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(prune, 1, now - DIGEST_KEEP_DAYS * 86400L);
	int step = sqlite3_step(prune);
	sqlite3_finalize(prune);
	if (step != SQLITE_DONE) {
		log_err("digest: %s", sqlite3_errmsg(db));
		goto out;
	}
	/* The next working day's digest time (the weekly one and the
	 * monthly one fall on working days at the same time). */
	for (qa_day d = pl.today; d < pl.today + 30; d++) {
		time_t at = digest_instant(env, d);
		if (at > now && holidays_is_working_day(env->holidays, d)) {
			*next = at;
			break;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(pl.insert);
	people_done(&pl.staff);
	if (rc == 0 && db_commit(db) == 0)
		return 0;
	db_rollback(db);
	return -1;
}

/* ---- taking ---- */

int digest_take(sqlite3 *db, const struct remind_env *env, time_t now,
		const long long *in_flight, size_t n_in_flight, size_t max,
		struct remind_job **jobs, size_t *n)
{
	static const char sql[] =
		"SELECT d.id, d.kind, d.period, d.channel, d.recipient,"
		" d.idempotency_key, d.title, d.body, d.json, s.name, s.email,"
		" s.left_on"
		" FROM digests_outbox d LEFT JOIN staff s ON s.id = d.recipient"
		" WHERE d.state = 'pending' AND d.due_at <= ?1"
		" AND coalesce(d.next_attempt_at, 0) <= ?1"
		" ORDER BY d.due_at, d.id";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step = SQLITE_DONE;
	*jobs = NULL;
	*n = 0;
	/* Outside the send window nothing goes (remind_plan wakes the loop
	 * at the opening). */
	if (max == 0 || remind_in_window(env, now) != now)
		return 0;
	if (!(*jobs = calloc(max, sizeof(**jobs))))
		goto out;
	qa_day today = date_today(env->tzid, now);
	char day[DATE_TEXT_SIZE], week[32], month[32];
	date_format(today, day);
	iso_week(today, week);
	month_text(today, month);
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	while (*n < max && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		long long id = -sqlite3_column_int64(stmt, 0);
		if (remind_in_flight(id, in_flight, n_in_flight))
			continue;
		const char *kind = column(stmt, 1), *period = column(stmt, 2);
		const char *current = strcmp(kind, "daily") == 0    ? day
				      : strcmp(kind, "weekly") == 0 ? week
								    : month;
		qa_day left_on = db_column_day(stmt, 11);
		/* Its day (week, month) has passed, or its reader has
		 * left: never sent late. */
		if (strcmp(period, current) != 0 || !column(stmt, 9) ||
		    (left_on != QA_DAY_NONE && left_on < today)) {
			if (remind_skip(db, id))
				goto out;
			continue;
		}
		struct remind_job *job = &(*jobs)[*n];
		const char *channel = column(stmt, 3);
		/* title, body, json, key, email, name (remind_job_ready) */
		static const int columns[6] = {6, 7, 8, 5, 10, 9};
		for (int k = 0; k < 6; k++)
			job->buffers[k] = strdup(column(stmt, columns[k]));
		(*n)++;
		for (int k = 0; k < 6; k++)
			if (!job->buffers[k])
				goto out;
		remind_job_ready(job, id, channel);
	}
	rc = step == SQLITE_DONE || step == SQLITE_ROW ? 0 : -1;
out:
	if (rc) {
		log_err("digest: cannot read the outbox: %s",
			sqlite3_errmsg(db));
		remind_jobs_free(*jobs, *n);
		*jobs = NULL;
		*n = 0;
	}
	sqlite3_finalize(stmt);
	return rc;
}
