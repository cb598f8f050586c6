/* cli: the command line (SPEC section 5). Every command is one entry of
 * the verb table in cli_table.c, after systemd's verb tables: its name, its
 * operands, its options with their one-line help, and the function that
 * runs it. One parser (cli.c) builds getopt_long's table from an entry and
 * checks what the entry declares (required options, dates, counts,
 * choices, the number of operands), so a run function sees only values
 * already checked; `help`, `COMMAND --help` and `completion bash` are
 * generated from the same entries, so they cannot drift from what is
 * parsed. The run functions are in cli_admin.c, cli_staff.c and
 * cli_schedule.c. */
#ifndef QA_CLI_H
#define QA_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "date.h"
#include "engine.h"
#include "errlist.h"
#include "log.h"

enum cli_exit { CLI_OK = 0, CLI_ERROR = 1, CLI_USAGE = 2 };

/* Run the command line; returns the process exit code. */
int cli_main(int argc, char **argv);

/* ---- the verb table ---- */

enum cli_type {
	CLI_TEXT,   /* any text */
	CLI_FLAG,   /* no value */
	CLI_DATE,   /* YYYY-MM-DD, a real date: value.day */
	CLI_COUNT,  /* a whole number from 0 to max: value.count */
	CLI_MONTH,  /* YYYY-MM, a real month: value.day is its first day */
	CLI_CHOICE, /* one of choices: value.choice is its index */
};

struct cli_option {
	const char *name; /* without the leading "--" */
	enum cli_type type;
	const char *arg; /* the value as help shows it ("ID"); not for flags */
	const char *help;
	bool required;
	int max;                    /* CLI_COUNT */
	const char *const *choices; /* CLI_CHOICE: NULL-terminated */
};

#define CLI_MAX_OPTIONS 16

struct cli_value {
	bool given;
	const char *text; /* as typed; NULL for a flag */
	qa_day day;       /* CLI_DATE */
	int count;        /* CLI_COUNT */
	int choice;       /* CLI_CHOICE */
};

struct cli_verb;

/* One command as typed, parsed against its verb. */
struct cli_call {
	const struct cli_verb *verb;
	const char *config_path;
	struct cli_value opt[CLI_MAX_OPTIONS]; /* by the verb's option index */
	char **operands;
	int n_operands;
};

struct cli_verb {
	const char *name;     /* "record", "staff add" */
	const char *operands; /* as help shows them ("ACTIVITY"); NULL: none */
	int min_operands, max_operands;
	const char *summary; /* one line */
	const struct cli_option *options;
	size_t n_options;
	int (*run)(const struct cli_call *call);
};

/* The table (cli_table.c). */
extern const struct cli_verb cli_verbs[];
extern const size_t cli_n_verbs;

/* ---- for the run functions ---- */

/* Option i of call's verb, if given. */
static inline const struct cli_value *cli_opt(const struct cli_call *call,
					      size_t i)
{
	return call->opt[i].given ? &call->opt[i] : NULL;
}

/* Its text when given, else NULL. */
static inline const char *cli_text(const struct cli_call *call, size_t i)
{
	return call->opt[i].given ? call->opt[i].text : NULL;
}

/* "--name" of option i of call's verb (for messages). */
const char *cli_option_name(const struct cli_call *call, size_t i, char *buf,
			    size_t size);

/* How the engine's messages name each field of a person or a completion
 * when they come from the command line: names[f] is "--option" for the
 * option the caller maps field f to, NULL for a field with none. */
struct cli_field_names {
	const char *names[CLI_MAX_OPTIONS];
	char text[CLI_MAX_OPTIONS][32];
};

/* option_of[f] is CLI_FIELD(i), field f given by option i of call's verb,
 * or 0 for none; n fields (at most CLI_MAX_OPTIONS). */
#define CLI_FIELD(option) ((option) + 1)
void cli_field_names(const struct cli_call *call, const size_t *option_of,
		     size_t n, struct cli_field_names *out);

/* Print "qa-scheduler: VERB: message" and the hint to try help; returns
 * CLI_USAGE. */
int cli_usage_error(const struct cli_call *call, const char *fmt, ...)
	QA_PRINTF(2, 3);

/* Print each of errs as "qa-scheduler: message" on stderr. */
void cli_print_errors(const struct errlist *errs);

/* Open the engine for a command (engine_open), printing every problem; a
 * broken config also names `check-config`. 0, or -1 (printed; free e with
 * engine_done either way). */
int cli_engine_open(const struct cli_call *call, unsigned what,
		    struct engine *e);

/* Regenerate what filter names inside the open transaction (a full run
 * when filter is NULL). 0, or -1 (printed). */
int cli_regenerate(struct engine *e, const struct sched_env *env,
		   const struct sched_filter *filter);

/* Bring the schedule up to env's today before reading it (the first command
 * of a day, or after a config change, without a daemon). 0, or -1. */
int cli_ensure_current(struct engine *e, const struct sched_env *env);

/* Each verb's options, by index into its table entry's options. */
enum { PLUGINS_HELP };
enum {
	STAFF_ADD_ID,
	STAFF_ADD_NAME,
	STAFF_ADD_EMAIL,
	STAFF_ADD_ROLE,
	STAFF_ADD_TEAM,
	STAFF_ADD_MANAGER,
	STAFF_ADD_NQSW_START,
	STAFF_ADD_SINCE,
};
enum { STAFF_LIST_TEAM, STAFF_LIST_FORMAT };
enum { STAFF_LEAVE_ID, STAFF_LEAVE_DATE };
enum {
	RECORD_STAFF,
	RECORD_DATE,
	RECORD_PRACTITIONER,
	RECORD_GRADE,
	RECORD_SAFEGUARDING,
	RECORD_NO_SAFEGUARDING,
	RECORD_MODERATOR,
	RECORD_AUDIT,
	RECORD_HOME,
	RECORD_SIGNED_OFF_BY,
	RECORD_NOTE,
};
enum {
	DUE_MANAGER,
	DUE_TEAM,
	DUE_ACTIVITY,
	DUE_AS_OF,
	DUE_WITHIN,
	DUE_FORMAT,
};
enum { NEXT_STAFF, NEXT_FROM, NEXT_COUNT };
enum { FEED_URL_STAFF, FEED_URL_TEAM, FEED_URL_ROTATE, FEED_URL_REVOKE };
enum { EXPORT_STAFF };
enum { MANAGER_URL_STAFF, MANAGER_URL_ROTATE, MANAGER_URL_REVOKE };
enum { REPORT_FROM, REPORT_TO, REPORT_TEAM, REPORT_MANAGER, REPORT_FORMAT };
enum { BACKUP_KEEP };

/* The choices of every --format, in the order of enum staff_format and
 * enum due_format. */
extern const char *const cli_formats[];
/* report's: cli_formats and html, for the board pack. */
extern const char *const cli_report_formats[];
/* report's --format: the three of enum rows_format, then the page. */
#define REPORT_FORMAT_HTML 3

/* The run functions the table names. */
int cli_serve(const struct cli_call *call);
int cli_check_config(const struct cli_call *call);
int cli_plugins(const struct cli_call *call);
int cli_feed_url(const struct cli_call *call);
int cli_manager_url(const struct cli_call *call);
int cli_version(const struct cli_call *call);
int cli_help(const struct cli_call *call);
int cli_completion(const struct cli_call *call);
int cli_staff_add(const struct cli_call *call);
int cli_staff_import(const struct cli_call *call);
int cli_staff_list(const struct cli_call *call);
int cli_staff_leave(const struct cli_call *call);
int cli_record(const struct cli_call *call);
int cli_record_import(const struct cli_call *call);
int cli_due(const struct cli_call *call);
int cli_next(const struct cli_call *call);
int cli_export(const struct cli_call *call);
int cli_report(const struct cli_call *call);
int cli_backup(const struct cli_call *call);
int cli_restore(const struct cli_call *call);

#endif
