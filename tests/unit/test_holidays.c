/* calendar: the shipped England and Wales bank holidays and working-day
 * arithmetic. Every expected date was worked out by hand from the rules
 * (substitute days, Easter) and the one-off days. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "holidays.h"
#include "qa-scheduler/util.h"

#define HOLIDAYS QA_SOURCE_DIR "/calendars/england-and-wales-bank-holidays.ics"

static struct holidays h;

static qa_day ymd(int y, int m, int d)
{
	return qa_day_from_ymd(y, m, d);
}

static int setup(void **state)
{
	(void)state;
	char *files[] = {HOLIDAYS};
	struct config_list list = {files, 1};
	struct errlist errs = {0};
	int rc = holidays_load(&list, &h, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.msgs[i]);
	errlist_done(&errs);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	holidays_done(&h);
	return 0;
}

static void every_2026_bank_holiday(void **state)
{
	(void)state;
	const qa_day days[] = {ymd(2026, 1, 1),   ymd(2026, 4, 3),
			       ymd(2026, 4, 6),   ymd(2026, 5, 4),
			       ymd(2026, 5, 25),  ymd(2026, 8, 31),
			       ymd(2026, 12, 25), ymd(2026, 12, 28)};
	int count = 0;
	for (qa_day d = ymd(2026, 1, 1); d <= ymd(2026, 12, 31); d++)
		count += holidays_contains(&h, d);
	assert_int_equal(count, 8);
	for (size_t i = 0; i < 8; i++) {
		assert_true(holidays_contains(&h, days[i]));
		assert_false(holidays_is_working_day(&h, days[i]));
	}
	/* Boxing Day 2026 is a Saturday: the substitute is Monday 28th. */
	assert_false(holidays_contains(&h, ymd(2026, 12, 26)));
	assert_int_equal(h.n, 91);
}

static void one_off_days(void **state)
{
	(void)state;
	assert_true(holidays_contains(&h, ymd(2020, 5, 8)));
	assert_false(holidays_contains(&h, ymd(2020, 5, 4))); /* moved */
	assert_true(holidays_contains(&h, ymd(2022, 6, 2)));
	assert_true(holidays_contains(&h, ymd(2022, 6, 3)));
	assert_false(holidays_contains(&h, ymd(2022, 5, 30))); /* moved */
	assert_true(holidays_contains(&h, ymd(2022, 9, 19)));
	assert_true(holidays_contains(&h, ymd(2023, 5, 8)));
}

static void christmas_on_each_weekend_day(void **state)
{
	(void)state;
	/* Friday 2026: 25th and Monday 28th. */
	assert_true(holidays_contains(&h, ymd(2026, 12, 25)));
	assert_true(holidays_contains(&h, ymd(2026, 12, 28)));
	/* Saturday 2027: Monday 27th and Tuesday 28th. */
	assert_true(holidays_contains(&h, ymd(2027, 12, 27)));
	assert_true(holidays_contains(&h, ymd(2027, 12, 28)));
	assert_true(holidays_is_working_day(&h, ymd(2027, 12, 29)));
	/* Sunday 2022: Boxing Day Monday 26th, substitute Tuesday 27th. */
	assert_true(holidays_contains(&h, ymd(2022, 12, 26)));
	assert_true(holidays_contains(&h, ymd(2022, 12, 27)));
}

static void last_working_days(void **state)
{
	(void)state;
	/* 31 Aug 2026 is the summer bank holiday: Friday 28th. */
	assert_int_equal(holidays_last_working_day(&h, ymd(2026, 8, 10),
						   QA_PERIOD_MONTH),
			 ymd(2026, 8, 28));
	/* 31 May 2027 is the spring bank holiday: Friday 28th. */
	assert_int_equal(
		holidays_last_working_day(&h, ymd(2027, 5, 1), QA_PERIOD_MONTH),
		ymd(2027, 5, 28));
	/* Quarter ending Thu 31 Dec 2026 (a working day). */
	assert_int_equal(holidays_last_working_day(&h, ymd(2026, 11, 27),
						   QA_PERIOD_QUARTER),
			 ymd(2026, 12, 31));
	/* Week of Good Friday 2026: Thursday 2 April. */
	assert_int_equal(
		holidays_last_working_day(&h, ymd(2026, 3, 30), QA_PERIOD_WEEK),
		ymd(2026, 4, 2));
	/* Month ending on a Sunday (May 2026): Friday 29th. */
	assert_int_equal(
		holidays_last_working_day(&h, ymd(2026, 5, 4), QA_PERIOD_MONTH),
		ymd(2026, 5, 29));
}

static void adding_working_days(void **state)
{
	(void)state;
	/* 5 working days from Tue 22 Dec 2026: 23, 24, 29, 30, 31 Dec. */
	assert_int_equal(holidays_add_working_days(&h, ymd(2026, 12, 22), 5),
			 ymd(2026, 12, 31));
	/* From Thu 2 Apr 2026 across Easter: 7, 8, 9, 10, 13 Apr. */
	assert_int_equal(holidays_add_working_days(&h, ymd(2026, 4, 2), 5),
			 ymd(2026, 4, 13));
	/* From Wed 23 Dec 2027: 24, 29, 30, 31 Dec, 4 Jan (3 Jan 2028 is the
	 * New Year substitute). */
	assert_int_equal(holidays_add_working_days(&h, ymd(2027, 12, 23), 5),
			 ymd(2028, 1, 4));
	/* Back from Tue 7 Apr 2026: Thu 2 (1), Wed 1 (2). */
	assert_int_equal(holidays_add_working_days(&h, ymd(2026, 4, 7), -2),
			 ymd(2026, 4, 1));
	assert_int_equal(holidays_add_working_days(&h, ymd(2026, 4, 4), 0),
			 ymd(2026, 4, 4));
}

static void shifting(void **state)
{
	(void)state;
	assert_int_equal(holidays_shift(&h, ymd(2026, 4, 3), 1),
			 ymd(2026, 4, 7));
	assert_int_equal(holidays_shift(&h, ymd(2026, 4, 6), -1),
			 ymd(2026, 4, 2));
	assert_int_equal(holidays_shift(&h, ymd(2026, 11, 27), -1),
			 ymd(2026, 11, 27));
}

static void bad_files_are_named(void **state)
{
	(void)state;
	char dir[] = "/tmp/qa-cal-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char bad[64], missing[64];
	snprintf(bad, sizeof(bad), "%s/bad.ics", dir);
	snprintf(missing, sizeof(missing), "%s/missing.ics", dir);
	FILE *f = fopen(bad, "w");
	assert_non_null(f);
	fputs("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:no start\r\n"
	      "END:VEVENT\r\nEND:VCALENDAR\r\n",
	      f);
	fclose(f);
	char *files[] = {HOLIDAYS, bad, missing};
	struct config_list list = {files, 3};
	struct errlist errs = {0};
	struct holidays partial;
	assert_int_equal(holidays_load(&list, &partial, &errs), -1);
	assert_int_equal(errs.n, 2);
	assert_non_null(strstr(errs.msgs[0], bad));
	assert_non_null(strstr(errs.msgs[0], "DTSTART"));
	assert_non_null(strstr(errs.msgs[1], missing));
	/* The good file still loaded. */
	assert_int_equal(partial.n_files, 1);
	assert_int_equal(partial.n, 91);
	holidays_done(&partial);
	errlist_done(&errs);
	unlink(bad);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_2026_bank_holiday),
		cmocka_unit_test(one_off_days),
		cmocka_unit_test(christmas_on_each_weekend_day),
		cmocka_unit_test(last_working_days),
		cmocka_unit_test(adding_working_days),
		cmocka_unit_test(shifting),
		cmocka_unit_test(bad_files_are_named),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
