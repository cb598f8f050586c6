/* csvio: the CSV we write and read, one way for `staff list`, `staff
 * import`, `due` and what comes next: RFC 4180, opened and saved by
 * spreadsheets in QA leads' hands (SPEC section 10). The parsing is libcsv's;
 * libcsv owns the name <csv.h>, hence csvio. */
#ifndef QA_CSVIO_H
#define QA_CSVIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "errlist.h"

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

/* One record of a file as read: its fields and where it starts. */
struct csv_record {
	unsigned line; /* the physical line of its first byte, from 1 */
	char **fields; /* nfields NUL-terminated copies */
	size_t nfields;
	bool has_nul; /* a field held a NUL byte (its copy stops there) */
};

/* Every record of a file, in order. */
struct csv_table {
	struct csv_record *records;
	size_t n;
};

/*
 * Read every record of path into out (free with csv_table_done, also after
 * -1). RFC 4180 as spreadsheets write it: UTF-8 with or without a BOM, LF,
 * CRLF or a lone CR ending each record, line breaks inside quoted fields.
 * Blank lines hold no record. Spaces and tabs around an unquoted field are
 * dropped, those inside quotes kept; a ' put by csv_put_field is still on.
 * A line is counted once whatever ends it, so record->line is the line an
 * editor shows. A file that cannot be read or is not CSV is one problem in
 * errs, and -1 (past a stray quote, where records start is a guess):
 *   PATH: cannot open: No such file or directory
 *   PATH:LINE: malformed CSV: a quote inside an unquoted field, ...
 *   PATH:LINE: a quoted field is not closed before the end of the file
 * Out of memory is logged, and -1.
 */
int csv_read_file(const char *path, struct csv_table *out,
		  struct errlist *errs);

/* Free the records of table (not table itself) and clear it. */
void csv_table_done(struct csv_table *table);

/* Drop the spaces and tabs around every field of record, in place: those
 * inside quotes too, for a reader that trims every cell. */
void csv_record_trim(struct csv_record *record);

/* A column csv_header_map did not find. */
#define CSV_ABSENT SIZE_MAX

/*
 * Find the columns a file may hold in its header record, by name, in any
 * order: at[i] is the index of names[i] in every record, or CSV_ABSENT. The
 * first n_required names must be there, the rest may be; each name of
 * header must be one of names, once (compared exactly: csv_record_trim
 * first to forgive spaces). Returns 0, or -1 with one problem in errs
 * saying all that is wrong:
 *   PATH:LINE: header: missing email; unknown column "mail"; expected
 *   id,name,email,role,team,manager,nqsw_start in any order, and
 *   optionally left_on
 */
int csv_header_map(const char *path, const struct csv_record *header,
		   const char *const *names, size_t n, size_t n_required,
		   size_t *at, struct errlist *errs);

/* The field of record in column (as csv_header_map found it), or NULL
 * when the column is CSV_ABSENT or the record is shorter. */
const char *csv_field(const struct csv_record *record, size_t column);

#endif
