/* record_describe: the one line `record` prints, saying what was recorded
 * and what is now due, read back once the schedule has been regenerated. */
#include "record.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "schedule.h"

/* The date of occurrence (activity, subject, key) as stored, or "" */
static void occurrence_date(sqlite3 *db, const char *activity,
			    const char *subject, const char *key,
			    char out[DATE_TEXT_SIZE])
{
	static const char sql[] =
		"SELECT start_date FROM occurrences WHERE activity = ?1"
		" AND subject = ?2 AND occ_key = ?3";
	sqlite3_stmt *stmt = NULL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, activity, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 3, key, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			snprintf(out, DATE_TEXT_SIZE, "%s",
				 (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
}

/* The next due date of a person's series, or "" when nothing is open. */
static void next_due(sqlite3 *db, const char *activity, const char *subject,
		     char out[DATE_TEXT_SIZE])
{
	/* The person's own series, or the shared one they recorded for. */
	static const char sql[] =
		"SELECT next_due FROM series WHERE activity = ?1"
		" AND (subject = ?2 OR shared) ORDER BY subject = ?2 DESC"
		" LIMIT 1";
	sqlite3_stmt *stmt = NULL;
	out[0] = '\0';
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, activity, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, subject, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_text(stmt, 0))
			snprintf(out, DATE_TEXT_SIZE, "%s",
				 (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
}

static void grade_text(const char *grade, bool safeguarding, char *out,
		       size_t size)
{
	snprintf(out, size, "%s%s", audit_grade_words(grade),
		 safeguarding ? " with a safeguarding concern" : "");
}

static char *describe_audit(sqlite3 *db, const struct audit *a)
{
	char key[32], action_due[DATE_TEXT_SIZE], mod_due[DATE_TEXT_SIZE];
	char day[DATE_TEXT_SIZE], grade[64], moderation[160] = "";
	char *line = NULL;
	snprintf(key, sizeof(key), "audit-%lld", a->id);
	occurrence_date(db, SCHED_AUDIT_ACTION, a->practitioner, key,
			action_due);
	if (*a->moderator) {
		occurrence_date(db, SCHED_MODERATION, a->moderator, key,
				mod_due);
		snprintf(moderation, sizeof(moderation),
			 "; Stage 2 moderation by %s due by %s", a->moderator,
			 *mod_due ? mod_due : "(not scheduled)");
	}
	grade_text(a->grade, a->safeguarding, grade, sizeof(grade));
	if (asprintf(&line,
		     "audit %lld recorded: %s audited %s's case on %s, graded "
		     "%s; action for %s due %s%s",
		     a->id, a->auditor, a->practitioner,
		     date_format(a->date, day), grade, a->practitioner,
		     *action_due ? action_due : "(not scheduled)",
		     moderation) < 0)
		line = NULL;
	return line;
}

static char *describe_moderation(sqlite3 *db, const struct record_input *in,
				 long long id, const struct audit *a)
{
	static const char sql[] =
		"SELECT grade, safeguarding FROM completions WHERE id = ?1";
	sqlite3_stmt *stmt = NULL;
	char before[64], after[64] = "", day[DATE_TEXT_SIZE];
	char closed[DATE_TEXT_SIZE], key[32], due[DATE_TEXT_SIZE];
	char *line = NULL;
	const char *new_grade = NULL;
	bool new_flag = false;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_ROW) {
			new_grade = audit_grade(
				(const char *)sqlite3_column_text(stmt, 0));
			new_flag = sqlite3_column_int(stmt, 1) != 0;
		}
	}
	sqlite3_finalize(stmt);
	grade_text(a->grade, a->safeguarding, before, sizeof(before));
	grade_text(new_grade, new_flag, after, sizeof(after));
	bool regraded = !new_grade || strcmp(new_grade, a->grade) != 0 ||
			new_flag != a->safeguarding;
	snprintf(key, sizeof(key), "audit-%lld", a->id);
	occurrence_date(db, SCHED_AUDIT_ACTION, a->practitioner, key, due);
	int n;
	if (!regraded)
		n = asprintf(&line,
			     "moderation of audit %lld recorded: %s on %s, "
			     "grade kept (%s); action for %s due %s",
			     a->id, in->staff_id, date_format(in->date, day),
			     before, a->practitioner, *due ? due : "?");
	else if (a->closed_on != QA_DAY_NONE && a->closed_on <= in->date)
		n = asprintf(&line,
			     "moderation of audit %lld recorded: %s on %s, "
			     "regraded from %s to %s; the action was already "
			     "closed on %s and stays closed",
			     a->id, in->staff_id, date_format(in->date, day),
			     before, after, date_format(a->closed_on, closed));
	else
		n = asprintf(&line,
			     "moderation of audit %lld recorded: %s on %s, "
			     "regraded from %s to %s; action for %s now due %s",
			     a->id, in->staff_id, date_format(in->date, day),
			     before, after, a->practitioner, *due ? due : "?");
	return n < 0 ? NULL : line;
}

char *record_describe(sqlite3 *db, const struct record_input *in, long long id)
{
	char day[DATE_TEXT_SIZE], next[DATE_TEXT_SIZE], home[160] = "";
	char *line = NULL;
	struct audit a;
	int n = 0;
	if (strcmp(in->activity, "collaborative_audit") == 0) {
		if (audit_get(db, id, &a) <= 0)
			goto fail;
		line = describe_audit(db, &a);
		if (!line)
			goto fail;
		return line;
	}
	if (strcmp(in->activity, SCHED_MODERATION) == 0 ||
	    strcmp(in->activity, SCHED_AUDIT_ACTION) == 0) {
		/* The audit the record named (closing an action may have
		 * found it alone). */
		static const char sql[] =
			"SELECT audit_id, signed_off_by FROM completions"
			" WHERE id = ?1";
		sqlite3_stmt *stmt = NULL;
		long long audit_id = 0;
		char signer[80] = "";
		if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK &&
		    (sqlite3_bind_int64(stmt, 1, id), 1) &&
		    sqlite3_step(stmt) == SQLITE_ROW) {
			audit_id = sqlite3_column_int64(stmt, 0);
			if (sqlite3_column_text(stmt, 1))
				snprintf(signer, sizeof(signer),
					 ", signed off by %s",
					 (const char *)sqlite3_column_text(stmt,
									   1));
		}
		sqlite3_finalize(stmt);
		if (audit_get(db, audit_id, &a) <= 0)
			goto fail;
		if (strcmp(in->activity, SCHED_MODERATION) == 0) {
			line = describe_moderation(db, in, id, &a);
			if (!line)
				goto fail;
			return line;
		}
		next_due(db, SCHED_AUDIT_ACTION, a.practitioner, next);
		char audited[DATE_TEXT_SIZE];
		n = asprintf(&line,
			     "audit action closed: audit %lld of %s by %s, on "
			     "%s%s; %s%s%s",
			     a.id, date_format(a.date, audited), a.auditor,
			     date_format(in->date, day), signer,
			     *next ? "next open action due " : "",
			     *next ? next : "no other action open", "");
		return n < 0 ? NULL : line;
	}
	next_due(db, in->activity, in->staff_id, next);
	static const char home_sql[] =
		"SELECT home FROM completions WHERE id = ?1";
	sqlite3_stmt *stmt = NULL;
	if (sqlite3_prepare_v2(db, home_sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(stmt, 1, id);
		if (sqlite3_step(stmt) == SQLITE_ROW &&
		    sqlite3_column_text(stmt, 0))
			snprintf(home, sizeof(home), " at %s",
				 (const char *)sqlite3_column_text(stmt, 0));
	}
	sqlite3_finalize(stmt);
	n = asprintf(&line, "%s recorded: %s on %s%s; next due %s",
		     in->activity, in->staff_id, date_format(in->date, day),
		     home, *next ? next : "(nothing open)");
	return n < 0 ? NULL : line;
fail:
	log_err("record: cannot describe completion %lld", id);
	return NULL;
}
