#include "record_import.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "log.h"
#include "record.h"

/* The file's columns: activity, then the fields in record_field's order. */
enum {
	COLUMN_ACTIVITY,
	COLUMN_FIELDS,
	COLUMN_COUNT = COLUMN_FIELDS + RECORD_FIELD_COUNT
};

/* The audit each line recorded, for line:N; 0 for a line that recorded no
 * collaborative audit. */
struct audits_by_line {
	long long *id; /* by line */
	unsigned n;
};

static bool same_word(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0;
}

/* A safeguarding cell: 0, or -1 when it is neither yes nor no. */
static int parse_flag(const char *text, enum record_flag *out)
{
	*out = RECORD_FLAG_UNSET;
	if (!text || !*text)
		return 0;
	if (same_word(text, "yes") || same_word(text, "y") ||
	    same_word(text, "true") || strcmp(text, "1") == 0)
		*out = RECORD_FLAG_YES;
	else if (same_word(text, "no") || same_word(text, "n") ||
		 same_word(text, "false") || strcmp(text, "0") == 0)
		*out = RECORD_FLAG_NO;
	else
		return -1;
	return 0;
}

/* Whole digits, 1 to max: 0 and the value, or -1. */
static int parse_number(const char *text, long long max, long long *out)
{
	if (!*text)
		return -1;
	long long value = 0;
	for (const char *c = text; *c; c++) {
		if (!isdigit((unsigned char)*c) || value > max / 10)
			return -1;
		value = value * 10 + (*c - '0');
	}
	if (value < 1 || value > max)
		return -1;
	*out = value;
	return 0;
}

/* The audit cell of the row at line: an id, or line:N for an earlier
 * line's audit. 0, or -1 after adding the problem. */
static int parse_audit(const char *path, unsigned line, const char *text,
		       const struct audits_by_line *audits, long long *out,
		       struct errlist *errs)
{
	long long n;
	*out = 0;
	if (!text || !*text)
		return 0;
	if (strncmp(text, "line:", 5) == 0) {
		if (parse_number(text + 5, 100000000, &n) || n >= line) {
			errlist_add(errs,
				    "%s:%u: audit \"%s\": line:N names an "
				    "earlier line of this file",
				    path, line, text);
			return -1;
		}
		if ((unsigned)n >= audits->n || !audits->id[n]) {
			errlist_add(
				errs,
				"%s:%u: audit \"%s\": line %lld recorded no "
				"collaborative audit",
				path, line, text, n);
			return -1;
		}
		*out = audits->id[n];
		return 0;
	}
	if (parse_number(text, 2000000000, &n)) {
		errlist_add(errs,
			    "%s:%u: audit \"%s\": use an audit's number, or "
			    "line:N for the audit on line N of this file",
			    path, line, text);
		return -1;
	}
	*out = n;
	return 0;
}

/* Move the problems record_completion found into errs, each as
 * "PATH:LINE: ..." (they start "record: " at the command line). */
static void locate(struct errlist *found, const char *path, unsigned line,
		   struct errlist *errs)
{
	for (size_t i = 0; i < found->n; i++) {
		const char *msg = found->msgs[i];
		if (strncmp(msg, "record: ", 8) == 0)
			msg += 8;
		errlist_add(errs, "%s:%u: %s", path, line, msg);
	}
	errlist_done(found);
}

/* Record the row; 1 recorded, 0 refused (problems in errs), -1 error. */
static int record_row(sqlite3 *db, const struct plugin_set *plugins,
		      const char *path, const struct csv_record *row,
		      const size_t *at, qa_day today,
		      struct audits_by_line *audits, struct errlist *errs)
{
#define CELL(column) csv_undefuse(csv_field(row, at[column]))
#define FIELD(f) CELL(COLUMN_FIELDS + (f))
#define GIVEN(text) ((text) && *(text) ? (text) : NULL)
	size_t before = errs->n;
	const char *activity = CELL(COLUMN_ACTIVITY);
	const char *date = FIELD(RECORD_FIELD_DATE);
	const char *flag = FIELD(RECORD_FIELD_SAFEGUARDING);
	struct record_input in = {
		.activity = activity,
		.staff_id = GIVEN(FIELD(RECORD_FIELD_STAFF)),
		.practitioner_id = GIVEN(FIELD(RECORD_FIELD_PRACTITIONER)),
		.grade = GIVEN(FIELD(RECORD_FIELD_GRADE)),
		.moderator_id = GIVEN(FIELD(RECORD_FIELD_MODERATOR)),
		.home = GIVEN(FIELD(RECORD_FIELD_HOME)),
		.signed_off_by = GIVEN(FIELD(RECORD_FIELD_SIGNED_OFF_BY)),
		.note = GIVEN(FIELD(RECORD_FIELD_NOTE)),
	};
	if (!GIVEN(activity))
		errlist_add(errs, "%s:%u: activity: missing", path, row->line);
	if (!in.staff_id)
		errlist_add(errs, "%s:%u: staff: missing", path, row->line);
	if (!GIVEN(date))
		errlist_add(errs, "%s:%u: date: missing", path, row->line);
	else if (date_parse(date, &in.date))
		errlist_add(errs,
			    "%s:%u: date \"%s\": not a real date; use "
			    "YYYY-MM-DD",
			    path, row->line, date);
	if (parse_flag(flag, &in.safeguarding))
		errlist_add(errs,
			    "%s:%u: safeguarding \"%s\": use yes or no, or "
			    "leave it empty",
			    path, row->line, flag);
	parse_audit(path, row->line, FIELD(RECORD_FIELD_AUDIT), audits,
		    &in.audit_id, errs);
	if (errs->n > before)
		return 0;
#undef GIVEN
#undef FIELD
#undef CELL
	struct errlist found = {0};
	long long id = 0;
	int rc = record_completion(db, plugins, &in, today, &found, &id);
	if (rc && !found.n) {
		errlist_done(&found);
		return -1; /* a database error, logged */
	}
	locate(&found, path, row->line, errs);
	if (rc)
		return 0;
	if (strcmp(in.activity, "collaborative_audit") == 0 &&
	    row->line < audits->n)
		audits->id[row->line] = id;
	return 1;
}

int record_import_csv(sqlite3 *db, const struct plugin_set *plugins,
		      const char *path, qa_day today, struct errlist *errs,
		      int *audits_recorded)
{
	const char *names[COLUMN_COUNT] = {"activity"};
	for (size_t f = 0; f < RECORD_FIELD_COUNT; f++)
		names[COLUMN_FIELDS + f] = record_field_names[f];
	struct csv_table table = {0};
	struct audits_by_line audits = {0};
	size_t at[COLUMN_COUNT];
	size_t before = errs->n;
	int recorded = 0, rc = -1;
	*audits_recorded = 0;
	if (csv_read_file(path, &table, errs))
		goto out;
	if (table.n < 2) {
		errlist_add(errs,
			    "%s: no completions; expected the header "
			    "activity,staff,date (and any of practitioner, "
			    "grade, safeguarding, moderator, home, audit, "
			    "signed_off_by, note) and a row per completion",
			    path);
		goto out;
	}
	for (size_t i = 0; i < table.n; i++)
		csv_record_trim(&table.records[i]);
	/* activity, staff and date; the rest as they apply. */
	if (csv_header_map(path, &table.records[0], names, COLUMN_COUNT, 3, at,
			   errs))
		goto out;
	audits.n = table.records[table.n - 1].line + 1;
	audits.id = calloc(audits.n, sizeof(*audits.id));
	if (!audits.id) {
		log_err("record: out of memory importing %s", path);
		goto out;
	}
	size_t width = table.records[0].nfields;
	for (size_t i = 1; i < table.n; i++) {
		const struct csv_record *row = &table.records[i];
		if (row->has_nul) {
			errlist_add(errs, "%s:%u: a field holds a NUL byte",
				    path, row->line);
			continue;
		}
		if (row->nfields != width) {
			errlist_add(errs,
				    "%s:%u: %zu field(s), but the header has "
				    "%zu",
				    path, row->line, row->nfields, width);
			continue;
		}
		int done = record_row(db, plugins, path, row, at, today,
				      &audits, errs);
		if (done < 0)
			goto out;
		recorded += done;
		if (done && strcmp(csv_field(row, at[COLUMN_ACTIVITY]),
				   "collaborative_audit") == 0)
			(*audits_recorded)++;
	}
	if (errs->n == before)
		rc = recorded;
out:
	free(audits.id);
	csv_table_done(&table);
	return rc;
}
