/* staff_list: everyone, as a table, JSON or CSV (`staff list`). */
#ifndef QA_STAFF_LIST_H
#define QA_STAFF_LIST_H

#include <sqlite3.h>
#include <stdio.h>

enum staff_format { STAFF_FORMAT_TABLE, STAFF_FORMAT_JSON, STAFF_FORMAT_CSV };

/* Write everyone (or one team; NULL: all), by id, to out:
 *   table: aligned columns id, name, team, roles, manager, nqsw_start, left
 *          (100 columns for a typical row: since is in the other two);
 *   json:  an array of {id, name, email, roles: [..], team, manager_id,
 *          nqsw_start, added_on, since, left_on}, absent values null;
 *   csv:   header id,name,email,role,team,manager,nqsw_start,since,left_on.
 * The CSV imports back with staff_import_csv, as it is or edited.
 * 0 or -1. */
int staff_list(sqlite3 *db, const char *team, enum staff_format format,
	       FILE *out);

#endif
