/* date: typed dates and the qa_day arithmetic of plugin.h. Expected values
 * are calendar facts worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <string.h>

#include "date.h"

static qa_day ymd(int y, int m, int d)
{
	return qa_day_from_ymd(y, m, d);
}

static void parse_accepts_real_dates(void **state)
{
	(void)state;
	qa_day day;
	assert_int_equal(date_parse("1970-01-01", &day), 0);
	assert_int_equal(day, 0);
	assert_int_equal(date_parse("2026-11-27", &day), 0);
	assert_int_equal(day, 20784); /* 2026-11-27: 56 years + 14 leap days */
	assert_int_equal(date_parse("2028-02-29", &day), 0);
	assert_int_equal(date_parse("2000-02-29", &day), 0);
	assert_int_equal(date_parse("2026-12-31", &day), 0);
}

static void parse_refuses_impossible_and_malformed(void **state)
{
	(void)state;
	qa_day day = 12345;
	const char *bad[] = {"2026-02-30", "2026-02-29",  "1900-02-29",
			     "2026-04-31", "2026-13-01",  "2026-00-10",
			     "2026-01-00", "2026-1-5",    "26-01-05",
			     "2026/01/05", "2026-01-05x", " 2026-01-05",
			     "",           "abcd-ef-gh",  "1899-12-31"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(date_parse(bad[i], &day), -1);
		assert_int_equal(day, 12345); /* untouched */
	}
	assert_int_equal(date_parse(NULL, &day), -1);
}

static void format_round_trips(void **state)
{
	(void)state;
	char buf[DATE_TEXT_SIZE];
	assert_string_equal(date_format(ymd(2028, 2, 29), buf), "2028-02-29");
	assert_string_equal(date_format(ymd(1999, 12, 31), buf), "1999-12-31");
	for (qa_day d = ymd(2019, 12, 25); d < ymd(2031, 1, 10); d++) {
		qa_day back;
		assert_int_equal(date_parse(date_format(d, buf), &back), 0);
		assert_int_equal(back, d);
	}
}

static void weekdays(void **state)
{
	(void)state;
	assert_int_equal(qa_day_weekday(ymd(1970, 1, 1)), 4);   /* Thursday */
	assert_int_equal(qa_day_weekday(ymd(2026, 11, 27)), 5); /* Friday */
	assert_int_equal(qa_day_weekday(ymd(2026, 12, 25)), 5); /* Friday */
	assert_int_equal(qa_day_weekday(ymd(2027, 12, 25)), 6); /* Saturday */
	assert_int_equal(qa_day_weekday(ymd(2022, 12, 25)), 7); /* Sunday */
	assert_int_equal(qa_day_weekday(ymd(2026, 8, 31)), 1);  /* Monday */
	assert_int_equal(qa_day_weekday(ymd(1969, 12, 31)), 3); /* Wednesday */
}

static void months_clamp_to_month_end(void **state)
{
	(void)state;
	/* NQSW phases are calendar months from the start date. */
	assert_int_equal(qa_day_add_months(ymd(2026, 1, 5), 6),
			 ymd(2026, 7, 5));
	assert_int_equal(qa_day_add_months(ymd(2026, 1, 5), 12),
			 ymd(2027, 1, 5));
	assert_int_equal(qa_day_add_months(ymd(2026, 8, 31), 6),
			 ymd(2027, 2, 28));
	assert_int_equal(qa_day_add_months(ymd(2027, 8, 31), 6),
			 ymd(2028, 2, 29));
	assert_int_equal(qa_day_add_months(ymd(2028, 2, 29), 12),
			 ymd(2029, 2, 28));
	assert_int_equal(qa_day_add_months(ymd(2028, 2, 29), 6),
			 ymd(2028, 8, 29));
	assert_int_equal(qa_day_add_months(ymd(2026, 3, 31), 1),
			 ymd(2026, 4, 30));
	assert_int_equal(qa_day_add_months(ymd(2026, 12, 31), 2),
			 ymd(2027, 2, 28));
	assert_int_equal(qa_day_add_months(ymd(2026, 5, 15), -6),
			 ymd(2025, 11, 15));
}

static void periods(void **state)
{
	(void)state;
	qa_day d = ymd(2026, 11, 27);
	assert_int_equal(qa_period_start(d, QA_PERIOD_WEEK), ymd(2026, 11, 23));
	assert_int_equal(qa_period_end(d, QA_PERIOD_WEEK), ymd(2026, 11, 29));
	assert_int_equal(qa_period_start(d, QA_PERIOD_MONTH), ymd(2026, 11, 1));
	assert_int_equal(qa_period_end(d, QA_PERIOD_MONTH), ymd(2026, 11, 30));
	assert_int_equal(qa_period_start(d, QA_PERIOD_QUARTER),
			 ymd(2026, 10, 1));
	assert_int_equal(qa_period_end(d, QA_PERIOD_QUARTER),
			 ymd(2026, 12, 31));
	assert_int_equal(qa_period_end(ymd(2028, 2, 3), QA_PERIOD_MONTH),
			 ymd(2028, 2, 29));
	assert_int_equal(qa_period_end(ymd(2026, 2, 3), QA_PERIOD_QUARTER),
			 ymd(2026, 3, 31));
	assert_int_equal(qa_period_start(ymd(2026, 6, 30), QA_PERIOD_QUARTER),
			 ymd(2026, 4, 1));
	assert_int_equal(qa_period_end(d, QA_PERIOD_YEAR), ymd(2026, 12, 31));
	/* An ISO week across the new year: Mon 28 Dec 2026 - Sun 3 Jan 2027. */
	assert_int_equal(qa_period_end(ymd(2026, 12, 31), QA_PERIOD_WEEK),
			 ymd(2027, 1, 3));
}

static void local_date_of_instant(void **state)
{
	(void)state;
	qa_day day;
	/* 2026-03-28 23:30 UTC is 23:30 GMT; 2026-06-30 23:30 UTC is
	 * 00:30 BST on 1 July. */
	assert_int_equal(date_of_instant(1774740600, "Europe/London", &day), 0);
	assert_int_equal(day, ymd(2026, 3, 28));
	assert_int_equal(date_of_instant(1782862200, "Europe/London", &day), 0);
	assert_int_equal(day, ymd(2026, 7, 1));
	assert_int_equal(date_of_instant(0, "Mars/Olympus", &day), -1);
}

/* The offset table gives what libical gives, minute for minute, at every
 * quarter hour across four years (British Summer Time, US Eastern time, a
 * half-hour change at Lord Howe Island, none at all in India) and at every
 * second around each change; and libical's answer outside its span. */
static void offset_table_agrees_with_libical(void **state)
{
	(void)state;
	static const char *const zones[] = {"Europe/London", "America/New_York",
					    "Australia/Lord_Howe",
					    "Asia/Kolkata"};
	const time_t from = 1735689600; /* 2025-01-01 00:00 UTC */
	const time_t to = from + 4 * 365 * 86400L;
	for (size_t z = 0; z < sizeof(zones) / sizeof(zones[0]); z++) {
		struct date_offsets table;
		assert_int_equal(date_offsets_build(zones[z], from, to, &table),
				 0);
		/* Kolkata: one offset; the others two changes a year. */
		if (strcmp(zones[z], "Asia/Kolkata") == 0)
			assert_int_equal(table.n, 1);
		else
			assert_int_equal(table.n, 1 + 2 * 4);
		assert_true(table.end >= to);
		for (time_t t = from - 86400; t < to + 86400; t += 900) {
			qa_day want_day, got_day;
			int want_minute, got_minute;
			long offset;
			assert_int_equal(date_local_time(t, zones[z], &want_day,
							 &want_minute, &offset),
					 0);
			assert_int_equal(
				date_offsets_local_time(&table, zones[z], t,
							&got_day, &got_minute),
				0);
			if (got_day != want_day || got_minute != want_minute)
				fail_msg(
					"%s at %lld: day %d minute %d, libical "
					"says day %d minute %d",
					zones[z], (long long)t, got_day,
					got_minute, want_day, want_minute);
		}
		for (size_t i = 1; i < table.n; i++) {
			for (time_t t = table.starts[i] - 120;
			     t < table.starts[i] + 120; t++) {
				qa_day want_day, got_day;
				int want_minute, got_minute;
				long offset;
				date_local_time(t, zones[z], &want_day,
						&want_minute, &offset);
				date_offsets_local_time(&table, zones[z], t,
							&got_day, &got_minute);
				assert_int_equal(got_day, want_day);
				assert_int_equal(got_minute, want_minute);
			}
		}
		date_offsets_done(&table);
	}
	/* 2026 in London, by hand: BST from 01:00 UTC on 29 March to 01:00
	 * UTC on 25 October. */
	struct date_offsets london;
	assert_int_equal(date_offsets_build("Europe/London", from, to, &london),
			 0);
	assert_int_equal(london.starts[3], 1774746000);
	assert_int_equal(london.offsets[3], 3600);
	assert_int_equal(london.starts[4], 1792890000);
	assert_int_equal(london.offsets[4], 0);
	date_offsets_done(&london);
	/* An empty table, and an unknown zone. */
	struct date_offsets none = {0};
	qa_day day;
	int minute;
	assert_int_equal(date_offsets_local_time(&none, "Europe/London",
						 1774746000, &day, &minute),
			 0);
	assert_int_equal(day, ymd(2026, 3, 29));
	assert_int_equal(minute, 120);
	assert_int_equal(date_offsets_build("Mars/Olympus", from, to, &none),
			 -1);
	assert_int_equal(none.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_accepts_real_dates),
		cmocka_unit_test(parse_refuses_impossible_and_malformed),
		cmocka_unit_test(format_round_trips),
		cmocka_unit_test(weekdays),
		cmocka_unit_test(months_clamp_to_month_end),
		cmocka_unit_test(periods),
		cmocka_unit_test(local_date_of_instant),
		cmocka_unit_test(offset_table_agrees_with_libical),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
