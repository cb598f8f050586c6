#include "audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"

static const char *const ofsted[] = {"inadequate", "requires_improvement",
				     "good", "outstanding"};

const char *audit_grade(const char *text)
{
	char word[32];
	size_t len = 0;
	bool gap = false;
	if (!text)
		return NULL;
	/* "Requires improvement", "requires-improvement", "REQUIRES_
	 * IMPROVEMENT": lower case, one underscore between words. */
	for (const char *c = text; *c; c++) {
		if (*c == ' ' || *c == '-' || *c == '_' || *c == '\t') {
			gap = len > 0;
			continue;
		}
		if (len + 2 >= sizeof(word))
			return NULL;
		if (gap)
			word[len++] = '_';
		gap = false;
		word[len++] =
			(*c >= 'A' && *c <= 'Z') ? (char)(*c - 'A' + 'a') : *c;
	}
	word[len] = '\0';
	if (!len)
		return NULL;
	for (size_t i = 0; i < 4; i++)
		if (strcmp(word, ofsted[i]) == 0)
			return ofsted[i];
	/* The legacy scale: one or two digits as typed, nothing else ("-1"
	 * is not "1" with a hyphen before it). */
	while (*text == ' ' || *text == '\t')
		text++;
	char *end;
	long score = strtol(text, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end || end == text || *text < '0' || *text > '9' || score > 10 ||
	    len > 2)
		return NULL;
	return score <= 2   ? ofsted[0]
	       : score <= 5 ? ofsted[1]
	       : score <= 8 ? ofsted[2]
			    : ofsted[3];
}

const char *audit_grade_words(const char *grade)
{
	if (!grade)
		return "ungraded";
	return strcmp(grade, "requires_improvement") == 0
		       ? "requires improvement"
		       : grade;
}

/* May moderator moderate an audit by auditor of practitioner's case
 * (framework line 148: a practice manager of another team, a group manager
 * or above, or the QA team; never the auditor or the practitioner)? NULL
 * when so, else the reason, to follow "ID cannot moderate: ". */
int audit_get(sqlite3 *db, long long id, struct audit *out)
{
	/* Kept prepared: report actions reads thousands. */
	static const char sql[] = DB_KEPT
		"SELECT a.staff_id, a.practitioner_id, a.done_on, a.grade,"
		" a.safeguarding, a.moderator_id,"
		" (SELECT min(c.done_on) FROM completions c WHERE c.activity ="
		"  'audit_action' AND c.audit_id = a.id),"
		" m.done_on, m.staff_id"
		" FROM completions a LEFT JOIN completions m"
		"  ON m.activity = 'moderation' AND m.audit_id = a.id"
		" WHERE a.id = ?1 AND a.activity = 'collaborative_audit'"
		" AND a.practitioner_id IS NOT NULL";
	sqlite3_stmt *stmt = NULL;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (db_prepare_kept(db, sql, &stmt))
		goto out;
	sqlite3_bind_int64(stmt, 1, id);
	int step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW)
		goto out;
	const char *text;
	out->id = id;
	snprintf(out->auditor, sizeof(out->auditor), "%s",
		 (const char *)sqlite3_column_text(stmt, 0));
	snprintf(out->practitioner, sizeof(out->practitioner), "%s",
		 (const char *)sqlite3_column_text(stmt, 1));
	out->date = db_column_day(stmt, 2);
	text = (const char *)sqlite3_column_text(stmt, 3);
	snprintf(out->grade, sizeof(out->grade), "%s", text ? text : "");
	out->safeguarding = sqlite3_column_int(stmt, 4) != 0;
	text = (const char *)sqlite3_column_text(stmt, 5);
	snprintf(out->moderator, sizeof(out->moderator), "%s",
		 text ? text : "");
	out->closed_on = db_column_day(stmt, 6);
	out->moderated_on = db_column_day(stmt, 7);
	text = (const char *)sqlite3_column_text(stmt, 8);
	snprintf(out->moderated_by, sizeof(out->moderated_by), "%s",
		 text ? text : "");
	rc = 1;
out:
	if (rc < 0)
		log_err("audit: %lld: %s", id, sqlite3_errmsg(db));
	db_release_kept(stmt);
	return rc;
}
