/* holidays: holiday calendars (.ics) and working-day arithmetic.
 *
 * A working day is Monday to Friday and not a holiday in any loaded
 * calendar (SPEC section 3). Holidays are all-day VEVENTs (DTSTART;VALUE=DATE
 * with an exclusive DTEND, or a DURATION); a timed event counts for the local
 * date it starts on. */
#ifndef QA_HOLIDAYS_H
#define QA_HOLIDAYS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "errlist.h"
#include "qa-scheduler/plugin.h"

/* A calendar file loaded, and how far it reaches: it lists a year's
 * holidays, so it covers to the end of the year of the last one. */
struct holidays_file {
	char *path;
	qa_day covers_to; /* 31 December of the year of its last holiday */
};

struct holidays {
	qa_day *days; /* sorted, unique */
	size_t n;
	struct holidays_file *files; /* those loaded, in the config's order */
	size_t n_files;
};

/* Parse every file of [calendars] holidays. A file that cannot be read or
 * does not parse as iCalendar is reported in errs naming the file; the
 * others still load. Returns 0 when all loaded, -1 otherwise. */
int holidays_load(const struct config_list *files, struct holidays *out,
		  struct errlist *errs);
void holidays_done(struct holidays *h);

/* Warn this long before a calendar runs out (issue 10: from 12 months
 * before the last day it covers): after it, every weekday would count as a
 * working day and every due date would move. */
#define HOLIDAYS_WARN_MONTHS 12

/* The calendar that runs out first, if it does within HOLIDAYS_WARN_MONTHS
 * of today (or has): its entry, with what to say in why (naming the file,
 * the day it covers to, the days left and how to update it); else NULL. */
const struct holidays_file *holidays_running_out(const struct holidays *h,
						 qa_day today, char *why,
						 size_t why_size);

bool holidays_contains(const struct holidays *h, qa_day day);
bool holidays_is_working_day(const struct holidays *h, qa_day day);
/* n working days after day (n < 0: before); n == 0 gives day. */
qa_day holidays_add_working_days(const struct holidays *h, qa_day day, int n);
/* day when it is a working day, else the next (dir > 0) or previous one. */
qa_day holidays_shift(const struct holidays *h, qa_day day, int dir);
/* The last working day of the period holding day. */
qa_day holidays_last_working_day(const struct holidays *h, qa_day day,
				 enum qa_period period);

#endif
