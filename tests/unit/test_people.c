/* people: the staff as the schedule and the reminders read them, on a real
 * SQLite file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "unit_helpers.h"
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "date.h"
#include "db.h"
#include "people.h"
#include "staff.h"

struct fixture {
	char dir[64];
	char db_path[128];
	sqlite3 *db;
};

#define TODAY qa_day_from_ymd(2026, 3, 7)

static void add(sqlite3 *db, const char *id, const char *role,
		const char *manager, const char *nqsw)
{
	struct staff_text text = {.id = id,
				  .name = id,
				  .email = "someone@example.org",
				  .role = role,
				  .team = "Team A",
				  .manager = manager,
				  .nqsw_start = nqsw};
	unit_add_person(db, &text, TODAY);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	strcpy(f->dir, "/tmp/qa-people-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->db_path, sizeof(f->db_path), "%s/qa.db", f->dir);
	assert_int_equal(db_open(f->db_path, &f->db), 0);
	/* Added out of id order, managers first. */
	add(f->db, "sl", "early_help_service_lead", NULL, NULL);
	add(f->db, "pm", "practice_manager", "sl", NULL);
	add(f->db, "amy", "social_worker", "pm", "2026-01-05");
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	db_close(f->db);
	unit_remove_database(f->db_path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void everyone_in_id_order(void **state)
{
	struct fixture *f = *state;
	struct people people;
	exec_ok(f->db, "UPDATE staff SET left_on = '2026-03-07' WHERE id = "
		       "'pm'");
	assert_int_equal(people_load(f->db, NULL, 0, &people), 0);
	assert_int_equal(people.n, 3);
	assert_string_equal(people.items[0].id, "amy");
	assert_string_equal(people.items[1].id, "pm");
	assert_string_equal(people.items[2].id, "sl");

	const struct person *amy = people_find(&people, "amy");
	assert_ptr_equal(amy, &people.items[0]);
	assert_string_equal(amy->manager_id, "pm");
	assert_string_equal(amy->email, "someone@example.org");
	assert_int_equal(amy->roles, ROLE_SOCIAL_WORKER);
	assert_int_equal(amy->nqsw_start, qa_day_from_ymd(2026, 1, 5));
	assert_int_equal(amy->since, TODAY);
	assert_int_equal(amy->left_on, QA_DAY_NONE);
	assert_true(people_in_post(amy, TODAY));

	/* Leaving today: in post until the end of it, still loaded after. */
	const struct person *pm = people_find(&people, "pm");
	assert_non_null(pm);
	assert_int_equal(pm->left_on, TODAY);
	assert_true(people_in_post(pm, TODAY));
	assert_false(people_in_post(pm, TODAY + 1));

	/* Roles are effective: an early help service lead is a service lead
	 * too. */
	const struct person *sl = people_find(&people, "sl");
	assert_null(sl->manager_id);
	assert_int_equal(sl->roles,
			 ROLE_EARLY_HELP_SERVICE_LEAD | ROLE_SERVICE_LEAD);

	assert_null(people_find(&people, "nobody"));
	assert_null(people_find(&people, NULL));
	assert_false(people_in_post(NULL, TODAY));
	people_done(&people);
	assert_int_equal(people.n, 0);
	assert_null(people.items);
}

static void only_one(void **state)
{
	struct fixture *f = *state;
	struct people people;
	assert_int_equal(people_load(f->db, "pm", 0, &people), 0);
	assert_int_equal(people.n, 1);
	assert_string_equal(people.items[0].id, "pm");
	people_done(&people);
	assert_int_equal(people_load(f->db, "nobody", 0, &people), 0);
	assert_int_equal(people.n, 0);
	assert_null(people_find(&people, "pm"));
	people_done(&people);
}

/* Load with flags, returning what was logged on stderr. */
static char *load_logged(struct fixture *f, unsigned flags,
			 struct people *people)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/stderr.txt", f->dir);
	fflush(stderr);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0);
	int saved = dup(STDERR_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	int rc = people_load(f->db, NULL, flags, people);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	assert_int_equal(rc, 0);
	FILE *in = fopen(path, "r");
	assert_non_null(in);
	char *text = calloc(1, 4096);
	assert_non_null(text);
	size_t got = fread(text, 1, 4095, in);
	text[got] = '\0';
	fclose(in);
	unlink(path);
	return text;
}

/* A stored role this version does not know counts for nothing; the
 * schedule's loads say so, the reminders' do not. */
static void unknown_stored_role(void **state)
{
	struct fixture *f = *state;
	struct people people;
	exec_ok(f->db, "INSERT INTO staff_roles (staff_id, role) VALUES"
		       " ('amy', 'dropped_role')");
	char *log = load_logged(f, PEOPLE_WARN_ROLES, &people);
	assert_int_equal(people.n, 3);
	assert_int_equal(people_find(&people, "amy")->roles, 0);
	assert_int_equal(people_find(&people, "pm")->roles,
			 ROLE_PRACTICE_MANAGER);
	assert_non_null(strstr(log, "staff amy"));
	assert_non_null(strstr(log, "dropped_role"));
	free(log);
	people_done(&people);

	log = load_logged(f, 0, &people);
	assert_int_equal(people_find(&people, "amy")->roles, 0);
	assert_string_equal(log, "");
	free(log);
	people_done(&people);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(everyone_in_id_order, setup,
						teardown),
		cmocka_unit_test_setup_teardown(only_one, setup, teardown),
		cmocka_unit_test_setup_teardown(unknown_stored_role, setup,
						teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
