/* staff_import: `staff import FILE.csv`, all or nothing. */
#ifndef QA_STAFF_IMPORT_H
#define QA_STAFF_IMPORT_H

#include <sqlite3.h>

#include "errlist.h"
#include "qa-scheduler/plugin.h"

/* Import a CSV (RFC 4180; UTF-8, a BOM and CRLF are fine) whose header
 * names the columns id,name,email,role,team,manager,nqsw_start in any
 * order, and optionally left_on; an unknown column is refused by name. A
 * role cell may hold several roles, quoted ("dcs,service_lead"). Existing
 * ids are updated as by staff_upsert; a left_on date marks the person as
 * left as staff_leave would (left on that very day already: nothing to
 * do; empty: nothing changes, nobody comes back). All or nothing, in one
 * transaction of its own, or a savepoint inside the caller's: every bad
 * row is reported as "FILE:LINE: field "value": problem" in errs (LINE:
 * the physical line where the record starts), duplicate ids and managers
 * neither in the file nor in the database included, and nothing is
 * stored. Rows may name managers defined later in the file. Returns the
 * number of rows stored, or -1. */
int staff_import_csv(sqlite3 *db, const char *path, qa_day today,
		     struct errlist *errs);

#endif
