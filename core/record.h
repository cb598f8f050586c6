/* record: completions, what actually happened (SPEC section 3), and the
 * audit workflow of framework lines 148-198: an audit creates an action for
 * the practitioner and, with a moderator, a Stage 2 moderation; a
 * moderation may regrade the audit; an action is signed off per audit. */
#ifndef QA_RECORD_H
#define QA_RECORD_H

#include <sqlite3.h>
#include <stdbool.h>

#include "errlist.h"
#include "plugin_host.h"

enum record_flag {
	RECORD_FLAG_UNSET = 0, /* not given */
	RECORD_FLAG_YES,       /* --safeguarding */
	RECORD_FLAG_NO,        /* --no-safeguarding */
};

/* The fields of a completion, in the order of record import's columns
 * (after activity). */
enum record_field {
	RECORD_FIELD_STAFF,
	RECORD_FIELD_DATE,
	RECORD_FIELD_PRACTITIONER,
	RECORD_FIELD_GRADE,
	RECORD_FIELD_SAFEGUARDING,
	RECORD_FIELD_MODERATOR,
	RECORD_FIELD_HOME,
	RECORD_FIELD_AUDIT,
	RECORD_FIELD_SIGNED_OFF_BY,
	RECORD_FIELD_NOTE,
	RECORD_FIELD_COUNT
};

/* "staff", "date", "practitioner", ...: each field's column name. */
extern const char *const record_field_names[RECORD_FIELD_COUNT];

struct record_input {
	/* A loaded plugin's id, SCHED_AUDIT_ACTION or SCHED_MODERATION. */
	const char *activity;
	const char *staff_id;
	qa_day date;
	const char *practitioner_id;   /* collaborative_audit */
	const char *grade;             /* collaborative_audit, moderation */
	enum record_flag safeguarding; /* collaborative_audit, moderation */
	const char *moderator_id;      /* collaborative_audit */
	long long audit_id;            /* audit_action, moderation; 0: none */
	const char *home;              /* an activity with homes: reg44_visit */
	const char *signed_off_by;     /* audit_action */
	const char *note;
	/* How messages name each field, by enum record_field: the command
	 * line's options ("--home", as its table spells them); NULL, or a
	 * NULL entry: the column name ("home"). */
	const char *const *names;
};

/* Validate in against the staff, the activity and what is stored, and
 * store it (inside the caller's transaction); *id is the new completion's
 * id (an audit's is the audit's number). Refused, with a message naming
 * the option: an unknown activity or person; a date in the future, or
 * after the person left; supervision for someone with no line manager; an
 * activity that does not concern the person's roles; a collaborative audit
 * without a practitioner or grade (or with an unknown one), or naming a
 * moderator who may not moderate it; a moderation of an unknown audit, one
 * already moderated, or dated before it; closing an audit action when none
 * is open, or when several are and --audit does not say which (every open
 * one is listed, one line each); --signed-off-by someone who is not the
 * practitioner's line manager or above; an option that does not belong to
 * the activity; the same completion twice. Returns 0 or -1 (nothing
 * stored). */
int record_completion(sqlite3 *db, const struct plugin_set *plugins,
		      const struct record_input *in, qa_day today,
		      struct errlist *errs, long long *id);

/* One line for a person at a terminal saying what completion `id` recorded
 * and what is next due, read once the schedule has been regenerated:
 *   audit 12 recorded: pm1 audited sw1's case on 2026-11-27, graded good;
 *   action for sw1 due 2026-12-24; moderation by gm1 due by 2026-12-11
 * Returns a new string (the caller frees it), or NULL (logged). */
char *record_describe(sqlite3 *db, const struct record_input *in, long long id);

/* record_completion, then the schedule of what it touched regenerated (the
 * person's series of the activity; for the audit workflow its built-in
 * series), all inside the caller's transaction; *said is record_describe's
 * line (the caller frees it). 0, or -1 with the problems in errs (or
 * logged): the caller rolls back. */
struct sched_env;
int record_and_regenerate(sqlite3 *db, const struct sched_env *env,
			  const struct record_input *in, struct errlist *errs,
			  long long *id, char **said);

#endif
