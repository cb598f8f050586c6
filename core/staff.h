/* staff: people, their roles, teams and managers (SPEC sections 3 and 5):
 * the model, its checks, and the staff table. Listing them is staff_list.c's,
 * importing a CSV staff_import.c's. */
#ifndef QA_STAFF_H
#define QA_STAFF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "errlist.h"
#include "qa-scheduler/plugin.h"
#include "roles.h"

/* A staff id: 1-64 of [A-Za-z0-9._-], starting with a letter or digit. */
bool staff_id_valid(const char *id);
/* A plausible address: local@domain.tld, no spaces or control characters. */
bool staff_email_valid(const char *email);

struct staff {
	char *id;
	char *name;
	char *email;
	unsigned roles; /* as given */
	char *team;
	char *manager_id;  /* NULL: none */
	qa_day nqsw_start; /* QA_DAY_NONE: experienced */
	/* The day the record starts: when the person was added, or their
	 * since if that is earlier (history back-filled at go-live). */
	qa_day added_on;
	/* From when their obligations are tracked: as given, else (QA_DAY_NONE
	 * from staff_parse) the day they are added, or kept on an update. */
	qa_day since;
	qa_day left_on; /* QA_DAY_NONE: in post */
};

/* Free the strings of s (not s itself) and clear them; NULL is fine. */
void staff_done(struct staff *s);

/* A person's fields as a CSV file names them: the columns staff list
 * --format csv writes, in this order, and staff import reads by name, in
 * any order. */
enum staff_column {
	STAFF_COLUMN_ID,
	STAFF_COLUMN_NAME,
	STAFF_COLUMN_EMAIL,
	STAFF_COLUMN_ROLE,
	STAFF_COLUMN_TEAM,
	STAFF_COLUMN_MANAGER,
	STAFF_COLUMN_NQSW_START,
	STAFF_COLUMN_SINCE,
	STAFF_COLUMN_LEFT_ON,
	STAFF_COLUMN_COUNT
};

/* "id", "name", "email", "role", "team", "manager", "nqsw_start", "since",
 * "left_on": the header of the CSV, and the names messages about a file's
 * cells give. */
extern const char *const staff_column_names[STAFF_COLUMN_COUNT];

/* One person as typed: the `staff add` options or a CSV row. NULL or ""
 * means absent (manager, nqsw_start, left_on are optional). */
struct staff_text {
	const char *id;
	const char *name;
	const char *email;
	const char *role; /* comma-separated role words */
	const char *team;
	const char *manager;
	const char *nqsw_start; /* YYYY-MM-DD */
	const char *since;      /* YYYY-MM-DD: tracked from (optional) */
	const char *left_on;    /* YYYY-MM-DD: a file's left_on column */
};

/* Where the text of a person came from, for the messages about it: a
 * file's line, or the command line, which names each field by its option
 * (the command table's spelling, e.g. "--nqsw-start"). */
struct staff_origin {
	const char *file; /* NULL: the command line */
	unsigned line;
	/* file NULL: by enum staff_column, each field's option; a field
	 * without one (or options NULL) is named by its column name. */
	const char *const *options;
};

/* Check every field of text (surrounding spaces are trimmed) and fill out
 * (copies; free with staff_done; added_on QA_DAY_NONE, left_on as given,
 * for staff_leave_at to record: staff_upsert ignores it). Each
 * problem goes to errs, naming the field (as from says) and the value:
 *   command line:  staff: --email "bob@": not an email address
 *   a file:        FILE:LINE: email "bob@": not an email address
 * Returns 0, or -1 with every problem in errs and out cleared. The database
 * is not consulted: staff_upsert checks the manager. */
int staff_parse(const struct staff_text *text, const struct staff_origin *from,
		struct staff *out, struct errlist *errs);

/* Add a person, or update them if the id exists (added_on and left_on are
 * kept; s->added_on and s->left_on are ignored). `today` is the local date
 * used as added_on for a new person. Validates every field; the manager
 * must already be stored (possibly earlier in the caller's transaction:
 * "manager X is not known; add them first"), may not be the person
 * themself, may not close a management cycle, and may not be someone who
 * left on or before today (unless they already manage this person).
 * Outside a transaction staff_upsert runs its own; inside the caller's, on
 * -1 the caller rolls back. Returns 0, or -1 with the problems for the
 * reader in errs (database errors are logged). */
int staff_upsert(sqlite3 *db, const struct staff *s, qa_day today,
		 const struct staff_origin *from, struct errlist *errs);

/* staff_upsert in steps, for an import that stores everyone in a file
 * before checking their managers, who may come further down. */

/* Store s (as staff_parse made it) as staff_upsert would, in the caller's
 * transaction, without checking its manager in the database. Sets
 * *manager_changed (s is new, or names another manager than before) and
 * *left_on (the stored one; QA_DAY_NONE: in post, or new). 0, or -1
 * (logged). */
int staff_store(sqlite3 *db, const struct staff *s, qa_day today,
		bool *manager_changed, qa_day *left_on);

/* staff_upsert's checks of s->manager_id against the database, each
 * problem named "FILE:LINE: manager "ID": ..." as by staff_parse: stored
 * (unless !must_exist: the caller has its own word for it), not one who has
 * left (when manager_changed), not closing a management cycle. Returns
 * the number of problems, or -1 on a database error (logged). */
int staff_check_manager(sqlite3 *db, const struct staff *s, qa_day today,
			bool must_exist, bool manager_changed, const char *file,
			unsigned line, struct errlist *errs);

/* Mark a person as left on `date` (the caller decides the default, today);
 * their history is kept. -1 with a message in errs if the id is unknown,
 * they already left, or `date` is before they were added: from a file,
 * "FILE:LINE: left_on "DATE": ..."; from the command line, naming the
 * options from gives (the leaving date is its STAFF_COLUMN_LEFT_ON). Logs
 * a warning naming anyone they still manage. */
int staff_leave(sqlite3 *db, const char *id, qa_day date,
		const struct staff_origin *from, struct errlist *errs);

/* Load one person into out (free with staff_done); 1 found, 0 not found,
 * -1 error. */
int staff_get(sqlite3 *db, const char *id, struct staff *out);

/* The one person in post on `today` with this email (compared without
 * regard to case) who manages someone in post: 1 with their id (a new
 * string), 0 when there is none or more than one (logged), -1 on error
 * (logged). For the sign-on behind a proxy, which names people by email. */
int staff_find_manager_by_email(sqlite3 *db, const char *email, qa_day today,
				char **id);

/* How many people in post on `today` have id as their line manager; -1 on
 * error (logged). */
int staff_count_reports(sqlite3 *db, const char *id, qa_day today);

/* People as staff_load loads them. */
struct staff_array {
	struct staff *people;
	size_t n;
};

/* Load the people of team (NULL: everyone), by id, into out (free with
 * staff_array_done, also after -1). 0, or -1 (logged). */
int staff_load(sqlite3 *db, const char *team, struct staff_array *out);

/* Free the people of list (not list itself) and clear it. */
void staff_array_done(struct staff_array *list);

#endif
