/* date: dates a person types and reads (YYYY-MM-DD), and "today" in the
 * organisation's time zone. Arithmetic is in qa-scheduler/util.h. */
#ifndef QA_DATE_H
#define QA_DATE_H

#include <stddef.h>
#include <time.h>

#include "qa-scheduler/util.h"

#define DATE_TEXT_SIZE 11 /* "YYYY-MM-DD" + NUL */

/* Parse exactly YYYY-MM-DD, a real date (2026-02-30 is refused), years
 * 1900-9999. Returns 0 and sets *out, or -1. */
int date_parse(const char *text, qa_day *out);

/* Write YYYY-MM-DD into buf (DATE_TEXT_SIZE bytes); returns buf. */
char *date_format(qa_day day, char buf[DATE_TEXT_SIZE]);

/* "January".."December" for month 1..12. */
const char *date_month_name(int month);
/* "Jan".."Dec" for month 1..12, for a chart's axis. */
const char *date_month_abbrev(int month);

/* Write instant t as an HTTP date (IMF-fixdate, "Sun, 06 Nov 1994 08:49:37
 * GMT") into buf; returns buf. */
#define DATE_HTTP_SIZE 32
char *date_http(time_t t, char buf[DATE_HTTP_SIZE]);

/* The local date of instant t in time zone tzid (an Olson name such as
 * Europe/London). Returns 0, or -1 if the zone is unknown. */
int date_of_instant(time_t t, const char *tzid, qa_day *out);

/* "Today" for the organisation: the local date of instant now in tzid (the
 * configured [organisation] timezone, validated with the config). The one
 * place the product decides what day it is; a zone that is not known
 * gives the UTC date. */
qa_day date_today(const char *tzid, time_t now);

/* The local date, minute after midnight and UTC offset (seconds east) of
 * instant t in tzid. 0, or -1 when the zone is unknown. */
int date_local_time(time_t t, const char *tzid, qa_day *day, int *minute,
		    long *offset);

/* The instant of local time `minute` after midnight on `day` in tzid.
 * A time that does not exist (clocks go forward) is read with the offset
 * before the gap, so it moves forward (01:30 on 29 March 2026 in
 * Europe/London is 02:30 BST); a time that happens twice (clocks go back)
 * is the first of the two (RFC 5545 section 3.3.5). 0, or -1 when the zone
 * is unknown. */
int date_local_to_utc(const char *tzid, qa_day day, int minute, time_t *out);

/* The UTC offsets of one zone over a span of time, found once with libical
 * so that local times can be worked out later with a binary search: a
 * feed's render needs hundreds, and libical's zone lookups cost about a
 * microsecond each and are not made to be shared between threads. */
struct date_offsets {
	time_t *starts; /* starts[i]: when offsets[i] comes into force */
	long *offsets;  /* seconds east of UTC */
	size_t n;
	time_t end; /* the table holds for [starts[0], end) */
};

/* Fill *out for tzid over [from, to). The zone is sampled once a day and
 * each change found to the second between two samples, so two changes
 * less than a day apart would be missed (no zone has them). 0, or -1 when
 * the zone is unknown or out of memory (logged); *out is empty then. */
int date_offsets_build(const char *tzid, time_t from, time_t to,
		       struct date_offsets *out);
void date_offsets_done(struct date_offsets *table);

/* date_local_time, from the table when t is in its span and from tzid (as
 * date_local_time does) when not: the local date and minute after midnight
 * of instant t. table may be empty. 0, or -1 when the zone is unknown. */
int date_offsets_local_time(const struct date_offsets *table, const char *tzid,
			    time_t t, qa_day *day, int *minute);

#endif
