#include "due.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "db.h"
#include "log.h"

const char *due_supervision_phase(qa_day nqsw_start, qa_day day)
{
	if (nqsw_start == QA_DAY_NONE)
		return "experienced";
	if (day < qa_day_add_months(nqsw_start, 6))
		return "nqsw_weekly";
	if (day < qa_day_add_months(nqsw_start, 12))
		return "nqsw_fortnightly";
	return "experienced";
}

static const char *status_word(enum due_status status)
{
	return status == DUE_OVERDUE ? "overdue"
	       : status == DUE_DUE   ? "due"
				     : "upcoming";
}

void due_row_done(struct due_row *r)
{
	free(r->staff_id);
	free(r->name);
	free(r->team);
	free(r->manager_id);
	free(r->activity);
	free(r->home);
	memset(r, 0, sizeof(*r));
}

void due_list_done(struct due_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		due_row_done(&list->rows[i]);
	free(list->rows);
	memset(list, 0, sizeof(*list));
}

static int cmp_rows(const void *a, const void *b)
{
	const struct due_row *x = a, *y = b;
	if ((x->status == DUE_OVERDUE) != (y->status == DUE_OVERDUE))
		return x->status == DUE_OVERDUE ? -1 : 1;
	if (x->due != y->due)
		return x->due < y->due ? -1 : 1;
	int by_staff = strcmp(x->staff_id, y->staff_id);
	return by_staff ? by_staff : strcmp(x->activity, y->activity);
}

int due_query(sqlite3 *db, const struct due_filter *f, struct due_list *out)
{
	/* The engine keeps each person's series with its next due date
	 * (reconcile.c, write_series); here is only the join. */
	static const char sql[] =
		"SELECT st.id, st.name, st.team, st.manager_id, se.activity,"
		" se.next_due,"
		/* Two subqueries, so each keeps its index: a shared series
		 * counts anyone's completions, a person's only their own. */
		" CASE WHEN se.shared THEN"
		"  (SELECT max(c.done_on) FROM completions c"
		"   WHERE c.activity = se.activity AND c.done_on <= ?4)"
		" ELSE"
		"  (SELECT max(c.done_on) FROM completions c"
		"   WHERE c.activity = se.activity AND c.staff_id = se.subject"
		"   AND c.done_on <= ?4"
		/* A series per home: the last visit to the home shown (or
		 * one 0.1.0 recorded without its home). */
		"   AND (se.home IS NULL OR c.home IS NULL OR c.home = "
		"se.home))"
		" END AS last_done,"
		" st.nqsw_start, se.home"
		" FROM series se JOIN staff st ON st.id = se.subject"
		" WHERE se.next_due IS NOT NULL"
		" AND (?1 IS NULL OR se.activity = ?1)"
		" AND (st.left_on IS NULL OR st.left_on > ?4)"
		/* Not yet tracked on the day asked about: nothing owed. */
		" AND coalesce(st.since, st.added_on) <= ?4"
		" AND (?2 IS NULL OR st.manager_id = ?2)"
		" AND (?3 IS NULL OR st.team = ?3)"
		" AND (?5 IS NULL OR st.id = ?5)"
		" AND (?6 IS NULL OR st.id IN (WITH RECURSIVE line(id) AS ("
		"  SELECT id FROM staff WHERE manager_id = ?6"
		"  UNION SELECT s.id FROM staff s JOIN line l"
		"  ON s.manager_id = l.id) SELECT id FROM line))";
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc = -1;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, f->activity);
	db_bind_text(stmt, 2, f->manager_id);
	db_bind_text(stmt, 3, f->team);
	db_bind_day(stmt, 4, f->as_of);
	db_bind_text(stmt, 5, f->staff_id);
	db_bind_text(stmt, 6, f->line_of);
	int step;
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		qa_day due = db_column_day(stmt, 5);
		if (due == QA_DAY_NONE)
			continue; /* everything done in the window */
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			struct due_row *grown =
				realloc(out->rows, cap * sizeof(*grown));
			if (!grown)
				goto out;
			out->rows = grown;
		}
		struct due_row *r = &out->rows[out->n++];
		memset(r, 0, sizeof(*r));
		r->staff_id = db_column_dup(stmt, 0);
		r->name = db_column_dup(stmt, 1);
		r->team = db_column_dup(stmt, 2);
		r->manager_id = db_column_dup(stmt, 3);
		r->activity = db_column_dup(stmt, 4);
		r->home = db_column_dup(stmt, 8);
		if (!r->staff_id || !r->name || !r->team || !r->activity ||
		    (sqlite3_column_type(stmt, 8) != SQLITE_NULL && !r->home))
			goto out;
		r->due = due;
		r->last_done = db_column_day(stmt, 6);
		r->status = due < f->as_of                     ? DUE_OVERDUE
			    : due <= f->as_of + f->within_days ? DUE_DUE
							       : DUE_UPCOMING;
		if (strcmp(r->activity, "supervision") == 0)
			r->phase = due_supervision_phase(db_column_day(stmt, 7),
							 f->as_of);
	}
	if (step != SQLITE_DONE)
		goto out;
	if (out->n)
		qsort(out->rows, out->n, sizeof(*out->rows), cmp_rows);
	rc = 0;
out:
	if (rc) {
		log_err("due: %s", sqlite3_errmsg(db));
		due_list_done(out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

int due_count_overdue(sqlite3 *db, qa_day day,
		      void (*cb)(const char *team, const char *activity,
				 long long n, void *arg),
		      void *arg)
{
	static const char sql[] =
		"SELECT st.team, se.activity, count(*)"
		" FROM series se JOIN staff st ON st.id = se.subject"
		" WHERE se.next_due < ?1"
		" AND (st.left_on IS NULL OR st.left_on > ?1)"
		" AND coalesce(st.since, st.added_on) <= ?1"
		" GROUP BY st.team, se.activity ORDER BY 1, 2";
	sqlite3_stmt *stmt = NULL;
	int rc = -1, step;
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_day(stmt, 1, day);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW)
		cb((const char *)sqlite3_column_text(stmt, 0),
		   (const char *)sqlite3_column_text(stmt, 1),
		   (long long)sqlite3_column_int64(stmt, 2), arg);
	rc = step == SQLITE_DONE ? 0 : -1;
out:
	if (rc)
		log_err("due: counting the overdue: %s", sqlite3_errmsg(db));
	sqlite3_finalize(stmt);
	return rc;
}

static json_t *day_or_null(qa_day day)
{
	char text[DATE_TEXT_SIZE];
	return day == QA_DAY_NONE ? json_null()
				  : json_string(date_format(day, text));
}

json_t *due_json(const struct due_list *list)
{
	json_t *array = json_array();
	if (!array)
		return NULL;
	for (size_t i = 0; i < list->n; i++) {
		const struct due_row *r = &list->rows[i];
		json_t *obj = json_pack(
			"{s:s, s:s, s:s, s:o, s:s, s:o, s:o, s:s, s:o, s:o}",
			"staff_id", r->staff_id, "name", r->name, "team",
			r->team, "manager_id",
			r->manager_id ? json_string(r->manager_id)
				      : json_null(),
			"activity", r->activity, "due", day_or_null(r->due),
			"last_done", day_or_null(r->last_done), "status",
			status_word(r->status), "phase",
			r->phase ? json_string(r->phase) : json_null(), "home",
			r->home ? json_string(r->home) : json_null());
		if (!obj || json_array_append_new(array, obj)) {
			json_decref(array);
			return NULL;
		}
	}
	return array;
}

static int print_json(const struct due_list *list, FILE *out)
{
	json_t *array = due_json(list);
	if (!array)
		return -1;
	int rc = json_dumpf(array, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', out);
	json_decref(array);
	return rc;
}

static int print_csv(const struct due_list *list, FILE *out)
{
	char due[DATE_TEXT_SIZE], last[DATE_TEXT_SIZE];
	fputs("staff_id,name,team,manager_id,activity,due,last_done,status,"
	      "phase,home\n",
	      out);
	for (size_t i = 0; i < list->n; i++) {
		const struct due_row *r = &list->rows[i];
		const char *fields[] = {
			r->staff_id,
			r->name,
			r->team,
			r->manager_id,
			r->activity,
			date_format(r->due, due),
			r->last_done == QA_DAY_NONE
				? NULL
				: date_format(r->last_done, last),
			status_word(r->status),
			r->phase,
			r->home};
		csv_put_row(out, fields, sizeof(fields) / sizeof(fields[0]));
	}
	return 0;
}

/* Print text in width columns, cut with "…" when longer (UTF-8 aware). */
static void cell(const char *text, int width, FILE *out)
{
	int cols = 0;
	const char *p = text ? text : "-";
	const char *cut = NULL;
	for (const char *q = p; *q; q++) {
		if (((unsigned char)*q & 0xC0) == 0x80)
			continue;
		if (cols == width - 1)
			cut = q;
		cols++;
	}
	if (cols <= width) {
		fputs(p, out);
		for (; cols < width; cols++)
			fputc(' ', out);
	} else {
		fwrite(p, 1, (size_t)(cut - p), out);
		fputs("…", out);
	}
}

static int print_table(const struct due_list *list, FILE *out)
{
	static const char *const short_phase[] = {"weekly", "fortnightly",
						  "experienced"};
	char due[DATE_TEXT_SIZE], last[DATE_TEXT_SIZE];
	fprintf(out, "%-9s%-11s%-20s%-11s%-17s%-9s%-11s%s\n", "STATUS", "DUE",
		"ACTIVITY", "STAFF", "NAME", "MANAGER", "LAST DONE", "PHASE");
	for (size_t i = 0; i < list->n; i++) {
		const struct due_row *r = &list->rows[i];
		const char *phase = "-";
		if (r->phase)
			phase = strcmp(r->phase, "nqsw_weekly") == 0
					? short_phase[0]
				: strcmp(r->phase, "nqsw_fortnightly") == 0
					? short_phase[1]
					: short_phase[2];
		cell(status_word(r->status), 8, out);
		fputc(' ', out);
		fprintf(out, "%s ", date_format(r->due, due));
		cell(r->activity, 19, out);
		fputc(' ', out);
		cell(r->staff_id, 10, out);
		fputc(' ', out);
		cell(r->name, 16, out);
		fputc(' ', out);
		cell(r->manager_id, 8, out);
		fputc(' ', out);
		cell(r->last_done == QA_DAY_NONE
			     ? "never"
			     : date_format(r->last_done, last),
		     10, out);
		fprintf(out, " %s\n", phase);
	}
	return 0;
}

int due_print(const struct due_list *list, enum due_format format, FILE *out)
{
	switch (format) {
	case DUE_FORMAT_JSON:
		return print_json(list, out);
	case DUE_FORMAT_CSV:
		return print_csv(list, out);
	case DUE_FORMAT_TABLE:
		return print_table(list, out);
	}
	return -1;
}
