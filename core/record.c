#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "log.h"
#include "schedule.h"
#include "staff.h"

static const char *const ofsted[] = {"inadequate", "requires_improvement",
				     "good", "outstanding"};

const char *record_grade(const char *text)
{
	if (!text || !*text)
		return NULL;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(text, ofsted[i]) == 0)
			return ofsted[i];
	char *end;
	long score = strtol(text, &end, 10);
	if (*end || end == text || score < 0 || score > 10 || strlen(text) > 2)
		return NULL;
	return score <= 2   ? ofsted[0]
	       : score <= 5 ? ofsted[1]
	       : score <= 8 ? ofsted[2]
			    : ofsted[3];
}

static bool concerns(const struct qa_plugin *d, const struct staff *s)
{
	if (strcmp(d->roles, "*") == 0)
		return s->manager_id != NULL;
	unsigned mask = 0;
	char why[256];
	if (roles_parse(d->roles, &mask, why, sizeof(why)))
		return false;
	/* Only the person's roles imply others (see schedule.c). */
	return (mask & roles_effective(s->roles)) != 0;
}

static int read_days(sqlite3 *db, const char *sql, const char *staff_id,
		     qa_day **days, size_t *n)
{
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, staff_id, -1, SQLITE_STATIC);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			qa_day *grown =
				realloc(*days, (cap + 1) * sizeof(*grown));
			if (!grown)
				goto out;
			*days = grown;
		}
		if (date_parse((const char *)sqlite3_column_text(stmt, 0),
			       &(*days)[*n]) == 0)
			(*n)++;
	}
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("record: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static int cmp_days(const void *a, const void *b)
{
	qa_day x = *(const qa_day *)a, y = *(const qa_day *)b;
	return (x > y) - (x < y);
}

/* May staff_id close an audit action on date? Every close must belong to an
 * audit of their case on or before it, so with this one added, no date may
 * have seen more closes than audits. A close entered late for an earlier
 * date is fine when it fits. 1 yes, 0 no, -1 error. */
static int close_allowed(sqlite3 *db, const char *staff_id, qa_day date)
{
	static const char audits_sql[] =
		"SELECT done_on FROM completions WHERE activity = "
		"'collaborative_audit' AND practitioner_id = ?1";
	static const char closes_sql[] =
		"SELECT done_on FROM completions WHERE activity = "
		"'audit_action' AND staff_id = ?1";
	qa_day *audits = NULL, *closes = NULL;
	size_t n_audits = 0, n_closes = 0;
	int rc = -1;
	if (read_days(db, audits_sql, staff_id, &audits, &n_audits) ||
	    read_days(db, closes_sql, staff_id, &closes, &n_closes))
		goto out;
	qa_day *grown = realloc(closes, (n_closes + 1) * sizeof(*grown));
	if (!grown)
		goto out;
	closes = grown;
	closes[n_closes++] = date;
	if (n_audits)
		qsort(audits, n_audits, sizeof(*audits), cmp_days);
	qsort(closes, n_closes, sizeof(*closes), cmp_days);
	rc = 1;
	size_t a = 0;
	for (size_t c = 0; c < n_closes; c++) {
		while (a < n_audits && audits[a] <= closes[c])
			a++;
		if (c + 1 > a) {
			rc = 0;
			break;
		}
	}
out:
	free(audits);
	free(closes);
	return rc;
}

static int already_recorded(sqlite3 *db, const struct record_input *in)
{
	static const char sql[] =
		"SELECT count(*) FROM completions WHERE activity = ?1"
		" AND staff_id = ?2 AND done_on = ?3"
		" AND coalesce(practitioner_id, '') = coalesce(?4, '')";
	sqlite3_stmt *stmt = NULL;
	char text[DATE_TEXT_SIZE];
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, in->activity, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, in->staff_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, date_format(in->date, text), -1,
				  SQLITE_TRANSIENT);
		if (in->practitioner_id)
			sqlite3_bind_text(stmt, 4, in->practitioner_id, -1,
					  SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			rc = sqlite3_column_int(stmt, 0) > 0;
	}
	if (rc < 0)
		log_err("record: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static int insert(sqlite3 *db, const struct record_input *in, const char *grade)
{
	static const char sql[] =
		"INSERT INTO completions (activity, staff_id, done_on,"
		" practitioner_id, grade, safeguarding, note, recorded_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
	sqlite3_stmt *stmt = NULL;
	char text[DATE_TEXT_SIZE];
	int rc = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, in->activity, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, in->staff_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, date_format(in->date, text), -1,
			  SQLITE_TRANSIENT);
	if (in->practitioner_id)
		sqlite3_bind_text(stmt, 4, in->practitioner_id, -1,
				  SQLITE_STATIC);
	if (grade)
		sqlite3_bind_text(stmt, 5, grade, -1, SQLITE_STATIC);
	sqlite3_bind_int(stmt, 6, in->safeguarding ? 1 : 0);
	if (in->note && *in->note)
		sqlite3_bind_text(stmt, 7, in->note, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, (sqlite3_int64)time(NULL));
	rc = sqlite3_step(stmt) == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("record: cannot store the completion: %s",
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

int record_completion(sqlite3 *db, const struct plugin_set *plugins,
		      const struct record_input *in, qa_day today,
		      struct errlist *errs)
{
	struct staff who = {0}, practitioner = {0};
	char d1[DATE_TEXT_SIZE], d2[DATE_TEXT_SIZE];
	const char *grade = NULL;
	size_t errors_before = errs->n;
	int rc = -1;
	bool audit = strcmp(in->activity, "collaborative_audit") == 0;
	bool action = strcmp(in->activity, SCHED_AUDIT_ACTION) == 0;
	const struct plugin *p = plugins_find(plugins, in->activity);
	if (!p && !action) {
		errlist_add(errs,
			    "record: unknown activity \"%s\"; "
			    "`qa-scheduler plugins` lists them (and "
			    "audit_action closes an audit's actions)",
			    in->activity);
		goto out;
	}
	int found = staff_get(db, in->staff_id, &who);
	if (found < 0)
		goto out;
	if (found == 0) {
		errlist_add(errs,
			    "record: --staff \"%s\": no such person; "
			    "`qa-scheduler staff list` lists them",
			    in->staff_id);
		goto out;
	}
	if (in->date > today)
		errlist_add(errs,
			    "record: --date %s is in the future "
			    "(today is %s); record what has happened",
			    date_format(in->date, d1), date_format(today, d2));
	if (who.left_on != QA_DAY_NONE && in->date > who.left_on)
		errlist_add(errs, "record: --date %s is after %s left on %s",
			    date_format(in->date, d1), who.id,
			    date_format(who.left_on, d2));
	if (p && !concerns(p->desc, &who)) {
		if (strcmp(p->desc->roles, "*") == 0)
			errlist_add(errs,
				    "record: %s has no line manager; "
				    "supervision is held with the line "
				    "manager (staff add --manager)",
				    who.id);
		else
			errlist_add(errs,
				    "record: %s does not concern %s: it "
				    "is for %s",
				    in->activity, who.id, p->desc->roles);
	}
	if (audit) {
		if (!in->practitioner_id)
			errlist_add(errs,
				    "record: collaborative_audit needs "
				    "--practitioner, the social worker whose "
				    "case was audited");
		if (!in->grade)
			errlist_add(errs,
				    "record: collaborative_audit needs "
				    "--grade: outstanding, good, "
				    "requires_improvement, inadequate, or "
				    "0-10");
		else if (!(grade = record_grade(in->grade)))
			errlist_add(errs,
				    "record: --grade \"%s\": use "
				    "outstanding, good, requires_improvement, "
				    "inadequate, or the legacy 0-10 scale",
				    in->grade);
		if (in->practitioner_id) {
			found = staff_get(db, in->practitioner_id,
					  &practitioner);
			if (found < 0)
				goto out;
			if (found == 0)
				errlist_add(errs,
					    "record: --practitioner "
					    "\"%s\": no such person",
					    in->practitioner_id);
			else if (strcmp(practitioner.id, who.id) == 0)
				errlist_add(errs,
					    "record: --practitioner is "
					    "the auditor; a collaborative "
					    "audit is of someone else's case");
			else if (practitioner.left_on != QA_DAY_NONE &&
				 in->date > practitioner.left_on)
				errlist_add(
					errs,
					"record: --practitioner %s "
					"left on %s, before --date %s",
					practitioner.id,
					date_format(practitioner.left_on, d1),
					date_format(in->date, d2));
		}
	} else if (in->practitioner_id || in->grade || in->safeguarding) {
		errlist_add(errs,
			    "record: --practitioner, --grade and "
			    "--safeguarding belong to collaborative_audit "
			    "only");
	}
	if (errs->n > errors_before)
		goto out;
	if (action) {
		int open = close_allowed(db, who.id, in->date);
		if (open < 0)
			goto out;
		if (!open) {
			errlist_add(errs,
				    "record: %s has no open audit "
				    "action on %s to close",
				    who.id, date_format(in->date, d1));
			goto out;
		}
	}
	int dup = already_recorded(db, in);
	if (dup < 0)
		goto out;
	if (dup) {
		errlist_add(errs,
			    "record: %s for %s on %s is already "
			    "recorded",
			    in->activity, who.id, date_format(in->date, d1));
		goto out;
	}
	rc = insert(db, in, grade);
out:
	staff_free(&who);
	staff_free(&practitioner);
	return rc;
}
