/* The command line's schedule commands: record, due, next and export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "board.h"
#include "cli.h"
#include "db.h"
#include "due.h"
#include "history.h"
#include "record.h"
#include "record_import.h"
#include "report.h"
#include "staff.h"

int cli_record(const struct cli_call *call)
{
	const struct cli_value *audit = cli_opt(call, RECORD_AUDIT);
	bool yes = cli_opt(call, RECORD_SAFEGUARDING) != NULL;
	bool no = cli_opt(call, RECORD_NO_SAFEGUARDING) != NULL;
	char a[32], b[32];
	if (yes && no)
		return cli_usage_error(
			call, "give %s or %s once",
			cli_option_name(call, RECORD_SAFEGUARDING, a,
					sizeof(a)),
			cli_option_name(call, RECORD_NO_SAFEGUARDING, b,
					sizeof(b)));
	/* Messages name each field by its option, as the table spells it. */
	static const size_t option_of[RECORD_FIELD_COUNT] = {
		[RECORD_FIELD_STAFF] = CLI_FIELD(RECORD_STAFF),
		[RECORD_FIELD_DATE] = CLI_FIELD(RECORD_DATE),
		[RECORD_FIELD_PRACTITIONER] = CLI_FIELD(RECORD_PRACTITIONER),
		[RECORD_FIELD_GRADE] = CLI_FIELD(RECORD_GRADE),
		[RECORD_FIELD_SAFEGUARDING] = CLI_FIELD(RECORD_SAFEGUARDING),
		[RECORD_FIELD_MODERATOR] = CLI_FIELD(RECORD_MODERATOR),
		[RECORD_FIELD_HOME] = CLI_FIELD(RECORD_HOME),
		[RECORD_FIELD_AUDIT] = CLI_FIELD(RECORD_AUDIT),
		[RECORD_FIELD_SIGNED_OFF_BY] = CLI_FIELD(RECORD_SIGNED_OFF_BY),
		[RECORD_FIELD_NOTE] = CLI_FIELD(RECORD_NOTE)};
	struct cli_field_names names;
	cli_field_names(call, option_of, RECORD_FIELD_COUNT, &names);
	struct record_input in = {
		.names = names.names,
		.activity = call->operands[0],
		.staff_id = cli_text(call, RECORD_STAFF),
		.date = cli_opt(call, RECORD_DATE)->day,
		.practitioner_id = cli_text(call, RECORD_PRACTITIONER),
		.grade = cli_text(call, RECORD_GRADE),
		.safeguarding = yes  ? RECORD_FLAG_YES
				: no ? RECORD_FLAG_NO
				     : RECORD_FLAG_UNSET,
		.moderator_id = cli_text(call, RECORD_MODERATOR),
		.audit_id = audit ? audit->count : 0,
		.home = cli_text(call, RECORD_HOME),
		.signed_off_by = cli_text(call, RECORD_SIGNED_OFF_BY),
		.note = cli_text(call, RECORD_NOTE)};

	struct engine e;
	struct errlist errs = {0};
	char *said = NULL;
	long long id = 0;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (db_begin(e.db))
		goto out;
	if (record_and_regenerate(e.db, &env, &in, &errs, &id, &said) ||
	    db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	printf("%s\n", said);
	rc = CLI_OK;
out:
	cli_print_errors(&errs);
	errlist_done(&errs);
	free(said);
	engine_done(&e);
	return rc;
}

int cli_record_import(const struct cli_call *call)
{
	const char *file = call->operands[0];
	struct engine e;
	struct errlist errs = {0};
	int audits = 0, rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (db_begin(e.db))
		goto out;
	int recorded = record_import_csv(e.db, &e.plugins, file, env.today,
					 &errs, &audits);
	if (recorded < 0) {
		db_rollback(e.db);
		cli_print_errors(&errs);
		if (errs.n)
			fprintf(stderr,
				"qa-scheduler: %s: nothing recorded (%zu "
				"problem(s))\n",
				file, errs.n);
		else
			fprintf(stderr,
				"qa-scheduler: %s: nothing recorded: the "
				"database %s could not be written (reason "
				"above); what it held is unchanged\n",
				file, e.cfg.db_path);
		goto out;
	}
	/* Every series the rows touch, the audit workflow's too: the whole
	 * schedule, once. */
	if (cli_regenerate(&e, &env, NULL) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	printf("%s: %d completion(s) recorded, %d of them audits\n", file,
	       recorded, audits);
	rc = CLI_OK;
out:
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}

int cli_due(const struct cli_call *call)
{
	const struct cli_value *as_of = cli_opt(call, DUE_AS_OF);
	const struct cli_value *within = cli_opt(call, DUE_WITHIN);
	const struct cli_value *format = cli_opt(call, DUE_FORMAT);
	struct due_filter filter = {.manager_id = cli_text(call, DUE_MANAGER),
				    .team = cli_text(call, DUE_TEAM),
				    .activity = cli_text(call, DUE_ACTIVITY),
				    .as_of = as_of ? as_of->day : QA_DAY_NONE,
				    .within_days = within ? within->count : 7};
	struct engine e;
	struct due_list rows = {0};
	sqlite3 *as_of_db = NULL;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (filter.activity &&
	    strcmp(filter.activity, SCHED_AUDIT_ACTION) != 0 &&
	    strcmp(filter.activity, SCHED_MODERATION) != 0 &&
	    !plugin_set_find(&e.plugins, filter.activity)) {
		fprintf(stderr,
			"qa-scheduler: due: --activity \"%s\": no such "
			"activity; `qa-scheduler plugins` lists them\n",
			filter.activity);
		goto out;
	}
	if (filter.manager_id) {
		struct staff manager = {0};
		int found = staff_get(e.db, filter.manager_id, &manager);
		staff_done(&manager);
		if (found <= 0) {
			fprintf(stderr,
				"qa-scheduler: due: --manager \"%s\": "
				"no such person\n",
				filter.manager_id);
			goto out;
		}
	}
	if (filter.as_of == QA_DAY_NONE)
		filter.as_of = env.today;
	if (cli_ensure_current(&e, &env))
		goto out;
	/* Another day: the schedule that day would have had, in memory. */
	sqlite3 *db = e.db;
	if (filter.as_of != env.today) {
		struct sched_env then = env;
		then.today = filter.as_of;
		if (history_as_of(e.db, &then, &as_of_db))
			goto out;
		db = as_of_db;
	}
	if (due_query(db, &filter, &rows) ||
	    due_print(&rows,
		      format ? (enum due_format)format->choice
			     : DUE_FORMAT_TABLE,
		      stdout))
		goto out;
	rc = CLI_OK;
out:
	due_list_done(&rows);
	db_close(as_of_db);
	engine_done(&e);
	return rc;
}

static void print_occurrence(const struct sched_occ *o, const char *tzid,
			     FILE *out)
{
	char day[DATE_TEXT_SIZE];
	static const char *const weekdays[] = {"Mon", "Tue", "Wed", "Thu",
					       "Fri", "Sat", "Sun"};
	const char *weekday = weekdays[qa_day_weekday(o->date) - 1];
	if (o->kind == QA_OCC_EVENT) {
		time_t start = o->dtstart_utc;
		struct tm utc;
		gmtime_r(&start, &utc);
		char utc_text[32];
		strftime(utc_text, sizeof(utc_text), "%a %Y-%m-%d %H:%M UTC",
			 &utc);
		/* What a clock on the wall shows then: a time that does not
		 * exist (clocks going forward) has moved on. */
		qa_day local_day = o->date;
		int minute = o->start_minute;
		long offset = 0;
		date_local_time(start, tzid, &local_day, &minute, &offset);
		offset /= 60;
		char moved[64] = "", rule_day[DATE_TEXT_SIZE];
		if (o->moved_from != QA_DAY_NONE)
			snprintf(moved, sizeof(moved),
				 " (moved from %s %s, not a working day)",
				 weekdays[qa_day_weekday(o->moved_from) - 1],
				 date_format(o->moved_from, rule_day));
		fprintf(out,
			"%s %s %02d:%02d %c%02ld:%02ld = %s  %3d min  %-9s  "
			"%s%s\n",
			weekdays[qa_day_weekday(local_day) - 1],
			date_format(local_day, day), minute / 60, minute % 60,
			offset < 0 ? '-' : '+', labs(offset) / 60,
			labs(offset) % 60, utc_text, o->duration,
			o->status == QA_STATUS_TENTATIVE ? "tentative"
							 : "confirmed",
			o->summary, moved);
	} else if (o->kind == QA_OCC_ALLDAY) {
		fprintf(out, "%s %s all day, %d day(s)%*s  %-9s  %s\n", weekday,
			date_format(o->date, day), o->duration, 27, "",
			"confirmed", o->summary);
	} else {
		fprintf(out, "%s %s due by the end of the day%*s  %-9s  %s\n",
			weekday, date_format(o->date, day), 20, "",
			o->done_on != QA_DAY_NONE ? "done" : "open",
			o->summary);
	}
}

int cli_next(const struct cli_call *call)
{
	const char *activity = call->operands[0];
	const char *staff_id = cli_text(call, NEXT_STAFF);
	const struct cli_value *from_opt = cli_opt(call, NEXT_FROM);
	const struct cli_value *count_opt = cli_opt(call, NEXT_COUNT);
	int count = count_opt ? count_opt->count : 5;
	struct engine e;
	struct sched_occ_list occs = {0};
	char from_text[DATE_TEXT_SIZE];
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	qa_day from = from_opt ? from_opt->day : env.today;
	/* Preview from `from` as if it were today: the plugin projects from
	 * there, with the completions recorded so far. */
	if (from > env.today)
		env.today = from;
	struct errlist errs = {0};
	int previewed =
		sched_preview(e.db, &env, activity, staff_id, from,
			      qa_day_add_months(from, 24), &occs, &errs);
	for (size_t i = 0; i < errs.n; i++)
		fprintf(stderr, "qa-scheduler: next: %s\n", errs.msgs[i]);
	errlist_done(&errs);
	if (previewed == SCHED_PREVIEW_WHO) {
		char option[32];
		fprintf(stderr,
			"qa-scheduler: next: %s is one series per person; "
			"name one with %s ID\n",
			activity,
			cli_option_name(call, NEXT_STAFF, option,
					sizeof(option)));
		goto out;
	}
	if (previewed)
		goto out;
	int shown = 0;
	for (size_t i = 0; i < occs.n && shown < count; i++) {
		if (occs.items[i].date < from)
			continue;
		print_occurrence(&occs.items[i], e.cfg.timezone, stdout);
		shown++;
	}
	if (shown == 0)
		printf("no occurrence of %s from %s in the next two years\n",
		       activity, date_format(from, from_text));
	rc = CLI_OK;
out:
	sched_occ_list_done(&occs);
	engine_done(&e);
	return rc;
}

int cli_export(const struct cli_call *call)
{
	const char *staff_id = cli_text(call, EXPORT_STAFF);
	struct engine e;
	struct feed_doc doc = {0};
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE | ENGINE_CATALOG, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (cli_ensure_current(&e, &env))
		goto out;
	int found = feed_render(e.db, &e.catalog, FEED_STAFF, staff_id,
				env.today, env.now, &doc);
	if (found < 0)
		goto out;
	if (found == 0) {
		fprintf(stderr,
			"qa-scheduler: export: --staff \"%s\": no such person, "
			"or they have left\n",
			staff_id);
		goto out;
	}
	if (fwrite(doc.body, 1, doc.len, stdout) != doc.len || fflush(stdout)) {
		fprintf(stderr, "qa-scheduler: export: cannot write the "
				"feed to standard output\n");
		goto out;
	}
	rc = CLI_OK;
out:
	feed_doc_done(&doc);
	engine_done(&e);
	return rc;
}

int cli_report(const struct cli_call *call)
{
	const char *kind = call->operands[0];
	const char *id = call->n_operands > 1 ? call->operands[1] : NULL;
	const struct cli_value *from = cli_opt(call, REPORT_FROM);
	const struct cli_value *to = cli_opt(call, REPORT_TO);
	const struct cli_value *format = cli_opt(call, REPORT_FORMAT);
	bool activity = strcmp(kind, "activity") == 0;
	bool audits = strcmp(kind, "audits") == 0;
	bool supervision = strcmp(kind, "supervision") == 0;
	bool board = strcmp(kind, "board") == 0;
	if (!activity && !audits && !supervision && !board &&
	    strcmp(kind, "actions") != 0)
		return cli_usage_error(call,
				       "no report \"%s\"; there are "
				       "supervision, activity ID, audits, "
				       "actions and board",
				       kind);
	if (activity != (id != NULL))
		return cli_usage_error(
			call,
			activity ? "activity needs the activity's ID"
				 : "%s takes no ID",
			kind);
	bool html = format ? format->choice == REPORT_FORMAT_HTML : board;
	if (html != board)
		return cli_usage_error(
			call,
			board ? "the board pack is a page: --format html "
				"(its figures are those of report "
				"supervision, audits and actions)"
			      : "html is for the board pack (report board); "
				"use table, json or csv");
	struct engine e;
	struct rows rows = {0};
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	struct report_filter filter = {.team = cli_text(call, REPORT_TEAM),
				       .manager_id =
					       cli_text(call, REPORT_MANAGER)};
	report_default_range(env.today, &filter.from, &filter.to);
	if (from)
		filter.from = from->day;
	if (to)
		filter.to = qa_period_end(to->day, QA_PERIOD_MONTH);
	if (filter.from > filter.to) {
		char a[32], b[32];
		fprintf(stderr,
			"qa-scheduler: report: %s is after %s; the range is "
			"empty\n",
			cli_option_name(call, REPORT_FROM, a, sizeof(a)),
			cli_option_name(call, REPORT_TO, b, sizeof(b)));
		goto out;
	}
	int reported =
		board ? board_write(e.db, &env, &filter, stdout, &errs)
		: activity
			? report_activity(e.db, &env, &filter, id, &rows, &errs)
		: audits ? report_audits(e.db, &env, &filter, &rows, &errs)
		: supervision
			? report_supervision(e.db, &env, &filter, &rows, &errs)
			: report_actions(e.db, &env, &filter, &rows, &errs);
	if (reported) {
		for (size_t i = 0; i < errs.n; i++)
			fprintf(stderr, "qa-scheduler: report: %s\n",
				errs.msgs[i]);
		goto out;
	}
	if (board ? fflush(stdout) != 0
		  : rows_print(&rows,
			       format ? (enum rows_format)format->choice
				      : ROWS_TABLE,
			       stdout))
		goto out;
	rc = CLI_OK;
out:
	rows_done(&rows);
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}
