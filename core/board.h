/* board: the Performance Board pack (framework lines 100-119, 184-189):
 * one self-contained, printable HTML page (no external assets, A4 print
 * CSS) with charts drawn inline as SVG and the numbers in a table beside
 * each: supervision in date by team over the months, collaborative audits
 * done against expected, the grade mix, audit actions open by age, and
 * missed deadlines by activity. Every figure is one the reports give
 * (report_supervision, report_audits, report_actions, report_deadlines)
 * over the same range and filter, so the pack and the reports cannot
 * disagree. */
#ifndef QA_BOARD_H
#define QA_BOARD_H

#include <sqlite3.h>
#include <stdio.h>

#include "errlist.h"
#include "report.h"
#include "schedule.h"

/* Write the pack for filter's range, teams and line to out, stamped with
 * env->now in env->tzid. 0, or -1 with what to fix in errs (an unknown
 * manager) or, on a database error, logged. */
int board_write(sqlite3 *db, const struct sched_env *env,
		const struct report_filter *filter, FILE *out,
		struct errlist *errs);

#endif
