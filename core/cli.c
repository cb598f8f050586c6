#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "config.h"
#include "daemon.h"
#include "date.h"
#include "db.h"
#include "due.h"
#include "feed.h"
#include "log.h"
#include "plugin_host.h"
#include "record.h"
#include "schedule.h"
#include "staff.h"
#include "staff_import.h"
#include "staff_list.h"
#include "token.h"

static const char usage_text[] =
	"usage: qa-scheduler [-c FILE] COMMAND [OPTIONS]\n"
	"\n"
	"commands:\n"
	"  serve                      run the daemon in the foreground\n"
	"  check-config               check config, calendars and plugins\n"
	"  plugins [--help ID]        list activities, or one activity's "
	"config keys\n"
	"  staff add --id ID --name NAME --email EMAIL --role ROLE[,ROLE] "
	"--team TEAM\n"
	"            [--manager ID] [--nqsw-start DATE]\n"
	"  staff import FILE.csv      add/update from CSV, all or nothing\n"
	"  staff list [--team T] [--format table|json|csv]\n"
	"  staff leave --id ID [--date DATE]\n"
	"  record ACTIVITY --staff ID --date DATE [--practitioner ID] "
	"[--grade G]\n"
	"         [--safeguarding|--no-safeguarding] [--moderator ID] "
	"[--audit N]\n"
	"         [--home NAME] [--signed-off-by ID] [--note TEXT]\n"
	"  due [--manager ID] [--team T] [--activity A] [--as-of DATE] "
	"[--within DAYS]\n"
	"      [--format table|json|csv]\n"
	"  next ACTIVITY [--staff ID] [--from DATE] [--count N]\n"
	"  feed-url --staff ID | --team TEAM [--rotate] [--revoke]\n"
	"  export --staff ID          write that person's feed to stdout\n"
	"  version                    print the version\n"
	"\n"
	"  -c FILE   config file (default $QA_SCHEDULER_CONFIG, "
	"else " CONFIG_DEFAULT_PATH ")\n"
	"Dates are YYYY-MM-DD.\n";

static int usage_error(const char *fmt, ...) QA_PRINTF(1, 2);

static int usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("qa-scheduler: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\nTry 'qa-scheduler help'.\n", stderr);
	va_end(ap);
	return CLI_USAGE;
}

static void print_errors(const struct errlist *errs)
{
	for (size_t i = 0; i < errs->n; i++)
		fprintf(stderr, "qa-scheduler: %s\n", errs->msgs[i]);
}

/* Load the config for a command that needs it; prints the problems. */
static int load_config(const char *path, struct config *cfg)
{
	struct errlist errs = {0};
	int rc = config_load(path, cfg, &errs);
	print_errors(&errs);
	if (rc)
		fprintf(stderr,
			"qa-scheduler: %s has %zu problem(s); "
			"`qa-scheduler -c %s check-config` lists them all\n",
			path, errs.n, path);
	errlist_free(&errs);
	return rc;
}

static qa_day today(const struct config *cfg)
{
	qa_day day;
	if (date_of_instant(time(NULL), cfg->timezone, &day))
		/* The zone was validated with the config; UTC is close. */
		day = (qa_day)(time(NULL) / 86400);
	return day;
}

/* ---- check-config ---- */

/* The owners of the shared deadlines (issue 6), from the database when
 * there is one: a configured owner must be someone in post (an error, at the
 * key's file:line); several holders of the lead role with no owner
 * configured is a warning naming them (the lowest id owns it). */
static void check_owners(const struct config *cfg,
			 const struct plugin_set *plugins, qa_day today,
			 struct errlist *errs)
{
	sqlite3 *db = NULL;
	if (access(cfg->db_path, F_OK) != 0)
		return; /* a new installation: nobody to name yet */
	if (db_open_readonly(cfg->db_path, &db)) {
		fprintf(stderr,
			"qa-scheduler: warning: the owners of shared deadlines "
			"are not checked: %s cannot be read (reason above)\n",
			cfg->db_path);
		return;
	}
	for (size_t i = 0; i < plugins->n; i++) {
		const struct plugin *p = &plugins->items[i];
		if (p->desc->scope != QA_SCOPE_AUDIENCE ||
		    strcmp(p->desc->duration, "0") != 0)
			continue; /* no deadlines to own */
		char *owner = NULL;
		struct config_list holders;
		if (sched_owner(db, p, today, &owner, &holders))
			break;
		const char *configured = plugin_value(p, "owner");
		if (configured && *configured &&
		    (!owner || strcmp(owner, configured) != 0))
			errlist_add(errs,
				    "%s: [activity.%s] owner = %s: nobody in "
				    "post has that id; `qa-scheduler staff "
				    "list` lists them",
				    p->host.config_where(&p->host, "owner"),
				    p->desc->id, configured);
		else if (!configured || !*configured) {
			char names[512] = "";
			size_t used = 0;
			for (size_t k = 0;
			     k < holders.n && used < sizeof(names); k++)
				used += (size_t)snprintf(names + used,
							 sizeof(names) - used,
							 "%s%s", k ? ", " : "",
							 holders.items[k]);
			if (holders.n > 1)
				fprintf(stderr,
					"qa-scheduler: warning: %s: %zu people "
					"hold its lead role (%s); %s owns its "
					"deadlines, the lowest id. Name the "
					"one "
					"accountable with [activity.%s] owner "
					"= "
					"ID\n",
					p->desc->id, holders.n, names, owner,
					p->desc->id);
			else if (!owner)
				fprintf(stderr,
					"qa-scheduler: warning: %s: nobody in "
					"post holds its lead role, so its "
					"deadlines are in no one's `due`; set "
					"[activity.%s] owner = ID\n",
					p->desc->id, p->desc->id);
		}
		free(owner);
		config_list_free(&holders);
	}
	db_close(db);
}

static int cmd_check_config(const char *path, int argc, char **argv)
{
	if (argc > 1)
		return usage_error("check-config: unexpected argument \"%s\"",
				   argv[1]);
	struct config cfg;
	struct errlist errs = {0};
	struct plugin_set plugins = {0};
	struct holidays holidays = {0};
	int config_rc = config_load(path, &cfg, &errs);
	/* Even a config with errors names plugins and calendars: check them
	 * too, so one run lists everything to fix. */
	int plugins_rc = plugins_load(&cfg, &plugins, &errs);
	int holidays_rc = holidays_load(&cfg.holidays, &holidays, &errs);
	if (!config_rc)
		check_owners(&cfg, &plugins, today(&cfg), &errs);
	int rc = CLI_OK;
	if (config_rc || plugins_rc || holidays_rc || errs.n) {
		print_errors(&errs);
		fprintf(stderr, "qa-scheduler: %s: %zu problem(s)\n", path,
			errs.n);
		rc = CLI_ERROR;
	} else {
		printf("%s: ok: %zu activities, %zu holiday calendar(s) with "
		       "%zu days off, time zone %s, database %s\n",
		       path, plugins.n, holidays.n_files, holidays.n,
		       cfg.timezone, cfg.db_path);
	}
	holidays_free(&holidays);
	plugins_unload(&plugins);
	errlist_free(&errs);
	config_free(&cfg);
	return rc;
}

/* ---- plugins ---- */

static int cmd_plugins(const char *path, int argc, char **argv)
{
	const char *help_id = NULL;
	static const struct option opts[] = {
		{"help", required_argument, 0, 'h'}, {0, 0, 0, 0}};
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "h:", opts, NULL)) != -1) {
		if (c == 'h')
			help_id = optarg;
		else
			return usage_error("plugins: unknown option");
	}
	if (optind < argc)
		return usage_error("plugins: unexpected argument \"%s\"",
				   argv[optind]);
	struct config cfg;
	if (load_config(path, &cfg)) {
		config_free(&cfg);
		return CLI_ERROR;
	}
	struct plugin_set plugins;
	struct errlist errs = {0};
	plugins_load(&cfg, &plugins, &errs);
	print_errors(&errs);
	errlist_free(&errs);
	int rc = CLI_OK;
	if (help_id) {
		const struct plugin *p = plugins_find(&plugins, help_id);
		if (p) {
			plugin_print_help(p, stdout);
		} else {
			fprintf(stderr,
				"qa-scheduler: plugins --help: no "
				"activity \"%s\" is loaded from %s; "
				"`qa-scheduler plugins` lists them\n",
				help_id, cfg.plugins_dir);
			rc = CLI_ERROR;
		}
	} else {
		printf("%-26s %s\n", "ID", "TITLE / CADENCE / WHO");
		for (size_t i = 0; i < plugins.n; i++) {
			const struct qa_plugin *d = plugins.items[i].desc;
			printf("%-26s %s\n%-26s   %s\n%-26s   who: %s\n", d->id,
			       d->title, "", d->cadence, "",
			       strcmp(d->roles, "*") == 0
				       ? "everyone with a line manager"
				       : d->roles);
		}
	}
	plugins_unload(&plugins);
	config_free(&cfg);
	return rc;
}

/* ---- staff ---- */

static int open_db(const char *path, struct config *cfg, sqlite3 **db)
{
	if (load_config(path, cfg))
		return -1;
	if (db_open(cfg->db_path, db)) {
		fprintf(stderr,
			"qa-scheduler: cannot use the database %s "
			"(reason above)\n",
			cfg->db_path);
		return -1;
	}
	return 0;
}

/* What commands that change or read the schedule need: config, plugins,
 * holidays and the database, and the engine's view of them. */
struct engine {
	struct config cfg;
	struct plugin_set plugins;
	struct holidays holidays;
	sqlite3 *db;
	struct sched_env env;
};

static void engine_close(struct engine *e)
{
	db_close(e->db);
	holidays_free(&e->holidays);
	plugins_unload(&e->plugins);
	config_free(&e->cfg);
}

static int engine_open(const char *path, struct engine *e)
{
	struct errlist errs = {0};
	memset(e, 0, sizeof(*e));
	if (load_config(path, &e->cfg))
		return -1;
	/* A refused plugin is reported and the others serve, as in the
	 * daemon; a holiday calendar that does not parse is fatal: every
	 * working-day date would be wrong. */
	plugins_load(&e->cfg, &e->plugins, &errs);
	int holidays_rc = holidays_load(&e->cfg.holidays, &e->holidays, &errs);
	print_errors(&errs);
	errlist_free(&errs);
	if (holidays_rc)
		return -1;
	if (db_open(e->cfg.db_path, &e->db)) {
		fprintf(stderr,
			"qa-scheduler: cannot use the database %s "
			"(reason above)\n",
			e->cfg.db_path);
		return -1;
	}
	e->env = (struct sched_env){.plugins = &e->plugins,
				    .holidays = &e->holidays,
				    .tzid = e->cfg.timezone,
				    .today = today(&e->cfg),
				    .now = time(NULL)};
	return 0;
}

/* Regenerate what filter names inside the open transaction; a full run
 * when filter is NULL. */
static int engine_regenerate(struct engine *e,
			     const struct sched_filter *filter)
{
	struct sched_stats stats;
	if (sched_regenerate(e->db, &e->env, filter, &stats)) {
		fprintf(stderr,
			"qa-scheduler: the schedule could not be "
			"regenerated (reason above); nothing changed\n");
		return -1;
	}
	return 0;
}

/* Bring the schedule up to today before reading it (the first command of
 * a day, or after a config change, without a daemon). */
static int engine_ensure_current(struct engine *e)
{
	if (sched_is_current(e->db, e->env.today))
		return 0;
	return engine_regenerate(e, NULL);
}

static int staff_add(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"id", required_argument, 0, 'i'},
		{"name", required_argument, 0, 'n'},
		{"email", required_argument, 0, 'e'},
		{"role", required_argument, 0, 'r'},
		{"team", required_argument, 0, 't'},
		{"manager", required_argument, 0, 'm'},
		{"nqsw-start", required_argument, 0, 's'},
		{0, 0, 0, 0}};
	const char *id = NULL, *name = NULL, *email = NULL, *role = NULL,
		   *team = NULL, *manager = NULL, *nqsw = NULL;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'i':
			id = optarg;
			break;
		case 'n':
			name = optarg;
			break;
		case 'e':
			email = optarg;
			break;
		case 'r':
			role = optarg;
			break;
		case 't':
			team = optarg;
			break;
		case 'm':
			manager = optarg;
			break;
		case 's':
			nqsw = optarg;
			break;
		default:
			return usage_error("staff add: unknown option");
		}
	}
	if (optind < argc)
		return usage_error("staff add: unexpected argument \"%s\"",
				   argv[optind]);
	const char *missing = !id      ? "--id"
			      : !name  ? "--name"
			      : !email ? "--email"
			      : !role  ? "--role"
			      : !team  ? "--team"
				       : NULL;
	if (missing)
		return usage_error("staff add: %s is required", missing);

	struct staff_text text = {.id = id,
				  .name = name,
				  .email = email,
				  .role = role,
				  .team = team,
				  .manager = manager,
				  .nqsw_start = nqsw};
	struct staff s = {0};
	struct errlist errs = {0};
	if (staff_parse(&text, NULL, 0, &s, &errs)) {
		print_errors(&errs);
		errlist_free(&errs);
		staff_free(&s);
		return CLI_ERROR;
	}
	struct engine e;
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (db_begin(e.db))
		goto out;
	struct sched_filter only = {.staff_id = s.id};
	if (staff_upsert(e.db, &s, e.env.today, &errs) ||
	    engine_regenerate(&e, &only) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	rc = CLI_OK;
out:
	print_errors(&errs);
	errlist_free(&errs);
	staff_free(&s);
	engine_close(&e);
	return rc;
}

static int staff_import(const char *path, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("staff import takes one FILE.csv");
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (db_begin(e.db))
		goto out;
	int stored = staff_import_csv(e.db, argv[1], e.env.today, &errs);
	if (stored < 0) {
		db_rollback(e.db);
		print_errors(&errs);
		fprintf(stderr,
			"qa-scheduler: %s: nothing imported (%zu "
			"problem(s))\n",
			argv[1], errs.n);
		goto out;
	}
	if (engine_regenerate(&e, NULL) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	printf("%s: %d staff imported\n", argv[1], stored);
	rc = CLI_OK;
out:
	errlist_free(&errs);
	engine_close(&e);
	return rc;
}

static int staff_list_cmd(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"team", required_argument, 0, 't'},
		{"format", required_argument, 0, 'f'},
		{0, 0, 0, 0}};
	const char *team = NULL;
	enum staff_format format = STAFF_FORMAT_TABLE;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 't') {
			team = optarg;
		} else if (c == 'f') {
			if (strcmp(optarg, "table") == 0)
				format = STAFF_FORMAT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				format = STAFF_FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				format = STAFF_FORMAT_CSV;
			else
				return usage_error(
					"staff list: --format \"%s\": "
					"use table, json or csv",
					optarg);
		} else {
			return usage_error("staff list: unknown option");
		}
	}
	if (optind < argc)
		return usage_error("staff list: unexpected argument \"%s\"",
				   argv[optind]);
	struct config cfg;
	sqlite3 *db = NULL;
	int rc = CLI_ERROR;
	if (open_db(path, &cfg, &db))
		goto out;
	if (staff_list(db, team, format, stdout) == 0)
		rc = CLI_OK;
out:
	db_close(db);
	config_free(&cfg);
	return rc;
}

static int staff_leave_cmd(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"id", required_argument, 0, 'i'},
		{"date", required_argument, 0, 'd'},
		{0, 0, 0, 0}};
	const char *id = NULL, *date_text = NULL;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'i')
			id = optarg;
		else if (c == 'd')
			date_text = optarg;
		else
			return usage_error("staff leave: unknown option");
	}
	if (optind < argc)
		return usage_error("staff leave: unexpected argument \"%s\"",
				   argv[optind]);
	if (!id)
		return usage_error("staff leave: --id is required");
	qa_day date = QA_DAY_NONE;
	if (date_text && date_parse(date_text, &date)) {
		fprintf(stderr,
			"qa-scheduler: staff leave: --date \"%s\": not "
			"a date; use YYYY-MM-DD\n",
			date_text);
		return CLI_ERROR;
	}
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (date == QA_DAY_NONE)
		date = e.env.today;
	if (db_begin(e.db))
		goto out;
	struct sched_filter only = {.staff_id = id};
	if (staff_leave(e.db, id, date, &errs) ||
	    engine_regenerate(&e, &only) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	rc = CLI_OK;
out:
	print_errors(&errs);
	errlist_free(&errs);
	engine_close(&e);
	return rc;
}

/* ---- record, due, next ---- */

static int parse_date_option(const char *command, const char *option,
			     const char *text, qa_day *out)
{
	if (date_parse(text, out) == 0)
		return 0;
	fprintf(stderr,
		"qa-scheduler: %s: %s \"%s\": not a date; use YYYY-MM-DD "
		"(a real one: 2026-02-30 is not)\n",
		command, option, text);
	return -1;
}

static int parse_count(const char *command, const char *option,
		       const char *text, int max, int *out)
{
	char *end;
	long value = strtol(text, &end, 10);
	if (*text && !*end && value >= 0 && value <= max) {
		*out = (int)value;
		return 0;
	}
	fprintf(stderr,
		"qa-scheduler: %s: %s \"%s\": use a whole number "
		"from 0 to %d\n",
		command, option, text, max);
	return -1;
}

static int cmd_record(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"staff", required_argument, 0, 's'},
		{"date", required_argument, 0, 'd'},
		{"practitioner", required_argument, 0, 'p'},
		{"grade", required_argument, 0, 'g'},
		{"safeguarding", no_argument, 0, 'S'},
		{"no-safeguarding", no_argument, 0, 'N'},
		{"moderator", required_argument, 0, 'm'},
		{"audit", required_argument, 0, 'a'},
		{"home", required_argument, 0, 'h'},
		{"signed-off-by", required_argument, 0, 'o'},
		{"note", required_argument, 0, 'n'},
		{0, 0, 0, 0}};
	struct record_input in = {0};
	const char *date_text = NULL;
	int c, audit_number;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			in.staff_id = optarg;
			break;
		case 'd':
			date_text = optarg;
			break;
		case 'p':
			in.practitioner_id = optarg;
			break;
		case 'g':
			in.grade = optarg;
			break;
		case 'S':
		case 'N':
			if (in.safeguarding != RECORD_FLAG_UNSET)
				return usage_error(
					"record: give --safeguarding or "
					"--no-safeguarding once");
			in.safeguarding =
				c == 'S' ? RECORD_FLAG_YES : RECORD_FLAG_NO;
			break;
		case 'm':
			in.moderator_id = optarg;
			break;
		case 'a':
			if (parse_count("record", "--audit", optarg, 2000000000,
					&audit_number))
				return CLI_ERROR;
			in.audit_id = audit_number;
			break;
		case 'h':
			in.home = optarg;
			break;
		case 'o':
			in.signed_off_by = optarg;
			break;
		case 'n':
			in.note = optarg;
			break;
		default:
			return usage_error("record: unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error("record needs exactly one ACTIVITY");
	in.activity = argv[optind];
	if (!in.staff_id)
		return usage_error("record: --staff is required");
	if (!date_text)
		return usage_error("record: --date is required");
	if (parse_date_option("record", "--date", date_text, &in.date))
		return CLI_ERROR;

	struct engine e;
	struct errlist errs = {0};
	char *said = NULL;
	long long id = 0;
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (db_begin(e.db))
		goto out;
	/* The person's own series; and for the audit workflow, the built-in
	 * series (actions, moderations) of everyone it touches. */
	struct sched_filter mine = {.activity = in.activity,
				    .staff_id = in.staff_id};
	struct sched_filter audits = {.activity = SCHED_AUDIT_ACTION};
	bool workflow = strcmp(in.activity, "collaborative_audit") == 0 ||
			strcmp(in.activity, SCHED_AUDIT_ACTION) == 0 ||
			strcmp(in.activity, SCHED_MODERATION) == 0;
	bool plugin = plugins_find(&e.plugins, in.activity) != NULL;
	if (record_completion(e.db, &e.plugins, &in, e.env.today, &errs, &id) ||
	    (plugin && engine_regenerate(&e, &mine)) ||
	    (workflow && engine_regenerate(&e, &audits)) ||
	    !(said = record_describe(e.db, &in, id)) || db_commit(e.db)) {
		db_rollback(e.db);
		goto out;
	}
	printf("%s\n", said);
	rc = CLI_OK;
out:
	print_errors(&errs);
	errlist_free(&errs);
	free(said);
	engine_close(&e);
	return rc;
}

static int cmd_due(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"manager", required_argument, 0, 'm'},
		{"team", required_argument, 0, 't'},
		{"activity", required_argument, 0, 'a'},
		{"as-of", required_argument, 0, 'o'},
		{"within", required_argument, 0, 'w'},
		{"format", required_argument, 0, 'f'},
		{0, 0, 0, 0}};
	struct due_filter filter = {.as_of = QA_DAY_NONE, .within_days = 7};
	enum due_format format = DUE_FORMAT_TABLE;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			filter.manager_id = optarg;
			break;
		case 't':
			filter.team = optarg;
			break;
		case 'a':
			filter.activity = optarg;
			break;
		case 'o':
			if (parse_date_option("due", "--as-of", optarg,
					      &filter.as_of))
				return CLI_ERROR;
			break;
		case 'w':
			if (parse_count("due", "--within", optarg, 3660,
					&filter.within_days))
				return CLI_ERROR;
			break;
		case 'f':
			if (strcmp(optarg, "table") == 0)
				format = DUE_FORMAT_TABLE;
			else if (strcmp(optarg, "json") == 0)
				format = DUE_FORMAT_JSON;
			else if (strcmp(optarg, "csv") == 0)
				format = DUE_FORMAT_CSV;
			else
				return usage_error("due: --format \"%s\": use "
						   "table, json or csv",
						   optarg);
			break;
		default:
			return usage_error("due: unknown option");
		}
	}
	if (optind < argc)
		return usage_error("due: unexpected argument \"%s\"",
				   argv[optind]);
	struct engine e;
	struct due_list rows = {0};
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (filter.activity &&
	    strcmp(filter.activity, SCHED_AUDIT_ACTION) != 0 &&
	    strcmp(filter.activity, SCHED_MODERATION) != 0 &&
	    !plugins_find(&e.plugins, filter.activity)) {
		fprintf(stderr,
			"qa-scheduler: due: --activity \"%s\": no such "
			"activity; `qa-scheduler plugins` lists them\n",
			filter.activity);
		goto out;
	}
	if (filter.manager_id) {
		struct staff manager = {0};
		int found = staff_get(e.db, filter.manager_id, &manager);
		staff_free(&manager);
		if (found <= 0) {
			fprintf(stderr,
				"qa-scheduler: due: --manager \"%s\": "
				"no such person\n",
				filter.manager_id);
			goto out;
		}
	}
	if (filter.as_of == QA_DAY_NONE)
		filter.as_of = e.env.today;
	if (engine_ensure_current(&e))
		goto out;
	if (due_query(e.db, &filter, &rows) || due_print(&rows, format, stdout))
		goto out;
	rc = CLI_OK;
out:
	due_list_free(&rows);
	engine_close(&e);
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

static int cmd_next(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"staff", required_argument, 0, 's'},
		{"from", required_argument, 0, 'f'},
		{"count", required_argument, 0, 'n'},
		{0, 0, 0, 0}};
	const char *staff_id = NULL;
	qa_day from = QA_DAY_NONE;
	int count = 5;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			staff_id = optarg;
			break;
		case 'f':
			if (parse_date_option("next", "--from", optarg, &from))
				return CLI_ERROR;
			break;
		case 'n':
			if (parse_count("next", "--count", optarg, 1000,
					&count))
				return CLI_ERROR;
			break;
		default:
			return usage_error("next: unknown option");
		}
	}
	if (optind != argc - 1)
		return usage_error("next needs exactly one ACTIVITY");
	const char *activity = argv[optind];
	struct engine e;
	struct sched_occ_list occs = {0};
	char from_text[DATE_TEXT_SIZE];
	int rc = CLI_ERROR;
	if (engine_open(path, &e))
		goto out;
	if (from == QA_DAY_NONE)
		from = e.env.today;
	/* Preview from `from` as if it were today: the plugin projects from
	 * there, with the completions recorded so far. */
	struct sched_env env = e.env;
	if (from > env.today)
		env.today = from;
	if (sched_preview(e.db, &env, activity, staff_id, from,
			  qa_day_add_months(from, 24), &occs))
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
	sched_occ_list_free(&occs);
	engine_close(&e);
	return rc;
}

/* ---- feed-url ---- */

static int cmd_feed_url(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"staff", required_argument, 0, 's'},
		{"team", required_argument, 0, 't'},
		{"rotate", no_argument, 0, 'r'},
		{"revoke", no_argument, 0, 'R'},
		{0, 0, 0, 0}};
	const char *staff_id = NULL, *team = NULL;
	bool rotate = false, revoke = false;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			staff_id = optarg;
			break;
		case 't':
			team = optarg;
			break;
		case 'r':
			rotate = true;
			break;
		case 'R':
			revoke = true;
			break;
		default:
			return usage_error("feed-url: unknown option");
		}
	}
	if (optind < argc)
		return usage_error("feed-url: unexpected argument \"%s\"",
				   argv[optind]);
	if (!staff_id == !team)
		return usage_error("feed-url needs one of --staff ID or "
				   "--team TEAM");
	if (rotate && revoke)
		return usage_error("feed-url: --rotate or --revoke, not both");

	enum token_kind kind = staff_id ? TOKEN_STAFF : TOKEN_TEAM;
	const char *subject = staff_id ? staff_id : team;
	struct config cfg;
	sqlite3 *db = NULL;
	int rc = CLI_ERROR;
	if (open_db(path, &cfg, &db))
		goto out;
	qa_day now_day = today(&cfg);
	if (staff_id) {
		struct staff s = {0};
		int found = staff_get(db, staff_id, &s);
		bool left = found > 0 && s.left_on != QA_DAY_NONE &&
			    s.left_on < now_day;
		char left_text[DATE_TEXT_SIZE];
		if (left)
			date_format(s.left_on, left_text);
		staff_free(&s);
		if (found < 0)
			goto out;
		if (found == 0) {
			fprintf(stderr,
				"qa-scheduler: feed-url: --staff \"%s\": "
				"no such person\n",
				staff_id);
			goto out;
		}
		if (left && !revoke) {
			fprintf(stderr,
				"qa-scheduler: feed-url: %s left on %s "
				"and has no feed\n",
				staff_id, left_text);
			goto out;
		}
	} else {
		sqlite3_stmt *stmt = NULL;
		int members = -1;
		if (sqlite3_prepare_v2(db,
				       "SELECT count(*) FROM staff WHERE "
				       "team = ?1",
				       -1, &stmt, NULL) == SQLITE_OK) {
			sqlite3_bind_text(stmt, 1, team, -1, SQLITE_STATIC);
			if (sqlite3_step(stmt) == SQLITE_ROW)
				members = sqlite3_column_int(stmt, 0);
		}
		sqlite3_finalize(stmt);
		if (members <= 0) {
			fprintf(stderr,
				"qa-scheduler: feed-url: --team \"%s\": "
				"nobody is in that team\n",
				team);
			goto out;
		}
	}
	if (db_begin(db))
		goto out;
	time_t now = time(NULL);
	if (revoke) {
		int revoked = token_revoke(db, kind, subject, now);
		if (revoked < 0 || db_commit(db)) {
			db_rollback(db);
			goto out;
		}
		printf(revoked ? "%s %s: feed URL revoked; it answers 404 from "
				 "now on\n"
			       : "%s %s: there was no live feed URL\n",
		       token_kind_name(kind), subject);
		rc = CLI_OK;
		goto out;
	}
	time_t issued;
	int live = token_live(db, kind, subject, &issued);
	if (live < 0) {
		db_rollback(db);
		goto out;
	}
	if (live && !rotate) {
		db_rollback(db);
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC",
			 gmtime(&issued));
		fprintf(stderr,
			"qa-scheduler: feed-url: the feed URL of %s %s was "
			"issued at %s and is shown only once (only a hash is "
			"kept); --rotate issues a new one and the old one "
			"stops "
			"working\n",
			token_kind_name(kind), subject, when);
		goto out;
	}
	char token[TOKEN_TEXT_SIZE];
	if (token_issue(db, kind, subject, now, token) || db_commit(db)) {
		db_rollback(db);
		goto out;
	}
	printf("%s/feeds/%s.ics\n", cfg.base_url, token);
	rc = CLI_OK;
out:
	db_close(db);
	config_free(&cfg);
	return rc;
}

/* ---- export ---- */

static int cmd_export(const char *path, int argc, char **argv)
{
	static const struct option opts[] = {
		{"staff", required_argument, 0, 's'}, {0, 0, 0, 0}};
	const char *staff_id = NULL;
	int c;
	optind = 0; /* glibc: a full restart, permuting again */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 's')
			staff_id = optarg;
		else
			return usage_error("export: unknown option");
	}
	if (optind < argc)
		return usage_error("export: unexpected argument \"%s\"",
				   argv[optind]);
	if (!staff_id)
		return usage_error("export: --staff is required");
	struct engine e;
	struct feed_catalog catalog = {0};
	struct feed_doc doc = {0};
	int rc = CLI_ERROR;
	if (engine_open(path, &e) || engine_ensure_current(&e) ||
	    feed_catalog_build(&e.plugins, &e.cfg, &catalog))
		goto out;
	int found = feed_render(e.db, &catalog, FEED_STAFF, staff_id,
				e.env.today, time(NULL), &doc);
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
	feed_doc_free(&doc);
	feed_catalog_free(&catalog);
	engine_close(&e);
	return rc;
}

static int cmd_staff(const char *path, int argc, char **argv)
{
	if (argc < 2)
		return usage_error("staff needs a subcommand: add, import, "
				   "list or leave");
	const char *sub = argv[1];
	if (strcmp(sub, "add") == 0)
		return staff_add(path, argc - 1, argv + 1);
	if (strcmp(sub, "import") == 0)
		return staff_import(path, argc - 1, argv + 1);
	if (strcmp(sub, "list") == 0)
		return staff_list_cmd(path, argc - 1, argv + 1);
	if (strcmp(sub, "leave") == 0)
		return staff_leave_cmd(path, argc - 1, argv + 1);
	return usage_error("staff: unknown subcommand \"%s\"; use add, import, "
			   "list or leave",
			   sub);
}

int cli_main(int argc, char **argv)
{
	const char *config_path = getenv("QA_SCHEDULER_CONFIG");
	if (!config_path || !*config_path)
		config_path = CONFIG_DEFAULT_PATH;
	int c;
	/* '+': options after the command belong to the command. */
	while ((c = getopt(argc, argv, "+c:hV")) != -1) {
		switch (c) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return CLI_OK;
		case 'V':
			puts("qa-scheduler " QA_VERSION);
			return CLI_OK;
		default:
			return usage_error("unknown option");
		}
	}
	if (optind >= argc) {
		fputs(usage_text, stderr);
		return CLI_USAGE;
	}
	const char *cmd = argv[optind];
	int sub_argc = argc - optind;
	char **sub_argv = argv + optind;
	if (strcmp(cmd, "serve") == 0) {
		if (sub_argc > 1)
			return usage_error("serve takes no arguments");
		return daemon_serve(config_path);
	}
	if (strcmp(cmd, "check-config") == 0)
		return cmd_check_config(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "plugins") == 0)
		return cmd_plugins(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "staff") == 0)
		return cmd_staff(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "record") == 0)
		return cmd_record(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "due") == 0)
		return cmd_due(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "next") == 0)
		return cmd_next(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "export") == 0)
		return cmd_export(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "feed-url") == 0)
		return cmd_feed_url(config_path, sub_argc, sub_argv);
	if (strcmp(cmd, "version") == 0) {
		puts("qa-scheduler " QA_VERSION);
		return CLI_OK;
	}
	if (strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return CLI_OK;
	}
	return usage_error("unknown command \"%s\"", cmd);
}
