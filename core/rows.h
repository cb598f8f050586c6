/* rows: a report's rows of named cells, printed one of three ways: an
 * aligned table for a terminal, RFC 4180 CSV (through csvio, the one
 * writer) or a JSON array of objects whose keys are the column names. */
#ifndef QA_ROWS_H
#define QA_ROWS_H

#include <stddef.h>
#include <stdio.h>

enum rows_format { ROWS_TABLE, ROWS_JSON, ROWS_CSV };

/* How a column's cells are written in JSON: text, or a number (its text is
 * a decimal); an absent cell (NULL) is null in JSON, empty in CSV and "-" in
 * the table. */
enum rows_kind { ROWS_TEXT, ROWS_NUMBER };

struct rows_column {
	const char *name;
	enum rows_kind kind;
};

struct rows {
	const struct rows_column *columns;
	size_t n_columns;
	char **cells; /* n * n_columns, row by row; NULL: absent */
	size_t n, cap;
};

/* Empty rows of these columns. */
void rows_init(struct rows *r, const struct rows_column *columns, size_t n);

/* Append a row of n_columns cells (copied; NULL: absent). 0, or -1 out of
 * memory (logged). */
int rows_add(struct rows *r, const char *const *cells);

/* The cell of row `row` in the column named `column` (NULL: absent, or no
 * such column). */
const char *rows_cell(const struct rows *r, size_t row, const char *column);

/* r as the JSON its rows_print writes: an array of objects (json_decref
 * it), or NULL (logged). */
typedef struct json_t json_t;
json_t *rows_json(const struct rows *r);

/* Write r to out as format. 0, or -1 (logged). */
int rows_print(const struct rows *r, enum rows_format format, FILE *out);

/* Columns text takes on a terminal, near enough: its UTF-8 code points.
 * Tables are as wide as their widest cell by it. */
size_t rows_text_width(const char *text);

/* Free the cells (not r). */
void rows_done(struct rows *r);

#endif
