#include "date.h"

#include <libical/ical.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "log.h"

static int digits(const char *s, size_t n)
{
	int value = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		value = value * 10 + (s[i] - '0');
	}
	return value;
}

int date_parse(const char *text, qa_day *out)
{
	if (!text || strlen(text) != 10 || text[4] != '-' || text[7] != '-')
		return -1;
	int year = digits(text, 4);
	int month = digits(text + 5, 2);
	int day = digits(text + 8, 2);
	if (year < 1900 || month < 1 || month > 12 || day < 1)
		return -1;
	if (day > qa_days_in_month(year, month))
		return -1;
	*out = qa_day_from_ymd(year, month, day);
	return 0;
}

char *date_format(qa_day day, char buf[DATE_TEXT_SIZE])
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	/* The modulo bounds tell the compiler the text fits. */
	snprintf(buf, DATE_TEXT_SIZE, "%04u-%02u-%02u", (unsigned)y % 10000u,
		 (unsigned)m % 100u, (unsigned)d % 100u);
	return buf;
}

/* libical finds a built-in zone by a linear search over its names; one
 * organisation uses one zone, so remember the last, per thread (the HTTP
 * loops render feeds while the daemon's loop runs the schedule; libical
 * 3.0 locks its own zone tables). */
static icaltimezone *zone_of(const char *tzid)
{
	static _Thread_local char last_tzid[64];
	static _Thread_local icaltimezone *last_zone;
	if (last_zone && strcmp(tzid, last_tzid) == 0)
		return last_zone;
	icaltimezone *zone = icaltimezone_get_builtin_timezone(tzid);
	if (zone && strlen(tzid) < sizeof(last_tzid)) {
		strcpy(last_tzid, tzid);
		last_zone = zone;
	}
	return zone;
}

int date_of_instant(time_t t, const char *tzid, qa_day *out)
{
	icaltimezone *zone = zone_of(tzid);
	if (!zone)
		return -1;
	struct icaltimetype local = icaltime_from_timet_with_zone(t, 0, zone);
	*out = qa_day_from_ymd(local.year, local.month, local.day);
	return 0;
}

/* Seconds east of UTC in zone at instant t. */
static long utc_offset_at(icaltimezone *zone, time_t t)
{
	struct icaltimetype local = icaltime_from_timet_with_zone(t, 0, zone);
	struct tm tm = {.tm_year = local.year - 1900,
			.tm_mon = local.month - 1,
			.tm_mday = local.day,
			.tm_hour = local.hour,
			.tm_min = local.minute,
			.tm_sec = local.second};
	return (long)(timegm(&tm) - t);
}

int date_local_to_utc(const char *tzid, qa_day day, int minute, time_t *out)
{
	icaltimezone *zone = zone_of(tzid);
	if (!zone)
		return -1;
	/* The local wall-clock reading as if it were UTC. */
	time_t wall = (time_t)day * 86400 + (time_t)minute * 60;
	/* Offsets in force a day before and a day after: every zone keeps
	 * at most one transition inside such a span. */
	long before = utc_offset_at(zone, wall - 86400);
	long after = utc_offset_at(zone, wall + 86400);
	time_t first = wall - before;
	time_t second = wall - after;
	bool first_ok = utc_offset_at(zone, first) == before;
	bool second_ok = utc_offset_at(zone, second) == after;
	if (first_ok && second_ok)
		*out = first < second ? first : second; /* twice: the first */
	else if (first_ok || second_ok)
		*out = first_ok ? first : second;
	else
		*out = first; /* in the gap: the offset before it */
	return 0;
}

int date_local_time(time_t t, const char *tzid, qa_day *day, int *minute,
		    long *offset)
{
	icaltimezone *zone = zone_of(tzid);
	if (!zone)
		return -1;
	struct icaltimetype local = icaltime_from_timet_with_zone(t, 0, zone);
	*day = qa_day_from_ymd(local.year, local.month, local.day);
	*minute = local.hour * 60 + local.minute;
	*offset = utc_offset_at(zone, t);
	return 0;
}
