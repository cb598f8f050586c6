/* Fixtures shared by the unit tests that run the engine on a real SQLite
 * file (test_schedule.c, test_feed.c). Each test is its own program, so
 * these are static; include after <cmocka.h>. */
#ifndef QA_UNIT_HELPERS_H
#define QA_UNIT_HELPERS_H

#include <stdio.h>
#include <unistd.h>

#include "staff.h"

/* Add or update one person, failing the test (with the reasons printed)
 * when the store refuses them. */
static inline void unit_add_person(sqlite3 *db, const struct staff_text *text,
				   qa_day today)
{
	struct staff s = {0};
	struct errlist errs = {0};
	struct staff_origin from = {NULL, 0, NULL};
	assert_int_equal(staff_parse(text, &from, &s, &errs), 0);
	int rc = staff_upsert(db, &s, today, &from, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	assert_int_equal(rc, 0);
	staff_done(&s);
	errlist_done(&errs);
}

/* Remove a closed database file with its WAL and shared-memory files. */
static inline void unit_remove_database(const char *db_path)
{
	char path[512];
	snprintf(path, sizeof(path), "%s-wal", db_path);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db_path);
	unlink(path);
	unlink(db_path);
}

#endif
