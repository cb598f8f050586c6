/* date: dates a person types and reads (YYYY-MM-DD), and "today" in the
 * organisation's time zone. Arithmetic is in qa-scheduler/plugin.h. */
#ifndef QA_DATE_H
#define QA_DATE_H

#include <time.h>

#include "qa-scheduler/plugin.h"

#define DATE_TEXT_SIZE 11 /* "YYYY-MM-DD" + NUL */

/* Parse exactly YYYY-MM-DD, a real date (2026-02-30 is refused), years
 * 1900-9999. Returns 0 and sets *out, or -1. */
int date_parse(const char *text, qa_day *out);

/* Write YYYY-MM-DD into buf (DATE_TEXT_SIZE bytes); returns buf. */
char *date_format(qa_day day, char buf[DATE_TEXT_SIZE]);

/* The local date of instant t in time zone tzid (an Olson name such as
 * Europe/London). Returns 0, or -1 if the zone is unknown. */
int date_of_instant(time_t t, const char *tzid, qa_day *out);

#endif
