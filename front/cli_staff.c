/* The command line's staff commands: add, import, list and leave. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "db.h"
#include "staff.h"
#include "staff_import.h"
#include "staff_list.h"

int cli_staff_add(const struct cli_call *call)
{
	struct staff_text text = {.id = cli_text(call, STAFF_ADD_ID),
				  .name = cli_text(call, STAFF_ADD_NAME),
				  .email = cli_text(call, STAFF_ADD_EMAIL),
				  .role = cli_text(call, STAFF_ADD_ROLE),
				  .team = cli_text(call, STAFF_ADD_TEAM),
				  .manager = cli_text(call, STAFF_ADD_MANAGER),
				  .nqsw_start =
					  cli_text(call, STAFF_ADD_NQSW_START),
				  .since = cli_text(call, STAFF_ADD_SINCE)};
	/* Messages name each field by its option, as the table spells it. */
	static const size_t option_of[STAFF_COLUMN_COUNT] = {
		[STAFF_COLUMN_ID] = CLI_FIELD(STAFF_ADD_ID),
		[STAFF_COLUMN_NAME] = CLI_FIELD(STAFF_ADD_NAME),
		[STAFF_COLUMN_EMAIL] = CLI_FIELD(STAFF_ADD_EMAIL),
		[STAFF_COLUMN_ROLE] = CLI_FIELD(STAFF_ADD_ROLE),
		[STAFF_COLUMN_TEAM] = CLI_FIELD(STAFF_ADD_TEAM),
		[STAFF_COLUMN_MANAGER] = CLI_FIELD(STAFF_ADD_MANAGER),
		[STAFF_COLUMN_NQSW_START] = CLI_FIELD(STAFF_ADD_NQSW_START),
		[STAFF_COLUMN_SINCE] = CLI_FIELD(STAFF_ADD_SINCE)};
	struct cli_field_names options;
	cli_field_names(call, option_of, STAFF_COLUMN_COUNT, &options);
	struct staff_origin from = {NULL, 0, options.names};
	struct staff s = {0};
	struct errlist errs = {0};
	if (staff_parse(&text, &from, &s, &errs)) {
		cli_print_errors(&errs);
		errlist_done(&errs);
		staff_done(&s);
		return CLI_ERROR;
	}
	struct engine e;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (db_begin(e.db))
		goto out;
	struct sched_filter only = {.staff_id = s.id};
	if (staff_upsert(e.db, &s, env.today, &from, &errs) ||
	    cli_regenerate(&e, &env, &only) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	rc = CLI_OK;
out:
	cli_print_errors(&errs);
	errlist_done(&errs);
	staff_done(&s);
	engine_done(&e);
	return rc;
}

int cli_staff_import(const struct cli_call *call)
{
	const char *file = call->operands[0];
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (db_begin(e.db))
		goto out;
	int stored = staff_import_csv(e.db, file, env.today, &errs);
	if (stored < 0) {
		db_rollback(e.db);
		cli_print_errors(&errs);
		if (errs.n)
			fprintf(stderr,
				"qa-scheduler: %s: nothing imported (%zu "
				"problem(s))\n",
				file, errs.n);
		else
			fprintf(stderr,
				"qa-scheduler: %s: nothing imported: the "
				"database %s could not be written (reason "
				"above); what it held is unchanged\n",
				file, e.cfg.db_path);
		goto out;
	}
	if (cli_regenerate(&e, &env, NULL) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	printf("%s: %d staff imported\n", file, stored);
	rc = CLI_OK;
out:
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}

int cli_staff_list(const struct cli_call *call)
{
	const struct cli_value *format = cli_opt(call, STAFF_LIST_FORMAT);
	struct engine e;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	if (staff_list(e.db, cli_text(call, STAFF_LIST_TEAM),
		       format ? (enum staff_format)format->choice
			      : STAFF_FORMAT_TABLE,
		       stdout) == 0)
		rc = CLI_OK;
out:
	engine_done(&e);
	return rc;
}

int cli_staff_leave(const struct cli_call *call)
{
	const char *id = cli_text(call, STAFF_LEAVE_ID);
	const struct cli_value *date = cli_opt(call, STAFF_LEAVE_DATE);
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	struct sched_env env = engine_env(&e, time(NULL));
	if (db_begin(e.db))
		goto out;
	static const size_t option_of[STAFF_COLUMN_COUNT] = {
		[STAFF_COLUMN_ID] = CLI_FIELD(STAFF_LEAVE_ID),
		[STAFF_COLUMN_LEFT_ON] = CLI_FIELD(STAFF_LEAVE_DATE)};
	struct cli_field_names options;
	cli_field_names(call, option_of, STAFF_COLUMN_COUNT, &options);
	struct staff_origin from = {NULL, 0, options.names};
	struct sched_filter only = {.staff_id = id};
	if (staff_leave(e.db, id, date ? date->day : env.today, &from, &errs) ||
	    cli_regenerate(&e, &env, &only) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	rc = CLI_OK;
out:
	cli_print_errors(&errs);
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}
