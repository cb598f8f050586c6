/* vtimezone: compact VTIMEZONEs and their check against the system zone.
 * Expected rules and 1970 dates are worked out by hand from the calendar
 * (1 March 1970 was a Sunday, 1 April a Wednesday, 1 October a Thursday). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtimezone.h"

#define YEAR 2026

static const time_t from_2020 = 1577836800; /* 2020-01-01T00:00:00Z */
static const time_t to_2032 = 1956528000;   /* 2032-01-01T00:00:00Z */

static const char london[] = "BEGIN:VTIMEZONE\r\n"
			     "TZID:Europe/London\r\n"
			     "BEGIN:STANDARD\r\n"
			     "DTSTART:19701025T020000\r\n"
			     "TZOFFSETFROM:+0100\r\n"
			     "TZOFFSETTO:+0000\r\n"
			     "TZNAME:GMT\r\n"
			     "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"
			     "END:STANDARD\r\n"
			     "BEGIN:DAYLIGHT\r\n"
			     "DTSTART:19700329T010000\r\n"
			     "TZOFFSETFROM:+0000\r\n"
			     "TZOFFSETTO:+0100\r\n"
			     "TZNAME:BST\r\n"
			     "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"
			     "END:DAYLIGHT\r\n"
			     "END:VTIMEZONE\r\n";

/* The compact text for tzid, which must hold the system zone over
 * 2020-2031 and carry no UNTIL. The caller frees it. */
static char *checked(const char *tzid)
{
	char *text = vtimezone_compact(tzid, YEAR);
	assert_non_null(text);
	assert_null(strstr(text, "UNTIL"));
	char why[256];
	int rc = vtimezone_check(text, tzid, from_2020, to_2032, why,
				 sizeof(why));
	if (rc != 0)
		fail_msg("%s: %s\n%s", tzid, why, text);
	assert_string_equal(why, "");
	return text;
}

static void london_exact_text(void **state)
{
	(void)state;
	char *text = checked("Europe/London");
	assert_string_equal(text, london);
	free(text);
	/* The rule, not the year asked for, makes the text. */
	for (int year = 2020; year <= 2035; year++) {
		text = vtimezone_compact("Europe/London", year);
		assert_non_null(text);
		assert_string_equal(text, london);
		free(text);
	}
}

static void eu_and_us_rules(void **state)
{
	(void)state;
	char *text = checked("Europe/Berlin");
	assert_non_null(strstr(text,
			       "BEGIN:STANDARD\r\n"
			       "DTSTART:19701025T030000\r\n"
			       "TZOFFSETFROM:+0200\r\n"
			       "TZOFFSETTO:+0100\r\n"
			       "TZNAME:CET\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\n"));
	assert_non_null(strstr(text,
			       "BEGIN:DAYLIGHT\r\n"
			       "DTSTART:19700329T020000\r\n"
			       "TZOFFSETFROM:+0100\r\n"
			       "TZOFFSETTO:+0200\r\n"
			       "TZNAME:CEST\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\n"));
	free(text);

	/* Second Sunday of March, first of November, at 02:00 local. */
	text = checked("America/New_York");
	assert_non_null(strstr(text,
			       "BEGIN:STANDARD\r\n"
			       "DTSTART:19701101T020000\r\n"
			       "TZOFFSETFROM:-0400\r\n"
			       "TZOFFSETTO:-0500\r\n"
			       "TZNAME:EST\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU\r\n"));
	assert_non_null(strstr(text,
			       "BEGIN:DAYLIGHT\r\n"
			       "DTSTART:19700308T020000\r\n"
			       "TZOFFSETFROM:-0500\r\n"
			       "TZOFFSETTO:-0400\r\n"
			       "TZNAME:EDT\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU\r\n"));
	free(text);
}

/* Southern hemisphere: summer time runs over the new year, so the year
 * starts in DAYLIGHT and STANDARD comes first in the calendar. */
static void sydney(void **state)
{
	(void)state;
	char *text = checked("Australia/Sydney");
	assert_non_null(strstr(text,
			       "BEGIN:STANDARD\r\n"
			       "DTSTART:19700405T030000\r\n"
			       "TZOFFSETFROM:+1100\r\n"
			       "TZOFFSETTO:+1000\r\n"
			       "TZNAME:AEST\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU\r\n"));
	assert_non_null(strstr(text,
			       "BEGIN:DAYLIGHT\r\n"
			       "DTSTART:19701004T020000\r\n"
			       "TZOFFSETFROM:+1000\r\n"
			       "TZOFFSETTO:+1100\r\n"
			       "TZNAME:AEDT\r\n"
			       "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=1SU\r\n"));
	free(text);
}

/* tzdata gives Ireland negative DST (IST is the standard time, winter GMT
 * the "daylight" one) and libical keeps it: its DAYLIGHT is the +0000.
 * Clients expect the opposite, so the compact text, written by offsets,
 * reads like London's with IST for BST; the check proves the offsets. */
static void dublin_negative_dst(void **state)
{
	(void)state;
	char *text = checked("Europe/Dublin");
	assert_non_null(strstr(text, "BEGIN:STANDARD\r\n"
				     "DTSTART:19701025T020000\r\n"
				     "TZOFFSETFROM:+0100\r\n"
				     "TZOFFSETTO:+0000\r\n"
				     "TZNAME:GMT\r\n"));
	assert_non_null(strstr(text, "BEGIN:DAYLIGHT\r\n"
				     "DTSTART:19700329T010000\r\n"
				     "TZOFFSETFROM:+0000\r\n"
				     "TZOFFSETTO:+0100\r\n"
				     "TZNAME:IST\r\n"));
	free(text);
}

static void zones_without_dst(void **state)
{
	(void)state;
	/* libical's tznames say "JST/JDT" (JDT is from 1951); the name is
	 * the one in force. */
	char *text = checked("Asia/Tokyo");
	assert_string_equal(text, "BEGIN:VTIMEZONE\r\n"
				  "TZID:Asia/Tokyo\r\n"
				  "BEGIN:STANDARD\r\n"
				  "DTSTART:19700101T000000\r\n"
				  "TZOFFSETFROM:+0900\r\n"
				  "TZOFFSETTO:+0900\r\n"
				  "TZNAME:JST\r\n"
				  "END:STANDARD\r\n"
				  "END:VTIMEZONE\r\n");
	free(text);
	/* libical answers "UTC" with its own zone, which has no VTIMEZONE. */
	text = checked("UTC");
	assert_string_equal(text, "BEGIN:VTIMEZONE\r\n"
				  "TZID:UTC\r\n"
				  "BEGIN:STANDARD\r\n"
				  "DTSTART:19700101T000000\r\n"
				  "TZOFFSETFROM:+0000\r\n"
				  "TZOFFSETTO:+0000\r\n"
				  "TZNAME:UTC\r\n"
				  "END:STANDARD\r\n"
				  "END:VTIMEZONE\r\n");
	free(text);
	/* A zone with half-hour offsets. */
	text = checked("Asia/Kolkata");
	assert_non_null(strstr(text, "TZOFFSETTO:+0530\r\n"));
	free(text);
}

static void unknown_and_unfit_zones(void **state)
{
	(void)state;
	assert_null(vtimezone_compact("Mars/Olympus", YEAR));
	assert_null(vtimezone_compact("", YEAR));
	assert_null(vtimezone_compact(NULL, YEAR));
	assert_null(vtimezone_compact("Europe/London", 1969));
	/* Morocco leaves +01 for Ramadan, which moves 11 days a year. */
	assert_null(vtimezone_compact("Africa/Casablanca", YEAR));
	/* Iran changed on 1 Farvardin and 1 Mehr (21 or 22 March and
	 * September, any weekday) until 2022: a fixed date. */
	assert_null(vtimezone_compact("Asia/Tehran", 2020));
	/* ... and abolished DST after 2022: two changes, then none. */
	assert_null(vtimezone_compact("Asia/Tehran", 2022));
	char *text = vtimezone_compact("Asia/Tehran", 2023);
	assert_non_null(text);
	assert_null(strstr(text, "RRULE"));
	free(text);
}

/* The beginning of a STANDARD for UTC, for broken texts to finish. */
#define UTC_HEAD "BEGIN:VTIMEZONE\r\nTZID:UTC\r\nBEGIN:STANDARD\r\n"
#define UTC_TAIL "END:STANDARD\r\nEND:VTIMEZONE\r\n"

static void check_refuses_broken_text(void **state)
{
	(void)state;
	/* Each text with the start of the reason it must give. */
	const struct {
		const char *text;
		const char *why;
	} broken[] = {
		{"", "the text is not one VTIMEZONE"},
		{"garbage", "the text is not one VTIMEZONE"},
		{"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",
		 "the text is not one VTIMEZONE"},
		/* libical returns nothing for a component without END */
		{UTC_HEAD "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
			  "TZOFFSETTO:+0000\r\n",
		 "the text is not one VTIMEZONE"},
		{"BEGIN:VTIMEZONE\r\nBEGIN:STANDARD\r\n"
		 "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
		 "TZOFFSETTO:+0000\r\n" UTC_TAIL,
		 "the VTIMEZONE has no TZID"},
		{"BEGIN:VTIMEZONE\r\nTZID:UTC\r\nEND:VTIMEZONE\r\n",
		 "the VTIMEZONE has no STANDARD or DAYLIGHT"},
		/* libical reads this as +0000 without complaint */
		{UTC_HEAD "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
			  "TZOFFSETTO:noon\r\n" UTC_TAIL,
		 "the VTIMEZONE has a malformed offset: TZOFFSETTO:noon"},
		/* RFC 5545 3.3.14 forbids -0000 */
		{UTC_HEAD "DTSTART:19700101T000000\r\nTZOFFSETFROM:-0000\r\n"
			  "TZOFFSETTO:+0000\r\n" UTC_TAIL,
		 "the VTIMEZONE has a malformed offset: TZOFFSETFROM:-0000"},
		{UTC_HEAD "DTSTART:1970\r\nTZOFFSETFROM:+0000\r\n"
			  "TZOFFSETTO:+0000\r\n" UTC_TAIL,
		 "the VTIMEZONE does not parse: Can't parse as DATE-TIME"},
		{UTC_HEAD "TZOFFSETFROM:+0000\r\nTZOFFSETTO:+0000\r\n" UTC_TAIL,
		 "a STANDARD or DAYLIGHT lacks DTSTART"},
		{UTC_HEAD
		 "DTSTART:19700101T000000\r\nTZOFFSETFROM:+0000\r\n"
		 "TZOFFSETTO:+0000\r\nRRULE:FREQ=YEARLY;BYDAY=9XX\r\n" UTC_TAIL,
		 "the VTIMEZONE does not parse: Can't parse as RECUR"},
	};
	char why[256];
	for (size_t i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		strcpy(why, "unchanged");
		assert_int_equal(vtimezone_check(broken[i].text, "UTC",
						 from_2020, to_2032, why,
						 sizeof(why)),
				 -1);
		if (strncmp(why, broken[i].why, strlen(broken[i].why)) != 0)
			fail_msg("text %zu: \"%s\", expected \"%s...\"", i, why,
				 broken[i].why);
	}
	/* The same UTC text, well formed, passes. */
	assert_int_equal(
		vtimezone_check(UTC_HEAD "DTSTART:19700101T000000\r\n"
					 "TZOFFSETFROM:+0000\r\n"
					 "TZOFFSETTO:+0000\r\n" UTC_TAIL,
				"UTC", from_2020, to_2032, why, sizeof(why)),
		0);
	assert_int_equal(vtimezone_check(NULL, "UTC", from_2020, to_2032, why,
					 sizeof(why)),
			 -1);
	/* Right text, wrong zone, unknown zone, empty window. */
	assert_int_equal(vtimezone_check(london, "Europe/Dublin", from_2020,
					 to_2032, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "the VTIMEZONE is for \"Europe/London\", "
				 "not Europe/Dublin");
	assert_int_equal(vtimezone_check(london, "Mars/Olympus", from_2020,
					 to_2032, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "unknown time zone \"Mars/Olympus\"");
	assert_int_equal(vtimezone_check(london, "Europe/London", to_2032,
					 from_2020, why, sizeof(why)),
			 -1);
	assert_string_equal(why, "the window must be non-empty and within "
				 "1970-2499");
}

/* A rule one week out must be caught, with the first wrong instant. */
static void check_finds_a_wrong_rule(void **state)
{
	(void)state;
	char why[256];
	char *text = strdup(london);
	assert_non_null(text);
	char *byday = strstr(text, "BYDAY=-1SU");
	assert_non_null(byday);
	/* The first is October's: "-1SU" -> "2SU", one octet shorter. */
	memmove(byday + 6, byday + 7, strlen(byday + 7) + 1);
	byday[6] = '2';
	assert_non_null(strstr(text, "BYMONTH=10;BYDAY=2SU\r\n"));
	assert_int_equal(vtimezone_check(text, "Europe/London", from_2020,
					 to_2032, why, sizeof(why)),
			 -1);
	/* 11 October 2020 is the 2nd Sunday: GMT two weeks early. */
	assert_string_equal(why, "at 2020-10-11T01:00:00Z the VTIMEZONE gives "
				 "UTC+0000 but the system zone Europe/London "
				 "gives UTC+0100");
	/* A window that ends just before that hour holds. */
	const time_t first_wrong = 1602378000; /* 2020-10-11T01:00:00Z */
	assert_int_equal(vtimezone_check(text, "Europe/London", from_2020,
					 first_wrong, why, sizeof(why)),
			 0);
	assert_int_equal(vtimezone_check(text, "Europe/London", from_2020,
					 first_wrong + 1, why, sizeof(why)),
			 -1);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(london_exact_text),
		cmocka_unit_test(eu_and_us_rules),
		cmocka_unit_test(sydney),
		cmocka_unit_test(dublin_negative_dst),
		cmocka_unit_test(zones_without_dst),
		cmocka_unit_test(unknown_and_unfit_zones),
		cmocka_unit_test(check_refuses_broken_text),
		cmocka_unit_test(check_finds_a_wrong_rule),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
