/* config: the INI configuration file (SPEC section 8).
 *
 * config_load() reads the file through config_scan (the syntax: "key = value"
 * lines under "[section]" headers, # and ; comments; see config_scan.h), so
 * every problem is reported as "FILE:LINE: ..." and all of them are
 * collected, not just the first. Core sections ([server], [database],
 * [plugins], [calendars], [reminders]) are validated here; [activity.<id>]
 * sections are kept as raw key/value pairs with their lines and validated
 * later against each plugin's schema by the plugin host. */
#ifndef QA_CONFIG_H
#define QA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "config_value.h"
#include "errlist.h"
#include "qa-scheduler/plugin.h"

#define CONFIG_DEFAULT_PATH "/etc/qa-scheduler/qa-scheduler.conf"

struct config_kv {
	char *key;
	char *value;
	int line;
};

struct config_activity {
	char *id; /* from [activity.<id>] */
	int line; /* line of the section header */
	struct config_kv *kvs;
	size_t n_kvs;
};

struct config {
	char *path; /* the file read; NULL after config_defaults() */

	/* [server] */
	char *listen;        /* "127.0.0.1:8080"; host:port, [v6]:port */
	char *base_url;      /* "http://127.0.0.1:8080" (no trailing /) */
	int feed_refresh;    /* seconds; "1h" */
	int request_timeout; /* seconds; "30s" */
	int max_header_size; /* bytes; 8192 */
	int max_body_size;   /* bytes; 65536 */
	int feed_cache_size; /* bytes; 8 MiB */
	int http_threads;    /* event loops serving HTTP; 0 = one per core */
	/* Single sign-on behind the council's reverse proxy: a request from
	 * one of these addresses carrying auth_header is the person with that
	 * email, at GET /manager; from anywhere else the header is ignored.
	 * Both unset by default. */
	struct config_list trusted_proxies; /* IPv4 or IPv6 addresses */
	char *auth_header;                  /* "X-Forwarded-Email"; NULL */

	/* [database] */
	char *db_path;

	/* [plugins] */
	char *plugins_dir;
	struct config_list enable; /* empty and !enable_set: every plugin */
	bool enable_set;

	/* [calendars] */
	char *timezone; /* "Europe/London" */
	/* .ics paths, resolved against the file's dir; may be empty */
	struct config_list holidays;

	/* [reminders] */
	char *smtp_url; /* NULL: no email */
	char *smtp_from;
	char *smtp_user;
	char *smtp_password;
	char *webhook_url;     /* NULL: no webhook */
	char *send_window;     /* NULL: send at once; "08:00-18:00" */
	int send_window_start; /* minutes after midnight, -1 when unset */
	int send_window_end;
	int digest;        /* mode: 1 digest (the default), 0 each */
	int digest_minute; /* digest_time, minutes after midnight (08:30) */
	int weekly_day;    /* weekly_day, 1 Monday .. 7 Sunday */

	/* [activity.<id>] */
	struct config_activity *activities;
	size_t n_activities;
};

/* Read and validate path into *cfg (which is cleared first). Every problem
 * is appended to errs as "PATH:LINE: message" (a missing file is
 * "PATH: cannot open: reason"). Returns 0 when there were none, -1 otherwise;
 * on -1 *cfg still holds what could be read and must be freed. Relative
 * paths in the file (database, plugins dir, holidays) are resolved against
 * the directory holding the file. */
int config_load(const char *path, struct config *cfg, struct errlist *errs);

/* The built-in defaults, as if an empty file had been read from cwd. */
int config_defaults(struct config *cfg);

void config_done(struct config *cfg);

/* One core key, as qa-scheduler.conf(5) documents it. */
struct config_key_info {
	const char *section, *name, *type;
	const char *default_value; /* NULL: unset by default */
	const char *help;
};

/* cb for every core key, section by section, in the table's order (the
 * manual page is generated from it, so it cannot drift). */
void config_describe(void (*cb)(const struct config_key_info *key, void *arg),
		     void *arg);

/* The [activity.<id>] section, or NULL. */
const struct config_activity *config_activity(const struct config *cfg,
					      const char *id);

#endif
