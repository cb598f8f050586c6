#include "csvio.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static bool formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	       c == '\r';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

void csv_put_field(FILE *out, const char *text)
{
	if (!text || !*text)
		return;
	size_t len = strlen(text);
	bool defuse = formula_start(text[0]);
	bool quote = strpbrk(text, ",\"\r\n") || is_space(text[0]) ||
		     is_space(text[len - 1]);
	if (!quote) {
		if (defuse)
			fputc('\'', out);
		fputs(text, out);
		return;
	}
	/* The ' goes inside the quotes, where a spreadsheet reads it. */
	fputc('"', out);
	if (defuse)
		fputc('\'', out);
	for (const char *c = text; *c; c++) {
		if (*c == '"')
			fputc('"', out);
		fputc(*c, out);
	}
	fputc('"', out);
}

void csv_put_row(FILE *out, const char *const *fields, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', out);
		csv_put_field(out, fields[i]);
	}
	fputc('\n', out);
}

const char *csv_undefuse(const char *text)
{
	return text && text[0] == '\'' && formula_start(text[1]) ? text + 1
								 : text;
}

/* ---- reading ---- */

/* What libcsv's callbacks build. */
struct reader {
	struct csv_table *table;
	size_t capacity;
	struct csv_record current;
	size_t current_capacity;
	bool at_record_start;
	unsigned line; /* physical line of the byte being fed */
	bool oom;
};

static void record_free(struct csv_record *record)
{
	for (size_t i = 0; i < record->nfields; i++)
		free(record->fields[i]);
	free(record->fields);
	memset(record, 0, sizeof(*record));
}

void csv_table_done(struct csv_table *table)
{
	for (size_t i = 0; i < table->n; i++)
		record_free(&table->records[i]);
	free(table->records);
	table->records = NULL;
	table->n = 0;
}

static void on_field(void *data, size_t len, void *arg)
{
	struct reader *reader = arg;
	struct csv_record *record = &reader->current;
	char *copy;
	if (reader->oom)
		return;
	if (record->nfields == reader->current_capacity) {
		size_t grown = reader->current_capacity
				       ? reader->current_capacity * 2
				       : 8;
		char **fields =
			realloc(record->fields, grown * sizeof(*fields));
		if (!fields) {
			reader->oom = true;
			return;
		}
		record->fields = fields;
		reader->current_capacity = grown;
	}
	/* libcsv hands no buffer for an empty field before its first
	 * non-empty one. */
	if (!data)
		data = "";
	if (memchr(data, '\0', len))
		record->has_nul = true;
	if (!(copy = strndup(data, len))) {
		reader->oom = true;
		return;
	}
	record->fields[record->nfields++] = copy;
}

static void on_record(int terminator, void *arg)
{
	struct reader *reader = arg;
	struct csv_table *table = reader->table;
	(void)terminator;
	if (table->n == reader->capacity) {
		size_t grown = reader->capacity ? reader->capacity * 2 : 64;
		struct csv_record *records =
			realloc(table->records, grown * sizeof(*records));
		if (!records) {
			reader->oom = true;
			record_free(&reader->current);
			goto next;
		}
		table->records = records;
		reader->capacity = grown;
	}
	table->records[table->n++] = reader->current;
next:
	memset(&reader->current, 0, sizeof(reader->current));
	reader->current_capacity = 0;
	reader->at_record_start = true;
}

int csv_read_file(const char *path, struct csv_table *out, struct errlist *errs)
{
	struct reader reader = {
		.table = out, .line = 1, .at_record_start = true};
	struct csv_parser parser;
	unsigned char chunk[8192];
	unsigned char previous = 0;
	bool first_chunk = true, parser_ready = false;
	FILE *file = NULL;
	int rc = -1;
	size_t got;

	memset(out, 0, sizeof(*out));
	if (!(file = fopen(path, "rb"))) {
		errlist_add(errs, "%s: cannot open: %s", path, strerror(errno));
		goto out;
	}
	/* STRICT: a quote inside an unquoted field, or text after a closing
	 * quote, is an error rather than a silent guess. */
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL)) {
		log_err("csv: out of memory reading %s", path);
		goto out;
	}
	parser_ready = true;
	while ((got = fread(chunk, 1, sizeof(chunk), file)) > 0) {
		size_t start = 0;
		if (first_chunk && got >= 3 &&
		    memcmp(chunk, "\xef\xbb\xbf", 3) == 0)
			start = 3; /* the BOM spreadsheets write */
		first_chunk = false;
		/* Fed a byte at a time, so the line of each record's first
		 * byte is known: libcsv counts no lines. */
		for (size_t i = start; i < got; i++) {
			unsigned char byte = chunk[i];
			if (reader.at_record_start && byte != '\r' &&
			    byte != '\n') {
				reader.current.line = reader.line;
				reader.at_record_start = false;
			}
			if (csv_parse(&parser, &byte, 1, on_field, on_record,
				      &reader) != 1) {
				if (csv_error(&parser) == CSV_EPARSE)
					errlist_add(
						errs,
						"%s:%u: malformed CSV: a quote "
						"inside an unquoted field, or "
						"text after a closing quote; "
						"quote the whole field and "
						"double any quote inside it",
						path, reader.line);
				else
					log_err("csv: %s:%u: %s", path,
						reader.line,
						csv_strerror(
							csv_error(&parser)));
				goto out;
			}
			if (byte == '\r' || (byte == '\n' && previous != '\r'))
				reader.line++;
			previous = byte;
		}
		if (reader.oom)
			break;
	}
	if (ferror(file)) {
		errlist_add(errs, "%s: cannot read: %s", path, strerror(errno));
		goto out;
	}
	if (csv_fini(&parser, on_field, on_record, &reader)) {
		errlist_add(errs,
			    "%s:%u: a quoted field is not closed before the "
			    "end of the file",
			    path, reader.current.line);
		goto out;
	}
	if (reader.oom) {
		log_err("csv: out of memory reading %s", path);
		goto out;
	}
	rc = 0;
out:
	record_free(&reader.current);
	if (parser_ready)
		csv_free(&parser);
	if (file)
		fclose(file);
	return rc;
}

void csv_record_trim(struct csv_record *record)
{
	for (size_t i = 0; i < record->nfields; i++) {
		char *field = record->fields[i];
		size_t start = 0, end = strlen(field);
		while (field[start] == ' ' || field[start] == '\t')
			start++;
		while (end > start &&
		       (field[end - 1] == ' ' || field[end - 1] == '\t'))
			end--;
		memmove(field, field + start, end - start);
		field[end - start] = '\0';
	}
}

const char *csv_field(const struct csv_record *record, size_t column)
{
	return column < record->nfields ? record->fields[column] : NULL;
}

/* names[from, to) joined by sep, to out. */
static void put_names(FILE *out, const char *const *names, size_t from,
		      size_t to, const char *sep)
{
	for (size_t i = from; i < to; i++)
		fprintf(out, "%s%s", i > from ? sep : "", names[i]);
}

int csv_header_map(const char *path, const struct csv_record *header,
		   const char *const *names, size_t n, size_t n_required,
		   size_t *at, struct errlist *errs)
{
	char *problem = NULL, quoted[ERRLIST_SHOWN_SIZE];
	size_t len = 0, missing = 0, unknown = 0, nameless = 0;
	const char *sep = "";
	int rc = -1;
	FILE *out = open_memstream(&problem, &len);
	if (!out) {
		log_err("csv: out of memory reading the header of %s", path);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		at[i] = CSV_ABSENT;
	for (size_t f = 0; f < header->nfields; f++) {
		const char *cell = header->fields[f];
		size_t i = 0;
		while (i < n && strcmp(cell, names[i]) != 0)
			i++;
		if (i < n && at[i] == CSV_ABSENT) {
			at[i] = f;
			continue;
		}
		if (i == n && *cell)
			unknown++;
		else if (i == n)
			nameless++;
	}
	for (size_t i = 0; i < n_required; i++) {
		if (at[i] != CSV_ABSENT)
			continue;
		fprintf(out, "%s%s", missing++ ? ", " : "missing ", names[i]);
		sep = "; ";
	}
	if (unknown) {
		fprintf(out, "%sunknown column%s ", sep,
			unknown > 1 ? "s" : "");
		for (size_t f = 0, listed = 0; f < header->nfields; f++) {
			const char *cell = header->fields[f];
			size_t i = 0;
			while (i < n && strcmp(cell, names[i]) != 0)
				i++;
			if (i < n || !*cell)
				continue;
			/* A file with no header at all: its first row. */
			if (listed == 8) {
				fprintf(out, " and %zu more", unknown - listed);
				break;
			}
			fprintf(out, "%s\"%s\"", listed++ ? ", " : "",
				errlist_shown(cell, quoted));
		}
		sep = "; ";
	}
	if (nameless == 1)
		fprintf(out, "%sa column with no name", sep);
	else if (nameless)
		fprintf(out, "%s%zu columns with no name", sep, nameless);
	if (nameless)
		sep = "; ";
	for (size_t i = 0; i < n; i++) {
		size_t seen = 0;
		for (size_t f = 0; f < header->nfields; f++)
			seen += strcmp(header->fields[f], names[i]) == 0;
		if (seen == 2)
			fprintf(out, "%scolumn \"%s\" twice", sep, names[i]);
		else if (seen > 2)
			fprintf(out, "%scolumn \"%s\" %zu times", sep, names[i],
				seen);
		if (seen > 1)
			sep = "; ";
	}
	if (!*sep) {
		rc = 0;
		goto out;
	}
	fprintf(out, "; expected ");
	put_names(out, names, 0, n_required, ",");
	fputs(" in any order", out);
	if (n_required < n) {
		fputs(", and optionally ", out);
		put_names(out, names, n_required, n, ", ");
	}
out:
	if (fclose(out)) {
		log_err("csv: out of memory reading the header of %s", path);
		rc = -1;
	} else if (rc) {
		errlist_add(errs, "%s:%u: header: %s", path, header->line,
			    problem);
	}
	free(problem);
	return rc;
}
