#include "cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "config.h"
#include "daemon.h"
#include "date.h"
#include "db.h"
#include "log.h"
#include "plugin_host.h"
#include "staff.h"

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
	optind = 1;
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
	optind = 1;
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
	struct config cfg;
	sqlite3 *db = NULL;
	int rc = CLI_ERROR;
	if (open_db(path, &cfg, &db))
		goto out;
	if (db_begin(db))
		goto out;
	if (staff_upsert(db, &s, today(&cfg), &errs) || db_commit(db)) {
		db_rollback(db);
		goto out;
	}
	rc = CLI_OK;
out:
	print_errors(&errs);
	errlist_free(&errs);
	staff_free(&s);
	db_close(db);
	config_free(&cfg);
	return rc;
}

static int staff_import(const char *path, int argc, char **argv)
{
	if (argc != 2)
		return usage_error("staff import takes one FILE.csv");
	struct config cfg;
	sqlite3 *db = NULL;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (open_db(path, &cfg, &db))
		goto out;
	int stored = staff_import_csv(db, argv[1], today(&cfg), &errs);
	if (stored < 0) {
		print_errors(&errs);
		fprintf(stderr,
			"qa-scheduler: %s: nothing imported (%zu "
			"problem(s))\n",
			argv[1], errs.n);
		goto out;
	}
	printf("%s: %d staff imported\n", argv[1], stored);
	rc = CLI_OK;
out:
	errlist_free(&errs);
	db_close(db);
	config_free(&cfg);
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
	optind = 1;
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
	optind = 1;
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
	struct config cfg;
	sqlite3 *db = NULL;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (open_db(path, &cfg, &db))
		goto out;
	if (date == QA_DAY_NONE)
		date = today(&cfg);
	if (db_begin(db))
		goto out;
	if (staff_leave(db, id, date, &errs) || db_commit(db)) {
		db_rollback(db);
		goto out;
	}
	rc = CLI_OK;
out:
	print_errors(&errs);
	errlist_free(&errs);
	db_close(db);
	config_free(&cfg);
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
