#include "remind.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_workflow.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "people.h"

/* ---- people ---- */

/* The line manager of id still in post: a manager who has left is skipped
 * for the next one up. */
const struct person *remind_manager_of(const struct people *people,
				       const char *id, qa_day today)
{
	const struct person *p = people_find(people, id);
	for (int guard = 0; p && p->manager_id && guard < 32; guard++) {
		const struct person *m = people_find(people, p->manager_id);
		if (people_in_post(m, today))
			return m;
		p = m;
	}
	return NULL;
}

/* ---- time ---- */

time_t remind_day_instant(const struct remind_env *env, qa_day day)
{
	time_t t = 0;
	date_local_to_utc(env->tzid, day, REMIND_DAY_MINUTE, &t);
	return t;
}

/* The instant `lead` seconds before ref, its whole days counted on the
 * calendar as a VALARM's TRIGGER:-P2D is (RFC 5545 3.3.6, nominal days):
 * 10:00 stays 10:00 local across a change of clocks. A rest under a day is
 * exact. */
time_t remind_lead_instant(const struct remind_env *env, time_t ref, long lead)
{
	long days = lead / 86400;
	qa_day day;
	int minute;
	long offset;
	time_t t;
	if (days == 0 ||
	    date_local_time(ref, env->tzid, &day, &minute, &offset) ||
	    date_local_to_utc(env->tzid, day - (qa_day)days, minute, &t))
		return ref - lead;
	return t + (ref % 60) - lead % 86400;
}

/* The first instant at or after t inside the send window on a working day
 * (t itself when there is no window). */
time_t remind_in_window(const struct remind_env *env, time_t t)
{
	if (env->window_start < 0)
		return t;
	for (int guard = 0; guard < 60; guard++) {
		qa_day day;
		int minute;
		long offset;
		if (date_local_time(t, env->tzid, &day, &minute, &offset))
			return t;
		if (holidays_is_working_day(env->holidays, day)) {
			if (minute >= env->window_start &&
			    minute < env->window_end)
				return t;
			if (minute < env->window_start) {
				time_t open;
				date_local_to_utc(env->tzid, day,
						  env->window_start, &open);
				return open;
			}
		}
		/* The next day's opening: a weekend or holiday, or after
		 * closing time. */
		date_local_to_utc(env->tzid, day + 1, env->window_start, &t);
	}
	return t;
}

/* ---- the outbox ---- */

static const char *const channel_names[] = {"email", "webhook", "log"};

void remind_key(const char *const parts[4], char out[REMIND_KEY_SIZE])
{
	unsigned char hash[16];
	crypto_generichash_state st;
	crypto_generichash_init(&st, NULL, 0, sizeof(hash));
	for (size_t i = 0; i < 4; i++)
		crypto_generichash_update(&st, (const unsigned char *)parts[i],
					  strlen(parts[i]) + 1);
	crypto_generichash_final(&st, hash, sizeof(hash));
	sodium_bin2hex(out, REMIND_KEY_SIZE, hash, sizeof(hash));
}

struct planner {
	sqlite3 *db;
	const struct remind_env *env;
	const struct people *people;
	qa_day today;
	time_t now, next;
	sqlite3_stmt *insert;
	long long inserted;
};

static void consider_next(struct planner *pl, time_t t)
{
	if (t > pl->now && (pl->next == 0 || t < pl->next))
		pl->next = t;
}

/* One row per channel for recipient. */
static int add_rows(struct planner *pl, const char *uid, const char *stage,
		    const struct person *to, time_t at, bool stale)
{
	for (int ch = 0; ch < 3; ch++) {
		if ((ch == DELIVER_EMAIL && !pl->env->email) ||
		    (ch == DELIVER_WEBHOOK && !pl->env->webhook))
			continue;
		char key[REMIND_KEY_SIZE];
		remind_key((const char *const[]){uid, stage, channel_names[ch],
						 to->id},
			   key);
		sqlite3_stmt *s = pl->insert;
		sqlite3_bind_text(s, 1, uid, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, stage, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, channel_names[ch], -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, to->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, at);
		sqlite3_bind_text(s, 6, key, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 7, stale ? "skipped" : "pending", -1,
				  SQLITE_STATIC);
		int step = sqlite3_step(s);
		sqlite3_reset(s);
		if (step != SQLITE_DONE) {
			log_err("remind: outbox: %s", sqlite3_errmsg(pl->db));
			return -1;
		}
		pl->inserted += sqlite3_changes(pl->db);
	}
	return 0;
}

time_t remind_reference(const struct remind_env *env,
			const struct remind_occ *o)
{
	return strcmp(o->kind, "event") == 0 ? o->dtstart_utc
					     : remind_day_instant(env, o->date);
}

/* The catalog's entry of activity, or NULL. */
const struct feed_activity *remind_activity(const struct remind_env *env,
					    const char *activity)
{
	for (size_t i = 0; i < env->catalog->n; i++)
		if (strcmp(env->catalog->items[i].id, activity) == 0)
			return &env->catalog->items[i];
	return NULL;
}

/* The stage of escalation step k (0, 1): "overdue", as 0.1.0 named its one
 * escalation (so an upgrade sends none twice), then "overdue-2". */
static const char *const escalation_stages[] = {"overdue", "overdue-2"};

int remind_each_participant(const struct people *people,
			    const struct feed_activity *a,
			    const struct remind_occ *o, qa_day today,
			    int (*cb)(const struct person *p, void *arg),
			    void *arg)
{
	if (*o->subject) {
		const char *ids[] = {o->subject, o->with_staff_id, o->also};
		for (size_t k = 0; k < 3; k++) {
			const struct person *p = people_find(people, ids[k]);
			if (people_in_post(p, today) && cb(p, arg))
				return -1;
		}
		return 0;
	}
	for (size_t i = 0; i < people->n; i++) {
		const struct person *p = &people->items[i];
		/* Everyone it concerns, and its owner (issue 6), who may hold
		 * none of its roles. */
		bool owner = o->with_staff_id &&
			     strcmp(o->with_staff_id, p->id) == 0;
		if (people_in_post(p, today) &&
		    (owner || (a->everyone ? p->manager_id != NULL
					   : (a->roles & p->roles) != 0)) &&
		    cb(p, arg))
			return -1;
	}
	return 0;
}

struct lead_rows {
	struct planner *pl;
	const char *uid, *stage;
	time_t due;
	bool stale;
};

static int add_lead_rows(const struct person *p, void *arg)
{
	struct lead_rows *r = arg;
	return add_rows(r->pl, r->uid, r->stage, p, r->due, r->stale);
}

/* Does this item go at once even in digest mode (issue 10)? An audit's
 * action graded inadequate with a safeguarding concern. */
static bool urgent(sqlite3 *db, const char *activity, const char *key)
{
	return strcmp(activity, SCHED_AUDIT_ACTION) == 0 &&
	       workflow_action_urgent(db, key);
}

/* The reminders of one occurrence: every lead time, every person taking
 * part. In digest mode only an urgent item's: the rest go in the digests. */
static int plan_occurrence(struct planner *pl, const struct remind_occ *o)
{
	const struct feed_activity *a = remind_activity(pl->env, o->activity);
	if (!a)
		return 0; /* its plugin is gone: nobody to remind for it */
	if (pl->env->digest && !urgent(pl->db, o->activity, o->key))
		return 0;
	time_t ref = remind_reference(pl->env, o);
	for (size_t l = 0; l < a->n_leads; l++) {
		time_t at = remind_lead_instant(pl->env, ref, a->leads[l]);
		if (at > pl->now) {
			consider_next(pl, remind_in_window(pl->env, at));
			continue;
		}
		char stage[32];
		snprintf(stage, sizeof(stage), "lead:%ld", a->leads[l]);
		/* Its time has come (or passed while we were down): due
		 * while the occurrence is still ahead, else stale. */
		struct lead_rows rows = {pl, o->uid, stage,
					 remind_in_window(pl->env, at),
					 ref <= pl->now};
		if (remind_each_participant(pl->people, a, o, pl->today,
					    add_lead_rows, &rows))
			return -1;
	}
	return 0;
}

/* Escalation that climbs (issue 10): when a person's series is overdue, on
 * the Nth working day after its due date for each step configured
 * ([activity.<id>] escalate, by default "1, 10"; supervision "2, 10"; an
 * audit's action action_escalate "1, 5", an urgent one
 * urgent_action_escalate "1, 2"), to the line manager at the first step
 * and to theirs at the second; each once, and none once it is recorded
 * (the series has moved on). */
static int plan_escalations(struct planner *pl)
{
	static const char sql[] =
		"SELECT o.uid, se.subject, o.start_date, o.activity, o.occ_key"
		" FROM series se JOIN occurrences o ON o.activity = se.activity"
		" AND o.subject = CASE se.shared WHEN 1 THEN '' ELSE"
		" se.subject END AND o.start_date = se.next_due"
		" WHERE se.next_due < ?1 AND o.done_on IS NULL"
		" AND o.status <> 'cancelled'";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(pl->db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, pl->today + 1);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *uid = (const char *)sqlite3_column_text(stmt, 0);
		const char *subject =
			(const char *)sqlite3_column_text(stmt, 1);
		qa_day due = db_column_day(stmt, 2);
		const char *activity =
			(const char *)sqlite3_column_text(stmt, 3);
		const char *key = (const char *)sqlite3_column_text(stmt, 4);
		const struct person *who = people_find(pl->people, subject);
		const struct feed_activity *a =
			remind_activity(pl->env, activity);
		if (!people_in_post(who, pl->today) || due == QA_DAY_NONE || !a)
			continue;
		bool now = urgent(pl->db, activity, key);
		/* In digest mode an escalation goes in the recipient's next
		 * digest (digest.c) unless it is urgent. */
		if (pl->env->digest && !now)
			continue;
		const int *steps = now ? a->urgent_escalate : a->escalate;
		size_t n_steps = now ? a->n_urgent_escalate : a->n_escalate;
		/* Each step a level up the line from the subject. */
		const struct person *to = who;
		for (size_t k = 0; k < n_steps && to; k++) {
			to = remind_manager_of(pl->people, to->id, pl->today);
			qa_day day = holidays_add_working_days(
				pl->env->holidays, due, steps[k]);
			time_t at = remind_day_instant(pl->env, day);
			if (at > pl->now) {
				consider_next(pl,
					      remind_in_window(pl->env, at));
				break;
			}
			if (to &&
			    add_rows(pl, uid, escalation_stages[k], to,
				     remind_in_window(pl->env, at), false))
				goto out;
		}
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("remind: escalations: %s", sqlite3_errmsg(pl->db));
	sqlite3_finalize(stmt);
	return rc;
}

/* The earliest pending delivery not yet allowed (held by the window or
 * waiting to retry), and, outside the send window, the window's opening
 * when a delivery is ready: a retry waits for the window too. */
static int plan_held(struct planner *pl)
{
	static const char sql[] =
		"SELECT min(CASE WHEN t > ?1 THEN t END), max(t <= ?1) FROM"
		" (SELECT max(due_at, coalesce(next_attempt_at, 0)) AS t"
		"  FROM reminders_outbox WHERE state = 'pending'"
		"  UNION ALL SELECT max(due_at, coalesce(next_attempt_at, 0))"
		"  FROM digests_outbox WHERE state = 'pending')";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(pl->db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, pl->now);
		if (sqlite3_step(stmt) == SQLITE_ROW) {
			/* The type first: a conversion leaves it undefined. */
			if (sqlite3_column_type(stmt, 0) != SQLITE_NULL) {
				time_t held = sqlite3_column_int64(stmt, 0);
				consider_next(pl,
					      remind_in_window(pl->env, held));
			}
			if (sqlite3_column_int(stmt, 1))
				consider_next(
					pl, remind_in_window(pl->env, pl->now));
			rc = 0;
		}
	}
	if (rc)
		log_err("remind: outbox: %s", sqlite3_errmsg(pl->db));
	sqlite3_finalize(stmt);
	return rc;
}

int remind_plan(sqlite3 *db, const struct remind_env *env, time_t now,
		time_t *next)
{
	static const char occ_sql[] =
		"SELECT uid, activity, subject, kind, start_date,"
		" coalesce(dtstart_utc, 0), with_staff_id, occ_key,"
		" (SELECT min(a.staff_id) FROM occurrence_attendees a"
		"  WHERE a.uid = occurrences.uid)"
		" FROM occurrences WHERE status <> 'cancelled'"
		" AND done_on IS NULL AND start_date BETWEEN ?1 AND ?2";
	static const char insert_sql[] =
		"INSERT INTO reminders_outbox (occurrence_uid, stage, channel,"
		" recipient, due_at, idempotency_key, state)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING";
	struct people people = {0};
	struct planner pl = {
		.db = db, .env = env, .people = &people, .now = now};
	sqlite3_stmt *occs = NULL;
	int rc = -1;
	*next = 0;
	pl.today = date_today(env->tzid, now);
	long max_lead = 0;
	for (size_t i = 0; i < env->catalog->n; i++)
		for (size_t l = 0; l < env->catalog->items[i].n_leads; l++)
			if (env->catalog->items[i].leads[l] > max_lead)
				max_lead = env->catalog->items[i].leads[l];
	if (db_begin(db))
		return -1;
	if (people_load(db, NULL, 0, &people) ||
	    sqlite3_prepare_v2(db, insert_sql, -1, &pl.insert, NULL) ||
	    sqlite3_prepare_v2(db, occ_sql, -1, &occs, NULL)) {
		log_err("remind: %s", sqlite3_errmsg(db));
		goto out;
	}
	db_bind_day(occs, 1, pl.today - 1);
	db_bind_day(occs, 2, pl.today + (qa_day)(max_lead / 86400) + 2);
	int step;
	while ((step = sqlite3_step(occs)) == SQLITE_ROW) {
		struct remind_occ o = {
			.uid = (const char *)sqlite3_column_text(occs, 0),
			.activity = (const char *)sqlite3_column_text(occs, 1),
			.subject = (const char *)sqlite3_column_text(occs, 2),
			.kind = (const char *)sqlite3_column_text(occs, 3),
			.date = db_column_day(occs, 4),
			.dtstart_utc = (time_t)sqlite3_column_int64(occs, 5),
			.with_staff_id =
				(const char *)sqlite3_column_text(occs, 6),
			.key = (const char *)sqlite3_column_text(occs, 7),
			.also = (const char *)sqlite3_column_text(occs, 8),
		};
		if (plan_occurrence(&pl, &o))
			goto out;
	}
	if (step != SQLITE_DONE) {
		log_err("remind: %s", sqlite3_errmsg(db));
		goto out;
	}
	if (plan_escalations(&pl) || plan_held(&pl))
		goto out;
	rc = 0;
out:
	sqlite3_finalize(occs);
	sqlite3_finalize(pl.insert);
	people_done(&people);
	if (rc == 0 && db_commit(db) == 0) {
		*next = pl.next;
		if (pl.inserted)
			log_debug("remind: %lld outbox row(s) written",
				  pl.inserted);
		return 0;
	}
	db_rollback(db);
	return -1;
}

/* ---- taking jobs ---- */

void remind_jobs_free(struct remind_job *jobs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < 8; k++)
			free(jobs[i].buffers[k]);
	free(jobs);
}

static int cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;
	return (x > y) - (x < y);
}

bool remind_in_flight(long long id, const long long *in_flight, size_t n)
{
	return n && bsearch(&id, in_flight, n, sizeof(*in_flight), cmp_id);
}

int remind_skip(sqlite3 *db, long long id)
{
	static const char *const sql[] = {
		"UPDATE reminders_outbox SET state = 'skipped' WHERE id = ?1",
		"UPDATE digests_outbox SET state = 'skipped' WHERE id = ?1",
	};
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql[id < 0], -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id < 0 ? -id : id);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	}
	sqlite3_finalize(stmt);
	return rc;
}

void remind_job_ready(struct remind_job *job, long long id, const char *channel)
{
	job->id = id;
	job->msg = (struct deliver_message){
		.outbox_id = id,
		.channel = strcmp(channel, "email") == 0     ? DELIVER_EMAIL
			   : strcmp(channel, "webhook") == 0 ? DELIVER_WEBHOOK
							     : DELIVER_LOG,
		.subject = job->buffers[0],
		.text = job->buffers[1],
		.json = job->buffers[2],
		.idempotency_key = job->buffers[3],
		.to_email = job->buffers[4],
		.to_name = job->buffers[5],
		.ics = job->buffers[6],
	};
}

void remind_what(const char *activity, const char *summary, const char *subject,
		 const char *subject_name, const char *with_name,
		 const char *to, char out[REMIND_WHAT_SIZE])
{
	if (strcmp(activity, "supervision") == 0)
		snprintf(out, REMIND_WHAT_SIZE, "Supervision: %s with %s",
			 subject_name ? subject_name : subject,
			 with_name ? with_name : "their line manager");
	else if (*subject && strcmp(subject, to) != 0)
		snprintf(out, REMIND_WHAT_SIZE, "%s (%s)", summary,
			 subject_name ? subject_name : subject);
	else
		snprintf(out, REMIND_WHAT_SIZE, "%s", summary);
}

/* "Tuesday 1 December 2026, 10:00" in the organisation's zone, or the date
 * alone for all-day items. */
void remind_when_text(const struct remind_env *env, const char *kind,
		      qa_day date, time_t start, char *buf, size_t size)
{
	static const char *const days[] = {"Monday",   "Tuesday", "Wednesday",
					   "Thursday", "Friday",  "Saturday",
					   "Sunday"};
	qa_day day = date;
	int minute = -1;
	long offset;
	if (strcmp(kind, "event") == 0)
		date_local_time(start, env->tzid, &day, &minute, &offset);
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	int used = snprintf(buf, size, "%s %d %s %d",
			    days[qa_day_weekday(day) - 1], d,
			    date_month_name(m), y);
	if (minute >= 0 && used > 0 && (size_t)used < size)
		snprintf(buf + used, size - (size_t)used, ", %02d:%02d",
			 minute / 60, minute % 60);
}

static char *json_body(const char *type, const char *key, const char *uid,
		       const char *activity, const char *summary,
		       const char *when, const char *date, const char *stage,
		       const struct person *to, const char *subject_id,
		       const char *subject_name, const char *text)
{
	json_t *obj = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
				" s:{s:s, s:s, s:s}, s:{s:s?, s:s?}, s:s}",
				"type", type, "idempotency_key", key, "uid",
				uid, "activity", activity, "summary", summary,
				"when", when, "date", date, "stage", stage,
				"recipient", "id", to->id, "name", to->name,
				"email", to->email, "subject", "id", subject_id,
				"name", subject_name, "text", text);
	if (!obj)
		return NULL;
	char *out = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(obj);
	return out;
}

int remind_take(sqlite3 *db, const struct remind_env *env, time_t now,
		const long long *in_flight, size_t n_in_flight, size_t max,
		struct remind_job **jobs, size_t *n)
{
	static const char sql[] =
		"SELECT r.id, r.occurrence_uid, r.stage, r.channel,"
		" r.recipient, r.idempotency_key, o.activity, o.subject,"
		" o.kind, o.status, o.start_date, coalesce(o.dtstart_utc, 0),"
		" o.done_on, o.summary, ss.name, ws.name"
		" FROM reminders_outbox r"
		" JOIN occurrences o ON o.uid = r.occurrence_uid"
		" LEFT JOIN staff ss ON ss.id = o.subject"
		" LEFT JOIN staff ws ON ws.id = o.with_staff_id"
		" WHERE r.state = 'pending' AND r.due_at <= ?1"
		" AND coalesce(r.next_attempt_at, 0) <= ?1"
		" ORDER BY r.due_at, r.id";
	struct people people = {0};
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	*jobs = NULL;
	*n = 0;
	/* Outside the send window nothing goes, a retry included (planned
	 * rows are due inside it already); remind_plan wakes us at the
	 * opening. */
	if (max == 0 || remind_in_window(env, now) != now)
		return 0;
	*jobs = calloc(max, sizeof(**jobs));
	if (!*jobs || people_load(db, NULL, 0, &people))
		goto out;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_int64(stmt, 1, now);
	int step;
	while (*n < max && (step = sqlite3_step(stmt)) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(stmt, 0);
		if (remind_in_flight(id, in_flight, n_in_flight))
			continue;
		const char *uid = (const char *)sqlite3_column_text(stmt, 1);
		const char *stage = (const char *)sqlite3_column_text(stmt, 2);
		const char *channel =
			(const char *)sqlite3_column_text(stmt, 3);
		const char *recipient =
			(const char *)sqlite3_column_text(stmt, 4);
		const char *key = (const char *)sqlite3_column_text(stmt, 5);
		const char *activity =
			(const char *)sqlite3_column_text(stmt, 6);
		const char *subject =
			(const char *)sqlite3_column_text(stmt, 7);
		const char *kind = (const char *)sqlite3_column_text(stmt, 8);
		const char *status = (const char *)sqlite3_column_text(stmt, 9);
		qa_day date = db_column_day(stmt, 10);
		time_t start = (time_t)sqlite3_column_int64(stmt, 11);
		bool done = sqlite3_column_type(stmt, 12) != SQLITE_NULL;
		const char *summary =
			(const char *)sqlite3_column_text(stmt, 13);
		const char *subject_name =
			(const char *)sqlite3_column_text(stmt, 14);
		const char *with_name =
			(const char *)sqlite3_column_text(stmt, 15);
		bool escalation = strncmp(stage, "overdue", 7) == 0;
		bool higher = strcmp(stage, escalation_stages[1]) == 0;
		const struct person *to = people_find(&people, recipient);
		qa_day today = date_today(env->tzid, now);
		time_t ref = strcmp(kind, "event") == 0
				     ? start
				     : remind_day_instant(env, date);
		/* The reason for it may have gone while it waited: done,
		 * cancelled, past, or the recipient left. Never send those. */
		if (done || strcmp(status, "cancelled") == 0 ||
		    (!escalation && ref <= now) || !people_in_post(to, today)) {
			if (remind_skip(db, id))
				goto out;
			continue;
		}
		char when[64], date_text[DATE_TEXT_SIZE],
			what[REMIND_WHAT_SIZE];
		remind_when_text(env, kind, date, start, when, sizeof(when));
		date_format(date, date_text);
		remind_what(activity, summary, subject, subject_name, with_name,
			    to->id, what);

		struct remind_job *job = &(*jobs)[*n];
		char *title = NULL, *text = NULL;
		if (escalation) {
			if (asprintf(&title, "Overdue: %s, due %s", what,
				     when) < 0)
				title = NULL;
			if (asprintf(&text,
				     "Dear %s,\n\n%s was due on %s and nothing "
				     "has been recorded since. %s:\n\n"
				     "  qa-scheduler record %s --staff %s "
				     "--date YYYY-MM-DD\n\nYour team's due "
				     "list: qa-scheduler due --manager %s\n\n"
				     "-- \nqa-scheduler, %s\n",
				     to->name, what, when,
				     higher ? "Their line manager was told "
					      "when it fell overdue; it comes "
					      "to you as the next manager up. "
					      "Please see that it happens and "
					      "is recorded"
					    : "As the line manager, please "
					      "see that it happens and record "
					      "it",
				     activity, subject, to->id,
				     env->base_url) < 0)
				text = NULL;
		} else {
			if (asprintf(&title, "Reminder: %s, %s", what, when) <
			    0)
				title = NULL;
			if (asprintf(&text,
				     "Dear %s,\n\nA reminder from the QA "
				     "schedule:\n\n  %s\n  %s%s\n\nIt is in "
				     "your "
				     "calendar feed (qa-scheduler feed-url "
				     "--staff %s gives the address).\n\n-- "
				     "\nqa-scheduler, %s\n",
				     to->name, what,
				     strcmp(kind, "due") == 0
					     ? "Due by the end "
					       "of "
					     : "When: ",
				     when, to->id, env->base_url) < 0)
				text = NULL;
		}
		char *json =
			json_body(escalation ? "escalation" : "reminder", key,
				  uid, activity, what, when, date_text, stage,
				  to, subject, subject_name, text ? text : "");
		job->buffers[0] = title;
		job->buffers[1] = text;
		job->buffers[2] = json;
		job->buffers[3] = strdup(key);
		job->buffers[4] = strdup(to->email);
		job->buffers[5] = strdup(to->name);
		for (int k = 0; k < 6; k++)
			if (!job->buffers[k]) {
				(*n)++;
				goto out;
			}
		/* A session's reminder carries the session, as the feed has
		 * it, for whoever does not subscribe (issue 10). */
		struct feed_doc ics = {0};
		if (!escalation && strcmp(kind, "event") == 0 &&
		    strcmp(channel, "email") == 0 &&
		    feed_render_event(db, env->catalog, to->id, uid, today,
				      &ics) > 0)
			job->buffers[6] = ics.body;
		remind_job_ready(job, id, channel);
		(*n)++;
	}
	rc = 0;
out:
	if (rc) {
		log_err("remind: cannot read the outbox: %s",
			sqlite3_errmsg(db));
		remind_jobs_free(*jobs, *n);
		*jobs = NULL;
		*n = 0;
	}
	sqlite3_finalize(stmt);
	people_done(&people);
	return rc;
}

#define OUTCOME_SQL                                                   \
	" state = CASE WHEN ?2 THEN 'sent'"                           \
	"  WHEN attempts + 1 >= ?5 THEN 'failed' ELSE 'pending' END," \
	" sent_at = CASE WHEN ?2 THEN ?3 ELSE sent_at END,"           \
	" last_error = CASE WHEN ?2 THEN NULL ELSE ?4 END,"           \
	" next_attempt_at = CASE WHEN ?2 THEN NULL"                   \
	"  ELSE ?3 + min(60 << attempts, 3600) END"                   \
	" WHERE id = ?1 AND state = 'pending'"

int remind_record(sqlite3 *db, long long id, bool ok, const char *error,
		  time_t now)
{
	/* A digest's outbox id is negated (digest.h). */
	static const char *const sql[] = {
		"UPDATE reminders_outbox SET attempts = attempts + "
		"1," OUTCOME_SQL,
		"UPDATE digests_outbox SET attempts = attempts + "
		"1," OUTCOME_SQL,
	};
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql[id < 0], -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id < 0 ? -id : id);
		sqlite3_bind_int(stmt, 2, ok ? 1 : 0);
		sqlite3_bind_int64(stmt, 3, now);
		if (error)
			sqlite3_bind_text(stmt, 4, error, -1, SQLITE_STATIC);
		sqlite3_bind_int(stmt, 5, REMIND_MAX_ATTEMPTS);
		rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
	}
	if (rc)
		log_err("remind: cannot record delivery %lld: %s", id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

int remind_counts(sqlite3 *db, bool digests, struct remind_counts *out)
{
	static const char *const sql[] = {
		"SELECT state, count(*) FROM reminders_outbox GROUP BY state",
		"SELECT state, count(*) FROM digests_outbox GROUP BY state",
	};
	sqlite3_stmt *stmt = NULL;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql[digests], -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(stmt) == SQLITE_ROW) {
		const char *state = (const char *)sqlite3_column_text(stmt, 0);
		long long count = sqlite3_column_int64(stmt, 1);
		if (strcmp(state, "pending") == 0)
			out->pending = count;
		else if (strcmp(state, "sent") == 0)
			out->sent = count;
		else if (strcmp(state, "failed") == 0)
			out->failed = count;
		else
			out->skipped = count;
	}
	sqlite3_finalize(stmt);
	return 0;
}

int remind_count_by_channel(sqlite3 *db, bool digests,
			    void (*cb)(const char *channel, const char *state,
				       long long n, void *arg),
			    void *arg)
{
	static const char *const sql[] = {
		"SELECT channel, state, count(*) FROM reminders_outbox"
		" GROUP BY channel, state ORDER BY channel, state",
		"SELECT channel, state, count(*) FROM digests_outbox"
		" GROUP BY channel, state ORDER BY channel, state",
	};
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, sql[digests], -1, &stmt, NULL) != SQLITE_OK)
		return -1;
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(stmt, 0),
		   (const char *)sqlite3_column_text(stmt, 1),
		   sqlite3_column_int64(stmt, 2), arg);
	sqlite3_finalize(stmt);
	return step == SQLITE_DONE ? 0 : -1;
}
