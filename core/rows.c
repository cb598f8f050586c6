#include "rows.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "log.h"

void rows_init(struct rows *r, const struct rows_column *columns, size_t n)
{
	memset(r, 0, sizeof(*r));
	r->columns = columns;
	r->n_columns = n;
}

int rows_add(struct rows *r, const char *const *cells)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? r->cap * 2 : 64;
		char **grown =
			realloc(r->cells, cap * r->n_columns * sizeof(*grown));
		if (!grown)
			goto oom;
		r->cells = grown;
		r->cap = cap;
	}
	char **row = &r->cells[r->n * r->n_columns];
	for (size_t c = 0; c < r->n_columns; c++) {
		row[c] = cells[c] ? strdup(cells[c]) : NULL;
		if (cells[c] && !row[c]) {
			while (c-- > 0)
				free(row[c]);
			goto oom;
		}
	}
	r->n++;
	return 0;
oom:
	log_err("rows: out of memory");
	return -1;
}

const char *rows_cell(const struct rows *r, size_t row, const char *column)
{
	for (size_t c = 0; c < r->n_columns; c++)
		if (strcmp(r->columns[c].name, column) == 0)
			return r->cells[row * r->n_columns + c];
	return NULL;
}

void rows_done(struct rows *r)
{
	for (size_t i = 0; i < r->n * r->n_columns; i++)
		free(r->cells[i]);
	free(r->cells);
	r->cells = NULL;
	r->n = r->cap = 0;
}

size_t rows_text_width(const char *text)
{
	size_t width = 0;
	for (const unsigned char *c = (const unsigned char *)text; *c; c++)
		width += (*c & 0xC0) != 0x80;
	return width;
}

static void print_table(const struct rows *r, FILE *out)
{
	size_t *widths = calloc(r->n_columns, sizeof(*widths));
	if (!widths)
		return;
	for (size_t c = 0; c < r->n_columns; c++)
		widths[c] = strlen(r->columns[c].name);
	for (size_t i = 0; i < r->n; i++)
		for (size_t c = 0; c < r->n_columns; c++) {
			const char *cell = r->cells[i * r->n_columns + c];
			size_t w = rows_text_width(cell ? cell : "-");
			if (w > widths[c])
				widths[c] = w;
		}
	for (size_t c = 0; c < r->n_columns; c++) {
		for (const char *h = r->columns[c].name; *h; h++)
			fputc(*h >= 'a' && *h <= 'z' ? *h - 'a' + 'A' : *h,
			      out);
		if (c + 1 < r->n_columns)
			fprintf(out, "%*s",
				(int)(widths[c] - strlen(r->columns[c].name) +
				      2),
				"");
	}
	fputc('\n', out);
	for (size_t i = 0; i < r->n; i++) {
		for (size_t c = 0; c < r->n_columns; c++) {
			const char *cell = r->cells[i * r->n_columns + c];
			const char *text = cell ? cell : "-";
			size_t pad = widths[c] - rows_text_width(text);
			if (r->columns[c].kind == ROWS_NUMBER)
				fprintf(out, "%*s%s", (int)pad, "", text);
			else if (c + 1 < r->n_columns)
				fprintf(out, "%s%*s", text, (int)pad, "");
			else
				fputs(text, out);
			if (c + 1 < r->n_columns)
				fputs("  ", out);
		}
		fputc('\n', out);
	}
	free(widths);
}

json_t *rows_json(const struct rows *r)
{
	json_t *all = json_array();
	if (!all)
		goto oom;
	for (size_t i = 0; i < r->n; i++) {
		json_t *row = json_object();
		if (!row || json_array_append_new(all, row))
			goto oom;
		for (size_t c = 0; c < r->n_columns; c++) {
			const char *cell = r->cells[i * r->n_columns + c];
			/* A number as an integer when whole, else a real. */
			json_t *value =
				!cell ? json_null()
				: r->columns[c].kind != ROWS_NUMBER
					? json_string(cell)
				: strchr(cell, '.')
					? json_real(strtod(cell, NULL))
					: json_integer(strtoll(cell, NULL, 10));
			if (!value ||
			    json_object_set_new(row, r->columns[c].name, value))
				goto oom;
		}
	}
	return all;
oom:
	json_decref(all);
	log_err("rows: out of memory writing JSON");
	return NULL;
}

static int print_json(const struct rows *r, FILE *out)
{
	json_t *all = rows_json(r);
	if (!all)
		return -1;
	int rc = json_dumpf(all, out,
			    JSON_INDENT(2) | JSON_PRESERVE_ORDER |
				    JSON_REAL_PRECISION(10));
	fputc('\n', out);
	json_decref(all);
	return rc;
}

static int print_csv(const struct rows *r, FILE *out)
{
	const char **names = calloc(r->n_columns, sizeof(*names));
	if (!names) {
		log_err("rows: out of memory writing CSV");
		return -1;
	}
	for (size_t c = 0; c < r->n_columns; c++)
		names[c] = r->columns[c].name;
	csv_put_row(out, names, r->n_columns);
	for (size_t i = 0; i < r->n; i++)
		csv_put_row(out,
			    (const char *const *)&r->cells[i * r->n_columns],
			    r->n_columns);
	free(names);
	return 0;
}

int rows_print(const struct rows *r, enum rows_format format, FILE *out)
{
	int rc = 0;
	switch (format) {
	case ROWS_TABLE:
		print_table(r, out);
		break;
	case ROWS_JSON:
		rc = print_json(r, out);
		break;
	case ROWS_CSV:
		rc = print_csv(r, out);
		break;
	}
	if (rc == 0 && (fflush(out) || ferror(out))) {
		log_err("rows: cannot write the report");
		return -1;
	}
	return rc;
}
