/*
 * qa-scheduler plugin helpers: date arithmetic on qa_day and the small text
 * scanning plugins share (trimming, KEY=VALUE lists, naming a home).
 *
 * Not part of the plugin ABI. Everything here is static inline: compiled
 * into each plugin (and into the host, which uses the same arithmetic), never
 * called across the plugin boundary. They are pure functions of their
 * arguments that need nothing from the host, so making them host services
 * would only freeze them into struct qa_host for good and cost each call an
 * indirect jump; inline, a plugin carries the copy it was built with, and a
 * later release may fix or extend a helper without breaking a built plugin.
 *
 * One exception to "may change": qa_same_name is also the rule by which the
 * host matches homes (qa_host.for_each_completion_at), so a plugin's copy and
 * the host's must agree; it changes only with the ABI major.
 *
 * plugin.h includes this header, so a plugin written before ABI 1.2 (when
 * these lived in plugin.h) still builds; a plugin that uses the helpers
 * should include it itself, and may define QA_PLUGIN_NO_UTIL to check that
 * it does (the tree's plugins are built so).
 */
#ifndef QA_SCHEDULER_UTIL_H
#define QA_SCHEDULER_UTIL_H

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- date arithmetic on qa_day (proleptic Gregorian) ---- */

/* Days from civil date; month 1-12. Valid for years 0..9999. */
static inline qa_day qa_day_from_ymd(int year, int month, int day)
{
	int y = year - (month <= 2);
	int era = (y >= 0 ? y : y - 399) / 400;
	int yoe = y - era * 400;
	int mp = (month + 9) % 12;
	int doy = (153 * mp + 2) / 5 + day - 1;
	int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (qa_day)(era * 146097 + doe - 719468);
}

static inline void qa_day_to_ymd(qa_day d, int *year, int *month, int *day)
{
	int z = d + 719468;
	int era = (z >= 0 ? z : z - 146096) / 146097;
	int doe = z - era * 146097;
	int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int mp = (5 * doy + 2) / 153;
	int m = mp < 10 ? mp + 3 : mp - 9;
	*day = doy - (153 * mp + 2) / 5 + 1;
	*month = m;
	*year = yoe + era * 400 + (m <= 2);
}

/* ISO weekday: 1 = Monday ... 7 = Sunday. */
static inline int qa_day_weekday(qa_day d)
{
	int w = (int)((d + 3) % 7); /* 1970-01-01 was a Thursday */
	if (w < 0)
		w += 7;
	return w + 1;
}

static inline int qa_is_leap_year(int year)
{
	return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

static inline int qa_days_in_month(int year, int month)
{
	static const int days[] = {31, 28, 31, 30, 31, 30,
				   31, 31, 30, 31, 30, 31};
	return month == 2 && qa_is_leap_year(year) ? 29 : days[month - 1];
}

/* Add calendar months; a day past the end of the target month is clamped to
 * its last day (31 Aug + 6 months = 28 or 29 Feb). */
static inline qa_day qa_day_add_months(qa_day d, int months)
{
	int y, m, dd;
	qa_day_to_ymd(d, &y, &m, &dd);
	int index = y * 12 + (m - 1) + months;
	y = index / 12;
	m = index % 12 + 1;
	int last = qa_days_in_month(y, m);
	return qa_day_from_ymd(y, m, dd > last ? last : dd);
}

static inline int qa_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* text without its leading and trailing white space (trailing space is cut
 * off in place). */
static inline char *qa_trim(char *text)
{
	while (qa_is_space(*text))
		text++;
	char *end = text;
	while (*end)
		end++;
	while (end > text && qa_is_space(end[-1]))
		*--end = '\0';
	return text;
}

/* The next KEY=VALUE item of a ';'-separated list held in a writable copy
 * of a config value ("jan=Assessments; feb=Care plans"). *cursor starts at
 * the copy and moves past each item; *key and *value point into it,
 * trimmed; empty items are skipped. at_last splits at the item's last '='
 * (for keys that may hold one). Returns 1 for an item, 0 at the end, -1 for
 * an item without '=' (then *key is that item, to name in an error). */
static inline int qa_next_pair(char **cursor, int at_last, char **key,
			       char **value)
{
	while (*cursor && **cursor) {
		char *item = *cursor;
		char *end = item;
		while (*end && *end != ';')
			end++;
		*cursor = *end ? end + 1 : end;
		*end = '\0';
		item = qa_trim(item);
		if (!*item)
			continue;
		char *equals = 0;
		for (char *c = item; *c; c++)
			if (*c == '=' && (at_last || !equals))
				equals = c;
		*key = item;
		if (!equals)
			return -1;
		*equals = '\0';
		*key = qa_trim(item);
		*value = qa_trim(equals + 1);
		return 1;
	}
	return 0;
}

/* Do two names of a place (a home) name the same one? Letters and digits
 * compared without regard to case, everything else ignored: "Oak House",
 * "oak house" and "Oak-House" are one home. */
static inline int qa_same_name(const char *a, const char *b)
{
	for (;;) {
		while (*a &&
		       !((*a >= 'a' && *a <= 'z') || (*a >= 'A' && *a <= 'Z') ||
			 (*a >= '0' && *a <= '9') || (*a & 0x80)))
			a++;
		while (*b &&
		       !((*b >= 'a' && *b <= 'z') || (*b >= 'A' && *b <= 'Z') ||
			 (*b >= '0' && *b <= '9') || (*b & 0x80)))
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
		char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;
		if (x != y)
			return 0;
		a++;
		b++;
	}
}

/* Parse "HH:MM" (00:00-23:59) into minutes after midnight: 0, or -1. */
static inline int qa_time_parse(const char *text, int *minute)
{
	if (!text)
		return -1;
	for (int i = 0; i < 5; i++)
		if (i == 2 ? text[i] != ':' : (text[i] < '0' || text[i] > '9'))
			return -1;
	if (text[5] != '\0')
		return -1;
	int h = (text[0] - '0') * 10 + (text[1] - '0');
	int m = (text[3] - '0') * 10 + (text[4] - '0');
	if (h > 23 || m > 59)
		return -1;
	*minute = h * 60 + m;
	return 0;
}

/* Write day as "YYYY-MM-DD" into buf (at least 11 bytes); returns buf. */
static inline char *qa_day_text(qa_day day, char *buf)
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	int parts[3] = {y, m, d};
	int widths[3] = {4, 2, 2};
	char *p = buf;
	for (int i = 0; i < 3; i++) {
		if (i)
			*p++ = '-';
		for (int w = widths[i] - 1, v = parts[i]; w >= 0; w--, v /= 10)
			p[w] = (char)('0' + v % 10);
		p += widths[i];
	}
	*p = '\0';
	return buf;
}

/* The first day of the period holding day. */
static inline qa_day qa_period_start(qa_day day, enum qa_period period)
{
	int y, m, d;
	qa_day_to_ymd(day, &y, &m, &d);
	switch (period) {
	case QA_PERIOD_WEEK:
		return day - (qa_day_weekday(day) - 1);
	case QA_PERIOD_MONTH:
		return qa_day_from_ymd(y, m, 1);
	case QA_PERIOD_QUARTER:
		return qa_day_from_ymd(y, m - (m - 1) % 3, 1);
	case QA_PERIOD_YEAR:
		return qa_day_from_ymd(y, 1, 1);
	}
	return day;
}

/* The last day of the period holding day. */
static inline qa_day qa_period_end(qa_day day, enum qa_period period)
{
	qa_day start = qa_period_start(day, period);
	switch (period) {
	case QA_PERIOD_WEEK:
		return start + 6;
	case QA_PERIOD_MONTH:
		return qa_day_add_months(start, 1) - 1;
	case QA_PERIOD_QUARTER:
		return qa_day_add_months(start, 3) - 1;
	case QA_PERIOD_YEAR:
		return qa_day_add_months(start, 12) - 1;
	}
	return day;
}

#ifdef __cplusplus
}
#endif

#endif /* QA_SCHEDULER_UTIL_H */
