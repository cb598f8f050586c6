/* The command line, one entry per command: a new command is an entry here,
 * its option indices in cli.h and its run function beside the others of
 * its kind (cli_admin.c, cli_staff.c, cli_schedule.c). */
#include "backup.h"
#include "cli.h"

#define N(options) (sizeof(options) / sizeof((options)[0]))

const char *const cli_formats[] = {"table", "json", "csv", NULL};
const char *const cli_report_formats[] = {"table", "json", "csv", "html", NULL};

static const struct cli_option plugins_options[] = {
	[PLUGINS_HELP] = {"help", CLI_TEXT, "ID",
			  "print that activity's config keys and defaults"},
};

static const struct cli_option staff_add_options[] = {
	[STAFF_ADD_ID] = {"id", CLI_TEXT, "ID",
			  "their id: letters, digits, '.', '_', '-'", true},
	[STAFF_ADD_NAME] = {"name", CLI_TEXT, "NAME", "their full name", true},
	[STAFF_ADD_EMAIL] = {"email", CLI_TEXT, "EMAIL",
			     "where their reminders go", true},
	[STAFF_ADD_ROLE] = {"role", CLI_TEXT, "ROLE[,ROLE]",
			    "their roles (SPEC section 4)", true},
	[STAFF_ADD_TEAM] = {"team", CLI_TEXT, "TEAM", "their team", true},
	[STAFF_ADD_MANAGER] = {"manager", CLI_TEXT, "ID",
			       "their line manager's id"},
	[STAFF_ADD_NQSW_START] = {"nqsw-start", CLI_TEXT, "DATE",
				  "the day their ASYE/NQSW year began"},
	[STAFF_ADD_SINCE] = {"since", CLI_TEXT, "DATE",
			     "track their obligations from that day (default: "
			     "the day they are added; an update keeps it)"},
};

static const struct cli_option staff_list_options[] = {
	[STAFF_LIST_TEAM] = {"team", CLI_TEXT, "TEAM", "only that team"},
	[STAFF_LIST_FORMAT] = {"format", CLI_CHOICE, "table|json|csv",
			       "how to print them (default table)",
			       .choices = cli_formats},
};

static const struct cli_option staff_leave_options[] = {
	[STAFF_LEAVE_ID] = {"id", CLI_TEXT, "ID", "who leaves", true},
	[STAFF_LEAVE_DATE] = {"date", CLI_DATE, "DATE",
			      "their last day (default today)"},
};

static const struct cli_option record_options[] = {
	[RECORD_STAFF] = {"staff", CLI_TEXT, "ID",
			  "who did it (the auditor, the supervisor...)", true},
	[RECORD_DATE] = {"date", CLI_DATE, "DATE", "the day it was done", true},
	[RECORD_PRACTITIONER] = {"practitioner", CLI_TEXT, "ID",
				 "whose work or session it was"},
	[RECORD_GRADE] = {"grade", CLI_TEXT, "G",
			  "an audit's grade: outstanding, good, requires "
			  "improvement, inadequate"},
	[RECORD_SAFEGUARDING] = {"safeguarding", CLI_FLAG, NULL,
				 "the audit found a safeguarding concern"},
	[RECORD_NO_SAFEGUARDING] = {"no-safeguarding", CLI_FLAG, NULL,
				    "it found none"},
	[RECORD_MODERATOR] = {"moderator", CLI_TEXT, "ID",
			      "who moderates the audit (stage 2)"},
	[RECORD_AUDIT] = {"audit", CLI_COUNT, "N",
			  "the audit an action or moderation belongs to",
			  .max = 2000000000},
	[RECORD_HOME] = {"home", CLI_TEXT, "NAME",
			 "the children's home visited"},
	[RECORD_SIGNED_OFF_BY] = {"signed-off-by", CLI_TEXT, "ID",
				  "the manager signing an action off"},
	[RECORD_NOTE] = {"note", CLI_TEXT, "TEXT", "a note kept with it"},
};

static const struct cli_option due_options[] = {
	[DUE_MANAGER] = {"manager", CLI_TEXT, "ID",
			 "that manager's direct reports"},
	[DUE_TEAM] = {"team", CLI_TEXT, "TEAM", "only that team"},
	[DUE_ACTIVITY] = {"activity", CLI_TEXT, "A", "only that activity"},
	[DUE_AS_OF] = {"as-of", CLI_DATE, "DATE", "as on that day"},
	[DUE_WITHIN] = {"within", CLI_COUNT, "DAYS",
			"what falls due within that many days (default 7)",
			.max = 3660},
	[DUE_FORMAT] = {"format", CLI_CHOICE, "table|json|csv",
			"how to print them (default table)",
			.choices = cli_formats},
};

static const struct cli_option next_options[] = {
	[NEXT_STAFF] = {"staff", CLI_TEXT, "ID", "that person's occurrences"},
	[NEXT_FROM] = {"from", CLI_DATE, "DATE",
		       "from that day (default today)"},
	[NEXT_COUNT] = {"count", CLI_COUNT, "N", "how many (default 5)",
			.max = 1000},
};

static const struct cli_option feed_url_options[] = {
	[FEED_URL_STAFF] = {"staff", CLI_TEXT, "ID", "that person's feed"},
	[FEED_URL_TEAM] = {"team", CLI_TEXT, "TEAM", "that team's feed"},
	[FEED_URL_ROTATE] = {"rotate", CLI_FLAG, NULL,
			     "issue a new URL; the old one stops working"},
	[FEED_URL_REVOKE] = {"revoke", CLI_FLAG, NULL,
			     "stop the URL working; it answers 404"},
};

static const struct cli_option manager_url_options[] = {
	[MANAGER_URL_STAFF] = {"staff", CLI_TEXT, "ID", "the manager", true},
	[MANAGER_URL_ROTATE] = {"rotate", CLI_FLAG, NULL,
				"issue a new URL; the old one stops working"},
	[MANAGER_URL_REVOKE] = {"revoke", CLI_FLAG, NULL,
				"stop the URL working; it answers 404"},
};

static const struct cli_option export_options[] = {
	[EXPORT_STAFF] = {"staff", CLI_TEXT, "ID", "whose feed", true},
};

static const struct cli_option report_options[] = {
	[REPORT_FROM] = {"from", CLI_MONTH, "YYYY-MM",
			 "the first month (default: 12 whole months back)"},
	[REPORT_TO] = {"to", CLI_MONTH, "YYYY-MM",
		       "the last month (default: the last whole month)"},
	[REPORT_TEAM] = {"team", CLI_TEXT, "TEAM", "only that team"},
	[REPORT_MANAGER] = {"manager", CLI_TEXT, "ID",
			    "everyone in that manager's line"},
	[REPORT_FORMAT] = {"format", CLI_CHOICE, "table|json|csv|html",
			   "how to print it (default table)",
			   .choices = cli_report_formats},
};

static const struct cli_option backup_options[] = {
	[BACKUP_KEEP] = {"keep", CLI_COUNT, "N",
			 "write into the folder DIR as " BACKUP_PREFIX
			 "YYYYMMDDTHHMMSSZ.db and keep the newest N there",
			 .max = 10000},
};

const struct cli_verb cli_verbs[] = {
	{"serve", NULL, 0, 0, "run the daemon in the foreground", NULL, 0,
	 cli_serve},
	{"check-config", NULL, 0, 0,
	 "check the config, holiday calendars, plugins and owners", NULL, 0,
	 cli_check_config},
	{"plugins", NULL, 0, 0, "list the activities, or one's config keys",
	 plugins_options, N(plugins_options), cli_plugins},
	{"staff add", NULL, 0, 0, "add a person, or change one",
	 staff_add_options, N(staff_add_options), cli_staff_add},
	{"staff import", "FILE.csv", 1, 1,
	 "add or change people from a CSV file, all or nothing", NULL, 0,
	 cli_staff_import},
	{"staff list", NULL, 0, 0, "list everyone, or one team",
	 staff_list_options, N(staff_list_options), cli_staff_list},
	{"staff leave", NULL, 0, 0, "record that a person leaves",
	 staff_leave_options, N(staff_leave_options), cli_staff_leave},
	{"record", "ACTIVITY", 1, 1, "record that ACTIVITY was done",
	 record_options, N(record_options), cli_record},
	{"record import", "FILE.csv", 1, 1,
	 "record completions from a CSV file, all or nothing (back-filling "
	 "history)",
	 NULL, 0, cli_record_import},
	{"due", NULL, 0, 0, "what is due, overdue or missed, and for whom",
	 due_options, N(due_options), cli_due},
	{"next", "ACTIVITY", 1, 1, "preview ACTIVITY's next occurrences",
	 next_options, N(next_options), cli_next},
	{"report", "KIND [ID]", 1, 2,
	 "what was done on time, late or missed: supervision, activity ID, "
	 "audits, actions; board: the Performance Board pack (HTML)",
	 report_options, N(report_options), cli_report},
	{"feed-url", NULL, 0, 0,
	 "issue, rotate or revoke a person's or a team's feed URL",
	 feed_url_options, N(feed_url_options), cli_feed_url},
	{"manager-url", NULL, 0, 0,
	 "issue, rotate or revoke a manager's page URL (their line's "
	 "supervision, audits and actions, with forms to record them)",
	 manager_url_options, N(manager_url_options), cli_manager_url},
	{"export", NULL, 0, 0, "write a person's feed to standard output",
	 export_options, N(export_options), cli_export},
	{"backup", "FILE|DIR", 1, 1,
	 "write a consistent copy of the database to FILE, while the daemon "
	 "runs and writes (flushed to disk, then renamed into place)",
	 backup_options, N(backup_options), cli_backup},
	{"restore", "FILE", 1, 1,
	 "put a copy back: checked first (integrity, ours, not newer), "
	 "refused while the daemon runs",
	 NULL, 0, cli_restore},
	{"version", NULL, 0, 0, "print the version", NULL, 0, cli_version},
	{"help", "[COMMAND]", 0, 2, "print this, or one command's options",
	 NULL, 0, cli_help},
	{"completion", "SHELL", 1, 1,
	 "print the completion script for SHELL (bash)", NULL, 0,
	 cli_completion},
};

const size_t cli_n_verbs = N(cli_verbs);
