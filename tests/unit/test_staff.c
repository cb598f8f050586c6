/* staff, staff_import, staff_list: validation, add/update, CSV import (all
 * or nothing), leaving and the three list formats. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "staff.h"
#include "staff_import.h"
#include "staff_list.h"

struct fixture {
	char dir[64];
	char db_path[128];
	sqlite3 *db;
	struct errlist errs;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/qa-test-staff-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->db_path, sizeof(f->db_path), "%s/qa.db", f->dir);
	if (db_open(f->db_path, &f->db)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	DIR *dir;
	struct dirent *entry;
	char path[PATH_MAX];
	db_close(f->db);
	errlist_done(&f->errs);
	if ((dir = opendir(f->dir))) {
		while ((entry = readdir(dir))) {
			if (entry->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", f->dir,
				 entry->d_name);
			unlink(path);
		}
		closedir(dir);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static qa_day day(const char *text)
{
	qa_day parsed;
	if (date_parse(text, &parsed))
		fail_msg("bad date in test: %s", text);
	return parsed;
}

static void show_errs(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "  errs[%zu]: %s\n", i, errs->msgs[i]);
}

/* Whether some message of errs is exactly `text`. */
static void assert_err(const struct errlist *errs, const char *text)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strcmp(errs->msgs[i], text) == 0)
			return;
	show_errs(errs);
	fail_msg("no message \"%s\"", text);
}

/* Whether some message of errs contains `part`. */
static void assert_err_has(const struct errlist *errs, const char *part)
{
	for (size_t i = 0; i < errs->n; i++)
		if (strstr(errs->msgs[i], part))
			return;
	show_errs(errs);
	fail_msg("no message containing \"%s\"", part);
}

static char *write_file(struct fixture *f, const char *name, const char *data)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", f->dir, name) > 0);
	FILE *file = fopen(path, "wb");
	assert_non_null(file);
	fputs(data, file);
	assert_int_equal(fclose(file), 0);
	return path;
}

static long long count_rows(sqlite3 *db, const char *table_sql)
{
	sqlite3_stmt *stmt = NULL;
	assert_int_equal(sqlite3_prepare_v2(db, table_sql, -1, &stmt, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
	long long n = sqlite3_column_int64(stmt, 0);
	sqlite3_finalize(stmt);
	return n;
}

static long long staff_count(sqlite3 *db)
{
	return count_rows(db, "SELECT count(*) FROM staff");
}

/* `staff add`'s origin: the command line, its fields named as its options
 * are spelled. */
static const char *const add_options[STAFF_COLUMN_COUNT] = {
	"--id",   "--name",    "--email",     "--role",
	"--team", "--manager", "--nqsw-start"};
static const struct staff_origin command_line = {NULL, 0, add_options};
/* `staff leave`'s. */
static const char *const leave_options[STAFF_COLUMN_COUNT] = {
	[STAFF_COLUMN_ID] = "--id", [STAFF_COLUMN_LEFT_ON] = "--date"};
static const struct staff_origin leave_line = {NULL, 0, leave_options};

/* Add a person through staff_parse + staff_upsert, as `staff add` does. */
static int add(struct fixture *f, const char *id, const char *role,
	       const char *manager, const char *nqsw_start, const char *today)
{
	char name[80], email[80];
	struct staff s;
	snprintf(name, sizeof(name), "Person %s", id);
	snprintf(email, sizeof(email), "%s@example.org", id);
	struct staff_text text = {id,      name,       email, role, "North",
				  manager, nqsw_start, NULL,  NULL};
	if (staff_parse(&text, &command_line, &s, &f->errs))
		return -1;
	int rc = staff_upsert(f->db, &s, day(today), &command_line, &f->errs);
	staff_done(&s);
	return rc;
}

/* ---- ids and emails ---- */

static void id_validation(void **state)
{
	(void)state;
	char longest[66];
	memset(longest, 'a', 64);
	longest[64] = '\0';
	assert_true(staff_id_valid("sw1"));
	assert_true(staff_id_valid("A.b-c_d9"));
	assert_true(staff_id_valid("9x"));
	assert_true(staff_id_valid(longest));
	longest[64] = 'a';
	longest[65] = '\0';
	assert_false(staff_id_valid(longest));
	const char *bad[] = {"",    "-x",  ".x", "_x",   "a b", "a/b",
			     "a,b", "a\n", "é",  "sw1;", "a@b"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (staff_id_valid(bad[i]))
			fail_msg("accepted id \"%s\"", bad[i]);
	assert_false(staff_id_valid(NULL));
}

static void email_validation(void **state)
{
	(void)state;
	const char *good[] = {"bob@example.org", "a.b+c@sub.example.co.uk",
			      "x_y-z@e-x.io", "b@e.uk"};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (!staff_email_valid(good[i]))
			fail_msg("refused email \"%s\"", good[i]);
	char long_local[80];
	memset(long_local, 'l', 65);
	strcpy(long_local + 65, "@example.org");
	const char *bad[] = {"bob@",
			     "bob",
			     "@example.org",
			     "bob@example",
			     "bob@@example.org",
			     "a@b@example.org",
			     "bo b@example.org",
			     "bob@example.org.",
			     "bob@.example.org",
			     "bob@-example.org",
			     ".bob@example.org",
			     "bob.@example.org",
			     "a..b@example.org",
			     "bob@exa..mple.org",
			     "bob\n@example.org",
			     "bob@exa_mple.org",
			     "<bob@example.org>",
			     "Bob <bob@example.org>",
			     "",
			     long_local};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (staff_email_valid(bad[i]))
			fail_msg("accepted email \"%s\"", bad[i]);
	assert_false(staff_email_valid(NULL));
}

/* ---- parsing a person ---- */

static void parse_reports_every_field(void **state)
{
	struct fixture *f = *state;
	struct staff s;
	struct staff_text bad = {"sw 1", "Ann\tLee",   "bob@", "dcs,wizard", "",
				 "sw 1", "2026-02-30", NULL,   NULL};
	assert_int_equal(staff_parse(&bad, &command_line, &s, &f->errs), -1);
	assert_null(s.id);
	assert_err_has(&f->errs, "staff: --id \"sw 1\": not a valid id");
	assert_err(&f->errs,
		   "staff: --name \"Ann?Lee\": contains a control character");
	assert_err(&f->errs, "staff: --email \"bob@\": not an email address");
	assert_err_has(&f->errs, "staff: --role \"dcs,wizard\": unknown role "
				 "\"wizard\"; allowed: dcs, lead_member");
	assert_err(&f->errs, "staff: --team \"\": missing");
	assert_err_has(&f->errs, "staff: --manager \"sw 1\": not a valid id");
	assert_err(&f->errs, "staff: --nqsw-start \"2026-02-30\": not a real "
			     "date; use YYYY-MM-DD");
	assert_int_equal(f->errs.n, 7);
	errlist_done(&f->errs);

	/* The same, as a file names them. */
	struct staff_text bad_email = {"sw1",        "Ann",   "ann@example",
				       "dcs",        "North", NULL,
				       "2026-02-30", NULL,    "2026-13-01"};
	assert_int_equal(
		staff_parse(&bad_email,
			    &(struct staff_origin){"people.csv", 7, NULL}, &s,
			    &f->errs),
		-1);
	assert_err(&f->errs,
		   "people.csv:7: email \"ann@example\": not an email address");
	assert_err(&f->errs, "people.csv:7: nqsw_start \"2026-02-30\": not a "
			     "real date; use YYYY-MM-DD");
	assert_err(&f->errs, "people.csv:7: left_on \"2026-13-01\": not a "
			     "real date; use YYYY-MM-DD");
	assert_int_equal(f->errs.n, 3);
	errlist_done(&f->errs);

	struct staff_text self = {"sw1", "Ann",   "ann@example.org",
				  "dcs", "North", "sw1",
				  NULL,  NULL,    NULL};
	assert_int_equal(staff_parse(&self, &command_line, &s, &f->errs), -1);
	assert_err(&f->errs,
		   "staff: --manager \"sw1\": a person cannot manage themself");
	errlist_done(&f->errs);

	struct staff_text no_role = {"sw1", "Ann",   "ann@example.org",
				     "",    "North", NULL,
				     NULL,  NULL,    NULL};
	assert_int_equal(staff_parse(&no_role, &command_line, &s, &f->errs),
			 -1);
	assert_int_equal(f->errs.n, 1); /* reported once */
	assert_err_has(&f->errs, "staff: --role \"\": no role given");
	errlist_done(&f->errs);

	/* A long value is cut for the message, never inside a character. */
	char long_name[400] = "a";
	for (int i = 0; i < 150; i++)
		strcat(long_name, "é");
	struct staff_text long_text = {"sw1", long_name, "ann@example.org",
				       "dcs", "North",   NULL,
				       NULL,  NULL,      NULL};
	assert_int_equal(staff_parse(&long_text, &command_line, &s, &f->errs),
			 -1);
	char expect[200] = "staff: --name \"a";
	for (int i = 0; i < 29; i++)
		strcat(expect, "é");
	strcat(expect, "…\": longer than 200 bytes");
	assert_err(&f->errs, expect);
	errlist_done(&f->errs);

	/* Trimmed; empty optional fields are absent. */
	struct staff_text good = {" sw1 ",
				  " Zoë Ødegård ",
				  "zoe@example.org",
				  "social_worker , qa_team",
				  "North",
				  "  ",
				  " 2026-03-02",
				  "",
				  ""};
	assert_int_equal(staff_parse(&good, &command_line, &s, &f->errs), 0);
	assert_int_equal(f->errs.n, 0);
	assert_string_equal(s.id, "sw1");
	assert_string_equal(s.name, "Zoë Ødegård");
	assert_int_equal(s.roles, ROLE_SOCIAL_WORKER | ROLE_QA_TEAM);
	assert_null(s.manager_id);
	assert_int_equal(s.nqsw_start, day("2026-03-02"));
	assert_int_equal(s.left_on, QA_DAY_NONE);
	staff_done(&s);
	staff_done(&s); /* cleared: a second free is harmless */
}

/* ---- add and update ---- */

static void upsert_adds_then_updates(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	assert_int_equal(
		add(f, "pm1", "practice_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(
		add(f, "pm2", "practice_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(add(f, "sw1", "social_worker,qa_team", "pm1",
			     "2025-09-01", "2026-01-05"),
			 0);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_string_equal(got.id, "sw1");
	assert_string_equal(got.name, "Person sw1");
	assert_string_equal(got.email, "sw1@example.org");
	assert_string_equal(got.team, "North");
	assert_string_equal(got.manager_id, "pm1");
	assert_int_equal(got.roles, ROLE_SOCIAL_WORKER | ROLE_QA_TEAM);
	assert_int_equal(got.nqsw_start, day("2025-09-01"));
	assert_int_equal(got.added_on, day("2026-01-05"));
	assert_int_equal(got.left_on, QA_DAY_NONE);
	staff_done(&got);

	/* An update replaces what was given and keeps added_on. */
	struct staff s = {.id = "sw1",
			  .name = "Sam Jones",
			  .email = "sam.jones@example.org",
			  .roles = ROLE_SOCIAL_WORKER,
			  .team = "South",
			  .manager_id = "pm2",
			  .nqsw_start = QA_DAY_NONE,
			  .since = QA_DAY_NONE,
			  .added_on = day("2000-01-01"), /* ignored */
			  .left_on = day("2000-01-02")}; /* ignored */
	assert_int_equal(staff_upsert(f->db, &s, day("2026-02-10"),
				      &command_line, &f->errs),
			 0);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_string_equal(got.name, "Sam Jones");
	assert_string_equal(got.email, "sam.jones@example.org");
	assert_string_equal(got.team, "South");
	assert_string_equal(got.manager_id, "pm2");
	assert_int_equal(got.roles, ROLE_SOCIAL_WORKER);
	assert_int_equal(got.nqsw_start, QA_DAY_NONE);
	assert_int_equal(got.added_on, day("2026-01-05"));
	assert_int_equal(got.left_on, QA_DAY_NONE);
	staff_done(&got);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM staff_roles "
					   "WHERE staff_id = 'sw1'"),
			 1);

	/* Nobody's manager: the id may be dropped. */
	s.manager_id = NULL;
	assert_int_equal(staff_upsert(f->db, &s, day("2026-02-10"),
				      &command_line, &f->errs),
			 0);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_null(got.manager_id);
	staff_done(&got);

	/* A leaver updated stays a leaver. */
	assert_int_equal(staff_leave(f->db, "sw1", day("2026-03-01"),
				     &leave_line, &f->errs),
			 0);
	assert_int_equal(staff_upsert(f->db, &s, day("2026-03-10"),
				      &command_line, &f->errs),
			 0);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_int_equal(got.left_on, day("2026-03-01"));
	staff_done(&got);

	assert_int_equal(staff_get(f->db, "nobody", &got), 0);
	assert_null(got.id);
	assert_int_equal(f->errs.n, 0);
}

static void upsert_checks_the_struct(void **state)
{
	struct fixture *f = *state;
	struct staff s = {.id = "sw1",
			  .name = "Sam ",
			  .email = "sam@example.org",
			  .roles = 0,
			  .team = "North",
			  .nqsw_start = QA_DAY_NONE,
			  .since = QA_DAY_NONE};
	assert_int_equal(staff_upsert(f->db, &s, day("2026-01-05"),
				      &command_line, &f->errs),
			 -1);
	assert_err_has(&f->errs, "staff: --role \"\": no role given");
	assert_err(&f->errs,
		   "staff: --name \"Sam \": starts or ends with a space");
	assert_int_equal(staff_count(f->db), 0);
}

static void upsert_refuses_unknown_manager(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	assert_int_equal(
		add(f, "sw1", "social_worker", "boss", NULL, "2026-01-05"), -1);
	assert_err(&f->errs, "staff: --manager \"boss\": manager boss is not "
			     "known; add them first");
	assert_int_equal(staff_get(f->db, "sw1", &got), 0);
	assert_int_equal(staff_count(f->db), 0);
}

static void upsert_refuses_self_manager(void **state)
{
	struct fixture *f = *state;
	struct staff s = {.id = "pm1",
			  .name = "Pat",
			  .email = "pat@example.org",
			  .roles = ROLE_PRACTICE_MANAGER,
			  .team = "North",
			  .manager_id = "pm1",
			  .nqsw_start = QA_DAY_NONE,
			  .since = QA_DAY_NONE};
	assert_int_equal(
		add(f, "pm1", "practice_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(staff_upsert(f->db, &s, day("2026-01-06"),
				      &command_line, &f->errs),
			 -1);
	assert_err(&f->errs,
		   "staff: --manager \"pm1\": a person cannot manage themself");
}

static void upsert_refuses_cycles(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	assert_int_equal(add(f, "a", "group_manager", NULL, NULL, "2026-01-05"),
			 0);
	assert_int_equal(
		add(f, "b", "practice_manager", "a", NULL, "2026-01-05"), 0);
	assert_int_equal(add(f, "c", "social_worker", "b", NULL, "2026-01-05"),
			 0);
	/* a -> b -> a */
	assert_int_equal(add(f, "a", "group_manager", "b", NULL, "2026-01-06"),
			 -1);
	assert_err(&f->errs, "staff: --manager \"b\": would make a management "
			     "cycle: a -> b -> a");
	errlist_done(&f->errs);
	/* a -> c -> b -> a */
	assert_int_equal(add(f, "a", "group_manager", "c", NULL, "2026-01-06"),
			 -1);
	assert_err(&f->errs, "staff: --manager \"c\": would make a management "
			     "cycle: a -> c -> b -> a");
	assert_int_equal(staff_get(f->db, "a", &got), 1);
	assert_null(got.manager_id);
	staff_done(&got);
	errlist_done(&f->errs);
	/* Not a cycle: c reports to a directly as well as through b. */
	assert_int_equal(add(f, "c", "social_worker", "a", NULL, "2026-01-06"),
			 0);
}

static void upsert_refuses_a_leaver_as_new_manager(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(
		add(f, "gm1", "group_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(
		add(f, "pm1", "practice_manager", "gm1", NULL, "2026-01-05"),
		0);
	assert_int_equal(staff_leave(f->db, "gm1", day("2026-02-01"),
				     &leave_line, &f->errs),
			 0);
	assert_int_equal(
		add(f, "pm2", "practice_manager", "gm1", NULL, "2026-02-03"),
		-1);
	assert_err(&f->errs, "staff: --manager \"gm1\": gm1 left on "
			     "2026-02-01; choose a manager in post");
	errlist_done(&f->errs);
	/* Someone who already reports to them can still be updated. */
	assert_int_equal(add(f, "pm1", "practice_manager,dcs", "gm1", NULL,
			     "2026-02-03"),
			 0);
}

/* In a caller's transaction (as `staff add` runs it), a manager stored
 * earlier in it counts, and a missing one gets the plain message, not a
 * foreign key failure at COMMIT. */
static void upsert_in_a_transaction_checks_the_manager(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(
		add(f, "pm1", "practice_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(
		add(f, "sw1", "social_worker", "pm1", NULL, "2026-01-05"), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(staff_count(f->db), 2);

	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(
		add(f, "sw2", "social_worker", "ghost", NULL, "2026-01-05"),
		-1);
	assert_err(&f->errs, "staff: --manager \"ghost\": manager ghost is "
			     "not known; add them first");
	/* Still the caller's transaction to end. */
	assert_int_equal(sqlite3_get_autocommit(f->db), 0);
	db_rollback(f->db);
	assert_int_equal(staff_count(f->db), 2);
}

/* ---- CSV import ---- */

static void import_happy_path(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	/* A BOM, CRLF, quoted commas and quotes, managers defined further
	 * down, several roles in one quoted cell. */
	char *path = write_file(
		f, "people.csv",
		"\xef\xbb\xbfid,name,email,role,team,manager,nqsw_start\r\n"
		"sw1,\"Smith, Jo \"\"JJ\"\"\",jo@example.org,social_worker,"
		"North,pm1,2026-01-05\r\n"
		"pm1,Pat O'Neil,pat@example.org,\"practice_manager, "
		"qa_team\",North,gm1,\r\n"
		"gm1,  Gita Rao  ,gita@example.org,group_manager,North,,\r\n"
		"eh1,\"Eve\",eve@example.org,early_help_service_lead,"
		"Early Help,gm1,\r\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), 4);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(staff_count(f->db), 4);

	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_string_equal(got.name, "Smith, Jo \"JJ\"");
	assert_string_equal(got.manager_id, "pm1");
	assert_int_equal(got.nqsw_start, day("2026-01-05"));
	assert_int_equal(got.added_on, day("2026-02-01"));
	staff_done(&got);
	assert_int_equal(staff_get(f->db, "pm1", &got), 1);
	assert_string_equal(got.name, "Pat O'Neil");
	assert_int_equal(got.roles, ROLE_PRACTICE_MANAGER | ROLE_QA_TEAM);
	assert_string_equal(got.manager_id, "gm1");
	assert_int_equal(got.nqsw_start, QA_DAY_NONE);
	staff_done(&got);
	assert_int_equal(staff_get(f->db, "gm1", &got), 1);
	assert_string_equal(got.name, "Gita Rao");
	assert_null(got.manager_id);
	staff_done(&got);
	assert_int_equal(staff_get(f->db, "eh1", &got), 1);
	assert_string_equal(got.team, "Early Help");
	assert_int_equal(got.roles, ROLE_EARLY_HELP_SERVICE_LEAD);
	staff_done(&got);

	/* Importing again updates in place; added_on stays. */
	free(path);
	path = write_file(f, "again.csv",
			  "id,name,email,role,team,manager,nqsw_start\n"
			  "sw1,Jo Smith,jo@example.org,social_worker,South,"
			  "gm1,2026-01-05");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-03-01"), &f->errs), 1);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_string_equal(got.name, "Jo Smith");
	assert_string_equal(got.team, "South");
	assert_string_equal(got.manager_id, "gm1");
	assert_int_equal(got.added_on, day("2026-02-01"));
	staff_done(&got);
	assert_int_equal(staff_count(f->db), 4);
	free(path);
}

static void import_reports_every_bad_row_and_stores_nothing(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	assert_int_equal(add(f, "old1", "dcs", NULL, NULL, "2026-01-05"), 0);
	long long staff_before = staff_count(f->db);
	long long roles_before =
		count_rows(f->db, "SELECT count(*) FROM staff_roles");
	char *path = write_file(
		f, "bad.csv",
		"id,name,email,role,team,manager,nqsw_start\n"       /* 1 */
		"sw1,Sam,sam@example.org,social_worker,North,pm1,\n" /* 2 */
		"sw2,Sue,sue@,social_worker,North,pm1,\n"            /* 3 */
		"sw3,Sid,sid@example.org,social_worker,North,pm1,"
		"2026-02-30\n"                                       /* 4 */
		"sw4,Syd,syd@example.org,wizard,North,pm1,\n"        /* 5 */
		"sw1,Sam Again,sam2@example.org,dcs,North,,\n"       /* 6 */
		"sw5,\"Sal\nLy\",sal@example.org,dcs,North,,\n"      /* 7-8 */
		"sw6,Sol,sol@example.org,dcs,North,boss,\n"          /* 9 */
		"sw7,Stu,stu@example.org,dcs\n"                      /* 10 */
		"\n"                                                 /* 11 */
		"pm1,Pat,pat@example.org,practice_manager,North,,\n" /* 12 */
		"old1,Old One,old@example.org,dcs,North,,\n"         /* 13 */
		",Nobody,nobody@example.org,dcs,North,,\n");         /* 14 */
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), -1);
	char expect[256];
#define EXPECT(...)                                            \
	do {                                                   \
		snprintf(expect, sizeof(expect), __VA_ARGS__); \
		assert_err(&f->errs, expect);                  \
	} while (0)
	EXPECT("%s:3: email \"sue@\": not an email address", path);
	EXPECT("%s:4: nqsw_start \"2026-02-30\": not a real date; use "
	       "YYYY-MM-DD",
	       path);
	snprintf(expect, sizeof(expect),
		 "%s:5: role \"wizard\": unknown role \"wizard\"; allowed: "
		 "dcs, lead_member",
		 path);
	assert_err_has(&f->errs, expect);
	EXPECT("%s:6: id \"sw1\": also on line 2; list each person once", path);
	EXPECT("%s:7: name \"Sal?Ly\": contains a control character", path);
	EXPECT("%s:9: manager \"boss\": not in this file nor in the database; "
	       "add them first",
	       path);
	EXPECT("%s:10: 4 fields, expected 7 (id,name,email,role,team,manager,"
	       "nqsw_start); quote a field that holds a comma",
	       path);
	snprintf(expect, sizeof(expect), "%s:14: id \"\": not a valid id",
		 path);
	assert_err_has(&f->errs, expect);
	assert_int_equal(f->errs.n, 8);
#undef EXPECT
	/* In file order, whichever check found them. */
	unsigned last_line = 0;
	for (size_t i = 0; i < f->errs.n; i++) {
		unsigned line =
			(unsigned)atoi(f->errs.msgs[i] + strlen(path) + 1);
		if (line <= last_line) {
			show_errs(&f->errs);
			fail_msg("message %zu is out of line order", i);
		}
		last_line = line;
	}
	/* Nothing stored, nothing changed. */
	assert_int_equal(staff_count(f->db), staff_before);
	assert_int_equal(count_rows(f->db, "SELECT count(*) FROM staff_roles"),
			 roles_before);
	assert_int_equal(staff_get(f->db, "pm1", &got), 0);
	assert_int_equal(staff_get(f->db, "old1", &got), 1);
	assert_string_equal(got.name, "Person old1");
	staff_done(&got);
	/* And the connection is usable: no transaction left open. */
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);
	free(path);
}

/* Line numbers count CRLF (and a lone CR) once, and a quoted line break. */
static void import_counts_physical_lines(void **state)
{
	struct fixture *f = *state;
	char expect[256];
	char *path = write_file(
		f, "crlf.csv",
		"\xef\xbb\xbfid,name,email,role,team,manager,nqsw_start\r\n"
		"sw1,\"Sam\r\nSmith\",sam@example.org,dcs,North,,\r\n"
		"sw2,Sue,sue@example.org,dcs,North,,\r\n"
		"sw3,Sid,sid@,dcs,North,,\r"
		"sw4,Syd,syd@,dcs,North,,\r\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), -1);
	snprintf(expect, sizeof(expect),
		 "%s:2: name \"Sam??Smith\": contains a control character",
		 path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:5: email \"sid@\": not an email address", path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:6: email \"syd@\": not an email address", path);
	assert_err(&f->errs, expect);
	assert_int_equal(f->errs.n, 3);
	assert_int_equal(staff_count(f->db), 0);
	free(path);
}

static void import_refuses_cycles_and_leavers(void **state)
{
	struct fixture *f = *state;
	char expect[256];
	assert_int_equal(
		add(f, "gone", "group_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(staff_leave(f->db, "gone", day("2026-01-20"),
				     &leave_line, &f->errs),
			 0);
	char *path =
		write_file(f, "cycle.csv",
			   "id,name,email,role,team,manager,nqsw_start\n"
			   "a,Al,al@example.org,group_manager,North,b,\n"
			   "b,Bo,bo@example.org,practice_manager,North,a,\n"
			   "c,Cy,cy@example.org,social_worker,North,gone,\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), -1);
	snprintf(expect, sizeof(expect),
		 "%s:2: manager \"b\": would make a management cycle: a -> b "
		 "-> a",
		 path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:4: manager \"gone\": gone left on 2026-01-20; choose a "
		 "manager in post",
		 path);
	assert_err(&f->errs, expect);
	assert_int_equal(staff_count(f->db), 1);
	free(path);
}

static void import_refuses_bad_headers_and_files(void **state)
{
	struct fixture *f = *state;
	char expect[512];
	struct {
		const char *data;
		const char *problem; /* after "PATH:" */
	} cases[] = {
		{"id,name,mail,role,team,manager,nqsw_start\n"
		 "sw1,Sam,sam@example.org,dcs,North,,\n",
		 "1: header: missing email; unknown column \"mail\"; expected "
		 "id,name,email,role,team,manager,nqsw_start in any order, and "
		 "optionally since, left_on"},
		{"id,name,email,role,team,manager,nqsw_start,grade,region\n"
		 "sw1,Sam,sam@example.org,dcs,North,,,good,\n",
		 "1: header: unknown columns \"grade\", \"region\"; expected "
		 "id,name,email,role,team,manager,nqsw_start in any order, and "
		 "optionally since, left_on"},
		{"id,name,email,role,team,manager,nqsw_start,name\n"
		 "sw1,Sam,sam@example.org,dcs,North,,,Sam\n",
		 "1: header: column \"name\" twice; expected "
		 "id,name,email,role,team,manager,nqsw_start in any order, and "
		 "optionally since, left_on"},
		/* The comma a spreadsheet leaves after the last column. */
		{"id,name,email,role,team,manager,nqsw_start,\n"
		 "sw1,Sam,sam@example.org,dcs,North,,,\n",
		 "1: header: a column with no name; expected "
		 "id,name,email,role,team,manager,nqsw_start in any order, and "
		 "optionally since, left_on"},
		{"id,name,email,role,team\n",
		 "1: header: missing manager, nqsw_start; expected "
		 "id,name,email,role,team,manager,nqsw_start in any order, and "
		 "optionally since, left_on"},
		{"", " empty; expected the header "
		     "id,name,email,role,team,manager,nqsw_start and a row per "
		     "person"},
		{"\xef\xbb\xbfid,name,email,role,team,manager,nqsw_start\r\n",
		 " no staff after the header"},
		{"id,name,email,role,team,manager,nqsw_start\n"
		 "sw1,Sam,sam@example.org,dcs,North,,\n"
		 "sw2,Sam \"the man\",sam@example.org,dcs,North,,\n",
		 "3: malformed CSV: a quote inside an unquoted field, or text "
		 "after a closing quote; quote the whole field and double any "
		 "quote inside it"},
		{"id,name,email,role,team,manager,nqsw_start\n"
		 "sw1,\"Sam,sam@example.org,dcs,North,,\n",
		 "2: a quoted field is not closed before the end of the file"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = write_file(f, "header.csv", cases[i].data);
		assert_int_equal(staff_import_csv(f->db, path,
						  day("2026-02-01"), &f->errs),
				 -1);
		snprintf(expect, sizeof(expect), "%s:%s", path,
			 cases[i].problem);
		assert_err(&f->errs, expect);
		assert_int_equal(f->errs.n, 1);
		errlist_done(&f->errs);
		free(path);
	}
	/* left_on is optional, the others are not. */
	char *path = write_file(f, "left.csv",
				"id,name,email,role,team,manager,left_on\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), -1);
	assert_err_has(&f->errs, "header: missing nqsw_start; expected");
	errlist_done(&f->errs);
	free(path);

	assert_int_equal(staff_import_csv(f->db, "/nonexistent/people.csv",
					  day("2026-02-01"), &f->errs),
			 -1);
	assert_err(&f->errs, "/nonexistent/people.csv: cannot open: No such "
			     "file or directory");
	assert_int_equal(staff_count(f->db), 0);
}

/* Columns in any order; left_on marks leavers as staff_leave would, once
 * every row is stored (a report of a leaver keeps them). */
static void import_reads_columns_by_name_and_leavers(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	char expect[512];
	assert_int_equal(
		add(f, "gm1", "group_manager", NULL, NULL, "2026-01-05"), 0);
	const char *good =
		"left_on,team,nqsw_start,manager,role,email,name,id\n"
		"2026-02-20,North,,,group_manager,gm1@example.org,Gita,gm1\n"
		"  ,'=North,2026-01-05,gm1,social_worker,sw1@example.org,Sam,"
		"sw1\n"
		"2026-02-01,North,,gm1,dcs,sw2@example.org,Sue,sw2\n";
	char *path = write_file(f, "order.csv", good);
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-02-01"), &f->errs), 3);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(staff_get(f->db, "gm1", &got), 1);
	assert_string_equal(got.name, "Gita");
	assert_int_equal(got.added_on, day("2026-01-05"));
	assert_int_equal(got.left_on, day("2026-02-20"));
	staff_done(&got);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_string_equal(got.team, "=North");
	assert_string_equal(got.manager_id, "gm1");
	assert_int_equal(got.nqsw_start, day("2026-01-05"));
	assert_int_equal(got.left_on, QA_DAY_NONE);
	staff_done(&got);
	assert_int_equal(staff_get(f->db, "sw2", &got), 1);
	assert_int_equal(got.added_on, day("2026-02-01"));
	assert_int_equal(got.left_on, day("2026-02-01"));
	staff_done(&got);

	/* The same file again: who left on that day already is no news;
	 * the 7 columns without left_on leave leavers as they are. */
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-03-01"), &f->errs), 3);
	free(path);
	path = write_file(f, "seven.csv",
			  "id,name,email,role,team,manager,nqsw_start\n"
			  "sw2,Sue,sw2@example.org,dcs,North,gm1,\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-03-01"), &f->errs), 1);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(staff_get(f->db, "sw2", &got), 1);
	assert_int_equal(got.left_on, day("2026-02-01"));
	staff_done(&got);
	free(path);

	/* As staff leave refuses, by line; nothing stored. */
	long long before = staff_count(f->db);
	path = write_file(
		f, "leave.csv",
		"name,id,email,role,team,manager,nqsw_start,left_on\n"
		"Gita,gm1,gm1@example.org,group_manager,North,,,2026-02-21\n"
		"Al,al1,al@example.org,dcs,North,,,2026-02-28\n"
		"Bo,bo1,bo@example.org,dcs,North,,,2026-03-01\n"
		"Cy,cy1,cy@example.org,dcs,North,,,2026-03-32\n"
		"Di,di1,di@example.org,dcs,North,,\n");
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-03-01"), &f->errs), -1);
	snprintf(expect, sizeof(expect),
		 "%s:2: left_on \"2026-02-21\": gm1 already left on 2026-02-20",
		 path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:3: left_on \"2026-02-28\": before al1 was added on "
		 "2026-03-01",
		 path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:5: left_on \"2026-03-32\": not a real date; use "
		 "YYYY-MM-DD",
		 path);
	assert_err(&f->errs, expect);
	snprintf(expect, sizeof(expect),
		 "%s:6: 7 fields, expected 8 (name,id,email,role,team,manager,"
		 "nqsw_start,left_on); quote a field that holds a comma",
		 path);
	assert_err(&f->errs, expect);
	assert_int_equal(f->errs.n, 4);
	assert_int_equal(staff_count(f->db), before);
	assert_int_equal(staff_get(f->db, "bo1", &got), 0);
	assert_int_equal(sqlite3_get_autocommit(f->db), 1);
	free(path);
}

/* ---- leaving ---- */

static void leave_cases(void **state)
{
	struct fixture *f = *state;
	struct staff got;
	assert_int_equal(
		add(f, "sw1", "social_worker", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(staff_leave(f->db, "ghost", day("2026-02-01"),
				     &leave_line, &f->errs),
			 -1);
	assert_err(&f->errs,
		   "staff: --id \"ghost\": not known; see qa-scheduler staff "
		   "list");
	assert_int_equal(staff_leave(f->db, "sw1", day("2026-01-04"),
				     &leave_line, &f->errs),
			 -1);
	assert_err(&f->errs, "staff: --date 2026-01-04: before sw1 was added "
			     "on 2026-01-05");
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_int_equal(got.left_on, QA_DAY_NONE);
	staff_done(&got);
	errlist_done(&f->errs);

	/* Leaving on the day of joining is fine. */
	assert_int_equal(staff_leave(f->db, "sw1", day("2026-01-05"),
				     &leave_line, &f->errs),
			 0);
	assert_int_equal(f->errs.n, 0);
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_int_equal(got.left_on, day("2026-01-05"));
	assert_int_equal(got.added_on, day("2026-01-05"));
	assert_string_equal(got.name, "Person sw1"); /* history kept */
	staff_done(&got);

	assert_int_equal(staff_leave(f->db, "sw1", day("2026-03-01"),
				     &leave_line, &f->errs),
			 -1);
	assert_err(&f->errs, "staff: sw1 already left on 2026-01-05");
	assert_int_equal(staff_get(f->db, "sw1", &got), 1);
	assert_int_equal(got.left_on, day("2026-01-05"));
	staff_done(&got);
}

/* ---- listing ---- */

static void add_list_fixture(struct fixture *f)
{
	assert_int_equal(
		add(f, "gm1", "group_manager", NULL, NULL, "2026-01-05"), 0);
	assert_int_equal(add(f, "pm1", "practice_manager,qa_team", "gm1", NULL,
			     "2026-01-05"),
			 0);
	struct staff s = {
		.id = "sw1",
		.name = "Alexandra Montgomery-Fitzwilliam, \"Lexi\" Ødegård",
		.email = "lexi@example.org",
		.roles = ROLE_SOCIAL_WORKER,
		.team = "Children in Care",
		.manager_id = "pm1",
		.nqsw_start = day("2026-01-12"),
		.since = QA_DAY_NONE};
	assert_int_equal(staff_upsert(f->db, &s, day("2026-01-06"),
				      &command_line, &f->errs),
			 0);
	struct staff eh = {.id = "eh1",
			   .name = "Eve",
			   .email = "eve@example.org",
			   .roles = ROLE_EARLY_HELP_SERVICE_LEAD,
			   .team = "Early Help",
			   .nqsw_start = QA_DAY_NONE,
			   .since = QA_DAY_NONE};
	assert_int_equal(staff_upsert(f->db, &eh, day("2026-01-06"),
				      &command_line, &f->errs),
			 0);
	assert_int_equal(staff_leave(f->db, "eh1", day("2026-02-27"),
				     &leave_line, &f->errs),
			 0);
}

/* What staff_list wrote, as a string. */
static char *list_to_text(sqlite3 *db, const char *team,
			  enum staff_format format)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	assert_non_null(out);
	int rc = staff_list(db, team, format, out);
	fclose(out);
	assert_int_equal(rc, 0);
	return text;
}

static void list_table(void **state)
{
	struct fixture *f = *state;
	add_list_fixture(f);
	char *text = list_to_text(f->db, NULL, STAFF_FORMAT_TABLE);
	fputs(text, stderr);
	/* Header plus one line per person, by id. */
	const char *expect_ids[] = {"ID ", "eh1 ", "gm1 ", "pm1 ", "sw1 "};
	char *line = text;
	for (size_t i = 0; i < 5; i++) {
		char *end = strchr(line, '\n');
		assert_non_null(end);
		*end = '\0';
		assert_memory_equal(line, expect_ids[i], strlen(expect_ids[i]));
		/* Code points, not bytes: "…" and "Ø" are one column. */
		size_t width = 0;
		for (char *c = line; *c; c++)
			width += ((unsigned char)*c & 0xc0) != 0x80;
		assert_true(width <= 100);
		switch (i) {
		case 0:
			assert_non_null(strstr(line, "NAME"));
			assert_non_null(strstr(line, "NQSW_START"));
			break;
		case 1: /* left, no manager */
			assert_non_null(strstr(line, "2026-02-27"));
			assert_non_null(
				strstr(line, "early_help_service_lead"));
			break;
		case 3:
			assert_non_null(
				strstr(line, "practice_manager,qa_team"));
			assert_non_null(strstr(line, "gm1"));
			break;
		case 4: /* long name cut */
			assert_non_null(strstr(line, "Alexandra"));
			assert_non_null(strstr(line, "…"));
			assert_null(strstr(line, "Lexi"));
			assert_non_null(strstr(line, "2026-01-12"));
			break;
		}
		line = end + 1;
	}
	assert_string_equal(line, "");
	free(text);

	/* One team. */
	text = list_to_text(f->db, "Early Help", STAFF_FORMAT_TABLE);
	assert_non_null(strstr(text, "eh1"));
	assert_null(strstr(text, "gm1"));
	free(text);
}

static void list_json(void **state)
{
	struct fixture *f = *state;
	add_list_fixture(f);
	char *text = list_to_text(f->db, NULL, STAFF_FORMAT_JSON);
	json_error_t error;
	json_t *all = json_loads(text, 0, &error);
	if (!all)
		fail_msg("JSON does not parse: %s: %s", error.text, text);
	assert_true(json_is_array(all));
	assert_int_equal(json_array_size(all), 4);

	json_t *eh = json_array_get(all, 0);
	assert_string_equal(json_string_value(json_object_get(eh, "id")),
			    "eh1");
	assert_true(json_is_null(json_object_get(eh, "manager_id")));
	assert_true(json_is_null(json_object_get(eh, "nqsw_start")));
	assert_string_equal(json_string_value(json_object_get(eh, "left_on")),
			    "2026-02-27");
	json_t *roles = json_object_get(eh, "roles");
	assert_int_equal(json_array_size(roles), 1);
	assert_string_equal(json_string_value(json_array_get(roles, 0)),
			    "early_help_service_lead");

	json_t *sw = json_array_get(all, 3);
	const char *keys[] = {"id",    "name",       "email",      "roles",
			      "team",  "manager_id", "nqsw_start", "added_on",
			      "since", "left_on"};
	assert_int_equal(json_object_size(sw), 10);
	for (size_t i = 0; i < 10; i++)
		assert_non_null(json_object_get(sw, keys[i]));
	assert_string_equal(
		json_string_value(json_object_get(sw, "name")),
		"Alexandra Montgomery-Fitzwilliam, \"Lexi\" Ødegård");
	assert_string_equal(json_string_value(json_object_get(sw, "email")),
			    "lexi@example.org");
	assert_string_equal(json_string_value(json_object_get(sw, "team")),
			    "Children in Care");
	assert_string_equal(
		json_string_value(json_object_get(sw, "manager_id")), "pm1");
	assert_string_equal(
		json_string_value(json_object_get(sw, "nqsw_start")),
		"2026-01-12");
	assert_string_equal(json_string_value(json_object_get(sw, "added_on")),
			    "2026-01-06");
	assert_true(json_is_null(json_object_get(sw, "left_on")));

	json_t *pm = json_array_get(all, 2);
	roles = json_object_get(pm, "roles");
	assert_int_equal(json_array_size(roles), 2);
	assert_string_equal(json_string_value(json_array_get(roles, 0)),
			    "practice_manager");
	assert_string_equal(json_string_value(json_array_get(roles, 1)),
			    "qa_team");
	json_decref(all);
	free(text);

	text = list_to_text(f->db, "Nowhere", STAFF_FORMAT_JSON);
	assert_string_equal(text, "[]\n");
	free(text);
}

static void list_csv_imports_back(void **state)
{
	struct fixture *f = *state;
	add_list_fixture(f);
	char *csv = list_to_text(f->db, NULL, STAFF_FORMAT_CSV);
	fputs(csv, stderr);
	assert_memory_equal(
		csv,
		"id,name,email,role,team,manager,nqsw_start,since,left_on\n",
		57);
	assert_non_null(strstr(csv, "eh1,Eve,eve@example.org,"
				    "early_help_service_lead,Early Help,,,"
				    "2026-01-06,2026-02-27\n"));
	assert_non_null(strstr(csv, "pm1,Person pm1,pm1@example.org,"
				    "\"practice_manager,qa_team\",North,gm1,,"
				    "2026-01-05,\n"));
	assert_non_null(strstr(csv, "\"Alexandra Montgomery-Fitzwilliam, "
				    "\"\"Lexi\"\" Ødegård\""));

	/* Into a fresh database on a later day, and out again: the same,
	 * the leaver too (tracked since before they left). */
	char *path = write_file(f, "export.csv", csv);
	char fresh_path[256];
	sqlite3 *fresh = NULL;
	snprintf(fresh_path, sizeof(fresh_path), "%s/fresh.db", f->dir);
	assert_int_equal(db_open(fresh_path, &fresh), 0);
	assert_int_equal(
		staff_import_csv(fresh, path, day("2026-03-01"), &f->errs), 4);
	char *again = list_to_text(fresh, NULL, STAFF_FORMAT_CSV);
	assert_string_equal(again, csv);

	/* And into the same database: nothing changes. */
	assert_int_equal(
		staff_import_csv(f->db, path, day("2026-03-01"), &f->errs), 4);
	char *same = list_to_text(f->db, NULL, STAFF_FORMAT_CSV);
	assert_string_equal(same, csv);

	db_close(fresh);
	free(same);
	free(again);
	free(path);
	free(csv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(id_validation),
		cmocka_unit_test(email_validation),
		cmocka_unit_test_setup_teardown(parse_reports_every_field,
						setup, teardown),
		cmocka_unit_test_setup_teardown(upsert_adds_then_updates, setup,
						teardown),
		cmocka_unit_test_setup_teardown(upsert_checks_the_struct, setup,
						teardown),
		cmocka_unit_test_setup_teardown(upsert_refuses_unknown_manager,
						setup, teardown),
		cmocka_unit_test_setup_teardown(upsert_refuses_self_manager,
						setup, teardown),
		cmocka_unit_test_setup_teardown(upsert_refuses_cycles, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			upsert_refuses_a_leaver_as_new_manager, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			upsert_in_a_transaction_checks_the_manager, setup,
			teardown),
		cmocka_unit_test_setup_teardown(import_happy_path, setup,
						teardown),
		cmocka_unit_test_setup_teardown(
			import_reports_every_bad_row_and_stores_nothing, setup,
			teardown),
		cmocka_unit_test_setup_teardown(import_counts_physical_lines,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			import_refuses_cycles_and_leavers, setup, teardown),
		cmocka_unit_test_setup_teardown(
			import_refuses_bad_headers_and_files, setup, teardown),
		cmocka_unit_test_setup_teardown(
			import_reads_columns_by_name_and_leavers, setup,
			teardown),
		cmocka_unit_test_setup_teardown(leave_cases, setup, teardown),
		cmocka_unit_test_setup_teardown(list_table, setup, teardown),
		cmocka_unit_test_setup_teardown(list_json, setup, teardown),
		cmocka_unit_test_setup_teardown(list_csv_imports_back, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
