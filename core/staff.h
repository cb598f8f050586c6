/* staff: people, their roles, teams and managers (SPEC sections 3 and 5). */
#ifndef QA_STAFF_H
#define QA_STAFF_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "errlist.h"
#include "qa-scheduler/plugin.h"

/* The fixed role words of SPEC section 3, as bits. */
enum role {
	ROLE_DCS = 1u << 0,
	ROLE_LEAD_MEMBER = 1u << 1,
	ROLE_ASSISTANT_DIRECTOR = 1u << 2,
	ROLE_SERVICE_LEAD = 1u << 3,
	ROLE_EARLY_HELP_SERVICE_LEAD = 1u << 4, /* implies ROLE_SERVICE_LEAD */
	ROLE_GROUP_MANAGER = 1u << 5,
	ROLE_PRACTICE_MANAGER = 1u << 6,
	ROLE_SOCIAL_WORKER = 1u << 7,
	ROLE_IRO_MANAGER = 1u << 8,
	ROLE_CP_CHAIR_MANAGER = 1u << 9,
	ROLE_PARTNERSHIP_MANAGER = 1u << 10,
	ROLE_SAFEGUARDING_LEAD = 1u << 11,
	ROLE_QA_TEAM = 1u << 12,
	ROLE_QA_RESIDENTIAL_LEAD = 1u << 13,
	ROLE_DEVELOPMENT_LEAD = 1u << 14,
};

/* Parse a comma-separated list of role words into a mask (the words as
 * given; use roles_effective for implied roles). Returns 0, or -1 with the
 * offending word and the allowed list in why. */
int roles_parse(const char *text, unsigned *mask, char *why, size_t why_size);
/* The role words of mask, comma-separated without spaces, in the order of
 * SPEC section 3; a buf too small holds the words that fit whole. */
void roles_format(unsigned mask, char *buf, size_t size);
/* mask plus the roles it implies (early_help_service_lead -> service_lead). */
unsigned roles_effective(unsigned mask);
/* A comma-separated list of every role word, for messages. */
const char *roles_allowed(void);

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
	qa_day added_on;
	qa_day left_on; /* QA_DAY_NONE: in post */
};

/* Free the strings of s (not s itself) and clear them; NULL is fine. */
void staff_free(struct staff *s);

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
	STAFF_COLUMN_LEFT_ON,
	STAFF_COLUMN_COUNT
};

/* "id", "name", "email", "role", "team", "manager", "nqsw_start",
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
	const char *left_on;    /* YYYY-MM-DD: a file's left_on column */
};

/* Check every field of text (surrounding spaces are trimmed) and fill out
 * (copies; free with staff_free; added_on QA_DAY_NONE, left_on as given,
 * for staff_leave_at to record: staff_upsert ignores it). Each
 * problem goes to errs, naming the field and the value:
 *   file NULL:  staff: --email "bob@": not an email address
 *   else:       FILE:LINE: email "bob@": not an email address
 * Returns 0, or -1 with every problem in errs and out cleared. The database
 * is not consulted: staff_upsert checks the manager. */
int staff_parse(const struct staff_text *text, const char *file, unsigned line,
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
		 struct errlist *errs);

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

/* Import a CSV (RFC 4180; UTF-8, a BOM and CRLF are fine) whose header
 * names the columns id,name,email,role,team,manager,nqsw_start in any
 * order, and optionally left_on; an unknown column is refused by name. A
 * role cell may hold several roles, quoted ("dcs,service_lead"). Existing
 * ids are updated as by staff_upsert; a left_on date marks the person as
 * left as staff_leave would (left on that very day already: nothing to
 * do; empty: nothing changes, nobody comes back). All or nothing, in one
 * transaction of its own, or a savepoint inside the caller's: every bad
 * row is reported as "FILE:LINE: field "value": problem" in errs (LINE:
 * the physical line where the record starts), duplicate ids and managers
 * neither in the file nor in the database included, and nothing is
 * stored. Rows may name managers defined later in the file. Returns the
 * number of rows stored, or -1. */
int staff_import_csv(sqlite3 *db, const char *path, qa_day today,
		     struct errlist *errs);

/* Mark a person as left on `date` (the caller decides the default, today);
 * their history is kept. -1 with a message in errs if the id is unknown,
 * they already left, or `date` is before they were added. Logs a warning
 * naming anyone they still manage. */
int staff_leave(sqlite3 *db, const char *id, qa_day date, struct errlist *errs);

/* staff_leave for a file's row: the same checks, the problems named
 * "FILE:LINE: left_on "DATE": ..." (file NULL: as staff_leave). */
int staff_leave_at(sqlite3 *db, const char *id, qa_day date, const char *file,
		   unsigned line, struct errlist *errs);

/* Load one person into out (free with staff_free); 1 found, 0 not found,
 * -1 error. */
int staff_get(sqlite3 *db, const char *id, struct staff *out);

enum staff_format { STAFF_FORMAT_TABLE, STAFF_FORMAT_JSON, STAFF_FORMAT_CSV };

/* Write everyone (or one team; NULL: all), by id, to out:
 *   table: aligned columns id, name, team, roles, manager, nqsw_start, left;
 *   json:  an array of {id, name, email, roles: [..], team, manager_id,
 *          nqsw_start, added_on, left_on}, absent values null;
 *   csv:   header id,name,email,role,team,manager,nqsw_start,left_on.
 * The CSV imports back with staff_import_csv, as it is or edited.
 * 0 or -1. */
int staff_list(sqlite3 *db, const char *team, enum staff_format format,
	       FILE *out);

#endif
