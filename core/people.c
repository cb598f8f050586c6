#include "people.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "staff.h"

void people_done(struct people *people)
{
	for (size_t i = 0; i < people->n; i++) {
		free(people->items[i].id);
		free(people->items[i].name);
		free(people->items[i].email);
		free(people->items[i].manager_id);
		free(people->items[i].team);
	}
	free(people->items);
	memset(people, 0, sizeof(*people));
}

int people_load(sqlite3 *db, const char *only, unsigned flags,
		struct people *out)
{
	static const char sql[] =
		"SELECT s.id, s.name, s.email, s.manager_id,"
		" coalesce(s.since, s.added_on),"
		" s.nqsw_start, s.left_on, (SELECT group_concat(role) FROM"
		"  staff_roles r WHERE r.staff_id = s.id)"
		", s.team"
		" FROM staff s WHERE ?1 IS NULL OR s.id = ?1 ORDER BY s.id";
	sqlite3_stmt *stmt = NULL;
	size_t cap = 0;
	int rc = -1, step;
	memset(out, 0, sizeof(*out));
	if (sqlite3_prepare_v2(db, sql, -1, &stmt, NULL) != SQLITE_OK)
		goto out;
	db_bind_text(stmt, 1, only);
	while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
		if (out->n == cap) {
			size_t grown_cap = cap ? cap * 2 : 64;
			struct person *grown =
				realloc(out->items, grown_cap * sizeof(*grown));
			if (!grown)
				goto out;
			out->items = grown;
			cap = grown_cap;
		}
		struct person *p = &out->items[out->n++];
		memset(p, 0, sizeof(*p));
		p->id = db_column_dup(stmt, 0);
		p->name = db_column_dup(stmt, 1);
		p->email = db_column_dup(stmt, 2);
		p->manager_id = db_column_dup(stmt, 3);
		p->team = db_column_dup(stmt, 8);
		/* The schema makes the first three and the team NOT NULL: a
		 * NULL here is no memory. */
		if (!p->id || !p->name || !p->email || !p->team ||
		    (sqlite3_column_type(stmt, 3) != SQLITE_NULL &&
		     !p->manager_id))
			goto out;
		p->since = db_column_day(stmt, 4);
		p->nqsw_start = db_column_day(stmt, 5);
		p->left_on = db_column_day(stmt, 6);
		const char *roles = (const char *)sqlite3_column_text(stmt, 7);
		unsigned mask = 0;
		char why[256];
		/* Stored roles were validated on the way in; a word a later
		 * version dropped simply counts for nothing. */
		if (roles && roles_parse(roles, &mask, why, sizeof(why)) &&
		    (flags & PEOPLE_WARN_ROLES))
			log_warn("people: staff %s: %s", p->id, why);
		p->roles = roles_effective(mask);
	}
	if (step != SQLITE_DONE)
		goto out;
	rc = 0;
out:
	if (rc) {
		log_err("people: cannot read staff: %s", sqlite3_errmsg(db));
		people_done(out);
	}
	sqlite3_finalize(stmt);
	return rc;
}

static int cmp_person_id(const void *id, const void *item)
{
	return strcmp(id, ((const struct person *)item)->id);
}

const struct person *people_find(const struct people *people, const char *id)
{
	return id && people->n ? bsearch(id, people->items, people->n,
					 sizeof(*people->items), cmp_person_id)
			       : NULL;
}

bool people_in_post(const struct person *p, qa_day today)
{
	return p && (p->left_on == QA_DAY_NONE || p->left_on >= today);
}
