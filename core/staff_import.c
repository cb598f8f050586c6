#include "staff_import.h"

#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "db.h"
#include "log.h"
#include "staff.h"

/* An id of the file and the record it is on, for sorting. */
struct file_id {
	const char *id;
	size_t record;
};

static int file_id_compare(const void *a, const void *b)
{
	const struct file_id *x = a, *y = b;
	int order = strcmp(x->id, y->id);
	if (order)
		return order;
	return (x->record > y->record) - (x->record < y->record);
}

static bool file_has_id(const struct file_id *ids, size_t n, const char *id)
{
	size_t low = 0, high = n;
	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int order = strcmp(ids[mid].id, id);
		if (order == 0)
			return true;
		if (order < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return false;
}

/* One data row on its way in. */
struct import_row {
	struct staff person;
	bool valid;           /* parsed, and its id not a duplicate */
	bool manager_changed; /* new person, or a manager other than before */
	qa_day left_on;       /* as stored before; QA_DAY_NONE: in post */
};

/* Problems of the rows, each with its line, so they reach the reader in
 * file order whichever check found them. */
struct row_problems {
	struct errlist msgs;
	unsigned *lines; /* lines[i] is the line of msgs.msgs[i] */
	size_t nlines;
};

/* The messages added since the last call are about `line`. */
static void row_problems_mark(struct row_problems *problems, unsigned line)
{
	if (problems->msgs.n <= problems->nlines)
		return;
	unsigned *lines =
		realloc(problems->lines, problems->msgs.n * sizeof(*lines));
	if (!lines)
		return; /* flush puts the unmarked ones last */
	problems->lines = lines;
	while (problems->nlines < problems->msgs.n)
		lines[problems->nlines++] = line;
}

struct located {
	unsigned line;
	size_t seq;
	const char *msg;
};

static int located_compare(const void *a, const void *b)
{
	const struct located *x = a, *y = b;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Append the problems to errs by line and free them. */
static void row_problems_flush(struct row_problems *problems,
			       struct errlist *errs)
{
	size_t n = problems->msgs.n;
	struct located *order = n ? calloc(n, sizeof(*order)) : NULL;
	if (!order) {
		errlist_move(errs, &problems->msgs);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		order[i] = (struct located){
			i < problems->nlines ? problems->lines[i] : UINT_MAX, i,
			problems->msgs.msgs[i]};
	qsort(order, n, sizeof(*order), located_compare);
	for (size_t i = 0; i < n; i++)
		errlist_add(errs, "%s", order[i].msg);
out:
	free(order);
	errlist_done(&problems->msgs);
	free(problems->lines);
	problems->lines = NULL;
	problems->nlines = 0;
}

/* The header's names as the reader wrote them, for a row of another
 * length: "id,name,...". NULL when out of memory. */
static char *header_text(const struct csv_record *header)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!out)
		return NULL;
	for (size_t i = 0; i < header->nfields; i++)
		fprintf(out, "%s%s", i ? "," : "", header->fields[i]);
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}

/* The cells of record as staff_parse reads them: a cell our own CSV
 * defused (a name like =HYPERLINK(...) written as '=HYPERLINK(...)) comes
 * back as it was. */
static struct staff_text row_text(const struct csv_record *record,
				  const size_t *at)
{
#define CELL(column) csv_undefuse(csv_field(record, at[column]))
	return (struct staff_text){
		.id = CELL(STAFF_COLUMN_ID),
		.name = CELL(STAFF_COLUMN_NAME),
		.email = CELL(STAFF_COLUMN_EMAIL),
		.role = CELL(STAFF_COLUMN_ROLE),
		.team = CELL(STAFF_COLUMN_TEAM),
		.manager = CELL(STAFF_COLUMN_MANAGER),
		.nqsw_start = CELL(STAFF_COLUMN_NQSW_START),
		.since = CELL(STAFF_COLUMN_SINCE),
		.left_on = CELL(STAFF_COLUMN_LEFT_ON),
	};
#undef CELL
}

/* One import on its way in. */
struct import {
	const char *path;
	struct csv_table table;        /* records[0] is the header */
	size_t at[STAFF_COLUMN_COUNT]; /* where each column is */
	char *header;                  /* its names, for messages */
	struct import_row *rows;       /* rows[i] is records[i + 1] */
	size_t nrows;
	struct file_id *ids; /* the valid ids, sorted */
	size_t nids;
	struct row_problems problems;
};

static unsigned line_of(const struct import *im, size_t row)
{
	return im->table.records[row + 1].line;
}

/* Parse every row, noting the problems of each. */
static void parse_rows(struct import *im)
{
	const struct csv_record *header = &im->table.records[0];
	for (size_t i = 0; i < im->nrows; i++) {
		const struct csv_record *record = &im->table.records[i + 1];
		/* Even a bad row's id counts as "in the file", so its
		 * reports get no second, misleading problem. */
		const char *id = csv_field(record, im->at[STAFF_COLUMN_ID]);
		if (id && staff_id_valid(id))
			im->ids[im->nids++] = (struct file_id){id, i};
		if (record->nfields != header->nfields) {
			errlist_add(&im->problems.msgs,
				    "%s:%u: %zu field%s, expected %zu (%s); "
				    "quote a field that holds a comma",
				    im->path, record->line, record->nfields,
				    record->nfields == 1 ? "" : "s",
				    header->nfields, im->header);
			row_problems_mark(&im->problems, record->line);
			continue;
		}
		if (record->has_nul) {
			errlist_add(&im->problems.msgs,
				    "%s:%u: a field holds a NUL byte", im->path,
				    record->line);
			row_problems_mark(&im->problems, record->line);
			continue;
		}
		struct staff_text text = row_text(record, im->at);
		struct staff_origin from = {im->path, record->line, NULL};
		im->rows[i].valid =
			staff_parse(&text, &from, &im->rows[i].person,
				    &im->problems.msgs) == 0;
		row_problems_mark(&im->problems, record->line);
	}
	qsort(im->ids, im->nids, sizeof(*im->ids), file_id_compare);
}

/* An id on a second row is a problem there, naming the first. */
static void refuse_duplicates(struct import *im)
{
	const struct file_id *ids = im->ids;
	for (size_t i = 1; i < im->nids; i++) {
		if (strcmp(ids[i].id, ids[i - 1].id) != 0)
			continue;
		size_t first = i - 1;
		while (first > 0 && strcmp(ids[first - 1].id, ids[i].id) == 0)
			first--;
		unsigned line = line_of(im, ids[i].record);
		errlist_add(&im->problems.msgs,
			    "%s:%u: id \"%s\": also on line %u; list each "
			    "person once",
			    im->path, line, ids[i].id,
			    line_of(im, ids[first].record));
		row_problems_mark(&im->problems, line);
		im->rows[ids[i].record].valid = false;
	}
}

static bool every_row_valid(const struct import *im)
{
	for (size_t i = 0; i < im->nrows; i++)
		if (!im->rows[i].valid)
			return false;
	return true;
}

/* Store the good rows, then check the managers against what the database
 * holds with the whole file in it (a row may name a manager further down,
 * and a cycle may span several rows), then record the leavers. Problems
 * are noted; -1 only for a database error (logged). */
static int store_rows(sqlite3 *db, qa_day today, struct import *im)
{
	struct import_row *rows = im->rows;
	for (size_t i = 0; i < im->nrows; i++) {
		if (rows[i].valid &&
		    staff_store(db, &rows[i].person, today,
				&rows[i].manager_changed, &rows[i].left_on))
			return -1;
	}
	for (size_t i = 0; i < im->nrows; i++) {
		const struct staff *s = &rows[i].person;
		if (!rows[i].valid || !s->manager_id)
			continue;
		/* A manager on a bad row of this file has its own problem. */
		bool must_exist =
			!file_has_id(im->ids, im->nids, s->manager_id);
		if (staff_check_manager(db, s, today, must_exist,
					rows[i].manager_changed, im->path,
					line_of(im, i), &im->problems.msgs) < 0)
			return -1;
		row_problems_mark(&im->problems, line_of(im, i));
	}
	/* The leavers last, as staff leave after the rows were added: who
	 * reports to a leaver in the file keeps them, as in the database
	 * the file was written from. Left on that day already: no news. */
	for (size_t i = 0; i < im->nrows; i++) {
		const struct staff *s = &rows[i].person;
		size_t before = im->problems.msgs.n;
		if (!rows[i].valid || s->left_on == QA_DAY_NONE ||
		    s->left_on == rows[i].left_on)
			continue;
		struct staff_origin from = {im->path, line_of(im, i), NULL};
		if (staff_leave(db, s->id, s->left_on, &from,
				&im->problems.msgs) &&
		    im->problems.msgs.n == before)
			return -1;
		row_problems_mark(&im->problems, line_of(im, i));
	}
	return 0;
}

int staff_import_csv(sqlite3 *db, const char *path, qa_day today,
		     struct errlist *errs)
{
	struct import im = {.path = path};
	bool in_transaction = false;
	bool own_transaction = false;
	int rc = -1;

	if (csv_read_file(path, &im.table, errs))
		goto out;
	if (im.table.n == 0) {
		errlist_add(errs,
			    "%s: empty; expected the header "
			    "id,name,email,role,team,manager,nqsw_start and a "
			    "row per person",
			    path);
		goto out;
	}
	/* Every cell trimmed, as staff_parse trims what it reads: the ids
	 * of the file are compared before it runs. */
	for (size_t i = 0; i < im.table.n; i++)
		csv_record_trim(&im.table.records[i]);
	/* since and left_on, the last columns, may be left out. */
	if (csv_header_map(path, &im.table.records[0], staff_column_names,
			   STAFF_COLUMN_COUNT, STAFF_COLUMN_SINCE, im.at, errs))
		goto out;
	im.nrows = im.table.n - 1;
	if (im.nrows == 0) {
		errlist_add(errs, "%s: no staff after the header", path);
		goto out;
	}
	im.rows = calloc(im.nrows, sizeof(*im.rows));
	im.ids = calloc(im.nrows, sizeof(*im.ids));
	im.header = header_text(&im.table.records[0]);
	if (!im.rows || !im.ids || !im.header) {
		log_err("staff: out of memory importing %s", path);
		goto out;
	}
	parse_rows(&im);
	refuse_duplicates(&im);

	/* Inside the caller's transaction (import, then regenerate, then
	 * commit), a savepoint keeps the all-or-nothing promise. */
	own_transaction = sqlite3_get_autocommit(db);
	if (own_transaction ? db_begin(db)
			    : sqlite3_exec(db, "SAVEPOINT staff_import", NULL,
					   NULL, NULL) != SQLITE_OK)
		goto out;
	in_transaction = true;
	/* Every row good, or nothing: a row refused is never passed over,
	 * even one whose problem was lost for want of memory (issue 14). */
	if (store_rows(db, today, &im) || im.problems.msgs.n ||
	    !every_row_valid(&im))
		goto out;
	if (own_transaction ? db_commit(db)
			    : sqlite3_exec(db, "RELEASE staff_import", NULL,
					   NULL, NULL) != SQLITE_OK)
		goto out;
	in_transaction = false;
	rc = (int)im.nrows;
out:
	if (in_transaction && own_transaction)
		db_rollback(db);
	else if (in_transaction)
		sqlite3_exec(db,
			     "ROLLBACK TO staff_import; RELEASE staff_import",
			     NULL, NULL, NULL);
	row_problems_flush(&im.problems, errs);
	for (size_t i = 0; im.rows && i < im.nrows; i++)
		staff_done(&im.rows[i].person);
	free(im.rows);
	free(im.ids);
	free(im.header);
	csv_table_done(&im.table);
	return rc;
}
