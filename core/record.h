/* record: completions, what actually happened (SPEC section 3). */
#ifndef QA_RECORD_H
#define QA_RECORD_H

#include <sqlite3.h>
#include <stdbool.h>

#include "errlist.h"
#include "plugin_host.h"

struct record_input {
	const char *activity; /* a loaded plugin's id, or "audit_action" */
	const char *staff_id;
	qa_day date;
	const char *practitioner_id; /* collaborative_audit only */
	const char *grade;           /* collaborative_audit only */
	bool safeguarding;           /* collaborative_audit only */
	const char *note;
};

/* Ofsted's grade for text: one of the four words, or the legacy 0-10 scale
 * (0-2 inadequate, 3-5 requires_improvement, 6-8 good, 9-10 outstanding).
 * Returns the word, or NULL when text is neither. */
const char *record_grade(const char *text);

/* Validate in against the staff and the activity and store it (inside the
 * caller's transaction). Refused, with a message naming the field: an
 * unknown activity or person; a date in the future, or after the person
 * left; supervision for someone with no line manager; an activity that does
 * not concern the person's roles; a collaborative audit without a
 * practitioner or grade (or with an unknown one); practitioner, grade or
 * safeguarding on another activity; closing an audit action when none is
 * open; the same completion twice. Returns 0 or -1 (nothing stored). */
int record_completion(sqlite3 *db, const struct plugin_set *plugins,
		      const struct record_input *in, qa_day today,
		      struct errlist *errs);

#endif
