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

struct holidays {
	qa_day *days; /* sorted, unique */
	size_t n;
	size_t n_files;
};

/* Parse every file of [calendars] holidays. A file that cannot be read or
 * does not parse as iCalendar is reported in errs naming the file; the
 * others still load. Returns 0 when all loaded, -1 otherwise. */
int holidays_load(const struct config_list *files, struct holidays *out,
		  struct errlist *errs);
void holidays_done(struct holidays *h);

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
