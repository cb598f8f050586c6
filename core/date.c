#include "date.h"

#include <libical/ical.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* value's last n decimal digits, zero-padded, at out. */
static void put_digits(char *out, unsigned value, size_t n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + value % 10u);
		value /= 10u;
	}
}

char *date_format(qa_day day, char buf[DATE_TEXT_SIZE])
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	/* By hand, not snprintf: a regeneration binds a date for every
	 * query it runs, and printf's format parsing was 5% of it. The text
	 * is what "%04u-%02u-%02u" of y % 10000, m and d gave. */
	put_digits(buf, (unsigned)y, 4);
	buf[4] = '-';
	put_digits(buf + 5, (unsigned)m, 2);
	buf[7] = '-';
	put_digits(buf + 8, (unsigned)d, 2);
	buf[10] = '\0';
	return buf;
}

const char *date_month_name(int month)
{
	static const char *const names[] = {"January", "February", "March",
					    "April",   "May",      "June",
					    "July",    "August",   "September",
					    "October", "November", "December"};
	return month >= 1 && month <= 12 ? names[month - 1] : "?";
}

const char *date_month_abbrev(int month)
{
	static const char *const names[] = {"Jan", "Feb", "Mar", "Apr",
					    "May", "Jun", "Jul", "Aug",
					    "Sep", "Oct", "Nov", "Dec"};
	return month >= 1 && month <= 12 ? names[month - 1] : "?";
}

char *date_http(time_t t, char buf[DATE_HTTP_SIZE])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	/* strftime's %a and %b follow the C locale we run in. */
	strftime(buf, DATE_HTTP_SIZE, "%a, %d %b %Y %H:%M:%S GMT", &tm);
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

qa_day date_today(const char *tzid, time_t now)
{
	qa_day day;
	if (date_of_instant(now, tzid, &day))
		day = (qa_day)(now / 86400);
	return day;
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

/* The instant of a local (day, minute) in zone, worked out afresh. */
static time_t local_to_utc(icaltimezone *zone, qa_day day, int minute)
{
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
		return first < second ? first : second; /* twice: the first */
	if (first_ok || second_ok)
		return first_ok ? first : second;
	return first; /* in the gap: the offset before it */
}

int date_local_to_utc(const char *tzid, qa_day day, int minute, time_t *out)
{
	/* A regeneration asks for the same few (day, minute)s for thousands
	 * of people (a team's meeting, a month's supervisions), and each
	 * answer costs four libical conversions: remember the last answers,
	 * per thread, as zone_of does. */
	static _Thread_local struct {
		icaltimezone *zone;
		qa_day day;
		int minute;
		time_t utc;
	} known[256];
	icaltimezone *zone = zone_of(tzid);
	if (!zone)
		return -1;
	unsigned slot = ((unsigned)day * 1441u + (unsigned)minute) % 256u;
	if (known[slot].zone != zone || known[slot].day != day ||
	    known[slot].minute != minute) {
		known[slot].zone = zone;
		known[slot].day = day;
		known[slot].minute = minute;
		known[slot].utc = local_to_utc(zone, day, minute);
	}
	*out = known[slot].utc;
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

void date_offsets_done(struct date_offsets *table)
{
	free(table->starts);
	free(table->offsets);
	memset(table, 0, sizeof(*table));
}

static int offsets_append(struct date_offsets *table, size_t *cap, time_t start,
			  long offset)
{
	if (table->n == *cap) {
		size_t more = *cap ? *cap * 2 : 16;
		time_t *starts =
			reallocarray(table->starts, more, sizeof(*starts));
		if (starts)
			table->starts = starts;
		long *offsets =
			reallocarray(table->offsets, more, sizeof(*offsets));
		if (offsets)
			table->offsets = offsets;
		if (!starts || !offsets)
			return -1;
		*cap = more;
	}
	table->starts[table->n] = start;
	table->offsets[table->n] = offset;
	table->n++;
	return 0;
}

int date_offsets_build(const char *tzid, time_t from, time_t to,
		       struct date_offsets *out)
{
	memset(out, 0, sizeof(*out));
	icaltimezone *zone = zone_of(tzid);
	if (!zone) {
		log_err("date: unknown time zone \"%s\"", tzid);
		return -1;
	}
	size_t cap = 0;
	long current = utc_offset_at(zone, from);
	if (offsets_append(out, &cap, from, current))
		goto nomem;
	time_t t = from;
	while (t < to) {
		time_t next = t + 86400;
		long offset = utc_offset_at(zone, next);
		if (offset != current) {
			/* The first second of the new offset, in (t, next]. */
			time_t lo = t, hi = next;
			while (hi - lo > 1) {
				time_t mid = lo + (hi - lo) / 2;
				if (utc_offset_at(zone, mid) == current)
					lo = mid;
				else
					hi = mid;
			}
			if (offsets_append(out, &cap, hi, offset))
				goto nomem;
			current = offset;
		}
		t = next;
	}
	out->end = t;
	return 0;
nomem:
	log_err("date: out of memory listing the offsets of %s", tzid);
	date_offsets_done(out);
	return -1;
}

int date_offsets_local_time(const struct date_offsets *table, const char *tzid,
			    time_t t, qa_day *day, int *minute)
{
	if (table->n == 0 || t < table->starts[0] || t >= table->end) {
		long offset;
		return date_local_time(t, tzid, day, minute, &offset);
	}
	/* The last change at or before t. */
	size_t lo = 0, hi = table->n;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (table->starts[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	long long local = (long long)t + table->offsets[lo];
	long long days = local / 86400, second = local % 86400;
	if (second < 0) {
		second += 86400;
		days--;
	}
	*day = (qa_day)days;
	*minute = (int)(second / 60);
	return 0;
}
