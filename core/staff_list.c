#include "staff_list.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "csvio.h"
#include "date.h"
#include "log.h"
#include "rows.h"
#include "staff.h"

/* text padded or cut (with "…") to exactly width columns, then gap. */
static void print_cell(FILE *out, const char *text, size_t width, bool last)
{
	size_t shown_width = rows_text_width(text);
	if (shown_width <= width) {
		fputs(text, out);
	} else {
		const char *c = text;
		for (size_t n = 0; *c; c++) {
			if (((unsigned char)*c & 0xc0) != 0x80 &&
			    n++ == width - 1)
				break;
		}
		fwrite(text, 1, (size_t)(c - text), out);
		fputs("\xe2\x80\xa6", out);
		shown_width = width;
	}
	if (!last)
		fprintf(out, "%*s", (int)(width - shown_width + 2), "");
}

enum column {
	COLUMN_ID,
	COLUMN_NAME,
	COLUMN_TEAM,
	COLUMN_ROLES,
	COLUMN_MANAGER,
	COLUMN_NQSW,
	COLUMN_LEFT,
	COLUMN_COUNT
};

/* The text of one cell of the table; buf holds it when it is made here. */
static const char *table_cell(const struct staff *s, enum column column,
			      char *buf, size_t size)
{
	switch (column) {
	case COLUMN_ID:
		return s->id;
	case COLUMN_NAME:
		return s->name;
	case COLUMN_TEAM:
		return s->team;
	case COLUMN_ROLES:
		roles_format(s->roles, buf, size);
		return buf;
	case COLUMN_MANAGER:
		return s->manager_id ? s->manager_id : "-";
	case COLUMN_NQSW:
		return s->nqsw_start == QA_DAY_NONE
			       ? "-"
			       : date_format(s->nqsw_start, buf);
	case COLUMN_LEFT:
		return s->left_on == QA_DAY_NONE ? "-"
						 : date_format(s->left_on, buf);
	case COLUMN_COUNT:
		break;
	}
	return "";
}

static void list_table(const struct staff_array *list, FILE *out)
{
	static const char *const headings[COLUMN_COUNT] = {
		"ID", "NAME", "TEAM", "ROLES", "MANAGER", "NQSW_START", "LEFT",
	};
	/* Ids are never cut: they are what the other commands take. Names,
	 * teams and roles are, so a typical row fits in 100 columns; the
	 * json and csv formats give them whole. */
	static const size_t caps[COLUMN_COUNT] = {SIZE_MAX, 20, 12, 26,
						  SIZE_MAX, 10, 10};
	size_t widths[COLUMN_COUNT];
	char buf[512];
	for (int c = 0; c < COLUMN_COUNT; c++)
		widths[c] = strlen(headings[c]);
	for (size_t i = 0; i < list->n; i++)
		for (int c = 0; c < COLUMN_COUNT; c++) {
			size_t width = rows_text_width(
				table_cell(&list->people[i], (enum column)c,
					   buf, sizeof(buf)));
			if (width > caps[c])
				width = caps[c];
			if (width > widths[c])
				widths[c] = width;
		}
	for (int c = 0; c < COLUMN_COUNT; c++)
		print_cell(out, headings[c], widths[c], c == COLUMN_COUNT - 1);
	fputc('\n', out);
	for (size_t i = 0; i < list->n; i++) {
		for (int c = 0; c < COLUMN_COUNT; c++)
			print_cell(out,
				   table_cell(&list->people[i], (enum column)c,
					      buf, sizeof(buf)),
				   widths[c], c == COLUMN_COUNT - 1);
		fputc('\n', out);
	}
}

static json_t *json_day(qa_day day)
{
	char text[DATE_TEXT_SIZE];
	return day == QA_DAY_NONE ? json_null()
				  : json_string(date_format(day, text));
}

static json_t *json_text(const char *text)
{
	return text ? json_string(text) : json_null();
}

static json_t *person_json(const struct staff *s)
{
	json_t *person = json_object(), *roles = json_array();
	if (!person || !roles)
		goto fail;
	for (unsigned role = 1; role & ROLES_KNOWN; role <<= 1)
		if ((s->roles & role) &&
		    json_array_append_new(roles, json_string(roles_word(role))))
			goto fail;
	/* json_object_set_new takes the value even when it fails, and fails
	 * on a NULL value (out of memory, or text that is not UTF-8). */
	if (json_object_set_new(person, "id", json_text(s->id)) ||
	    json_object_set_new(person, "name", json_text(s->name)) ||
	    json_object_set_new(person, "email", json_text(s->email)))
		goto fail;
	int failed = json_object_set_new(person, "roles", roles);
	roles = NULL; /* the object's now, or freed */
	if (failed || json_object_set_new(person, "team", json_text(s->team)) ||
	    json_object_set_new(person, "manager_id",
				json_text(s->manager_id)) ||
	    json_object_set_new(person, "nqsw_start",
				json_day(s->nqsw_start)) ||
	    json_object_set_new(person, "added_on", json_day(s->added_on)) ||
	    json_object_set_new(person, "since", json_day(s->since)) ||
	    json_object_set_new(person, "left_on", json_day(s->left_on)))
		goto fail;
	return person;
fail:
	json_decref(roles);
	json_decref(person);
	log_err("staff: cannot build the JSON of %s (out of memory, or text "
		"that is not UTF-8)",
		s->id);
	return NULL;
}

static int list_json(const struct staff_array *list, FILE *out)
{
	json_t *all = json_array();
	int rc = -1;
	if (!all) {
		log_err("staff: out of memory");
		goto out;
	}
	for (size_t i = 0; i < list->n; i++) {
		json_t *person = person_json(&list->people[i]);
		if (!person || json_array_append_new(all, person))
			goto out;
	}
	if (json_dumpf(all, out, JSON_INDENT(2)) || fputc('\n', out) == EOF) {
		log_err("staff: cannot write the list: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	json_decref(all);
	return rc;
}

static void list_csv(const struct staff_array *list, FILE *out)
{
	char roles[512], nqsw_start[DATE_TEXT_SIZE], since[DATE_TEXT_SIZE],
		left_on[DATE_TEXT_SIZE];
	csv_put_row(out, staff_column_names, STAFF_COLUMN_COUNT);
	for (size_t i = 0; i < list->n; i++) {
		const struct staff *s = &list->people[i];
		roles_format(s->roles, roles, sizeof(roles));
		const char *fields[] = {
			s->id,
			s->name,
			s->email,
			roles,
			s->team,
			s->manager_id,
			s->nqsw_start == QA_DAY_NONE
				? NULL
				: date_format(s->nqsw_start, nqsw_start),
			s->since == QA_DAY_NONE ? NULL
						: date_format(s->since, since),
			s->left_on == QA_DAY_NONE
				? NULL
				: date_format(s->left_on, left_on)};
		csv_put_row(out, fields, sizeof(fields) / sizeof(fields[0]));
	}
}

int staff_list(sqlite3 *db, const char *team, enum staff_format format,
	       FILE *out)
{
	struct staff_array list = {0};
	int rc = -1;
	if (staff_load(db, team, &list))
		goto out;
	switch (format) {
	case STAFF_FORMAT_TABLE:
		list_table(&list, out);
		break;
	case STAFF_FORMAT_JSON:
		if (list_json(&list, out))
			goto out;
		break;
	case STAFF_FORMAT_CSV:
		list_csv(&list, out);
		break;
	default:
		log_err("staff: unknown list format %d", (int)format);
		goto out;
	}
	if (fflush(out) || ferror(out)) {
		log_err("staff: cannot write the list: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	staff_array_done(&list);
	return rc;
}
