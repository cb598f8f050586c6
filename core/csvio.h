/* csvio: the CSV we write (functions prefixed csv_put, csv_undefuse), one way
 * for `staff list`, `due` and what comes next: RFC 4180, opened in
 * spreadsheets by QA leads (SPEC section 10). Reading is libcsv's, in
 * staff.c; libcsv owns the name <csv.h>, hence csvio. */
#ifndef QA_CSVIO_H
#define QA_CSVIO_H

#include <stddef.h>
#include <stdio.h>

/* Write one field. It is quoted (RFC 4180: in double quotes, quotes
 * doubled) when it must be: a comma, a quote, a line break, or a space at
 * either end that a reader would trim. A field a spreadsheet would take
 * for a formula (starting with =, +, -, @, a tab or a carriage return) is
 * written with a leading ' (OWASP's advice on CSV injection): a name like
 * =HYPERLINK(...) stays text. NULL and "" write nothing. */
void csv_put_field(FILE *out, const char *text);

/* Write n fields separated by commas, then a line feed. */
void csv_put_row(FILE *out, const char *const *fields, size_t n);

/* text as it was before csv_put_field defused it: without a leading '
 * followed by =, +, -, @, a tab or a carriage return. Returns text, or
 * text + 1. */
const char *csv_undefuse(const char *text);

#endif
