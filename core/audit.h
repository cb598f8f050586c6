/* audit: a collaborative audit as stored (framework lines 148-198), and
 * Ofsted's grades it is given. The audit workflow's checks (record.c) and
 * the line that says what was recorded (record_describe.c) read it; reports
 * will. */
#ifndef QA_AUDIT_H
#define QA_AUDIT_H

#include <sqlite3.h>
#include <stdbool.h>

#include "qa-scheduler/plugin.h"

/* An audit as stored, with what happened to it since. */
struct audit {
	long long id;
	char auditor[65], practitioner[65], moderator[65];
	qa_day date;
	char grade[24];
	bool safeguarding;
	qa_day closed_on;    /* QA_DAY_NONE: its action is open */
	qa_day moderated_on; /* QA_DAY_NONE: not moderated */
	char moderated_by[65];
};

/* Audit id: 1 found, 0 no such audit, -1 error (logged). */
int audit_get(sqlite3 *db, long long id, struct audit *out);

/* Ofsted's grade for text: one of the four words in any case, with
 * spaces, hyphens or underscores between words ("Requires improvement",
 * "requires-improvement"), or the legacy 0-10 scale (0-2 inadequate, 3-5
 * requires_improvement, 6-8 good, 9-10 outstanding). Returns the stored
 * word ("requires_improvement"), or NULL when text is neither. */
const char *audit_grade(const char *text);

/* A stored grade as a person reads it ("requires improvement"); NULL is
 * "ungraded". */
const char *audit_grade_words(const char *grade);

#endif
