#include "vtimezone.h"

#include <errno.h>
#include <libical/ical.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "qa-scheduler/util.h" /* qa_day arithmetic */

/* Rules start in 1970: every client reads it, and the rule only has to be
 * right from the feed window on, which vtimezone_check proves. */
#define RULE_BASE_YEAR 1970
/* libical expands zone rules up to 2582; stay well inside. */
#define LAST_YEAR 2500
/* A yearly rule pair changes the offset twice a year; one more change is
 * enough to know a year does not fit. */
#define MAX_CHANGES 3
#define OFFSET_TEXT_SIZE 16 /* "+HHMMSS" + NUL, with room */

/* One change of UTC offset, as the wall clock reads just before it: that is
 * how DTSTART with TZOFFSETFROM places a change (RFC 5545 3.6.5). */
struct change {
	int from, to; /* seconds east of UTC */
	qa_day day;   /* local date, before the change */
	int second;   /* local second of that day, before the change */
};

struct year_changes {
	int start_offset; /* in force as the year begins (UTC) */
	int count;        /* all changes, even those not stored */
	struct change changes[MAX_CHANGES];
};

/* FREQ=YEARLY;BYMONTH=month;BYDAY=<ordinal><weekday> at a wall time. */
struct rule {
	int month;
	int ordinal; /* 1..4, or -1 for the last in the month */
	int weekday; /* ISO: 1 = Monday ... 7 = Sunday */
	int second;  /* local wall time of the change, before it */
};

struct observance {
	const char *kind; /* "STANDARD" or "DAYLIGHT" */
	int from, to;
	bool has_rule;
	struct rule rule;
	const char *name; /* owned by libical's zone; NULL: no TZNAME */
};

static const char *const byday_names[] = {"MO", "TU", "WE", "TH",
					  "FR", "SA", "SU"};

static time_t year_start(int year)
{
	return (time_t)qa_day_from_ymd(year, 1, 1) * 86400;
}

/* Seconds east of UTC in zone at instant t. */
static int offset_at(icaltimezone *zone, time_t t)
{
	struct icaltimetype utc = icaltime_from_timet_with_zone(
		t, 0, icaltimezone_get_utc_timezone());
	int is_daylight = 0;
	return icaltimezone_get_utc_offset_of_utc_time(zone, &utc,
						       &is_daylight);
}

static void format_offset(int offset, char buf[OFFSET_TEXT_SIZE])
{
	char sign = offset < 0 ? '-' : '+';
	/* The modulo bounds tell the compiler the text fits; real offsets are
	 * under a day. */
	unsigned a = offset < 0 ? -(unsigned)offset : (unsigned)offset;
	unsigned h = a / 3600 % 100, m = a / 60 % 60, s = a % 60;
	if (s)
		snprintf(buf, OFFSET_TEXT_SIZE, "%c%02u%02u%02u", sign, h, m,
			 s);
	else
		snprintf(buf, OFFSET_TEXT_SIZE, "%c%02u%02u", sign, h, m);
}

/* The changes of offset in zone during year (UTC). Stepping by the hour finds
 * every change in today's tzdata (none comes within an hour of another);
 * bisection then finds its second. */
static void scan_year(icaltimezone *zone, int year, struct year_changes *out)
{
	time_t start = year_start(year), end = year_start(year + 1);
	int before = offset_at(zone, start);
	out->start_offset = before;
	out->count = 0;
	for (time_t t = start + 3600; t <= end; t += 3600) {
		int after = offset_at(zone, t);
		if (after == before)
			continue;
		time_t lo = t - 3600, hi = t;
		while (hi - lo > 1) {
			time_t mid = lo + (hi - lo) / 2;
			if (offset_at(zone, mid) == before)
				lo = mid;
			else
				hi = mid;
		}
		if (out->count < MAX_CHANGES) {
			struct change *c = &out->changes[out->count];
			time_t wall = hi + before;
			c->from = before;
			c->to = after;
			c->day = (qa_day)(wall / 86400 - (wall % 86400 < 0));
			c->second = (int)(wall - (time_t)c->day * 86400);
		}
		out->count++;
		before = after;
	}
}

/* The day of the month on which r falls in year. */
static int rule_day(const struct rule *r, int year)
{
	if (r->ordinal > 0) {
		int first = qa_day_weekday(qa_day_from_ymd(year, r->month, 1));
		return 1 + (r->weekday - first + 7) % 7 + 7 * (r->ordinal - 1);
	}
	int last_day = qa_days_in_month(year, r->month);
	int last = qa_day_weekday(qa_day_from_ymd(year, r->month, last_day));
	return last_day - (last - r->weekday + 7) % 7;
}

static bool rule_gives(const struct rule *r, const struct change *c)
{
	int y, m, d;
	qa_day_to_ymd(c->day, &y, &m, &d);
	return m == r->month && d == rule_day(r, y) && c->second == r->second;
}

/* The nth-weekday rule that gives both this year's change and next year's:
 * one year alone fits "the 21st" as well as "the 3rd Saturday". 0, or -1
 * when no such rule gives both. */
static int rule_of(const struct change *now, const struct change *next,
		   struct rule *out)
{
	int y, m, d;
	qa_day_to_ymd(now->day, &y, &m, &d);
	struct rule last = {.month = m,
			    .ordinal = -1,
			    .weekday = qa_day_weekday(now->day),
			    .second = now->second};
	struct rule nth = last;
	nth.ordinal = (d - 1) / 7 + 1;
	/* EU rules are written "last Sunday", so a day in the month's last
	 * week is read that way first; the ordinal is the fallback (a 4th
	 * Sunday of February is also the last in a common year). */
	if (d + 7 > qa_days_in_month(y, m) && rule_gives(&last, next)) {
		*out = last;
		return 0;
	}
	if (nth.ordinal <= 4 && rule_gives(&nth, next)) {
		*out = nth;
		return 0;
	}
	return -1;
}

/* The change to the higher offset and the one back, which must mirror each
 * other. 0, or -1 when they do not. */
static int split_pair(const struct year_changes *y, const struct change **up,
		      const struct change **down)
{
	const struct change *a = &y->changes[0], *b = &y->changes[1];
	if (a->to < a->from) {
		const struct change *swap = a;
		a = b;
		b = swap;
	}
	if (a->to <= a->from || b->to >= b->from || a->from != b->to ||
	    a->to != b->from)
		return -1;
	*up = a;
	*down = b;
	return 0;
}

/* A zone abbreviation goes out verbatim only if it needs no escaping. */
static bool plain_name(const char *name)
{
	if (!name || !*name)
		return false;
	for (const char *p = name; *p; p++)
		if (!(*p >= 'A' && *p <= 'Z') && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= '0' && *p <= '9') && *p != '+' && *p != '-')
			return false;
	return true;
}

/* The TZNAME libical's own VTIMEZONE gives the change from -> to (any from
 * when !match_from): of its STANDARD and DAYLIGHT sub-components with those
 * offsets, the latest to start by `wall` (local seconds since 1970). By
 * offsets, not by kind, because libical keeps tzdata's negative DST
 * (Europe/Dublin's winter GMT is its DAYLIGHT), and not from
 * icaltimezone_get_tznames, which names the last sub-component of each kind
 * however old (Asia/Tokyo's "JST/JDT", JDT being from 1951). */
static const char *tzname_of(icaltimezone *zone, bool match_from, int from,
			     int to, long long wall)
{
	icalcomponent *vtz = icaltimezone_get_component(zone);
	if (!vtz) /* libical's own UTC (also "GMT") has no component */
		return zone == icaltimezone_get_utc_timezone() ? "UTC" : NULL;
	const char *name = NULL;
	long long best = LLONG_MIN;
	for (icalcomponent *sub =
		     icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     sub;
	     sub = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind kind = icalcomponent_isa(sub);
		if (kind != ICAL_XSTANDARD_COMPONENT &&
		    kind != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		icalproperty *to_prop = icalcomponent_get_first_property(
			sub, ICAL_TZOFFSETTO_PROPERTY);
		icalproperty *from_prop = icalcomponent_get_first_property(
			sub, ICAL_TZOFFSETFROM_PROPERTY);
		icalproperty *name_prop = icalcomponent_get_first_property(
			sub, ICAL_TZNAME_PROPERTY);
		if (!to_prop || !name_prop ||
		    icalproperty_get_tzoffsetto(to_prop) != to)
			continue;
		if (match_from && (!from_prop || icalproperty_get_tzoffsetfrom(
							 from_prop) != from))
			continue;
		struct icaltimetype start = icalcomponent_get_dtstart(sub);
		if (icaltime_is_null_time(start))
			continue;
		long long at =
			(long long)qa_day_from_ymd(start.year, start.month,
						   start.day) *
				86400 +
			start.hour * 3600 + start.minute * 60 + start.second;
		if (at > wall || at < best)
			continue;
		best = at;
		name = icalproperty_get_tzname(name_prop);
	}
	return plain_name(name) ? name : NULL;
}

/* The observances of tzid from its changes in year and year + 1. Returns the
 * number (1 or 2; STANDARD first), or -1 after logging. */
static int plan(const char *tzid, icaltimezone *zone, int year,
		const struct year_changes *now, const struct year_changes *next,
		struct observance obs[2])
{
	char from_text[OFFSET_TEXT_SIZE], to_text[OFFSET_TEXT_SIZE];
	if (now->count == 0 && next->count == 0 &&
	    now->start_offset == next->start_offset) {
		long long year_end =
			(long long)year_start(year + 1) + now->start_offset;
		obs[0] = (struct observance){
			.kind = "STANDARD",
			.from = now->start_offset,
			.to = now->start_offset,
			.name = tzname_of(zone, false, 0, now->start_offset,
					  year_end)};
		return 1;
	}
	if (now->count != 2) {
		log_err("vtimezone: %s changes its UTC offset %d times in %d; "
			"a compact VTIMEZONE holds none or one yearly pair "
			"(the feed cannot carry this zone)",
			tzid, now->count, year);
		return -1;
	}
	const struct change *up, *down, *next_up, *next_down;
	if (split_pair(now, &up, &down) < 0) {
		format_offset(now->changes[0].from, from_text);
		format_offset(now->changes[0].to, to_text);
		log_err("vtimezone: %s changes from %s to %s in %d and does "
			"not change back; a compact VTIMEZONE needs a yearly "
			"pair (the feed cannot carry this zone)",
			tzid, from_text, to_text, year);
		return -1;
	}
	if (next->count != 2 || split_pair(next, &next_up, &next_down) < 0 ||
	    next_up->from != up->from || next_up->to != up->to) {
		log_err("vtimezone: %s changes its UTC offset differently in "
			"%d than in %d; its rules change, so no yearly rule "
			"fits (try a feed year after the change)",
			tzid, year + 1, year);
		return -1;
	}
	const struct change *pair[2][2] = {{down, next_down}, {up, next_up}};
	for (int i = 0; i < 2; i++) {
		const struct change *c = pair[i][0];
		struct observance *o = &obs[i];
		*o = (struct observance){
			.kind = i == 0 ? "STANDARD" : "DAYLIGHT",
			.from = c->from,
			.to = c->to,
			.has_rule = true,
			.name = tzname_of(zone, true, c->from, c->to,
					  (long long)c->day * 86400 +
						  c->second)};
		if (rule_of(c, pair[i][1], &o->rule) < 0) {
			int y, m, d;
			qa_day_to_ymd(c->day, &y, &m, &d);
			log_err("vtimezone: %s changes its UTC offset on "
				"%04d-%02d-%02d, which is no nth weekday of "
				"the month in both %d and %d (a fixed date?); "
				"the feed cannot carry this zone",
				tzid, y, m, d, year, year + 1);
			return -1;
		}
	}
	return 2;
}

static void write_observance(FILE *out, const struct observance *o)
{
	char from_text[OFFSET_TEXT_SIZE], to_text[OFFSET_TEXT_SIZE];
	int month = 1, day = 1, second = 0;
	if (o->has_rule) {
		month = o->rule.month;
		day = rule_day(&o->rule, RULE_BASE_YEAR);
		second = o->rule.second;
	}
	format_offset(o->from, from_text);
	format_offset(o->to, to_text);
	fprintf(out, "BEGIN:%s\r\n", o->kind);
	fprintf(out, "DTSTART:%04d%02d%02dT%02d%02d%02d\r\n", RULE_BASE_YEAR,
		month, day, second / 3600, second / 60 % 60, second % 60);
	fprintf(out, "TZOFFSETFROM:%s\r\n", from_text);
	fprintf(out, "TZOFFSETTO:%s\r\n", to_text);
	if (o->name)
		fprintf(out, "TZNAME:%s\r\n", o->name);
	if (o->has_rule)
		fprintf(out, "RRULE:FREQ=YEARLY;BYMONTH=%d;BYDAY=%d%s\r\n",
			o->rule.month, o->rule.ordinal,
			byday_names[o->rule.weekday - 1]);
	fprintf(out, "END:%s\r\n", o->kind);
}

char *vtimezone_compact(const char *tzid, int year)
{
	char *text = NULL;
	size_t len = 0;
	icaltimezone *zone =
		tzid && *tzid ? icaltimezone_get_builtin_timezone(tzid) : NULL;
	/* The lookup sets icalerrno even when it succeeds. */
	icalerror_clear_errno();
	if (!zone) {
		log_err("vtimezone: unknown time zone \"%s\"; use an Olson "
			"name such as Europe/London",
			tzid ? tzid : "");
		goto out;
	}
	if (year < RULE_BASE_YEAR || year >= LAST_YEAR) {
		log_err("vtimezone: %s: year %d is outside %d-%d", tzid, year,
			RULE_BASE_YEAR, LAST_YEAR - 1);
		goto out;
	}
	struct year_changes now, next;
	scan_year(zone, year, &now);
	scan_year(zone, year + 1, &next);
	struct observance obs[2];
	int n_obs = plan(tzid, zone, year, &now, &next, obs);
	if (n_obs < 0)
		goto out;

	FILE *mem = open_memstream(&text, &len);
	if (!mem) {
		log_err("vtimezone: %s: cannot build the text: %s", tzid,
			strerror(errno));
		goto out;
	}
	fprintf(mem, "BEGIN:VTIMEZONE\r\nTZID:%s\r\n", tzid);
	for (int i = 0; i < n_obs; i++)
		write_observance(mem, &obs[i]);
	fprintf(mem, "END:VTIMEZONE\r\n");
	bool failed = ferror(mem);
	if (fclose(mem) != 0 || failed) {
		log_err("vtimezone: %s: cannot build the text: %s", tzid,
			strerror(errno));
		free(text);
		text = NULL;
	}
out:
	return text;
}

/* The message of the first X-LIC-ERROR libical's parser left in comp or its
 * sub-components, or NULL. */
static const char *first_parse_error(icalcomponent *comp)
{
	icalproperty *err =
		icalcomponent_get_first_property(comp, ICAL_XLICERROR_PROPERTY);
	if (err)
		return icalproperty_get_xlicerror(err);
	for (icalcomponent *sub = icalcomponent_get_first_component(
		     comp, ICAL_ANY_COMPONENT);
	     sub;
	     sub = icalcomponent_get_next_component(comp, ICAL_ANY_COMPONENT)) {
		const char *message = first_parse_error(sub);
		if (message)
			return message;
	}
	return NULL;
}

/* libical reads a TZOFFSETFROM or TZOFFSETTO it cannot parse ("noon") as
 * +0000 without complaint, so the text itself is read: every such value
 * must be +HHMM or +HHMMSS (RFC 5545 3.3.14, which forbids -0000). The
 * text is unfolded, as vtimezone_compact writes it. Returns the first bad
 * line (it runs on to the end of text), or NULL. */
static const char *bad_offset_line(const char *text)
{
	for (const char *line = text; *line;) {
		const char *value = NULL;
		if (strncmp(line, "TZOFFSETFROM:", 13) == 0)
			value = line + 13;
		else if (strncmp(line, "TZOFFSETTO:", 11) == 0)
			value = line + 11;
		size_t len = strcspn(line, "\r\n");
		if (value) {
			size_t digits = strspn(value + 1, "0123456789");
			size_t value_len = (size_t)(line + len - value);
			if ((*value != '+' && *value != '-') ||
			    (digits != 4 && digits != 6) ||
			    value_len != digits + 1 ||
			    (*value == '-' && strspn(value + 1, "0") == digits))
				return line;
		}
		line += len;
		line += strspn(line, "\r\n");
	}
	return NULL;
}

/* RFC 5545 requires these in every STANDARD and DAYLIGHT; libical drops a
 * property it cannot parse, so a missing one is also a broken one. */
static bool observances_complete(icalcomponent *vtz)
{
	for (icalcomponent *sub =
		     icalcomponent_get_first_component(vtz, ICAL_ANY_COMPONENT);
	     sub;
	     sub = icalcomponent_get_next_component(vtz, ICAL_ANY_COMPONENT)) {
		icalcomponent_kind kind = icalcomponent_isa(sub);
		if (kind != ICAL_XSTANDARD_COMPONENT &&
		    kind != ICAL_XDAYLIGHT_COMPONENT)
			continue;
		if (!icalcomponent_get_first_property(sub,
						      ICAL_DTSTART_PROPERTY) ||
		    !icalcomponent_get_first_property(
			    sub, ICAL_TZOFFSETFROM_PROPERTY) ||
		    !icalcomponent_get_first_property(sub,
						      ICAL_TZOFFSETTO_PROPERTY))
			return false;
	}
	return true;
}

int vtimezone_check(const char *text, const char *tzid, time_t from, time_t to,
		    char *why, size_t why_size)
{
	int ret = -1;
	icalcomponent *vtz = NULL;
	icaltimezone *written = NULL;
	if (why_size)
		why[0] = '\0';
	icaltimezone *system =
		tzid && *tzid ? icaltimezone_get_builtin_timezone(tzid) : NULL;
	icalerror_clear_errno();
	if (!system) {
		snprintf(why, why_size, "unknown time zone \"%s\"",
			 tzid ? tzid : "");
		goto out;
	}
	/* Beyond these libical's expansion and our stepping are not sure. */
	if (from >= to || from < 0 || to > year_start(LAST_YEAR)) {
		snprintf(why, why_size,
			 "the window must be non-empty and within %d-%d",
			 RULE_BASE_YEAR, LAST_YEAR - 1);
		goto out;
	}
	vtz = text ? icalparser_parse_string(text) : NULL;
	icalerror_clear_errno();
	if (!vtz || icalcomponent_isa(vtz) != ICAL_VTIMEZONE_COMPONENT) {
		snprintf(why, why_size, "the text is not one VTIMEZONE");
		goto out;
	}
	const char *parse_error = first_parse_error(vtz);
	if (parse_error) {
		snprintf(why, why_size, "the VTIMEZONE does not parse: %s",
			 parse_error);
		goto out;
	}
	const char *bad_line = bad_offset_line(text);
	if (bad_line) {
		size_t len = strcspn(bad_line, "\r\n");
		snprintf(why, why_size,
			 "the VTIMEZONE has a malformed offset: %.*s",
			 (int)(len < 80 ? len : 80), bad_line);
		goto out;
	}
	if (!observances_complete(vtz)) {
		snprintf(why, why_size,
			 "a STANDARD or DAYLIGHT lacks DTSTART, TZOFFSETFROM "
			 "or TZOFFSETTO");
		goto out;
	}
	/* Without any, libical reads every instant as UTC, which would pass
	 * for UTC itself; RFC 5545 requires one. */
	if (icalcomponent_count_components(vtz, ICAL_XSTANDARD_COMPONENT) +
		    icalcomponent_count_components(vtz,
						   ICAL_XDAYLIGHT_COMPONENT) ==
	    0) {
		snprintf(why, why_size,
			 "the VTIMEZONE has no STANDARD or DAYLIGHT");
		goto out;
	}
	written = icaltimezone_new();
	if (!written) {
		snprintf(why, why_size, "out of memory");
		goto out;
	}
	/* On success the zone owns the component; on failure we still do. */
	if (!icaltimezone_set_component(written, vtz)) {
		snprintf(why, why_size, "the VTIMEZONE has no TZID");
		goto out;
	}
	vtz = NULL;
	const char *written_tzid = icaltimezone_get_tzid(written);
	if (strcmp(written_tzid, tzid) != 0) {
		snprintf(why, why_size, "the VTIMEZONE is for \"%s\", not %s",
			 written_tzid, tzid);
		goto out;
	}
	for (time_t t = from; t < to; t += 3600) {
		int want = offset_at(system, t), got = offset_at(written, t);
		if (want == got)
			continue;
		char at[32], want_text[OFFSET_TEXT_SIZE],
			got_text[OFFSET_TEXT_SIZE];
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%SZ", &tm);
		format_offset(want, want_text);
		format_offset(got, got_text);
		snprintf(why, why_size,
			 "at %s the VTIMEZONE gives UTC%s but the system zone "
			 "%s gives UTC%s",
			 at, got_text, tzid, want_text);
		goto out;
	}
	ret = 0;
out:
	if (written)
		icaltimezone_free(written, 1);
	if (vtz)
		icalcomponent_free(vtz);
	return ret;
}
