/* record_import: `record import FILE.csv`, completions back-filled in one go
 * (history at go-live), all or nothing. */
#ifndef QA_RECORD_IMPORT_H
#define QA_RECORD_IMPORT_H

#include <sqlite3.h>

#include "errlist.h"
#include "plugin_host.h"
#include "qa-scheduler/plugin.h"

/* Record every row of the CSV at path as `record` would (record_completion,
 * the same checks, on `today`), in file order, inside the caller's open
 * transaction. The header names the columns, in any order: activity, staff
 * and date, and optionally practitioner, grade, safeguarding (yes or no),
 * moderator, home, audit (an id, or line:N: the audit recorded by line N of
 * the same file), signed_off_by and note; an empty cell is a field not
 * given. Every row is checked, so every problem is reported, each as
 * "PATH:LINE: ...", in file order. Returns how many were recorded, or -1
 * with the problems in errs: the caller rolls back. *audits is then how
 * many of them were collaborative audits. */
int record_import_csv(sqlite3 *db, const struct plugin_set *plugins,
		      const char *path, qa_day today, struct errlist *errs,
		      int *audits);

#endif
