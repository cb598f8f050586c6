#include "staff.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "db.h"
#include "log.h"

/* ---- field checks ---- */

#define STAFF_ID_MAX 64
#define NAME_MAX_BYTES 200
#define TEAM_MAX_BYTES 100
#define EMAIL_MAX_BYTES 254
#define EMAIL_LOCAL_MAX_BYTES 64

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

static int is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9');
}

bool staff_id_valid(const char *id)
{
	if (!id || !is_alnum(id[0]))
		return false;
	size_t len = 0;
	for (const char *c = id; *c; c++, len++)
		if (!is_alnum(*c) && *c != '.' && *c != '_' && *c != '-')
			return false;
	return len <= STAFF_ID_MAX;
}

static int is_control(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

bool staff_email_valid(const char *email)
{
	if (!email)
		return false;
	size_t len = strlen(email);
	const char *at = strchr(email, '@');
	if (len < 5 || len > EMAIL_MAX_BYTES || !at || strchr(at + 1, '@'))
		return false;
	size_t local_len = (size_t)(at - email);
	const char *domain = at + 1;
	if (local_len == 0 || local_len > EMAIL_LOCAL_MAX_BYTES)
		return false;
	for (const char *c = email; *c; c++)
		if (is_control((unsigned char)*c) || *c == ' ' ||
		    strchr("\"(),:;<>[\\]", *c))
			return false;
	/* Dots may not start, end or double up in either part. */
	if (email[0] == '.' || at[-1] == '.' || strstr(email, ".."))
		return false;
	if (!strchr(domain, '.') || domain[0] == '.' || domain[0] == '-')
		return false;
	char last = email[len - 1];
	if (last == '.' || last == '-')
		return false;
	for (const char *c = domain; *c; c++)
		/* Bytes >= 0x80: internationalised domain names. */
		if (!is_alnum(*c) && *c != '-' && *c != '.' &&
		    (unsigned char)*c < 0x80)
			return false;
	return true;
}

static bool utf8_valid(const char *text)
{
	const unsigned char *s = (const unsigned char *)text;
	while (*s) {
		unsigned char c = *s;
		size_t extra;
		unsigned cp;
		if (c < 0x80) {
			s++;
			continue;
		} else if (c >= 0xc2 && c <= 0xdf) {
			extra = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			extra = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			extra = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		for (size_t i = 1; i <= extra; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond U+10FFFF. */
		if ((extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return false;
		s += extra + 1;
	}
	return true;
}

/* Why free text (a name, a team) is refused, or NULL. */
static const char *text_problem(const char *text, size_t max_bytes,
				const char *too_long)
{
	if (!text || !*text)
		return "missing";
	if (strlen(text) > max_bytes)
		return too_long;
	for (const char *c = text; *c; c++)
		if (is_control((unsigned char)*c))
			return "contains a control character";
	/* An import trims cells, so such text would not survive a CSV
	 * export and re-import. */
	if (is_space(text[0]) || is_space(text[strlen(text) - 1]))
		return "starts or ends with a space";
	if (!utf8_valid(text))
		return "not valid UTF-8";
	return NULL;
}

static const char *const id_problem =
	"not a valid id: use 1-64 letters, digits, '.', '_' or '-', "
	"starting with a letter or digit";

static bool day_in_range(qa_day day)
{
	return day >= qa_day_from_ymd(1900, 1, 1) &&
	       day <= qa_day_from_ymd(9999, 12, 31);
}

/* ---- messages ---- */

/* The fields of a person, in the order of the CSV header. */
enum field {
	FIELD_ID,
	FIELD_NAME,
	FIELD_EMAIL,
	FIELD_ROLE,
	FIELD_TEAM,
	FIELD_MANAGER,
	FIELD_NQSW_START,
	FIELD_SINCE,
	FIELD_LEFT_ON, /* a file's only: no option, staff leave has --date */
	FIELD_COUNT
};

const char *const staff_column_names[STAFF_COLUMN_COUNT] = {
	"id",      "name",       "email", "role",    "team",
	"manager", "nqsw_start", "since", "left_on",
};

_Static_assert((int)FIELD_COUNT == (int)STAFF_COLUMN_COUNT &&
		       (int)FIELD_LEFT_ON == (int)STAFF_COLUMN_LEFT_ON,
	       "enum field follows enum staff_column");

static void field_problem(struct errlist *errs, const struct staff_origin *at,
			  enum field field, const char *value, const char *fmt,
			  ...) QA_PRINTF(5, 6);

static void field_problem(struct errlist *errs, const struct staff_origin *at,
			  enum field field, const char *value, const char *fmt,
			  ...)
{
	char problem[1024], quoted[ERRLIST_SHOWN_SIZE];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(problem, sizeof(problem), fmt, ap);
	va_end(ap);
	errlist_shown(value, quoted);
	if (at->file)
		errlist_add(errs, "%s:%u: %s \"%s\": %s", at->file, at->line,
			    staff_column_names[field], quoted, problem);
	else
		errlist_add(errs, "staff: %s \"%s\": %s",
			    at->options && at->options[field]
				    ? at->options[field]
				    : staff_column_names[field],
			    quoted, problem);
}

/* Checks of a person that need no database; the number of problems.
 * check_roles false: the caller has reported the role list itself. */
static int check_fields(const struct staff *s, bool check_roles,
			const struct staff_origin *at, struct errlist *errs)
{
	size_t before = errs->n;
	const char *why;
	if (!staff_id_valid(s->id))
		field_problem(errs, at, FIELD_ID, s->id, "%s", id_problem);
	if ((why = text_problem(s->name, NAME_MAX_BYTES,
				"longer than 200 bytes")))
		field_problem(errs, at, FIELD_NAME, s->name, "%s", why);
	if (!staff_email_valid(s->email))
		field_problem(errs, at, FIELD_EMAIL, s->email, "%s",
			      s->email && *s->email ? "not an email address"
						    : "missing");
	if (check_roles && s->roles == 0)
		field_problem(errs, at, FIELD_ROLE, "",
			      "no role given; allowed: %s", roles_allowed());
	else if (check_roles && (s->roles & ~ROLES_KNOWN))
		field_problem(errs, at, FIELD_ROLE, "",
			      "unknown role bits 0x%x",
			      s->roles & ~ROLES_KNOWN);
	if ((why = text_problem(s->team, TEAM_MAX_BYTES,
				"longer than 100 bytes")))
		field_problem(errs, at, FIELD_TEAM, s->team, "%s", why);
	if (s->manager_id) {
		if (!staff_id_valid(s->manager_id))
			field_problem(errs, at, FIELD_MANAGER, s->manager_id,
				      "%s", id_problem);
		else if (s->id && strcmp(s->manager_id, s->id) == 0)
			field_problem(errs, at, FIELD_MANAGER, s->manager_id,
				      "a person cannot manage themself");
	}
	if (s->nqsw_start != QA_DAY_NONE && !day_in_range(s->nqsw_start))
		field_problem(errs, at, FIELD_NQSW_START, "",
			      "not a date between 1900 and 9999");
	if (s->since != QA_DAY_NONE && !day_in_range(s->since))
		field_problem(errs, at, FIELD_SINCE, "",
			      "not a date between 1900 and 9999");
	if (s->since != QA_DAY_NONE && s->left_on != QA_DAY_NONE &&
	    s->left_on < s->since) {
		char since_text[DATE_TEXT_SIZE], left_text[DATE_TEXT_SIZE];
		field_problem(errs, at, FIELD_LEFT_ON,
			      date_format(s->left_on, left_text),
			      "before their since, %s",
			      date_format(s->since, since_text));
	}
	return (int)(errs->n - before);
}

/* ---- parsing a person ---- */

void staff_done(struct staff *s)
{
	if (!s)
		return;
	free(s->id);
	free(s->name);
	free(s->email);
	free(s->team);
	free(s->manager_id);
	s->id = s->name = s->email = s->team = s->manager_id = NULL;
}

/* A trimmed copy of text; NULL for absent or blank text, and on ENOMEM
 * (*oom set). */
static char *trimmed_copy(const char *text, bool *oom)
{
	if (!text)
		return NULL;
	while (is_space(*text))
		text++;
	size_t len = strlen(text);
	while (len > 0 && is_space(text[len - 1]))
		len--;
	if (len == 0)
		return NULL;
	char *copy = strndup(text, len);
	if (!copy)
		*oom = true;
	return copy;
}

int staff_parse(const struct staff_text *text, const struct staff_origin *from,
		struct staff *out, struct errlist *errs)
{
	const struct staff_origin *at = from;
	struct staff s = {.nqsw_start = QA_DAY_NONE,
			  .added_on = QA_DAY_NONE,
			  .since = QA_DAY_NONE,
			  .left_on = QA_DAY_NONE};
	char *role = NULL, *nqsw_start = NULL, *since = NULL, *left_on = NULL,
	     why[1024];
	bool oom = false;
	size_t before = errs->n;
	int rc = -1;

	s.id = trimmed_copy(text->id, &oom);
	s.name = trimmed_copy(text->name, &oom);
	s.email = trimmed_copy(text->email, &oom);
	role = trimmed_copy(text->role, &oom);
	s.team = trimmed_copy(text->team, &oom);
	s.manager_id = trimmed_copy(text->manager, &oom);
	nqsw_start = trimmed_copy(text->nqsw_start, &oom);
	since = trimmed_copy(text->since, &oom);
	left_on = trimmed_copy(text->left_on, &oom);
	if (oom) {
		/* Said as a problem of this person, so that no caller takes
		 * a refusal with nothing said for a row to pass over. */
		if (at->file)
			errlist_add(errs,
				    "%s:%u: out of memory reading this "
				    "person; nothing stored",
				    at->file, at->line);
		else
			errlist_add(errs, "staff: out of memory reading the "
					  "person; nothing stored");
		goto out;
	}

	/* The role list and the date have no place in struct staff until
	 * they parse, so they are checked here; check_fields does the rest. */
	if (roles_parse(role, &s.roles, why, sizeof(why)))
		field_problem(errs, at, FIELD_ROLE, role, "%s", why);
	if (nqsw_start && date_parse(nqsw_start, &s.nqsw_start))
		field_problem(errs, at, FIELD_NQSW_START, nqsw_start,
			      "not a real date; use YYYY-MM-DD");
	if (since && date_parse(since, &s.since))
		field_problem(errs, at, FIELD_SINCE, since,
			      "not a real date; use YYYY-MM-DD");
	if (left_on && date_parse(left_on, &s.left_on))
		field_problem(errs, at, FIELD_LEFT_ON, left_on,
			      "not a real date; use YYYY-MM-DD");
	check_fields(&s, false, at, errs);
	if (errs->n != before)
		goto out;
	*out = s;
	memset(&s, 0, sizeof(s));
	rc = 0;
out:
	staff_done(&s);
	free(role);
	free(nqsw_start);
	free(since);
	free(left_on);
	if (rc) {
		memset(out, 0, sizeof(*out));
		out->nqsw_start = out->added_on = out->since = out->left_on =
			QA_DAY_NONE;
	}
	return rc;
}

/* ---- the database ---- */

static void log_sql_error(sqlite3 *db, const char *doing)
{
	log_err("staff: %s: %s", doing, sqlite3_errmsg(db));
}

static bool same_text(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* Whether id exists; *manager_id (may be NULL) gets a copy of its manager
 * and *left_on its leaving date. 1 found, 0 not, -1 error. */
static int lookup_person(sqlite3 *db, const char *id, char **manager_id,
			 qa_day *left_on)
{
	static const char sql[] =
		"SELECT manager_id, left_on FROM staff WHERE id = ?1";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (manager_id)
		*manager_id = NULL;
	if (left_on)
		*left_on = QA_DAY_NONE;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_sql_error(db, "cannot look a person up");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW) {
		log_sql_error(db, "cannot look a person up");
		goto out;
	}
	const char *manager = (const char *)sqlite3_column_text(stmt, 0);
	const char *left = (const char *)sqlite3_column_text(stmt, 1);
	if (manager_id && manager && !(*manager_id = strdup(manager))) {
		log_err("staff: out of memory");
		goto out;
	}
	if (left_on && left && date_parse(left, left_on))
		log_warn("staff: %s has a malformed left_on \"%s\" in the "
			 "database",
			 id, left);
	rc = 1;
out:
	sqlite3_finalize(stmt);
	return rc;
}

/* Whether s->manager_id, through the managers stored above it, leads back
 * to s->id; the chain is written into path. 1 yes, 0 no, -1 error. */
static int makes_cycle(sqlite3 *db, const struct staff *s, char *path,
		       size_t path_size)
{
	char *current = strdup(s->manager_id);
	int rc = -1;
	size_t used;
	if (!current) {
		log_err("staff: out of memory");
		return -1;
	}
	used = (size_t)snprintf(path, path_size, "%s -> %s", s->id, current);
	/* Cycles are refused on the way in, so only a database edited by
	 * hand holds one that s is not part of: stop rather than loop. */
	for (int steps = 0; steps < 10000; steps++) {
		if (strcmp(current, s->id) == 0) {
			rc = 1;
			goto out;
		}
		char *next;
		int found = lookup_person(db, current, &next, NULL);
		if (found < 0)
			goto out;
		if (!found || !next) {
			rc = 0;
			goto out;
		}
		free(current);
		current = next;
		if (used < path_size) {
			int n = snprintf(path + used, path_size - used,
					 " -> %s", current);
			used += n > 0 ? (size_t)n : 0;
		}
	}
	rc = 0;
out:
	free(current);
	if (used >= path_size && path_size > 4)
		memcpy(path + path_size - 4, "...", 4);
	return rc;
}

/*
 * The checks of s->manager_id that need the database: it exists (when
 * must_exist), has not left (when it is a new manager for this person),
 * and does not close a cycle. Problems go to errs; returns their number,
 * or -1 on a database error.
 */
static int check_manager(sqlite3 *db, const struct staff *s, qa_day today,
			 bool must_exist, bool manager_changed,
			 const struct staff_origin *at, struct errlist *errs)
{
	char path[512], left_text[DATE_TEXT_SIZE];
	qa_day left_on;
	size_t before = errs->n;
	if (!s->manager_id)
		return 0;
	int found = lookup_person(db, s->manager_id, NULL, &left_on);
	if (found < 0)
		return -1;
	if (!found) {
		if (must_exist && at->file)
			field_problem(errs, at, FIELD_MANAGER, s->manager_id,
				      "not in this file nor in the database; "
				      "add them first");
		else if (must_exist)
			field_problem(errs, at, FIELD_MANAGER, s->manager_id,
				      "manager %s is not known; add them first",
				      s->manager_id);
		return (int)(errs->n - before);
	}
	/* Someone who already reports to a leaver keeps them until given a
	 * new manager, so an export of everyone imports back unchanged. */
	if (manager_changed && left_on != QA_DAY_NONE && left_on <= today)
		field_problem(errs, at, FIELD_MANAGER, s->manager_id,
			      "%s left on %s; choose a manager in post",
			      s->manager_id, date_format(left_on, left_text));
	int cycle = makes_cycle(db, s, path, sizeof(path));
	if (cycle < 0)
		return -1;
	if (cycle)
		field_problem(errs, at, FIELD_MANAGER, s->manager_id,
			      "would make a management cycle: %s", path);
	return (int)(errs->n - before);
}

/* Insert or update s and replace its roles; the checks are done. */
static int write_person(sqlite3 *db, const struct staff *s, qa_day today)
{
	/* added_on and left_on are history: an update leaves them alone, and
	 * since unless it is given. A new person is tracked from today unless
	 * since says otherwise; a record back-filled from an earlier since
	 * starts then, so that a leaver from before today can be stored. */
	static const char upsert_sql[] =
		"INSERT INTO staff (id, name, email, team, manager_id,"
		" nqsw_start, added_on, since, updated_at)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, min(?7, coalesce(?9, ?7)),"
		" coalesce(?9, ?7), ?8)"
		" ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
		" email = excluded.email, team = excluded.team,"
		" manager_id = excluded.manager_id,"
		" nqsw_start = excluded.nqsw_start,"
		" since = coalesce(?9, since),"
		" updated_at = excluded.updated_at";
	static const char clear_roles_sql[] =
		"DELETE FROM staff_roles WHERE staff_id = ?1";
	static const char add_role_sql[] =
		"INSERT INTO staff_roles (staff_id, role) VALUES (?1, ?2)";
	sqlite3_stmt *upsert = NULL, *clear_roles = NULL, *add_role = NULL;
	int rc = -1;
	if (sqlite3_prepare_v2(db, upsert_sql, -1, &upsert, NULL) ||
	    sqlite3_prepare_v2(db, clear_roles_sql, -1, &clear_roles, NULL) ||
	    sqlite3_prepare_v2(db, add_role_sql, -1, &add_role, NULL)) {
		log_sql_error(db, "cannot prepare to store a person");
		goto out;
	}
	sqlite3_bind_text(upsert, 1, s->id, -1, SQLITE_STATIC);
	sqlite3_bind_text(upsert, 2, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(upsert, 3, s->email, -1, SQLITE_STATIC);
	sqlite3_bind_text(upsert, 4, s->team, -1, SQLITE_STATIC);
	db_bind_text(upsert, 5, s->manager_id);
	db_bind_day(upsert, 6, s->nqsw_start);
	db_bind_day(upsert, 7, today);
	sqlite3_bind_int64(upsert, 8, (sqlite3_int64)time(NULL));
	db_bind_day(upsert, 9, s->since);
	if (sqlite3_step(upsert) != SQLITE_DONE) {
		log_err("staff: cannot store %s: %s", s->id,
			sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(clear_roles, 1, s->id, -1, SQLITE_STATIC);
	if (sqlite3_step(clear_roles) != SQLITE_DONE) {
		log_err("staff: cannot replace the roles of %s: %s", s->id,
			sqlite3_errmsg(db));
		goto out;
	}
	for (unsigned role = 1; role & ROLES_KNOWN; role <<= 1) {
		if (!(s->roles & role))
			continue;
		sqlite3_reset(add_role);
		sqlite3_bind_text(add_role, 1, s->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(add_role, 2, roles_word(role), -1,
				  SQLITE_STATIC);
		if (sqlite3_step(add_role) != SQLITE_DONE) {
			log_err("staff: cannot store the roles of %s: %s",
				s->id, sqlite3_errmsg(db));
			goto out;
		}
	}
	rc = 0;
out:
	sqlite3_finalize(upsert);
	sqlite3_finalize(clear_roles);
	sqlite3_finalize(add_role);
	return rc;
}

int staff_upsert(sqlite3 *db, const struct staff *s, qa_day today,
		 const struct staff_origin *from, struct errlist *errs)
{
	struct staff_origin at = *from;
	/* The manager must be there already (perhaps stored earlier in the
	 * caller's transaction): a missing one found only by the deferred
	 * foreign key at COMMIT would tell the reader nothing useful. Rows
	 * naming managers further down are staff_import_csv's business. */
	bool own_transaction = sqlite3_get_autocommit(db);
	char *old_manager = NULL;
	int rc = -1, found, problems;
	if (!day_in_range(today)) {
		log_err("staff: today (%ld) is not a date", (long)today);
		return -1;
	}
	if (check_fields(s, true, &at, errs))
		return -1;
	if (own_transaction && db_begin(db))
		return -1;
	found = lookup_person(db, s->id, &old_manager, NULL);
	if (found < 0)
		goto out;
	problems = check_manager(
		db, s, today, true,
		!found || !same_text(old_manager, s->manager_id), &at, errs);
	if (problems != 0)
		goto out;
	if (write_person(db, s, today))
		goto out;
	if (own_transaction && db_commit(db))
		goto out;
	rc = 0;
out:
	if (rc && own_transaction)
		db_rollback(db);
	free(old_manager);
	return rc;
}

int staff_store(sqlite3 *db, const struct staff *s, qa_day today,
		bool *manager_changed, qa_day *left_on)
{
	char *old_manager = NULL;
	if (!day_in_range(today)) {
		log_err("staff: today (%ld) is not a date", (long)today);
		return -1;
	}
	int found = lookup_person(db, s->id, &old_manager, left_on);
	if (found < 0)
		return -1;
	*manager_changed = !found || !same_text(old_manager, s->manager_id);
	free(old_manager);
	return write_person(db, s, today);
}

int staff_check_manager(sqlite3 *db, const struct staff *s, qa_day today,
			bool must_exist, bool manager_changed, const char *file,
			unsigned line, struct errlist *errs)
{
	struct staff_origin at = {file, line, NULL};
	return check_manager(db, s, today, must_exist, manager_changed, &at,
			     errs);
}

/* The columns staff_from_row reads, in order. */
#define STAFF_COLUMNS                                                       \
	"id, name, email, team, manager_id, nqsw_start, added_on, left_on," \
	" (SELECT group_concat(role) FROM staff_roles"                      \
	"  WHERE staff_roles.staff_id = staff.id),"                         \
	" coalesce(since, added_on)"

static int column_day(sqlite3_stmt *stmt, int column, const char *id,
		      qa_day *out)
{
	const char *text = (const char *)sqlite3_column_text(stmt, column);
	*out = QA_DAY_NONE;
	if (!text)
		return 0;
	if (date_parse(text, out)) {
		log_err("staff: %s has a malformed date \"%s\" in column %s",
			id, text, sqlite3_column_name(stmt, column));
		return -1;
	}
	return 0;
}

static int column_copy(sqlite3_stmt *stmt, int column, char **out)
{
	const char *text = (const char *)sqlite3_column_text(stmt, column);
	*out = NULL;
	if (!text)
		return 0;
	if (!(*out = strdup(text))) {
		log_err("staff: out of memory");
		return -1;
	}
	return 0;
}

/* Roles stored by this or a later version: a word this build does not
 * know is skipped with a warning rather than hiding the person. */
static unsigned roles_from_db(const char *text, const char *id)
{
	unsigned mask = 0;
	const char *word = text;
	while (word && *word) {
		const char *end = strchr(word, ',');
		size_t len = end ? (size_t)(end - word) : strlen(word);
		unsigned role = roles_from_word(word, len);
		if (!role)
			log_warn("staff: %s has role \"%.*s\", unknown to this "
				 "qa-scheduler",
				 id, (int)len, word);
		mask |= role;
		word = end ? end + 1 : NULL;
	}
	return mask;
}

static int staff_from_row(sqlite3_stmt *stmt, struct staff *out)
{
	memset(out, 0, sizeof(*out));
	if (column_copy(stmt, 0, &out->id) ||
	    column_copy(stmt, 1, &out->name) ||
	    column_copy(stmt, 2, &out->email) ||
	    column_copy(stmt, 3, &out->team) ||
	    column_copy(stmt, 4, &out->manager_id) ||
	    column_day(stmt, 5, out->id, &out->nqsw_start) ||
	    column_day(stmt, 6, out->id, &out->added_on) ||
	    column_day(stmt, 7, out->id, &out->left_on) ||
	    column_day(stmt, 9, out->id, &out->since)) {
		staff_done(out);
		return -1;
	}
	out->roles = roles_from_db((const char *)sqlite3_column_text(stmt, 8),
				   out->id);
	return 0;
}

int staff_get(sqlite3 *db, const char *id, struct staff *out)
{
	/* Kept prepared: every feed rendered asks for its person. */
	static const char sql[] =
		DB_KEPT "SELECT " STAFF_COLUMNS " FROM staff WHERE id = ?1";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	memset(out, 0, sizeof(*out));
	if (db_prepare_kept(db, sql, &stmt))
		goto out;
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		rc = 0;
		goto out;
	}
	if (step != SQLITE_ROW) {
		log_err("staff: cannot read %s: %s", id, sqlite3_errmsg(db));
		goto out;
	}
	if (staff_from_row(stmt, out))
		goto out;
	rc = 1;
out:
	db_release_kept(stmt);
	return rc;
}

int staff_find_manager_by_email(sqlite3 *db, const char *email, qa_day today,
				char **id)
{
	static const char sql[] =
		"SELECT m.id FROM staff m WHERE m.email = ?1 COLLATE NOCASE"
		" AND (m.left_on IS NULL OR m.left_on >= ?2)"
		" AND EXISTS (SELECT 1 FROM staff s WHERE s.manager_id = m.id"
		"  AND (s.left_on IS NULL OR s.left_on >= ?2))"
		" LIMIT 2";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, n = 0, step;
	*id = NULL;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	sqlite3_bind_text(stmt, 1, email, -1, SQLITE_STATIC);
	db_bind_day(stmt, 2, today);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		if (n++ == 0 && !(*id = db_column_dup(stmt, 0)))
			goto out;
	if (step != SQLITE_DONE)
		goto out;
	rc = n == 1;
	if (n > 1)
		log_warn("staff: sign-on: %s is the email of more than one "
			 "manager; none is signed on",
			 email);
out:
	if (rc < 0)
		log_err("staff: sign-on by email: %s", sqlite3_errmsg(db));
	if (rc != 1) {
		free(*id);
		*id = NULL;
	}
	sqlite3_finalize(stmt);
	return rc;
}

int staff_count_reports(sqlite3 *db, const char *id, qa_day today)
{
	static const char sql[] =
		"SELECT count(*) FROM staff WHERE manager_id ="
		" ?1 AND (left_on IS NULL OR left_on >= ?2)";
	sqlite3_stmt *stmt = NULL;
	int n = -1;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
		db_bind_day(stmt, 2, today);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			n = sqlite3_column_int(stmt, 0);
	}
	if (n < 0)
		log_err("staff: cannot count %s's reports: %s", id,
			sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return n;
}

int staff_leave(sqlite3 *db, const char *id, qa_day date,
		const struct staff_origin *from, struct errlist *errs)
{
	static const char read_sql[] =
		"SELECT added_on, left_on FROM staff WHERE id = ?1";
	static const char leave_sql[] =
		"UPDATE staff SET left_on = ?2, updated_at = ?3 WHERE id = ?1";
	static const char reports_sql[] =
		"SELECT count(*), group_concat(id, ', ') FROM ("
		" SELECT id FROM staff WHERE manager_id = ?1"
		" AND (left_on IS NULL OR left_on > ?2) ORDER BY id)";
	const struct staff_origin *at = from;
	const char *file = from->file;
	sqlite3_stmt *stmt = NULL;
	char date_text[DATE_TEXT_SIZE], other_text[DATE_TEXT_SIZE];
	qa_day added_on, left_on;
	bool own_transaction = sqlite3_get_autocommit(db);
	int rc = -1, step;
	if (!day_in_range(date)) {
		log_err("staff: the leaving date (%ld) is not a date",
			(long)date);
		return -1;
	}
	date_format(date, date_text);
	if (own_transaction && db_begin(db))
		return -1;
	if (sqlite3_prepare_v2(db, read_sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_sql_error(db, "cannot read a person");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	step = sqlite3_step(stmt);
	if (step == SQLITE_DONE) {
		field_problem(errs, at, FIELD_ID, id,
			      "not known; see qa-scheduler staff list");
		goto out;
	}
	if (step != SQLITE_ROW) {
		log_err("staff: cannot read %s: %s", id, sqlite3_errmsg(db));
		goto out;
	}
	if (column_day(stmt, 0, id, &added_on) ||
	    column_day(stmt, 1, id, &left_on))
		goto out;
	/* The command line's words are staff leave's own, not a field's. */
	if (left_on != QA_DAY_NONE && file)
		field_problem(errs, at, FIELD_LEFT_ON, date_text,
			      "%s already left on %s", id,
			      date_format(left_on, other_text));
	else if (left_on != QA_DAY_NONE)
		errlist_add(errs, "staff: %s already left on %s", id,
			    date_format(left_on, other_text));
	else if (date < added_on && file)
		field_problem(errs, at, FIELD_LEFT_ON, date_text,
			      "before %s was added on %s", id,
			      date_format(added_on, other_text));
	else if (date < added_on)
		errlist_add(errs, "staff: %s %s: before %s was added on %s",
			    at->options && at->options[FIELD_LEFT_ON]
				    ? at->options[FIELD_LEFT_ON]
				    : staff_column_names[FIELD_LEFT_ON],
			    date_text, id, date_format(added_on, other_text));
	if (left_on != QA_DAY_NONE || date < added_on)
		goto out;
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(db, leave_sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_sql_error(db, "cannot prepare to mark a leaver");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date_text, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, (sqlite3_int64)time(NULL));
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		log_err("staff: cannot mark %s as left: %s", id,
			sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_finalize(stmt);
	if (sqlite3_prepare_v2(db, reports_sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_sql_error(db, "cannot prepare to list reports");
		goto out;
	}
	sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, date_text, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_ROW) {
		log_err("staff: cannot list the reports of %s: %s", id,
			sqlite3_errmsg(db));
		goto out;
	}
	/* Their supervision has no one to hold it: say so, but leaving is
	 * a fact to record either way. */
	int reports = sqlite3_column_int(stmt, 0);
	if (reports > 0)
		log_warn("staff: %s still manages %d %s in post (%s); give "
			 "them a new manager with staff add --manager",
			 id, reports, reports == 1 ? "person" : "people",
			 (const char *)sqlite3_column_text(stmt, 1));
	if (own_transaction && db_commit(db))
		goto out;
	rc = 0;
out:
	sqlite3_finalize(stmt);
	if (rc && own_transaction)
		db_rollback(db);
	return rc;
}

void staff_array_done(struct staff_array *list)
{
	for (size_t i = 0; i < list->n; i++)
		staff_done(&list->people[i]);
	free(list->people);
	list->people = NULL;
	list->n = 0;
}

int staff_load(sqlite3 *db, const char *team, struct staff_array *out)
{
	static const char sql[] = "SELECT " STAFF_COLUMNS " FROM staff"
				  " WHERE ?1 IS NULL OR team = ?1 ORDER BY id";
	sqlite3_stmt *stmt = NULL;
	size_t capacity = 0;
	int rc = -1, step;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK) {
		log_sql_error(db, "cannot list staff");
		goto out;
	}
	db_bind_text(stmt, 1, team);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->n == capacity) {
			size_t grown = capacity ? capacity * 2 : 64;
			struct staff *people =
				realloc(out->people, grown * sizeof(*people));
			if (!people) {
				log_err("staff: out of memory listing staff");
				goto out;
			}
			out->people = people;
			capacity = grown;
		}
		if (staff_from_row(stmt, &out->people[out->n]))
			goto out;
		out->n++;
	}
	if (step != SQLITE_DONE) {
		log_sql_error(db, "cannot list staff");
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(stmt);
	return rc;
}
