/* vtimezone: the VTIMEZONE a feed carries for each TZID it uses (SPEC
 * section 6, "Known traps").
 *
 * libical's own VTIMEZONE for a system zone spans 1847 onwards with
 * RRULE;UNTIL inside, which python3-icalendar refuses and khal drops. Feeds
 * carry instead the compact form Outlook prefers: one open-ended yearly rule
 * per kind of change, checked against the system zone for the feed window. */
#ifndef QA_VTIMEZONE_H
#define QA_VTIMEZONE_H

#include <stddef.h>
#include <time.h>

/* A compact VTIMEZONE for tzid (an Olson name): TZID, then for a zone with
 * daylight saving one STANDARD and one DAYLIGHT sub-component, each with
 * DTSTART (local, in the 1970s), TZOFFSETFROM, TZOFFSETTO, TZNAME and an
 * open-ended RRULE:FREQ=YEARLY;BYMONTH=m;BYDAY=nDD (n = 1..4 or -1), derived
 * from the zone's transitions in `year`; a zone without transitions gets a
 * single STANDARD without RRULE. Returns a malloc'd string of unfolded
 * content lines each ending in CRLF, from BEGIN:VTIMEZONE to END:VTIMEZONE,
 * or NULL after logging when the zone is unknown or its transitions in
 * `year` cannot be written as such a rule (e.g. a fixed date, or more than
 * two transitions).
 *
 * One year alone cannot tell "the 21st" from "the 3rd Saturday", so the
 * rule must also give the transitions of year + 1; a zone whose rules change
 * between the two years is refused too. STANDARD is the change to the lower
 * offset even where libical calls it DAYLIGHT (Europe/Dublin's negative
 * DST), as every client expects. */
char *vtimezone_compact(const char *tzid, int year);

/* Check text (a VTIMEZONE as above) against the system zone: for every hour
 * in [from, to) (instants, UTC), the UTC offset the rules give equals the
 * one libical's built-in zone for tzid gives. 0, or -1 with the first
 * mismatch (instant, both offsets) in why. Also -1 with the reason in why
 * when the text is not one well-formed VTIMEZONE (a property libical drops,
 * an offset other than +HHMM[SS], an observance without DTSTART or
 * offsets), its TZID is not tzid, tzid is unknown, or the window is empty
 * or outside 1970-2499. Does not log: the caller decides. */
int vtimezone_check(const char *text, const char *tzid, time_t from, time_t to,
		    char *why, size_t why_size);

#endif
