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
/* The role words of mask, comma-separated, in the order of SPEC section 3. */
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
	char *manager_id; /* NULL: none */
	qa_day nqsw_start; /* QA_DAY_NONE: experienced */
	qa_day added_on;
	qa_day left_on; /* QA_DAY_NONE: in post */
};

void staff_free(struct staff *s);

/* Add a person, or update them if the id exists (added_on is kept).
 * `today` is the local date used as added_on for a new person. Validates
 * every field (the manager must exist, or be added in the same
 * transaction, and may not be the person themself). Returns 0, or -1 with
 * a message for the reader in errs. Call inside a transaction for several. */
int staff_upsert(sqlite3 *db, const struct staff *s, qa_day today,
		 struct errlist *errs);

/* Import a CSV with header id,name,email,role,team,manager,nqsw_start.
 * All or nothing: every bad row is reported as "FILE:LINE: ..." in errs and
 * nothing is stored. Rows may name managers defined later in the file.
 * Returns the number of rows stored, or -1. */
int staff_import_csv(sqlite3 *db, const char *path, qa_day today,
		     struct errlist *errs);

/* Mark a person as left on `date`. -1 with a message if unknown or already
 * left. */
int staff_leave(sqlite3 *db, const char *id, qa_day date, struct errlist *errs);

/* Load one person; 1 found, 0 not found, -1 error. */
int staff_get(sqlite3 *db, const char *id, struct staff *out);

enum staff_format { STAFF_FORMAT_TABLE, STAFF_FORMAT_JSON, STAFF_FORMAT_CSV };

/* Write everyone (or one team), by id, to out. The CSV output can be read
 * back by staff_import_csv (plus a left_on column). 0 or -1. */
int staff_list(sqlite3 *db, const char *team, enum staff_format format,
	       FILE *out);

#endif
