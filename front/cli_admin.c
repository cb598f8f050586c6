/* The command line's administrative commands: serve, check-config,
 * plugins and feed-url. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backup.h"
#include "cli.h"
#include "daemon.h"
#include "db.h"
#include "staff.h"
#include "token.h"

int cli_serve(const struct cli_call *call)
{
	return daemon_serve(call->config_path);
}

/* The database, when there is one: whole (PRAGMA quick_check, issue 14),
 * and the owners of the shared deadlines (issue 6): a configured owner must
 * be someone in post (an error, at the key's file:line); several holders of
 * the lead role with no owner configured is a warning naming them (the
 * lowest id owns it). */
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
	backup_quick_check(db, cfg->db_path, errs);
	for (size_t i = 0; i < plugins->n; i++) {
		const struct plugin *p = &plugins->items[i];
		if (p->desc->scope != QA_SCOPE_AUDIENCE ||
		    strcmp(p->desc->duration, "0") != 0)
			continue; /* no deadlines to own */
		char *owner = NULL;
		struct config_list holders;
		if (sched_owner(db, p, today, &owner, &holders))
			break;
		const char *configured = plugin_config_value(p, "owner");
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
		config_list_done(&holders);
	}
	db_close(db);
}

int cli_check_config(const struct cli_call *call)
{
	struct engine e;
	struct errlist errs = {0};
	const char *path = call->config_path;
	/* Even a config with errors names plugins and calendars:
	 * engine_open checks them too, so one run lists everything to fix. */
	enum engine_failure failure = engine_open(path, 0, &e, &errs);
	if (failure != ENGINE_BAD_CONFIG)
		check_owners(&e.cfg, &e.plugins,
			     date_today(e.cfg.timezone, time(NULL)), &errs);
	int rc = CLI_OK;
	if (failure || errs.n) {
		cli_print_errors(&errs);
		fprintf(stderr, "qa-scheduler: %s: %zu problem(s)\n", path,
			errs.n);
		rc = CLI_ERROR;
	} else {
		printf("%s: ok: %zu activities, %zu holiday calendar(s) with "
		       "%zu days off, time zone %s, database %s\n",
		       path, e.plugins.n, e.holidays.n_files, e.holidays.n,
		       e.cfg.timezone, e.cfg.db_path);
		/* Not a problem yet: said, and still ok. */
		char why[512];
		if (holidays_running_out(&e.holidays,
					 date_today(e.cfg.timezone, time(NULL)),
					 why, sizeof(why)))
			fprintf(stderr, "qa-scheduler: warning: %s\n", why);
	}
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}

int cli_plugins(const struct cli_call *call)
{
	const char *help_id = cli_text(call, PLUGINS_HELP);
	struct engine e;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, 0, &e))
		goto out;
	rc = CLI_OK;
	if (help_id) {
		const struct plugin *p = plugin_set_find(&e.plugins, help_id);
		if (p) {
			plugin_config_print_help(p, stdout);
		} else {
			fprintf(stderr,
				"qa-scheduler: plugins --help: no "
				"activity \"%s\" is loaded from %s; "
				"`qa-scheduler plugins` lists them\n",
				help_id, e.cfg.plugins_dir);
			rc = CLI_ERROR;
		}
	} else {
		printf("%-26s %s\n", "ID", "TITLE / CADENCE / WHO");
		for (size_t i = 0; i < e.plugins.n; i++) {
			const struct qa_plugin *d = e.plugins.items[i].desc;
			printf("%-26s %s\n%-26s   %s\n%-26s   who: %s\n", d->id,
			       d->title, "", d->cadence, "",
			       strcmp(d->roles, "*") == 0
				       ? "everyone with a line manager"
				       : d->roles);
		}
	}
out:
	engine_done(&e);
	return rc;
}

/* Is staff_id someone a URL may be issued to: a person, who has not left
 * (a leaver's may still be revoked)? 0, or -1 said on stderr. */
static int person_for_url(const struct cli_call *call, struct engine *e,
			  const char *staff_id, bool revoke, const char *what)
{
	struct staff s = {0};
	int found = staff_get(e->db, staff_id, &s);
	qa_day today = date_today(e->cfg.timezone, time(NULL));
	bool left = found > 0 && s.left_on != QA_DAY_NONE && s.left_on < today;
	char left_text[DATE_TEXT_SIZE] = "";
	if (left)
		date_format(s.left_on, left_text);
	staff_done(&s);
	if (found < 0)
		return -1;
	if (found == 0) {
		fprintf(stderr,
			"qa-scheduler: %s: --staff \"%s\": no such person\n",
			call->verb->name, staff_id);
		return -1;
	}
	if (left && !revoke) {
		fprintf(stderr,
			"qa-scheduler: %s: %s left on %s and has no %s\n",
			call->verb->name, staff_id, left_text, what);
		return -1;
	}
	return 0;
}

/* Issue, rotate or revoke the URL of (kind, subject) and print it as
 * BASE_URL/PATH/TOKEN SUFFIX: the part feed-url and manager-url share.
 * CLI_OK or CLI_ERROR (said on stderr). */
static int issue_url(const struct cli_call *call, struct engine *e,
		     enum token_kind kind, const char *subject, bool rotate,
		     bool revoke, const char *what, const char *path,
		     const char *suffix)
{
	sqlite3 *db = e->db;
	const char *verb = call->verb->name;
	if (db_begin(db))
		return CLI_ERROR;
	time_t now = time(NULL);
	if (revoke) {
		int revoked = token_revoke(db, kind, subject, now);
		if (revoked < 0 || db_commit(db)) {
			db_rollback(db);
			return CLI_ERROR;
		}
		if (revoked)
			printf("%s %s: %s revoked; it answers 404 from now "
			       "on\n",
			       token_kind_name(kind), subject, what);
		else
			printf("%s %s: there was no live %s\n",
			       token_kind_name(kind), subject, what);
		return CLI_OK;
	}
	time_t issued;
	int live = token_live(db, kind, subject, &issued);
	if (live < 0) {
		db_rollback(db);
		return CLI_ERROR;
	}
	if (live && !rotate) {
		db_rollback(db);
		char when[32];
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC",
			 gmtime(&issued));
		fprintf(stderr,
			"qa-scheduler: %s: the %s of %s %s was issued at %s "
			"and is shown only once (only a hash is kept); "
			"--rotate issues a new one and the old one stops "
			"working\n",
			verb, what, token_kind_name(kind), subject, when);
		return CLI_ERROR;
	}
	char token[TOKEN_TEXT_SIZE];
	if (token_issue(db, kind, subject, now, token) || db_commit(db)) {
		db_rollback(db);
		return CLI_ERROR;
	}
	printf("%s/%s/%s%s\n", e->cfg.base_url, path, token, suffix);
	return CLI_OK;
}

int cli_feed_url(const struct cli_call *call)
{
	const char *staff_id = cli_text(call, FEED_URL_STAFF);
	const char *team = cli_text(call, FEED_URL_TEAM);
	bool rotate = cli_opt(call, FEED_URL_ROTATE) != NULL;
	bool revoke = cli_opt(call, FEED_URL_REVOKE) != NULL;
	char a[32], b[32];
	if (!staff_id == !team)
		return cli_usage_error(
			call, "needs one of %s ID or %s TEAM",
			cli_option_name(call, FEED_URL_STAFF, a, sizeof(a)),
			cli_option_name(call, FEED_URL_TEAM, b, sizeof(b)));
	if (rotate && revoke)
		return cli_usage_error(
			call, "%s or %s, not both",
			cli_option_name(call, FEED_URL_ROTATE, a, sizeof(a)),
			cli_option_name(call, FEED_URL_REVOKE, b, sizeof(b)));

	enum token_kind kind = staff_id ? TOKEN_STAFF : TOKEN_TEAM;
	const char *subject = staff_id ? staff_id : team;
	struct engine e;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	sqlite3 *db = e.db;
	if (staff_id) {
		if (person_for_url(call, &e, staff_id, revoke, "feed"))
			goto out;
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
	rc = issue_url(call, &e, kind, subject, rotate, revoke, "feed URL",
		       "feeds", ".ics");
out:
	engine_done(&e);
	return rc;
}

int cli_manager_url(const struct cli_call *call)
{
	const char *staff_id = cli_text(call, MANAGER_URL_STAFF);
	bool rotate = cli_opt(call, MANAGER_URL_ROTATE) != NULL;
	bool revoke = cli_opt(call, MANAGER_URL_REVOKE) != NULL;
	char a[32], b[32];
	if (rotate && revoke)
		return cli_usage_error(
			call, "%s or %s, not both",
			cli_option_name(call, MANAGER_URL_ROTATE, a, sizeof(a)),
			cli_option_name(call, MANAGER_URL_REVOKE, b,
					sizeof(b)));
	struct engine e;
	int rc = CLI_ERROR;
	if (cli_engine_open(call, ENGINE_DATABASE, &e) ||
	    person_for_url(call, &e, staff_id, revoke, "manager page"))
		goto out;
	qa_day today = date_today(e.cfg.timezone, time(NULL));
	int reports = staff_count_reports(e.db, staff_id, today);
	if (reports < 0)
		goto out;
	if (reports == 0 && !revoke) {
		fprintf(stderr,
			"qa-scheduler: manager-url: %s manages no one (no one "
			"in post has them as manager); the page shows a "
			"manager's line\n",
			staff_id);
		goto out;
	}
	rc = issue_url(call, &e, TOKEN_MANAGER, staff_id, rotate, revoke,
		       "manager page URL", "manager", "");
out:
	engine_done(&e);
	return rc;
}

int cli_backup(const struct cli_call *call)
{
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	const struct cli_value *keep = cli_opt(call, BACKUP_KEEP);
	char *path = NULL;
	if (keep && keep->count < 1) {
		fprintf(stderr, "qa-scheduler: backup: --keep %s: keep at "
				"least 1, the copy just written\n",
			keep->text);
		return CLI_USAGE;
	}
	if (cli_engine_open(call, ENGINE_DATABASE, &e))
		goto out;
	if (keep) {
		/* Into the folder, named by the time, the oldest beyond
		 * --keep removed once this one is written. */
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];
		gmtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
		if (asprintf(&path, "%s/" BACKUP_PREFIX "%s.db",
			     call->operands[0], stamp) < 0) {
			path = NULL;
			goto out;
		}
	}
	const char *target = path ? path : call->operands[0];
	if (backup_write(e.db, target, &errs) == 0 &&
	    (!keep ||
	     backup_rotate(call->operands[0], keep->count, &errs) == 0)) {
		printf("%s\n", target);
		rc = CLI_OK;
	}
out:
	free(path);
	cli_print_errors(&errs);
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}

int cli_restore(const struct cli_call *call)
{
	struct engine e;
	struct errlist errs = {0};
	int rc = CLI_ERROR;
	if (cli_engine_open(call, 0, &e))
		goto out;
	if (backup_restore(e.cfg.db_path, call->operands[0], &errs) == 0) {
		printf("%s: restored from %s\n", e.cfg.db_path,
		       call->operands[0]);
		rc = CLI_OK;
	}
out:
	cli_print_errors(&errs);
	errlist_done(&errs);
	engine_done(&e);
	return rc;
}
